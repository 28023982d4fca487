"""A shard dataset whose part files another program rewrote one by one.

read_parquet must give the journal that was written whenever every file
still holds the columns calmkit reads, whatever physical types each file now
has (int64 for int8, large_string or string_view for a dictionary, times in
ms or ns or another zone, columns in another order, row groups of five), and
refuse a file that lost one of them (e0e5aa1).

B15: a part file with one column *more* than the others (one calmkit does not
read: ``__index_level_0__``, which pandas' ``to_parquet`` adds for any index
but a RangeIndex, or any column of another tool) makes the whole dataset
refused, and the message blames an untouched file: "part-00000.parquet: no
column __index_level_0__, which the other files of ... have".
python/calmkit/parquet.py, _missing_columns, compares every physical column,
not only the ones calmkit reads; the same extra column in every file, or in
_common_metadata only, reads fine.

B16: a shard or part file that is a dangling symbolic link (its disk
unmounted, the file moved) is skipped without a word, and the journal is read
without its records: read_jsonl_shards keeps only ``p.is_file()``
(python/calmkit/parquet.py, read_jsonl_shards), and pyarrow's dataset
discovery leaves out what it cannot stat.
"""

from __future__ import annotations

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


def _dataset(journal: Any, tmp_path: Path) -> Path:
    return calmkit.write_parquet(journal, tmp_path / "ds", shards=3)


def _part(ds: Path, table: str, k: int) -> Path:
    return sorted((ds / table).glob("*.parquet"))[k]


def _rewrite(f: Path, fn: Callable[[Any], Any]) -> None:
    pq.write_table(fn(pq.read_table(f)), f)


def _cast(name: str, type_: Any) -> Callable[[Any], Any]:
    def fn(t: Any) -> Any:
        i = t.schema.get_field_index(name)
        c = t[name]
        if pa.types.is_dictionary(c.type):
            c = pc.cast(c, c.type.value_type)
        return t.set_column(i, pa.field(name, type_, t.schema.field(i).nullable), pc.cast(c, type_))
    return fn


REWRITES: dict[str, tuple[str, int, Callable[[Any], Any]]] = {
    "intensity as int64": ("triggers", 0, _cast("intensity", pa.int64())),
    "participant as large_string": ("triggers", 1, _cast("participant", pa.large_string())),
    "participant as plain string": ("readings", 1, _cast("participant", pa.string())),
    "id as string_view": ("triggers", 2, _cast("id", pa.string_view())),
    "context as large_string": ("triggers", 2, _cast("context", pa.large_string())),
    "time in ms": ("triggers", 1, _cast("time", pa.timestamp("ms", tz="UTC"))),
    "time in ns": ("readings", 1, _cast("time", pa.timestamp("ns", tz="UTC"))),
    "time in Europe/Berlin": ("readings", 2, _cast("time", pa.timestamp("us", tz="Europe/Berlin"))),
    "offset as int32": ("readings", 1, _cast("offset_minutes", pa.int32())),
    "answers as large_list<int32>": ("assessments", 0, _cast("answers", pa.large_list(pa.int32()))),
    "thoughts as list<large_string>": ("triggers", 0, _cast("thoughts", pa.list_(pa.large_string()))),
    "columns reversed": ("triggers", 1, lambda t: t.select(list(reversed(t.column_names)))),
}


@pytest.mark.parametrize("what", sorted(REWRITES))
@pytest.mark.parametrize("participants", [None, ["p002"]])
def test_a_part_file_with_other_types_reads_as_written(what: str, participants: Any, journal: Any,
                                                       tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    table, k, fn = REWRITES[what]
    _rewrite(_part(ds, table, k), fn)
    want = journal if participants is None else journal.participant(participants[0])
    assert calmkit.to_jsonl(calmkit.read_parquet(ds, participants)) == calmkit.to_jsonl(want)


def test_row_groups_of_five_rows_without_statistics(journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    for f in (ds / "readings").glob("*.parquet"):
        pq.write_table(pq.read_table(f), f, row_group_size=5, write_statistics=False)
    assert calmkit.to_jsonl(calmkit.read_parquet(ds)) == calmkit.to_jsonl(journal)
    assert calmkit.to_jsonl(calmkit.read_parquet(ds, ["p003"])) == calmkit.to_jsonl(journal.participant("p003"))


def test_an_extra_column_in_every_file_is_ignored(journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    for f in (ds / "triggers").glob("*.parquet"):
        _rewrite(f, lambda t: t.append_column("source", pa.array(["app"] * t.num_rows)))
    assert calmkit.to_jsonl(calmkit.read_parquet(ds)) == calmkit.to_jsonl(journal)


@pytest.mark.parametrize("k", [0, 2])
def test_an_extra_column_in_one_file_is_ignored(k: int, journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    _rewrite(_part(ds, "triggers", k), lambda t: t.append_column("source", pa.array(["app"] * t.num_rows)))
    assert calmkit.to_jsonl(calmkit.read_parquet(ds)) == calmkit.to_jsonl(journal)


def test_a_part_file_rewritten_by_pandas_reads_as_written(journal: Any, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    ds = _dataset(journal, tmp_path)
    f = _part(ds, "readings", 1)
    df = pd.read_parquet(f)
    df = df[df["intensity"] >= 0].iloc[::-1].sort_values(["participant", "time"])  # every row, a shuffled index
    df.to_parquet(f, index=True)  # the index as a column, also where pandas 3 kept a RangeIndex
    assert "__index_level_0__" in pq.read_schema(f).names
    assert calmkit.to_jsonl(calmkit.read_parquet(ds)) == calmkit.to_jsonl(journal)


@pytest.mark.parametrize("column", ["intensity", "context"])
def test_a_part_file_that_lost_a_column_is_refused_by_name(column: str, journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    f = _part(ds, "triggers", 1)
    _rewrite(f, lambda t: t.drop_columns([column]))
    with pytest.raises(ValueError, match=f"{f.name}: no column {column}"):
        calmkit.read_parquet(ds)


# --- shards that are not there --------------------------------------------------

def test_a_jsonl_shard_that_is_a_dangling_link_is_not_skipped(journal: Any, tmp_path: Path) -> None:
    lines = calmkit.to_jsonl(journal).splitlines(keepends=True)
    folder = tmp_path / "shards"
    folder.mkdir()
    (folder / "0.jsonl").write_text("".join(lines[:300]))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "1.jsonl").write_text("".join(lines[300:]))
    (folder / "1.jsonl").symlink_to(tmp_path / "elsewhere" / "1.jsonl")
    assert calmkit.to_jsonl(calmkit.read_jsonl_shards(folder)) == calmkit.to_jsonl(journal)
    (tmp_path / "elsewhere" / "1.jsonl").unlink()  # the disk is gone: 78 lines' records would be missing
    with pytest.raises((OSError, ValueError), match="1.jsonl"):
        calmkit.read_jsonl_shards(folder)


def test_a_parquet_part_that_is_a_dangling_link_is_not_skipped(journal: Any, tmp_path: Path) -> None:
    ds = _dataset(journal, tmp_path)
    f = _part(ds, "readings", 1)
    away = tmp_path / "away.parquet"
    f.rename(away)
    f.symlink_to(away)
    assert calmkit.to_jsonl(calmkit.read_parquet(ds)) == calmkit.to_jsonl(journal)
    away.unlink()
    with pytest.raises((OSError, ValueError), match=f.name):
        calmkit.read_parquet(ds)
