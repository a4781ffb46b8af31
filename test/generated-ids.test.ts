// Generated ids are UUIDv7 and increase one after another within a process,
// many within one millisecond included (the list's default order, creation
// time then id, relies on it); tokens are 32 hex characters; neither repeats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomToken, timeOrderedUuid } from '../src/entity/generated-ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids made in a tight loop are well-formed UUIDv7, strictly increasing, their time the clock', () => {
  const before = Date.now();
  const ids = Array.from({ length: 100_000 }, () => timeOrderedUuid());
  const after = Date.now();
  for (let i = 0; i < ids.length; i++) {
    assert.match(ids[i], V7);
    if (i > 0) assert.ok(ids[i] > ids[i - 1], `${ids[i]} after ${ids[i - 1]}`);
  }
  const msecsOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.ok(msecsOf(ids[0]) >= before && msecsOf(ids[0]) <= after);
  // Far fewer milliseconds than ids: the counter, not the clock, ordered most of them.
  assert.ok(new Set(ids.map(msecsOf)).size < ids.length / 10);
});

test('tokens are 32 lowercase hex characters and do not repeat', () => {
  const tokens = Array.from({ length: 10_000 }, () => randomToken());
  for (const token of tokens) assert.match(token, /^[0-9a-f]{32}$/);
  assert.equal(new Set(tokens).size, tokens.length);
  // The random parts of ids and tokens come from one pool: none is handed out twice.
  const tails = Array.from({ length: 10_000 }, () => timeOrderedUuid().slice(-12));
  assert.equal(new Set(tails).size, tails.length);
});
