"""A column of the wrong type is named in the words the person knows it by.

Journal.from_arrow (and read_parquet, import_csv and research_export, which
go through it) refuses a column of the wrong type with "field 'x': is Arrow
type '...', expected ...". The expected side is written as pyarrow writes
types (``list<string>``, ``timestamp[us, UTC]``), but the type found was the
Arrow C data interface's format code: ``'u'`` for a string, ``'z'`` for
binary, ``'+s'`` for a struct, ``'g'`` for a double, ``'ttu'`` for a time of
day, codes no pandas or pyarrow user has seen. The reference is pyarrow's own
name of the column's type (``str(array.type)``).

Strict xfail B7; when it is fixed, the case turns red: remove the mark.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")

BASE = {"participant": ["p"], "id": ["t1"], "time": None, "category": ["other"], "intensity": [5]}


def _cases() -> dict[str, tuple[str, Any]]:
    return {
        "intensity as text": ("intensity", pa.array(["5"])),
        "participant as bytes": ("participant", pa.array([b"p"])),
        "id as a struct": ("id", pa.array([{"a": 1}])),
        "intensity as a decimal": ("intensity", pa.array([5], pa.decimal128(5, 0))),
        "tags as a number": ("tags", pa.array([1])),
        "time as a time of day": ("time", pa.array([dt.time(1)])),
        "intensity as a list": ("intensity", pa.array([[5]])),
        "context as a double": ("context", pa.array([1.5])),
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_the_wrong_type_is_named_as_pyarrow_names_it(case: str) -> None:
    column, array = _cases()[case]
    cols = dict(BASE, time=pa.array([0], pa.timestamp("us", tz="UTC")))
    cols[column] = array
    with pytest.raises(ValueError) as e:
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="x")
    said = str(e.value)
    assert said.startswith(f"x/triggers: field '{column}': "), said
    name = re.split(r"[<(\[]", str(array.type))[0]  # string, binary, struct, decimal128, int64, time64, ...
    found = said.split(", expected")[0]
    assert name in found, said


def _types() -> dict[str, Any]:
    """Arrays of many Arrow types, for the names pyarrow gives them."""
    return {
        "bool": pa.array([True]), "int8": pa.array([1], pa.int8()), "uint64": pa.array([1], pa.uint64()),
        "float": pa.array([1.5], pa.float32()), "halffloat": pa.array([None], pa.float16()),
        "large_binary": pa.array([b"a"], pa.large_binary()),
        "fixed_size_binary": pa.array([b"ab"], pa.binary(2)), "date32": pa.array([dt.date(2026, 1, 1)]),
        "date64": pa.array([dt.date(2026, 1, 1)], pa.date64()), "time32": pa.array([dt.time(1)], pa.time32("s")),
        "timestamp naive": pa.array([0], pa.timestamp("ms")),
        "timestamp zoned": pa.array([0], pa.timestamp("ns", tz="Europe/Kyiv")),
        "duration": pa.array([dt.timedelta(seconds=1)]), "decimal256": pa.array([5], pa.decimal256(40, 2)),
        "month_day_nano_interval": pa.array([pa.MonthDayNano([1, 2, 3])]),
        "list of lists": pa.array([[[1]]]), "large_list": pa.array([[1]], pa.large_list(pa.int64())),
        "fixed_size_list": pa.array([[1, 2]], pa.list_(pa.int64(), 2)),
        "struct of two": pa.array([{"a": 1, "b": "x"}]),
        "map": pa.array([[("k", 1)]], pa.map_(pa.string(), pa.int64())),
        "dictionary": pa.array([[1]]).flatten().dictionary_encode(),
        "dense union": pa.UnionArray.from_dense(pa.array([0], pa.int8()), pa.array([0], pa.int32()),
                                                [pa.array([1]), pa.array(["x"])], ["a", "b"]),
    }


@pytest.mark.parametrize("case", list(_types()))
def test_the_type_found_is_exactly_pyarrows_name(case: str) -> None:
    """The whole name, as ``str(array.type)`` gives it (the reference)."""
    array = _types()[case]
    cols = dict(BASE, time=pa.array([0], pa.timestamp("us", tz="UTC")), context=array)
    with pytest.raises(ValueError) as e:
        calmkit.Journal.from_arrow({"triggers": pa.table(cols)}, name="x")
    assert f"is Arrow type '{array.type}', expected" in str(e.value), (str(e.value), str(array.type))
