// Realistic traffic through Prism (@stoplight/prism-cli) in proxy mode with
// --errors, in front of the real service: every operation, every list
// parameter, the error statuses a valid request can meet, LOOKUP through
// its POST forms, the calendar and recording decisions. Prism checks each
// request and each answer against /openapi.json; a single violation fails
// the run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EventStream } from './support/event-stream.js';
import { Relay } from './support/relay.js';
import { addKey, dropTestStore, IP, onPostgres, postgresUrl, RR, startTestService, testDatabaseUrl, type TestService } from './support/service.js';
import { freePort, ROOT, saveDocument, toolScript } from './support/tools.js';

const PRISM = toolScript('@stoplight/prism-cli/dist/index.js');
const FIXES = path.join(ROOT, 'test/support/prism-forwarding-fixes.cjs');
const EVENTS = '/rest/v1/events';
const TOKENS = '/rest/v1/service/integration_tokens';
// Small enough that a realistic body exceeds it; Prism itself reads bodies up to 10 MB.
const BODY_LIMIT = 64 * 1024;
const PRISM_PROBLEM = 'https://stoplight.io/prism/errors#';

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

describe('traffic through Prism in proxy mode with --errors', () => {
  let service: TestService;
  let relay: Relay | undefined;
  let directUrl: string | undefined;
  let prism: ChildProcess;
  let base = '';
  let readOnlyKey = '';
  const log: string[] = [];
  const sent: string[] = [];

  before(async () => {
    let databaseUrl: string | undefined;
    if (onPostgres) {
      // The store is reached through a relay, so the run can include an outage.
      const real = new URL(postgresUrl!);
      relay = new Relay({ host: real.hostname, port: Number(real.port || 5432) });
      await relay.start();
      directUrl = testDatabaseUrl('');
      const viaRelay = new URL(directUrl);
      viaRelay.port = String(relay.port);
      databaseUrl = viaRelay.toString();
    }
    service = await startTestService({ bodyLimit: BODY_LIMIT, ...(databaseUrl ? { databaseUrl } : {}) });
    readOnlyKey = await addKey(service, 'default', 'read-only');
    const document = await saveDocument(service.url);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Headers up to 64 KiB reach the service, so its own 431 is what comes back.
    prism = spawn(process.execPath, ['--max-http-header-size=65536', '--require', FIXES, PRISM, 'proxy', document, service.url, '--errors', '--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${log.join('')}`)), 90_000);
      const read = (chunk: Buffer) => {
        log.push(chunk.toString());
        if (/Prism is listening/.test(log.join(''))) {
          clearTimeout(timer);
          resolve();
        }
      };
      prism.stdout!.on('data', read);
      prism.stderr!.on('data', read);
      prism.once('exit', (code) => reject(new Error(`Prism exited with ${code}:\n${log.join('')}`)));
    });
  });

  after(async () => {
    if (prism && prism.exitCode === null) {
      const exited = new Promise((resolve) => prism.once('exit', resolve));
      prism.kill('SIGTERM');
      await exited;
    }
    await service?.stop();
    await relay?.stop().catch(() => undefined);
    if (service) await dropTestStore(directUrl ?? service.config.databaseUrl);
  });

  /** One request through Prism; fails on any violation Prism reports for it. */
  async function send(method: string, target: string, options: { body?: unknown; headers?: Record<string, string>; key?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? service.key}`, ...options.headers };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(base + target, init);
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const label = `${method} ${target.slice(0, 120)} -> ${response.status}`;
    sent.push(label);
    assert.equal(response.headers.get('sl-violations'), null, `${label}: Prism reports violations: ${response.headers.get('sl-violations')}`);
    assert.ok(!(typeof body?.type === 'string' && body.type.startsWith(PRISM_PROBLEM)), `${label}: answered by Prism, not the service: ${text}`);
    return { status: response.status, body, text, headers: response.headers };
  }

  async function expect(status: number, method: string, target: string, options?: Parameters<typeof send>[2]): Promise<Answer> {
    const answer = await send(method, target, options);
    assert.equal(answer.status, status, `${method} ${target.slice(0, 120)}: ${answer.text.slice(0, 300)}`);
    if (status >= 400 && method !== 'HEAD') assert.equal(answer.body.error_code, 1000 + status);
    return answer;
  }

  const collections = () => [
    {
      path: RR,
      create: { priority: 10, dir: 'incoming', fromnumber: '100*', periods: [{ from: '09:00', to: '18:00' }], opts: { title: 'day', comment: 'office hours' }, ext: { source: 'prism', nested: { a: 1 } } },
      patch: { priority: 11, opts: { title: null, comment: 'moved' }, ext: { source: null, reviewed: true } },
      filters: ['{"dir":"incoming"}', '["and",["==",["property","dir"],"incoming"],["in",["property","priority"],["list",10,11,12]]]'],
      order: '[{"priority":"desc"},"ext.ct"]',
      mask: 'id,priority,opts.title,ext.ct,ext.source',
    },
    {
      path: IP,
      create: {
        type: 'public',
        code: 'PRISM',
        url: 'http://trapper.example',
        opts: { title: 'hook', allow_files_api: true, recv_timeout: 30, roles: ['admin'], userid: '0b5f1a0e-4c2b-4f7e-9a59-3c1d2e4f5a6b' },
        ext: { source: 'prism' },
      },
      patch: { url: 'http://other.example', opts: { roles: null, issync: true } },
      filters: ['{"type":"public","code":"PRISM"}', '["or",["like",["property","code"],"PRI*"],["isnull",["property","opts.recv_timeout"]]]'],
      order: '["code",{"ext.lwt":"desc"}]',
      mask: 'id,tokenlocal,opts.roles,ext',
    },
  ];

  test('every operation of both collections, every list parameter, flat and mask', async () => {
    for (const collection of collections()) {
      const created = (await expect(200, 'POST', collection.path, { body: collection.create })).body;
      const twin = (await expect(200, 'POST', collection.path, { body: { ...collection.create, id: undefined } })).body;
      const item = `${collection.path}/${created.id}`;

      const lists = [
        '',
        ...collection.filters.map((filter) => `filter=${encodeURIComponent(filter)}`),
        `mask=${encodeURIComponent(collection.mask)}`,
        `mask=${encodeURIComponent(collection.mask)}&flat=true`,
        'flat=true',
        'flat=false',
        'offset=1&limit=1',
        'limit=0',
        `order=${encodeURIComponent(collection.order)}`,
        `filter=${encodeURIComponent(collection.filters[1])}&mask=${encodeURIComponent(collection.mask)}&offset=0&limit=5&order=${encodeURIComponent(collection.order)}&flat=true`,
      ];
      for (const query of lists) {
        const target = query ? `${collection.path}?${query}` : collection.path;
        await expect(200, 'GET', target);
        await expect(200, 'HEAD', target);
      }
      assert.ok((await expect(200, 'GET', `${collection.path}?flat=true`)).body.every((entity: object) => 'ext.ct' in entity));

      for (const query of ['', `?mask=${encodeURIComponent(collection.mask)}`, '?flat=true', `?mask=opts,ext&flat=true`]) {
        await expect(200, 'GET', item + query);
        await expect(200, 'HEAD', item + query);
      }
      const patched = (await expect(200, 'PATCH', item, { body: collection.patch })).body;
      assert.equal(patched.id, created.id);

      assert.deepEqual((await expect(200, 'POST', `${collection.path}:lookup`, { body: created.id })).body, [created.id]);
      assert.deepEqual((await expect(200, 'POST', collection.path, { body: created.id, headers: { 'x-http-method-override': 'LOOKUP' } })).body, [created.id]);
      assert.deepEqual((await expect(200, 'POST', `${collection.path}:lookup`, { body: created.id, key: readOnlyKey })).body, [created.id]);

      await expect(204, 'DELETE', `${collection.path}/${twin.id}`);
    }
    const point = (await expect(200, 'POST', IP, { body: { type: 'public', code: 'LOOKED-UP' } })).body;
    assert.deepEqual((await expect(200, 'POST', `${IP}:lookup`, { body: 'LOOKED-UP' })).body, [point.id]);
    assert.deepEqual((await expect(200, 'POST', IP, { body: point.token_local, headers: { 'x-http-method-override': 'LOOKUP' } })).body, [point.id]);
    assert.equal((await expect(200, 'GET', `${TOKENS}/${point.token_local}`)).body.id, point.id);
    await expect(200, 'HEAD', `${TOKENS}/${point.token_local}`);
    assert.deepEqual((await expect(200, 'GET', '/healthz')).body, { status: 'ok' });
    await expect(200, 'HEAD', '/healthz');
    await expect(200, 'HEAD', EVENTS);
  });

  test('error statuses: 400, 401, 403, 404, 409, 413, 414, 431', async () => {
    const rule = (await expect(200, 'POST', RR, { body: { priority: 20 } })).body;
    const item = `${RR}/${rule.id}`;
    const missing = `${RR}/00000000-0000-4000-8000-000000000000`;

    for (const query of ['filter=%7B', 'filter=%5B%22nope%22%5D', 'mask=nope', 'mask=id%2C%2C', 'order=priority', 'order=%5B%22periods%22%5D', 'limt=5']) {
      await expect(400, 'GET', `${RR}?${query}`);
      await expect(400, 'HEAD', `${RR}?${query}`);
    }
    await expect(400, 'GET', `${item}?mask=unknown`);
    await expect(400, 'POST', `${RR}?x=1`, { body: { priority: 1 } });
    await expect(400, 'PATCH', `${item}?x=1`, { body: { priority: 1 } });
    await expect(400, 'POST', `${RR}:lookup?limit=1`, { body: rule.id });
    await expect(400, 'GET', `${EVENTS}?since=1`);
    await expect(400, 'GET', RR, { headers: { 'x-http-method-override': 'LOOKUP' } });

    for (const [method, target, body] of [
      ['GET', RR],
      ['POST', RR, { priority: 1 }],
      ['GET', item],
      ['PATCH', item, { priority: 1 }],
      ['DELETE', item],
      ['POST', `${RR}:lookup`, rule.id],
      ['GET', `${TOKENS}/x`],
      ['GET', EVENTS],
    ] as const) {
      await expect(401, method, target, { body, key: 'not-a-key' });
    }

    await expect(403, 'POST', RR, { body: { priority: 1 }, key: readOnlyKey });
    await expect(403, 'PATCH', item, { body: { priority: 1 }, key: readOnlyKey });
    await expect(403, 'DELETE', item, { key: readOnlyKey });

    await expect(404, 'GET', missing);
    await expect(404, 'HEAD', missing);
    await expect(404, 'PATCH', missing, { body: { priority: 1 } });
    await expect(404, 'DELETE', missing);
    await expect(404, 'POST', `${RR}:lookup`, { body: 'no such key' });
    await expect(404, 'POST', RR, { body: 'no such key', headers: { 'x-http-method-override': 'LOOKUP' } });
    await expect(404, 'GET', `${TOKENS}/no-such-token`);
    await expect(404, 'HEAD', `${TOKENS}/no-such-token`);

    await expect(409, 'POST', RR, { body: { id: rule.id, priority: 1 } });
    await expect(413, 'POST', RR, { body: { priority: 1, ext: { padding: 'x'.repeat(BODY_LIMIT) } } });
    await expect(414, 'GET', `${RR}?mask=${'id,'.repeat(3000)}id`);
    await expect(431, 'GET', RR, { headers: { 'x-padding': 'x'.repeat(20_000) } });

    // Refused requests changed nothing.
    assert.deepEqual((await expect(200, 'GET', item)).body, rule);
  });

  test('the calendar, recording decisions, a storagerule in use and a decider key', async () => {
    const CALENDAR = '/rest/v1/domain/calendar';
    const DECISIONS = '/rest/v1/uc/recording_decisions';
    const STORAGE = '/rest/v1/domain/storagerules';
    const deciderKey = await addKey(service, 'default', 'decider');

    assert.equal(typeof (await expect(200, 'GET', CALENDAR)).body.timezone, 'string');
    await expect(200, 'HEAD', CALENDAR);
    const calendar = (await expect(200, 'PATCH', CALENDAR, { body: { timezone: 'Europe/Moscow', week: { '6': [{ from: '10:00', to: '14:00' }] } } })).body;
    assert.deepEqual(calendar.week['6'], [{ from: '10:00', to: '14:00' }]);
    await expect(400, 'PATCH', CALENDAR, { body: { timezone: 'Nowhere/Else' } });
    await expect(400, 'GET', `${CALENDAR}?x=1`);

    const storage = (await expect(200, 'POST', STORAGE, { body: { name: 'archive', expires: 30 } })).body;
    const rule = (await expect(200, 'POST', RR, { body: { priority: 1, dir: 'incoming', tonumber: '7*', storageruleid: storage.id } })).body;
    await expect(409, 'DELETE', `${STORAGE}/${storage.id}`);

    const call = { from: { number: '5550100' }, to: { number: '7001', domain: 'default' }, at: '2026-03-02T10:00:00Z' };
    const decision = (await expect(200, 'POST', `${DECISIONS}?trace=true`, { body: call })).body;
    assert.equal(decision.domains[0].rule.id, rule.id);
    assert.equal(decision.domains[0].storagerule.id, storage.id);
    assert.ok(Array.isArray(decision.domains[0].trace));
    await expect(200, 'POST', DECISIONS, { body: call, key: readOnlyKey });
    await expect(200, 'POST', DECISIONS, { body: call, key: deciderKey });
    // Valid by the schema, refused by the service: neither party is in a platform domain.
    await expect(400, 'POST', DECISIONS, { body: { from: { number: '1' }, to: { number: '2' } } });
    await expect(401, 'POST', DECISIONS, { body: call, key: 'not-a-key' });

    await expect(403, 'PATCH', CALENDAR, { body: { timezone: 'UTC' }, key: readOnlyKey });
    await expect(403, 'GET', CALENDAR, { key: deciderKey });
    await expect(403, 'GET', RR, { key: deciderKey });
    await expect(403, 'POST', `${RR}:lookup`, { body: rule.id, key: deciderKey });

    await expect(204, 'DELETE', `${RR}/${rule.id}`);
    await expect(204, 'DELETE', `${STORAGE}/${storage.id}`);
  });

  test('503 while the store is unreachable', { skip: !onPostgres && 'the embedded store cannot become unreachable' }, async () => {
    const rule = (await expect(200, 'POST', RR, { body: { priority: 30 } })).body;
    await relay!.stop();
    try {
      await expect(503, 'GET', `${RR}/${rule.id}`);
      await expect(503, 'POST', RR, { body: { priority: 31 } });
      await expect(503, 'POST', `${RR}:lookup`, { body: rule.id });
      await expect(503, 'GET', '/healthz');
    } finally {
      await relay!.start();
    }
    for (let attempt = 0; attempt < 50 && (await fetch(`${service.url}/healthz`)).status !== 200; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  });

  test('the change feed, read to its end', async () => {
    // Prism reads a whole body before validating it, so the stream is ended by stopping the service.
    const stream = send('GET', `${EVENTS}?collection=recordrules`);
    // A direct reader shows when the feed delivers (on PostgreSQL it may still be listening again after the outage).
    const direct = await EventStream.open(`${service.url}${EVENTS}?collection=recordrules`, service.key);
    let delivered: string | undefined;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (let attempt = 0; attempt < 20 && delivered === undefined; attempt++) {
        const created = await fetch(service.url + RR, { method: 'POST', headers: { authorization: `Bearer ${service.key}`, 'content-type': 'application/json' }, body: '{"priority":40}' });
        const { id } = (await created.json()) as { id: string };
        delivered = await direct.next(1000).then(
          (event) => (event.data as { id: string }).id,
          () => undefined,
        );
        if (delivered !== undefined) assert.equal(delivered, id);
      }
    } finally {
      direct.close();
    }
    assert.ok(delivered, 'the feed delivered a change');
    await service.stop();
    const answer = await stream;
    assert.equal(answer.status, 200);
    assert.ok(answer.text.includes(`event: create\ndata: {"op":"create","collection":"recordrules","id":"${delivered}"}`), answer.text);
  });

  test('Prism logged no violation for any of it', () => {
    const output = log.join('');
    assert.ok(sent.length > 100, `a realistic run: ${sent.length} requests`);
    assert.doesNotMatch(output, /Violation:/);
    assert.doesNotMatch(output, /Request terminated with error/);
  });
});
