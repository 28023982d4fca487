"""Journals as Parquet datasets, and folders of JSON Lines shards.

A dataset is a folder with one sub-folder per record type::

    cohort/
      triggers/         _common_metadata, participant=p001/part-0.parquet, ...
      readings/
      exercises/
      thought_records/
      assessments/      (since layout version 2)

``partition_by="shard"`` (the default) writes ``part-00000.parquet`` ...
with the participants split into ``shards`` (default 1) contiguous blocks of
the sorted participant list, the same block in every record type; rows are
ordered by participant, time and id, in row groups of
:data:`ROW_GROUP_ROWS` rows whose min/max statistics on the participant
column let ``read_parquet(path, participants=[...])`` skip the row groups
that hold none of them. ``partition_by="participant"`` writes one
Hive-style folder per participant (``participant=<name, URI-encoded>``: the
column comes back from the folder name): thousands of small files for a
cohort, 10-30x slower both ways than the shard layout (the small-files cost
Arrow's documentation warns about), kept for tools that want a folder per
person. Either way a participant's records are never split across two files
of a type, so each partition of a type is a self-contained piece of the
cohort; ``read_parquet`` reads both layouts (the metadata's
``calmkit_partition_by`` names the one a dataset has).

The schema of each type is :data:`SCHEMAS` (documented in docs/scale-out.md),
the Arrow bridge's own (:data:`calmkit.arrow.ARROW_SCHEMAS`): times are
``timestamp[us, UTC]`` with the person's UTC offset in a separate
``*offset_minutes`` int16 column; the small vocabularies (participant,
category, exercise, instrument) are ``dictionary<int32, string>`` (in the
Parquet file a string column, dictionary-encoded: readers without Arrow see
plain strings, pyarrow and pandas get dictionaries and categoricals); text
lists are ``list<string>``; emotions are ``list<struct<name, before,
after>>``; an assessment's answers are ``list<int32>``; an absent text is
written as a null (what ``to_pandas()`` gives), and a null, an empty string or
an empty list read as an absent field, as in the journal format. Every file's
key-value metadata carries ``calmkit_format_version``
(:data:`PARQUET_FORMAT_VERSION`), ``calmkit_record_type`` and
``calmkit_schema`` (the schema as JSON).

Layout versions: 1 had the first four tables; 2 added ``assessments``; 3
(written now) stores the vocabularies as Arrow dictionaries and the required
columns as required (not null), so that the columns go to and from the
journal without a cast. Versions 1 and 2 (plain strings, every column
nullable) still read; a version 1 dataset has no assessments; a dataset of
version 2 or later without its ``assessments`` folder is an error, since the
writer always writes it.

Both ways go through the Arrow bridge (:mod:`calmkit.arrow`): the columns
are built from, and read into, the C++ model without JSON text, and every row
read is checked by the model's rules, so a dataset edited by other tools is
checked like a journal file (an error names the table, row and column).

Example::

    calmkit.write_parquet(journal, "cohort/")
    assert calmkit.read_parquet("cohort/") == journal
    some = calmkit.read_parquet("cohort/", participants=["p001"])
    triggers = pandas.read_parquet("cohort/triggers")  # plain pandas works too
"""
from __future__ import annotations

import bisect
import contextlib
import functools
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote, unquote

import numpy as np

from . import _core, _extras
from .arrow import TABLES, _check_zone
from .files import shown_path

__all__ = ["PARQUET_FORMAT_VERSION", "READABLE_VERSIONS", "ROW_GROUP_ROWS", "SCHEMAS", "VERSION_2_SCHEMAS", "TABLES", "write_parquet",
           "read_parquet", "read_jsonl_shards", "journal_from_tables", "tables_of"]

#: Version of the Parquet layout below (``calmkit_format_version`` in the
#: metadata): 2 since assessments have their table, 3 since the vocabularies
#: are stored as Arrow dictionaries.
PARQUET_FORMAT_VERSION = 3
#: Layout versions this calmkit reads.
READABLE_VERSIONS = (1, 2, 3)
#: Rows per Parquet row group in the shard layout. Rows are ordered by
#: participant, so each row group holds a contiguous range of participants
#: and its min/max statistics on the participant column tell a reader
#: filtering on participants which row groups to skip (a tenth or less of a
#: 1-million-record cohort is read for one participant); large enough that a
#: whole read pays little per row group (the same CPU as one row group of
#: 1 Mi rows, measured on the benchmark cohorts, benchmarks/README.md).
ROW_GROUP_ROWS = 64 * 1024

# TABLES (folder of each record type -> its journal format ``type``) is the
# bridge's, re-exported.
#: Tables added after layout version 1 -> the version that added them (a
#: dataset of an older version has no folder for them: read as empty).
ADDED_IN = {"assessments": 2}

_PathLike = Union[str, "os.PathLike[str]"]


def _schemas() -> dict[str, Any]:
    from .arrow import ARROW_SCHEMAS

    # The bridge's schema is the files' schema (layout version 3): the
    # journal's columns are written and read without a cast.
    return dict(ARROW_SCHEMAS.items())


def _version_2_schemas() -> dict[str, Any]:
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    from .arrow import ARROW_SCHEMAS

    # Layout versions 1 and 2: the vocabularies as plain strings, every column nullable.
    def plain(t: Any) -> Any:
        return t.value_type if pa.types.is_dictionary(t) else t

    return {table: pa.schema([pa.field(f.name, plain(f.type)) for f in schema])
            for table, schema in ARROW_SCHEMAS.items()}


#: The Arrow schema of each record type's table (see the module docstring).
SCHEMAS: dict[str, Any] = _extras.LazySchemas(_schemas)
#: The schema of each table in layout versions 1 and 2 (still read).
VERSION_2_SCHEMAS: dict[str, Any] = _extras.LazySchemas(_version_2_schemas)


def _with_metadata(schema: Any, folder: str, partition_by: str) -> Any:
    fields = [{"name": f.name, "type": str(f.type)} for f in schema]
    return schema.with_metadata({
        "calmkit_format_version": str(PARQUET_FORMAT_VERSION),
        "calmkit_record_type": TABLES[folder],
        "calmkit_partition_by": partition_by,
        "calmkit_schema": json.dumps(fields),
    })


#: The folder value Hive-style readers (pyarrow, Spark, Hive) read as a
#: missing participant, whatever the encoding.
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
#: The longest file name most file systems take (NAME_MAX on Linux, macOS, NTFS).
_NAME_MAX = 255


def _folder_name(participant: str) -> str:
    return "participant=" + quote(participant, safe="")


def _check_folder_names(participants: list[str]) -> None:
    """ValueError, before anything is written, for a participant whose
    ``participant=<name>`` folder could not hold it: Hive's null value (every
    Hive-style reader would merge it into a missing participant), a name
    longer than a file name may be, or two names that differ only in case
    (one folder on case-insensitive file systems: macOS, Windows). The
    ``shard`` layout stores the column in the files and takes any id."""
    seen: dict[str, str] = {}
    hint = "; write_parquet(..., partition_by='shard') stores any participant id"
    for p in participants:
        shown = repr(p if len(p) <= 60 else p[:60] + "...")
        if p == _HIVE_NULL:
            raise ValueError(f"participant {shown} cannot be a participant=<name> folder: Hive-style readers "
                             f"(pyarrow, pandas, Spark) read that folder as no participant{hint}")
        name = _folder_name(p)
        if len(name.encode()) > _NAME_MAX:
            raise ValueError(f"participant {shown} ({len(p)} characters) is too long for a participant=<name> "
                             f"folder (a file name holds at most {_NAME_MAX} bytes, URI-encoded){hint}")
        other = seen.setdefault(name.casefold(), p)
        if other != p:
            raise ValueError(f"participants {other!r} and {p!r} differ only in case: their participant=<name> "
                             f"folders would be one on case-insensitive file systems (macOS, Windows){hint}")


def tables_of(journal: Any) -> dict[str, Any]:
    """The journal as one ``pyarrow.Table`` per record type (:data:`SCHEMAS`),
    records in journal order (participant, time, id): the Arrow bridge's
    tables (:func:`calmkit.arrow.to_arrow`), which are the files' schema."""
    from .arrow import to_arrow

    return to_arrow(journal)


def _participant_bounds(table: Any, codes: Any) -> Any:
    """Row bounds of the participants ``codes`` (ascending codes into the
    journal's sorted participants) in a :func:`calmkit.arrow.to_arrow`
    table, whose participant column holds those codes in order: participant
    ``codes[k]`` starts at row ``bounds[k]`` (rows ``bounds[k]:bounds[k + 1]``
    for consecutive codes)."""
    col = table.column("participant").combine_chunks() if table.num_rows else None
    indices = col.indices.to_numpy(zero_copy_only=False) if col is not None else np.zeros(0, np.int32)
    return np.searchsorted(indices, codes, side="left")


def _block(table: Any, start: int, stop: int, first: int, last: int) -> Any:
    """Rows ``start:stop`` of a to_arrow table, which hold participants
    ``first:last`` (codes into the journal's sorted list): its participant
    dictionary cut to those participants, so a shard's file holds only its own."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    part = table.slice(start, stop - start)
    if table.num_rows == 0 or (start == 0 and stop == table.num_rows and first == 0
                               and last == len(table.column("participant").chunk(0).dictionary)):
        return part  # the whole table, every participant: its dictionary is the block's
    col = part.column("participant").combine_chunks()
    indices = np.subtract(col.indices.to_numpy(zero_copy_only=False), first, dtype=np.int32)
    coded = pa.DictionaryArray.from_arrays(indices, col.dictionary.slice(first, last - first))
    return part.set_column(0, part.schema.field(0), coded)


def _dictionary_columns(schema: Any) -> list[str]:
    """The columns Parquet dictionary-encodes: every text column and every
    text list's items (the vocabularies, ids, trigger links and free text;
    their Parquet leaf paths, ``thoughts.list.element``, and the
    ``list.item`` pyarrow before 13 names the same leaf). Numbers, times and
    flags are written plain. A column chunk whose dictionary grows past
    pyarrow's ``dictionary_pagesize_limit`` (1 MiB) falls back to plain pages
    by itself, so text with many distinct values costs the hashing only.
    Journal text repeats (a participant's contexts, urges, sensations; on
    calmkit's own cohort 6-37 distinct values per column), and a
    dictionary-coded column is read back as codes into one copy of each
    value (:func:`_coded_text`): the own cohort's dataset is a quarter
    smaller and :func:`read_parquet` decodes and copies about 80 MB of text
    less (benchmarks/README.md). Every Parquet reader reads dictionary pages
    (the format's RLE_DICTIONARY encoding)."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    out = []
    for f in schema:
        t = f.type
        if pa.types.is_string(t) or pa.types.is_dictionary(t):
            out.append(f.name)
        elif pa.types.is_list(t) and pa.types.is_string(t.value_type):
            out += [f"{f.name}.list.element", f"{f.name}.list.item"]
        elif pa.types.is_list(t) and pa.types.is_struct(t.value_type):  # the emotions' names
            out += [f"{f.name}.list.{leaf}.{s.name}" for s in t.value_type if pa.types.is_string(s.type)
                    for leaf in ("element", "item")]
    return out


def _statistics_columns(schema: Any) -> list[str]:
    """The columns whose min/max statistics are written: every column but
    free text and lists (times, offsets, ratings, flags and the dictionary
    vocabularies, which readers filter on). Statistics of free text are
    truncated by the readers anyway and cost about a sixth of the encoding's
    CPU (measured on calmkit's own journal, benchmarks/README.md)."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    plain = (pa.types.is_string, pa.types.is_large_string, pa.types.is_list, pa.types.is_large_list)
    return [f.name for f in schema if not any(is_(f.type) for is_ in plain)]


def _memory_pool() -> Any:
    """The Arrow memory pool calmkit reads and writes Parquet with: the
    system allocator. pyarrow's default pool (mimalloc) takes fresh memory
    as transparent huge pages and the kernel clears each 2 MiB page when it is
    first touched: reading the project cohort's dataset in a fresh process
    cost 0.40-0.56 s of system CPU with it against 0.08-0.11 s with the
    system allocator, for the same user CPU (benchmarks/history.md, the
    quiet run of 2026-11-30 14:54). Passed per call, so pyarrow's own default is left as it is."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    return pa.system_memory_pool()


def _parquet_bytes(table: Any) -> Any:
    """``table`` as the bytes of one Parquet file (a pyarrow Buffer, no copy):
    snappy pages (what every Parquet reader reads), dictionary pages for
    :func:`_dictionary_columns`, statistics for :func:`_statistics_columns`
    (readers filter on them), row groups of :data:`ROW_GROUP_ROWS` rows."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pq = _extras.require("pyarrow.parquet", "parquet", "calmkit's Parquet support")

    pool = _memory_pool()
    sink = pa.BufferOutputStream(memory_pool=pool)
    pq.write_table(table, sink, row_group_size=ROW_GROUP_ROWS, use_dictionary=_dictionary_columns(table.schema),
                   write_statistics=_statistics_columns(table.schema), memory_pool=pool)
    return sink.getvalue()


def write_parquet(journal: Any, path: _PathLike, partition_by: str = "shard", shards: int = 1) -> Path:
    """Writes ``journal`` as a Parquet dataset in the folder ``path``.

    ``partition_by``: ``"shard"`` (the default: ``shards`` >= 1 files per
    type, each with a contiguous block of the sorted participants, in row
    groups of :data:`ROW_GROUP_ROWS` rows that a participant filter skips by
    their statistics) or ``"participant"`` (a ``participant=<name>`` folder
    per participant: many small files, 10-30x slower to write and read; the
    default up to calmkit 0.1.0). Returns
    the folder. ValueError for an unknown layout or ``shards`` < 1.

    The columns come from the Arrow bridge (:func:`calmkit.arrow.to_arrow`,
    built in C++, no JSON text) and are written as they are (the files'
    schema is the bridge's). Written through calmkit's one safe write
    (:func:`calmkit.write_folder`): each type's folder (``triggers/``, ...) is
    built next to its place and swapped in whole, so a reader sees the old
    dataset or the new one (never the partitions of an earlier dataset mixed
    in) and a full disk changes nothing; files are 0600, folders 0700; other
    files in ``path`` are left. The files of the participant layout are
    encoded on :func:`calmkit.threads` threads."""
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    pq = _extras.require("pyarrow.parquet", "parquet", "calmkit's Parquet support")

    from .arrow import to_arrow
    from .files import write_folder

    if partition_by not in ("participant", "shard"):
        raise ValueError(f"partition_by must be 'participant' or 'shard', got {partition_by!r}")
    if not isinstance(shards, int) or shards < 1:
        raise ValueError(f"shards must be an integer >= 1, got {shards!r}")
    root = Path(path)
    participants = journal.participants()
    n = len(participants)
    if partition_by == "participant":
        _check_folder_names(participants)
    blocks = [(k * n // shards, (k + 1) * n // shards) for k in range(shards)]
    files: dict[str, Any] = {}
    pieces: list[tuple[str, Any]] = []  # (file, table) to encode

    for folder, coded in to_arrow(journal).items():
        schema = _with_metadata(SCHEMAS[folder], folder, partition_by)
        table = coded.replace_schema_metadata(schema.metadata)
        if partition_by == "participant":
            bounds = _participant_bounds(coded, np.arange(n + 1))
            file_schema = schema.remove(schema.get_field_index("participant"))
            sink = __import__("pyarrow").BufferOutputStream()
            pq.write_metadata(file_schema, sink)
            files[f"{folder}/_common_metadata"] = sink.getvalue()
            body = table.drop_columns(["participant"])
            for k in np.flatnonzero(bounds[1:] > bounds[:-1]):
                start, stop = int(bounds[k]), int(bounds[k + 1])
                pieces.append((f"{folder}/{_folder_name(participants[k])}/part-0.parquet",
                               body.slice(start, stop - start)))
        else:
            sink = __import__("pyarrow").BufferOutputStream()
            pq.write_metadata(schema, sink)
            files[f"{folder}/_common_metadata"] = sink.getvalue()
            bounds = _participant_bounds(coded, [first for first, _ in blocks] + [n])
            for k, (first, last) in enumerate(blocks):
                start, stop = int(bounds[k]), int(bounds[k + 1])
                pieces.append((f"{folder}/part-{k:05d}.parquet", _block(table, start, stop, first, last)))
    workers = min(_core.threads(), len(pieces))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        # pyarrow encodes without the GIL: thousands of small files on every core.
        with ThreadPoolExecutor(workers) as pool:
            encoded = list(pool.map(_parquet_bytes, [t for _, t in pieces]))
    else:
        encoded = [_parquet_bytes(t) for _, t in pieces]
    files.update(zip([f for f, _ in pieces], encoded))
    write_folder(root, files, owned=TABLES.keys())
    return root


# --- reading ----------------------------------------------------------------


#: Each time column -> the column holding its UTC offset in minutes.
_OFFSET_OF = {"time": "offset_minutes", "end": "end_offset_minutes"}


def _zone_offsets(z: Any, utc_us: Any) -> Any:
    """The UTC offset (int64 seconds) of zone ``z`` at each instant of
    ``utc_us`` (int64 microseconds), or None for a tzinfo that can only be
    asked one datetime at a time: a calmkit.TimeZone asks its model once per
    offset interval (``offsets_at``), a fixed offset (``datetime.timezone``)
    is one number."""
    from datetime import timezone

    if hasattr(z, "offsets_at"):
        return z.offsets_at(utc_us)
    if isinstance(z, timezone):
        return np.full(len(utc_us), int(z.utcoffset(None).total_seconds()), np.int64)
    return None


#: Wall times within a day of a zone's change are read by the one rule row by
#: row; elsewhere the offset a day before and after is the same, and it is
#: the only offset there is.
_DAY_US = 86_400 * 1_000_000
#: Wall times (microseconds since 1970) from 0002-01-01 to 9998-12-31: the
#: rows outside are read by the rule row by row, which says what cannot be placed.
_SAFE_WALL_US = (-62104060800 * 1_000_000, 253370764800 * 1_000_000)


def _localize_column(table: Any, name: str, tz: Any, where: str) -> Any:
    """``table`` with the naive wall times of column ``name`` read in the
    zone ``tz`` by calmkit's one rule for local times (calmkit.localtime), as
    UTC instants; a LocalTimeWarning for each time that did not exist or
    happened twice. An offset that the table holds is kept (it says at which
    offset the person lived; the instant is the same), a missing one is the
    zone's offset at that instant.

    Column-wise: a wall time with the same offset a day before and a day
    after (no change of the zone's clocks near it) has one reading, wall
    time minus that offset, computed for the whole column at once with NumPy;
    only the rows near a change (a few per year, where a wall time may not
    exist or happen twice) and the rows of a tzinfo that cannot be asked
    column-wise go through :func:`calmkit.localtime.resolve`, in row order."""
    import warnings

    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    from .localtime import LocalTimeWarning, resolve, zone

    z = zone(tz)
    col = table.column(name)
    off_name = _OFFSET_OF[name]
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    wall = col.cast(pa.timestamp("us")).cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    wall = wall.astype(np.int64, copy=False)
    offset_s = np.zeros(len(wall), np.int64)
    slow = valid.copy()
    before = _zone_offsets(z, wall - _DAY_US)
    if before is not None:
        after = _zone_offsets(z, wall + _DAY_US)
        at = _zone_offsets(z, wall - before * 1_000_000)
        fast = valid & (before == after) & (at == before) & (wall >= _SAFE_WALL_US[0]) & (wall <= _SAFE_WALL_US[1])
        offset_s = np.where(fast, before, 0)
        slow = valid & ~fast
    instants = wall - offset_s * 1_000_000
    minutes = offset_s // 60
    if slow.any():
        from datetime import datetime, timezone

        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        naive = col.cast(pa.timestamp("us"))
        for row in np.flatnonzero(slow):
            when, note = resolve(naive[int(row)].as_py(), z)
            if note is not None:
                warnings.warn(f"{where}: row {row}: column {name!r}: {note}", LocalTimeWarning, stacklevel=4)
            instants[row] = (when - epoch) // _MICROSECOND
            minutes[row] = int(when.utcoffset().total_seconds() // 60)
    table = table.set_column(table.column_names.index(name), name,
                             pa.array(instants, pa.int64(), mask=~valid).cast(pa.timestamp("us", tz="UTC")))
    mine = pa.array(minutes, pa.int64(), mask=~valid)
    if off_name in table.column_names:
        import pyarrow.compute as pc

        # An offset the table holds wins; a row without a time has no offset (the bridge refuses the time).
        given = table.column(off_name)
        if pa.types.is_integer(given.type):
            mine = pc.coalesce(given.cast(pa.int64()), mine)
        elif pa.types.is_floating(given.type):
            mine = pc.coalesce(given.cast(pa.float64()), mine.cast(pa.float64()))
        else:
            return table  # not offsets: the bridge names the column and what it expects
        mine = pc.if_else(pa.array(valid), mine, None)
        return table.set_column(table.column_names.index(off_name), off_name, _narrow_offsets(mine))
    return table.append_column(off_name, _narrow_offsets(mine))


def _narrow_offsets(minutes: Any) -> Any:
    """Offsets in minutes as int16 (the schema's type) when they fit; else
    as they are, for the bridge to refuse by the model's offset rule."""
    import pyarrow.compute as pc

    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    if not pa.types.is_integer(minutes.type):
        return minutes
    low, high = pc.min_max(minutes).values()
    if low.as_py() is None or -32768 <= low.as_py() <= high.as_py() <= 32767:
        return minutes.cast(pa.int16())
    return minutes


#: One microsecond.
_MICROSECOND = __import__("datetime").timedelta(microseconds=1)


def _localize_naive(table: Any, where: str, tz: Any) -> Any:
    """``table`` with its time columns of timestamps without a time zone read
    as wall times in ``tz`` (:func:`_localize_column`); unchanged without
    ``tz`` (the bridge then refuses them, naming the table and column)."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    if tz is None:
        return table
    for name in _OFFSET_OF:
        if name in table.column_names:
            t = table.column(name).type
            if pa.types.is_timestamp(t) and t.tz is None:
                table = _localize_column(table, name, tz, where)
    return table


def journal_from_tables(tables: dict[str, Any], name: str = "<parquet>", *, tz: Any = None) -> Any:
    """A Journal from one Arrow table (or pandas DataFrame) per record type,
    keyed by folder name. A missing key and a table with no rows, whatever
    its columns (pandas reads an empty folder as a (0, 0) frame), are no
    records. The columns go to C++ through the Arrow bridge
    (:func:`calmkit.arrow.from_arrow`; no JSON text) and every row is
    checked by the model's rules; an error names ``name``, the type, the row
    within that table and the column.

    ValueError for a mistyped or missing column, and for a time column of
    timestamps without a time zone (naming the table and column) unless
    ``tz`` (an IANA zone name or a tzinfo) says where those wall times were
    written: they are then read by calmkit's one rule for local times
    (calmkit.localtime; a LocalTimeWarning for a time that did not exist or
    happened twice); an empty offset cell gets the zone's offset."""
    from .arrow import from_arrow

    return from_arrow(tables, name=name, tz=tz)


def _check_metadata(schema: Any, where: str) -> int:
    """The layout version in ``schema``'s metadata; ValueError when it is
    missing or not one of :data:`READABLE_VERSIONS`."""
    meta = schema.metadata or {}
    version = meta.get(b"calmkit_format_version")
    if version is None:
        raise ValueError(f"{where}: no calmkit_format_version in the Parquet metadata (not written by calmkit)")
    readable = {str(v).encode(): v for v in READABLE_VERSIONS}
    if version not in readable:
        raise ValueError(f"{where}: calmkit Parquet format version {version.decode(errors='replace')!r}; this "
                         f"calmkit reads version(s) {', '.join(map(str, READABLE_VERSIONS))}")
    return readable[version]


def _participant_files(d: Path, listed: list[str] | None) -> list[tuple[str, Path]]:
    """(participant, file) of each data file of a type's folder in the
    participant layout, sorted by path: the ``listed`` files (relative to
    ``d``) or every file under ``d`` found as Hive-style readers find them
    (names starting with ``.`` or ``_`` skipped, sub-folders walked). The
    participant is the URI-decoded name of the ``participant=<name>`` folder.
    ValueError for a file outside any such folder and for Hive's null folder:
    other readers take either for records without a participant, and calmkit
    will not merge them into another participant."""
    def refuse(what: str) -> ValueError:
        return ValueError(f"{d}: {what}: a participant={_HIVE_NULL} folder (or a file outside any "
                          "participant=<name> folder): Hive-style readers take it for records without a "
                          "participant, and calmkit will not merge them into another participant")

    def participant_of(top: str) -> str:
        if not top.startswith("participant="):
            raise refuse(top)
        try:
            p = unquote(top[len("participant="):], errors="strict")
            p.encode("utf-8")  # a folder name whose own bytes are not UTF-8 (os.fsdecode's surrogate escapes)
        except UnicodeError:
            raise ValueError(f"{d / top}: the participant's name is not UTF-8, in the folder's name or once its "
                             "%-escapes are decoded (a tool that encoded it in another character set?); calmkit will not guess it, "
                             "nor merge such folders into one participant (pyarrow refuses the folder too)") from None
        if p == _HIVE_NULL:
            raise refuse(top)
        return p

    if listed is not None:
        found = [(participant_of(Path(rel).parts[0]), d / rel) for rel in listed]
    else:
        found = []
        for entry in os.scandir(d):
            if entry.name.startswith((".", "_")):
                continue
            if not entry.is_dir():
                raise refuse(entry.name)
            p = participant_of(entry.name)
            for sub, dirs, names in _walk(entry.path):
                dirs[:] = [x for x in dirs if not x.startswith((".", "_"))]
                found += [(p, Path(sub) / n) for n in names if not n.startswith((".", "_"))]
    _refuse_special_files(f for _, f in found)
    return sorted(found, key=lambda pf: str(pf[1]))


def _read_participant_files(found: list[tuple[str, Path]], d: Path, tz: Any, origin: list | None = None) -> Any:
    """One table of the files of a participant-layout folder, each file's
    rows with its folder's participant as a ``dictionary<int32, string>``
    column (the sorted participants read). The files are read one by one on
    :func:`calmkit.threads` threads: pyarrow's dataset scanner costs about
    twice as much per small file (benchmarks/README.md)."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pq = _extras.require("pyarrow.parquet", "parquet", "calmkit's Parquet support")

    from . import _core

    names = sorted({p for p, _ in found})
    code = {p: k for k, p in enumerate(names)}
    dictionary = pa.array(names, pa.string())
    field = pa.field("participant", pa.dictionary(pa.int32(), pa.string()))

    def read(pf: tuple[str, Path]) -> Any:
        p, f = pf
        try:
            with _opened(f) as (source, filesystem), pq.ParquetFile(source, filesystem=filesystem) as pqf:
                t = pqf.read(use_threads=False)
        except (pa.ArrowInvalid, OSError) as e:
            raise _unreadable(f, e) from None
        if "participant" in t.column_names:  # the folder names the participant
            t = t.drop_columns(["participant"])
        t = _plain_types(t, str(f))
        codes = np.full(t.num_rows, code[p], np.int32)
        return t.add_column(0, field, pa.DictionaryArray.from_arrays(codes, dictionary))

    workers = min(_core.threads(), len(found))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:  # pyarrow reads without the GIL
            tables = list(pool.map(read, found))
    else:
        tables = [read(pf) for pf in found]
    if origin is not None:
        origin += [(f, t.num_rows, None) for (_, f), t in zip(found, tables)]
    return _fit_together([(f, t) for (_, f), t in zip(found, tables)], d, tz, same_columns=False)


def _participant_column(metadata: Any) -> int | None:
    """The index of the ``participant`` column among the leaf columns of a
    Parquet file's metadata, or None when the file has none."""
    for i in range(metadata.num_columns):
        if metadata.schema.column(i).path == "participant":
            return i
    return None


def _row_groups_of(metadata: Any, participants: list[str], where: str = "a Parquet file") -> list[int]:
    """The row groups of a Parquet file (its ``pyarrow.parquet.FileMetaData``)
    that may hold a row of one of ``participants``: those whose min/max
    statistics on the ``participant`` column bracket one of them (string
    order is the UTF-8 byte order Parquet compares by; a truncated statistic
    is still a bound), and every row group without such statistics (a file
    another tool wrote without them, or without the column). ValueError
    naming the file ``where`` when its ``participant`` column is not text
    (Parquet's BYTE_ARRAY): its statistics are numbers, which no id orders
    among."""
    wanted = sorted(set(participants))
    col = _participant_column(metadata)
    if col is not None and metadata.schema.column(col).physical_type != "BYTE_ARRAY":
        raise ValueError(f"{where}: the participant column holds {metadata.schema.column(col).physical_type} "
                         f"values, not text (participant ids are strings)")
    keep = []
    nulls = "" in wanted  # a null participant reads as "" (no participant); min/max leave nulls out
    for g in range(metadata.num_row_groups):
        stats = metadata.row_group(g).column(col).statistics if col is not None else None
        if stats is None or not stats.has_min_max or (nulls and (not stats.has_null_count or stats.null_count)):
            keep.append(g)
            continue
        low, high = stats.min, stats.max
        if isinstance(low, bytes) or isinstance(high, bytes):  # a column without the String annotation
            low, high = _text(low), _text(high)
        k = bisect.bisect_left(wanted, low)
        if k < len(wanted) and wanted[k] <= high:
            keep.append(g)
    return keep


def _with_null(participants: list[str]) -> list[str | None]:
    """``participants`` with a null when they hold "": the value set of the
    row filter, where a null participant (another tool's "no participant")
    is participant "", as the full read takes it."""
    return participants + [None] if "" in participants else participants


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="surrogateescape") if isinstance(value, bytes) else str(value)


@contextlib.contextmanager
def _opened(f: Path) -> Any:
    """(source, filesystem) for pyarrow to read the file ``f`` from: its path
    on the local file system, or, when the path is not UTF-8 (a byte that
    ``os.fsdecode`` gives as a surrogate escape; pyarrow's file systems take
    UTF-8 paths only), the file opened by Python as a ``pyarrow.PythonFile``
    (no file system), closed on leaving. Either way pyarrow reads only the
    footer, columns and row groups asked for."""
    path = str(f)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
        with open(f, "rb") as handle, pa.PythonFile(handle, mode="r") as source:
            yield source, None
        return
    yield path, _local_file_system()


@functools.lru_cache(maxsize=None)
def _local_file_system() -> Any:
    """One ``pyarrow.fs.LocalFileSystem`` for every read (Arrow's file
    systems are thread-safe): a new one per file cost about 10 us, which the
    participant layout pays thousands of times."""
    fs = _extras.require("pyarrow.fs", "parquet", "calmkit's Parquet support")
    return fs.LocalFileSystem()


def _unreadable(f: Any, e: BaseException) -> BaseException:
    """The error for the file ``f`` pyarrow could not read (``e``): a
    ValueError ``<file>: not a readable Parquet file (...)`` for a damaged,
    cut or stray file; the file system's own error (FileNotFoundError,
    PermissionError, ...) as it is."""
    if type(e) is not OSError and isinstance(e, OSError):  # a missing file, a permission, ...
        return e
    return ValueError(f"{f}: not a readable Parquet file ({e})")


def _refuse_dangling_links(paths: Any) -> None:
    """FileNotFoundError naming the first of ``paths`` that is a symbolic
    link to nothing (a shard on a disk that is gone): skipped, its records
    would be missing from the journal without a word."""
    for p in paths:
        if p.is_symlink() and not p.exists():
            raise FileNotFoundError(f"{p}: a symbolic link to {os.readlink(p)}, which does not exist")


def _read_columns() -> frozenset[str]:
    """The columns calmkit reads, of any layout version: a column it ignores
    (pandas' index kept as __index_level_0__, another app's "source") is left
    unread, and may be in some files only."""
    return frozenset(f.name for schemas in (SCHEMAS, VERSION_2_SCHEMAS) for _, schema in schemas.items()
                     for f in schema)


def _walk(top: Any) -> Any:
    """``os.walk(top)`` following symbolic links to folders, as pyarrow's
    dataset discovery does (a folder of shards linked in from another disk is
    read, not skipped). ValueError naming the folder reached a second time (a
    link to a folder that holds it, or two links to one folder): pyarrow walks
    such a loop until the path is too long and reads each file again on every
    turn. The caller may prune the yielded ``dirs`` in place."""
    seen: dict[tuple[int, int], str] = {}
    for sub, dirs, names in os.walk(top, followlinks=True):
        st = os.stat(sub)
        first = seen.setdefault((st.st_dev, st.st_ino), sub)
        if first != sub:
            raise ValueError(f"{sub}: the folder {first} again (through a symbolic link): its files would be "
                             f"read twice; remove the link")
        yield sub, dirs, names


def _data_files(d: Path, listed: list[str] | None) -> list[Path]:
    """The data files of a shard-layout folder ``d``, sorted by path: its
    ``listed`` files, or every file found as pyarrow's dataset discovery
    finds them (names starting with ``.`` or ``_`` skipped, sub-folders
    walked, links to folders followed: :func:`_walk`). FileNotFoundError for
    a symbolic link to nothing and ValueError for an entry that is not a
    regular file (:func:`_refuse_special_files`): pyarrow's discovery skips
    either without a word."""
    if listed is not None:
        files = [d / f for f in listed]
    else:
        files = []
        for sub, dirs, names in _walk(d):
            dirs[:] = [x for x in dirs if not x.startswith((".", "_"))]
            files += [Path(sub) / n for n in names if not n.startswith((".", "_"))]
        _refuse_dangling_links(files)
    _refuse_special_files(files)
    return sorted(files, key=str)


def _refuse_special_files(paths: Any, holds: str = "a calmkit Parquet dataset holds Parquet files only") -> None:
    """ValueError naming the first of ``paths`` that exists and is not a
    regular file (a named pipe, a socket, a device): opening a pipe waits for
    a writer for ever, and none of them holds a Parquet file."""
    for p in paths:
        try:
            mode = p.stat().st_mode
        except OSError:
            continue  # a missing file: the read names it
        if not stat.S_ISREG(mode):
            raise ValueError(f"{p}: not a regular file (a named pipe, socket or device); {holds}")


#: Bytes a dictionary-coded value may take in a column chunk's data pages:
#: its index (at most 32 bits) and its definition and repetition levels.
_CODED_VALUE_BYTES = 5


def _coded_text(metadata: Any, schema: Any, columns: list[str], groups: list[int] | None) -> list[str]:
    """The Parquet leaf paths (``context``, ``thoughts.list.element``) of the
    text columns among ``columns`` (``string``, or ``list<string>``'s items,
    in the file's Arrow ``schema``) that the file (its
    ``pyarrow.parquet.FileMetaData``) dictionary-codes in every row group of
    ``groups`` (all when None), which pyarrow then reads as codes into the
    dictionary page's values instead of a string per row. A chunk is taken as
    coded throughout when it has a dictionary page and its pages past that
    page hold at most :data:`_CODED_VALUE_BYTES` bytes a value
    (uncompressed): a chunk that fell back to plain pages (a dictionary past
    the writer's limit) holds the text itself, and reading it as a dictionary
    would hash every value. The dictionary page's size is its compressed
    size there, at most its uncompressed one: a doubt reads the column as
    text, as before."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    def text(name: str) -> bool:
        i = schema.get_field_index(name)  # -1 for a name given twice: left as it is
        if i < 0 or name not in columns:
            return False
        t = schema.field(i).type
        return pa.types.is_string(t) or (pa.types.is_list(t) and pa.types.is_string(t.value_type))

    def coded(chunk: Any) -> bool:
        if not chunk.has_dictionary_page:
            return False
        start, data = chunk.dictionary_page_offset, chunk.data_page_offset
        dictionary = data - start if start is not None and data is not None and 0 < start < data else 0
        return chunk.total_uncompressed_size - dictionary <= _CODED_VALUE_BYTES * chunk.num_values + 4096

    out = []
    for i in range(metadata.num_columns):
        leaf = metadata.schema.column(i)
        if leaf.physical_type != "BYTE_ARRAY" or not text(leaf.path.split(".")[0]):
            continue
        if all(coded(metadata.row_group(g).column(i)) for g in (range(metadata.num_row_groups) if groups is None
                                                                   else groups)):
            out.append(leaf.path)
    return out


def _read_file(f: Path, participants: list[str] | None, use_threads: bool,
               dictionary: tuple[str, ...] = (), coded_text: bool = False) -> Any:
    """The table of one Parquet file ``f`` as it was written (its own
    schema: no other file's types imposed on it), the columns calmkit reads
    only; with ``participants``, only the row groups whose statistics may
    hold one of them (:func:`_row_groups_of`; pyarrow's own filter does not
    prune row groups by the statistics of a dictionary column), then only
    their rows; the text columns named in ``dictionary``, and with
    ``coded_text`` every text column whose pages the file dictionary-codes
    (:func:`_coded_text`), as ``dictionary<int32, string>`` (text lists as
    ``list<dictionary<int32, string>>``: the file's own dictionary pages, not
    decoded row by row; the same values). None when no row is left. A file
    pyarrow cannot read is :func:`_unreadable`."""
    ds = _extras.require("pyarrow.dataset", "parquet", "calmkit's Parquet support")
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pc = _extras.require("pyarrow.compute", "parquet", "calmkit's Parquet support")

    try:
        with _opened(f) as (source, filesystem):
            fragment = ds.ParquetFileFormat().make_fragment(source, filesystem=filesystem)
            read = _read_columns()
            schema = fragment.physical_schema
            columns = [n for n in schema.names if n in read]
            if participants is not None and "participant" not in columns and "" not in participants:
                return None  # a file without the column holds participant "" only
            groups = None
            if participants is not None:
                groups = _row_groups_of(fragment.metadata, participants, str(f))
                if not groups:
                    return None
            coded = [n for n in dictionary if n in columns and pa.types.is_string(schema.field(n).type)]
            if coded_text:
                coded += [c for c in _coded_text(fragment.metadata, schema, columns, groups) if c not in coded]
            if coded:
                options = ds.ParquetReadOptions(dictionary_columns=coded)
                fragment = ds.ParquetFileFormat(read_options=options).make_fragment(source, filesystem=filesystem)
            if groups is not None:
                fragment = fragment.subset(row_group_ids=groups)
            table = fragment.to_table(columns=columns, use_threads=use_threads, memory_pool=_memory_pool())
    except (pa.ArrowInvalid, OSError) as e:
        raise _unreadable(f, e) from None
    table = _plain_types(table, str(f))
    if "participant" in table.column_names:
        table = _participant_as_dictionary(table, f)
        if participants is not None:
            ids = table.column("participant")
            if pa.types.is_dictionary(ids.type):
                ids = ids.cast(ids.type.value_type)
            table = table.filter(pc.is_in(ids, value_set=pa.array(_with_null(participants), ids.type)))
    return table if table.num_rows else None


def _plain_types(table: Any, where: str) -> Any:
    """``table`` with the types other tools write for the same values made
    one, so that files of a folder fit together: text as ``string`` (from
    ``large_string`` or ``string_view``) and timestamps with a time zone as
    UTC (the same instants: an Arrow timestamp holds UTC whatever its zone
    says), after the offsets the zone gives have filled the table's missing
    ones (the bridge's own rule, ``_offsets_from_zone``: 21:40 in Berlin stays
    21:40+02:00). Values are not changed; other types are left to the bridge."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    from .arrow import _offsets_from_zone

    if any(pa.types.is_timestamp(f.type) and f.type.tz not in (None, "UTC") for f in table.schema):
        table = _offsets_from_zone(table, where)

    for i, field in enumerate(table.schema):
        t = field.type
        if pa.types.is_large_string(t) or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t)):
            want = pa.string()
        elif pa.types.is_timestamp(t) and t.tz is not None and t.tz != "UTC":
            want = pa.timestamp(t.unit, "UTC")
        else:
            continue
        table = table.set_column(i, pa.field(field.name, want), table.column(i).cast(want))
    return table


def _participant_as_dictionary(table: Any, f: Path) -> Any:
    """``table`` with its ``participant`` column as the
    ``dictionary<int32, string>`` calmkit writes, whatever text type another
    tool wrote (``string``, ``large_string``, ``string_view``, another index
    width), so that the files of a folder fit together; a column that is not
    text is left for the bridge to refuse, naming it."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pc = _extras.require("pyarrow.compute", "parquet", "calmkit's Parquet support")

    want = pa.dictionary(pa.int32(), pa.string())
    i = table.schema.get_field_index("participant")
    column = table.column(i)
    t = column.type
    if t == want:
        return table
    text = t.value_type if pa.types.is_dictionary(t) else t
    if not (pa.types.is_string(text) or pa.types.is_large_string(text)
            or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(text))):
        return table
    try:
        encoded = pc.dictionary_encode(column.cast(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise ValueError(f"{f}: column 'participant' ({t}) cannot be read as text ({e})") from None
    return table.set_column(i, pa.field("participant", want), encoded)


def _fit_together(tables: list[tuple[Path, Any]], d: Path, tz: Any, same_columns: bool = True) -> Any:
    """One table of the files' tables ``(file, table)`` of folder ``d``, each
    file checked on its own first: with ``same_columns`` (the shard layout,
    whose files are parts of one table), a file that lacks a column calmkit
    reads which another file has is a ValueError naming it (a rewrite by
    another tool that left out a column it thought unused); time columns without a time zone are
    read as wall times in ``tz`` file by file (:func:`_localize_naive`), and
    without ``tz`` a file whose times have no zone while another file's have
    one is a ValueError naming it. The types are then widened where the files
    differ (an ``int64`` intensity next to calmkit's ``int8``: the bridge
    checks each value, naming its row and column)."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")

    # Each file's column types, looked up once: a participant-layout folder
    # has thousands of small files, and pyarrow builds a column's name list
    # and type anew on every call.
    types_of = [_column_types(t) for _, t in tables]
    every = set().union(*types_of) & _read_columns()
    for (f, _), names in zip(tables, types_of) if same_columns else ():
        if not every <= names.keys():
            missing = sorted(every - names.keys())
            raise ValueError(f"{f}: no column {', '.join(missing)}, which the other files of {d} have "
                             f"(was the file rewritten by another program?)")
    if tz is not None:
        tables = [(f, _localize_naive(t, str(f), tz)) for f, t in tables]
        types_of = [_column_types(t) for _, t in tables]
    for c in _OFFSET_OF:
        types = [(f, names[c]) for (f, _), names in zip(tables, types_of)
                 if c in names and pa.types.is_timestamp(names[c])]
        naive = [f for f, t in types if t.tz is None]
        if not naive or len(naive) == len(types):
            continue  # one kind in every file: the bridge reads them, or refuses naive ones naming the table
        f = naive[0]
        raise ValueError(f"{f}: column {c!r} holds timestamps without a time zone, while the other files of {d} "
                         f"hold instants; calmkit does not guess where they were written: pass tz= to read "
                         f"them as wall times there, or rewrite the file with a zone")
    if len(tables) == 1:
        return tables[0][1]
    tables = _same_text_types(tables, types_of)
    try:
        return pa.concat_tables([t for _, t in tables], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
        failure = e
    first, t0 = tables[0]
    for f, t in tables[1:]:  # which file: the first that does not merge with the first file
        for field in t.schema:
            if field.name not in t0.column_names:
                continue
            want = t0.schema.field(field.name)
            try:
                pa.unify_schemas([pa.schema([want]), pa.schema([field])], promote_options="permissive")
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                raise ValueError(f"{f}: column {field.name!r} holds {field.type}, which does not fit the "
                                 f"{want.type} of {first} (was the file rewritten by another program?)") from None
    raise ValueError(f"{d}: the files' columns do not fit together ({failure})") from None


def _column_types(table: Any) -> dict[str, Any]:
    """Each column's name -> its type (the first column of a name given twice)."""
    out: dict[str, Any] = {}
    for field in table.schema:
        out.setdefault(field.name, field.type)
    return out


def _same_text_types(tables: list[tuple[Path, Any]], types_of: list[dict[str, Any]]) -> list[tuple[Path, Any]]:
    """``tables`` with each column that is text in every file but
    dictionary-encoded in some (calmkit's vocabularies) and plain in others
    (the same Parquet column read back without Arrow's stored schema: pyarrow's
    ``store_schema=False``, DuckDB, Spark) made ``dictionary<int32, string>``
    in every file: the same values, and a type the files share. A text
    list whose items are dictionary-encoded in some files (read from
    dictionary pages, :func:`_coded_text`) and plain in others has its items
    decoded to ``string`` where they are coded (pyarrow then widens
    ``string`` and ``large_string`` as ever). ``types_of`` holds each
    table's :func:`_column_types`."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pc = _extras.require("pyarrow.compute", "parquet", "calmkit's Parquet support")

    want = pa.dictionary(pa.int32(), pa.string())

    def text(t: Any) -> bool:
        return pa.types.is_string(t) or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))

    def coded_items(t: Any) -> bool:
        return pa.types.is_list(t) and pa.types.is_dictionary(t.value_type) and text(t.value_type)

    def text_items(t: Any) -> bool:
        return ((pa.types.is_list(t) or pa.types.is_large_list(t))
                and (text(t.value_type) or pa.types.is_large_string(t.value_type)))

    names = set().union(*types_of)
    for name in sorted(names):
        types = [x[name] for x in types_of if name in x]
        if len(set(types)) == 1:
            continue
        if all(text_items(x) for x in types) and any(coded_items(x) for x in types):
            out = []
            for f, t in tables:
                if name in t.column_names and coded_items(t.column(name).type):
                    i = t.schema.get_field_index(name)
                    plain = pa.list_(pa.field(t.column(i).type.value_field.name, pa.string()))
                    t = t.set_column(i, pa.field(name, plain), t.column(i).cast(plain))
                out.append((f, t))
            tables = out
            continue
        if not all(text(x) for x in types):
            continue
        out = []
        for f, t in tables:
            if name in t.column_names and t.column(name).type != want:
                i = t.schema.get_field_index(name)
                c = t.column(i)
                c = pc.dictionary_encode(c) if pa.types.is_string(c.type) else c.cast(want)
                t = t.set_column(i, pa.field(name, want), c)
            out.append((f, t))
        tables = out
    return tables


def _read_shards(d: Path, listed: list[str] | None, participants: list[str] | None, tz: Any,
                 origin: list | None = None, dictionary: tuple[str, ...] = (), coded_text: bool = False) -> Any:
    """The table of a shard-layout folder ``d`` (its ``listed`` files, or
    every data file :func:`_data_files` finds), only ``participants`` when
    given; None when there is nothing to read. Each file is read with its own
    schema and checked on its own (:func:`_read_file`, :func:`_fit_together`):
    a file pyarrow cannot read (damaged, cut, or not Parquet at all) is a
    ValueError naming it, as in the participant layout; one file's types are
    never imposed on another's values (pyarrow's dataset scanner casts every
    file to the first one's schema, which refuses an ``int64`` intensity of
    300 as "not in range" without naming the file, and reads naive times as
    UTC). Several files are read on :func:`calmkit.threads` threads; the
    ``dictionary`` columns and, with ``coded_text``, the dictionary-coded
    text as :func:`_read_file` reads them."""
    if (listed is not None and not listed) or (participants is not None and not participants):
        return None
    files = _data_files(d, listed)
    if not files:
        return None
    workers = min(_core.threads(), len(files))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:  # pyarrow reads without the GIL
            tables = list(pool.map(lambda f: _read_file(f, participants, False, dictionary, coded_text), files))
    else:
        tables = [_read_file(f, participants, True, dictionary, coded_text) for f in files]
    found = [(f, t) for f, t in zip(files, tables) if t is not None]
    if origin is not None:
        origin += [(f, t.num_rows, participants) for f, t in found]
    return _fit_together(found, d, tz) if found else None


def _participant_list(participants: Any) -> list[str] | None:
    """``participants`` as a list of ids: None stays None (everyone); any
    iterable of str (list, tuple, set, ...) is its ids. TypeError naming the
    argument for a single str (a sequence of letters to Python: read as such
    it would select nobody, without a word; pandas' ``isin`` refuses one
    too), for what is no iterable and for an item that is not a str."""
    if participants is None:
        return None
    if isinstance(participants, (str, bytes)):
        raise TypeError(f"participants must be a list of participant ids, got {type(participants).__name__} "
                        f"{participants!r}; for one participant write participants=[{participants!r}]")
    try:
        names = list(participants)
    except TypeError:
        raise TypeError(f"participants must be a participant id or a list of them, got "
                        f"{type(participants).__name__}") from None
    bad = [p for p in names if not isinstance(p, str)]
    if bad:
        raise TypeError(f"participants must be a participant id or a list of them (str), got an item of type "
                        f"{type(bad[0]).__name__}: {bad[0]!r}")
    for name in names:
        _core._utf8_text(name, "participants")  # a lone surrogate: ValueError naming it
    return names


def read_tables(path: _PathLike, participants: list[str] | None = None, files: dict[str, list[str]] | None = None,
                *, tz: Any = None) -> dict[str, Any]:
    """The Arrow table of each record type of the dataset at ``path``; only
    ``participants`` when given, only the listed ``files`` per type when given.
    Naive timestamps are refused unless ``tz`` is given (see
    :func:`journal_from_tables`); a ``tz`` that names no zone is a
    ValueError, whether or not a column needs it."""
    return _read_tables(path, participants, files, tz, None)


def _read_tables(path: _PathLike, participants: Any, files: dict[str, list[str]] | None, tz: Any,
                 origins: dict[str, list] | None) -> dict[str, Any]:
    """:func:`read_tables`, noting in ``origins`` (when given) where each
    table's rows come from (:func:`_read_folder`'s ``origin``)."""
    _check_zone(tz)
    participants = _participant_list(participants)
    root = _dataset_root(path)
    out = {}
    oldest = None  # the lowest layout version among the folders read so far
    for folder in TABLES:
        version, table = _read_folder(root, folder, participants, files[folder] if files is not None else None, tz,
                                      origins.setdefault(folder, []) if origins is not None else None)
        out[folder], oldest = _folder_table(root, folder, version, table, oldest)
    return out


def _dataset_root(path: _PathLike) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder (a calmkit Parquet dataset is a folder)")
    return root


def _read_folder(root: Path, folder: str, participants: list[str] | None, listed: list[str] | None,
                 tz: Any, origin: list | None = None, dictionary: tuple[str, ...] = (),
                 coded_text: bool = False) -> tuple[int | None, Any]:
    """(layout version, table) of one record type's folder; (None, None)
    when it has no ``_common_metadata`` (:func:`_folder_table` decides what
    that means); a folder without records reads as the schema's empty table.
    ``origin``, when given, gets ``(file, rows, participants)`` for each file
    whose rows the table holds, in table order (``participants``: the filter
    its rows were picked by within the file, else None): what
    :func:`_in_its_file` names a row's file and row by. The ``dictionary``
    columns of a shard-layout folder, and with ``coded_text`` its
    dictionary-coded text, are read as :func:`_read_file` reads them."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pq = _extras.require("pyarrow.parquet", "parquet", "calmkit's Parquet support")

    d = root / folder
    meta_file = d / "_common_metadata"
    if not meta_file.is_file():
        return None, None
    try:
        with _opened(meta_file) as (source, filesystem):
            schema = pq.read_schema(source, filesystem=filesystem)
    except (pa.ArrowInvalid, OSError) as e:
        raise _unreadable(meta_file, e) from None
    version = _check_metadata(schema, str(meta_file))
    if (schema.metadata or {}).get(b"calmkit_partition_by") == b"participant":
        found = _participant_files(d, listed)
        if participants is not None:
            wanted = set(participants)
            found = [pf for pf in found if pf[0] in wanted]
        table = _read_participant_files(found, d, tz, origin) if found else None
    else:
        table = _read_shards(d, listed, participants, tz, origin, dictionary, coded_text)
    if table is None or table.num_rows == 0:  # no records, whatever the columns another tool wrote
        return version, SCHEMAS[folder].empty_table()
    return version, table


def _folder_table(root: Path, folder: str, version: int | None, table: Any, oldest: int | None) -> tuple[Any, Any]:
    """(table, lowest layout version so far) of a folder read by
    :func:`_read_folder`, in table order: a folder without its
    ``_common_metadata`` is a table the dataset's layout did not have yet
    (empty) or a FileNotFoundError."""
    if version is None:
        if folder in ADDED_IN and oldest is not None and oldest < ADDED_IN[folder]:
            return SCHEMAS[folder].empty_table(), oldest  # an older layout: no such table yet
        raise FileNotFoundError(f"{root / folder / '_common_metadata'}: missing (write_parquet writes it for "
                                "every record type)")
    return table, version if oldest is None else min(oldest, version)


#: The text columns :func:`read_parquet` reads as ``dictionary<int32, string>``
#: (Parquet's own dictionary pages kept, not decoded into a string per row),
#: by record type: a reading's trigger link, which several readings of one
#: trigger repeat (about 4 per value on calmkit's cohorts; the importer checks
#: each value's bytes once and copies each once). Not the exercises' and
#: thought records' links, about one per trigger: a dictionary of them costs
#: pyarrow more than their text does.
_LINK_DICTIONARY = {"readings": ("trigger",)}

#: The record types by the cost of reading and importing them on calmkit's
#: own cohort, largest first: the order two threads take them in.
_READ_ORDER = ("triggers", "readings", "thought_records", "exercises", "assessments")


def read_parquet(path: _PathLike, participants: list[str] | None = None, *, tz: Any = None) -> Any:
    """Reads a dataset written by :func:`write_parquet` into a Journal (only
    the given ``participants`` when passed: a list, tuple or set of ids; an
    empty one reads no records; on the shard layout only the row groups whose
    statistics may hold them are read). Layout versions 1 (no
    assessments) and 2 both read. FileNotFoundError when a
    record type's folder or its ``_common_metadata`` is missing; TypeError for
    ``participants`` given as a single str or holding an item that is not a
    str; ValueError for a file that is not
    readable Parquet (damaged, cut, or a stray file; naming it), for
    another format version, a missing or mistyped column, or a record that
    breaks the journal format (naming the table and row; the file and
    its row when the table's rows come from several files or a
    ``participants`` filter picked them), and for a time
    column of timestamps without a time zone (a dataset rewritten by another
    tool) unless ``tz`` says where they were written (see
    :func:`journal_from_tables`). An assessment's
    instrument must be built in or registered before reading.

    The record types are read and imported on :func:`calmkit.threads`
    threads (at most two): while one type's table is imported (C++, without
    the GIL), pyarrow reads the next. The result and the error raised are
    those of :func:`journal_from_tables` of :func:`read_tables`: the first
    error of the reading in table order, then of the tables' checks, then
    of the records' rules."""
    _check_zone(tz)
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    if tz is not None:  # warnings for local times, in the order the one thread gives them
        origins: dict[str, list] = {}
        tables = _read_tables(path, participants, None, tz, origins)
        try:
            return journal_from_tables(tables, name=shown_path(path), tz=tz)
        except ValueError as e:
            raise _in_its_file(e, shown_path(path), origins) from None
    from .arrow import _prepare

    participants = _participant_list(participants)
    root = _dataset_root(path)
    name = shown_path(path)
    importer = _core._ArrowImport(name)
    origins: dict[str, list] = {folder: [] for folder in TABLES}  # the files of each table's rows

    def one(folder: str) -> tuple[str, Any, Any]:
        # (stage, error, (version, None)): stage "read", "prepare", "import" or "ok" (error None).
        try:
            version, table = _read_folder(root, folder, participants, None, None, origins[folder],
                                          _LINK_DICTIONARY.get(folder, ()), coded_text=True)
        except Exception as e:  # noqa: BLE001 - raised below, in table order
            return "read", e, None
        if table is not None:
            try:
                given = _prepare(folder, table, name, None)
            except Exception as e:  # noqa: BLE001
                return "prepare", e, (version, None)
            del table  # the importer lets the table's memory go once it is read: the next tables reuse it
            if given is not None:
                try:
                    importer.add(folder, given)
                except Exception as e:  # noqa: BLE001
                    return "import", e, (version, None)
        return "ok", None, (version, None)

    workers = min(_core.threads(), 2)
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            done = dict(zip(_READ_ORDER, pool.map(one, _READ_ORDER)))
    else:
        done = {folder: one(folder) for folder in TABLES}
    oldest = None
    for folder in TABLES:  # the reading's errors first, in table order, as read_tables raises them
        stage, error, result = done[folder]
        if stage == "read":
            raise error
        _, oldest = _folder_table(root, folder, *result, oldest)
    for stage in ("prepare", "import"):  # then from_arrow's, in its order
        for folder in TABLES:
            if done[folder][0] == stage:
                raise _in_its_file(done[folder][1], name, origins) from None
    try:
        return importer.finish()
    except ValueError as e:  # an id used twice, a link to no trigger: the row of which file
        raise _in_its_file(e, name, origins) from None


#: The place the Arrow bridge gives a row: ``<name>/<table>: row <n>``, then
#: ``: field ...`` or the end.
_TABLE_ROW = re.compile(r"(?P<table>\w+): row (?P<row>\d+)(?=:|\Z)")
#: An id's first use, at the end of the bridge's reason for a repeated id.
_FIRST_USED = re.compile(r" \(first used in row (\d+)\)\Z")


def _in_its_file(e: BaseException, name: str, origins: dict[str, list]) -> BaseException:
    """The bridge's error ``e`` for row n of a table read from several files
    (or from rows a participant filter picked), said of the file and the row
    within it: ``<file>: row <k>: field ...`` instead of ``<name>/<table>:
    row <n>: field ...`` (n counts the rows of the files concatenated, which
    no file has), with the same type, ``field`` and ``reason`` (a repeated
    id's first use said the same way) and, for a RecordError, that ``place``.
    ``e`` itself when it names no row, or when the table's rows are one whole
    file's (its row is the file's row)."""
    text = str(e)
    if not text.startswith(name + "/"):
        return e
    m = _TABLE_ROW.match(text, len(name) + 1)
    origin = origins.get(m["table"]) if m is not None else None
    if not origin or (len(origin) == 1 and origin[0][2] is None):
        return e
    at = _file_row(origin, int(m["row"]))
    if at is None:
        return e

    def first_use(reason: str) -> str:
        dup = _FIRST_USED.search(reason)
        first = _file_row(origin, int(dup[1])) if dup is not None else None
        if first is None:
            return reason
        return reason[:dup.start()] + f" (first used in row {first[1]}" + ("" if first[0] == at[0] else
                                                                           f" of {first[0]}") + ")"

    place = f"{at[0]}: row {at[1]}"
    out = type(e)(place + first_use(text[m.end():]))
    for attr in ("path", "line", "field"):
        if hasattr(e, attr):
            setattr(out, attr, getattr(e, attr))
    if isinstance(getattr(e, "reason", None), str):
        out.reason = first_use(e.reason)
    if hasattr(e, "place"):
        out.place = place
    return out


def _file_row(origin: list, row: int) -> tuple[Path, int] | None:
    """(file, row within it) of row ``row`` of a table whose rows are
    ``origin``'s files' (:func:`_read_folder`); None when it cannot be told
    (the file changed since it was read)."""
    start = 0
    for f, rows, participants in origin:
        if row < start + rows:
            return (f, row - start) if participants is None else _picked_row(f, participants, row - start)
        start += rows
    return None


def _picked_row(f: Path, participants: list[str], k: int) -> tuple[Path, int] | None:
    """(``f``, row) of the ``k``-th row :func:`_read_file` picked from the
    file ``f`` for ``participants``: the same row groups
    (:func:`_row_groups_of`), then the rows of those participants, counted
    from the file's first row. Read again for an error only; None when the
    file no longer has that row."""
    pa = _extras.require("pyarrow", "parquet", "calmkit's Parquet support")
    pc = _extras.require("pyarrow.compute", "parquet", "calmkit's Parquet support")
    pq = _extras.require("pyarrow.parquet", "parquet", "calmkit's Parquet support")

    try:
        with _opened(f) as (source, filesystem), pq.ParquetFile(source, filesystem=filesystem) as pqf:
            meta = pqf.metadata
            starts = np.concatenate([[0], np.cumsum([meta.row_group(g).num_rows for g in range(meta.num_row_groups)])])
            whole = "participant" not in pqf.schema_arrow.names  # every row is participant "" (asked for)
            for g in _row_groups_of(meta, participants, str(f)):
                if whole:
                    hits = np.arange(meta.row_group(g).num_rows)
                else:
                    ids = pqf.read_row_group(g, columns=["participant"], use_threads=False).column(0)
                    if pa.types.is_dictionary(ids.type):
                        ids = ids.cast(ids.type.value_type)
                    ids = ids.cast(pa.string())
                    hits = np.flatnonzero(pc.is_in(ids, value_set=pa.array(_with_null(participants), pa.string()))
                                          .fill_null(False).to_numpy(zero_copy_only=False))
                if k < len(hits):
                    return f, int(starts[g] + hits[k])
                k -= len(hits)
    except (pa.ArrowException, OSError, ValueError):
        return None
    return None


def read_jsonl_shards(folder: _PathLike, pattern: str = "*.jsonl") -> Any:
    """One Journal from every JSON Lines file matching ``pattern`` in
    ``folder`` (sorted by name; records of a participant may be spread over
    shards, and a reading may link to a trigger in another shard). Each shard
    may start with a header line (as :func:`calmkit.write_journal` writes
    one), checked as :func:`calmkit.read_journal` checks a file's; a header
    anywhere else in a shard is an error. A bad line, a header of a newer
    version or an id used twice raises JournalFormatError naming the shard
    file and its line. TypeError for a ``pattern`` that is not a str and
    ValueError for one that is empty or absolute. FileNotFoundError when
    nothing matches and for a
    symbolic link to nothing; ValueError for a match that is a named pipe,
    socket or device (reading a pipe would wait for a writer for ever); a
    matching folder is no shard (``pattern="**/*.jsonl"`` reads the shards
    in sub-folders, following no link to a folder)."""
    _core._fs_path(folder, "folder")  # a lone surrogate: ValueError naming it
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str (a glob pattern such as '*.jsonl'), got {type(pattern).__name__}")
    try:
        matches = sorted(root.glob(pattern))
    except (ValueError, NotImplementedError):  # "", an absolute pattern: pathlib's words name no argument
        raise ValueError(f"pattern must be a glob pattern relative to the folder, such as '*.jsonl' or "
                         f"'**/*.jsonl', got {pattern!r}") from None
    _refuse_dangling_links(matches)
    _refuse_special_files((p for p in matches if not p.is_dir()), "a shard is a JSON Lines file")
    files = [p for p in matches if p.is_file()]
    if not files:
        raise FileNotFoundError(f"{root}: no file matches {pattern!r}")
    # Lines as the reader takes them: bytes (its UTF-8 rule speaks, with the
    # shard and line), split at "\n" only (a lone "\r" does not end a line),
    # blank when only spaces, tabs and "\r", a UTF-8 byte order mark at a
    # file's start read past.
    lines: list[bytes] = []
    origin: list[tuple[Path, int]] = []  # shard file and line of each line of the joined text
    for f in files:
        data = f.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        first = True  # the shard's first non-blank line: its header, if it has one
        for n, line in enumerate(data.split(b"\n"), start=1):
            if line.strip(b" \t\r"):
                if first and lines and _is_header(line, f, n):
                    first = False
                    continue  # checked as read_journal checks it; the first shard's stays in place
                first = False
                lines.append(line)
                origin.append((f, n))
    # One parse of all shards (a reading may link to a trigger in another shard).
    try:
        return _core.parse_journal(b"\n".join(lines) + b"\n", name=shown_path(root))
    except _core.JournalFormatError as e:
        line = getattr(e, "line", 0)
        if not 1 <= line <= len(origin):
            raise
        path, n = origin[line - 1]
        raise _not_text(path) or _shard_error(e, path, n, origin) from None


def _not_text(path: Path) -> Any:
    """The reader's error for the start of the shard ``path`` when that start
    says it is no JSON Lines text (compressed, an archive, an SQLite database,
    UTF-16 or UTF-32: the check :func:`calmkit.read_journal` runs on a file's
    first bytes, which the shards' joined text runs on the first shard's
    only), said of the shard's line 1; else None. Run for the shard whose
    line the joined parse refused: such a start fails there first."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
        _core.parse_journal(head, name=shown_path(path))
    except _core.JournalFormatError as e:
        if getattr(e, "line", 0) == 1 and getattr(e, "reason", "").startswith("the file is "):
            return _shard_error(e, path, 1)
    except OSError:
        pass
    return None


#: A repeated id's first use, at the end of the reader's reason.
_FIRST_LINE = re.compile(r" \(first used on line (\d+)\)\Z")


def _shard_error(e: Any, path: Path, n: int, origin: list[tuple[Path, int]] | None = None) -> Any:
    """The reader's error ``e`` said of line ``n`` of the shard ``path``; a
    repeated id's first use (a line of the shards' joined text) said as the
    line of its shard, given ``origin`` (shard and line of each joined line)."""
    field = getattr(e, "field", "")
    reason = getattr(e, "reason", str(e))
    first = _FIRST_LINE.search(reason) if origin is not None else None
    if first is not None and 1 <= int(first[1]) <= len(origin):
        shard, line = origin[int(first[1]) - 1]
        reason = reason[:first.start()] + f" (first used on line {line}" + ("" if shard == path else
                                                                            f" of {shard}") + ")"
    err = _core.JournalFormatError(f"{path}:{n}: " + (f"field '{field}': " if field else "") + reason)
    err.path, err.line, err.field, err.reason = str(path), n, field, reason
    return err


def _is_header(line: bytes, path: Path, n: int) -> bool:
    """Whether ``line`` (line ``n`` of the shard ``path``, its first
    non-blank line) is a header; one is checked alone by the reader, as
    read_journal checks a file's first line (a newer version, another format:
    JournalFormatError naming the shard and line)."""
    if b"header" not in line:
        return False
    try:
        record = json.loads(line)
    except ValueError:
        return False  # not JSON: the joined parse says so, at its place
    if not (isinstance(record, dict) and record.get("type") == "header"):
        return False
    try:
        alone = _core.parse_journal(line + b"\n", name=shown_path(path))
    except _core.JournalFormatError as e:
        raise _shard_error(e, path, n) from None
    return len(alone) == 0  # read as a header, not as a record
