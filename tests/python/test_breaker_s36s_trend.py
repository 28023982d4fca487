"""trigger_trend's quasi-Poisson slope where the maximum likelihood estimate
exists but is steep, against R's glm (quasipoisson family) and statsmodels'
GLM (Poisson family, log link, Pearson scale ``scale="X2"`` with t
quantiles) on the weekly counts of the same journal.

docs/metrics.md: the slope is NaN "when the MLE does not exist (all triggers
in the first or last week: beta -> +-infinity)". With an intercept and one
covariate the Poisson MLE exists unless every positive count sits at the
smallest or every one at the largest x (Haberman 1974), so a journal whose
triggers fall in its last two weeks (or first two) has a finite slope,
standard error and interval, and statsmodels converges to them. The journals
here have a reading at both ends of every week (7 observed days a week), so
the exposure is 7 and the offset 0 throughout.

Without R or statsmodels the tests are skipped, unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import math
import shutil
import subprocess

import numpy as np
import pytest

import calmkit

from _weekly import weekly_count_journal as _journal  # tests/python/_weekly.py
from test_references import REQUIRED

try:
    import statsmodels.api as sm
except ImportError:  # pragma: no cover - depends on the environment
    sm = None


def _need_statsmodels() -> None:
    if sm is None:
        if REQUIRED:
            pytest.fail("statsmodels is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("statsmodels is not installed (tools/setup.sh installs it)")


def _glm(counts: list[int]):
    x = np.arange(len(counts), dtype=float)
    fit = sm.GLM(np.asarray(counts, float), sm.add_constant(x), family=sm.families.Poisson()).fit(
        tol=1e-12, scale="X2", use_t=True)
    assert fit.converged
    return fit


#: Count series with a finite MLE that is steep: positive counts in two
#: neighbouring weeks at one end of a long span.
STEEP = {
    "rise_20_weeks": [0] * 18 + [1, 9],
    "fall_32_weeks": [5, 1] + [0] * 30,
    "rise_30_weeks": [0] * 28 + [1, 4],
    "rise_32_weeks": [0] * 30 + [2, 3],
}


R_GLM = r"""
y <- as.numeric(strsplit(commandArgs(TRUE)[1], ",")[[1]])
x <- seq_along(y) - 1
m <- suppressWarnings(glm(y ~ x, family = quasipoisson, control = glm.control(epsilon = 1e-14, maxit = 100)))
s <- summary(m)
cat(sprintf("%.17g %.17g %.17g %.17g %.17g", s$coefficients[1, 1], s$coefficients[2, 1], s$coefficients[2, 2],
            s$dispersion, qt(0.975, s$df.residual)))
"""


def _r_glm(counts: list[int]) -> tuple[float, float, float, float, float]:
    """R's glm(family = quasipoisson) run to epsilon 1e-14: (intercept, slope,
    SE, dispersion, t quantile on the residual degrees of freedom).
    statsmodels' IRLS bounds each fitted rate away from 0, which moves its SE
    by 7e-4 on the falling series below; R's fit keeps the rates as they are
    (it warns that some are numerically 0) and gives the exact information."""
    if shutil.which("Rscript") is None:
        if REQUIRED:
            pytest.fail("R is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("R is not installed (tools/setup.sh installs it)")
    out = subprocess.run(["Rscript", "--vanilla", "-e", R_GLM, ",".join(map(str, counts))],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    a, b, se, phi, t = map(float, out.stdout.split())
    return a, b, se, phi, t


@pytest.mark.parametrize("case", sorted(STEEP))
def test_steep_slope_with_a_finite_mle_equals_r_glm(case: str) -> None:
    # Was NaN (B120): the fit gave up once |slope| * sqrt(Sxx) passed 60.
    counts = STEEP[case]
    a, b, se, phi, t = _r_glm(counts)
    row = calmkit.trigger_trend(_journal({"a": counts})).iloc[0]
    assert row["weeks"] == len(counts)
    assert row["slope_per_week"] == pytest.approx(b, rel=1e-8)
    assert row["slope_se"] == pytest.approx(se, rel=1e-6)
    assert row["dispersion"] == pytest.approx(phi, rel=1e-6)
    assert row["slope_ci_low"] == pytest.approx(b - t * se, rel=1e-6, abs=1e-6 * se)
    assert row["slope_ci_high"] == pytest.approx(b + t * se, rel=1e-6, abs=1e-6 * se)
    assert row["fitted_last"] == pytest.approx(math.exp(a + b * (len(counts) - 1)), rel=1e-6)
    if case in ("rise_20_weeks", "rise_30_weeks"):  # statsmodels agrees where its bound on the rates does not bite
        _need_statsmodels()
        fit = _glm(counts)
        assert row["slope_per_week"] == pytest.approx(fit.params[1], rel=1e-6)
        assert row["slope_se"] == pytest.approx(fit.bse[1], rel=1e-6)
        assert row["dispersion"] == pytest.approx(fit.scale, rel=1e-6)


def test_steep_fitted_line_and_band_equal_statsmodels_prediction() -> None:
    # Was NaN (B120).
    _need_statsmodels()
    counts = STEEP["rise_20_weeks"]
    fit = _glm(counts)
    x = sm.add_constant(np.arange(len(counts), dtype=float))
    pred = fit.get_prediction(x).summary_frame(alpha=0.05)
    weeks = calmkit.trigger_trend_weeks(_journal({"a": counts}))
    assert list(weeks["count"]) == counts
    np.testing.assert_allclose(weeks["fitted"], pred["mean"], rtol=1e-6)
    np.testing.assert_allclose(weeks["fitted_ci_low"], pred["mean_ci_lower"], rtol=1e-6)
    np.testing.assert_allclose(weeks["fitted_ci_high"], pred["mean_ci_upper"], rtol=1e-6)


def test_steep_pooled_slope_equals_statsmodels() -> None:
    # Was NaN (B120).
    _need_statsmodels()
    a, b = STEEP["rise_20_weeks"], [0] * 18 + [0, 2]
    fit = _glm([x + y for x, y in zip(a, b)])  # both observed every day: exposure 14 person-days, a constant
    row = calmkit.trigger_trend(_journal({"a": a, "b": b}), by=None).iloc[0]
    assert row["slope_per_week"] == pytest.approx(fit.params[1], rel=1e-6)
    assert row["slope_se"] == pytest.approx(fit.bse[1], rel=1e-6)


@pytest.mark.parametrize("counts", [[0] * 19 + [4], [3] + [0] * 19, [0] * 5 + [0] * 15])
def test_no_slope_where_the_mle_does_not_exist(counts: list[int]) -> None:
    # Guards the documented NaN: all triggers in the first or the last week, or none.
    row = calmkit.trigger_trend(_journal({"a": counts})).iloc[0]
    assert math.isnan(row["slope_per_week"]) and math.isnan(row["slope_se"])


def test_moderate_slope_equals_statsmodels() -> None:
    # Guards what works: a finite slope well inside the old limit.
    _need_statsmodels()
    counts = [0] * 18 + [1, 3]
    fit = _glm(counts)
    row = calmkit.trigger_trend(_journal({"a": counts})).iloc[0]
    assert row["slope_per_week"] == pytest.approx(fit.params[1], rel=1e-6)
    assert row["slope_se"] == pytest.approx(fit.bse[1], rel=1e-6)
