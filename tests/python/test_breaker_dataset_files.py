"""Shard datasets whose part files do not all have the columns their
``_common_metadata`` declares: one rewritten by another tool (pandas, DuckDB,
a script that dropped a column it thought unused) or copied in from another
dataset. Whatever the files hold must reach the journal as pyarrow reads it
against the declared schema, or the read must fail naming the file, never
hand back a journal that quietly lost what the other files hold.

Strict xfails name the finding (B3, B4, ...); when it is fixed, the case
turns red: remove the mark in the same commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _dataset(tmp_path: Path) -> Path:
    """Two shards: ann's three triggers in part-00000, bob's in part-00001,
    ids unique across both (so no duplicate id gives the damage away)."""
    recs = [calmkit.Trigger(participant=p, id=f"{p}-t{i}", time=f"2026-03-0{i + 1}T10:00:00Z", category="other",
                            intensity=5, context=f"context {p} {i}", tags=["x"])
            for p in ("ann", "bob") for i in range(3)]
    d = tmp_path / "d"
    calmkit.write_parquet(calmkit.Journal(recs), d, shards=2)
    names = [pq.read_table(f).column("participant").to_pylist()[0]
             for f in sorted((d / "triggers").glob("part-*.parquet"))]
    assert names == ["ann", "bob"]
    return d


@pytest.mark.parametrize("dropped", [["participant"], ["context"], ["participant", "context", "tags"]])
def test_a_part_file_without_a_column_loses_nothing_from_the_other_files(dropped: list[str], tmp_path: Path) -> None:
    """Before: with `participant` gone from part-00000, all six triggers came
    back as participant '' (ann and bob merged into one single-user journal)
    and bob's contexts and tags were empty; no error. pyarrow itself, given
    the declared schema, keeps bob's values."""
    d = _dataset(tmp_path)
    first = d / "triggers" / "part-00000.parquet"
    pq.write_table(pq.read_table(first).drop(dropped), first)
    declared = pq.read_schema(d / "triggers" / "_common_metadata")
    reference = pq.read_table(d / "triggers", schema=declared).to_pylist()
    bob = [r for r in reference if r["participant"] == "bob"]
    assert len(bob) == 3  # what the files hold
    try:
        journal = calmkit.read_parquet(d)
    except ValueError as e:  # refusing the damaged file is right too, if it says which and what
        assert str(first) in str(e) and dropped[0] in str(e), str(e)
        return
    got = {(t.participant, t.id): (t.context, list(t.tags)) for t in journal.triggers}
    for r in bob:
        assert got.get(("bob", r["id"])) == (r["context"], r["tags"]), sorted(got)


def test_a_participant_column_of_numbers_is_a_clear_error_with_a_filter_too(tmp_path: Path) -> None:
    """Without a filter the read says ValueError ('not a readable Parquet
    dataset (Failed to parse string ...)'); with one it raised
    `TypeError: '<' not supported between instances of 'str' and 'int'`."""
    d = _dataset(tmp_path)
    first = d / "triggers" / "part-00000.parquet"
    t = pq.read_table(first)
    i = t.schema.get_field_index("participant")
    pq.write_table(t.set_column(i, "participant", pa.array(range(t.num_rows), pa.int64())), first)
    with pytest.raises(ValueError) as whole:
        calmkit.read_parquet(d)
    with pytest.raises(ValueError) as filtered:
        calmkit.read_parquet(d, participants=["bob"])
    for e in (whole, filtered):
        assert not isinstance(e.value, pa.ArrowException)
        assert str(d / "triggers") in str(e.value), str(e.value)
