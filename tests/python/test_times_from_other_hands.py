"""Every entry point that takes a time, fed the way other libraries and tools
hand times over (issue: data that passed through other hands, "other cases of
the same kinds"): no time is stored other than the one the person meant
without saying so.

- record constructors given datetimes from zoneinfo, dateutil (zone files and
  POSIX rules), pytz (localized, and the classic ``tzinfo=pytz.timezone(...)``
  mistake, stub42/pytz#56 and #76: the zone's first, local-mean-time offset),
  pandas Timestamps (nanoseconds) and numpy datetime64;
- tables from pandas, polars and pyarrow whose time column names a zone but
  has no offset column, holds text, dates or epoch numbers;
- the CLI's ``--time`` given a bare date or an offset with seconds.

The references are other libraries' own answers: pytz ``localize(is_dst=None)``
(which raises for a time that does not exist or happens twice) for the
constructors, pandas' ``tz_convert`` for the offsets of zone-aware columns.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import calmkit
import calmkit.parquet
from calmkit.localtime import LocalTimeWarning

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytz = pytest.importorskip("pytz")
dateutil_tz = pytest.importorskip("dateutil.tz")

CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))

# Zones with a DST gap and a repeated hour of 1 h (Berlin, New York, Santiago
# in the southern hemisphere), of 30 minutes (Lord Howe), and none (Kolkata).
ZONES = ["Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata"]


def _reading(t):
    return calmkit.Reading(id="r", participant="p", time=t, intensity=4)


def _expected_by_pytz(zone: str, wall: datetime) -> tuple[datetime, str | None]:
    """What the one rule gives, by pytz (another library's tables and code):
    an ordinary time as pytz localizes it; a time that does not exist at the
    offset in force a day before (the offset before the change); a time that
    happens twice as the first of the two, the earlier instant."""
    tz = pytz.timezone(zone)
    try:
        return tz.localize(wall, is_dst=None), None
    except pytz.NonExistentTimeError:
        before = tz.normalize(tz.localize(wall - timedelta(days=1))).utcoffset()
        return tz.normalize((wall - before).replace(tzinfo=pytz.utc).astimezone(tz)), "does not exist"
    except pytz.AmbiguousTimeError:
        a, b = tz.localize(wall, is_dst=True), tz.localize(wall, is_dst=False)
        return min(a, b, key=lambda d: d.astimezone(timezone.utc)), "happened twice"


_walls = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0))
# The changes themselves, where the rule matters, drawn often on purpose.
_changes = st.sampled_from([
    ("Europe/Berlin", datetime(2026, 3, 29, 2, 30)), ("Europe/Berlin", datetime(2026, 10, 25, 2, 30)),
    ("America/New_York", datetime(2026, 3, 8, 2, 30)), ("America/New_York", datetime(2026, 11, 1, 1, 30)),
    ("America/Santiago", datetime(2026, 4, 4, 23, 30)), ("America/Santiago", datetime(2026, 9, 6, 0, 30)),
    ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 15)), ("Australia/Lord_Howe", datetime(2026, 4, 5, 1, 45)),
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(st.tuples(st.sampled_from(ZONES), _walls), _changes),
       kind=st.sampled_from(["zoneinfo", "dateutil"]))
def test_constructors_follow_the_one_rule_for_every_zone_library(case, kind):
    zone, wall = case
    tz = ZoneInfo(zone) if kind == "zoneinfo" else dateutil_tz.gettz(zone)
    expected, said = _expected_by_pytz(zone, wall)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = _reading(wall.replace(tzinfo=tz)).time
    assert got == expected and got.utcoffset() == expected.utcoffset(), (zone, wall, kind)
    notes = [str(w.message) for w in seen if issubclass(w.category, LocalTimeWarning)]
    if said is None:
        assert notes == []
    else:
        assert len(notes) == 1 and said in notes[0]


def test_posix_rule_zone_of_dateutil_follows_the_rule():
    # dateutil's tzstr answers a gap time with the offset after the change; the
    # rule is the offset before it: 02:30 -> 03:30+02:00, as for zoneinfo.
    tz = dateutil_tz.tzstr("CET-1CEST,M3.5.0,M10.5.0/3")
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        got = _reading(datetime(2026, 3, 29, 2, 30, tzinfo=tz)).time
    assert got == datetime(2026, 3, 29, 3, 30, tzinfo=CEST) and got.utcoffset() == timedelta(hours=2)


def test_pytz_localized_times_keep_what_localize_chose_and_say_so():
    berlin = pytz.timezone("Europe/Berlin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _reading(berlin.localize(datetime(2026, 5, 20, 21, 40))).time == \
            datetime(2026, 5, 20, 21, 40, tzinfo=CEST)
    # pytz's default is_dst=False picks the second 02:30 (+01:00): kept, and said.
    with pytest.warns(LocalTimeWarning, match="the second"):
        got = _reading(berlin.localize(datetime(2026, 10, 25, 2, 30))).time
    assert got.utcoffset() == timedelta(hours=1)
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        got = _reading(berlin.localize(datetime(2026, 3, 29, 2, 30))).time
    assert got == datetime(2026, 3, 29, 3, 30, tzinfo=CEST)


@pytest.mark.parametrize("zone, lmt", [("Europe/Berlin", "0:53:00"), ("Asia/Kolkata", "5:53:00"),
                                       ("America/New_York", "19:04:00")])
def test_a_pytz_zone_passed_as_tzinfo_is_refused_not_moved(zone, lmt):
    # datetime(..., tzinfo=pytz.timezone(zone)) carries the zone's local mean
    # time (Berlin +00:53): calmkit stored 22:47+02:00 for 21:40 in Berlin.
    t = datetime(2026, 5, 20, 21, 40, tzinfo=pytz.timezone(zone))
    with pytest.raises(ValueError, match="localize") as e:
        _reading(t)
    assert lmt in str(e.value) and zone in str(e.value)


def test_pandas_timestamps():
    pd = pytest.importorskip("pandas")
    assert _reading(pd.Timestamp("2026-05-20 21:40", tz="Europe/Berlin")).time == \
        datetime(2026, 5, 20, 21, 40, tzinfo=CEST)
    with pytest.raises(ValueError, match="123 nanosecond"):
        _reading(pd.Timestamp("2026-05-20 21:40:00.000000123+02:00"))
    with pytest.raises(ValueError, match="needs a UTC offset"):
        _reading(pd.Timestamp("2026-05-20 21:40"))
    with pytest.raises((ValueError, TypeError)):
        _reading(pd.NaT)


def test_numpy_datetime64_is_refused():
    np = pytest.importorskip("numpy")
    with pytest.raises(calmkit.RecordError, match="field 'time': must be an aware datetime or an RFC 3339 string"):
        _reading(np.datetime64("2026-05-20T21:40"))


# --------------------------------------------------------------------------
# Tables: zone-aware columns without offsets, text, dates, numbers
# --------------------------------------------------------------------------

def _frame(times, **extra):
    pd = pytest.importorskip("pandas")
    n = len(times)
    return pd.DataFrame({"participant": ["p"] * n, "id": [f"r{i}" for i in range(n)], "intensity": [4] * n,
                         "time": times, **extra})


def _read(frame, **kw):
    return calmkit.parquet.journal_from_tables({"readings": frame}, **kw)


def _shown(j):
    return [r.time.isoformat() for r in j.readings]


def test_a_zone_aware_pandas_column_without_offsets_keeps_its_wall_times():
    pd = pytest.importorskip("pandas")
    # Either side of the spring change in Berlin; the reference is pandas' own tz_convert.
    times = pd.to_datetime(["2026-03-28 21:40", "2026-03-30 21:40"]).tz_localize("Europe/Berlin")
    got = _read(_frame(times))
    assert _shown(got) == [t.isoformat() for t in times] == ["2026-03-28T21:40:00+01:00",
                                                              "2026-03-30T21:40:00+02:00"]
    # The same instants stored in UTC by another tool, with the zone kept in the type.
    utc = times.tz_convert("UTC").tz_convert("Europe/Berlin")
    assert _shown(_read(_frame(utc))) == _shown(got)
    # An offset the table holds is kept (it says where the person was), a null one is filled.
    held = _read(_frame(times, offset_minutes=pd.array([0, None], dtype="Int16")))
    assert _shown(held) == ["2026-03-28T20:40:00+00:00", "2026-03-30T21:40:00+02:00"]
    # A fixed offset as the zone.
    fixed = pd.to_datetime(["2026-05-20T21:40:00+05:30"])
    assert _shown(_read(_frame(fixed))) == ["2026-05-20T21:40:00+05:30"]
    # UTC stays UTC.
    assert _shown(_read(_frame(times.tz_convert("UTC")))) == ["2026-03-28T20:40:00+00:00",
                                                              "2026-03-30T19:40:00+00:00"]


def test_a_zone_aware_column_in_a_parquet_file_rewritten_by_another_tool(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")

    j = calmkit.parse_journal('{"type":"reading","participant":"p","id":"r1",'
                              '"time":"2026-05-20T21:40:00+02:00","intensity":4}\n')
    root = calmkit.write_parquet(j, tmp_path / "ds", partition_by="shard")
    # Another tool's habit: the zone in the column's type, the offset column dropped.
    f = next((root / "readings").glob("part-*.parquet"))
    t = pq.read_table(f)
    t = t.set_column(t.column_names.index("time"), "time",
                     t.column("time").cast(pa.timestamp("us", tz="Europe/Berlin")))
    t = t.drop_columns(["offset_minutes"])
    pq.write_table(t.replace_schema_metadata(pq.read_schema(f).metadata), f)
    assert _shown(calmkit.read_parquet(root)) == ["2026-05-20T21:40:00+02:00"]


def test_a_zone_arrow_does_not_know_is_an_error_naming_the_column():
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"participant": ["p"], "id": ["r1"], "intensity": [4],
                      "time": pa.array([datetime(2026, 5, 20, 19, 40)], pa.timestamp("us", tz="Nowhere/Land"))})
    with pytest.raises(ValueError, match=r"readings: column 'time' is in the time zone 'Nowhere/Land'"):
        _read(table)


def test_polars_frames_aware_and_naive():
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    naive = pl.DataFrame({"participant": ["p"], "id": ["r1"], "intensity": [4],
                          "time": [datetime(2026, 3, 29, 2, 30)]})
    with pytest.raises(ValueError, match="without a time zone"):
        _read(naive)
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        assert _shown(_read(naive, tz="Europe/Berlin")) == ["2026-03-29T03:30:00+02:00"]
    aware = pl.DataFrame({"participant": ["p"], "id": ["r1"], "intensity": [4],
                          "time": [datetime(2026, 5, 20, 21, 40)]}).with_columns(
        pl.col("time").dt.replace_time_zone("America/New_York"))
    assert _shown(_read(aware)) == ["2026-05-20T21:40:00-04:00"]


def test_text_time_columns_are_read_with_their_own_offsets():
    frame = _frame(["2026-03-28T21:40:00+01:00", "2026-03-30 21:40+02:00", "2026-03-31T08:00:00Z"])
    assert _shown(_read(frame)) == ["2026-03-28T21:40:00+01:00", "2026-03-30T21:40:00+02:00",
                                    "2026-03-31T08:00:00+00:00"]


def test_text_times_without_an_offset_need_tz():
    frame = _frame(["2026-03-28T21:40:00+01:00", "2026-03-29 02:30"])
    with pytest.raises(ValueError, match=r"readings: row 1: field 'time': '2026-03-29 02:30' has no UTC offset"):
        _read(frame)
    with pytest.warns(LocalTimeWarning, match="row 1: column 'time': 2026-03-29 02:30 does not exist"):
        got = _read(frame, tz="Europe/Berlin")
    assert _shown(got) == ["2026-03-28T21:40:00+01:00", "2026-03-29T03:30:00+02:00"]


@pytest.mark.parametrize("text", ["2026-03-29", "yesterday", "29.03.2026 21:40", "2026-03-29T21:40:61Z"])
def test_text_that_is_no_date_and_time_names_the_row(text):
    with pytest.raises(ValueError, match=r"row 0: field 'time'"):
        _read(_frame([text]), tz="Europe/Berlin")


@pytest.mark.parametrize("column, said", [
    ("date", "without a time of day"), ("int_s", "seconds, milliseconds or microseconds"),
    ("float", "seconds, milliseconds or microseconds")])
def test_dates_and_epoch_numbers_are_refused_naming_the_column(column, said):
    pa = pytest.importorskip("pyarrow")
    values = {"date": pa.array([datetime(2026, 5, 20).date()], pa.date32()),
              "int_s": pa.array([1779306000], pa.int64()), "float": pa.array([1779306000.0], pa.float64())}
    table = pa.table({"participant": ["p"], "id": ["r1"], "intensity": [4], "time": values[column]})
    with pytest.raises(ValueError, match=f"readings: column 'time' holds .*{said}"):
        _read(table)


def test_an_exercise_end_of_text_and_a_zone_aware_end():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"participant": ["p"], "id": ["e1"], "exercise": ["box-breathing"], "completed": [True],
                          "time": pd.to_datetime(["2026-05-20 21:40"]).tz_localize("Europe/Berlin"),
                          "end": ["2026-05-20T21:45:00+02:00"]})
    got = calmkit.parquet.journal_from_tables({"exercises": frame})
    e = got.exercises[0]
    assert e.time.isoformat() == "2026-05-20T21:40:00+02:00" and e.end.isoformat() == "2026-05-20T21:45:00+02:00"


# --------------------------------------------------------------------------
# The CLI's --time
# --------------------------------------------------------------------------

def _cli_log(journal: Path, when: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(journal),
                           "--intensity", "5", "--time", when], capture_output=True, text=True,
                          env={**os.environ, "TZ": "Europe/Berlin"})


@pytest.mark.parametrize("when", ["2026-03-29", "20260329", "2026-W13-7"])
def test_cli_a_bare_date_is_not_read_as_its_midnight(tmp_path: Path, when: str):
    # datetime.fromisoformat reads a bare date as 00:00, a time nobody typed.
    p = _cli_log(tmp_path / "j.jsonl", when)
    assert p.returncode == 2 and "no time of day" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_cli_an_offset_with_seconds_names_time(tmp_path: Path):
    p = _cli_log(tmp_path / "j.jsonl", "2026-03-29T21:40:00+01:00:30")
    assert p.returncode == 2 and "--time" in p.stderr and "whole number of minutes" in p.stderr


def test_cli_forms_fromisoformat_accepts_are_read_as_typed(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    for when in ("2026-05-20 21:40", "20260520T2141", "2026-05-20T21", "2026-05-20t21:43+02:00"):
        p = _cli_log(j, when)
        assert p.returncode == 0, p.stderr
    times = sorted(json.loads(line)["time"] for line in j.read_text(encoding="utf-8").splitlines()[1:])
    assert times == ["2026-05-20T21:00:00+02:00", "2026-05-20T21:40:00+02:00", "2026-05-20T21:41:00+02:00",
                     "2026-05-20T21:43:00+02:00"]


def test_cli_now_under_an_unknown_tz_says_it_is_kept_at_utc(tmp_path: Path):
    # The C library reads TZ=Europe/Berln as UTC without a word: "now" would be
    # kept at +00:00, the person's wall time lost. Said on stderr.
    j = tmp_path / "j.jsonl"
    p = subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(j), "--intensity", "5"],
                       capture_output=True, text=True, env={**os.environ, "TZ": "Europe/Berln"})
    assert p.returncode == 0, p.stderr
    assert "Europe/Berln" in p.stderr and "UTC (+00:00)" in p.stderr
    ok = subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(j), "--intensity", "5"],
                        capture_output=True, text=True, env={**os.environ, "TZ": "Europe/Berlin"})
    assert ok.returncode == 0 and "note:" not in ok.stderr


def test_import_csv_time_a_spreadsheet_reformatted_names_file_line_and_field(tmp_path: Path):
    j = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    calmkit.export_csv(j, tmp_path / "out")
    f = tmp_path / "out" / "readings.csv"
    text = f.read_text(encoding="utf-8")
    first_time = text.splitlines()[1].split(",")[2]
    # What a sheet shows and saves back for a time it recognised: the offset is gone.
    f.write_text(text.replace(first_time, "2026-03-03 08:00", 1), encoding="utf-8")
    with pytest.raises(calmkit.ImportFormatError, match=r"readings.csv:2: field 'time': .*no UTC offset"):
        calmkit.import_csv(tmp_path / "out")


@pytest.mark.parametrize("year", [1, 1399])
def test_a_year_a_journal_cannot_hold_is_refused_in_the_readers_words(year):
    """The year rule has one wording (C++ ``detail::year_rule``): a datetime handed to a
    constructor is refused with the words the journal reader uses for a timestamp."""
    with pytest.raises(calmkit.RecordError,
                       match=rf"^reading 'r' of participant 'p': field 'time': year must be 1400\.\.9999, got {year}$"):
        calmkit.Reading(id="r", participant="p", time=datetime(year, 6, 1, tzinfo=timezone.utc), intensity=4)
    bad = '{"type":"reading","participant":"p","id":"r","time":"%04d-06-01T00:00:00Z","intensity":4}' % year
    with pytest.raises(calmkit.JournalFormatError, match=r"year must be 1400\.\.9999"):
        calmkit.parse_journal(bad + "\n")
