/**
 * How much row data one list may read. Reading, decoding and serialising a
 * row is work on the event loop in proportion to its size, and a row may
 * legally be about 48 KB (integration_points: ext, comment, url, tokens), so
 * `limit` alone does not bound a list: 10,000 such rows held the loop for
 * 20 s. The stores count the characters of every row they return (what the
 * mask selects: other columns are not read) and stop with a 400 naming
 * `limit` as soon as a list passes MAX_LIST_CHARS, before the rest is read.
 *
 * Values are counted as the store returns them, before decoding: text by its
 * length (JSON columns by their stored JSON text), other values 1. Counting
 * decoded arrays and objects would mean serialising them once more per row.
 */
import type { ArrayField, ScalarField } from '../collections/declaration.js';
import { clientExtShown, leafShown, type CollectionModel } from '../collections/model.js';
import { invalidField } from '../errors.js';
import type { ListQuery } from './params.js';

/**
 * 4 Mi characters: 10,000 rows of about 400 characters, what typical rows
 * shown by the list projection take, still fit; a list reading up to the
 * bound holds the event loop well under 100 ms (eight such lists of the
 * largest rows at once took about 70 ms in all on the embedded store).
 */
export const MAX_LIST_CHARS = 1 << 22;

/**
 * The most characters one value of the field can count, as values() counts
 * them: declared lengths are in code points, up to two UTF-16 units each.
 * Arrays (JSON text) are left unbounded here: a list that reads them counts.
 */
function fieldMaxChars(field: ScalarField | ArrayField): number {
  if (field.kind === 'array') return Infinity;
  if (field.type === 'integer' || field.type === 'boolean') return 1;
  if (field.type === 'uuid') return 36;
  if (field.enum) return Math.max(0, ...field.enum.map((value) => String(value).length));
  return field.maxLength === undefined ? Infinity : 2 * field.maxLength;
}

/**
 * Whether a list must count what it reads: not when the declared lengths of
 * the columns it reads, times its limit, already stay within the bound (a
 * list of the default fields, say). Such a list is read whole at once. (Text
 * stored before its field declared a length may be longer; every write since
 * is held to the declared length.)
 */
export function listNeedsCounting(model: CollectionModel, query: ListQuery): boolean {
  const limit = query.maxChars ?? MAX_LIST_CHARS;
  if (limit === Infinity) return false;
  if (clientExtShown(model, query.projection)) return true;
  let rowChars = 0;
  for (const leaf of model.leaves) if (leafShown(query.projection, leaf)) rowChars += fieldMaxChars(leaf.field);
  return rowChars * query.limit > limit;
}

/** Counts the rows of one list; throws once they pass the bound. */
export class ListBudget {
  private chars = 0;
  constructor(private readonly limit: number = MAX_LIST_CHARS) {}

  /**
   * Stored text the store decodes itself (JSON), counted as it is parsed.
   * It does not throw: a driver may parse inside its protocol handler; the
   * next values() of the row checks the bound.
   */
  text(text: string): void {
    this.chars += text.length;
  }

  /**
   * One row's values as read, then the bound. Decoded objects count nothing
   * here: the store counted their text through text() as it decoded them.
   */
  values(values: Iterable<unknown>): void {
    for (const value of values) {
      if (typeof value === 'string') this.chars += value.length;
      else if (value !== null && value !== undefined && typeof value !== 'object') this.chars += 1;
    }
    this.check();
  }

  private check(): void {
    if (this.chars > this.limit) {
      throw invalidField('limit', `the rows asked for hold more than ${this.limit} characters: ask for fewer (limit), fewer fields (mask) or narrow the filter`);
    }
  }
}
