/**
 * What a list query costs each row it examines, in the worst case, counted
 * in characters compared or parsed. Stored values are bounded (the
 * declarations), so the cost of a term is too:
 *
 * - `like` compares its pattern with the value at every position: up to
 *   (longest value of the field) x (pattern length) characters;
 * - a term or order on an `ext.<key>` parses the row's ext text first: up to
 *   the largest ext an entity may hold;
 * - comparisons of plain columns cost next to nothing and count 0.
 *
 * A query over MAX_QUERY_COST is refused with a 400, so no single row holds
 * the event loop for more than about a millisecond; the stores bound the
 * rows (SQLite: a deadline checked on every row of a costly query;
 * PostgreSQL: its statement timeout, off the event loop).
 */
import type { ExtField } from '../collections/declaration.js';
import type { CollectionModel, FieldRef } from '../collections/model.js';
import type { FilterNode } from './filter.js';

/** About 0.3 to 0.9 ms of SQLite's time per row at this many (measured: 0.5 to 1.7 ns a character). */
export const MAX_QUERY_COST = 1 << 19;

function extOf(model: CollectionModel): ExtField | undefined {
  const field = model.extField === undefined ? undefined : model.declaration.fields[model.extField];
  return field?.kind === 'ext' ? field : undefined;
}

/** The largest ext text an entity may hold: every key at its longest, with quotes, colon and comma. */
function extTextBytes(model: CollectionModel): number {
  const ext = extOf(model);
  return ext ? ext.maxKeys * (ext.maxKeyLength + ext.maxValueBytes + 4) : 0;
}

/** The longest value a reference can yield as text. */
function longestValue(model: CollectionModel, field: FieldRef): number {
  if (field.kind === 'ext') return extOf(model)?.maxValueBytes ?? 0;
  const declared = field.leaf.field;
  if (declared.maxLength !== undefined) return declared.maxLength;
  if (declared.type === 'uuid') return 36;
  return Math.max(0, ...(declared.enum ?? []).map((value) => String(value).length));
}

const readCost = (model: CollectionModel, field: FieldRef) => (field.kind === 'ext' ? extTextBytes(model) : 0);

export function filterCost(model: CollectionModel, node: FilterNode): number {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.nodes.reduce((sum, child) => sum + filterCost(model, child), 0);
    case 'not':
      return filterCost(model, node.node);
    case 'like':
      return readCost(model, node.field) + longestValue(model, node.field) * node.pattern.length;
    default:
      return readCost(model, node.field);
  }
}

export function orderCost(model: CollectionModel, fields: readonly FieldRef[]): number {
  return fields.reduce((sum, field) => sum + readCost(model, field), 0);
}
