/**
 * WORKERS=N: a cluster primary and N worker processes sharing one port
 * (node:cluster; the primary hands out connections round-robin). The
 * primary prepares the store once, then starts the workers, and sums their
 * metrics for a scrape. The change feed needs no relay: each store already
 * delivers other processes' writes (PostgreSQL's LISTEN/NOTIFY, the embedded
 * store's change log). On SIGTERM or SIGINT it stops every worker the way a single
 * process stops (requests in progress finish), then exits. A worker that
 * dies otherwise is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import client from 'prom-client';
import { pino } from 'pino';
import type { Config } from './config.js';
import { METRICS_ANSWER, METRICS_REQUEST } from './http/metrics.js';
import { prepareStore } from './service.js';

export async function runPrimary(config: Config): Promise<void> {
  const log = pino({ level: config.logLevel === 'silent' ? 'silent' : config.logLevel });
  await prepareStore(config, log);
  const metrics = new client.AggregatorRegistry();
  let stopping = false;

  const start = () => cluster.fork();
  cluster.on('message', (from: Worker, message: { type?: string; id?: string }) => {
    if (message?.type === METRICS_REQUEST) {
      metrics.clusterMetrics().then(
        (text) => from.isConnected() && from.send({ type: METRICS_ANSWER, id: message.id, text }),
        (err: Error) => from.isConnected() && from.send({ type: METRICS_ANSWER, id: message.id, error: err.message }),
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    start();
  });
  // Ready once every worker listens: before that, the port's connections all go to the ones that do.
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (++listening === config.workers) log.info({ workers: config.workers, port: address.port }, 'all workers listening');
  });
  for (let i = 0; i < config.workers; i++) start();

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      let failed = false;
      let left = workers.length;
      if (left === 0) process.exit(0);
      for (const worker of workers) {
        worker.once('exit', (code) => {
          failed ||= code !== 0;
          if (--left === 0) process.exit(failed ? 1 : 0);
        });
        worker.process.kill('SIGTERM');
      }
    });
  }
}
