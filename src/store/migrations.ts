/**
 * Versioned schema changes, applied on start by every store. Each store runs
 * them under a lock (SQLite: an immediate transaction; PostgreSQL: an
 * advisory transaction lock), so nodes starting together apply each version
 * exactly once and none serves before its schema exists.
 *
 * Tables and indexes are derived from the collection declarations and are
 * re-ensured (idempotently) after the versioned steps, so a newly declared
 * collection gets its table without a hand-written migration. A change that
 * cannot be derived (a rename, a backfill) becomes a new version below.
 */
import type { CollectionModel } from '../collections/model.js';
import { calendarTableStatement } from './calendar-sql.js';
import { schemaStatements, type Dialect } from './sql.js';

export interface Migration {
  version: number;
  name: string;
  statements(models: readonly CollectionModel[], dialect: Dialect): string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'collection tables and indexes',
    statements: (models, dialect) => models.flatMap((model) => schemaStatements(model, dialect)),
  },
  {
    version: 2,
    name: 'domains and API keys',
    statements: (_models, dialect) => [
      `CREATE TABLE domains (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)${dialect.tableSuffix}`,
      // Only a SHA-256 of each key is kept; the key itself is shown once, when created.
      `CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, domain TEXT NOT NULL REFERENCES domains (name), ` +
        `role TEXT NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL)${dialect.tableSuffix}`,
    ],
  },
  {
    version: 3,
    name: 'drop the recordrules dir index, covered by (dir, priority)',
    statements: () => ['DROP INDEX IF EXISTS recordrules_dir_idx'],
  },
  {
    version: 4,
    name: 'domain calendars',
    statements: (_models, dialect) => [calendarTableStatement(dialect)],
  },
];

/** One transaction holding the migration lock. */
export interface MigrationSession {
  exec(sql: string, values?: unknown[]): Promise<void>;
  appliedVersions(): Promise<number[]>;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

export async function migrate(session: MigrationSession, models: readonly CollectionModel[], dialect: Dialect): Promise<number[]> {
  await session.exec(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const applied = new Set(await session.appliedVersions());
  const appliedNow: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    for (const sql of migration.statements(models, dialect)) await session.exec(sql);
    await session.exec(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (${dialect.placeholder(1)}, ${dialect.placeholder(2)}, ${dialect.placeholder(3)})`, [
      migration.version,
      migration.name,
      new Date().toISOString(),
    ]);
    appliedNow.push(migration.version);
  }
  for (const model of models) for (const sql of schemaStatements(model, dialect)) await session.exec(sql);
  return appliedNow;
}
