// docs/web.md runs: its ```js blocks marked "run in Node by
// bindings/js/test/docs.test.mjs" are joined, in order, into one module run
// in a fresh Node process against the package; each console.log line with a
// trailing `// text` comment must print that text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageDir } from './load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const page = fs.readFileSync(path.resolve(here, '../../../docs/web.md'), 'utf8');
const blockRe = /<!--\s*not-run:([^>]*?)-->\s*\n```js\n([\s\S]*?)^```/gm;

test('docs/web.md: the JavaScript blocks run and print what they say', () => {
  const blocks = [...page.matchAll(blockRe)]
    .filter((m) => m[1].includes('bindings/js/test/docs.test.mjs'))
    .map((m) => m[2]);
  assert.ok(blocks.length >= 8, `found ${blocks.length} blocks`);
  const code = blocks
    .join('\n')
    .replace(/from 'calmkit'/g, `from ${JSON.stringify(pathToFileURL(path.join(packageDir, 'index.js')).href)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calmkit-docs-'));
  try {
    const file = path.join(dir, 'web-md.mjs');
    fs.writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60000 });
    assert.equal(run.status, 0, run.stderr);
    const printed = run.stdout.split('\n');
    const expected = [...code.matchAll(/^\s*console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1].trim());
    assert.ok(expected.length >= 5);
    for (const e of expected) assert.ok(printed.includes(e), `expected a line "${e}" in:\n${run.stdout}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
