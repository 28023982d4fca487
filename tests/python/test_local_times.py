"""One rule for local times that do not exist or happen twice, used by every
entry point that takes a local time (issue: data that passed through other
hands), and naive timestamps never read as UTC silently.

Europe/Berlin, 2026: clocks jump 02:00 -> 03:00 on 29 March (02:30 does not
exist) and go back 03:00 -> 02:00 on 25 October (02:30 happens twice). The
reference for the instants is the IANA tz database through Python's zoneinfo
(PEP 495 fold=0) and, independently, the C library's own table (zdump-style
via time.localtime under TZ=Europe/Berlin in a subprocess).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit.importers import import_daylio
from calmkit.localtime import LocalTimeWarning, resolve

CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
GAP = datetime(2026, 3, 29, 2, 30)
REPEATED = datetime(2026, 10, 25, 2, 30)


def _libc_offsets(utc_seconds: list[int]) -> list[int]:
    """UTC offsets (seconds) the C library gives for each instant under TZ=Europe/Berlin."""
    code = "import sys,time\nfor s in sys.argv[1:]: print(time.localtime(int(s)).tm_gmtoff)"
    out = subprocess.run([sys.executable, "-c", code, *map(str, utc_seconds)], capture_output=True, text=True,
                         env={**os.environ, "TZ": "Europe/Berlin"}, check=True).stdout.split()
    return [int(x) for x in out]


def test_the_rule_against_the_c_library():
    gap, note = resolve(GAP, "Europe/Berlin")
    assert gap == datetime(2026, 3, 29, 3, 30, tzinfo=CEST) and gap.utcoffset() == timedelta(hours=2)
    assert "does not exist" in note and "03:30:00+02:00" in note
    first, note2 = resolve(REPEATED, "Europe/Berlin")
    assert first.utcoffset() == timedelta(hours=2) and first.replace(tzinfo=None) == REPEATED
    assert "happened twice" in note2 and "the first" in note2
    # The C library agrees on the offsets of the two chosen instants: +2 h at
    # 01:30Z on 29 March (just after the jump) and at 00:30Z on 25 October
    # (the first 02:30, before the clocks go back at 01:00Z).
    assert _libc_offsets([int(gap.timestamp()), int(first.timestamp())]) == [7200, 7200]
    assert resolve(datetime(2026, 5, 20, 21, 40), "Europe/Berlin").note is None


def test_python_api_localize_warns():
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        when = calmkit.localize(GAP, "Europe/Berlin")
    assert when == datetime(2026, 3, 29, 3, 30, tzinfo=CEST)
    with pytest.warns(LocalTimeWarning, match="happened twice"):
        calmkit.localize(REPEATED, "Europe/Berlin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert calmkit.localize(datetime(2026, 5, 20, 21, 40), "Europe/Berlin").utcoffset() == timedelta(hours=2)


def _cli_log(journal: Path, when: str, tz: str = "Europe/Berlin") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(journal),
                           "--intensity", "5", "--time", when], capture_output=True, text=True,
                          env={**os.environ, "TZ": tz})


def _times(journal: Path) -> list[str]:
    return [json.loads(line)["time"] for line in journal.read_text(encoding="utf-8").splitlines()
            if json.loads(line).get("type") == "reading"]


def test_cli_time_in_the_gap_is_read_as_the_importers_read_it_and_said(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-03-29T02:30")
    assert p.returncode == 0, p.stderr
    assert _times(j) == ["2026-03-29T03:30:00+02:00"]
    assert "note:" in p.stderr and "does not exist" in p.stderr
    # The importers read the same wall time the same way.
    csv = tmp_path / "d.csv"
    csv.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                   "2026-03-29,March 29,Sunday,02:30,meh,,,\n", encoding="utf-8")
    journal, report = import_daylio(csv, tz="Europe/Berlin")
    assert [r.time for r in journal.readings] == [datetime(2026, 3, 29, 3, 30, tzinfo=CEST)]
    assert len(report.adjusted) == 1


def test_cli_repeated_time_is_the_first_and_said(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-10-25T02:30")
    assert p.returncode == 0, p.stderr
    assert _times(j) == ["2026-10-25T02:30:00+02:00"]
    assert "happened twice" in p.stderr


def test_cli_ordinary_and_explicit_times_have_no_note(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-05-20T21:40")
    q = _cli_log(j, "2026-03-29T02:30:00+01:00")  # an explicit offset is taken as given
    assert p.returncode == 0 and q.returncode == 0
    assert "note:" not in p.stderr + q.stderr
    assert sorted(_times(j)) == ["2026-03-29T02:30:00+01:00", "2026-05-20T21:40:00+02:00"]


# --------------------------------------------------------------------------
# Naive timestamps in tables: never read as UTC silently
# --------------------------------------------------------------------------

def _reading_frame(times, offsets=(120,)):
    import pandas as pd

    return pd.DataFrame({"participant": ["p"] * len(times), "id": [f"r{i}" for i in range(len(times))],
                         "time": times, "offset_minutes": list(offsets) * len(times),
                         "intensity": [5] * len(times), "trigger": [""] * len(times), "note": [""] * len(times)})


def test_naive_dataframe_times_are_an_error_naming_table_and_column():
    import pandas as pd

    df = _reading_frame(pd.to_datetime(["2026-05-20 21:40:00"]))
    with pytest.raises(ValueError) as e:
        calmkit.parquet.journal_from_tables({"readings": df}, name="frames")
    msg = str(e.value)
    assert "frames/readings" in msg and "'time'" in msg and "without a time zone" in msg
    # Given the zone, the wall time is kept as the person meant it: 21:40+02:00.
    (r,) = calmkit.parquet.journal_from_tables({"readings": df}, tz="Europe/Berlin").readings
    assert r.time == datetime(2026, 5, 20, 21, 40, tzinfo=CEST)
    # An aware column is taken as given.
    aware = _reading_frame(pd.to_datetime(["2026-05-20 19:40:00"]).tz_localize("UTC"))
    (r2,) = calmkit.parquet.journal_from_tables({"readings": aware}).readings
    assert r2.time == datetime(2026, 5, 20, 21, 40, tzinfo=CEST)


def test_naive_times_with_a_zone_follow_the_one_rule_and_warn():
    import pandas as pd

    df = _reading_frame(pd.to_datetime(["2026-03-29 02:30", "2026-10-25 02:30"]), offsets=(60,))
    df["offset_minutes"] = [None, None]
    with pytest.warns(LocalTimeWarning) as w:
        j = calmkit.parquet.journal_from_tables({"readings": df}, tz="Europe/Berlin")
    assert [r.time for r in j.readings] == [datetime(2026, 3, 29, 3, 30, tzinfo=CEST),
                                            datetime(2026, 10, 25, 2, 30, tzinfo=CEST)]
    assert len(w) == 2
    # An offset the table holds is kept: the same instant (19:40Z), shown at that offset.
    kept = _reading_frame(pd.to_datetime(["2026-05-20 21:40"]), offsets=(60,))
    (r,) = calmkit.parquet.journal_from_tables({"readings": kept}, tz="Europe/Berlin").readings
    assert r.time == datetime(2026, 5, 20, 20, 40, tzinfo=CET)


def test_naive_exercise_end_is_caught_too():
    import pandas as pd

    j = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    tables = calmkit.parquet.tables_of(j)
    ex = tables["exercises"].to_pandas()
    ex["end"] = ex["end"].dt.tz_localize(None)
    with pytest.raises(ValueError, match="exercises: column 'end' holds timestamps without a time zone"):
        calmkit.parquet.journal_from_tables({**tables, "exercises": pd.DataFrame(ex)})


def test_read_parquet_of_a_dataset_rewritten_with_naive_timestamps(tmp_path: Path):
    import pyarrow.parquet as pq

    j = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    root = calmkit.write_parquet(j, tmp_path / "ds", partition_by="shard")
    # Another tool rewrites the readings with naive timestamps (the UTC wall clock, zone dropped).
    f = next((root / "readings").glob("part-*.parquet"))
    t = pq.read_table(f)
    i = t.column_names.index("time")
    t = t.set_column(i, "time", t.column("time").cast("timestamp[us]"))
    pq.write_table(t.replace_schema_metadata(pq.read_schema(f).metadata), f)
    with pytest.raises(ValueError, match=r"readings: column 'time' holds timestamps without a time zone"):
        calmkit.read_parquet(root)
    # The caller knows they are UTC wall times: tz="UTC" reads them back exactly
    # (the offsets the dataset holds are kept).
    assert calmkit.read_parquet(root, tz="UTC") == j


# --------------------------------------------------------------------------
# Empty tables are no records, whatever their shape
# --------------------------------------------------------------------------

def test_empty_tables_of_any_shape_are_no_records(tmp_path: Path):
    import pandas as pd
    import pyarrow as pa

    j = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    tables = {k: v.to_pandas() for k, v in calmkit.parquet.tables_of(j).items()}
    for empty in (pd.DataFrame(), pd.DataFrame({"x": []}), pa.table({}), pa.table({"time": pa.array([], "int64")}),
                  tables["exercises"].iloc[:0]):
        got = calmkit.parquet.journal_from_tables({**tables, "exercises": empty})
        assert len(got.exercises) == 0
        assert len(got.readings) == len(j.readings)
    # The case: a dataset whose journal had no exercises, read back with pandas.
    no_ex = calmkit.parse_journal("".join(
        line + "\n" for line in calmkit.to_jsonl(j).split("\n") if line and json.loads(line)["type"] != "exercise"))
    root = calmkit.write_parquet(no_ex, tmp_path / "ds")
    frames = {name: pd.read_parquet(root / name) for name in calmkit.parquet.TABLES}
    assert calmkit.parquet.journal_from_tables(frames) == no_ex


def test_records_given_a_zoneinfo_datetime_follow_the_rule():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    with pytest.warns(LocalTimeWarning, match="does not exist"):
        r = calmkit.Reading(time=datetime(2026, 3, 29, 2, 30, tzinfo=berlin), intensity=4)
    assert r.time == datetime(2026, 3, 29, 3, 30, tzinfo=CEST) and r.time.utcoffset() == timedelta(hours=2)
    with pytest.warns(LocalTimeWarning, match="happened twice"):
        r2 = calmkit.Trigger(id="t", time=datetime(2026, 10, 25, 2, 30, tzinfo=berlin), category="conflict",
                             intensity=4)
    assert r2.time.utcoffset() == timedelta(hours=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # fold=1 picks the second 02:30 on purpose; an ordinary time needs no rule.
        r3 = calmkit.Reading(time=datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin), intensity=4)
        assert r3.time.utcoffset() == timedelta(hours=1)
        r4 = calmkit.Reading(time=datetime(2026, 5, 20, 21, 40, tzinfo=berlin), intensity=4)
        assert r4.time == datetime(2026, 5, 20, 21, 40, tzinfo=CEST)
    assert calmkit.LocalTimeWarning is calmkit._core.LocalTimeWarning


@pytest.mark.parametrize("when, expected, said", [
    # US Eastern by a POSIX rule (no IANA name): 2026-03-08 02:30 does not exist (02:00 EST -> 03:00 EDT),
    # read at the offset before the change, 07:30 UTC = 03:30-04:00; 2026-11-01 01:30 happens twice,
    # the first is EDT (-04:00); 2026-06-01 12:00 is plain EDT.
    ("2026-03-08T02:30", "2026-03-08T03:30:00-04:00", "does not exist"),
    ("2026-11-01T01:30", "2026-11-01T01:30:00-04:00", "happened twice"),
    ("2026-06-01T12:00", "2026-06-01T12:00:00-04:00", None),
])
def test_cli_follows_the_rule_under_a_posix_tz_string(tmp_path: Path, when: str, expected: str, said):
    # Found by review: with $TZ a POSIX rule the CLI fell back to the C library's
    # own guess (02:30 -> 01:30-05:00) and said nothing.
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, when, tz="EST5EDT,M3.2.0,M11.1.0")
    assert p.returncode == 0, p.stderr
    assert _times(j) == [expected]
    if said is None:
        assert "note:" not in p.stderr
    else:
        assert said in p.stderr


@pytest.mark.parametrize("tz, when", [("America/New_York", "9999-12-31T23:59"), ("Asia/Tokyo", "0001-01-01T00:00"),
                                      ("EST5EDT,M3.2.0,M11.1.0", "9999-12-31T23:59")])
def test_cli_time_outside_the_calendar_is_a_usage_error(tmp_path: Path, tz: str, when: str):
    p = _cli_log(tmp_path / "j.jsonl", when, tz=tz)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and when in p.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_resolve_outside_the_calendar_is_a_value_error():
    with pytest.raises(ValueError, match="outside"):
        calmkit.localtime.resolve(datetime(1, 1, 1), "Europe/Berlin")


def test_cli_refuses_a_local_time_under_an_unknown_tz_name(tmp_path: Path):
    # Found by review: TZ=Nowhere/Land made the C library read 02:30 as UTC, silently.
    j = tmp_path / "j.jsonl"
    p = _cli_log(j, "2026-03-08T02:30", tz="Nowhere/Land")
    assert p.returncode == 2 and "Nowhere/Land" in p.stderr and "Traceback" not in p.stderr
    assert not j.exists()
    q = _cli_log(j, "2026-03-08T02:30+01:00", tz="Nowhere/Land")  # an explicit offset needs no zone
    assert q.returncode == 0, q.stderr
    assert _times(j) == ["2026-03-08T02:30:00+01:00"]


def test_cli_reads_digits_past_the_microsecond_as_the_journal_reader_does(tmp_path: Path):
    # One rule for time texts (docs/journal-format.md): any number of fractional digits, kept to the
    # microsecond, the rest dropped as datetime.fromisoformat drops them (and as the reader does).
    text = "2026-03-02T21:14:00.1234567+01:00"
    p = _cli_log(tmp_path / "j.jsonl", text)
    assert p.returncode == 0, p.stderr
    assert _times(tmp_path / "j.jsonl") == ["2026-03-02T21:14:00.123456+01:00"]
    assert calmkit.read_journal(tmp_path / "j.jsonl").readings[0].time == datetime.fromisoformat(text)
