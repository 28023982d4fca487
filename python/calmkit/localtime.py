"""Local wall-clock times → instants: the one rule calmkit applies wherever a
time without a UTC offset comes in with a time zone (the importers, the CLI's
``--time``, the naive-timestamp readers given ``tz=``, :func:`localize`).

Two wall times need a rule on a day the clocks change (docs/importing.md,
"Time zones"):

- a time inside the spring-forward gap (02:30 on the night clocks jump from
  02:00 to 03:00) does not exist; it is read as the instant it would be at the
  offset in force before the change, which the clocks show one hour later
  (Europe/Berlin 2026-03-29 02:30 → 03:30+02:00);
- a time shown twice when the clocks go back (02:30 on 2026-10-25 in Berlin)
  is read as the first of the two (02:30+02:00).

This is PEP 495's ``fold=0`` for both cases, the choice of Python's
``zoneinfo``. Each application of the rule comes with a sentence saying what
was done, which every entry point passes on to the person (an importer's
``report.adjusted``, a note from the CLI, a :class:`LocalTimeWarning`). The
record types apply it too when given a datetime whose tzinfo is a zone with
rules (``tzinfo=ZoneInfo("Europe/Berlin")``), with a LocalTimeWarning.
"""
from __future__ import annotations

import os
import warnings
from datetime import datetime, timedelta, timezone, tzinfo
from typing import NamedTuple, Optional, Union

from ._core import LocalTimeWarning
from .timezone import TimeZone, time_zone

__all__ = ["LocalTimeWarning", "Resolved", "localize", "resolve", "resolve_system", "system_zone", "unknown_system_zone", "zone"]

_UTC = timezone.utc


class Resolved(NamedTuple):
    """A wall time resolved in a zone: the instant (an aware datetime whose
    offset is the zone's at that instant) and, when the rule applied, the
    sentence saying what was done (else None)."""

    time: datetime
    note: Optional[str]


def _text(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "microseconds")


def zone(tz: Union[str, tzinfo]) -> tzinfo:
    """An IANA zone name or a POSIX TZ rule (read by :class:`calmkit.TimeZone`,
    calmkit's one zone model) or a ``tzinfo``; ValueError otherwise."""
    return time_zone(tz)


def resolve(naive: datetime, tz: Union[str, tzinfo]) -> Resolved:
    """The wall time ``naive`` in ``tz`` by the rule above. ``naive`` must have
    no tzinfo (ValueError otherwise: an aware time needs no rule); a TypeError
    naming ``naive`` for anything but a datetime."""
    if not isinstance(naive, datetime):
        raise TypeError(f"naive must be a datetime.datetime without tzinfo, got {type(naive).__name__} {naive!r}"[:200])
    if naive.tzinfo is not None:
        raise ValueError(f"{naive!r} already has a UTC offset")
    z = zone(tz)
    try:
        return _resolve(naive, z)
    except OverflowError:
        raise ValueError(f"{naive:%Y-%m-%d %H:%M} in {z} is outside the dates calmkit can place "
                         "(years 0001-9999 in UTC)") from None


def _resolve(naive: datetime, z: tzinfo) -> Resolved:
    first = naive.replace(tzinfo=z, fold=0)
    real = first.astimezone(_UTC).astimezone(z)
    if real.replace(tzinfo=None) != naive:
        return Resolved(real, (
            f"{naive:%Y-%m-%d %H:%M} does not exist in {z} (clocks jumped forward); read as {_text(real)}"))
    second = naive.replace(tzinfo=z, fold=1)
    if second.utcoffset() != first.utcoffset():
        aware = first.astimezone(_UTC).astimezone(z)
        return Resolved(aware, (
            f"{naive:%Y-%m-%d %H:%M} happened twice in {z} (clocks went back); read as the first, {_text(aware)}"))
    return Resolved(first.astimezone(_UTC).astimezone(z), None)


def resolve_system(naive: datetime) -> Resolved:
    """:func:`resolve` in this computer's own zone as the C library reads it
    (``$TZ`` may be a POSIX rule string such as ``EST5EDT,M3.2.0,M11.1.0``,
    which no IANA zone object can stand for): the same rule and notes, with
    the offsets taken from ``time.localtime`` a day either side.
    ValueError for a time the C library cannot place."""
    import calendar
    import time as _time

    if naive.tzinfo is not None:
        raise ValueError(f"{naive!r} already has a UTC offset")
    wall = naive.replace(microsecond=0)
    try:
        base = calendar.timegm(wall.timetuple())  # the wall time read as if it were UTC, in s
        before = _time.localtime(base - 86400).tm_gmtoff
        after = _time.localtime(base + 86400).tm_gmtoff
        fits = sorted({o for o in (before, after) if _time.localtime(base - o).tm_gmtoff == o}, reverse=True)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{naive:%Y-%m-%d %H:%M} is outside the dates this computer's time zone can place") from None

    def at(offset: int) -> datetime:
        tz = timezone(timedelta(seconds=offset))
        return datetime.fromtimestamp(base - offset, tz).replace(microsecond=naive.microsecond)

    if not fits:  # clocks jumped forward over this wall time: the instant at the offset before the change
        moved = at(before).astimezone(timezone(timedelta(seconds=after)))
        return Resolved(moved, f"{naive:%Y-%m-%d %H:%M} does not exist here (clocks jumped forward); "
                               f"read as {_text(moved)}")
    if len(fits) == 2:  # it happened twice: the first (the larger offset is the earlier instant)
        first = at(fits[0])
        return Resolved(first, f"{naive:%Y-%m-%d %H:%M} happened twice here (clocks went back); "
                               f"read as the first, {_text(first)}")
    return Resolved(at(fits[0]), None)


def localize(naive: datetime, tz: Union[str, tzinfo]) -> datetime:
    """:func:`resolve` for Python code: the aware datetime, with a
    :class:`LocalTimeWarning` when the wall time did not exist or happened twice.

    Example::

        calmkit.localize(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")
        # 2026-03-29 03:30:00+02:00, and a LocalTimeWarning
    """
    when, note = resolve(naive, tz)
    if note is not None:
        warnings.warn(note, LocalTimeWarning, stacklevel=2)
    return when


def unknown_system_zone() -> Optional[str]:
    """``$TZ`` when it is set but is neither an IANA zone this computer has
    nor a POSIX rule (say a misspelt ``Europe/Berln``), as
    :class:`calmkit.TimeZone` reads them: the C library silently reads such a
    value as UTC, so a caller placing a wall time should refuse it. None
    otherwise."""
    name = os.environ.get("TZ")
    if name is None or system_zone() is not None:
        return None
    return name


#: Where the system's zone is named when ``$TZ`` is unset: the link /etc/localtime
#: (into a tzdata folder, as systemd's timedatectl and Debian's tzdata make it).
LOCALTIME_LINK = "/etc/localtime"


def system_zone() -> Optional[tzinfo]:
    """This computer's time zone as a :class:`calmkit.TimeZone` (calmkit's one
    zone model): ``$TZ`` when it names an IANA zone or is a POSIX rule
    (``:`` before it is ignored, an empty one is UTC), else, when ``$TZ`` is
    unset, the zone /etc/localtime links to (``/usr/share/zoneinfo/Europe/Berlin``
    is ``Europe/Berlin``). None when neither names a zone (an unknown ``$TZ``;
    an /etc/localtime that is missing or a copied file rather than a link):
    callers then ask the C library (:func:`resolve_system`)."""
    name = os.environ.get("TZ")
    if name is None:
        name = _linked_zone_name(LOCALTIME_LINK)
        if name is None:
            return None
    try:
        return TimeZone(name.lstrip(":") or "UTC")
    except ValueError:
        return None


def _linked_zone_name(link: str) -> Optional[str]:
    """The zone name a symbolic link into a tzdata folder ends with (the part
    after ``zoneinfo/``), or None."""
    try:
        target = os.path.realpath(link) if os.path.islink(link) else None
    except OSError:
        return None
    if target is None or "/zoneinfo/" not in target:
        return None
    return target.rsplit("/zoneinfo/", 1)[1] or None
