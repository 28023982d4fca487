"""Dictionary-coded text, written and read.

write_parquet dictionary-codes every text column and every text list's items
(Parquet's RLE_DICTIONARY pages: journal text repeats), and read_parquet asks
pyarrow for the text of such column chunks as dictionary codes, which the Arrow
bridge imports as one copy of each distinct text. The references are not
calmkit's: pyarrow's and polars' own reading of the same files (plain strings),
and pyarrow's own decoding of a dictionary column (``dictionary_decode``): a
table with coded text must give the journal of its decoded twin, and a dataset
must read as the journal it was written from, as a dataset written with plain
text pages (the layout before) reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import calmkit.parquet as cparquet  # noqa: E402  (needs pyarrow)


@pytest.fixture(scope="module")
def journal() -> Any:
    return calmkit.synthetic_journal(participants=40, days=21, seed=7)


def _is_text(t: Any) -> bool:
    return pa.types.is_string(t) or (pa.types.is_list(t) and pa.types.is_string(t.value_type))


def _parquet_file(root: Path, table: str) -> Path:
    return root / table / "part-00000.parquet"


def test_every_text_column_is_dictionary_coded_and_still_text_to_other_readers(journal: Any, tmp_path: Path) -> None:
    calmkit.write_parquet(journal, tmp_path / "ds")
    for table, schema in cparquet.SCHEMAS.items():
        f = _parquet_file(tmp_path / "ds", table)
        meta = pq.ParquetFile(f).metadata
        assert meta.num_rows > 0, table
        for i in range(meta.num_columns):
            leaf = meta.schema.column(i)
            coded = [meta.row_group(g).column(i).has_dictionary_page for g in range(meta.num_row_groups)]
            assert all(coded) == (leaf.physical_type == "BYTE_ARRAY"), (table, leaf.path, coded)
        # pyarrow's plain reading: the schema's types (text as strings), not dictionaries.
        got = pq.read_table(f).schema
        for field in schema:
            if _is_text(field.type):
                assert got.field(field.name).type.equals(field.type), (table, field.name)


def test_polars_reads_the_coded_text_as_pyarrow_does(journal: Any, tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    calmkit.write_parquet(journal, tmp_path / "ds")
    for table in ("triggers", "thought_records"):
        f = _parquet_file(tmp_path / "ds", table)
        ref = pq.read_table(f)
        got = pl.read_parquet(f)
        for field in cparquet.SCHEMAS[table]:
            if _is_text(field.type):
                assert got[field.name].to_list() == ref.column(field.name).to_pylist(), (table, field.name)


def _plain_text_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """write_parquet as it was before text was dictionary-coded: dictionary
    pages for the vocabularies, ids and trigger links only."""
    monkeypatch.setattr(cparquet, "_dictionary_columns",
                        lambda schema: ["participant", "category", "exercise", "instrument", "id", "trigger"])


@pytest.mark.parametrize("participants", [None, ["p003", "p017", "p039"]], ids=["all", "three"])
def test_coded_and_plain_datasets_read_as_the_same_journal(journal: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           participants: Any) -> None:
    calmkit.write_parquet(journal, tmp_path / "coded")
    with monkeypatch.context() as m:
        _plain_text_writer(m)
        calmkit.write_parquet(journal, tmp_path / "plain")
    f = _parquet_file(tmp_path / "plain", "triggers")
    meta = pq.ParquetFile(f).metadata
    context = [meta.schema.column(i).path for i in range(meta.num_columns)].index("context")
    assert not meta.row_group(0).column(context).has_dictionary_page  # the twin is plain text indeed
    coded = calmkit.read_parquet(tmp_path / "coded", participants=participants)
    plain = calmkit.read_parquet(tmp_path / "plain", participants=participants)
    assert calmkit.to_jsonl(coded) == calmkit.to_jsonl(plain)
    if participants is None:
        assert coded == journal
    else:
        assert set(coded.participants()) == set(participants)


def test_coded_text_leaves_chunks_that_fell_back_to_plain_pages(tmp_path: Path) -> None:
    n = 40_000
    table = pa.table({
        "context": pa.array([f"context {i % 7}" for i in range(n)]),
        # 40,000 distinct texts of about 60 bytes: the writer's dictionary passes its 1 MiB limit and
        # the chunk goes on in plain pages; reading it as a dictionary would hash every value.
        "note": pa.array([f"a note nobody else wrote, number {i:08d}, {'x' * 20}" for i in range(n)]),
        "urge": pa.array([f"urge {i % 3}" for i in range(n)]),
        "thoughts": pa.array([[f"thought {i % 5}", "again"] for i in range(n)]),
    })
    f = tmp_path / "t.parquet"
    pq.write_table(table, f, use_dictionary=["context", "note", "thoughts.list.element"])
    meta = pq.ParquetFile(f).metadata
    assert meta.row_group(0).column(1).has_dictionary_page  # fell back after its dictionary page
    got = cparquet._coded_text(meta, table.schema, table.column_names, None)
    assert got == ["context", "thoughts.list.element"]  # not the fallen-back note, not the plain urge
    assert cparquet._coded_text(meta, table.schema, ["note", "urge"], None) == []


def _dictionary_encode(table: Any, column: str, index: Any = None) -> Any:
    """``table`` with ``column`` (text, or a text list's items) dictionary-encoded, as pyarrow's Parquet
    reader gives it (int32 indices), or with ``index`` (another index type)."""
    i = table.schema.get_field_index(column)
    col = table.column(i).combine_chunks()

    def encode(a: Any) -> Any:
        enc = a.dictionary_encode()
        if index is not None:
            enc = pa.DictionaryArray.from_arrays(enc.indices.cast(index), enc.dictionary)
        return enc

    if pa.types.is_list(col.type):
        enc = pa.ListArray.from_arrays(col.offsets, encode(col.values), mask=col.is_null())
    else:
        enc = encode(col)
    return table.set_column(i, pa.field(column, enc.type, table.schema.field(i).nullable), enc)


def _coded_tables(journal: Any, index: Any = None) -> dict[str, Any]:
    out = {}
    for name, table in journal.to_arrow().items():
        for field in table.schema:
            if _is_text(field.type):
                table = _dictionary_encode(table, field.name, index)
        out[name] = table
    return out


@pytest.mark.parametrize("index", [None, "int8", "int64"])
def test_coded_text_gives_the_journal_of_its_decoded_twin(journal: Any, index: Any) -> None:
    tables = _coded_tables(journal, getattr(pa, index)() if index else None)
    assert pa.types.is_dictionary(tables["triggers"].schema.field("context").type)
    assert pa.types.is_dictionary(tables["triggers"].schema.field("thoughts").type.value_type)
    assert calmkit.Journal.from_arrow(tables) == journal


def test_a_slice_of_coded_text_reads_as_its_rows(journal: Any) -> None:
    # A few rows of a table whose dictionaries hold every value: the rows' own texts, from an offset.
    coded = _coded_tables(journal)
    plain = journal.to_arrow()
    for start, length in ((0, 3), (57, 5), (plain["triggers"].num_rows - 4, 4)):
        got = calmkit.Journal.from_arrow({"triggers": coded["triggers"].slice(start, length)})
        want = calmkit.Journal.from_arrow({"triggers": plain["triggers"].slice(start, length)})
        assert calmkit.to_jsonl(got) == calmkit.to_jsonl(want)
        assert len(got) == length


def _triggers(**columns: Any) -> Any:
    us = [1_772_482_440_000_000, 1_772_482_500_000_000, 1_772_482_560_000_000]
    base = {"participant": ["p", "p", "q"], "id": ["t1", "t2", "t3"],
            "time": pa.array(us, pa.timestamp("us", tz="UTC")), "offset_minutes": pa.array([60, 60, 0], pa.int16()),
            "category": ["other", "conflict", "other"], "intensity": pa.array([5, 6, 5], pa.int8())}
    base.update(columns)
    return pa.table(base)


def _decoded(table: Any) -> Any:
    """pyarrow's own decoding of every dictionary column of ``table`` (and of a list's items)."""
    for i, field in enumerate(table.schema):
        t = field.type
        if pa.types.is_dictionary(t):
            table = table.set_column(i, field.name, table.column(i).cast(t.value_type))
        elif pa.types.is_list(t) and pa.types.is_dictionary(t.value_type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.list_(t.value_type.value_type)))
    return table


def _outcome(table: Any) -> str:
    try:
        return calmkit.to_jsonl(calmkit.Journal.from_arrow({"triggers": table}, name="x"))
    except ValueError as e:
        return f"ValueError: {e}"


CODED = {
    "a null row": {"context": pa.DictionaryArray.from_arrays(pa.array([0, None, 1], pa.int32()),
                                                              pa.array(["at home", "at work"]))},
    "a null entry": {"context": pa.DictionaryArray.from_arrays(pa.array([0, 1, 1], pa.int32()),
                                                                pa.array(["at home", None]))},
    "an empty entry": {"urge": pa.DictionaryArray.from_arrays(pa.array([1, 0, 1], pa.int32()),
                                                               pa.array(["", "to text"]))},
    "an unused entry": {"context": pa.DictionaryArray.from_arrays(pa.array([2, 2, 0], pa.int32()),
                                                                   pa.array(["a", "never used", "b"]))},
    "an empty id": {"id": pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), pa.array(["t1", "", "t3"]))},
    "an id used twice": {"id": pa.DictionaryArray.from_arrays(pa.array([0, 0, 0], pa.int32()), pa.array(["t1"]))},
    "a list item null in its dictionary": {
        "thoughts": pa.ListArray.from_arrays(pa.array([0, 1, 2, 3], pa.int32()),
                                             pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int32()),
                                                                            pa.array(["again", None])))},
    "a null list": {
        "tags": pa.ListArray.from_arrays(pa.array([0, 2, 2, 3], pa.int32()),
                                         pa.DictionaryArray.from_arrays(pa.array([0, 1, 1], pa.int32()),
                                                                        pa.array(["work", "night"])),
                                         mask=pa.array([False, True, False]))},
}


@pytest.mark.parametrize("case", list(CODED), ids=list(CODED))
def test_coded_text_reads_and_fails_as_its_decoded_twin(case: str) -> None:
    table = _triggers(**CODED[case])
    want = _outcome(_decoded(table))
    assert _outcome(table) == want
    if case in ("an empty id", "an id used twice", "a list item null in its dictionary"):
        assert want.startswith("ValueError: x/triggers: row "), want


def test_text_that_is_not_utf8_in_a_used_entry_is_named_by_its_row() -> None:
    # A dictionary whose second entry holds a byte that is no UTF-8 (Arrow's C interface hands any bytes over).
    data = b"at home" + b"\xffbad"
    entries = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(pa.array([0, 7, 11], pa.int32()).buffers()[1]),
                                                      pa.py_buffer(data)])
    used = _triggers(context=pa.DictionaryArray.from_arrays(pa.array([0, 0, 1], pa.int32()), entries))
    with pytest.raises(ValueError, match=r"x/triggers: row 2: field 'context': "):
        calmkit.Journal.from_arrow({"triggers": used}, name="x")
    unused = _triggers(context=pa.DictionaryArray.from_arrays(pa.array([0, 0, 0], pa.int32()), entries))
    assert [t.context for t in calmkit.Journal.from_arrow({"triggers": unused}).triggers] == ["at home"] * 3
