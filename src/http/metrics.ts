/**
 * Prometheus metrics at /metrics (prom-client): requests and their latency
 * by route, method and status; store operation latency; entities per
 * collection; and the process defaults. Each app has its own registry.
 */
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import type { CollectionModel } from '../collections/model.js';
import type { Store } from '../store/store.js';
import { requestMethod } from './extension-method-routing.js';
import { METRICS_PATH } from './public-routes.js';

// Any other method token a client sends is counted as "other": label values must stay few.
const KNOWN_METHODS = new Set([...http.METHODS, 'LOOKUP']);
// Operations whose first argument is the collection model.
const STORE_OPERATIONS = ['insert', 'get', 'list', 'update', 'delete', 'lookup'] as const;

/** The store with every collection operation timed into `histogram`. */
function timedStore(store: Store, histogram: client.Histogram<'operation' | 'collection'>, models: readonly CollectionModel[]): Store {
  const timed = Object.create(store) as Store;
  for (const operation of STORE_OPERATIONS) {
    const original = store[operation].bind(store) as (model: CollectionModel, ...rest: unknown[]) => Promise<unknown>;
    // One labelled child per collection, found once: labelling per call hashes the label set.
    const byModel = new Map(models.map((model) => [model, histogram.labels({ operation, collection: model.name })]));
    (timed as unknown as Record<string, unknown>)[operation] = async (model: CollectionModel, ...rest: unknown[]) => {
      const started = performance.now();
      try {
        return await original(model, ...rest);
      } finally {
        (byModel.get(model) ?? histogram.labels({ operation, collection: model.name })).observe((performance.now() - started) / 1000);
      }
    };
  }
  return timed;
}

/** Labelled children of a request counter and histogram, created once per label set. */
function requestSeries(requests: client.Counter<string>, duration: client.Histogram<string>) {
  const series = new Map<string, { count: client.Counter.Internal; time: client.Histogram.Internal<string> }>();
  return (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let found = series.get(key);
    if (!found) {
      const labels = { method, route, status: String(status) };
      series.set(key, (found = { count: requests.labels(labels), time: duration.labels(labels) }));
    }
    return found;
  };
}

/** Registers /metrics and the request hooks; returns the store to use, timed. */
export function registerMetrics(app: FastifyInstance, store: Store, models: readonly CollectionModel[]): Store {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new client.Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const storeDuration = new client.Histogram({
    name: 'store_operation_duration_seconds',
    help: 'Time a store operation takes',
    labelNames: ['operation', 'collection'],
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

  const seriesOf = requestSeries(requests, duration);
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: ids must not become label values.
    const method = requestMethod(request);
    const series = seriesOf(KNOWN_METHODS.has(method) ? method : 'other', request.routeOptions.url ?? 'unmatched', reply.statusCode);
    series.count.inc();
    series.time.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get(METRICS_PATH, async (_request, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
  return timedStore(store, storeDuration, models);
}
