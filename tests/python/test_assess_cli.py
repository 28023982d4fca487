"""`calmkit assess INSTRUMENT --journal FILE`: items asked on stdin, answers
off the scale asked again, the assessment recorded atomically next to what the
journal already holds, scores printed; exit codes 0 / 1 (end of input, broken
journal) / 2 (usage) with plain-word errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import calmkit

TRIGGER = '{"type":"trigger","id":"t1","time":"2026-03-02T20:00:00+01:00","category":"conflict","intensity":6}'


def run(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "calmkit", "assess", *map(str, args)], input=stdin,
                       capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


def test_help_and_list():
    p = run("--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: calmkit assess")
    p = run("--list")
    assert p.returncode == 0 and p.stderr == ""
    assert [line.split()[0] for line in p.stdout.splitlines()] == ["attachment-checkin", "gad-7"]
    assert "GAD-7" in p.stdout and "Attachment check-in" in p.stdout


def test_gad7_asks_again_off_the_scale_and_records(write_lines):
    journal = write_lines([TRIGGER])
    # Item 3 gets "x" and "9" (both refused, then asked again) and then the label
    # "nearly every day" (= 3). Answers 1,2,3,0,1,2,3: total 12, band 10-14 = moderate.
    stdin = "1\n2\nx\n9\nnearly every day\n0\n1\n2\n3\n"
    p = run("gad-7", "--journal", journal, "--participant", "p1", "--time", "2026-03-02T21:00:00+01:00",
            stdin=stdin)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.startswith("GAD-7 (Generalized Anxiety Disorder 7-item scale)\n")
    flat = " ".join(out.split())  # the text is word-wrapped to the terminal
    assert "Licence: " in flat and "No permission required" in flat
    assert "0 = not at all, 1 = several days, 2 = more than half the days, 3 = nearly every day" in flat
    assert "Item 3 (Worrying too much about different things): 'x' is not on the scale" in flat
    assert "Item 3 (Worrying too much about different things): '9' is not on the scale" in flat
    assert flat.count("3/7. Worrying too much") == 3  # asked, asked again twice
    assert "recorded a-20260302T210000 (gad-7)" in flat
    assert "total: 12 (sum of the items, 0-21), band: moderate" in flat
    j = calmkit.read_journal(journal)
    assert len(j.triggers) == 1  # what was there stays
    (a,) = list(j.assessments)
    assert (a.participant, a.id, a.instrument, list(a.answers)) == ("p1", "a-20260302T210000", "gad-7",
                                                                    [1, 2, 3, 0, 1, 2, 3])
    # Same time again: a fresh id, and both assessments kept.
    p = run("gad-7", "--journal", journal, "--participant", "p1", "--time", "2026-03-02T21:00:00+01:00",
            stdin="0\n0\n0\n0\n0\n0\n0\n")
    assert p.returncode == 0 and "recorded a-20260302T210000-2" in p.stdout
    assert "total: 0 (sum of the items, 0-21), band: minimal" in p.stdout
    assert len(calmkit.read_journal(journal).assessments) == 2


def test_attachment_checkin_areas_and_flags(tmp_path: Path):
    journal = tmp_path / "new.jsonl"  # created on the first entry
    # Every item answered 4 ("often"). Reverse-keyed items (12-19 and 21-27, 0-based)
    # score 6 - 4 = 2. Areas of four items each: the first three have no
    # reverse-keyed item: mean 4, flagged (>= 3); security/trust, regulation and
    # self-worth are all reverse-keyed: 2; support (item 20 plain, 21-23 reversed):
    # (4 + 2 + 2 + 2) / 4 = 2.5. Total = mean of 13 items at 4 and 15 at 2 = 82 / 28 = 2.93.
    p = run("attachment-checkin", "--journal", journal, "--time", "2026-03-02T21:00:00Z", stdin="4\n" * 28)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "not a diagnosis" in out and "28/28." in out
    assert "total: 2.93 (mean of the items, 1-5)" in out
    assert "  Emotional responses: 4  <- anxious tendencies in this area" in out
    assert "  Communication and conflict: 4  <- anxious tendencies" in out
    assert "  Behaviour in relationships: 4  <- anxious tendencies" in out
    assert "  Security and trust: 2\n" in out
    assert "  Support and independence: 2.50\n" in out
    assert out.count("<- anxious tendencies") == 3
    assert list(calmkit.read_journal(journal).assessments[0].answers) == [4] * 28


def test_end_of_input_records_nothing(write_lines):
    journal = write_lines([TRIGGER])
    before = journal.read_bytes()
    p = run("gad-7", "--journal", journal, stdin="1\n2\n")
    assert p.returncode == 1
    assert "end of input before item 3 of 7 was answered; nothing recorded" in p.stderr
    assert journal.read_bytes() == before
    p = run("gad-7", "--journal", journal.parent / "none.jsonl", stdin="")
    assert p.returncode == 1 and not (journal.parent / "none.jsonl").exists()


def test_usage_errors_and_a_broken_journal(write_lines, tmp_path: Path):
    p = run("zz", "--journal", tmp_path / "j.jsonl")
    assert p.returncode == 2 and "no instrument 'zz'; instruments: attachment-checkin, gad-7" in p.stderr
    p = run("--journal", tmp_path / "j.jsonl")
    assert p.returncode == 2 and "calmkit assess --list" in p.stderr
    p = run("gad-7", "--journal", tmp_path)
    assert p.returncode == 2 and "is a directory" in p.stderr
    bad = write_lines(['{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00",'
                       '"category":"conflict","intensity":12}'], "bad.jsonl")
    p = run("gad-7", "--journal", bad, stdin="0\n" * 7)
    # The journal is read before the first question: nothing asked, nothing written.
    assert p.returncode == 1 and "intensity" in p.stderr and "1/7." not in p.stdout
    assert not (tmp_path / "j.jsonl").exists()


SLEEP = {
    "id": "sleep-ease", "name": "Sleep ease", "items": ["I fell asleep easily", "I woke up rested"],
    "scale_min": 0, "scale_max": 4, "scale_labels": ["never", "rarely", "sometimes", "often", "always"],
    "reverse_keyed": [], "total_rule": "sum",
}


def cli(*args: str | Path, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], input=stdin, capture_output=True,
                       text=True, env={**os.environ, **(env or {})}, timeout=120)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


def test_custom_instruments_from_a_file_or_the_environment(tmp_path: Path):
    defs = tmp_path / "instruments.json"
    defs.write_text(json.dumps([SLEEP]), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    # Answers 3 ("often") and 4: total 3 + 4 = 7.
    p = cli("--instruments", defs, "assess", "sleep-ease", "--journal", journal, "--participant", "p1",
            "--time", "2026-03-02T21:00:00+01:00", stdin="often\n4\n")
    assert p.returncode == 0, p.stderr
    assert "7" in p.stdout
    # Reading the journal back needs the instrument: without it the line is an
    # error; with the file given through the environment it validates clean.
    p = cli("validate", journal)
    assert p.returncode == 1 and "sleep-ease" in p.stdout + p.stderr
    p = cli("validate", journal, env={"CALMKIT_INSTRUMENTS": str(defs)})
    assert p.returncode == 0, p.stdout + p.stderr
    p = cli("--instruments", defs, "summary", journal)
    assert p.returncode == 0, p.stderr


def test_bad_instrument_files_name_the_file_and_the_definition(tmp_path: Path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('[{"id": "x",\n  "name": }]', encoding="utf-8")
    p = cli("--instruments", bad_json, "assess", "--list")
    assert p.returncode == 2
    assert f"{bad_json}:2:11: not valid JSON" in p.stderr
    wrong_type = tmp_path / "wrong.json"
    wrong_type.write_text(json.dumps([SLEEP, {**SLEEP, "id": "other", "scale_max": "4"}]), encoding="utf-8")
    p = cli("--instruments", wrong_type, "assess", "--list")
    assert p.returncode == 2
    assert (f"{wrong_type}: instrument 2 of 2 ('other'): instrument definition: 'scale_max' must be an integer, "
            "got str") in p.stderr
    p = cli("--instruments", tmp_path / "missing.json", "assess", "--list")
    assert p.returncode == 2 and "missing.json" in p.stderr
    # A built-in id cannot be redefined.
    taken = tmp_path / "taken.json"
    taken.write_text(json.dumps({**SLEEP, "id": "gad-7"}), encoding="utf-8")
    p = cli("--instruments", taken, "assess", "--list")
    assert p.returncode == 2 and "('gad-7')" in p.stderr
