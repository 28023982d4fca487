"""CSV files with classic Mac line ends (a CR alone, Excel for Mac's "CSV
(Macintosh)"), read by calmkit.csv_input for every CSV importer.

Such a file was split into lines by appending each 1 MiB read to the bytes
not yet split and splitting all of them again, so a line longer than a read
cost time in proportion to the square of its length (CPU time of a Daylio
import whose note is one long line: 2.5 s at 50 MB, 8.9 s at 100 MB; a file
with LF line ends 1.0 s and 1.6 s). Now each read is searched once (B207:
0.9 s and 2.0 s). The speed is measured outside the tests; these check that
the lines are still the same, wherever a CR falls against the reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calmkit.csv_input import read_table

CHUNK = 1 << 20  # the size csv_input reads a CR-only file in


def _rows(path: Path) -> list[tuple[int, int, list[str]]]:
    table = read_table(path)
    return [(table.header_line, table.header_line, table.header)] + [tuple(r) for r in table.rows()]


@pytest.mark.parametrize("shift", [-2, -1, 0, 1, 2])
def test_cr_lines_equal_lf_lines_across_reads(tmp_path: Path, shift: int) -> None:
    header = b"full_date,date,weekday,time,mood,activities,note"
    # The first CR after the header falls at the end of the first read, shifted.
    filler = CHUNK - len(header) - 1 - len(b'2020-05-30,30 May,Saturday,6:50 pm,rad,,"') - 1 + shift
    lines = [header, b'2020-05-30,30 May,Saturday,6:50 pm,rad,,"' + b"x" * filler + b'"',
             b'2020-05-29,29 May,Friday,9:24 pm,good,a | b,"two\rlines"', b"", b",,,,,,",
             b'2020-05-28,28 May,Thursday,3:20 pm,meh,,"' + b"y" * (3 * CHUNK) + b'"',
             b"2020-05-27,27 May,Wednesday,8:50 pm,bad,,"]
    cr = tmp_path / "mac.csv"
    lf = tmp_path / "unix.csv"
    cr.write_bytes(b"\r".join(lines) + b"\r")
    lf.write_bytes(b"\n".join(lines).replace(b"two\rlines", b"two\nlines") + b"\n")
    got, want = _rows(cr), _rows(lf)
    assert got == want
    assert [len(r[2]) for r in got] == [7, 7, 7, 7, 7]
    assert got[2][2][6] == "two\nlines"


def test_cr_file_without_a_final_line_end(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b\r1,2\r3," + b"z" * (2 * CHUNK + 5))
    table = read_table(path)
    assert table.header == ["a", "b"]
    assert [r[2] for r in table.rows()] == [["1", "2"], ["3", "z" * (2 * CHUNK + 5)]]
