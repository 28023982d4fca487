"""The pooled trends' 95 % intervals (``peak_trend(by=None)`` and
``trigger_trend(by=None)``, the cohort page of the report) when nobody's
own distress or trigger rate changes, on cohorts whose people differ from
one another and start on different dates, as every real cohort does.

Each simulated cohort: 12 people, each followed for 6 weeks from a start
drawn over 2 months; each person has their own mean peak distress (normal,
mean 6, sd 1.5) or their own trigger rate (gamma, mean 3 a week), constant
over their weeks. No one changes, so a 95 % interval of the slope should
miss 0 in about 5 % of the cohorts.

B291: ``peak_trend(by=None)`` fits ordinary least squares on weeks since
the cohort's first onset with every episode independent: its interval
missed 0 in 55 % of the 120 cohorts below (statsmodels' OLS with the same
model: 52 % of 400 others). Episodes of one person share that person's level, and people who
joined later bring their level to the later weeks. A within-person slope
(participant fixed effects) with participant-clustered errors (statsmodels
``cov_type="cluster"``, t on G - 1 df) misses in 6.5 %.

B292: ``trigger_trend(by=None)`` fits the quasi-Poisson slope of the cohort's
weekly count with person-days as exposure: the cohort's rate changes with
who is enrolled that week although no one's own rate does; its interval
missed 0 in 37 % of the 119 cohorts below with an interval. A within-person model (a rate per
participant, e.g. a conditional Poisson or per-participant offsets, with
clustered errors) would estimate what the chart says ("triggers a week
went from ... to ...").

B291 is fixed: ``peak_trend(by=None)`` is the within-person slope with
participant-clustered errors (tests/python/test_peak_trend_within.py checks
it against statsmodels). B292 stays a strict xfail until the pooled trigger
trend is within-person too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import calmkit

_START = pd.Timestamp("2026-01-05T09:00:00Z")


def _cohort(rng: np.random.Generator, what: str) -> calmkit.Journal:
    j = calmkit.Journal()
    for p in range(12):
        who = f"p{p:02d}"
        start = _START + pd.Timedelta(days=int(rng.integers(0, 60)))
        # A reading at each end: every person is followed for the same 6 weeks.
        for at in (start, start + pd.Timedelta(days=42)):
            j.add(calmkit.Reading(participant=who, time=at.isoformat(), intensity=3))
        if what == "peak":
            level = rng.normal(6, 1.5)
            n = int(rng.integers(5, 25))
            peaks = np.clip(np.round(level + rng.normal(0, 1, n)), 0, 10).astype(int)
        else:
            n = int(rng.poisson(rng.gamma(2.0, 1.5) * 6))
            peaks = np.full(n, 6)
        for k in range(n):
            at = start + pd.Timedelta(days=float(rng.uniform(0, 42)))
            j.add(calmkit.Trigger(participant=who, id=f"t{k}", time=at.isoformat(), category="conflict",
                                  intensity=int(peaks[k])))
    return j


def _miss_rate(what: str, runs: int, seed: int) -> tuple[float, int]:
    rng = np.random.default_rng(seed)
    miss = used = 0
    for _ in range(runs):
        j = _cohort(rng, what)
        row = (calmkit.peak_trend(j, by=None) if what == "peak" else calmkit.trigger_trend(j, by=None)).iloc[0]
        if not np.isfinite(row["slope_ci_low"]):
            continue
        used += 1
        miss += not (row["slope_ci_low"] <= 0.0 <= row["slope_ci_high"])
    return miss / used, used


def test_pooled_peak_trend_interval_covers_no_change() -> None:
    rate, used = _miss_rate("peak", runs=120, seed=291)
    assert used >= 100
    assert rate <= 0.12, f"the 95 % interval missed the true slope 0 in {rate:.0%} of {used} cohorts"


@pytest.mark.xfail(strict=True, reason="B292: pooled trigger_trend's slope follows who is enrolled each "
                   "week, not anyone's own rate (misses 0 in 37 % of no-trend cohorts)")
def test_pooled_trigger_trend_interval_covers_no_change() -> None:
    rate, used = _miss_rate("trigger", runs=120, seed=292)
    assert used >= 100
    assert rate <= 0.12, f"the 95 % interval missed the true slope 0 in {rate:.0%} of {used} cohorts"


def test_per_participant_peak_trend_interval_covers_no_change() -> None:
    # The reference the pooled fit should live up to: each person's own OLS
    # interval (independent episodes within one person, no levels mixed).
    rng = np.random.default_rng(2910)
    miss = used = 0
    for _ in range(15):
        t = calmkit.peak_trend(_cohort(rng, "peak"))
        ok = t[np.isfinite(t["slope_ci_low"])]
        used += len(ok)
        miss += int(((ok["slope_ci_low"] > 0) | (ok["slope_ci_high"] < 0)).sum())
    assert used >= 150
    assert miss / used <= 0.10, f"{miss} of {used}"
