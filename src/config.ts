/**
 * Configuration from the environment; every setting has a working default so
 * `npm start` on a fresh checkout serves on the embedded store. A bad value
 * stops the start with a sentence naming the variable (StartupError).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { redactedUrl, StartupError, type DatabaseSetting } from './startup-failure.js';

export type LogFormat = 'pretty' | 'json';

export interface Config {
  host: string;
  port: number;
  /** DATA_DIR: where the embedded store and the bootstrap key live unless DATABASE_URL says otherwise. */
  dataDir: string;
  /** `sqlite:<file>` (embedded) or `postgres://...`. */
  databaseUrl: string;
  logLevel: string;
  /** `pretty`: one human line per record, for a terminal; `json`: one JSON object per line, for collectors. */
  logFormat: LogFormat;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** How long in-flight requests may take to finish on SIGTERM, in ms. */
  shutdownGraceMs: number;
  /** Slow-client limits, in ms: to receive a request head, a whole request, and idle keep-alive. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Processes serving the port (node:cluster); 1 serves from this process alone. */
  workers: number;
  /** Change-feed events that may wait for one slow subscriber before it is disconnected. */
  eventsQueueLimit: number;
  /**
   * Where to write a first read-write key for domain "default" when the store
   * has no API keys at all; undefined: never (use the admin CLI).
   */
  bootstrapKeyFile?: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const MAX_PORT = 65535;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a non-negative integer' : `an integer from 0 to ${max}`;
    throw new StartupError(`${name} must be ${range}, got "${text}"; set ${name} to one or leave it unset for ${fallback}.`);
  }
  return Number(text);
}

/** WORKERS: a count, or "auto" for one per core this process may use. */
function workerCount(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  if (text === 'auto') return availableParallelism();
  if (!/^[1-9]\d*$/.test(text)) throw new StartupError(`WORKERS must be a positive integer or "auto", got "${text}"; set WORKERS to one or leave it unset for 1.`);
  return Number(text);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!allowed.includes(text as T)) throw new StartupError(`${name} must be one of ${allowed.join(', ')}, got "${text}"; set ${name} to one or leave it unset for ${fallback}.`);
  return text as T;
}

/** The database a DATA_DIR holds when DATABASE_URL is not set. */
export function embeddedDatabaseUrl(dataDir: string): string {
  return `sqlite:${path.join(dataDir, 'app.db')}`;
}

/** The setting to change when the database cannot be used: DATA_DIR while DATABASE_URL is left to its default. */
export function databaseSetting(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DatabaseSetting {
  return config.databaseUrl === embeddedDatabaseUrl(config.dataDir) ? 'DATA_DIR' : 'DATABASE_URL';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTerminal = Boolean(process.stdout.isTTY)): Config {
  const dataDir = env.DATA_DIR || './data';
  const databaseUrl = env.DATABASE_URL || embeddedDatabaseUrl(dataDir);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new StartupError(`DATABASE_URL must be sqlite:<file> or postgres://user:password@host:port/database, got "${redactedUrl(databaseUrl)}"; set DATABASE_URL to one or leave it unset for the embedded store under DATA_DIR.`);
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8080, MAX_PORT),
    dataDir,
    databaseUrl,
    // Only the embedded store bootstraps by default: a shared database is set up with the admin CLI.
    bootstrapKeyFile: env.BOOTSTRAP_KEY_FILE || (databaseUrl.startsWith('sqlite:') ? path.join(dataDir, 'bootstrap-key') : undefined),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf<LogFormat>(env, 'LOG_FORMAT', ['pretty', 'json'], stdoutIsTerminal ? 'pretty' : 'json'),
    bodyLimit: integer(env, 'BODY_LIMIT', 1024 * 1024),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10000),
    headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', 20000),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 60000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000),
    workers: workerCount(env.WORKERS),
    eventsQueueLimit: integer(env, 'EVENTS_QUEUE_LIMIT', 1000),
  };
}
