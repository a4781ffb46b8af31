// What only the PostgreSQL store has: migrations shared by nodes, and a
// database that goes away and comes back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { migrations } from '../src/store/migrations.js';
import { PostgresStore, postgresOptions } from '../src/store/postgres.js';
import { QueryTimeoutError } from '../src/store/store.js';
import { Relay } from './support/relay.js';
import { randomBytes } from 'node:crypto';
import { newRow } from '../src/entity/rows.js';
import type { ChangeEvent } from '../src/events/change-feed.js';
import { Api, dropTestStore, execBehindTheService, NEEDS_POSTGRES, onPostgres, postgresUrl, RR, startTestService, testDatabaseUrl } from './support/service.js';

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

  test('schemas named too long for a channel of their own: changes are announced, to their own schema only', async () => {
    // 63 characters each, alike for 56: "collection_changes_" + the name is past PostgreSQL's 63-byte identifiers.
    const suffix = randomBytes(3).toString('hex');
    const names = ['a', 'b'].map((tag) => `t_${'long_schema_name_'.padEnd(54, 'x')}${tag}${suffix}`);
    const urls = names.map((schema) => Object.assign(new URL(postgresUrl!), { search: `?schema=${schema}` }).toString());
    const models = await loadCollections();
    const rules = models.find((model) => model.name === 'recordrules')!;
    const [writer, reader, neighbour] = [urls[0], urls[0], urls[1]].map((url) => new PostgresStore(url, postgresOptions({})));
    const feeds: Awaited<ReturnType<PostgresStore['openChangeFeed']>>[] = [];
    try {
      for (const store of [writer, reader, neighbour]) await store.prepare(models);
      for (const store of [writer, reader, neighbour]) feeds.push(await store.openChangeFeed());
      const [writerFeed, readerFeed, neighbourFeed] = feeds;
      const heard = (feed: (typeof feeds)[number]) => {
        const events: ChangeEvent[] = [];
        feed.subscribeAll((event) => events.push(event), () => undefined);
        return events;
      };
      const [onReader, onNeighbour] = [heard(readerFeed), heard(neighbourFeed)];
      const waitFor = async (count: number) => {
        const started = performance.now();
        while (onReader.length < count && performance.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 50));
      };
      // The service's path: the writing node announces its write after the commit.
      const id = String((await writer.insert(rules, 'default', newRow(rules, { priority: 1 }))).id);
      await writerFeed.publish({ op: 'create', collection: 'recordrules', id, domain: 'default' });
      await waitFor(1);
      // A write around the service: the table's trigger announces it, on the same channel.
      await execBehindTheService(urls[0], `UPDATE recordrules SET priority = 2 WHERE id = '${id}'`);
      await waitFor(2);
      assert.deepEqual(onReader, [
        { op: 'create', collection: 'recordrules', id, domain: 'default' },
        { op: 'update', collection: 'recordrules', id, domain: 'default' },
      ]);
      assert.deepEqual(onNeighbour, []);
    } finally {
      await Promise.all(feeds.map((feed) => feed.close()));
      for (const store of [writer, reader, neighbour]) await store.close();
      for (const url of urls) await dropTestStore(url);
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
