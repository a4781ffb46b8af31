/**
 * Which methods Node's parser reads itself, and how the others travel.
 *
 * llhttp has a fixed method table and refuses any other token, so a request
 * with an extension method such as LOOKUP reaches Node's http server as
 * CARRIER_METHOD with the real method in EXTENSION_METHOD_HEADER. Only the
 * edge sets that field: a client's copy never gets through.
 */
import http from 'node:http';

export const EXTENSION_METHOD_HEADER = 'x-extension-method';
export const CARRIER_METHOD = 'POST';

// CONNECT is carried too: llhttp would turn it into a tunnel request.
const NATIVE_METHODS = new Set(http.METHODS.filter((method) => method !== 'CONNECT'));

export function isNativeMethod(method: string): boolean {
  return NATIVE_METHODS.has(method);
}
