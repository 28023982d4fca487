"""A Daylio or Bearable export whose line ends were converted to CRLF.

The apps write LF, inside quoted notes too. A file kept in git on Windows
(core.autocrlf) or passed through unix2dos comes back with every LF turned
into CRLF, the line breaks inside quoted notes included. calmkit.csv_input
reads CRLF, LF and classic Mac CR line ends alike, and turns a CR-only file's
breaks inside quotes into "\\n" "the same as in the app's own export" (its
docstring). A CRLF file kept "\\r\\n" in the note, so one export gave two
different notes depending on how its line ends had been converted. Now the
importers read a CR LF inside a cell as LF (B211).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

DAYLIO = ('full_date,date,weekday,time,mood,activities,note\n'
          '2020-05-30,30 May,Saturday,6:50 pm,rad,,"line1\nline2"\n')
BEARABLE = ('date,weekday,time of day,category,rating/amount,detail,notes\n'
            '2026-03-03,Tuesday,am,Mood,7,,"line1\nline2"\n')


def _notes(tmp_path: Path, text: str, ends: str, read) -> list[str]:
    path = tmp_path / f"export-{len(ends)}-{ends == chr(13)}.csv"
    path.write_bytes(text.replace("\n", ends).encode("utf-8"))
    journal, _ = read(path, tz="UTC")
    return [r.note for r in journal.readings]


@pytest.mark.parametrize("text,read", [(DAYLIO, calmkit.import_daylio), (BEARABLE, calmkit.import_bearable)])
def test_note_is_the_same_whatever_the_line_ends(tmp_path: Path, text: str, read) -> None:
    lf = _notes(tmp_path, text, "\n", read)
    assert all("line1\nline2" in n for n in lf)
    assert _notes(tmp_path, text, "\r", read) == lf
    assert _notes(tmp_path, text, "\r\n", read) == lf
