/**
 * What the rest of the service needs to know about a collection, derived once
 * from its declaration: storage leaves (one typed column each), how query
 * paths resolve, and the default list projection.
 */
import type { ArrayField, CollectionDeclaration, ScalarField } from './declaration.js';

/** A stored value: a top-level field or a key of `opts`/`ext`, each with its own column. */
export interface Leaf {
  /** Wire path, dotted for nested keys: `opts.title`. */
  path: string;
  /** Top-level field the leaf lives in (`opts`), or its own name. */
  top: string;
  /** Key inside `top`, or undefined for a top-level field. */
  key?: string;
  column: string;
  field: ScalarField | ArrayField;
}

/** A path usable in filter and order: a scalar column, or a client key inside `ext`. */
export type FieldRef = { kind: 'column'; leaf: Leaf & { field: ScalarField } } | { kind: 'ext'; key: string };

/** Which parts of an entity to output: whole top-level fields, or some keys of a composite. */
export type Projection = Map<string, true | Set<string>>;

export interface CollectionModel {
  name: string;
  entity: string;
  path: string;
  declaration: CollectionDeclaration;
  /** Every leaf in wire order, ext.ct and ext.lwt included. */
  leaves: Leaf[];
  leafByPath: ReadonlyMap<string, Leaf>;
  leafByColumn: ReadonlyMap<string, Leaf>;
  lookupLeaves: Leaf[];
  listProjection: Projection;
  /** Name of the `ext` field, if the collection has one. */
  extField?: string;
  /** Fields naming an entity of another collection (declared `references`), linked by linkReferences. */
  references: Reference[];
  /** Fields of other collections naming entities of this one. */
  referencedBy: Reference[];
}

/** `leaf` of `from` holds the id of an entity of `to` in the same domain. */
export interface Reference {
  from: CollectionModel;
  leaf: Leaf;
  to: CollectionModel;
}

/** Column holding the client's own `ext` keys as a JSON object. */
export const EXT_EXTRA_COLUMN = 'ext_extra';
export const CREATED_AT = 'ext.ct';
export const WRITTEN_AT = 'ext.lwt';
// Keys a query may name inside ext; anything else a client stores there is kept but not queryable.
const EXT_KEY = /^[A-Za-z0-9_-]{1,64}$/;

// RFC 3339 with two fractional digits: 2019-08-28T13:34:16.42Z.
const timestamp = (description: string): ScalarField => ({ kind: 'scalar', type: 'string', mode: 'out', indexed: true, maxLength: 32, description });

/** Every stored value has a bound: text its length, arrays their size. */
function unboundedArray(field: ArrayField): boolean {
  if (!(field.maxItems > 0)) return true;
  if (field.items === 'string') return !(Number(field.itemMaxLength) > 0);
  if (field.items === 'any') return !(Number(field.maxBytes) > 0 && Number(field.maxDepth) > 0);
  // A declared item schema bounds its own values (values/clock.ts).
  return false;
}

function checkBounded(collection: string, path: string, field: ScalarField | ArrayField): void {
  const unbounded = field.kind === 'scalar' ? field.type === 'string' && field.enum === undefined && !(Number(field.maxLength) > 0) : unboundedArray(field);
  if (unbounded) throw new Error(`${collection}: ${path} needs a declared maximum length`);
}

export function compileCollection(declaration: CollectionDeclaration): CollectionModel {
  const leaves: Leaf[] = [];
  for (const [name, field] of Object.entries(declaration.fields)) {
    if (field.kind === 'object') {
      for (const [key, sub] of Object.entries(field.fields)) {
        leaves.push({ path: `${name}.${key}`, top: name, key, column: `${name}_${key}`, field: sub });
      }
    } else if (field.kind === 'ext') {
      leaves.push({ path: `${name}.ct`, top: name, key: 'ct', column: `${name}_ct`, field: timestamp('Creation time, RFC 3339 UTC.') });
      leaves.push({ path: `${name}.lwt`, top: name, key: 'lwt', column: `${name}_lwt`, field: timestamp('Last write time, RFC 3339 UTC.') });
    } else {
      leaves.push({ path: name, top: name, column: name, field });
    }
  }
  for (const leaf of leaves) checkBounded(declaration.name, leaf.path, leaf.field);
  const leafByPath = new Map(leaves.map((leaf) => [leaf.path, leaf]));
  const columns = new Set(leaves.map((leaf) => leaf.column));
  if (columns.size !== leaves.length || columns.has(EXT_EXTRA_COLUMN)) {
    throw new Error(`${declaration.name}: two fields map to one column`);
  }
  for (const required of ['id', CREATED_AT, WRITTEN_AT]) {
    if (!leafByPath.has(required)) throw new Error(`${declaration.name}: every collection needs ${required}`);
  }
  const lookupLeaves = declaration.lookupKeys.map((path) => {
    const leaf = leafByPath.get(path);
    if (!leaf || leaf.field.kind !== 'scalar' || leaf.field.type === 'integer' || leaf.field.type === 'boolean') {
      throw new Error(`${declaration.name}: lookup key ${path} must be a text field`);
    }
    return leaf;
  });
  const model: CollectionModel = {
    name: declaration.name,
    entity: declaration.entity,
    path: declaration.path,
    declaration,
    leaves,
    leafByPath,
    leafByColumn: new Map(leaves.map((leaf) => [leaf.column, leaf])),
    lookupLeaves,
    listProjection: new Map(),
    extField: Object.entries(declaration.fields).find(([, field]) => field.kind === 'ext')?.[0],
    references: [],
    referencedBy: [],
  };
  model.listProjection = projectionOf(model, declaration.listProjection);
  return model;
}

/** Resolves every declared `references` among the models; throws when one names no collection. */
export function linkReferences(models: readonly CollectionModel[]): void {
  for (const from of models) {
    for (const leaf of from.leaves) {
      const target = leaf.field.kind === 'scalar' ? leaf.field.references : undefined;
      if (target === undefined) continue;
      const to = models.find((model) => model.name === target);
      if (!to || leaf.field.kind !== 'scalar' || leaf.field.type !== 'uuid') throw new Error(`${from.name}: ${leaf.path} must be a uuid naming a declared collection`);
      const reference = { from, leaf, to };
      from.references.push(reference);
      to.referencedBy.push(reference);
    }
  }
}

/** Applies the collection's aliases (`tokenlocal` -> `token_local`) to the first segment of a path. */
export function canonicalPath(model: CollectionModel, path: string): string {
  const [head, ...rest] = path.split('.');
  const aliases = model.declaration.aliases;
  const real = aliases !== undefined && Object.hasOwn(aliases, head) ? aliases[head] : head;
  return [real, ...rest].join('.');
}

/** Resolves a path named in filter or order; undefined when it cannot be compared. */
export function resolveFieldRef(model: CollectionModel, path: string): FieldRef | undefined {
  const canonical = canonicalPath(model, path);
  const leaf = model.leafByPath.get(canonical);
  if (leaf) return leaf.field.kind === 'scalar' ? { kind: 'column', leaf: leaf as Leaf & { field: ScalarField } } : undefined;
  const [top, key, ...deeper] = canonical.split('.');
  if (model.declaration.fields[top]?.kind === 'ext' && key !== undefined && deeper.length === 0 && EXT_KEY.test(key)) {
    return { kind: 'ext', key };
  }
  return undefined;
}

/** Whether reading with `projection` (undefined: everything) needs the leaf's column. */
export function leafShown(projection: Projection | undefined, leaf: Leaf): boolean {
  if (!projection) return true;
  const wanted = projection.get(leaf.top);
  return wanted === true || (wanted !== undefined && leaf.key !== undefined && wanted.has(leaf.key));
}

/** Whether reading with `projection` needs the client's own ext keys (the ext extra column). */
export function clientExtShown(model: CollectionModel, projection: Projection | undefined): boolean {
  if (model.extField === undefined) return false;
  if (!projection) return true;
  const wanted = projection.get(model.extField);
  if (wanted === true) return true;
  if (wanted === undefined) return false;
  const declared = new Set(model.leaves.filter((leaf) => leaf.top === model.extField).map((leaf) => leaf.key));
  return [...wanted].some((key) => !declared.has(key));
}

/**
 * Builds a projection from mask paths; throws with the first path that names
 * nothing. Accepts whole fields (`opts`), declared keys (`opts.title`) and
 * client keys inside ext (`ext.source`).
 */
export function projectionOf(model: CollectionModel, paths: readonly string[]): Projection {
  const projection: Projection = new Map();
  for (const raw of paths) {
    const path = canonicalPath(model, raw);
    const [top, key, ...deeper] = path.split('.');
    // Own names only: "constructor" or "toString" are no fields of a declaration.
    const field = Object.hasOwn(model.declaration.fields, top) ? model.declaration.fields[top] : undefined;
    const known =
      field !== undefined &&
      deeper.length === 0 &&
      (key === undefined ||
        (field.kind === 'object' && Object.hasOwn(field.fields, key)) ||
        (field.kind === 'ext' && (key === 'ct' || key === 'lwt' || EXT_KEY.test(key))));
    if (!known) throw new UnknownPathError(raw);
    const current = projection.get(top);
    if (key === undefined || current === true) {
      projection.set(top, true);
    } else {
      projection.set(top, (current ?? new Set<string>()).add(key));
    }
  }
  return projection;
}

export class UnknownPathError extends Error {
  constructor(readonly path: string) {
    super(`unknown field ${path}`);
  }
}
