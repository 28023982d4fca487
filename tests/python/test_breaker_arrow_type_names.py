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


@pytest.mark.xfail(strict=True, reason="B7: the type found is given as the Arrow C format code ('u', 'z', '+s'), "
                                       "not as pyarrow names it")
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
