"""Journal.from_arrow with tables other programs make, checked against pyarrow.

The same three triggers arrive in the shapes Arrow producers really use —
dictionary-encoded strings with any index width, large_string, string_view,
timestamps in s/ms/ns and in other zones, one row per batch, chunks with
different dictionaries or none — and must give the journal of the plain
table. The expected values are computed here with pyarrow and datetime,
not by calmkit. Broken tables (a dictionary index outside its dictionary,
nanoseconds below the microsecond, a naive or unknown zone, dates, epoch
numbers, offsets and intensities out of range or fractional) are refused
with the table, the row where there is one, and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")

US = [1_772_482_440_000_000, 1_772_482_500_000_000, 1_772_482_560_000_000]  # UTC microseconds


def columns(**over: Any) -> dict[str, Any]:
    cols = {"participant": ["p", "p", "q"], "id": ["t1", "t2", "t3"],
            "time": pa.array(US, pa.timestamp("us", tz="UTC")),
            "offset_minutes": pa.array([60, 60, 0], pa.int16()),
            "category": ["delayed_reply", "other", "other"], "intensity": pa.array([8, 3, 5], pa.int8())}
    cols.update(over)
    return {k: v for k, v in cols.items() if v is not None}


def seen(journal: calmkit.Journal) -> list[tuple[str, str, dt.datetime, str, int]]:
    return [(t.participant, t.id, t.time, t.category, t.intensity) for t in journal.triggers]


def expected(offsets: list[int]) -> list[tuple[str, str, dt.datetime, str, int]]:
    """The three triggers as datetime computes them: each UTC instant shown at its offset."""
    rows = []
    for (p, i, c, n), us, off in zip([("p", "t1", "delayed_reply", 8), ("p", "t2", "other", 3),
                                      ("q", "t3", "other", 5)], US, offsets):
        utc = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=us)
        rows.append((p, i, utc.astimezone(dt.timezone(dt.timedelta(minutes=off))), c, n))
    return sorted(rows, key=lambda r: (r[0], r[2], r[1]))


def dictionary(values: list[str], index: Any = None, value_type: Any = None) -> Any:
    uniq = sorted(set(values))
    return pa.DictionaryArray.from_arrays(pa.array([uniq.index(v) for v in values], index or pa.int32()),
                                          pa.array(uniq, value_type or pa.string()))


SAME = {
    "plain": columns(),
    "participant dictionary, int8 index": columns(participant=dictionary(["p", "p", "q"], pa.int8())),
    "participant dictionary, uint64 index": columns(participant=dictionary(["p", "p", "q"], pa.uint64())),
    "participant dictionary with a value twice": columns(
        participant=pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), ["p", "p", "q"])),
    "category dictionary of large_string": columns(
        category=dictionary(["delayed_reply", "other", "other"], value_type=pa.large_string())),
    "large_string id": columns(id=pa.array(["t1", "t2", "t3"], pa.large_string())),
    "time in seconds": columns(time=pa.array([u // 10**6 for u in US], pa.timestamp("s", tz="UTC"))),
    "time in milliseconds": columns(time=pa.array([u // 10**3 for u in US], pa.timestamp("ms", tz="UTC"))),
    "time in nanoseconds": columns(time=pa.array([u * 10**3 for u in US], pa.timestamp("ns", tz="UTC"))),
    "intensity as whole floats": columns(intensity=pa.array([8.0, 3.0, 5.0])),
    "offset as int64": columns(offset_minutes=pa.array([60, 60, 0], pa.int64())),
}
if hasattr(pa, "string_view"):
    SAME["string_view id, inline and out of line"] = columns(
        id=pa.array(["t1", "t2", "t3"], pa.string_view()),
        context=pa.array(["short", "a context longer than twelve bytes", None], pa.string_view()))


@pytest.mark.parametrize("name", list(SAME))
def test_the_same_triggers_in_the_shapes_producers_use(name: str) -> None:
    journal = calmkit.Journal.from_arrow({"triggers": pa.table(SAME[name])})
    assert seen(journal) == expected([60, 60, 0])
    if "context" in SAME[name]:  # string_view: a text of 12 bytes or fewer is inline, longer ones in a buffer
        assert [t.context for t in journal.triggers] == ["short", "a context longer than twelve bytes", ""]


def test_batches_of_one_row_dictionaries_that_differ_per_chunk_and_empty_chunks() -> None:
    plain = pa.table(columns())
    one_row = pa.Table.from_batches(plain.to_batches(max_chunksize=1))
    per_chunk = plain.set_column(0, "participant", pa.chunked_array(
        [pa.array(["p"]).dictionary_encode(), pa.array(["p", "q"]).dictionary_encode()]))
    empty_chunks = plain.set_column(1, "id", pa.chunked_array(
        [pa.array([], pa.string()), pa.array(["t1"]), pa.array([], pa.string()), pa.array(["t2", "t3"])]))
    for table in (one_row, per_chunk, empty_chunks):
        assert seen(calmkit.Journal.from_arrow({"triggers": table})) == expected([60, 60, 0])
    # A slice reads from its offset in the parent's buffers.
    assert seen(calmkit.Journal.from_arrow({"triggers": plain.slice(1, 2)})) == expected([60, 60, 0])[1:]
    assert len(calmkit.Journal.from_arrow({"triggers": plain.slice(0, 0)})) == 0


@pytest.mark.parametrize("zone, minutes", [("Asia/Kathmandu", 345), ("+05:45", 345), ("America/St_Johns", -210)])
def test_a_time_column_in_another_zone_without_offsets_keeps_that_zones_wall_time(zone: str, minutes: int) -> None:
    # March 2: St John's is on standard time (-03:30); Kathmandu is +05:45 all year.
    table = pa.table(columns(time=pa.array(US, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=zone)),
                             offset_minutes=None))
    assert seen(calmkit.Journal.from_arrow({"triggers": table})) == expected([minutes] * 3)


REFUSED = {
    "dictionary index past its dictionary": (
        columns(participant=pa.DictionaryArray.from_arrays(pa.array([0, 0, 5], pa.int32()), ["p", "q"], safe=False)),
        "row 2: field 'participant': has a dictionary index outside its dictionary"),
    "negative dictionary index": (
        columns(participant=pa.DictionaryArray.from_arrays(pa.array([0, 0, -1], pa.int32()), ["p", "q"], safe=False)),
        "row 2: field 'participant': has a dictionary index outside its dictionary"),
    "nanoseconds below the microsecond": (
        columns(time=pa.array([US[0] * 1000 + 1, US[1] * 1000, US[2] * 1000], pa.timestamp("ns", tz="UTC"))),
        "row 0: field 'time': has digits below the microsecond"),
    "an unknown zone": (
        columns(time=pa.array(US, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz="Mars/Olympus")),
                offset_minutes=None), "column 'time' is in the time zone 'Mars/Olympus'"),
    "naive timestamps": (columns(time=pa.array(US, pa.timestamp("us")), offset_minutes=None),
                         "column 'time' holds timestamps without a time zone"),
    "dates": (columns(time=pa.array([dt.date(2026, 3, 2)] * 3)), "column 'time' holds dates"),
    "epoch numbers": (columns(time=pa.array(US, pa.int64())), "column 'time' holds numbers"),
    "a year before 1400": (
        columns(time=pa.array([dt.datetime(1300, 1, 1, tzinfo=dt.timezone.utc)] * 3, pa.timestamp("us", tz="UTC"))),
        "row 0: field 'time': "),
    "seconds past the microsecond range": (columns(time=pa.array([2**62, 0, 0], pa.timestamp("s", tz="UTC"))),
                                           "row 0: field 'time': "),
    "an offset of a whole day": (columns(offset_minutes=pa.array([1440, 0, 0], pa.int16())),
                                 "row 0: field 'offset_minutes': "),
    "a fractional offset": (columns(offset_minutes=pa.array([60.5, 0.0, 0.0])),
                            "row 0: field 'offset_minutes': UTC offset must be within -23:59..+23:59, got 60.5"),
    "a NaN intensity": (columns(intensity=pa.array([float("nan"), 3.0, 5.0])),
                        "row 0: field 'intensity': must be an integer 0..10, got NaN"),
    "the largest uint64 as intensity": (columns(intensity=pa.array([2**64 - 1, 3, 5], pa.uint64())),
                                        "row 0: field 'intensity': "),
    "the smallest int64 as intensity": (columns(intensity=pa.array([-2**63, 3, 5], pa.int64())),
                                        "row 0: field 'intensity': must be an integer 0..10, got -9223372036854775808"),
    "a decimal intensity": (columns(intensity=pa.array([8, 3, 5], pa.decimal128(5, 0))), "field 'intensity': is Arrow type"),
    "a null intensity": (columns(intensity=pa.array([None, 3, 5], pa.int8())),
                         "row 0: field 'intensity': required field is missing"),
    "a struct as id": (columns(id=pa.array([{"a": 1}] * 3)), "field 'id': is Arrow type"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_broken_table_is_refused_naming_the_table_the_row_and_the_field(name: str) -> None:
    cols, says = REFUSED[name]
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="odd")
    assert str(err.value).startswith("odd/triggers: "), str(err.value)
    assert says in str(err.value), str(err.value)
    assert not re.search(r"Traceback|pyarrow\.lib", str(err.value))


# --- found by the review of this file's first run: the same rule as the reader ---------------------


def _bytes_column(values: list[bytes]) -> Any:
    """A string column holding these bytes as they are (an Arrow producer can hand over any)."""
    import numpy as np

    offsets = np.cumsum([0] + [len(v) for v in values], dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(values),
                                 [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(values))])


def _reader_reason(tmp_path: Any, line: bytes) -> str:
    path = tmp_path / "one.jsonl"
    path.write_bytes(line + b"\n")
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_journal(path)
    return str(e.value)


@pytest.mark.parametrize("column", ["id", "participant", "urge", "context"])
def test_text_that_is_not_utf8_is_refused_with_table_row_and_field(column: str, tmp_path: Any):
    # The reader refuses the line ('not valid UTF-8'); from_arrow took the bytes and the
    # journal then failed later with a bare UnicodeDecodeError on every access.
    cols = columns()
    cols[column] = _bytes_column([b"t1", b"a\xff\xfeb", b"t3"])
    with pytest.raises(ValueError, match=rf"x/triggers: row 1\b.*'{column}'.*not valid UTF-8"):
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="x")
    assert "not valid UTF-8" in _reader_reason(
        tmp_path, b'{"type":"trigger","participant":"p","id":"a\xff\xfeb","time":"2026-03-02T21:14:00+01:00",'
                  b'"category":"other","intensity":3}')


def test_a_dictionary_of_text_that_is_not_utf8_is_refused():
    cols = columns(participant=pa.DictionaryArray.from_arrays(pa.array([0, 0, 1], pa.int8()),
                                                               _bytes_column([b"p", b"\xc3\x28"])))
    with pytest.raises(ValueError, match=r"row 2\b.*'participant'.*not valid UTF-8"):
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="x")


def test_a_boolean_score_is_refused_as_the_reader_refuses_true(tmp_path: Any):
    cols = columns(intensity=pa.array([True, False, True]))
    with pytest.raises(ValueError, match=r"row 0\b.*'intensity'.*must be an integer.*got true"):
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="x")
    reason = _reader_reason(tmp_path, b'{"type":"trigger","participant":"p","id":"t1",'
                                      b'"time":"2026-03-02T21:14:00+01:00","category":"other","intensity":true}')
    assert "'intensity'" in reason and "must be an integer" in reason and "got true" in reason


def test_an_extra_column_of_any_type_is_ignored():
    union = pa.UnionArray.from_sparse(pa.array([0, 1, 0], pa.int8()),
                                      [pa.array([1, 2, 3]), pa.array(["a", "b", "c"])])
    fixed = pa.array([[1, 2], [3, 4], [5, 6]], pa.list_(pa.int32(), 2))
    j = calmkit.Journal.from_arrow({"triggers": pa.table(columns(extra=union, other=fixed))}, name="x")
    assert seen(j) == expected([60, 60, 0])
