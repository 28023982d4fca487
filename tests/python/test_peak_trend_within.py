"""The cohort's peak trend (``peak_trend(by=None)``, the report's cohort
page) against statsmodels: the within-person slope, i.e. least squares of
``peak ~ weeks + C(participant)`` with participant-clustered standard
errors (``cov_type="cluster"``, t on participants - 1 degrees of freedom).

The journals are written here line by line (not by calmkit's generator):
people with their own level of distress, joining on different dates, some
with a trend of their own; the weeks count from the cohort's first onset.
B291 (tests/python/test_breaker_s39s_pooled_trend_coverage.py) is why: an
ordinary least-squares fit over every episode made a trend out of people's
different levels and start dates.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import calmkit

smf = pytest.importorskip("statsmodels.formula.api")

_T0 = pd.Timestamp("2026-03-02T08:00:00Z")


def _journal(rng: np.random.Generator, people: int) -> calmkit.Journal:
    lines = []
    for p in range(people):
        who = f"person-{p}"
        start = _T0 + pd.Timedelta(days=int(rng.integers(0, 50)))
        level = rng.normal(6, 1.5)
        own_slope = rng.normal(-0.2, 0.2)
        for k in range(int(rng.integers(2, 15))):
            days = float(rng.uniform(0, 40))
            at = start + pd.Timedelta(days=days)
            peak = int(np.clip(round(level + own_slope * days / 7 + rng.normal(0, 1)), 0, 10))
            lines.append({"type": "trigger", "participant": who, "id": f"t{k}",
                          "time": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "category": "conflict",
                          "intensity": peak})
    rng.shuffle(lines)
    return calmkit.parse_journal("".join(json.dumps(x) + "\n" for x in lines))


def _statsmodels(j: calmkit.Journal, confidence: float) -> dict[str, float]:
    peaks = calmkit.peak_intensity(j)
    d = pd.DataFrame({"y": peaks["peak_intensity"].to_numpy(float),
                      "x": ((peaks["onset"] - peaks["onset"].min()) / pd.Timedelta(weeks=1)).to_numpy(float),
                      "g": peaks["participant"].astype(str).to_numpy()})
    fit = smf.ols("y ~ x + C(g)", d).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["g"])[0]},
                                         use_t=True)
    low, high = fit.conf_int(1 - confidence).loc["x"]
    slope = fit.params["x"]
    return {"slope_per_week": slope, "slope_se": fit.bse["x"], "slope_ci_low": low, "slope_ci_high": high,
            "intercept": d["y"].mean() - slope * d["x"].mean(), "mean_peak": d["y"].mean(),
            "episodes": len(d), "span_weeks": d["x"].max()}


@pytest.mark.parametrize(("seed", "people", "confidence"), [(1, 12, 0.95), (2, 5, 0.9), (3, 30, 0.99), (4, 2, 0.95)])
def test_pooled_peak_trend_equals_statsmodels_within_fit(seed: int, people: int, confidence: float) -> None:
    j = _journal(np.random.default_rng(seed), people)
    got = calmkit.peak_trend(j, by=None, confidence=confidence).iloc[0]
    want = _statsmodels(j, confidence)
    for col, value in want.items():
        assert got[col] == pytest.approx(value, rel=1e-9, abs=1e-12), col


def test_levels_and_start_dates_alone_make_no_trend() -> None:
    # Two people, nobody changing: the later one is calmer. Least squares over
    # every episode gave a steep fall; the within-person slope is 0.
    lines = []
    for who, start, peak in (("early", _T0, 9), ("late", _T0 + pd.Timedelta(weeks=6), 3)):
        for d in range(0, 21, 3):
            at = (start + pd.Timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            lines.append(json.dumps({"type": "trigger", "participant": who, "id": f"t{d}", "time": at,
                                     "category": "conflict", "intensity": peak}))
    t = calmkit.peak_trend(calmkit.parse_journal("\n".join(lines) + "\n"), by=None).iloc[0]
    assert t["slope_per_week"] == pytest.approx(0.0, abs=1e-12)
    assert t["mean_peak"] == pytest.approx(6.0)
    assert t["intercept"] == pytest.approx(6.0 - 0.0)


def test_cohort_of_one_is_its_person() -> None:
    j = _journal(np.random.default_rng(9), 1)
    pooled = calmkit.peak_trend(j, by=None).iloc[0]
    mine = calmkit.peak_trend(j).iloc[0]
    for col in pooled.index:
        assert pooled[col] == pytest.approx(mine[col], rel=1e-12, nan_ok=True), col


def test_no_residual_degrees_of_freedom_leaves_the_interval_undefined() -> None:
    # Two people, three episodes: a slope from the first person's two, no clustered SE.
    lines = [json.dumps({"type": "trigger", "participant": p, "id": i, "time": t, "category": "conflict",
                         "intensity": v})
             for p, i, t, v in (("a", "1", "2026-03-02T08:00:00Z", 6), ("a", "2", "2026-03-09T08:00:00Z", 5),
                                ("b", "1", "2026-03-04T08:00:00Z", 7))]
    t = calmkit.peak_trend(calmkit.parse_journal("\n".join(lines) + "\n"), by=None).iloc[0]
    assert t["slope_per_week"] == pytest.approx(-1.0)
    assert np.isnan(t["slope_se"]) and np.isnan(t["slope_ci_low"]) and np.isnan(t["slope_ci_high"])
