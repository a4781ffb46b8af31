/**
 * Working time of a domain (shared/spec/RECORDING.md, "Working time" and
 * "Fixed points"): the calendar's working week, overridden on a date by a
 * workday: an exact date first, else an annual one for that month-day.
 * isworkday 0 is a day off, 1 takes the working week's hours of the date's
 * weekday (or of `asdow`), 2 has its own periods. Windows include their
 * start and exclude their end.
 */
import type { CalendarDocument, Weekday } from '../calendar/document.js';
import { clockMinutes } from '../collections/values/clock.js';
import { MS_PER_MINUTE, type LocalTime } from './local-time.js';

export interface Workday {
  date: string;
  isannual: number;
  isworkday: number;
  asdow: number;
  periods: unknown;
}

/** A window of one day, in milliseconds since local midnight: [from, to). */
export interface Window {
  from: number;
  to: number;
}

/** The well-formed periods of a list as windows; anything else in it counts for nothing. */
function windowsOf(periods: unknown): Window[] {
  if (!Array.isArray(periods)) return [];
  const windows: Window[] = [];
  for (const item of periods) {
    const from = clockMinutes((item as { from?: unknown } | null)?.from);
    const to = clockMinutes((item as { to?: unknown } | null)?.to, true);
    if (from !== undefined && to !== undefined && from < to) windows.push({ from: from * MS_PER_MINUTE, to: to * MS_PER_MINUTE });
  }
  return windows;
}

/** A workday with its own periods already turned into windows. */
type Exception = Workday & { own: Window[] };

export class WorkingTime {
  /** Index 1..7: the working week's windows of each ISO weekday. */
  private readonly week: Window[][];
  private readonly exact = new Map<string, Exception>();
  private readonly annual = new Map<string, Exception>();

  constructor(
    calendar: CalendarDocument,
    workdays: Iterable<Workday>,
  ) {
    this.week = [[], ...(['1', '2', '3', '4', '5', '6', '7'] as Weekday[]).map((day) => windowsOf(calendar.week[day]))];
    for (const stored of workdays) {
      const workday = { ...stored, own: windowsOf(stored.periods) };
      this.exact.set(workday.date, workday);
      if (workday.isannual !== 1) continue;
      // Two annual entries for one month-day: the later date's wins.
      const monthDay = workday.date.slice(5);
      const current = this.annual.get(monthDay);
      if (!current || current.date < workday.date) this.annual.set(monthDay, workday);
    }
  }

  /** The working windows of the local date. */
  windowsOn(local: LocalTime): Window[] {
    const workday = this.exact.get(local.date) ?? this.annual.get(local.monthDay);
    if (!workday) return this.week[local.weekday];
    switch (workday.isworkday) {
      case 1:
        return this.week[workday.asdow >= 1 && workday.asdow <= 7 ? workday.asdow : local.weekday];
      case 2:
        return workday.own;
      default:
        return [];
    }
  }

  isWorking(local: LocalTime): boolean {
    return this.windowsOn(local).some((window) => local.msOfDay >= window.from && local.msOfDay < window.to);
  }
}
