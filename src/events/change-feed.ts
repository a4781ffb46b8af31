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
  close(): Promise<void>;
}

/** Subscribers of this process, by domain. Feeds deliver into it. */
export class LocalFanOut {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  deliver(event: ChangeEvent): void {
    this.emitter.emit(`change:${event.domain}`, event);
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
  private readonly fanOut = new LocalFanOut();

  async publish(event: ChangeEvent): Promise<void> {
    this.fanOut.deliver(event);
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    return this.fanOut.subscribe(domain, listener, onClose);
  }

  async close(): Promise<void> {
    this.fanOut.close();
  }
}
