"""The older Daylio layout's ``date`` cell (day and month in the phone's
language, ``18 May``) holding a character that ``str.isdigit`` calls a digit
but ``int()`` cannot read (a superscript ``²``, ``³``), against the
importer's own error for every other unreadable ``date`` cell (``x May``,
``32 May``): "field 'date': 'x May' in '2026' is not a day and month such
as '18 May' ...", which names file, line and field as docs/importing.md
promises for a cell that breaks the app's format.

B111: ``² May`` gets the generic fallback "a value calmkit cannot read
(ValueError): invalid literal for int() with base 10: '²'", with no field:
``_month_and_day`` tests the day with ``isdigit`` and then calls ``int``.
Python's own reference: ``"²".isdigit()`` is true and ``int("²")`` raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit


def _daylio(tmp_path: Path, date: str) -> Path:
    path = tmp_path / "daylio_export.csv"
    path.write_text("year,date,weekday,time,mood,activities,note\n"
                    f"2026,{date},Monday,21:14,bad,,x\n", encoding="utf-8")
    return path


def test_the_reference_isdigit_is_not_what_int_reads() -> None:
    assert "²".isdigit()
    with pytest.raises(ValueError):
        int("²")


@pytest.mark.parametrize("date", ["x May", "32 May", "May"])
def test_an_unreadable_date_names_its_field(tmp_path: Path, date: str) -> None:
    with pytest.raises(calmkit.ImportFormatError) as e:
        calmkit.import_daylio(_daylio(tmp_path, date), tz="Europe/Berlin")
    assert e.value.line == 2 and e.value.field == "date", str(e.value)
    assert "is not a day and month" in str(e.value)


@pytest.mark.parametrize("date", ["² May", "May ³"])
def test_a_superscript_day_names_its_field(tmp_path: Path, date: str) -> None:
    with pytest.raises(calmkit.ImportFormatError) as e:
        calmkit.import_daylio(_daylio(tmp_path, date), tz="Europe/Berlin")
    assert e.value.line == 2 and e.value.field == "date", str(e.value)
    assert "is not a day and month" in str(e.value)
