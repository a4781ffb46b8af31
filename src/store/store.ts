/**
 * What a store does for the service. Every operation runs inside one domain:
 * rows of another domain are never read, changed or counted.
 */
import type { CalendarDocument, CalendarPatch } from '../calendar/document.js';
import type { CollectionModel, Reference } from '../collections/model.js';
import type { ChangeFeed } from '../events/change-feed.js';
import type { Row, RowChange } from '../entity/rows.js';
import type { ListQuery } from '../query/params.js';

export interface Store {
  /** Creates the schema the collections need; safe to call on every start. */
  prepare(models: readonly CollectionModel[]): Promise<void>;
  /** Stores a new row; throws DuplicateKeyError naming the unique field that clashed. */
  insert(model: CollectionModel, domain: string, row: Row): Promise<Row>;
  get(model: CollectionModel, domain: string, id: string): Promise<Row | undefined>;
  list(model: CollectionModel, domain: string, query: ListQuery): Promise<Row[]>;
  /** Applies a change atomically; undefined when the row is gone. */
  update(model: CollectionModel, domain: string, id: string, change: RowChange): Promise<Row | undefined>;
  delete(model: CollectionModel, domain: string, id: string): Promise<boolean>;
  /** Rows of the collection in every domain, for metrics. */
  count(model: CollectionModel): Promise<number>;
  /** Ids of rows whose lookup keys equal `key`, in the default order. */
  lookup(model: CollectionModel, domain: string, key: string): Promise<string[]>;
  /** Creates a domain; false when it already exists. */
  createDomain(name: string, createdAt: string): Promise<boolean>;
  domainExists(name: string): Promise<boolean>;
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** The domain and role of the key with this hash. */
  findApiKey(keyHash: string): Promise<Pick<ApiKeyRecord, 'domain' | 'role'> | undefined>;
  countApiKeys(): Promise<number>;
  /** The domain's calendar; undefined while it was never written (the defaults apply). */
  getCalendar(domain: string): Promise<CalendarDocument | undefined>;
  /** Sets the parts of the domain's calendar a patch names, in one statement; the defaults fill a first write. */
  patchCalendar(domain: string, patch: CalendarPatch, writtenAt: string): Promise<CalendarDocument>;
  /** The feed of entity changes that fits this store (across nodes where the store is shared). */
  openChangeFeed(): Promise<ChangeFeed>;
  /** Resolves when the store can serve requests. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `decider`: may ask for recording decisions, in any domain, and nothing else. */
export type Role = 'read-only' | 'read-write' | 'decider';

export interface ApiKeyRecord {
  id: string;
  keyHash: string;
  domain: string;
  role: Role;
  label: string;
  createdAt: string;
}

export class DuplicateKeyError extends Error {
  constructor(readonly column: string) {
    super(`duplicate value for ${column}`);
  }
}

/**
 * A write whose referencing field (declared `references`) names no entity of
 * its collection in the domain. Stores check it in the write's transaction,
 * the referenced row locked, so a delete of that row cannot pass in between.
 */
export class MissingReferenceError extends Error {
  constructor(readonly reference: Reference) {
    super(`${reference.leaf.path} names no ${reference.to.entity}`);
  }
}

/** A delete of an entity that rows of another collection still name; counted in the delete's transaction. */
export class ReferencedError extends Error {
  constructor(
    readonly reference: Reference,
    readonly users: number,
  ) {
    super(`named by ${users} ${reference.from.name}`);
  }
}

/** The references a row about to be written sets: each with the id it names (empty values name nothing). */
export function referencesNamed(model: CollectionModel, columns: Record<string, unknown>): { reference: Reference; id: string }[] {
  const named: { reference: Reference; id: string }[] = [];
  for (const reference of model.references) {
    const value = columns[reference.leaf.column];
    if (typeof value === 'string' && value !== '') named.push({ reference, id: value.toLowerCase() });
  }
  return named;
}

// Stores throw the catalogue's StoreUnavailableError when the database cannot be reached,
// and its QueryTimeoutError when a query ran past its time limit.
export { QueryTimeoutError, StoreUnavailableError } from '../errors.js';
