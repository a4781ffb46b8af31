// Bodies built to cost the service more than they cost the sender (many
// thousands of wrong items or unknown keys), bytes that are not UTF-8, a
// delete racing a write that names what it deletes, and names the contract
// does not know dressed as JavaScript's own (constructor, __proto__). Runs on
// the embedded store, or on PostgreSQL with TEST_POSTGRES_URL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { addKey, IP, RawBody, RR, useService } from './support/service.js';

const STORAGERULES = '/rest/v1/domain/storagerules';
const WORKDAYS = '/rest/v1/domain/workdays';
const CALENDAR = '/rest/v1/domain/calendar';
const DECISIONS = '/rest/v1/uc/recording_decisions';

/** A JSON array of `count` ones: each item is one schema error where objects or strings are due. */
const ones = (count: number) => `[${Array(count).fill('1').join(',')}]`;

describe('hostile bodies, races and inherited names', () => {
  const service = useService();
  const { api } = service;

  /** Sends bytes exactly as given, so a test can send what is not UTF-8. */
  async function postBytes(path: string, bytes: Buffer) {
    const response = await fetch(api.baseUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json; charset=utf-8' },
      body: new Blob([new Uint8Array(bytes)]),
    });
    const text = await response.text();
    return { status: response.status, text };
  }

  test('a body under BODY_LIMIT with 130,000 wrong array items is a 400, not a 500', async () => {
    // About 260 KB. Every item is reported; the report was spread into one
    // push() call, which overflows the stack past about 120,000 arguments.
    const rule = await api.create(RR, { priority: 1 });
    const before = await api.snapshot();
    for (const [label, reply] of [
      ['POST recordrules periods', await api.post(RR, new RawBody(`{"priority":1,"periods":${ones(130_000)}}`))],
      ['PATCH recordrules periods', await api.patch(`${RR}/${rule.id}`, new RawBody(`{"periods":${ones(130_000)}}`))],
      ['POST integration_points opts.roles', await api.post(IP, new RawBody(`{"type":"x","opts":{"roles":${ones(130_000)}}}`))],
      ['POST workdays periods', await api.post(WORKDAYS, new RawBody(`{"date":"2030-01-02","periods":${ones(130_000)}}`))],
    ] as const) {
      assert.equal(reply.status, 400, `${label}: ${reply.text.slice(0, 120)}`);
      assert.equal(reply.body.error_code, 1400, label);
    }
    assert.deepEqual(await api.snapshot(), before);
  });

  test('the answer to a refused calendar PATCH is not many times larger than the request', async () => {
    // 1 MB of wrong period items drew a 26 MB error report, built while the
    // event loop served nothing else for several seconds.
    const body = `{"week":{"1":${ones(500_000)}}}`;
    const reply = await api.patch(CALENDAR, new RawBody(body));
    assert.equal(reply.status, 400);
    assert.ok(reply.text.length <= body.length, `a ${body.length}-byte request drew a ${reply.text.length}-byte answer`);
  });

  test('an object with many thousand unknown keys is one error; more than 100 problems are counted, not listed', async () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `"k${i}":1`).join(',');
    const reply = await api.post(RR, new RawBody(`{"priority":1,${keys}}`));
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error_details.length, 1, JSON.stringify(reply.body.error_details.slice(0, 3)));
    assert.match(reply.body.error_details[0].message, /^has more than \d+ fields$/);
    // A few unknown keys are still each named.
    const few = await api.post(RR, { priority: 1, nope: 1, nada: 2 });
    assert.deepEqual(few.body.error_details, [{ field: 'nope', message: 'unknown field' }, { field: 'nada', message: 'unknown field' }]);
    // 64 periods (within the bound), each wrong in three ways: 192 problems, 100 listed.
    const periods = Array.from({ length: 64 }, () => ({ from: 'x', to: 'y', extra: 1 }));
    const many = await api.post(RR, { priority: 1, periods });
    assert.equal(many.status, 400);
    assert.equal(many.body.error_details.length, 101);
    assert.match(many.body.error_details[100].message, /^and \d+ more problems, not listed$/);
  });

  test("a period's days over maxItems is one detail: its items are not compared with each other", async () => {
    // uniqueItems compares items pairwise unless the schema beside it says they are scalars:
    // 50,000 distinct days (290 KB) held the event loop for seconds, 1 MB for over a minute.
    const reply = await api.post(RR, new RawBody(`{"priority":1,"periods":[{"days":${ones(8)},"from":"09:00","to":"18:00"}]}`));
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.error_details, [{ field: 'periods.0.days', message: 'must have at most 7 items' }]);
  });

  test('a mask of 200,000 digits is a 400 naming the field, not a 500', async () => {
    // The mask's own check used to run on a string already over its maxLength, and spread its
    // literal prefix into one call, which overflows the stack past about 120,000 arguments.
    const rule = await api.create(RR, { priority: 1 });
    for (const [label, reply] of [
      ['POST tonumber', await api.post(RR, new RawBody(`{"priority":1,"tonumber":"${'7'.repeat(200_000)}"}`))],
      ['PATCH fromnumber', await api.patch(`${RR}/${rule.id}`, new RawBody(`{"fromnumber":"${'7'.repeat(200_000)}"}`))],
    ] as const) {
      assert.equal(reply.status, 400, `${label}: ${reply.text.slice(0, 120)}`);
      assert.deepEqual(reply.body.error_details, [{ field: label.split(' ')[1], message: 'must be at most 128 characters' }]);
    }
  });

  test('invalid UTF-8 in a body is refused like a lone surrogate, not stored as U+FFFD', async () => {
    // docs/contract.md, "Text": a lone surrogate "is a 400 naming the field,
    // not stored as U+FFFD". ED A0 80 is that surrogate (U+D800) as raw bytes;
    // FF and the overlong C0 AF are no UTF-8 at all.
    const before = await api.snapshot();
    for (const bad of [[0xed, 0xa0, 0x80], [0xff], [0xc0, 0xaf]]) {
      const bytes = Buffer.concat([Buffer.from('{"priority":1,"opts":{"title":"'), Buffer.from(bad), Buffer.from('"}}')]);
      const reply = await postBytes(RR, bytes);
      assert.equal(reply.status, 400, `bytes ${Buffer.from(bad).toString('hex')}: ${reply.text.slice(0, 200)}`);
    }
    assert.deepEqual(await api.snapshot(), before);
  });

  test('a storagerule named by a recordrule is never deleted, even when both requests race', async () => {
    // RECORDING.md: "a storagerule still named by a rule cannot be deleted (409)".
    let dangling = 0;
    for (let round = 0; round < 30; round++) {
      const rule = await api.create(STORAGERULES, { name: `race ${round}`, expires: 1 });
      const [deleted, created] = await Promise.all([
        api.delete(`${STORAGERULES}/${rule.id}`),
        api.post(RR, { priority: 5, storageruleid: rule.id }),
      ]);
      if (deleted.status === 204 && created.status === 200) dangling++;
      if (created.status === 200) await api.delete(`${RR}/${created.body.id}`);
    }
    assert.equal(dangling, 0, `${dangling} of 30 races deleted a storagerule and stored a recordrule naming it`);
  });

  test('mask refuses inherited property names of opts as it refuses other unknown keys', async () => {
    await api.create(RR, { priority: 1 });
    assert.equal((await api.get(RR, { mask: 'opts.nope' })).status, 400);
    for (const path of ['opts.constructor', 'opts.toString', 'opts.__proto__', 'opts.hasOwnProperty']) {
      const reply = await api.get(RR, { mask: path });
      assert.equal(reply.status, 400, `${path}: ${reply.text.slice(0, 100)}`);
      assert.deepEqual(reply.body.error_details, [{ field: `mask.${path}`, message: 'unknown field' }]);
    }
  });

  test('a decision refuses an `at` whose offset is not RFC 3339 (time-numoffset needs the colon)', async () => {
    // RFC 3339 section 5.6: time-numoffset = ("+" / "-") time-hour ":" time-minute.
    const reply = await api.post(DECISIONS, { from: { number: '1' }, to: { number: '2', domain: 'default' }, at: '2026-11-23T09:30:00+0300' });
    assert.equal(reply.status, 400, reply.text.slice(0, 200));
    assert.equal(reply.body.error_details[0].field, 'at');
  });

  test('two Authorization fields are refused, whichever of them holds a key', async () => {
    const other = await addKey(service.current, 'elsewhere');
    for (const keys of [[api.key, other], ['not-a-key', api.key]]) {
      const connection = await RawConnection.open(service.current.port);
      try {
        connection.write(rawRequest('GET', RR, undefined, {}).replace('Host: localhost', `Host: localhost\r\nAuthorization: Bearer ${keys[0]}\r\nAuthorization: Bearer ${keys[1]}`));
        const [reply] = await connection.read(1);
        assert.equal(reply.status, 400);
        assert.deepEqual(reply.json, { error_code: 1400, error_message: 'Authorization must be sent once' });
      } finally {
        connection.destroy();
      }
    }
  });

  test('a calendar time zone is stored as the time zone database spells it', async () => {
    const reply = await api.patch(CALENDAR, { timezone: 'europe/moscow' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.timezone, 'Europe/Moscow');
    assert.equal((await api.get(CALENDAR)).body.timezone, 'Europe/Moscow');
  });
});
