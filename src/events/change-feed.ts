/**
 * Changes to entities, fanned out to subscribers of a domain. The embedded
 * store uses an in-process feed; the PostgreSQL store one that travels over
 * LISTEN/NOTIFY, so a write on any node reaches subscribers on every node.
 * Delivery is at most once: an event published while a subscriber is not
 * connected is not replayed.
 */
import { EventEmitter } from 'node:events';

export interface ChangeEvent {
  op: 'create' | 'update' | 'delete';
  collection: string;
  id: string;
  domain: string;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeFeed {
  publish(event: ChangeEvent): Promise<void>;
  /** Calls `listener` for each change in `domain`, and `onClose` if the feed closes; returns the unsubscribe. */
  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void;
  /**
   * Calls `listener` for each change in every domain, and `onGap` when
   * changes may have been missed (a lost connection, a log read too late):
   * a subscriber that keeps state from changes then starts over.
   */
  subscribeAll(listener: ChangeListener, onGap: () => void): () => void;
  /**
   * Delivers, before it returns, changes made by other processes that have
   * not arrived yet, where the store can find them cheaply; otherwise nothing.
   */
  catchUp(): void;
  close(): Promise<void>;
}

/** Subscribers of this process, by domain. Feeds deliver into it. */
export class LocalFanOut {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  deliver(event: ChangeEvent): void {
    this.emitter.emit(`change:${event.domain}`, event);
    this.emitter.emit('change', event);
  }

  /** Tells subscribers of every domain that changes may have been missed. */
  gap(): void {
    this.emitter.emit('gap');
  }

  subscribeAll(listener: ChangeListener, onGap: () => void): () => void {
    this.emitter.on('change', listener);
    this.emitter.on('gap', onGap);
    return () => {
      this.emitter.off('change', listener);
      this.emitter.off('gap', onGap);
    };
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    this.emitter.on(`change:${domain}`, listener);
    this.emitter.on('close', onClose);
    return () => {
      this.emitter.off(`change:${domain}`, listener);
      this.emitter.off('close', onClose);
    };
  }

  close(): void {
    this.emitter.emit('close');
    this.emitter.removeAllListeners();
  }
}

/** One process: published changes go straight to its own subscribers. */
export class InProcessChangeFeed implements ChangeFeed {
  protected readonly fanOut = new LocalFanOut();

  async publish(event: ChangeEvent): Promise<void> {
    this.fanOut.deliver(event);
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    return this.fanOut.subscribe(domain, listener, onClose);
  }

  subscribeAll(listener: ChangeListener, onGap: () => void): () => void {
    return this.fanOut.subscribeAll(listener, onGap);
  }

  catchUp(): void {}

  async close(): Promise<void> {
    this.fanOut.close();
  }
}
