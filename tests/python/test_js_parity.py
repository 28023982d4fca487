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
from calmkit import metrics

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = os.environ.get("CALMKIT_JS_DIR", "")
NODE = os.environ.get("CALMKIT_NODE", "node")
DUMP = os.environ.get("CALMKIT_METRICS_DUMP", "")

pytestmark = pytest.mark.skipif(
    not JS_DIR or not (Path(JS_DIR) / "calmkit_core.mjs").exists(),
    reason="the WebAssembly package is not built (cmake --preset wasm && cmake --build --preset wasm; "
           "set CALMKIT_JS_DIR to build-wasm/js)")


def run_js(journal_path: Path, out_path: Path) -> dict:
    proc = subprocess.run([NODE, str(ROOT / "bindings/js/test/parity.mjs"), str(journal_path), str(out_path)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CALMKIT_JS_DIR": JS_DIR})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


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
def test_same_journal_same_metrics_in_js_python_and_cpp(tmp_path: Path, seed: int, participants: int,
                                                        days: int) -> None:
    journal = calmkit.synthetic_journal(participants=participants, days=days, seed=seed)
    path = tmp_path / "synthetic.jsonl"
    calmkit.write_journal(journal, path)
    js = run_js(path, tmp_path / "from-js.jsonl")

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


def test_journals_cross_over_byte_for_byte(tmp_path: Path) -> None:
    journal = calmkit.synthetic_journal(participants=3, days=42, seed=3)
    path = tmp_path / "python.jsonl"
    calmkit.write_journal(journal, path)
    js = run_js(path, tmp_path / "from-js.jsonl")
    # Python -> JavaScript: read and written back unchanged.
    assert js["jsonl"] == path.read_text(encoding="utf-8")
    # JavaScript -> Python: a journal built record by record in JavaScript reads equal.
    back = calmkit.read_journal(tmp_path / "from-js.jsonl")
    assert back == journal
    assert (tmp_path / "from-js.jsonl").read_bytes() == path.read_bytes()


def test_hand_made_records_written_the_same(tmp_path: Path) -> None:
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
    js = run_js(src, tmp_path / "from-js.jsonl")
    assert js["jsonl"] == expected.read_text(encoding="utf-8")
    assert (tmp_path / "from-js.jsonl").read_bytes() == expected.read_bytes()
