/**
 * One Server-Sent Events subscriber with a bounded queue. Events go straight
 * to the socket while it accepts them; once it asks the writer to wait
 * (backpressure), they queue here, and the queue is written in one piece on
 * `drain`. A subscriber whose queue reaches its limit has fallen behind for
 * good: it is sent a `disconnect` event saying so, and the stream ends, so no
 * client can make the service hold an unbounded backlog for it.
 */
import type { ServerResponse } from 'node:http';

export interface SseStreamOptions {
  /** Events that may wait for one subscriber before it is disconnected. */
  queueLimit: number;
  /** How long the last bytes (the reason included) may take to leave before the connection is cut. */
  closeGraceMs: number;
  /** Called once when the subscriber is dropped for falling behind. */
  onOverflow(): void;
}

export class SseStream {
  private queue: string[] = [];
  private waitingForDrain = false;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: SseStreamOptions,
  ) {
    response.on('drain', () => this.flush());
    response.once('close', () => {
      this.ended = true;
      this.queue = [];
    });
  }

  /** Sends an event, queueing it while the socket is full. */
  event(name: string, data: unknown, id?: number): void {
    this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line; a keep-alive is pointless while events are already waiting, so it is skipped then. */
  comment(text: string): void {
    if (!this.waitingForDrain) this.write(`: ${text}\n\n`);
  }

  /** Ends the stream; `reason`, if given, is sent first as a `disconnect` event. */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    const last = reason === undefined ? '' : `event: disconnect\ndata: ${JSON.stringify({ reason })}\n\n`;
    // Whatever still waits is dropped: a client this far behind has lost events anyway.
    this.queue = [];
    this.response.end(last);
    // A client that never reads would hold the connection (and what is buffered for it) forever.
    const cut = setTimeout(() => this.response.destroy(), this.options.closeGraceMs).unref();
    this.response.once('close', () => clearTimeout(cut));
  }

  private write(text: string): void {
    if (this.ended) return;
    if (!this.waitingForDrain) {
      this.waitingForDrain = !this.response.write(text);
      return;
    }
    if (this.queue.length >= this.options.queueLimit) {
      this.end(`fell behind: ${this.options.queueLimit} events were waiting to be sent`);
      this.options.onOverflow();
      return;
    }
    this.queue.push(text);
  }

  private flush(): void {
    if (this.ended) return;
    const pending = this.queue;
    this.queue = [];
    this.waitingForDrain = pending.length > 0 && !this.response.write(pending.join(''));
  }
}
