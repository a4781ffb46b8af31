// JSON nesting is bounded: a request body deeper than 32 levels is a 400
// before anything parses it, however deep it goes; ext and periods have
// tighter bounds of their own (stored-limits.test.ts). Nothing nested is a
// 500, on either store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IP, RawBody, RR, useService } from './support/service.js';

const arrays = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const TOO_DEEP = { error_code: 1400, error_message: 'Request body is nested deeper than 32 levels' };

describe('JSON nesting', () => {
  const service = useService();
  const { api } = service;

  test('a body at 32 levels is parsed and judged field by field; at 33 it is refused as too deep', async () => {
    // The body object is level 1, ext level 2: 30 arrays in one of its keys make 32.
    const atBound = await api.post(RR, new RawBody(`{"priority":1,"ext":{"x":${arrays(30)}}}`));
    assert.equal(atBound.status, 400);
    assert.deepEqual(atBound.body.error_details, [{ field: 'ext', message: 'must not be nested deeper than 8 levels' }]);
    const over = await api.post(RR, new RawBody(`{"priority":1,"ext":{"x":${arrays(31)}}}`));
    assert.equal(over.status, 400);
    assert.deepEqual(over.body, TOO_DEEP);
  });

  test('bodies thousands of levels deep are a 400 on every operation that takes one', async () => {
    const rule = await api.create(RR, { priority: 1 });
    const before = await api.snapshot();
    for (const levels of [33, 5_000, 100_000]) {
      for (const text of [arrays(levels), objects(levels), `{"priority":1,"ext":{"x":${arrays(levels)}}}`]) {
        for (const reply of [
          await api.post(RR, new RawBody(text)),
          await api.patch(`${RR}/${rule.id}`, new RawBody(text)),
          await api.lookup(IP, new RawBody(text)),
        ]) {
          assert.equal(reply.status, 400, `${levels} levels: ${reply.text.slice(0, 100)}`);
          assert.deepEqual(reply.body, TOO_DEEP);
        }
      }
    }
    assert.deepEqual(await api.snapshot(), before);
  });

  test('brackets inside strings are text, not nesting', async () => {
    const text = '['.repeat(1000);
    const reply = await api.post(RR, { priority: 1, opts: { comment: text }, ext: { note: '{'.repeat(500) } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.opts.comment, text);
    assert.equal((await api.lookup(IP, `"\\"${'['.repeat(100)}`)).status, 404);
  });

  test('a filter nested thousands of levels deep is a 400', async () => {
    // As deep as fits in a request target (each bracket is %5B there).
    const reply = await api.get(RR, { filter: arrays(1300, '"x"') });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error_details[0].field, 'filter');
  });
});
