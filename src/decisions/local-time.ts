/**
 * The wall-clock time of an instant in a domain's time zone, from the
 * runtime's time zone database (Intl), so daylight saving changes are those
 * of the zone: 09:30 local is 09:30 on both sides of a change.
 */

export interface LocalTime {
  /** "YYYY-MM-DD" */
  date: string;
  /** "MM-DD", what annual workdays are matched by. */
  monthDay: string;
  /** ISO weekday, 1 = Monday .. 7 = Sunday. */
  weekday: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

export const MS_PER_MINUTE = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
// Decisions come in bursts for "now": the local time of one zone and second is worked out once.
const lastBySecond = new Map<string, { second: number; local: Omit<LocalTime, 'msOfDay'> & { secondOfDay: number } }>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function localTime(zone: string, instant: number): LocalTime {
  const second = Math.floor(instant / 1000);
  const ms = instant - second * 1000;
  const cached = lastBySecond.get(zone);
  if (cached && cached.second === second) return { ...cached.local, msOfDay: cached.local.secondOfDay * 1000 + ms };
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const { year, month, day, hour, minute } = parts;
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day);
  const weekday = midnight.getUTCDay() || 7;
  const local = {
    date: `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`,
    monthDay: `${pad(month)}-${pad(day)}`,
    weekday,
    secondOfDay: (hour * 60 + minute) * 60 + parts.second,
  };
  if (lastBySecond.size > 1000) lastBySecond.clear();
  lastBySecond.set(zone, { second, local });
  return { date: local.date, monthDay: local.monthDay, weekday, msOfDay: local.secondOfDay * 1000 + ms };
}

/** The same clock one day earlier: its weekday (for periods that started yesterday). */
export function previousWeekday(weekday: number): number {
  return weekday === 1 ? 7 : weekday - 1;
}
