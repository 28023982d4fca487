// Compiled by `tsc --strict` (never run): the declarations describe the API as
// a TypeScript front end would use it, and misuse is a type error.
import loadCalmkit, { JournalFormatError, localTime } from '../src/index.js';
import type { JournalRecord, SessionState, TriggerRecord } from '../src/index.js';

async function main(): Promise<void> {
  const ck = await loadCalmkit();
  const journal = new ck.Journal();
  const t: TriggerRecord = { type: 'trigger', id: 't1', time: localTime(), category: 'delayed_reply', intensity: 7 };
  journal.add(t).add({ type: 'reading', time: localTime(new Date()), intensity: 3, trigger: 't1' });
  const all: JournalRecord[] = journal.records();
  const minutes: Float64Array = ck.metrics.timeToCalm(journal, { threshold: 3 }).minutes;
  const weekly = ck.metrics.triggerFrequency(journal, { period: 'week', byCategory: true });
  const firstWeek: string = weekly.periodStart[0];
  const rows = ck.rows(weekly);
  const c: number = rows[0].count;
  const session = new ck.Session('breathing.4-7-8', { maxGapSeconds: 5 });
  session.start(performance.now() / 1000);
  const state: SessionState = session.update(performance.now() / 1000);
  const record = session.finish(performance.now() / 1000, { id: 'x1', startedAt: new Date(), intensityBefore: 7 });
  const end: string = record.end;
  try {
    journal.add({ type: 'reading', time: 'bad', intensity: 3 });
  } catch (e) {
    if (e instanceof JournalFormatError) console.log(e.line, e.field, e.property, e.reason);
  }
  const top = ck.suggest(8, journal, { limit: 3 })[0]?.exercise;
  ck.scope((track) => track(new ck.ExerciseRegistry()).add(ck.breathingPattern('me.slow', 'Slow', 5, 0, 7, 0)));
  {
    using copy = journal.copy();
    console.log(copy.size);
  }
  session.delete();
  journal.delete();
  console.log(all.length, minutes, firstWeek, c, state.phase, end, top);
  // @ts-expect-error: intensity is a number
  journal.add({ type: 'reading', time: localTime(), intensity: '3' });
  // @ts-expect-error: unknown record type
  journal.add({ type: 'mood', time: localTime() });
  const zonedWeekly = ck.metrics.triggerFrequency(journal, { tz: 'CET-1CEST,M3.5.0,M10.5.0/3' });
  console.log(zonedWeekly.count, ck.metrics.practiceConsistency(journal, { tz: null }).sessions);
  // @ts-expect-error: tz is a rule's text, not an offset in minutes
  ck.metrics.triggerTrend(journal, { tz: 60 });
  await loadCalmkit({ wasm: new URL('./calmkit_core.wasm', import.meta.url) });
  await loadCalmkit({ wasm: fetch('/calmkit_core.wasm') });
  // @ts-expect-error: the wasm is a URL, a response, bytes or a module, never null
  await loadCalmkit({ wasm: null });
}
void main();
