// Drives the reference web app (examples/web, laid out by the wasm build in
// build-wasm/web) in headless Chromium, as a person would, on a virtual clock:
//   node tests/js/web_app.mjs OUTDIR
// - a 4-7-8 session, rated 7 before and 3 after, saved;
// - a trigger and two readings logged through the forms;
// - the journal exported through the page's Export button into OUTDIR;
// - screenshots of the pacer and the progress page in OUTDIR.
// Prints JSON: the app's journal text and every URL the page requested.
// Debian's chromium through puppeteer-core (bindings/js devDependencies).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const webDir = process.env.CALMKIT_WEB_DIR ?? path.join(root, 'build-wasm/web');
const out = path.resolve(process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'calmkit-web-')));
fs.mkdirSync(out, { recursive: true });
const { default: puppeteer } = await import(
  pathToFileURL(path.join(root, 'bindings/js/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js')).href
);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.webmanifest': 'application/manifest+json' };
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = path.join(webDir, rel.endsWith('/') ? rel + 'index.html' : rel);
  if (!file.startsWith(webDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  res.end(fs.readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'calmkit-chromium-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--lang=en-GB'],
});
const requested = [];
const problems = [];
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 800, height: 1000 });
  page.on('request', (r) => requested.push(r.url().slice(0, 80)));
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: out });
  await page.goto(`${origin}/?virtual-clock`);
  await page.waitForFunction('window.calmkitApp?.ready === true', { timeout: 30000 });

  // The pacer: 4-7-8 is 4 x (4 + 7 + 8) = 76 s, driven one second at a time.
  await page.select('#pacer-exercise', 'breathing.4-7-8');
  await page.type('#pacer-before', '7');
  await page.click('#pacer-start');
  for (let t = 1; t <= 5; ++t) await page.evaluate('calmkitApp.advance(1)');
  await page.screenshot({ path: path.join(out, 'pacer.png') });
  const mid = await page.$eval('#pacer-text', (e) => e.textContent);
  for (let t = 6; t <= 76; ++t) await page.evaluate('calmkitApp.advance(1)');
  await page.waitForSelector('#pacer-after-form:not([hidden])');
  await page.type('#pacer-after', '3');
  await page.click('#pacer-after-form button[type=submit]');
  await page.waitForFunction("document.getElementById('status').textContent === 'Session saved.'");

  // A trigger and two readings, through the forms.
  await page.click('#tab-log');
  await page.select('#trigger-category', 'delayed_reply');
  await page.type('#trigger-intensity', '8');
  await page.type('#trigger-context', 'no reply since lunch');
  await page.type('#trigger-urge', 'text again');
  await page.click('#trigger-form button[type=submit]');
  await page.waitForFunction("document.getElementById('status').textContent === 'Trigger logged.'");
  for (const v of ['5', '2']) {
    await page.evaluate("document.getElementById('status').textContent = ''");
    await page.type('#reading-intensity', v);
    await page.click('#reading-form button[type=submit]');
    await page.waitForFunction("document.getElementById('status').textContent === 'Reading logged.'");
  }

  // What could help now, and the progress page.
  await page.click('#tab-help');
  await page.type('#help-intensity', '8');
  await page.click('#help-form button[type=submit]');
  const ideas = await page.$$eval('#help-list li', (l) => l.length);
  await page.click('#tab-progress');
  await page.screenshot({ path: path.join(out, 'progress.png'), fullPage: true });
  const ttc = await page.$eval('#ttc', (e) => e.textContent);

  // Export through the button: the browser saves the download into `out`.
  await page.click('#tab-data');
  await page.click('#export');
  const exported = path.join(out, 'calmkit-journal.jsonl');
  for (let i = 0; i < 100 && !fs.existsSync(exported); ++i) await new Promise((ok) => setTimeout(ok, 100));
  const journalText = await page.evaluate('calmkitApp.journalText()');
  process.stdout.write(JSON.stringify({ journalText, exported, requested, origin, problems, mid, ideas, ttc }));
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
