// Generated hostile input against the live server (fast-check): bodies,
// query strings, filters, masks, orders, ids, headers and malformed raw
// HTTP. No response is a 5xx, every error is in the JSON error format, the
// server stays up, and the data of the domain under attack never changes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { RawConnection } from './support/raw-http.js';
import { addKey, Api, IP, RR, useService, type Reply } from './support/service.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const FIELDS = ['id', 'code', 'type', 'token_local', 'tokenlocal', 'url', 'priority', 'dir', 'rec', 'storageruleid', 'storageid', 'schedule', 'periods', 'opts', 'opts.title', 'opts.issync', 'opts.roles', 'opts.recv_timeout', 'ext', 'ext.ct', 'ext.x', 'ext.a-b', 'nope', '', '__proto__', 'constructor'];
const OPERATORS = ['and', 'or', 'not', '==', '!=', '>', '>=', '<', '<=', 'in', 'like', 'isnull', 'list', 'property', '~', ''];

// Any UTF-16 code units, lone surrogates among them (JSON.stringify spells those `\ud800`).
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 40 });
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), codeUnits, fc.constantFrom('\ud800', 'x\udc00', '\udfff\ud800'));
// Integers beyond 32 bits, which PostgreSQL's integer columns cannot hold.
const integer = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 32, Number.MAX_SAFE_INTEGER));
const scalar = fc.oneof(text, integer, fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(...FIELDS));
const field = fc.oneof(fc.constantFrom(...FIELDS), text);

/** Filter expressions shaped like the real grammar, but wrong in every way the grammar allows. */
const expression = fc.letrec<{ expr: unknown }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('==', '!=', '>', '>=', '<', '<=', 'like'), fc.tuple(fc.constant('property'), field), scalar),
    fc.tuple(fc.constant('in'), fc.tuple(fc.constant('property'), field), fc.array(scalar, { maxLength: 5 }).map((values) => ['list', ...values])),
    fc.tuple(fc.constant('isnull'), fc.oneof(fc.tuple(fc.constant('property'), field), scalar)),
    fc.tuple(fc.constantFrom('and', 'or'), tie('expr'), tie('expr')),
    fc.tuple(fc.constant('not'), tie('expr')),
    fc.array(fc.oneof(fc.constantFrom(...OPERATORS), scalar, tie('expr')), { maxLength: 4 }),
    fc.dictionary(field, scalar, { maxKeys: 4 }),
    scalar,
  ),
})).expr;

const queryValue = fc.oneof(text, fc.json(), expression.map((value) => JSON.stringify(value)), fc.array(field, { maxLength: 4 }).map((fields) => fields.join(',')), fc.integer().map(String));
const query = fc.dictionary(fc.oneof(fc.constantFrom('filter', 'mask', 'order', 'limit', 'offset', 'flat'), text), queryValue, { maxKeys: 4 });

/** Bodies that look like entities: real field names with values of every type. */
const entityLike = fc.dictionary(field, fc.oneof(scalar, fc.dictionary(field, scalar, { maxKeys: 3 }), fc.array(scalar, { maxLength: 3 })), { maxKeys: 6 });
const body = fc.oneof(fc.jsonValue(), entityLike);

describe('hostile input', () => {
  const service = useService({ bodyLimit: 64 * 1024 });
  const { api } = service;
  let scratch: Api;
  let cases = 0;
  let snapshot: unknown;
  let targets: { point: any; rule: any };

  before(async () => {
    targets = {
      point: await api.create(IP, { type: 'public', code: 'target', ext: { x: 1 } }),
      rule: await api.create(RR, { priority: 1, dir: 'incoming' }),
    };
    snapshot = await api.snapshot();
    // Writes that may succeed go to a domain of their own.
    scratch = new Api(service.current.url, await addKey(service.current, 'scratch'));
  });

  function assertWellFormed(reply: Reply, context: unknown): void {
    cases++;
    assert.ok(reply.status < 500, `${reply.status} ${reply.text} for ${JSON.stringify(context)}`);
    if (reply.status >= 400) {
      assert.equal(reply.body?.error_code, 1000 + reply.status, `${reply.text} for ${JSON.stringify(context)}`);
      assert.equal(typeof reply.body.error_message, 'string');
    }
  }

  // A URL can carry only well-formed text (encodeURIComponent throws on a lone surrogate); JSON in it can spell one.
  const uriComponent = (value: string) => encodeURIComponent(value.toWellFormed());
  const encode = (params: Record<string, string>) =>
    Object.entries(params)
      .map(([key, value]) => `${uriComponent(key)}=${uriComponent(value)}`)
      .join('&');

  test('query strings on lists and single entities', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom(IP, RR, `${IP}/${'x'}`), async (params, path) => {
        const target = path.endsWith('/x') ? `${IP}/${targets.point.id}` : path;
        assertWellFormed(await api.request('GET', `${target}?${encode(params)}`), params);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('filter expressions', async () => {
    await fc.assert(
      fc.asyncProperty(expression, fc.constantFrom(IP, RR), async (filter, path) => {
        assertWellFormed(await api.get(path, { filter: JSON.stringify(filter) }), filter);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('bodies on POST, PATCH and LOOKUP', async () => {
    const point = await scratch.create(IP, { type: 'public' });
    const rule = await scratch.create(RR, { priority: 1 });
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('POST', 'PATCH', 'LOOKUP'), fc.constantFrom(IP, RR), async (sent, method, path) => {
        const target = method === 'PATCH' ? `${path}/${path === IP ? point.id : rule.id}` : path;
        const reply = await scratch.request(method, target, sent);
        assertWellFormed(reply, { method, sent });
        // A create that happened to be valid is removed again.
        if (method === 'POST' && reply.status === 200) assert.equal((await scratch.delete(`${path}/${reply.body.id}`)).status, 204);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('calls to decide, calendars to PATCH, workdays and storagerules to create', async () => {
    const party = fc.dictionary(fc.oneof(fc.constantFrom('number', 'domain'), text), fc.oneof(scalar, fc.constantFrom('scratch', 'default', '', '*', '[1')), { maxKeys: 3 });
    const at = fc.oneof(scalar, fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-23T23:59:60Z', '2026-11-23T09:30:00+25:00'));
    const call = fc.oneof(fc.record({ from: party, to: party, at }, { requiredKeys: [] }), body);
    const calendar = fc.oneof(
      fc.record({ timezone: fc.oneof(scalar, fc.constantFrom('UTC', 'Europe/Moscow', 'Etc/GMT+5', 'utc', '../../etc', 'America/New_York ')), week: fc.oneof(body, fc.dictionary(fc.constantFrom('1', '6', '8', 'x'), fc.array(fc.dictionary(fc.constantFrom('from', 'to', 'days'), scalar, { maxKeys: 3 }), { maxLength: 2 }), { maxKeys: 2 })) }, { requiredKeys: [] }),
      body,
    );
    const paths = ['/rest/v1/domain/workdays', '/rest/v1/domain/storagerules'];
    await fc.assert(
      fc.asyncProperty(call, fc.boolean(), calendar, body, fc.constantFrom(...paths), async (sent, trace, document, entity, path) => {
        assertWellFormed(await scratch.post(`/rest/v1/uc/recording_decisions${trace ? '?trace=true' : ''}`, sent), sent);
        assertWellFormed(await api.post('/rest/v1/uc/recording_decisions', sent), sent);
        assertWellFormed(await scratch.patch('/rest/v1/domain/calendar', document), document);
        const created = await scratch.post(path, entity);
        assertWellFormed(created, entity);
        if (created.status === 200) assert.equal((await scratch.delete(`${path}/${created.body.id}`)).status, 204);
      }),
      { numRuns: RUNS },
    );
  });

  test('ids in paths, with every verb', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('GET', 'PATCH', 'DELETE', 'LOOKUP', 'PUT'), fc.constantFrom(IP, RR), async (id, method, path) => {
        const reply = await api.request(method, `${path}/${uriComponent(id)}`, method === 'PATCH' ? { priority: 1 } : undefined);
        assertWellFormed(reply, { id, method });
      }),
      { numRuns: RUNS },
    );
  });

  test('headers: content types, authorization, anything else', async () => {
    const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ 'content-type': fc.oneof(headerText, fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', '')) }),
        fc.option(fc.oneof(headerText, headerText.map((value) => `Bearer ${value}`))),
        fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), headerText, { maxKeys: 3 }),
        fc.constantFrom('GET', 'POST', 'LOOKUP'),
        async (contentType, authorization, extra, method) => {
          const headers = { ...contentType, ...extra, ...(authorization === null ? {} : { authorization }) };
          const reply = await scratch.request(method, RR, method === 'GET' ? undefined : { priority: 1 }, headers);
          assertWellFormed(reply, headers);
          if (method === 'POST' && reply.status === 200) await scratch.delete(`${RR}/${reply.body.id}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('malformed raw HTTP', async () => {
    const valid = `GET ${RR}?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Length: 0\r\n\r\n`;
    const mutation = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.tuple(fc.nat(valid.length), fc.nat(20), fc.string({ unit: 'binary', maxLength: 20 })).map(([at, cut, insert]) => Buffer.from(valid.slice(0, at) + insert + valid.slice(at + cut), 'latin1')),
      fc.array(fc.constantFrom('GET / HTTP/1.1', 'LOOKUP /rest/v1/uc/recordrules HTTP/1.1', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity', '0', 'zz', '', ' folded', 'Host:x'), { maxLength: 8 }).map((lines) => Buffer.from(lines.join('\r\n') + '\r\n\r\n')),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (bytes) => {
        const connection = await RawConnection.open(service.current.port);
        try {
          connection.write(bytes);
          const replies = await connection.read(1, 150).catch(() => []);
          for (const reply of replies) {
            cases++;
            assert.ok(reply.status < 500, `${reply.status} for ${JSON.stringify(bytes.toString('latin1'))}`);
            if (reply.status >= 400) assert.equal(reply.json?.error_code, 1000 + reply.status, `${reply.body} for ${JSON.stringify(bytes.toString('latin1'))}`);
          }
        } finally {
          connection.destroy();
        }
      }),
      { numRuns: RUNS * 2 },
    );
    assert.equal((await api.get('/healthz')).status, 200);
  });

  // The last test of the suite (useService's own after hook stops the server).
  test('afterwards the server is up and the attacked domain unchanged', async () => {
    assert.equal((await api.get('/healthz')).status, 200, 'the server is still up');
    assert.deepEqual(await api.snapshot(), snapshot, 'the attacked domain is unchanged');
    // The count of generated cases this run checked, for the record.
    console.log(`# hostile input: ${cases} generated cases, no 5xx, every error well-formed`);
  });
});
