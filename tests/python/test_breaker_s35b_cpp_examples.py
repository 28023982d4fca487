"""The C++ example programs as an app maker runs them, against Python's json and datetime.

``journal_summary`` promises, per participant, "the span of days it covers and
how many of each record was kept". Here each journal is also read line by line
with ``json`` and each record's local date taken with ``datetime.fromisoformat``
(the journal format: the offset written is the person's local time), and the
printed line is compared with that. The programs are the ones this build made
(``<build>/examples/cpp``); the tests skip when the examples were not built.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

import calmkit

BUILD = Path(calmkit.__file__).resolve().parents[2]
SUMMARY = BUILD / "examples" / "cpp" / "journal_summary"
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
LABELS = {"trigger": "triggers", "reading": "readings", "exercise": "exercises",
          "thought_record": "thought records", "assessment": "assessments"}

pytestmark = pytest.mark.skipif(not SUMMARY.is_file(), reason=f"{SUMMARY} was not built")


def expected(path: Path) -> dict[str, tuple[str, str, Counter]]:
    """Per participant: first and last local date, and the count of each record type."""
    dates: dict[str, list] = defaultdict(list)
    counts: dict[str, Counter] = defaultdict(Counter)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if "type" not in rec:  # the header
            continue
        who = rec.get("participant", "")
        counts[who][rec["type"]] += 1
        for key in ("time", "end"):
            if key in rec:
                dates[who].append(datetime.fromisoformat(rec[key].replace("Z", "+00:00")).date())
    return {p: (min(d).isoformat(), max(d).isoformat(), counts[p]) for p, d in dates.items()}


def summary_lines(path: Path) -> dict[str, str]:
    proc = subprocess.run([str(SUMMARY), str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"  (\S.*?): (.*)$", line)
        if m:
            out["" if m.group(1) == "(single user)" else m.group(1)] = m.group(2)
    return out


def test_sample_counts_and_spans_of_triggers_readings_exercises_and_thought_records():
    want = expected(SAMPLE)
    got = summary_lines(SAMPLE)
    assert sorted(got) == sorted(want)
    for p, (first, last, counts) in want.items():
        assert got[p].startswith(f"{first} .. {last}, "), (p, got[p])
        for t in ("trigger", "reading", "exercise", "thought_record"):
            assert f"{counts[t]} {LABELS[t]}" in got[p], (p, t, got[p])


def test_sample_summary_counts_assessments_too():
    want = expected(SAMPLE)
    got = summary_lines(SAMPLE)
    for p, (_, _, counts) in want.items():
        assert counts["assessment"] > 0
        assert f"{counts['assessment']} {LABELS['assessment']}" in got[p], (p, got[p])


def test_span_of_days_after_crossing_time_zones(tmp_path: Path):
    # Tokyo at 01:00 on the 2nd is 16:00 UTC on the 1st; New York at 20:00 on
    # the 1st is 01:00 UTC on the 2nd: the days written are the 1st and the 2nd.
    path = tmp_path / "travel.jsonl"
    path.write_text(
        '{"type":"trigger","participant":"ana","id":"t1","time":"2026-03-02T01:00:00+09:00",'
        '"category":"delayed_reply","intensity":7}\n'
        '{"type":"reading","participant":"ana","time":"2026-03-01T20:00:00-05:00","intensity":3}\n',
        encoding="utf-8")
    first, last, _ = expected(path)["ana"]
    assert (first, last) == ("2026-03-01", "2026-03-02")
    assert summary_lines(path)["ana"].startswith(f"{first} .. {last}, ")
