// shared/spec/RECORDING.md "Working time": exceptions to the working week, by date.
import { array, defineCollection, ext, idField, integer, opts, string } from '../declaration.js';
import { checkDayPeriods, dayPeriodSchema, MAX_PERIODS } from '../values/clock.js';

export const workdays = defineCollection({
  name: 'workdays',
  entity: 'workday',
  path: '/rest/v1/domain/workdays',
  description: 'Exceptions to the working week of the domain calendar: days off, extra working days, other hours.',
  fields: {
    id: idField(),
    date: string(10, { required: true, format: 'date', unique: 'per-domain', description: '"YYYY-MM-DD"; unique in the domain.' }),
    isannual: integer({ default: 0, enum: [0, 1], description: '1: the same month and day every year.' }),
    isworkday: integer({
      default: 0,
      enum: [0, 1, 2],
      description: "0 day off; 1 working day with the working week's hours of its weekday (or of asdow); 2 working day with its own periods.",
    }),
    asdow: integer({ default: 0, minimum: 0, maximum: 7, description: "0: the date's own weekday; 1..7: take that ISO weekday's hours." }),
    periods: array(dayPeriodSchema, { default: [], maxItems: MAX_PERIODS, check: checkDayPeriods, description: 'Working hours when isworkday is 2.' }),
    opts: opts(),
    ext: ext(),
  },
  lookupKeys: ['id', 'date'],
  listProjection: ['id', 'date', 'isannual', 'isworkday', 'asdow', 'periods', 'opts.title', 'ext.ct', 'ext.lwt'],
});
