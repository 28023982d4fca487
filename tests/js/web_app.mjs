// Drives the reference web app (examples/web, laid out by the wasm build in
// build-wasm/web) in headless Chromium, as a person would, on a virtual clock:
//   node tests/js/web_app.mjs OUTDIR [JOURNAL_TO_IMPORT]
// - a 4-7-8 session, rated 7 before and 3 after, saved;
// - a trigger and two readings logged through the forms; a thought record;
// - the journal exported through the page's Export button into OUTDIR;
// - JOURNAL_TO_IMPORT (when given) imported through the page's file input, the
//   progress page drawn from it, and exported again into OUTDIR/imported;
// - screenshots of the pacer and the progress page in OUTDIR;
// - axe-core (bindings/js devDependencies) run on the page in every state it
//   passes through: tab, running pacer, rating form, filled lists.
// Prints JSON: the app's journal text, every URL the page requested, the
// numbers behind the progress page and axe's findings per state.
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
const toImport = process.argv[3] ? path.resolve(process.argv[3]) : null;
fs.mkdirSync(out, { recursive: true });
const axeSource = fs.readFileSync(path.join(root, 'bindings/js/node_modules/axe-core/axe.min.js'), 'utf8');
const { default: puppeteer } = await import(
  pathToFileURL(path.join(root, 'bindings/js/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js')).href
);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm' };
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
const accessibility = {};
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

  // axe-core, evaluated through the DevTools protocol (the page's CSP stays on
  // for the app's own scripts); every rule axe runs by default (WCAG 2.x A and
  // AA, best practices), on the whole document as it is in that state.
  const audit = async (state) => {
    if (await page.evaluate('typeof window.axe === "undefined"')) await page.evaluate(axeSource);
    accessibility[state] = await page.evaluate(async () => {
      const r = await window.axe.run(document);
      return {
        passes: r.passes.length,
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
        })),
      };
    });
  };
  await audit('breathe');

  // Keyboard only: arrow keys move between the tabs (and show their panels),
  // Enter on a focused button starts the session below.
  const selected = () => page.$$eval('[role=tab]', (ts) => ts.filter((t) => t.getAttribute('aria-selected') === 'true')
    .map((t) => [t.id, document.activeElement === t, !document.getElementById(t.getAttribute('aria-controls')).hidden]));
  await page.focus('#tab-breathe');
  await page.keyboard.press('ArrowRight');
  const keyboard = { right: await selected() };
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  keyboard.leftTwice = await selected();
  await page.keyboard.press('ArrowRight');
  keyboard.back = await selected();

  // The pacer: 4-7-8 is 4 x (4 + 7 + 8) = 76 s, driven one second at a time.
  await page.select('#pacer-exercise', 'breathing.4-7-8');
  await page.type('#pacer-before', '7');
  await page.focus('#pacer-start');
  await page.keyboard.press('Enter');
  for (let t = 1; t <= 5; ++t) await page.evaluate('calmkitApp.advance(1)');
  await page.screenshot({ path: path.join(out, 'pacer.png') });
  const mid = await page.$eval('#pacer-text', (e) => e.textContent);
  await audit('breathe: session running');
  // Reduced motion: the circle stops growing and shrinking (a fixed size), and moves again when unticked.
  const circle = () => page.$eval('#pacer-circle', (e) => e.style.transform);
  const motion = { moving: await circle() };
  await page.click('#reduced-motion');
  await page.evaluate('calmkitApp.advance(0.5)');
  motion.reduced = await circle();
  await page.evaluate('calmkitApp.advance(0.5)');
  motion.reducedLater = await circle();
  await page.click('#reduced-motion');
  await page.evaluate('calmkitApp.advance(0)');
  motion.again = await circle();
  for (let t = 7; t <= 76; ++t) await page.evaluate('calmkitApp.advance(1)');
  await page.waitForSelector('#pacer-after-form:not([hidden])');
  await audit('breathe: rating after the session');
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

  await audit('log: after a trigger and readings');

  // What could help now, a thought record, and the progress page.
  await page.click('#tab-help');
  await page.type('#help-intensity', '8');
  await page.click('#help-form button[type=submit]');
  const ideas = await page.$$eval('#help-list li', (l) => l.length);
  await audit('what could help now: ideas listed');
  await page.click('#tab-thought');
  await audit('thought record: empty form');
  await page.type('#tr-situation', 'No reply since lunch');
  await page.type('#tr-thought', 'They are losing interest');
  await page.type('#tr-belief-before', '80');
  await page.type('#tr-emotion', 'anxious');
  await page.type('#tr-emotion-before', '70');
  await page.click('#tr-distortions input[value=mind_reading]');
  await page.type('#tr-against', 'They said they had a long meeting\nThey replied late last week too');
  await page.type('#tr-balanced', 'A slow reply on a busy day says little');
  await page.type('#tr-belief-after', '35');
  await page.click('#thought-form button[type=submit]');
  await page.waitForFunction("document.getElementById('status').textContent === 'Thought record saved.'");
  await audit('thought record: saved');
  await page.click('#tab-progress');
  await page.screenshot({ path: path.join(out, 'progress.png'), fullPage: true });
  const ttc = await page.$eval('#ttc', (e) => e.textContent);
  await audit('progress: one episode');

  // Export through the button: the browser saves the download into `out`.
  await page.click('#tab-data');
  await audit('export / import');
  await page.click('#export');
  const exported = path.join(out, 'calmkit-journal.jsonl');
  // Chromium writes a download under another name and renames it when complete: the file's
  // name appearing is the end of the download. Waited for up to a minute (a busy machine).
  const arrived = async (file) => {
    for (let i = 0; i < 600 && !fs.existsSync(file); ++i) await new Promise((ok) => setTimeout(ok, 100));
  };
  await arrived(exported);
  const journalText = await page.evaluate('calmkitApp.journalText()');

  // A journal imported through the file input: the progress page's numbers as
  // the page computed them, and the journal exported again (the file Python reads).
  let imported = null;
  if (toImport) {
    await (await page.$('#import')).uploadFile(toImport);
    await page.waitForFunction("document.getElementById('status').textContent.startsWith('Imported ')");
    await page.click('#tab-progress');
    const progress = await page.evaluate(() => {
      const p = window.calmkitApp.progress();
      const nan = (xs) => Array.from(xs, (x) => (Number.isNaN(x) ? 'NaN' : x));
      const t = p.timeToCalm;
      return {
        timeToCalm: { episodes: Array.from(t.episodes), medianMinutes: nan(t.medianMinutes), ciLow: nan(t.ciLow), ciHigh: nan(t.ciHigh) },
        weekly: p.weekly,
      };
    });
    const shown = {
      ttc: await page.$eval('#ttc', (e) => e.textContent),
      weekly: await page.$$eval('#weekly tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])),
    };
    await page.screenshot({ path: path.join(out, 'progress-imported.png'), fullPage: true });
    await audit('progress: imported journal');
    const again = path.join(out, 'imported');
    fs.mkdirSync(again, { recursive: true });
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: again });
    await page.click('#tab-data');
    await page.click('#export');
    const file = path.join(again, 'calmkit-journal.jsonl');
    await arrived(file);
    imported = { exported: file, progress, shown };
  }

  // The checker can fail here: an input without a label must be reported.
  await page.evaluate(() => document.querySelector('#data').append(Object.assign(document.createElement('input'), { id: 'unlabelled', type: 'text' })));
  await audit('control: an input without a label');

  process.stdout.write(JSON.stringify({ journalText, exported, requested, origin, problems, mid, ideas, ttc, imported, accessibility, keyboard, motion }));
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
