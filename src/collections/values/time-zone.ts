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

export function checkTimeZone(value: unknown): ValueProblem[] {
  return typeof value === 'string' && !isTimeZone(value) ? [{ message: 'is not a known IANA time zone' }] : [];
}
