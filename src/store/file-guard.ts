/**
 * The embedded store's files, watched for what SQLite does not notice or
 * reports only as a generic error. Everything SQLite-specific about storage
 * faults is here, so the store itself calls this in a line or two.
 *
 * - The database, -wal and -shm files deleted or replaced under the running
 *   process: SQLite keeps writing into the unlinked files, and every write
 *   answered 200 would be gone at the next start. Each write first checks
 *   that the paths still lead to the files opened (device and inode; once
 *   for the writes begun in one turn of the event loop, which commit as one); reads
 *   check at most every READ_CHECK_MS. Once lost, the store stays down until
 *   restarted: the open files are not the ones on disk.
 * - A read-only file, directory or file system, and a full disk: writes fail;
 *   the health check says so before a write has to find out.
 * - Errors SQLite reports for its storage (read-only, I/O error, full, cannot
 *   open, corrupt, not a database) become StoreUnavailableError (503), by
 *   the result code node:sqlite gives as `errcode`.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { StoreUnavailableError } from './store.js';

const COMPANIONS = ['', '-wal', '-shm'];
// A read finds a lost file within this long; writes check every time.
const READ_CHECK_MS = 100;
// After a storage error the store reports unhealthy this long, so a balancer stops sending it writes.
const FAULT_HOLD_MS = 2000;

// Primary SQLite result codes that mean the storage under the database failed.
const FAULT_CODES: Record<string, number> = {
  SQLITE_READONLY: 8,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_NOTADB: 26,
};

/** The primary result code name of a storage fault, or undefined for any other error. */
export function sqliteFault(err: unknown): string | undefined {
  const { errcode } = (err ?? {}) as { errcode?: unknown };
  if (typeof errcode !== 'number') return undefined;
  // Extended codes carry the primary code in their low byte (SQLITE_IOERR_WRITE = 778 = 10 | 3 << 8).
  return Object.keys(FAULT_CODES).find((fault) => FAULT_CODES[fault] === (errcode & 0xff));
}

/**
 * Creates the data directory (0700) and an empty database file (0600) when
 * they do not exist; SQLite gives the -wal and -shm files the database's mode.
 */
export function prepareDataFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

interface Identity {
  dev: number;
  ino: number;
}

function identityOf(file: string): Identity | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats && { dev: stats.dev, ino: stats.ino };
}

export class FileGuard {
  private readonly opened = new Map<string, Identity>();
  /** Set once a file was found deleted or replaced: the store stays down. */
  private lost?: string;
  private lastFault?: { reason: string; at: number };
  private lastReadCheck = 0;
  /** Set once the files passed a write's check, until the event loop's next turn. */
  private writeCheckedThisTurn = false;

  constructor(private readonly file: string) {}

  /** Records the database file as opened; call once the database is open. */
  watch(): void {
    const identity = identityOf(this.file);
    if (!identity) throw new StoreUnavailableError(`database file ${this.file} is missing`);
    this.opened.set(this.file, identity);
    this.checkFiles();
  }

  beforeWrite(): void {
    // Writes begun in one turn of the event loop commit together, after it (group-commit.ts): one
    // check before them all holds for each, as it does for a single write, and costs five syscalls once.
    if (this.writeCheckedThisTurn) return;
    this.checkFiles();
    this.checkWritable();
    this.writeCheckedThisTurn = true;
    setImmediate(() => {
      this.writeCheckedThisTurn = false;
    });
  }

  beforeRead(): void {
    const now = Date.now();
    if (now - this.lastReadCheck < READ_CHECK_MS && this.lost === undefined) return;
    this.lastReadCheck = now;
    this.checkFiles();
  }

  /** Throws unless the store can serve reads and writes now. */
  health(): void {
    this.checkFiles();
    this.checkWritable();
    const { bavail } = statfsSync(path.dirname(this.file));
    if (bavail === 0) throw this.fault('disk full');
    if (this.lastFault && Date.now() - this.lastFault.at < FAULT_HOLD_MS) throw new StoreUnavailableError(this.lastFault.reason);
  }

  /** An error from the database as the service should see it: storage faults become StoreUnavailableError. */
  translate(err: unknown): unknown {
    if (err instanceof StoreUnavailableError) return err;
    const fault = sqliteFault(err);
    return fault === undefined ? err : this.fault(`${fault}: ${(err as Error).message}`);
  }

  private fault(reason: string): StoreUnavailableError {
    this.lastFault = { reason, at: Date.now() };
    return new StoreUnavailableError(reason);
  }

  private checkFiles(): void {
    if (this.lost === undefined) {
      for (const suffix of COMPANIONS) {
        const file = this.file + suffix;
        const now = identityOf(file);
        const opened = this.opened.get(file);
        // -wal and -shm appear with the first transaction and stay while the database is open.
        if (!opened) {
          if (now) this.opened.set(file, now);
          continue;
        }
        if (!now) this.lost = `${file} was deleted while the service had it open`;
        else if (now.dev !== opened.dev || now.ino !== opened.ino) this.lost = `${file} was replaced while the service had it open`;
        if (this.lost) break;
      }
    }
    if (this.lost !== undefined) throw new StoreUnavailableError(`${this.lost}; restart the service once the data directory is sound`);
  }

  private checkWritable(): void {
    try {
      accessSync(this.file, constants.W_OK);
      // New -wal and -shm files, and checkpoints, need the directory too.
      accessSync(path.dirname(this.file), constants.W_OK);
    } catch (err) {
      throw this.fault(`database is read-only (${(err as NodeJS.ErrnoException).code})`);
    }
  }
}
