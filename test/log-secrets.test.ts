// Secrets never reach the logs: the service runs as a process of its own at
// LOG_LEVEL=trace, every documented operation is called with tokens in
// paths, filters, bodies and LOOKUP keys, with good, read-only and unknown
// API keys, and the whole log is searched for every token and key used.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { RawConnection, rawRequest } from './support/raw-http.js';
import { runCli, startServiceProcess } from './support/process.js';
import { Api, bearer, dropTestStore, IP, RR, testDatabaseUrl } from './support/service.js';

const TOKENS = '/rest/v1/service/integration_tokens';
const secret = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

describe('secrets in logs', () => {
  test('no token or API key used against any endpoint appears in the log', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-logs-'));
    const databaseUrl = testDatabaseUrl(dataDir);
    const keyFile = path.join(dataDir, 'bootstrap-key');
    const child = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, BOOTSTRAP_KEY_FILE: keyFile, LOG_LEVEL: 'trace' });
    try {
      const key = readFileSync(keyFile, 'utf8').trim();
      const readOnlyKey = await runCli(['admin', 'create-key', 'default', '--role', 'read-only'], { DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
      const unknownKey = `csk_${randomBytes(32).toString('base64url')}`;
      const api = new Api(child.url, key);
      const remote = [secret('remote-'), secret('remote2-'), secret('patched-'), secret('posted-')];
      const point = await api.create(IP, { type: 'public', code: 'LOGS', token_remote: remote[0], token_remote2: remote[1] });
      const spare = await api.create(IP, { type: 'public' });
      const rule = await api.create(RR, { priority: 1 });
      const tokens = [point.token_local, spare.token_local];
      const ids: Record<string, string> = { [IP]: point.id, [RR]: rule.id };

      // Every operation the OpenAPI document describes, LOOKUP included.
      const { body: document } = await api.get('/openapi.json');
      let operations = 0;
      for (const [template, item] of Object.entries<any>(document.paths)) {
        const base = Object.keys(ids).find((collection) => template.startsWith(collection));
        const concrete = template.replace('{id}', base ? ids[base] : '').replace('{value}', point.token_local);
        const methods = { ...item, ...(item['x-additionalOperations'] ?? {}) };
        for (const method of Object.keys(methods).filter((name) => /^(get|post|patch|delete|lookup|LOOKUP)$/.test(name))) {
          // A stream (the change feed) never ends: its HEAD answers the same route without opening one.
          const streams = methods[method]?.responses?.['200']?.content?.['text/event-stream'] !== undefined;
          const verb = streams ? 'HEAD' : method.toUpperCase();
          const body =
            verb === 'LOOKUP' ? point.token_local : verb === 'POST' && base === IP ? { type: 'x', token_remote: remote[3] } : verb === 'POST' ? { priority: 2 } : verb === 'PATCH' && base === IP ? { token_remote: remote[2] } : verb === 'PATCH' ? { priority: 3 } : undefined;
          // Deleting the channel whose token the other calls use would end the run early: delete the spare.
          const target = verb === 'DELETE' && base === IP ? `${IP}/${spare.id}` : concrete;
          for (const authorization of [key, readOnlyKey, unknownKey]) {
            await api.request(verb, target, body, bearer(authorization));
          }
          operations++;
        }
      }
      assert.ok(operations >= 12, `${operations} operations`);

      // Tokens in query strings, paths that match no route, other spellings of a token path.
      await api.get(IP, { filter: JSON.stringify({ token_local: point.token_local }), mask: 'id,tokenremote' });
      await api.get(IP, { filter: JSON.stringify(['==', ['property', 'token_remote'], remote[0]]) });
      await api.request('DELETE', `${TOKENS}/${point.token_local}`);
      await api.get(`${TOKENS}/${point.token_local}/extra`);
      await api.get(`/rest/v1/service/integration%5Ftokens/${point.token_local}`);
      await api.get(`${TOKENS}/${spare.token_local}`);
      const raw = await RawConnection.open(child.port);
      raw.write(rawRequest('GET', `http://x${TOKENS}/${point.token_local}`, undefined, bearer(key)));
      raw.write(rawRequest('GET', `${TOKENS}/${point.token_local}?key=${key}`, undefined, bearer(unknownKey)));
      await raw.read(2);
      raw.destroy();
      for (const open of ['/healthz', '/metrics', '/docs']) await api.get(open);

      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
      const log = child.logs.join('\n');
      // The requests were logged, with the token's place in the path marked.
      assert.ok(child.logs.filter((line) => line.includes('"incoming request"')).length >= operations * 3);
      assert.ok(log.includes(`${TOKENS}/[redacted]`), 'the token route is logged with its parameter redacted');
      for (const [name, value] of [['API key', key], ['read-only key', readOnlyKey], ['unknown key', unknownKey], ...tokens.map((token) => ['token_local', token]), ...remote.map((token) => ['token_remote', token])]) {
        assert.ok(!log.includes(value), `${name} ${value} is in the log`);
      }
    } finally {
      child.process.kill('SIGKILL');
      await dropTestStore(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
