/**
 * The vocabulary a collection is declared in. A collection file lists its
 * fields in wire order with these builders; validation, storage columns, SQL,
 * projection and documentation are all derived from that one declaration.
 *
 * Field modes follow the vendor convention (shared/spec/CONVENTIONS.md):
 * `in` is written by clients, `out` by the server, `inout` by both.
 */

export type ScalarType = 'string' | 'integer' | 'boolean' | 'uuid';
export type Scalar = string | number | boolean;
export type Mode = 'in' | 'out' | 'inout';

/** What a value check found wrong: about the whole value, or a part of it (`at`: "0.to"). */
export interface ValueProblem {
  at?: string;
  message: string;
}

/**
 * A rule beyond the declared type that the value must also follow (a mask's
 * syntax, the order of a period's ends). Runs on create and PATCH only:
 * rows stored before a check existed still load and list.
 */
export type ValueCheck = (value: unknown) => readonly ValueProblem[];

interface FieldCommon {
  mode: Mode;
  /** Required on create. */
  required?: boolean;
  /** May be sent on PATCH only with the value already stored. */
  immutable?: boolean;
  check?: ValueCheck;
  description?: string;
}

export interface ScalarField extends FieldCommon {
  kind: 'scalar';
  type: ScalarType;
  default?: Scalar;
  enum?: readonly Scalar[];
  /** A uuid field that also accepts "" (meaning: none). */
  allowEmpty?: boolean;
  minimum?: number;
  maximum?: number;
  /** How the server fills an `out` field, or an `inout` field the client left out. */
  generated?: 'uuid' | 'token';
  /** true: unique everywhere; 'per-domain': unique within each domain. */
  unique?: boolean | 'per-domain';
  /** A JSON Schema string format, e.g. "date" (YYYY-MM-DD, a real calendar day). */
  format?: 'date';
  /**
   * Names an entity of this collection in the same domain by its id ("" for
   * none with allowEmpty): checked on write, and a named entity cannot be deleted.
   */
  references?: string;
  /** Gets its own index: used in filters, orders or lookups. */
  indexed?: boolean;
}

/** The JSON Schema every item of an array field must satisfy. */
export type ItemSchema = { readonly [keyword: string]: unknown };

export interface ArrayField extends FieldCommon {
  kind: 'array';
  items: 'string' | 'any' | ItemSchema;
  default?: readonly unknown[];
}

/** A composite of declared keys (`opts`); unknown keys are refused. */
export interface ObjectField extends FieldCommon {
  kind: 'object';
  fields: Record<string, ScalarField | ArrayField>;
}

/** `ext`: server-kept ct/lwt timestamps plus any keys a client adds. */
export interface ExtField extends FieldCommon {
  kind: 'ext';
}

export type FieldDeclaration = ScalarField | ArrayField | ObjectField | ExtField;

export interface CollectionDeclaration {
  /** Plural name: the last URL segment and the table name. */
  name: string;
  /** Singular entity name used in messages (`recordrule not found`). */
  entity: string;
  path: string;
  fields: Record<string, FieldDeclaration>;
  /** Fields a LOOKUP key is matched against (any of them). */
  lookupKeys: readonly string[];
  /** What a list returns without `mask`: field names or dotted paths. */
  listProjection: readonly string[];
  /**
   * Read-only endpoints resolving one unique field to its entity:
   * `GET <path>/<value>` answers `{"id": ..., "_links": {"self": {"href": ...}}}`.
   */
  resolvers?: readonly { path: string; field: string; notFound: string }[];
  /**
   * Composite indexes for the filter + order pairs lists use most, e.g.
   * [['dir', 'priority']] serves filter {"dir": ...} ordered by priority
   * without sorting every match. Single fields are marked `indexed` instead.
   */
  indexes?: readonly (readonly string[])[];
  /** Spellings from the vendor docs accepted in mask, filter and order. */
  aliases?: Record<string, string>;
  description?: string;
}

type Options<T> = Omit<T, 'kind' | 'type' | 'mode'> & { mode?: Mode };

// Signed 32-bit: the range every supported store keeps exactly.
const INT32 = { minimum: -2147483648, maximum: 2147483647 };

export const string = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'string', mode: 'inout', ...options });
export const integer = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'integer', mode: 'inout', ...INT32, ...options });
export const boolean = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'boolean', mode: 'inout', ...options });
export const uuid = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'uuid', mode: 'inout', ...options });
export const oneOf = (values: readonly string[], options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'string', mode: 'inout', enum: values, ...options });
export const array = (items: ArrayField['items'], options: Omit<Options<ArrayField>, 'items'> = {}): ArrayField => ({ kind: 'array', items, mode: 'inout', ...options });

/** `id`: client-given on create or generated; never changed afterwards. */
export const idField = (): ScalarField =>
  uuid({ generated: 'uuid', immutable: true, unique: true, description: 'Entity id; given by the client on create or generated.' });

/** `opts` with the conventional title and comment, then the entity's own keys. */
export const opts = (fields: Record<string, ScalarField | ArrayField> = {}): ObjectField => ({
  kind: 'object',
  mode: 'inout',
  fields: { title: string({ default: '' }), comment: string({ default: '' }), ...fields },
});

export const ext = (): ExtField => ({
  kind: 'ext',
  mode: 'inout',
  description: 'ct (creation time) and lwt (last write time) are set by the server; other keys are kept as sent.',
});

export function defineCollection(declaration: CollectionDeclaration): CollectionDeclaration {
  return declaration;
}
