/**
 * Entities as rows and back. A row holds one value per leaf column (null when
 * unset) plus the client's own ext keys; stores keep rows, the wire sees
 * entities in declaration order.
 */
import type { ScalarField } from '../collections/declaration.js';
import { CREATED_AT, EXT_EXTRA_COLUMN, WRITTEN_AT, type CollectionModel, type Leaf, type Projection } from '../collections/model.js';
import { invalidField } from '../errors.js';
import { randomToken, timeOrderedUuid } from './generated-ids.js';
import type { Body } from './validation.js';

export type Row = Record<string, unknown>;
export type Entity = Record<string, unknown>;

/** A PATCH as storage sees it: columns to set and ext keys to merge (null removes). */
export interface RowChange {
  set: Row;
  extMerge: Record<string, unknown>;
}

/** RFC 3339 UTC with two fractional digits, as in the seeds: 2019-08-28T13:34:16.42Z */
export function timestamp(date = new Date()): string {
  return date.toISOString().slice(0, 22) + 'Z';
}

/**
 * Generated ids are UUIDv7 (RFC 9562): time-ordered, so new rows share the
 * last page of the primary-key index instead of each dirtying a random page
 * that its commit has to write to the WAL and sync.
 */
export function generateValue(field: ScalarField): string {
  return field.generated === 'token' ? randomToken() : timeOrderedUuid();
}

function leafValue(body: Body, leaf: Leaf): unknown {
  if (leaf.key === undefined) return body[leaf.top];
  return (body[leaf.top] as Body | undefined)?.[leaf.key];
}

function hasLeaf(body: Body, leaf: Leaf): boolean {
  if (leaf.key === undefined) return leaf.top in body;
  const container = body[leaf.top];
  return typeof container === 'object' && container !== null && leaf.key in container;
}

function normalise(leaf: Leaf, value: unknown): unknown {
  // UUIDs compare case-insensitively; store one spelling.
  return leaf.field.kind === 'scalar' && leaf.field.type === 'uuid' && typeof value === 'string' ? value.toLowerCase() : value;
}

function defaultOf(leaf: Leaf): unknown {
  const value = leaf.field.default;
  return value === undefined ? null : Array.isArray(value) ? [...value] : value;
}

/** Client ext keys as stored: the server's own ct/lwt and nulls left out. */
function clientExt(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([key, v]) => key !== 'ct' && key !== 'lwt' && v !== null));
}

/** The row a validated create body becomes; generated fields get fresh values. */
export function newRow(model: CollectionModel, body: Body, now = timestamp()): Row {
  const row: Row = {};
  for (const leaf of model.leaves) {
    if (leaf.path === CREATED_AT || leaf.path === WRITTEN_AT) row[leaf.column] = now;
    else if (leaf.field.mode !== 'out' && hasLeaf(body, leaf) && leafValue(body, leaf) !== null) row[leaf.column] = normalise(leaf, leafValue(body, leaf));
    else if (leaf.field.kind === 'scalar' && leaf.field.generated) row[leaf.column] = generateValue(leaf.field);
    else row[leaf.column] = defaultOf(leaf);
  }
  row[EXT_EXTRA_COLUMN] = model.extField ? clientExt(body[model.extField]) : {};
  return row;
}

/**
 * The change a validated patch body makes to `stored`
 * (shared/spec/CONVENTIONS.md: "PATCH merges: top-level fields replace; opts
 * and ext merge key by key"). Immutable fields may be repeated unchanged.
 */
export function rowChange(model: CollectionModel, stored: Row, body: Body, now = timestamp()): RowChange {
  const set: Row = {};
  for (const leaf of model.leaves) {
    if (leaf.path === WRITTEN_AT) {
      set[leaf.column] = now;
      continue;
    }
    if (leaf.path === CREATED_AT || !hasLeaf(body, leaf)) continue;
    const value = normalise(leaf, leafValue(body, leaf));
    if (leaf.field.immutable) {
      if (value !== stored[leaf.column]) throw invalidField(leaf.path, 'may not be changed');
      continue;
    }
    set[leaf.column] = value === null ? defaultOf(leaf) : value;
  }
  const extBody = model.extField ? body[model.extField] : undefined;
  const extMerge: Record<string, unknown> = {};
  if (typeof extBody === 'object' && extBody !== null) {
    for (const [key, value] of Object.entries(extBody)) if (key !== 'ct' && key !== 'lwt') extMerge[key] = value;
  }
  return { set, extMerge };
}

/** The most client keys an entity's ext may hold, after any merge; undefined without ext. */
export function maxExtKeys(model: CollectionModel): number | undefined {
  const field = model.extField === undefined ? undefined : model.declaration.fields[model.extField];
  return field?.kind === 'ext' ? field.maxKeys : undefined;
}

/** The refusal of a PATCH whose merge would leave ext with too many keys (the body alone may be fine). */
export function tooManyExtKeys(model: CollectionModel): Error {
  return invalidField(model.extField ?? 'ext', `may hold at most ${maxExtKeys(model)} keys besides ct and lwt`);
}

/** Merges ext keys the way a PATCH does: a null removes the key. */
export function mergeExt(current: Record<string, unknown>, merge: Record<string, unknown>): Record<string, unknown> {
  const next = { ...current };
  for (const [key, value] of Object.entries(merge)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/**
 * The entity in declaration order, only the parts in `projection` when one is
 * given (mask, or a list's default fields). Unset optional keys are left out,
 * and so is a composite of which nothing is projected. One pass with no
 * intermediate entity: lists render every row this way.
 */
export function toEntity(model: CollectionModel, row: Row, projection?: Projection): Entity {
  const entity: Entity = {};
  const { leaves } = model;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    const wanted = projection ? projection.get(leaf.top) : true;
    if (wanted === undefined) continue;
    const value = row[leaf.column];
    const set = value !== null && value !== undefined;
    if (leaf.key === undefined) {
      if (set) entity[leaf.top] = value;
    } else if (wanted === true) {
      const container = (entity[leaf.top] ??= {}) as Record<string, unknown>;
      if (set) container[leaf.key] = value;
    } else if (set && wanted.has(leaf.key)) {
      ((entity[leaf.top] ??= {}) as Record<string, unknown>)[leaf.key] = value;
    }
    // The client's own ext keys follow the declared ones (ct, lwt).
    const lastOfField = i === leaves.length - 1 || leaves[i + 1].top !== leaf.top;
    if (lastOfField && leaf.top === model.extField) {
      const extra = row[EXT_EXTRA_COLUMN] as Record<string, unknown>;
      if (wanted === true) Object.assign(entity[leaf.top] as object, extra);
      else for (const key in extra) if (wanted.has(key)) ((entity[leaf.top] ??= {}) as Record<string, unknown>)[key] = extra[key];
    }
  }
  return entity;
}
