/** Picks the store a DATABASE_URL names. */
import { PostgresStore } from './postgres.js';
import { SqliteStore, sqliteFile } from './sqlite.js';
import type { Store } from './store.js';

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return new SqliteStore(sqliteFile(databaseUrl));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new PostgresStore(databaseUrl);
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}": expected sqlite:<file> or postgres://...`);
}
