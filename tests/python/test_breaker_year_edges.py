"""Journals at the edges of the years the format allows (1400..9999 on the
person's clock, docs/journal-format.md), through the frames and the commands.

The reader, the store, the Arrow bridge, Parquet and the record frames take
them all. Three things do not:

- B12 (pandas 2, the main CI run): ``record_counts``, ``assessment_scores`` and
  ``assessment_change`` raise pandas' ``OutOfBoundsDatetime`` for any record
  outside 1677-09-21..2262-04-11, the range of nanosecond timestamps (a year
  2300 typed for 2030 is enough); ``calmkit summary`` then prints a traceback
  and ``calmkit report`` fails with status 2 ("bad usage"). The cause:
  ``pd.to_timedelta(..., unit="min")`` added to the exercises' ends
  (python/calmkit/metrics.py, record_counts) and ``pd.to_datetime`` of
  datetime objects (python/calmkit/_frames.py, utc_times), both nanoseconds
  in pandas 2. pandas 3 keeps microseconds and passes.
- B13: ``calmkit summary`` of a journal whose last records lie in the last
  (Monday-based) week of the year 9999 prints a traceback (OverflowError:
  ``start + timedelta(days=6)`` past 9999-12-31 in python/calmkit/cli/summary.py,
  _week_lines).

(B12 and B13 are fixed: fed2fe6.)

- B21: ``calmkit report`` of a journal with a self-assessment in the last days
  of 9999 fails with status 2 and matplotlib's "Date ordinal ... must be
  between year 0001 and 9999": the assessment chart's date axis runs a few
  days past the last record (python/calmkit/report.py, _svg, raised while
  drawing; the other charts draw).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import calmkit

PANDAS_2 = int(pd.__version__.split(".")[0]) < 3


def _journal_text(day: str, offset: str = "Z") -> str:
    t, t2, t3 = (f"{day}T{h}:00:00{offset}" for h in ("08", "09", "10"))
    recs = [
        {"type": "trigger", "id": "t", "time": t, "category": "other", "intensity": 8},
        {"type": "reading", "time": t2, "intensity": 2, "trigger": "t"},
        {"type": "exercise", "id": "e", "time": t, "end": t2, "exercise": "breathing.4-7-8", "intensity_before": 8,
         "intensity_after": 2, "trigger": "t"},
        {"type": "thought_record", "id": "r", "time": t3, "situation": "s", "automatic_thought": "a",
         "belief_before": 50, "belief_after": 20},
        {"type": "assessment", "id": "a", "time": t3, "instrument": "gad-7", "answers": [1] * 7},
    ]
    return "".join(json.dumps(r) + "\n" for r in recs)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("day", ["1400-01-01", "1500-03-02", "2300-03-02", "9999-12-20"])
def test_the_reader_and_the_record_frames_take_every_allowed_year(day: str) -> None:
    j = calmkit.parse_journal(_journal_text(day, "+23:59"))
    assert len(j.exercises) == 1
    for table in ("triggers", "readings", "exercises", "thought_records", "assessments"):
        assert len(getattr(j, table).to_pandas()) == 1, table
    assert calmkit.to_jsonl(calmkit.Journal.from_arrow(j.to_arrow())) == calmkit.to_jsonl(j)


@pytest.mark.parametrize("day", ["1500-03-02", "2300-03-02"])
@pytest.mark.parametrize("fn", ["record_counts", "assessment_scores", "assessment_change"])
def test_frames_of_a_journal_outside_the_nanosecond_years(day: str, fn: str) -> None:
    j = calmkit.parse_journal(_journal_text(day))
    frame = getattr(calmkit, fn)(j)
    assert len(frame) >= 1


@pytest.mark.parametrize("command", ["summary", "report"])
def test_commands_on_a_journal_in_the_year_2300(command: str, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(_journal_text("2300-03-02"))
    args = [command, str(path)] + (["-o", str(tmp_path / "r.html")] if command == "report" else [])
    p = _run(*args)
    assert "Traceback" not in p.stderr, p.stderr[-400:]
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("day", ["9999-12-27", "9999-12-31"])
def test_summary_of_a_journal_in_the_last_week_of_9999(day: str, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(f'{{"type":"trigger","id":"t","time":"{day}T00:00:00Z","category":"other","intensity":9}}\n')
    p = _run("summary", str(path))
    assert "Traceback" not in p.stderr, p.stderr[-400:]
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("day", ["9999-12-20", "1400-01-01"])
def test_summary_of_a_trigger_near_the_edges_of_the_years(day: str, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(f'{{"type":"trigger","id":"t","time":"{day}T00:00:00Z","category":"other","intensity":9}}\n')
    p = _run("summary", str(path))
    assert "Traceback" not in p.stderr and p.returncode == 0, p.stderr[-400:]


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "<+1445>-14:45"])
def test_summary_in_a_zone_east_of_the_last_instant(tz: str, tmp_path: Path) -> None:
    """The journal is at 9999-12-31T23:00Z, legal on its own clock (Z); the
    zone asked for shows it in the year 10000. The report draws it; summary
    should too, or refuse in one line (status 1 or 2), never a traceback."""
    path = tmp_path / "j.jsonl"
    path.write_text('{"type":"trigger","id":"t","time":"9999-12-31T23:00:00Z","category":"other","intensity":9}\n'
                    '{"type":"reading","time":"9999-12-31T23:30:00Z","intensity":2,"trigger":"t"}\n')
    p = _run("summary", str(path), "--tz", tz)
    assert "Traceback" not in p.stderr, p.stderr[-400:]
    assert p.returncode in (0, 1, 2) and (p.returncode == 0 or p.stderr.startswith("calmkit:")), p.stderr


@pytest.mark.parametrize("day, offset", [("9999-12-31", "Z"), ("9999-12-27", "-23:59")])
def test_report_of_a_self_assessment_in_the_last_days_of_9999(day: str, offset: str, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(_journal_text(day, offset))
    p = _run("report", str(path), "-o", str(tmp_path / "r.html"))
    assert p.returncode == 0 and (tmp_path / "r.html").exists(), p.stderr[-400:]
