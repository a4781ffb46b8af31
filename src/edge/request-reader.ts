/**
 * The one place where a connection's bytes are split into requests.
 *
 * An incremental reader of HTTP/1.1 requests in the strict grammar of
 * grammar.ts: request line, header section, Content-Length or chunked body,
 * chunk extensions and trailers. Every line and section is bounded, so a
 * client can make it hold a few KB at most (a chunked body, up to the body
 * limit, is the exception: it is collected to be passed on with a length,
 * in memory the sink grants, from a budget all connections share).
 *
 * For each request it hands the sink the head Node's parser is to receive
 * and then exactly the body bytes that belong to it: Node's parser reads a
 * stream framed here, and can only agree.
 */
import { EdgeError, overlongRequestLine, parseChunkLine, parseFieldLine, parseRequestLine } from './grammar.js';
import { canonicalHead, readRequestHead, type HeadLimits, type RequestHead } from './request-head.js';

export interface ReaderLimits extends HeadLimits {
  /** The request line, CRLF included. */
  maxRequestLineBytes: number;
  /** The header fields after the request line. */
  maxFieldSectionBytes: number;
  /** One chunk-size line with its extensions. */
  maxChunkLineBytes: number;
  /** The trailer section of a chunked body. */
  maxTrailerBytes: number;
}

export interface RequestSink {
  /** A request begins: the head to pass on, then `bodyLength` bytes through body(). */
  request(head: Buffer, bodyLength: number, parsed: RequestHead): void;
  body(bytes: Buffer): void;
  /** A chunked request's head was read: its body is collected before request() is called. */
  chunkedBodyExpected(parsed: RequestHead): void;
  /** The collected chunked body needs `bytes` more memory; throws EdgeError to refuse them. */
  chunkedBodyGrows(bytes: number): void;
}

export type ReaderState = 'idle' | 'head' | 'body';

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = '\r\n\r\n';
const HEAD_END_BYTES = Buffer.from(HEAD_END, 'latin1');
const EMPTY = Buffer.alloc(0);
const BARE_LF = /[^\r]\n/;

type Phase = 'head' | 'sized' | 'chunk-line' | 'chunk-data' | 'chunk-end' | 'trailers' | 'closed';

export class RequestReader {
  #phase: Phase = 'head';
  /** The head received so far, as latin1, from the request line on. */
  #head = '';
  #skippedEmptyLines = false;
  #requestsRead = 0;
  #requestLineEnd = -1;
  #bodyLeft = 0;
  /** A chunk-size or trailer line received so far. */
  #line = '';
  #trailerBytes = 0;
  #chunkLeft = 0;
  /** A chunked body so far: one buffer, grown by doubling, whatever the number of chunks. */
  #chunked = EMPTY;
  #chunkedBytes = 0;
  #chunkedHead: RequestHead | undefined;
  /** Where the reader goes once the current request is complete. */
  #afterMessage: Phase = 'head';

  constructor(
    private readonly sink: RequestSink,
    private readonly limits: ReaderLimits,
  ) {}

  /** Whether the reader is between requests, inside a head, or inside a body. */
  get state(): ReaderState {
    if (this.#phase === 'head') return this.#head === '' && !this.#skippedEmptyLines ? 'idle' : 'head';
    if (this.#phase === 'closed') return 'idle';
    return 'body';
  }

  /** How many request heads have been read whole. */
  get requestsRead(): number {
    return this.#requestsRead;
  }

  /** A request that ends the connection was read: what follows is not read. */
  get closed(): boolean {
    return this.#phase === 'closed';
  }

  /** Reads `data` whole; throws EdgeError at the first byte outside the grammar. */
  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length && this.#phase !== 'closed') {
      switch (this.#phase) {
        case 'head':
          at = this.#readHead(data, at);
          break;
        case 'sized': {
          const end = Math.min(data.length, at + this.#bodyLeft);
          this.#bodyLeft -= end - at;
          this.sink.body(data.subarray(at, end));
          at = end;
          if (this.#bodyLeft === 0) this.#phase = this.#afterMessage;
          break;
        }
        case 'chunk-line':
          at = this.#readLine(data, at, this.limits.maxChunkLineBytes, (line) => this.#chunkLine(line));
          break;
        case 'chunk-data': {
          const end = Math.min(data.length, at + this.#chunkLeft);
          this.#appendChunkData(data.subarray(at, end));
          this.#chunkLeft -= end - at;
          at = end;
          if (this.#chunkLeft === 0) this.#phase = 'chunk-end';
          break;
        }
        case 'chunk-end':
          // The CRLF after chunk data, possibly split across reads.
          if (this.#line === '') {
            if (data[at] !== CR) throw new EdgeError(400, 'Malformed chunk: data not followed by CRLF');
            this.#line = '\r';
            at++;
          } else {
            if (data[at] !== LF) throw new EdgeError(400, 'Malformed chunk: data not followed by CRLF');
            this.#line = '';
            this.#phase = 'chunk-line';
            at++;
          }
          break;
        case 'trailers':
          at = this.#readLine(data, at, this.limits.maxTrailerBytes - this.#trailerBytes, (line) => this.#trailerLine(line), 431);
          break;
      }
    }
  }

  #readHead(data: Buffer, from: number): number {
    let at = from;
    // RFC 9112 §2.2: empty lines before a request line are ignored (but count as a head begun, for its deadline).
    if (this.#head === '') {
      while (at + 1 < data.length && data[at] === CR && data[at + 1] === LF) at += 2;
      if (at > from) this.#skippedEmptyLines = true;
      if (at === data.length) return at;
    } else if (this.#head === '\r' && data[at] === LF) {
      this.#head = '';
      this.#skippedEmptyLines = true;
      return at + 1;
    }
    // Only the head's own bytes are read here: body bytes and later requests are left alone.
    const room = this.limits.maxRequestLineBytes + this.limits.maxFieldSectionBytes + HEAD_END.length - this.#head.length;
    const end = this.#headEnd(data, at);
    const take = Math.min(end < 0 ? data.length - at : end - at, room);
    const piece = data.toString('latin1', at, at + take);
    // Every LF must follow a CR, the first one in this piece perhaps at the end of the last.
    if (BARE_LF.test(piece) || (piece.charCodeAt(0) === LF && !this.#head.endsWith('\r'))) {
      throw new EdgeError(400, 'Line ending without CR');
    }
    const overlap = Math.min(this.#head.length, 3);
    const previous = this.#head.length - overlap;
    const window = this.#head.slice(previous) + piece;
    this.#head += piece;
    if (this.#requestLineEnd < 0) {
      const lineEnd = window.indexOf('\r\n');
      if (lineEnd >= 0) {
        this.#requestLineEnd = previous + lineEnd + 2;
        // Read at once, so a client that sends no request line is told without waiting for a head.
        parseRequestLine(this.#head.slice(0, this.#requestLineEnd - 2), this.limits.maxTargetBytes);
      }
    }
    const complete = end >= 0 && at + take === end;
    this.#checkHeadBounds(complete ? this.#head.length - HEAD_END.length : -1);
    if (!complete) return at + take;

    const text = this.#head.slice(0, -2);
    this.#head = '';
    this.#requestLineEnd = -1;
    this.#skippedEmptyLines = false;
    this.#beginBody(text);
    return end;
  }

  /** The offset in `data` just after the empty line that ends the head, or -1 if it is not in `data`. */
  #headEnd(data: Buffer, at: number): number {
    if (this.#head.length > 0) {
      // A terminator split across reads: the head's last bytes and this read's first ones.
      const tail = this.#head.slice(-3);
      const found = (tail + data.toString('latin1', at, at + 3)).indexOf(HEAD_END);
      if (found >= 0) return at + found + HEAD_END.length - tail.length;
    }
    const found = data.indexOf(HEAD_END_BYTES, at);
    return found < 0 ? -1 : found + HEAD_END.length;
  }

  #checkHeadBounds(end: number): void {
    const { maxRequestLineBytes, maxFieldSectionBytes, maxTargetBytes } = this.limits;
    const lineEnd = this.#requestLineEnd;
    if (lineEnd < 0 ? this.#head.length > maxRequestLineBytes : lineEnd > maxRequestLineBytes) {
      throw overlongRequestLine(this.#head.slice(0, Math.min(this.#head.length, maxRequestLineBytes)).split('\r')[0], maxTargetBytes);
    }
    const fieldBytes = (end < 0 ? this.#head.length : end + 2) - lineEnd;
    if (lineEnd >= 0 && fieldBytes > maxFieldSectionBytes) throw new EdgeError(431, 'Request header fields too large');
  }

  #beginBody(text: string): void {
    const head = readRequestHead(text, this.limits);
    this.#requestsRead++;
    const { framing } = head;
    this.#afterMessage = head.closesConnection ? 'closed' : 'head';
    if (framing.kind === 'chunked') {
      this.#chunkedHead = head;
      this.#chunked = EMPTY;
      this.#chunkedBytes = 0;
      this.#phase = 'chunk-line';
      this.sink.chunkedBodyExpected(head);
      return;
    }
    const bodyLength = framing.kind === 'sized' ? framing.length : 0;
    const bytes = head.passThrough ? Buffer.from(`${text}\r\n`, 'latin1') : canonicalHead(head, bodyLength);
    this.sink.request(bytes, bodyLength, head);
    if (bodyLength > 0) {
      this.#bodyLeft = bodyLength;
      this.#phase = 'sized';
    } else {
      this.#phase = this.#afterMessage;
    }
  }

  /**
   * Collects one CRLF-terminated line of at most `max` bytes and hands it to
   * `done` without its CRLF. Returns the offset after what was consumed.
   */
  #readLine(data: Buffer, at: number, max: number, done: (line: string) => void, overflowStatus = 400): number {
    const lf = data.indexOf(LF, at);
    const end = lf < 0 ? data.length : lf + 1;
    if (this.#line.length + (end - at) > max) {
      throw new EdgeError(overflowStatus, overflowStatus === 431 ? 'Trailer section too large' : 'Chunk size line too long');
    }
    this.#line += data.toString('latin1', at, end);
    if (lf < 0) return end;
    const line = this.#line;
    this.#line = '';
    if (line.length < 2 || line.charCodeAt(line.length - 2) !== CR) throw new EdgeError(400, 'Line ending without CR');
    done(line.slice(0, -2));
    return end;
  }

  /** Copies chunk data in: the body is held until its last chunk and must not pin whole socket reads. */
  #appendChunkData(bytes: Buffer): void {
    const used = this.#chunkedBytes - this.#chunkLeft;
    if (used + bytes.length > this.#chunked.length) {
      // #chunkedBytes already counts this chunk in full and is within the body limit.
      const size = Math.min(Math.max(this.#chunked.length * 2, used + bytes.length, 4096), Math.max(this.limits.maxBodyBytes, used + bytes.length));
      this.sink.chunkedBodyGrows(size - this.#chunked.length);
      const grown = Buffer.allocUnsafe(size);
      this.#chunked.copy(grown, 0, 0, used);
      this.#chunked = grown;
    }
    bytes.copy(this.#chunked, used);
  }

  #chunkLine(line: string): void {
    const size = parseChunkLine(line, this.limits.maxBodyBytes - this.#chunkedBytes);
    this.#chunkedBytes += size;
    if (size > 0) {
      this.#chunkLeft = size;
      this.#phase = 'chunk-data';
    } else {
      this.#trailerBytes = 0;
      this.#phase = 'trailers';
    }
  }

  #trailerLine(line: string): void {
    this.#trailerBytes += line.length + 2;
    if (line !== '') {
      // Trailer fields are read to the same grammar and dropped (RFC 9110 §6.5.1 allows discarding them).
      const first = line.charCodeAt(0);
      if (first === 0x20 || first === 0x09) throw new EdgeError(400, 'Folded or indented trailer field');
      parseFieldLine(line);
      return;
    }
    const head = this.#chunkedHead!;
    const body = this.#chunked.subarray(0, this.#chunkedBytes);
    this.#chunkedHead = undefined;
    this.#chunked = EMPTY;
    this.#phase = this.#afterMessage;
    this.sink.request(canonicalHead(head, body.length), body.length, head);
    if (body.length > 0) this.sink.body(body);
  }
}
