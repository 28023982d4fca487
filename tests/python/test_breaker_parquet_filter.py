"""read_parquet(participants=...) returns exactly what pandas filtering of
the whole journal returns, whatever wrote the dataset.

Since this session the shard layout is the default and a participant filter
picks row groups by their min/max statistics itself. Statistics compare
strings by UTF-8 bytes; names here sort differently by other rules (an
accent, a character past the BMP, U+FFFF next to U+E000, a 5,000-byte name
whose statistics the writer may drop, a prefix of another name) and the row
groups are made tiny, so most of them bracket several participants. The
datasets: the default layout in row groups of 7 rows, four shards of the
default row-group size, the participant layout (the default up to 0.1.0),
and shard files written by plain pyarrow without statistics (another tool).
The reference is the journal's own frames filtered with pandas ``isin``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import calmkit

pq = pytest.importorskip("pyarrow.parquet")
ckpq = pytest.importorskip("calmkit.parquet")

NAMES = [f"p{i:03d}" for i in range(12)] + ["caf\u00e9", "cafe", "caf\u00e9\u00e9", "\U0001f600", "\uffff",
                                            "\ue000x", "Z", "a", "a" * 5000, "a" * 5000 + "b", " lead", "a/b"]


def _journal(names: list[str]) -> calmkit.Journal:
    rng = random.Random(5)
    records = []
    for p in names:
        for i in range(rng.randrange(1, 12)):
            records.append(calmkit.Trigger(participant=p, id=f"t{i}", time=f"2026-03-{1 + i:02d}T10:00:00+01:00",
                                           category="other", intensity=rng.randrange(11)))
            records.append(calmkit.Reading(participant=p, time=f"2026-03-{1 + i:02d}T11:00:00+01:00",
                                           intensity=rng.randrange(11), trigger=f"t{i}"))
    return calmkit.Journal(records)


def _frame(journal: calmkit.Journal, kind: str):
    df = getattr(journal, kind).to_pandas()
    df["participant"] = df["participant"].astype(str)
    return df.sort_values(["participant", "time"]).reset_index(drop=True)


def _datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Path, calmkit.Journal]]:
    full = _journal(NAMES)
    short = _journal([p for p in NAMES if len(p) < 100 and "/" not in p])  # folder names
    out = {}
    with monkeypatch.context() as m:
        m.setattr(ckpq, "ROW_GROUP_ROWS", 7)
        calmkit.write_parquet(full, tmp_path / "tiny_groups")
    out["tiny_groups"] = (tmp_path / "tiny_groups", full)
    calmkit.write_parquet(full, tmp_path / "four_shards", shards=4)
    out["four_shards"] = (tmp_path / "four_shards", full)
    calmkit.write_parquet(short, tmp_path / "participant_layout", partition_by="participant")
    out["participant_layout"] = (tmp_path / "participant_layout", short)
    # Another tool: the same files rewritten by pyarrow in 5-row groups without statistics.
    other = tmp_path / "no_statistics"
    calmkit.write_parquet(full, other, shards=2)
    for f in other.glob("*/part-*.parquet"):
        pq.write_table(pq.read_table(f), f, row_group_size=5, write_statistics=False)
    out["no_statistics"] = (other, full)
    return out


def test_a_participant_filter_returns_what_pandas_filtering_returns(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2)
    compared = 0
    for name, (folder, journal) in _datasets(tmp_path, monkeypatch).items():
        ps = sorted(journal.participants())
        wanted = [[p] for p in ps] + [rng.sample(ps, k) for k in (2, 3, 7) for _ in range(4)]
        wanted += [["nobody"], ["caf"], ["a" * 4999], ["cafe\u0301"], [ps[0], "nobody"]]
        for want in wanted:
            got = calmkit.read_parquet(folder, participants=want)
            for kind in ("triggers", "readings"):
                expected = _frame(journal, kind)
                expected = expected[expected.participant.isin(want)].reset_index(drop=True)
                assert _frame(got, kind).equals(expected), (name, kind, [w[:10] for w in want])
                compared += 1
    assert compared > 200


def test_an_empty_participant_list_reads_no_records(tmp_path: Path) -> None:
    """As the participant layout already does (a list computed empty is common)."""
    calmkit.write_parquet(_journal(NAMES[:3]), tmp_path / "d")
    j = calmkit.read_parquet(tmp_path / "d", participants=[])
    assert len(j.triggers) == 0 and len(j.readings) == 0


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_one_participant_given_as_a_string_is_not_split_into_letters(layout: str, tmp_path: Path) -> None:
    """A str is a sequence of letters to Python; as `participants` it is one
    name by mistake. Either it reads as that one participant or it is refused
    (TypeError/ValueError) — never an empty journal without a word (R2 of the
    last session was the same slip in journal_from_records)."""
    journal = _journal(NAMES[:3])
    calmkit.write_parquet(journal, tmp_path / "d", partition_by=layout)
    try:
        got = calmkit.read_parquet(tmp_path / "d", participants=NAMES[0])
    except (TypeError, ValueError):
        return
    assert got == calmkit.read_parquet(tmp_path / "d", participants=[NAMES[0]])
