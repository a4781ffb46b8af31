/**
 * Turns anything thrown while serving a request into a catalogue error, so
 * every failure leaves as the JSON error body with its own status.
 */
import { QueryTimeoutError, StoreUnavailableError } from '../store/store.js';
import { ApiError, errors } from './errors.js';

interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
}

export function toApiError(err: unknown, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreUnavailableError) return errors.unavailable();
  if (err instanceof QueryTimeoutError) return errors.queryTimeout();
  const { code, statusCode } = (err ?? {}) as FrameworkError;
  switch (code) {
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
  }
  // JSON.parse and secure-json-parse (prototype poisoning) report as SyntaxError with a 400.
  if (err instanceof SyntaxError && statusCode === 400) return errors.badRequest('Request body is not valid JSON');
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new ApiError(statusCode, (err as Error).message);
  }
  return errors.internal();
}
