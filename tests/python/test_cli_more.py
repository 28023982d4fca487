"""The report, import, practice and log subcommands, run as `python -m calmkit`:
results, exit codes (0 ok, 1 problems in the data, 2 usage / unreadable) and
plain-word errors without tracebacks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "importers"


def run(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], input=stdin, capture_output=True,
                       text=True, env=os.environ.copy(), timeout=300)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


@pytest.mark.parametrize("command", [["report"], ["import"], ["practice"], ["log"], ["log", "trigger"],
                                     ["log", "reading"]])
def test_help_of_each_subcommand(command):
    p = run(*command, "--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: calmkit " + " ".join(command))


def test_report_of_the_sample(sample_journal_path: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    p = run("report", sample_journal_path, "-o", out, "--progress")
    assert p.returncode == 0 and p.stdout == f"wrote {out}\n"
    # 2 pooled + 3 x (9 + the self-assessment chart): see test_report.py.
    assert out.read_text(encoding="utf-8").count('<img class="chart"') == 32
    # The run takes over a second, so --progress shows the bar, ending at 32 of 32.
    assert "(32/32)" in p.stderr and p.stderr.endswith("\n")
    # The file exists now: the one -o rule of every command asks for --force.
    p = run("report", sample_journal_path, "-o", out, "--force", "--participant", "p002", "--threshold", "2",
            "--window-hours", "6", "--tz", "CET-1CEST,M3.5.0,M10.5.0/3")
    text = out.read_text(encoding="utf-8")
    assert p.returncode == 0 and p.stderr == ""  # not a terminal, no --progress: silent
    assert "Participant <bdi>p002</bdi>" in text and "p001" not in text and "distress 2 or less" in text


@pytest.mark.parametrize("args, status, message", [
    (["report", "{missing}", "-o", "{out}"], 2, "no such file"),
    (["report", "{journal}", "-o", "{tmp}/no/such/dir/r.html"], 2, "does not exist"),
    (["report", "{journal}", "-o", "{out}", "--participant", "zz"], 2, "no participant 'zz'"),
    (["report", "{journal}", "-o", "{out}", "--tz", "nonsense,,"], 2, "invalid POSIX TZ rule"),
    (["report", "{journal}", "-o", "{out}", "--threshold", "11"], 2, "must be an integer 0..10, got 11"),
    (["report", "{journal}", "-o", "{out}", "--window-hours", "-1"], 2, "not a positive number"),
    (["report", "{journal}"], 2, "-o/--output"),
    (["report", "{bad}", "-o", "{out}"], 1, "intensity"),
])
def test_report_errors(args, status, message, tmp_path: Path, write_lines):
    journal = write_lines(['{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00",'
                           '"category":"conflict","intensity":6}'])
    bad = write_lines(['{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00",'
                       '"category":"conflict","intensity":12}'], "bad.jsonl")
    fill = {"missing": tmp_path / "missing.jsonl", "out": tmp_path / "r.html", "journal": journal, "bad": bad,
            "tmp": tmp_path}
    p = run(*[a.format(**fill) for a in args])
    assert p.returncode == status and message in p.stderr, p.stderr
    assert not (tmp_path / "r.html").exists()


def test_import_daylio_and_its_errors(tmp_path: Path):
    out = tmp_path / "j.jsonl"
    p = run("import", "daylio", DATA / "daylio_export.csv", "-o", out, "--tz", "Europe/Berlin",
            "--mood", "Anxious=8")
    assert p.returncode == 0, p.stderr
    assert "daylio import of" in p.stdout and "5 rows examined" in p.stdout
    assert len(calmkit.read_journal(out).readings) == 5
    p = run("import", "daylio", DATA / "daylio_export.csv", "-o", out, "--tz", "Europe/Berlin")
    assert p.returncode == 2 and "already exists; use --force" in p.stderr
    # Without the mapping the custom mood is a problem in the data: line, field, reason.
    p = run("import", "daylio", DATA / "daylio_export.csv", "-o", out, "--tz", "Europe/Berlin", "--force")
    assert p.returncode == 1 and "daylio_export.csv:7: field 'mood': unknown mood 'Anxious'" in p.stderr
    p = run("import", "daylio", DATA / "daylio_bad_date.csv", "-o", tmp_path / "k.jsonl", "--utc-offset",
            "60", "--lenient")
    # Two good rows written, two skipped and listed: status 1.
    assert p.returncode == 1 and p.stdout.count("skipped") == 2
    assert len(calmkit.read_journal(tmp_path / "k.jsonl").readings) == 2
    for args, message in [
        (["daylio", DATA / "daylio_export.csv"], "give --tz ZONE"),
        (["daylio", DATA / "daylio_export.csv", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["apple-health", DATA / "apple_health_export.xml", "--tz", "UTC"], "carry their own UTC offsets"),
        (["daylio", tmp_path / "none.csv", "--tz", "UTC"], "no such file"),
        (["daylio", DATA / "daylio_export.csv", "--tz", "UTC", "--mood", "Anxious"], "NAME=DISTRESS"),
    ]:
        p = run("import", *args, "-o", tmp_path / "x.jsonl")
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
    p = run("import", "fitbit", DATA / "daylio_export.csv", "-o", tmp_path / "x.jsonl")
    assert p.returncode == 2 and "unknown format 'fitbit'" in p.stderr and "leave it out" in p.stderr


def test_import_apple_health_and_mindlamp(tmp_path: Path):
    p = run("import", "apple-health", DATA / "apple_health_export.xml", "-o", tmp_path / "a.jsonl")
    assert p.returncode == 0 and "wrote" in p.stdout
    j = calmkit.read_journal(tmp_path / "a.jsonl")
    assert (len(j.readings), len(j.exercises)) == (2, 1)  # as the import report counts them
    p = run("import", "mindlamp", DATA / "mindlamp_events.json", "-o", tmp_path / "m.jsonl", "--utc-offset", "0")
    assert p.returncode == 1 and "item 4: field 'activity'" in p.stdout  # two events skipped and listed


def test_log_trigger_and_reading(tmp_path: Path):
    journal = tmp_path / "j.jsonl"
    p = run("log", "trigger", "--journal", journal, "--category", "conflict", "--intensity", "7",
            "--note", "we argued", "--time", "2026-03-02T21:14:00+01:00")
    assert p.returncode == 0 and "added trigger t-20260302T211400" in p.stdout
    p = run("log", "reading", "--journal", journal, "--intensity", "2", "--trigger", "t-20260302T211400",
            "--time", "2026-03-02T22:00:00+01:00")
    assert p.returncode == 0
    p = run("log", "trigger", "--journal", journal, "--category", "conflict", "--intensity", "5",
            "--time", "2026-03-02T21:14:00+01:00")  # same second: the id gets a suffix
    assert "t-20260302T211400-2" in p.stdout
    j = calmkit.read_journal(journal)
    t = j.triggers[0]
    assert (t.category, t.intensity, t.context, t.time.utcoffset().total_seconds()) == ("conflict", 7,
                                                                                        "we argued", 3600)
    assert j.readings[0].trigger == "t-20260302T211400" and len(j.triggers) == 2
    p = run("log", "reading", "--journal", journal, "--intensity", "3")  # default time: now, local offset
    assert p.returncode == 0 and len(calmkit.read_journal(journal).readings) == 2
    for args, status, message in [
        (["reading", "--intensity", "3", "--trigger", "nope"], 2, "trigger 'nope'"),
        (["reading", "--intensity", "11"], 2, "must be an integer 0..10, got 11"),
        (["trigger", "--category", "weather", "--intensity", "3"], 2, "no category matches 'weather'"),
        (["reading", "--intensity", "3", "--time", "yesterday"], 2, "not a date and time"),
    ]:
        p = run("log", *args, "--journal", journal)
        assert p.returncode == status and message in p.stderr, (args, p.stderr)
    # A .db path that does not exist yet: a new store, owner-only (issue 18).
    p = run("log", "reading", "--intensity", "3", "--journal", tmp_path / "new.db")
    assert p.returncode == 0, p.stderr
    with calmkit.open_store(tmp_path / "new.db", read_only=True) as st:
        assert [r.intensity for r in st.load().readings] == [3]
    assert (tmp_path / "new.db").stat().st_mode & 0o777 == 0o600
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"reading", "time": \n', encoding="utf-8")
    p = run("log", "reading", "--intensity", "3", "--journal", bad)
    assert p.returncode == 1 and "bad.jsonl:1" in p.stderr
    assert bad.read_text(encoding="utf-8") == '{"type":"reading", "time": \n'  # left as it was


def test_log_into_a_store_of_an_older_schema_migrates_it(tmp_path: Path):
    # A store written by calmkit before self-assessments (schema 2; the same
    # records as tests/data/store/v2.sql): logging into it migrates it to 3.
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as con:
        con.executescript((ROOT / "tests" / "data" / "store" / "v2.sql").read_text(encoding="utf-8"))
    con.close()
    p = run("log", "trigger", "--journal", db, "--category", "conflict", "--intensity", "5",
            "--time", "2026-03-06T08:00:00+01:00", "--participant", "ana")
    assert p.returncode == 0, p.stderr
    with calmkit.open_store(db, read_only=True) as st:
        assert st.schema_version == calmkit.STORE_SCHEMA_VERSION == 3
        j = st.load()
    # v2.sql holds 2 triggers; the logged one is the third.
    assert len(j.triggers) == 3 and "t-20260306T080000" in {t.id for t in j.triggers}


def test_log_into_a_store(tmp_path: Path):
    db = tmp_path / "j.db"
    calmkit.open_store(db).close()
    p = run("log", "trigger", "--journal", db, "--category", "delayed_reply", "--intensity", "6",
            "--time", "2026-03-02T21:14:00+09:00", "--participant", "p1")
    assert p.returncode == 0, p.stderr
    with calmkit.open_store(db) as st:
        j = st.load()
    assert [(t.participant, t.id, t.intensity) for t in j.triggers] == [("p1", "t-20260302T211400", 6)]


def test_practice_records_a_session(tmp_path: Path):
    journal = tmp_path / "j.jsonl"
    # Distress 7 before and 3 after; box breathing run 500x faster.
    p = run("practice", "breathing.box", "--journal", journal, "--speed", "500", "--participant", "p1",
            stdin="7\n3\n")
    assert p.returncode == 0 and "Box breathing" in p.stdout and "recorded ex-" in p.stdout, p.stderr
    e = calmkit.read_journal(journal).exercises[0]
    assert (e.participant, e.exercise, e.completed, e.intensity_before, e.intensity_after) == (
        "p1", "breathing.box", True, 7, 3)
    p = run("practice", "breathing.box", "--speed", "500", "--no-record", stdin="\n\n")
    assert p.returncode == 0 and "Not recorded" in p.stdout
    p = run("practice", "--list")
    assert p.returncode == 0 and "breathing.box" in p.stdout
    for args, message in [(["nope.nope"], "no exercise 'nope.nope'"), ([], "name an exercise"),
                          (["breathing.box", "--speed", "0"], "--speed must be between 0.1 and 1000000"),
                          (["breathing.box", "--speed", "1e-308"], "--speed must be between 0.1"),
                          (["breathing.box", "--speed", "nan"], "--speed must be between 0.1"),
                          (["breathing.box", "--speed", "2e6"], "--speed must be between 0.1"),
                          (["breathing.box", "--journal", tmp_path], "is a directory")]:
        p = run("practice", *args)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)


def test_practice_checks_the_trigger_before_the_exercise(tmp_path: Path):
    # B26: an unknown --trigger was found only when the finished session was added, and the session was lost.
    journal = tmp_path / "j.jsonl"
    journal.write_text('{"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00+01:00",'
                       '"category":"conflict","intensity":5}\n')
    before = journal.read_bytes()
    for extra, who in [([], ""), (["--participant", "p2"], "for participant 'p2'")]:
        p = run("practice", "breathing.4-7-8", "--speed", "1000000", "--journal", journal, "--trigger", "t1",
                *extra, stdin="\n\n")
        assert p.returncode == 2 and "--trigger 't1'" in p.stderr and who in p.stderr, p.stderr
        assert p.stdout == ""  # refused before the exercise started
    p = run("practice", "breathing.4-7-8", "--speed", "1000000", "--journal", journal, "--trigger", "nope",
            "--participant", "p1", stdin="\n\n")
    assert p.returncode == 2 and "--trigger 'nope'" in p.stderr and p.stdout == ""
    assert journal.read_bytes() == before
    p = run("practice", "breathing.4-7-8", "--speed", "1000000", "--journal", journal, "--trigger", "t1",
            "--participant", "p1", stdin="\n\n")
    assert p.returncode == 0 and "recorded ex-" in p.stdout, p.stderr
    assert calmkit.read_journal(journal).exercises[0].trigger == "t1"


@pytest.mark.parametrize("text, full", [
    ("2026-03-02T21:14:00+24:00", "2026-03-02T21:14:00+24:00"),  # offset out of range
    ("2026-02-30T21:14", "2026-02-30T21:14:00Z"),  # no such day (a local time: checked as the reader would)
    ("2026-02-30T21:14+01:00", "2026-02-30T21:14:00+01:00"),
    ("1399-03-02T21:14:00+01:00", "1399-03-02T21:14:00+01:00"),  # the year rule
    ("2026-03-02T25:14:00Z", "2026-03-02T25:14:00Z"),
])
def test_log_time_is_refused_with_the_readers_reason(text: str, full: str) -> None:
    # R13 (h25breaker, session 26): --time words the rules with the model's reason (the journal reader's
    # time parser), not its own "is not a date and time".
    from calmkit.cli.common import Failure
    from calmkit.cli.entries import parse_time

    line = json.dumps({"type": "reading", "time": full, "intensity": 3})
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line)
    with pytest.raises(Failure) as err:
        parse_time(text, "UTC")
    assert str(err.value) == f"--time {text!r}: {want.value.reason}"


@pytest.mark.parametrize("text", ["2026-03-02T21:14:00.1234560+01:00", "2026-03-02T21:14:00.123456789-04:00"])
def test_log_time_takes_what_the_reader_takes(text: str) -> None:
    # R13: 7 and 9 fractional digits, as the reader keeps them (to the microsecond).
    from calmkit.cli.entries import parse_time

    j = calmkit.parse_journal(json.dumps({"type": "reading", "time": text, "intensity": 3}))
    assert parse_time(text) == j.readings[0].time


@pytest.mark.parametrize("text", ["11", "-1", "8.5", "99999999999999999999999"])
def test_log_intensity_is_refused_with_the_readers_reason(text: str) -> None:
    # R13: --intensity and --threshold give the model's rule for the same number in a journal.
    import argparse

    from calmkit.cli.common import zero_to_ten_arg

    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal('{"type":"reading","time":"2026-03-02T21:14:00Z","intensity":%s}' % text)
    with pytest.raises(argparse.ArgumentTypeError) as err:
        zero_to_ten_arg(text)
    assert str(err.value) == want.value.reason
    assert zero_to_ten_arg("7") == 7
