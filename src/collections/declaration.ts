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
  /** A credential: never written to logs, also when it is part of a path. */
  secret?: boolean;
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
  /** Longest value, in characters; every free-text field declares one (see TEXT_LIMITS). */
  maxLength?: number;
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
  maxItems: number;
  /** For string items: the longest item, in characters. */
  itemMaxLength?: number;
  /** For items of any JSON: the largest array as JSON text (UTF-8 bytes), and its deepest nesting. */
  maxBytes?: number;
  maxDepth?: number;
}

/** A composite of declared keys (`opts`); unknown keys are refused. */
export interface ObjectField extends FieldCommon {
  kind: 'object';
  fields: Record<string, ScalarField | ArrayField>;
}

/** `ext`: server-kept ct/lwt timestamps plus any keys a client adds. */
export interface ExtField extends FieldCommon, ExtLimits {
  kind: 'ext';
}

/** Bounds on a client's own `ext` keys; their product bounds the whole object. */
export interface ExtLimits {
  /** Keys besides ct and lwt, after every PATCH merge too. */
  maxKeys: number;
  maxKeyLength: number;
  /** One key's value as JSON text, in UTF-8 bytes. */
  maxValueBytes: number;
  /** Nesting of `ext` itself counts as 1, an object or array inside it as 2, and so on. */
  maxDepth: number;
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

/**
 * The longest stored strings, in characters, by what they hold. Bounded
 * values bound what one row costs to store, send and match in a filter
 * (query/cost.ts); SECURITY.md lists them.
 */
export const TEXT_LIMITS = {
  /** Codes, types and names: `code`, `type`, `schedule`, script codes, roles. */
  code: 64,
  /** Number and domain masks. */
  mask: 128,
  title: 256,
  /** Credentials for remote ends (`token_remote`). */
  token: 1024,
  url: 2048,
  comment: 4096,
} as const;
export type TextKind = keyof typeof TEXT_LIMITS;

/** A free-text field holding a `kind` of text, or at most `maxLength` characters. */
export const string = (kind: TextKind | number, options: Options<ScalarField> = {}): ScalarField => ({
  kind: 'scalar',
  type: 'string',
  mode: 'inout',
  maxLength: typeof kind === 'number' ? kind : TEXT_LIMITS[kind],
  ...options,
});
export const integer = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'integer', mode: 'inout', ...INT32, ...options });
export const boolean = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'boolean', mode: 'inout', ...options });
export const uuid = (options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'uuid', mode: 'inout', ...options });
export const oneOf = (values: readonly string[], options: Options<ScalarField> = {}): ScalarField => ({ kind: 'scalar', type: 'string', mode: 'inout', enum: values, ...options });
/** An array of strings of one kind of text. */
export const strings = (kind: TextKind, options: Omit<Options<ArrayField>, 'items' | 'itemMaxLength'>): ArrayField => ({
  kind: 'array',
  items: 'string',
  mode: 'inout',
  itemMaxLength: TEXT_LIMITS[kind],
  ...options,
});
/** An array whose items each follow a declared JSON Schema (periods). */
export const array = (items: ItemSchema, options: Omit<Options<ArrayField>, 'items' | 'itemMaxLength'>): ArrayField => ({
  kind: 'array',
  items,
  mode: 'inout',
  ...options,
});
/** An array of any JSON values, bounded as a whole. */
export const values = (options: Omit<Options<ArrayField>, 'items' | 'itemMaxLength'> & { maxBytes: number; maxDepth: number }): ArrayField => ({
  kind: 'array',
  items: 'any',
  mode: 'inout',
  ...options,
});

/** `id`: client-given on create or generated; never changed afterwards. */
export const idField = (): ScalarField =>
  uuid({ generated: 'uuid', immutable: true, unique: true, description: 'Entity id; given by the client on create or generated.' });

/** `opts` with the conventional title and comment, then the entity's own keys. */
export const opts = (fields: Record<string, ScalarField | ArrayField> = {}): ObjectField => ({
  kind: 'object',
  mode: 'inout',
  fields: { title: string('title', { default: '' }), comment: string('comment', { default: '' }), ...fields },
});

/** 32 keys of at most 1 KiB each: a client's ext stays under about 35 KB. */
export const EXT_LIMITS: ExtLimits = { maxKeys: 32, maxKeyLength: 64, maxValueBytes: 1024, maxDepth: 8 };

export const ext = (limits: ExtLimits = EXT_LIMITS): ExtField => ({
  kind: 'ext',
  mode: 'inout',
  ...limits,
  description:
    'ct (creation time) and lwt (last write time) are set by the server; other keys are kept as sent: ' +
    `at most ${limits.maxKeys} of them, names up to ${limits.maxKeyLength} characters, each value at most ${limits.maxValueBytes} bytes as JSON, ` +
    `nested at most ${limits.maxDepth} levels (ext itself being the first).`,
});

export function defineCollection(declaration: CollectionDeclaration): CollectionDeclaration {
  return declaration;
}
