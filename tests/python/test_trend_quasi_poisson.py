"""trigger_trend's intervals for overdispersed weekly counts: coverage on
Poisson and negative binomial counts, and agreement with statsmodels and R.

The slope is the quasi-Poisson fit (McCullagh & Nelder 1989, section 4.5):
the Poisson estimate, its SE times the square root of the Pearson dispersion
X^2 / (W - 2), t quantiles on W - 2 degrees of freedom. The rate ratio's
interval is the conditional (Clopper-Pearson) one of the counts divided by
s = phi (t / z)^2, phi the Pearson dispersion of the two-rate model on the
last 2k weeks (Korn & Graubard 1998's effective counts). The dispersion is
not floored at 1, so on Poisson counts, whose dispersion estimate is below 1
about half the time, the intervals must still cover: the coverage tests below
bound the share of intervals that miss the truth from above (not too narrow)
and from below (not needlessly wide, what a floor at 1 gives on short
series: 0-1 % misses at 6 weeks instead of 5 %).

Every participant here has readings on the Monday and Sunday of each week
(7 observed days, offset 0) and no trend unless said otherwise. Seeds are
fixed, so every share below is one deterministic number; the bounds leave
about three binomial standard deviations around 5 %.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import calmkit

from _weekly import weekly_count_journal as _journal  # tests/python/_weekly.py
from test_references import _need, _r_available, _R_QUASIPOISSON, _rscript

Z = 1.959963984540054


def _poisson(seed: int, people: int, weeks: int, mean: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {f"p{p:03d}": rng.poisson(mean, weeks) for p in range(people)}


def _negative_binomial(seed: int, people: int, weeks: int) -> dict[str, np.ndarray]:
    """Mean 4, variance 20 (size 1): bursts of triggers."""
    rng = np.random.default_rng(seed)
    return {f"p{p:03d}": rng.negative_binomial(1, 0.2, weeks) for p in range(people)}


def _slope_misses(t: pd.DataFrame) -> tuple[float, int]:
    ok = t["slope_ci_low"].notna()
    return float(((t["slope_ci_low"] > 0) | (t["slope_ci_high"] < 0))[ok].mean()), int(ok.sum())


def _ratio_misses(t: pd.DataFrame) -> tuple[float, int]:
    ok = t["rr_ci_low"].notna()
    return float(((t["rr_ci_low"] > 1) | (t["rr_ci_high"] < 1))[ok].mean()), int(ok.sum())


@pytest.mark.parametrize("weeks", [4, 6, 16])
def test_slope_interval_keeps_its_coverage_on_poisson_counts(weeks: int) -> None:
    t = calmkit.trigger_trend(_journal(_poisson(weeks, 400, weeks, 2.0)))
    missed, n = _slope_misses(t)
    assert n >= 380
    assert 0.015 <= missed <= 0.08, f"{weeks} weeks: {missed:.1%} of 95 % intervals exclude the true slope 0"
    assert (t["dispersion"] < 1).mean() > 0.3  # not floored: below 1 on Poisson counts often


@pytest.mark.parametrize("k", [2, 4])
def test_rate_ratio_interval_keeps_its_coverage_on_poisson_counts(k: int) -> None:
    t = calmkit.trigger_trend(_journal(_poisson(10 + k, 400, 2 * k, 2.0)), k=k)
    missed, n = _ratio_misses(t)
    assert n >= 380
    assert 0.015 <= missed <= 0.08, f"k={k}: {missed:.1%} of 95 % intervals exclude the true ratio 1"


@pytest.mark.parametrize("k", [2, 4])
def test_rate_ratio_interval_covers_on_negative_binomial_counts(k: int) -> None:
    # The exact Poisson interval missed for 29 % (k = 2) and 33 % (k = 4) of these.
    t = calmkit.trigger_trend(_journal(_negative_binomial(20 + k, 400, 2 * k)), k=k)
    missed, n = _ratio_misses(t)
    assert n >= 380
    assert missed <= 0.08, f"k={k}: {missed:.1%} of 95 % intervals exclude the true ratio 1"


@pytest.mark.parametrize("weeks", [6, 16])
def test_slope_interval_covers_on_negative_binomial_counts(weeks: int) -> None:
    t = calmkit.trigger_trend(_journal(_negative_binomial(30 + weeks, 400, weeks)))
    missed, n = _slope_misses(t)
    assert n >= 380
    assert missed <= 0.08, f"{weeks} weeks: {missed:.1%} of 95 % intervals exclude the true slope 0"


@pytest.fixture(scope="module")
def overdispersed():
    """300 participants, 3 to 20 weeks each, negative binomial counts (size
    1.5) around a log-linear trend of their own: the series the agreement
    tests fit."""
    rng = np.random.default_rng(5)
    series = {}
    for p in range(300):
        weeks = int(rng.integers(3, 21))
        mean = rng.uniform(1, 6) * np.exp(rng.normal(0, 0.1) * np.arange(weeks))
        series[f"q{p:03d}"] = rng.negative_binomial(1.5, 1.5 / (1.5 + mean))
    j = _journal(series)
    return series, calmkit.trigger_trend(j, k=3).set_index("participant"), calmkit.trigger_trend_weeks(j)


def test_quasi_poisson_slope_equals_statsmodels_on_many_participants(overdispersed) -> None:
    try:
        import statsmodels.api as sm
    except ImportError:
        _need(False, "statsmodels (pip)")
    series, trend, weeks = overdispersed
    cols = ["slope_per_week", "slope_se", "dispersion", "slope_ci_low", "slope_ci_high"]
    bands = {str(p): g[["fitted", "fitted_ci_low", "fitted_ci_high"]].to_numpy(float)
             for p, g in weeks.groupby("participant", observed=True)}
    compared = 0
    for p, y in series.items():
        row = trend.loc[p]
        if math.isnan(row["slope_per_week"]):
            continue
        x = sm.add_constant(np.arange(len(y), dtype=float))
        fit = sm.GLM(y.astype(float), x, family=sm.families.Poisson()).fit(scale="X2", use_t=True, tol=1e-14,
                                                                           maxiter=200)
        lo, hi = fit.conf_int(alpha=0.05)[1]
        np.testing.assert_allclose(row[cols].to_numpy(float), [fit.params[1], fit.bse[1], fit.scale, lo, hi],
                                   rtol=1e-8, atol=1e-12, err_msg=p)
        band = fit.get_prediction(x).summary_frame(alpha=0.05)[["mean", "mean_ci_lower", "mean_ci_upper"]]
        np.testing.assert_allclose(bands[p], band.to_numpy(float), rtol=1e-8, err_msg=p)
        compared += 1
    assert compared > 280
    assert trend["dispersion"].median() > 1.5  # the counts are overdispersed, and seen so


def test_quasi_poisson_slope_equals_r_glm_on_many_participants(overdispersed, tmp_path) -> None:
    _need(_r_available(), "R (r-base-core)")
    series, trend, _ = overdispersed
    usable = [p for p in series if not math.isnan(trend.loc[p, "dispersion"])]
    assert len(usable) > 280
    weekly = pd.concat([pd.DataFrame({"participant": p, "week": np.arange(len(series[p])), "count": series[p],
                                      "days": 7}) for p in usable])
    r = _rscript(tmp_path, _R_QUASIPOISSON, {"weeks": weekly}, ["fits"])["fits"].set_index("participant")
    cols = ["slope_per_week", "slope_se", "dispersion", "slope_ci_low", "slope_ci_high"]
    # R stops IRLS on a relative deviance change, flat at the optimum: its estimates
    # are good to about 1e-8 of their size (a bound near 0 to 1e-8 absolute).
    np.testing.assert_allclose(trend.loc[r.index, cols].to_numpy(float),
                               r[["slope", "se", "dispersion", "lo", "hi"]].to_numpy(float), rtol=1e-7, atol=1e-8)


def test_rate_ratio_interval_equals_its_definition_on_many_participants(overdispersed) -> None:
    # The dispersion against statsmodels' quasi-Poisson fit of the two-rate model;
    # the limits against statsmodels' Clopper-Pearson limits of the effective counts.
    try:
        import statsmodels.api as sm
        from scipy import stats
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:
        _need(False, "statsmodels (pip)")
    series, trend, _ = overdispersed
    k, compared = 3, 0
    for p, y in series.items():
        row = trend.loc[p]
        if len(y) < 2 * k:
            assert np.isnan(row[["rate_ratio", "rr_ci_low", "rr_ci_high", "rr_dispersion"]].to_numpy(float)).all()
            continue
        a, b = int(y[-k:].sum()), int(y[-2 * k:-k].sum())
        if a == 0 or b == 0:
            continue
        half = np.repeat([0.0, 1.0], k)
        fit = sm.GLM(y[-2 * k:].astype(float), sm.add_constant(half), family=sm.families.Poisson()).fit(
            scale="X2", tol=1e-14)
        assert row["rate_ratio"] == pytest.approx(math.exp(fit.params[1]), rel=1e-10), p
        assert row["rr_dispersion"] == pytest.approx(fit.scale, rel=1e-10), p
        s = fit.scale * (stats.t.ppf(0.975, 2 * k - 2) / Z) ** 2
        lo, hi = proportion_confint(a / s, (a + b) / s, alpha=0.05, method="beta")
        np.testing.assert_allclose(row[["rr_ci_low", "rr_ci_high"]].to_numpy(float),
                                   [lo / (1 - lo), hi / (1 - hi)], rtol=1e-9, err_msg=p)
        compared += 1
    assert compared > 200


def test_two_and_three_weeks() -> None:
    t = calmkit.trigger_trend(_journal({"two": np.array([1, 3]), "three": np.array([4, 1, 6])}), k=1)
    two, three = t.set_index("participant").loc["two"], t.set_index("participant").loc["three"]
    # Two weeks: the slope log 3, and no residual degrees of freedom for the dispersion.
    assert two["slope_per_week"] == pytest.approx(math.log(3))
    assert np.isnan(two[["dispersion", "slope_se", "slope_ci_low", "slope_ci_high"]].to_numpy(float)).all()
    # k = 1 compares two weeks: the ratio, but no dispersion and no interval.
    assert two["rate_ratio"] == 3.0 and math.isnan(two["rr_dispersion"]) and math.isnan(two["rr_ci_low"])
    # Three weeks: t on 1 degree of freedom (12.7), a wide interval.
    half = (three["slope_ci_high"] - three["slope_ci_low"]) / 2
    assert half == pytest.approx(12.706204736174707 * three["slope_se"], rel=1e-12)
    w = calmkit.trigger_trend_weeks(_journal({"two": np.array([1, 3])}))
    assert w["fitted"].tolist() == pytest.approx([1.0, 3.0]) and w["fitted_ci_low"].isna().all()
