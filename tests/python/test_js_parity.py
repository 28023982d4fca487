"""Parity of the JavaScript (WebAssembly) package with Python and C++.

The same synthetic journals go through all three: the JavaScript package in
Node (bindings/js/test/parity.mjs), the Python package, and the C++ API called
directly (tests/js/metrics_dump.cpp). Metric values must be equal to the last
bit, and journals written by one must read equal in the other.

Run by CTest after the wasm build (it sets CALMKIT_JS_DIR, CALMKIT_NODE and
CALMKIT_METRICS_DUMP); skipped, saying why, when they are not set.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit
from conftest import JsPackage
from calmkit import metrics

ROOT = Path(__file__).resolve().parents[2]
DUMP = os.environ.get("CALMKIT_METRICS_DUMP", "")



def run_js(js: JsPackage, journal_path: Path, out_path: Path, tz: str | None = None) -> dict:
    return js.json(ROOT / "bindings/js/test/parity.mjs", journal_path, out_path, *([tz] if tz else []))


def run_cpp(journal_path: Path) -> dict:
    proc = subprocess.run([DUMP, str(journal_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def same(a, b) -> None:
    """Equal element by element, NaN (None from JSON) equal to NaN."""
    a = [math.nan if x is None else float(x) for x in a]
    b = [math.nan if x is None else float(x) for x in b]
    np.testing.assert_array_equal(np.array(a), np.array(b))


@pytest.mark.parametrize("seed,participants,days", [(1, 3, 56), (7, 5, 120), (42, 1, 21)])
def test_same_journal_same_metrics_in_js_python_and_cpp(js_package: JsPackage, tmp_path: Path, seed: int, participants: int,
                                                        days: int) -> None:
    journal = calmkit.synthetic_journal(participants=participants, days=days, seed=seed)
    path = tmp_path / "synthetic.jsonl"
    calmkit.write_journal(journal, path)
    js = run_js(js_package, path, tmp_path / "from-js.jsonl")

    # Python (pandas frames over the C++ core).
    eps = metrics.time_to_calm(journal)
    summary = metrics.time_to_calm_summary(journal)
    weekly = metrics.trigger_frequency(journal, period="week")
    assert js["trigger_id"] == list(eps["trigger_id"])
    same(js["minutes"], eps["minutes"])
    same(js["calmed"], eps["calmed"].astype(int))
    assert js["summary_participant"] == list(summary["participant"].astype(str))
    same(js["median_minutes"], summary["median_minutes"])
    same(js["ci_low"], summary["ci_low"])
    same(js["ci_high"], summary["ci_high"])
    assert js["weekly_participant"] == list(weekly["participant"].astype(str))
    assert js["weekly_period_start"] == [pd.Timestamp(d).date().isoformat() for d in weekly["period_start"]]
    same(js["weekly_count"], weekly["count"])
    assert len(js["minutes"]) > 10 and any(js["calmed"]) and not all(js["calmed"])

    # C++, called directly.
    if DUMP:
        cpp = run_cpp(path)
        for key in ("minutes", "calmed", "median_minutes", "ci_low", "ci_high", "weekly_count"):
            same(js[key], cpp[key])


def test_journals_cross_over_byte_for_byte(js_package: JsPackage, tmp_path: Path) -> None:
    journal = calmkit.synthetic_journal(participants=3, days=42, seed=3)
    path = tmp_path / "python.jsonl"
    calmkit.write_journal(journal, path)
    js = run_js(js_package, path, tmp_path / "from-js.jsonl")
    # Python -> JavaScript: read and written back unchanged.
    assert js["jsonl"] == path.read_text(encoding="utf-8")
    # JavaScript -> Python: a journal built record by record in JavaScript reads equal.
    back = calmkit.read_journal(tmp_path / "from-js.jsonl")
    assert back == journal
    assert (tmp_path / "from-js.jsonl").read_bytes() == path.read_bytes()


def test_hand_made_records_written_the_same(js_package: JsPackage, tmp_path: Path) -> None:
    # Numbers and strings where writers differ most often: shortest doubles,
    # escapes, non-ASCII text, offsets, optional fields.
    lines = [
        '{"type":"trigger","participant":"p\\u00e9","id":"t1","time":"2026-03-29T02:30:00.123456+03:00",'
        '"category":"other","intensity":7,"context":"tab\\there \\"quoted\\" \\u2014 dash \\ud83d\\ude00",'
        '"acted_on_urge":false,"acted_after_minutes":0.1}',
        '{"type":"trigger","participant":"p\\u00e9","id":"t2","time":"2026-03-30T08:00:00-09:30",'
        '"category":"conflict","intensity":0,"acted_after_minutes":1e22}',
        '{"type":"trigger","participant":"p\\u00e9","id":"t3","time":"2026-03-30T09:00:00Z",'
        '"category":"conflict","intensity":10,"acted_after_minutes":123.456789012345678}',
        '{"type":"reading","participant":"p\\u00e9","time":"2026-03-29T02:45:00+03:00","intensity":3,"trigger":"t1",'
        '"note":"control \\u0001 char"}',
    ]
    src = tmp_path / "hand.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    journal = calmkit.read_journal(src)
    expected = tmp_path / "python.jsonl"
    calmkit.write_journal(journal, expected)
    js = run_js(js_package, src, tmp_path / "from-js.jsonl")
    assert js["jsonl"] == expected.read_text(encoding="utf-8")
    assert (tmp_path / "from-js.jsonl").read_bytes() == expected.read_bytes()


def _snake(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def same_table(js: dict, frame: pd.DataFrame, what: str, rtol: float = 0.0) -> None:
    """A JS table of columns equal to a Python frame, column by column: to the
    bit, or within ``rtol`` where the number goes through exp/log, which the
    wasm build's libm (musl) and glibc round differently in the last bit."""
    assert len(frame) > 0, what
    for key, values in js.items():
        col = _snake(key)
        assert col in frame.columns, f"{what}: Python has no column {col} ({list(frame.columns)})"
        py = frame[col]
        if col == "period_start":
            assert values == [pd.Timestamp(d).date().isoformat() for d in py], f"{what}.{col}"
        elif col in ("participant", "category", "group"):
            assert values == [None if pd.isna(v) else str(v) for v in py], f"{what}.{col}"
        elif rtol:
            np.testing.assert_allclose(np.array([math.nan if x is None else x for x in values], dtype=float),
                                       py.to_numpy(dtype=float), rtol=rtol, atol=0, err_msg=f"{what}.{col}")
        else:
            same(values, py.astype(float))


# POSIX rules whose local dates differ from the synthetic journals' own offsets:
# Central Europe (DST at 01:00 UTC), Sydney (southern summer, DST across New
# Year), Nepal (+05:45, no DST), Israel (a transition hour past midnight, 26).
# IANA zones (the JS package's calmkit_tzdata.bin and Python both read this
# machine's tzdata): Berlin, New York, Lord Howe (a 30-minute DST) and Kathmandu.
ZONES = ["CET-1CEST,M3.5.0,M10.5.0/3", "AEST-10AEDT,M10.1.0,M4.1.0/3", "<+0545>-5:45", "IST-2IDT,M3.4.4/26,M10.5.0",
         "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]


@pytest.mark.parametrize("tz", ZONES)
def test_tz_gives_the_same_local_calendar_in_js_and_python(js_package: JsPackage, tmp_path: Path, tz: str) -> None:
    journal = calmkit.synthetic_journal(participants=2, days=200, seed=5)
    path = tmp_path / "synthetic.jsonl"
    calmkit.write_journal(journal, path)
    z = run_js(js_package, path, tmp_path / "from-js.jsonl", tz)["zoned"]
    same_table(z["summary_by_week"], metrics.time_to_calm_summary(journal, by=["participant", "week"], tz=tz),
               "summary by week")
    same_table(z["summary_by_day"], metrics.time_to_calm_summary(journal, by=["participant", "day"], tz=tz),
               "summary by day")
    daily = metrics.trigger_frequency(journal, period="day", tz=tz)
    same_table(z["frequency_day"], daily, "daily")
    same_table(z["frequency_week"], metrics.trigger_frequency(journal, period="week", by_category=True, tz=tz),
               "weekly by category")
    same_table(z["frequency_month"], metrics.trigger_frequency(journal, period="month", by_group=True, tz=tz),
               "monthly by group")
    # The log-linear fit's slope and its interval: exp/log inside, 1 ulp apart at most; the
    # rate ratio's limits invert the incomplete beta function at non-integer shapes (the
    # counts over their dispersion), where the two libms' pow and log differ by a few ulps.
    same_table(z["trend"], metrics.trigger_trend(journal, k=2, tz=tz), "trend", rtol=4e-15)
    same_table(z["practice"], metrics.practice_consistency(journal, tz=tz), "practice")
    # The rule did move some trigger to another local day than its own offset gives.
    own = metrics.trigger_frequency(journal, period="day")
    assert not np.array_equal(daily["count"].to_numpy(), own["count"].to_numpy()) or len(daily) != len(own)


def test_a_bad_tz_rule_is_an_error_naming_it(js_package: JsPackage, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"type":"trigger","id":"t1","time":"2026-03-29T23:30:00Z","category":"conflict","intensity":6}\n',
                    encoding="utf-8")
    proc = js_package.run(ROOT / "bindings/js/test/parity.mjs", path, tmp_path / "o.jsonl", "CET-1CEST,M3.5.0")
    assert proc.returncode != 0
    assert "CalmkitError" in proc.stderr
    with pytest.raises(ValueError) as py:
        metrics.trigger_frequency(calmkit.read_journal(path), tz="CET-1CEST,M3.5.0")
    # The same reason from the same C++ parser.
    assert str(py.value).split(":")[-1].strip() in proc.stderr
