// calmkit's offline reference app: every number and record comes from the
// calmkit package (./calmkit/, built by `cmake --preset wasm`); this file only
// draws and stores. The journal is kept as JSON Lines text in the Origin
// Private File System (localStorage where OPFS is missing) and can be
// exported and imported as a file.
//
// ?virtual-clock in the address makes the pacer follow a clock the page does
// not advance by itself: window.calmkitApp.advance(seconds) moves it (tests).
import { loadCalmkit, localTime, CalmkitError } from './calmkit/index.js';

const ck = await loadCalmkit();
const $ = (id) => document.getElementById(id);
const say = (text) => {
  $('status').textContent = text;
};

// --- clock -------------------------------------------------------------------------
const virtualClock = new URLSearchParams(location.search).has('virtual-clock');
let virtualNow = 0;
const clockNow = () => (virtualClock ? virtualNow : performance.now() / 1000);

// --- storage -----------------------------------------------------------------------
const FILE = 'journal.jsonl';
async function loadText() {
  try {
    const dir = await navigator.storage.getDirectory();
    const f = await dir.getFileHandle(FILE, { create: true });
    return await (await f.getFile()).text();
  } catch {
    return localStorage.getItem(FILE) ?? '';
  }
}
async function saveText(text) {
  try {
    const dir = await navigator.storage.getDirectory();
    const f = await dir.getFileHandle(FILE, { create: true });
    const w = await f.createWritable(); // replaced on close(): a crash keeps the old file
    await w.write(text);
    await w.close();
  } catch {
    localStorage.setItem(FILE, text);
  }
}

let journal = ck.readJournal(await loadText(), { name: FILE, lenient: true }).journal;
async function persist(message) {
  await saveText(journal.toJsonl());
  refresh();
  say(message);
}
/** Adds a record and saves the journal; false (and a message) when calmkit refuses it. */
async function addRecord(record, message) {
  try {
    journal.add(record);
  } catch (e) {
    say(e instanceof CalmkitError ? `Not saved: ${e.reason ?? e.message}` : String(e));
    return false;
  }
  await persist(message);
  return true;
}
const newId = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const intOrUndefined = (input) => (input.value === '' ? undefined : Number(input.value));
const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

// --- tabs ----------------------------------------------------------------------------
const tabs = [...document.querySelectorAll('[role=tab]')];
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (tab.id === 'tab-progress') drawProgress();
}
for (const t of tabs) {
  t.addEventListener('click', () => select(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : null;
    if (next) {
      next.focus();
      select(next);
    }
  });
}
select(tabs[0]);

// --- vocabularies ----------------------------------------------------------------------
const groups = { relationship: 'Relationship', life: 'Life circumstances', internal: 'Inner experience' };
for (const [g, label] of Object.entries(groups)) {
  const og = document.createElement('optgroup');
  og.label = label;
  for (const c of ck.triggerCategories().filter((c) => c.group === g)) og.append(new Option(c.label, c.id));
  $('trigger-category').append(og);
}
for (const d of ck.distortions()) {
  const l = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: d.id, name: 'distortion' });
  l.append(box, ` ${d.label}`);
  l.title = d.description;
  $('tr-distortions').append(l);
}
const breathing = ck.catalog().filter((e) => e.kind === 'breathing');
for (const e of breathing) $('pacer-exercise').append(new Option(e.name, e.id));
$('pacer-exercise').value = breathing.some((e) => e.id === 'breathing.4-7-8') ? 'breathing.4-7-8' : breathing[0].id;
$('reduced-motion').checked = matchMedia('(prefers-reduced-motion: reduce)').matches;

// --- the pacer ---------------------------------------------------------------------------
let session = null;
let startedAt = '';
let finishedRecord = null;
let audio = null;
function cue() {
  if ($('cue-vibrate').checked) navigator.vibrate?.(60);
  if ($('cue-sound').checked) {
    audio ??= new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 440;
    g.gain.setValueAtTime(0.15, audio.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.3);
  }
}
function draw(s) {
  const scale = s.phase === 'inhale' ? 0.5 + 0.5 * s.stepProgress
    : s.phase === 'exhale' ? 1 - 0.5 * s.stepProgress
      : s.phase === 'hold_in' ? 1 : 0.5;
  $('pacer-circle').style.transform = $('reduced-motion').checked ? 'scale(0.75)' : `scale(${scale})`;
  $('pacer-circle').dataset.phase = s.phase;
  $('pacer-text').textContent = s.status === 'paused' ? 'Paused' : s.text || s.status;
  $('pacer-count').textContent = s.status === 'running' ? `${Math.ceil(s.secondsLeft)} · breath ${s.cycle} of ${s.cycles}` : '';
  $('pacer-progress').value = s.sessionProgress;
}
function frame() {
  if (!session) return;
  const s = session.update(clockNow());
  for (const ev of session.pollEvents()) if (ev.type === 'step_started') cue();
  draw(s);
  if (s.status === 'finished' || s.status === 'aborted') {
    endSession();
  } else if (!virtualClock) {
    requestAnimationFrame(frame);
  }
}
function endSession() {
  finishedRecord = session.finish(clockNow(), {
    id: newId('x'),
    startedAt,
    intensityBefore: intOrUndefined($('pacer-before')),
  });
  session.delete();
  session = null;
  $('pacer-start').disabled = false;
  $('pacer-pause').disabled = true;
  $('pacer-stop').disabled = true;
  $('pacer-after-form').hidden = false;
  $('pacer-after').focus();
  say(finishedRecord.completed === false ? 'Stopped early. Rate your distress and save.' : 'Well done. Rate your distress and save.');
}
$('pacer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (session) return;
  session = new ck.Session($('pacer-exercise').value);
  startedAt = localTime();
  session.start(clockNow());
  $('pacer-start').disabled = true;
  $('pacer-pause').disabled = false;
  $('pacer-stop').disabled = false;
  $('pacer-after-form').hidden = true;
  say('Started.');
  frame();
});
$('pacer-pause').addEventListener('click', () => {
  if (!session) return;
  if (session.status === 'paused') {
    session.resume(clockNow());
    $('pacer-pause').textContent = 'Pause';
  } else {
    session.pause(clockNow());
    $('pacer-pause').textContent = 'Resume';
  }
  frame();
});
$('pacer-stop').addEventListener('click', () => {
  session?.abort(clockNow());
  frame();
});
$('pacer-after-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!finishedRecord) return;
  const after = intOrUndefined($('pacer-after'));
  if (await addRecord(after === undefined ? finishedRecord : { ...finishedRecord, intensityAfter: after }, 'Session saved.')) {
    finishedRecord = null;
    $('pacer-after-form').hidden = true;
  }
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && session && !virtualClock) requestAnimationFrame(frame); // a suspend shows as paused
});

// --- logging ------------------------------------------------------------------------------
$('trigger-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const rec = {
    type: 'trigger',
    id: newId('t'),
    time: localTime(),
    category: $('trigger-category').value,
    intensity: Number($('trigger-intensity').value),
  };
  if ($('trigger-context').value) rec.context = $('trigger-context').value;
  if ($('trigger-urge').value) rec.urge = $('trigger-urge').value;
  if ($('trigger-urge').value || $('trigger-acted').checked) rec.actedOnUrge = $('trigger-acted').checked;
  if (await addRecord(rec, 'Trigger logged.')) {
    e.target.reset();
    $('reading-trigger').value = rec.id; // later readings belong to this episode
  }
});
$('reading-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const rec = { type: 'reading', time: localTime(), intensity: Number($('reading-intensity').value) };
  if ($('reading-trigger').value) rec.trigger = $('reading-trigger').value;
  if ($('reading-note').value) rec.note = $('reading-note').value;
  if (await addRecord(rec, 'Reading logged.')) {
    $('reading-intensity').value = '';
    $('reading-note').value = '';
  }
});

// --- what could help now -----------------------------------------------------------------
$('help-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const list = $('help-list');
  list.replaceChildren();
  for (const s of ck.suggest(Number($('help-intensity').value), journal, { limit: 5 })) {
    const li = document.createElement('li');
    const strong = document.createElement('strong');
    strong.textContent = s.name;
    li.append(strong, ` — ${s.reason}`);
    if (breathing.some((b) => b.id === s.exercise)) {
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: `Start ${s.name}` });
      b.addEventListener('click', () => {
        $('pacer-exercise').value = s.exercise;
        $('pacer-before').value = $('help-intensity').value;
        select($('tab-breathe'));
        $('pacer-start').focus();
      });
      li.append(' ', b);
    }
    list.append(li);
  }
});

// --- thought record --------------------------------------------------------------------------
$('thought-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const rec = {
    type: 'thought_record',
    id: newId('r'),
    time: localTime(),
    automaticThought: $('tr-thought').value.trim(),
    beliefBefore: Number($('tr-belief-before').value),
    distortions: [...document.querySelectorAll('input[name=distortion]:checked')].map((b) => b.value),
    evidenceFor: lines($('tr-for').value),
    evidenceAgainst: lines($('tr-against').value),
    alternatives: lines($('tr-alternatives').value),
  };
  if ($('tr-situation').value.trim()) rec.situation = $('tr-situation').value.trim();
  if ($('tr-balanced').value.trim()) rec.balancedThought = $('tr-balanced').value.trim();
  const after = intOrUndefined($('tr-belief-after'));
  if (after !== undefined) rec.beliefAfter = after;
  if ($('tr-emotion').value.trim() && $('tr-emotion-before').value !== '') {
    rec.emotions = [{ name: $('tr-emotion').value.trim(), before: Number($('tr-emotion-before').value) }];
  }
  if (await addRecord(rec, 'Thought record saved.')) e.target.reset();
});

// --- progress ----------------------------------------------------------------------------------
let shownProgress = null; // what the progress page shows, unrounded (calmkitApp.progress())
function drawProgress() {
  const s = ck.metrics.timeToCalmSummary(journal, { by: null });
  const n = s.episodes.length ? s.episodes[0] : 0;
  const med = s.medianMinutes.length ? s.medianMinutes[0] : NaN;
  $('ttc').textContent = n === 0
    ? 'No triggers logged yet.'
    : Number.isNaN(med)
      ? `${n} episode(s); not enough calm readings yet for a median.`
      : `Median time to calm: ${Math.round(med)} minutes over ${n} episode(s)` +
        (Number.isNaN(s.ciLow[0]) ? '.' : ` (95 % interval ${Math.round(s.ciLow[0])}–${Number.isNaN(s.ciHigh[0]) ? '…' : Math.round(s.ciHigh[0])}).`);
  const weekly = ck.rows(ck.metrics.triggerFrequency(journal, { period: 'week' })).slice(-12);
  shownProgress = { timeToCalm: s, weekly };
  const most = Math.max(1, ...weekly.map((r) => r.count));
  const body = $('weekly').tBodies[0];
  body.replaceChildren();
  for (const r of weekly) {
    const tr = body.insertRow();
    tr.insertCell().textContent = r.periodStart;
    tr.insertCell().textContent = String(r.count);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(100 * r.count) / most}%`;
    tr.insertCell().append(bar);
  }
}

// --- export / import ------------------------------------------------------------------------------
$('export').addEventListener('click', () => {
  const url = URL.createObjectURL(new Blob([journal.toJsonl()], { type: 'application/x-ndjson' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'calmkit-journal.jsonl' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say('Journal exported.');
});
$('import').addEventListener('change', async () => {
  const file = $('import').files?.[0];
  if (!file) return;
  try {
    const { journal: imported, report } = ck.readJournal(await file.text(), { name: file.name });
    journal.delete();
    journal = imported;
    await persist(`Imported ${report.records} records from ${file.name}.`);
  } catch (e) {
    say(e instanceof CalmkitError ? `Not imported: ${e.message}` : String(e));
  }
  $('import').value = '';
});

function refresh() {
  const sel = $('reading-trigger');
  const keep = sel.value;
  sel.replaceChildren(new Option('No trigger', ''));
  const labels = new Map(ck.triggerCategories().map((c) => [c.id, c.label]));
  for (const t of journal.triggers().slice(-10).reverse()) {
    sel.append(new Option(`${t.time.slice(0, 16).replace('T', ' ')} — ${labels.get(t.category)} (${t.intensity}/10)`, t.id));
  }
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  $('counts').textContent = `${journal.size} records in this journal.`;
  if (!$('progress').hidden) drawProgress();
}
refresh();

if ('serviceWorker' in navigator && !virtualClock) navigator.serviceWorker.register('./sw.js').catch(() => {});

// For tests and for a person's own scripts: the app's state, and the virtual clock.
window.calmkitApp = {
  ready: true,
  advance(seconds) {
    virtualNow += seconds;
    frame();
  },
  journalText: () => journal.toJsonl(),
  /** The numbers behind the progress page as last drawn: the pooled time-to-calm summary and the weekly rows. */
  progress: () => shownProgress,
};
