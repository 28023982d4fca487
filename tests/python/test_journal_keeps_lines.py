"""Changing a journal file another app also writes: calmkit.update_journal and
calmkit.append_records (the compiled calmkit::update_journal /
calmkit::append_records, which add_record and the commands use) keep every
line they do not change byte for byte. The files here are written by hand in
other writers' habits: a byte-order mark, CRLF line ends, no final line break,
fields calmkit does not know (at the top level, nested, in the header), lines
out of calmkit's order and offsets calmkit would not write. The expected bytes
are built from those hand-written lines and checked with the standard
library's json, not with calmkit's writer alone."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit

HEADER = {"type": "header", "format": "calmkit-journal", "version": 1, "generator": "other app 2.1",
          "created": "2026-01-01T00:00:00Z", "device": {"os": "android", "build": 41}}
TRIGGER = {"type": "trigger", "id": "t1", "time": "2026-03-02T21:14:00+05:30", "category": "delayed_reply",
           "intensity": 8, "app_mood": {"label": "tense", "score": [3, 4]}}
READING = {"type": "reading", "time": "2026-03-02T20:40:00.123456789-00:00", "intensity": 3, "trigger": "t1",
           "heart_rate": 92}
READING2 = {"type": "reading", "id": "r1", "time": "2026-03-02T22:40:00+01:00", "intensity": 2}
THOUGHT = {"type": "thought_record", "id": "tr1", "time": "2026-03-02T22:05:00+01:00",
           "situation": "no reply", "automatic_thought": "they are pulling away", "belief_before": 85,
           "emotions": [{"name": "anxious", "before": 80, "after": 40, "colour": "grey"}], "belief_after": 35}
# Reading lines before the trigger they name, the thought record before the reading: not calmkit's order.
ORDER = (HEADER, READING2, READING, THOUGHT, TRIGGER)
LINES = [json.dumps(x, separators=(", ", ": ")).encode("utf-8") for x in ORDER]
BOM = b"\xef\xbb\xbf"


def _kept_text(eol: bytes = b"\r\n", bom: bool = True, final: bool = False) -> bytes:
    return (BOM if bom else b"") + eol.join(LINES) + (eol if final else b"")


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _write(tmp_path: Path, data: bytes, name: str = "kept.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    assert len(calmkit.read_journal(path)) == 4  # a valid journal: the extra fields and the order are allowed
    return path


NEW = calmkit.Reading(id="r9", time=_t("2026-03-03T08:00:00+01:00"), intensity=1)


@pytest.mark.parametrize("eol, bom, final", [(b"\r\n", True, False), (b"\n", False, True),
                                             (b"\r\n", False, True), (b"\n", True, False)])
def test_update_journal_that_only_adds_appends_after_the_kept_bytes(tmp_path: Path, eol: bytes, bom: bool,
                                                                    final: bool) -> None:
    kept = _kept_text(eol, bom, final)
    path = _write(tmp_path, kept)
    calmkit.update_journal(path, lambda j: j.add(NEW))
    head = kept if final else kept + eol
    assert path.read_bytes() == head + calmkit.to_json(NEW).encode() + eol
    # The standard library reads every line back, the other app's fields with it.
    objs = [json.loads(line) for line in path.read_bytes().removeprefix(BOM).splitlines()]
    assert objs[:5] == list(ORDER) and objs[5]["id"] == "r9"


def test_append_records_keeps_the_bytes_and_callables_see_the_earlier_records(tmp_path: Path) -> None:
    kept = _kept_text()
    path = _write(tmp_path, kept)
    t = calmkit.Trigger(id="t2", time=_t("2026-03-03T07:00:00+01:00"), category="conflict", intensity=6)
    seen: list[int] = []

    def make(j: calmkit.Journal) -> calmkit.Reading:
        seen.append(len(j.triggers))
        return calmkit.Reading(id="r10", time=_t("2026-03-03T07:30:00+01:00"), intensity=4, trigger="t2")

    added = calmkit.append_records(path, [t, make])
    assert seen == [2]  # the journal's trigger and the one added just before
    assert [type(r).__name__ for r in added] == ["Trigger", "Reading"] and added[1].trigger == "t2"
    assert path.read_bytes() == (kept + b"\r\n" + calmkit.to_json(t).encode() + b"\r\n"
                                 + calmkit.to_json(added[1]).encode() + b"\r\n")


def test_update_journal_that_changes_nothing_does_not_write(tmp_path: Path) -> None:
    kept = _kept_text()
    path = _write(tmp_path, kept)
    before = os.stat(path)
    calmkit.update_journal(path, lambda j: None)
    after = os.stat(path)
    assert path.read_bytes() == kept and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def _without(j: calmkit.Journal, drop: str) -> calmkit.Journal:
    recs = [*j.triggers, *j.readings, *j.exercises, *j.thought_records, *j.assessments]
    return calmkit.Journal([r for r in recs if getattr(r, "id", None) != drop])


def test_removing_a_record_drops_its_line_alone(tmp_path: Path) -> None:
    path = _write(tmp_path, _kept_text())
    calmkit.update_journal(path, lambda j: _without(j, "tr1"))
    # Every other line as written, in its place; the BOM stays on the first line.
    assert path.read_bytes() == BOM + b"\r\n".join(line for line in LINES if b'"tr1"' not in line)
    assert len(calmkit.read_journal(path).thought_records) == 0


def test_removing_the_last_line_keeps_the_line_before_it_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, _kept_text())  # the trigger's line last, with no line break after it
    calmkit.update_journal(path, lambda j: calmkit.Journal([*j.thought_records, *[r for r in j.readings if r.id]]))
    assert path.read_bytes() == BOM + b"\r\n".join(LINES[i] for i in (0, 1, 3)) + b"\r\n"


def test_a_changed_record_is_written_in_its_place_and_the_rest_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, _kept_text())

    def change(j: calmkit.Journal) -> calmkit.Journal:
        out = _without(j, "r1")
        out.add(calmkit.Reading(id="r1", time=_t("2026-03-02T22:40:00+01:00"), intensity=5))
        out.add(NEW)
        return out

    calmkit.update_journal(path, change)
    changed = calmkit.to_json(calmkit.Reading(id="r1", time=_t("2026-03-02T22:40:00+01:00"), intensity=5))
    want = [LINES[0], changed.encode(), *LINES[2:]]
    # The changed reading in calmkit's form where its line was; the new one at the end, after a CRLF.
    assert path.read_bytes() == BOM + b"\r\n".join(want) + b"\r\n" + calmkit.to_json(NEW).encode() + b"\r\n"


def test_a_change_that_returns_no_journal_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    kept = _kept_text()
    path = _write(tmp_path, kept)
    with pytest.raises(TypeError, match="returned list"):
        calmkit.update_journal(path, lambda j: [j.add(NEW)])
    assert path.read_bytes() == kept


@pytest.mark.parametrize("call", ["update_journal", "append_records"])
def test_a_broken_journal_is_named_and_left_untouched(tmp_path: Path, call: str) -> None:
    kept = _kept_text(b"\n", False, True) + b'{"type": "reading", "time": "yesterday", "intensity": 3}\n'
    path = tmp_path / "broken.jsonl"
    path.write_bytes(kept)
    with pytest.raises(calmkit.JournalFormatError, match=r"broken\.jsonl:6: field 'time'"):
        if call == "update_journal":
            calmkit.update_journal(path, lambda j: j.add(NEW))
        else:
            calmkit.append_records(path, [NEW])
    assert path.read_bytes() == kept


def test_a_fifo_is_refused_without_waiting_and_stays(tmp_path: Path) -> None:
    fifo = tmp_path / "j.jsonl"
    os.mkfifo(fifo)
    for call in (lambda: calmkit.append_records(fifo, [NEW]), lambda: calmkit.update_journal(fifo, lambda j: None),
                 lambda: calmkit.add_record(fifo, NEW)):
        with pytest.raises(calmkit.FileError, match="FIFO"):
            call()
        assert fifo.is_fifo()


def test_a_link_made_in_a_temporary_folder_appends_to_its_target(tmp_path: Path) -> None:
    kept = _kept_text()
    target = _write(tmp_path, kept)
    links = tmp_path / "links"
    links.mkdir()
    link = links / "journal.jsonl"
    link.symlink_to(target)
    calmkit.add_record(link, NEW)
    assert link.is_symlink() and target.read_bytes() == kept + b"\r\n" + calmkit.to_json(NEW).encode() + b"\r\n"
    calmkit.update_journal(link, lambda j: _without(j, "r9"))
    assert link.is_symlink() and target.read_bytes() == kept + b"\r\n"  # the line gone, the CRLF before it kept


FULL_DISK = textwrap.dedent("""
    import resource, sys, calmkit
    # A file size limit stands in for a full disk (Python ignores SIGXFSZ):
    # the journal is already bigger than the limit, so its new copy fails.
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
    r = calmkit.Reading(id="full", time="2026-03-04T08:00:00+01:00", intensity=1)
    try:
        if sys.argv[2] == "append":
            calmkit.add_record(sys.argv[1], r)
        else:
            calmkit.update_journal(sys.argv[1], lambda j: j.add(r))
    except calmkit.FileError as e:
        print(e.errno)
        sys.exit(7)
""")


@pytest.mark.parametrize("how", ["append", "update"])
def test_a_full_disk_leaves_the_kept_file_as_it_was(tmp_path: Path, how: str) -> None:
    extra = [json.dumps({"type": "reading", "id": f"x{k}", "time": "2026-03-01T08:00:00+01:00", "intensity": 2,
                         "note_from_app": "x" * 20}).encode() for k in range(40)]
    kept = _kept_text() + b"\r\n" + b"\r\n".join(extra) + b"\r\n"
    path = tmp_path / "j.jsonl"
    path.write_bytes(kept)
    assert len(kept) > 2000
    p = subprocess.run([sys.executable, "-c", FULL_DISK, str(path), how], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 7, p.stderr
    assert path.read_bytes() == kept
    assert sorted(x.name for x in tmp_path.iterdir()) == ["j.jsonl", "j.jsonl.lock"]  # no temporary left


WRITER = textwrap.dedent("""
    import sys, calmkit
    path, worker, n, how = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    for k in range(n):
        make = lambda j: calmkit.Reading(id=f"n-{len(j.readings) + 1}", time="2026-03-05T08:00:00+01:00",
                                         intensity=k % 11, note=f"{worker}/{k}")
        if how == "append":
            calmkit.add_record(path, make)
        else:
            calmkit.update_journal(path, lambda j: j.add(make(j)))
""")


def test_processes_appending_and_updating_at_once_lose_nothing_and_keep_the_bytes(tmp_path: Path) -> None:
    kept = _kept_text()
    path = _write(tmp_path, kept)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{w}", "15",
                               "append" if w % 2 else "update"]) for w in range(4)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0, 0]
    data = path.read_bytes()
    assert data.startswith(kept + b"\r\n")
    new = [json.loads(line) for line in data[len(kept) + 2:].split(b"\r\n") if line]
    assert len(new) == 60 and len({r["id"] for r in new}) == 60
    assert sorted(r["note"] for r in new) == sorted(f"w{w}/{k}" for w in range(4) for k in range(15))
    assert len(calmkit.read_journal(path).readings) == 62


def test_a_journal_kept_past_its_call_is_empty_and_safe(tmp_path: Path):
    """The Journal handed to change(journal) or make(journal) belongs to the call;
    one the callable keeps (here in a list) is afterwards a valid, empty Journal,
    never one that points at memory the call has freed (run under a sanitizer
    or valgrind, the reads below touched freed memory when the object was a
    mere reference). The records reach the file all the same."""
    path = tmp_path / "journal.jsonl"
    calmkit.add_record(path, calmkit.Trigger(id="t1", time="2026-03-02T21:14:00+01:00",
                                             category="delayed_reply", intensity=7))
    kept: list[calmkit.Journal] = []

    def change(journal: calmkit.Journal) -> None:
        kept.append(journal)
        journal.add(calmkit.Reading(time="2026-03-02T21:20:00+01:00", intensity=5))

    def change_and_return_it(journal: calmkit.Journal) -> calmkit.Journal:
        kept.append(journal)
        journal.add(calmkit.Reading(time="2026-03-02T21:30:00+01:00", intensity=4))
        return journal  # the same object back: changed in place

    def make(journal: calmkit.Journal) -> calmkit.Reading:
        kept.append(journal)
        assert [t.id for t in journal.triggers] == ["t1"]  # the journal as read, during the call
        return calmkit.Reading(time="2026-03-02T21:40:00+01:00", intensity=3, trigger="t1")

    calmkit.update_journal(path, change)
    calmkit.update_journal(path, change_and_return_it)
    calmkit.append_records(path, [make])
    for journal in kept:
        assert len(journal) == 0 and list(journal.triggers) == [] and journal.participants() == []
        journal.add(calmkit.Reading(time="2026-03-02T22:00:00+01:00", intensity=2))  # still usable
    got = calmkit.read_journal(path)
    assert [r.intensity for r in got.readings] == [5, 4, 3]
    assert got.readings[2].trigger == "t1"
