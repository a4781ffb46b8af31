/**
 * Prometheus metrics at /metrics (prom-client): requests and their latency
 * by route, method and status; store operation latency; entities per
 * collection; and the process defaults. Each app has its own registry.
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import type { CollectionModel } from '../collections/model.js';
import type { Store } from '../store/store.js';
import { requestMethod } from './extension-method-routing.js';
import { SeriesHistogram, type SeriesCounts } from './series-histogram.js';
import { METRICS_PATH } from './public-routes.js';

/**
 * With WORKERS=N every worker counts its own requests; a scrape, whichever
 * worker takes it, asks the cluster primary for the sum of all of them
 * (prom-client's AggregatorRegistry), so counters never jump between workers.
 */
export const METRICS_REQUEST = 'collection-service:metrics-request';
export const METRICS_ANSWER = 'collection-service:metrics';
const CLUSTER_METRICS_TIMEOUT_MS = 5000;

function metricsOfTheCluster(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('the cluster primary did not answer with metrics')), CLUSTER_METRICS_TIMEOUT_MS);
    const onMessage = (message: { type?: string; id?: string; text?: string; error?: string }) => {
      if (message?.type !== METRICS_ANSWER || message.id !== id) return;
      finish(message.error === undefined ? undefined : new Error(message.error), message.text);
    };
    function finish(err?: Error, text?: string) {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (err) reject(err);
      else resolve(text!);
    }
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

// Any other method token a client sends is counted as "other": label values must stay few.
const KNOWN_METHODS = new Set([...http.METHODS, 'LOOKUP']);
// Operations whose first argument is the collection model.
const STORE_OPERATIONS = ['insert', 'get', 'list', 'update', 'delete', 'lookup'] as const;

/** The store with every collection operation timed into `histogram`. */
function timedStore(store: Store, histogram: SeriesHistogram<'operation' | 'collection'>, models: readonly CollectionModel[]): Store {
  const timed = Object.create(store) as Store;
  for (const operation of STORE_OPERATIONS) {
    const original = store[operation].bind(store) as (model: CollectionModel, ...rest: unknown[]) => Promise<unknown>;
    // One series per collection, found once.
    const byModel = new Map(models.map((model) => [model, histogram.series({ operation, collection: model.name })]));
    (timed as unknown as Record<string, unknown>)[operation] = async (model: CollectionModel, ...rest: unknown[]) => {
      const started = performance.now();
      try {
        return await original(model, ...rest);
      } finally {
        (byModel.get(model) ?? histogram.series({ operation, collection: model.name })).observe((performance.now() - started) / 1000);
      }
    };
  }
  return timed;
}

/**
 * The series of one method, route and status, created once per label set.
 * The request counter is the histogram's count, given to prom-client when
 * it is scraped: nothing per request beyond the histogram's own counting.
 * Found through maps keyed by the route pattern, the status and the method
 * as they come (strings the router and Node's parser hold once), so no key
 * is built per request: a Map interns every new string it is asked for.
 */
function requestSeries(duration: SeriesHistogram<string>) {
  const series: { labels: Record<string, string>; time: SeriesCounts }[] = [];
  const byRoute = new Map<string, Map<number, Map<string, SeriesCounts>>>();
  const countInto = (requests: client.Counter<string>) => {
    requests.reset();
    for (const { labels, time } of series) if (time.count > 0) requests.inc(labels, time.count);
  };
  const seriesOf = (method: string, route: string, status: number) => {
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let byMethod = byStatus.get(status);
    if (!byMethod) byStatus.set(status, (byMethod = new Map()));
    let found = byMethod.get(method);
    if (!found) {
      const labels = { method, route, status: String(status) };
      byMethod.set(method, (found = duration.series(labels)));
      series.push({ labels, time: found });
    }
    return found;
  };
  return { seriesOf, countInto };
}

/** Registers /metrics and the request hooks; returns the store to use, timed. */
export function registerMetrics(app: FastifyInstance, store: Store, models: readonly CollectionModel[]): Store {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const duration = new SeriesHistogram<(typeof labelNames)[number]>({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Every answered request is observed in the histogram; the counter is read from it at scrape time.
  const series = requestSeries(duration);
  new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames,
    registers: [registry],
    collect() {
      series.countInto(this);
    },
  });
  const storeDuration = new SeriesHistogram<'operation' | 'collection'>({
    name: 'store_operation_duration_seconds',
    help: 'Time a store operation takes',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'collection_entities',
    help: 'Entities stored per collection, all domains',
    labelNames: ['collection'],
    registers: [registry],
    async collect() {
      for (const model of models) this.set({ collection: model.name }, await store.count(model));
    },
  });

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: ids must not become label values.
    const method = requestMethod(request);
    series.seriesOf(KNOWN_METHODS.has(method) ? method : 'other', request.routeOptions.url ?? 'unmatched', reply.statusCode).observe(reply.elapsedTime / 1000);
    done();
  });
  if (cluster.isWorker) {
    // prom-client answers its primary's requests from an AggregatorRegistry's listeners, set up when one is made.
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([registry]);
  }
  app.get(METRICS_PATH, async (_request, reply) => {
    void reply.type(registry.contentType);
    return cluster.isWorker ? metricsOfTheCluster() : registry.metrics();
  });
  return timedStore(store, storeDuration, models);
}
