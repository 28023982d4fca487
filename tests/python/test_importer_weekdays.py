"""The ``weekday`` column of Daylio and Bearable exports against the row's date.

Both apps write an entry's day of the week beside its date (Daylio:
``full_date,date,weekday,time,...``, as in the sample export of
MichaelCurrin/daylio-csv-parser, ``2021-09-28,28 September,Tuesday,10:00 pm``;
Bearable: ``date,weekday,time of day,...``, ``22nd Jan 2022,Sat``). A
weekday that is not the date's (by Python's calendar) leaves two days for one
entry: an error naming file, line and ``weekday``, or in lenient mode a
skipped row saying so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pytest

import calmkit
from calmkit.importers._common import WEEKDAY_NAMES
from calmkit.importers.report import ImportFormatError

DAYLIO_HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"
# The public sample export's rows (2021-09-28 was a Tuesday).
DAYLIO_ROWS = ['2021-09-28,28 September,{},10:00 pm,bad,"clean | music",,\n',
               '2021-09-27,27 September,Monday,11:00 pm,meh,"eat out",,\n']


def _daylio(tmp_path: Path, weekday: str) -> Path:
    path = tmp_path / "daylio.csv"
    path.write_text(DAYLIO_HEADER + DAYLIO_ROWS[0].format(weekday) + DAYLIO_ROWS[1], encoding="utf-8")
    return path


@pytest.mark.parametrize("weekday", ["Tuesday", "Tue", "tuesday", "Dienstag", "Di", "mardi", "mar.", "martes",
                                     "martedì", "terça-feira", "dinsdag", "", "火曜日"])
def test_daylio_takes_the_dates_weekday_in_any_language_it_knows_and_leaves_others(tmp_path: Path,
                                                                                     weekday: str) -> None:
    journal, report = calmkit.import_daylio(_daylio(tmp_path, weekday), utc_offset=0)
    assert len(journal.readings) == 2 and not report.skipped


@pytest.mark.parametrize("weekday", ["Monday", "Wed", "Mittwoch", "lundi", "domingo", "zo"])
def test_daylio_refuses_another_weekday_naming_line_and_field(tmp_path: Path, weekday: str) -> None:
    path = _daylio(tmp_path, weekday)
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_daylio(path, utc_offset=0)
    assert (e.value.line, e.value.field) == (2, "weekday")
    assert str(e.value).startswith(f"{path}:2: field 'weekday': ")
    assert f"{weekday!r} is not the weekday of full_date '2021-09-28' (a Tuesday)" in str(e.value)
    journal, report = calmkit.import_daylio(path, utc_offset=0, lenient=True)
    assert len(journal.readings) == 1
    assert [(s.line, s.field) for s in report.skipped] == [(2, "weekday")]


def test_daylio_older_layout_checks_the_weekday_of_date_and_year(tmp_path: Path) -> None:
    # docs/importing.md's example row of the older layout: 18 May 2018 was a Friday.
    path = tmp_path / "old.csv"
    head = "year,date,weekday,time,mood,activities,note\n"
    path.write_text(head + "2018,18 May,Friday,11:54 pm,good,,\n", encoding="utf-8")
    assert len(calmkit.import_daylio(path, utc_offset=0).journal.readings) == 1
    path.write_text(head + "2018,18 May,Thursday,11:54 pm,good,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r":2: field 'weekday': 'Thursday' is not the weekday of date "
                                                r"'18 May 2018' \(a Friday\)"):
        calmkit.import_daylio(path, utc_offset=0)


BEARABLE = "date,weekday,time of day,category,rating/amount,detail,notes\n22nd Jan 2022,{},09:00,Mood,4,Mood,\n"


@pytest.mark.parametrize("weekday,ok", [("Sat", True), ("Saturday", True), ("", True), ("Fri", False),
                                        ("Sun", False)])
def test_bearable_checks_the_weekday_against_the_date(tmp_path: Path, weekday: str, ok: bool) -> None:
    path = tmp_path / "bearable.csv"
    path.write_text(BEARABLE.format(weekday), encoding="utf-8")
    if ok:
        assert len(calmkit.import_bearable(path, utc_offset=0).journal.readings) == 1
        return
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_bearable(path, utc_offset=0)
    assert (e.value.line, e.value.field) == (2, "weekday")
    assert "is not the weekday of date '22nd Jan 2022' (a Saturday)" in str(e.value)
    journal, report = calmkit.import_bearable(path, utc_offset=0, lenient=True)
    assert len(journal.readings) == 0 and [(s.line, s.field) for s in report.skipped] == [(2, "weekday")]


def test_bearable_checks_rows_it_does_not_map_too(tmp_path: Path) -> None:
    path = tmp_path / "bearable.csv"
    path.write_text("date,weekday,time of day,category,rating/amount,detail,notes\n"
                    "22nd Jan 2022,Mon,09:00,Sleep,3,Sleep quality,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r":2: field 'weekday'"):
        calmkit.import_bearable(path, utc_offset=0)


def test_the_weekday_names_are_unambiguous_and_english_is_pythons() -> None:
    seen: dict[str, int] = {}
    for day, names in enumerate(WEEKDAY_NAMES):
        for name in names:
            assert seen.setdefault(name, day) == day, (name, seen[name], day)
            assert name == name.casefold()
    # Monday first, as datetime.weekday() counts; the English names as Python's calendar writes them.
    assert [names[0] for names in WEEKDAY_NAMES] == [calendar.day_name[i].lower() for i in range(7)]
    assert all(calendar.day_abbr[i].lower() in WEEKDAY_NAMES[i] for i in range(7))
    assert dt.date(2021, 9, 28).weekday() == 1 and dt.date(2022, 1, 22).weekday() == 5


def test_every_committed_export_has_the_weekdays_of_its_dates() -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "importers"
    for csv in sorted(data.glob("**/*.csv")):
        head = csv.read_bytes()[:200]
        if b"weekday" not in head:
            continue
        read = calmkit.import_daylio if b"mood" in head.split(b"\n")[0] else calmkit.import_bearable
        try:
            _, report = read(csv, utc_offset=0, lenient=True)
        except (ImportFormatError, ValueError, UnicodeError):
            continue  # a file that is bad on purpose, as a whole
        assert not [s for s in report.skipped if s.field == "weekday"], (csv, report.skipped)
