/**
 * The change feed across nodes: each change is sent with NOTIFY on a channel
 * of the store's schema, and every node LISTENs on a connection of its own
 * and hands what arrives to its local subscribers (its own changes included).
 * The listening connection is re-opened if the database goes away.
 */
import pg from 'pg';
import { LocalFanOut, type ChangeEvent, type ChangeFeed, type ChangeListener } from './change-feed.js';

const RECONNECT_MS = 1000;

export class PostgresChangeFeed implements ChangeFeed {
  private readonly fanOut = new LocalFanOut();
  private listener?: pg.Client;
  private closed = false;
  private reconnect?: NodeJS.Timeout;

  constructor(
    private readonly connectionString: string,
    /** Sends one NOTIFY through the store's pool. */
    private readonly notify: (channel: string, payload: string) => Promise<void>,
    /** NOTIFY channels span the database; one per schema keeps tenants apart. */
    private readonly channel: string,
  ) {}

  /** Opens the listening connection; resolves once LISTEN is in place. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      this.fanOut.deliver(JSON.parse(message.payload) as ChangeEvent);
    });
    const retry = () => {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
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
  }

  async publish(event: ChangeEvent): Promise<void> {
    await this.notify(this.channel, JSON.stringify(event));
  }

  subscribe(domain: string, listener: ChangeListener, onClose: () => void): () => void {
    return this.fanOut.subscribe(domain, listener, onClose);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    this.fanOut.close();
    await this.listener?.end().catch(() => undefined);
  }
}
