"""Zero-filled tables refuse spans the reader allows but no journal has
(years 1400..9999, B7): the refusal comes before any row is made, names the
participant and the two dates, and the limit is the same for every metric that
zero-fills. Within the limit the rows are exactly the periods of the span."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import calmkit
import calmkit.metrics as metrics


def _journal(times_by_participant: dict[str, list[str]]) -> calmkit.Journal:
    j = calmkit.Journal()
    for p, times in times_by_participant.items():
        for i, t in enumerate(times):
            j.add(calmkit.Trigger(participant=p, id=f"t{i}", time=t, category="conflict", intensity=5))
    return j


def test_reviewers_case_1400_to_9999_is_refused_for_every_zero_filled_metric() -> None:
    j = _journal({f"p{p}": ["1400-01-01T00:00:00Z", "9999-12-31T00:00:00Z"] for p in range(3)})
    calls = [lambda: calmkit.trigger_frequency(j, period="day"),
             lambda: calmkit.trigger_frequency(j, period="week", by_category=True),
             lambda: calmkit.trigger_frequency(j, period="month", by=None),
             lambda: calmkit.practice_consistency(j),
             lambda: calmkit.practice_consistency(j, by=None)]
    for call in calls:
        with pytest.raises(ValueError, match=r"participant 'p0': records from 1400-01-01 to 9999-12-31 span "
                                             r"more than 100 years, too long for a zero-filled table"):
            call()


def test_single_user_and_a_typo_year() -> None:
    j = _journal({"": ["2026-03-02T21:14:00+01:00", "3026-03-02T21:14:00+01:00"]})
    with pytest.raises(ValueError, match=r"^the journal: records from 2026-03-02 to 3026-03-02 span more than 100 "
                                         r"years.*mistyped year"):
        calmkit.trigger_frequency(j, period="week")


def test_the_limit_is_on_the_span_of_any_record_type() -> None:
    j = _journal({"p1": ["2026-03-02T21:14:00+01:00"]})
    j.add(calmkit.Reading(participant="p1", time="1500-01-01T00:00:00Z", intensity=3))
    with pytest.raises(ValueError, match="participant 'p1': records from 1500-01-01 to 2026-03-02"):
        calmkit.trigger_frequency(j, period="month")


def test_within_the_limit_every_period_is_there() -> None:
    # 99 years: allowed, and exactly one row per month of the span.
    j = _journal({"p1": ["1927-01-15T12:00:00Z", "2026-12-15T12:00:00Z"]})
    f = calmkit.trigger_frequency(j, period="month")
    assert len(f) == 100 * 12 and f["count"].sum() == 2
    weekly = calmkit.trigger_frequency(j, period="week")
    assert weekly["count"].sum() == 2 and len(weekly) < 100 * 53


def test_pooled_tables_check_the_cohorts_span() -> None:
    # Each person within the limit, the cohort pooled over 400 years is not.
    j = _journal({"a": ["1600-01-05T12:00:00Z"], "b": ["2026-03-02T12:00:00Z"]})
    assert len(calmkit.trigger_frequency(j, period="week")) == 2  # per participant: one week each
    for call in (lambda: calmkit.trigger_frequency(j, period="week", by=None),
                 lambda: calmkit.practice_consistency(j, by=None)):
        with pytest.raises(ValueError, match=r"the cohort's records run from 1600-01-0\d to 2026-03-02, more than "
                                             r"100 years"):
            call()
    assert metrics.MAX_FILL_YEARS == 100


def test_the_file_from_the_review(tmp_path: Path) -> None:
    path = tmp_path / "span.jsonl"
    path.write_text("".join(
        f'{{"type":"trigger","participant":"p{p}","id":"{i}","time":"{t}","category":"conflict","intensity":5}}\n'
        for p in range(3) for i, t in (("a", "1400-01-01T00:00:00Z"), ("b", "9999-12-31T00:00:00Z"))))
    with pytest.raises(ValueError, match="span more than 100 years"):
        calmkit.trigger_frequency(calmkit.read_journal(path), period="day")


# B4: years after 2262 or before 1677 (outside pandas' nanoseconds) in the report and analysis_frame.

def _line(time: str, id_: str = "t1") -> str:
    return f'{{"type":"trigger","id":"{id_}","time":"{time}","category":"conflict","intensity":5}}\n'


@pytest.mark.parametrize("time, hour", [("2300-06-01T10:00:00+00:00", 10), ("1500-06-01T23:30:00-05:00", 23),
                                        ("9999-12-31T23:59:00+14:00", 23), ("1400-01-01T00:00:00Z", 0)])
def test_analysis_frame_keeps_microseconds(time: str, hour: int, tmp_path: Path) -> None:
    path = tmp_path / "y.jsonl"
    path.write_text(_line(time))
    f = calmkit.analysis_frame(calmkit.read_journal(path))
    assert str(f["onset"].dtype) == "datetime64[us, UTC]"
    assert f["onset"].iloc[0] == pd.Timestamp(time).tz_convert("UTC")
    assert f["local_hour"].iloc[0] == hour


@pytest.mark.parametrize("time", ["2300-06-01T10:00:00+00:00", "1500-06-01T23:30:00-05:00"])
def test_report_of_far_years(time: str, tmp_path: Path) -> None:
    path, out = tmp_path / "y.jsonl", tmp_path / "y.html"
    path.write_text(_line(time))
    p = subprocess.run([sys.executable, "-m", "calmkit", "report", str(path), "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size > 1000
    for by in (None, "participant"):
        weekly = calmkit.trigger_frequency(calmkit.read_journal(path), period="week", by=by)
        assert weekly["count"].sum() == 1


def test_report_with_a_typo_year_is_a_data_problem(tmp_path: Path) -> None:
    path, out = tmp_path / "typo.jsonl", tmp_path / "t.html"
    path.write_text(_line("2026-03-02T21:14:00+01:00") + _line("3026-03-02T21:14:00+01:00", "typo"))
    p = subprocess.run([sys.executable, "-m", "calmkit", "report", str(path), "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    assert f"{path}: the journal: records from 2026-03-02 to 3026-03-02 span more than 100 years" in p.stderr
    assert "Traceback" not in p.stderr and not out.exists()
