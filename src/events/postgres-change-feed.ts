/**
 * The change feed across nodes: each change is sent with NOTIFY on a channel
 * of the store's schema once its write has committed (writes made around the
 * service notify from a trigger, store/postgres-change-triggers.ts), and
 * every node LISTENs on a connection of its own and hands what arrives to
 * its local subscribers. A node's own changes go to its subscribers at
 * once, when published, and are not taken twice from the channel. The
 * listening connection is re-opened if the database goes away; subscribers
 * of every domain are then told of the gap.
 */
import pg from 'pg';
import { LocalFanOut, type ChangeEvent, type ChangeFeed, type ChangeListener } from './change-feed.js';

const RECONNECT_MS = 1000;
const OPS = new Set(['create', 'update', 'delete']);

/** A notification's change and origin; undefined for anything else sent on the channel (any database user may NOTIFY). */
function changeOf(payload: string): { change: ChangeEvent; origin: unknown } | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const { op, collection, id, domain, origin } = parsed ?? {};
  if (!OPS.has(op as string) || typeof collection !== 'string' || typeof id !== 'string' || typeof domain !== 'string') return undefined;
  return { change: { op: op as ChangeEvent['op'], collection, id, domain }, origin };
}

export class PostgresChangeFeed implements ChangeFeed {
  private readonly fanOut = new LocalFanOut();
  private listener?: pg.Client;
  private closed = false;
  private reconnect?: NodeJS.Timeout;
  private lost = false;

  constructor(
    private readonly connectionString: string,
    /** Sends one NOTIFY through the store's pool. */
    private readonly notify: (channel: string, payload: string) => Promise<void>,
    /** NOTIFY channels span the database; one per schema keeps tenants apart. */
    private readonly channel: string,
    /** Marks this node's notifications, so it does not deliver its own changes twice. */
    private readonly origin: string,
  ) {}

  /** Opens the listening connection; resolves once LISTEN is in place. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      const event = changeOf(message.payload);
      if (event && event.origin !== this.origin) this.fanOut.deliver(event.change);
    });
    const retry = () => {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      this.lost = true;
      if (this.closed || this.reconnect) return;
      this.reconnect = setTimeout(() => {
        this.reconnect = undefined;
        this.start().catch(retry);
      }, RECONNECT_MS).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.listener = client;
    if (this.lost) {
      // Notifications sent while no connection listened are gone.
      this.lost = false;
      this.fanOut.gap();
    }
  }

  async publish(event: ChangeEvent): Promise<void> {
    this.fanOut.deliver(event);
    await this.notify(this.channel, JSON.stringify({ ...event, origin: this.origin }));
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    return this.fanOut.subscribe(domain, listener, onClose);
  }

  subscribeAll(listener: ChangeListener, onGap: () => void): () => void {
    return this.fanOut.subscribeAll(listener, onGap);
  }

  catchUp(): void {}

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    this.fanOut.close();
    await this.listener?.end().catch(() => undefined);
  }
}
