// The README cannot drift from the service: its quick-start block runs, as
// written, with bash from another directory against a fresh service; and
// nothing in the README or docs/ points outside the repository.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startServiceProcess } from './support/process.js';
import { Api, RR } from './support/service.js';

const repository = new URL('../..', import.meta.url).pathname;
const readme = readFileSync(path.join(repository, 'README.md'), 'utf8');

/** The shell block between the quick-start markers, exactly as written. */
function quickStart(): string {
  const found = /<!-- quick-start[^>]*-->\n```sh\n([\s\S]*?)```\n<!-- \/quick-start -->/.exec(readme);
  assert.ok(found, 'README.md has a ```sh block between <!-- quick-start --> and <!-- /quick-start -->');
  return found[1];
}

const directories: string[] = [];
after(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scratch = (name: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `collections-readme-${name}-`));
  directories.push(dir);
  return dir;
};

describe('README', () => {
  test('the quick start sits on the first screen, and needs no alias and no particular directory', () => {
    const firstScreen = readme.split('\n').slice(0, 80).join('\n');
    assert.ok(firstScreen.includes('## Two commands') && firstScreen.includes('<!-- /quick-start -->'), 'the two commands and the quick start come first');
    const block = quickStart();
    assert.doesNotMatch(block, /^\s*alias\b/m);
    assert.doesNotMatch(block, /^\s*cd\b/m);
    assert.match(block, /^KEY=/m);
    assert.match(block, /\/docs/);
  });

  test('the quick start runs as written, from another directory, against a fresh service', async () => {
    const service = scratch('service');
    const dataDir = path.join(service, 'data');
    const started = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: '', BOOTSTRAP_KEY_FILE: '' });
    try {
      const script = path.join(scratch('script'), 'quick-start.sh');
      writeFileSync(script, quickStart());
      const elsewhere = scratch('cwd');
      // As in a plain shell: without the PATH entries npm adds for its scripts (and so the Node.js it installed).
      const PATH = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => !entry.includes('node_modules')).join(path.delimiter);
      const env: Record<string, string | undefined> = { ...process.env, PATH, SERVICE_DIR: repository, DATA_DIR: dataDir, PORT: String(started.port), HOME: elsewhere };
      delete env.COLLECTIONS_URL;
      delete env.COLLECTIONS_KEY;
      // Strict bash: any command that fails (curl -f included) fails the run.
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', script], { cwd: elsewhere, env });

      const lines = stdout.split('\n');
      assert.equal(lines[0], '{"status":"ok"}');
      assert.equal(lines[1], `API docs (Swagger UI; Authorize with the key): ${started.url}/docs`);
      const created = JSON.parse(lines[2]);
      assert.equal(created.opts.title, 'day');
      assert.deepEqual(JSON.parse(lines[3]).map((rule: { id: string }) => rule.id), [created.id]);
      assert.equal(JSON.parse(lines[4]).opts.title, 'night');
      assert.deepEqual(JSON.parse(lines[5]), [created.id]);
      assert.match(lines[6], /^id\s+priority\s+dir\b.*\bopts\.title\b/);
      assert.match(lines[8], new RegExp(`^${created.id}\\s+50\\s+incoming\\b.*\\bnight\\b`));
      assert.equal(lines[9], `deleted ${created.id}`);

      // It ran against this service: the rule it created is gone again.
      const api = new Api(started.url, readFileSync(path.join(dataDir, 'bootstrap-key'), 'utf8').trim());
      assert.equal((await api.get(`${RR}/${created.id}`)).status, 404);
    } finally {
      started.process.kill('SIGTERM');
      await started.exited;
    }
  });

  test('every link in the README and docs/ points to a file of the repository, and nothing to outside it', () => {
    // The markdown files: docs/ also holds folders of images (docs/console/).
    const documents = ['README.md', ...readdirSync(path.join(repository, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
    for (const document of documents) {
      const text = readFileSync(path.join(repository, document), 'utf8');
      assert.doesNotMatch(text, /shared\/spec|\/work\/|\.\.\/shared|CONVENTIONS\.md|RECORDING\.md/, `${document} names nothing outside the repository`);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target)) continue;
        const file = target.split('#')[0];
        if (file === '') continue;
        assert.ok(existsSync(path.join(repository, path.dirname(document), file)), `${document} links to ${target}, which is in the repository`);
      }
    }
  });
});
