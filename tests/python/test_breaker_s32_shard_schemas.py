"""Shard datasets whose part files other programs wrote: each file read alone
must reach the journal as it would in any other file of the dataset, and a
file that breaks a rule must be named (file, or table, row and column).

read_parquet handed the folder to pyarrow's dataset scanner, whose schema is
the first file's: every other file was cast to it. The casts pyarrow cannot do,
or did without a word, changed what a file means by where it sits (each file
is now read with its own schema and checked on its own):

- B32: a participant column of ``string_view`` (what pyarrow writes from a
  table of view strings, e.g. DuckDB's or polars' newest Arrow output) makes
  read_parquet raise pyarrow's ArrowNotImplementedError: with a participant
  filter (``is_in`` has no string_view kernel), or without one in a dataset
  whose other files hold the usual dictionary (no cast between the two).
  ``id`` as string_view and participant as large_string read fine.
- B33: a value that does not fit the first file's type in a later file (an
  intensity of 300 written as int64, 3.5 as double, an offset of 40,000
  minutes, nanoseconds below the microsecond) is "<folder>: not a readable
  Parquet dataset (Integer value 300 not in range: -128 to 127)": no file, no
  row, no column, and a readable file called unreadable; the same file as the
  dataset's only one is "row 0: field 'intensity': must be an integer 0..10".
- B34: a later file whose ``time`` column lost its zone (a tool that wrote
  local wall times as naive timestamps) is read as UTC without a word (the
  records move by the person's offset), though the same file first, or alone,
  is refused ("holds timestamps without a time zone") as the docs promise.
  The other way round, with ``tz=`` given for a naive first file, the later
  files' correct UTC instants are cast to naive and read as wall times in
  ``tz``: every record of theirs moves.
- B35: a shard file damaged inside its data pages is "<folder>: not a
  readable Parquet dataset (Corrupt snappy compressed data.)": the folder,
  not the file (which of the shards?), while the participant layout names
  the file for the same damage.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pc = pytest.importorskip("pyarrow.compute")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture(scope="module")
def journal() -> Any:
    return calmkit.read_journal(SAMPLE)


def _dataset(journal: Any, tmp_path: Path, shards: int) -> Path:
    """The sample's three participants, one per shard when ``shards`` is 3."""
    return calmkit.write_parquet(journal, tmp_path / "ds", shards=shards)


def _part(ds: Path, table: str, k: int) -> Path:
    return sorted((ds / table).glob("part-*.parquet"))[k]


def _rewrite(f: Path, fn: Callable[[Any], Any]) -> None:
    pq.write_table(fn(pq.read_table(f)), f)


def _set(t: Any, name: str, column: Any) -> Any:
    return t.set_column(t.schema.get_field_index(name), pa.field(name, column.type), column)


def _decoded(t: Any, name: str) -> Any:
    c = t[name]
    return c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c


def _participant_as_view(t: Any) -> Any:
    return _set(t, "participant", _decoded(t, "participant").cast(pa.string_view()))


def _jsonl(j: Any) -> str:
    return calmkit.to_jsonl(j)


# --- B32 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shards", "k", "participants"), [(1, 0, ["p002"]), (3, 1, None), (3, 0, None),
                                                         (3, 0, ["p001", "p002"])])
def test_a_string_view_participant_column_reads_as_written(shards: int, k: int, participants: Any, journal: Any,
                                                           tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, shards)
    want = calmkit.read_parquet(ds, participants)  # the files as calmkit wrote them
    for table in calmkit.parquet.TABLES:
        _rewrite(_part(ds, table, k), _participant_as_view)
    assert _jsonl(calmkit.read_parquet(ds, participants)) == _jsonl(want)


def test_the_same_file_alone_without_a_filter_reads(journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, 1)
    for table in calmkit.parquet.TABLES:
        _rewrite(_part(ds, table, 0), _participant_as_view)
    assert pq.read_schema(_part(ds, "triggers", 0)).field("participant").type == pa.string_view()
    assert _jsonl(calmkit.read_parquet(ds)) == _jsonl(journal)


# --- B33 ------------------------------------------------------------------------------------------


def _first_value(column: str, value: Any, type_: Any) -> Callable[[Any], Any]:
    def fn(t: Any) -> Any:
        values = t[column].to_pylist()
        values[0] = value
        if pa.types.is_floating(type_):
            values = [float(v) for v in values]
        return _set(t, column, pa.array(values, type_))
    return fn


def _below_the_microsecond(t: Any) -> Any:
    ns = pc.add(t["time"].cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()), 1)
    return _set(t, "time", ns.cast(pa.timestamp("ns", tz="UTC")))


BAD_VALUES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "intensity 300 as int64": ("intensity", _first_value("intensity", 300, pa.int64())),
    "intensity 3.5 as double": ("intensity", _first_value("intensity", 3.5, pa.float64())),
    "offset of 40000 minutes as int32": ("offset_minutes", _first_value("offset_minutes", 40000, pa.int32())),
    "a time with nanoseconds": ("time", _below_the_microsecond),
}


@pytest.mark.parametrize("what", sorted(BAD_VALUES))
def test_a_bad_value_in_the_only_file_is_named_by_row_and_column(what: str, journal: Any, tmp_path: Path) -> None:
    column, fn = BAD_VALUES[what]
    ds = _dataset(journal, tmp_path, 1)
    _rewrite(_part(ds, "triggers", 0), fn)
    with pytest.raises(ValueError, match=f"row 0: field '{column}'"):
        calmkit.read_parquet(ds)


@pytest.mark.parametrize("what", sorted(BAD_VALUES))
def test_a_bad_value_in_a_later_shard_is_named_too(what: str, journal: Any, tmp_path: Path) -> None:
    column, fn = BAD_VALUES[what]
    ds = _dataset(journal, tmp_path, 3)
    part = _part(ds, "triggers", 2)
    _rewrite(part, fn)
    with pytest.raises(ValueError) as e:
        calmkit.read_parquet(ds)
    message = str(e.value)
    assert f"'{column}'" in message or f"column {column}" in message, message
    assert part.name in message or "row " in message, message
    assert "not a readable" not in message, message


# --- B34 ------------------------------------------------------------------------------------------


def _naive_wall_times(t: Any) -> Any:
    """``time`` as the person's wall clock without a zone: what a tool that
    drops the zone (pandas' tz_localize(None) of local times, a spreadsheet
    export) writes."""
    us = pc.add(t["time"].cast(pa.int64()), pc.multiply(t["offset_minutes"].cast(pa.int64()), 60_000_000))
    return _set(t, "time", us.cast(pa.timestamp("us")))


@pytest.mark.parametrize("shards", [1, 3])
def test_naive_times_in_the_first_file_are_refused(shards: int, journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, shards)
    _rewrite(_part(ds, "readings", 0), _naive_wall_times)
    with pytest.raises(ValueError, match="without a time zone"):
        calmkit.read_parquet(ds)


@pytest.mark.parametrize("k", [1, 2])
def test_naive_times_in_a_later_file_are_refused_too(k: int, journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, 3)
    _rewrite(_part(ds, "readings", k), _naive_wall_times)
    try:
        got = calmkit.read_parquet(ds)
    except ValueError as e:
        assert "without a time zone" in str(e), str(e)
        return
    assert _jsonl(got) == _jsonl(journal), "the naive wall times were read as UTC"


def test_tz_for_a_naive_first_file_leaves_the_other_files_instants(journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, 3)
    _rewrite(_part(ds, "readings", 0), _naive_wall_times)  # p001's readings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LocalTimeWarning for p001's wall times, which are not ours here
        got = calmkit.read_parquet(ds, tz="Europe/Berlin")
    for p in ("p002", "p003"):  # untouched files, timestamp[us, UTC] as written
        assert [r.time for r in got.participant(p).readings] == [r.time for r in journal.participant(p).readings], p


# --- B35 ------------------------------------------------------------------------------------------


def _damage_pages(f: Path) -> None:
    data = f.read_bytes()
    f.write_bytes(data[:100] + bytes(50) + data[150:])  # inside the first data page; the footer intact


@pytest.mark.parametrize("participants", [None, ["p002"]])
def test_a_damaged_page_is_named_by_file_in_the_participant_layout(participants: Any, journal: Any,
                                                                 tmp_path: Path) -> None:
    ds = calmkit.write_parquet(journal, tmp_path / "ds", partition_by="participant")
    f = ds / "triggers" / "participant=p002" / "part-0.parquet"
    _damage_pages(f)
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(ds, participants)
    assert str(e.value).startswith(f"{f}: "), str(e.value)


@pytest.mark.parametrize("participants", [None, ["p002"]])
def test_a_damaged_page_is_named_by_file_in_the_shard_layout(participants: Any, journal: Any,
                                                           tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path, 3)
    f = _part(ds, "triggers", 1)  # p002's
    _damage_pages(f)
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(ds, participants)
    assert str(e.value).startswith(f"{f}: "), str(e.value)
