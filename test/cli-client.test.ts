// The command-line client against a running service: every verb, --json
// output and readable tables, errors on stderr with a non-zero exit.
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
