/**
 * The catalogue of failures the contract names: one class per kind, each with
 * a stable `code` that callers branch on, never the message (as undici's
 * core/errors). It imports nothing, so every layer can report a bad field or
 * a missing entity without knowing about HTTP; src/http/errors.ts gives each
 * code its status. Create errors through `errors`, `invalid` and
 * `invalidField`, so each message is written once.
 *
 * The wire shape of an error lives here too (shared/spec/CONVENTIONS.md,
 * "Wire basics"), for code that writes error responses outside the HTTP
 * application.
 */

export interface ErrorDetail {
  /** Offending field or parameter, dotted for nested fields (`opts.title`). */
  field: string;
  message: string;
}

export interface ErrorBody {
  error_code: number;
  error_message: string;
  error_details?: ErrorDetail[];
}

/** `error_code` is 1000 + the HTTP status. */
export function errorCodeFor(status: number): number {
  return 1000 + status;
}

export function errorBody(code: number, message: string, details?: ErrorDetail[]): ErrorBody {
  return details && details.length > 0
    ? { error_code: code, error_message: message, error_details: details }
    : { error_code: code, error_message: message };
}

export const ErrorCodes = {
  INVALID_INPUT: 'COLL_ERR_INVALID_INPUT',
  MALFORMED_REQUEST: 'COLL_ERR_MALFORMED_REQUEST',
  UNAUTHENTICATED: 'COLL_ERR_UNAUTHENTICATED',
  FORBIDDEN: 'COLL_ERR_FORBIDDEN',
  NOT_FOUND: 'COLL_ERR_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'COLL_ERR_METHOD_NOT_ALLOWED',
  CONFLICT: 'COLL_ERR_CONFLICT',
  IN_USE: 'COLL_ERR_IN_USE',
  BODY_TOO_LARGE: 'COLL_ERR_BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'COLL_ERR_UNSUPPORTED_MEDIA_TYPE',
  STORE_UNAVAILABLE: 'COLL_ERR_STORE_UNAVAILABLE',
  QUERY_TIMEOUT: 'COLL_ERR_QUERY_TIMEOUT',
  INTERNAL: 'COLL_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A failure the contract names; `message` is what the client is told. */
export abstract class ServiceError extends Error {
  abstract readonly code: ErrorCode;

  constructor(
    message: string,
    /** The offending fields, all of them, when fields are at fault. */
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Well-formed input that breaks the contract: a bad field, parameter, filter, mask or order. */
export class InvalidInputError extends ServiceError {
  readonly code = ErrorCodes.INVALID_INPUT;

  constructor(details: ErrorDetail[]) {
    super(`Invalid request: ${details.length === 1 ? `${details[0].field}: ${details[0].message}` : `${details.length} invalid fields`}`, listed(details));
  }
}

/** Details an answer lists at most: a body of many thousand wrong items must not draw an answer many times its size. */
const MAX_LISTED_DETAILS = 100;

function listed(details: ErrorDetail[]): ErrorDetail[] {
  if (details.length <= MAX_LISTED_DETAILS) return details;
  const shown = details.slice(0, MAX_LISTED_DETAILS);
  shown.push({ field: 'body', message: `and ${details.length - MAX_LISTED_DETAILS} more problems, not listed` });
  return shown;
}

/** A request that cannot be read as one: a body that is not JSON, NUL in the URL. */
export class MalformedRequestError extends ServiceError {
  readonly code = ErrorCodes.MALFORMED_REQUEST;
}

export class UnauthenticatedError extends ServiceError {
  readonly code = ErrorCodes.UNAUTHENTICATED;
}

export class ForbiddenError extends ServiceError {
  readonly code = ErrorCodes.FORBIDDEN;
}

/** An unknown entity, path, lookup key or token. */
export class NotFoundError extends ServiceError {
  readonly code = ErrorCodes.NOT_FOUND;
}

export class MethodNotAllowedError extends ServiceError {
  readonly code = ErrorCodes.METHOD_NOT_ALLOWED;

  constructor(
    readonly method: string,
    /** The methods the path does answer. */
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} not allowed`);
  }
}

/** A unique value (an id) that is already taken. */
export class ConflictError extends ServiceError {
  readonly code = ErrorCodes.CONFLICT;
}

/** An entity others still refer to, so it cannot be deleted (a storage rule that recording rules use). */
export class InUseError extends ServiceError {
  readonly code = ErrorCodes.IN_USE;

  constructor(
    entity: string,
    /** How many entities refer to it. */
    readonly users: number,
    /** What they are, such as `recordrules`. */
    readonly by: string,
  ) {
    super(`${entity} is in use by ${users} ${by}`, [{ field: 'id', message: `in use by ${users} ${by}` }]);
  }
}

export class BodyTooLargeError extends ServiceError {
  readonly code = ErrorCodes.BODY_TOO_LARGE;

  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends ServiceError {
  readonly code = ErrorCodes.UNSUPPORTED_MEDIA_TYPE;
}

/** A body in a content coding (gzip, ...): the service reads bodies as sent, uncoded. */
export class UnsupportedContentCodingError extends UnsupportedMediaTypeError {}

/** The store cannot be reached; requests are refused until it returns. */
export class StoreUnavailableError extends ServiceError {
  readonly code = ErrorCodes.STORE_UNAVAILABLE;

  constructor(
    /** What the driver said, for the log; the client is told only the message. */
    readonly detail?: string,
  ) {
    super('Storage unavailable');
  }
}

/** A query ran past its time limit and was stopped; nothing is wrong with the store. */
export class QueryTimeoutError extends ServiceError {
  readonly code = ErrorCodes.QUERY_TIMEOUT;

  constructor(
    /** What stopped it, for the log; the client is told only the message. */
    readonly detail?: string,
  ) {
    super('The query took longer than its time limit; narrow the filter');
  }
}

/** Anything unexpected; its cause is logged, never answered. */
export class InternalError extends ServiceError {
  readonly code = ErrorCodes.INTERNAL;
}

/** Several problems with one input, reported together. */
export function invalid(details: ErrorDetail[]): InvalidInputError {
  return new InvalidInputError(details);
}

export function invalidField(field: string, message: string): InvalidInputError {
  return invalid([{ field, message }]);
}

export const errors = {
  badRequest: (message: string) => new MalformedRequestError(message),
  unauthorized: () => new UnauthenticatedError('A valid API key is required: Authorization: Bearer <key>'),
  forbidden: () => new ForbiddenError('This API key is read-only'),
  deciderOnly: () => new ForbiddenError('This API key may only ask for recording decisions'),
  entityNotFound: (entity: string) => new NotFoundError(`${entity} not found`),
  routeNotFound: () => new NotFoundError('Not found'),
  lookupFailed: () => new NotFoundError('Lookup failed'),
  /** For messages a declaration gives, such as a resolver's "Token not found". */
  notFound: (message: string) => new NotFoundError(message),
  methodNotAllowed: (method: string, allowed: readonly string[]) => new MethodNotAllowedError(method, allowed),
  duplicate: (entity: string, field: string) => new ConflictError(`${entity} with this ${field} already exists`, [{ field, message: 'already exists' }]),
  nestedTooDeep: (limit: number) => new MalformedRequestError(`Request body is nested deeper than ${limit} levels`),
  inUse: (entity: string, users: number, by: string) => new InUseError(entity, users, by),
  bodyTooLarge: (limit: number) => new BodyTooLargeError(limit),
  unsupportedMediaType: () => new UnsupportedMediaTypeError('Content-Type must be application/json'),
  unsupportedCharset: () => new UnsupportedMediaTypeError('Content-Type may name charset only once, as utf-8: JSON is sent as UTF-8 (RFC 8259)'),
  unsupportedContentCoding: (coding: string) => new UnsupportedContentCodingError(`Content-Encoding ${JSON.stringify(coding)} is not supported: send the body uncoded`),
  internal: () => new InternalError('Internal server error'),
  queryTimeout: (detail?: string) => new QueryTimeoutError(detail),
};
