// Classic SQL injection payloads through every parameter and body field:
// each is data or a 400, never SQL. Values are bound parameters and
// identifiers come only from declarations.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { IP, RR, useService } from './support/service.js';

const PAYLOADS = [`'; DROP TABLE recordrules; --`, `" OR 1=1 --`, `x') OR ('1'='1`, `1; DELETE FROM integration_points`, `$1`, `?`, `\\`, `*/ SELECT 1 /*`];

describe('SQL injection', () => {
  const { api } = useService();
  let snapshot: unknown;
  let rule: any;

  before(async () => {
    await api.create(IP, { type: 'public', code: 'kept' });
    rule = await api.create(RR, { priority: 1 });
    snapshot = await api.snapshot();
  });

  for (const payload of PAYLOADS) {
    test(`payload ${JSON.stringify(payload)} through every parameter`, async () => {
      const statuses = [
        (await api.get(RR, { filter: JSON.stringify({ schedule: payload }) })).status,
        (await api.get(RR, { filter: JSON.stringify({ [payload]: 1 }) })).status,
        (await api.get(RR, { filter: JSON.stringify({ [`ext.${payload}`]: 1 }) })).status,
        (await api.get(RR, { filter: JSON.stringify(['like', ['property', 'schedule'], payload]) })).status,
        (await api.get(RR, { filter: JSON.stringify(['in', ['property', 'dir'], ['list', payload, payload]]) })).status,
        (await api.get(RR, { mask: payload })).status,
        (await api.get(RR, { order: JSON.stringify([payload]) })).status,
        (await api.get(RR, { order: JSON.stringify([{ priority: payload }]) })).status,
        (await api.get(RR, { limit: payload })).status,
        (await api.get(RR, { offset: payload })).status,
        (await api.get(`${RR}/${encodeURIComponent(payload)}`)).status,
        (await api.delete(`${RR}/${encodeURIComponent(payload)}`)).status,
        (await api.lookup(IP, payload)).status,
        (await api.get(`/rest/v1/service/integration_tokens/${encodeURIComponent(payload)}`)).status,
      ];
      assert.ok(statuses.every((status) => status === 200 || status === 400 || status === 404), String(statuses));

      // Stored as plain data when it is a valid value.
      const created = await api.create(RR, { priority: 2, opts: { title: payload }, ext: { [payload]: payload } });
      assert.equal(created.opts.title, payload);
      assert.deepEqual((await api.get(RR, { filter: JSON.stringify({ 'opts.title': payload }), mask: 'id' })).body, [{ id: created.id }]);
      assert.equal((await api.delete(`${RR}/${created.id}`)).status, 204);
      assert.equal((await api.get(`${RR}/${rule.id}`)).status, 200);
      assert.deepEqual(await api.snapshot(), snapshot);
    });
  }
});
