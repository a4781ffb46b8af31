/**
 * GET /rest/v1/events: the caller's domain's changes as Server-Sent Events,
 * one `create`, `update` or `delete` event per change with
 * {"op", "collection", "id"}; `?collection=<name>` narrows it to one
 * collection. A comment line every 15 s keeps proxies from closing the stream.
 * Each subscriber has a bounded queue (sse-stream.ts): one that stops reading
 * is sent a `disconnect` event and dropped once the queue is full.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectionModel } from '../collections/model.js';
import type { ChangeFeed } from '../events/change-feed.js';
import { invalidField } from '../errors.js';
import { callerDomain } from './authentication.js';
import { SseStream } from './sse-stream.js';
import { CALENDAR_COLLECTION } from '../calendar/document.js';

import { EVENTS_PATH } from '../collections/api-paths.js';

export { EVENTS_PATH };
const HEARTBEAT_MS = 15_000;
const CLOSE_GRACE_MS = 10_000;
const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

export interface EventsOptions {
  /** Events that may wait for one subscriber before it is disconnected. */
  queueLimit: number;
}

export function registerEventsRoute(app: FastifyInstance, feed: ChangeFeed, models: readonly CollectionModel[], { queueLimit }: EventsOptions): void {
  const names = [...models.map((model) => model.name), CALENDAR_COLLECTION];
  app.get(EVENTS_PATH, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const domain = callerDomain(request);
    const { collection, ...rest } = request.query;
    const [unknown] = Object.keys(rest);
    if (unknown !== undefined) throw invalidField(unknown, 'unknown parameter; expected collection');
    if (collection !== undefined && !names.includes(collection as string)) throw invalidField('collection', `must be one of ${names.join(', ')}`);

    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, STREAM_HEADERS);
    // HEAD answers what GET would start with: no Content-Length (the stream has none, where 0 would
    // claim an empty one), and no stream, which would never end.
    if (request.method === 'HEAD') {
      response.flushHeaders();
      response.end();
      return;
    }
    let unsubscribe: () => void = () => undefined;
    const stream = new SseStream(response, {
      queueLimit,
      closeGraceMs: CLOSE_GRACE_MS,
      onOverflow: () => {
        unsubscribe();
        request.log.warn({ queueLimit }, 'event subscriber fell behind and was disconnected');
      },
    });
    stream.comment('connected');
    let sequence = 0;
    unsubscribe = feed.subscribe(
      domain,
      ({ op, collection: changed, id }) => {
        if (collection !== undefined && changed !== collection) return;
        stream.event(op, { op, collection: changed, id }, ++sequence);
      },
      () => stream.end(),
    );
    const heartbeat = setInterval(() => stream.comment('keep-alive'), HEARTBEAT_MS).unref();
    response.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
