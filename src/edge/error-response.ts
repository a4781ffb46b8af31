/**
 * The edge's own answers: a complete JSON error response that closes the
 * connection, written straight to the socket (the request never reached the
 * application).
 */
import http from 'node:http';
import { errorBody, errorCodeFor } from '../errors.js';

export function closingErrorResponse(status: number, message: string): Buffer {
  const body = JSON.stringify(errorBody(errorCodeFor(status), message));
  const reason = http.STATUS_CODES[status] ?? 'Error';
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    'latin1',
  );
}
