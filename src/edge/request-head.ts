/**
 * One request head, read whole: its framing decided once, here, and the head
 * Node's parser is to receive. A head whose every line passed the strict
 * grammar and that needs no rewriting is passed on as received; any other is
 * re-serialised canonically, so Node's parser can only read what was decided
 * here.
 */
import { EdgeError, parseContentLength, parseFieldLine, parseRequestLine, parseTarget, validHost, type Field } from './grammar.js';
import { CARRIER_METHOD, EXTENSION_METHOD_HEADER, isNativeMethod } from './methods.js';

export interface HeadLimits {
  maxTargetBytes: number;
  maxFields: number;
  /**
   * A body, de-chunked. A sized one within it is passed on as it arrives and
   * checked by the application; one over it is never read (the application
   * refuses it from the head) and its connection closes after the answer.
   */
  maxBodyBytes: number;
}

export type BodyFraming = { kind: 'none' } | { kind: 'sized'; length: number } | { kind: 'chunked' };

export interface RequestHead {
  method: string;
  path: string;
  versionMinor: 0 | 1;
  framing: BodyFraming;
  /** Whether the received bytes can go to Node's parser unchanged. */
  passThrough: boolean;
  fields: Field[];
  /** Host to present: the absolute-form target's authority, if there was one. */
  authority?: string;
  /**
   * The connection ends with this request's response (RFC 9112 §9.3): nothing after it is read.
   * The client's choice, or the edge's when the answer may go out before the body has come.
   */
  closesConnection: boolean;
  /**
   * The connection closes but Node's parser would not read it so (the edge's own choice to close,
   * or an HTTP/1.0 head naming both keep-alive and close, where Node lets keep-alive win): it is
   * shown "Connection: close" in place of the client's fields, so the answer says so.
   */
  restatesClose: boolean;
  /** `Expect: 100-continue` in HTTP/1.1: the client may wait for a 100 before sending its body. */
  expectsContinue: boolean;
  /**
   * Whether a 100 is to invite the body: only with credentials (RFC 9110 §10.1.1 lets a
   * server answer at once when the head decides the status, here the 401). The edge sends
   * it for a chunked body; for a sized one Node's server does, when the request's turn comes.
   */
  invitesBody: boolean;
}

// Fields never passed on as received: framing is re-stated, the method marker is the edge's own,
// and this service never switches protocols (an Upgrade would make Node's parser stop reading).
const REWRITTEN_FIELDS = new Set(['content-length', 'transfer-encoding', 'upgrade', EXTENSION_METHOD_HEADER]);

/**
 * `text`: the head as latin1, from the request line to the CRLF ending the
 * last field (the empty line excluded).
 */
export function readRequestHead(text: string, limits: HeadLimits): RequestHead {
  const lines = text.split('\r\n');
  lines.pop(); // text ends in CRLF
  const line = parseRequestLine(lines[0], limits.maxTargetBytes);
  // Node's server treats a PRI request as the start of HTTP/2 and drops the connection (RFC 9113 §3.4).
  if (line.method === 'PRI') throw new EdgeError(400, 'PRI is the HTTP/2 connection preface, not a method');
  if (lines.length - 1 > limits.maxFields) throw new EdgeError(431, 'Request header fields too large');
  const target = parseTarget(line.target, line.method);

  const fields: Field[] = [];
  let contentLength: number | undefined;
  let transferEncoding: string | undefined;
  let hosts = 0;
  const connectionOptions: string[] = [];
  let expectsContinue = false;
  let expectation = false;
  let credentials = false;
  let rewrite = target.authority !== undefined || !isNativeMethod(line.method);
  for (let i = 1; i < lines.length; i++) {
    const first = lines[i].charCodeAt(0);
    // RFC 9112 §5.2: obs-fold is refused, as is whitespace after the start line (§2.2).
    if (first === 0x20 || first === 0x09) throw new EdgeError(400, 'Folded or indented header field');
    const field = parseFieldLine(lines[i]);
    fields.push(field);
    switch (field.lower) {
      case 'content-length':
        // Even identical repeats: Node's parser refuses a second Content-Length.
        if (contentLength !== undefined) throw new EdgeError(400, 'Repeated Content-Length');
        contentLength = parseContentLength(field.value);
        break;
      case 'transfer-encoding':
        if (transferEncoding !== undefined) throw new EdgeError(400, 'Only a single "Transfer-Encoding: chunked" is supported');
        transferEncoding = field.value;
        break;
      case 'host':
        hosts++;
        if (!validHost(field.value)) throw new EdgeError(400, 'Malformed Host header');
        break;
      case 'expect':
        // RFC 9110 §10.1.1: only 100-continue is defined; Node's server would answer others itself.
        // A list on one line means what the same members on several lines do (§5.3).
        if (!field.value.split(',').every((member) => member.trim().toLowerCase() === '100-continue')) throw new EdgeError(417, 'Only "Expect: 100-continue" is supported');
        expectation = true;
        expectsContinue = line.versionMinor === 1;
        break;
      case 'authorization':
        // An empty field is no credentials (RFC 9110 §11.6.2): nothing to invite a body for.
        if (field.value !== '') credentials = true;
        break;
      // Node's parser honours Proxy-Connection as it does Connection.
      case 'connection':
      case 'proxy-connection':
        for (const option of field.value.split(',')) connectionOptions.push(option.trim().toLowerCase());
        break;
      case 'upgrade':
      case EXTENSION_METHOD_HEADER:
        rewrite = true;
        break;
    }
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1; never more than one.
  if (hosts > 1) throw new EdgeError(400, 'More than one Host header');
  if (hosts === 0 && line.versionMinor === 1 && target.authority === undefined) throw new EdgeError(400, 'Host header required');

  let framing: BodyFraming = { kind: 'none' };
  if (transferEncoding !== undefined) {
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; with Content-Length, ambiguous.
    if (line.versionMinor === 0) throw new EdgeError(400, 'Transfer-Encoding is not allowed in HTTP/1.0');
    if (contentLength !== undefined) throw new EdgeError(400, 'Content-Length and Transfer-Encoding together are ambiguous');
    if (transferEncoding.toLowerCase() !== 'chunked') throw new EdgeError(400, 'Only a single "Transfer-Encoding: chunked" is supported');
    framing = { kind: 'chunked' };
    rewrite = true;
  } else if (contentLength !== undefined && contentLength > 0) {
    framing = { kind: 'sized', length: contentLength };
  }
  const clientCloses = connectionOptions.includes('close') || (line.versionMinor === 0 && !connectionOptions.includes('keep-alive'));
  const oversized = framing.kind === 'sized' && framing.length > limits.maxBodyBytes;
  // No 100 for a body the application will refuse from the head (RFC 9110 §10.1.1): 413, or 401 first.
  const invitesBody = expectsContinue && credentials && !oversized;
  // A client waiting for a 100 that does not come may never send its body (RFC 9110 §10.1.1); nor
  // does anyone send an oversized one. The answer goes out first, then the connection closes: what
  // would follow on it is not known to be a body or a request.
  const withheld = expectsContinue && !invitesBody && framing.kind === 'sized';
  const closesConnection = clientCloses || oversized || withheld;
  const nodeCloses = line.versionMinor === 1 ? connectionOptions.includes('close') : !connectionOptions.includes('keep-alive');
  const restatesClose = closesConnection && !nodeCloses;
  // Node's server would answer any Expect it is shown with a 100: it sees one only where a 100 is due.
  if ((expectation && !nodeAnswersExpectation(framing, invitesBody)) || restatesClose) rewrite = true;
  return {
    method: line.method,
    path: target.path,
    versionMinor: line.versionMinor,
    framing,
    passThrough: !rewrite,
    fields,
    authority: target.authority,
    closesConnection,
    restatesClose,
    expectsContinue,
    invitesBody,
  };
}

/** Node's server sends the 100 for a sized body, the edge for a chunked one (collected first). */
function nodeAnswersExpectation(framing: BodyFraming, invitesBody: boolean): boolean {
  return invitesBody && framing.kind === 'sized';
}

/**
 * The head as Node's parser is to read it: the method (or CARRIER_METHOD with
 * the real one in the marker field), an origin-form target, the client's
 * fields except the rewritten ones, and the body's length stated once.
 */
export function canonicalHead(head: RequestHead, bodyLength: number): Buffer {
  const native = isNativeMethod(head.method);
  let text = `${native ? head.method : CARRIER_METHOD} ${head.path} HTTP/1.${head.versionMinor}\r\n`;
  for (const field of head.fields) {
    if (REWRITTEN_FIELDS.has(field.lower)) continue;
    if (field.lower === 'host' && head.authority !== undefined) continue;
    if (field.lower === 'expect' && !nodeAnswersExpectation(head.framing, head.invitesBody)) continue;
    if (head.restatesClose && (field.lower === 'connection' || field.lower === 'proxy-connection')) continue;
    text += `${field.name}: ${field.value}\r\n`;
  }
  if (head.authority !== undefined) text += `host: ${head.authority}\r\n`;
  if (head.restatesClose) text += 'connection: close\r\n';
  if (!native) text += `${EXTENSION_METHOD_HEADER}: ${head.method}\r\n`;
  if (bodyLength > 0 || head.framing.kind !== 'none') text += `content-length: ${bodyLength}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}
