"""Daylio CSV export → calmkit readings. The mapping is documented in
docs/importing.md ("Daylio")."""
from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..csv_input import parse_clock_time, read_table
from ._common import LocalClock, build_journal, rfc3339
from .report import ImportFormatError, ImportReport, ImportResult

__all__ = ["DAYLIO_MOODS", "import_daylio"]

#: Daylio's five built-in moods → distress 0–10. Inverted (a good mood is low
#: distress) and spread evenly over 1..9: the mood scale says how someone felt
#: over a stretch of time, not that they were perfectly calm (0) or at the
#: worst distress imaginable (10).
DAYLIO_MOODS: Mapping[str, int] = {"rad": 1, "good": 3, "meh": 5, "bad": 7, "awful": 9}

_COLUMNS_8 = ["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"]
_COLUMNS_7 = ["full_date", "date", "weekday", "time", "mood", "activities", "note"]


def _check_mood_map(mood_map: Optional[Mapping[str, int]]) -> dict[str, int]:
    table = dict(DAYLIO_MOODS)
    for name, value in (mood_map or {}).items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise ValueError(f"mood_map[{name!r}] must be a distress intensity 0..10, got {value!r}")
        table[str(name).strip().casefold()] = value
    return table


def import_daylio(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                  utc_offset: Optional[int] = None, participant: str = "",
                  mood_map: Optional[Mapping[str, int]] = None, encoding: str = "utf-8",
                  lenient: bool = False) -> ImportResult:
    """Reads a Daylio CSV export into distress readings.

    Each row becomes one reading at ``full_date`` + ``time`` in ``tz`` (or at the
    fixed ``utc_offset`` minutes); its intensity comes from the mood
    (:data:`DAYLIO_MOODS`, extended or overridden by ``mood_map`` for custom
    mood names); the mood name, activities, note title and note are kept in
    the reading's note. Both the 8-column export and the older 7-column one
    (without ``note_title``) are read.

    Strict mode (the default) raises :class:`ImportFormatError` naming file,
    line and field at the first bad row; ``lenient=True`` skips bad rows and
    lists them in ``report.skipped``.

    Example::

        journal, report = calmkit.import_daylio("daylio_export.csv", tz="Europe/Berlin")
        print(report.summary())
    """
    path = Path(path)
    src = str(path)
    clock = LocalClock(tz, utc_offset)
    moods = _check_mood_map(mood_map)
    report = ImportReport(source=src, format="daylio")
    records: list[dict[str, Any]] = []
    table = read_table(path, encoding=encoding, lenient=lenient, expected=_COLUMNS_8)
    bad_lines = table.bad_lines
    if table.header is None:
        raise ImportFormatError(src, 1, "", "empty file: no Daylio header line")
    header = [c.strip().casefold() for c in table.header]
    missing = [c for c in _COLUMNS_7 if c not in header]
    if missing:
        raise table.header_error(
            f"not a Daylio export header: missing column(s) {', '.join(missing)}; expected "
            f"{','.join(_COLUMNS_8)} (or the older form without note_title)")
    index = {name: i for i, name in enumerate(header)}
    known = set(_COLUMNS_8)
    extras = [c for c in header if c not in known]

    for first, last, row in table.rows():
        report.rows += 1
        try:
            if any(n in bad_lines for n in range(first, last + 1)):
                raise ImportFormatError(src, first, "", f"bytes not valid {encoding}")
            if len(row) != len(header):
                raise ImportFormatError(src, first, "", (
                    f"expected {len(header)} fields as in the header, found {len(row)} "
                    f"(a truncated or hand-edited row?)"))
            cell = {name: row[i] for name, i in index.items()}
            try:
                day = datetime.strptime(cell["full_date"].strip(), "%Y-%m-%d")
            except ValueError:
                raise ImportFormatError(src, first, "full_date",
                                        f"{cell['full_date']!r} is not a date YYYY-MM-DD") from None
            clock_time = parse_clock_time(cell["time"])
            if clock_time is None:
                raise ImportFormatError(src, first, "time", (
                    f"{cell['time']!r} is not a time such as '21:14', '21:14:00', '9:14 pm' or '9:14 p.m.'"))
            mood = cell["mood"].strip()
            intensity = moods.get(mood.casefold())
            if intensity is None:
                raise ImportFormatError(src, first, "mood", (
                    f"unknown mood {mood!r}: custom mood names need mood_map={{{mood!r}: <distress 0-10>}}"))
            when = clock.localize(day.replace(hour=clock_time.hour, minute=clock_time.minute,
                                              second=clock_time.second),
                                  report, first, None, "time")
        except ImportFormatError as e:
            if not lenient:
                raise
            report.skip(e)
            continue

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
        for name in extras:
            value = row[index[name]].strip()
            if value:
                parts.append(f"{name}: {value}")
                report.kept[f"{name} (extra column) → reading note"] += 1
        if mood.casefold() not in DAYLIO_MOODS:
            report.kept["custom mood name → reading note"] += 1
        records.append({"type": "reading", "participant": participant, "time": rfc3339(when),
                        "intensity": intensity, "note": "\n".join(parts)})
        report.mapped["mood → reading"] += 1

    report.blank_lines = table.blank_lines
    report.delimiter = table.delimiter
    return ImportResult(build_journal(records, src), report)

