"""One rule for local times that do not exist or happen twice, used by every
entry point that takes a local time (issue: data that passed through other
hands), and naive timestamps never read as UTC silently.

Europe/Berlin, 2026: clocks jump 02:00 -> 03:00 on 29 March (02:30 does not
exist) and go back 03:00 -> 02:00 on 25 October (02:30 happens twice). The
reference for the instants is the IANA tz database through Python's zoneinfo
(PEP 495 fold=0) and, independently, the C library's own table (zdump-style
via time.localtime under TZ=Europe/Berlin in a subprocess).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit.importers import import_daylio
from calmkit.localtime import LocalTimeWarning, resolve

CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
GAP = datetime(2026, 3, 29, 2, 30)
REPEATED = datetime(2026, 10, 25, 2, 30)


def _libc_offsets(utc_seconds: list[int]) -> list[int]:
    """UTC offsets (seconds) the C library gives for each instant under TZ=Europe/Berlin."""
    code = "import sys,time\nfor s in sys.argv[1:]: print(time.localtime(int(s)).tm_gmtoff)"
    out = subprocess.run([sys.executable, "-c", code, *map(str, utc_seconds)], capture_output=True, text=True,
                         env={**os.environ, "TZ": "Europe/Berlin"}, check=True).stdout.split()
    return [int(x) for x in out]


def test_the_rule_against_the_c_library():
    gap, note = resolve(GAP, "Europe/Berlin")
    assert gap == datetime(2026, 3, 29, 3, 30, tzinfo=CEST) and gap.utcoffset() == timedelta(hours=2)
    assert "does not exist" in note and "03:30:00+02:00" in note
    first, note2 = resolve(REPEATED, "Europe/Berlin")
    assert first.utcoffset() == timedelta(hours=2) and first.replace(tzinfo=None) == REPEATED
    assert "happened twice" in note2 and "the first" in note2
    # The C library agrees on the offsets of the two chosen instants: +2 h at
    # 01:30Z on 29 March (just after the jump) and at 00:30Z on 25 October
    # (the first 02:30, before the clocks go back at 01:00Z).
    assert _libc_offsets([int(gap.timestamp()), int(first.timestamp())]) == [7200, 7200]
    assert resolve(datetime(2026, 5, 20, 21, 40), "Europe/Berlin").note is None


def test_python_api_localize_warns():
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        when = calmkit.localize(GAP, "Europe/Berlin")
    assert when == datetime(2026, 3, 29, 3, 30, tzinfo=CEST)
    with pytest.warns(LocalTimeWarning, match="happened twice"):
        calmkit.localize(REPEATED, "Europe/Berlin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert calmkit.localize(datetime(2026, 5, 20, 21, 40), "Europe/Berlin").utcoffset() == timedelta(hours=2)


def _cli_log(journal: Path, when: str, tz: str = "Europe/Berlin") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(journal),
                           "--intensity", "5", "--time", when], capture_output=True, text=True,
                          env={**os.environ, "TZ": tz})


def _times(journal: Path) -> list[str]:
    return [json.loads(line)["time"] for line in journal.read_text(encoding="utf-8").splitlines()
            if json.loads(line).get("type") == "reading"]


def test_cli_time_in_the_gap_is_read_as_the_importers_read_it_and_said(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-03-29T02:30")
    assert p.returncode == 0, p.stderr
    assert _times(j) == ["2026-03-29T03:30:00+02:00"]
    assert "note:" in p.stderr and "does not exist" in p.stderr
    # The importers read the same wall time the same way.
    csv = tmp_path / "d.csv"
    csv.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                   "2026-03-29,March 29,Sunday,02:30,meh,,,\n", encoding="utf-8")
    journal, report = import_daylio(csv, tz="Europe/Berlin")
    assert [r.time for r in journal.readings] == [datetime(2026, 3, 29, 3, 30, tzinfo=CEST)]
    assert len(report.adjusted) == 1


def test_cli_repeated_time_is_the_first_and_said(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-10-25T02:30")
    assert p.returncode == 0, p.stderr
    assert _times(j) == ["2026-10-25T02:30:00+02:00"]
    assert "happened twice" in p.stderr


def test_cli_ordinary_and_explicit_times_have_no_note(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-05-20T21:40")
    q = _cli_log(j, "2026-03-29T02:30:00+01:00")  # an explicit offset is taken as given
    assert p.returncode == 0 and q.returncode == 0
    assert "note:" not in p.stderr + q.stderr
    assert sorted(_times(j)) == ["2026-03-29T02:30:00+01:00", "2026-05-20T21:40:00+02:00"]
