/**
 * Recognises request heads written in a strict subset of the HTTP/1.1
 * grammar: a token method, a printable request target, HTTP/1.0 or 1.1,
 * `name: value` fields of allowed bytes only, at most one Content-Length of
 * plain digits, and none of the fields whose handling needs more care
 * (Transfer-Encoding, Upgrade, the internal method marker).
 *
 * Any two HTTP parsers agree on where a request written this way ends, so
 * its bytes can be handed to llhttp as they are. Anything else is left to the
 * full parser, which validates and re-serialises it.
 */

export interface StrictHead {
  method: string;
  url: string;
  versionMinor: number;
  /** Body bytes that follow the head (0 without Content-Length). */
  contentLength: number;
  /** The header fields exactly as received, each ending in CRLF. */
  fields: string;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/1\.([01])\r\n/;
// One character class per part, so matching is linear: names cannot contain ':', values cannot contain CR.
const FIELD_BLOCK = /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/;
const CONTENT_LENGTH_VALUE = /^[ \t]*(\d{1,15})[ \t]*$/;
// Fields whose presence sends a request to the full parser.
const CAREFUL_FIELDS = ['\r\ntransfer-encoding:', '\r\nupgrade:', '\r\nx-extension-method:'];

/**
 * `head`: a request's bytes as latin1, from its first byte up to and
 * including the CRLF that ends its last field (the empty line excluded).
 * Returns undefined unless the head is in the strict grammar.
 */
export function readStrictHead(head: string, maxUrlBytes: number): StrictHead | undefined {
  const line = REQUEST_LINE.exec(head);
  if (!line || line[2].length > maxUrlBytes) return undefined;
  const fields = head.slice(line[0].length);
  if (!FIELD_BLOCK.test(fields)) return undefined;

  // Field names are case-insensitive; a leading CRLF lets every search anchor on a line start.
  const names = `\r\n${fields.toLowerCase()}`;
  for (const careful of CAREFUL_FIELDS) if (names.includes(careful)) return undefined;
  const versionMinor = line[3] === '1' ? 1 : 0;
  if (versionMinor === 1 && !names.includes('\r\nhost:')) return undefined;

  let contentLength = 0;
  const at = names.indexOf('\r\ncontent-length:');
  if (at >= 0) {
    if (names.includes('\r\ncontent-length:', at + 2)) return undefined;
    const start = at + '\r\ncontent-length:'.length;
    const value = CONTENT_LENGTH_VALUE.exec(names.slice(start, names.indexOf('\r\n', start)));
    if (!value) return undefined;
    contentLength = Number(value[1]);
  }
  return { method: line[1], url: line[2], versionMinor, contentLength, fields };
}
