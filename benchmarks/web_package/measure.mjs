// Size and cold start of the JavaScript package (bindings/js, built by
// `cmake --preset wasm && cmake --build --preset wasm` into build-wasm/js).
//
//   node benchmarks/web_package/measure.mjs [--runs N] [--no-node] [--no-browser]
//                                           [--min-idle F] [--max-wait S]
//
// - size: bytes of what a page loads (index.js, calmkit_core.mjs and
//   calmkit_core.wasm), raw and gzipped at level 9 (what a static server sends);
// - cold start in Node: a fresh `node` process per run; time from before
//   `import()` of the package until `loadCalmkit()` resolved (module parse,
//   wasm compile and instantiate, embind set-up), then the first useful call
//   (reading a 500-record journal and a time-to-calm summary); CPU time is the
//   process's own (process.cpuUsage(), every thread) over the same span;
// - cold start in headless Chromium (Debian's chromium, driven by
//   puppeteer-core from the package's devDependencies; no browser download):
//   a fresh browser profile per run, the page served from 127.0.0.1 (the wasm
//   as application/wasm, so it compiles while it streams in); time from
//   navigation start (performance.now() origin) until `loadCalmkit()`
//   resolved. CPU time is that of every Chromium process (browser, network,
//   renderer and their threads, from /proc) from just before the navigation
//   until ready.
//
// --baseline measures, in Chromium only, the same page without calmkit (a
// module script that only records the time): the floor a fresh browser and
// profile cost on this machine, which no package can go below.
//
// The machine is shared, so every run records how idle the two cores were in
// the half second before it (from /proc/stat), and the 1-minute load average.
// --min-idle F (0–1) waits before each run until at least that fraction of
// the CPUs was idle (up to --max-wait seconds in all, default 900), so the
// numbers describe the code rather than the neighbours.
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
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const runs = opt('--runs', 9);
const minIdle = opt('--min-idle', 0);
const maxWaitMs = opt('--max-wait', 900) * 1000;
const inNode = !args.includes('--no-node');
const inBrowser = !args.includes('--no-browser');
const baseline = args.includes('--baseline');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// --- the machine: idle share of the CPUs, CPU time of a process tree ---------------------
function cpuTimes() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
}
async function idleShare(ms = 500) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return (b.idle - a.idle) / Math.max(1, b.total - a.total);
}
let waitedMs = 0;
/** Waits (within --max-wait) until the CPUs are idle enough; returns the idle share seen. */
async function quietMoment() {
  for (;;) {
    const idle = await idleShare();
    if (idle >= minIdle || waitedMs >= maxWaitMs) return idle;
    await sleep(1500);
    waitedMs += 2000;
  }
}
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** CPU milliseconds (user + system, all threads) of `pid` and all its descendants. */
function treeCpuMs(pid) {
  const stats = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  const want = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, s] of stats) {
      if (!want.has(p) && want.has(s.ppid)) {
        want.add(p);
        grew = true;
      }
    }
  }
  for (const p of want) ticks += stats.get(p)?.ticks ?? 0;
  return (ticks * 1000) / ticksPerSecond;
}

// --- size ----------------------------------------------------------------------------
const files = ['index.js', 'calmkit_core.mjs', 'calmkit_core.wasm'].filter((f) => fs.existsSync(path.join(pkgDir, f)));
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

const loadStart = os.loadavg()[0];

// --- Node --------------------------------------------------------------------------------
const nodeScript = `
const c0 = process.cpuUsage();
const t0 = performance.now();
const { loadCalmkit } = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, 'index.js')).href)});
const ck = await loadCalmkit();
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
const { journal } = ck.readJournal(process.env.JOURNAL);
ck.metrics.timeToCalmSummary(journal);
const t2 = performance.now();
journal.delete();
process.stdout.write(JSON.stringify({ ready: t1 - t0, cpu: (c1.user + c1.system) / 1000, firstUse: t2 - t1 }));
`;
const node = { ready: [], cpu: [], firstUse: [], idle: [], load: [] };
if (inNode && !baseline) {
  for (let i = 0; i < runs; ++i) {
    node.idle.push(await quietMoment());
    node.load.push(os.loadavg()[0]);
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', nodeScript], {
      env: { ...process.env, JOURNAL: journalText },
      encoding: 'utf8',
    });
    if (p.status !== 0) throw new Error(p.stderr);
    const r = JSON.parse(p.stdout);
    node.ready.push(r.ready);
    node.cpu.push(r.cpu);
    node.firstUse.push(r.firstUse);
  }
}

// --- headless Chromium ----------------------------------------------------------------
const chromium = { ready: [], cpu: [], idle: [], load: [] };
if (inBrowser) {
  const { default: puppeteer } = await import(
    pathToFileURL(path.join(root, 'bindings/js/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js')).href
  );
  const page = baseline
    ? `<!doctype html><meta charset="utf-8"><title>no calmkit</title>
<script type="module">
window.calmkitReady = performance.now();
</script>`
    : `<!doctype html><meta charset="utf-8"><title>calmkit start-up</title>
<script type="module">
import { loadCalmkit } from './index.js';
const ck = await loadCalmkit();
window.calmkitReady = performance.now();
</script>`;
  const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const name = req.url === '/' ? null : path.basename(req.url);
    if (!name) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (files.includes(name)) {
      res.writeHead(200, { 'content-type': types[path.extname(name)] }).end(fs.readFileSync(path.join(pkgDir, name)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
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
        await sleep(300); // let the browser's own start-up settle
        chromium.idle.push(await quietMoment());
        chromium.load.push(os.loadavg()[0]);
        const pid = b.process().pid;
        const cpu0 = treeCpuMs(pid);
        await p.goto(url);
        await p.waitForFunction('window.calmkitReady !== undefined', { timeout: 30000, polling: 5 });
        chromium.cpu.push(treeCpuMs(pid) - cpu0);
        chromium.ready.push(await p.evaluate('window.calmkitReady'));
      } finally {
        await b.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    server.close();
  }
}

const summary = (s) =>
  s.ready.length === 0
    ? null
    : {
        ready_ms: median(s.ready),
        min_ms: Math.min(...s.ready),
        max_ms: Math.max(...s.ready),
        cpu_ms: median(s.cpu),
        idle_share: median(s.idle),
        load1: median(s.load),
        ...(s.firstUse ? { first_use_ms: median(s.firstUse) } : {}),
        runs: s.ready.map((r, i) => ({ ready_ms: +r.toFixed(1), cpu_ms: +s.cpu[i].toFixed(0), idle: +s.idle[i].toFixed(2) })),
      };
const result = {
  runs,
  files,
  bytes: raw,
  gzip_bytes: gz,
  load_average_1min: { start: loadStart, end: os.loadavg()[0] },
  baseline,
  node: inNode && !baseline ? { version: process.version, ...summary(node) } : null,
  chromium: summary(chromium),
};
console.log(JSON.stringify(result, null, 2));
const f = (x) => x.toFixed(0);
const n = result.node;
const c = result.chromium;
console.log(`
| what | value |
| --- | --- |
| package (${files.join(' + ')}) | ${(raw / 1e6).toFixed(2)} MB, ${(gz / 1e6).toFixed(2)} MB gzipped |
${n ? `| Node ${process.version}: import + loadCalmkit() | ${f(n.ready_ms)} ms (${f(n.min_ms)}–${f(n.max_ms)}), CPU ${f(n.cpu_ms)} ms; idle ${(n.idle_share * 100).toFixed(0)} %, load ${n.load1.toFixed(1)} |
| Node: then read 500 records + time-to-calm summary | ${f(n.first_use_ms)} ms |
` : ''}${c ? `| headless Chromium: navigation start to ${baseline ? 'a module script without calmkit ran' : 'ready'} | ${f(c.ready_ms)} ms (${f(c.min_ms)}–${f(c.max_ms)}), CPU ${f(c.cpu_ms)} ms; idle ${(c.idle_share * 100).toFixed(0)} %, load ${c.load1.toFixed(1)} |` : ''}
(medians of ${runs} runs)`);
