"""A dataset some of whose files another writer rewrote without Arrow's
schema: plain ``string`` where calmkit writes ``dictionary<int32, string>``
(pyarrow's ``store_schema=False``; DuckDB, Spark and every writer without
Arrow write the same Parquet string column, which pyarrow then reads as plain
text), the other files left as calmkit wrote them.

B45: read_parquet refuses such a dataset with "<folder>: the files' columns
do not fit together (Unable to merge: Field category has incompatible types:
dictionary<values=string, indices=int32, ordered=0> vs string)": the files
are read each with its own schema and then concatenated with pyarrow's
"permissive" promotion, which does not unify a dictionary with its value
type. The same values in every file, and the message names the folder, not
the file that differs. In the shard layout this read right while pyarrow's
scanner cast every file to the first one's schema; the participant layout
refused it before too. One such file alone, or every file so, reads.

B46: any file whose column types do not merge with the other files' (an
``int8`` acted_on_urge next to ``bool``, which the bridge refuses anyway) is
named by its folder only: "<folder>/triggers: the files' columns do not fit
together (Unable to merge: Field acted_on_urge ...)"; which of the files?

B47 (fixed): an intensity of 300 in row 1 of part-00002.parquet (3 shards) is
"<folder>/triggers: row 88: field 'intensity': ...": the row of the files'
tables concatenated in path order, which no file has; the file is not named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def _without_arrow_schema(d: Path, which: Any) -> None:
    for table in calmkit.parquet.TABLES:
        files = sorted((d / table).rglob("*.parquet"))
        for f in (files[k] for k in which(len(files))):
            pq.write_table(pq.read_table(f), f, store_schema=False)
    assert pq.read_schema(sorted((d / "triggers").rglob("*.parquet"))[which(3)[0]]).field("category").type \
        == pa.string()


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_every_file_without_arrows_schema_reads(layout: str, journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", partition_by=layout, shards=3)
    _without_arrow_schema(d, lambda n: range(n))
    assert calmkit.read_parquet(d) == journal


@pytest.mark.parametrize("participants", [None, ["p001", "p002"]])
@pytest.mark.parametrize("k", [0, 1])
@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_one_file_without_arrows_schema_among_calmkits_reads(layout: str, k: int, participants: Any,
                                                             journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", partition_by=layout, shards=3)
    want = calmkit.read_parquet(d, participants)
    _without_arrow_schema(d, lambda n: [k])
    assert calmkit.read_parquet(d, participants) == want


# --- B46: which file does not fit ---------------------------------------------------------------------


def _acted_as_int8(f: Path) -> None:
    t = pq.read_table(f)
    values = [None if v is None else int(v) for v in t["acted_on_urge"].to_pylist()]
    i = t.schema.get_field_index("acted_on_urge")
    pq.write_table(t.set_column(i, pa.field("acted_on_urge", pa.int8()), pa.array(values, pa.int8())), f)


def test_a_column_of_the_wrong_type_in_the_only_file_is_named(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d")
    _acted_as_int8(d / "triggers" / "part-00000.parquet")
    with pytest.raises(ValueError, match="acted_on_urge"):
        calmkit.read_parquet(d)


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_the_file_whose_columns_do_not_fit_is_named(layout: str, journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", partition_by=layout, shards=3)
    f = sorted((d / "triggers").rglob("*.parquet"))[1]
    _acted_as_int8(f)
    with pytest.raises(ValueError, match="acted_on_urge") as e:
        calmkit.read_parquet(d)
    assert str(f) in str(e.value), str(e.value)


# --- B47: the row of which file -----------------------------------------------------------------------


def test_a_bad_value_in_a_later_shard_names_its_file(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=3)
    f = d / "triggers" / "part-00002.parquet"
    t = pq.read_table(f)
    values = t["intensity"].to_pylist()
    values[1] = 300
    i = t.schema.get_field_index("intensity")
    pq.write_table(t.set_column(i, pa.field("intensity", pa.int64()), pa.array(values, pa.int64())), f)
    with pytest.raises(ValueError, match="intensity") as e:
        calmkit.read_parquet(d)
    assert f.name in str(e.value), str(e.value)
