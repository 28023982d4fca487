"""calmkit.dask over a sharded Parquet dataset whose shards split a participant.

calmkit.write_parquet(partition_by="shard") puts a contiguous block of
participants in shard k of every record type, and calmkit.dask computes each
shard on its own, which is right only while no participant's records are in
two shards. A dataset is not always as calmkit wrote it: a researcher who
filters, appends or re-partitions the files with pyarrow or Spark, or a
pipeline that writes them itself, can put one participant's readings in two
``part-*.parquet`` files. ``calmkit.read_parquet`` reads such a dataset as it
should (the records are simply all there); ``calmkit.dask.compute_all``
computed each shard's half of the participant separately and returned a
participant twice with half the records each (practice_streaks, affect
dynamics, ...), or raised an error about a trigger link that blamed
the data. Here 17 readings without a trigger link of participant p002 are
moved from shard 0 to shard 1. Now a participant in two shards is a ValueError
naming it and both files (B210).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

pytest.importorskip("dask.dataframe")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")
cd = pytest.importorskip("calmkit.dask")


def _split_dataset(tmp_path: Path) -> Path:
    journal = calmkit.synthetic_journal(participants=4, days=20, seed=9)
    root = tmp_path / "cohort"
    calmkit.write_parquet(journal, root, partition_by="shard", shards=2)
    first, second = (root / "readings" / f"part-0000{k}.parquet" for k in (0, 1))
    a, b = pq.read_table(first), pq.read_table(second)
    mask = pc.and_(pc.equal(a["participant"].cast(pa.string()), "p002"), pc.is_null(a["trigger"]))
    moved = a.filter(mask)
    assert moved.num_rows == 17
    pq.write_table(a.filter(pc.invert(mask)), first)
    pq.write_table(pa.concat_tables([moved.cast(b.schema), b]), second)
    assert calmkit.to_jsonl(calmkit.read_parquet(root)) == calmkit.to_jsonl(journal)
    return root


def test_a_participant_in_two_shards_is_an_error_naming_it(tmp_path: Path) -> None:
    root = _split_dataset(tmp_path)
    for call in (lambda: cd.compute_all(root, ["practice_streaks"]), lambda: cd.metric(root, "practice_streaks")):
        with pytest.raises(ValueError, match="p002") as info:
            call()
        message = str(info.value)
        assert "part-00000.parquet" in message and "part-00001.parquet" in message


def test_shards_as_written_still_compute(tmp_path: Path) -> None:
    journal = calmkit.synthetic_journal(participants=4, days=20, seed=9)
    root = tmp_path / "cohort"
    calmkit.write_parquet(journal, root, partition_by="shard", shards=3)
    got = cd.compute_all(root, ["practice_streaks", "affect_dynamics"])
    for name, frame in got.items():
        want = getattr(calmkit, name)(journal)
        assert frame.reset_index(drop=True).equals(want.reset_index(drop=True)), name
