/**
 * A recordrule compiled for decisions (shared/spec/RECORDING.md, "Rule
 * conditions"): masks to matchers, periods to windows, and the conditions
 * checked in the contract's order, the first that does not hold named.
 *
 * A stored value that the checks of today refuse (a row written before them)
 * makes its condition never hold, whatever the call, and says why.
 */
import { checkRulePeriods, clockMinutes, rulePeriodSchema } from '../collections/values/clock.js';
import { sharedAjv } from '../entity/ajv.js';
import { MS_PER_MINUTE, previousWeekday, type LocalTime } from './local-time.js';
import { tryCompileMask, type Matcher, type Subject } from './mask-matcher.js';

import { DIRECTIONS, type Condition, type Direction } from '../wire/decision.js';

/** The fields of a stored recordrule a decision reads. */
export interface RuleFields {
  id: string;
  priority: number;
  createdAt: string;
  dir: string;
  fromnumber: string;
  tonumber: string;
  crossdomain: string;
  rec: number;
  storageruleid: string;
  schedule: string;
  periods: unknown;
}

/** A rule period as a window of the local week: `days` is a bit per ISO weekday. */
interface RuleWindow {
  days: number;
  from: number;
  to: number;
}

export interface CompiledRule {
  id: string;
  priority: number;
  createdAt: string;
  rec: number;
  storageruleid: string;
  /** Directions the rule applies to; empty when its stored dir is not one of the contract's. */
  dirs: ReadonlySet<Direction>;
  from?: Matcher;
  to?: Matcher;
  cross?: Matcher;
  schedule?: 'all' | 'work' | 'nonwork';
  /** [] = no restriction; undefined when the stored periods are not valid. */
  periods?: RuleWindow[];
  /** Why a stored value is no longer accepted, by its condition; the condition never holds. */
  invalid?: Partial<Record<Condition, string>>;
}

/** What the conditions of one domain's decision look at; local and working time are worked out on first use. */
export interface CallView {
  dir: Direction;
  from: Subject;
  to: Subject;
  /** The other domain's name, on crossdomain calls. */
  other?: Subject;
  local(): LocalTime;
  working(): boolean;
}

// Shared by every rule: a hundred thousand rules need not hold a hundred thousand sets.
const ALL_DIRECTIONS: ReadonlySet<Direction> = new Set(DIRECTIONS);
const ONE_DIRECTION = new Map(DIRECTIONS.map((dir) => [dir as string, new Set([dir]) as ReadonlySet<Direction>]));
const NO_DIRECTION: ReadonlySet<Direction> = new Set();
const NO_WINDOWS: RuleWindow[] = [];
const validPeriods = sharedAjv().compile({ type: 'array', items: rulePeriodSchema });
const EVERY_DAY = 0b1111111;

function windowsOf(periods: unknown): RuleWindow[] | string {
  if (Array.isArray(periods) && periods.length === 0) return NO_WINDOWS;
  if (!validPeriods(periods)) {
    const error = validPeriods.errors![0];
    return `periods are not valid: ${error.instancePath || 'value'} ${error.message}`;
  }
  const [problem] = checkRulePeriods(periods);
  if (problem) return `periods are not valid: ${problem.at} ${problem.message}`;
  return (periods as { days?: number[]; from: string; to: string }[]).map((item) => ({
    days: item.days ? item.days.reduce((bits, day) => bits | (1 << (day - 1)), 0) : EVERY_DAY,
    from: clockMinutes(item.from)! * MS_PER_MINUTE,
    to: clockMinutes(item.to, true)! * MS_PER_MINUTE,
  }));
}

/** Matchers shared by every rule of a domain with the same mask: most rules repeat a few. */
export type MatcherCache = Map<string, Matcher | { invalid: string }>;

export function compileRule(fields: RuleFields, matchers: MatcherCache = new Map()): CompiledRule {
  const invalid: Partial<Record<Condition, string>> = {};
  const mask = (condition: Condition, text: string): Matcher | undefined => {
    let compiled = matchers.get(text);
    if (!compiled) matchers.set(text, (compiled = tryCompileMask(text)));
    if ('invalid' in compiled) {
      invalid[condition] = `${condition} ${JSON.stringify(text)} is not a valid mask: ${compiled.invalid}`;
      return undefined;
    }
    return compiled;
  };
  let dirs: ReadonlySet<Direction>;
  if (fields.dir === '' || fields.dir === '*') dirs = ALL_DIRECTIONS;
  else if (ONE_DIRECTION.has(fields.dir)) dirs = ONE_DIRECTION.get(fields.dir)!;
  else {
    dirs = NO_DIRECTION;
    invalid.dir = `dir ${JSON.stringify(fields.dir)} is not one of "", "*", ${DIRECTIONS.join(', ')}`;
  }
  const rule: CompiledRule = {
    id: fields.id,
    priority: fields.priority,
    createdAt: fields.createdAt,
    rec: fields.rec,
    storageruleid: fields.storageruleid,
    dirs,
    from: mask('fromnumber', fields.fromnumber),
    to: mask('tonumber', fields.tonumber),
    cross: mask('crossdomain', fields.crossdomain),
  };
  if (fields.schedule === 'all' || fields.schedule === '') rule.schedule = 'all';
  else if (fields.schedule === 'work' || fields.schedule === 'nonwork') rule.schedule = fields.schedule;
  else invalid.schedule = `schedule ${JSON.stringify(fields.schedule)} is not one of all, "", work, nonwork`;
  const windows = windowsOf(fields.periods);
  if (typeof windows === 'string') invalid.periods = windows;
  else rule.periods = windows;
  if (Object.keys(invalid).length > 0) rule.invalid = invalid;
  return rule;
}

/** Rules apply in priority order; equal priorities: the older rule first, then the smaller id. */
export function precedes(a: CompiledRule, b: CompiledRule): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.id < b.id;
}

function inWindows(windows: RuleWindow[], local: LocalTime): boolean {
  const today = 1 << (local.weekday - 1);
  const yesterday = 1 << (previousWeekday(local.weekday) - 1);
  for (const { days, from, to } of windows) {
    if (from < to) {
      if (days & today && local.msOfDay >= from && local.msOfDay < to) return true;
    } else if ((days & today && local.msOfDay >= from) || (days & yesterday && local.msOfDay < to)) {
      // Crosses midnight: it belongs to the day it starts on.
      return true;
    }
  }
  return false;
}

/** The first condition of the rule that does not hold for the call, or null when the rule matches. */
export function firstFailing(rule: CompiledRule, call: CallView): Condition | null {
  if (!rule.dirs.has(call.dir)) return 'dir';
  if (!rule.from || !rule.from.test(call.from)) return 'fromnumber';
  if (!rule.to || !rule.to.test(call.to)) return 'tonumber';
  if (!rule.cross || (call.dir === 'crossdomain' && !rule.cross.test(call.other!))) return 'crossdomain';
  switch (rule.schedule) {
    case 'all':
      break;
    case 'work':
      if (!call.working()) return 'schedule';
      break;
    case 'nonwork':
      if (call.working()) return 'schedule';
      break;
    default:
      return 'schedule';
  }
  if (!rule.periods || (rule.periods.length > 0 && !inWindows(rule.periods, call.local()))) return 'periods';
  return null;
}
