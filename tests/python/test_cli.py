"""The `calmkit` command line, run as `python -m calmkit` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *map(str, args)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),  # keeps PYTHONPATH=<build>/python from ctest
        timeout=120,
    )


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout


@pytest.fixture
def hand_journal(tmp_path: Path) -> Path:
    """Two full weeks for p1, counted from its first local date 2026-03-02 (a Monday):
    week 1 = 03-02..03-08 has triggers of intensity 8, 6, 7 (mean 7.0);
    week 2 = 03-09..03-15 has one trigger of intensity 4, at 23:30 local on
    03-15 (-05:00), which is 03-16 in UTC but still week 2 in local dates.
    Exercises: breathing.box three times, grounding.5-4-3-2-1 once.
    p2 has a single trigger, less than a week of journaling."""
    t = [
        ("t1", "2026-03-02T09:00:00-05:00", 8),
        ("t2", "2026-03-04T09:00:00-05:00", 6),
        ("t3", "2026-03-08T21:00:00-04:00", 7),
        ("t4", "2026-03-15T23:30:00-04:00", 4),
    ]
    records = [calmkit.Trigger(participant="p1", id=i, time=when, category="delayed_reply", intensity=n) for i, when, n in t]
    for k, (name, day) in enumerate(
        [("breathing.box", 2), ("breathing.box", 3), ("grounding.5-4-3-2-1", 9), ("breathing.box", 10)]
    ):
        start = f"2026-03-{day:02d}T10:00:00-05:00"
        records.append(calmkit.ExerciseSession(participant="p1", id=f"e{k}", time=start, end=start, exercise=name))
    records.append(calmkit.Trigger(participant="p2", id="t1", time="2026-03-05T12:00:00Z", category="conflict", intensity=5))
    path = tmp_path / "hand.jsonl"
    calmkit.write_journal(calmkit.Journal(records), path)
    return path


BAD_LINES = [
    '{"type":"header","format":"calmkit-journal","version":1}',
    '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"conflict","intensity":6}',
    '{"type":"trigger","id":"t2","time":"2026-03-02T22:00:00+01:00","category":"conflict","intensity":11}',
    '{"type":"reading","time":"2026-03-02T21:30:00+01:00","intensity":4,"trigger":"t1"}',
    '{"type":"reading", "time": ',
]


def test_summary_of_a_hand_built_journal(hand_journal: Path):
    p = run("summary", hand_journal)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "Participant p1" in out and "Participant p2" in out
    assert "dates: 2026-03-02 to 2026-03-15 (14 days, local dates)" in out
    assert "records: 4 triggers, 0 readings, 4 exercise sessions, 0 thought records, 0 self-assessments" in out
    assert (
        "triggers per week: 3 in the first full week (2026-03-02 to 2026-03-08), "
        "1 in the last (2026-03-09 to 2026-03-15)"
    ) in out
    assert "mean intensity at onset (0-10): 7.0 in the first week, 4.0 in the last" in out
    assert "most practised exercises: breathing.box (3), grounding.5-4-3-2-1 (1)" in out
    assert "weeks: less than one full week of journaling (1 day)" in out  # p2
    assert "Cohort: 2 participants, 2026-03-02 to 2026-03-15 (local dates); 5 triggers" in out
    assert p.stderr == ""


def test_summary_of_a_generated_cohort(tmp_path: Path):
    path = tmp_path / "cohort.jsonl"
    calmkit.write_journal(calmkit.synthetic_journal(3, 28, 11), path)
    p = run("summary", path)
    assert p.returncode == 0, p.stderr
    assert [line for line in p.stdout.splitlines() if line.startswith("Participant ")] == [
        "Participant p001",
        "Participant p002",
        "Participant p003",
    ]
    assert p.stdout.count("triggers per week:") == 3
    assert p.stdout.splitlines()[-1].startswith("Cohort: 3 participants")


def test_summary_of_a_participant_with_only_self_assessments(write_lines):
    # p9 has one GAD-7 and nothing else: their dates come from it (local date
    # 2026-03-04), no trigger weeks, no exercises.
    path = write_lines([
        '{"type":"assessment","participant":"p9","id":"a1","time":"2026-03-04T21:00:00+01:00",'
        '"instrument":"gad-7","answers":[1,1,1,1,1,1,1]}',
    ])
    p = run("summary", path)
    assert p.returncode == 0, p.stderr
    assert "dates: 2026-03-04 to 2026-03-04 (1 day, local dates)" in p.stdout
    assert "records: 0 triggers, 0 readings, 0 exercise sessions, 0 thought records, 1 self-assessment" in p.stdout
    no_traceback(p)


def test_validate_clean_journal(hand_journal: Path):
    p = run("validate", hand_journal)
    assert (p.returncode, p.stderr) == (0, "")
    # 9 records, after the header line: 10 lines.
    assert p.stdout.strip() == f"{hand_journal}: OK, 9 records in 10 lines"


def test_validate_lists_every_problem(write_lines):
    path = write_lines(BAD_LINES)
    p = run("validate", path)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert lines[0].startswith(f"{path}:3: field 'intensity': ")
    assert lines[1].startswith(f"{path}:5: ")
    assert lines[2] == f"{path}: 2 problems; 2 records on the other lines are fine"
    no_traceback(p)


def test_summary_of_a_malformed_journal_fails_in_plain_words(write_lines):
    path = write_lines(BAD_LINES)
    p = run("summary", path)
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith(f"calmkit: {path}:3: field 'intensity': ")
    assert f"calmkit validate {path}" in p.stderr
    no_traceback(p)


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_missing_file(tmp_path: Path, command: str):
    p = run(command, tmp_path / "nope.jsonl")
    assert p.returncode == 2
    assert p.stderr.strip() == f"calmkit: no such file: {tmp_path / 'nope.jsonl'}"
    no_traceback(p)


def test_directory_is_not_a_journal(tmp_path: Path):
    p = run("validate", tmp_path)
    assert p.returncode == 2 and "is a directory" in p.stderr
    no_traceback(p)


def test_usage_errors():
    p = run()
    assert p.returncode == 2 and "usage: calmkit" in p.stderr
    p = run("frobnicate", "x")
    assert p.returncode == 2 and "invalid choice" in p.stderr
    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"calmkit {calmkit.__version__}"


def test_commands_that_need_no_frames_start_without_pandas(tmp_path: Path):
    """`calmkit log`, `practice`, `validate` ... start in well under a second:
    loading the command line imports neither pandas nor pyarrow (about 0.8 s
    of CPU before anything runs); `summary` and `report` import them when they
    make their tables."""
    probe = ("import sys, calmkit.cli\n"
             "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       env=os.environ.copy(), timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
    # The summary still works: it imports pandas itself.
    journal = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.synthetic_journal(participants=1, days=14, seed=3), journal)
    s = run("summary", journal)
    assert s.returncode == 0, s.stderr
    no_traceback(s)
