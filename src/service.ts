/**
 * A running service: store, application and listener, with an orderly stop.
 * Used by the CLI entry point, the tests and the benchmarks alike.
 */
import { closeSync, existsSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import pretty from 'pino-pretty';
import { BOOTSTRAP_DOMAIN, createApiKey, createDomain } from './auth/api-keys.js';
import { loadCollections } from './collections/registry.js';
import { databaseSetting, type Config } from './config.js';
import { buildApp, type RouteInfo } from './http/app.js';
import { DOCS_PATH } from './http/public-routes.js';
import { DEFAULT_EDGE_LIMITS, listenThroughEdge } from './edge/listener.js';
import { keyFileFailure, listenFailure, openPreparedStore, StartupError } from './startup-failure.js';
import type { Store } from './store/store.js';

export interface RunningService {
  url: string;
  port: number;
  /**
   * Stops accepting, lets in-flight requests finish (up to the grace period),
   * closes the store; logs that it is stopping (with `reason`, a signal name)
   * and when it has stopped.
   */
  stop(reason?: string): Promise<void>;
  /** Every route the service answers. */
  routes: readonly RouteInfo[];
}

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  if (config.logFormat === 'json') return { level: config.logLevel };
  // Written synchronously like pino's own stdout, so the last lines before exit are not lost.
  return { level: config.logLevel, stream: pretty({ sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) };
}

// A node that finds the key file but no keys may be watching another node bootstrap the same store.
const BOOTSTRAP_WAIT_MS = 5000;

/** True once the store has a key, within BOOTSTRAP_WAIT_MS. */
async function keysAppear(store: Store): Promise<boolean> {
  for (const until = Date.now() + BOOTSTRAP_WAIT_MS; Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await store.countApiKeys()) > 0) return true;
  }
  return false;
}

/**
 * A first read-write key for domain "default", when the store has none. The
 * file is created (exclusively) before the key is stored, so a file that
 * cannot be written never leaves a key behind that nobody has, and of nodes
 * starting together on one store only one bootstraps. An existing file is
 * never overwritten: keys that stay gone while their file remains mean the
 * store was lost or replaced, which an operator must look at.
 */
async function bootstrapKey(store: Store, file: string, log: FastifyBaseLogger): Promise<void> {
  let fd: number | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw keyFileFailure(err, file);
  }
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyFileFailure(err, file);
  }
  if (fd === undefined) {
    if (await keysAppear(store)) return;
    throw new StartupError(
      `The store has no API keys, but the bootstrap key file ${file} exists: the database may have been deleted or replaced. ` +
        'Not starting, and not overwriting the file; restore the database, or move the file away to bootstrap a new key.',
    );
  }
  try {
    await createDomain(store, BOOTSTRAP_DOMAIN);
    writeSync(fd, `${await createApiKey(store, BOOTSTRAP_DOMAIN, 'read-write', 'bootstrap')}\n`);
  } catch (err) {
    // An empty file would make the next start refuse as if the store had been lost.
    unlinkSync(file);
    throw err;
  } finally {
    closeSync(fd);
  }
  // The key itself never goes to the log, only where to find it.
  log.warn({ file, domain: BOOTSTRAP_DOMAIN }, 'no API keys existed: wrote a read-write key to this file');
}

/** The line a person at a terminal reads first: where to point a browser and curl, and where the key is. */
function welcomeLine(url: string, keyFile: string | undefined): string {
  const key =
    keyFile && existsSync(keyFile)
      ? `API key in ${path.resolve(keyFile)}`
      : 'API keys: collection-service admin create-key <domain>';
  return `collection-service is serving ${url} (API docs ${url}${DOCS_PATH}; ${key}); Ctrl-C stops it`;
}

/**
 * Migrates the store and bootstraps its first key, then closes it: what a
 * cluster primary does once before its workers start, so that they neither
 * race for the first key nor serve before the schema exists.
 */
export async function prepareStore(config: Config, log: FastifyBaseLogger): Promise<void> {
  const store = await openPreparedStore(config.databaseUrl, databaseSetting(config), await loadCollections());
  try {
    if (config.bootstrapKeyFile && (await store.countApiKeys()) === 0) await bootstrapKey(store, config.bootstrapKeyFile, log);
  } finally {
    await store.close();
  }
}

export async function startService(config: Config): Promise<RunningService> {
  const models = await loadCollections();
  const store = await openPreparedStore(config.databaseUrl, databaseSetting(config), models);
  const feed = await store.openChangeFeed();
  const { fastify, httpServer, routes } = await buildApp({ models, store, feed, logger: loggerOptions(config), bodyLimit: config.bodyLimit, eventsQueueLimit: config.eventsQueueLimit });
  const release = async () => {
    await feed.close();
    await fastify.close();
    await store.close();
  };
  try {
    if (config.bootstrapKeyFile && (await store.countApiKeys()) === 0) await bootstrapKey(store, config.bootstrapKeyFile, fastify.log);
  } catch (err) {
    await release();
    throw err;
  }
  httpServer.keepAliveTimeout = config.keepAliveTimeoutMs;
  const listener = listenThroughEdge(httpServer, {
    ...DEFAULT_EDGE_LIMITS,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxBodyBytes: config.bodyLimit,
  });

  const { server } = listener;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await release();
    throw listenFailure(err, config.host, config.port);
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (config.logFormat === 'pretty') fastify.log.info(welcomeLine(url, config.bootstrapKeyFile));
  else fastify.log.info({ port, host: config.host, url, docs: `${url}${DOCS_PATH}`, keyFile: config.bootstrapKeyFile }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = (reason?: string) =>
    (stopping ??= (async () => {
      fastify.log.info({ signal: reason, graceMs: config.shutdownGraceMs }, 'stopping: no new connections, finishing requests in progress');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Ends open event streams, so their connections can close like the rest.
      await feed.close();
      listener.closeIdleConnections();
      const grace = setTimeout(() => listener.closeAllConnections(), config.shutdownGraceMs);
      // Keep-alive connections that become idle after their last response are closed as they go.
      const sweep = setInterval(() => listener.closeIdleConnections(), 50);
      await closed;
      clearTimeout(grace);
      clearInterval(sweep);
      await fastify.close();
      await store.close();
      fastify.log.info('stopped');
    })());

  return { url, port, routes, stop };
}
