"""Adding one record to a journal someone already keeps (``calmkit log``,
``calmkit practice --journal``), as a person does every day. The journal
format lets a file carry fields calmkit does not know, in the header and in
records (docs/journal-format.md: "Other header fields (generator, created,
...) are allowed", "Unknown fields are ignored"), such as those another app
or a later writer puts there; and a person should learn that their journal
cannot take the session before doing the exercise, not after."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit
from calmkit import home

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


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _kept(tmp_path: Path, text: bytes) -> Path:
    path = tmp_path / "kept.jsonl"
    path.write_bytes(text)
    return path


# A file another writer keeps: a byte-order mark, CRLF line ends, unknown
# fields, "-00:00" (RFC 3339's unknown offset), digits past the microsecond,
# a reading before its trigger and no line break after the last line.
KEPT = ("\ufeff" + "\r\n".join(json.dumps(x, separators=(",", ":")) for x in (
    HEADER,
    {**READING, "time": "2026-03-02T20:40:00.123456789-00:00"},
    TRIGGER)) + " ").encode("utf-8")


def test_add_record_keeps_every_byte_and_appends_one_line(tmp_path: Path) -> None:
    path = _kept(tmp_path, KEPT)
    rec = calmkit.Reading(id="r2", time=_t("2026-03-02T22:00:00+01:00"), intensity=2,
                          trigger="t1")
    calmkit.add_record(path, rec)
    # The old bytes as they were, a CRLF to end the last line, the new line ended as the others.
    assert path.read_bytes() == KEPT + b"\r\n" + calmkit.to_json(rec).encode("utf-8") + b"\r\n"
    j = calmkit.read_journal(path)
    assert sorted(r.id for r in j.readings) == ["", "r2"] and len(j.triggers) == 1


@pytest.mark.parametrize("text, eol", [(b"", None), (b"\n", b"\n"),
                                       (json.dumps(HEADER).encode() + b"\n", b"\n"),
                                       (json.dumps(HEADER).encode(), b"\n"),
                                       (json.dumps(HEADER).encode() + b"\r\n", b"\r\n")])
def test_add_records_append_after_the_last_line_break(tmp_path: Path, text: bytes, eol: bytes | None) -> None:
    path = _kept(tmp_path, text)
    t = calmkit.Trigger(id="t9", time=_t("2026-03-02T21:14:00+01:00"), category="delayed_reply",
                        intensity=7)
    r = calmkit.Reading(id="", time=_t("2026-03-02T21:30:00+01:00"), intensity=4, trigger="t9")
    home.add_records(path, [t, r])
    lines = calmkit.to_json(t).encode() + b"%s" + calmkit.to_json(r).encode() + b"%s"
    if eol is None:  # an empty file gets calmkit's header first, as a new one does
        assert path.read_bytes() == calmkit.to_jsonl(calmkit.Journal()).encode() + lines.replace(b"%s", b"\n")
    else:
        head = text if text.endswith(b"\n") else text + eol
        assert path.read_bytes() == head + lines.replace(b"%s", eol)
    assert len(calmkit.read_journal(path).readings) == 1


def test_a_new_journal_gets_the_header_then_the_record(tmp_path: Path) -> None:
    path = tmp_path / "new" / "journal.jsonl"
    t = calmkit.Trigger(id="t1", time=_t("2026-03-02T21:14:00+01:00"), category="delayed_reply",
                        intensity=7)
    home.add_records(path, [t])
    assert path.read_bytes() == calmkit.to_jsonl(calmkit.Journal()).encode() + calmkit.to_json(t).encode() + b"\n"
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_a_record_that_does_not_fit_leaves_the_kept_file_as_it_was(tmp_path: Path) -> None:
    path = _kept(tmp_path, KEPT)
    again = calmkit.Trigger(id="t1", time=_t("2026-03-02T23:00:00+01:00"),
                            category="delayed_reply", intensity=7)
    ok = calmkit.Reading(id="r3", time=_t("2026-03-02T22:00:00+01:00"), intensity=2)
    with pytest.raises(ValueError, match="t1"):
        home.add_records(path, [ok, again])  # all or none: the good one is not written either
    assert path.read_bytes() == KEPT


@pytest.mark.parametrize("magic", [b"\x1f\x8b\x08\x00", b"(\xb5/\xfd"])
def test_a_compressed_journal_is_refused_and_left_as_it_was(tmp_path: Path, magic: bytes) -> None:
    path = _kept(tmp_path, magic + b"\x00" * 40)
    before = path.read_bytes()
    p = _run("log", "reading", "--intensity", "4", "--journal", path)
    assert p.returncode != 0 and "unpack it first" in p.stderr, p.stderr
    assert path.read_bytes() == before


def test_assess_and_practice_append_to_a_kept_file(tmp_path: Path) -> None:
    path = _kept(tmp_path, KEPT)
    p = _run("practice", "breathing.4-7-8", "--speed", "1000000", "--journal", path, stdin="8\n5\n")
    assert p.returncode == 0, p.stderr
    text = path.read_bytes()
    assert text.startswith(KEPT + b"\r\n") and text.endswith(b"\r\n") and text.count(b"\r\n") == 4
    assert b'"type":"exercise"' in text.splitlines()[-1]
