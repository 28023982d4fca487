"""Helpers shared by the importers (private)."""
from __future__ import annotations

import codecs
import csv
import importlib
import json
import math
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Iterator, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        """The wall time ``naive`` in the zone. A time inside a daylight-saving
        gap is moved forward to the clock time that existed (the instant
        ``naive`` with the offset before the change); a time shown twice is read
        as the first occurrence. Both are noted in ``report.adjusted``."""
        dt = naive.replace(tzinfo=self.zone, fold=0)
        if self.fixed:
            return dt
        real = dt.astimezone(_UTC).astimezone(self.zone)
        if real.replace(tzinfo=None) != naive:
            report.adjusted.append(Adjusted(
                line, item, field,
                f"{naive:%Y-%m-%d %H:%M} does not exist in {self.zone} (clocks jumped forward); "
                f"read as {rfc3339(real)}"))
            return real
        later = naive.replace(tzinfo=self.zone, fold=1)
        if later.utcoffset() != dt.utcoffset():
            report.adjusted.append(Adjusted(
                line, item, field,
                f"{naive:%Y-%m-%d %H:%M} happened twice in {self.zone} (clocks went back); "
                f"read as the first, {rfc3339(dt)}"))
        return dt

    def from_epoch_ms(self, ms: float) -> datetime:
        """An instant given as milliseconds since the Unix epoch, with the
        zone's offset at that instant (never ambiguous)."""
        return (datetime.fromtimestamp(0, _UTC) + timedelta(milliseconds=ms)).astimezone(self.zone)


def decoded_lines(path: Path, encoding: str, lenient: bool, bad: set[int]) -> Iterator[str]:
    """The file's lines, decoded one at a time so that a decoding error names
    its line. In lenient mode an undecodable line is decoded with U+FFFD
    replacements and its number added to ``bad`` (the caller skips the row)."""
    try:
        is_utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if n == 1:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise ImportFormatError(str(path), 1, "", (
                        "the file is UTF-16; save it as UTF-8 (the app's own export is UTF-8) "
                        "or pass the encoding its bytes are in"))
                if raw.startswith(b"\xef\xbb\xbf") and is_utf8:
                    raw = raw[3:]
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as e:
                if not lenient:
                    raise ImportFormatError(str(path), n, "", (
                        f"bytes not valid {encoding} (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                        f"pass encoding= if the file was re-saved in another encoding")) from None
                bad.add(n)
                yield raw.decode(encoding, errors="replace")


def csv_rows(path: Path, lines: Iterator[str]) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of each CSV row; blank lines are passed
    over. A CSV syntax error (an unterminated quote, usually a truncated file)
    raises ImportFormatError at the row's first line: the reader cannot know
    where the row was meant to end, so no mode can skip past it."""
    reader = csv.reader(lines, strict=True)
    prev = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise ImportFormatError(str(path), prev + 1, "", (
                f"CSV syntax error ({e}); the file may be truncated or have an unclosed quote")) from None
        first, prev = prev + 1, reader.line_num
        if not row:  # a blank line holds no data
            continue
        yield first, prev, row


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


def build_journal(records: list[dict[str, Any]], source: str) -> Any:
    """A calmkit.Journal from records in the journal format v1's JSON shape.

    The records go through calmkit's own v1 reader, so every rule of the
    format (ranges, `end` >= `time`, unique ids, ...) is enforced by the same
    code that reads journal files.
    """
    ck = calmkit_module()
    text = "".join(json.dumps(compact(r), ensure_ascii=False) + "\n" for r in records)
    return ck.parse_journal(text, name=f"<records imported from {source}>")


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
