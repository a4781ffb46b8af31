// Differential: for generated request streams (pipelined, sized and chunked
// bodies, split at arbitrary byte boundaries, with malformed variants), the
// edge either refuses the stream or frames it exactly as Node's own parser
// (llhttp) does. Two recording servers run side by side: one is Node's http
// server listening directly, the other the same server behind the edge.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { answerClientError, DEFAULT_EDGE_LIMITS, listenThroughEdge, NODE_MAX_HEADER_SIZE } from '../src/edge/listener.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

interface Recorded {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

// Fields the edge re-states when it re-frames a request; everything else must arrive as llhttp read it.
const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding', 'upgrade']);

function recordingServer(): { server: http.Server; records: Recorded[]; refused: { codes: string[] } } {
  const records: Recorded[] = [];
  const refused = { codes: [] as string[] };
  const server = http.createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!FRAMING_FIELDS.has(req.rawHeaders[i].toLowerCase())) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      }
      records.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks).toString('latin1') });
      res.end();
    });
  });
  return { server, records, refused };
}

/** Writes `pieces` to `port` one by one, ends the stream, and waits for the server to close; returns what it sent back. */
async function send(port: number, pieces: Buffer[]): Promise<string> {
  const began = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const received: Buffer[] = [];
  socket.on('data', (chunk) => received.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  socket.end();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
  await Promise.race([closed, timeout]);
  if (process.env.EDGE_DEBUG && Date.now() - began > 500) console.log('SLOW SIDE', port);
  socket.destroy();
  return Buffer.concat(received).toString('latin1');
}

// ---- generators -----------------------------------------------------------

const TOKEN_CHARS = "!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-".split('');
const VISIBLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i));
const token = fc.array(fc.constantFrom(...TOKEN_CHARS), { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''));
const fieldValue = fc
  .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...VISIBLE) }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\x80', '\xe9', '\xff') }), { maxLength: 24 })
  .map((chars) => chars.join('').trim());
const path = fc.array(fc.constantFrom(...VISIBLE), { maxLength: 30 }).map((chars) => `/${chars.join('')}`);
const bodyText = fc.oneof(
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(text, 'utf8').toString('latin1')),
  fc.constantFrom('GET /x HTTP/1.1\r\nHost: y\r\n\r\n', '\r\n\r\n', '0\r\n\r\n', '{"a":1}'),
);

type Framing = { kind: 'none' } | { kind: 'sized'; body: string } | { kind: 'chunked'; chunks: { data: string; ext: string }[]; trailers: [string, string][]; upper: boolean };

const framing: fc.Arbitrary<Framing> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  bodyText.map((body) => ({ kind: 'sized' as const, body })),
  fc.record({
    kind: fc.constant('chunked' as const),
    chunks: fc.array(fc.record({ data: bodyText.filter((text) => text.length > 0), ext: fc.constantFrom('', ';a', ';a=b', ';q="x;y"', ';a=b;c') }), { maxLength: 4 }),
    trailers: fc.array(fc.tuple(token, fieldValue), { maxLength: 2 }),
    upper: fc.boolean(),
  }),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  path,
  fields: fc.array(fc.tuple(fc.oneof(token, fc.constantFrom('Accept', 'User-Agent', 'X-Trace')), fieldValue), { maxLength: 5 }),
  framing,
});
type GeneratedRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function serialise(req: GeneratedRequest): string {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, 'Host: example.test'];
  // A field named like a framing field would change the framing: those come from `framing` only.
  for (const [name, value] of req.fields) if (!FRAMING_FIELDS.has(name.toLowerCase()) && !['host', 'expect', 'connection'].includes(name.toLowerCase())) lines.push(`${name}: ${value}`);
  const { framing } = req;
  if (framing.kind === 'sized') return `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(framing.body, 'latin1')}\r\n\r\n${framing.body}`;
  if (framing.kind === 'none') return `${lines.join('\r\n')}\r\n\r\n`;
  lines.push(`Transfer-Encoding: ${framing.upper ? 'Chunked' : 'chunked'}`);
  const chunks = framing.chunks.map(({ data, ext }) => `${Buffer.byteLength(data, 'latin1').toString(16)}${ext}\r\n${data}\r\n`).join('');
  const trailers = framing.trailers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `${lines.join('\r\n')}\r\n\r\n${chunks}0\r\n${trailers}\r\n`;
}

/** Ways found, or feared, to make parsers disagree. Each takes a serialised stream and a position hint. */
const MUTATIONS: ((stream: string, at: number) => string)[] = [
  (s, at) => replaceNth(s, '\r\n', at, '\n'),
  (s, at) => replaceNth(s, ': ', at, ' : '),
  (s, at) => replaceNth(s, ': ', at, '\t: '),
  (s, at) => replaceNth(s, ': ', at, ' '),
  (s, at) => replaceNth(s, '\r\n', at, '\r\n : x\r\n'),
  (s, at) => replaceNth(s, '\r\n', at, '\r\n x-folded\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, 'Host: example.test\r\nContent-Length: 2\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, 'Host: example.test\r\nTransfer-Encoding: chunked\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, 'Host: example.test\r\nContent-Length: 0\r\nContent-Length: 0\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, 'Host: example.test\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, 'Host: a\r\nHost: b\r\n'),
  (s, at) => replaceNth(s, 'Host: example.test\r\n', at, ''),
  (s, at) => replaceNth(s, 'chunked', at, 'chunked\v'),
  (s, at) => replaceNth(s, 'chunked', at, 'chunked\f'),
  (s, at) => replaceNth(s, 'chunked', at, 'chunked\xa0'),
  (s, at) => replaceNth(s, 'chunked', at, 'chunked, chunked'),
  (s, at) => replaceNth(s, 'chunked', at, 'gzip, chunked'),
  (s, at) => replaceNth(s, 'chunked', at, ' chunked '),
  (s, at) => replaceNth(s, 'HTTP/1.1', at, 'HTTP/1.0'),
  (s, at) => replaceNth(s, 'HTTP/1.1', at, 'HTTP/1.2'),
  (s, at) => replaceNth(s, 'HTTP/1.1', at, 'HTTP/2.0'),
  (s, at) => replaceNth(s, '0\r\n', at, '0 \r\n'),
  (s, at) => replaceNth(s, '0\r\n', at, '00\r\n'),
  (s, at) => replaceNth(s, '0\r\n', at, '0;\r\n'),
  (s, at) => replaceNth(s, '0\r\n', at, '0\n'),
  (s, at) => replaceNth(s, '0\r\n', at, '+0\r\n'),
  (s, at) => replaceNth(s, '0\r\n', at, '0x0\r\n'),
  (s, at) => replaceNth(s, 'Content-Length: ', at, 'Content-Length: +'),
  (s, at) => replaceNth(s, 'Content-Length: ', at, 'Content-Length: 0'),
  (s, at) => replaceNth(s, 'Content-Length: ', at, 'Content-Length: 1, '),
  (s, at) => replaceNth(s, ' /', at, '  /'),
  (s, at) => replaceNth(s, ' HTTP/', at, '\tHTTP/'),
  (s, at) => `${s.slice(0, at % (s.length + 1))}\x00${s.slice(at % (s.length + 1))}`,
  (s, at) => `${s.slice(0, at % (s.length + 1))}\r${s.slice(at % (s.length + 1))}`,
  (s, at) => `${s.slice(0, at % (s.length + 1))}\x7f${s.slice(at % (s.length + 1))}`,
  (s, at) => (s.length === 0 ? s : `${s.slice(0, at % s.length)}${String.fromCharCode((s.charCodeAt(at % s.length) + 1 + (at % 250)) % 256)}${s.slice((at % s.length) + 1)}`),
  (s, at) => `\r\n${s.slice(0, at % (s.length + 1))}`,
];

function replaceNth(text: string, search: string, n: number, replacement: string): string {
  const positions: number[] = [];
  for (let i = text.indexOf(search); i >= 0; i = text.indexOf(search, i + 1)) positions.push(i);
  if (positions.length === 0) return text;
  const at = positions[n % positions.length];
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

const stream = fc.record({
  requests: fc.array(request, { minLength: 1, maxLength: 4 }),
  mutations: fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), fc.nat(10_000)), { maxLength: 2 }),
  splits: fc.array(fc.nat(10_000), { maxLength: 6 }),
  trickle: fc.boolean(),
});

function piecesOf(bytes: Buffer, splits: number[], trickle: boolean): Buffer[] {
  if (trickle && bytes.length <= 160) return [...bytes].map((byte) => Buffer.from([byte]));
  const cuts = [...new Set(splits.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  return pieces;
}

describe('the edge frames requests exactly as Node\'s parser, or refuses them', () => {
  const reference = recordingServer();
  const behind = recordingServer();
  let referencePort = 0;
  let edgePort = 0;
  const edge = listenThroughEdge(behind.server, DEFAULT_EDGE_LIMITS);
  behind.server.on('clientError', answerClientError);
  // Node's parser, listening itself: on end of input it answers what it has read, then closes.
  (reference.server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  reference.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    reference.refused.codes.push(err.code ?? 'unknown');
    socket.destroy();
  });

  before(async () => {
    await new Promise<void>((resolve) => reference.server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => edge.server.listen(0, '127.0.0.1', resolve));
    referencePort = (reference.server.address() as net.AddressInfo).port;
    edgePort = (edge.server.address() as net.AddressInfo).port;
  });
  after(async () => {
    edge.closeAllConnections();
    reference.server.closeAllConnections();
    await new Promise((resolve) => edge.server.close(resolve));
    await new Promise((resolve) => reference.server.close(resolve));
  });

  test('generated streams', async () => {
    let refusedByEdge = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(stream, async ({ requests, mutations, splits, trickle }) => {
        let text = requests.map(serialise).join('');
        for (const [which, at] of mutations) text = MUTATIONS[which](text, at);
        const bytes = Buffer.from(text, 'latin1');
        reference.records.length = 0;
        behind.records.length = 0;
        reference.refused.codes.length = 0;
        const pieces = piecesOf(bytes, splits, trickle);
        const started = Date.now();
        const [, edgeAnswer] = await Promise.all([send(referencePort, pieces), send(edgePort, pieces)]);
        if (process.env.EDGE_DEBUG && Date.now() - started > 500) console.log('SLOW', Date.now() - started, JSON.stringify(text));
        // The recording server answers every request it gets with 200; anything else is the edge refusing.
        const refusal = /HTTP\/1\.1 (?!200)(\d{3}) /.exec(edgeAnswer);
        const llhttp = reference.records.slice();
        const ours = behind.records.slice();
        // Where llhttp's reading of HTTP ends for reasons that are not framing: after a request asking to
        // upgrade it stops reading HTTP (the service never upgrades, RFC 9110 §7.8, and reads on); a
        // mutation can make a method llhttp does not know, which the edge carries as an extension method.
        let comparable = ours.length;
        if (/\r\nupgrade:/i.test(text)) comparable = Math.min(comparable, llhttp.length);
        const extension = ours.findIndex((record) => record.headers.some(([name]) => name === 'x-extension-method'));
        if (extension >= 0) comparable = Math.min(comparable, extension);
        assert.deepEqual(ours.slice(0, comparable), llhttp.slice(0, comparable), `framed differently from llhttp: ${JSON.stringify(text)}`);
        if (refusal) {
          refusedByEdge++;
          const answer = edgeAnswer.slice(refusal.index);
          assert.match(answer, /\r\nconnection: close\r\n\r\n/);
          const error = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
          assert.equal(error.error_code, 1000 + Number(refusal[1]));
        } else {
          accepted++;
          if (comparable === ours.length) {
            assert.equal(llhttp.length, ours.length, `llhttp read a different number of requests: ${JSON.stringify(text)}`);
            // llhttp calls bytes after a request that closes the connection an error; the edge does not read them.
            const refusals = reference.refused.codes.filter((code) => code !== 'HPE_CLOSED_CONNECTION');
            assert.deepEqual(refusals, [], `llhttp refused a stream the edge accepted: ${JSON.stringify(text)}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
    // Both outcomes must have been exercised, or the generator is not doing its job.
    assert.ok(refusedByEdge > RUNS / 20, `only ${refusedByEdge} refusals`);
    assert.ok(accepted > RUNS / 5, `only ${accepted} accepted`);
  });
});
