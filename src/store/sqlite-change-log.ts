/**
 * The change feed of the embedded store across processes sharing one file.
 *
 * Every write of a process that opened the feed also appends a row to the
 * file's `change_log` table, in the same transaction (temporary triggers of
 * its own connection, stamped with the process's writer id). To learn of
 * other processes' writes, a process asks SQLite's `PRAGMA data_version`,
 * which changes only when another connection has committed, and reads the
 * log rows after the last one it saw. It does so when asked (catchUp(), at
 * most every CATCH_UP_MS) and every POLL_MS in the background, for event
 * streams. So a write committed by another process at least CATCH_UP_MS
 * before a catchUp() is delivered by it.
 *
 * The log keeps its last KEEP_ENTRIES rows; a process that fell further
 * behind reports a gap. Writes made without the service (the sqlite3 shell)
 * are not logged. Only plain SQL goes through the connection, so any driver
 * with exec() and prepare().get()/all() serves.
 */
import { randomBytes } from 'node:crypto';
import { InProcessChangeFeed, type ChangeEvent, type ChangeFeed } from '../events/change-feed.js';
import { CALENDAR_COLLECTION } from '../calendar/document.js';
import { CALENDARS_TABLE } from './calendar-sql.js';
import { quote } from './sql.js';

export interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): { get(...values: unknown[]): unknown; all(...values: unknown[]): unknown[] };
}

/** The bound: writes of other processes older than this are seen by the next catchUp(). */
export const CATCH_UP_MS = 2;
const POLL_MS = 50;
const KEEP_ENTRIES = 10_000;
const READ_BATCH = 1000;
const LOG = 'change_log';

interface LogRow {
  seq: number;
  writer: string;
  domain: string;
  collection: string;
  id: string;
  op: ChangeEvent['op'];
}

function triggers(writer: string, tables: readonly string[]): string[] {
  const log = (row: 'NEW' | 'OLD', collection: string, id: string, op: string) =>
    `INSERT INTO main.${LOG} (writer, domain, collection, id, op) VALUES ('${writer}', ${row}.domain, '${collection}', ${id}, '${op}')`;
  const trigger = (name: string, when: string, table: string, body: string) =>
    `CREATE TEMP TRIGGER IF NOT EXISTS ${quote(`${LOG}_${name}`)} AFTER ${when} ON main.${quote(table)} BEGIN ${body}; END`;
  const statements = tables.flatMap((table) => [
    trigger(`${table}_insert`, 'INSERT', table, log('NEW', table, 'NEW.id', 'create')),
    trigger(`${table}_update`, 'UPDATE', table, log('NEW', table, 'NEW.id', 'update')),
    trigger(`${table}_delete`, 'DELETE', table, log('OLD', table, 'OLD.id', 'delete')),
  ]);
  statements.push(
    trigger('calendar_insert', 'INSERT', CALENDARS_TABLE, log('NEW', CALENDAR_COLLECTION, 'NEW.domain', 'update')),
    trigger('calendar_update', 'UPDATE', CALENDARS_TABLE, log('NEW', CALENDAR_COLLECTION, 'NEW.domain', 'update')),
    // Each thousandth entry drops what lies KEEP_ENTRIES behind it.
    `CREATE TEMP TRIGGER IF NOT EXISTS ${LOG}_prune AFTER INSERT ON main.${LOG} WHEN NEW.seq % 1000 = 0 ` +
      `BEGIN DELETE FROM main.${LOG} WHERE seq <= NEW.seq - ${KEEP_ENTRIES}; END`,
  );
  return statements;
}

class CrossProcessChangeFeed extends InProcessChangeFeed {
  private readonly writer = randomBytes(8).toString('hex');
  private readonly dataVersion;
  private readonly since;
  private readonly oldest;
  private version: number;
  private seen: number;
  private checkedAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(db: SqliteConnection, tables: readonly string[]) {
    super();
    db.exec(
      `CREATE TABLE IF NOT EXISTS main.${LOG} (seq INTEGER PRIMARY KEY AUTOINCREMENT, writer TEXT NOT NULL, domain TEXT NOT NULL, ` +
        `collection TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL) STRICT`,
    );
    for (const statement of triggers(this.writer, tables)) db.exec(statement);
    this.dataVersion = db.prepare('PRAGMA data_version');
    this.since = db.prepare(`SELECT seq, writer, domain, collection, id, op FROM main.${LOG} WHERE seq > ? ORDER BY seq LIMIT ${READ_BATCH}`);
    this.oldest = db.prepare(`SELECT MIN(seq) AS seq FROM main.${LOG}`);
    this.version = this.readVersion();
    this.seen = (db.prepare(`SELECT MAX(seq) AS seq FROM main.${LOG}`).get() as { seq: number | null }).seq ?? 0;
    this.timer = setInterval(() => this.poll(), POLL_MS).unref();
  }

  private readVersion(): number {
    return (this.dataVersion.get() as { data_version: number }).data_version;
  }

  override catchUp(): void {
    if (performance.now() - this.checkedAt >= CATCH_UP_MS) this.poll();
  }

  private poll(): void {
    this.checkedAt = performance.now();
    try {
      const version = this.readVersion();
      if (version === this.version) return;
      this.readLog();
      this.version = version;
    } catch {
      // Busy or closing: the next poll tries again from the same place.
    }
  }

  private readLog(): void {
    const oldest = (this.oldest.get() as { seq: number | null }).seq;
    if (oldest !== null && oldest > this.seen + 1) {
      // Entries this process never read have been pruned.
      this.seen = oldest - 1;
      this.fanOut.gap();
    }
    for (;;) {
      const rows = this.since.all(this.seen) as LogRow[];
      for (const { seq, writer, domain, collection, id, op } of rows) {
        this.seen = seq;
        if (writer !== this.writer) this.fanOut.deliver({ op, collection, id, domain });
      }
      if (rows.length < READ_BATCH) return;
    }
  }

  override async close(): Promise<void> {
    clearInterval(this.timer);
    await super.close();
  }
}

/** The feed of a connection: its own writes at once, other processes' writes through the log. */
export function crossProcessChangeFeed(db: SqliteConnection, tables: readonly string[]): ChangeFeed {
  return new CrossProcessChangeFeed(db, tables);
}
