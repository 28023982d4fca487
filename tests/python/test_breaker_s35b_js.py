"""The JavaScript (WebAssembly) package against Python on the same journal and the same hostile input.

One Node run reads the committed sample journal with the package and prints
what a web app would show: the exercise catalog, the vocabularies, the
suggestions for every participant at five distress levels, and the metrics
that test_js_parity does not compare (exercise effectiveness, summaries by
category, by month and pooled, the trigger trend without a zone, practice
consistency, time-to-calm with other parameters). Python computes the same on
the same file. The same run hands the package strings an app can hold but a
file cannot: JavaScript strings with a lone UTF-16 surrogate (text cut in the
middle of an emoji by ``slice``), and record values JSON has no form for.
Python is the reference for what the reader says; WHATWG's TextEncoder (what
``Blob``/``file.text()`` use) never turns a lone surrogate into another
character either: it writes U+FFFD.

Run by CTest after the wasm build (CALMKIT_JS_DIR, CALMKIT_NODE); skipped,
saying why, when the package is not built.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit
from conftest import JsPackage

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(os.environ.get("CALMKIT_SAMPLE_JOURNAL") or ROOT / "examples" / "data" / "sample-journal.jsonl")
T = '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"conflict","intensity":6'
INTENSITIES = [0, 3, 5, 8, 10]

SCRIPT = r"""
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const pkg = await import(pathToFileURL(path.join(process.env.CALMKIT_JS_DIR, 'index.js')).href);
const ck = await pkg.loadCalmkit();
const [input, T] = process.argv.slice(2);
const { journal } = ck.readJournal(fs.readFileSync(input, 'utf8'), { name: input });
const nums = (a) => Array.from(a, (x) => (Number.isNaN(x) ? null : x));
const table = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ArrayBuffer.isView(v) ? nums(v) : v]));
const tried = (f) => {
  try { return { ok: f() }; } catch (e) {
    return { error: e.constructor.name, isCalmkit: e instanceof pkg.CalmkitError, field: e.field ?? null,
             message: e.message };
  }
};
const context = (text) => tried(() => {
  const { journal: j } = ck.readJournal(text);
  const c = j.triggers()[0].context;
  j.delete();
  return c;
});
const add = (extra) => tried(() => {
  const j = new ck.Journal();
  j.add({ type: 'reading', time: '2026-03-02T21:14:00+01:00', intensity: 5, ...extra });
  const r = j.readings()[0];
  j.delete();
  return r;
});
const cyclic = {};
cyclic.self = cyclic;
const out = {
  catalog: ck.catalog(),
  categories: ck.triggerCategories(),
  distortions: ck.distortions(),
  suggest: Object.fromEntries(journal.participants().map((p) => [p, INTENSITIES.map((i) => ck.suggest(i, journal, { participant: p }))])),
  eff: table(ck.metrics.exerciseEffectiveness(journal)),
  effp: table(ck.metrics.exerciseEffectiveness(journal, { byParticipant: true, threshold: 5, windowHours: 2 })),
  sumcat: table(ck.metrics.timeToCalmSummary(journal, { by: ['participant', 'category'] })),
  summonth: table(ck.metrics.timeToCalmSummary(journal, { by: ['participant', 'month'], confidence: 0.9 })),
  sumnone: table(ck.metrics.timeToCalmSummary(journal, { by: null })),
  trend: table(ck.metrics.triggerTrend(journal, { k: 3, confidence: 0.9 })),
  practice: table(ck.metrics.practiceConsistency(journal)),
  ttc: table(ck.metrics.timeToCalm(journal, { threshold: 5, windowHours: 2 })),
  lone_high: context(T + ',"context":"ab\uD83Dcd"}\n'),
  lone_low: context(T + ',"context":"ab\uDC00cd"}\n'),
  lone_end: context(T + ',"context":"ab\uD83D"}\n'),
  answer_lone: tried(() => {
    const s = new ck.Session('grounding.5-4-3-2-1');
    s.start(0);
    s.answer(1, 'ab\uD83Dcd');
    const r = s.finish(2, { id: 'x1', startedAt: '2026-03-02T21:14:00+01:00' });
    s.delete();
    return r.responses[0];
  }),
  not_json: tried(() => ck.readJournal('x\n', { name: 'a.jsonl' })),
  bad_number: tried(() => ck.readJournal(T + ',"acted_after_minutes":6.}\n', { name: 'a.jsonl' })),
  bom_mid: tried(() => ck.readJournal(T + '}\n\uFEFF' + T.replace('"t1"', '"t2"') + '}\n').report.records),
  bom_mid_lenient: tried(() => {
    const { journal: j, report } = ck.readJournal(T + '}\n\uFEFF' + T.replace('"t1"', '"t2"') + '}\n', { lenient: true });
    j.delete();
    return [report.records, report.skipped.map((k) => k.line)];
  }),
  bigint: add({ intensity: 5n }),
  symbol: add({ note: Symbol('x') }),
  func: add({ note: () => 'x' }),
  cyclic: add({ note: cyclic }),
};
process.stdout.write(JSON.stringify(out));
journal.delete();
""".replace("INTENSITIES", json.dumps(INTENSITIES))


@pytest.fixture(scope="module")
def js(tmp_path_factory: pytest.TempPathFactory, js_package: JsPackage) -> dict:
    script = tmp_path_factory.mktemp("js") / "probe.mjs"
    script.write_text(SCRIPT, encoding="utf-8")
    return js_package.json(script, SAMPLE, T)


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def _camel(o):
    if isinstance(o, dict):
        return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): _camel(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_camel(x) for x in o]
    return o


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _same_table(js: dict, frame: pd.DataFrame, what: str) -> None:
    frame = frame.reset_index(drop=not any(n for n in frame.index.names))
    n = len(next(iter(js.values())))
    assert n == len(frame), (what, n, len(frame))
    for key, values in js.items():
        col = _snake(key)
        if col not in frame.columns:
            assert all(v is None for v in values), (what, key)  # e.g. participant when pooled
            continue
        for i, (a, b) in enumerate(zip(values, frame[col].tolist())):
            if isinstance(b, pd.Timestamp):
                b = b.isoformat() if "T" in str(a) else str(b.date())
            elif hasattr(b, "isoformat"):
                b = b.isoformat()
            if a is None:
                assert b is None or (isinstance(b, float) and math.isnan(b)), (what, col, i, b)
            elif isinstance(b, (bool, np.bool_)):
                assert a == int(b), (what, col, i, a, b)
            elif isinstance(b, (int, float, np.integer, np.floating)):
                assert a == pytest.approx(float(b), rel=1e-12, abs=1e-12), (what, col, i, a, b)
            else:
                assert str(a) == str(b), (what, col, i, a, b)


def test_catalog_and_vocabularies_are_pythons(js: dict):
    assert js["catalog"] == [_camel(json.loads(calmkit.to_json(e))) for e in calmkit.catalog()]
    assert [[c["id"], c["label"], c["group"]] for c in js["categories"]] == \
        [list(c) for c in calmkit.trigger_categories()]
    assert [[d["id"], d["label"], d["description"]] for d in js["distortions"]] == \
        [list(d) for d in calmkit.distortions()]


def test_suggestions_are_pythons(js: dict, journal: calmkit.Journal):
    assert sorted(js["suggest"]) == sorted(journal.participants())
    for p, lists in js["suggest"].items():
        for intensity, got in zip(INTENSITIES, lists):
            want = calmkit.suggest(intensity, journal, participant=p)
            assert [(s["exercise"], s["reason"]) for s in got] == [(s.exercise, s.reason) for s in want]
            assert [s["score"] for s in got] == pytest.approx([s.score for s in want], rel=1e-12)


def test_metrics_that_the_parity_test_leaves_out_are_pythons(js: dict, journal: calmkit.Journal):
    m = calmkit.metrics
    _same_table(js["eff"], m.exercise_effectiveness(journal), "exercise_effectiveness")
    _same_table(js["effp"], m.exercise_effectiveness(journal, threshold=5, window_hours=2, by_participant=True),
                "exercise_effectiveness by participant")
    _same_table(js["sumcat"], m.time_to_calm_summary(journal, by=["participant", "category"]), "summary by category")
    _same_table(js["summonth"], m.time_to_calm_summary(journal, by=["participant", "month"], confidence=0.9),
                "summary by month")
    _same_table(js["sumnone"], m.time_to_calm_summary(journal, by=None), "pooled summary")
    _same_table(js["trend"], m.trigger_trend(journal, k=3, confidence=0.9), "trigger_trend")
    _same_table(js["practice"], m.practice_consistency(journal), "practice_consistency")
    eps = m.time_to_calm(journal, threshold=5, window_hours=2)
    _same_table({k: v for k, v in js["ttc"].items() if k != "onset"}, eps, "time_to_calm")
    assert len(js["ttc"]["onset"]) == len(eps)


@pytest.mark.parametrize("case", ["lone_high", "lone_low"])
def test_a_lone_surrogate_is_never_read_as_another_character(js: dict, case: str):
    got = js[case]
    if "ok" in got:
        # U+FFFD for the surrogate (what TextEncoder writes), the rest as it was.
        assert got["ok"] == "ab\ufffdcd", ascii(got["ok"])
    else:
        assert got["isCalmkit"] and "context" in got["message"], got


def test_a_session_answer_with_a_lone_surrogate_is_never_another_character(js: dict):
    got = js["answer_lone"]
    assert got.get("ok") == "ab\ufffdcd" or ("error" in got and got["isCalmkit"]), ascii(got)


def test_python_refuses_the_lone_surrogate_naming_the_field():
    with pytest.raises(calmkit.JournalFormatError, match=r"field 'context': is not valid UTF-8"):
        calmkit.parse_journal(T + ',"context":"ab\ud83dcd"}\n')


def test_a_lone_surrogate_at_the_end_names_the_field(js: dict):
    got = js["lone_end"]
    assert "ok" in got or ("context" in got["message"] and "not closed" not in got["message"]), got


@pytest.mark.parametrize("case,text", [("not_json", "x\n"), ("bad_number", T + ',"acted_after_minutes":6.}\n')])
def test_text_that_is_not_json_gets_pythons_message(js: dict, case: str, text: str):
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(text, name="a.jsonl")
    got = js[case]
    assert got["error"] == "JournalFormatError"
    assert got["message"] == str(want.value)


BOM_MID = T + "}\n\ufeff" + T.replace('"t1"', '"t2"') + "}\n"


def test_python_refuses_a_byte_order_mark_at_the_start_of_line_two():
    """docs/journal-format.md: "a byte order mark at the very start is accepted and ignored"."""
    with pytest.raises(calmkit.JournalFormatError, match=r"^<string>:2: invalid JSON"):
        calmkit.parse_journal(BOM_MID)
    journal, report = calmkit.parse_journal_with_report(BOM_MID, lenient=True)
    assert (len(journal.triggers), [k.line for k in report.skipped]) == (1, [2])


def test_a_byte_order_mark_at_the_start_of_line_two_is_refused_as_in_python(js: dict):
    assert "error" in js["bom_mid"] and ":2: invalid JSON" in js["bom_mid"]["message"], js["bom_mid"]
    assert js["bom_mid_lenient"] == {"ok": [1, [2]]}


@pytest.mark.parametrize("case,field", [("bigint", "intensity"), ("symbol", "note"), ("func", "note"),
                                        ("cyclic", "note")])
def test_values_json_cannot_carry_are_refused_naming_the_field(js: dict, case: str, field: str):
    got = js[case]
    assert "error" in got, f"taken as {got['ok']}"
    assert got["isCalmkit"] and field in got["message"], got
