/**
 * A store whose every operation passes a guard first and whose errors the
 * guard translates: the embedded store's file checks (file-guard.ts) wrap
 * the SQLite store this way, with no check inside its own code.
 */
import type { CalendarDocument, CalendarPatch } from '../calendar/document.js';
import type { CollectionModel } from '../collections/model.js';
import type { ChangeFeed } from '../events/change-feed.js';
import type { Row, RowChange } from '../entity/rows.js';
import type { ListQuery } from '../query/params.js';
import type { ApiKeyRecord, Store } from './store.js';

export interface StoreGuard {
  beforeRead(): void;
  beforeWrite(): void;
  /** Throws unless the store can serve reads and writes now. */
  health(): void;
  translate(err: unknown): unknown;
}

export class GuardedStore implements Store {
  constructor(
    private readonly store: Store,
    private readonly guard: StoreGuard,
  ) {}

  /** Runs one operation after its check, with the store's errors in the guard's terms. */
  private async guarded<T>(check: () => void, run: () => Promise<T>): Promise<T> {
    try {
      check();
      return await run();
    } catch (err) {
      throw this.guard.translate(err);
    }
  }

  private read<T>(run: () => Promise<T>): Promise<T> {
    return this.guarded(() => this.guard.beforeRead(), run);
  }

  private write<T>(run: () => Promise<T>): Promise<T> {
    return this.guarded(() => this.guard.beforeWrite(), run);
  }

  prepare(models: readonly CollectionModel[]): Promise<void> {
    return this.write(() => this.store.prepare(models));
  }
  insert(model: CollectionModel, domain: string, row: Row): Promise<Row> {
    return this.write(() => this.store.insert(model, domain, row));
  }
  get(model: CollectionModel, domain: string, id: string): Promise<Row | undefined> {
    return this.read(() => this.store.get(model, domain, id));
  }
  list(model: CollectionModel, domain: string, query: ListQuery): Promise<Row[]> {
    return this.read(() => this.store.list(model, domain, query));
  }
  update(model: CollectionModel, domain: string, id: string, change: RowChange): Promise<Row | undefined> {
    return this.write(() => this.store.update(model, domain, id, change));
  }
  delete(model: CollectionModel, domain: string, id: string): Promise<boolean> {
    return this.write(() => this.store.delete(model, domain, id));
  }
  count(model: CollectionModel): Promise<number> {
    return this.read(() => this.store.count(model));
  }
  lookup(model: CollectionModel, domain: string, key: string): Promise<string[]> {
    return this.read(() => this.store.lookup(model, domain, key));
  }
  createDomain(name: string, createdAt: string): Promise<boolean> {
    return this.write(() => this.store.createDomain(name, createdAt));
  }
  domainExists(name: string): Promise<boolean> {
    return this.read(() => this.store.domainExists(name));
  }
  createApiKey(key: ApiKeyRecord): Promise<void> {
    return this.write(() => this.store.createApiKey(key));
  }
  findApiKey(keyHash: string): Promise<Pick<ApiKeyRecord, 'domain' | 'role'> | undefined> {
    return this.read(() => this.store.findApiKey(keyHash));
  }
  countApiKeys(): Promise<number> {
    return this.read(() => this.store.countApiKeys());
  }
  getCalendar(domain: string): Promise<CalendarDocument | undefined> {
    return this.read(() => this.store.getCalendar(domain));
  }
  patchCalendar(domain: string, patch: CalendarPatch, writtenAt: string): Promise<CalendarDocument> {
    return this.write(() => this.store.patchCalendar(domain, patch, writtenAt));
  }
  openChangeFeed(): Promise<ChangeFeed> {
    return this.store.openChangeFeed();
  }
  ping(): Promise<void> {
    return this.guarded(() => this.guard.health(), () => this.store.ping());
  }
  close(): Promise<void> {
    return this.store.close();
  }
}
