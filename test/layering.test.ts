// The layering rules of .dependency-cruiser.mjs, run by the real tool over a
// small tree laid out like src/: each forbidden import is reported with both
// files named, and the imports the layering allows are not.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Each module of the tree and what it imports. */
const tree: Record<string, string[]> = {
  'src/errors.ts': [],
  'src/collections/model.ts': ['../errors.js'],
  'src/entity/rows.ts': ['../collections/model.js', '../http/errors.js'],
  'src/query/filter.ts': ['../entity/rows.js', './params.js'],
  'src/query/params.ts': ['./filter.js'],
  'src/events/change-feed.ts': ['../errors.js'],
  'src/store/store.ts': ['../query/params.js', '../events/change-feed.js'],
  'src/store/sqlite.ts': ['./store.js', 'node:sqlite'],
  'src/decisions/apply.ts': ['../store/store.js', '../events/change-feed.js', '../store/sqlite.js', '../http/errors.js'],
  'src/edge/reader.ts': ['node:net', '../errors.js', 'pg', '../http/errors.js'],
  'src/http/errors.ts': ['../errors.js'],
  'src/http/app.ts': ['./errors.js', '../edge/reader.js', '../decisions/apply.js', '../store/store.js', 'fastify', '../config.js'],
  'src/service.ts': ['./http/app.js', './edge/reader.js', './store/sqlite.js', './config.js'],
  'src/config.ts': [],
  'src/extras/helper.ts': ['../errors.js'],
};

/** The violations a report lists: `error <rule>: <from> → <to>` (a cycle continues on the next lines). */
function reported(text: string): string[] {
  return [...text.matchAll(/error (.+?): (\S+) →\s+(\S+)/g)].map(([, rule, from, to]) => {
    const target = to.replace(/^.*node_modules\/([^/]+)\/.*$/, 'npm:$1');
    // A cycle is reported once, from whichever of its modules is read first.
    return rule === 'no-circular' ? `${rule}: ${[from, target].sort().join(' <-> ')}` : `${rule}: ${from} -> ${target}`;
  });
}

describe('layering rules', () => {
  let dir: string;
  let run: { code: number; text: string };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'layering-'));
    for (const [file, imports] of Object.entries(tree)) {
      mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      const lines = imports.map((specifier, i) => `import * as m${i} from '${specifier}';`);
      writeFileSync(path.join(dir, file), `${lines.join('\n')}\nexport const used = [${imports.map((_, i) => `m${i}`).join(', ')}];\n`);
    }
    copyFileSync(path.join(repo, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
    // The command `npm run check:layers` runs, with the project's rules.
    const args = [depcruise, '--config', path.join(repo, '.dependency-cruiser.mjs'), '--output-type', 'err-long', 'src'];
    try {
      await promisify(execFile)(process.execPath, args, { cwd: dir });
      run = { code: 0, text: '' };
    } catch (err) {
      const { code, stdout } = err as { code: number; stdout: string };
      run = { code, text: stdout };
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('fails with exactly the imports the layering forbids', () => {
    assert.deepEqual(reported(run.text).sort(), [
      'layer decisions: src/decisions/apply.ts -> src/http/errors.ts',
      'layer decisions: src/decisions/apply.ts -> src/store/sqlite.ts',
      'layer edge: src/edge/reader.ts -> npm:pg',
      'layer edge: src/edge/reader.ts -> src/http/errors.ts',
      'layer entity: src/entity/rows.ts -> src/http/errors.ts',
      'layer http: src/http/app.ts -> src/config.ts',
      'no-circular: src/query/filter.ts <-> src/query/params.ts',
      'unplaced module: src/extras/helper.ts -> src/errors.ts',
    ]);
    assert.notEqual(run.code, 0);
  });

  test('the report says what the offending layer may import', () => {
    assert.match(run.text, /error layer entity: src\/entity\/rows\.ts → src\/http\/errors\.ts\s+entity may import collections, errors \(docs\/architecture\.md\)/);
    assert.match(run.text, /error layer edge: src\/edge\/reader\.ts → \S+pg\S+\s+edge may import errors and node builtins, no npm package/);
  });
});
