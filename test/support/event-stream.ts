/** A Server-Sent Events client over fetch: events are parsed as they stream in. */
export interface StreamEvent {
  event: string;
  data: any;
  id?: string;
}

export class EventStream {
  private readonly events: StreamEvent[] = [];
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  ended = false;
  headers?: Headers;

  static async open(url: string, key: string): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: stream.abort.signal });
    if (response.status !== 200) throw new Error(`event stream: ${response.status} ${await response.text()}`);
    stream.headers = response.headers;
    void stream.read(response.body!);
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((line) => line && !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
          if (fields.event) this.events.push({ event: fields.event, data: JSON.parse(fields.data), id: fields.id });
        }
        this.wake();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The next event, waiting up to `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.ended) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events.shift()!;
  }

  /** Events received so far and not yet taken. */
  get pending(): number {
    return this.events.length;
  }

  close(): void {
    this.abort.abort();
  }
}
