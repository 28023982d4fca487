"""Time zones: one model for an IANA name and a POSIX TZ rule.

:class:`TimeZone` is a :class:`datetime.tzinfo` built on calmkit's C++ zone
(``calmkit::TimeZone``, include/calmkit/timezone.hpp), the same one the
metrics' ``tz=`` and the command line's ``--tz`` use. It takes either form:

- an IANA zone name (``"Europe/Berlin"``, ``"UTC"``), read from the system's
  tzdata (``$TZDIR``, then ``/usr/share/zoneinfo`` and the other folders of
  :data:`zoneinfo.TZPATH`): its whole history, then the rule of the file's
  footer for the far future;
- a POSIX TZ rule (``"CET-1CEST,M3.5.0,M10.5.0/3"``; offsets are written
  west-positive, so ``CET-1`` is UTC+1), for a zone tzdata does not have.

A string is first looked up as a zone name and read as a rule only when no
zone has that name (``"EST5EDT"`` is tzdata's zone). Anything else is a
ValueError naming both readings. docs/time-zones.md has the details.

Example::

    from datetime import datetime
    from calmkit import TimeZone
    berlin = TimeZone("Europe/Berlin")
    datetime(2026, 7, 1, 12, tzinfo=berlin).isoformat()  # '2026-07-01T12:00:00+02:00'
    TimeZone("CET-1CEST,M3.5.0,M10.5.0/3").utcoffset(datetime(2026, 1, 1))  # 1:00:00
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Optional, Union

from ._core import _TimeZone

__all__ = ["TimeZone", "time_zone"]

_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _wall_seconds(dt: datetime) -> int:
    """Whole seconds since 1970-01-01T00:00 of the wall time of ``dt`` (its tzinfo ignored)."""
    d = dt.replace(tzinfo=None) - _EPOCH
    return d.days * 86400 + d.seconds


class TimeZone(tzinfo):
    """A :class:`datetime.tzinfo` for an IANA zone name or a POSIX TZ rule.

    ``utcoffset`` follows PEP 495: a wall time shown twice gets the offset of
    its first occurrence with ``fold=0`` and of its second with ``fold=1``; a
    wall time that never happens gets the offset before the change with
    ``fold=0``. Offsets are exact to the second (local mean time before 1900
    has seconds). Equal when made from the same text. Raises ValueError for
    text that is neither a zone name nor a rule.
    """

    def __init__(self, spec: str) -> None:
        if not isinstance(spec, str):
            raise ValueError(f"a time zone is an IANA name or a POSIX TZ rule (str), got {type(spec).__name__}")
        self._zone = _TimeZone(spec)
        self.key: str = spec

    def utcoffset(self, dt: Optional[datetime]) -> Optional[timedelta]:
        if dt is None:
            return None
        return timedelta(seconds=self._zone.local_offset(_wall_seconds(dt), bool(dt.fold)))

    def dst(self, dt: Optional[datetime]) -> Optional[timedelta]:
        # The model knows whether daylight time is in force, not by how much
        # (tzdata does not say either); None is tzinfo's "not known".
        return None

    def tzname(self, dt: Optional[datetime]) -> Optional[str]:
        return self.key

    def fromutc(self, dt: datetime) -> datetime:
        if not isinstance(dt, datetime) or dt.tzinfo is not self:
            raise ValueError("fromutc() needs a datetime whose tzinfo is this zone")
        utc = _wall_seconds(dt)
        offset = self._zone.interval_at(utc)[2]
        local = dt + timedelta(seconds=offset)
        # The second of two wall times that happen twice carries fold=1.
        first = self._zone.local_offset(utc + offset, False)
        return local.replace(fold=1) if first != offset else local

    def interval(self, when: datetime) -> tuple[datetime, datetime, timedelta]:
        """The offset in force at the aware datetime ``when`` and the span
        ``[begin, end)`` (aware UTC datetimes, clamped to datetime's range)
        over which it holds."""
        s = _wall_seconds(when.astimezone(timezone.utc))
        begin, end, offset, _ = self._zone.interval_at(s)

        def at(x: int) -> datetime:
            try:
                return _UTC_EPOCH + timedelta(seconds=x)
            except OverflowError:
                return datetime.min.replace(tzinfo=timezone.utc) if x < 0 else datetime.max.replace(
                    tzinfo=timezone.utc)
        return at(begin), at(end), timedelta(seconds=offset)

    def __str__(self) -> str:
        return self.key

    def __repr__(self) -> str:
        return f"calmkit.TimeZone({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeZone) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("calmkit.TimeZone", self.key))

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (TimeZone, (self.key,))


def time_zone(tz: Union[str, tzinfo]) -> tzinfo:
    """``tz`` as a tzinfo: a string (IANA name or POSIX rule) becomes a
    :class:`TimeZone`, a tzinfo is returned as it is; ValueError otherwise,
    with the message of :class:`TimeZone`."""
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        return TimeZone(tz)
    raise ValueError(f"tz must be a zone name, a POSIX TZ rule or a tzinfo, got {type(tz).__name__}")
