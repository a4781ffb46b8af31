// Number masks against a reference implementation (each mask translated to a
// regular expression) with fast-check: random masks and numbers, the
// validator and the matcher; then random rule sets and calls through the
// real server, the decision held against a reference decision.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { checkMask } from '../src/collections/values/number-mask.js';
import { compileMask, subjectOf } from '../src/decisions/mask-matcher.js';
import { addKey, Api, RR, useService } from './support/service.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

// With the u flag only syntax characters may be escaped, and `-` only inside a class.
const escape = (char: string) => (/[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char);
const escapeInSet = (char: string) => (/[\\\]\[^-]/.test(char) ? `\\${char}` : char);

/**
 * RECORDING.md's mask language as a regular expression, or null for a mask
 * it refuses: written from the contract, independently of the service's
 * parser and matcher.
 */
function reference(mask: string): RegExp | null {
  if (mask === '' || mask === '*') return /^[^]*$/u;
  if (mask === '{E}') return /^$/u;
  if (mask.includes('{E}')) return null;
  const chars = [...mask];
  let source = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '*') source += '[^]*';
    else if (char === 'X' || char === 'x') source += '[^]';
    else if (char === '?') source += '[^.]';
    else if (char === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) return null;
      const set = chars.slice(i + 1, close);
      if (set.length === 0) return null;
      let members = '';
      for (let j = 0; j < set.length; j++) {
        const isRange = set[j + 1] === '-' && j + 2 < set.length;
        if (isRange) {
          if (set[j].codePointAt(0)! > set[j + 2].codePointAt(0)!) return null;
          members += `${escapeInSet(set[j])}-${escapeInSet(set[j + 2])}`;
          j += 2;
        } else members += escapeInSet(set[j]);
      }
      source += `[${members}]`;
      i = close;
    } else source += escape(char);
  }
  return new RegExp(`^${source}$`, 'u');
}

const MASK_CHARS = ['7', '4', '9', '5', '1', '0', '+', '.', '*', 'X', 'x', '?', '[', ']', '-', '{', 'E', '}', 'a', '😀'];
const NUMBER_CHARS = ['7', '4', '9', '5', '1', '0', '+', '.', '*', '-', 'a', 'E', 'X', '😀'];
const maskArb = fc.array(fc.constantFrom(...MASK_CHARS), { maxLength: 10 }).map((chars) => chars.join(''));
const numberArb = fc.array(fc.constantFrom(...NUMBER_CHARS), { maxLength: 12 }).map((chars) => chars.join(''));

/** A number built to fit the mask (most random numbers fit no mask), drawing choices from `dice`. */
function instantiate(mask: string, dice: number[]): string {
  let roll = 0;
  const next = (n: number) => dice[roll++ % dice.length] % n;
  const chars = [...mask];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '*') out += NUMBER_CHARS.slice(0, next(4)).join('');
    else if (char === 'X' || char === 'x' || char === '?') out += NUMBER_CHARS[next(NUMBER_CHARS.length)];
    else if (char === '[') {
      const close = chars.indexOf(']', i + 1);
      out += close > i + 1 ? chars[i + 1 + next(close - i - 1)] : char;
      i = close < 0 ? i : close;
    } else out += char;
  }
  return out;
}

describe('number masks against the reference', () => {
  test('the examples of RECORDING.md', () => {
    const cases: [string, string, boolean][] = [
      ['7495*', '74951234567', true],
      ['7495*', '7495', true],
      ['7495*', '84951234567', false],
      ['*789*', '12789', true],
      ['*789*', '78', false],
      ['XXX789*', '123789000', true],
      ['XXX789*', '12789000', false],
      ['[+]*', '+74951234567', true],
      ['[+]*', '74951234567', false],
      ['1XX', '101', true],
      ['1XX', '1a?', true],
      ['1XX', '1011', false],
      ['?', '.', false],
      ['[*]', '*', true],
      ['[*]', '1', false],
      ['{E}', '', true],
      ['{E}', '1', false],
      ['', '', true],
      ['*', '', true],
      ['[1-46-8]', '5', false],
      ['[1-46-8]', '7', true],
      ['[-1]', '-', true],
      ['[1-]', '-', true],
    ];
    for (const [mask, number, expected] of cases) {
      assert.equal(compileMask(mask).test(subjectOf(number)), expected, `${mask} ~ ${number}`);
      assert.equal(reference(mask)!.test(number), expected, `reference: ${mask} ~ ${number}`);
    }
  });

  test('a mask is refused exactly when the reference refuses it', () => {
    fc.assert(
      fc.property(maskArb, (mask) => {
        assert.equal(checkMask(mask).length > 0, reference(mask) === null, mask);
      }),
      { numRuns: RUNS },
    );
  });

  test('matching agrees with the reference, on random numbers and on numbers built to fit', () => {
    const validMask = maskArb.filter((mask) => reference(mask) !== null);
    const numberFor = (mask: string) => fc.oneof(numberArb, fc.array(fc.nat(100), { minLength: 8, maxLength: 8 }).map((dice) => instantiate(mask, dice)));
    let matched = 0;
    fc.assert(
      fc.property(
        validMask.chain((mask) => fc.tuple(fc.constant(mask), numberFor(mask))),
        ([mask, number]) => {
          const matcher = compileMask(mask);
          const expected = reference(mask)!.test(number);
          assert.equal(matcher.test(subjectOf(number)), expected, `${JSON.stringify(mask)} ~ ${JSON.stringify(number)}`);
          // What the rule index relies on: every number a mask matches starts with its literal prefix.
          if (expected) {
            matched++;
            assert.ok(number.startsWith(matcher.literalPrefix), `${mask}: prefix ${matcher.literalPrefix} of ${number}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(matched > RUNS / 10, `enough matching cases: ${matched}`);
  });

  test('matching stays linear on masks made to backtrack', () => {
    const mask = '*1*1*1*1*1*1*1*1*2';
    const number = '1'.repeat(5000);
    assert.equal(compileMask(mask).test(subjectOf(number)), false);
  });
});

describe('decisions on random rule sets, against a reference decision', () => {
  const service = useService();
  let api: Api;
  const rules: any[] = [];
  const DIRS = ['', '*', 'incoming', 'outgoing', 'inner', 'crossdomain'];
  const RULE_MASKS = ['', '*', '7495*', '749*', '7*', '*789*', 'XXX789*', '[+]*', '1XX', '10[0-5]', '{E}', '+7*', '?49?*', '7495123456[7-9]', '8*', 'X', '74951234567', 'sip:1*'];
  const NUMBERS = ['74951234567', '7495', '749', '101', '105', '199', '+74951234567', '', '12378900', '8', '9', '74951234568', 'sip:10', 'sip:2'];
  const DOMAIN_MASKS = ['', '*', 'par*', 'partner', 'other', 'p?rtner'];

  before(async () => {
    api = new Api(service.current.url, await addKey(service.current, 'random'));
    const generated = fc.sample(
      fc.record({
        priority: fc.integer({ min: 0, max: 12 }),
        dir: fc.constantFrom(...DIRS),
        fromnumber: fc.constantFrom(...RULE_MASKS),
        tonumber: fc.constantFrom(...RULE_MASKS),
        crossdomain: fc.constantFrom(...DOMAIN_MASKS),
        rec: fc.constantFrom(0, 1),
        periods: fc.oneof(
          { weight: 3, arbitrary: fc.constant([]) },
          { weight: 1, arbitrary: fc.constant([{ days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }]) },
          { weight: 1, arbitrary: fc.constant([{ from: '22:00', to: '06:00' }]) },
        ),
      }),
      { numRuns: 80, seed: 42 },
    );
    for (const body of generated) rules.push(await api.create(RR, body));
  });

  /** The contract read plainly: every rule in order (priority, creation, id), conditions in the contract's order. */
  function expected(call: any): string | null {
    const sorted = [...rules].sort((a, b) => a.priority - b.priority || (a.ext.ct < b.ext.ct ? -1 : a.ext.ct > b.ext.ct ? 1 : 0) || (a.id < b.id ? -1 : 1));
    const own = 'random';
    const dir =
      call.from.domain === own && call.to.domain === own ? 'inner' : call.from.domain === own ? (call.to.domain ? 'crossdomain' : 'outgoing') : call.from.domain ? 'crossdomain' : 'incoming';
    const other = dir === 'crossdomain' ? (call.from.domain === own ? call.to.domain : call.from.domain) : undefined;
    const at = new Date(call.at);
    const weekday = at.getUTCDay() || 7;
    const minutes = at.getUTCHours() * 60 + at.getUTCMinutes();
    const inPeriod = (period: any) => {
      const [from, to] = [period.from, period.to].map((text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));
      const days: number[] = period.days ?? [1, 2, 3, 4, 5, 6, 7];
      if (from < to) return days.includes(weekday) && minutes >= from && minutes < to;
      const yesterday = weekday === 1 ? 7 : weekday - 1;
      return (days.includes(weekday) && minutes >= from) || (days.includes(yesterday) && minutes < to);
    };
    for (const rule of sorted) {
      if (rule.dir !== '' && rule.dir !== '*' && rule.dir !== dir) continue;
      if (!reference(rule.fromnumber)!.test(call.from.number)) continue;
      if (!reference(rule.tonumber)!.test(call.to.number)) continue;
      if (dir === 'crossdomain' && !reference(rule.crossdomain)!.test(other)) continue;
      if (rule.periods.length > 0 && !rule.periods.some(inPeriod)) continue;
      return rule.id;
    }
    return null;
  }

  test('the deciding rule is the reference one, with and without the trace', async () => {
    const party = (domain: fc.Arbitrary<string | undefined>) => fc.record({ number: fc.constantFrom(...NUMBERS), domain }, { requiredKeys: ['number'] });
    const callArb = fc
      .record({
        from: party(fc.constantFrom(undefined, 'random', 'partner')),
        to: party(fc.constantFrom(undefined, 'random', 'other')),
        at: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
      })
      .map((call) => {
        // Every call involves the domain under test.
        const withDomain = (p: any) => (p.domain === undefined ? { number: p.number } : p);
        return call.from.domain !== 'random' && call.to.domain !== 'random'
          ? { ...call, from: withDomain(call.from), to: { number: call.to.number, domain: 'random' } }
          : { ...call, from: withDomain(call.from), to: withDomain(call.to) };
      });
    await fc.assert(
      fc.asyncProperty(callArb, async (call) => {
        const want = expected(call);
        const plain = await api.post('/rest/v1/uc/recording_decisions', call);
        const traced = await api.post('/rest/v1/uc/recording_decisions?trace=true', call);
        const [mine] = plain.body.domains.filter((domain: any) => domain.domain === 'random');
        const [mineTraced] = traced.body.domains.filter((domain: any) => domain.domain === 'random');
        assert.equal(mine.rule?.id ?? null, want, JSON.stringify(call));
        assert.equal(mineTraced.rule?.id ?? null, want);
        const trace = mineTraced.trace;
        assert.equal(trace.filter((entry: any) => entry.failed === null).length, want === null ? 0 : 1);
        if (want !== null) assert.equal(trace[trace.length - 1].id, want);
        assert.equal(mine.record, want !== null && rules.find((rule) => rule.id === want).rec === 1);
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  });
});
