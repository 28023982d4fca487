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
Arrow schema") is the one definition of a journal's columns: the Parquet
files' schema (:data:`calmkit.parquet.SCHEMAS`) is derived from it, with the
small vocabularies as plain strings. Its columns:

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
the offset of the zone the time column's type names at that instant
(``timestamp[us, tz=Europe/Berlin]`` from an aware pandas or polars column:
21:40 in Berlin stays 21:40+02:00), +00:00 for UTC. A time column without a
time zone is an error unless ``tz`` names the zone its wall times were written
in. A time column of text (a CSV read without parsing dates) is read as
RFC 3339 / ISO 8601, each text's own offset kept; a text without one needs
``tz``. Dates without a time of day and numbers (epoch counts) are refused,
naming the table and column.

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

import re
from typing import Any, Mapping, Sequence

from . import _core, _extras
from ._errors import PicklableByParts

__all__ = ["ARROW_SCHEMAS", "TABLES", "RecordsError", "from_arrow", "journal_from_records", "to_arrow"]

#: The tables of a journal, in order: table name -> the journal format ``type``.
TABLES = {"triggers": "trigger", "readings": "reading", "exercises": "exercise",
          "thought_records": "thought_record", "assessments": "assessment"}


def _pa() -> Any:
    return _extras.require("pyarrow", "parquet", "calmkit's Arrow bridge")


def _schemas() -> dict[str, Any]:
    pa = _pa()
    s, ts, off = pa.string(), pa.timestamp("us", tz="UTC"), pa.int16()
    coded = pa.dictionary(pa.int32(), pa.string())
    strings = pa.list_(pa.string())
    i8 = pa.int8()
    emotion = pa.struct([("name", s), ("before", i8), ("after", i8)])
    # (name, type, required): a required column has no nulls.
    head = [("participant", coded, False), ("id", s, False), ("time", ts, True), ("offset_minutes", off, True)]
    tables = {
        "triggers": head + [
            ("category", coded, True), ("intensity", i8, True), ("context", s, False),
            ("thoughts", strings, False), ("sensations", strings, False), ("urge", s, False),
            ("acted_on_urge", pa.bool_(), False), ("acted_after_minutes", pa.float64(), False),
            ("response", s, False), ("tags", strings, False)],
        "readings": head + [("intensity", i8, True), ("trigger", s, False), ("note", s, False)],
        "exercises": head + [
            ("end", ts, True), ("end_offset_minutes", off, True), ("exercise", coded, True),
            ("completed", pa.bool_(), True), ("intensity_before", i8, False), ("intensity_after", i8, False),
            ("trigger", s, False), ("responses", strings, False)],
        "thought_records": head + [
            ("situation", s, False), ("automatic_thought", s, False), ("belief_before", i8, True),
            ("emotions", pa.list_(emotion), False), ("distortions", strings, False),
            ("evidence_for", strings, False), ("evidence_against", strings, False),
            ("alternatives", strings, False), ("friend_advice", s, False), ("balanced_thought", s, False),
            ("belief_after", i8, False), ("trigger", s, False)],
        # int32: the answers of a custom instrument may use any int scale.
        "assessments": head + [
            ("instrument", coded, True), ("answers", pa.list_(pa.int32()), False), ("note", s, False)],
    }
    return {table: pa.schema([pa.field(n, t, nullable=not required) for n, t, required in fields])
            for table, fields in tables.items()}


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


def _check_zone(tz: Any) -> None:
    """ValueError when ``tz`` (None, an IANA zone name, a POSIX TZ rule or a
    tzinfo) names no zone, as every metric's ``tz=`` refuses it."""
    if tz is not None:
        from .localtime import zone

        zone(tz)


def from_arrow(tables: Mapping[str, Any], name: str = "<arrow>", *, tz: Any = None) -> Any:
    """A Journal from one table per record type, keyed as :func:`to_arrow`
    gives them (a missing key, None, or a table without rows is no records).

    Each value is a ``pyarrow.Table`` or ``RecordBatch``, a pandas DataFrame,
    or any object with ``__arrow_c_stream__`` / ``__arrow_c_array__``. Every
    row is checked by the model's rules (ranges, vocabularies, the
    instrument's answers, end >= time, unique ids, trigger links); ValueError
    names ``name``, the table, the row and the column. An unknown key is a
    ValueError too, and so is a column the bridge reads given twice in one
    table (naming both positions; which one was meant is not guessed).
    TypeError when ``tables`` is not a mapping or a value is no table.

    ``tz`` (an IANA zone name or a tzinfo): read time columns without a time
    zone as wall times there, by calmkit's one rule for local times
    (calmkit.localtime; a LocalTimeWarning for a time that did not exist or
    happened twice); without it such a column is an error. A ``tz`` that
    names no zone is a ValueError whether or not a column needs it (a typo
    would otherwise show only on the day a table holds naive times)."""
    _check_zone(tz)
    if not isinstance(tables, Mapping):
        raise TypeError(f"{name}: from_arrow takes a mapping of table name -> table, e.g. "
                        f"{{'triggers': table, 'readings': table}} (keys: {', '.join(TABLES)}), "
                        f"got {type(tables).__name__}")
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"{name}: unknown table(s) {sorted(map(str, unknown))}; expected any of {list(TABLES)}")
    given: dict[str, Any] = {}
    for table, value in tables.items():
        prepared = _prepare(table, value, name, tz)
        if prepared is not None:
            given[table] = prepared
    return _core._journal_from_arrow(given, name)


def _prepare(table: str, value: Any, name: str, tz: Any) -> Any:
    """One table given to :func:`from_arrow` (key ``table``) as the C++
    bridge takes it, or None when it holds no records (None, no rows): a
    pandas DataFrame converted, a producer read through pyarrow, the cheap
    checks of :func:`from_arrow` (columns given twice, pyarrow's validation,
    time columns without a zone, of text, of dates or numbers) and the time
    columns' offsets from their zone. Raises what :func:`from_arrow` raises
    for that table."""
    if value is None:
        return None
    if not (hasattr(value, "__arrow_c_stream__") or hasattr(value, "__arrow_c_array__")) or _is_pandas(value):
        if not _is_pandas(value) or not hasattr(value, "columns"):
            raise TypeError(f"{name}/{table}: expected a table: a pyarrow.Table or RecordBatch, a pandas "
                            f"DataFrame, or any object with __arrow_c_stream__ / __arrow_c_array__ "
                            f"(e.g. a polars DataFrame), got {type(value).__name__}")
        if len(value) == 0:  # no rows: no records, whatever the columns (pandas' (0, 0) frame)
            return None
        twice = sorted({str(c) for c in value.columns[value.columns.duplicated()]})
        if twice:  # pyarrow refuses them without naming the table; which one is meant is not ours to guess
            raise ValueError(f"{name}/{table}: column(s) {twice} appear more than once in the DataFrame; "
                             "drop or rename all but one")
        value = _pa().Table.from_pandas(value, preserve_index=False)
    if not (hasattr(value, "schema") and hasattr(value, "num_rows")) and hasattr(value, "__arrow_c_stream__"):
        # A polars frame or another producer: read through pyarrow (no copy) when it is there, so
        # its time columns get the same checks (a zone's offsets, tz= for naive times) as any table.
        try:
            import pyarrow as pa
        except ImportError:
            pa = None
        if pa is not None:
            value = pa.table(value)
    if hasattr(value, "schema") and hasattr(value, "num_rows"):
        if value.num_rows == 0:
            return None
        _refuse_columns_twice(value.schema, table, f"{name}/{table}")
        if hasattr(value, "validate"):
            # pyarrow's cheap check (buffer sizes against lengths and last offsets, O(columns)); C++
            # checks each row's offsets and dictionary indices as it reads.
            try:
                value.validate()
            except _pa().ArrowInvalid as e:
                raise ValueError(f"{name}/{table}: not a valid Arrow table ({e})") from None
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
        value = _times_from_text(value, f"{name}/{table}", tz)
        _refuse_times_that_are_not_timestamps(value, f"{name}/{table}")
        value = _offsets_from_zone(value, f"{name}/{table}")
    return value


#: Each time column -> the column holding its UTC offset in minutes.
_OFFSET_OF = {"time": "offset_minutes", "end": "end_offset_minutes"}
#: One microsecond, the unit of a time column.
_MICROSECOND = __import__("datetime").timedelta(microseconds=1)
#: Zone names that are UTC itself: their offset, +00:00, is what a missing offset column means anyway.
_UTC_NAMES = frozenset({"utc", "etc/utc", "z", "+00:00", "gmt", "etc/gmt", "zulu", "universal"})


def _times_from_text(table: Any, where: str, tz: Any) -> Any:
    """``table`` with each time column of text (a CSV read by pandas or
    polars without parsing its dates) read as RFC 3339 / ISO 8601 times: the
    offset written in each text is kept as the row's offset where the offset
    column is missing or null. A text without an offset is an error naming the
    row, unless ``tz`` names the zone it was written in (then calmkit's one
    rule for local times, with a LocalTimeWarning where it applied); a text
    that is no date and time (or a bare date) is an error naming the row.

    The usual texts (``2026-05-20T21:40:00+02:00``, ``...Z``, with or without
    seconds, 3 or 6 digits of fraction) are read column-wise
    (:func:`_read_times_columnwise`); every other text goes through
    :func:`_read_time_text`, row by row in row order, which also words every
    refusal, so the results, warnings and errors are those of the row reader."""
    pa = _pa()
    if not isinstance(table, pa.Table):
        table = pa.Table.from_batches([table])
    for col, off_name in _OFFSET_OF.items():
        if col not in table.column_names:
            continue
        t = table.schema.field(col).type
        if not (pa.types.is_string(t) or pa.types.is_large_string(t)
                or getattr(pa.types, "is_string_view", lambda _t: False)(t)):
            continue
        texts = table.column(col)
        if getattr(pa.types, "is_string_view", lambda _t: False)(t):
            texts = texts.cast(pa.string())
        utc_us, minutes, done = _read_times_columnwise(texts)
        for row in (~done & texts.is_valid().to_numpy(zero_copy_only=False)).nonzero()[0]:
            utc_us[row], minutes[row] = _read_time_text(texts[int(row)].as_py(), int(row), col, where, tz)
        valid = texts.is_valid().to_numpy(zero_copy_only=False)
        instants = pa.array(utc_us, pa.int64(), mask=~valid).cast(pa.timestamp("us", tz="UTC"))
        mine = pa.array(minutes, pa.int64(), mask=~valid)
        table = table.set_column(table.column_names.index(col), col, instants)
        if off_name not in table.column_names:
            table = table.append_column(off_name, mine.cast(pa.int16()))
            continue
        # An offset the table holds wins over the text's own, as it did row by row.
        # A row without a time has no offset either (the bridge then refuses the missing time).
        given = table.column(off_name)
        if pa.types.is_integer(given.type):
            import pyarrow.compute as pc

            merged = pc.if_else(pa.array(valid), pc.coalesce(given.cast(pa.int64()), mine), None)
            low, high = pc.min_max(merged).values()
            if low.as_py() is None or -32768 <= low.as_py() <= high.as_py() <= 32767:
                table = table.set_column(table.column_names.index(off_name), off_name, merged.cast(pa.int16()))
                continue
        # Other types and values past int16: as the row reader made the column (its errors included).
        offsets = [None if m is None else m if g is None else g for g, m in zip(given.to_pylist(), mine.to_pylist())]
        table = table.set_column(table.column_names.index(off_name), off_name, pa.array(offsets, pa.int16()))
    return table


#: The texts read column-wise: date, T (or t, or a space), hh:mm[:ss[.fff|.ffffff]], then Z or ±hh:mm, with
#: ASCII blanks around (str.strip removes them too). Anything else is read row by row.
_USUAL_TIME = (r"^[ \t\n\r\f\v]*(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hm>\d{2}:\d{2})"
               r"(?::(?P<s>\d{2})(?P<f>\.\d{3}|\.\d{6})?)?(?P<z>[Zz]|[+-]\d{2}:\d{2})[ \t\n\r\f\v]*$")


def _read_times_columnwise(texts: Any) -> tuple[Any, Any, Any]:
    """(UTC microseconds, offset minutes, done) per row of a text column, as
    NumPy arrays: ``done`` is True where the text is a usual one that
    :func:`_read_time_text` would read without a warning or an error, and the
    values there are what it gives; elsewhere they are 0. A date or time that
    does not exist (30 February, 24:00, second 60) is left to the row reader,
    which refuses it: pyarrow's ``strptime`` must give back the very text."""
    import numpy as np
    import pyarrow.compute as pc

    pa = _pa()
    n = len(texts)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
    parts = pc.extract_regex(texts, pattern=_USUAL_TIME)

    def part(name: str) -> Any:
        return pc.struct_field(parts, name)

    def number(text: Any) -> Any:  # digits -> int64; "" (no match, or left out) -> 0
        return pc.cast(pc.if_else(pc.equal(pc.utf8_length(text), 0), "0", text), pa.int64())

    # The joins' separators take the parts' own string type: pandas 3 hands text over as large_string, and
    # binary_join_element_wise has no kernel for a large_string column with a string separator.
    text_type = part("date").type

    def text(literal: str) -> Any:
        return pa.scalar(literal, text_type)

    second = number(part("s"))
    wall = pc.binary_join_element_wise(part("date"), part("hm"), text("T"))
    naive = pc.strptime(pc.binary_join_element_wise(wall, pc.if_else(pc.equal(second, 0), text("00"), part("s")),
                                                    text(":")),
                        format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
    # strptime must give back every field as written: no 30 February moved to 2 March, no 24:00 or second 60.
    date = part("date")
    same = [pc.equal(pc.year(naive), number(pc.utf8_slice_codeunits(date, 0, 4))),
            pc.equal(pc.month(naive), number(pc.utf8_slice_codeunits(date, 5, 7))),
            pc.equal(pc.day(naive), number(pc.utf8_slice_codeunits(date, 8, 10))),
            pc.equal(pc.hour(naive), number(pc.utf8_slice_codeunits(part("hm"), 0, 2))),
            pc.equal(pc.minute(naive), number(pc.utf8_slice_codeunits(part("hm"), 3, 5))),
            pc.equal(pc.second(naive), second)]
    year = number(pc.utf8_slice_codeunits(date, 0, 4))
    # Years at the very ends of Python's datetime overflow when moved to UTC: the row reader says so.
    same.append(pc.and_(pc.greater_equal(year, 2), pc.less_equal(year, 9998)))
    z = part("z")
    utc = pc.or_(pc.equal(z, "Z"), pc.equal(z, "z"))
    oh = number(pc.if_else(utc, "00", pc.utf8_slice_codeunits(z, 1, 3)))
    om = number(pc.if_else(utc, "00", pc.utf8_slice_codeunits(z, 4, 6)))
    sign = pc.if_else(pc.equal(pc.utf8_slice_codeunits(z, 0, 1), "-"), -1, 1)
    same += [pc.less_equal(oh, 23), pc.less_equal(om, 59)]
    done = parts.is_valid()
    for check in same:
        done = pc.and_(done, pc.fill_null(check, False))
    done = pc.fill_null(done, False).to_numpy(zero_copy_only=False)
    micros = number(pc.utf8_rpad(pc.utf8_slice_codeunits(part("f"), 1, 7), width=6, padding="0"))
    minutes = pc.multiply(sign, pc.add(pc.multiply(oh, 60), om))
    local = pc.add(pc.cast(pc.cast(naive, pa.timestamp("us")), pa.int64()), micros)
    utc_us = pc.subtract(local, pc.multiply(minutes, 60_000_000))
    utc_us = np.where(done, pc.fill_null(utc_us, 0).to_numpy(zero_copy_only=False), 0).astype(np.int64)
    minutes = np.where(done, pc.fill_null(minutes, 0).to_numpy(zero_copy_only=False), 0).astype(np.int64)
    return utc_us, minutes, done


#: The time texts the row reader takes besides RFC 3339 (as ISO 8601 writes them, their meaning kept): a date,
#: then T, t or a space, hours and minutes, optional seconds and fraction, optional Z or an offset of hours
#: 00..23 and minutes 00..59 with or without its colon.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                       r"(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?", re.ASCII)


def _read_time_text(text: str, row: int, col: str, where: str, tz: Any) -> tuple[int, int]:
    """(UTC microseconds, offset minutes) of one time text of row ``row``,
    read by ``datetime.fromisoformat``: a text without an offset in ``tz``
    by calmkit's one rule for local times (a LocalTimeWarning where it
    applied), else a ValueError naming the row and field."""
    import warnings
    from datetime import datetime

    shown = text.strip()
    try:
        # fromisoformat's rules are wider than ISO 8601's shapes with their meaning kept (it reads +01:90 as
        # +02:30, drops a NUL, takes "21:14:00.Z"): a text outside _ISO_TIME is refused as the reader does.
        if _ISO_TIME.fullmatch(shown) is None:
            raise ValueError("not an ISO 8601 time")
        when = datetime.fromisoformat(shown.replace("Z", "+00:00").replace("z", "+00:00"))
        if not any(c in shown for c in "Tt ") or len(shown) <= 10:
            raise ValueError("no time of day")
        # Digits past the microsecond are dropped by fromisoformat, as by the reader (Instant::parse).
    except ValueError:
        # The refusal is worded by the model's time parser (Instant), as at every entry point.
        reason = _core._time_reason(text) or (
            f"{text!r} is not a date and time such as 2026-05-20T21:40:00+02:00")
        raise ValueError(f"{where}: row {row}: field {col!r}: {reason}") from None
    if when.tzinfo is None:
        if tz is None:
            raise ValueError(f"{where}: row {row}: field {col!r}: {text!r} has no UTC offset; calmkit does "
                             "not guess where it was written: write the offset (2026-05-20T21:40:00+02:00) "
                             "or pass tz='Europe/Berlin' to read such texts as wall times there")
        from .localtime import LocalTimeWarning, resolve

        when, note = resolve(when, tz)
        if note is not None:
            warnings.warn(f"{where}: row {row}: column {col!r}: {note}", LocalTimeWarning, stacklevel=5)
    off = when.utcoffset()
    if off is None or off.total_seconds() % 60:
        raise ValueError(f"{where}: row {row}: field {col!r}: the UTC offset of {text!r} is not a whole "
                         "number of minutes")
    # The wall clock less its offset, in microseconds: astimezone would leave Python's years 1..9999 for a
    # time the reader takes at their ends (9999-12-31T23:59:59-23:59 is in the year 10000 in UTC).
    wall = (when.replace(tzinfo=None) - datetime(1970, 1, 1)) // _MICROSECOND
    minutes = int(off.total_seconds() // 60)
    return wall - minutes * 60_000_000, minutes


def _refuse_times_that_are_not_timestamps(table: Any, where: str) -> None:
    """A ValueError naming the table and column for a time column of dates or
    numbers, saying what each would need: calmkit reads neither as times,
    since each leaves something to guess (a date: the time of day; a number:
    seconds, milliseconds or microseconds since when)."""
    pa = _pa()
    for col in _OFFSET_OF:
        if col not in table.column_names:
            continue
        t = table.schema.field(col).type
        if pa.types.is_date(t):
            why = f"holds dates ({t}) without a time of day; calmkit will not invent one"
        elif pa.types.is_integer(t) or pa.types.is_floating(t):
            why = (f"holds numbers ({t}); an epoch count could be seconds, milliseconds or microseconds: "
                   f"convert it, e.g. with pandas: pd.to_datetime(df[{col!r}], unit='s', utc=True)")
        else:
            continue
        raise ValueError(f"{where}: column {col!r} {why}")


def _offsets_from_zone(table: Any, where: str) -> Any:
    """``table`` with the offsets of a time column whose Arrow type names a
    zone (``timestamp[us, tz=Europe/Berlin]``, ``+02:00``; pandas and polars
    write the zone of an aware column there) taken from that zone where the
    offset column is missing or null: 21:40 in Berlin stays 21:40+02:00, not
    19:40+00:00 (the same instant shown at another wall-clock time, which the
    hour-of-day and daily metrics would then count in the wrong hour). An
    offset the table holds is kept. A zone Arrow cannot find is a ValueError
    naming the table and column."""
    pa = _pa()
    import pyarrow.compute as pc

    if not isinstance(value := table, pa.Table):
        value = pa.Table.from_batches([table])
    for col, off_name in _OFFSET_OF.items():
        if col not in value.column_names:
            continue
        t = value.schema.field(col).type
        if not pa.types.is_timestamp(t) or t.tz is None or t.tz.strip().casefold() in _UTC_NAMES:
            continue
        given = value.column(off_name) if off_name in value.column_names else None
        if given is not None and given.null_count == 0:
            continue
        times = value.column(col)
        try:
            wall = pc.local_timestamp(times)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise ValueError(f"{where}: column {col!r} is in the time zone {t.tz!r}, which is not one Arrow "
                             f"knows ({e}); give an IANA name such as 'Europe/Berlin' or an offset such as "
                             "'+02:00'") from None
        per_unit = {"s": 60, "ms": 60_000, "us": 60_000_000, "ns": 60_000_000_000}[t.unit]
        diff = pc.subtract(wall.cast(pa.int64()), times.cast(pa.timestamp(t.unit)).cast(pa.int64()))
        whole = pc.divide(diff, per_unit)
        # Local mean time kept seconds in its offsets (Amsterdam +00:19:32 until 1937): a journal's offset is
        # whole minutes, and cutting the seconds would move the person's wall clock; refused, as the record
        # classes and text columns read with tz= refuse it.
        odd = pc.not_equal(pc.subtract(diff, pc.multiply(whole, per_unit)), 0)
        if given is not None:
            odd = pc.and_(odd, pc.is_null(given))
        odd = pc.fill_null(odd, False)
        if pc.any(odd).as_py():
            row = pc.index(odd, True).as_py()
            seconds = diff[row].as_py() * 60 // per_unit
            raise ValueError(f"{where}: row {row}: field {col!r}: the time zone {t.tz!r} has the UTC offset "
                             f"{'-' if seconds < 0 else '+'}{abs(seconds) // 3600:02d}:{abs(seconds) // 60 % 60:02d}:"
                             f"{abs(seconds) % 60:02d} at this time, not a whole number of minutes")
        minutes = whole.cast(pa.int16())
        if given is None:
            value = value.append_column(off_name, minutes)
        else:
            value = value.set_column(value.column_names.index(off_name), off_name,
                                     pc.coalesce(given.cast(pa.int16()), minutes))
    return value


def _refuse_columns_twice(schema: Any, table: str, where: str) -> None:
    """A ValueError naming the first column the bridge reads (one of
    :data:`ARROW_SCHEMAS` ``[table]``) that ``schema`` holds twice: which one
    the producer meant is not for calmkit to guess (the C++ bridge refuses
    the same for producers read without pyarrow). An ignored column may
    repeat."""
    names = schema.names
    for col in ARROW_SCHEMAS[table].names:
        if names.count(col) > 1:
            first, second = [k for k, n in enumerate(names) if n == col][:2]
            raise ValueError(f"{where}: field '{col}': appears more than once in the table (columns {first} and "
                             f"{second}, from 0); drop or rename all but one")


def _is_pandas(value: Any) -> bool:
    # pandas 3 names its public classes' module "pandas", pandas 2 "pandas.core.frame".
    module = type(value).__module__
    return module == "pandas" or module.startswith("pandas.")


# ----------------------------------------------------------------------------
# Records as plain values -> Journal, through the bridge
# ----------------------------------------------------------------------------

class RecordsError(PicklableByParts, ValueError):
    """A record given to :func:`journal_from_records` breaks a rule.

    ``index`` is the record's position in the sequence given, ``field`` the
    field in the journal format's names (``answers[2]``, ``emotions[0].after``),
    ``reason`` the model's reason (validate.hpp) and ``first`` the position of
    the record that used a duplicate id first (else None). The caller names its
    own place (a CSV file and line) from ``index``."""

    def __init__(self, name: str, index: int, field: str, reason: str, first: Any = None) -> None:
        super().__init__(f"{name}: record {index}: field '{field}': {reason}")
        self.name, self.index, self.field, self.reason, self.first = name, index, field, reason, first


def _value_schema(table: str) -> Any:
    """The columns of a table of records held as plain values: times as RFC
    3339 text (their offsets with them), vocabularies as text and every
    integer as int64, so that a value out of range reaches the model's rules
    and their reasons instead of an Arrow overflow."""
    pa = _pa()

    def widen(t: Any) -> Any:
        if pa.types.is_dictionary(t) or pa.types.is_timestamp(t):
            return pa.string()
        if pa.types.is_integer(t):
            return pa.int64()
        if pa.types.is_list(t):
            return pa.list_(widen(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, widen(f.type)) for f in t])
        return t

    return pa.schema([pa.field(f.name, widen(f.type)) for f in ARROW_SCHEMAS[table]
                      if not f.name.endswith("offset_minutes")])


_ROW_ERROR = re.compile(r"/(?P<table>\w+): row (?P<row>\d+): field '(?P<field>[^']*)': (?P<reason>.*)\Z", re.S)
_FIRST_USED = re.compile(r" \(first used in row (\d+)\)\Z")


def journal_from_records(records: Sequence[Mapping[str, Any]], name: str = "<records>") -> Any:
    """A Journal from records held as plain values in the journal format's
    shape: dicts with ``type`` and the format's field names, times as RFC 3339
    text, lists as lists, emotions as dicts (what a CSV row or an importer
    gives). An absent field is a missing key, None, "" or []. The records go
    to C++ as one Arrow table per type (the bridge of :func:`from_arrow`),
    never as JSON text; every one is checked by the model's rules, and each
    time text by the journal reader's parser (RFC 3339 with its offset, years
    1400..9999: the journal format's rule).

    Raises :class:`RecordsError` (a ValueError) naming the record's position
    in ``records``, the field and the reason. Needs pyarrow (the ``parquet``
    extra)."""
    pa = _pa()
    table_of = {rtype: table for table, rtype in TABLES.items()}
    rows: dict[str, list[Mapping[str, Any]]] = {t: [] for t in TABLES}
    positions: dict[str, list[int]] = {t: [] for t in TABLES}
    for i, rec in enumerate(records):
        table = table_of.get(rec.get("type"))  # type: ignore[arg-type]
        if table is None:
            raise RecordsError(name, i, "type", f"unknown record type {rec.get('type')!r}; expected one of "
                               f"{', '.join(table_of)}")
        rows[table].append(rec)
        positions[table].append(i)
    tables = {}
    for table, recs in rows.items():
        if not recs:
            continue
        columns = {}
        for f in _value_schema(table):
            required = f.name in _REQUIRED[table]
            for k, r in enumerate(recs):
                # A required field's key left out is missing; a key there with
                # None or "" (an empty CSV cell) goes on to the model's rules.
                reason = _value_reason(pa, f.name, f.type, r.get(f.name), required and f.name not in r)
                if reason is not None:
                    raise RecordsError(name, positions[table][k], *reason)
            # "" is a thought record's situation or automatic thought (the spec allows an empty
            # one, and the research export writes it); elsewhere "" and [] mean the field is absent.
            keep_empty = f.name in _EMPTY_ALLOWED.get(table, ())
            values = [r.get(f.name) if keep_empty and r.get(f.name) == "" else _absent_as_none(r.get(f.name))
                      for r in recs]
            try:
                columns[f.name] = pa.array(values, type=f.type)
            except (pa.ArrowException, TypeError, ValueError, OverflowError):
                k = _first_unreadable(pa, values, f.type)
                raise RecordsError(name, positions[table][k], f.name,
                                   f"{values[k]!r} cannot be read as {f.type}") from None
        tables[table] = pa.table(columns)
    try:
        # Straight to C++: the time texts are read there by the journal
        # reader's own parser (strict RFC 3339 with an offset, as in a journal
        # file), not by from_arrow's reading of other tools' ISO 8601 columns.
        return _core._journal_from_arrow(tables, name)
    except ValueError as e:
        m = _ROW_ERROR.search(str(e))
        if m is None or m["table"] not in positions:
            raise
        where = positions[m["table"]]
        reason, first = m["reason"], None
        dup = _FIRST_USED.search(reason)
        if dup is not None:
            reason, first = reason[:dup.start()], where[int(dup[1])]
        raise RecordsError(name, where[int(m["row"])], m["field"], reason, first) from None


# The fields a record of each table must have (the journal format's tables;
# test_breaker_rule_table checks each against the reader).
_REQUIRED = {"triggers": {"id", "time", "category", "intensity"}, "readings": {"time", "intensity"},
             "exercises": {"id", "time", "exercise", "end"},
             "thought_records": {"id", "time", "situation", "automatic_thought", "belief_before"},
             "assessments": {"id", "time", "instrument", "answers"}}
# Required text fields whose value may be "" (the journal format's thought record table).
_EMPTY_ALLOWED = {"thought_records": ("situation", "automatic_thought")}
# The integer scale of each integer field (the model's types, _core._integer_reason).
_SCALE = {"intensity": "intensity", "intensity_before": "intensity", "intensity_after": "intensity",
          "belief_before": "percent", "belief_after": "percent", "before": "percent", "after": "percent",
          "answers": "answer"}
# What each list holds, in the reader's words.
_LIST_OF = {"distortions": "distortion ids", "emotions": "emotion objects", "answers": "integers"}


def _value_reason(pa: Any, field: str, type_: Any, value: Any, missing: bool) -> tuple[str, str] | None:
    """(field, reason) when `value` is not what the journal reader takes for
    `field` as JSON, in the reader's words; None when it is (or is absent).
    `missing`: a required field's key is not there. Checked before Arrow
    converts it, which would truncate 8.7 to 8, take True as 1 and split a
    string into letters."""
    if missing:
        return field, _core._rule_reason("missing")
    if value is None or value == "" or (isinstance(value, list) and not value):
        return None
    if pa.types.is_integer(type_):
        reason = _core._integer_reason(_SCALE[field], value)
        return None if reason is None else (field, reason)
    if pa.types.is_boolean(type_):
        return None if isinstance(value, bool) else (field, _core._rule_reason("bool", value))
    if pa.types.is_floating(type_):  # minutes: a number here; its value is the model's rule (C++)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        return field, _core._rule_reason("minutes", value)
    if pa.types.is_string(type_):
        return None if isinstance(value, str) else (field, _core._rule_reason("string", value))
    if pa.types.is_list(type_):
        if not isinstance(value, list):
            return field, _core._rule_reason("list", value, _LIST_OF.get(field, "strings"))
        for i, item in enumerate(value):
            reason = _item_reason(pa, f"{field}[{i}]", field, type_.value_type, item)
            if reason is not None:
                return reason
    return None


def _item_reason(pa: Any, at: str, field: str, type_: Any, item: Any) -> tuple[str, str] | None:
    if pa.types.is_struct(type_):  # an emotion {name, before, after}
        if not isinstance(item, dict):
            return at, _core._rule_reason("emotion", item)
        for sub in type_:
            v = item.get(sub.name)
            if v is None:  # absent (None too, as at the top level)
                if sub.name in ("name", "before"):
                    return f"{at}.{sub.name}", _core._rule_reason("missing")
                continue
            if pa.types.is_integer(sub.type):
                reason = _core._integer_reason(_SCALE[sub.name], v)
            else:
                reason = None if isinstance(v, str) else _core._rule_reason("string", v)
            if reason is not None:
                return f"{at}.{sub.name}", reason
        return None
    if pa.types.is_integer(type_):
        reason = _core._integer_reason(_SCALE[field], item)
        return None if reason is None else (at, reason)
    return None if isinstance(item, str) else (at, _core._rule_reason("string", item))


def _absent_as_none(value: Any) -> Any:
    return None if value == "" or (isinstance(value, list) and not value) else value


def _first_unreadable(pa: Any, values: list[Any], type_: Any) -> int:
    for k, v in enumerate(values):
        try:
            pa.array([v], type=type_)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return k
    return 0
