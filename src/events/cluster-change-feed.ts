/**
 * The change feed of one worker of several (WORKERS=N on the embedded
 * store): a change goes to this worker's own subscribers and, through the
 * cluster primary, to every other worker's. Delivery stays at most once.
 */
import { LocalFanOut, type ChangeEvent, type ChangeFeed, type ChangeListener } from './change-feed.js';

/** The IPC message a worker sends its primary for each change, and the primary relays to the other workers. */
export const CHANGE_MESSAGE = 'collection-service:change';

interface ChangeMessage {
  type: typeof CHANGE_MESSAGE;
  event: ChangeEvent;
}

export const isChangeMessage = (message: unknown): message is ChangeMessage =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === CHANGE_MESSAGE;

export class ClusterChangeFeed implements ChangeFeed {
  private readonly fanOut = new LocalFanOut();
  private readonly onMessage = (message: unknown) => {
    if (isChangeMessage(message)) this.fanOut.deliver(message.event);
  };

  constructor() {
    process.on('message', this.onMessage);
  }

  async publish(event: ChangeEvent): Promise<void> {
    this.fanOut.deliver(event);
    // A primary that is gone (shutting down) just means the other workers miss it.
    if (process.connected) process.send?.({ type: CHANGE_MESSAGE, event } satisfies ChangeMessage, undefined, undefined, () => undefined);
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    return this.fanOut.subscribe(domain, listener, onClose);
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    this.fanOut.close();
  }
}
