/**
 * SQL for domain calendars, the same on every store but for placeholders and
 * column types: one row per domain that ever wrote its calendar, one column
 * per part (timezone, each weekday's periods as JSON). A PATCH is one upsert
 * that sets only the parts it names, so concurrent PATCHes lose nothing.
 */
import { defaultCalendar, WEEKDAYS, type CalendarDocument, type CalendarPatch } from '../calendar/document.js';
import { quote, type Dialect } from './sql.js';

export const CALENDARS_TABLE = 'calendars';
const weekColumn = (day: string) => `week_${day}`;
const PART_COLUMNS = ['timezone', ...WEEKDAYS.map(weekColumn)];

export function calendarTableStatement(dialect: Dialect): string {
  const text = dialect.columnType({ kind: 'scalar', type: 'string', mode: 'out' });
  const json = dialect.columnType('object');
  const weeks = WEEKDAYS.map((day) => `${quote(weekColumn(day))} ${json} NOT NULL`).join(', ');
  return `CREATE TABLE ${CALENDARS_TABLE} (domain ${text} PRIMARY KEY, timezone ${text} NOT NULL, ${weeks}, written_at ${text} NOT NULL)${dialect.tableSuffix}`;
}

export function calendarStatements(dialect: Dialect) {
  const p = (index: number) => dialect.placeholder(index);
  return {
    get: `SELECT ${PART_COLUMNS.map(quote).join(', ')} FROM ${CALENDARS_TABLE} WHERE domain = ${p(1)}`,
    /** The upsert of a patch and its bound values, JSON parts encoded as text. */
    patch(domain: string, patch: CalendarPatch, writtenAt: string): { sql: string; values: unknown[] } {
      const merged = defaultCalendar();
      const named = new Set<string>();
      if (patch.timezone !== undefined) {
        merged.timezone = patch.timezone;
        named.add('timezone');
      }
      for (const day of WEEKDAYS) {
        const periods = patch.week?.[day];
        if (periods === undefined) continue;
        merged.week[day] = periods;
        named.add(weekColumn(day));
      }
      const columns = ['domain', ...PART_COLUMNS, 'written_at'];
      const values = [domain, merged.timezone, ...WEEKDAYS.map((day) => JSON.stringify(merged.week[day])), writtenAt];
      const updates = [...named, 'written_at'].map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ');
      const sql =
        `INSERT INTO ${CALENDARS_TABLE} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => p(i + 1)).join(', ')}) ` +
        `ON CONFLICT (domain) DO UPDATE SET ${updates} RETURNING ${PART_COLUMNS.map(quote).join(', ')}`;
      return { sql, values };
    },
  };
}

/** A stored row as the document; `parse` turns a JSON column into its value (SQLite keeps text). */
export function calendarOfRow(row: Record<string, unknown>, parse: (value: unknown) => unknown): CalendarDocument {
  const week = Object.fromEntries(WEEKDAYS.map((day) => [day, parse(row[weekColumn(day)])])) as CalendarDocument['week'];
  return { timezone: row.timezone as string, week };
}
