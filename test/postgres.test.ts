// What only the PostgreSQL store has: migrations shared by nodes, and a
// database that goes away and comes back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { migrations } from '../src/store/migrations.js';
import { PostgresStore, postgresOptions } from '../src/store/postgres.js';
import { QueryTimeoutError } from '../src/store/store.js';
import { Relay } from './support/relay.js';
import { Api, dropTestStore, NEEDS_POSTGRES, onPostgres, postgresUrl, RR, startTestService, testDatabaseUrl } from './support/service.js';

describe('PostgreSQL store', { skip: !onPostgres && NEEDS_POSTGRES }, () => {
  test('nodes migrating an empty database at the same moment apply each version once', async () => {
    const url = testDatabaseUrl('');
    const models = await loadCollections();
    const stores = Array.from({ length: 4 }, () => new PostgresStore(url, postgresOptions({})));
    try {
      await Promise.all(stores.map((store) => store.prepare(models)));
      await stores[0].prepare(models);
      const check = new PostgresStore(url, postgresOptions({}));
      const { rows } = await (check as any).pool.query('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
      await check.close();
      assert.deepEqual(
        rows,
        migrations.map(({ version }) => ({ version, n: 1 })),
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropTestStore(url);
    }
  });

  test('statements are bounded by the statement timeout, which reads as a query timeout (503), not an unavailable store', async () => {
    const store = new PostgresStore(testDatabaseUrl(''), { ...postgresOptions({}), statementTimeoutMs: 200 });
    try {
      const query = (sql: string) => (store as any).query(sql);
      assert.deepEqual((await query('SHOW statement_timeout')).rows, [{ statement_timeout: '200ms' }]);
      const started = Date.now();
      await assert.rejects(query('SELECT pg_sleep(5)'), QueryTimeoutError);
      assert.ok(Date.now() - started < 4000, 'cancelled by the server, not waited out');
    } finally {
      await store.close();
    }
  });

  test('a database outage answers 503 in the JSON format, and the service recovers when it returns', async () => {
    const real = new URL(postgresUrl!);
    const relay = new Relay({ host: real.hostname, port: Number(real.port || 5432) });
    await relay.start();
    const direct = testDatabaseUrl('');
    const viaRelay = new URL(direct);
    viaRelay.port = String(relay.port);
    const service = await startTestService({ databaseUrl: viaRelay.toString() });
    const api = new Api(service.url, service.key);
    try {
      const rule = await api.create(RR, { priority: 1 });

      await relay.stop();
      for (const reply of [await api.get(`${RR}/${rule.id}`), await api.post(RR, { priority: 2 }), await api.get('/healthz')]) {
        assert.equal(reply.status, 503);
        assert.deepEqual(reply.body, { error_code: 1503, error_message: 'Storage unavailable' });
      }

      await relay.start();
      let recovered;
      for (let attempt = 0; attempt < 50; attempt++) {
        recovered = await api.get(`${RR}/${rule.id}`);
        if (recovered.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(recovered!.status, 200);
      assert.deepEqual(recovered!.body, rule);
      assert.equal((await api.get('/healthz')).status, 200);
    } finally {
      await service.stop();
      await relay.stop().catch(() => undefined);
      await dropTestStore(direct);
    }
  });

  test('a table changed under the prepared statements of a running node (another node migrating) still answers', async () => {
    const service = await startTestService();
    const api = new Api(service.url, service.key);
    try {
      const created = await api.create(RR, { priority: 7 });
      // Every pool connection has read once, so its plan of the prepared read is cached.
      await Promise.all(Array.from({ length: 20 }, () => api.get(`${RR}/${created.id}`)));
      const store = new PostgresStore(service.config.databaseUrl, postgresOptions({}));
      await (store as any).pool.query('ALTER TABLE recordrules ADD COLUMN added_by_a_newer_node text');
      await store.close();
      for (let i = 0; i < 20; i++) {
        const reply = await api.get(`${RR}/${created.id}`);
        assert.equal(reply.status, 200);
        assert.equal(reply.body.priority, 7);
      }
    } finally {
      await service.stop();
      await dropTestStore(service.config.databaseUrl);
    }
  });
});
