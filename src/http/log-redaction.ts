/**
 * What request logs may say about a request. Query strings and bodies are
 * never logged (filters and LOOKUP keys may carry tokens); headers neither
 * (API keys). Paths are, with route parameters that hold a credential
 * replaced: a route declares them in its config as `secretParams`. A path
 * that matches no route, such as a wrong verb or a stray segment after a
 * token, is redacted from the segment where such a parameter would start.
 * Errors are logged by type, code, message and stack only: drivers attach
 * details (PostgreSQL's "Key (token_local)=(...)") that may quote values.
 */
import type { FastifyRequest } from 'fastify';
import { requestMethod } from './extension-method-routing.js';

export const REDACTED = '[redacted]';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route parameters holding credentials, left out of logs. */
    secretParams?: readonly string[];
  }
}

/** `/a/b/` for a pattern `/x/a/b/:value`: where a secret parameter starts, found in any path. */
export function secretMarker(pattern: string, param: string): string {
  const segments = pattern.split('/');
  const at = segments.indexOf(`:${param}`);
  return `/${segments[at - 1]}/`;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function loggedPath(request: FastifyRequest, markers: readonly string[]): string {
  const route = request.routeOptions.url;
  const secret = request.routeOptions.config?.secretParams;
  if (route !== undefined && secret?.length) {
    const params = request.params as Record<string, string>;
    return route.replace(/:(\w+)/g, (_, name: string) => (secret.includes(name) ? REDACTED : encodeURIComponent(params[name] ?? '')));
  }
  const path = request.url.split('?')[0];
  if (route !== undefined) return path;
  const plain = decoded(path);
  for (const marker of markers) {
    const at = plain.indexOf(marker);
    if (at >= 0) return plain.slice(0, at + marker.length) + REDACTED;
  }
  return path;
}

export function requestLogSerializers(markers: readonly string[]) {
  return {
    req: (request: FastifyRequest) => ({ method: requestMethod(request), path: loggedPath(request, markers), remoteAddress: request.ip }),
    err: (err: Error & { code?: unknown; statusCode?: unknown }) => ({
      type: err.constructor?.name ?? 'Error',
      message: err.message,
      ...(err.code === undefined ? {} : { code: err.code }),
      ...(err.statusCode === undefined ? {} : { statusCode: err.statusCode }),
      stack: err.stack ?? '',
    }),
  };
}
