// The command-line client against a running service: every verb, decide,
// --json output and tables of one shape, errors as one line on stderr with exit
// code 1 naming what to change, and the command installed with npm.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from './support/process.js';
import { addKey, useService } from './support/service.js';

const repository = new URL('../..', import.meta.url).pathname;

/** The one line a failing command prints, and its exit code. */
async function failure(run: Promise<string>): Promise<{ code: number; stderr: string }> {
  try {
    await run;
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error('the command succeeded');
}

describe('command-line client', () => {
  const service = useService();
  const env = () => ({ COLLECTIONS_URL: service.current.url, COLLECTIONS_KEY: service.current.key });
  const cli = (...args: string[]) => runCli(args, env());

  test('create, list with a filter, get, patch, lookup and delete', async () => {
    const rule = JSON.parse(await cli('create', 'recordrules', '{"priority":50,"dir":"incoming","opts":{"title":"day"}}', '--json'));
    await cli('create', 'recordrules', '{"priority":99,"dir":"outgoing"}');
    const listed = JSON.parse(await cli('list', 'recordrules', '--filter', '{"dir":"incoming"}', '--json'));
    assert.deepEqual(listed.map((entity: any) => entity.id), [rule.id]);

    const table = await cli('list', 'recordrules', '--mask', 'id,priority,opts.title', '--order', '[{"priority":"desc"}]');
    const [header, rule1, first, second] = table.split('\n');
    assert.match(header, /^id\s+priority\s+opts\.title$/);
    assert.match(rule1, /^-+\s+-+\s+-+$/);
    assert.match(first, /\s99\s*$/);
    assert.match(second, new RegExp(`^${rule.id}\\s+50\\s+day$`));

    assert.equal(JSON.parse(await cli('get', 'recordrules', rule.id, '--json')).priority, 50);
    assert.equal(JSON.parse(await cli('patch', 'recordrules', rule.id, '{"priority":51}', '--json')).priority, 51);
    assert.equal(await cli('lookup', 'recordrules', rule.id), rule.id);
    assert.deepEqual(JSON.parse(await cli('lookup', 'recordrules', rule.id, '--json')), [rule.id]);
    assert.equal(await cli('delete', 'recordrules', rule.id), `deleted ${rule.id}`);
  });

  test('lookup integration_points <token>', async () => {
    const point = JSON.parse(await cli('create', 'integration_points', '{"type":"public"}', '--json'));
    assert.equal(await cli('lookup', 'integration_points', point.token_local), point.id);
  });

  test('get, create, patch and list print one table shape: composite fields flattened', async () => {
    const created = await cli('create', 'recordrules', '{"priority":7,"opts":{"title":"week"},"ext":{"team":"a"}}');
    const [header, rule, row] = created.split('\n');
    const id = row.split(/\s+/)[0];
    const columns = header.split(/\s+/);
    assert.ok(columns.includes('opts.title') && columns.includes('ext.team') && !columns.includes('opts'), header);
    assert.match(rule, /^-+(\s+-+)*$/);
    assert.doesNotMatch(row, /[{}]/, 'no JSON objects in cells');
    assert.equal((await cli('get', 'recordrules', id)).split('\n')[0], header, 'get shows the same columns as create');
    const patched = await cli('patch', 'recordrules', id, '{"opts":{"title":"night"}}');
    assert.equal(patched.split('\n')[0], header, 'patch shows the same columns as get');
    assert.doesNotMatch(patched, /[{}]/);
    const cell = (table: string, column: string) => {
      const [head, , first] = table.split('\n');
      return first.slice(head.indexOf(column)).split(/\s+/)[0];
    };
    assert.equal(cell(patched, 'opts.title'), 'night');
    assert.equal(cell(await cli('list', 'recordrules', '--filter', JSON.stringify({ id }), '--mask', 'id,opts.title,ext.team'), 'ext.team'), 'a');
    await cli('delete', 'recordrules', id);
  });

  test('errors are one line on stderr, exit code 1, naming the URL or the variable to set', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const readOnly = await addKey(service.current, 'default', 'read-only');
    const cases: [() => Promise<string>, string][] = [
      [
        () => runCli(['list', 'recordrules'], { ...env(), COLLECTIONS_URL: `http://127.0.0.1:${port}` }),
        `error: cannot reach the service at http://127.0.0.1:${port} (connection refused: nothing listens there); start it, or set COLLECTIONS_URL or --url to where it runs`,
      ],
      [() => runCli(['list', 'recordrules'], { ...env(), COLLECTIONS_URL: 'localhost:8080' }), 'error: "localhost:8080" is not an http:// or https:// URL; set COLLECTIONS_URL or --url to the service\'s'],
      [
        () => runCli(['list', 'recordrules'], { ...env(), COLLECTIONS_KEY: '' }),
        'error: 401 no key given: set COLLECTIONS_KEY or --key (a new embedded store writes its first key to data/bootstrap-key; collection-service admin create-key makes more)',
      ],
      [() => runCli(['list', 'recordrules', '--key', 'csk_unknown'], env()), `error: 401 the service at ${service.current.url} does not know the key in COLLECTIONS_KEY or --key`],
      [() => runCli(['create', 'recordrules', '{}'], { ...env(), COLLECTIONS_KEY: readOnly }), 'error: 403 the key in COLLECTIONS_KEY or --key is read-only: writes need a read-write key'],
      [() => cli('create', 'recordrules', '{"priority":"high"}'), 'error: 400 Invalid request: priority: must be integer'],
      [() => cli('create', 'recordrules', '{"priority":'), 'error: the body must be JSON, got "{\\"priority\\":"'],
      [() => cli(), 'error: no command given; collection-service --help shows every command'],
      [() => cli('show', 'recordrules'), 'error: unknown command "show"; collection-service --help shows every command'],
      [() => cli('get', 'recordrules'), 'error: get takes <collection> <id>, got 1 argument; collection-service --help shows every command'],
      [() => cli('patch', 'recordrules', 'id-only'), 'error: patch takes <collection> <id> <json>, got 2 arguments; collection-service --help shows every command'],
      [() => cli('list', 'recordrules', '--limt', '5'), 'error: list has no option --limt; collection-service --help shows every command'],
      [() => cli('list', 'recordrules', '--mask'), 'error: option --mask of list needs a value; collection-service --help shows every command'],
      [() => cli('admin', 'drop-domain', 'x'), 'error: admin takes create-domain <name> or create-key <domain>; collection-service --help shows every command'],
    ];
    for (const [run, line] of cases) assert.deepEqual(await failure(run()), { code: 1, stderr: `${line}\n` });
    assert.match(await cli('--help'), /^usage:\n  collection-service serve\n/);
  });

  test('an admin command where there is no store says which setting names it, and creates none', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'collections-cli-'));
    try {
      const expected = `error: no database at ${path.join(elsewhere, 'data', 'app.db')}: run this where the service runs, or set DATA_DIR to the service's\n`;
      assert.deepEqual(await failure(runCli(['admin', 'create-key', 'default'], { DATA_DIR: '', DATABASE_URL: '' }, elsewhere)), { code: 1, stderr: expected });
      assert.equal(existsSync(path.join(elsewhere, 'data')), false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('npm install --global from the clone installs a collection-service command that works from any directory', async () => {
    const prefix = mkdtempSync(path.join(tmpdir(), 'collections-global-'));
    try {
      // Without scripts: the package's prepare would rebuild dist/ under the suite that is running from it.
      await promisify(execFile)('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund', repository]);
      const command = path.join(prefix, 'bin', 'collection-service');
      const run = (...args: string[]) => promisify(execFile)(command, args, { cwd: prefix, env: { ...process.env, ...env() } });
      const point = JSON.parse((await run('create', 'integration_points', '{"type":"public","code":"GLOBAL"}', '--json')).stdout);
      const { stdout } = await run('list', 'integration_points', '--filter', '{"code":"GLOBAL"}', '--mask', 'id,code');
      assert.deepEqual(stdout.trim().split('\n').slice(2), [`${point.id}  GLOBAL`]);
      await run('delete', 'integration_points', point.id);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  test('decide prints the decision, and with --trace the rules tried', async () => {
    // Set up through the API: every CLI run is a process start.
    const { api } = service;
    const storage = await api.create('/rest/v1/domain/storagerules', { name: 'quarter', expires: 90 });
    const skipped = await api.create('/rest/v1/uc/recordrules', { priority: 10, fromnumber: '8*' });
    const rule = await api.create('/rest/v1/uc/recordrules', { priority: 20, dir: 'incoming', tonumber: '1XX', storageruleid: storage.id });
    const args = ['decide', '--from', '74951234567', '--to', '101', '--to-domain', 'default', '--at', '2026-11-23T09:30:00Z'];

    const decision = JSON.parse(await cli(...args, '--json'));
    assert.equal(decision.record, true);
    assert.equal(decision.domains[0].rule.id, rule.id);

    const text = await cli(...args, '--trace');
    const lines = text.split('\n');
    assert.equal(lines[0], 'recorded: yes');
    assert.match(lines[2], /^domain\s+dir\s+record\s+rule\s+priority\s+rec\s+storagerule$/);
    assert.match(lines[4], new RegExp(`^default\\s+incoming\\s+yes\\s+${rule.id}\\s+20\\s+1\\s+quarter \\(90 days\\)$`));
    const tried = lines.indexOf('rules tried in default:');
    assert.ok(tried > 0, text);
    assert.match(lines[tried + 1], /^#\s+rule\s+priority\s+result$/);
    assert.match(lines[tried + 3], new RegExp(`^1\\s+${skipped.id}\\s+10\\s+fromnumber does not hold$`));
    assert.match(lines[tried + 4], new RegExp(`^2\\s+${rule.id}\\s+20\\s+decides$`));

    const elsewhere = await cli('decide', '--from', '1', '--from-domain', 'default', '--to', '2', '--to-domain', 'acme');
    assert.match(elsewhere, /not evaluated: acme/);
    await assert.rejects(cli('decide', '--from', '1', '--to', '2', '--to-domain', 'default', '--at', 'yesterday'), (err: any) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /400 Invalid request: at/);
      return true;
    });
    for (const id of [rule.id, skipped.id]) await api.delete(`/rest/v1/uc/recordrules/${id}`);
  });

  test('service errors go to stderr with exit code 1', async () => {
    await assert.rejects(cli('lookup', 'recordrules', 'missing'), (err: any) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /404 Lookup failed/);
      return true;
    });
    await assert.rejects(runCli(['list', 'recordrules'], { ...env(), COLLECTIONS_KEY: 'wrong' }), /401/);
    await assert.rejects(cli('list', 'nothing'), /collection must be one of/);
  });
});
