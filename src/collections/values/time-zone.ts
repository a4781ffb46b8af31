/** IANA time zone names, as the runtime's time zone database knows them. */
import type { ValueProblem } from '../declaration.js';

// Region/City names and single names such as UTC; offsets like "+01:00" are not IANA names.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

export function isTimeZone(name: string): boolean {
  if (!ZONE_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone's name as the time zone database spells it ("europe/moscow" is stored as "Europe/Moscow"). */
export function canonicalTimeZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone ?? name;
}

export function checkTimeZone(value: unknown): ValueProblem[] {
  return typeof value === 'string' && !isTimeZone(value) ? [{ message: 'is not a known IANA time zone' }] : [];
}
