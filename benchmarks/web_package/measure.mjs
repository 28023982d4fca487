// Size and cold start of the JavaScript package (bindings/js, built by
// `cmake --preset wasm && cmake --build --preset wasm` into build-wasm/js).
//
//   node benchmarks/web_package/measure.mjs [--runs N] [--no-browser]
//
// - size: bytes of what a page loads (index.js + calmkit_core.mjs, the wasm
//   inlined), raw and gzipped at level 9 (what a static server sends);
// - cold start in Node: a fresh `node` process per run; time from before
//   `import()` of the package until `loadCalmkit()` resolved (module parse,
//   wasm compile and instantiate, embind set-up), then the first useful call
//   (reading a 500-record journal);
// - cold start in headless Chromium (Debian's chromium, driven by
//   puppeteer-core from the package's devDependencies; no browser download):
//   a fresh browser profile per run, the page served from 127.0.0.1; time from
//   navigation start (performance.now() origin) until `loadCalmkit()`
//   resolved.
// Medians over N runs (default 9) are printed as JSON and as a Markdown table.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const pkgDir = process.env.CALMKIT_JS_DIR ?? path.join(root, 'build-wasm/js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 9;
const browser = !args.includes('--no-browser');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// --- size ----------------------------------------------------------------------------
const files = ['index.js', 'calmkit_core.mjs'];
let raw = 0;
let gz = 0;
for (const f of files) {
  const b = fs.readFileSync(path.join(pkgDir, f));
  raw += b.length;
  gz += zlib.gzipSync(b, { level: 9 }).length;
}

// --- a journal to read after start-up ------------------------------------------------------
const lines = [];
for (let i = 0; i < 250; ++i) {
  const t = new Date(Date.UTC(2026, 2, 2) + i * 3600_000 * 5).toISOString().replace('.000Z', 'Z');
  const r = new Date(Date.UTC(2026, 2, 2) + i * 3600_000 * 5 + 1800_000).toISOString().replace('.000Z', 'Z');
  lines.push(`{"type":"trigger","id":"t${i}","time":"${t}","category":"delayed_reply","intensity":${i % 11}}`);
  lines.push(`{"type":"reading","time":"${r}","intensity":${(i * 7) % 11},"trigger":"t${i}"}`);
}
const journalText = lines.join('\n') + '\n';

// --- Node --------------------------------------------------------------------------------
const nodeScript = `
const t0 = performance.now();
const { loadCalmkit } = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, 'index.js')).href)});
const ck = await loadCalmkit();
const t1 = performance.now();
const { journal } = ck.readJournal(process.env.JOURNAL);
ck.metrics.timeToCalmSummary(journal);
const t2 = performance.now();
journal.delete();
process.stdout.write(JSON.stringify({ ready: t1 - t0, firstUse: t2 - t1 }));
`;
const nodeReady = [];
const nodeFirstUse = [];
for (let i = 0; i < runs; ++i) {
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', nodeScript], {
    env: { ...process.env, JOURNAL: journalText },
    encoding: 'utf8',
  });
  if (p.status !== 0) throw new Error(p.stderr);
  const r = JSON.parse(p.stdout);
  nodeReady.push(r.ready);
  nodeFirstUse.push(r.firstUse);
}

// --- headless Chromium ----------------------------------------------------------------
let chromiumReady = null;
if (browser) {
  const { default: puppeteer } = await import(
    pathToFileURL(path.join(root, 'bindings/js/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js')).href
  );
  const page = `<!doctype html><meta charset="utf-8"><title>calmkit start-up</title>
<script type="module">
import { loadCalmkit } from './index.js';
const ck = await loadCalmkit();
window.calmkitReady = performance.now();
</script>`;
  const server = http.createServer((req, res) => {
    const name = req.url === '/' ? null : path.basename(req.url);
    if (!name) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (files.includes(name)) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(path.join(pkgDir, name)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  chromiumReady = [];
  try {
    for (let i = 0; i < runs; ++i) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'calmkit-bench-'));
      const b = await puppeteer.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        userDataDir: profile,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
      });
      try {
        const p = await b.newPage();
        await p.goto(url);
        await p.waitForFunction('window.calmkitReady !== undefined', { timeout: 30000 });
        chromiumReady.push(await p.evaluate('window.calmkitReady'));
      } finally {
        await b.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    server.close();
  }
}

const result = {
  runs,
  bytes: raw,
  gzip_bytes: gz,
  node: { version: process.version, ready_ms: median(nodeReady), first_use_ms: median(nodeFirstUse) },
  chromium: chromiumReady && { ready_ms: median(chromiumReady), min_ms: Math.min(...chromiumReady), max_ms: Math.max(...chromiumReady) },
};
console.log(JSON.stringify(result, null, 2));
const f = (x) => x.toFixed(0);
console.log(`
| what | value |
| --- | --- |
| package (index.js + calmkit_core.mjs) | ${(raw / 1e6).toFixed(2)} MB, ${(gz / 1e6).toFixed(2)} MB gzipped |
| Node ${process.version}: import + loadCalmkit() | ${f(result.node.ready_ms)} ms (median of ${runs} fresh processes) |
| Node: then read 500 records + time-to-calm summary | ${f(result.node.first_use_ms)} ms |
${chromiumReady ? `| headless Chromium: navigation start to ready | ${f(result.chromium.ready_ms)} ms (median of ${runs}; ${f(result.chromium.min_ms)}–${f(result.chromium.max_ms)}) |` : ''}`);
