// Every stored value has a declared bound: text fields their length, arrays
// their size, ext its keys, values and nesting. A value at the bound is
// stored; one past it is a 400 naming the field, on create and on PATCH,
// and the bounds appear in the OpenAPI schemas.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import type { CollectionModel, Leaf } from '../src/collections/model.js';
import { IP, RR, useService } from './support/service.js';

let models: CollectionModel[];

let days = 0;
/** A date no earlier body used: workdays' dates are unique in a domain. */
const freshDate = () => new Date(Date.UTC(2000, 0, 1) + days++ * 86_400_000).toISOString().slice(0, 10);

/** The smallest body a collection accepts on create. */
function minimalBody(model: CollectionModel): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(model.declaration.fields)) {
    if (field.kind === 'scalar' && field.required) body[name] = field.type === 'integer' ? 1 : field.format === 'date' ? freshDate() : 'x';
  }
  return body;
}

function withLeaf(body: Record<string, unknown>, leaf: Leaf, value: unknown): Record<string, unknown> {
  return leaf.key === undefined ? { ...body, [leaf.top]: value } : { ...body, [leaf.top]: { [leaf.key]: value } };
}

/** String leaves a client writes: each must have a maximum length. */
const textLeaves = (model: CollectionModel) =>
  model.leaves.filter((leaf) => leaf.field.kind === 'scalar' && leaf.field.type === 'string' && leaf.field.enum === undefined && leaf.field.mode !== 'out');
/** Those that take any text up to their length (a date has a fixed form, checked apart). */
const freeTextLeaves = (model: CollectionModel) => textLeaves(model).filter((leaf) => leaf.field.kind === 'scalar' && leaf.field.format === undefined);

const deep = (levels: number): unknown => (levels === 0 ? 1 : [deep(levels - 1)]);

describe('stored limits', () => {
  const service = useService();
  const { api } = service;

  before(async () => {
    models = await loadCollections();
  });

  test('every free-text field stores its maximum length and refuses one character more', async () => {
    let checked = 0;
    for (const model of models) {
      for (const leaf of freeTextLeaves(model)) {
        const max = (leaf.field as { maxLength?: number }).maxLength;
        assert.ok(max !== undefined && max > 0, `${model.name} ${leaf.path} declares a maximum length`);
        const atBound = 'é'.repeat(max); // characters, not bytes: two UTF-8 bytes each
        const stored = await api.post(model.path, withLeaf(minimalBody(model), leaf, atBound));
        assert.equal(stored.status, 200, `${model.name} ${leaf.path} at ${max}: ${stored.text}`);
        const read = await api.get(`${model.path}/${stored.body.id}`);
        assert.equal(leaf.key === undefined ? read.body[leaf.top] : read.body[leaf.top][leaf.key], atBound);

        const over = await api.post(model.path, withLeaf(minimalBody(model), leaf, `${atBound}x`));
        assert.equal(over.status, 400, `${model.name} ${leaf.path} over ${max}`);
        assert.deepEqual(over.body.error_details, [{ field: leaf.path, message: `must be at most ${max} characters` }]);
        const patched = await api.patch(`${model.path}/${stored.body.id}`, withLeaf({}, leaf, `${atBound}x`));
        assert.equal(patched.status, 400);
        assert.equal((await api.get(`${model.path}/${stored.body.id}`)).text, read.text, 'a refused PATCH changes nothing');
        checked++;
      }
    }
    assert.ok(checked >= 15, `${checked} text fields`);
    // A date is "YYYY-MM-DD": its maximum length is the form's.
    const longDate = await api.post('/rest/v1/domain/workdays', { date: `${freshDate()}x` });
    assert.equal(longDate.status, 400);
    assert.deepEqual(longDate.body.error_details.map((detail: { field: string }) => detail.field), ['date', 'date']);
  });

  test('arrays: opts.roles items and count, periods count and item fields', async () => {
    const cases: [string, Record<string, unknown>, number, string?][] = [
      [IP, { type: 'x', opts: { roles: Array(64).fill('r'.repeat(64)) } }, 200],
      [IP, { type: 'x', opts: { roles: Array(65).fill('r') } }, 400, 'opts.roles'],
      [IP, { type: 'x', opts: { roles: ['r'.repeat(65)] } }, 400, 'opts.roles.0'],
      [RR, { priority: 1, periods: Array(64).fill({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }) }, 200],
      [RR, { priority: 1, periods: Array(65).fill({ from: '09:00', to: '18:00' }) }, 400, 'periods'],
      [RR, { priority: 1, periods: [{ from: `09:00${' '.repeat(5000)}`, to: '18:00' }] }, 400, 'periods.0.from'],
      [RR, { priority: 1, periods: [{ from: '09:00', to: '18:00', note: 'x' }] }, 400, 'periods.0.note'],
      ['/rest/v1/domain/workdays', { date: freshDate(), isworkday: 2, periods: Array(65).fill({ from: '09:00', to: '18:00' }) }, 400, 'periods'],
    ];
    for (const [path, body, status, field] of cases) {
      const reply = await api.post(path, body);
      assert.equal(reply.status, status, `${JSON.stringify(body).slice(0, 80)}: ${reply.text.slice(0, 200)}`);
      if (field) assert.equal(reply.body.error_details[0].field, field);
    }
  });

  test('ext: key count (after PATCH merges too), key length, value size and nesting', async () => {
    const keys = (count: number, from = 0) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, i]));
    const full = await api.post(RR, { priority: 1, ext: keys(32) });
    assert.equal(full.status, 200);
    assert.equal((await api.post(RR, { priority: 1, ext: keys(33) })).status, 400);
    // ct and lwt sent back with the client's keys do not count.
    assert.equal((await api.patch(`${RR}/${full.body.id}`, { ext: { ...full.body.ext, k0: 'changed' } })).status, 200);

    // Each PATCH is small; the merged result would not be.
    const grown = await api.patch(`${RR}/${full.body.id}`, { ext: { extra: 1 } });
    assert.equal(grown.status, 400);
    assert.deepEqual(grown.body.error_details, [{ field: 'ext', message: 'may hold at most 32 keys besides ct and lwt' }]);
    assert.equal(Object.keys((await api.get(`${RR}/${full.body.id}`)).body.ext).length, 34);
    // Removing one makes room for one.
    assert.equal((await api.patch(`${RR}/${full.body.id}`, { ext: { k1: null, extra: 1 } })).status, 200);

    const cases: [unknown, number][] = [
      [{ ['n'.repeat(64)]: 1 }, 200],
      [{ ['n'.repeat(65)]: 1 }, 400],
      [{ v: 'x'.repeat(1022) }, 200], // "x…x": 1024 bytes
      [{ v: 'x'.repeat(1023) }, 400],
      [{ v: deep(7) }, 200], // ext is level 1: 7 arrays make 8
      [{ v: deep(8) }, 400],
    ];
    for (const [ext, status] of cases) {
      const reply = await api.post(RR, { priority: 1, ext });
      assert.equal(reply.status, status, `${JSON.stringify(ext).slice(0, 60)}: ${reply.text.slice(0, 200)}`);
      if (status === 400) assert.match(reply.body.error_details[0].field, /^ext/);
    }
  });

  test('the bounds are in the OpenAPI schemas', async () => {
    const { body: document } = await api.get('/openapi.json');
    for (const model of models) {
      const entity = model.entity.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      for (const purpose of ['', 'Create', 'Patch']) {
        const schema = document.components.schemas[`${entity}${purpose}`];
        for (const leaf of textLeaves(model)) {
          const property = leaf.key === undefined ? schema.properties[leaf.top] : schema.properties[leaf.top].properties[leaf.key];
          assert.equal(property.maxLength, (leaf.field as { maxLength: number }).maxLength, `${entity}${purpose} ${leaf.path}`);
        }
        assert.equal(schema.properties.ext['x-maxClientKeys'], 32);
        assert.equal(schema.properties.ext['x-maxDepth'], 8);
        assert.equal(schema.properties.ext.additionalProperties['x-maxBytes'], 1024);
        assert.equal(schema.properties.ext.propertyNames.maxLength, 64);
      }
    }
    const rule = document.components.schemas.RecordruleCreate.properties;
    assert.deepEqual([rule.periods.maxItems, rule.periods.items.properties.from.maxLength, rule.periods.items.additionalProperties], [64, 5, false]);
    const roles = document.components.schemas.IntegrationPointCreate.properties.opts.properties.roles;
    assert.deepEqual([roles.maxItems, roles.items.maxLength], [64, 64]);
  });
});
