"""One moment in a time zone, through every entry point that takes a zone.

A journal's offset is whole minutes. Before standard time, zones kept local
mean time with seconds: Amsterdam +00:19:32 until 1937, Kolkata +05:21:10 in
1900, Monrovia -00:44:30 until 1972, New York -04:56:02 before 1883. A
record class given such an aware datetime and a text column read with ``tz=``
both refuse it ("not a whole number of minutes").

B20: a ``timestamp[us, tz=<zone>]`` column given to Journal.from_arrow (what
pandas and polars hand over for an aware column) takes it, with the offset cut
to whole minutes toward zero (pc.divide of the seconds in
python/calmkit/arrow.py, _offsets_from_zone): 12:00 in Amsterdam on 1900-01-01
becomes 11:59:28+00:19, 12:00 in Monrovia in 1950 becomes 12:00:30-00:44 --
the instant is kept, the person's wall clock is not, without a word, and the
three entry points give three answers for one moment.

Zones whose offsets are whole minutes (Berlin, Kathmandu +05:45, Chatham
+13:45) read the same through all three.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
zoneinfo = pytest.importorskip("zoneinfo")

SECONDS = [("Europe/Amsterdam", dt.datetime(1900, 1, 1, 12)), ("Asia/Kolkata", dt.datetime(1900, 1, 1, 12)),
           ("Africa/Monrovia", dt.datetime(1950, 1, 1, 12)), ("America/New_York", dt.datetime(1850, 1, 1, 12))]
MINUTES = [("Europe/Berlin", dt.datetime(2026, 3, 29, 3, 30)), ("Asia/Kathmandu", dt.datetime(2026, 1, 1, 12)),
           ("Pacific/Chatham", dt.datetime(2026, 1, 1, 12)), ("America/St_Johns", dt.datetime(2026, 7, 1, 8, 15))]


def _via_record(zone: str, wall: dt.datetime) -> Any:
    try:
        return calmkit.to_json(calmkit.Reading(time=wall.replace(tzinfo=zoneinfo.ZoneInfo(zone)), intensity=3))
    except ValueError:
        return "refused"


def _via_zoned_column(zone: str, wall: dt.datetime) -> Any:
    instant = wall.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.timezone.utc)
    table = pa.table({"time": pa.array([instant], pa.timestamp("us", tz=zone)), "intensity": pa.array([3], pa.int8())})
    try:
        return calmkit.to_jsonl(calmkit.Journal.from_arrow({"readings": table})).splitlines()[-1]
    except ValueError:
        return "refused"


def _via_text_with_tz(zone: str, wall: dt.datetime) -> Any:
    table = pa.table({"time": [wall.isoformat()], "intensity": pa.array([3], pa.int8())})
    try:
        return calmkit.to_jsonl(calmkit.Journal.from_arrow({"readings": table}, tz=zone)).splitlines()[-1]
    except ValueError:
        return "refused"


def _norm(x: Any) -> Any:
    return x if x == "refused" else json.loads(x)


@pytest.mark.parametrize("zone, wall", MINUTES)
def test_whole_minute_zones_agree(zone: str, wall: dt.datetime) -> None:
    record = _norm(_via_record(zone, wall))
    assert record != "refused"
    assert _norm(_via_zoned_column(zone, wall)) == record
    # Berlin 03:30 on 2026-03-29 does not exist (the clocks skip 02:00-03:00): 03:30 exists, so all agree.
    assert _norm(_via_text_with_tz(zone, wall)) == record


@pytest.mark.parametrize("zone, wall", SECONDS)
def test_a_record_and_a_text_with_tz_refuse_an_offset_with_seconds(zone: str, wall: dt.datetime) -> None:
    assert _via_record(zone, wall) == "refused"
    assert _via_text_with_tz(zone, wall) == "refused"


@pytest.mark.parametrize("zone, wall", SECONDS)
def test_a_zoned_column_refuses_an_offset_with_seconds(zone: str, wall: dt.datetime) -> None:
    assert _via_zoned_column(zone, wall) == "refused"
