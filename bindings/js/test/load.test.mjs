// Loading the WebAssembly core: where calmkit_core.wasm comes from, and what a
// failed load does. Each case runs in a fresh Node process, since
// loadCalmkit() loads once per process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { packageDir } from './load.mjs';

const index = JSON.stringify(pathToFileURL(path.join(packageDir, 'index.js')).href);
const wasmPath = path.join(packageDir, 'calmkit_core.wasm');

/** Runs `body` (an async module body with `loadCalmkit` in scope); returns its stdout lines. */
function run(body, env = {}) {
  const code = `import { loadCalmkit, CalmkitError } from ${index};\n${body}`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, ...env },
  });
  assert.equal(p.status, 0, p.stderr);
  return p.stdout.trim().split('\n');
}

test('by default the core is read from calmkit_core.wasm next to index.js', () => {
  assert.deepEqual(run('const ck = await loadCalmkit(); console.log(ck.formatVersion);'), ['1']);
});

test('the wasm can be handed in as bytes, a compiled module or a file URL', () => {
  const out = run(`
    import fs from 'node:fs';
    const bytes = fs.readFileSync(process.env.WASM);
    const how = process.env.HOW;
    const wasm = how === 'bytes' ? bytes : how === 'module' ? await WebAssembly.compile(bytes) : new URL('file://' + process.env.WASM);
    const ck = await loadCalmkit({ wasm });
    console.log(ck.catalog().length > 5);`, { WASM: wasmPath, HOW: 'bytes' });
  assert.deepEqual(out, ['true']);
  for (const how of ['module', 'url']) {
    assert.deepEqual(
      run(`
        import fs from 'node:fs';
        const bytes = fs.readFileSync(process.env.WASM);
        const wasm = process.env.HOW === 'module' ? await WebAssembly.compile(bytes) : new URL('file://' + process.env.WASM);
        console.log((await loadCalmkit({ wasm })).catalog().length > 5);`, { WASM: wasmPath, HOW: how }),
      ['true'],
      how,
    );
  }
});

/** Like run(), but without blocking this process (which serves HTTP meanwhile). */
async function runAsync(body, env = {}) {
  const { spawn } = await import('node:child_process');
  const code = `import { loadCalmkit, CalmkitError } from ${index};\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((ok) => child.on('close', ok));
  assert.equal(status, 0, stderr);
  return stdout.trim().split('\n');
}

test('over HTTP, served as application/wasm or as another type; a 404 is a CalmkitError and a later call retries', async () => {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    if (req.url === '/missing.wasm') return res.writeHead(404).end();
    const type = req.url === '/plain.wasm' ? 'application/octet-stream' : 'application/wasm';
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(wasmPath));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const lines = await runAsync(
      `try {
        await loadCalmkit({ wasm: process.env.BASE + '/missing.wasm' });
        console.log('loaded?');
      } catch (e) {
        console.log(e instanceof CalmkitError, e.message);
      }
      for (const name of ['/core.wasm', '/other.wasm']) {
        const ck = await loadCalmkit({ wasm: new URL(name, process.env.BASE) });
        console.log(name, ck.formatVersion);
      }`,
      { BASE: base },
    );
    assert.equal(lines[0], `true loadCalmkit: could not fetch ${base}/missing.wasm: HTTP 404`);
    // The failed load was forgotten: the next call fetched again and loaded.
    // Once loaded, the same core is returned (the second URL is not fetched).
    assert.deepEqual(lines.slice(1), ['/core.wasm 1', '/other.wasm 1']);
    assert.deepEqual(hits, ['/missing.wasm', '/core.wasm']);
    // A server that does not say application/wasm: compiled from the whole download.
    assert.deepEqual(
      await runAsync(`console.log((await loadCalmkit({ wasm: process.env.BASE + '/plain.wasm' })).formatVersion);`, { BASE: base }),
      ['1'],
    );
  } finally {
    server.close();
  }
});

test('a wasm option of the wrong kind is a CalmkitError', () => {
  assert.deepEqual(
    run(`try { await loadCalmkit({ wasm: 42 }); } catch (e) { console.log(e.name, e.message); }`),
    ['CalmkitError loadCalmkit: wasm must be a URL, a Response, the bytes or a WebAssembly.Module'],
  );
});
