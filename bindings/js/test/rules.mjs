// The rules table of tests/python/test_rules.py through the JavaScript
// package: reads a JSON list of cases ({before: [journal lines], line}) and
// prints, per case, what readJournal (strict and lenient), Journal.add and
// normalizeRecord said. tests/python/test_breaker_js_rules.py compares it
// with the reasons written out by hand there.
import fs from 'node:fs';
import { pkg, ck } from './load.mjs';

const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const camelize = (v) => {
  if (Array.isArray(v)) return v.map(camelize);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelize(x)]));
  return v;
};
const said = (e) => ({
  type: e instanceof pkg.RecordError ? 'RecordError' : e instanceof pkg.JournalFormatError ? 'JournalFormatError'
    : e instanceof pkg.CalmkitError ? 'CalmkitError' : String(e.name),
  journalFormat: e instanceof pkg.JournalFormatError, place: e.place ?? null,
  path: e.path ?? null, line: e.line ?? null, field: e.field ?? null, reason: e.reason ?? null, message: e.message,
});

const out = [];
for (const c of JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))) {
  const r = {};
  const text = [...c.before, c.line].join('\n') + '\n';
  try {
    ck.readJournal(text, { name: 'rules.jsonl' }).journal.delete();
    r.read = null;
  } catch (e) {
    r.read = said(e);
  }
  const { journal, report } = ck.readJournal(text, { lenient: true, name: 'rules.jsonl' });
  r.lenient = report.skipped.map((s) => [s.line, s.field, s.reason]);
  r.kept = journal.size;
  journal.delete();
  const j = new ck.Journal(c.before.map((b) => camelize(JSON.parse(b))));
  try {
    j.add(camelize(JSON.parse(c.line)));
    r.add = null;
  } catch (e) {
    r.add = said(e);
  }
  r.size = j.size;
  j.delete();
  out.push(r);
}
console.log(JSON.stringify(out));
