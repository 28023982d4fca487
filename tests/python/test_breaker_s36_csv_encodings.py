"""calmkit.csv_input.read_table with an ``encoding=`` whose line end is not
the byte 0x0A, against Python's own reading of the same file
(``open(path, encoding=..., newline="")`` + :mod:`csv`).

The module's error for undecodable bytes says "pass encoding= if the file was
re-saved in another encoding", and ``encoding`` is any codec Python knows.

B106 (fixed): the file is split into lines at the byte 0x0A before decoding, which
is only right for encodings where a line end is that one byte. UTF-16 without
a byte-order mark (``encoding="utf-16-le"``, as Windows tools write "Unicode"
text without a BOM) is refused on line 1 ("bytes not valid utf-16-le (byte
0x0a ...)"), and UTF-32 with its byte-order mark (``encoding="utf-32"``) is
read without any error as a header ``['\\x00a\\x00', ...]`` full of NUL
characters: the mark's first two bytes are taken for UTF-16's.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from calmkit import csv_input

ROWS = [["full_date", "time", "mood", "note"], ["2026-03-05", "21:14", "rad", "Übung, gut"],
        ["2026-03-06", "9:02 PM", "meh", "zwei\nZeilen"]]


def _write(path: Path, encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(ROWS)
    return path


def _python_reads(path: Path, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def _calmkit_reads(path: Path, encoding: str) -> list[list[str]]:
    table = csv_input.read_table(path, encoding=encoding)
    return [table.header or []] + [row.fields for row in table.rows()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-be", "utf-32-be"])
def test_encodings_calmkit_reads_like_python(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "export.csv", encoding)
    assert _python_reads(path, encoding) == ROWS
    assert _calmkit_reads(path, encoding) == ROWS


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32", "utf-32-le"])
def test_encodings_whose_line_end_is_not_one_byte(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "export.csv", encoding)
    assert _python_reads(path, encoding) == ROWS
    assert _calmkit_reads(path, encoding) == ROWS

