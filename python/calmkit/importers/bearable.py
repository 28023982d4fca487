"""Bearable CSV export → calmkit readings. The mapping is documented in
docs/importing.md ("Bearable")."""
from __future__ import annotations

import math
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..csv_input import parse_clock_time, read_table
from ._common import LocalClock, build_journal, rfc3339, round_half_up
from .report import ImportFormatError, ImportReport, ImportResult, Unmapped

__all__ = ["BEARABLE_SCALES", "BEARABLE_TIMES_OF_DAY", "import_bearable"]

_COLUMNS = ["date", "weekday", "time of day", "category", "rating/amount", "detail", "notes"]

#: Clock time given to Bearable's coarse "time of day" values; an empty value
#: (a whole-day entry) is read as noon.
BEARABLE_TIMES_OF_DAY: Mapping[str, tuple[int, int]] = {
    "am": (9, 0), "mid": (13, 0), "pm": (18, 0), "night": (22, 0), "": (12, 0)}

#: The rating scale assumed for each rating that becomes a reading, (low, high).
#: ``mood`` is a well-being scale (high is good) and is inverted; ``anxiety``
#: is a severity scale (high is bad). Override with ``scales=`` if an export
#: uses other ranges; a rating outside its scale is an error, never clipped.
BEARABLE_SCALES: Mapping[str, tuple[float, float]] = {"mood": (1, 5), "anxiety": (0, 4)}


def _time_of_day(text: str) -> Optional[tuple[int, int, int]]:
    t = text.strip().lower()
    if t in BEARABLE_TIMES_OF_DAY:
        return (*BEARABLE_TIMES_OF_DAY[t], 0)
    c = parse_clock_time(t)
    return None if c is None else (c.hour, c.minute, c.second)


def _is_anxiety(category: str, detail: str) -> bool:
    """A row rating anxiety: the Anxiety category, or a symptom named
    "Anxiety" (Bearable may add the severity in brackets: "Anxiety (Mild)")."""
    if category == "anxiety":
        return True
    return category in ("symptoms", "symptom") and detail.strip().lower().split("(")[0].strip() == "anxiety"


def import_bearable(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                    utc_offset: Optional[int] = None, participant: str = "",
                    scales: Optional[Mapping[str, tuple[float, float]]] = None,
                    encoding: str = "utf-8", lenient: bool = False) -> ImportResult:
    """Reads a Bearable CSV export: mood and anxiety ratings become distress
    readings; every other row (energy, sleep, factors, other symptoms, notes,
    ...) is kept verbatim in ``report.unmapped`` with its line number.

    Intensity (0–10) from a rating ``v`` on the scale ``(lo, hi)``:
    mood (inverted, onto 1..9 like Daylio's five moods): ``1 + 8·(hi − v)/(hi − lo)``;
    anxiety: ``10·(v − lo)/(hi − lo)``; both rounded half up.

    Example::

        journal, report = calmkit.import_bearable("bearable.csv", tz="Europe/London")
    """
    path = Path(path)
    src = str(path)
    clock = LocalClock(tz, utc_offset)
    scale = dict(BEARABLE_SCALES)
    for k, v in (scales or {}).items():
        lo, hi = v
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"scales[{k!r}] must be (low, high) with low < high, got {v!r}")
        scale[k.lower()] = (float(lo), float(hi))
    report = ImportReport(source=src, format="bearable")
    records: list[dict[str, Any]] = []
    table = read_table(path, encoding=encoding, lenient=lenient, expected=_COLUMNS)
    bad_lines = table.bad_lines
    if table.header is None:
        raise ImportFormatError(src, 1, "", "empty file: no Bearable header line")
    header = [c.strip().lower() for c in table.header]
    if header != _COLUMNS:
        raise table.header_error(
            f"not a Bearable export header: expected {','.join(_COLUMNS)}, found {','.join(header)}")
    # A spreadsheet that writes ';' between fields writes a decimal comma too.
    decimal_comma = table.delimiter == ";"

    for first, last, row in table.rows():
        report.rows += 1
        try:
            if any(n in bad_lines for n in range(first, last + 1)):
                raise ImportFormatError(src, first, "", f"bytes not valid {encoding}")
            if len(row) != len(_COLUMNS):
                raise ImportFormatError(src, first, "", (
                    f"expected {len(_COLUMNS)} fields, found {len(row)} (a truncated or hand-edited row?)"))
            cell = dict(zip(_COLUMNS, row))
            try:
                day = datetime.strptime(cell["date"].strip(), "%Y-%m-%d")
            except ValueError:
                raise ImportFormatError(src, first, "date",
                                        f"{cell['date']!r} is not a date YYYY-MM-DD") from None
            category = cell["category"].strip().lower()
            detail = cell["detail"].strip()
            if category == "mood":
                kind = "mood"
            elif _is_anxiety(category, detail):
                kind = "anxiety"
            else:
                report.unmapped.append(Unmapped(first, None, cell["category"].strip(), cell))
                continue
            hm = _time_of_day(cell["time of day"])
            if hm is None:
                raise ImportFormatError(src, first, "time of day", (
                    f"{cell['time of day']!r} is not am, mid, pm, night, empty or a clock time"))
            raw = cell["rating/amount"].strip()
            try:
                value = float(raw.replace(",", ".") if decimal_comma else raw)
            except ValueError:
                value = math.nan
            lo, hi = scale[kind]
            if not (math.isfinite(value) and lo <= value <= hi):
                raise ImportFormatError(src, first, "rating/amount", (
                    f"{raw!r} is not a {kind} rating {lo:g}..{hi:g} "
                    f"(pass scales={{'{kind}': (low, high)}} if this export uses another scale)"))
            when = clock.localize(day.replace(hour=hm[0], minute=hm[1], second=hm[2]), report, first, None,
                                  "time of day")
        except ImportFormatError as e:
            if not lenient:
                raise
            report.skip(e)
            continue

        if kind == "mood":
            intensity = round_half_up(1 + 8 * (hi - value) / (hi - lo))
        else:
            intensity = round_half_up(10 * (value - lo) / (hi - lo))
        parts = [f"bearable {cell['category'].strip()} {raw} (scale {lo:g}-{hi:g})"]
        if detail:
            parts.append("detail: " + detail)
            report.kept["detail → reading note"] += 1
        if cell["time of day"].strip():
            parts.append("time of day: " + cell["time of day"].strip())
        if cell["notes"].strip():
            parts.append(cell["notes"].strip())
            report.kept["notes → reading note"] += 1
        records.append({"type": "reading", "participant": participant, "time": rfc3339(when),
                        "intensity": intensity, "note": "\n".join(parts)})
        report.mapped[f"{kind} → reading"] += 1

    report.blank_lines = table.blank_lines
    report.delimiter = table.delimiter
    return ImportResult(build_journal(records, src), report)
