"""trigger_trend on weekly counts that fit its models exactly or almost.

docs/metrics.md: "counts that fit the model exactly (the same count every
week) give φ = 0 and a zero-width interval, as R's ``quasipoisson`` does", and
``rate_ratio_overdispersed``'s contract: "φ = 0 (counts that fit the two rates
exactly) gives the zero-width interval [RR, RR]". A dispersion computed in
floating point from fitted means is 0 only when every fitted mean is exact;
otherwise it is a few units of 1e-32, and the interval divides the counts by
it. The reference is the arithmetic of the two models on these counts (R's
``glm(count ~ half + offset(log(days)), family = quasipoisson)`` gives a
dispersion of 0 to within 1e-30 and a rate ratio of b/a): whatever φ comes out,
the interval must hold the ratio and the slope, be finite where the estimate
is, and be no wider than the Poisson one (φ < 1).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest

import calmkit

MONDAY = date(2026, 3, 2)


def _journal(counts: list[int]) -> calmkit.Journal:
    """Triggers of one participant, ``counts[w]`` in ISO week w, the first on the
    first Monday and the last on the last Sunday, so every week is whole (7
    observed days)."""
    records = []
    n = 0
    for w, c in enumerate(counts):
        for k in range(c):
            if w == 0 and k == 0:
                day = 0
            elif w == len(counts) - 1 and k == c - 1:
                day = 6
            else:
                day = k % 7
            t = datetime.combine(MONDAY + timedelta(days=7 * w + day), datetime.min.time(),
                                 timezone.utc) + timedelta(hours=9 + k % 10)
            n += 1
            records.append(calmkit.Trigger(id=f"t{n}", participant="p", time=t, category="conflict",
                                           intensity=5))
    return calmkit.Journal(records)


CASES = [
    [3, 3, 3, 3, 5, 5, 5, 5],
    [2, 2, 2, 2, 7, 7, 7, 7],
    [1, 1, 1, 1, 1, 1, 1, 1, 6, 6, 6, 6, 6, 6, 6, 6],
    [4, 4, 4, 4, 4, 4, 4, 4],
    [9, 9, 9, 3, 3, 3, 3, 3, 3],
]


@pytest.mark.parametrize("counts", CASES, ids=lambda c: "-".join(map(str, c)))
def test_an_exact_fit_gives_an_interval_around_the_estimate(counts: list[int]) -> None:
    k = 4 if len(counts) < 16 else 8
    row = calmkit.trigger_trend(_journal(counts), k=k).iloc[0]
    assert int(row["weeks"]) == len(counts)
    assert int(row["last_k_days"]) == int(row["prev_k_days"]) == 7 * k
    a, b = sum(counts[-k:]), sum(counts[-2 * k:-k])
    assert int(row["last_k_count"]) == a and int(row["prev_k_count"]) == b
    assert row["rate_ratio"] == pytest.approx(a / b, rel=1e-12)
    halves_exact = len(set(counts[-k:])) == 1 and len(set(counts[-2 * k:-k])) == 1
    if halves_exact:
        assert row["rr_dispersion"] == pytest.approx(0.0, abs=1e-12)
    low, high = row["rr_ci_low"], row["rr_ci_high"]
    assert math.isfinite(low) and math.isfinite(high), (low, high, row["rr_dispersion"])
    assert low <= row["rate_ratio"] * (1 + 1e-9) and high >= row["rate_ratio"] * (1 - 1e-9), (low, high)
    if halves_exact:
        assert low == pytest.approx(a / b, rel=1e-6) and high == pytest.approx(a / b, rel=1e-6)
    slope = row["slope_per_week"]
    assert math.isfinite(slope)
    lo, hi = row["slope_ci_low"], row["slope_ci_high"]
    assert math.isfinite(lo) and math.isfinite(hi) and lo <= slope <= hi, (lo, slope, hi)


@pytest.mark.parametrize("counts", CASES, ids=lambda c: "-".join(map(str, c)))
def test_the_weekly_band_holds_the_fitted_line(counts: list[int]) -> None:
    weeks = calmkit.trigger_trend_weeks(_journal(counts))
    assert len(weeks) == len(counts)
    assert list(weeks["count"]) == counts
    for fit, lo, hi in zip(weeks["fitted"], weeks["fitted_ci_low"], weeks["fitted_ci_high"]):
        assert math.isfinite(fit) and math.isfinite(lo) and math.isfinite(hi)
        assert lo <= fit * (1 + 1e-9) and hi >= fit * (1 - 1e-9)
