/**
 * The one place where failures become HTTP responses: the status of each
 * catalogue code (src/errors.ts), the headers some of them carry, and
 * Fastify's own refusals read as catalogue errors. Every failure leaves as
 * `{"error_code": 1000 + status, "error_message": ..., "error_details"?: [...]}`.
 */
import { errorBody, errorCodeFor, errors, MethodNotAllowedError, ServiceError, UnauthenticatedError, UnsupportedContentCodingError, type ErrorBody, type ErrorCode } from '../errors.js';

// The reader in front of Node's parser writes its error responses with these.
export { errorBody, errorCodeFor } from '../errors.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  COLL_ERR_INVALID_INPUT: 400,
  COLL_ERR_MALFORMED_REQUEST: 400,
  COLL_ERR_UNAUTHENTICATED: 401,
  COLL_ERR_FORBIDDEN: 403,
  COLL_ERR_NOT_FOUND: 404,
  COLL_ERR_METHOD_NOT_ALLOWED: 405,
  COLL_ERR_CONFLICT: 409,
  COLL_ERR_IN_USE: 409,
  COLL_ERR_BODY_TOO_LARGE: 413,
  COLL_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  COLL_ERR_INTERNAL: 500,
  COLL_ERR_STORE_UNAVAILABLE: 503,
  COLL_ERR_QUERY_TIMEOUT: 503,
};

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
}

/** Fastify's refusals of a body or a URL, as the catalogue names them. */
function fromFramework(err: FrameworkError, bodyLimit: number): ServiceError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badRequest('Request body is empty; expected JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest('Request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('Request body length does not match Content-Length');
    case 'FST_ERR_BAD_URL':
      return errors.badRequest('Malformed percent-encoding in the URL');
  }
  // JSON.parse and secure-json-parse (prototype poisoning) report as SyntaxError with a 400.
  if (err instanceof SyntaxError && err.statusCode === 400) return errors.badRequest('Request body is not valid JSON');
  return undefined;
}

function headersFor(err: ServiceError): Record<string, string> {
  if (err instanceof MethodNotAllowedError) return { allow: err.allowed.join(', ') };
  if (err instanceof UnauthenticatedError) return { 'www-authenticate': 'Bearer' };
  // RFC 9110 §15.5.16: the codings the service does accept.
  if (err instanceof UnsupportedContentCodingError) return { 'accept-encoding': 'identity' };
  return {};
}

function responseFor(err: ServiceError): ErrorResponse {
  const status = STATUS_BY_CODE[err.code];
  return { status, headers: headersFor(err), body: errorBody(errorCodeFor(status), err.message, err.details) };
}

/** The response for anything thrown while serving a request. */
export function errorResponse(err: unknown, bodyLimit: number): ErrorResponse {
  if (err instanceof ServiceError) return responseFor(err);
  const framework = (err ?? {}) as FrameworkError;
  const known = fromFramework(framework, bodyLimit);
  if (known) return responseFor(known);
  // A client error Fastify reports that the catalogue has no name for keeps its status and message.
  const { statusCode } = framework;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, headers: {}, body: errorBody(errorCodeFor(statusCode), framework.message) };
  }
  return responseFor(errors.internal());
}
