/**
 * Accepting extension methods such as LOOKUP over HTTP/1.1.
 *
 * Node's built-in parser (llhttp) has a fixed method table and answers 400 to
 * anything else, so `LOOKUP /rest/v1/...` never reaches the application. Each
 * connection is therefore read here first, a request at a time, and handed to
 * Node's http server in a form llhttp accepts:
 *
 * - A head in the strict grammar of strict-head.ts (what ordinary clients
 *   send) is delimited here and passed through byte for byte, with its
 *   Content-Length body; for an extension method only the request line is
 *   rewritten. Parsers cannot disagree on where such a request ends.
 * - Anything else (chunked bodies, unusual or malformed heads, heads trickling
 *   in over many packets) switches the connection to a full parser
 *   (http-parser-js, which accepts any method token) that re-emits every
 *   request in canonical form: the request line, the client's headers, and a
 *   body framed by exactly one Content-Length or by re-chunked
 *   Transfer-Encoding.
 *
 * Framing cannot desynchronise: llhttp only ever reads requests delimited
 * here. Ambiguous framing (Content-Length with Transfer-Encoding, conflicting
 * lengths, codings other than chunked, malformed chunk sizes) is refused with
 * a JSON 400 and the connection is closed, in order after any responses still
 * owed to earlier pipelined requests.
 *
 * A method llhttp does not know travels as CARRIER_METHOD with the real method
 * in EXTENSION_METHOD_HEADER. That header is only ever set here: a client's
 * copy is dropped, so the application can trust it.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import httpParserJs from 'http-parser-js';
import { errorBody, errorCodeFor } from './errors.js';
import { readStrictHead, type StrictHead } from './strict-head.js';

const { HTTPParser } = httpParserJs;

// Header bytes are carried through unchanged (llhttp reads them as latin1 too);
// the library's default 'ascii' would strip the high bit of non-ASCII bytes.
HTTPParser.encoding = 'latin1';

export const EXTENSION_METHOD_HEADER = 'x-extension-method';
export const CARRIER_METHOD = 'POST';

// CONNECT is carried too: llhttp would turn it into a tunnel request.
const NATIVE_METHODS = new Set(http.METHODS.filter((method) => method !== 'CONNECT'));
export interface ConnectionLimits {
  /** From connection open, or a request's first byte, until its head is complete; then 408. */
  headersTimeoutMs: number;
  /** From a request's head until its body is complete; then the connection is cut. */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000 };
// Longer request targets are refused with 414 before anything else is read.
const MAX_URL_BYTES = 8192;
// A head not complete within this many bytes, or this many packets, goes to the full parser,
// which reads incrementally (re-scanning a trickling head on every packet would be quadratic).
const MAX_STRICT_HEAD_BYTES = 32 * 1024;
const MAX_STRICT_HEAD_PACKETS = 3;
const HEAD_END = Buffer.from('\r\n\r\n');

const CONTENT_LENGTH = /^\d{1,15}$/;
const CHUNK_SIZE = /^[0-9a-fA-F]{1,8}[ \t]*(?:;.*)?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Hop-by-hop headers that would make llhttp switch protocols; this service never upgrades.
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'upgrade', EXTENSION_METHOD_HEADER]);

class FramingError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface RequestHead {
  method: string;
  url: string;
  versionMajor: number;
  versionMinor: number;
  headers: string[];
}

type BodyFraming = 'none' | 'sized' | 'chunked';

/** Serialises one JSON error as a complete response that closes the connection. */
export function closingErrorResponse(status: number, message: string): Buffer {
  const body = JSON.stringify(errorBody(errorCodeFor(status), message));
  const reason = http.STATUS_CODES[status] ?? 'Error';
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    'latin1',
  );
}

/**
 * The library reads chunk sizes with parseInt, which takes "1x" for 1 and an
 * empty line for the last chunk; only well-formed sizes are accepted here.
 * Installed as the parser's BODY_CHUNKHEAD state.
 */
function strictChunkHead(this: any): void {
  const line = this.consumeLine();
  if (line === undefined) return;
  if (!CHUNK_SIZE.test(line)) throw new FramingError(400, 'Malformed chunk size');
  this.body_bytes = parseInt(line, 16);
  this.state = this.body_bytes ? 'BODY_CHUNK' : 'BODY_CHUNKTRAILERS';
}

/** Checks framing headers and returns the request head as llhttp will see it. */
function canonicalHead(head: RequestHead): { bytes: Buffer; framing: BodyFraming } {
  let contentLength: string | undefined;
  let chunked = false;
  let host = false;
  const lines: string[] = [];
  for (let i = 0; i < head.headers.length; i += 2) {
    const name = head.headers[i];
    const value = head.headers[i + 1];
    if (!HEADER_NAME.test(name)) throw new FramingError(400, 'Malformed header name');
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (!CONTENT_LENGTH.test(value)) throw new FramingError(400, 'Malformed Content-Length');
      if (contentLength !== undefined && contentLength !== value) {
        throw new FramingError(400, 'Conflicting Content-Length headers');
      }
      contentLength = value;
    } else if (lower === 'transfer-encoding') {
      if (chunked || value.trim().toLowerCase() !== 'chunked') {
        throw new FramingError(400, 'Only a single "Transfer-Encoding: chunked" is supported');
      }
      chunked = true;
    } else if (lower === 'host') {
      host = true;
    }
    if (!DROPPED_HEADERS.has(lower)) lines.push(`${name}: ${value}\r\n`);
  }
  if (chunked && contentLength !== undefined) {
    throw new FramingError(400, 'Content-Length and Transfer-Encoding together are ambiguous');
  }
  // RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host.
  if (!host && head.versionMinor === 1) throw new FramingError(400, 'Host header required');
  if (head.url.length > MAX_URL_BYTES) throw new FramingError(414, `Request target longer than ${MAX_URL_BYTES} bytes`);
  if (head.versionMajor !== 1 || head.versionMinor > 1) {
    throw new FramingError(400, 'Only HTTP/1.0 and HTTP/1.1 are supported');
  }

  const native = NATIVE_METHODS.has(head.method);
  let text = `${native ? head.method : CARRIER_METHOD} ${head.url} HTTP/1.${head.versionMinor}\r\n`;
  text += lines.join('');
  if (!native) text += `${EXTENSION_METHOD_HEADER}: ${head.method}\r\n`;
  let framing: BodyFraming = 'none';
  if (chunked) {
    text += 'transfer-encoding: chunked\r\n';
    framing = 'chunked';
  } else if (contentLength !== undefined) {
    text += `content-length: ${contentLength}\r\n`;
    framing = Number(contentLength) > 0 ? 'sized' : 'none';
  }
  return { bytes: Buffer.from(`${text}\r\n`, 'latin1'), framing };
}

/** A strict head whose method llhttp does not know, carried as CARRIER_METHOD. */
function carriedHead(head: StrictHead): Buffer {
  return Buffer.from(
    `${CARRIER_METHOD} ${head.url} HTTP/1.${head.versionMinor}\r\n${head.fields}${EXTENSION_METHOD_HEADER}: ${head.method}\r\n\r\n`,
    'latin1',
  );
}

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/**
 * One connection's requests, read ahead of llhttp. It sits in the socket's
 * `push`, so llhttp receives only what `read` returns, while Node's http
 * server keeps the real socket for everything else (writes, timeouts,
 * addresses) with no extra stream in between.
 */
class ConnectionReader {
  #parser: InstanceType<typeof HTTPParser> | undefined; // the full parser, once needed
  #pending: Buffer[] = [];
  #framing: BodyFraming = 'none';
  #inMessage = false;
  #started = 0; // requests forwarded to the http server
  #emitted = 0; // requests the http server has accepted and will answer
  #answered = 0;
  #failure: Buffer | null = null;
  #deadline: NodeJS.Timeout | undefined;
  #deadlineFor: 'head' | 'body' | undefined;
  // Strict pass-through until a request needs the full parser; then full parsing to the end.
  #strict = true;
  #partialHead: Buffer | undefined;
  #partialHeadPackets = 0;
  #bodyLeft = 0;
  readonly #socket: net.Socket;
  readonly #limits: ConnectionLimits;

  constructor(socket: net.Socket, limits: ConnectionLimits) {
    this.#socket = socket;
    this.#limits = limits;
    // A connection that never completes a head must not be held open.
    this.#awaitHead();
    socket.once('close', () => this.#clearDeadline());
  }

  /** No request is being received or answered: closing now loses nothing. */
  get idle(): boolean {
    return !this.#inMessage && this.#answered >= this.#started;
  }

  /** Called by the http server glue for each request it accepted on this connection. */
  requestEmitted(): void {
    this.#emitted++;
  }

  /** Called by the http server glue each time a response on this connection finishes. */
  responseFinished(): void {
    this.#answered++;
    this.#sendFailureWhenDue();
  }

  /** What llhttp is to receive for `chunk`, or undefined for nothing yet. */
  read(chunk: Buffer): Buffer | undefined {
    if (this.#failure) return undefined;
    if (this.#strict) this.#passStrict(chunk);
    else this.#parseFully(chunk);
    return this.#takePending();
  }

  /**
   * At end of stream: the bytes llhttp is still to receive, and whether it
   * may see the end. Not once a refusal is owed: the http server would close
   * the connection before it is sent.
   */
  end(): { rest: Buffer | undefined; forwardEnd: boolean } {
    if (this.#failure) return { rest: undefined, forwardEnd: false };
    // EOF in the middle of a request just ends the stream: nobody is left to answer.
    if (!this.#strict) this.#fullParser().finish();
    this.#clearDeadline();
    return { rest: this.#takePending(), forwardEnd: true };
  }

  /** Slow-client protection: Node's own header and request timeouts never see these connections. */
  #awaitHead(): void {
    clearTimeout(this.#deadline);
    this.#deadlineFor = 'head';
    this.#deadline = setTimeout(() => this.closeWithError(408, 'Request head not received in time'), this.#limits.headersTimeoutMs).unref();
  }

  #awaitBody(): void {
    clearTimeout(this.#deadline);
    this.#deadlineFor = 'body';
    this.#deadline = setTimeout(() => this.#socket.destroy(), this.#limits.requestTimeoutMs).unref();
  }

  #clearDeadline(): void {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
    this.#deadlineFor = undefined;
  }

  /**
   * Forwards the requests in `chunk` unchanged while their heads are strict,
   * and hands the connection to the full parser at the first that is not.
   */
  #passStrict(chunk: Buffer): void {
    const data = this.#partialHead ? Buffer.concat([this.#partialHead, chunk]) : chunk;
    this.#partialHead = undefined;
    let at = 0;
    let unchangedFrom = 0; // bytes from here up to `at` go to llhttp as received
    while (at < data.length) {
      if (this.#bodyLeft > 0) {
        const taken = Math.min(this.#bodyLeft, data.length - at);
        at += taken;
        this.#bodyLeft -= taken;
        if (this.#bodyLeft === 0) this.#inMessage = false;
        continue;
      }
      const end = data.indexOf(HEAD_END, at);
      const partial = end < 0;
      if (partial && data.length - at <= MAX_STRICT_HEAD_BYTES && ++this.#partialHeadPackets < MAX_STRICT_HEAD_PACKETS) {
        this.#partialHead = data.subarray(at);
        break;
      }
      const head = partial ? undefined : readStrictHead(data.toString('latin1', at, end + 2), MAX_URL_BYTES);
      if (!head) {
        if (at > unchangedFrom) this.#pending.push(data.subarray(unchangedFrom, at));
        this.#strict = false;
        this.#partialHeadPackets = 0;
        this.#parseFully(data.subarray(at));
        return;
      }
      this.#partialHeadPackets = 0;
      this.#started++;
      if (!NATIVE_METHODS.has(head.method)) {
        if (at > unchangedFrom) this.#pending.push(data.subarray(unchangedFrom, at));
        this.#pending.push(carriedHead(head));
        unchangedFrom = end + HEAD_END.length;
      }
      at = end + HEAD_END.length;
      this.#bodyLeft = head.contentLength;
      this.#inMessage = head.contentLength > 0;
    }
    if (at > unchangedFrom) this.#pending.push(data.subarray(unchangedFrom, at));
    // Deadlines run only while a head or body is incomplete at the end of a packet.
    const waitingFor = this.#bodyLeft > 0 ? 'body' : this.#partialHead ? 'head' : undefined;
    if (waitingFor === this.#deadlineFor) return;
    if (waitingFor === 'body') this.#awaitBody();
    else if (waitingFor === 'head') this.#awaitHead();
    else this.#clearDeadline();
  }

  #fullParser(): InstanceType<typeof HTTPParser> {
    if (this.#parser) return this.#parser;
    const parser = new HTTPParser(HTTPParser.REQUEST);
    // Setting the on* callbacks puts the library in the mode where the method
    // is reported as a string rather than an index into its fixed table.
    parser.onHeadersComplete = ((info: RequestHead) => this.#onHead(info)) as never;
    parser.onBody = (chunk, offset, length) => this.#onBody(chunk.subarray(offset, offset + length));
    parser.onMessageComplete = () => this.#onMessageComplete();
    (parser as any).BODY_CHUNKHEAD = strictChunkHead;
    return (this.#parser = parser);
  }

  #parseFully(chunk: Buffer): void {
    // The first byte of a new request starts its head deadline.
    if (!this.#inMessage && this.#deadline === undefined) this.#awaitHead();
    const parser = this.#fullParser();
    let offset = 0;
    try {
      while (offset < chunk.length) {
        const parsed = parser.execute(chunk, offset, chunk.length - offset);
        if (parsed instanceof Error) throw parsed;
        if (parsed <= 0) break;
        offset += parsed;
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  #onHead(head: RequestHead): number {
    const { bytes, framing } = canonicalHead(head);
    this.#pending.push(bytes);
    this.#framing = framing;
    this.#inMessage = true;
    this.#started++;
    if (framing !== 'none') this.#awaitBody();
    // A request with neither Content-Length nor chunked coding has no body
    // (RFC 9112 §6.3); returning 1 stops the library reading one until EOF.
    return framing === 'none' ? 1 : 0;
  }

  #onBody(chunk: Buffer): void {
    if (this.#framing === 'chunked') {
      this.#pending.push(Buffer.from(chunk.length.toString(16) + '\r\n', 'latin1'), chunk, CRLF);
    } else {
      this.#pending.push(chunk);
    }
  }

  #onMessageComplete(): void {
    if (this.#framing === 'chunked') this.#pending.push(LAST_CHUNK);
    this.#inMessage = false;
    // Waiting for the next request is keep-alive idling, timed by the http server.
    this.#clearDeadline();
  }

  /** The bytes for llhttp gathered so far, as one buffer. */
  #takePending(): Buffer | undefined {
    if (this.#pending.length === 0) return undefined;
    const bytes = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    return bytes;
  }

  #fail(err: unknown): void {
    if (err instanceof FramingError) this.closeWithError(err.status, err.message);
    else if (/header size/.test(String(err))) this.closeWithError(431, 'Request header fields too large');
    else this.closeWithError(400, 'Malformed HTTP request');
  }

  /**
   * Stops reading and answers `status` once every earlier request on the
   * connection has had its response, then closes.
   */
  closeWithError(status: number, message: string, serverStopped = false): void {
    if (this.#failure) return;
    this.#clearDeadline();
    // When the http server itself refused a request, it answers none after it.
    if (serverStopped) this.#started = this.#emitted;
    // Not paused: requests already handed over must still reach the server. Later bytes are dropped in read().
    if (this.#inMessage && !serverStopped) {
      // The server already holds this request's head and is waiting for a
      // body that will never be valid: there is no response slot to answer in.
      this.#socket.destroy();
      return;
    }
    this.#failure = closingErrorResponse(status, message);
    this.#sendFailureWhenDue();
  }

  #sendFailureWhenDue(): void {
    if (!this.#failure || this.#answered < this.#started || this.#socket.writableEnded || this.#socket.destroyed) return;
    // Closed once sent, whether or not the client ends its side.
    this.#socket.end(this.#failure, () => this.#socket.destroy());
  }
}

/**
 * Puts a ConnectionReader in front of llhttp on `socket`, once Node's http
 * server has taken the connection.
 */
function readAhead(socket: net.Socket, httpServer: http.Server, reader: ConnectionReader): void {
  const push = socket.push;
  // net.Socket hands every chunk it reads, and null at EOF, to push().
  socket.push = (chunk: Buffer | null): boolean => {
    if (chunk === null) {
      const { rest, forwardEnd } = reader.end();
      if (rest) push.call(socket, rest);
      return forwardEnd ? push.call(socket, null) : false;
    }
    const bytes = reader.read(chunk);
    return bytes === undefined ? true : push.call(socket, bytes);
  };
  httpServer.emit('connection', socket);
  // The http server reads a socket's handle directly unless the socket has a
  // 'data' listener; with one, every chunk passes through push() above.
  socket.on('data', () => undefined);
}

/** The reader of each connection, for the http server's clientError handler. */
const readers = new WeakMap<net.Socket, ConnectionReader>();

/**
 * Answers what llhttp still refuses (bad characters, oversized headers,
 * timeouts). Install it as the http server's clientError handler.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const reader = readers.get(socket as net.Socket);
  if (!reader) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') reader.closeWithError(431, 'Request header fields too large', true);
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') reader.closeWithError(408, 'Request timeout', true);
  else reader.closeWithError(400, 'Malformed HTTP request', true);
}

export interface ExtensionMethodListener {
  server: net.Server;
  /** Closes connections with no request in progress (Node tracks only servers it listens on itself). */
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * A TCP server whose connections reach `httpServer` through a
 * ConnectionReader. `httpServer` itself is never listened on; its
 * clientError handler should be answerClientError.
 */
export function listenWithExtensionMethods(httpServer: http.Server, limits: ConnectionLimits = DEFAULT_LIMITS): ExtensionMethodListener {
  const connections = new Set<net.Socket>();
  httpServer.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const reader = readers.get(req.socket as net.Socket);
    if (!reader) return;
    reader.requestEmitted();
    res.once('finish', () => reader.responseFinished());
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    const reader = new ConnectionReader(socket, limits);
    readers.set(socket, reader);
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    readAhead(socket, httpServer, reader);
  });
  return {
    server,
    closeIdleConnections: () => {
      for (const socket of connections) if (readers.get(socket)?.idle) socket.destroy();
    },
    closeAllConnections: () => {
      for (const socket of connections) socket.destroy();
    },
  };
}
