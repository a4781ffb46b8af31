// Every kind of bad input gets its status and error_code as a JSON error,
// and leaves what is stored exactly as it was.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { bearer, IP, RawBody, RR, useService, type Reply } from './support/service.js';

const SR = '/rest/v1/domain/storagerules';
const WD = '/rest/v1/domain/workdays';
const CALENDAR = '/rest/v1/domain/calendar';
const DECIDE = '/rest/v1/uc/recording_decisions';
// Lone surrogates, as JSON spells them (JSON.stringify writes these escapes).
const HIGH = '\ud800';
const LOW = '\udc00';

function assertError(reply: Reply, status: number, field?: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(reply.body.error_code, 1000 + status);
  assert.equal(typeof reply.body.error_message, 'string');
  if (field) assert.ok(reply.body.error_details?.some((detail: any) => detail.field === field), `names ${field}: ${reply.text}`);
}

describe('bad input', () => {
  const service = useService({ bodyLimit: 4096 });
  const { api } = service;
  let point: any;
  let rule: any;
  let storage: any;
  let workday: any;
  let snapshot: unknown;

  before(async () => {
    point = await api.create(IP, { type: 'public', code: 'KEEP', ext: { note: 'x' } });
    storage = await api.create(SR, { name: 'keep', expires: 30 });
    rule = await api.create(RR, { priority: 20 });
    workday = await api.create(WD, { date: '2031-01-02' });
    snapshot = await api.snapshot();
  });

  const cases: [string, () => Promise<Reply>, number, string?][] = [
    ['malformed JSON', () => api.post(RR, new RawBody('{"priority": 1,')), 400],
    ['empty JSON body', () => api.post(RR, new RawBody(''), { 'content-type': 'application/json' }), 400],
    ['a body that is not an object', () => api.post(RR, [1, 2]), 400, 'body'],
    ['null body', () => api.post(RR, null), 400, 'body'],
    ['missing required field', () => api.post(RR, { dir: 'inner' }), 400, 'priority'],
    ['wrong type', () => api.post(RR, { priority: '5' }), 400, 'priority'],
    ['fractional integer', () => api.post(RR, { priority: 1.5 }), 400, 'priority'],
    ['integer out of range', () => api.post(RR, { priority: 2 ** 31 }), 400, 'priority'],
    ['value outside the enum', () => api.post(RR, { priority: 1, dir: 'sideways' }), 400, 'dir'],
    ['rec other than 0/1', () => api.post(RR, { priority: 1, rec: 2 }), 400, 'rec'],
    ['malformed uuid', () => api.post(RR, { priority: 1, storageruleid: 'nope' }), 400, 'storageruleid'],
    ['malformed id', () => api.post(RR, { id: 'not-a-uuid', priority: 1 }), 400, 'id'],
    ['unknown top-level field', () => api.post(RR, { priority: 1, colour: 'red' }), 400, 'colour'],
    ['unknown opts key', () => api.post(RR, { priority: 1, opts: { colour: 'red' } }), 400, 'opts.colour'],
    ['opts not an object', () => api.post(RR, { priority: 1, opts: 'x' }), 400, 'opts'],
    ['ext not an object', () => api.post(IP, { type: 'x', ext: [] }), 400, 'ext'],
    ['token_local on create', () => api.post(IP, { type: 'x', token_local: 'a'.repeat(32) }), 400, 'token_local'],
    ['roles not strings', () => api.post(IP, { type: 'x', opts: { roles: [1] } }), 400, 'opts.roles.0'],
    // JSON.parse makes these Infinity, which would be stored and answered as null.
    ['a number beyond a double in ext', () => api.post(RR, new RawBody('{"priority":1,"ext":{"big":1e400}}')), 400, 'ext.big'],
    ['a negative number beyond a double in an ext list', () => api.post(IP, new RawBody('{"type":"x","ext":{"list":[1,-1e400]}}')), 400, 'ext.list.1'],
    ['PATCH ext with a number beyond a double', () => api.patch(`${IP}/${point.id}`, new RawBody('{"ext":{"note":1e999}}')), 400, 'ext.note'],
    ['a LOOKUP key beyond a double', () => api.lookup(IP, new RawBody('1e400')), 400, 'body'],
    ['null top-level field', () => api.post(RR, { priority: null }), 400, 'priority'],
    ['prototype poisoning', () => api.post(RR, new RawBody('{"priority":1,"__proto__":{"polluted":true}}')), 400],
    ['duplicate id', () => api.post(RR, { id: rule.id, priority: 1 }), 409, 'id'],
    ['duplicate id in another case', () => api.post(RR, { id: rule.id.toUpperCase(), priority: 1 }), 409, 'id'],
    ['oversized body', () => api.post(RR, { priority: 1, opts: { title: 'x'.repeat(5000) } }), 413],
    ['wrong content type', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'text/plain' }), 415],
    ['JSON labelled latin1', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'application/json; charset=ISO-8859-1' }), 415],
    ['JSON labelled utf-8 and then latin1', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'application/json; charset=utf-8; charset=latin1' }), 415],
    ['JSON labelled with a quote left open', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'application/json; charset="latin1' }), 415],
    ['JSON labelled charset*=', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'application/json; charset=utf-8; charset*=latin1' }), 415],
    ['JSON labelled UTF-16', () => api.post(RR, new RawBody('{"priority":1}'), { 'content-type': 'application/json; charset="utf-16"' }), 415],
    ['form content type (curl -d default)', () => api.post(RR, new RawBody('priority=1'), { 'content-type': 'application/x-www-form-urlencoded' }), 415],
    ['PATCH an unknown id', () => api.patch(`${RR}/00000000-0000-0000-0000-000000000000`, { priority: 1 }), 404],
    ['PATCH a prohibited field with a new value', () => api.patch(`${IP}/${point.id}`, { token_local: 'b'.repeat(32) }), 400, 'token_local'],
    ['PATCH id with a new value', () => api.patch(`${RR}/${rule.id}`, { id: '00000000-0000-0000-0000-000000000000' }), 400, 'id'],
    ['PATCH a wrong type', () => api.patch(`${RR}/${rule.id}`, { priority: 'high' }), 400, 'priority'],
    ['PATCH an unknown field', () => api.patch(`${RR}/${rule.id}`, { nope: 1 }), 400, 'nope'],
    ['PATCH with a body that is not an object', () => api.patch(`${RR}/${rule.id}`, 'x'), 400, 'body'],
    ['GET an unknown id', () => api.get(`${RR}/00000000-0000-0000-0000-000000000000`), 404],
    ['GET a malformed id', () => api.get(`${RR}/not-an-id`), 404],
    ['DELETE an unknown id', () => api.delete(`${IP}/00000000-0000-0000-0000-000000000000`), 404],
    ['LOOKUP with a non-string body', () => api.lookup(IP, { key: 'x' }), 400, 'body'],
    ['LOOKUP with a number', () => api.lookup(RR, 5), 400, 'body'],
    ['LOOKUP with malformed JSON', () => api.lookup(RR, new RawBody('"unterminated')), 400],
    ['LOOKUP an empty key', () => api.lookup(IP, ''), 404],
    ['filter not JSON', () => api.get(RR, { filter: '{dir:incoming}' }), 400, 'filter'],
    ['filter on an unknown field', () => api.get(RR, { filter: '{"colour":"red"}' }), 400, 'filter.colour'],
    ['filter with a wrong type', () => api.get(RR, { filter: '{"priority":"50"}' }), 400, 'filter.priority'],
    ['filter on an array field', () => api.get(RR, { filter: '{"periods":[]}' }), 400, 'filter.periods'],
    ['filter with an unknown operator', () => api.get(RR, { filter: '["~=", ["property","dir"], "x"]' }), 400, 'filter'],
    ['filter expression with a bad operand', () => api.get(RR, { filter: '["==", "dir", "x"]' }), 400, 'filter'],
    ['filter like on a number', () => api.get(RR, { filter: '["like", ["property","priority"], "1*"]' }), 400, 'filter.priority'],
    ['filter nested too deep', () => api.get(RR, { filter: JSON.stringify(Array.from({ length: 40 }).reduce((inner) => ['not', inner], ['isnull', ['property', 'dir']])) }), 400, 'filter'],
    ['filter that is a scalar', () => api.get(RR, { filter: '5' }), 400, 'filter'],
    ['mask with an unknown field', () => api.get(RR, { mask: 'id,colour' }), 400, 'mask.colour'],
    ['mask with an empty item', () => api.get(RR, { mask: 'id,,dir' }), 400, 'mask'],
    ['mask on GET one with an unknown field', () => api.get(`${RR}/${rule.id}`, { mask: 'nope' }), 400, 'mask.nope'],
    ['limit too large', () => api.get(RR, { limit: '10001' }), 400, 'limit'],
    ['limit not a number', () => api.get(RR, { limit: 'ten' }), 400, 'limit'],
    ['negative offset', () => api.get(RR, { offset: '-1' }), 400, 'offset'],
    ['order not JSON', () => api.get(RR, { order: 'priority' }), 400, 'order'],
    ['order on an unknown field', () => api.get(RR, { order: '["colour"]' }), 400, 'order.colour'],
    ['order with a bad direction', () => api.get(RR, { order: '[{"priority":"up"}]' }), 400, 'order.priority'],
    ['flat not a boolean', () => api.get(RR, { flat: 'yes' }), 400, 'flat'],
    ['unknown parameter', () => api.get(RR, { limt: '5' }), 400, 'limt'],
    ['repeated parameter', () => api.request('GET', `${RR}?limit=1&limit=2`), 400, 'limit'],
    ['parameters on a write', () => api.request('POST', `${RR}?mask=id`, { priority: 1 }), 400, 'mask'],
    ['NUL in a body string', () => api.post(RR, { priority: 1, schedule: 'a\u0000b' }), 400, 'schedule'],
    ['NUL in an ext key', () => api.post(IP, { type: 'x', ext: { 'k\u0000': 1 } }), 400, 'ext.k\u0000'],
    ['NUL in an id', () => api.get(`${RR}/%00`), 400],
    ['NUL in a filter value', () => api.get(RR, { filter: '{"dir":"\u0000"}' }), 400],
    // JSON spells U+0000 as \u0000, which the URL check cannot see.
    ['NUL escaped in a filter value', () => api.get(IP, { filter: '["==",["property","id"],"\\u0000"]' }), 400, 'filter'],
    ['NUL escaped in a filter key', () => api.get(RR, { filter: '{"dir\\u0000":"incoming"}' }), 400, 'filter'],
    ['NUL escaped in an order field', () => api.get(RR, { order: '["prio\\u0000rity"]' }), 400, 'order'],
    ['NUL in a LOOKUP key', () => api.lookup(IP, '\u0000'), 400, 'body'],
    // Not well-formed Unicode: PostgreSQL's jsonb refuses it, text columns would keep U+FFFD.
    ['lone surrogate in an ext value', () => api.post(RR, { priority: 1, ext: { a: HIGH } }), 400, 'ext.a'],
    ['lone surrogate as an ext key', () => api.post(RR, { ext: { [LOW]: 1 } }), 400, `ext.${LOW}`],
    ['lone surrogate in a text field', () => api.post(RR, { priority: 1, opts: { title: `${HIGH}x` } }), 400, 'opts.title'],
    ['lone surrogate in a nested ext value', () => api.post(IP, { type: 'x', ext: { deep: [{ k: `x${LOW}` }] } }), 400, 'ext.deep.0.k'],
    ['reversed surrogate pair', () => api.post(SR, { name: `${LOW}${HIGH}`, expires: 1 }), 400, 'name'],
    ['PATCH recordrules with a lone surrogate', () => api.patch(`${RR}/${rule.id}`, { ext: { a: HIGH } }), 400, 'ext.a'],
    ['PATCH storagerules with a lone surrogate', () => api.patch(`${SR}/${storage.id}`, { ext: { a: HIGH } }), 400, 'ext.a'],
    ['PATCH workdays with a lone surrogate key', () => api.patch(`${WD}/${workday.id}`, { ext: { [LOW]: 1 } }), 400, `ext.${LOW}`],
    ['PATCH the calendar with a lone surrogate', () => api.patch(CALENDAR, { timezone: `UTC${HIGH}` }), 400, 'timezone'],
    ['a LOOKUP key with a lone surrogate', () => api.lookup(IP, `tok${HIGH}`), 400, 'body'],
    ['POST :lookup with a lone surrogate', () => api.post(`${RR}:lookup`, LOW), 400, 'body'],
    ['a decision for a number with a lone surrogate', () => api.post(DECIDE, { from: { number: `1${HIGH}` }, to: { number: '2', domain: 'default' }, at: '2026-11-23T09:30:00Z' }), 400, 'from.number'],
    ...[IP, RR, SR, WD].map((collection): [string, () => Promise<Reply>, number, string] => [`filter on ${collection} with a lone surrogate`, () => api.get(collection, { filter: '{"ext.a":"\\ud800"}' }), 400, 'filter']),
    ['filter key with a lone surrogate', () => api.get(RR, { filter: '{"ext.\\udc00":1}' }), 400, 'filter'],
    ['filter expression with a lone surrogate', () => api.get(RR, { filter: '["like",["property","opts.title"],"\\ud800*"]' }), 400, 'filter'],
    ['order with a lone surrogate', () => api.get(RR, { order: '["ext.\\ud800"]' }), 400, 'order'],
    // Integers compared with a field lie within its declared bounds (a 32-bit column on PostgreSQL).
    ['filter integer above the 32-bit range', () => api.get(RR, { filter: '{"priority":2147483648}' }), 400, 'filter.priority'],
    ['filter integer below the 32-bit range', () => api.get(RR, { filter: '["<",["property","priority"],-2147483649]' }), 400, 'filter.priority'],
    ['filter comparison with the largest safe integer', () => api.get(RR, { filter: '[">",["property","priority"],9007199254740991]' }), 400, 'filter.priority'],
    ['filter integer beyond a declared maximum', () => api.get(SR, { filter: '{"expires":2147483648}' }), 400, 'filter.expires'],
    ['filter integer below a declared minimum', () => api.get(WD, { filter: '{"asdow":-1}' }), 400, 'filter.asdow'],
    ['filter in-list with an integer out of range', () => api.get(IP, { filter: '["in",["property","opts.recv_timeout"],["list",1,4294967296]]' }), 400, 'filter.opts.recv_timeout'],
    ['unknown path', () => api.get('/rest/v1/uc/nothing'), 404],
    ['wrong verb on the collection', () => api.request('PUT', RR, { priority: 1 }), 405],
    ['wrong verb on an entity', () => api.request('POST', `${RR}/${rule.id}`, { priority: 1 }), 405],
  ];

  for (const [name, send, status, field] of cases) {
    test(`${name}: ${status}`, async () => {
      assertError(await send(), status, field);
    });
  }

  test('nothing stored changed', async () => {
    assert.deepEqual(await api.snapshot(), snapshot);
    assert.deepEqual((await api.get(`${SR}/${storage.id}`)).body, storage);
    assert.deepEqual((await api.get(`${WD}/${workday.id}`)).body, workday);
    assert.equal((await api.get(CALENDAR)).body.timezone, 'UTC');
  });

  test('integers at the bounds a field declares still filter, and surrogate pairs are text like any other', async () => {
    assert.deepEqual((await api.get(RR, { filter: '["<=",["property","priority"],2147483647]', mask: 'id' })).body, [{ id: rule.id }]);
    assert.deepEqual((await api.get(RR, { filter: '[">=",["property","priority"],-2147483648]', mask: 'id' })).body, [{ id: rule.id }]);
    assert.deepEqual((await api.get(SR, { filter: '{"expires":0}' })).body, []);
    const emoji = await api.create(RR, { priority: 1, opts: { title: '\ud83c\udf99 mic' }, ext: { mic: '\ud83c\udf99' } });
    assert.equal(emoji.opts.title, '\u{1f399} mic');
    assert.deepEqual((await api.get(RR, { filter: '{"ext.mic":"\\ud83c\\udf99"}', mask: 'id' })).body, [{ id: emoji.id }]);
    assert.equal((await api.delete(`${RR}/${emoji.id}`)).status, 204);
  });

  test('JSON labelled UTF-8 in any spelling, or not labelled, is read', async () => {
    for (const type of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json; charset=utf8', 'application/json']) {
      const reply = await api.post(RR, new RawBody('{"priority":1,"opts":{"title":"é"}}'), { 'content-type': type });
      assert.equal(reply.status, 200, type);
      assert.equal(reply.body.opts.title, 'é');
      assert.equal((await api.delete(`${RR}/${reply.body.id}`)).status, 204);
    }
  });

  test('a long charset is named shortly in the refusal', async () => {
    const reply = await api.post(RR, new RawBody('{"priority":1}'), { 'content-type': `application/json; charset=${'x'.repeat(5000)}` });
    assertError(reply, 415);
    assert.ok(reply.body.error_message.length < 200, reply.body.error_message);
  });

  test('the PATCH is all or nothing: one bad field, no field applied', async () => {
    const reply = await api.patch(`${RR}/${rule.id}`, { dir: 'inner', priority: 'x' });
    assertError(reply, 400, 'priority');
    assert.equal((await api.get(`${RR}/${rule.id}`)).body.dir, '');
  });

  test('405 names what is allowed', async () => {
    const reply = await api.request('PUT', RR, { priority: 1 });
    assert.equal(reply.headers.get('allow'), 'GET, HEAD, POST, LOOKUP, QUERY');
  });

  test('a body larger than the limit, announced by Content-Length, is refused before it is read', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(`POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 413);
      assert.equal(reply.json.error_code, 1413);
    } finally {
      connection.destroy();
    }
    assert.deepEqual(await api.snapshot(), snapshot);
  });

  test('two Content-Type fields are a 400, whichever one a proxy in front would read', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      const body = '{"priority":1}';
      connection.write(
        `POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.current.key}\r\nContent-Type: application/json\r\n` +
          `Content-Type: application/json; charset=latin1\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error_message, 'Content-Type must be sent once');
    } finally {
      connection.destroy();
    }
    assert.deepEqual(await api.snapshot(), snapshot);
  });

  test('a raw request with no body and no content type', async () => {
    const connection = await RawConnection.open(service.current.port);
    try {
      connection.write(rawRequest('POST', RR, undefined, bearer(service.current.key)));
      const [reply] = await connection.read(1);
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error_code, 1400);
    } finally {
      connection.destroy();
    }
  });
});
