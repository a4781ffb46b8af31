// Baseline: bare Fastify answering GET one with a single PostgreSQL
// primary-key query through a pg pool of the service's default size. No
// keys, hooks, validation or rendering: the ceiling for any service that
// queries PostgreSQL once per request on this machine.
// Arguments: database URL (with ?schema=), table, domain, pool size, and
// "named" to use a prepared statement per connection (pg's statement cache).
import Fastify from 'fastify';
import pg from 'pg';

const [databaseUrl, table, domain, poolSize = '10', statements = 'unnamed'] = process.argv.slice(2);
const url = new URL(databaseUrl);
const schema = url.searchParams.get('schema') ?? 'public';
url.searchParams.delete('schema');
const pool = new pg.Pool({ connectionString: url.toString(), max: Number(poolSize), options: `-c search_path=${schema}` });
const text = `SELECT * FROM "${table}" WHERE "domain" = $1 AND "id" = $2`;

const app = Fastify({ logger: false });
app.get(`/${table}/:id`, async (request, reply) => {
  const values = [domain, (request.params as { id: string }).id];
  const { rows } = await pool.query(statements === 'named' ? { name: 'get-one', text, values } : { text, values });
  return rows[0] ?? reply.code(404).send({});
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: Number(new URL(address).port) }));
process.once('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
