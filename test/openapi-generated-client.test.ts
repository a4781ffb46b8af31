// A typed client generated from /openapi.json by openapi-typescript, used
// through openapi-fetch: it compiles under strict tsc and does create, list,
// get, patch, delete and lookup on both collections against the service.
import assert from 'node:assert/strict';
import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { IP, RR, useService } from './support/service.js';
import { ROOT, runNode, saveDocument, toolScript } from './support/tools.js';

const PROGRAM = path.join(ROOT, 'test/fixtures/generated-client/client.ts');

describe('generated client (openapi-typescript + openapi-fetch)', () => {
  const service = useService();
  const { api } = service;

  test('generates, compiles under strict tsc, and works on both collections', async () => {
    const document = await saveDocument(service.current.url);
    const dir = path.dirname(document);
    const generate = await runNode([toolScript('openapi-typescript/bin/cli.js'), document, '--output', path.join(dir, 'schema.ts')]);
    assert.equal(generate.code, 0, generate.stderr);

    copyFileSync(PROGRAM, path.join(dir, 'client.ts'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const compilerOptions = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: false, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], skipLibCheck: true, outDir: 'out' };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['client.ts', 'schema.ts'] }));
    const compile = await runNode([toolScript('typescript/bin/tsc'), '-p', dir], { cwd: dir });
    assert.equal(compile.code, 0, `strict tsc:\n${compile.stdout}${compile.stderr}`);

    const run = await runNode([path.join(dir, 'out/client.js')], { cwd: dir, env: { BASE_URL: service.current.url, API_KEY: service.current.key } });
    assert.equal(run.code, 0, run.stderr);
    const { recordrules: rr, integrationPoints: ip, health } = JSON.parse(run.stdout);

    assert.equal(health, 'ok');
    assert.equal(rr.title, 'day');
    assert.match(rr.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.ok(rr.listed.includes(rr.id));
    assert.ok(rr.flatTitles.includes('day'));
    assert.equal(rr.oneTitle, 'day');
    assert.deepEqual(rr.patched, { priority: 6, title: 'night', comment: '' });
    assert.deepEqual(rr.looked, [rr.id]);
    assert.deepEqual([rr.deleted, rr.afterDelete, rr.lookupAfterDelete], [204, 1404, 1404]);
    assert.equal((await api.get(`${RR}/${rr.id}`)).status, 404);

    assert.match(ip.token, /^[0-9a-f]{32}$/);
    assert.deepEqual(ip.listed, [ip.id]);
    assert.deepEqual(ip.roles, ['admin']);
    assert.deepEqual(ip.patched, { url: 'http://sdk.example', issync: true });
    assert.deepEqual([ip.byCode, ip.byToken], [[ip.id], [ip.id]]);
    assert.equal(ip.resolved, `${IP}/${ip.id}`);
    assert.equal(ip.deleted, 204);
    assert.equal((await api.get(`${IP}/${ip.id}`)).status, 404);
  });
});
