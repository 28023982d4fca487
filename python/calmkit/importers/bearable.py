"""Bearable CSV export → calmkit readings. The mapping is documented in
docs/importing.md ("Bearable")."""
from __future__ import annotations

import math
import numbers
import re
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from .. import _core
from ..csv_input import CsvTable, parse_clock_time, parse_date
from ._common import (LocalClock, build_journal, check_arguments, check_weekday, check_year, decimal_number,
                      read_export_table, read_rows, round_half_up)
from .report import ImportFormatError, ImportReport, ImportResult, Unmapped

__all__ = ["BEARABLE_LAYOUTS", "BEARABLE_SCALES", "BEARABLE_SEVERITIES", "BEARABLE_TIMES_OF_DAY", "import_bearable"]

#: The header layouts Bearable has written (docs/importing.md): the
#: eight-column export adds ``date formatted`` after ``date``.
BEARABLE_LAYOUTS: Mapping[str, tuple[str, ...]] = {
    "with date formatted": ("date", "date formatted", "weekday", "time of day", "category",
                            "rating/amount", "detail", "notes"),
    "seven columns": ("date", "weekday", "time of day", "category", "rating/amount", "detail", "notes"),
}

#: Clock time given to Bearable's coarse "time of day" values (hour, minute),
#: each the middle of the part of the day it stands for: ``pre`` (pre-dawn,
#: midnight to 06:00) → 03:00, ``am`` → 09:00, ``mid`` (midday/afternoon) →
#: 13:00, ``pm`` (evening) → 18:00, ``night`` → 22:00; ``all day`` and an
#: empty value (a whole-day entry) → 12:00 noon. Bearable does not publish
#: where its parts of the day begin and end; the note keeps the value as
#: written.
BEARABLE_TIMES_OF_DAY: Mapping[str, tuple[int, int]] = {
    "pre": (3, 0), "am": (9, 0), "mid": (13, 0), "pm": (18, 0), "night": (22, 0),
    "all day": (12, 0), "": (12, 0),
    # The same parts of the day written as words, as other readers of the
    # export meet them ("morning" for a reading with no clock).
    "morning": (9, 0), "afternoon": (13, 0), "midday": (13, 0), "evening": (18, 0), "pre-dawn": (3, 0),
    "predawn": (3, 0)}

#: The rating scale of each rating that becomes a reading, (low, high), as
#: Bearable documents them ("What are all the different scales used in
#: Bearable?"): ``mood`` 1–10, a well-being scale (high is good), inverted;
#: ``anxiety`` the symptom severity 0–4 (none, mild, moderate, severe,
#: unbearable). Override with ``scales=``; a rating outside its scale is an
#: error, never clipped.
BEARABLE_SCALES: Mapping[str, tuple[float, float]] = {"mood": (1, 10), "anxiety": (0, 4)}

#: Symptom severity words Bearable appends to a symptom's name, ``Anxiety
#: (Moderate)``, read when ``rating/amount`` is empty.
BEARABLE_SEVERITIES: Mapping[str, int] = {
    "none": 0, "mild": 1, "moderate": 2, "severe": 3, "unbearable": 4, "extreme": 4}

_MONTHS = {name: i + 1 for i, names in enumerate(zip(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"),
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")))
    for name in names}
_MONTHS["sept"] = 9
#: Years a calmkit journal can hold (docs/journal-format.md).
_ORDINAL_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")


def _why_not_a_date(text: str) -> str:
    """The reason :func:`calmkit.csv_input.parse_date` gives for ``text`` (a
    day/month order that locales differ on, a spreadsheet's day number ...)."""
    try:
        parse_date(text)
    except ValueError as e:
        return str(e)
    return f"{text.strip()!r} is not a date"


def _parse_date(text: str) -> Optional[datetime]:
    """``2026-03-03`` or Bearable's ``3rd Mar 2026`` (also ``3 March 2026``)."""
    t = text.strip().lstrip("'")
    try:
        d = parse_date(t)  # also as a spreadsheet re-writes it: 2026/03/03, 03.03.2026
        return datetime(d.year, d.month, d.day)
    except ValueError:
        pass
    m = _ORDINAL_DATE.fullmatch(t)
    if m is None or m.group(2).lower() not in _MONTHS:
        return None
    try:
        return datetime(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None


def _time_of_day(text: str) -> Optional[tuple[int, int, int]]:
    t = " ".join(text.strip().lower().split())
    if t in BEARABLE_TIMES_OF_DAY:
        return (*BEARABLE_TIMES_OF_DAY[t], 0)
    c = parse_clock_time(t)
    return None if c is None else (c.hour, c.minute, c.second)


def _symptom(detail: str) -> tuple[str, str]:
    """(name, severity word) of a symptom's detail ``Anxiety (Moderate)``."""
    name, _, rest = detail.strip().partition("(")
    return name.strip().lower(), rest.rstrip(") ").strip().lower()


def _is_anxiety(category: str, detail: str) -> bool:
    """A row rating anxiety: the Anxiety category, or a symptom named
    "Anxiety" (Bearable adds the severity in brackets: "Anxiety (Mild)")."""
    if category == "anxiety":
        return True
    return category in ("symptoms", "symptom") and _symptom(detail)[0] == "anxiety"


def _layout(header: list[str], table: CsvTable) -> str:
    """The layout a header is written in; duplicated, unknown or missing
    columns are an error naming them (and the separator the header was split at)."""
    return table.layout(header, BEARABLE_LAYOUTS, "Bearable")


# Other names ``scales=`` accepts for a key of :data:`BEARABLE_SCALES`:
# ``symptom`` is the symptom severity scale the anxiety rating uses.
_SCALE_ALIASES: Mapping[str, str] = {"symptom": "anxiety"}


def _scales(scales: Optional[Mapping[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """BEARABLE_SCALES with ``scales`` applied; a key or a value it cannot use is a ValueError."""
    if scales is None:
        scales = {}
    if not isinstance(scales, Mapping):
        raise ValueError(f"scales must be a mapping such as {{'mood': (1, 5)}}, got {type(scales).__name__}")
    allowed = ", ".join(repr(k) for k in [*BEARABLE_SCALES, *_SCALE_ALIASES])
    out = dict(BEARABLE_SCALES)
    given: dict[str, str] = {}
    for k, v in scales.items():
        name = k.strip().lower() if isinstance(k, str) else k
        name = _SCALE_ALIASES.get(name, name)
        if name not in BEARABLE_SCALES:
            raise ValueError(f"unknown scale {k!r} in scales=: use one of {allowed}")
        if name in given:
            raise ValueError(f"scales= gives the {name} scale twice ({given[name]!r} and {k!r})")
        given[name] = k
        shape = f"scales[{k!r}] must be a pair (low, high) of numbers with low < high, e.g. (1, 5)"
        if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != 2:
            raise ValueError(f"{shape}; got {v!r}")
        lo, hi = v
        if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in (lo, hi)):
            raise ValueError(f"{shape}; got {v!r} (not numbers)")
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"{shape}; got {v!r}")
        out[name] = (float(lo), float(hi))
    return out


def import_bearable(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                    utc_offset: Optional[int] = None, participant: str = "",
                    scales: Optional[Mapping[str, tuple[float, float]]] = None,
                    encoding: str = "utf-8", lenient: bool = False) -> ImportResult:
    """Reads a Bearable CSV export: mood and anxiety ratings become distress
    readings; every other row (energy, sleep, factors, other symptoms, notes,
    ...) is kept verbatim in ``report.unmapped`` with its line number.

    Both header layouts of :data:`BEARABLE_LAYOUTS` are read (with or without
    ``date formatted``; ``report.layout`` says which); dates as Bearable
    writes them (``3rd Mar 2026``) or ``YYYY-MM-DD``; the time of day as
    ``pre``/``am``/``mid``/``pm``/``night``/``all day`` (clock times in
    :data:`BEARABLE_TIMES_OF_DAY`) or a clock time. Scales are Bearable's own
    (:data:`BEARABLE_SCALES`: mood 1–10, symptom severity 0–4); ``scales=``
    replaces them, keyed ``"mood"`` and ``"anxiety"`` (or ``"symptom"``, the
    same scale), each a pair ``(low, high)`` of numbers. An unknown key or a
    value of another shape raises ValueError naming the allowed keys; a
    ``participant``, ``encoding`` or ``lenient`` of the wrong kind is an error
    naming it, before the file is read (docs/importing.md).

    Intensity (0–10) from a rating ``v`` on the scale ``(lo, hi)``:
    mood (inverted, onto 1..9 like Daylio's five moods): ``1 + 8·(hi − v)/(hi − lo)``;
    anxiety: ``10·(v − lo)/(hi − lo)``; both rounded half up.

    Example::

        journal, report = calmkit.import_bearable("bearable.csv", tz="Europe/London")
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    path = Path(path)
    src = str(path)
    check_arguments(participant=participant, lenient=lenient, encoding=encoding)
    clock = LocalClock(tz, utc_offset)
    scale = _scales(scales)
    report = ImportReport(source=src, format="bearable")
    table = read_export_table(path, src, app="Bearable", layouts=BEARABLE_LAYOUTS, encoding=encoding,
                              lenient=lenient)
    bad_lines = table.bad_lines
    header = [c.strip().lower() for c in table.header]
    report.layout = _layout(header, table)
    # A spreadsheet that writes ';' between fields writes a decimal comma too.
    decimal_comma = table.delimiter == ";"

    records, sources = read_rows(table, src, report, lenient=lenient, one_row=lambda first, last, row: _row(
        row, header, first, last, src, encoding, bad_lines, scale, clock, participant, report, decimal_comma))
    return ImportResult(build_journal(records, src, sources=sources, report=report, lenient=lenient), report)


def _row(row: list[str], header: list[str], first: int, last: int, src: str, encoding: str,
         bad_lines: set[int], scale: Mapping[str, tuple[float, float]], clock: LocalClock,
         participant: str, report: ImportReport, decimal_comma: bool = False) -> Optional[dict[str, Any]]:
    """One data row: a reading record, or None when the row is kept in
    ``report.unmapped``; ImportFormatError names line and field."""
    if any(n in bad_lines for n in range(first, last + 1)):
        raise ImportFormatError(src, first, "", f"bytes not valid {encoding}")
    if len(row) != len(header):
        raise ImportFormatError(src, first, "", (
            f"expected {len(header)} fields as in the header, found {len(row)} (a truncated or hand-edited row?)"))
    cell = dict(zip(header, row))
    day = _parse_date(cell["date"])
    if day is None:
        raise ImportFormatError(src, first, "date", (
            f"{_why_not_a_date(cell['date'])}; Bearable writes dates such as '3rd Mar 2026' or '2026-03-03'"),
            value=cell["date"])
    check_year(src, first, "date", cell["date"], day.year)
    if "date formatted" in cell and cell["date formatted"].strip():
        formatted = _parse_date(cell["date formatted"])
        if formatted is None:
            raise ImportFormatError(src, first, "date formatted", _why_not_a_date(cell["date formatted"]),
                                    value=cell["date formatted"])
        if formatted != day:
            raise ImportFormatError(src, first, "date formatted", (
                f"{cell['date formatted']!r} is not the same day as date {cell['date']!r}"))
    check_weekday(src, first, "weekday", cell["weekday"], day, "date", cell["date"])
    category = cell["category"].strip().lower()
    detail = cell["detail"].strip()
    if category == "mood":
        kind = "mood"
    elif _is_anxiety(category, detail):
        kind = "anxiety"
    else:
        report.unmapped.append(Unmapped(first, None, cell["category"].strip(), cell))
        return None
    hm = _time_of_day(cell["time of day"])
    if hm is None:
        raise ImportFormatError(src, first, "time of day", (
            f"{cell['time of day']!r} is not pre, am, mid, pm, night, all day (or morning, afternoon, evening), "
            "empty or a clock time"),
            value=cell["time of day"])
    raw = cell["rating/amount"].strip()
    shown = raw
    lo, hi = scale[kind]
    if not raw and kind == "anxiety" and _symptom(detail)[1] in BEARABLE_SEVERITIES:
        # No number written: the severity word of "Anxiety (Severe)" gives it.
        raw = str(BEARABLE_SEVERITIES[_symptom(detail)[1]])
        shown = f"{_symptom(detail)[1]} ({raw})"
    value = decimal_number(raw.replace(",", ".") if decimal_comma else raw) if len(raw) <= 64 else math.nan
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ImportFormatError(src, first, "rating/amount", (
            f"{raw[:64]!r} is not {'an' if kind == 'anxiety' else 'a'} {kind} rating {lo:g}..{hi:g} "
            f"(pass scales={{'{kind}': (low, high)}} if this export uses another scale)"), value=raw)
    when = clock.localize(day.replace(hour=hm[0], minute=hm[1], second=hm[2]), report, first, None,
                          "time of day")

    if kind == "mood":
        intensity = round_half_up(1 + 8 * (hi - value) / (hi - lo))
    else:
        intensity = round_half_up(10 * (value - lo) / (hi - lo))
    parts = [f"bearable {cell['category'].strip()} {shown} (scale {lo:g}-{hi:g})"]
    if detail:
        parts.append("detail: " + detail)
        report.kept["detail → reading note"] += 1
    if cell["time of day"].strip():
        parts.append("time of day: " + cell["time of day"].strip())
    if cell["notes"].strip():
        parts.append(cell["notes"].strip())
        report.kept["notes → reading note"] += 1
    report.mapped[f"{kind} → reading"] += 1
    return {"type": "reading", "participant": participant, "time": when,
            "intensity": intensity, "note": "\n".join(parts)}
