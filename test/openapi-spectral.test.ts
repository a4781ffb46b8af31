// Spectral's `spectral:oas` rules find nothing in the document the service
// serves: no error, no warning, no hint.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { useService } from './support/service.js';
import { ROOT, runNode, saveDocument, toolScript } from './support/tools.js';

describe('Spectral', () => {
  const service = useService();

  test('spectral:oas reports nothing at any severity', async () => {
    const document = await saveDocument(service.current.url);
    const results = path.join(path.dirname(document), 'spectral.json');
    const lint = ['lint', '--ruleset', path.join(ROOT, '.spectral.yaml'), '--fail-severity', 'hint', '--format', 'json', '--output', results, document];
    const run = await runNode([toolScript('@stoplight/spectral-cli/dist/index.js'), ...lint]);
    assert.deepEqual(JSON.parse(readFileSync(results, 'utf8')), []);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});
