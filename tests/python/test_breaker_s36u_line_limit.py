"""append_records and update_journal refuse a file whose line is longer than
max_line_bytes (16 MiB by default), as read_journal does. The lines they
write themselves must then fit the same limit: otherwise the call succeeds and
leaves a journal that read_journal, and every later append_records or
update_journal, refuses. The reference is read_journal with the same limit on
the file the call leaves (and, when the call refuses, the file's bytes as
they were)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import calmkit

FIRST = {"type": "reading", "id": "r1", "time": "2026-03-02T21:00:00+01:00", "intensity": 1}
SECOND = {"type": "reading", "id": "r2", "time": "2026-03-03T08:00:00+01:00", "intensity": 1}


def _long(note_bytes: int) -> calmkit.Reading:
    return calmkit.Reading(id="r2", time=SECOND["time"], intensity=2, note="x" * note_bytes)


def _leaves_a_readable_file(path: Path, call: Callable[[], None], **limits: int) -> None:
    """Runs `call`; whether it refuses or not, the file reads with `limits`
    afterwards, and a refusal leaves its bytes as they were."""
    data = path.read_bytes()
    try:
        call()
    except (ValueError, OSError):
        assert path.read_bytes() == data
    calmkit.read_journal(path, **limits)


def test_append_records_never_writes_a_line_longer_than_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(json.dumps(FIRST).encode() + b"\n")
    _leaves_a_readable_file(path, lambda: calmkit.append_records(path, [_long(16 * 1024 * 1024)]))


@pytest.mark.parametrize("how", ["append_records", "update_add", "update_change"])
def test_a_new_line_fits_the_limit_the_call_applies(tmp_path: Path, how: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(json.dumps(o).encode() + b"\n" for o in (FIRST, SECOND)))
    new = _long(300)

    def call() -> None:
        if how == "append_records":
            calmkit.append_records(path, [calmkit.Reading(id="r3", time=SECOND["time"], intensity=2,
                                                          note="x" * 300)], max_line_bytes=200)
        elif how == "update_add":
            calmkit.update_journal(path, lambda j: j.add(calmkit.Reading(id="r3", time=SECOND["time"],
                                                                         intensity=2, note="x" * 300)),
                                   max_line_bytes=200)
        else:
            calmkit.update_journal(path, lambda j: calmkit.Journal([j.readings[0], new]), max_line_bytes=200)

    _leaves_a_readable_file(path, call, max_line_bytes=200)


def test_lines_within_the_limit_are_written_and_read(tmp_path: Path) -> None:
    """The same calls with a note that fits: written, and read back with the limit."""
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(json.dumps(o).encode() + b"\n" for o in (FIRST, SECOND)))
    calmkit.append_records(path, [calmkit.Reading(id="r3", time=SECOND["time"], intensity=2, note="x" * 50)],
                           max_line_bytes=200)
    calmkit.update_journal(path, lambda j: calmkit.Journal([j.readings[0], _long(40), j.readings[2]]),
                           max_line_bytes=200)
    j = calmkit.read_journal(path, max_line_bytes=200)
    assert [r.note for r in j.readings] == ["", "x" * 40, "x" * 50]
