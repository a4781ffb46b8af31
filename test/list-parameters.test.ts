// filter, mask, offset, limit, order and flat on lists; mask and flat on GET one.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { IP, RR, useService } from './support/service.js';

describe('list parameters', () => {
  const { api } = useService();
  const rules: any[] = [];
  let point: any;

  before(async () => {
    // storageruleid must name a storagerule of the domain.
    await api.create('/rest/v1/domain/storagerules', { id: 'f8d1d8d6-016c-cd8c-ca1d-50e54938780c', expires: 30 });
    const specs = [
      { priority: 50, dir: 'incoming', fromnumber: '101', opts: { title: 'Alpha' }, ext: { team: 'red', level: 3 } },
      { priority: 99, dir: '', crossdomain: '*', opts: { title: 'beta' }, ext: { team: 'blue', level: 1 } },
      { priority: 10, dir: 'outgoing', tonumber: '2*', opts: { title: 'Alphabet' } },
      { priority: 50, dir: 'inner', rec: 0, schedule: 'work', ext: { team: 'red' } },
      { priority: 75, dir: 'incoming', storageruleid: 'f8d1d8d6-016c-cd8c-ca1d-50e54938780c' },
    ];
    for (const spec of specs) {
      rules.push(await api.create(RR, spec));
      // Distinct creation times keep the default order predictable.
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    point = await api.create(IP, { type: 'public', code: 'C1', opts: { issync: true, recv_timeout: 30, roles: ['a', 'b'] } });
  });

  const ids = (body: any[]) => body.map((entity) => entity.id);
  const list = (query: Record<string, string>) => api.get(RR, query);

  test('without parameters: every rule in creation order, first page of 100', async () => {
    const reply = await list({});
    assert.equal(reply.status, 200);
    assert.deepEqual(ids(reply.body), ids(rules));
  });

  test('filter object form: equality, several keys AND together', async () => {
    assert.deepEqual(ids((await list({ filter: '{"dir":"incoming"}' })).body), [rules[0].id, rules[4].id]);
    assert.deepEqual(ids((await list({ filter: '{"dir":"incoming","priority":75}' })).body), [rules[4].id]);
    assert.deepEqual(ids((await list({ filter: '{"opts.title":"beta"}' })).body), [rules[1].id]);
    assert.deepEqual(ids((await list({ filter: '{"ext.team":"red"}' })).body), [rules[0].id, rules[3].id]);
    assert.deepEqual(ids((await list({ filter: '{"rec":0}' })).body), [rules[3].id]);
    assert.deepEqual(ids((await list({ filter: '{}' })).body), ids(rules));
  });

  test('filter prefix expression: the CONVENTIONS.md example', async () => {
    const filter = '["and", ["==", ["property","dir"], "incoming"], ["in", ["property","priority"], ["list", 50, 99]]]';
    assert.deepEqual(ids((await list({ filter })).body), [rules[0].id]);
  });

  test('filter operators: != > >= < <= in like isnull and or not', async () => {
    const where = async (expression: unknown) => ids((await list({ filter: JSON.stringify(expression) })).body);
    const p = ['property', 'priority'];
    assert.deepEqual(await where(['>', p, 50]), [rules[1].id, rules[4].id]);
    assert.deepEqual(await where(['>=', p, 75]), [rules[1].id, rules[4].id]);
    assert.deepEqual(await where(['<', p, 50]), [rules[2].id]);
    assert.deepEqual(await where(['<=', p, 50]), [rules[0].id, rules[2].id, rules[3].id]);
    assert.deepEqual(await where(['!=', ['property', 'dir'], 'incoming']), [rules[1].id, rules[2].id, rules[3].id]);
    assert.deepEqual(await where(['in', ['property', 'dir'], ['list', 'inner', 'outgoing']]), [rules[2].id, rules[3].id]);
    assert.deepEqual(await where(['in', ['property', 'dir'], ['list']]), []);
    assert.deepEqual(await where(['like', ['property', 'opts.title'], 'Alpha*']), [rules[0].id, rules[2].id]);
    // like is case-sensitive and only * is a wildcard.
    assert.deepEqual(await where(['like', ['property', 'opts.title'], 'alpha*']), []);
    assert.deepEqual(await where(['like', ['property', 'tonumber'], '2*']), [rules[2].id]);
    assert.deepEqual(await where(['like', ['property', 'tonumber'], '2?']), []);
    assert.deepEqual(await where(['isnull', ['property', 'ext.team']]), [rules[2].id, rules[4].id]);
    assert.deepEqual(await where(['or', ['==', p, 10], ['==', ['property', 'dir'], '']]), [rules[1].id, rules[2].id]);
    assert.deepEqual(await where(['not', ['==', ['property', 'dir'], 'incoming']]), [rules[1].id, rules[2].id, rules[3].id]);
    assert.deepEqual(await where(['>', ['property', 'ext.level'], 1]), [rules[0].id]);
    // not is the complement, rules without the key included: an unset value does not equal "red".
    const red = ['==', ['property', 'ext.team'], 'red'];
    assert.deepEqual(await where(['not', red]), [rules[1].id, rules[2].id, rules[4].id]);
    assert.deepEqual(await where(['not', red]), await where(['!=', ['property', 'ext.team'], 'red']));
    assert.deepEqual(await where(['or', red, ['not', red]]), ids(rules));
    assert.deepEqual(await where(['not', ['>', ['property', 'ext.level'], 1]]), [rules[1].id, rules[2].id, rules[3].id, rules[4].id]);
    assert.deepEqual(await where(['not', ['in', ['property', 'tonumber'], ['list', '2*']]]), [rules[0].id, rules[1].id, rules[3].id, rules[4].id]);
    assert.deepEqual(await where(['==', ['property', 'ext.ct'], rules[0].ext.ct]).then((found) => found.includes(rules[0].id)), true);
  });

  test('filter on booleans, optional keys and aliases of integration points', async () => {
    const where = async (filter: unknown) => ids((await api.get(IP, { filter: JSON.stringify(filter) })).body);
    assert.deepEqual(await where({ 'opts.issync': true }), [point.id]);
    assert.deepEqual(await where({ 'opts.issync': false }), []);
    assert.deepEqual(await where({ tokenlocal: point.token_local }), [point.id]);
    assert.deepEqual(await where(['==', ['property', 'opts.recv_timeout'], 30]), [point.id]);
    assert.deepEqual(await where(['!=', ['property', 'opts.recv_timeout'], 31]), [point.id]);
    assert.deepEqual(await where(['isnull', ['property', 'opts.userid']]), [point.id]);
  });

  test('order: names ascending, objects with a direction, id breaking ties', async () => {
    const byPriority = (await list({ order: '["priority"]' })).body;
    assert.deepEqual(
      byPriority.map((entity: any) => entity.priority),
      [10, 50, 50, 75, 99],
    );
    const [a, b] = [rules[0].id, rules[3].id].sort();
    assert.deepEqual(ids(byPriority).slice(1, 3), [a, b]);
    const descending = (await list({ order: '[{"priority":"desc"}, "dir"]' })).body;
    assert.deepEqual(ids(descending), [rules[1].id, rules[4].id, rules[0].id, rules[3].id, rules[2].id]);
    const byTitle = (await list({ order: '[{"opts.title":"asc"}]', mask: 'opts.title' })).body;
    assert.deepEqual(
      byTitle.map((entity: any) => entity.opts.title),
      ['', '', 'Alpha', 'Alphabet', 'beta'],
    );
  });

  test('offset and limit page through the default order', async () => {
    assert.deepEqual(ids((await list({ limit: '2' })).body), [rules[0].id, rules[1].id]);
    assert.deepEqual(ids((await list({ offset: '2', limit: '2' })).body), [rules[2].id, rules[3].id]);
    assert.deepEqual(ids((await list({ offset: '4', limit: '2' })).body), [rules[4].id]);
    assert.deepEqual((await list({ offset: '5' })).body, []);
    assert.equal((await list({ limit: '10000' })).status, 200);
    assert.deepEqual((await list({ limit: '0' })).body, []);
  });

  test('mask: named fields only, dotted paths, aliases, in entity order', async () => {
    const reply = await list({ mask: 'priority,id,opts.comment,storageid,ext.team', limit: '1' });
    assert.deepEqual(reply.body, [{ id: rules[0].id, priority: 50, storageruleid: '', opts: { comment: '' }, ext: { team: 'red' } }]);
    assert.deepEqual(Object.keys(reply.body[0]), ['id', 'priority', 'storageruleid', 'opts', 'ext'], 'declaration order, not mask order');
    // A composite of which nothing is there to show is left out, not shown empty.
    assert.deepEqual((await list({ mask: 'id,ext.nosuchkey', limit: '1' })).body, [{ id: rules[0].id }]);
    const periods = await list({ mask: 'periods', limit: '1' });
    assert.deepEqual(periods.body, [{ periods: [] }]);
    const aliases = await api.get(IP, { mask: 'tokenlocal,tokenremote,tokenremote2' });
    assert.deepEqual(aliases.body, [{ token_local: point.token_local, token_remote: '', token_remote2: '' }]);
  });

  test('flat=true turns composite fields into dotted keys', async () => {
    const reply = await list({ flat: 'true', limit: '1' });
    const [entity] = reply.body;
    assert.equal(entity['opts.title'], 'Alpha');
    assert.equal(entity['ext.ct'], rules[0].ext.ct);
    assert.equal(entity.opts, undefined);
    assert.equal(Object.keys(entity).filter((key) => key.includes('.')).length, 3);
    const masked = await list({ flat: 'true', mask: 'id,opts', limit: '1' });
    assert.deepEqual(masked.body, [{ id: rules[0].id, 'opts.title': 'Alpha', 'opts.comment': '' }]);
    assert.equal((await list({ flat: 'false', limit: '1' })).body[0].opts.title, 'Alpha');
  });

  test('GET one takes mask and flat too', async () => {
    const one = await api.get(`${IP}/${point.id}`, { mask: 'id,opts.roles,opts.recv_timeout', flat: 'true' });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { id: point.id, 'opts.recv_timeout': 30, 'opts.roles': ['a', 'b'] });
    const full = await api.get(`${IP}/${point.id}`);
    assert.deepEqual(full.body.opts, { title: '', comment: '', allow_files_api: false, issync: true, recv_timeout: 30, roles: ['a', 'b'] });
  });

  test('filters compile to parameters: quotes and SQL in values are just data', async () => {
    const hostile = `x' OR 1=1; DROP TABLE recordrules; --`;
    const reply = await list({ filter: JSON.stringify({ fromnumber: hostile }) });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, []);
    const like = await list({ filter: JSON.stringify(['like', ['property', 'fromnumber'], `%' OR '1'='1`]) });
    assert.deepEqual(like.body, []);
    assert.equal((await list({})).body.length, rules.length);
  });
});

describe('ext filters and order across JSON types', () => {
  const { api } = useService();
  // One ext key holding a value of every JSON type, and rows without it: both stores must agree.
  // big: an integer beyond 2^53, which SQLite's JSON reader would keep exact and no double equals.
  const values: Record<string, unknown> = { one: 1, real: 2.5, big: 2044575613771616300, text1: '1', textb: 'b', yes: true, no: false, list: [1], object: { a: 1 }, null: null };
  const byName = new Map<string, string>();

  before(async () => {
    for (const [name, v] of Object.entries(values)) {
      const point = await api.create(IP, { type: 'public', code: name, ext: { v } });
      byName.set(name, point.id);
    }
    byName.set('unset', (await api.create(IP, { type: 'public', code: 'unset' })).id);
  });

  const named = async (filter: unknown) => {
    const reply = await api.get(IP, { filter: JSON.stringify(filter), mask: 'code', limit: '100' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.map((point: any) => point.code).sort();
  };
  const v = ['property', 'ext.v'];

  test('a comparison matches stored values of its own JSON type only', async () => {
    assert.deepEqual(await named({ 'ext.v': 1 }), ['one']);
    assert.deepEqual(await named({ 'ext.v': true }), ['yes']);
    assert.deepEqual(await named({ 'ext.v': false }), ['no']);
    assert.deepEqual(await named({ 'ext.v': '1' }), ['text1']);
    assert.deepEqual(await named(['>', v, 0]), ['big', 'one', 'real']);
    assert.deepEqual(await named({ 'ext.v': 2044575613771616300 }), ['big']);
    assert.deepEqual(await named(['>=', v, 2044575613771616300]), ['big']);
    assert.deepEqual(await named(['<', v, 2]), ['one']);
    assert.deepEqual(await named(['>=', v, 'a']), ['textb']);
    assert.deepEqual(await named(['<', v, 'a']), ['text1']);
    assert.deepEqual(await named(['>', v, false]), ['yes']);
  });

  test('!= and not are the complement; in matches each value by its type; like matches strings', async () => {
    const everyone = [...byName.keys()].sort();
    assert.deepEqual(await named(['!=', v, 1]), everyone.filter((name) => name !== 'one'));
    assert.deepEqual(await named(['not', ['==', v, true]]), everyone.filter((name) => name !== 'yes'));
    assert.deepEqual(await named(['in', v, ['list', 1, 'b', true]]), ['one', 'textb', 'yes']);
    assert.deepEqual(await named(['not', ['in', v, ['list', 1, 'b', true]]]), everyone.filter((name) => !['one', 'textb', 'yes'].includes(name)));
    assert.deepEqual(await named(['like', v, '*']), ['text1', 'textb']);
    assert.deepEqual(await named(['like', v, '1*']), ['text1']);
    assert.deepEqual(await named(['like', v, 't*']), []);
    assert.deepEqual(await named(['isnull', v]), ['null', 'unset']);
  });

  test('order ranks types (string, number, boolean, array, object), values within each, unset first', async () => {
    const order = async (direction: string) => {
      const reply = await api.get(IP, { order: JSON.stringify([{ 'ext.v': direction }]), mask: 'id,code', limit: '100' });
      assert.equal(reply.status, 200);
      return reply.body.map((point: any) => point.code);
    };
    // Unset and null tie, as do an array and an object of one type; id breaks the ties.
    const byId = (...names: string[]) => names.sort((a, b) => (byName.get(a)! < byName.get(b)! ? -1 : 1));
    const ascending = [...byId('null', 'unset'), 'text1', 'textb', 'one', 'real', 'big', 'no', 'yes', 'list', 'object'];
    assert.deepEqual(await order('asc'), ascending);
    assert.deepEqual(await order('desc'), ['object', 'list', 'yes', 'no', 'big', 'real', 'one', 'textb', 'text1', ...byId('null', 'unset')]);
  });
});
