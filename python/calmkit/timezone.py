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
from typing import TYPE_CHECKING, Optional, Union

from ._core import _TimeZone, _utf8_text

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TimeZone", "time_zone"]

_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: The last whole second an int64 count of microseconds can hold.
_MAX_SECONDS = (2**63 - 1) // 1_000_000


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
        """The UTC offset (a timedelta, exact to the second) of the wall time
        ``dt`` in this zone, its tzinfo ignored; ``fold`` picks the first (0)
        or second (1) of a wall time shown twice (PEP 495). None for None."""
        if dt is None:
            return None
        return timedelta(seconds=self._zone.local_offset(_wall_seconds(dt), bool(dt.fold)))

    def dst(self, dt: Optional[datetime]) -> Optional[timedelta]:
        """Always None (tzinfo's "not known"): the zone model knows whether
        daylight time is in force, not by how much."""
        # The model knows whether daylight time is in force, not by how much
        # (tzdata does not say either); None is tzinfo's "not known".
        return None

    def tzname(self, dt: Optional[datetime]) -> Optional[str]:
        """The text the zone was made from (an IANA name or a POSIX rule), for any ``dt``."""
        return self.key

    def fromutc(self, dt: datetime) -> datetime:
        """The wall time in this zone of the UTC time ``dt`` (a datetime whose
        tzinfo is this zone, holding UTC, as ``datetime.astimezone`` passes
        it), with ``fold`` set for the second of a wall time shown twice.
        ValueError for any other argument."""
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

    def offsets_at(self, time_us: "np.ndarray") -> "np.ndarray":
        """The UTC offset in force at each instant, in seconds (int64 array of
        the same shape).

        ``time_us`` holds instants as int64 microseconds since
        1970-01-01T00:00Z, in any order. The zone is asked once per offset
        interval ``[begin, end)`` the instants fall into (docs/time-zones.md,
        "What a zone answers"), not once per instant. The wall time of an
        instant is ``time_us + offset * 1_000_000``.
        """
        import numpy as np

        us = np.asarray(time_us, dtype=np.int64)
        flat = us.ravel()
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        out = np.empty(len(ordered), dtype=np.int64)
        i = 0
        while i < len(ordered):
            begin, end, offset, _ = self._zone.interval_at(int(ordered[i] // 1_000_000))
            # end may stand for "unbounded" (int64's limit in seconds): then every instant left is in it.
            j = len(ordered) if end > _MAX_SECONDS else int(np.searchsorted(ordered, end * 1_000_000, side="left"))
            j = max(j, i + 1)
            out[i:j] = offset
            i = j
        result = np.empty_like(out)
        result[order] = out
        return result.reshape(us.shape)

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
    with the message of :class:`TimeZone` (text that is not UTF-8, such as a
    lone surrogate, is refused naming argument 'tz')."""
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        _utf8_text(tz, "tz")  # a lone surrogate: ValueError naming tz, not TimeZone's own parameter
        return TimeZone(tz)
    raise ValueError(f"tz must be a zone name, a POSIX TZ rule or a tzinfo, got {type(tz).__name__}")
