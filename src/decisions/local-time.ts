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
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * A zone's offset from UTC by UTC hour, found once per hour: asking Intl for
 * an instant's wall clock is most of a decision's time. An hour holds one
 * offset when both its ends do (no zone changes twice within an hour); an
 * hour in which the offset changes is NaN, and its instants are asked one by one.
 */
const offsetsByHour = new Map<string, Map<number, number>>();
const HOURS_KEPT = 10_000;

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

/** Wall clock minus UTC at an instant, in ms, from the time zone database. */
function offsetAt(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC: years below 100 are years, not 19xx.
  wall.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  wall.setUTCHours(parts.hour, parts.minute, parts.second);
  return wall.getTime() - Math.floor(instant / 1000) * 1000;
}

function offsetOf(zone: string, instant: number): number {
  const hour = Math.floor(instant / MS_PER_HOUR);
  let byHour = offsetsByHour.get(zone);
  if (!byHour) offsetsByHour.set(zone, (byHour = new Map()));
  let offset = byHour.get(hour);
  if (offset === undefined) {
    const start = offsetAt(zone, hour * MS_PER_HOUR);
    offset = start === offsetAt(zone, (hour + 1) * MS_PER_HOUR - 1000) ? start : NaN;
    if (byHour.size >= HOURS_KEPT) byHour.clear();
    byHour.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetAt(zone, instant) : offset;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function localTime(zone: string, instant: number): LocalTime {
  const wall = new Date(instant + offsetOf(zone, instant));
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  const monthDay = `${pad(month)}-${pad(day)}`;
  return {
    date: `${String(year).padStart(4, '0')}-${monthDay}`,
    monthDay,
    weekday: wall.getUTCDay() || 7,
    msOfDay: ((wall.getTime() % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY,
  };
}

/** The same clock one day earlier: its weekday (for periods that started yesterday). */
export function previousWeekday(weekday: number): number {
  return weekday === 1 ? 7 : weekday - 1;
}
