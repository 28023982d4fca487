// Used by tests/python/test_js_parity.py: reads a journal file with the
// JavaScript package and prints, as JSON, what it wrote and computed.
//   node parity.mjs JOURNAL.jsonl OUT.jsonl
// OUT.jsonl: the journal rebuilt record by record through Journal.add, written.
import fs from 'node:fs';
import { ck } from './load.mjs';

const [input, output] = process.argv.slice(2);
const { journal } = ck.readJournal(fs.readFileSync(input, 'utf8'), { name: input });
const rebuilt = new ck.Journal(journal.records());
fs.writeFileSync(output, rebuilt.toJsonl());
const eps = ck.metrics.timeToCalm(journal);
const summary = ck.metrics.timeToCalmSummary(journal);
const weekly = ck.metrics.triggerFrequency(journal, { period: 'week' });
const nums = (a) => Array.from(a, (x) => (Number.isNaN(x) ? null : x));
process.stdout.write(
  JSON.stringify({
    jsonl: journal.toJsonl(),
    trigger_id: eps.triggerId,
    minutes: nums(eps.minutes),
    calmed: nums(eps.calmed),
    summary_participant: summary.participant,
    median_minutes: nums(summary.medianMinutes),
    ci_low: nums(summary.ciLow),
    ci_high: nums(summary.ciHigh),
    weekly_participant: weekly.participant,
    weekly_period_start: weekly.periodStart,
    weekly_count: nums(weekly.count),
  }),
);
rebuilt.delete();
journal.delete();
