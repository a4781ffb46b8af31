/**
 * One client connection between the socket and Node's http server.
 *
 * Bytes are read by the RequestReader; Node's parser receives only the
 * requests it framed, one at a time: request N+1 is handed over only once
 * the response to request N has been written to the socket (RFC 9112 §9.3.2
 * allows parallel processing of safe requests only, and a pipelined read
 * after a write must see the write). Requests read ahead are held, and the
 * socket is not read further while more than a bound is held or the client
 * is not taking its responses. A refused request is answered with a JSON
 * error after every response owed before it, and the connection is closed.
 *
 * Deadlines are checked by the listener's sweep (one timer for all
 * connections), against times recorded here as requests come and go.
 */
import type net from 'node:net';
import type { BodyBudget } from './body-budget.js';
import { EdgeError } from './grammar.js';
import { closingErrorResponse } from './error-response.js';
import type { RequestHead } from './request-head.js';
import { RequestReader, type ReaderLimits, type RequestSink } from './request-reader.js';

export interface EdgeLimits extends ReaderLimits {
  /** From connection open, or a request's first byte, until its head is complete; then 408. */
  headersTimeoutMs: number;
  /**
   * From a request's head until its body is complete (then 408, or the
   * connection is cut if the application already has the head); also how
   * long a client may leave its responses unread.
   */
  requestTimeoutMs: number;
  /** Bytes of requests read ahead of the one being answered, beyond which the socket is not read. */
  maxHeldBytes: number;
  /** Response bytes the client has not taken, beyond which no further request is handed over. */
  maxUnsentBytes: number;
  /** Chunked-body bytes all connections of a listener may hold before their requests reach the application; then 503. */
  chunkedBodyBudgetBytes: number;
}

interface HeldRequest {
  head: Buffer;
  body: Buffer[];
  /** Body bytes still to arrive from the client. */
  bodyLeft: number;
  handedOver: boolean;
  /** Memory of a collected chunked body, taken from the listener's budget until the body is handed over. */
  budgeted: number;
}

/** The libuv stream under a socket: bytes of the write in flight that the kernel has not taken yet. */
type SocketWithHandle = net.Socket & { _handle?: { writeQueueSize?: number } | null };

// After a refusal, what the client still sends is read and dropped for this long, so the
// close does not reset the connection before the client has read the answer.
const LINGER_MS = 2000;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

export class EdgeConnection implements RequestSink {
  readonly #socket: net.Socket;
  readonly #limits: EdgeLimits;
  readonly #forward: (bytes: Buffer | null) => boolean;
  readonly #budget: BodyBudget;
  readonly #reader: RequestReader;
  readonly #held: HeldRequest[] = [];
  #heldBytes = 0;
  /** Memory of the chunked body being collected, taken from the budget. */
  #collecting = 0;
  #handedOver = 0;
  #answered = 0;
  /** Nothing read yet: the head deadline runs from the connection's start. */
  #fresh = true;
  #endOfInput = false;
  #endForwarded = false;
  /** A request whose body is too large to pass on: the connection ends after its response. */
  #lastRequest = false;
  /** A chunked request waits for "100 Continue", which the edge sends when it is the request's turn. */
  #continueOwed = false;
  #refusal: Buffer | undefined;
  #lingering = false;
  #readingStopped = false;
  // Deadline bookkeeping: when the current head or body began, and for which request.
  #headSince: number | undefined;
  #bodySince: number | undefined;
  #deadlineRequest = 0;
  #flushed = 0;
  #queued = 0;
  #flushedAt: number;

  /**
   * `forward`: hands bytes (or the end of input, as null) to Node's parser;
   * `budget`: the listener's, for chunked bodies being collected.
   */
  constructor(socket: net.Socket, limits: EdgeLimits, forward: (bytes: Buffer | null) => boolean, budget: BodyBudget) {
    this.#socket = socket;
    this.#limits = limits;
    this.#forward = forward;
    this.#budget = budget;
    this.#reader = new RequestReader(this, limits);
    socket.on('drain', () => this.#continue());
    socket.once('close', () => this.#releaseBudget());
    this.#headSince = this.#flushedAt = performance.now();
  }

  /** No request is being received, held or answered: closing now loses nothing. */
  get idle(): boolean {
    return this.#reader.state === 'idle' && this.#held.length === 0 && this.#answered >= this.#handedOver;
  }

  /** Bytes from the socket. Returns whether the socket may go on reading. */
  received(chunk: Buffer): boolean {
    if (this.#lingering) return true;
    if (this.#refusal || this.#lastRequest || this.#endOfInput || this.#reader.closed) return false;
    this.#fresh = false;
    try {
      this.#reader.feed(chunk);
    } catch (err) {
      if (!(err instanceof EdgeError)) throw err;
      this.#refuse(err.status, err.message);
    }
    this.#pump();
    return this.#mayRead();
  }

  /** The client ended its side. Returns whether Node's parser may see the end now. */
  receivedEnd(): boolean {
    if (this.#lingering) {
      this.#socket.destroy();
      return false;
    }
    this.#endOfInput = true;
    const last = this.#held.at(-1);
    if (last && last.bodyLeft > 0 && last.handedOver) {
      // Node's parser has this request's head: it reports the missing body itself (answerClientError).
      this.#forwardEnd();
      return false;
    }
    // RFC 9112 §8: an incomplete request may be answered with an error before closing.
    if (last && last.bodyLeft > 0) this.#held.pop();
    if ((last && last.bodyLeft > 0) || this.#reader.state !== 'idle') this.#refuse(400, 'Request incomplete at end of input');
    this.#pump();
    return false;
  }

  /** Called for each response on this connection once it has been written to the socket. */
  responseFinished(): void {
    this.#answered++;
    this.#continue();
  }

  /**
   * Node's http server refused a request itself (it answers none after it):
   * the refusal is sent at once.
   */
  serverRefused(status: number, message: string): void {
    this.#answered = this.#handedOver;
    this.#releaseBudget(true);
    this.#held.length = 0;
    this.#refuse(status, message);
    this.#pump();
  }

  /** Node's server is done with the connection (an answer said "Connection: close"). */
  closeAfterAnswer(): void {
    this.#closeGracefully();
  }

  /** Checks this connection's deadlines; called periodically by the listener. */
  sweep(now: number): void {
    if (this.#lingering || this.#socket.destroyed) return;
    const { headersTimeoutMs, requestTimeoutMs } = this.#limits;
    if (this.#headSince !== undefined && now - this.#headSince > headersTimeoutMs) {
      this.#headSince = undefined;
      this.#refuse(408, 'Request head not received in time');
      this.#pump();
      return;
    }
    if (this.#bodySince !== undefined && now - this.#bodySince > requestTimeoutMs) {
      this.#bodySince = undefined;
      // Once the application has the head, there is no slot left to answer in.
      if (this.#held.at(-1)?.handedOver) return void this.#socket.destroy();
      this.#refuse(408, 'Request body not received in time');
      this.#pump();
      return;
    }
    // A client that stops taking its responses: nothing written reaches it for the whole timeout.
    // A write counts as flushed only once all of it is out, so a large response in flight shows its
    // progress only in libuv's queue of unsent bytes (which Node's own socket timeout watches too).
    const flushed = this.#socket.bytesWritten - this.#socket.writableLength;
    const queued = (this.#socket as SocketWithHandle)._handle?.writeQueueSize ?? 0;
    if (this.#socket.writableLength === 0 || flushed !== this.#flushed || queued !== this.#queued) {
      this.#flushed = flushed;
      this.#queued = queued;
      this.#flushedAt = now;
    } else if (now - this.#flushedAt > requestTimeoutMs) {
      this.#socket.destroy();
    }
  }

  // RequestSink: the reader's requests, in order.
  request(head: Buffer, bodyLength: number, parsed: RequestHead): void {
    if (bodyLength > this.#limits.maxBodyBytes && parsed.framing.kind === 'sized') {
      // The application refuses it (413, or 401 first) from the head alone; the body is never read.
      this.#held.push({ head, body: [], bodyLeft: 0, handedOver: false, budgeted: 0 });
      this.#heldBytes += head.length;
      this.#lastRequest = true;
      return;
    }
    // A chunked body arrives whole with its head: the memory collected for it goes with it, and a 100
    // not sent yet is owed no more (sent later, it would pass for the answer to the next request).
    if (parsed.framing.kind === 'chunked') this.#continueOwed = false;
    const budgeted = parsed.framing.kind === 'chunked' ? this.#collecting : 0;
    if (budgeted > 0) this.#collecting = 0;
    this.#held.push({ head, body: [], bodyLeft: bodyLength, handedOver: false, budgeted });
    this.#heldBytes += head.length;
  }

  body(bytes: Buffer): void {
    if (this.#lastRequest) return;
    const request = this.#held.at(-1)!;
    request.body.push(bytes);
    request.bodyLeft -= bytes.length;
    this.#heldBytes += bytes.length;
  }

  chunkedBodyExpected(parsed: RequestHead): void {
    // RFC 9110 §10.1.1: the client waits for 100 before sending the body the edge must collect.
    // Not without credentials: the edge cannot check a key, and would be inviting a body to be held
    // before the application's 401 (the client sends it after its own wait, or gets 408).
    if (parsed.invitesBody) this.#continueOwed = true;
  }

  chunkedBodyGrows(bytes: number): void {
    if (!this.#budget.take(bytes)) throw new EdgeError(503, 'Too much chunked request body is being received at once; retry later, or send Content-Length');
    this.#collecting += bytes;
  }

  /** Hands Node's parser what it may have now, then closes or ends the input if that is due. */
  #pump(): void {
    const out: Buffer[] = [];
    while (this.#held.length > 0) {
      const next = this.#held[0];
      if (!next.handedOver) {
        if (this.#answered < this.#handedOver) break;
        if (this.#socket.writableLength > this.#limits.maxUnsentBytes) break; // continued on 'drain'
        out.push(next.head);
        this.#heldBytes -= next.head.length;
        next.handedOver = true;
        this.#handedOver++;
      }
      for (const bytes of next.body) {
        out.push(bytes);
        this.#heldBytes -= bytes.length;
      }
      next.body = [];
      // Node's parser consumes what it is handed as it arrives: the memory is the application's now.
      this.#budget.give(next.budgeted);
      next.budgeted = 0;
      if (next.bodyLeft > 0) break;
      this.#held.shift();
    }
    if (out.length > 0) this.#forward(out.length === 1 ? out[0] : Buffer.concat(out));
    this.#trackDeadlines();

    if (this.#held.length > 0 || this.#answered < this.#handedOver || this.#socket.destroyed) return;
    if (this.#refusal) this.#closeGracefully(this.#refusal);
    else if (this.#lastRequest && this.#handedOver > 0) this.#closeGracefully();
    else if (this.#endOfInput) this.#forwardEnd();
    else if (this.#continueOwed) {
      this.#continueOwed = false;
      this.#socket.write(CONTINUE);
    }
  }

  /** Gives back what this connection took from the listener's budget: for held requests, or all of it. */
  #releaseBudget(heldOnly = false): void {
    let bytes = heldOnly ? 0 : this.#collecting;
    if (!heldOnly) this.#collecting = 0;
    for (const request of this.#held) {
      bytes += request.budgeted;
      request.budgeted = 0;
    }
    this.#budget.give(bytes);
  }

  #forwardEnd(): void {
    if (this.#endForwarded) return;
    this.#endForwarded = true;
    this.#forward(null);
  }

  #continue(): void {
    this.#pump();
    if (this.#readingStopped && this.#mayRead()) this.#resumeReading();
  }

  #mayRead(): boolean {
    const may = !this.#lastRequest && !this.#reader.closed && this.#heldBytes <= this.#limits.maxHeldBytes && this.#socket.writableLength <= this.#limits.maxUnsentBytes;
    if (!may) this.#readingStopped = true;
    this.#trackDeadlines();
    return may;
  }

  #resumeReading(): void {
    this.#readingStopped = false;
    this.#trackDeadlines();
    // A socket whose push() returned false has stopped reading; _read starts it again.
    (this.#socket as net.Socket & { _read(size: number): void })._read(0);
  }

  /**
   * Records when the current head or body began: at its first byte, again
   * for every request, and not while the edge itself has stopped reading.
   */
  #trackDeadlines(): void {
    if (this.#refusal || this.#lingering || this.#readingStopped) {
      this.#headSince = this.#bodySince = undefined;
      return;
    }
    const state = this.#reader.state;
    const request = this.#reader.requestsRead;
    if (request !== this.#deadlineRequest) {
      this.#deadlineRequest = request;
      this.#headSince = this.#bodySince = undefined;
    }
    if (state === 'head' || (this.#fresh && state === 'idle')) this.#headSince ??= performance.now();
    else this.#headSince = undefined;
    if (state === 'body') this.#bodySince ??= performance.now();
    else this.#bodySince = undefined;
  }

  #refuse(status: number, message: string): void {
    if (this.#refusal) return;
    this.#refusal = closingErrorResponse(status, message);
  }

  /** Sends `last` (if any), ends the connection, and reads and drops what still comes for a while. */
  #closeGracefully(last?: Buffer): void {
    if (this.#lingering) return;
    this.#lingering = true;
    // Once the client has ended its side too, nothing is left to wait for after the write.
    const done = () => this.#endOfInput && this.#socket.destroy();
    if (last) this.#socket.end(last, done);
    else this.#socket.end(done);
    setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
    if (this.#readingStopped) this.#resumeReading();
  }
}
