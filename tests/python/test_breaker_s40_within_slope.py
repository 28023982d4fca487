"""The cohort's peak trend (``peak_trend(by=None)``, C++ ``within_ols_slope``)
on cohorts nobody on the team wrote: the degenerate shapes and a large cohort.

References: statsmodels' ``ols("y ~ x + C(g)").fit(cov_type="cluster",
use_t=True)`` (the fit the docstring names) on cohorts built here, and its
rank: where the design matrix of that fit is rank-deficient (x is a linear
combination of the people's dummies: nobody's x varies), the slope is not
identified and calmkit documents NaN. For 10^5 people statsmodels cannot fit
10^5 dummies; the reference there is the Frisch-Waugh-Lovell theorem
(Wooldridge 2010, ch. 10.5): least squares of person-demeaned y on
person-demeaned x has the same slope and residuals as the dummy fit, and
statsmodels' CR1 factor G/(G-1)·(n-1)/(n-k) then differs only in k (1 instead
of G + 1); the test checks that reasoning on a cohort small enough for both.

B276: the slope came from floating-point noise when every person's episodes
share one onset time but a person's onset is not the cohort's first: the
person's mean of k equal weeks, summed and divided, is not always that week
exactly, so x minus its mean is ~1e-17 instead of 0 and the slope is a ratio
of rounding errors (10^16 points a week) instead of NaN.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import calmkit

smf = pytest.importorskip("statsmodels.formula.api")
sm = pytest.importorskip("statsmodels.api")
stats = pytest.importorskip("scipy.stats")  # statsmodels' own dependency

_T0 = pd.Timestamp("2026-03-02T08:00:00Z")
_WEEK_US = 7 * 86_400_000_000


def _journal(rows: list[tuple[str, pd.Timestamp, int]]) -> calmkit.Journal:
    """A journal of triggers (participant, onset, intensity), one id each, lines in the order given."""
    lines = [json.dumps({"type": "trigger", "participant": who, "id": f"t{k}",
                         "time": at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), "category": "conflict",
                         "intensity": v})
             for k, (who, at, v) in enumerate(rows)]
    return calmkit.parse_journal("\n".join(lines) + "\n")


def _frame(rows: list[tuple[str, pd.Timestamp, int]]) -> pd.DataFrame:
    """The episodes as statsmodels sees them: y the peak (the trigger's own intensity: no readings),
    x weeks since the cohort's first onset, g the person."""
    us = np.array([at.value // 1000 for _, at, _ in rows], dtype=np.int64)
    return pd.DataFrame({"y": [float(v) for _, _, v in rows], "x": (us - us.min()) / _WEEK_US,
                         "g": [who for who, _, _ in rows]})


def _reference(d: pd.DataFrame, confidence: float = 0.95) -> dict[str, float]:
    fit = smf.ols("y ~ x + C(g)", d).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["g"])[0]},
                                         use_t=True)
    low, high = fit.conf_int(1 - confidence).loc["x"]
    return {"slope_per_week": fit.params["x"], "slope_se": fit.bse["x"], "slope_ci_low": low,
            "slope_ci_high": high, "episodes": len(d), "mean_peak": d["y"].mean(), "span_weeks": d["x"].max(),
            "intercept": d["y"].mean() - fit.params["x"] * d["x"].mean()}


def _x_identified(d: pd.DataFrame) -> bool:
    """Whether statsmodels' design for y ~ x + C(g) has full column rank (x is not a mix of the dummies)."""
    model = smf.ols("y ~ x + C(g)", d)
    return int(np.linalg.matrix_rank(model.exog)) == model.exog.shape[1]


def _noisy_week() -> tuple[int, int]:
    """(minutes after the cohort's first onset, episodes k) whose week x = minutes / 10080, summed k
    times and divided by k as a mean is computed, is not x again: the case B276 is about."""
    for k in (3, 5, 6, 7):
        for minutes in range(1, 20_000):
            x = minutes / 10080.0
            total = 0.0
            for _ in range(k):
                total += x
            if total / k != x:
                return minutes, k
    raise AssertionError("no week whose mean of equal copies rounds: the premise of B276 is gone")


@pytest.mark.xfail(strict=True, reason="B276: within_ols_slope's person means round; NaN expected")
def test_nobody_whose_weeks_vary_gives_no_slope_whatever_the_rounding() -> None:
    minutes, k = _noisy_week()
    later = _T0 + pd.Timedelta(minutes=minutes)
    rows = [("a", _T0, 4), ("a", _T0, 8)] + [("b", later, v) for v in (3, 9, 5, 7, 2, 6, 4)[:k]]
    d = _frame(rows)
    assert not _x_identified(d)  # statsmodels: the slope is not identified
    got = calmkit.peak_trend(_journal(rows), by=None).iloc[0]
    assert np.isnan(got["slope_per_week"]), got["slope_per_week"]
    assert np.isnan(got["slope_se"]) and np.isnan(got["intercept"])
    assert got["episodes"] == len(rows)
    assert got["mean_peak"] == pytest.approx(d["y"].mean())


def test_each_person_at_one_time_on_exact_weeks_gives_no_slope() -> None:
    # The same shape where the means are exact (whole weeks, two copies): NaN, as documented.
    rows = [("a", _T0, 4), ("a", _T0, 8), ("b", _T0 + pd.Timedelta(weeks=2), 3), ("b", _T0 + pd.Timedelta(weeks=2), 9)]
    d = _frame(rows)
    assert not _x_identified(d)
    got = calmkit.peak_trend(_journal(rows), by=None).iloc[0]
    assert np.isnan(got["slope_per_week"]) and np.isnan(got["slope_se"]) and np.isnan(got["slope_ci_low"])
    assert got["span_weeks"] == pytest.approx(2.0)
    assert got["mean_peak"] == pytest.approx(6.0)


def test_two_people_with_one_episode_each() -> None:
    rows = [("a", _T0, 7), ("b", _T0 + pd.Timedelta(days=10), 2)]
    assert not _x_identified(_frame(rows))
    got = calmkit.peak_trend(_journal(rows), by=None).iloc[0]
    assert got["episodes"] == 2
    assert got["mean_peak"] == pytest.approx(4.5)
    assert got["span_weeks"] == pytest.approx(10 / 7)
    for col in ("slope_per_week", "slope_se", "slope_ci_low", "slope_ci_high", "intercept"):
        assert np.isnan(got[col]), col


def test_one_person_at_one_time_is_that_person_and_has_no_slope() -> None:
    rows = [("solo", _T0 + pd.Timedelta(minutes=7), v) for v in (2, 5, 9)]
    pooled = calmkit.peak_trend(_journal(rows), by=None).iloc[0]
    mine = calmkit.peak_trend(_journal(rows)).iloc[0]
    assert np.isnan(pooled["slope_per_week"]) and np.isnan(mine["slope_per_week"])
    assert pooled["mean_peak"] == pytest.approx(16 / 3) == mine["mean_peak"]


def _unbalanced(seed: int) -> list[tuple[str, pd.Timestamp, int]]:
    """People with 1 to 25 episodes; onsets drawn from a coarse grid (hours), so onsets tie within and
    across people; peaks tie too (a 0-10 scale); some people have one onset time for all their episodes."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(40):
        k = int(rng.choice([1, 1, 2, 3, 5, 8, 13, 25]))
        start = int(rng.integers(0, 30 * 24))
        level, own = rng.normal(6, 2), rng.normal(-0.1, 0.3)
        same_time = rng.random() < 0.15
        for _ in range(k):
            hours = start if same_time else start + int(rng.integers(0, 8 * 7 * 24 // 12)) * 12
            peak = int(np.clip(round(level + own * (hours - start) / 168 + rng.normal(0, 1.5)), 0, 10))
            rows.append((f"person {p:02d}", _T0 + pd.Timedelta(hours=hours), peak))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


@pytest.mark.parametrize(("seed", "confidence"), [(11, 0.95), (12, 0.5), (13, 0.999)])
def test_unbalanced_cohort_with_ties_and_single_episode_people(seed: int, confidence: float) -> None:
    rows = _unbalanced(seed)
    d = _frame(rows)
    assert (d.groupby("g").size() == 1).any() and d.duplicated(["g", "x"]).any() and d.duplicated(["x"]).any()
    want = _reference(d, confidence)
    got = calmkit.peak_trend(_journal(rows), by=None, confidence=confidence).iloc[0]
    for col, value in want.items():
        assert got[col] == pytest.approx(value, rel=1e-9, abs=1e-12), col


def _fwl(x: np.ndarray, y: np.ndarray, g: np.ndarray, confidence: float) -> dict[str, float]:
    """The within fit by Frisch-Waugh-Lovell: statsmodels' OLS of demeaned y on demeaned x (no constant),
    clustered by person; its CR1 factor uses k = 1 where the dummy fit has k = G + 1."""
    counts = np.bincount(g)
    xd = x - (np.bincount(g, x) / counts)[g]
    yd = y - (np.bincount(g, y) / counts)[g]
    fit = sm.OLS(yd, xd).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
    n, people = len(y), len(counts)
    se = float(fit.bse[0]) * np.sqrt((n - 1) / (n - people - 1))
    q = stats.t.ppf(0.5 + confidence / 2, people - 1)  # statsmodels' clustered t: G - 1 degrees of freedom
    slope = float(fit.params[0])
    return {"slope_per_week": slope, "slope_se": se, "slope_ci_low": slope - q * se, "slope_ci_high": slope + q * se}


def test_the_frisch_waugh_lovell_reference_is_the_dummy_fit() -> None:
    rows = _unbalanced(21)
    d = _frame(rows)
    g = pd.factorize(d["g"])[0]
    short = _fwl(d["x"].to_numpy(), d["y"].to_numpy(), g, 0.9)
    full = _reference(d, 0.9)
    for col, value in short.items():
        assert value == pytest.approx(full[col], rel=1e-9), col


def test_a_hundred_thousand_people() -> None:
    pa = pytest.importorskip("pyarrow")
    rng = np.random.default_rng(40)
    people = 100_000
    k = rng.integers(1, 5, people)  # 1-4 episodes each
    n = int(k.sum())
    g = np.repeat(np.arange(people), k)
    start = rng.integers(0, 60 * 86_400, people)[g]  # seconds
    offset = rng.integers(0, 90 * 86_400, n)
    us = (_T0.value // 1000) + (start + offset).astype(np.int64) * 1_000_000
    level = rng.normal(6, 2, people)[g]
    peak = np.clip(np.round(level - 0.05 * offset / 604_800 + rng.normal(0, 1, n)), 0, 10).astype(np.int8)
    names = np.array([f"p{i:06d}" for i in range(people)], dtype=object)
    triggers = pa.table({
        "participant": pa.array(names[g], pa.string()).dictionary_encode(),
        "id": pa.array([f"t{i}" for i in range(n)], pa.string()),
        "time": pa.array(us, pa.timestamp("us", tz="UTC")),
        "offset_minutes": pa.array(np.zeros(n, np.int16)),
        "category": pa.array(["conflict"] * n).dictionary_encode(),
        "intensity": pa.array(peak),
    })
    journal = calmkit.Journal.from_arrow({"triggers": triggers})
    got = calmkit.peak_trend(journal, by=None).iloc[0]
    x = (us - us.min()) / _WEEK_US
    y = peak.astype(np.float64)
    want = _fwl(x, y, g, 0.95)
    for col, value in want.items():
        assert got[col] == pytest.approx(value, rel=1e-7), col
    assert got["episodes"] == n
    assert got["mean_peak"] == pytest.approx(y.mean(), rel=1e-12)
    assert got["span_weeks"] == pytest.approx(x.max(), rel=1e-12)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "10.5", "11", "-1", "null", "\"7\""])
def test_an_intensity_the_model_has_no_place_for_never_reaches_the_fit(value: str, tmp_path) -> None:
    # The fit takes y from the journal's int8 peaks: whatever a file says, a peak is an integer 0-10.
    good = json.dumps({"type": "trigger", "id": "t1", "time": "2026-03-02T08:00:00Z", "category": "conflict",
                       "intensity": 5})
    bad = ('{"type": "trigger", "id": "t2", "time": "2026-03-09T08:00:00Z", "category": "conflict", '
           '"intensity": %s}' % value)
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal(good + "\n" + bad + "\n")
    assert e.value.line == 2 and e.value.field in ("intensity", "")  # NaN and Infinity are no JSON at all
    # Lenient reading skips the line: the fit sees the good episode only.
    f = tmp_path / "j.jsonl"
    f.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    j, _ = calmkit.read_journal_with_report(f, lenient=True)
    t = calmkit.peak_trend(j, by=None).iloc[0]
    assert t["episodes"] == 1 and t["mean_peak"] == 5.0 and np.isnan(t["slope_per_week"])
