/**
 * The strict HTTP/1.1 request grammar the edge accepts (RFC 9112, RFC 9110).
 * Pure functions over one line at a time; anything they do not accept is an
 * EdgeError, answered with a JSON error and a closed connection.
 *
 * The grammar is deliberately narrower than what Node's own parser (llhttp)
 * tolerates: every request read here is read the same way by llhttp.
 */

/** A request the edge refuses: the status and message it answers with before closing. */
export class EdgeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// RFC 9110 §5.6.2: token = 1*tchar.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TOKEN_ONLY = new RegExp(`^${TOKEN}$`);
// RFC 9112 §3: method SP request-target SP HTTP-version. The target is printable ASCII, no spaces.
const REQUEST_LINE = new RegExp(`^(${TOKEN}) ([\\x21-\\x7e]+) HTTP/(\\d)\\.(\\d)$`);
// RFC 9110 §5.5: field-value is VCHAR, obs-text, SP and HTAB; no other control characters.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 9112 §7.1.1: chunk-size [ chunk-ext ], with no whitespace (llhttp refuses it in strict mode).
const QUOTED_STRING = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t\\x20-\\x7e\\x80-\\xff])*"';
const CHUNK_LINE = new RegExp(`^([0-9A-Fa-f]+)(?:;${TOKEN}(?:=(?:${TOKEN}|${QUOTED_STRING}))?)*$`);
// RFC 9110 §7.2 / RFC 3986 §3.2.2: uri-host [ ":" port ]; userinfo is not allowed.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;

export interface RequestLine {
  method: string;
  target: string;
  versionMinor: 0 | 1;
}

/** Parses a request line (without its CRLF). */
export function parseRequestLine(line: string, maxTargetBytes: number): RequestLine {
  const match = REQUEST_LINE.exec(line);
  if (!match) throw new EdgeError(400, 'Malformed request line');
  const [, method, target, major, minor] = match;
  if (target.length > maxTargetBytes) throw new EdgeError(414, `Request target longer than ${maxTargetBytes} bytes`);
  if (major !== '1' || (minor !== '0' && minor !== '1')) throw new EdgeError(505, 'Only HTTP/1.0 and HTTP/1.1 are supported');
  return { method, target, versionMinor: minor === '1' ? 1 : 0 };
}

/**
 * A request line too long to be read: 414 when it is a method and a target
 * that does not end, 400 for anything else.
 */
export function overlongRequestLine(start: string, maxTargetBytes: number): EdgeError {
  return new RegExp(`^${TOKEN} [\\x21-\\x7e]+$`).test(start)
    ? new EdgeError(414, `Request target longer than ${maxTargetBytes} bytes`)
    : new EdgeError(400, 'Malformed request line');
}

export interface Field {
  name: string;
  /** Lower-case name, for comparisons. */
  lower: string;
  /** The value without leading and trailing whitespace. */
  value: string;
}

/**
 * Parses one field line (RFC 9112 §5): `name ":" OWS value OWS`. No
 * whitespace before the colon (§5.1 requires a 400), no obs-fold (§5.2), no
 * control characters.
 */
export function parseFieldLine(line: string): Field {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new EdgeError(400, 'Malformed header field');
  const name = line.slice(0, colon);
  if (!TOKEN_ONLY.test(name)) throw new EdgeError(400, 'Malformed header field name');
  let start = colon + 1;
  let end = line.length;
  while (start < end && (line.charCodeAt(start) === 0x20 || line.charCodeAt(start) === 0x09)) start++;
  while (end > start && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  const value = line.slice(start, end);
  if (!FIELD_VALUE.test(value)) throw new EdgeError(400, 'Malformed header field value');
  return { name, lower: name.toLowerCase(), value };
}

/**
 * The size of a chunk from its chunk-size line (extensions are read and
 * ignored). Sizes beyond `maxBytes` are 413 without being converted.
 */
export function parseChunkLine(line: string, maxBytes: number): number {
  const match = CHUNK_LINE.exec(line);
  if (!match) throw new EdgeError(400, 'Malformed chunk size');
  const digits = match[1].replace(/^0+(?=.)/, '');
  const size = digits.length > 12 ? Infinity : parseInt(digits, 16);
  if (size > maxBytes) throw new EdgeError(413, `Request body exceeds ${maxBytes} bytes`);
  return size;
}

export interface Target {
  /** origin-form path and query, or `*`. */
  path: string;
  /** The authority of an absolute-form target, which replaces Host (RFC 9112 §3.2.2). */
  authority?: string;
}

/**
 * Reads the request target (RFC 9112 §3.2): origin-form, absolute-form with
 * an http(s) scheme (rewritten to origin-form plus its authority), or `*`
 * for OPTIONS. Authority-form (CONNECT's) is not served.
 */
export function parseTarget(target: string, method: string): Target {
  if (target.startsWith('/')) return { path: target };
  if (target === '*') {
    if (method !== 'OPTIONS') throw new EdgeError(400, 'Malformed request target');
    return { path: target };
  }
  const absolute = ABSOLUTE_FORM.exec(target);
  if (!absolute) throw new EdgeError(400, 'Malformed request target');
  const [, scheme, authority, rest] = absolute;
  const lower = scheme.toLowerCase();
  if (lower !== 'http' && lower !== 'https') throw new EdgeError(400, 'Malformed request target');
  // RFC 9110 §4.2.4: userinfo in an http(s) URI is to be treated as an error.
  if (authority === '' || !HOST.test(authority)) throw new EdgeError(400, 'Malformed request target');
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  return { path, authority };
}

/** Checks a Host field value (RFC 9110 §7.2). */
export function validHost(value: string): boolean {
  return HOST.test(value);
}

/** Content-Length = 1*DIGIT (RFC 9110 §8.6); lists and signs are refused. */
export function parseContentLength(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new EdgeError(400, 'Malformed Content-Length');
  return Number(value);
}
