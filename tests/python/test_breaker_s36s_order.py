"""exercise_effectiveness on the same records in any line order.

The journal format lets records come in any order (docs/journal-format.md:
"A reader orders them by time itself"), so a metric of a journal is a
function of its records, not of its line order. Each table below is compared
with pandas' ``groupby`` (sorted keys) on the records themselves: sessions
and rated sessions per exercise id (and per participant), in that order,
for the same journal with its lines shuffled.
"""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

import calmkit

EXERCISES = ["grounding.5-4-3-2-1", "breathing.4-7-8", "custom.walk", "breathing.box"]


def _records(seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for p in ("p0", "p1", "p2"):
        for k in range(12):
            day = 2 + k
            out.append({"type": "trigger", "participant": p, "id": f"t{k}", "category": "conflict",
                        "intensity": rng.randint(4, 10), "time": f"2026-03-{day:02d}T09:00:00Z"})
            out.append({"type": "reading", "participant": p, "trigger": f"t{k}", "intensity": rng.randint(0, 10),
                        "time": f"2026-03-{day:02d}T09:{rng.randint(10, 59):02d}:00Z"})
            if rng.random() < 0.7:
                rec = {"type": "exercise", "participant": p, "id": f"e{k}", "exercise": rng.choice(EXERCISES),
                       "time": f"2026-03-{day:02d}T09:05:00Z", "end": f"2026-03-{day:02d}T09:09:00Z",
                       "trigger": f"t{k}"}
                if rng.random() < 0.8:
                    rec.update(intensity_before=rng.randint(3, 10), intensity_after=rng.randint(0, 6))
                out.append(rec)
    return out


def _reference(records: list[dict], by_participant: bool) -> pd.DataFrame:
    ex = pd.DataFrame([r for r in records if r["type"] == "exercise"])
    keys = ["participant", "exercise"] if by_participant else ["exercise"]
    rated = ex["intensity_before"].notna() & ex["intensity_after"].notna()
    return (ex.assign(rated=rated).groupby(keys, sort=True)
            .agg(sessions=("exercise", "size"), rated=("rated", "sum")).reset_index())


def _ours(records: list[dict], by_participant: bool) -> pd.DataFrame:
    j = calmkit.parse_journal("".join(json.dumps(r) + "\n" for r in records))
    got = calmkit.exercise_effectiveness(j, by_participant=by_participant)
    keys = ["participant", "exercise"] if by_participant else ["exercise"]
    out = got[keys + ["sessions", "rated"]].copy()
    for k in keys:
        out[k] = out[k].astype(str)
    return out.reset_index(drop=True)


def _compare(records: list[dict], by_participant: bool) -> None:
    ref = _reference(records, by_participant)
    ours = _ours(records, by_participant)
    for k in ref.columns:
        assert list(ours[k]) == [x if isinstance(x, str) else int(x) for x in ref[k]], k


@pytest.mark.parametrize("by_participant", [False, True])
def test_rows_equal_pandas_as_groups(by_participant: bool) -> None:
    # Guards the numbers whatever the order: the same rows as pandas' groups, sorted.
    records = _records(7)
    ours = _ours(records, by_participant)
    keys = ["participant", "exercise"] if by_participant else ["exercise"]
    pd.testing.assert_frame_equal(ours.sort_values(keys).reset_index(drop=True),
                                  _reference(records, by_participant)[list(ours.columns)].astype(ours.dtypes),
                                  check_dtype=False)


@pytest.mark.parametrize("by_participant", [False, True])
def test_same_records_in_any_line_order_give_one_table(by_participant: bool) -> None:
    # B125: the rows followed the order in which each exercise id first appeared in the file.
    records = _records(7)
    for seed in range(8):
        lines = records[:]
        random.Random(seed).shuffle(lines)
        _compare(lines, by_participant)
