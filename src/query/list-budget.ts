/**
 * How much row data one list may read. Reading, decoding and serialising a
 * row is work on the event loop in proportion to its size, and a row may
 * legally be about 48 KB (integration_points: ext, comment, url, tokens), so
 * `limit` alone does not bound a list: 10,000 such rows held the loop for
 * 20 s. The stores count the characters of every row they return (what the
 * mask selects: other columns are not read) and stop with a 400 naming
 * `limit` as soon as a list passes MAX_LIST_CHARS, before the rest is read.
 *
 * The count is of decoded values, so both stores reach the same total:
 * text by its length, arrays and objects by their JSON text, other values 1.
 */
import { invalidField } from '../errors.js';
import type { Row } from '../entity/rows.js';

/**
 * 4 Mi characters: 10,000 rows of about 400 characters, what typical rows
 * shown by the list projection take, still fit; a list reading up to the
 * bound holds the event loop well under 100 ms (eight such lists of the
 * largest rows at once took about 70 ms in all on the embedded store).
 */
export const MAX_LIST_CHARS = 1 << 22;

function valueChars(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'object') return JSON.stringify(value).length;
  return 1;
}

export function rowChars(row: Row): number {
  let chars = 0;
  for (const key in row) chars += valueChars(row[key]);
  return chars;
}

/** Counts the rows of one list; throws once they pass the bound. */
export class ListBudget {
  private chars = 0;
  constructor(private readonly limit = MAX_LIST_CHARS) {}

  add(row: Row): void {
    this.chars += rowChars(row);
    if (this.chars > this.limit) {
      throw invalidField('limit', `the rows asked for hold more than ${this.limit} characters: ask for fewer (limit), fewer fields (mask) or narrow the filter`);
    }
  }
}
