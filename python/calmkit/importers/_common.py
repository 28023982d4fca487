"""Helpers shared by the importers (private)."""
from __future__ import annotations

import importlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..localtime import resolve
from .report import Adjusted, ImportFormatError, ImportReport

_UTC = timezone.utc


def round_half_up(x: float) -> int:
    """Rounds .5 away from zero for x >= 0 (Python's round() goes to even)."""
    return int(math.floor(x + 0.5))


def rfc3339(dt: datetime) -> str:
    """An aware datetime as RFC 3339 with its own offset."""
    return dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "microseconds")


class LocalClock:
    """Turns the naive wall times of an export into instants with an offset.

    Exactly one of ``tz`` (an IANA zone name such as ``"Europe/Berlin"``, read
    with :mod:`zoneinfo`, or any ``tzinfo``) and ``utc_offset`` (fixed minutes
    east of UTC) must be given: an export without offsets cannot tell calmkit
    where it was written, and guessing UTC would shift every local hour.
    """

    def __init__(self, tz: Union[str, tzinfo, None], utc_offset: Optional[int]) -> None:
        if (tz is None) == (utc_offset is None):
            raise ValueError(
                "give exactly one of tz= (a zone name such as 'Europe/Berlin') and "
                "utc_offset= (minutes east of UTC): the export's times carry no offset")
        if utc_offset is not None:
            if isinstance(utc_offset, bool) or not isinstance(utc_offset, int):
                raise ValueError(f"utc_offset must be whole minutes (int), got {utc_offset!r}")
            if not -1439 <= utc_offset <= 1439:
                raise ValueError(f"utc_offset must be -1439..1439 minutes, got {utc_offset}")
            self.zone: tzinfo = timezone(timedelta(minutes=utc_offset))
            self.fixed = True
        elif isinstance(tz, str):
            try:
                self.zone = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as e:
                raise ValueError(f"unknown time zone {tz!r} (use an IANA name such as "
                                 f"'Europe/Berlin'): {e}") from None
            self.fixed = False
        elif isinstance(tz, tzinfo):
            self.zone = tz
            self.fixed = False
        else:
            raise ValueError(f"tz must be a zone name or a tzinfo, got {type(tz).__name__}")

    def localize(self, naive: datetime, report: ImportReport, line: Optional[int],
                 item: Optional[int], field: str) -> datetime:
        """The wall time ``naive`` in the zone, by calmkit's one rule for
        local times (:func:`calmkit.localtime.resolve`): a time inside a
        daylight-saving gap is the instant at the offset before the change, a
        time shown twice is the first occurrence; both are noted in
        ``report.adjusted``."""
        if self.fixed:
            return naive.replace(tzinfo=self.zone)
        when, note = resolve(naive, self.zone)
        if note is not None:
            report.adjusted.append(Adjusted(line, item, field, note))
        return when

    def from_epoch_ms(self, ms: float) -> datetime:
        """An instant given as milliseconds since the Unix epoch, with the
        zone's offset at that instant (never ambiguous)."""
        return (datetime.fromtimestamp(0, _UTC) + timedelta(milliseconds=ms)).astimezone(self.zone)


def calmkit_module() -> Any:
    """The calmkit package (imported lazily: it imports this package)."""
    return importlib.import_module("calmkit")


#: String fields the format requires even when empty.
_REQUIRED_STRINGS = frozenset({"situation", "automatic_thought"})


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its absent fields: the format leaves empty optional
    fields out ("" and [] mean absent), except the required strings."""
    return {k: v for k, v in record.items()
            if not (v is None or (v == "" and k not in _REQUIRED_STRINGS) or (isinstance(v, list) and not v))}


@dataclass(frozen=True)
class Source:
    """Where a record came from in the export: a line (CSV, XML) or an item
    (the position of a JSON event), for errors found after the record was built."""

    line: Optional[int] = None
    item: Optional[int] = None


#: Exceptions a malformed value can raise from the standard library while a
#: row is read (datetime overflow at year 1 or 9999, a float of 1e300 turned
#: into a timedelta, a 400-digit integer turned into a float, ...). Each row's
#: reading turns them into an ImportFormatError at that row.
ROW_ERRORS = (ValueError, OverflowError, TypeError, ArithmeticError, RecursionError, UnicodeError)


def row_error(src: str, where: Source, field: str, exc: BaseException) -> ImportFormatError:
    """An ImportFormatError for an unexpected exception met while reading one row."""
    if isinstance(exc, ImportFormatError):
        return exc
    what = {OverflowError: "a value out of range", RecursionError: "nested too deeply"}.get(
        type(exc), f"a value calmkit cannot read ({type(exc).__name__})")
    return ImportFormatError(src, where.line, field, f"{what}: {exc}", item=where.item)


def _surrogate_field(record: dict[str, Any]) -> str:
    for key, value in record.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return key
    return ""


def build_journal(records: list[dict[str, Any]], source: str, *,
                  sources: Optional[list[Source]] = None, report: Optional[ImportReport] = None,
                  lenient: bool = False) -> Any:
    """A calmkit.Journal from records in the journal format v1's JSON shape.

    The records go through calmkit's own v1 reader, so every rule of the
    format (ranges, `end` >= `time`, unique ids, ...) is enforced by the same
    code that reads journal files. ``sources[i]`` says where record ``i``
    came from, so an error names the export's line (or JSON item), never a
    line of the text handed to the reader; in lenient mode the record is
    skipped, reported in ``report.skipped`` and the rest imported.
    """
    ck = calmkit_module()
    where = sources if sources is not None else [Source() for _ in records]
    lines: list[str] = []
    kept: list[Source] = []
    for record, loc in zip(records, where):
        text = json.dumps(compact(record), ensure_ascii=False)
        field = _surrogate_field(record)
        if field:
            err = ImportFormatError(source, loc.line, field, (
                "text holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), "
                "which is not a character"), item=loc.item)
            if not lenient or report is None:
                raise err
            report.skip(err)
            continue
        lines.append(text + "\n")
        kept.append(loc)
    text = "".join(lines)
    name = f"<records imported from {source}>"
    if not lenient or report is None:
        try:
            return ck.parse_journal(text, name=name)
        except ck.JournalFormatError as e:
            loc = kept[e.line - 1] if 1 <= e.line <= len(kept) else Source()
            raise ImportFormatError(source, loc.line, e.field, e.reason, item=loc.item) from None
    journal, read = ck.parse_journal_with_report(text, lenient=True, name=name)
    for s in read.skipped:
        loc = kept[s.line - 1] if 1 <= s.line <= len(kept) else Source()
        report.skip(ImportFormatError(source, loc.line, s.field, s.reason, item=loc.item))
    if read.skipped:  # keep the report in the order of the source
        report.skipped.sort(key=lambda k: (k.line if k.line is not None else -1,
                                           k.item if k.item is not None else -1))
    return journal


class IdMaker:
    """Unique, stable record ids: ``prefix-<UTC time>``, with ``-2``, ``-3``
    for repeats, so importing the same export twice gives the same ids."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: dict[str, int] = {}

    def make(self, when: datetime) -> str:
        base = f"{self.prefix}-{when.astimezone(_UTC):%Y%m%dT%H%M%SZ}"
        n = self.seen.get(base, 0) + 1
        self.seen[base] = n
        return base if n == 1 else f"{base}-{n}"
