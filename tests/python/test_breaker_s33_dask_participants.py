"""calmkit.dask.participants on datasets that read_parquet and the Dask
metrics read without a word: rows whose participant is null (pandas' None,
Spark's null) and files without a participant column, both the journal
format's "no participant", which read_parquet gives as "".

B55 (fixed): a null participant made calmkit.dask.participants raise TypeError
("'<' not supported between instances of 'NoneType' and 'str"): it sorts the
column's Python values, None among the strings.

B56 (fixed): a file without a participant column made it raise pyarrow's
ArrowInvalid ("No match for FieldRef.Name(participant) ..."), naming no file,
though calmkit.dask.metric over the same dataset gives participant "".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("dask")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import calmkit  # noqa: E402
import calmkit.dask as ckd  # noqa: E402


def _dataset(tmp_path: Path, people: tuple[str, ...], shards: int = 1) -> Path:
    lines = [{"type": "trigger", "participant": p, "id": f"t{k}{i}", "time": f"2026-03-0{i}T21:00:00+01:00",
              "category": "other", "intensity": 7} for k, p in enumerate(people) for i in range(1, 4)]
    src = tmp_path / "j.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return calmkit.write_parquet(calmkit.read_journal(src), tmp_path / "d", shards=shards)


def _rewrite(d: Path, change) -> None:
    for f in sorted(d.rglob("*.parquet")):
        pq.write_table(change(pq.read_table(f)), f)


def _nulls_for_empty(t):
    values = [None if v == "" else v for v in t["participant"].to_pylist()]
    return t.set_column(t.schema.get_field_index("participant"), pa.field("participant", pa.string()),
                        pa.array(values, pa.string()))


@pytest.mark.parametrize("shards", [1, 2])
def test_participants_of_a_plain_dataset_are_those_read_parquet_reads(shards: int, tmp_path: Path) -> None:
    d = _dataset(tmp_path, ("", "p1"), shards)
    assert ckd.participants(d) == calmkit.read_parquet(d).participants() == ["", "p1"]


@pytest.mark.parametrize("shards", [1, 2])
def test_participants_with_null_ids_are_those_read_parquet_reads(shards: int, tmp_path: Path) -> None:
    d = _dataset(tmp_path, ("", "p1"), shards)
    _rewrite(d, _nulls_for_empty)
    assert calmkit.read_parquet(d).participants() == ["", "p1"]
    assert ckd.participants(d) == ["", "p1"]


def test_participants_of_files_without_the_column_are_no_participant(tmp_path: Path) -> None:
    d = _dataset(tmp_path, ("",))
    _rewrite(d, lambda t: t.drop(["participant"]))
    assert calmkit.read_parquet(d).participants() == [""]
    assert ckd.participants(d) == [""]
