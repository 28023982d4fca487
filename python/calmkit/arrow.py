"""Journals as Apache Arrow tables, and back: the columnar bridge.

:func:`to_arrow` (also ``Journal.to_arrow()``) gives one ``pyarrow.Table`` per
record type, built in C++ from the records and handed over through the Arrow C
data interface (the PyCapsule protocol): no JSON text, no Python object per
value. :func:`from_arrow` (also ``calmkit.Journal.from_arrow``) takes one table
per record type (a ``pyarrow.Table`` or ``RecordBatch``, a pandas DataFrame,
or any object with ``__arrow_c_stream__`` / ``__arrow_c_array__``, e.g. a
polars DataFrame); C++ reads the columns in place from the producer's buffers
and checks every row by the model's rules.

The schema (:data:`ARROW_SCHEMAS`, documented in docs/scale-out.md, "The
Arrow schema") is the Parquet schema (:data:`calmkit.parquet.SCHEMAS`) with
the small vocabularies dictionary-encoded:

- every table starts with ``participant`` (``dictionary<int32, string>``, the
  journal's sorted participants, the same dictionary in every table), ``id``
  (string), ``time`` (``timestamp[us, UTC]``) and ``offset_minutes`` (int16:
  the person's UTC offset at that time, -1439..1439);
- ``category`` (triggers; the dictionary is the whole fixed category list in
  its documented order), ``exercise`` (exercises) and ``instrument``
  (assessments) are ``dictionary<int32, string>``;
- optional text is null when absent; lists are ``list<string>``, answers
  ``list<int32>``, emotions ``list<struct<name: string, before: int8, after: int8>>``;
  optional numbers and flags are null when absent.

``from_arrow`` accepts more than it writes: any integer width (and floats with
whole values) for numbers, ``string``/``large_string``/``dictionary`` for text,
``list``/``large_list``, timestamps in s/ms/us/ns with any time zone (the
values are UTC instants; nanoseconds must be whole microseconds), a missing
optional column (all absent) and extra columns (ignored, e.g. the
``local_time`` of ``to_pandas()``). A missing offset column or a null offset is
UTC (+00:00). A time column without a time zone is an error unless ``tz``
names the zone its wall times were written in.

Errors: ``ValueError`` naming the table, the row (0-based, counted over the
whole table) and the column as the field, with the model's rules and reasons
(include/calmkit/validate.hpp), e.g. ``"<arrow>/readings: row 3: field
'intensity': must be an integer 0..10, got 11"``; a duplicate id or a link to
a missing trigger names the row too.

Example::

    tables = journal.to_arrow()              # {"triggers": pyarrow.Table, ...}
    tables["readings"].group_by("participant").aggregate([("intensity", "mean")])
    assert calmkit.Journal.from_arrow(tables) == journal
"""

from __future__ import annotations

from typing import Any, Mapping

from . import _core, _extras

__all__ = ["ARROW_SCHEMAS", "TABLES", "to_arrow", "from_arrow"]

#: The tables of a journal, in order: table name -> the journal format ``type``.
TABLES = {"triggers": "trigger", "readings": "reading", "exercises": "exercise",
          "thought_records": "thought_record", "assessments": "assessment"}


def _pa() -> Any:
    return _extras.require("pyarrow", "parquet", "calmkit's Arrow bridge")


def _schemas() -> dict[str, Any]:
    pa = _pa()
    from .parquet import SCHEMAS

    dictionary = pa.dictionary(pa.int32(), pa.string())
    coded = {"participant", "category", "exercise", "instrument"}
    required = {"time", "offset_minutes", "end", "end_offset_minutes", "category", "intensity", "exercise",
                "completed", "belief_before", "instrument"}
    out = {}
    for table, schema in SCHEMAS.items():
        fields = []
        for f in schema:
            t = dictionary if f.name in coded else f.type
            nullable = not (f.name in required and not (table == "readings" and f.name == "trigger"))
            fields.append(pa.field(f.name, t, nullable=nullable))
        out[table] = pa.schema(fields)
    return out


#: The Arrow schema of each table of :func:`to_arrow` (see the module docstring).
ARROW_SCHEMAS: dict[str, Any] = _extras.LazySchemas(_schemas)


def to_arrow(journal: Any) -> dict[str, Any]:
    """The journal as one ``pyarrow.Table`` per record type, keyed ``triggers``,
    ``readings``, ``exercises``, ``thought_records``, ``assessments`` (every
    key present, a type without records as an empty table), rows in journal
    order (participant, time, id), schemas :data:`ARROW_SCHEMAS`. Needs pyarrow
    (the ``parquet`` extra)."""
    pa = _pa()
    out = {}
    for name, batch in _core._journal_to_arrow(journal).items():
        out[name] = pa.Table.from_batches([pa.record_batch(batch)])
    return out


def _naive_times(table: Any) -> list[str]:
    pa = _pa()
    return [f.name for f in table.schema
            if f.name in ("time", "end") and pa.types.is_timestamp(f.type) and f.type.tz is None]


def from_arrow(tables: Mapping[str, Any], name: str = "<arrow>", *, tz: Any = None) -> Any:
    """A Journal from one table per record type, keyed as :func:`to_arrow`
    gives them (a missing key, None, or a table without rows is no records).

    Each value is a ``pyarrow.Table`` or ``RecordBatch``, a pandas DataFrame,
    or any object with ``__arrow_c_stream__`` / ``__arrow_c_array__``. Every
    row is checked by the model's rules (ranges, vocabularies, the
    instrument's answers, end >= time, unique ids, trigger links); ValueError
    names ``name``, the table, the row and the column. An unknown key is a
    ValueError too.

    ``tz`` (an IANA zone name or a tzinfo): read time columns without a time
    zone as wall times there, by calmkit's one rule for local times
    (calmkit.localtime; a LocalTimeWarning for a time that did not exist or
    happened twice); without it such a column is an error."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"{name}: unknown table(s) {sorted(unknown)}; expected any of {list(TABLES)}")
    given: dict[str, Any] = {}
    for table, value in tables.items():
        if value is None:
            continue
        if not (hasattr(value, "__arrow_c_stream__") or hasattr(value, "__arrow_c_array__")) or _is_pandas(value):
            if len(value) == 0:  # no rows: no records, whatever the columns (pandas' (0, 0) frame)
                continue
            value = _pa().Table.from_pandas(value, preserve_index=False)
        if hasattr(value, "schema") and hasattr(value, "num_rows"):
            if value.num_rows == 0:
                continue
            if _naive_times(value):
                if tz is None:
                    col = _naive_times(value)[0]
                    raise ValueError(
                        f"{name}/{table}: column {col!r} holds timestamps without a time zone "
                        f"({value.schema.field(col).type}); calmkit does not guess where they were written. Give "
                        f"them one (pandas: .dt.tz_localize('Europe/Berlin'), or .dt.tz_localize('UTC') if they "
                        f"are UTC), or pass tz='Europe/Berlin' to read them as wall times there")
                from .parquet import _localize_column

                if not isinstance(value, _pa().Table):
                    value = _pa().Table.from_batches([value])
                for col in _naive_times(value):
                    value = _localize_column(value, col, tz, f"{name}/{table}")
        given[table] = value
    return _core._journal_from_arrow(given, name)


def _is_pandas(value: Any) -> bool:
    return type(value).__module__.startswith("pandas.")
