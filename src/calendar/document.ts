/**
 * The domain calendar (shared/spec/RECORDING.md, "Working time" and "Fixed
 * points"): a time zone and a working week, read and changed as one document
 *   {"timezone": "UTC", "week": {"1": [{"from": "09:00", "to": "18:00"}], ..., "7": []}}
 * A domain whose calendar was never written has the defaults below.
 * PATCH replaces the fields it names; inside `week`, the weekdays it names.
 */
import { checkDayPeriods, dayPeriodSchema, MAX_PERIODS } from '../collections/values/clock.js';
import { checkTimeZone } from '../collections/values/time-zone.js';
import { detailsOf, requestValidator } from '../entity/ajv.js';

/** The calendar document's collection name on the change feed and in event streams; its id there is the domain. */
export const CALENDAR_COLLECTION = 'calendar';

export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface DayPeriod {
  from: string;
  to: string;
}

export type Week = Record<Weekday, DayPeriod[]>;

export interface CalendarDocument {
  timezone: string;
  week: Week;
}

export interface CalendarPatch {
  timezone?: string;
  week?: Partial<Week>;
}

const OFFICE_HOURS: DayPeriod[] = [{ from: '09:00', to: '18:00' }];

export function defaultCalendar(): CalendarDocument {
  return {
    timezone: 'UTC',
    week: { '1': [...OFFICE_HOURS], '2': [...OFFICE_HOURS], '3': [...OFFICE_HOURS], '4': [...OFFICE_HOURS], '5': [...OFFICE_HOURS], '6': [], '7': [] },
  };
}

const daySchema = { type: 'array', maxItems: MAX_PERIODS, items: dayPeriodSchema, description: 'Working periods of this ISO weekday; they do not cross midnight.' };

/** The document as JSON Schema: `patch` makes every part optional. */
export function calendarSchema(purpose: 'entity' | 'patch'): Record<string, unknown> {
  const week = {
    type: 'object',
    properties: Object.fromEntries(WEEKDAYS.map((day) => [day, daySchema])),
    additionalProperties: false,
    description: 'Keys "1" (Monday) .. "7" (Sunday).',
    ...(purpose === 'entity' ? { required: [...WEEKDAYS] } : {}),
  };
  return {
    type: 'object',
    properties: { timezone: { type: 'string', maxLength: 64, description: 'IANA time zone name, e.g. "Europe/Moscow".' }, week },
    additionalProperties: false,
    ...(purpose === 'entity' ? { required: ['timezone', 'week'] } : {}),
  };
}

const validatePatch = requestValidator(calendarSchema('patch'));

/** What is wrong with a PATCH body, field by field; [] when it is a valid calendar patch. */
export function calendarPatchProblems(body: unknown): { field: string; message: string }[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ field: 'body', message: 'must be a JSON object' }];
  const details = validatePatch(body) ? [] : detailsOf(validatePatch.errors);
  const patch = body as CalendarPatch;
  for (const problem of checkTimeZone(patch.timezone)) details.push({ field: 'timezone', message: problem.message });
  if (typeof patch.week === 'object' && patch.week !== null) {
    for (const day of WEEKDAYS) {
      for (const problem of checkDayPeriods(patch.week[day])) details.push({ field: `week.${day}.${problem.at}`, message: problem.message });
    }
  }
  return details;
}
