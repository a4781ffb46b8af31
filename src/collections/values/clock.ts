/**
 * Times of day and periods (shared/spec/RECORDING.md): "HH:MM" on a 24-hour
 * clock; a period includes its start and excludes its end. "24:00" may end a
 * period (the end of the day). Rule periods may cross midnight (`to` before
 * `from`); working-week and workday periods may not.
 */
import type { ItemSchema, ValueProblem } from '../declaration.js';

const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
export const MINUTES_PER_DAY = 24 * 60;
/** Periods one rule, workday or weekday may hold. */
export const MAX_PERIODS = 64;

/** Minutes since midnight of "HH:MM" ("24:00" too when `end`), or undefined. */
export function clockMinutes(text: unknown, end = false): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (end && text === '24:00') return MINUTES_PER_DAY;
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

// "HH:MM" is five characters; checkDayPeriods and checkRulePeriods say what else is wrong.
const time = (description: string) => ({ type: 'string', maxLength: 5, description });

/** An item of a working-week day or of a workday: `{"from": "09:00", "to": "13:00"}`. */
export const dayPeriodSchema: ItemSchema = {
  type: 'object',
  properties: { from: time('Start, "HH:MM", included.'), to: time('End, "HH:MM" or "24:00", excluded; after from.') },
  required: ['from', 'to'],
  additionalProperties: false,
};

/** An item of a rule's `periods`: `{"days": [1,2,3,4,5], "from": "09:00", "to": "18:00"}`. */
export const rulePeriodSchema: ItemSchema = {
  type: 'object',
  properties: {
    days: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 7 },
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays, 1 = Monday .. 7 = Sunday; absent = every day.',
    },
    from: time('Start, "HH:MM", included.'),
    to: time('End, "HH:MM" or "24:00", excluded; before from crosses midnight (the period belongs to the day it starts on).'),
  },
  required: ['from', 'to'],
  additionalProperties: false,
};

function checkPeriods(value: unknown, mayCrossMidnight: boolean): ValueProblem[] {
  if (!Array.isArray(value)) return [];
  const problems: ValueProblem[] = [];
  value.forEach((item, i) => {
    if (typeof item !== 'object' || item === null) return;
    const { from, to } = item as Record<string, unknown>;
    const start = clockMinutes(from);
    const end = clockMinutes(to, true);
    if (typeof from === 'string' && start === undefined) problems.push({ at: `${i}.from`, message: 'must be a time of day "HH:MM"' });
    if (typeof to === 'string' && end === undefined) problems.push({ at: `${i}.to`, message: 'must be a time of day "HH:MM" (or "24:00")' });
    if (start === undefined || end === undefined) return;
    if (start === end) problems.push({ at: `${i}.to`, message: 'must differ from from' });
    else if (end < start && !mayCrossMidnight) problems.push({ at: `${i}.to`, message: 'must be after from (these periods do not cross midnight)' });
  });
  return problems;
}

export const checkDayPeriods = (value: unknown) => checkPeriods(value, false);
export const checkRulePeriods = (value: unknown) => checkPeriods(value, true);
