"""Which problem a line with two of them is refused for.

docs/journal-format.md lists the line's own rules first -- valid JSON, valid
UTF-8, one object with nothing after it, no key twice in one object -- then
required fields, types and ranges; the reader says so too ("if the line is not
one valid JSON object, that comes first"). A field that breaks a range before
the line's end must not hide a line problem after it: bad UTF-8, a bad escape,
a control character or a truncated object after it are reported as the line's
problem; a key given twice after it must be, too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

BAD_RANGE = b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":99'


def _refusal(line: bytes, tmp_path: Path) -> set:
    f = tmp_path / "j.jsonl"
    f.write_bytes(line + b"\n")
    seen = set()
    for threads, chunk in [(1, 1 << 20), (2, 1), (4, 64)]:
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.read_journal(f, threads=threads, chunk_bytes=chunk)
        seen.add((e.value.field, e.value.reason))
    (one,) = seen
    return one


@pytest.mark.parametrize("tail", [b',"note":"\xff"}', b',"note":"a\x01"}', b',"note":"\\q"}', b',"x":[1,2', b"} x"])
def test_a_line_problem_after_a_broken_range_comes_first(tail: bytes, tmp_path: Path) -> None:
    field, reason = _refusal(BAD_RANGE + tail, tmp_path)
    assert "0..10" not in reason, (field, reason)


def test_a_key_twice_alone_is_the_lines_problem(tmp_path: Path) -> None:
    line = b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3,"time":"2026-03-02T10:00:00Z"}'
    assert _refusal(line, tmp_path) == ("time", "duplicate key in one object")


@pytest.mark.parametrize("tail", [b',"time":"2026-03-02T10:00:00Z"}', b',"intensity":3}'])
def test_a_key_twice_after_a_broken_range_comes_first(tail: bytes, tmp_path: Path) -> None:
    field, reason = _refusal(BAD_RANGE + tail, tmp_path)
    assert reason == "duplicate key in one object", (field, reason)
