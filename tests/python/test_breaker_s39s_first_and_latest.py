"""B290: ``first_and_latest`` put the episodes of a participant whose onsets
span no time (one trigger, or all at one instant) in the "latest" window
only.

The split compares each person's first weeks with their own latest weeks
(docs/metrics.md; ``cox_time_trend``'s ``latest_vs_first`` model, the
``km_first_vs_latest`` chart of the report and ``calmkit summary``). A span
shorter than 2 x weeks is cut into halves, "first: before the middle of
their span, latest: from the middle on"; with a span of 0 the middle is the
onset, so every episode of that person landed in "latest" and none in
"first". People with a single episode are common in a cohort (they drop out
after a day), and they are often the ones who never check in again, so
their episodes are censored: pooled, they slowed the "latest" curve and
pulled the latest-vs-first hazard ratio below 1 although no one's own
time-to-calm changed. A person without two distinct onsets has no first and
latest weeks to compare; their episodes now belong to neither window (NA),
as an episode between the two windows does, and the comparison of the
others is what it was without them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import calmkit
from test_references import _need


def _journal(one_offs: int) -> calmkit.Journal:
    rng = np.random.default_rng(290)
    j = calmkit.Journal()
    start = pd.Timestamp("2026-03-02T08:00:00Z")
    for p in range(6):  # ten weeks each, the same time-to-calm throughout
        who = f"long{p}"
        for k in range(20):
            onset = start + pd.Timedelta(days=3.5 * k + p, minutes=int(rng.integers(0, 600)))
            j.add(calmkit.Trigger(participant=who, id=f"t{k}", time=onset.isoformat(), category="conflict",
                                  intensity=8))
            later = onset + pd.Timedelta(minutes=int(rng.integers(5, 240)))
            j.add(calmkit.Reading(participant=who, time=later.isoformat(), intensity=int(rng.choice([1, 2, 6])),
                                  trigger=f"t{k}"))
    for p in range(one_offs):  # one trigger, one check-in still distressed, never again
        who = f"once{p}"
        onset = start + pd.Timedelta(days=int(rng.integers(0, 70)), hours=9)
        j.add(calmkit.Trigger(participant=who, id="t0", time=onset.isoformat(), category="conflict", intensity=9))
        j.add(calmkit.Reading(participant=who, time=(onset + pd.Timedelta(minutes=300)).isoformat(), intensity=7,
                              trigger="t0"))
    return j


def test_a_participant_with_one_onset_is_in_neither_window() -> None:
    eps = calmkit.time_to_calm(_journal(one_offs=3))
    split = calmkit.first_and_latest(eps, weeks=4)
    once = eps["participant"].astype(str).str.startswith("once").to_numpy()
    assert split[once].isna().all(), split[once].tolist()
    # Everyone else: both windows used.
    assert set(split[~once].dropna()) == {"first", "latest"}
    # Two episodes at one instant: no span either.
    two = pd.concat([eps[once][:1]] * 2, ignore_index=True).assign(trigger_id=["a", "b"])
    assert calmkit.first_and_latest(two).isna().all()


def test_one_off_participants_do_not_move_the_latest_vs_first_comparison() -> None:
    without = calmkit.time_to_calm(_journal(one_offs=0))
    with_ = calmkit.time_to_calm(_journal(one_offs=30))
    rows = []
    for eps in (without, with_):
        eps = eps.assign(first_and_latest=calmkit.first_and_latest(eps, weeks=4))
        s = calmkit.time_to_calm_summary(eps, by="first_and_latest").set_index("first_and_latest")
        rows.append(s[["episodes", "calmed", "median_minutes", "ci_low", "ci_high"]])
    pd.testing.assert_frame_equal(rows[0], rows[1])


def test_cox_latest_vs_first_counts_only_people_with_both_windows() -> None:
    try:
        import calmkit.stats as stats
        import lifelines  # noqa: F401
    except ImportError:
        _need(False, "lifelines (pip)")
    frame = calmkit.analysis_frame(_journal(one_offs=30))
    base = calmkit.analysis_frame(_journal(one_offs=0))
    got = stats.cox_time_trend(frame).set_index("model").loc["latest_vs_first"]
    ref = stats.cox_time_trend(base).set_index("model").loc["latest_vs_first"]
    assert got["participants"] == 6 and got["episodes"] == ref["episodes"]
    assert got["hazard_ratio"] == pytest.approx(ref["hazard_ratio"], rel=1e-9)
