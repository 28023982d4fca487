"""Daylio CSV export → calmkit readings. The mapping is documented in
docs/importing.md ("Daylio")."""
from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..csv_input import CsvTable, parse_clock_time, parse_date
from .. import _core
from ._common import (
    LocalClock,
    build_journal,
    check_arguments,
    check_weekday,
    check_year,
    read_export_table,
    read_rows,
)
from .report import ImportFormatError, ImportReport, ImportResult

__all__ = ["DAYLIO_LAYOUTS", "DAYLIO_MOODS", "import_daylio"]

#: Daylio's five built-in moods → distress 0–10. Inverted (a good mood is low
#: distress) and spread evenly over 1..9: the mood scale says how someone felt
#: over a stretch of time, not that they were perfectly calm (0) or at the
#: worst distress imaginable (10).
DAYLIO_MOODS: Mapping[str, int] = {"rad": 1, "good": 3, "meh": 5, "bad": 7, "awful": 9}

#: The header layouts Daylio has written, newest first (docs/importing.md).
#: ``full_date`` layouts: the "Export entries (CSV)" of Daylio 1.x/2.x since
#: about 2019, with and without ``note_title``; the ``year`` layout: older
#: exports, whose ``date`` is day and month in the phone's language
#: (``18 May``) and ``year`` the year.
DAYLIO_LAYOUTS: Mapping[str, tuple[str, ...]] = {
    "full_date with note_title": ("full_date", "date", "weekday", "time", "mood", "activities",
                                  "note_title", "note"),
    "full_date": ("full_date", "date", "weekday", "time", "mood", "activities", "note"),
    "year": ("year", "date", "weekday", "time", "mood", "activities", "note"),
}
#: Month names (full and abbreviated, lower case) as CLDR writes them in the
#: languages the older layout's ``date`` column is most often in: English,
#: German, French, Spanish, Italian, Portuguese and Dutch. No name means two
#: different months in two of these languages (checked by the tests).
_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "januar", "jän", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro",
     "januari"),
    ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev",
     "februari"),
    ("march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart", "mrt"),
    ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    ("may", "mai", "mayo", "maggio", "mag", "maio", "mei"),
    ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"),
    ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
    ("august", "aug", "août", "aout", "agosto", "ago", "augustus"),
    ("september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"),
    ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"),
    ("november", "nov", "novembre", "noviembre", "novembro"),
    ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre",
     "dezembro"),
)
_MONTHS = {name: i + 1 for i, names in enumerate(_MONTH_NAMES) for name in names}
#: Words between day and month in some languages (``18 de mayo``).
_DATE_FILLERS = frozenset({"de", "del"})


def _layout(header: list[str], table: CsvTable) -> str:
    """The layout a header is written in; duplicated, unknown or missing
    columns are an error naming them (and the separator the header was split at)."""
    return table.layout(header, DAYLIO_LAYOUTS, "Daylio")


def _month_and_day(text: str) -> Optional[tuple[int, int]]:
    """(month, day) of a ``date`` cell (``18 May``, ``May 18``, ``18. Mai``,
    ``18 de mayo``), month names of :data:`_MONTH_NAMES` (the column is in
    the phone's language); None for text in another shape or language."""
    words = [w for w in text.replace(".", " ").replace(",", " ").split() if w.lower() not in _DATE_FILLERS]
    if len(words) != 2:
        return None
    day, month = (words[0], words[1]) if words[0].isdecimal() else (words[1], words[0])
    m = _MONTHS.get(month.lower())
    if m is None or not day.isdecimal() or len(day) > 2:
        return None
    return m, int(day)


def _day_month(text: str, year: str) -> Optional[datetime]:
    """The ``date`` of the older layout (``18 May``, ``May 18``, ``18. Mai``,
    ``18 de mayo``) in ``year`` (see :func:`_month_and_day`)."""
    found = _month_and_day(text)
    if found is None or not year.strip().isdecimal() or len(year.strip()) != 4:
        return None
    try:
        return datetime(int(year), found[0], found[1])
    except ValueError:
        return None


def _check_mood_map(mood_map: Optional[Mapping[str, int]]) -> dict[str, int]:
    """DAYLIO_MOODS with ``mood_map`` applied (names compared case-insensitively,
    as the rows are); two names that are the same mood are an error."""
    table = dict(DAYLIO_MOODS)
    given: dict[str, str] = {}
    for name, value in (mood_map or {}).items():
        reason = _core._intensity_reason(value)  # the model's rule (Intensity)
        if reason is not None:
            raise ValueError(f"mood_map[{name!r}]: {reason}")
        key = str(name).strip().casefold()
        if not key:
            raise ValueError(f"mood_map has an empty mood name ({name!r})")
        if key in given:
            raise ValueError(f"mood_map names one mood twice: {given[key]!r} and {name!r} (mood names are "
                             "compared ignoring case and surrounding spaces); keep one")
        given[key] = str(name)
        table[key] = value
    return table


#: Years a calmkit journal can hold (docs/journal-format.md).


def import_daylio(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                  utc_offset: Optional[int] = None, participant: str = "",
                  mood_map: Optional[Mapping[str, int]] = None, encoding: str = "utf-8",
                  lenient: bool = False) -> ImportResult:
    """Reads a Daylio CSV export into distress readings.

    Each row becomes one reading at ``full_date`` + ``time`` in ``tz`` (or at the
    fixed ``utc_offset`` minutes); its intensity comes from the mood
    (:data:`DAYLIO_MOODS`, extended or overridden by ``mood_map`` for custom
    mood names, compared ignoring case: two entries for one name are a
    ValueError, an entry no imported row uses is listed in
    ``report.warnings``); a year outside 1400-9999 is an error naming the
    date's field; the mood name, activities, note title and note are kept in
    the reading's note. Every layout in :data:`DAYLIO_LAYOUTS` is read,
    detected from the header (``report.layout`` says which): the current
    ``full_date`` export with or without ``note_title``, and the older
    ``year,date,weekday,time,mood,activities,note`` one (``2018,18 May,...``).
    A header with a duplicated, unknown or missing column is an error naming
    it. Fields may be of any length. A ``date`` that names another day than
    ``full_date`` is an error naming the line and ``date`` (a ``date`` in a
    language without known month names is not compared), and so is a
    ``weekday`` that is not the date's day of the week, naming ``weekday``
    (a weekday in a language other than English, German, French, Spanish,
    Italian, Portuguese or Dutch is not compared).

    Raises TypeError/ValueError naming the argument, before the file is read,
    for a ``participant`` that is not text the model takes, an ``encoding``
    that is not a text codec's name or a ``lenient`` that is not True or
    False.

    Strict mode (the default) raises :class:`ImportFormatError` naming file,
    line and field at the first bad row; ``lenient=True`` skips bad rows and
    lists them in ``report.skipped``.

    Example::

        journal, report = calmkit.import_daylio("daylio_export.csv", tz="Europe/Berlin")
        print(report.summary())
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    path = Path(path)
    src = str(path)
    check_arguments(participant=participant, lenient=lenient, encoding=encoding)
    clock = LocalClock(tz, utc_offset)
    moods = _check_mood_map(mood_map)
    given = {str(k).strip().casefold(): str(k) for k in (mood_map or {})}
    report = ImportReport(source=src, format="daylio")
    table = read_export_table(path, src, app="Daylio", layouts=DAYLIO_LAYOUTS, encoding=encoding,
                              lenient=lenient)
    bad_lines = table.bad_lines
    header = [c.strip().casefold() for c in table.header]
    layout = _layout(header, table)
    report.layout = layout

    def one_row(first: int, last: int, row: list[str]) -> dict[str, Any]:
        record = _row(row, header, layout, first, last, src, encoding, bad_lines, moods, clock, participant, report)
        given.pop(row[header.index("mood")].strip().casefold(), None)
        return record

    records, sources = read_rows(table, src, report, lenient=lenient, one_row=one_row)
    if given:
        # A mapping no row used is most often a misspelt mood name: say so, do not ignore it.
        names = ", ".join(repr(n) for n in sorted(given.values()))
        report.warnings.append(f"mood_map names mood(s) no imported row has: {names} (misspelt?)")
    return ImportResult(build_journal(records, src, sources=sources, report=report, lenient=lenient), report)


def _row(row: list[str], header: list[str], layout: str, first: int, last: int, src: str, encoding: str,
         bad_lines: set[int], moods: Mapping[str, int], clock: LocalClock, participant: str,
         report: ImportReport) -> dict[str, Any]:
    """One data row as a reading record; ImportFormatError names line and field."""
    if any(n in bad_lines for n in range(first, last + 1)):
        raise ImportFormatError(src, first, "", f"bytes not valid {encoding}")
    if len(row) != len(header):
        raise ImportFormatError(src, first, "", (
            f"expected {len(header)} fields as in the header, found {len(row)} "
            f"(a truncated or hand-edited row?)"))
    cell = dict(zip(header, row))
    if layout == "year":
        day = _day_month(cell["date"], cell["year"])
        if day is None:
            raise ImportFormatError(src, first, "date", (
                f"{cell['date']!r} in {cell['year']!r} is not a day and month such as '18 May' "
                "(the older Daylio export writes the month in the phone's language; calmkit reads "
                "month names in English, German, French, Spanish, Italian, Portuguese and Dutch)"), value=cell["date"])
    else:
        try:
            d = parse_date(cell["full_date"])  # a spreadsheet may have re-written it (2026/03/05, 05.03.2026)
        except ValueError as e:
            raise ImportFormatError(src, first, "full_date", str(e), value=cell["full_date"]) from None
        day = datetime(d.year, d.month, d.day)
        # The entry's day is written twice: full_date, and date in the phone's
        # language. Two days for one entry leave nothing to go by (Bearable's
        # date and date formatted are checked the same way); a date in a
        # language calmkit has no month names for is not compared.
        written = _month_and_day(cell["date"])
        if written is not None and written != (day.month, day.day):
            raise ImportFormatError(src, first, "date", (
                f"{cell['date']!r} is not the same day as full_date {cell['full_date']!r}"), value=cell["date"])
    name = "year" if layout == "year" else "full_date"
    check_year(src, first, name, cell[name], day.year)
    check_weekday(src, first, "weekday", cell["weekday"], day, "date" if layout == "year" else "full_date",
                  f"{cell['date']} {cell['year']}" if layout == "year" else cell["full_date"])
    clock_time = parse_clock_time(cell["time"])
    if clock_time is None:
        raise ImportFormatError(src, first, "time", (
            f"{cell['time']!r} is not a time such as '21:14', '21:14:00', '9:14 pm' or '9:14 p.m.'"),
            value=cell["time"])
    mood = cell["mood"].strip()
    intensity = moods.get(mood.casefold())
    if intensity is None:
        raise ImportFormatError(src, first, "mood", (
            f"unknown mood {mood!r}: custom mood names need mood_map={{{mood!r}: <distress 0-10>}}"),
            value=mood)
    when = clock.localize(day.replace(hour=clock_time.hour, minute=clock_time.minute,
                                      second=clock_time.second), report, first, None, "time")

    parts = [f"daylio mood: {mood}"]
    activities = [a.strip() for a in cell["activities"].split("|") if a.strip()]
    if activities:
        parts.append("activities: " + " | ".join(activities))
        report.kept["activities → reading note"] += 1
    title = cell.get("note_title", "").strip()
    if title:
        parts.append("title: " + title)
        report.kept["note_title → reading note"] += 1
    note = cell["note"].strip()
    if note:
        parts.append(note)
        report.kept["note → reading note"] += 1
    if mood.casefold() not in DAYLIO_MOODS:
        report.kept["custom mood name → reading note"] += 1
    report.mapped["mood → reading"] += 1
    return {"type": "reading", "participant": participant, "time": when,
            "intensity": intensity, "note": "\n".join(parts)}

