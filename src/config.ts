/**
 * Configuration from the environment; every setting has a working default so
 * `npm start` on a fresh checkout serves on the embedded store.
 */
import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  /** `sqlite:<file>` (embedded) or, later, `postgres://...`. */
  databaseUrl: string;
  logLevel: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** How long in-flight requests may take to finish on SIGTERM, in ms. */
  shutdownGraceMs: number;
  /** Slow-client limits, in ms: to receive a request head, a whole request, and idle keep-alive. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Change-feed events that may wait for one slow subscriber before it is disconnected. */
  eventsQueueLimit: number;
  /**
   * Where to write a first read-write key for domain "default" when the store
   * has no API keys at all; undefined: never (use the admin CLI).
   */
  bootstrapKeyFile?: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = env.DATA_DIR || './data';
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'app.db')}`;
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8080),
    databaseUrl,
    // Only the embedded store bootstraps by default: a shared database is set up with the admin CLI.
    bootstrapKeyFile: env.BOOTSTRAP_KEY_FILE || (databaseUrl.startsWith('sqlite:') ? path.join(dataDir, 'bootstrap-key') : undefined),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: integer(env, 'BODY_LIMIT', 1024 * 1024),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10000),
    headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', 20000),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 60000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000),
    eventsQueueLimit: integer(env, 'EVENTS_QUEUE_LIMIT', 1000),
  };
}
