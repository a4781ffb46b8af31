/**
 * The embedded default store: one SQLite file through Node's built-in
 * node:sqlite (DatabaseSync).
 *
 * Durability: WAL journal with synchronous=FULL, so the WAL is fsynced at
 * every commit and a write is on disk before its response is sent. Writes
 * arriving together share one commit (group-commit.ts). The driver is
 * synchronous; each statement is short and indexed, and a PATCH's
 * read-merge-write runs as one write with nothing interleaved. A list with
 * costly terms (query/cost.ts) checks a deadline on every row it examines,
 * since SQLite has no statement timeout and runs on the event loop.
 */
import path from 'node:path';
import type { DatabaseSync as Database, SQLInputValue, StatementSync } from 'node:sqlite';
import type { ArrayField, Scalar, ScalarField } from '../collections/declaration.js';
import { EXT_EXTRA_COLUMN, type CollectionModel } from '../collections/model.js';
import { maxExtKeys, mergeExt, tooManyExtKeys, type Row, type RowChange } from '../entity/rows.js';
import type { CalendarDocument, CalendarPatch } from '../calendar/document.js';
import type { ListQuery } from '../query/params.js';
import { ListBudget, listNeedsCounting } from '../query/list-budget.js';
import { migrate, MIGRATIONS_TABLE } from './migrations.js';
import { calendarOfRow, calendarStatements } from './calendar-sql.js';
import { DOMAIN_COLUMN, entityColumns, EXT_TYPE_ORDER, insertStatement, listStatement, lookupStatement, orderLookupRows, quote, referrersStatement, rowExistsStatement, tableName, type Dialect, type ExtType } from './sql.js';
import type { ChangeFeed } from '../events/change-feed.js';
import { prepareDataFile } from './file-guard.js';
import { crossProcessChangeFeed } from './sqlite-change-log.js';
import { GroupCommit } from './group-commit.js';
import { Transactions } from './sqlite-transactions.js';
import { keyStatements } from './key-sql.js';
import { DuplicateKeyError, MissingReferenceError, QueryTimeoutError, ReferencedError, referencesNamed, type ApiKeyRecord, type Store } from './store.js';

// Looked up when this module runs rather than imported: an import of a module
// this Node.js lacks fails before any code runs, and the entry points' runtime
// check (src/runtime.ts) should be the one to explain an old Node.js.
const sqlite = process.getBuiltinModule('node:sqlite');
if (!sqlite) {
  throw new Error(
    `The embedded store needs node:sqlite, which Node.js ${process.versions.node} lacks: ` +
      'use Node.js 24 or later (npm scripts and npx node use the one npm ci installs).',
  );
}
const { DatabaseSync } = sqlite;

const EXT = quote(EXT_EXTRA_COLUMN);

/** json_type's names for each JSON type. */
const SQLITE_JSON_TYPES: Record<(typeof EXT_TYPE_ORDER)[number], readonly string[]> = {
  string: ['text'],
  number: ['integer', 'real'],
  boolean: ['true', 'false'],
  array: ['array'],
  object: ['object'],
};

const textList = (names: readonly string[]) => names.map((name) => `'${name}'`).join(', ');

/**
 * An ext value of each JSON type as json_extract reads it (JSON true/false as
 * 1/0). A number as the double JSON's reader makes of it, as PostgreSQL
 * compares it: json_extract reads 2044575613771616300 as that exact integer,
 * which no double a client sends equals.
 */
const SQLITE_EXT_AS: Record<ExtType, (key: string) => string> = {
  string: (key) => `json_extract(${EXT}, ${key})`,
  number: (key) => `CAST(json_extract(${EXT}, ${key}) AS REAL)`,
  boolean: (key) => `json_extract(${EXT}, ${key})`,
};

export const sqliteDialect: Dialect = {
  placeholder: () => '?',
  columnType(field) {
    if (field === 'object' || field.kind === 'array') return 'TEXT';
    return field.type === 'integer' || field.type === 'boolean' ? 'INTEGER' : 'TEXT';
  },
  tableSuffix: ' STRICT',
  bindScalar: (value) => (typeof value === 'boolean' ? Number(value) : value),
  bindExtKey: (key) => `$."${key}"`,
  // json_type tells which JSON type json_extract's SQL value was.
  extTyped: (key, type) => `(CASE WHEN json_type(${EXT}, ${key()}) IN (${textList(SQLITE_JSON_TYPES[type])}) THEN ${SQLITE_EXT_AS[type](key())} END)`,
  // One value after the rank: within a rank its SQL values are of one kind and compare as such.
  extOrder: (key) => [
    `(CASE json_type(${EXT}, ${key()}) ${EXT_TYPE_ORDER.flatMap((type, i) => SQLITE_JSON_TYPES[type].map((name) => `WHEN '${name}' THEN ${i + 1}`)).join(' ')} END)`,
    `(CASE WHEN json_type(${EXT}, ${key()}) NOT IN (${textList([...SQLITE_JSON_TYPES.array, ...SQLITE_JSON_TYPES.object])}) THEN json_extract(${EXT}, ${key()}) END)`,
  ],
  extUnset: (key) => `json_extract(${EXT}, ${key()}) IS NULL`,
  bindExtScalar: (value: Scalar) => (typeof value === 'boolean' ? Number(value) : value),
  extOperand: (placeholder) => placeholder,
  // GLOB is case-sensitive like PostgreSQL's LIKE; its own wildcards are bracketed to be literal.
  like: (expr, placeholder) => `${expr} GLOB ${placeholder}`,
  likePattern: (mask) => mask.replace(/[?[]/g, (c) => `[${c}]`),
  distinct: (left, right) => `${left} IS NOT ${right}`,
  emptyObject: "'{}'",
  rowDeadline: 'query_within_deadline()',
};

export interface SqliteOptions {
  /** How long a costly list (query/cost.ts) may hold the event loop before it is stopped. */
  queryTimeoutMs: number;
}

export function sqliteOptions(env: NodeJS.ProcessEnv = process.env): SqliteOptions {
  return { queryTimeoutMs: env.SQLITE_QUERY_TIMEOUT_MS ? Number(env.SQLITE_QUERY_TIMEOUT_MS) : 100 };
}

// Statements are prepared once per distinct SQL text; filters make that set open-ended, so it is capped.
const STATEMENT_CACHE_SIZE = 500;

/**
 * WAL pages after which a commit checkpoints them into the database file
 * (SQLite's default is 1,000). A checkpoint costs two fsyncs on the event loop
 * whatever its size, and a large one writes a page changed by many commits
 * once: at 16,000 pages (a WAL of up to 64 MB) durable POSTs at 1M rows went
 * from 1,500-1,800 to 3,000-3,250 a second and their p99 from about 33 ms to
 * 7 ms (bench/README.md).
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_000;

/**
 * Page cache per connection: 16 MB, the size better-sqlite3 was built with
 * and this store was measured with (SQLite's own default is 2 MB).
 */
const CACHE_SIZE_KIB = 16_000;

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
const BUSY_RETRIES = 100;
const BUSY_PAUSE_MS = 20;

// SQLite result codes; node:sqlite reports the extended code in `errcode`.
const SQLITE_BUSY = 5;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

function resultCode(err: unknown): number | undefined {
  return (err as { errcode?: number }).errcode;
}

/** Runs a start-up statement again while another process holds the lock it needs. */
function retryWhileBusy<T>(run: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return run();
    } catch (err) {
      // The low byte is the primary code: SQLITE_BUSY and its extended forms.
      if (((resultCode(err) ?? 0) & 0xff) !== SQLITE_BUSY || attempt >= BUSY_RETRIES) throw err;
      // A synchronous pause: this runs once, while the store opens.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BUSY_PAUSE_MS);
    }
  }
}

/** A unique-constraint failure as the DuplicateKeyError naming its column; any other error as it is. */
function duplicateKeyOf(err: unknown): unknown {
  const code = resultCode(err);
  // "UNIQUE constraint failed: recordrules.domain, recordrules.id": the last column names the field.
  const clash = /^UNIQUE constraint failed: (.+)$/.exec((err as Error).message);
  if (clash && (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY)) {
    return new DuplicateKeyError(clash[1].split(', ').pop()!.split('.').pop()!);
  }
  return err;
}

/** `sqlite:./data/app.db`, `sqlite:///abs/app.db` or `sqlite::memory:` to a file name. */
export function sqliteFile(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  return rest === ':memory:' ? rest : path.resolve(rest);
}

/** The fixed statements of one collection, built once. */
interface ModelSql {
  insert: string;
  get: string;
  extOf: string;
  delete: string;
  count: string;
  /** UPDATE ... SET, to be followed by the assignments and then `where`. */
  update: string;
  where: string;
}

function modelSql(model: CollectionModel): ModelSql {
  const table = tableName(model);
  const byId = `WHERE ${quote(DOMAIN_COLUMN)} = ? AND ${quote('id')} = ?`;
  const returning = `RETURNING ${entityColumns(model)}`;
  return {
    insert: `${insertStatement(model, sqliteDialect)} ${returning}`,
    get: `SELECT ${entityColumns(model)} FROM ${table} ${byId}`,
    extOf: `SELECT ${quote(EXT_EXTRA_COLUMN)} FROM ${table} ${byId}`,
    delete: `DELETE FROM ${table} ${byId}`,
    count: `SELECT COUNT(*) AS n FROM ${table}`,
    update: `UPDATE ${table} SET `,
    where: ` ${byId} ${returning}`,
  };
}

export class SqliteStore implements Store {
  private readonly db: Database;
  private readonly statements = new Map<string, StatementSync>();
  // Entity reads return arrays in entityColumns order: no per-row object with named properties.
  private readonly rowStatements = new Map<string, StatementSync>();
  private readonly sql = new WeakMap<CollectionModel, ModelSql>();
  private readonly keySql = keyStatements(sqliteDialect);
  private readonly calendarSql = calendarStatements(sqliteDialect);
  private readonly transactions: Transactions;
  private readonly writes: GroupCommit;
  /** When the list running now must stop (performance.now() time); SQLite has no statement timeout. */
  private deadline = Infinity;
  /** The collection tables, known once prepared: the change feed logs writes to them. */
  private tables: string[] = [];

  constructor(
    file: string,
    private readonly options: SqliteOptions = sqliteOptions(),
  ) {
    if (file !== ':memory:') prepareDataFile(file);
    // The busy timeout is in force from the first statement on.
    this.db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
    // Switching a new file to WAL needs an exclusive lock, and SQLite may refuse it
    // at once (no busy wait) while another process opens the same new file.
    retryWhileBusy(() => this.db.exec('PRAGMA journal_mode = WAL'));
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    this.db.exec(`PRAGMA cache_size = -${CACHE_SIZE_KIB}`);
    this.db.exec('PRAGMA foreign_keys = ON');
    this.transactions = new Transactions(this.db);
    this.writes = new GroupCommit(this.transactions);
    this.db.function('query_within_deadline', { deterministic: false }, () => {
      if (performance.now() > this.deadline) throw new QueryTimeoutError(`query ran longer than ${this.options.queryTimeoutMs} ms`);
      return 1;
    });
  }

  /** `rows`: the statement reads entity rows (entityColumns) and returns them as arrays. */
  private statement(sql: string, rows = false): StatementSync {
    const cache = rows ? this.rowStatements : this.statements;
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      statement = this.db.prepare(sql);
      if (rows) statement.setReturnArrays(true);
      cache.set(sql, statement);
    }
    return statement;
  }

  private rowStatement(sql: string): StatementSync {
    return this.statement(sql, true);
  }

  private sqlOf(model: CollectionModel): ModelSql {
    let sql = this.sql.get(model);
    if (!sql) this.sql.set(model, (sql = modelSql(model)));
    return sql;
  }

  /** A value as SQLite stores it: booleans as 0/1, arrays as JSON text. */
  private encodeValue(value: unknown, field: ScalarField | ArrayField): SQLInputValue {
    if (value === null || value === undefined) return null;
    if (field.kind === 'array') return JSON.stringify(value);
    return field.type === 'boolean' ? Number(value) : (value as SQLInputValue);
  }

  private encode(model: CollectionModel, row: Row): SQLInputValue[] {
    const values = model.leaves.map((leaf) => this.encodeValue(row[leaf.column], leaf.field));
    values.push(JSON.stringify(row[EXT_EXTRA_COLUMN] ?? {}));
    return values;
  }

  /** A row read as an array in entityColumns order. */
  private decode(model: CollectionModel, values: unknown[]): Row {
    const row: Row = {};
    const { leaves } = model;
    for (let i = 0; i < leaves.length; i++) {
      const { column, field } = leaves[i];
      const value = values[i];
      if (value === null) row[column] = null;
      else if (field.kind === 'array') row[column] = JSON.parse(value as string);
      else row[column] = field.type === 'boolean' ? value === 1 : value;
    }
    row[EXT_EXTRA_COLUMN] = JSON.parse(values[leaves.length] as string);
    return row;
  }

  async prepare(models: readonly CollectionModel[]): Promise<void> {
    this.tables = models.map((model) => model.name);
    // IMMEDIATE takes the write lock first: processes starting on one file migrate one at a time.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      await migrate(
        {
          exec: async (sql, values = []) => void (values.length > 0 ? this.db.prepare(sql).run(...(values as SQLInputValue[])) : this.db.exec(sql)),
          appliedVersions: async () => (this.db.prepare(`SELECT version FROM ${MIGRATIONS_TABLE}`).all() as { version: number }[]).map((row) => row.version),
        },
        models,
        sqliteDialect,
      );
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Inside a write of the batch (the write lock held, BEGIN IMMEDIATE): each
   * entity the columns name exists now, and no other write comes in between.
   */
  private requireReferenced(model: CollectionModel, domain: string, columns: Record<string, unknown>): void {
    for (const { reference, id } of referencesNamed(model, columns)) {
      if (this.statement(rowExistsStatement(reference.to, sqliteDialect)).get(domain, id) === undefined) throw new MissingReferenceError(reference);
    }
  }

  async insert(model: CollectionModel, domain: string, row: Row): Promise<Row> {
    const { insert } = this.sqlOf(model);
    try {
      return await this.writes.submit(() => {
        this.requireReferenced(model, domain, row);
        return this.decode(model, this.rowStatement(insert).get(domain, ...this.encode(model, row)) as unknown as unknown[]);
      });
    } catch (err) {
      throw duplicateKeyOf(err);
    }
  }

  /** Many rows in one transaction: for imports and benchmark data sets. */
  async insertMany(model: CollectionModel, domain: string, rows: Row[]): Promise<void> {
    const statement = this.statement(insertStatement(model, sqliteDialect));
    this.transactions.run(() => {
      for (const row of rows) statement.run(domain, ...this.encode(model, row));
    });
  }

  async get(model: CollectionModel, domain: string, id: string): Promise<Row | undefined> {
    const values = this.rowStatement(this.sqlOf(model).get).get(domain, id);
    return values ? this.decode(model, values as unknown as unknown[]) : undefined;
  }

  async list(model: CollectionModel, domain: string, query: ListQuery): Promise<Row[]> {
    const { sql, values } = listStatement(model, domain, query, sqliteDialect);
    const statement = this.rowStatement(sql);
    this.deadline = performance.now() + this.options.queryTimeoutMs;
    try {
      if (!listNeedsCounting(model, query)) {
        return statement.all(...(values as SQLInputValue[])).map((raw) => this.decode(model, raw as unknown as unknown[]));
      }
      // Row by row, counted as read: a list over its bound stops there, not after reading it all.
      const budget = new ListBudget(query.maxChars);
      const rows: Row[] = [];
      for (const raw of statement.iterate(...(values as SQLInputValue[]))) {
        budget.values(raw as unknown as unknown[]);
        rows.push(this.decode(model, raw as unknown as unknown[]));
      }
      return rows;
    } finally {
      this.deadline = Infinity;
    }
  }

  async update(model: CollectionModel, domain: string, id: string, change: RowChange): Promise<Row | undefined> {
    // The read-merge-write runs within one write of the batch: nothing interleaves with it.
    const sql = this.sqlOf(model);
    // A PATCH may set a unique field (workdays' date) to a value in use, as a create may.
    return this.writes.submit((): Row | undefined => {
      const current = this.statement(sql.extOf).get(domain, id) as Record<string, string> | undefined;
      if (!current) return undefined;
      this.requireReferenced(model, domain, change.set);
      const ext = mergeExt(JSON.parse(current[EXT_EXTRA_COLUMN]), change.extMerge);
      if (Object.keys(ext).length > (maxExtKeys(model) ?? Infinity)) throw tooManyExtKeys(model);
      const columns = Object.keys(change.set);
      const assignments = [...columns, EXT_EXTRA_COLUMN].map((column) => `${quote(column)} = ?`).join(', ');
      const values = columns.map((column) => this.encodeValue(change.set[column], model.leafByColumn.get(column)!.field));
      const updated = this.rowStatement(`${sql.update}${assignments}${sql.where}`).get(...values, JSON.stringify(ext), domain, id);
      return this.decode(model, updated as unknown as unknown[]);
    }).catch((err) => {
      throw duplicateKeyOf(err);
    });
  }

  async delete(model: CollectionModel, domain: string, id: string): Promise<boolean> {
    const sql = this.sqlOf(model).delete;
    return this.writes.submit(() => {
      // Counted inside the write: no write naming the row can come in between.
      if (model.referencedBy.length > 0 && this.statement(rowExistsStatement(model, sqliteDialect)).get(domain, id) === undefined) return false;
      for (const reference of model.referencedBy) {
        const { n } = this.statement(referrersStatement(reference, sqliteDialect)).get(domain, id) as { n: number };
        if (n > 0) throw new ReferencedError(reference, n);
      }
      return Number(this.statement(sql).run(domain, id).changes) > 0;
    });
  }

  async count(model: CollectionModel): Promise<number> {
    return (this.statement(this.sqlOf(model).count).get() as { n: number }).n;
  }

  async getCalendar(domain: string): Promise<CalendarDocument | undefined> {
    const row = this.statement(this.calendarSql.get).get(domain) as Record<string, unknown> | undefined;
    return row && calendarOfRow(row, (text) => JSON.parse(text as string));
  }

  async patchCalendar(domain: string, patch: CalendarPatch, writtenAt: string): Promise<CalendarDocument> {
    const { sql, values } = this.calendarSql.patch(domain, patch, writtenAt);
    const row = await this.writes.submit(() => this.statement(sql).get(...(values as SQLInputValue[])) as Record<string, unknown>);
    return calendarOfRow(row, (text) => JSON.parse(text as string));
  }

  async lookup(model: CollectionModel, domain: string, key: string): Promise<string[]> {
    const { sql, values } = lookupStatement(model, domain, key, sqliteDialect);
    return orderLookupRows(this.statement(sql).all(...(values as SQLInputValue[])) as never);
  }

  async createDomain(name: string, createdAt: string): Promise<boolean> {
    return Number(this.statement(this.keySql.createDomain).run(name, createdAt).changes) > 0;
  }

  async domainExists(name: string): Promise<boolean> {
    return this.statement(this.keySql.domainExists).get(name) !== undefined;
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    this.statement(this.keySql.createApiKey).run(key.id, key.keyHash, key.domain, key.role, key.label, key.createdAt);
  }

  async findApiKey(keyHash: string): Promise<Pick<ApiKeyRecord, 'domain' | 'role'> | undefined> {
    return this.statement(this.keySql.findApiKey).get(keyHash) as Pick<ApiKeyRecord, 'domain' | 'role'> | undefined;
  }

  async countApiKeys(): Promise<number> {
    return (this.statement(this.keySql.countApiKeys).get() as { n: number }).n;
  }

  /** Changes of this process at once; of other processes on the same file through its change log. */
  async openChangeFeed(): Promise<ChangeFeed> {
    return crossProcessChangeFeed(this.db, this.tables);
  }

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
