"""A Parquet dataset written by another tool, where the single person's rows
have a null participant (pandas' None, Spark's null) instead of "".

read_parquet reads such rows as participant "" (the journal format's "no
participant"), as it reads a file without a participant column.

B54 (fixed): read_parquet(d, participants=[""]) did not find them: the row filter
(pyarrow.compute.is_in) never matches a null, and the row-group pruning by
statistics (min/max leave nulls out) drops a row group whose ids are null and
"p1" for a wanted "". The same records that a full read gives as participant
"" are missing from the filtered read, without a word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _journal(tmp_path: Path) -> calmkit.Journal:
    lines = []
    for p in ("", "p1"):
        for i in range(1, 4):
            lines.append({"type": "trigger", "participant": p, "id": f"t{i}",
                          "time": f"2026-03-0{i}T21:00:00+01:00", "category": "other", "intensity": 7})
            lines.append({"type": "reading", "participant": p, "time": f"2026-03-0{i}T21:30:00+01:00",
                          "intensity": 2, "trigger": f"t{i}"})
    path = tmp_path / "j.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return calmkit.read_journal(path)


def _nulls_for_empty(d: Path) -> None:
    """Every participant "" of the dataset's files written as a null, as another tool would."""
    for f in sorted(d.rglob("*.parquet")):
        t = pq.read_table(f)
        if "participant" not in t.column_names:
            continue
        values = [None if v == "" else v for v in t["participant"].to_pylist()]
        i = t.schema.get_field_index("participant")
        pq.write_table(t.set_column(i, pa.field("participant", pa.string()), pa.array(values, pa.string())), f)


def _pairs(journal: calmkit.Journal) -> list[tuple[str, str]]:
    return [(t.participant, t.id) for t in journal.triggers] + [(r.participant, r.trigger or "")
                                                                for r in journal.readings]


def test_a_null_participant_reads_as_no_participant(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    d = calmkit.write_parquet(journal, tmp_path / "d")
    _nulls_for_empty(d)
    assert calmkit.to_jsonl(calmkit.read_parquet(d)) == calmkit.to_jsonl(journal)
    p1 = calmkit.read_parquet(d, participants=["p1"])
    assert _pairs(p1) == [x for x in _pairs(journal) if x[0] == "p1"]


@pytest.mark.parametrize("who", [[""], ["", "p1"]], ids=["alone", "with-p1"])
def test_the_participant_filter_finds_null_participants(who: list[str], tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    d = calmkit.write_parquet(journal, tmp_path / "d")
    _nulls_for_empty(d)
    whole = calmkit.read_parquet(d)
    assert "" in whole.participants()
    assert _pairs(calmkit.read_parquet(d, participants=who)) == [x for x in _pairs(whole) if x[0] in who]
