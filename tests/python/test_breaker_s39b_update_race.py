"""update_journal on an absent or empty journal while a program that does not
take the journal's lock writes it.

docs/store.md (Changing a journal file): "The file's bytes are not held while
``change`` runs (only the journals are): they are read again for the write,
and if a program that does not take the lock wrote the file meanwhile, the
update is refused (``FileError``, EBUSY; nothing is written) instead of
writing over what it wrote." The test of that promise
(test_update_record_without_id.py) starts from a journal with records; here the
journal is absent or empty when the update starts, the first entry of a new
journal (``calmkit log`` on a new phone), and a sync client or a text editor
writes the file while ``change`` runs. The reference for "what it wrote" is
that program's own bytes, compared with the file's bytes afterwards.

B270 (fixed): an absent or empty file was written whole after ``change`` without
looking at it again, so the other program's lines were lost without a word.
"""

from __future__ import annotations

import errno
import json
from datetime import datetime
from pathlib import Path

import pytest

import calmkit

THEIRS = {"type": "reading", "participant": "p", "time": "2026-03-02T21:00:00+01:00", "intensity": 6,
          "app": "watch"}
OURS = calmkit.Reading(participant="p", time=datetime.fromisoformat("2026-03-02T22:00:00+01:00"), intensity=2)
B270 = "B270: update_journal of an absent or empty journal wrote over what another program wrote meanwhile"


def _their_bytes() -> bytes:
    return json.dumps(THEIRS).encode() + b"\n"


@pytest.mark.parametrize("start", ["absent", "empty"])
def test_a_journal_written_by_another_program_during_the_change_is_not_overwritten(tmp_path: Path,
                                                                                     start: str) -> None:
    path = tmp_path / "j.jsonl"
    if start == "empty":
        path.write_bytes(b"")
    theirs = _their_bytes()

    def change(j: calmkit.Journal) -> None:
        path.write_bytes(theirs)  # another program, no lock
        j.add(OURS)

    with pytest.raises(calmkit.FileError) as e:
        calmkit.update_journal(path, change)
    assert path.read_bytes() == theirs, B270
    assert e.value.errno == errno.EBUSY
    assert str(path) in str(e.value)


def test_a_journal_created_empty_by_another_program_is_not_written_over(tmp_path: Path) -> None:
    """Absent before, an empty file after (another program's ``touch``): the bytes
    differ in being there at all; the update is refused all the same, and the
    empty file is left as it is (no header line in it)."""
    path = tmp_path / "j.jsonl"

    def change(j: calmkit.Journal) -> None:
        path.write_bytes(b"")
        j.add(OURS)

    with pytest.raises(calmkit.FileError):
        calmkit.update_journal(path, change)
    assert path.read_bytes() == b"", B270


@pytest.mark.parametrize("start", ["absent", "empty"])
def test_without_another_writer_the_new_journal_is_written(tmp_path: Path, start: str) -> None:
    """The refusal is no false alarm: nobody else writes, the journal is written as
    write_journal writes it, and a second update appends to it."""
    path = tmp_path / "j.jsonl"
    if start == "empty":
        path.write_bytes(b"")
    calmkit.update_journal(path, lambda j: j.add(OURS))
    assert list(calmkit.read_journal(path).readings) == [OURS]
    calmkit.update_journal(path, lambda j: j.add(calmkit.Reading(participant="p", time=OURS.time, intensity=3)))
    assert sorted(r.intensity for r in calmkit.read_journal(path).readings) == [2, 3]
