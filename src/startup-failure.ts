/**
 * Why a start failed, in one sentence an operator can act on: the cause, and
 * the setting that fixes it. Each phase of the start (listening, opening the
 * store, writing the bootstrap key) turns the failures it knows into a
 * StartupError; anything else stays as thrown, with its stack, since it is a
 * fault of the service rather than of its settings.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { CollectionModel } from './collections/model.js';
import { StoreUnavailableError } from './errors.js';
import { openStore } from './store/open.js';
import { sqliteFile } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** A start that cannot go on; the message is the whole explanation. */
export class StartupError extends Error {}

/** The URL as it may be shown: without a password. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
}

interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  message: string;
}

// What the errno of a failed file operation means for the person reading it.
const FILE_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOSPC: 'no space left on the device',
  ENOENT: 'a directory on the way does not exist',
};

function fileReason(err: SystemError): string {
  if (err.code === 'EEXIST') return `${err.path} is a file, not a directory`;
  return (err.code && FILE_REASONS[err.code]) || err.message;
}

/** Failures of `server.listen(port, host)`. */
export function listenFailure(err: unknown, host: string, port: number): unknown {
  const { code, message } = err as SystemError;
  const where = `Cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(`${where}: the port is already in use; set PORT to a free port (PORT=0 picks one) or HOST to another address.`);
    case 'EACCES':
      return new StartupError(`${where}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above.`);
    case 'EADDRNOTAVAIL':
      return new StartupError(`${where}: ${host} is not an address of this machine; set HOST to one (127.0.0.1 for this machine only, 0.0.0.0 for every interface).`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new StartupError(`${where}: the host name ${host} does not resolve; set HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for every interface).`);
    default:
      return code ? new StartupError(`${where} (${message}); check HOST and PORT.`) : err;
  }
}

/** Which setting chose the database: DATA_DIR when DATABASE_URL was left to its default. */
export type DatabaseSetting = 'DATA_DIR' | 'DATABASE_URL';

// SQLite primary result codes (https://sqlite.org/rescode.html).
const SQLITE_CODES: Record<string, number> = { SQLITE_READONLY: 8, SQLITE_CORRUPT: 11, SQLITE_CANTOPEN: 14, SQLITE_NOTADB: 26 };

/** The primary result code of an SQLite error, whichever driver raised it. */
function sqliteResultCode(err: unknown): number | undefined {
  const { errcode, code } = (err ?? {}) as { errcode?: number; code?: string };
  // node:sqlite reports the (extended) result code as a number; better-sqlite3 names it.
  if (typeof errcode === 'number') return errcode & 0xff;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return SQLITE_CODES[code.replace(/^(SQLITE_[A-Z]+).*$/, '$1')] ?? -1;
  return undefined;
}

function fixes(setting: DatabaseSetting) {
  return {
    writable: setting === 'DATA_DIR' ? 'set DATA_DIR to a directory this user can write' : 'set DATABASE_URL to a file in a directory this user can write',
    another: setting === 'DATA_DIR' ? 'set DATA_DIR to another directory' : 'set DATABASE_URL to another file',
  };
}

function allowed(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded store must be able to write: SQLite opens a file it may only
 * read without complaint, and its directory holds the journal it writes at
 * every commit. Checked before opening, so a read-only store stops the start
 * instead of failing every write later.
 */
export function checkEmbeddedStoreWritable(databaseUrl: string, setting: DatabaseSetting): void {
  const file = sqliteFile(databaseUrl);
  if (file === ':memory:') return;
  const dir = path.dirname(file);
  const { writable } = fixes(setting);
  if (existsSync(dir) && !allowed(dir, constants.W_OK | constants.X_OK)) {
    const what = setting === 'DATA_DIR' ? `The data directory ${dir}` : `The directory ${dir} of the database file ${file}`;
    throw new StartupError(`${what} is not writable by this user (SQLite keeps the database and its journal there); ${writable}.`);
  }
  for (const candidate of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(candidate)) continue;
    if (!allowed(candidate, constants.R_OK)) throw new StartupError(`The database file ${candidate} is not readable by this user; make it readable and writable, or ${writable}.`);
    if (!allowed(candidate, constants.W_OK)) throw new StartupError(`The database file ${candidate} is read-only for this user; make it writable, or ${writable}.`);
  }
}

function embeddedStoreFailure(err: unknown, databaseUrl: string, setting: DatabaseSetting): unknown {
  const file = sqliteFile(databaseUrl);
  const { writable, another } = fixes(setting);
  const system = err as SystemError;
  if (system.syscall === 'mkdir' && system.code) {
    const what = setting === 'DATA_DIR' ? 'the data directory' : `the directory of the database file ${file}`;
    return new StartupError(`Cannot create ${what} ${system.path} (${fileReason(system)}); ${writable}.`);
  }
  switch (sqliteResultCode(err)) {
    case undefined:
      return err;
    case SQLITE_CODES.SQLITE_CANTOPEN:
      return new StartupError(`Cannot open or create the database file ${file} (its directory is not writable, or the file not readable, by this user); ${writable}.`);
    case SQLITE_CODES.SQLITE_READONLY:
      return new StartupError(`The database file ${file} is read-only (${system.message}); make it and its directory writable, or ${writable}.`);
    case SQLITE_CODES.SQLITE_NOTADB:
      return new StartupError(`The file ${file} is not an SQLite database; move it away, or ${another}.`);
    case SQLITE_CODES.SQLITE_CORRUPT:
      return new StartupError(`The database file ${file} is damaged (${system.message}); restore it from a backup, or ${another}.`);
    default:
      return new StartupError(`Cannot use the database file ${file} (${system.message}); check ${setting}.`);
  }
}

// Connection failures the driver reports by errno, for errors that reach here unwrapped.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function postgresFailure(err: unknown, databaseUrl: string, opening: boolean): unknown {
  const at = `PostgreSQL at ${redactedUrl(databaseUrl)}`;
  if (err instanceof StoreUnavailableError) {
    return new StartupError(`Cannot reach ${at} (${err.detail ?? err.message}); start the database, or set DATABASE_URL to one that is reachable.`);
  }
  const { code, message } = err as SystemError;
  if (code && UNREACHABLE.has(code)) return new StartupError(`Cannot reach ${at} (${message}); start the database, or set DATABASE_URL to one that is reachable.`);
  // SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
  if (code === '28P01' || code === '28000') return new StartupError(`${at} refused the login (${message}); set DATABASE_URL with a user and password it accepts.`);
  if (code === '3D000') return new StartupError(`${at} has no such database (${message}); create it (createdb), or set DATABASE_URL to an existing one.`);
  if (code === '42501') return new StartupError(`${at} does not let this user create the service's schema and tables (${message}); grant them, or set DATABASE_URL to another user or ?schema=.`);
  // What the store's constructor refuses is the URL itself (not a URL, a bad schema name).
  if (opening) return new StartupError(`DATABASE_URL is not a usable PostgreSQL URL (${message}); set it to postgres://user:password@host:port/database[?schema=name].`);
  return err;
}

/**
 * Failures of opening the store (`opening`: its constructor) or of preparing
 * it (schema and migrations).
 */
export function storeFailure(err: unknown, databaseUrl: string, setting: DatabaseSetting, opening: boolean): unknown {
  if (err instanceof StartupError) return err;
  return databaseUrl.startsWith('sqlite:') ? embeddedStoreFailure(err, databaseUrl, setting) : postgresFailure(err, databaseUrl, opening);
}

/** The store, opened and migrated, or a StartupError naming the setting that points at one that cannot be used. */
export async function openPreparedStore(databaseUrl: string, setting: DatabaseSetting, models: readonly CollectionModel[]): Promise<Store> {
  let store: Store;
  try {
    if (databaseUrl.startsWith('sqlite:')) checkEmbeddedStoreWritable(databaseUrl, setting);
    store = openStore(databaseUrl);
  } catch (err) {
    throw storeFailure(err, databaseUrl, setting, true);
  }
  try {
    await store.prepare(models);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw storeFailure(err, databaseUrl, setting, false);
  }
  return store;
}

/** Failures of creating the bootstrap key's file. */
export function keyFileFailure(err: unknown, file: string): unknown {
  const system = err as SystemError;
  if (!system.code) return err;
  return new StartupError(`Cannot write the bootstrap API key to ${file} (${fileReason(system)}); set BOOTSTRAP_KEY_FILE to a path this user can write.`);
}
