/**
 * Query-string parameters of list and item reads (shared/spec/CONVENTIONS.md,
 * "List parameters"). Unknown or repeated parameters are refused, so a typo
 * such as `limt=5` is reported instead of silently ignored.
 */
import { projectionOf, resolveFieldRef, UnknownPathError, type CollectionModel, type FieldRef, type Projection } from '../collections/model.js';
import { invalidField } from '../errors.js';
import { filterCost, MAX_QUERY_COST, orderCost, sortable } from './cost.js';
import { parseFilter, type FilterNode } from './filter.js';
import { parseJsonParameter } from './json-parameter.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10000;
const MAX_ORDER_TERMS = 16;

export interface OrderTerm {
  field: FieldRef;
  descending: boolean;
}

export interface ItemQuery {
  /** Undefined: the whole entity. */
  projection?: Projection;
  flat: boolean;
}

export interface ListQuery extends ItemQuery {
  filter?: FilterNode;
  /** Empty: the default order, creation time then id. */
  order: OrderTerm[];
  offset: number;
  limit: number;
  /**
   * Characters of row data the list may read (list-budget.ts): a request's
   * list is held to MAX_LIST_CHARS; a reader that must see every row (the
   * decision engine compiling a domain) lifts it.
   */
  maxChars?: number;
}

type RawQuery = Record<string, unknown>;

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidField(name, 'may be given only once');
  return value;
}

function refuseUnknown(query: RawQuery, allowed: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!allowed.includes(name)) throw invalidField(name, `unknown parameter; expected one of ${allowed.join(', ')}`);
  }
}

function integerParam(query: RawQuery, name: string, fallback: number, max: number): number {
  const text = single(query, name);
  if (text === undefined) return fallback;
  if (!/^\d{1,10}$/.test(text)) throw invalidField(name, 'must be a non-negative integer');
  const value = Number(text);
  if (value > max) throw invalidField(name, `must be at most ${max}`);
  return value;
}

function parseFlat(query: RawQuery): boolean {
  const text = single(query, 'flat');
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1' || text === '') return true;
  throw invalidField('flat', 'must be true or false');
}

function parseMask(model: CollectionModel, query: RawQuery): Projection | undefined {
  const text = single(query, 'mask');
  if (text === undefined) return undefined;
  const paths = text.split(',').map((path) => path.trim());
  if (paths.some((path) => path === '')) throw invalidField('mask', 'must be a comma-separated list of field names');
  try {
    return projectionOf(model, paths);
  } catch (err) {
    if (err instanceof UnknownPathError) throw invalidField(`mask.${err.path}`, 'unknown field');
    throw err;
  }
}

function parseOrder(model: CollectionModel, query: RawQuery): OrderTerm[] {
  const text = single(query, 'order');
  if (text === undefined) return [];
  const parsed = parseJsonParameter('order', text, 'must be a JSON array such as ["priority", {"ext.ct": "desc"}]');
  if (!Array.isArray(parsed)) throw invalidField('order', 'must be a JSON array such as ["priority", {"ext.ct": "desc"}]');
  if (parsed.length > MAX_ORDER_TERMS) throw invalidField('order', `takes at most ${MAX_ORDER_TERMS} fields`);
  return parsed.map((term): OrderTerm => {
    let path: string;
    let descending = false;
    if (typeof term === 'string') path = term;
    else if (typeof term === 'object' && term !== null && !Array.isArray(term) && Object.keys(term).length === 1) {
      const [[name, direction]] = Object.entries(term);
      if (direction !== 'asc' && direction !== 'desc') throw invalidField(`order.${name}`, 'direction must be "asc" or "desc"');
      path = name;
      descending = direction === 'desc';
    } else throw invalidField('order', 'each term must be a field name or {"<field>": "asc"|"desc"}');
    const field = resolveFieldRef(model, path);
    if (!field) throw invalidField(`order.${path}`, 'unknown or not sortable field');
    if (field.kind === 'column' && !sortable(field)) {
      throw invalidField(`order.${path}`, `holds text of up to ${field.leaf.field.maxLength} characters, too long to sort by; order by a shorter field`);
    }
    return { field, descending };
  });
}

export function parseItemQuery(model: CollectionModel, query: RawQuery): ItemQuery {
  refuseUnknown(query, ['mask', 'flat']);
  return { projection: parseMask(model, query), flat: parseFlat(query) };
}

export function parseListQuery(model: CollectionModel, query: RawQuery): ListQuery {
  refuseUnknown(query, ['filter', 'mask', 'offset', 'limit', 'order', 'flat']);
  const filterText = single(query, 'filter');
  const filter = filterText === undefined ? undefined : parseFilter(model, filterText);
  const order = parseOrder(model, query);
  const cost = (filter ? filterCost(model, filter) : 0) + orderCost(model, order.map((term) => term.field));
  if (cost > MAX_QUERY_COST) {
    throw invalidField(
      filter ? 'filter' : 'order',
      `costs up to ${cost} characters compared per row, more than the ${MAX_QUERY_COST} allowed: use shorter "like" patterns, fewer "like" and ext terms, or fewer values compared with long text`,
    );
  }
  return {
    filter,
    projection: parseMask(model, query) ?? model.listProjection,
    order,
    offset: integerParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: integerParam(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT),
    flat: parseFlat(query),
  };
}
