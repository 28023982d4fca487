"""Builds pandas DataFrames from the columns ``calmkit._core`` fills in C++.

Each column arrives as ``(name, kind, *payload)``; numbers and times are NumPy
arrays, so no Python object is created per number or time:

- ``utc_time``: int64 microseconds since the epoch -> ``datetime64[us, UTC]``
- ``local_time``: int64 microseconds of the wall clock -> naive ``datetime64[us]``
- ``int``: a NumPy array kept as is (int8 scores, int16 offsets, bool flags)
- ``nullable``: values, mask (True = missing), extension dtype name
  (``"Int8"``, ``"boolean"``, ``"Float64"``)
- ``category``: integer codes and the list of categories
- ``str``: a list of str or None -> pandas ``"string"`` dtype, None as ``<NA>``
  (missing text is a missing value, as for numbers and booleans)
- ``object``: a list of Python objects (lists, lists of dicts)
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

_NULLABLE: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "Int8": pd.arrays.IntegerArray,
    "boolean": pd.arrays.BooleanArray,
    "Float64": pd.arrays.FloatingArray,
}


def _utc_time(micros: np.ndarray) -> Any:
    return pd.array(micros.view("datetime64[us]")).tz_localize("UTC")


def _local_time(micros: np.ndarray) -> Any:
    return pd.array(micros.view("datetime64[us]"))


def _column(kind: str, payload: Sequence[Any]) -> Any:
    if kind == "utc_time":
        return _utc_time(payload[0])
    if kind == "local_time":
        return _local_time(payload[0])
    if kind == "int":
        return payload[0]
    if kind == "nullable":
        values, mask, dtype = payload
        return _NULLABLE[dtype](values, mask)
    if kind == "category":
        codes, categories = payload
        return categorical(codes, categories)
    if kind == "str":
        return pd.array(payload[0], dtype="string")
    if kind == "object":
        return pd.Series(payload[0], dtype=object)
    raise ValueError(f"unknown column kind {kind!r}")


# --- the columns every frame shares: one dtype per kind of value ---------------

@functools.lru_cache(maxsize=32)
def _categorical_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    # Checking a vocabulary (unique, hashable) costs a hash of every category:
    # a journal's 2,500 participants took longer than the codes of its 300,000
    # episodes. The same vocabulary comes back call after call.
    return pd.CategoricalDtype(list(categories))


def categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Codes into a vocabulary (participants, categories, groups): a categorical
    with exactly these categories, in this order (ValueError for a repeated
    category or a code outside -1 .. len(categories) - 1)."""
    return pd.Categorical.from_codes(codes, dtype=_categorical_dtype(tuple(categories)))


# pandas 2.1 and later can skip the range check of the codes (one pass over them).
_CODES_CHECKED = {"validate": False} if tuple(int(x) for x in pd.__version__.split(".")[:2]) >= (2, 1) else {}


def checked_categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """:func:`categorical` of codes the compiled core made for these
    categories (each in 0 .. len(categories) - 1 or -1): the same Categorical,
    without checking every code again."""
    return pd.Categorical.from_codes(codes, dtype=_categorical_dtype(tuple(categories)), **_CODES_CHECKED)


_UTC_US = pd.DatetimeTZDtype("us", "UTC")


def utc_series(micros: np.ndarray) -> pd.Series:
    """int64 microseconds since the epoch -> a ``datetime64[us, UTC]`` Series.
    The Series wraps ``micros`` itself (UTC instants need no conversion;
    ``tz_localize`` would copy them): pass an array no one else holds."""
    values = micros.view("datetime64[us]")
    try:
        # pandas 2 and 3 both have this constructor; a pandas without it localizes.
        times = pd.arrays.DatetimeArray._simple_new(values, dtype=_UTC_US)
    except (AttributeError, TypeError, AssertionError):
        return pd.Series(values).dt.tz_localize("UTC")
    return pd.Series(times, copy=False)


def dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> ``datetime64[s]`` at midnight (pandas has no
    ``[D]`` columns)."""
    return days.astype("datetime64[D]").astype("datetime64[s]")


def text(values: Sequence[Any]) -> Any:
    """Text, None for a missing value -> pandas ``"string"`` (``<NA>``)."""
    return pd.array(values, dtype="string")


def text_objects(values: np.ndarray) -> Any:
    """A NumPy object array of ``str`` (None for a missing value) made in C++
    -> pandas ``"string"``, wrapped without converting each value again (the
    same dtype and values as :func:`text` of the same strings)."""
    return pd.arrays.StringArray(values)


@functools.lru_cache(maxsize=None)
def arrow_text() -> bool:
    """Whether text can be kept in Arrow memory (pandas' ``"string"`` dtype
    with storage ``"pyarrow"``): pyarrow is installed and pandas takes it.
    pandas imports pyarrow itself when it is installed, so asking costs
    nothing more."""
    try:
        import pyarrow  # noqa: F401

        pd.StringDtype("pyarrow")
    except ImportError:
        return False
    return True


def utf8_text(offsets: np.ndarray, data: np.ndarray) -> Any:
    """Text given as UTF-8 bytes end to end (``data``, uint8) and the int64
    offset of each value's first byte plus the total (``offsets``, one more
    than the values): Arrow's ``large_string`` layout, made in C++ -> pandas
    ``"string"`` with storage ``"pyarrow"``, wrapping both buffers without a
    copy and without one Python object per value (:func:`arrow_text` must be
    true). No value is missing."""
    import pyarrow as pa

    n = len(offsets) - 1
    values = pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pd.arrays.ArrowStringArray(pa.chunked_array([values], type=pa.large_string()))


_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def utc_times(values: Sequence[Any]) -> pd.Series:
    """Aware datetimes (or Timestamps) -> a ``datetime64[us, UTC]`` Series.
    Counted in microseconds from the epoch, never through pandas'
    nanosecond Timestamps, which end at 1677 and 2262 in pandas 2: the
    journal format allows the years 1400..9999."""
    return utc_series(np.array([(v - _EPOCH_UTC) // _MICROSECOND for v in values], dtype=np.int64))


def local_times(values: Sequence[Any]) -> pd.Series:
    """Naive wall-clock datetimes -> a ``datetime64[us]`` Series, the dtype of
    ``to_pandas()``'s ``local_time`` (microseconds, as :func:`utc_times`)."""
    return pd.Series(np.array([(v - _EPOCH) // _MICROSECOND for v in values], dtype=np.int64).view("datetime64[us]"))


def frame(columns: Any, **kwargs: Any) -> pd.DataFrame:
    """Every DataFrame calmkit returns is made here, from columns built by the
    functions above (or NumPy arrays from C++): the records' frames
    (:func:`table_to_pandas`), the metrics' (calmkit.metrics), the
    assessments' (calmkit.assessments) and the exercise catalog's. Documented
    column by column in docs/data-dictionary.md."""
    return pd.DataFrame(columns, **kwargs)


def build_frame(columns: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """The DataFrame of ``(name, kind, *payload)`` column descriptions, in order."""
    data = {name: _column(kind, payload) for name, kind, *payload in columns}
    n = len(next(iter(data.values()))) if data else 0
    return frame(data, index=pd.RangeIndex(n))


def table_to_pandas(table: Any) -> pd.DataFrame:
    """The records as a pandas DataFrame, one row per record, columns named as
    in the journal format (times as datetime64[us, UTC] plus offset_minutes
    and the naive local_time; participants and categories as categoricals;
    absent text as <NA>). Installed as ``to_pandas()`` of every journal table
    (``journal.triggers.to_pandas()`` ...) by the calmkit package."""
    return build_frame(table._columns())


def exercise_catalog_frame() -> pd.DataFrame:
    """The built-in exercise catalog as a DataFrame, one row per exercise, in
    catalog order: ``id``, ``name``, ``kind``, ``suits``, ``sources`` (the
    source documents, comma-separated) and ``instructions`` as ``"string"``;
    ``steps`` and ``cycles`` int64; ``duration_seconds`` float64 (seconds of
    the whole session, NaN for an exercise with prompts, which has no fixed
    length); ``has_prompts`` bool."""
    from . import _core

    return build_frame(_core._exercise_catalog_columns())


def install() -> None:
    """Gives every journal table class of ``calmkit._core`` its ``to_pandas``
    method: the compiled module fills the columns, this module alone builds
    the DataFrames (the compiled module never imports the Python package)."""
    from . import _core

    for cls in (_core.TriggerTable, _core.ReadingTable, _core.ExerciseTable, _core.ThoughtRecordTable,
                _core.AssessmentTable):
        cls.to_pandas = table_to_pandas
