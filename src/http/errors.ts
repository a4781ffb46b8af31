/**
 * The one catalogue of API errors. Every failure leaves the service as
 * `{"error_code": 1000 + status, "error_message": ..., "error_details"?: [...]}`
 * (shared/spec/CONVENTIONS.md, "Wire basics"); callers branch on `code`.
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

export function errorCodeFor(status: number): number {
  return 1000 + status;
}

export function errorBody(code: number, message: string, details?: ErrorDetail[]): ErrorBody {
  return details && details.length > 0
    ? { error_code: code, error_message: message, error_details: details }
    : { error_code: code, error_message: message };
}

export class ApiError extends Error {
  readonly code: number;

  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra response headers, such as Allow on 405. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.code = errorCodeFor(status);
  }

  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

/** Several problems with one input, reported together. */
export function invalid(details: ErrorDetail[]): ApiError {
  const summary = details.length === 1 ? `${details[0].field}: ${details[0].message}` : `${details.length} invalid fields`;
  return new ApiError(400, `Invalid request: ${summary}`, details);
}

export function invalidField(field: string, message: string): ApiError {
  return invalid([{ field, message }]);
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, message),
  unauthorized: () => new ApiError(401, 'A valid API key is required: Authorization: Bearer <key>', undefined, { 'www-authenticate': 'Bearer' }),
  forbidden: () => new ApiError(403, 'This API key is read-only'),
  entityNotFound: (entity: string) => new ApiError(404, `${entity} not found`),
  routeNotFound: () => new ApiError(404, 'Not found'),
  lookupFailed: () => new ApiError(404, 'Lookup failed'),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new ApiError(405, `Method ${method} not allowed`, undefined, { allow: allowed.join(', ') }),
  duplicate: (entity: string, field: string) =>
    new ApiError(409, `${entity} with this ${field} already exists`, [{ field, message: 'already exists' }]),
  nestedTooDeep: (limit: number) => new ApiError(400, `Request body is nested deeper than ${limit} levels`),
  bodyTooLarge: (limit: number) => new ApiError(413, `Request body exceeds ${limit} bytes`),
  unsupportedMediaType: () => new ApiError(415, 'Content-Type must be application/json'),
  internal: () => new ApiError(500, 'Internal server error'),
  unavailable: () => new ApiError(503, 'Storage unavailable'),
  queryTimeout: () => new ApiError(503, 'The query took longer than its time limit; narrow the filter'),
};
