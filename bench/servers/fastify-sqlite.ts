// Baseline: bare Fastify answering GET one with a single SQLite primary-key read
// from the service's own data file, opened as the service opens it. No keys,
// hooks, validation or rendering: the ceiling for any service that reads
// SQLite once per request on this machine.
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';

const [file, table, domain] = process.argv.slice(2);
const db = new DatabaseSync(file, { readOnly: true });
db.exec('PRAGMA cache_size = -16000');
const byId = db.prepare(`SELECT * FROM "${table}" WHERE "domain" = ? AND "id" = ?`);

const app = Fastify({ logger: false });
app.get(`/${table}/:id`, async (request, reply) => byId.get(domain, (request.params as { id: string }).id) ?? reply.code(404).send({}));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: Number(new URL(address).port) }));
