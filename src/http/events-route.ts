/**
 * GET /rest/v1/events: the caller's domain's changes as Server-Sent Events,
 * one `create`, `update` or `delete` event per change with
 * {"op", "collection", "id"}; `?collection=<name>` narrows it to one
 * collection. A comment line every 15 s keeps proxies from closing the stream.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectionModel } from '../collections/model.js';
import type { ChangeFeed } from '../events/change-feed.js';
import { callerDomain } from './authentication.js';
import { invalidField } from './errors.js';

export const EVENTS_PATH = '/rest/v1/events';
const HEARTBEAT_MS = 15_000;

export function registerEventsRoute(app: FastifyInstance, feed: ChangeFeed, models: readonly CollectionModel[]): void {
  const names = models.map((model) => model.name);
  app.get(EVENTS_PATH, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const domain = callerDomain(request);
    const { collection, ...rest } = request.query;
    const [unknown] = Object.keys(rest);
    if (unknown !== undefined) throw invalidField(unknown, 'unknown parameter; expected collection');
    if (collection !== undefined && !names.includes(collection as string)) throw invalidField('collection', `must be one of ${names.join(', ')}`);

    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    stream.write(': connected\n\n');
    let sequence = 0;
    const unsubscribe = feed.subscribe(
      domain,
      ({ op, collection: changed, id }) => {
        if (collection !== undefined && changed !== collection) return;
        stream.write(`id: ${++sequence}\nevent: ${op}\ndata: ${JSON.stringify({ op, collection: changed, id })}\n\n`);
      },
      () => stream.end(),
    );
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
    stream.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
