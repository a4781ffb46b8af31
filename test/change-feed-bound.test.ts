// The change feed under a write burst with subscribers that never read: each
// subscriber's queue is bounded, one that falls behind is told why and
// dropped, the service's memory stays bounded, and a subscriber that keeps
// reading gets every event.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { residentMiB, startServiceProcess } from './support/process.js';
import { onPostgres, RR } from './support/service.js';

const SUBSCRIBERS = 25;
// More than the ~4 MB (about 38,000 events) the kernel buffers for each non-reading
// loopback connection: beyond that, whatever waits for a subscriber waits in the service.
const WRITES = 60_000;
// Measured on Node.js 26 with node:sqlite: the burst alone grows the service by some 80 MiB
// (garbage not yet collected, SQLite's page cache), with the bound and 26 stalled subscribers by
// some 145 MiB; without the bound, what waits for them adds about 10 MiB each (350 MiB in all).
const MAX_GROWTH_MIB = 200;

/** A subscriber that sends its request and then never reads. */
function stalledSubscriber(port: number, key: string): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(`GET /rest/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  socket.pause();
  socket.on('error', () => undefined);
  return socket;
}

/** Everything a socket receives until the server closes it. */
function readToEnd(socket: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1'))));
}

/** The body of a raw chunked response: the head dropped, the chunks joined. */
function chunkedBody(raw: string): string {
  let at = raw.indexOf('\r\n\r\n') + 4;
  let body = '';
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = parseInt(raw.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += raw.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** `count` POSTs pipelined over a few keep-alive connections, a window of them in flight on each. */
async function burst(port: number, key: string, count: number): Promise<void> {
  const body = JSON.stringify({ priority: 1 });
  const request = `POST ${RR} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const connections = 8;
  const window = 32;
  await Promise.all(
    Array.from({ length: connections }, (_, n) => {
      const share = Math.floor(count / connections) + (n < count % connections ? 1 : 0);
      return new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let sent = 0;
        let answered = 0;
        let tail = '';
        const fill = () => {
          let out = '';
          for (; sent < share && sent - answered < window; sent++) out += request;
          if (out) socket.write(out);
        };
        socket.on('connect', fill);
        socket.on('error', reject);
        socket.on('data', (chunk) => {
          // Responses are counted by their status lines; `tail` catches one split across packets.
          const text = tail + chunk.toString('latin1');
          const lines = text.match(/HTTP\/1\.1 (\d{3})/g) ?? [];
          if (lines.some((line) => line !== 'HTTP/1.1 200')) reject(new Error(`a write failed: ${lines.find((line) => line !== 'HTTP/1.1 200')}`));
          answered += lines.length;
          const lastLine = text.lastIndexOf('HTTP/1.1 ');
          tail = text.slice(Math.max(text.length - 11, lastLine + 12, 0));
          if (answered >= share) {
            socket.destroy();
            resolve();
          } else fill();
        });
      });
    }),
  );
}

describe('change feed backpressure', { skip: onPostgres && 'the bound is in the HTTP layer, the same on every store' }, () => {
  test('non-reading subscribers are dropped with a reason; memory stays bounded; a reader gets every event', { timeout: 180_000 }, async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-feed-'));
    const child = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}`, LOG_LEVEL: 'warn' });
    try {
      const base = residentMiB(child.process.pid!);
      if (base === undefined) return t.skip('no /proc to read memory from');
      const key = readFileSync(path.join(dataDir, 'bootstrap-key'), 'utf8').trim();

      const stalled = Array.from({ length: SUBSCRIBERS }, () => stalledSubscriber(child.port, key));
      const late = stalledSubscriber(child.port, key);
      // A subscriber that keeps reading: it counts the events it receives.
      const reader = net.connect(child.port, '127.0.0.1');
      reader.write(`GET /rest/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`);
      let received = 0;
      let readerTail = '';
      reader.on('data', (chunk) => {
        const text = readerTail + chunk.toString('latin1');
        received += text.split('event: create\n').length - 1;
        readerTail = text.slice(-14);
        if (readerTail.includes('event: create\n')) readerTail = readerTail.slice(readerTail.lastIndexOf('event: create\n') + 14);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));

      // The late subscriber starts reading once every stalled subscriber, itself included, is
      // dropped (sooner, it might catch up and stay), well within the time the service gives a
      // dropped stream to deliver its reason.
      let lateText: Promise<string> | undefined;
      const dropped = () => child.logs.filter((line) => line.includes('fell behind and was disconnected')).length;
      let peak = base;
      const sampler = setInterval(() => {
        peak = Math.max(peak, residentMiB(child.process.pid!) ?? 0);
        if (!lateText && dropped() === SUBSCRIBERS + 1) lateText = readToEnd(late);
      }, 50);
      try {
        await burst(child.port, key, WRITES);
        await new Promise((resolve) => setTimeout(resolve, 500));
      } finally {
        clearInterval(sampler);
      }

      assert.ok(peak - base < MAX_GROWTH_MIB, `memory grew by ${(peak - base).toFixed(0)} MiB under the burst`);
      assert.equal(dropped(), SUBSCRIBERS + 1, 'every non-reading subscriber was dropped');
      assert.ok(lateText, 'a subscriber was dropped during the burst');
      const blocks = chunkedBody(await lateText).split('\n\n').filter(Boolean);
      assert.match(blocks.at(-1)!, /^event: disconnect\ndata: \{"reason":"fell behind: 1000 events were waiting to be sent"\}$/);
      assert.equal(received, WRITES, 'the reading subscriber got every event');

      for (const socket of stalled) socket.destroy();
      reader.destroy();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = residentMiB(child.process.pid!)!;
      assert.ok(after - base < MAX_GROWTH_MIB, `memory after the subscribers left: ${(after - base).toFixed(0)} MiB above the start`);
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
