// Used by tests/python/test_js_parity.py: reads a journal file with the
// JavaScript package and prints, as JSON, what it wrote and computed.
//   node parity.mjs JOURNAL.jsonl OUT.jsonl [TZ]
// OUT.jsonl: the journal rebuilt record by record through Journal.add, written.
// With TZ (a POSIX TZ rule or an IANA zone name) the output also has `zoned`: the metrics with a
// local calendar, computed with { tz: TZ }, as tables of columns.
import fs from 'node:fs';
import { ck } from './load.mjs';

const [input, output, tz] = process.argv.slice(2);
if (tz !== undefined && tz.includes('/')) await ck.loadTimeZones(); // an IANA name
const { journal } = ck.readJournal(fs.readFileSync(input, 'utf8'), { name: input });
const rebuilt = new ck.Journal(journal.records());
fs.writeFileSync(output, rebuilt.toJsonl());
const eps = ck.metrics.timeToCalm(journal);
const summary = ck.metrics.timeToCalmSummary(journal);
const weekly = ck.metrics.triggerFrequency(journal, { period: 'week' });
const nums = (a) => Array.from(a, (x) => (Number.isNaN(x) ? null : x));
const table = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v[0] === 'number' || ArrayBuffer.isView(v) ? nums(v) : v]));
const zoned =
  tz === undefined
    ? null
    : {
        summary_by_week: table(ck.metrics.timeToCalmSummary(journal, { by: ['participant', 'week'], tz })),
        summary_by_day: table(ck.metrics.timeToCalmSummary(journal, { by: ['participant', 'day'], tz })),
        frequency_day: table(ck.metrics.triggerFrequency(journal, { period: 'day', tz })),
        frequency_week: table(ck.metrics.triggerFrequency(journal, { period: 'week', byCategory: true, tz })),
        frequency_month: table(ck.metrics.triggerFrequency(journal, { period: 'month', byGroup: true, tz })),
        trend: table(ck.metrics.triggerTrend(journal, { k: 2, tz })),
        practice: table(ck.metrics.practiceConsistency(journal, { tz })),
      };
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
    zoned,
  }),
);
rebuilt.delete();
journal.delete();
