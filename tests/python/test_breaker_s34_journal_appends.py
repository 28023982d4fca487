"""Adding one record to a journal someone already keeps (``calmkit log``,
``calmkit practice --journal``), as a person does every day. The journal
format lets a file carry fields calmkit does not know, in the header and in
records (docs/journal-format.md: "Other header fields (generator, created,
...) are allowed", "Unknown fields are ignored"), such as those another app
or a later writer puts there; and a person should learn that their journal
cannot take the session before doing the exercise, not after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

HEADER = {"type": "header", "format": "calmkit-journal", "version": 1, "generator": "other app 2.1",
          "created": "2026-01-01T00:00:00Z"}
TRIGGER = {"type": "trigger", "id": "t1", "time": "2026-03-02T21:14:00+01:00", "category": "delayed_reply",
           "intensity": 8, "location": "home", "app_mood": {"label": "tense", "score": 3}}
READING = {"type": "reading", "time": "2026-03-02T21:40:00+01:00", "intensity": 3, "trigger": "t1",
           "heart_rate": 92}


def _run(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], input=stdin, capture_output=True,
                       text=True, env=os.environ.copy(), timeout=300)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


def _journal(tmp_path: Path) -> tuple[Path, list[str]]:
    lines = [json.dumps(x, separators=(",", ":")) for x in (HEADER, TRIGGER, READING)]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(calmkit.read_journal(path).triggers) == 1  # a valid journal: the extra fields are allowed
    return path, lines


def test_log_adds_one_record_that_reads_back(tmp_path: Path) -> None:
    # Guards what works: the entry is added and the journal still reads.
    path, _ = _journal(tmp_path)
    p = _run("log", "reading", "--intensity", "4", "--trigger", "t1", "--journal", path)
    assert p.returncode == 0, p.stderr
    j = calmkit.read_journal(path)
    assert len(j.readings) == 2 and len(j.triggers) == 1


@pytest.mark.xfail(strict=True, reason="B68: adding a record (calmkit log/practice/assess --journal) rewrites "
                                       "the whole file and silently drops every field calmkit does not know: "
                                       "header generator/created, a trigger's location, a reading's heart_rate")
@pytest.mark.parametrize("command", [("log", "reading", "--intensity", "4"),
                                     ("practice", "breathing.4-7-8", "--speed", "1000000")])
def test_adding_a_record_keeps_the_other_lines_fields(tmp_path: Path, command: tuple[str, ...]) -> None:
    path, lines = _journal(tmp_path)
    p = _run(*command, "--journal", path, stdin="8\n5\n")
    assert p.returncode == 0, p.stderr
    after = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert after[0]["generator"] == "other app 2.1" and after[0]["created"] == "2026-01-01T00:00:00Z"
    trigger = next(r for r in after if r.get("type") == "trigger")
    reading = next(r for r in after if r.get("type") == "reading" and r.get("trigger") == "t1")
    assert trigger["location"] == "home" and trigger["app_mood"] == {"label": "tense", "score": 3}
    assert reading["heart_rate"] == 92


def test_practice_reports_a_broken_journal_before_the_exercise(tmp_path: Path) -> None:
    path, lines = _journal(tmp_path)
    broken = "\n".join(lines) + '\n{"type":"reading","time":"2026-03-02T22:00:00+01:00","intens'  # cut short
    path.write_text(broken, encoding="utf-8")
    p = _run("practice", "breathing.4-7-8", "--journal", path, "--speed", "1000000", stdin="8\n5\n")
    assert p.returncode != 0 and "mine.jsonl:4" in p.stderr  # the error names the file and line
    assert path.read_text(encoding="utf-8") == broken  # left as it was
    # ... and before the person spent the exercise on it:
    assert "How strong is the distress" not in p.stdout and "[round 1]" not in p.stdout, p.stdout
