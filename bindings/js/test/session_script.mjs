// Runs guided-session scripts through the JavaScript package and prints what
// happened as JSON, for tests/python/test_breaker_s37e_js_sessions.py to compare
// with the same scripts run by the Python package (the native C++ engine).
//
// node session_script.mjs scripts.json
// scripts.json: [{"exercise": id or definition, "maxGapSeconds": number or "inf",
//                 "actions": [[op, now, text?], ...]}, ...] where op is one of
// start, update, pause, resume, skip, answer, abort.
// Output: per script, a list of steps: [op, error message or null, state or null, events].
import { readFileSync } from 'node:fs';
import { pkg, ck } from './load.mjs';

void pkg;
const scripts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const sc of scripts) {
  const gap = sc.maxGapSeconds === 'inf' ? Infinity : sc.maxGapSeconds;
  const s = new ck.Session(sc.exercise, { maxGapSeconds: gap });
  const steps = [];
  try {
    for (const [op, now, text] of sc.actions) {
      let error = null;
      let state = null;
      try {
        if (op === 'update') state = s.update(now);
        else if (op === 'answer') s.answer(now, text);
        else s[op](now);
      } catch (e) {
        error = e.message;
      }
      const events = s.pollEvents().map((e) => [e.type, e.at, e.step, e.cycle, e.phase, e.text]);
      steps.push([op, error, state, events]);
    }
  } finally {
    s.delete();
  }
  out.push(steps);
}
process.stdout.write(JSON.stringify(out));
