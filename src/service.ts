/**
 * A running service: store, application and listener, with an orderly stop.
 * Used by the CLI entry point, the tests and the benchmarks alike.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { BOOTSTRAP_DOMAIN, createApiKey, createDomain } from './auth/api-keys.js';
import { loadCollections } from './collections/registry.js';
import type { Config } from './config.js';
import { buildApp, type RouteInfo } from './http/app.js';
import { DEFAULT_EDGE_LIMITS, listenThroughEdge } from './edge/listener.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

export interface RunningService {
  url: string;
  port: number;
  /** Every route the service answers. */
  routes: readonly RouteInfo[];
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the store. */
  stop(): Promise<void>;
}

/**
 * On a store without API keys, creates domain "default" with a read-write
 * key and writes the key to `file`; true when it did. A key file that exists
 * already is never overwritten: keys gone while their file remains means the
 * store was lost or replaced, which an operator must look at.
 */
async function bootstrapKey(store: Store, file: string): Promise<boolean> {
  if ((await store.countApiKeys()) > 0) return false;
  if (existsSync(file)) {
    throw new Error(
      `The store has no API keys, but the bootstrap key file ${file} exists: the database may have been deleted or replaced. ` +
        'Not starting, and not overwriting the file. Restore the database, or move the file away to bootstrap a new key.',
    );
  }
  await createDomain(store, BOOTSTRAP_DOMAIN);
  const key = await createApiKey(store, BOOTSTRAP_DOMAIN, 'read-write', 'bootstrap');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never over a file that appeared in the meantime.
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}

export async function startService(config: Config): Promise<RunningService> {
  const models = await loadCollections();
  const store = openStore(config.databaseUrl);
  let bootstrapped = false;
  try {
    await store.prepare(models);
    if (config.bootstrapKeyFile) bootstrapped = await bootstrapKey(store, config.bootstrapKeyFile);
  } catch (err) {
    await store.close();
    throw err;
  }
  const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
  const feed = await store.openChangeFeed();
  const { fastify, httpServer, routes } = await buildApp({ models, store, feed, logger, bodyLimit: config.bodyLimit, eventsQueueLimit: config.eventsQueueLimit });
  // The key itself never goes to the log, only where to find it.
  if (bootstrapped) fastify.log.warn({ file: config.bootstrapKeyFile, domain: BOOTSTRAP_DOMAIN }, 'no API keys existed: wrote a read-write key to this file');
  httpServer.keepAliveTimeout = config.keepAliveTimeoutMs;
  const listener = listenThroughEdge(httpServer, {
    ...DEFAULT_EDGE_LIMITS,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxBodyBytes: config.bodyLimit,
  });

  const { server } = listener;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  fastify.log.info({ port, host: config.host }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
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
    })());

  return { url: `http://${host}:${port}`, port, routes, stop };
}
