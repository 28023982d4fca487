"""The last line of a file that has no line break at its end.

docs/journal-format.md: a line is UTF-8, exactly one JSON object with nothing
after it. A line that ends in bytes that are not UTF-8 is refused when a line
break follows it; the same line as the file's last, with no line break, must
be refused the same way, strict and lenient, for any thread count and share.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

GOOD = b'{"type":"reading","participant":"p","time":"2026-03-02T10:00:00Z","intensity":3}'
TAILS = {
    "c3": b"\xc3",  # the first byte of a two-byte sequence
    "e2 82": b"\xe2\x82",  # two bytes of a three-byte sequence
    "f0 9f 98": b"\xf0\x9f\x98",  # three bytes of a four-byte sequence
    "fe": b"\xfe",  # a byte UTF-8 never has
    "space ff": b" \xff",
    "ff x": b"\xffx",  # not UTF-8, and content after the object
}
CUTS = [(1, 1 << 20), (2, 1), (4, 64)]


def _outcomes(data: bytes, lenient: bool, tmp_path: Path) -> set:
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    seen = set()
    for threads, chunk in CUTS:
        try:
            res = calmkit.read_journal_with_report(f, lenient=lenient, threads=threads, chunk_bytes=chunk)
            seen.add(("ok", len(res.journal), tuple((s.line, s.field) for s in res.report.skipped)))
        except calmkit.JournalFormatError as e:
            seen.add(("error", e.line, e.field))
    return seen


@pytest.mark.parametrize("tail", TAILS.values(), ids=TAILS.keys())
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_a_middle_line_ending_in_bytes_that_are_not_utf8_is_refused(tail: bytes, lenient: bool,
                                                                      tmp_path: Path) -> None:
    want = ("ok", 2, ((2, ""),)) if lenient else ("error", 2, "")
    assert _outcomes(GOOD + b"\n" + GOOD + tail + b"\n" + GOOD + b"\n", lenient, tmp_path) == {want}


@pytest.mark.parametrize("tail", TAILS.values(), ids=TAILS.keys())
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_the_last_line_ending_in_bytes_that_are_not_utf8_is_refused(tail: bytes, lenient: bool,
                                                                    tmp_path: Path) -> None:
    want = ("ok", 1, ((2, ""),)) if lenient else ("error", 2, "")
    assert _outcomes(GOOD + b"\n" + GOOD + tail, lenient, tmp_path) == {want}


@pytest.mark.parametrize("tail", [b" x", b",", b"}", b"\x80", b"\xff\xfe"])
def test_the_last_line_with_other_content_after_its_object_is_refused(tail: bytes, tmp_path: Path) -> None:
    assert _outcomes(GOOD + b"\n" + GOOD + tail, False, tmp_path) == {("error", 2, "")}
