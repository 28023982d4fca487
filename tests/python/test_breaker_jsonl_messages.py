"""What the reader says about a line must be true of the line.

A whole, valid JSON object followed by anything but blanks is one mistake
(Python's json module calls it "Extra data"; calmkit's reader says
"unexpected content after the JSON object" when the extra is a `}`). For any
other extra (a word, a comment, a comma, a NUL byte, a vertical tab) it said
"invalid JSON: JSON document ended early in the middle of an object or
array." — the object had ended, and the person looks for a missing brace
that is not missing.

Strict xfails name the finding (B5); when it is fixed, the case turns red:
remove the mark in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit

LINE = ('{"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T10:00:00Z",'
        '"category":"other","intensity":5}')
AFTER = {"a closing brace": "}"}
WRONG = {"a word": " x", "a letter": "x", "a comment": " // note", "a comma": ",", "a number": " 1",
         "a bracket": "]", "a hash": "#", "a vertical tab": "\x0b", "a NUL byte": "\x00",
         "a no-break space": "\u00a0"}


def _reasons(text: str, tmp_path: Path) -> list[tuple[str, int, str, str]]:
    """(how, line, field, reason) of the lenient and strict reads, 1 and 2 threads."""
    f = tmp_path / "j.jsonl"
    f.write_bytes(text.encode("utf-8"))
    out = []
    for threads in (1, 2):
        res = calmkit.read_journal_with_report(f, lenient=True, threads=threads)
        out += [("lenient", s.line, s.field, s.reason) for s in res.report.skipped]
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.read_journal(f, threads=threads)
        out.append(("strict", e.value.line, e.value.field, e.value.reason))
    return out


@pytest.mark.parametrize("extra", list(AFTER))
def test_what_the_reader_already_calls_content_after_the_object(extra: str, tmp_path: Path) -> None:
    got = _reasons(LINE + "\n" + LINE.replace("t1", "t2") + AFTER[extra] + "\n", tmp_path)
    assert {g[1:] for g in got} == {(2, "", "unexpected content after the JSON object")}


@pytest.mark.parametrize("extra", list(WRONG))
def test_content_after_a_whole_object_is_called_so(extra: str, tmp_path: Path) -> None:
    text = LINE.replace("t1", "t2") + WRONG[extra]
    with pytest.raises(json.JSONDecodeError, match="Extra data"):  # the reference: the object is whole
        json.loads(text)
    got = _reasons(LINE + "\n" + text + "\n", tmp_path)
    assert {g[1:] for g in got} == {(2, "", "unexpected content after the JSON object")}, got
