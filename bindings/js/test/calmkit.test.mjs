// Node's test runner: node --test bindings/js/test/
// Expected values are worked out by hand next to each case.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ck, pkg } from './load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sample = fs.readFileSync(path.resolve(here, '../../../examples/data/sample-journal.jsonl'), 'utf8');

function episodeJournal() {
  // One trigger at 8/10, readings at +30 min (5/10) and +60 min (2/10): calm
  // (<= 3) first at +60 min. A second trigger two weeks later, never calm.
  return new ck.Journal([
    { type: 'trigger', id: 't1', time: '2026-03-02T21:00:00+01:00', category: 'delayed_reply', intensity: 8 },
    { type: 'reading', time: '2026-03-02T21:30:00+01:00', intensity: 5, trigger: 't1' },
    { type: 'reading', time: '2026-03-02T22:00:00+01:00', intensity: 2, trigger: 't1' },
    { type: 'trigger', id: 't2', time: '2026-03-18T09:00:00+01:00', category: 'conflict', intensity: 6 },
    { type: 'reading', time: '2026-03-18T09:45:00+01:00', intensity: 5, trigger: 't2' },
  ]);
}

test('reads a journal and writes it back unchanged', () => {
  const { journal, report } = ck.readJournal(sample, { name: 'sample-journal.jsonl' });
  try {
    assert.equal(report.skipped.length, 0);
    assert.equal(report.records, journal.size);
    assert.ok(journal.size > 10);
    const again = ck.readJournal(journal.toJsonl()).journal;
    assert.deepEqual(again.records(), journal.records());
    assert.equal(again.toJsonl(), journal.toJsonl());
    again.delete();
  } finally {
    journal.delete();
  }
});

test('records use camelCase names and the writer the format names', () => {
  const j = new ck.Journal([
    { type: 'trigger', id: 't1', time: '2026-03-02T21:00:00+01:00', category: 'other', intensity: 4,
      actedOnUrge: true, actedAfterMinutes: 2.5 },
  ]);
  assert.deepEqual(j.triggers()[0].actedOnUrge, true);
  assert.match(j.toJsonl(), /"acted_on_urge":true,"acted_after_minutes":2.5/);
  assert.equal(j.toJsonl({ header: false }).split('\n')[0].startsWith('{"type":"trigger"'), true);
  j.delete();
});

test('numbers are written in the shortest form that reads back (std::to_chars)', () => {
  // What std::to_chars(double) writes: the fewest digits that round-trip, in
  // %f or %e form, whichever is shorter.
  const cases = [[0.1, '0.1'], [2.5, '2.5'], [1 / 3, '0.3333333333333333'], [1e-7, '1e-07'],
    [123456789012, '123456789012'], [1e22, '1e+22'], [100000, '1e+05'], [10000, '10000'],
    [5e-324, '5e-324'], [0, '0'], [1.7976931348623157e308, '1.7976931348623157e+308'], [0.001, '0.001']];
  for (const [v, text] of cases) {
    const j = new ck.Journal([{ type: 'trigger', id: 't', time: '2026-03-02T21:00:00Z', category: 'other',
      intensity: 1, actedAfterMinutes: v }]);
    assert.ok(j.toJsonl().includes(`"acted_after_minutes":${text}}`), `${v} -> ${j.toJsonl()}`);
    j.delete();
  }
});

test('a bad line is a JournalFormatError with path, line and field', () => {
  const text = [
    '{"type":"header","format":"calmkit-journal","version":1}',
    '{"type":"trigger","id":"t1","time":"2026-03-02T21:00:00+01:00","category":"other","intensity":4}',
    '{"type":"reading","time":"2026-03-02T21:30:00+01:00","intensity":11}',
  ].join('\n');
  assert.throws(() => ck.readJournal(text, { name: 'week.jsonl' }), (e) => {
    assert.ok(e instanceof pkg.JournalFormatError);
    assert.ok(e instanceof pkg.CalmkitError);
    assert.equal(e.path, 'week.jsonl');
    assert.equal(e.line, 3);
    assert.equal(e.field, 'intensity');
    assert.match(e.message, /^week\.jsonl:3: field 'intensity': /);
    return true;
  });
  const { journal, report } = ck.readJournal(text, { lenient: true });
  assert.equal(journal.size, 1);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.field]), [[3, 'intensity']]);
  journal.delete();
});

test('adding a bad record names the field in both spellings', () => {
  const j = new ck.Journal();
  assert.throws(
    () => j.add({ type: 'trigger', id: 't', time: '2026-03-02T21:00:00Z', category: 'other', intensity: 3,
      actedAfterMinutes: -1 }),
    // The reason is the model's (calmkit::Minutes), as in C++ and Python.
    (e) => e instanceof pkg.JournalFormatError && e.field === 'acted_after_minutes' && e.property === 'actedAfterMinutes'
      && e.reason === 'must be a finite number of minutes >= 0, got -1',
  );
  assert.throws(() => j.add({ type: 'trigger', id: 't', time: '2026-03-02 21:00', category: 'other', intensity: 3 }),
    (e) => e instanceof pkg.JournalFormatError && e.field === 'time');
  assert.throws(() => j.add({ type: 'trigger', id: 't', time: '2026-03-02T21:00:00Z', category: 'sadness', intensity: 3 }),
    (e) => e instanceof pkg.JournalFormatError && e.field === 'category');
  // A reference to a trigger the journal does not hold, an id used twice: the
  // journal's rules, the same error shape and message as C++ and Python
  // (`cannot add RECORD: field 'F': REASON`), with no file or line.
  const refused = (record, message, field, reason) =>
    assert.throws(() => j.add(record), (e) => {
      // A RecordError, a JournalFormatError: the name C++ and Python give it too.
      assert.ok(e instanceof pkg.RecordError && e instanceof pkg.JournalFormatError, String(e));
      assert.deepEqual([e.message, e.path, e.line, e.field, e.reason], [message, '', 0, field, reason]);
      assert.ok(message.startsWith(`${e.place}: `), e.place);
      return true;
    });
  refused({ type: 'reading', participant: 'p', time: '2026-03-02T21:00:00Z', intensity: 3, trigger: 'nope' },
    "cannot add reading of participant 'p': field 'trigger': refers to trigger 'nope', which participant 'p' " +
      'does not have', 'trigger', "refers to trigger 'nope', which participant 'p' does not have");
  j.add({ type: 'trigger', participant: 'p', id: 't1', time: '2026-03-02T21:00:00Z', category: 'other', intensity: 3 });
  refused({ type: 'trigger', participant: 'p', id: 't1', time: '2026-03-02T22:00:00Z', category: 'other', intensity: 4 },
    "cannot add trigger 't1' of participant 'p': field 'id': duplicate trigger id 't1' for participant 'p'", 'id',
    "duplicate trigger id 't1' for participant 'p'");
  // A rule of the record alone: the reader's rule and reason, the record as the place.
  refused({ type: 'trigger', participant: 'p', id: '', time: '2026-03-02T21:00:00Z', category: 'other', intensity: 3 },
    "cannot add trigger of participant 'p': field 'id': must not be empty", 'id', 'must not be empty');
  // A trigger reference that is not a string: the reader's type rule, not a
  // wording of the JavaScript side's own (null means none).
  refused({ type: 'reading', participant: 'p', time: '2026-03-02T21:00:00Z', intensity: 3, trigger: 5 },
    "cannot add reading of participant 'p': field 'trigger': must be a string, got a number", 'trigger',
    'must be a string, got a number');
  j.add({ type: 'reading', participant: 'p', time: '2026-03-02T21:05:00Z', intensity: 3, trigger: null });
  // JSON has no Infinity (JSON.stringify writes null): the number goes to the reader as 1e400, which
  // JSON.parse reads as Infinity, so the rule of the field speaks, as the reader's for the line.
  const line = '{"type":"trigger","participant":"p","id":"t9","time":"2026-03-02T21:00:00Z","category":"other",' +
    '"intensity":3,"acted_after_minutes":1e400}';
  const infinite = JSON.parse(line);
  assert.equal(infinite.acted_after_minutes, Infinity);
  assert.throws(() => ck.readJournal(line), (e) => e.reason === 'must be a finite number of minutes >= 0, got inf');
  refused({ type: 'trigger', participant: 'p', id: 't9', time: '2026-03-02T21:00:00Z', category: 'other', intensity: 3,
    actedAfterMinutes: Infinity },
    "cannot add trigger 't9' of participant 'p': field 'acted_after_minutes': must be a finite number of " +
      'minutes >= 0, got inf', 'acted_after_minutes', 'must be a finite number of minutes >= 0, got inf');
  refused({ type: 'reading', participant: 'p', time: '2026-03-02T21:00:00Z', intensity: Infinity },
    "cannot add reading of participant 'p': field 'intensity': must be an integer 0..10, got 1e400", 'intensity',
    'must be an integer 0..10, got 1e400');
  // Text that looks like the mark an infinite number gets on its way stays text.
  const note = `\u0000calmkit-infinite-x-Infinity "Infinity" 1e400`;
  assert.equal(ck.normalizeRecord({ type: 'reading', time: '2026-03-02T21:00:00Z', intensity: 3, note }).note, note);
  assert.throws(() => j.add(null), pkg.CalmkitError);
  assert.equal(j.size, 2, 'nothing half-added');
  j.delete();
});

test('time-to-calm and its summary, by hand', () => {
  const j = episodeJournal();
  const e = ck.metrics.timeToCalm(j);
  assert.deepEqual(e.triggerId, ['t1', 't2']);
  assert.deepEqual(e.group, ['relationship', 'relationship']);
  assert.deepEqual([...e.onsetIntensity], [8, 6]);
  assert.deepEqual([...e.minutes], [60, 45]); // t1 calm at +60; t2 censored at its last reading, +45
  assert.deepEqual([...e.calmed], [1, 0]);
  assert.deepEqual([...e.peakIntensity], [8, 6]);
  const s = ck.metrics.timeToCalmSummary(j);
  // Kaplan–Meier with one event at 60 and a censoring at 45: S(60) = 0, median 60.
  assert.deepEqual(s.participant, ['']);
  assert.deepEqual([...s.episodes], [2]);
  assert.deepEqual([...s.medianMinutes], [60]);
  const byCat = ck.metrics.timeToCalmSummary(j, { by: ['category'] });
  assert.deepEqual(byCat.category, ['delayed_reply', 'conflict']);
  assert.deepEqual(byCat.participant, [null, null]);
  assert.throws(() => ck.metrics.timeToCalm(j, { threshold: 11 }), pkg.CalmkitError);
  j.delete();
});

test('weekly trigger counts are zero-filled between the first and last week', () => {
  const j = episodeJournal();
  const f = ck.metrics.triggerFrequency(j, { period: 'week' });
  // 2026-03-02 is a Monday; 2026-03-18 is in the week of Monday 2026-03-16.
  assert.deepEqual(f.periodStart, ['2026-03-02', '2026-03-09', '2026-03-16']);
  assert.deepEqual([...f.count], [1, 0, 1]);
  const g = ck.metrics.triggerFrequency(j, { period: 'month', byGroup: true });
  assert.deepEqual(ck.rows(g).filter((r) => r.count > 0).map((r) => r.group), ['relationship']);
  j.delete();
});

test('a 4-7-8 session on a virtual clock writes a valid exercise record', () => {
  const s = new ck.Session('breathing.4-7-8');
  s.start(100);
  assert.equal(s.update(102).phase, 'inhale');
  assert.equal(s.update(105).phase, 'hold_in'); // 4 s in, 1 s into the 7 s hold
  for (let t = 106; t < 112; t += 1) s.update(t); // (a jump of over 5 s would suspend it)
  assert.equal(s.update(112).phase, 'exhale'); // 4 + 7 = 11 s in
  for (let t = 113; t <= 176; t += 1) s.update(t); // 4 x (4 + 7 + 8) = 76 s
  assert.equal(s.status, 'finished');
  const events = s.pollEvents();
  assert.equal(events[0].type, 'started');
  assert.equal(events.filter((e) => e.type === 'step_started').length, 12);
  assert.equal(events.at(-1).type, 'finished');
  assert.equal(events.at(-1).at, 176);
  const rec = s.finish(176, { id: 'x1', startedAt: '2026-03-02T21:14:00+01:00', intensityBefore: 7, intensityAfter: 4 });
  assert.deepEqual(rec, { type: 'exercise', id: 'x1', time: '2026-03-02T21:14:00+01:00', exercise: 'breathing.4-7-8',
    end: '2026-03-02T21:15:16+01:00', intensityBefore: 7, intensityAfter: 4 });
  const j = new ck.Journal([rec]);
  assert.equal(ck.readJournal(j.toJsonl()).journal.exercises()[0].end, '2026-03-02T21:15:16+01:00');
  s.delete();
  j.delete();
});

test('a session pauses itself on a large clock jump, and refuses a bad clock', () => {
  const s = new ck.Session('breathing.4-7-8', { maxGapSeconds: 5 });
  s.start(0);
  s.update(1);
  assert.equal(s.update(60).status, 'paused');
  assert.equal(s.state.suspended, true);
  assert.throws(() => s.update(NaN), pkg.CalmkitError);
  s.delete();
});

test('catalog, custom exercises and their errors', () => {
  const cat = ck.catalog();
  assert.ok(cat.some((e) => e.id === 'breathing.4-7-8'));
  const box = ck.breathingPattern('me.box', 'My box', 4, 4, 4, 4, { totalSeconds: 300 });
  assert.equal(ck.exerciseCycles(box), 19); // 300 / 16 = 18.75, rounded up
  const reg = ck.ExerciseRegistry.withCatalog();
  reg.add(box);
  assert.equal(reg.size, cat.length + 1);
  assert.throws(() => reg.add(box), pkg.CalmkitError); // id taken
  assert.throws(
    () => ck.validateExercise({ id: 'me.bad', name: 'Bad', kind: 'breathing', steps: [{ type: 'timed', seconds: -1 }] }),
    (e) => e instanceof pkg.ExerciseFormatError && e.field === 'steps[0].seconds',
  );
  // An unknown catalog id: the library's own refusal, the same words as in Python and C++.
  assert.throws(
    () => new ck.Session('breathing.boxx'),
    (e) => e instanceof pkg.CalmkitError && e.message.includes("no exercise 'breathing.boxx' in the catalog; did you mean 'breathing.box'"),
  );
  const s = new ck.Session(reg.get('me.box'));
  assert.equal(s.state.cycles, 19);
  s.delete();
  reg.delete();
});

test('suggestions: the body first at high distress, then what worked', () => {
  const j = new ck.Journal();
  const top = ck.suggest(9, j, { limit: 3 });
  assert.equal(top.length, 3);
  for (const s of top) assert.ok(['breathing', 'temperature', 'movement'].includes(s.kind), s.kind);
  const low = ck.suggest(2, j, { limit: 1 });
  assert.equal(low[0].kind, 'cognitive');
  assert.throws(() => ck.suggest(11, j), pkg.CalmkitError);
  j.delete();
});

test('memory: delete, dispose, scope, and use after delete', () => {
  const j = new ck.Journal();
  j.delete();
  j.delete(); // twice is fine
  assert.equal(j.deleted, true);
  assert.throws(() => j.size, /used after delete/);
  let kept;
  ck.scope((track) => {
    kept = track(new ck.Journal());
    kept.add({ type: 'trigger', id: 't', time: '2026-03-02T21:00:00Z', category: 'other', intensity: 1 });
  });
  assert.equal(kept.deleted, true);
  const k = new ck.Journal();
  k[Symbol.dispose]();
  assert.equal(k.deleted, true);
  assert.throws(() => ck.scope((track) => { track(new ck.Session('breathing.4-7-8')); throw new Error('boom'); }), /boom/);
});

test('localTime writes the device offset', () => {
  const d = new Date(Date.UTC(2026, 2, 2, 20, 14, 0));
  const t = pkg.localTime(d);
  assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(new Date(t).getTime(), d.getTime());
});

test('vocabularies for pickers: trigger categories and distortions with labels', () => {
  const cats = ck.triggerCategories();
  assert.equal(cats.length, 18);
  assert.deepEqual(cats[0], { id: 'delayed_reply', label: 'Slow or missing reply', group: 'relationship',
    description: 'a message left unanswered longer than expected' });
  assert.equal(cats.at(-1).id, 'other');
  const d = ck.distortions();
  assert.equal(d.length, 12);
  assert.ok(d.some((x) => x.id === 'mind_reading'));
});

test('a journal of a few MB reads and writes back (one thread, no worker needed)', () => {
  const lines = ['{"type":"header","format":"calmkit-journal","version":1,"generator":"calmkit"}'];
  for (let i = 0; i < 20000; ++i) {
    const t = new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString().replace('.000Z', 'Z');
    lines.push(`{"type":"trigger","participant":"p${i % 7}","id":"t${i}","time":"${t}","category":"other","intensity":${i % 11}}`);
  }
  const text = lines.join('\n') + '\n';
  assert.ok(text.length > 2_000_000);
  const { journal } = ck.readJournal(text);
  assert.equal(journal.size, 20000);
  assert.equal(journal.participants().length, 7);
  assert.equal(ck.metrics.timeToCalm(journal).minutes.length, 20000);
  journal.delete();
});

test('tz: one POSIX rule for every local date, as Python tz= does', () => {
  // 23:30 UTC on Sunday 29 March 2026: the record's own offset (Z) keeps it on
  // Sunday (week of Monday 23 March); Central European summer time began at
  // 01:00 UTC that day, so in CET/CEST it is 01:30 on Monday 30 March.
  const cet = 'CET-1CEST,M3.5.0,M10.5.0/3';
  const j = new ck.Journal([
    { type: 'trigger', id: 't1', time: '2026-03-29T23:30:00Z', category: 'conflict', intensity: 6 },
    { type: 'reading', time: '2026-03-30T00:10:00Z', intensity: 2, trigger: 't1' },
    { type: 'exercise', id: 'x1', time: '2026-03-29T22:50:00Z', end: '2026-03-29T23:00:00Z', exercise: 'breathing.box', completed: true },
  ]);
  try {
    // Counts per day/week, zero-filled over the span of all the person's records
    // (the reading at 00:10 UTC is on Monday the 30th by its own offset).
    const counts = (t) => ck.rows(t).map((r) => [r.periodStart, r.count ?? r.sessions]);
    assert.deepEqual(counts(ck.metrics.triggerFrequency(j, { period: 'day' })), [['2026-03-29', 1], ['2026-03-30', 0]]);
    assert.deepEqual(counts(ck.metrics.triggerFrequency(j, { period: 'day', tz: cet })), [['2026-03-30', 1]]);
    assert.deepEqual(counts(ck.metrics.triggerFrequency(j, { tz: cet })), [['2026-03-30', 1]]);
    assert.deepEqual(counts(ck.metrics.triggerFrequency(j, { tz: null })), [['2026-03-23', 1], ['2026-03-30', 0]]);
    // The session began 22:50 UTC on Sunday, 00:50 CEST on Monday.
    assert.deepEqual(counts(ck.metrics.practiceConsistency(j)), [['2026-03-23', 1], ['2026-03-30', 0]]);
    assert.deepEqual(counts(ck.metrics.practiceConsistency(j, { tz: cet })), [['2026-03-30', 1]]);
    const s = ck.metrics.timeToCalmSummary(j, { by: ['participant', 'day'], tz: cet });
    assert.deepEqual(s.periodStart, ['2026-03-30']);
    assert.equal(s.medianMinutes[0], 40); // calm 40 minutes after the trigger, whatever the zone
    // Nepal, +05:45 all year: 23:30 UTC is 05:15 the next day.
    assert.deepEqual(counts(ck.metrics.triggerFrequency(j, { period: 'day', tz: '<+0545>-5:45' })), [['2026-03-30', 1]]);
    assert.equal(ck.metrics.triggerTrend(j, { tz: cet }).participant.length, 1);
    assert.throws(() => ck.metrics.triggerFrequency(j, { tz: 'CET-1CEST,M3.5.0' }), (e) => e instanceof pkg.CalmkitError && /rule/.test(e.message));
    assert.throws(() => ck.metrics.triggerFrequency(j, { tz: 1 }), /tz must be an IANA zone name .* or a POSIX TZ rule/);
    assert.throws(() => ck.metrics.triggerFrequency(j, { tz: '' }), /tz must be an IANA zone name .* or a POSIX TZ rule/);
  } finally {
    j.delete();
  }
});

test('tz: IANA zone names after loadTimeZones(), the build machine\'s tzdata', async () => {
  const j = new ck.Journal([
    { type: 'trigger', id: 't1', time: '2026-03-29T23:30:00Z', category: 'conflict', intensity: 6 },
    // 04:30 UTC on 8 March 2026 is 23:30 EST on the 7th; on 9 March, after the
    // US change (second Sunday of March), 04:30 UTC is 00:30 EDT on the 9th.
    { type: 'trigger', id: 't2', time: '2026-03-08T04:30:00Z', category: 'conflict', intensity: 6 },
    { type: 'trigger', id: 't3', time: '2026-03-09T04:30:00Z', category: 'conflict', intensity: 6 },
  ]);
  const days = (tz) => ck.rows(ck.metrics.triggerFrequency(j, { period: 'day', tz })).filter((r) => r.count > 0).map((r) => r.periodStart);
  try {
    const info = await ck.loadTimeZones();
    assert.ok(info.zones.includes('Europe/Berlin') && info.zones.length > 300, String(info.zones.length));
    assert.match(info.version, /^20\d\d[a-z]$/);
    assert.deepEqual(days('Europe/Berlin'), ['2026-03-08', '2026-03-09', '2026-03-30']);
    assert.deepEqual(days('America/New_York'), ['2026-03-07', '2026-03-09', '2026-03-29']);
    // The same answers as the rule for the same zone.
    assert.deepEqual(days('EST5EDT,M3.2.0,M11.1.0'), days('America/New_York'));
    assert.throws(() => days('Europe/Nowhere'), /unknown time zone 'Europe\/Nowhere'/);
  } finally {
    j.delete();
  }
});
