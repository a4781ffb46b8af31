/**
 * Accepting extension methods such as LOOKUP over HTTP/1.1.
 *
 * Node's built-in parser (llhttp) has a fixed method table and answers 400 to
 * anything else, so `LOOKUP /rest/v1/...` never reaches the application. Each
 * connection is therefore parsed here first (http-parser-js, which accepts
 * any method token) and every request is re-emitted to Node's http server in
 * canonical form: the request line, the client's headers, and a body framed by
 * exactly one Content-Length or by re-chunked Transfer-Encoding.
 *
 * Framing cannot desynchronise: llhttp never sees a client's bytes, only the
 * requests this parser delimited, one canonical request per parsed request.
 * Ambiguous framing (Content-Length with Transfer-Encoding, conflicting
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
import { Duplex } from 'node:stream';
import httpParserJs from 'http-parser-js';
import { errorBody, errorCodeFor } from './errors.js';

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

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/**
 * The stream Node's http server reads canonical requests from and writes its
 * responses to; it stands in for the client's socket.
 */
export class CanonicalRequestStream extends Duplex {
  readonly #parser = new HTTPParser(HTTPParser.REQUEST);
  #pending: Buffer[] = [];
  #framing: BodyFraming = 'none';
  #inMessage = false;
  #started = 0; // requests forwarded to the http server
  #emitted = 0; // requests the http server has accepted and will answer
  #answered = 0;
  #failure: Buffer | null = null;
  #socketPaused = false;
  #deadline: NodeJS.Timeout | undefined;
  readonly #raw: net.Socket;
  readonly #limits: ConnectionLimits;

  constructor(socket: net.Socket, limits: ConnectionLimits = DEFAULT_LIMITS) {
    super({ allowHalfOpen: true });
    this.#raw = socket;
    this.#limits = limits;
    // A connection that never completes a head must not be held open.
    this.#awaitHead();
    // Setting the on* callbacks puts the library in the mode where the method
    // is reported as a string rather than an index into its fixed table.
    this.#parser.onHeadersComplete = ((info: RequestHead) => this.#onHead(info)) as never;
    this.#parser.onBody = (chunk, offset, length) => this.#onBody(chunk.subarray(offset, offset + length));
    this.#parser.onMessageComplete = () => this.#onMessageComplete();
    (this.#parser as any).BODY_CHUNKHEAD = strictChunkHead;

    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('timeout', () => this.emit('timeout'));
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

  /** Slow-client protection: Node's own header and request timeouts never see these connections. */
  #awaitHead(): void {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => this.closeWithError(408, 'Request head not received in time'), this.#limits.headersTimeoutMs).unref();
  }

  #awaitBody(): void {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => this.destroy(), this.#limits.requestTimeoutMs).unref();
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
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  #onData(chunk: Buffer): void {
    if (this.#failure) return;
    // The first byte of a new request starts its head deadline.
    if (!this.#inMessage && this.#deadline === undefined) this.#awaitHead();
    let offset = 0;
    try {
      while (offset < chunk.length) {
        const parsed = this.#parser.execute(chunk, offset, chunk.length - offset);
        if (parsed instanceof Error) throw parsed;
        if (parsed <= 0) break;
        offset += parsed;
      }
    } catch (err) {
      this.#forwardPending();
      this.#fail(err);
      return;
    }
    this.#forwardPending();
  }

  #onEnd(): void {
    if (this.#failure) return;
    // EOF in the middle of a request just ends the stream: nobody is left to answer.
    this.#parser.finish();
    this.#forwardPending();
    this.push(null);
  }

  #forwardPending(): void {
    if (this.#pending.length === 0) return;
    const bytes = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    if (!this.push(bytes) && !this.#socketPaused) {
      this.#socketPaused = true;
      this.#raw.pause();
    }
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
    // When the http server itself refused a request, it answers none after it.
    if (serverStopped) this.#started = this.#emitted;
    this.#raw.pause();
    if (this.#inMessage && !serverStopped) {
      // The server already holds this request's head and is waiting for a
      // body that will never be valid: there is no response slot to answer in.
      this.destroy();
      return;
    }
    this.#failure = closingErrorResponse(status, message);
    this.#sendFailureWhenDue();
  }

  #sendFailureWhenDue(): void {
    if (!this.#failure || this.#answered < this.#started || this.writableEnded) return;
    this.end(this.#failure);
  }

  override _read(): void {
    if (this.#socketPaused && !this.#failure) {
      this.#socketPaused = false;
      this.#raw.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#raw.write(chunk)) callback();
    else this.#raw.once('drain', () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#raw.cork();
    let flushed = true;
    for (const { chunk } of chunks) flushed = this.#raw.write(chunk);
    this.#raw.uncork();
    if (flushed) callback();
    else this.#raw.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#raw.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#deadline);
    this.#raw.destroy();
    callback(error);
  }

  // The parts of net.Socket that Node's http server and loggers use.
  setTimeout(ms: number, callback?: () => void): this {
    this.#raw.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.#raw.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#raw.setKeepAlive(enable, initialDelay);
    return this;
  }
  destroySoon(): void {
    this.end();
  }
  address() {
    return this.#raw.address();
  }
  get remoteAddress() {
    return this.#raw.remoteAddress;
  }
  get remotePort() {
    return this.#raw.remotePort;
  }
  get remoteFamily() {
    return this.#raw.remoteFamily;
  }
  get localAddress() {
    return this.#raw.localAddress;
  }
  get localPort() {
    return this.#raw.localPort;
  }
}

/**
 * Answers what llhttp still refuses in a canonical request (bad characters,
 * oversized headers, timeouts). Install it as the http server's clientError handler.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!(socket instanceof CanonicalRequestStream)) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') socket.closeWithError(431, 'Request header fields too large', true);
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.closeWithError(408, 'Request timeout', true);
  else socket.closeWithError(400, 'Malformed HTTP request', true);
}

export interface ExtensionMethodListener {
  server: net.Server;
  /** Closes connections with no request in progress (Node tracks only servers it listens on itself). */
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * A TCP server whose connections reach `httpServer` through a
 * CanonicalRequestStream. `httpServer` itself is never listened on; its
 * clientError handler should be answerClientError.
 */
export function listenWithExtensionMethods(httpServer: http.Server, limits: ConnectionLimits = DEFAULT_LIMITS): ExtensionMethodListener {
  const connections = new Set<CanonicalRequestStream>();
  httpServer.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const connection = req.socket as unknown;
    if (!(connection instanceof CanonicalRequestStream)) return;
    connection.requestEmitted();
    res.once('finish', () => connection.responseFinished());
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    const connection = new CanonicalRequestStream(socket, limits);
    connections.add(connection);
    connection.once('close', () => connections.delete(connection));
    httpServer.emit('connection', connection);
  });
  return {
    server,
    closeIdleConnections: () => {
      for (const connection of connections) if (connection.idle) connection.destroy();
    },
    closeAllConnections: () => {
      for (const connection of connections) connection.destroy();
    },
  };
}
