/**
 * SQL derived from a collection model: table and indexes, list queries with
 * compiled filters and orders, lookups. Every value travels as a bound
 * parameter; identifiers come only from declarations. A Dialect supplies what
 * differs between stores.
 */
import type { ArrayField, Scalar, ScalarField } from '../collections/declaration.js';
import { clientExtShown, CREATED_AT, EXT_EXTRA_COLUMN, leafShown, type CollectionModel, type FieldRef, type Leaf, type Projection, type Reference } from '../collections/model.js';
import type { FilterNode } from '../query/filter.js';
import { filterCost, orderCost } from '../query/cost.js';
import type { ListQuery, OrderTerm } from '../query/params.js';

export const DOMAIN_COLUMN = 'domain';

export interface Dialect {
  placeholder(index: number): string;
  columnType(field: ScalarField | ArrayField | 'object'): string;
  /** Extra clause after CREATE TABLE (...), e.g. SQLite's STRICT. */
  tableSuffix: string;
  /** A scalar as bound for a comparison with a column of this field. */
  bindScalar(value: Scalar, field: ScalarField): unknown;
  /** How a client ext key is bound. */
  bindExtKey(key: string): unknown;
  /**
   * The ext key's stored value where it is a JSON value of `type`, as that
   * SQL type; NULL where the key is unset, null or of another type. `key()`
   * binds the key afresh at each use (SQLite binds by position).
   */
  extTyped(key: () => string, type: ExtType): string;
  /**
   * What `order` sorts an ext key by: the rank of its JSON type in
   * EXT_TYPE_ORDER (1 first; NULL where unset or null), then its value where
   * it is a scalar (NULL for arrays and objects, which tie).
   */
  extOrder(key: () => string): string[];
  /** Whether the ext key is unset or null. */
  extUnset(key: () => string): string;
  /** How a value compared with an extTyped expression of its type is bound, and the expression for it. */
  bindExtScalar(value: Scalar): unknown;
  extOperand(placeholder: string, type: ExtType): string;
  /** `expr` matches a `*`-wildcard mask, case-sensitively. */
  like(expr: string, placeholder: string): string;
  likePattern(mask: string): string;
  /** Inequality that counts NULL as a value of its own. */
  distinct(left: string, right: string): string;
  /** An empty JSON object as the ext column holds it. */
  emptyObject: string;
  /**
   * A condition evaluated on every row a costly query examines (query/cost.ts),
   * failing the statement once its time is up. For stores that run queries on
   * the event loop and have no statement timeout of their own.
   */
  rowDeadline?: string;
}

/** The JSON types a filter value can have; an ext term matches stored values of its value's type only. */
export type ExtType = 'string' | 'number' | 'boolean';

export const extTypeOf = (value: Scalar): ExtType => typeof value as ExtType;

/**
 * How `order` ranks an ext key's JSON types, both stores alike (this is
 * PostgreSQL's jsonb order); scalars of one type then order by value,
 * arrays and objects tie and fall to the next term.
 */
export const EXT_TYPE_ORDER = ['string', 'number', 'boolean', 'array', 'object'] as const;

export const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/** Collects bound values and hands out their placeholders in order. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

function notNull(leaf: Leaf): boolean {
  return leaf.field.default !== undefined || leaf.field.required === true || (leaf.field.kind === 'scalar' && leaf.field.generated !== undefined) || leaf.field.mode === 'out';
}

export function tableName(model: CollectionModel): string {
  return quote(model.name);
}

/** CREATE TABLE and CREATE INDEX statements for a collection; idempotent. */
export function schemaStatements(model: CollectionModel, dialect: Dialect): string[] {
  if (model.leafByPath.has(DOMAIN_COLUMN)) throw new Error(`${model.name}: "${DOMAIN_COLUMN}" is reserved`);
  const table = tableName(model);
  const columns = [`${quote(DOMAIN_COLUMN)} ${dialect.columnType({ kind: 'scalar', type: 'string', mode: 'out' })} NOT NULL`];
  for (const leaf of model.leaves) {
    // id is unique per domain (the primary key below), so one domain cannot learn of another's ids;
    // other unique fields are server-generated and unique everywhere, or declared unique per domain.
    const unique = leaf.path !== 'id' && leaf.field.kind === 'scalar' && leaf.field.unique === true ? ' UNIQUE' : '';
    columns.push(`${quote(leaf.column)} ${dialect.columnType(leaf.field)}${notNull(leaf) ? ' NOT NULL' : ''}${unique}`);
  }
  columns.push(`${quote(EXT_EXTRA_COLUMN)} ${dialect.columnType('object')} NOT NULL`);
  columns.push(`PRIMARY KEY (${quote(DOMAIN_COLUMN)}, ${quote('id')})`);
  for (const leaf of model.leaves) {
    if (leaf.field.kind === 'scalar' && leaf.field.unique === 'per-domain') columns.push(`UNIQUE (${quote(DOMAIN_COLUMN)}, ${quote(leaf.column)})`);
  }
  const statements = [`CREATE TABLE IF NOT EXISTS ${table} (\n  ${columns.join(',\n  ')}\n)${dialect.tableSuffix}`];
  for (const leaf of model.leaves) {
    if (leaf.field.kind !== 'scalar' || !leaf.field.indexed) continue;
    // Leading domain: every query filters on it. Trailing id: the tie-breaker of every order.
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${quote(`${model.name}_${leaf.column}_idx`)} ON ${table} (${quote(DOMAIN_COLUMN)}, ${quote(leaf.column)}, ${quote('id')})`,
    );
  }
  for (const paths of model.declaration.indexes ?? []) {
    const columns = paths.map((path) => {
      const leaf = model.leafByPath.get(path);
      if (!leaf || leaf.field.kind !== 'scalar') throw new Error(`${model.name}: index field ${path} is not a scalar field`);
      return leaf.column;
    });
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${quote(`${model.name}_${columns.join('_')}_idx`)} ON ${table} (${[DOMAIN_COLUMN, ...columns, 'id'].map(quote).join(', ')})`,
    );
  }
  return statements;
}

const columnOf = (field: FieldRef & { kind: 'column' }) => quote(field.leaf.column);

/** A fresh placeholder bound to the ext key at each call. */
const extKey = (key: string, params: Params, dialect: Dialect) => () => params.add(dialect.bindExtKey(key));

const columnValue = (field: FieldRef & { kind: 'column' }, value: Scalar, params: Params, dialect: Dialect) => params.add(dialect.bindScalar(value, field.leaf.field));
const extValue = (value: Scalar, type: ExtType, params: Params, dialect: Dialect) => dialect.extOperand(params.add(dialect.bindExtScalar(value)), type);

/** `field` compared with `value` by `compare(left, right)`; an ext key only where its stored type is the value's. */
function comparison(field: FieldRef, value: Scalar, params: Params, dialect: Dialect, compare: (left: string, right: string) => string): string {
  if (field.kind === 'column') return compare(columnOf(field), columnValue(field, value, params, dialect));
  const type = extTypeOf(value);
  return compare(dialect.extTyped(extKey(field.key, params, dialect), type), extValue(value, type, params, dialect));
}

function inList(field: FieldRef, values: Scalar[], params: Params, dialect: Dialect): string {
  if (field.kind === 'column') return `(${columnOf(field)} IN (${values.map((value) => columnValue(field, value, params, dialect)).join(', ')}))`;
  // One IN for each type among the values: an ext value matches values of its own type.
  const byType = new Map<ExtType, Scalar[]>();
  for (const value of values) {
    const type = extTypeOf(value);
    const group = byType.get(type);
    if (group) group.push(value);
    else byType.set(type, [value]);
  }
  const terms = [...byType].map(
    ([type, group]) => `${dialect.extTyped(extKey(field.key, params, dialect), type)} IN (${group.map((value) => extValue(value, type, params, dialect)).join(', ')})`,
  );
  return `(${terms.join(' OR ')})`;
}

export function compileFilter(node: FilterNode, params: Params, dialect: Dialect): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      if (node.nodes.length === 0) return node.kind === 'and' ? '1 = 1' : '1 = 0';
      return `(${node.nodes.map((child) => compileFilter(child, params, dialect)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      // Two-valued, as a client reads it: a comparison with an unset value is false, so its `not` is true.
      return `(${compileFilter(node.node, params, dialect)} IS NOT TRUE)`;
    case 'isnull':
      return node.field.kind === 'column' ? `(${columnOf(node.field)} IS NULL)` : `(${dialect.extUnset(extKey(node.field.key, params, dialect))})`;
    case 'like': {
      // A mask matches text: an ext key's strings only.
      const text = node.field.kind === 'column' ? columnOf(node.field) : dialect.extTyped(extKey(node.field.key, params, dialect), 'string');
      return `(${dialect.like(text, params.add(dialect.likePattern(node.pattern)))})`;
    }
    case 'in':
      return node.values.length === 0 ? '1 = 0' : inList(node.field, node.values, params, dialect);
    case 'compare': {
      const op = node.op;
      if (op === '!=') return comparison(node.field, node.value, params, dialect, (left, right) => `(${dialect.distinct(left, right)})`);
      return comparison(node.field, node.value, params, dialect, (left, right) => `(${left} ${op === '==' ? '=' : op} ${right})`);
    }
  }
}

const queryCost = (model: CollectionModel, query: ListQuery) =>
  (query.filter ? filterCost(model, query.filter) : 0) + orderCost(model, query.order.map((term) => term.field));

function compileOrder(model: CollectionModel, terms: OrderTerm[], params: Params, dialect: Dialect): string {
  // shared/spec/CONVENTIONS.md: "default order: creation time, then id (stable)".
  const effective: OrderTerm[] =
    terms.length > 0 ? [...terms] : [{ field: { kind: 'column', leaf: model.leafByPath.get(CREATED_AT) as never }, descending: false }];
  const clauses = effective.flatMap(({ field, descending }) => {
    const direction = descending ? ' DESC' : ' ASC';
    // Where a value can be unset, spelled out so both stores put it in the same place;
    // elsewhere left out, so a plain index serves the order on PostgreSQL too.
    const nulls = descending ? ' NULLS LAST' : ' NULLS FIRST';
    if (field.kind === 'column') return [`${columnOf(field)}${direction}${notNull(field.leaf) ? '' : nulls}`];
    const [rank, ...values] = dialect.extOrder(extKey(field.key, params, dialect));
    return [`${rank}${direction}${nulls}`, ...values.map((value) => `${value}${direction}`)];
  });
  // id last keeps pages stable when the named fields tie.
  if (!effective.some(({ field }) => field.kind === 'column' && field.leaf.path === 'id')) clauses.push(`${quote('id')} ASC`);
  return clauses.join(', ');
}

/** Columns of a stored row, in the order inserts bind them. */
function rowColumns(model: CollectionModel): string[] {
  return [DOMAIN_COLUMN, ...model.leaves.map((leaf) => leaf.column), EXT_EXTRA_COLUMN];
}

/**
 * The columns a read returns, in the order of model.leaves and then the
 * extension column: row decoders can read values by position.
 */
export function entityColumns(model: CollectionModel): string {
  return [...model.leaves.map((leaf) => leaf.column), EXT_EXTRA_COLUMN].map(quote).join(', ');
}

/** INSERT of one row; values bound in rowColumns order. */
export function insertStatement(model: CollectionModel, dialect: Dialect): string {
  const columns = rowColumns(model);
  return `INSERT INTO ${tableName(model)} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => dialect.placeholder(i + 1)).join(', ')})`;
}

/** One row of the domain by id, its `1` only: whether it exists (`suffix`: a lock clause). */
export function rowExistsStatement(model: CollectionModel, dialect: Dialect, suffix = ''): string {
  return `SELECT 1 AS found FROM ${tableName(model)} WHERE ${quote(DOMAIN_COLUMN)} = ${dialect.placeholder(1)} AND ${quote('id')} = ${dialect.placeholder(2)}${suffix}`;
}

/** How many rows of the reference's collection name an entity of the domain. */
export function referrersStatement({ from, leaf }: Reference, dialect: Dialect): string {
  return `SELECT COUNT(*) AS n FROM ${tableName(from)} WHERE ${quote(DOMAIN_COLUMN)} = ${dialect.placeholder(1)} AND ${quote(leaf.column)} = ${dialect.placeholder(2)}`;
}

/**
 * entityColumns, with the columns the projection leaves out read as NULL
 * (and the client's ext as an empty object): rows keep their shape, and the
 * store neither reads nor decodes what the list does not show. Those get a
 * name no column has: ORDER BY and WHERE must still see the real column.
 */
export function projectedColumns(model: CollectionModel, projection: Projection | undefined, dialect: Dialect): string {
  if (!projection) return entityColumns(model);
  const columns = model.leaves.map((leaf) => (leafShown(projection, leaf) ? quote(leaf.column) : `NULL AS ${quote(`-${leaf.column}`)}`));
  columns.push(clientExtShown(model, projection) ? quote(EXT_EXTRA_COLUMN) : `${dialect.emptyObject} AS ${quote(`-${EXT_EXTRA_COLUMN}`)}`);
  return columns.join(', ');
}

export function listStatement(model: CollectionModel, domain: string, query: ListQuery, dialect: Dialect): { sql: string; values: unknown[] } {
  const params = new Params(dialect);
  let sql = `SELECT ${projectedColumns(model, query.projection, dialect)} FROM ${tableName(model)} WHERE ${quote(DOMAIN_COLUMN)} = ${params.add(domain)}`;
  // First among the row's conditions, so it is checked before the costly ones on every row.
  if (dialect.rowDeadline && queryCost(model, query) > 0) sql += ` AND ${dialect.rowDeadline}`;
  if (query.filter) sql += ` AND ${compileFilter(query.filter, params, dialect)}`;
  sql += ` ORDER BY ${compileOrder(model, query.order, params, dialect)}`;
  sql += ` LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`;
  return { sql, values: params.values };
}

// A LOOKUP's text depends on the collection and the dialect only: built once for each.
const lookupTexts = new WeakMap<Dialect, WeakMap<CollectionModel, string>>();

/**
 * One indexed equality per key field, concatenated. Not an OR across the
 * fields, an ORDER BY or a de-duplicating UNION: each lets the planner walk
 * the whole domain in some index order instead. The few matches are
 * de-duplicated and ordered by orderLookupRows.
 */
export function lookupStatement(model: CollectionModel, domain: string, key: string, dialect: Dialect): { sql: string; values: unknown[] } {
  // ids are stored lowercase; a key that differs only in case still names the same entity.
  const values = model.lookupLeaves.flatMap((leaf) => [domain, leaf.field.kind === 'scalar' && leaf.field.type === 'uuid' ? key.toLowerCase() : key]);
  let texts = lookupTexts.get(dialect);
  if (!texts) lookupTexts.set(dialect, (texts = new WeakMap()));
  let sql = texts.get(model);
  if (sql === undefined) {
    // Placeholders are numbered in the order they appear: SQLite binds "?" by position, as values lists them.
    const params = new Params(dialect);
    sql = model.lookupLeaves
      .map(
        (leaf) =>
          `SELECT ${quote('id')}, ${quote(createdAtColumn(model))} AS ${quote(LOOKUP_CREATED_AT)} FROM ${tableName(model)} ` +
          `WHERE ${quote(DOMAIN_COLUMN)} = ${params.add(domain)} AND ${quote(leaf.column)} = ${params.add(key)}`,
      )
      .join(' UNION ALL ');
    texts.set(model, sql);
  }
  return { sql, values };
}

const LOOKUP_CREATED_AT = 'created_at';

function createdAtColumn(model: CollectionModel): string {
  return model.leafByPath.get(CREATED_AT)!.column;
}

/** The distinct ids of lookup rows in the default order (CONVENTIONS.md): creation time, then id. */
export function orderLookupRows(rows: { id: string; [LOOKUP_CREATED_AT]: string }[]): string[] {
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = rows.sort((a, b) => byText(a[LOOKUP_CREATED_AT], b[LOOKUP_CREATED_AT]) || byText(a.id, b.id));
  return [...new Set(sorted.map((row) => row.id))];
}
