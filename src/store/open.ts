/** Picks the store a DATABASE_URL names. */
import { SqliteStore, sqliteFile } from './sqlite.js';
import type { Store } from './store.js';

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return new SqliteStore(sqliteFile(databaseUrl));
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}": expected sqlite:<file>`);
}
