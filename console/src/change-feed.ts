/**
 * The service's change feed (Server-Sent Events) read with fetch(), not
 * EventSource: EventSource cannot send the Authorization header, and the key
 * must not go into a URL, where logs and history keep it. Reconnects after a
 * pause when the stream ends; delivery is at most once, so a reconnect makes
 * every view reload once to catch up.
 */
export interface ChangeEvent {
  op: 'create' | 'update' | 'delete';
  collection: string;
  id: string;
}

export type FeedState = 'connecting' | 'live' | 'offline';

const RETRY_MS = 2000;

export class ChangeFeed {
  private readonly listeners = new Set<(event: ChangeEvent | 'reconnected') => void>();
  private readonly abort = new AbortController();
  state: FeedState = 'connecting';

  constructor(
    private readonly path: string,
    private readonly headers: Record<string, string>,
    private readonly onState: (state: FeedState) => void,
  ) {
    void this.run();
  }

  /** Called with each change, and with 'reconnected' after a gap in which changes may have been missed. */
  subscribe(listener: (event: ChangeEvent | 'reconnected') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.abort.abort();
  }

  private setState(state: FeedState) {
    this.state = state;
    this.onState(state);
  }

  private async run(): Promise<void> {
    let connections = 0;
    while (!this.abort.signal.aborted) {
      try {
        const response = await fetch(this.path, { headers: { ...this.headers, accept: 'text/event-stream' }, signal: this.abort.signal });
        if (!response.ok || !response.body) throw new Error(`change feed answered ${response.status}`);
        this.setState('live');
        if (connections++ > 0) this.emit('reconnected');
        await this.read(response.body);
      } catch {
        if (this.abort.signal.aborted) return;
      }
      this.setState('offline');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data !== '') this.emit(JSON.parse(data) as ChangeEvent);
      }
    }
  }

  private emit(event: ChangeEvent | 'reconnected') {
    for (const listener of this.listeners) listener(event);
  }
}
