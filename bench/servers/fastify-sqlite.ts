// Baseline: bare Fastify answering GET one with a single SQLite primary-key read
// from the service's own data file, opened as the service opens it. No keys,
// hooks, validation or rendering: the ceiling for any service that reads
// SQLite once per request on this machine. With a fourth argument `edge`, the
// same behind the service's edge (src/edge/), as the service must be: the
// ceiling less what the edge costs.
import http from 'node:http';
import type net from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';
import { answerClientError, listenThroughEdge, NODE_MAX_HEADER_SIZE } from '../../src/edge/listener.js';

const [file, table, domain, front] = process.argv.slice(2);
const db = new DatabaseSync(file, { readOnly: true });
db.exec('PRAGMA cache_size = -16000');
const byId = db.prepare(`SELECT * FROM "${table}" WHERE "domain" = ? AND "id" = ?`);

let httpServer: http.Server | undefined;
const app = Fastify({
  logger: false,
  ...(front === 'edge' ? { serverFactory: (handler: http.RequestListener) => (httpServer = http.createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, handler)) } : {}),
});
app.get(`/${table}/:id`, async (request, reply) => byId.get(domain, (request.params as { id: string }).id) ?? reply.code(404).send({}));
if (front === 'edge') {
  await app.ready();
  httpServer!.on('clientError', answerClientError);
  const { server } = listenThroughEdge(httpServer!);
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port })));
} else {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(JSON.stringify({ port: Number(new URL(address).port) }));
}
