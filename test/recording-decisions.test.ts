// POST /rest/v1/uc/recording_decisions through the real server: the answer
// exactly as RECORDING.md shows it, priority order and ties, rec=0 ending
// the search, the trace, both cross-domain outcomes, the decider role,
// malformed calls, and writes reflected by the next decision.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadCollections } from '../src/collections/registry.js';
import { newRow, timestamp, type Row } from '../src/entity/rows.js';
import { openStore } from '../src/store/open.js';
import { MAX_LIST_CHARS } from '../src/query/list-budget.js';
import { addKey, Api, IP, RR, useService } from './support/service.js';

const DECIDE = '/rest/v1/uc/recording_decisions';
const SR = '/rest/v1/domain/storagerules';
const AT = '2026-11-23T09:30:00Z';

/** A call from outside the platform to `number` in `domain`. */
const incoming = (from: string, to: string, domain = 'default') => ({ from: { number: from }, to: { number: to, domain }, at: AT });

describe('recording decisions', () => {
  const service = useService();
  const { api } = service;
  const decide = (call: unknown, trace = false) => api.post(trace ? `${DECIDE}?trace=true` : DECIDE, call);

  test('the answer, exactly as RECORDING.md shows it', async () => {
    const storage = await api.create(SR, { name: '90 days', expires: 90 });
    const rule = await api.create(RR, { priority: 50, dir: 'incoming', tonumber: '101', rec: 1, storageruleid: storage.id });
    const reply = await decide({ from: { number: '74951234567' }, to: { number: '101', domain: 'default' }, at: AT });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(reply.body, {
      record: true,
      domains: [
        {
          domain: 'default',
          dir: 'incoming',
          record: true,
          rule: { id: rule.id, priority: 50, rec: 1 },
          storagerule: { id: storage.id, name: '90 days', expires: 90 },
        },
      ],
      not_evaluated: [],
    });
    assert.deepEqual(Object.keys(reply.body.domains[0]), ['domain', 'dir', 'record', 'rule', 'storagerule'], 'no trace key without trace');
    await api.delete(`${RR}/${rule.id}`);
  });

  test('no matching rule: not recorded, rule and storagerule null', async () => {
    const reply = await decide(incoming('1', '999000'));
    assert.deepEqual(reply.body, {
      record: false,
      domains: [{ domain: 'default', dir: 'incoming', record: false, rule: null, storagerule: null }],
      not_evaluated: [],
    });
  });

  test('a recording rule without a storage rule answers storagerule null', async () => {
    const rule = await api.create(RR, { priority: 1, fromnumber: '555000' });
    const reply = await decide(incoming('555000', '1'));
    assert.deepEqual(reply.body.domains[0].rule, { id: rule.id, priority: 1, rec: 1 });
    assert.equal(reply.body.domains[0].storagerule, null);
    await api.delete(`${RR}/${rule.id}`);
  });

  test('direction as seen by the domain: incoming, outgoing, inner', async () => {
    const rules = await Promise.all(
      ['incoming', 'outgoing', 'inner'].map((dir, i) => api.create(RR, { priority: 100 + i, dir, fromnumber: '7000', tonumber: '8000' })),
    );
    const cases = [
      [{ from: { number: '7000' }, to: { number: '8000', domain: 'default' } }, 'incoming', rules[0].id],
      [{ from: { number: '7000', domain: 'default' }, to: { number: '8000' } }, 'outgoing', rules[1].id],
      [{ from: { number: '7000', domain: 'default' }, to: { number: '8000', domain: 'default' } }, 'inner', rules[2].id],
    ] as const;
    for (const [call, dir, ruleId] of cases) {
      const { body } = await decide({ ...call, at: AT });
      assert.equal(body.domains.length, 1);
      assert.equal(body.domains[0].dir, dir);
      assert.equal(body.domains[0].rule.id, ruleId, dir);
    }
    for (const rule of rules) await api.delete(`${RR}/${rule.id}`);
  });

  test('lower priority value first; equal priorities: the older rule, then the smaller id', async () => {
    const models = await loadCollections();
    const rr = models.find((model) => model.name === 'recordrules')!;
    const key = await addKey(service.current, 'ties');
    const ties = new Api(service.current.url, key);
    const store = openStore(service.current.config.databaseUrl);
    const now = timestamp();
    const later = timestamp(new Date(Date.now() + 1000));
    // Written directly, so that two rules share a creation time to the centisecond; the domain has not decided yet.
    const [b2, b1, a9] = ['00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a9'];
    try {
      await store.insert(rr, 'ties', newRow(rr, { id: b2, priority: 20, fromnumber: '4242', tonumber: '1' }, now));
      await store.insert(rr, 'ties', newRow(rr, { id: a9, priority: 20, fromnumber: '4242', tonumber: '1' }, later));
      await store.insert(rr, 'ties', newRow(rr, { id: b1, priority: 20, fromnumber: '4242', tonumber: '1' }, now));
      await store.insert(rr, 'ties', newRow(rr, { priority: 21, fromnumber: '4242' }, now));
    } finally {
      await store.close();
    }
    const ask = async (trace = false) => (await ties.post(trace ? `${DECIDE}?trace=true` : DECIDE, incoming('4242', '1', 'ties'))).body.domains[0];
    const [other] = (await ties.get(RR, { filter: '{"priority":21}', mask: 'id' })).body;
    // Every rule tried, to see the order: make them all fail but the last.
    for (const id of [b2, a9, b1]) await ties.patch(`${RR}/${id}`, { tonumber: '2' });
    assert.deepEqual((await ask(true)).trace.map((entry: any) => entry.id), [b1, b2, a9, other.id], 'older first, then the smaller id');
    for (const id of [b2, a9, b1]) await ties.patch(`${RR}/${id}`, { tonumber: '1' });
    assert.equal((await ask()).rule.id, b1);
    await ties.delete(`${RR}/${b1}`);
    assert.equal((await ask()).rule.id, b2);
    await ties.delete(`${RR}/${b2}`);
    assert.equal((await ask()).rule.id, a9);
    const first = await ties.create(RR, { priority: 19, fromnumber: '4242' });
    assert.equal((await ask()).rule.id, first.id, 'a lower priority value goes first, however new');
  });

  test('rec 0 decides not to record and ends the search', async () => {
    const storage = await api.create(SR, { name: 'never used', expires: 1 });
    const silent = await api.create(RR, { priority: 10, fromnumber: '3003', rec: 0, storageruleid: storage.id });
    const loud = await api.create(RR, { priority: 11, fromnumber: '3003', rec: 1 });
    const reply = await decide(incoming('3003', '1'), true);
    assert.equal(reply.body.record, false);
    assert.deepEqual(reply.body.domains[0].rule, { id: silent.id, priority: 10, rec: 0 });
    assert.equal(reply.body.domains[0].storagerule, null, 'a rule that does not record names no storage');
    assert.ok(!reply.body.domains[0].trace.some((entry: any) => entry.id === loud.id), 'the rule after it is not tried');
    await api.delete(`${RR}/${silent.id}`);
    assert.deepEqual((await decide(incoming('3003', '1'))).body.domains[0].rule, { id: loud.id, priority: 11, rec: 1 });
    await api.delete(`${RR}/${loud.id}`);
  });

  test('the trace: every rule tried in order, the first failing condition, the decider last', async () => {
    const other = new Api(service.current.url, await addKey(service.current, 'traced'));
    const mk = (body: Record<string, unknown>) => other.create(RR, body);
    const rules = [
      await mk({ priority: 1, dir: 'outgoing' }),
      await mk({ priority: 2, fromnumber: '8*' }),
      await mk({ priority: 3, tonumber: '2XX' }),
      await mk({ priority: 4, dir: 'incoming', fromnumber: '7*', tonumber: '1XX', schedule: 'nonwork' }),
      await mk({ priority: 5, periods: [{ days: [1], from: '10:00', to: '11:00' }] }),
      await mk({ priority: 6, dir: '*', fromnumber: '7495*', tonumber: '10[0-5]', rec: 1 }),
      await mk({ priority: 7 }),
    ];
    // 2026-11-23 is a Monday; 09:30 UTC is working time in the default calendar.
    const reply = await other.post(`${DECIDE}?trace=true`, { from: { number: '74951234567' }, to: { number: '101', domain: 'traced' }, at: AT });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.domains[0].trace, [
      { id: rules[0].id, priority: 1, failed: 'dir' },
      { id: rules[1].id, priority: 2, failed: 'fromnumber' },
      { id: rules[2].id, priority: 3, failed: 'tonumber' },
      { id: rules[3].id, priority: 4, failed: 'schedule' },
      { id: rules[4].id, priority: 5, failed: 'periods' },
      { id: rules[5].id, priority: 6, failed: null },
    ]);
    assert.deepEqual(reply.body.domains[0].rule, { id: rules[5].id, priority: 6, rec: 1 });
    const plain = await other.post(DECIDE, { from: { number: '74951234567' }, to: { number: '101', domain: 'traced' }, at: AT });
    assert.deepEqual(plain.body.domains[0].rule, reply.body.domains[0].rule, 'the index decides as the full walk does');
    assert.ok(!('trace' in plain.body.domains[0]));
    const off = await other.post(`${DECIDE}?trace=false`, { from: { number: '1' }, to: { number: '1', domain: 'traced' }, at: AT });
    assert.ok(!('trace' in off.body.domains[0]));
  });

  test('rules stored with values no longer accepted never match; the trace says why', async () => {
    const models = await loadCollections();
    const rr = models.find((model) => model.name === 'recordrules')!;
    const store = openStore(service.current.config.databaseUrl);
    const legacy = await (async () => {
      try {
        return await Promise.all([
          store.insert(rr, 'legacy', newRow(rr, { priority: 1, fromnumber: '[12' })),
          store.insert(rr, 'legacy', newRow(rr, { priority: 2, schedule: 'night' })),
          store.insert(rr, 'legacy', newRow(rr, { priority: 3, periods: [{ d: 1 }] })),
          store.insert(rr, 'legacy', newRow(rr, { priority: 4, dir: 'sideways' })),
          store.insert(rr, 'legacy', newRow(rr, { priority: 5, dir: 'incoming', crossdomain: '[' })),
          store.insert(rr, 'legacy', newRow(rr, { priority: 6, rec: 0 })),
        ]);
      } finally {
        await store.close();
      }
    })();
    const key = await addKey(service.current, 'legacy');
    const reply = await new Api(service.current.url, key).post(`${DECIDE}?trace=true`, incoming('12', '1', 'legacy'));
    assert.equal(reply.status, 200);
    const [mask, schedule, periods, dir, cross, decider] = legacy;
    assert.deepEqual(reply.body.domains[0].trace, [
      { id: mask.id, priority: 1, failed: 'fromnumber', reason: 'fromnumber "[12" is not a valid mask: unclosed [ at position 1' },
      { id: schedule.id, priority: 2, failed: 'schedule', reason: 'schedule "night" is not one of all, "", work, nonwork' },
      { id: periods.id, priority: 3, failed: 'periods', reason: reply.body.domains[0].trace[2].reason },
      { id: dir.id, priority: 4, failed: 'dir', reason: 'dir "sideways" is not one of "", "*", incoming, outgoing, inner, crossdomain' },
      { id: cross.id, priority: 5, failed: 'crossdomain', reason: 'crossdomain "[" is not a valid mask: unclosed [ at position 1' },
      { id: decider.id, priority: 6, failed: null },
    ]);
    assert.match(reply.body.domains[0].trace[2].reason, /^periods are not valid/);
  });

  describe('calls between two platform domains', () => {
    let acme: Api;
    let beta: Api;
    let decider: Api;
    const rules: Record<string, any> = {};

    before(async () => {
      acme = new Api(service.current.url, await addKey(service.current, 'acme'));
      beta = new Api(service.current.url, await addKey(service.current, 'beta'));
      decider = new Api(service.current.url, await addKey(service.current, 'acme', 'decider'));
      const acmeStorage = await acme.create(SR, { name: 'acme 30', expires: 30 });
      const betaStorage = await beta.create(SR, { name: 'beta 365', expires: 365 });
      rules.acme = await acme.create(RR, { priority: 5, dir: 'crossdomain', crossdomain: 'be*', storageruleid: acmeStorage.id });
      rules.acmeOther = await acme.create(RR, { priority: 6, dir: 'crossdomain', crossdomain: 'gamma', rec: 0 });
      rules.beta = await beta.create(RR, { priority: 9, dir: 'crossdomain', crossdomain: 'acme', fromnumber: '10X', storageruleid: betaStorage.id });
      rules.acmeStorage = acmeStorage;
      rules.betaStorage = betaStorage;
    });

    const call = { from: { number: '101', domain: 'acme' }, to: { number: '202', domain: 'beta' }, at: AT };

    test('a key of one of them: its own domain decided, the other listed as not evaluated', async () => {
      const reply = await acme.post(DECIDE, call);
      assert.deepEqual(reply.body, {
        record: true,
        domains: [
          {
            domain: 'acme',
            dir: 'crossdomain',
            record: true,
            rule: { id: rules.acme.id, priority: 5, rec: 1 },
            storagerule: { id: rules.acmeStorage.id, name: 'acme 30', expires: 30 },
          },
        ],
        not_evaluated: ['beta'],
      });
      const fromBeta = await beta.post(DECIDE, call);
      assert.deepEqual(fromBeta.body.domains.map((domain: any) => domain.domain), ['beta']);
      assert.deepEqual(fromBeta.body.not_evaluated, ['acme']);
      assert.equal(fromBeta.body.domains[0].rule.id, rules.beta.id);
      const outsider = await api.post(DECIDE, call);
      assert.deepEqual(outsider.body, { record: false, domains: [], not_evaluated: ['acme', 'beta'] });
    });

    test('a decider key: both domains decided, each with its own storage rule', async () => {
      const reply = await decider.post(DECIDE, call);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, {
        record: true,
        domains: [
          {
            domain: 'acme',
            dir: 'crossdomain',
            record: true,
            rule: { id: rules.acme.id, priority: 5, rec: 1 },
            storagerule: { id: rules.acmeStorage.id, name: 'acme 30', expires: 30 },
          },
          {
            domain: 'beta',
            dir: 'crossdomain',
            record: true,
            rule: { id: rules.beta.id, priority: 9, rec: 1 },
            storagerule: { id: rules.betaStorage.id, name: 'beta 365', expires: 365 },
          },
        ],
        not_evaluated: [],
      });
      // Seen from beta the other domain is acme; beta's rule wants the caller 10X, so 999 is not recorded there.
      const partly = await decider.post(DECIDE, { ...call, from: { number: '999', domain: 'acme' } });
      assert.equal(partly.body.record, true, 'one domain recording is enough');
      assert.deepEqual(partly.body.domains.map((domain: any) => [domain.domain, domain.record]), [['acme', true], ['beta', false]]);
      const reverse = await decider.post(`${DECIDE}?trace=true`, { from: { number: '202', domain: 'beta' }, to: { number: '101', domain: 'acme' }, at: AT });
      assert.deepEqual(reverse.body.domains.map((domain: any) => domain.domain), ['beta', 'acme']);
      assert.deepEqual(reverse.body.domains[0].trace, [{ id: rules.beta.id, priority: 9, failed: 'fromnumber' }]);
    });

    test('a domain the service does not have is not evaluated, for a decider too', async () => {
      const reply = await decider.post(DECIDE, { from: { number: '1', domain: 'acme' }, to: { number: '2', domain: 'nowhere' }, at: AT });
      assert.deepEqual(reply.body.domains.map((domain: any) => domain.domain), ['acme']);
      assert.deepEqual(reply.body.not_evaluated, ['nowhere']);
      const acmeTo = reply.body.domains[0];
      assert.equal(acmeTo.dir, 'crossdomain');
      assert.equal(acmeTo.record, false, 'be* does not match nowhere; gamma neither');
    });

    test('a decider key may do nothing else', async () => {
      for (const reply of [await decider.get(RR), await decider.post(RR, { priority: 1 }), await decider.lookup(IP, 'x'), await decider.get('/rest/v1/events'), await decider.get('/rest/v1/nothing')]) {
        assert.equal(reply.status, 403);
        assert.equal(reply.body.error_code, 1403);
        assert.equal(reply.body.error_message, 'This API key may only ask for recording decisions');
      }
    });

    test('a read-only key may ask for decisions in its domain', async () => {
      const reader = new Api(service.current.url, await addKey(service.current, 'acme', 'read-only'));
      const reply = await reader.post(DECIDE, call);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body.not_evaluated, ['beta']);
    });
  });

  test('malformed calls are 400/1400 naming the fields', async () => {
    const cases: [unknown, string[]][] = [
      [{ from: { number: '1' }, to: { number: '2' } }, ['from.domain', 'to.domain']],
      [{ from: { number: 1 }, to: { number: '2', domain: 'default' } }, ['from.number']],
      [{ from: { number: '1' }, to: { domain: 'default' } }, ['to.number']],
      [{ from: { number: '1' }, to: { number: '2', domain: 'default' }, at: '2026-11-23 09:30' }, ['at']],
      [{ from: { number: '1' }, to: { number: '2', domain: 'default' }, at: '2026-11-23T09:30:00' }, ['at']],
      [{ from: { number: '1' }, to: { number: '2', domain: 'default' }, at: '2026-13-23T09:30:00Z' }, ['at']],
      [{ from: { number: '1' }, to: { number: '2', domain: 'default' }, at: 1700000000 }, ['at']],
      [{ from: { number: '1' }, to: { number: '2', domain: 'default' }, direction: 'in' }, ['direction']],
      [{ from: { number: '1', name: 'x' }, to: { number: '2', domain: 'default' } }, ['from.name']],
      [{ from: { number: '1' }, to: { number: '2', domain: '' } }, ['to.domain']],
      [{ from: { number: '1' }, to: { number: '2', domain: 5 } }, ['to.domain']],
      [{ to: { number: '2', domain: 'default' } }, ['from']],
      [{ from: 'me', to: { number: '2', domain: 'default' } }, ['from']],
      [[], ['body']],
    ];
    for (const [body, fields] of cases) {
      const reply = await decide(body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error_code, 1400);
      assert.deepEqual(reply.body.error_details.map((detail: any) => detail.field).sort(), fields, JSON.stringify(body));
    }
    const good = incoming('1', '2');
    assert.equal((await api.post(`${DECIDE}?trace=maybe`, good)).status, 400);
    assert.equal((await api.post(`${DECIDE}?limit=1`, good)).status, 400);
    const wrongVerb = await api.get(DECIDE);
    assert.equal(wrongVerb.status, 405);
    assert.equal(wrongVerb.headers.get('allow'), 'POST');
    assert.equal((await api.request('POST', DECIDE, good, { authorization: '' })).status, 401);
    // Offsets and fractions are RFC 3339 too; no `at` is now.
    assert.equal((await decide({ ...good, at: '2026-11-23T12:30:00.123+03:00' })).status, 200);
    assert.equal((await decide({ from: good.from, to: good.to })).status, 200);
  });

  test('a bulk change is reflected too: over a thousand new rules at once', async () => {
    const bulk = new Api(service.current.url, await addKey(service.current, 'bulk'));
    const ask = async () => (await bulk.post(DECIDE, incoming('74950001', '1', 'bulk'))).body.domains[0].rule;
    assert.equal(await ask(), null);
    const created: any[] = [];
    for (let start = 0; start < 1050; start += 25) {
      const batch = Array.from({ length: 25 }, (_, i) => bulk.create(RR, { priority: 2000 - start - i, fromnumber: `7495${(start + i) % 10}*` }));
      created.push(...(await Promise.all(batch)));
    }
    // The lowest priority value among the rules whose prefix 74950 fits.
    const best = created.filter((rule) => rule.fromnumber === '74950*').sort((a, b) => a.priority - b.priority)[0];
    assert.deepEqual(await ask(), { id: best.id, priority: best.priority, rec: 1 });
    await bulk.patch(`${RR}/${best.id}`, { rec: 0 });
    assert.deepEqual(await ask(), { id: best.id, priority: best.priority, rec: 0 });
  });

  test('a domain whose rules hold more text than one list may read is decided all the same', { timeout: 120_000 }, async () => {
    const models = await loadCollections();
    const rr = models.find((model) => model.name === 'recordrules')!;
    const comment = 'c'.repeat(4000);
    const count = Math.ceil(MAX_LIST_CHARS / comment.length) + 50;
    const store = openStore(service.current.config.databaseUrl);
    let best: Row;
    try {
      for (let start = 0; start < count; start += 100) {
        await Promise.all(Array.from({ length: Math.min(100, count - start) }, (_, i) => store.insert(rr, 'wordy', newRow(rr, { priority: 10 + start + i, fromnumber: '7495*', opts: { comment } }))));
      }
      best = await store.insert(rr, 'wordy', newRow(rr, { priority: 1, fromnumber: '74951*', rec: 0, opts: { comment } }));
    } finally {
      await store.close();
    }
    const wordy = new Api(service.current.url, await addKey(service.current, 'wordy'));
    // A request's list is still held to the bound; the engine reads every rule.
    assert.equal((await wordy.get(RR, { limit: '10000', mask: 'id,opts' })).status, 400);
    const reply = await wordy.post(DECIDE, incoming('74951234567', '1', 'wordy'));
    assert.equal(reply.status, 200, reply.text.slice(0, 300));
    assert.deepEqual(reply.body.domains[0].rule, { id: best.id, priority: 1, rec: 0 });
  });

  test('prefixes that share their beginning, or hold other characters than digits, each find their own rules', async () => {
    const index = new Api(service.current.url, await addKey(service.current, 'prefixes'));
    const ruleFor = async (number: string) => (await index.post(DECIDE, incoming(number, '1', 'prefixes'))).body.domains[0].rule?.id ?? null;
    const short = await index.create(RR, { priority: 11, fromnumber: '7495*' });
    const long = await index.create(RR, { priority: 10, fromnumber: '74951*' });
    const sip = await index.create(RR, { priority: 5, fromnumber: 'sip:ü1*' });
    const astral = await index.create(RR, { priority: 5, fromnumber: '\u{1F4DE}7*' });
    assert.equal(await ruleFor('749512'), long.id);
    assert.equal(await ruleFor('749522'), short.id);
    assert.equal(await ruleFor('749'), null, 'a shorter number matches neither');
    assert.equal(await ruleFor('sip:ü10'), sip.id);
    assert.equal(await ruleFor('sip:ü2'), null);
    assert.equal(await ruleFor('\u{1F4DE}70'), astral.id);
    assert.equal(await ruleFor('\u{1F4DF}70'), null, 'a neighbouring code point is another character');
    await index.delete(`${RR}/${long.id}`);
    assert.equal(await ruleFor('749512'), short.id, 'the shorter prefix outlives the longer one it shares nodes with');

    // Many prefixes come and go (the index files its live rules anew once most of its room is dead).
    const passing: any[] = [];
    for (let start = 0; start < 300; start += 25) {
      const batch = Array.from({ length: 25 }, (_, i) => index.create(RR, { priority: 1, fromnumber: `6${String(((start + i) * 7919) % 10_000_000).padStart(7, '0')}*` }));
      passing.push(...(await Promise.all(batch)));
    }
    assert.equal(await ruleFor(`${passing[123].fromnumber.slice(0, -1)}5`), passing[123].id);
    for (const rule of passing) await index.delete(`${RR}/${rule.id}`);
    assert.equal(await ruleFor(`${passing[123].fromnumber.slice(0, -1)}5`), null);
    assert.equal(await ruleFor('749512'), short.id);
    assert.equal(await ruleFor('sip:ü10'), sip.id);
    assert.equal(await ruleFor('\u{1F4DE}70'), astral.id);
    const again = await index.create(RR, { priority: 1, fromnumber: '74951*' });
    assert.equal(await ruleFor('749512'), again.id);
  });

  test('every write is reflected in the next decision', async () => {
    const writer = new Api(service.current.url, await addKey(service.current, 'fresh'));
    const call = incoming('5551234', '1', 'fresh');
    const ask = async () => (await writer.post(DECIDE, call)).body.domains[0];
    assert.equal((await ask()).rule, null);
    const storage = await writer.create(SR, { name: 'a', expires: 1 });
    const rule = await writer.create(RR, { priority: 5, fromnumber: '555*', storageruleid: storage.id });
    assert.deepEqual(await ask(), { domain: 'fresh', dir: 'incoming', record: true, rule: { id: rule.id, priority: 5, rec: 1 }, storagerule: { id: storage.id, name: 'a', expires: 1 } });
    await writer.patch(`${SR}/${storage.id}`, { name: 'b', expires: 2 });
    assert.deepEqual((await ask()).storagerule, { id: storage.id, name: 'b', expires: 2 });
    await writer.patch(`${RR}/${rule.id}`, { rec: 0 });
    assert.equal((await ask()).record, false);
    await writer.patch(`${RR}/${rule.id}`, { rec: 1, schedule: 'work' });
    assert.equal((await ask()).record, true, 'Monday 09:30 UTC is working time');
    await writer.patch('/rest/v1/domain/calendar', { timezone: 'America/Los_Angeles' });
    assert.equal((await ask()).record, false, '01:30 in Los Angeles is not');
    await writer.patch('/rest/v1/domain/calendar', { week: { '1': [{ from: '00:00', to: '02:00' }] } });
    assert.equal((await ask()).record, true);
    const holiday = await writer.create('/rest/v1/domain/workdays', { date: '2026-11-23' });
    assert.equal((await ask()).record, false, 'a day off');
    await writer.delete(`/rest/v1/domain/workdays/${holiday.id}`);
    assert.equal((await ask()).record, true);
    await writer.delete(`${RR}/${rule.id}`);
    assert.equal((await ask()).rule, null);
  });
});
