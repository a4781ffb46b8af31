/**
 * The scale-out store: PostgreSQL through node-postgres, for several service
 * nodes on one database. Every operation is one statement, so concurrent
 * nodes need no coordination: uniqueness is the database's constraints, and a
 * PATCH sets only the columns it names and merges ext keys in SQL under the
 * row lock, so concurrent PATCHes of one entity lose no field.
 *
 * DATABASE_URL=postgres://user:pass@host:5432/db[?schema=name]. Tunables:
 * PG_POOL_SIZE (10), PG_STATEMENT_TIMEOUT_MS (5000),
 * PG_CONNECT_TIMEOUT_MS (2000). Losing the database makes requests fail with
 * 503 until it is back; the pool reconnects by itself.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { ListBudget, listNeedsCounting } from '../query/list-budget.js';
import type { ArrayField, Scalar, ScalarField } from '../collections/declaration.js';
import { EXT_EXTRA_COLUMN, type CollectionModel } from '../collections/model.js';
import { maxExtKeys, tooManyExtKeys, type Row, type RowChange } from '../entity/rows.js';
import type { CalendarDocument, CalendarPatch } from '../calendar/document.js';
import type { ListQuery } from '../query/params.js';
import { migrate, MIGRATIONS_TABLE } from './migrations.js';
import { calendarOfRow, calendarStatements } from './calendar-sql.js';
import { DOMAIN_COLUMN, EXT_TYPE_ORDER, insertStatement, listStatement, lookupStatement, orderLookupRows, quote, referrersStatement, rowExistsStatement, tableName, type Dialect, type ExtType } from './sql.js';
import type { ChangeFeed } from '../events/change-feed.js';
import { PostgresChangeFeed } from '../events/postgres-change-feed.js';
import { changeChannel, changeTriggerStatements, ORIGIN_SETTING } from './postgres-change-triggers.js';
import { keyStatements } from './key-sql.js';
import { DuplicateKeyError, MissingReferenceError, QueryTimeoutError, ReferencedError, referencesNamed, StoreUnavailableError, type ApiKeyRecord, type Store } from './store.js';

const EXT = quote(EXT_EXTRA_COLUMN);

/** An ext value of each JSON type as a plain SQL value; strings in byte order, as text columns compare. */
const PG_EXT_SQL_TYPE: Record<ExtType, string> = { string: 'text COLLATE "C"', number: 'numeric', boolean: 'boolean' };
const PG_EXT_AS: Record<ExtType, (key: string) => string> = {
  string: (key) => `(${EXT} ->> ${key}) COLLATE "C"`,
  number: (key) => `(${EXT} -> ${key})::numeric`,
  boolean: (key) => `(${EXT} -> ${key})::boolean`,
};

export const postgresDialect: Dialect = {
  placeholder: (index) => `$${index}`,
  columnType(field) {
    if (field === 'object' || field.kind === 'array') return 'jsonb';
    if (field.type === 'integer') return 'integer';
    if (field.type === 'boolean') return 'boolean';
    // Byte order, as SQLite compares: lists sort the same on both stores.
    return 'text COLLATE "C"';
  },
  tableSuffix: '',
  bindScalar: (value) => value,
  bindExtKey: (key) => key,
  extTyped: (key, type) => `(CASE WHEN jsonb_typeof(${EXT} -> ${key()}) = '${type}' THEN ${PG_EXT_AS[type](key())} END)`,
  // A value of each scalar type after the rank: a sort key has one SQL type, and within a rank only one is not NULL.
  extOrder: (key) => [
    `(CASE jsonb_typeof(${EXT} -> ${key()}) ${EXT_TYPE_ORDER.map((type, i) => `WHEN '${type}' THEN ${i + 1}`).join(' ')} END)`,
    ...(['string', 'number', 'boolean'] as const).map((type) => postgresDialect.extTyped(key, type)),
  ],
  // ->> reads a JSON null as SQL NULL.
  extUnset: (key) => `(${EXT} ->> ${key()}) IS NULL`,
  bindExtScalar: (value: Scalar) => value,
  extOperand: (placeholder, type) => `${placeholder}::${PG_EXT_SQL_TYPE[type]}`,
  like: (expr, placeholder) => `${expr} LIKE ${placeholder} ESCAPE '\\'`,
  likePattern: (mask) => mask.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%'),
  distinct: (left, right) => `${left} IS DISTINCT FROM ${right}`,
  emptyObject: "'{}'::jsonb",
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// Any constant shared by every node: the key of the migration advisory lock.
const MIGRATION_LOCK_KEY = 727_001;
// "cached plan must not change result type": a table changed under a prepared statement.
const CACHED_PLAN_CHANGED = '0A000';

// SQLSTATE classes and codes that mean "the database is not reachable right now".
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function unavailable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  // 08: connection exceptions; 53: insufficient resources (53100 disk full); 58: system errors (58030 I/O);
  // 25006: a read-only transaction, as on a standby.
  if (code && (UNAVAILABLE_CODES.has(code) || /^(08|53|58)/.test(code) || code === '25006')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout/i.test(message ?? '');
}

/** A unique violation (23505) as the DuplicateKeyError naming its column; any other error as it is. */
function duplicateKeyOf(model: CollectionModel, err: unknown): unknown {
  const { code, constraint } = err as { code?: string; constraint?: string };
  if (code !== '23505') return err;
  // Constraint names are PostgreSQL's defaults: <table>_pkey and <table>_<column>_key.
  const named = constraint === `${model.name}_pkey` ? 'id' : (constraint ?? '').slice(model.name.length + 1, -'_key'.length);
  // A per-domain unique field's constraint is <table>_domain_<column>_key.
  return new DuplicateKeyError(model.leafByColumn.has(named) ? named : named.replace(/^domain_/, ''));
}

/** A driver error as the catalogue's error where it has one. */
function translated(err: unknown): unknown {
  // 57014: canceled, here by statement_timeout.
  if ((err as { code?: string }).code === '57014') return new QueryTimeoutError((err as Error).message);
  if (unavailable(err)) return new StoreUnavailableError((err as Error).message);
  return err;
}

/** Rows a list reads from its cursor at a time: a few hundred KB at the largest rows. */
const LIST_BATCH_ROWS = 100;

const JSON_OIDS = new Set([pg.types.builtins.JSON, pg.types.builtins.JSONB]);

/** The driver's type parsers, with JSON text counted into a list's budget as it is parsed. */
function countingJsonTypes(budget: ListBudget): { getTypeParser: typeof pg.types.getTypeParser } {
  const parseCounted = (text: string): unknown => {
    budget.text(text);
    return JSON.parse(text);
  };
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      JSON_OIDS.has(oid) && format !== 'binary' ? parseCounted : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
}

export interface PostgresOptions {
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

export function postgresOptions(env: NodeJS.ProcessEnv = process.env): PostgresOptions {
  const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    poolSize: number('PG_POOL_SIZE', 10),
    statementTimeoutMs: number('PG_STATEMENT_TIMEOUT_MS', 5000),
    connectTimeoutMs: number('PG_CONNECT_TIMEOUT_MS', 2000),
  };
}

/** The pool, or one of its connections inside a transaction. */
type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly connectionString: string;
  private readonly keySql = keyStatements(postgresDialect);
  /** Prepared statements' names by SQL text. */
  private readonly statementNames = new Map<string, string>();
  private readonly calendarSql = calendarStatements(postgresDialect);
  /** Set on every connection of the pool, so the triggers leave this node's writes to it; marks its notifications. */
  private readonly origin = randomUUID();

  constructor(databaseUrl: string, options: PostgresOptions = postgresOptions()) {
    const url = new URL(databaseUrl);
    this.schema = url.searchParams.get('schema') ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) throw new Error(`schema "${this.schema}" must match ${SCHEMA_NAME}`);
    url.searchParams.delete('schema');
    this.connectionString = url.toString();
    this.pool = new pg.Pool({
      connectionString: this.connectionString,
      max: options.poolSize,
      statement_timeout: options.statementTimeoutMs,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idle_in_transaction_session_timeout: options.statementTimeoutMs,
      options: `-c search_path=${this.schema} -c ${ORIGIN_SETTING}=${this.origin}`,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /**
   * `prepared`: the statement is parsed and planned once per connection and
   * then only bound and executed (pg's named statements). Used for the
   * fixed statements of every request (read, insert, delete and LOOKUP by
   * key, API key lookup): their set is small and known, unlike lists and
   * PATCHes, whose text depends on the request. See bench/README.md.
   */
  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = [], prepared = false, on: Queryable = this.pool): Promise<pg.QueryResult<R>> {
    try {
      if (!prepared) return await on.query<R>(sql, values);
      let name = this.statementNames.get(sql);
      if (name === undefined) this.statementNames.set(sql, (name = `s${this.statementNames.size}`));
      try {
        return await on.query<R>({ name, text: sql, values });
      } catch (err) {
        // A migration by another node changed a table under a connection's prepared plan: run it unprepared.
        // (Not inside a transaction: the failed statement has aborted it, and the caller starts again.)
        if ((err as { code?: string }).code !== CACHED_PLAN_CHANGED || on !== this.pool) throw err;
        return await on.query<R>(sql, values);
      }
    } catch (err) {
      throw translated(err);
    }
  }

  /** `work` in one transaction on one connection of the pool. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await this.query('BEGIN', [], false, client);
      const result = await work(client);
      await this.query('COMMIT', [], false, client);
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Locks, FOR SHARE, each entity the columns name: a delete of one waits for
   * this transaction, and one already under way makes it missing here.
   */
  private async requireReferenced(client: pg.PoolClient, model: CollectionModel, domain: string, named: ReturnType<typeof referencesNamed>): Promise<void> {
    for (const { reference, id } of named) {
      const found = await this.query(rowExistsStatement(reference.to, postgresDialect, ' FOR SHARE'), [domain, id], true, client);
      if (found.rows.length === 0) throw new MissingReferenceError(reference);
    }
  }

  /** A value as bound for its column: arrays as JSON text for jsonb (pg would send a PostgreSQL array). */
  private encodeValue(value: unknown, field: ScalarField | ArrayField): unknown {
    if (value === null || value === undefined) return null;
    return field.kind === 'array' ? JSON.stringify(value) : value;
  }

  private encode(model: CollectionModel, row: Row): unknown[] {
    const values = model.leaves.map((leaf) => this.encodeValue(row[leaf.column], leaf.field));
    values.push(JSON.stringify(row[EXT_EXTRA_COLUMN] ?? {}));
    return values;
  }

  async prepare(models: readonly CollectionModel[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw unavailable(err) ? new StoreUnavailableError((err as Error).message) : err;
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`);
      await migrate(
        {
          exec: async (sql, values) => void (await client.query(sql, values)),
          appliedVersions: async () => (await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((row) => row.version),
        },
        models,
        postgresDialect,
      );
      for (const sql of changeTriggerStatements(models, changeChannel(this.schema))) await client.query(sql);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async insert(model: CollectionModel, domain: string, row: Row): Promise<Row> {
    const sql = `${insertStatement(model, postgresDialect)} RETURNING *`;
    const named = referencesNamed(model, row);
    try {
      if (named.length === 0) return (await this.query(sql, [domain, ...this.encode(model, row)], true)).rows[0];
      return await this.transaction(async (client) => {
        await this.requireReferenced(client, model, domain, named);
        return (await this.query(sql, [domain, ...this.encode(model, row)], true, client)).rows[0];
      });
    } catch (err) {
      throw duplicateKeyOf(model, err);
    }
  }

  async get(model: CollectionModel, domain: string, id: string): Promise<Row | undefined> {
    const result = await this.query(`SELECT * FROM ${tableName(model)} WHERE ${quote(DOMAIN_COLUMN)} = $1 AND ${quote('id')} = $2`, [domain, id], true);
    return result.rows[0];
  }

  async list(model: CollectionModel, domain: string, query: ListQuery): Promise<Row[]> {
    const { sql, values } = listStatement(model, domain, query, postgresDialect);
    if (!listNeedsCounting(model, query)) return (await this.query<Row>(sql, values)).rows;
    // Through a cursor, a batch at a time and counted as read: a list over its bound stops there,
    // and neither the driver nor the event loop holds more than a batch at once.
    const client = await this.connect();
    const budget = new ListBudget(query.maxChars);
    const cursor = client.query(new Cursor<Row>(sql, values, { types: countingJsonTypes(budget) }));
    const rows: Row[] = [];
    try {
      for (;;) {
        const batch = await cursor.read(LIST_BATCH_ROWS);
        for (const row of batch) {
          budget.values(Object.values(row));
          rows.push(row);
        }
        if (batch.length < LIST_BATCH_ROWS) return rows;
      }
    } catch (err) {
      throw translated(err);
    } finally {
      await cursor.close().catch(() => undefined);
      client.release();
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw translated(err);
    }
  }

  async update(model: CollectionModel, domain: string, id: string, change: RowChange): Promise<Row | undefined> {
    const named = referencesNamed(model, change.set);
    if (named.length === 0) return this.updateOn(this.pool, model, domain, id, change);
    return this.transaction(async (client) => {
      await this.requireReferenced(client, model, domain, named);
      return this.updateOn(client, model, domain, id, change);
    });
  }

  private async updateOn(on: Queryable, model: CollectionModel, domain: string, id: string, change: RowChange): Promise<Row | undefined> {
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const assignments = Object.entries(change.set).map(
      ([column, value]) => `${quote(column)} = ${param(this.encodeValue(value, model.leafByColumn.get(column)!.field))}`,
    );
    // Merged in the statement itself, under the row lock: concurrent PATCHes of different keys all land.
    const kept = Object.fromEntries(Object.entries(change.extMerge).filter(([, value]) => value !== null));
    const removed = Object.keys(change.extMerge).filter((key) => change.extMerge[key] === null);
    const merged = `(${quote(EXT_EXTRA_COLUMN)} || ${param(JSON.stringify(kept))}::jsonb) - ${param(removed)}::text[]`;
    assignments.push(`${quote(EXT_EXTRA_COLUMN)} = ${merged}`);
    const byId = `${quote(DOMAIN_COLUMN)} = ${param(domain)} AND ${quote('id')} = ${param(id)}`;
    // The key bound holds after the merge too, checked on the row as locked: no concurrent PATCH slips past it.
    const maxKeys = maxExtKeys(model);
    const bounded = maxKeys !== undefined && Object.keys(kept).length > 0 ? ` AND (SELECT count(*) FROM jsonb_object_keys(${merged})) <= ${param(maxKeys)}` : '';
    const sql = `UPDATE ${tableName(model)} SET ${assignments.join(', ')} WHERE ${byId}${bounded} RETURNING *`;
    // A PATCH may set a unique field (workdays' date) to a value in use, as a create may.
    const [row] = (await this.query(sql, values, false, on).catch((err) => Promise.reject(duplicateKeyOf(model, err)))).rows;
    if (row || !bounded) return row;
    // Nothing updated: either the row is gone, or the merge would exceed the bound.
    if ((await this.query(rowExistsStatement(model, postgresDialect), [domain, id], true, on)).rows.length > 0) throw tooManyExtKeys(model);
    return undefined;
  }

  async delete(model: CollectionModel, domain: string, id: string): Promise<boolean> {
    const sql = `DELETE FROM ${tableName(model)} WHERE ${quote(DOMAIN_COLUMN)} = $1 AND ${quote('id')} = $2`;
    if (model.referencedBy.length === 0) return ((await this.query(sql, [domain, id], true)).rowCount ?? 0) > 0;
    return this.transaction(async (client) => {
      // The row locked first: a write naming it waits, or has committed and is counted below
      // (each statement of a READ COMMITTED transaction sees what committed before it began).
      if ((await this.query(rowExistsStatement(model, postgresDialect, ' FOR UPDATE'), [domain, id], true, client)).rows.length === 0) return false;
      for (const reference of model.referencedBy) {
        const { n } = (await this.query<{ n: string }>(referrersStatement(reference, postgresDialect), [domain, id], true, client)).rows[0];
        if (Number(n) > 0) throw new ReferencedError(reference, Number(n));
      }
      return ((await this.query(sql, [domain, id], true, client)).rowCount ?? 0) > 0;
    });
  }

  async count(model: CollectionModel): Promise<number> {
    return Number((await this.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${tableName(model)}`)).rows[0].n);
  }

  async getCalendar(domain: string): Promise<CalendarDocument | undefined> {
    const row = (await this.query(this.calendarSql.get, [domain])).rows[0];
    return row && calendarOfRow(row, (value) => value);
  }

  async patchCalendar(domain: string, patch: CalendarPatch, writtenAt: string): Promise<CalendarDocument> {
    const { sql, values } = this.calendarSql.patch(domain, patch, writtenAt);
    return calendarOfRow((await this.query(sql, values)).rows[0], (value) => value);
  }

  async lookup(model: CollectionModel, domain: string, key: string): Promise<string[]> {
    const { sql, values } = lookupStatement(model, domain, key, postgresDialect);
    return orderLookupRows((await this.query(sql, values, true)).rows as never);
  }

  async createDomain(name: string, createdAt: string): Promise<boolean> {
    return ((await this.query(this.keySql.createDomain, [name, createdAt])).rowCount ?? 0) > 0;
  }

  async domainExists(name: string): Promise<boolean> {
    return (await this.query(this.keySql.domainExists, [name])).rows.length > 0;
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    await this.query(this.keySql.createApiKey, [key.id, key.keyHash, key.domain, key.role, key.label, key.createdAt]);
  }

  async findApiKey(keyHash: string): Promise<Pick<ApiKeyRecord, 'domain' | 'role'> | undefined> {
    return (await this.query<Pick<ApiKeyRecord, 'domain' | 'role'>>(this.keySql.findApiKey, [keyHash], true)).rows[0];
  }

  async countApiKeys(): Promise<number> {
    return Number((await this.query<{ n: string }>(this.keySql.countApiKeys)).rows[0].n);
  }

  async openChangeFeed(): Promise<ChangeFeed> {
    const feed = new PostgresChangeFeed(
      this.connectionString,
      async (channel, payload) => void (await this.query('SELECT pg_notify($1, $2)', [channel, payload])),
      changeChannel(this.schema),
      this.origin,
    );
    await feed.start();
    return feed;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
