/**
 * What request logs may say about a request. Query strings and bodies are
 * never logged (filters and LOOKUP keys may carry tokens); headers neither
 * (API keys).
 *
 * Paths are logged deny by default: a segment is kept only when it is a
 * literal segment of a registered route (`rest`, `integration_tokens`,
 * `recordrules:lookup`, read from the routes themselves) or a well-formed
 * UUID (entity ids); any other segment becomes `[redacted]`, whatever route
 * it matched or missed, so a token sent where an id belongs, in another case
 * or with a stray suffix never reaches the log. Route parameters declared as
 * holding a credential (`secretParams` in a route's config) are redacted even
 * when they look like a UUID.
 *
 * Errors are logged by type, code and stack frames. The message is kept only
 * for the service's own errors, whose messages it writes itself: drivers'
 * messages and details quote values (PostgreSQL's `value "…" is out of
 * range`, `Key (token_local)=(…)`), and so does the first line of a stack.
 */
import type { FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';
import { requestMethod } from './extension-method-routing.js';

export const REDACTED = '[redacted]';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route parameters holding credentials, left out of logs. */
    secretParams?: readonly string[];
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The literal segments of a route pattern: not parameters (`:id`) nor wildcards; `::` is an escaped colon. */
export function literalSegments(pattern: string): string[] {
  return pattern
    .split('/')
    .filter((segment) => segment !== '' && !segment.startsWith(':') && !segment.includes('*'))
    .map((segment) => segment.replaceAll('::', ':'));
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function loggedSegment(segment: string, literals: ReadonlySet<string>): string {
  if (segment === '') return segment;
  const plain = decoded(segment);
  return literals.has(plain) || UUID.test(plain) ? plain : REDACTED;
}

/** The path as logged; `literals` holds the literal segments of every registered route. */
export function loggedPath(request: FastifyRequest, literals: ReadonlySet<string>): string {
  const route = request.routeOptions.url;
  const secret = request.routeOptions.config?.secretParams;
  if (route !== undefined && secret?.length) {
    const params = request.params as Record<string, string>;
    return route.replace(/:(\w+)/g, (_, name: string) => (secret.includes(name) ? REDACTED : loggedSegment(encodeURIComponent(params[name] ?? ''), literals)));
  }
  return request.url
    .split('?')[0]
    .split('/')
    .map((segment) => loggedSegment(segment, literals))
    .join('/');
}

/** The frames of a stack, without its first line (which repeats the message). */
function stackFrames(stack: string | undefined): string {
  return (stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

export function requestLogSerializers(literals: ReadonlySet<string>) {
  return {
    req: (request: FastifyRequest) => ({ method: requestMethod(request), path: loggedPath(request, literals), remoteAddress: request.ip }),
    err: (err: Error & { code?: unknown; statusCode?: unknown }) => ({
      type: err.constructor?.name ?? 'Error',
      message: err instanceof ServiceError ? err.message : REDACTED,
      ...(err.code === undefined ? {} : { code: err.code }),
      ...(err.statusCode === undefined ? {} : { statusCode: err.statusCode }),
      stack: stackFrames(err.stack),
    }),
  };
}
