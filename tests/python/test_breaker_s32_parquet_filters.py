"""read_parquet's participant filter on shard datasets other tools wrote.

B42: a dataset without a ``participant`` column (a single-user journal's
files rewritten by a tool that dropped the column holding only ""; the column
is optional to the Arrow bridge) reads whole as participant "", and
``participants=[""]`` keeps those records, but ``participants=["p1"]`` gives
them too: the filter is not applied to files without the column (before
each file was read on its own, any filter was "not a readable Parquet
dataset (No match for FieldRef.Name(participant) ...)").
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


def _single_user(tmp_path: Path) -> tuple[calmkit.Journal, Path]:
    journal = calmkit.Journal([calmkit.Trigger(id=f"t{i}", time=f"2026-03-0{i + 1}T10:00:00Z", category="other",
                                               intensity=5) for i in range(3)])
    assert journal.participants() == [""]
    d = calmkit.write_parquet(journal, tmp_path / "d")
    for table in calmkit.parquet.TABLES:
        f = d / table / "part-00000.parquet"
        pq.write_table(pq.read_table(f).drop(["participant"]), f)
    return journal, d


def test_a_dataset_without_a_participant_column_reads_as_participant_empty(tmp_path: Path) -> None:
    journal, d = _single_user(tmp_path)
    assert calmkit.read_parquet(d) == journal


@pytest.mark.parametrize(("participants", "records"), [
    ([""], 3),
    (["p1"], 0),
    (["", "p1"], 3),
])
def test_a_filter_on_a_dataset_without_a_participant_column(participants: list[str], records: int,
                                                            tmp_path: Path) -> None:
    _, d = _single_user(tmp_path)
    got = calmkit.read_parquet(d, participants)
    assert len(got) == records
    assert got.participants() == ([""] if records else [])


def test_rows_in_reverse_in_row_groups_of_one_row_filter_as_written(tmp_path: Path) -> None:
    """Statistics per row, the participants' rows not in calmkit's order: the
    filter picks the row groups by their statistics whatever the order."""
    journal = calmkit.read_journal(SAMPLE)
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2)
    for table in calmkit.parquet.TABLES:
        for f in (d / table).glob("part-*.parquet"):
            t = pq.read_table(f)
            pq.write_table(t.take(list(reversed(range(t.num_rows)))), f, row_group_size=1)
    for given in (["p001"], ["p002", "p002"], ["p003", "nobody"], ("p001", "p003")):
        want = [journal.participant(p) for p in sorted(set(given)) if p in journal.participants()]
        got = calmkit.read_parquet(d, given)
        assert got.participants() == sorted(set(given) & set(journal.participants()))
        assert len(got) == sum(len(j) for j in want)
        for p, j in zip(got.participants(), want):
            assert got.participant(p) == j
