// Schedules and periods in the domain's local time through the real server:
// daylight saving changes (America/New_York) and a zone without them
// (Asia/Tokyo), workday exceptions (isannual, asdow, isworkday 0/1/2, an
// exact date over an annual one), and periods that cross midnight; then the
// local clock itself against Intl's, instant by instant.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { localTime } from '../src/decisions/local-time.js';
import { addKey, Api, RR, useService } from './support/service.js';

const DECIDE = '/rest/v1/uc/recording_decisions';
const CAL = '/rest/v1/domain/calendar';
const WD = '/rest/v1/domain/workdays';

describe('decisions in local time', () => {
  const service = useService();

  /** A domain whose rule 1 records in working time and rule 2 refuses outside it: decisions say which time it is. */
  async function scheduleDomain(name: string, timezone?: string): Promise<{ api: Api; working: (at: string) => Promise<boolean> }> {
    const api = new Api(service.current.url, await addKey(service.current, name));
    if (timezone) assert.equal((await api.patch(CAL, { timezone })).status, 200);
    await api.create(RR, { priority: 1, schedule: 'work' });
    await api.create(RR, { priority: 2, schedule: 'nonwork', rec: 0 });
    const working = async (at: string) => {
      const reply = await api.post(DECIDE, { from: { number: '1' }, to: { number: '2', domain: name }, at });
      assert.equal(reply.status, 200, reply.text);
      const priority = reply.body.domains[0].rule.priority;
      assert.equal(reply.body.record, priority === 1);
      return priority === 1;
    };
    return { api, working };
  }

  /** A domain with one recording rule restricted to `periods`: decisions say whether an instant is inside. */
  async function periodDomain(name: string, periods: unknown[], timezone?: string): Promise<(at: string) => Promise<boolean>> {
    const api = new Api(service.current.url, await addKey(service.current, name));
    if (timezone) await api.patch(CAL, { timezone });
    await api.create(RR, { priority: 1, periods });
    return async (at) => (await api.post(DECIDE, { from: { number: '1' }, to: { number: '2', domain: name }, at })).body.record;
  }

  async function expectAll(check: (at: string) => Promise<boolean>, cases: [string, boolean, string][]): Promise<void> {
    for (const [at, expected, why] of cases) assert.equal(await check(at), expected, `${at}: ${why}`);
  }

  test('working time in America/New_York follows its daylight saving changes', async () => {
    const { working } = await scheduleDomain('new-york', 'America/New_York');
    await expectAll(working, [
      // Friday 2026-03-06, EST (UTC-5).
      ['2026-03-06T14:00:00Z', true, '09:00 EST'],
      ['2026-03-06T13:59:59Z', false, '08:59:59 EST'],
      ['2026-03-06T22:59:59.999Z', true, '17:59:59.999 EST'],
      ['2026-03-06T23:00:00Z', false, '18:00 EST, the end is excluded'],
      // Monday 2026-03-09, EDT (UTC-4) since Sunday 02:00.
      ['2026-03-09T13:00:00Z', true, '09:00 EDT'],
      ['2026-03-09T12:59:59Z', false, '08:59:59 EDT'],
      ['2026-03-09T14:00:00Z', true, '10:00 EDT'],
      ['2026-03-09T22:00:00Z', false, '18:00 EDT'],
      // Friday 2026-10-30 EDT, then Monday 2026-11-02 EST (UTC-5) since Sunday 02:00.
      ['2026-10-30T13:00:00Z', true, '09:00 EDT'],
      ['2026-10-30T21:59:00Z', true, '17:59 EDT'],
      ['2026-11-02T13:30:00Z', false, '08:30 EST'],
      ['2026-11-02T14:00:00Z', true, '09:00 EST'],
      ['2026-11-02T22:30:00Z', true, '17:30 EST'],
      ['2026-11-02T23:00:00Z', false, '18:00 EST'],
      // The weekend of each change.
      ['2026-03-08T15:00:00Z', false, 'Sunday'],
      ['2026-11-01T15:00:00Z', false, 'Sunday'],
      // An offset in `at` is the same instant.
      ['2026-03-09T09:00:00-04:00', true, '09:00 EDT written as local time'],
    ]);
  });

  test('in a zone without daylight saving the offset never moves', async () => {
    const { working } = await scheduleDomain('tokyo', 'Asia/Tokyo');
    await expectAll(working, [
      ['2026-03-09T00:00:00Z', true, 'Monday 09:00 JST'],
      ['2026-03-08T23:59:59Z', false, 'Monday 08:59:59 JST'],
      ['2026-03-09T09:00:00Z', false, 'Monday 18:00 JST'],
      ['2026-07-06T00:00:00Z', true, 'Monday 09:00 JST in summer too'],
      ['2026-07-05T23:30:00Z', false, 'Monday 08:30 JST'],
      ['2026-11-02T08:59:00Z', true, 'Monday 17:59 JST'],
      ['2026-03-06T15:00:00Z', false, 'Saturday 00:00 JST, while Friday in UTC'],
    ]);
  });

  test('rule periods run on the local clock across a daylight saving change', async () => {
    const inside = await periodDomain('ny-periods', [{ days: [7], from: '01:00', to: '03:00' }], 'America/New_York');
    await expectAll(inside, [
      // Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT, so this window lasts one real hour.
      ['2026-03-08T05:59:59Z', false, '00:59:59 EST'],
      ['2026-03-08T06:00:00Z', true, '01:00 EST'],
      ['2026-03-08T06:59:59Z', true, '01:59:59 EST'],
      ['2026-03-08T07:00:00Z', false, '03:00 EDT'],
      // Sunday 2026-11-01: 01:00-02:00 happens twice, and 02:00 EST comes an hour later.
      ['2026-11-01T05:30:00Z', true, '01:30 EDT'],
      ['2026-11-01T06:30:00Z', true, '01:30 EST'],
      ['2026-11-01T07:30:00Z', true, '02:30 EST'],
      ['2026-11-01T08:00:00Z', false, '03:00 EST'],
    ]);
    const overnight = await periodDomain('ny-overnight', [{ days: [6], from: '23:00', to: '03:00' }], 'America/New_York');
    await expectAll(overnight, [
      ['2026-03-08T04:00:00Z', true, 'Saturday 23:00 EST'],
      ['2026-03-08T06:59:59Z', true, 'Sunday 01:59:59 EST, in the window Saturday started'],
      ['2026-03-08T07:00:00Z', false, 'Sunday 03:00 EDT'],
      ['2026-03-08T03:59:59Z', false, 'Saturday 22:59:59 EST'],
    ]);
  });

  test('periods crossing midnight belong to the day they start on', async () => {
    const friday = await periodDomain('overnight', [{ days: [5], from: '22:00', to: '02:00' }]);
    // 2026-11-27 is a Friday; the default calendar is UTC.
    await expectAll(friday, [
      ['2026-11-27T21:59:59Z', false, 'Friday 21:59:59'],
      ['2026-11-27T22:00:00Z', true, 'Friday 22:00'],
      ['2026-11-27T23:59:59Z', true, 'Friday 23:59:59'],
      ['2026-11-28T00:00:00Z', true, 'Saturday 00:00, the Friday window'],
      ['2026-11-28T01:59:59Z', true, 'Saturday 01:59:59'],
      ['2026-11-28T02:00:00Z', false, 'Saturday 02:00, the end is excluded'],
      ['2026-11-28T22:30:00Z', false, 'Saturday 22:30: Saturday is not in days'],
      ['2026-11-27T01:00:00Z', false, 'Friday 01:00 belongs to a Thursday window'],
      ['2026-11-26T23:00:00Z', false, 'Thursday 23:00'],
    ]);
    const nightly = await periodDomain('nightly', [{ from: '22:00', to: '02:00' }, { days: [3], from: '12:00', to: '13:00' }]);
    await expectAll(nightly, [
      ['2026-11-23T00:30:00Z', true, 'Monday 00:30, from Sunday\'s window'],
      ['2026-11-25T12:30:00Z', true, 'Wednesday noon, the second period'],
      ['2026-11-26T12:30:00Z', false, 'Thursday noon'],
      ['2026-11-26T21:00:00Z', false, 'Thursday 21:00'],
    ]);
  });

  describe('workday exceptions', () => {
    let api: Api;
    let working: (at: string) => Promise<boolean>;

    before(async () => {
      ({ api, working } = await scheduleDomain('holidays'));
    });

    test('a day off on a working day; an annual one applies in every year, earlier and later', async () => {
      await api.create(WD, { date: '2026-11-23', isworkday: 0 });
      await api.create(WD, { date: '2020-12-25', isannual: 1, isworkday: 0 });
      await expectAll(working, [
        ['2026-11-23T10:00:00Z', false, 'Monday, a day off'],
        ['2026-11-24T10:00:00Z', true, 'Tuesday, an ordinary day'],
        ['2026-12-25T10:00:00Z', false, 'Friday 25 December 2026, annual'],
        ['2019-12-25T10:00:00Z', false, 'Wednesday 25 December 2019, before the entry\'s year'],
        ['2020-12-25T10:00:00Z', false, 'the entry\'s own date'],
        ['2026-12-24T10:00:00Z', true, 'the day before'],
      ]);
    });

    test('an exact date wins over an annual one for the same day; isworkday 2 has its own periods', async () => {
      await api.create(WD, { date: '2020-12-31', isannual: 1, isworkday: 0 });
      await api.create(WD, { date: '2026-12-31', isworkday: 2, periods: [{ from: '10:00', to: '12:00' }] });
      await expectAll(working, [
        ['2026-12-31T11:00:00Z', true, 'its own periods'],
        ['2026-12-31T09:30:00Z', false, 'office hours do not apply on that day'],
        ['2026-12-31T12:00:00Z', false, 'end excluded'],
        ['2027-12-31T11:00:00Z', false, 'Friday 2027-12-31: the annual day off'],
      ]);
      await api.create(WD, { date: '2026-11-29', isworkday: 2, periods: [{ from: '20:00', to: '24:00' }] });
      await expectAll(working, [
        ['2026-11-29T23:59:59.999Z', true, 'a Sunday worked until midnight'],
        ['2026-11-29T19:59:59Z', false, 'before it'],
      ]);
    });

    test('isworkday 1 takes the working week\'s hours of asdow, or of the date\'s own weekday', async () => {
      await api.create(WD, { date: '2026-11-28', isworkday: 1, asdow: 1 });
      await api.create(WD, { date: '2026-12-05', isworkday: 1, asdow: 0 });
      await expectAll(working, [
        ['2026-11-28T10:00:00Z', true, 'Saturday with Monday\'s hours'],
        ['2026-11-28T08:00:00Z', false, 'before Monday\'s hours'],
        ['2026-12-05T10:00:00Z', false, 'Saturday with Saturday\'s hours: none'],
        ['2026-12-12T11:00:00Z', false, 'an ordinary Saturday'],
      ]);
      assert.equal((await api.patch(CAL, { week: { '6': [{ from: '10:00', to: '14:00' }], '1': [{ from: '07:00', to: '09:00' }] } })).status, 200);
      await expectAll(working, [
        ['2026-12-05T11:00:00Z', true, 'Saturday\'s hours now'],
        ['2026-12-05T15:00:00Z', false, 'after them'],
        ['2026-12-12T11:00:00Z', true, 'an ordinary Saturday now works'],
        ['2026-11-28T10:00:00Z', false, 'Monday\'s hours changed to 07:00-09:00'],
        ['2026-11-28T08:00:00Z', true, 'inside Monday\'s new hours'],
      ]);
    });
  });
});

// The engine finds a zone's offset once per hour; every instant must still read as Intl reads it.
describe('local time against Intl, instant by instant', () => {
  const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC'];
  const reference = (zone: string, instant: number) => {
    const parts: Record<string, string> = {};
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1;
    const msOfDay = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + (((instant % 1000) + 1000) % 1000);
    return { date: `${parts.year}-${parts.month}-${parts.day}`, monthDay: `${parts.month}-${parts.day}`, weekday, msOfDay };
  };

  test('random instants, and every minute around daylight saving changes', () => {
    const from = Date.parse('2020-01-01T00:00:00Z');
    const to = Date.parse('2030-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: from, max: to }), (zone, instant) => {
        assert.deepEqual(localTime(zone, instant), reference(zone, instant));
      }),
      { numRuns: 3000 },
    );
    // New York's changes of 2026 (07:00 UTC in March, 06:00 UTC in November) and Lord Howe's half-hour ones, minute by minute.
    for (const [zone, change] of [['America/New_York', '2026-03-08T07:00:00Z'], ['America/New_York', '2026-11-01T06:00:00Z'], ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], ['Australia/Lord_Howe', '2026-10-03T15:30:00Z']] as const) {
      for (let minute = -90; minute <= 90; minute++) {
        const instant = Date.parse(change) + minute * 60_000 + 1234;
        assert.deepEqual(localTime(zone, instant), reference(zone, instant), `${zone} ${new Date(instant).toISOString()}`);
      }
    }
  });
});
