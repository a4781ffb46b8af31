/** Picks the store a DATABASE_URL names. */
import { FileGuard } from './file-guard.js';
import { GuardedStore } from './guarded-store.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore, sqliteFile } from './sqlite.js';
import type { Store } from './store.js';

/** The embedded store, its files watched for deletion, replacement, read-only and full disks. */
function openSqlite(file: string): Store {
  const store = new SqliteStore(file);
  if (file === ':memory:') return store;
  const guard = new FileGuard(file);
  guard.watch();
  return new GuardedStore(store, guard);
}

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(sqliteFile(databaseUrl));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new PostgresStore(databaseUrl);
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}": expected sqlite:<file> or postgres://...`);
}
