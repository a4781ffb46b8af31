/**
 * The TCP listener in front of Node's http server. Every connection is read
 * by an EdgeConnection, which sits in the socket's push(): Node's parser
 * receives only what the edge hands it, while Node's http server keeps the
 * real socket for everything else (writes, addresses, keep-alive).
 */
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { BodyBudget } from './body-budget.js';
import { EdgeConnection, type EdgeLimits } from './connection.js';

export type { EdgeLimits } from './connection.js';

export const DEFAULT_EDGE_LIMITS: EdgeLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  maxTargetBytes: 8192,
  // The target plus room for the method and version.
  maxRequestLineBytes: 8192 + 1024,
  maxFieldSectionBytes: 16 * 1024,
  maxFields: 100,
  maxChunkLineBytes: 4096,
  maxTrailerBytes: 8192,
  maxBodyBytes: 1024 * 1024,
  maxHeldBytes: 64 * 1024,
  maxUnsentBytes: 64 * 1024,
  // 32 bodies at the default body limit; far more small ones.
  chunkedBodyBudgetBytes: 32 * 1024 * 1024,
};

/** Node's parser must never refuse a head the edge accepted; it gets room to spare. */
export const NODE_MAX_HEADER_SIZE = 64 * 1024;

/** Each connection's reader, for the http server's request and clientError hooks. */
const connections = new WeakMap<net.Socket, EdgeConnection>();

/**
 * Answers what Node's http server still refuses itself (it should not, for
 * requests the edge framed). Install it as the http server's clientError handler.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const connection = connections.get(socket as net.Socket);
  if (!connection) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') connection.serverRefused(431, 'Request header fields too large');
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') connection.serverRefused(408, 'Request timeout');
  else connection.serverRefused(400, 'Malformed HTTP request');
}

export interface EdgeListener {
  server: net.Server;
  /** Closes connections with no request in progress (Node tracks only servers it listens on itself). */
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * A TCP server whose connections reach `httpServer` through the edge.
 * `httpServer` itself is never listened on; its clientError handler should
 * be answerClientError.
 */
export function listenThroughEdge(httpServer: http.Server, limits: EdgeLimits = DEFAULT_EDGE_LIMITS): EdgeListener {
  const open = new Set<net.Socket>();
  const budget = new BodyBudget(limits.chunkedBodyBudgetBytes);
  httpServer.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const connection = connections.get(req.socket as net.Socket);
    if (connection) res.once('finish', () => connection.responseFinished());
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    const push = socket.push;
    const forward = (bytes: Buffer | null) => push.call(socket, bytes);
    const connection = new EdgeConnection(socket, limits, forward, budget);
    connections.set(socket, connection);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // net.Socket hands every chunk it reads, and null at the end, to push(); a false return stops reading.
    socket.push = (chunk: Buffer | null): boolean => (chunk === null ? connection.receivedEnd() : connection.received(chunk));
    // Node's server closes this way after an answer that said "Connection: close"; the edge closes
    // as it does after its own refusals, so what the client still sends does not reset the answer.
    socket.destroySoon = () => connection.closeAfterAnswer();
    httpServer.emit('connection', socket);
    // Node's http server reads a socket's handle directly unless the socket has a
    // 'data' listener; with one, every chunk passes through push() above.
    socket.on('data', () => undefined);
  });
  // One timer checks every connection's deadlines, often enough for the shortest of them.
  const sweepEveryMs = Math.max(10, Math.min(1000, limits.headersTimeoutMs / 4, limits.requestTimeoutMs / 4));
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const socket of open) connections.get(socket)?.sweep(now);
  }, sweepEveryMs).unref();
  server.once('close', () => clearInterval(sweeper));
  return {
    server,
    closeIdleConnections: () => {
      for (const socket of open) if (connections.get(socket)?.idle) socket.destroy();
    },
    closeAllConnections: () => {
      for (const socket of open) socket.destroy();
    },
  };
}
