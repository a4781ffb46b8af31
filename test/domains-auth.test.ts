// API keys bound to a domain and a role; data of one domain is invisible to
// every other; GET integration_tokens/<token> within the caller's domain.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { hashApiKey } from '../src/auth/api-keys.js';
import { runCli } from './support/process.js';
import { addKey, Api, bearer, IP, onPostgres, RR, useService } from './support/service.js';

const TOKENS = '/rest/v1/service/integration_tokens';

describe('API keys', () => {
  const service = useService();
  const { api } = service;

  test('no key, a malformed header or an unknown key: 401/1401 with a Bearer challenge', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Basic dXNlcjpwYXNz' }, bearer('csk_not-a-real-key'), { authorization: 'Bearer' }]) {
      const reply = await api.request('GET', RR, undefined, headers);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error_code, 1401);
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer');
    }
    const lookup = await api.request('LOOKUP', IP, 'x', { authorization: '' });
    assert.equal(lookup.status, 401);
  });

  test('health needs no key', async () => {
    assert.equal((await api.request('GET', '/healthz', undefined, { authorization: '' })).status, 200);
  });

  test('a read-only key reads and looks up, and gets 403/1403 for every write', async () => {
    const rule = await api.create(RR, { priority: 1 });
    const reader = new Api(service.current.url, await addKey(service.current, 'default', 'read-only'));
    const before = await api.snapshot();
    assert.equal((await reader.get(RR)).status, 200);
    assert.equal((await reader.get(`${RR}/${rule.id}`)).status, 200);
    assert.deepEqual((await reader.lookup(RR, rule.id)).body, [rule.id]);
    for (const reply of [await reader.post(RR, { priority: 2 }), await reader.patch(`${RR}/${rule.id}`, { priority: 3 }), await reader.delete(`${RR}/${rule.id}`)]) {
      assert.equal(reply.status, 403);
      assert.equal(reply.body.error_code, 1403);
    }
    assert.deepEqual(await api.snapshot(), before);
  });

  test('keys are stored only as hashes', async () => {
    const key = await addKey(service.current, 'hashes');
    if (onPostgres) {
      const url = new URL(service.current.config.databaseUrl);
      const schema = url.searchParams.get('schema');
      url.searchParams.delete('schema');
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT * FROM "${schema}".api_keys`);
        assert.ok(rows.some((row) => row.key_hash === hashApiKey(key)));
        assert.ok(!JSON.stringify(rows).includes(key));
      } finally {
        await client.end();
      }
    } else {
      const files = readdirSync(service.current.dataDir).filter((file) => file.startsWith('app.db'));
      // Read by another process: closing a descriptor of the database in this one would drop the
      // running store's POSIX locks, and SQLite's next closer would take the WAL for its own.
      const bytes = execFileSync('cat', files.map((file) => path.join(service.current.dataDir, file))).toString('latin1');
      assert.ok(bytes.includes(hashApiKey(key)), 'the hash is stored');
      assert.ok(!bytes.includes(key), 'the key itself is not');
    }
  });

  test('the admin CLI creates domains and keys; bad roles and unknown domains are refused', async () => {
    const env = { DATABASE_URL: service.current.config.databaseUrl };
    assert.equal(await runCli(['admin', 'create-domain', 'cli-made'], env), 'created domain cli-made');
    assert.equal(await runCli(['admin', 'create-domain', 'cli-made'], env), 'domain cli-made already exists');
    const key = await runCli(['admin', 'create-key', 'cli-made', '--role', 'read-only'], env);
    const reader = new Api(service.current.url, key);
    assert.equal((await reader.get(RR)).status, 200);
    assert.equal((await reader.post(RR, { priority: 1 })).status, 403);
    await assert.rejects(runCli(['admin', 'create-key', 'cli-made', '--role', 'admin'], env), /role must be one of/);
    await assert.rejects(runCli(['admin', 'create-key', 'nowhere'], env), /no domain "nowhere"/);
    await assert.rejects(runCli(['admin', 'create-domain', 'Bad Name'], env), /domain name must match/);
  });
});

describe('domains', () => {
  const service = useService();
  let a: Api;
  let b: Api;
  let point: any;
  let rule: any;
  let snapshotOfA: unknown;

  before(async () => {
    a = new Api(service.current.url, await addKey(service.current, 'alpha'));
    b = new Api(service.current.url, await addKey(service.current, 'beta'));
    point = await a.create(IP, { type: 'public', code: 'ALPHA-CODE' });
    rule = await a.create(RR, { priority: 5 });
    snapshotOfA = await a.snapshot();
  });

  test('another domain cannot see, list, filter, patch, delete or look up the entities', async () => {
    assert.equal((await b.get(`${IP}/${point.id}`)).status, 404);
    assert.equal((await b.get(`${RR}/${rule.id}`)).status, 404);
    assert.deepEqual((await b.get(IP)).body, []);
    assert.deepEqual((await b.get(RR, { filter: JSON.stringify({ priority: 5 }) })).body, []);
    assert.equal((await b.patch(`${RR}/${rule.id}`, { priority: 6 })).status, 404);
    assert.equal((await b.delete(`${IP}/${point.id}`)).status, 404);
    for (const key of [point.id, point.code, point.token_local]) assert.equal((await b.lookup(IP, key)).status, 404);
    assert.equal((await b.lookup(RR, rule.id)).status, 404);
    assert.equal((await b.get(`${TOKENS}/${point.token_local}`)).status, 404);
    assert.deepEqual(await a.snapshot(), snapshotOfA);
  });

  test('an id used in one domain can be used in another, without revealing either', async () => {
    const reply = await b.post(RR, { id: rule.id, priority: 9 });
    assert.equal(reply.status, 200);
    assert.equal((await a.get(`${RR}/${rule.id}`)).body.priority, 5);
    assert.equal((await b.get(`${RR}/${rule.id}`)).body.priority, 9);
    assert.equal((await b.delete(`${RR}/${rule.id}`)).status, 204);
    assert.equal((await a.get(`${RR}/${rule.id}`)).status, 200);
  });

  test('GET integration_tokens/<token>: the channel id and a link to it, within the domain', async () => {
    const reply = await a.get(`${TOKENS}/${point.token_local}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { id: point.id, _links: { self: { href: `${IP}/${point.id}` } } });
    assert.deepEqual((await a.get(reply.body._links.self.href)).body, (await a.get(`${IP}/${point.id}`)).body);
    const missing = await a.get(`${TOKENS}/${'0'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error_code: 1404, error_message: 'Token not found' });
    assert.equal((await a.request('DELETE', `${TOKENS}/${point.token_local}`)).status, 405);
  });
});
