// The command-line client against a running service: every verb, decide,
// --json output and readable tables, errors on stderr with a non-zero exit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from './support/process.js';
import { useService } from './support/service.js';

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
