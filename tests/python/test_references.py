"""calmkit's numbers against implementations it did not write.

- Kaplan-Meier (curve, Greenwood log-log band, median and its
  Brookmeyer-Crowley interval, the quantiles of ``km_quantiles`` and theirs)
  against R's ``survival::survfit`` and ``quantile.survfit`` on more than
  1,000 random groups and hand-made hard cases, against an exact rational
  product-limit estimate written here with :mod:`fractions`, and against
  ``lifelines``;
- weekly trigger counts against pandas, the quasi-Poisson log-linear slope
  (SE, dispersion, t interval) and its fitted band against ``statsmodels``
  (GLM Poisson with ``scale="X2"``) and R's ``glm(family = quasipoisson)``,
  the rate ratio against R's ``poisson.test``, its dispersion against R's
  quasi-Poisson fit of the two-rate model and its interval against
  ``statsmodels``' Clopper-Pearson limits of the effective counts;
- MSSD and inertia (lag-1 autocorrelation) against R's ``psych::mssd`` and
  ``psych::autoR``.

R runs as ``Rscript`` in a subprocess; data go through CSV files in a
temporary folder (numbers written with 17 significant digits, so every double
survives the round trip). Where a reference follows another convention than
calmkit, the comparison checks that the difference is exactly that documented
convention (docs/metrics.md, "Conventions and other packages"):

- R's ``survfit`` median (``summary(fit)$table``) is the midpoint of a flat
  stretch of S = 0.5 followed by a later drop (within its tolerance
  sqrt(.Machine$double.eps)); calmkit's median is the start of that stretch,
  the smallest time with S <= 0.5. ``quantile(fit, probs)`` does the same
  for every quantile and, where S stays at exactly 1 - p to the end, takes the
  midpoint of calmkit's time and the last time.
- R's log-log band is NA before the first event (S = 1); calmkit's is [1, 1].
  Both are NA/NaN where S = 0.
- ``lifelines`` computes S as exp(sum(log(1 - d/n))), which misses an exact
  S = 1/2 by an ulp either way, so its median can be the next time. That is a
  defect of the reference, not followed: its median is compared only on groups
  without an exact half (the exact rational reference covers those).

Without R (with survival and psych), lifelines or statsmodels the test is
skipped, unless CALMKIT_REFERENCES=required (CI sets it): then it fails.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

REQUIRED = os.environ.get("CALMKIT_REFERENCES", "") == "required"


def _need(ok: bool, what: str) -> None:
    if not ok:
        if REQUIRED:
            pytest.fail(f"{what} is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip(f"{what} is not installed (tools/setup.sh installs it)")


def _r_available(*packages: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = "; ".join(f"suppressMessages(library({p}))" for p in packages) or "invisible(0)"
    return subprocess.run(["Rscript", "--vanilla", "-e", probe], capture_output=True).returncode == 0


def _rscript(tmp: Path, script: str, inputs: dict[str, pd.DataFrame], outputs: list[str]) -> dict[str, pd.DataFrame]:
    """Runs ``script`` with each input as ``<name>.csv`` in ``tmp`` (the
    working folder); returns the CSVs it wrote, by name."""
    for name, frame in inputs.items():
        frame.to_csv(tmp / f"{name}.csv", index=False, float_format="%.17g")
    (tmp / "script.R").write_text(script, encoding="utf-8")
    p = subprocess.run(["Rscript", "--vanilla", "script.R"], cwd=tmp, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"Rscript failed:\n{p.stderr}"
    return {name: pd.read_csv(tmp / f"{name}.csv", float_precision="round_trip") for name in outputs}


# R helper: every double with 17 significant digits, NA as "NA".
_R_WRITE = """
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_frame <- function(d, file) {
  for (k in names(d)) if (is.double(d[[k]])) d[[k]] <- fmt(d[[k]])
  write.csv(d, file, row.names = FALSE, quote = FALSE)
}
"""


# ---------------------------------------------------------------------------
# Kaplan-Meier

def _hard_cases() -> dict[str, tuple[list[float], list[int]]]:
    half_cens = ([1.0] * 5 + [2.0] * 5 + [3.0] * 8 + [4.0] * 12, [1] * 5 + [0] * 5 + [1] * 8 + [0] * 12)
    return {
        # S: 1 throughout; median NaN; no band.
        "all_censored": ([5.0, 10.0, 15.0, 15.0], [0, 0, 0, 0]),
        # S(k) = (9 - k)/9: median 5 (S = 4/9).
        "no_censoring": ([1.0, 2, 3, 4, 5, 6, 7, 8, 9], [1] * 9),
        # Issue 13: S(4) = 5/10 exactly, then 0.4 at 5: median 4 (R: 4.5).
        "flat_half_middle": ([1.0, 2, 2, 3, 4, 5, 6, 7, 8, 9], [1] * 10),
        # The same with 5..9 censored: S stays 1/2 to the end, median 4 (R: 4).
        "flat_half_end": ([1.0, 2, 2, 3, 4, 5, 6, 7, 8, 9], [1] * 5 + [0] * 5),
        # 30 episodes: 5/6 * 12/20 = 1/2 at t = 3 through a censored step.
        "half_through_censoring": half_cens,
        # Ties of calm events and censorings at the same times.
        "ties": ([10.0, 10, 10, 10, 20, 20, 30, 30, 30], [1, 1, 0, 0, 1, 0, 1, 0, 0]),
        # Episodes already calm at onset (time 0), and one censored at 0.
        "time_zero": ([0.0, 0, 0, 5, 10, 10], [1, 1, 0, 1, 0, 1]),
        "n1_calmed": ([5.0], [1]),
        "n1_censored": ([5.0], [0]),
        "n2_calmed": ([3.0, 7.0], [1, 1]),
        "n2_tie": ([4.0, 4.0], [1, 0]),
        "n2_censored_first": ([3.0, 7.0], [0, 1]),
        # Very large times (minutes; 7e13 min is about 130 million years).
        "large_times": ([1e7, 5e8, 5e8, 2e12, 7e13, 7e13], [1, 0, 1, 1, 1, 0]),
        # Many distinct times with an exact half at 500 of 1000.
        "n1000_half": ([float(i) for i in range(1, 1001)], [1] * 1000),
        # Exact quartiles without censoring: S(3) = 3/4, S(6) = 1/2, S(9) = 1/4 (R: midpoints).
        "quartiles_exact_12": ([float(i) for i in range(1, 13)], [1] * 12),
        # S = 3/4 reached through censorings: 9/10 * 5/6, then S flat at 3/4 to the end (all censored at 5).
        "quartile_through_censoring": ([1.0, 2, 2, 2, 3, 5, 5, 5, 5, 5], [1, 0, 0, 0, 1, 0, 0, 0, 0, 0]),
        # S = 1/10 exactly at the 9th of 10 (the 0.9 quantile), then 0.
        "tenth_exact": ([float(i) for i in range(1, 11)], [1] * 10),
        # S falls from 1 to 0 at one time: no band anywhere it is defined, median that time.
        "n2_both_calm_together": ([4.0, 4.0], [1, 1]),
        # S reaches 0 at 5 after a censoring at 3 (3/4, then both left at risk calm together).
        "zero_after_censoring": ([2.0, 3, 5, 5], [1, 0, 1, 1]),
        # All calm at onset (time 0): S(0) = 0.
        "all_calm_at_onset": ([0.0, 0.0, 0.0], [1, 1, 1]),
        # All censored at onset: S = 1, no median, no band.
        "all_censored_at_onset": ([0.0, 0.0], [0, 0]),
    }


def _random_groups(rng: np.random.Generator, count: int) -> dict[str, tuple[list[float], list[int]]]:
    out = {}
    for g in range(count):
        kind = g % 4
        n = int(rng.integers(1, 81))
        if kind == 0:  # coarse times: many ties, time-0 episodes
            t = rng.integers(0, 13, n) * 5.0
        elif kind == 1:  # continuous minutes
            t = np.round(rng.uniform(0, 720, n), 3)
        elif kind == 2:  # even n, distinct times, no censoring: S = 1/2 exactly at n/2
            n += n % 2
            t = np.sort(rng.choice(np.arange(1, 5 * n + 1), n, replace=False)).astype(float)
        else:  # few distinct times: censoring and calm events tie often
            t = rng.integers(0, 4, n) * 30.0
        p_calm = [0.0, 0.3, 0.6, 0.9, 1.0][int(rng.integers(0, 5))] if kind != 2 else 1.0
        c = (rng.random(n) < p_calm).astype(int)
        out[f"r{g:04d}"] = ([float(x) for x in t], [int(x) for x in c])
    return out


def _episode_frame(groups: dict[str, tuple[list[float], list[int]]]) -> pd.DataFrame:
    names = list(groups)
    sizes = [len(groups[k][0]) for k in names]
    n = sum(sizes)
    frame = pd.DataFrame({
        "participant": pd.Categorical(np.repeat(names, sizes), categories=sorted(names)),
        "onset": pd.Series(pd.Timestamp("2026-03-02T09:00:00Z")).repeat(n).reset_index(drop=True),
        "offset_minutes": np.zeros(n, dtype=np.int16),
        "category": pd.Categorical(["delayed_reply"] * n),
        "minutes": np.concatenate([groups[k][0] for k in names]),
        "calmed": np.concatenate([groups[k][1] for k in names]).astype(bool),
    })
    return frame


def _exact_km(t: list[float], c: list[int]) -> list[tuple[float, Fraction]]:
    """(time, S just after it) at each distinct time, in exact rationals."""
    out = []
    s = Fraction(1)
    for u in sorted(set(t)):
        n = sum(1 for x in t if x >= u)
        d = sum(1 for x, e in zip(t, c) if x == u and e)
        s *= Fraction(n - d, n)
        out.append((u, s))
    return out


def _exact_median(steps: list[tuple[float, Fraction]]) -> float:
    return next((u for u, s in steps if s <= Fraction(1, 2)), math.nan)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(scope="module")
def km_groups() -> dict[str, tuple[list[float], list[int]]]:
    groups = _hard_cases()
    groups.update(_random_groups(np.random.default_rng(20261129), 1200))
    return groups


@pytest.fixture(scope="module")
def km_calmkit(km_groups):
    frame = _episode_frame(km_groups)
    summary = calmkit.time_to_calm_summary(frame, by="participant").set_index("participant")
    curve = calmkit.km_curve(frame, by="participant")
    curve = curve.rename(columns={curve.columns[0]: "group"})
    return summary, curve


def test_hand_computed_medians_of_the_hard_cases(km_calmkit) -> None:
    summary, curve = km_calmkit
    med = summary["median_minutes"]
    # S(4) = 1 * 9/10 * 7/9 * 6/7 * 5/6 = 5/10: the median is 4, censored tail or not.
    assert med["flat_half_middle"] == 4.0 and med["flat_half_end"] == 4.0
    assert med["half_through_censoring"] == 3.0  # 5/6 * 12/20 = 1/2
    assert med["n1000_half"] == 500.0
    assert med["no_censoring"] == 5.0  # S(4) = 5/9 > 1/2, S(5) = 4/9
    assert math.isnan(med["all_censored"]) and math.isnan(med["n1_censored"])
    # One episode calmed at 5: median 5, no interval on either side (was [5, 5]).
    row = summary.loc["n1_calmed"]
    assert row["median_minutes"] == 5.0 and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    # The curve says S = 0.5 exactly where the rational is 1/2.
    half = curve[(curve["group"] == "flat_half_middle") & (curve["minutes"] == 4.0)]
    assert half["survival"].tolist() == [0.5]
    zero = curve[(curve["group"] == "n1_calmed")]
    assert zero["survival"].tolist() == [0.0] and zero["ci_low"].isna().all() and zero["ci_high"].isna().all()


def test_hand_computed_quantiles_and_undefined_bands_of_the_new_hard_cases(km_calmkit) -> None:
    # Reviewer cases (issue 13, "others of the same kinds"): exact ties at
    # other quantiles than the median, and the band where S = 0 or S = 1.
    summary, curve = km_calmkit
    q = calmkit.km_quantiles(_episode_frame(_hard_cases()), p=(0.25, 0.5, 0.75, 0.9), by="participant")
    q = q.assign(participant=q["participant"].astype(str)).set_index(["participant", "p"])["minutes"]
    assert [q[("quartiles_exact_12", p)] for p in (0.25, 0.5, 0.75)] == [3.0, 6.0, 9.0]
    assert q[("quartile_through_censoring", 0.25)] == 3.0 and math.isnan(q[("quartile_through_censoring", 0.5)])
    assert q[("tenth_exact", 0.9)] == 9.0
    c = curve.assign(group=curve["group"].astype(str))
    for name, at in (("n2_both_calm_together", 4.0), ("zero_after_censoring", 5.0), ("all_calm_at_onset", 0.0)):
        row = summary.loc[name]
        assert row["median_minutes"] == at and math.isnan(row["ci_high"]), name  # no upper limit where S = 0
        if name != "zero_after_censoring":  # its S = 3/4 at 2 has a band, so a lower limit
            assert math.isnan(row["ci_low"]), name
        zero = c[(c["group"] == name) & (c["minutes"] >= at)]
        assert (zero["survival"] == 0.0).all() and zero["ci_low"].isna().all() and zero["ci_high"].isna().all()
    # S = 1 throughout: no median, no interval; the curve's band is [1, 1] (R: NA), documented.
    row = summary.loc["all_censored_at_onset"]
    assert math.isnan(row["median_minutes"]) and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    ones = c[c["group"] == "all_censored_at_onset"]
    assert (ones["survival"] == 1.0).all() and (ones["ci_low"] == 1.0).all() and (ones["ci_high"] == 1.0).all()
    # Where S = 1/4 exactly before a drop, the band there is finite (defined).
    quarter = c[(c["group"] == "quartiles_exact_12") & (c["minutes"] == 9.0)].iloc[0]
    assert quarter["survival"] == 0.25 and 0 < quarter["ci_low"] < 0.25 < quarter["ci_high"] < 1


def test_km_against_exact_rationals(km_groups, km_calmkit) -> None:
    summary, curve = km_calmkit
    by_group = dict(tuple(curve.groupby("group", observed=True)))
    halves = 0
    for name, (t, c) in km_groups.items():
        steps = _exact_km(t, c)
        got = by_group[name]
        assert got["minutes"].tolist() == [u for u, _ in steps], name
        for (u, s), x in zip(steps, got["survival"]):
            if s == Fraction(1, 2):
                halves += 1
                assert x == 0.5, (name, u)
            assert x == pytest.approx(float(s), rel=1e-13, abs=1e-300), (name, u)
            assert (x <= 0.5) == (s <= Fraction(1, 2)), (name, u)
        assert _same(summary.loc[name, "median_minutes"], _exact_median(steps)), name
    assert halves > 250  # the exact-half decisions are exercised, not only ordinary steps


_SURVFIT = _R_WRITE + """
suppressMessages(library(survival))
d <- read.csv("episodes.csv")
d$group <- factor(d$group, levels = unique(d$group))
fit <- survfit(Surv(minutes, calmed) ~ group, data = d, conf.type = "log-log", conf.int = 0.95,
               timefix = FALSE)
strata <- rep(sub("^group=", "", names(fit$strata)), fit$strata)
write_frame(data.frame(group = strata, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
                       n_censor = fit$n.censor, surv = fit$surv, lower = fit$lower, upper = fit$upper),
            "curve.csv")
tab <- summary(fit)$table
# calmkit's median in R (docs/metrics.md): the first time with S <= 0.5, R's tolerance.
first_half <- sapply(seq_along(fit$strata), function(i) {
  z <- fit[i]
  with(z, time[which(surv <= 0.5 + sqrt(.Machine$double.eps))[1]])
})
write_frame(data.frame(group = sub("^group=", "", rownames(tab)), median = tab[, "median"],
                       lcl = tab[, "0.95LCL"], ucl = tab[, "0.95UCL"], first_half = first_half), "table.csv")
"""


def test_km_against_r_survfit(km_groups, km_calmkit, tmp_path) -> None:
    _need(_r_available("survival"), "R with the survival package (r-base-core, r-cran-survival)")
    summary, curve = km_calmkit
    rows = [(g, x, e) for g, (t, c) in km_groups.items() for x, e in zip(t, c)]
    episodes = pd.DataFrame(rows, columns=["group", "minutes", "calmed"])
    r = _rscript(tmp_path, _SURVFIT, {"episodes": episodes}, ["curve", "table"])
    rc, rt = r["curve"], r["table"].set_index("group")
    rc["group"] = rc["group"].astype(str)
    rt.index = rt.index.astype(str)
    assert len(rt) == len(km_groups)

    # The step function: same times and counts; S and the band to rounding.
    mine = curve.assign(group=curve["group"].astype(str)).reset_index(drop=True)
    assert len(mine) == len(rc)
    rc = rc.set_index(["group", "time"]).loc[list(zip(mine["group"], mine["minutes"]))].reset_index()
    assert (rc["n_risk"].to_numpy() == mine["at_risk"].to_numpy()).all()
    assert (rc["n_event"].to_numpy() == mine["events"].to_numpy()).all()
    assert (rc["n_censor"].to_numpy() == mine["censored"].to_numpy()).all()
    np.testing.assert_allclose(mine["survival"], rc["surv"], rtol=1e-12, atol=1e-300)
    s = mine["survival"].to_numpy()
    inside = (s > 0) & (s < 1)
    for mine_col, r_col in (("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_allclose(mine[mine_col].to_numpy()[inside], rc[r_col].to_numpy()[inside], rtol=1e-9)
        # Convention: S = 0 -> both undefined; S = 1 (no event yet) -> R NA, calmkit 1.
        assert mine[mine_col][s == 0].isna().all() and rc[r_col][s == 0].isna().all()
        assert (mine[mine_col][s == 1] == 1.0).all() and rc[r_col][s == 1].isna().all()

    # The median and its interval.
    by_group = dict(tuple(mine.groupby("group")))
    midpoints = 0
    for name in km_groups:
        got, ref = summary.loc[name], rt.loc[name]
        for mine_col, r_col in (("ci_low", "lcl"), ("ci_high", "ucl")):
            assert _same(got[mine_col], ref[r_col]), (name, mine_col, got[mine_col], ref[r_col])
        assert _same(got["median_minutes"], ref["first_half"]), name  # the documented R call
        if _same(got["median_minutes"], ref["median"]):
            continue
        # The only difference allowed: R's midpoint of a flat S = 1/2 stretch
        # that a later calm event ends; calmkit takes the stretch's start.
        g = by_group[name]
        at = g.index[g["minutes"] == got["median_minutes"]][0]
        assert g.loc[at, "survival"] == 0.5, name
        later = g[(g.index > at) & (g["survival"] < 0.5)]
        assert ref["median"] == (got["median_minutes"] + later["minutes"].iloc[0]) / 2, name
        midpoints += 1
    assert midpoints >= 100  # the convention difference is exercised (even groups of kind 2)


_PROBS = [0.1, 0.25, 0.5, 0.75, 0.9]

_SURVFIT_QUANTILES = _R_WRITE + """
suppressMessages(library(survival))
d <- read.csv("episodes.csv")
d$group <- factor(d$group, levels = unique(d$group))
fit <- survfit(Surv(minutes, calmed) ~ group, data = d, conf.type = "log-log", conf.int = 0.95,
               timefix = FALSE)
probs <- c(%s)
q <- quantile(fit, probs = probs, conf.int = TRUE)
groups <- sub("^group=", "", rownames(q$quantile))
# calmkit's quantile in R (docs/metrics.md): the first time with S <= 1 - p, R's tolerance.
first_at <- t(sapply(seq_along(fit$strata), function(i) {
  z <- fit[i]
  sapply(probs, function(p) with(z, time[which(surv <= 1 - p + sqrt(.Machine$double.eps))[1]]))
}))
write_frame(data.frame(group = rep(groups, times = length(probs)), p = rep(probs, each = length(groups)),
                       quantile = as.vector(q$quantile), lower = as.vector(q$lower),
                       upper = as.vector(q$upper), first_at = as.vector(first_at)), "quantiles.csv")
""" % ", ".join(repr(p) for p in _PROBS)


@pytest.fixture(scope="module")
def km_quantiles_calmkit(km_groups):
    q = calmkit.km_quantiles(_episode_frame(km_groups), p=_PROBS, by="participant")
    return q.assign(participant=q["participant"].astype(str)).set_index(["participant", "p"])


def test_km_quantiles_against_exact_rationals(km_groups, km_quantiles_calmkit, km_calmkit) -> None:
    summary, _ = km_calmkit
    q = km_quantiles_calmkit
    assert len(q) == len(km_groups) * len(_PROBS)
    exact_hits = 0
    for name, (t, c) in km_groups.items():
        steps = _exact_km(t, c)
        for p in _PROBS:
            # p as the decimal it is written as: 0.9 is 9/10, so S = 1/10 exactly reaches it.
            level = 1 - Fraction(str(p))
            expect = next((u for u, s in steps if s <= level), math.nan)
            exact_hits += any(s == level for _, s in steps)
            assert _same(q.loc[(name, p), "minutes"], expect), (name, p)
        # p = 0.5 is the summary's median and interval, bit for bit.
        for mine, theirs in (("minutes", "median_minutes"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            assert _same(q.loc[(name, 0.5), mine], summary.loc[name, theirs]), (name, mine)
    assert exact_hits > 400  # exact quartiles and tenths are exercised, not only ordinary steps


def test_km_quantiles_against_r_quantile_survfit(km_groups, km_quantiles_calmkit, km_calmkit, tmp_path) -> None:
    _need(_r_available("survival"), "R with the survival package (r-base-core, r-cran-survival)")
    _, curve = km_calmkit
    rows = [(g, x, e) for g, (t, c) in km_groups.items() for x, e in zip(t, c)]
    episodes = pd.DataFrame(rows, columns=["group", "minutes", "calmed"])
    r = _rscript(tmp_path, _SURVFIT_QUANTILES, {"episodes": episodes}, ["quantiles"])["quantiles"]
    r = r.assign(group=r["group"].astype(str)).set_index(["group", "p"])
    q = km_quantiles_calmkit
    assert len(r) == len(q)
    by_group = dict(tuple(curve.assign(group=curve["group"].astype(str)).groupby("group")))
    midpoints = {"stretch": 0, "end": 0}
    for (name, p), got in q.iterrows():
        ref = r.loc[(name, p)]
        # The interval: R's quantile() inverts the same log-log band.
        for mine_col, r_col in (("ci_low", "lower"), ("ci_high", "upper")):
            assert _same(got[mine_col], ref[r_col]), (name, p, mine_col, got[mine_col], ref[r_col])
        assert _same(got["minutes"], ref["first_at"]), (name, p)  # the documented R call
        if _same(got["minutes"], ref["quantile"]):
            continue
        # The only difference allowed: S flat at exactly 1 - p from calmkit's
        # time on. R takes the midpoint of that time and the next drop below
        # 1 - p, or, when S stays at 1 - p to the end, of that time and the last time.
        g = by_group[name].reset_index(drop=True)
        at = int(g.index[g["minutes"] == got["minutes"]][0])
        level = 1 - Fraction(str(p))
        assert Fraction(g.loc[at, "survival"]) == level or abs(g.loc[at, "survival"] - float(level)) < 1e-12, \
            (name, p)
        later = g[(g.index > at) & (g["survival"] < float(level) - 1e-12)]
        if len(later):
            assert ref["quantile"] == (got["minutes"] + later["minutes"].iloc[0]) / 2, (name, p)
            midpoints["stretch"] += 1
        else:
            assert ref["quantile"] == (got["minutes"] + g["minutes"].iloc[-1]) / 2, (name, p)
            midpoints["end"] += 1
    assert midpoints["stretch"] >= 100 and midpoints["end"] >= 1, midpoints


def test_km_against_lifelines(km_groups, km_calmkit) -> None:
    try:
        from lifelines import KaplanMeierFitter
    except ImportError:
        _need(False, "lifelines (pip)")
    summary, curve = km_calmkit
    by_group = dict(tuple(curve.assign(group=curve["group"].astype(str)).groupby("group")))
    compared = 0
    for name, (t, c) in km_groups.items():
        if len(t) > 200:
            continue
        kmf = KaplanMeierFitter().fit(t, event_observed=c)
        sf = kmf.survival_function_.iloc[:, 0]
        mine = by_group[name].set_index("minutes")["survival"]
        np.testing.assert_allclose(sf.reindex(mine.index).to_numpy(), mine.to_numpy(), rtol=1e-12)
        if any(s == Fraction(1, 2) for _, s in _exact_km(t, c)):
            continue  # lifelines' exp-of-sum misses exact halves: not a reference there
        theirs = float(kmf.median_survival_time_)
        mine_median = summary.loc[name, "median_minutes"]
        assert _same(mine_median, math.nan if math.isinf(theirs) else theirs), name
        compared += 1
    assert compared > 500
    # The documented case: 1..6 all calmed has S(3) = 3/6 exactly. calmkit: 3. lifelines
    # (exp of a sum of logs) got 4 when this was written; with 4..6 censored, inf.
    six = _episode_frame({"six": ([1.0, 2, 3, 4, 5, 6], [1] * 6), "six_c": ([1.0, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0])})
    assert calmkit.time_to_calm_summary(six, by="participant")["median_minutes"].tolist() == [3.0, 3.0]
    assert KaplanMeierFitter().fit([1, 2, 3, 4, 5, 6], event_observed=[1] * 6).median_survival_time_ in (3.0, 4.0)


# ---------------------------------------------------------------------------
# Trigger frequency and trends

def _iso(ts: pd.Timestamp, offset_minutes: int) -> str:
    local = ts + pd.Timedelta(minutes=offset_minutes)
    sign = "+" if offset_minutes >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"


@pytest.fixture(scope="module")
def frequency_cohort():
    """A random cohort and, as plain rows, every record's (participant, UTC
    time, offset): triggers with a weekly trend, readings, and
    self-assessments that often come before the first or after the last
    trigger (they belong to the span too)."""
    rng = np.random.default_rng(7)
    j = calmkit.Journal()
    rows = []  # (participant, kind, utc, offset_minutes)
    for p in range(60):
        name = f"p{p:02d}"
        offsets = [[0], [60, 120], [-300, -240], [330], [540], [-600]][p % 6]
        start = pd.Timestamp("2026-01-05T00:00:00Z") + pd.Timedelta(days=int(rng.integers(0, 60)))
        weeks = int(rng.integers(1, 16))
        beta = rng.normal(0, 0.15)
        base = rng.uniform(0.2, 4)
        k = 0
        for w in range(weeks):
            for _ in range(int(rng.poisson(base * math.exp(beta * w)))):
                t = start + pd.Timedelta(days=7 * w) + pd.Timedelta(minutes=int(rng.integers(0, 7 * 24 * 60)))
                off = int(rng.choice(offsets))
                k += 1
                j.add(calmkit.Trigger(participant=name, id=f"t{k}", time=_iso(t, off), category="conflict",
                                      intensity=int(rng.integers(4, 11))))
                rows.append((name, "trigger", t, off))
                if rng.random() < 0.5:
                    r = t + pd.Timedelta(minutes=int(rng.integers(5, 300)))
                    j.add(calmkit.Reading(participant=name, time=_iso(r, off), intensity=int(rng.integers(0, 11))))
                    rows.append((name, "reading", r, off))
        for a in range(int(rng.integers(0, 3))):  # a GAD-7 up to 5 weeks before the start or after the end
            t = start + pd.Timedelta(days=int(rng.integers(-35, 7 * weeks + 35)), hours=int(rng.integers(0, 24)))
            off = int(rng.choice(offsets))
            j.add(calmkit.Assessment(participant=name, id=f"a{a}", time=_iso(t, off), instrument="gad-7",
                                     answers=[int(x) for x in rng.integers(0, 4, 7)]))
            rows.append((name, "assessment", t, off))
    records = pd.DataFrame(rows, columns=["participant", "kind", "utc", "offset"])
    return j, records


def _pandas_weekly(records: pd.DataFrame) -> pd.DataFrame:
    """Weekly trigger counts the way a researcher writes them with pandas."""
    local_date = (records["utc"].dt.tz_localize(None) + pd.to_timedelta(records["offset"], unit="min")).dt.normalize()
    week = local_date - pd.to_timedelta(local_date.dt.weekday, unit="D")
    r = records.assign(week=week)
    frames = []
    for p, g in r.groupby("participant"):
        weeks = pd.date_range(g["week"].min(), g["week"].max(), freq="7D")  # span: records of any type
        counts = g[g["kind"] == "trigger"].groupby("week").size().reindex(weeks, fill_value=0)
        # Exposure: days of each week inside the span (first to last local date).
        first, last = local_date[g.index].min(), local_date[g.index].max()
        days = [(min(last, w + pd.Timedelta(days=6)) - max(first, w)).days + 1 for w in weeks]
        frames.append(pd.DataFrame({"participant": p, "period_start": weeks, "count": counts.to_numpy(),
                                    "days": days}))
    return pd.concat(frames, ignore_index=True)


def test_weekly_counts_against_pandas(frequency_cohort) -> None:
    j, records = frequency_cohort
    mine = calmkit.trigger_frequency(j, "week")
    ref = _pandas_weekly(records)
    assert mine["participant"].astype(str).tolist() == ref["participant"].tolist()
    assert (mine["period_start"].to_numpy() == ref["period_start"].to_numpy()).all()
    assert mine["count"].tolist() == ref["count"].tolist()
    # The assessments matter: without them the spans would be shorter.
    assert len(_pandas_weekly(records[records["kind"] != "assessment"])) < len(ref)


def _statsmodels_quasi_poisson(y: np.ndarray, days: np.ndarray):
    """statsmodels' quasi-Poisson fit of log-linear weekly counts with offset
    log(days / 7): GLM Poisson with the Pearson scale (``scale="X2"``, what R's
    ``glm(family = quasipoisson)`` does) and t quantiles on its residual
    degrees of freedom (``use_t=True``); weeks without exposure left out."""
    import statsmodels.api as sm

    x = sm.add_constant(np.arange(len(y), dtype=float))
    seen = days > 0
    return sm.GLM(y[seen], x[seen], family=sm.families.Poisson(), offset=np.log(days[seen] / 7)).fit(
        scale="X2", use_t=True, tol=1e-14, maxiter=200)


def test_quasi_poisson_slope_against_statsmodels(frequency_cohort) -> None:
    try:
        import statsmodels.api  # noqa: F401
    except ImportError:
        _need(False, "statsmodels (pip)")
    j, records = frequency_cohort
    trend = calmkit.trigger_trend(j).set_index("participant")
    weekly = _pandas_weekly(records)
    fitted = short = 0
    for p, g in weekly.groupby("participant"):
        y = g["count"].to_numpy(float)
        row = trend.loc[p]
        assert row["weeks"] == len(y)
        nonzero = np.flatnonzero(y)
        degenerate = len(y) < 2 or len(nonzero) == 0 or nonzero[0] == nonzero[-1] and nonzero[0] in (0, len(y) - 1)
        if degenerate:  # no finite MLE (or nothing to fit): calmkit reports NaN
            assert math.isnan(row["slope_per_week"]), p
            continue
        if len(y) == 2:  # no residual degrees of freedom: a slope (the saturated fit), no dispersion, SE or interval
            rates = y / g["days"].to_numpy(float)
            assert row["slope_per_week"] == pytest.approx(math.log(rates[1] / rates[0]), rel=1e-12), p
            assert np.isnan(row[["dispersion", "slope_se", "slope_ci_low", "slope_ci_high"]].to_numpy(float)).all(), p
            short += 1
            continue
        fit = _statsmodels_quasi_poisson(y, g["days"].to_numpy(float))
        lo, hi = fit.conf_int(alpha=0.05)[1]
        np.testing.assert_allclose(
            row[["slope_per_week", "slope_se", "dispersion", "slope_ci_low", "slope_ci_high"]].to_numpy(float),
            [fit.params[1], fit.bse[1], fit.scale, lo, hi], rtol=1e-8, atol=1e-12, err_msg=p)
        assert row["weekly_change_pct"] == pytest.approx(100 * math.expm1(fit.params[1]), rel=1e-8)
        fitted += 1
    assert fitted > 30 and short > 0


_R_QUASIPOISSON = _R_WRITE + """
d <- read.csv("weeks.csv")
out <- do.call(rbind, lapply(split(d, factor(d$participant, levels = unique(d$participant))), function(g) {
  g <- g[g$days > 0, ]
  x <- g$week
  m <- glm(count ~ x + offset(log(days / 7)), family = quasipoisson, data = cbind(g, x = x),
           control = glm.control(epsilon = 1e-15, maxit = 100))
  s <- summary(m)
  b <- unname(coef(m)[2]); se <- s$coefficients[2, 2]; tq <- qt(0.975, s$df.residual)
  data.frame(participant = g$participant[1], slope = b, se = se, dispersion = s$dispersion,
             lo = b - tq * se, hi = b + tq * se)
}))
write_frame(out, "fits.csv")
"""


def test_quasi_poisson_slope_against_r_glm(frequency_cohort, tmp_path) -> None:
    _need(_r_available(), "R (r-base-core)")
    j, records = frequency_cohort
    trend = calmkit.trigger_trend(j).set_index("participant")
    weekly = _pandas_weekly(records)
    weekly["week"] = weekly.groupby("participant").cumcount()
    usable = trend.index[trend["dispersion"].notna()].astype(str)
    assert len(usable) > 30
    r = _rscript(tmp_path, _R_QUASIPOISSON, {"weeks": weekly[weekly["participant"].isin(usable)]},
                 ["fits"])["fits"].set_index("participant")
    cols = ["slope_per_week", "slope_se", "dispersion", "slope_ci_low", "slope_ci_high"]
    # R's IRLS stops on a relative deviance change of epsilon, a few ulps of the
    # deviance: its estimates agree to about 1e-8 of their size, not to rounding.
    np.testing.assert_allclose(trend.loc[r.index, cols].to_numpy(float),
                               r[["slope", "se", "dispersion", "lo", "hi"]].to_numpy(float), rtol=1e-7, atol=1e-10)


def _statsmodels_band(y: np.ndarray, days: np.ndarray) -> np.ndarray:
    """(fitted, low, high) per week of the quasi-Poisson log-linear fit with
    offset log(days / 7), at an exposure of one full week, from statsmodels'
    GLM (weeks without exposure are left out of the fit, not of the prediction)."""
    import statsmodels.api as sm

    x = sm.add_constant(np.arange(len(y), dtype=float))
    fit = _statsmodels_quasi_poisson(y, days)
    pred = fit.get_prediction(x, offset=np.zeros(len(y))).summary_frame(alpha=0.05)
    return pred[["mean", "mean_ci_lower", "mean_ci_upper"]].to_numpy()


def test_trend_band_against_statsmodels(frequency_cohort) -> None:
    # The trend line and band of the triggers-per-week chart: trigger_trend_weeks against statsmodels'
    # prediction interval of the same GLM, on weekly counts and exposures written with pandas.
    try:
        import statsmodels.api  # noqa: F401
    except ImportError:
        _need(False, "statsmodels (pip)")
    j, records = frequency_cohort
    weeks = calmkit.trigger_trend_weeks(j)
    trend = calmkit.trigger_trend(j).set_index("participant")
    ref = _pandas_weekly(records)
    assert weeks["participant"].astype(str).tolist() == ref["participant"].tolist()
    assert (weeks["period_start"].to_numpy() == ref["period_start"].to_numpy()).all()
    assert weeks["count"].tolist() == ref["count"].tolist() and weeks["days"].tolist() == ref["days"].tolist()
    cols = ["fitted", "fitted_ci_low", "fitted_ci_high"]
    fitted = 0
    for p, g in weeks.groupby("participant", observed=True):
        mine = g[cols].to_numpy()
        if math.isnan(trend.loc[p, "slope_per_week"]):  # no finite MLE: no line, no band
            assert np.isnan(mine).all(), p
            continue
        if len(g) == 2:  # no residual degrees of freedom: the line without a band
            assert np.isnan(mine[:, 1:]).all() and not np.isnan(mine[:, 0]).any(), p
            continue
        np.testing.assert_allclose(mine, _statsmodels_band(g["count"].to_numpy(float), g["days"].to_numpy(float)),
                                   rtol=1e-7, err_msg=p)
        assert mine[0, 0] == trend.loc[p, "fitted_first"] and mine[-1, 0] == trend.loc[p, "fitted_last"]
        assert (mine[:, 1] < mine[:, 0]).all() and (mine[:, 0] < mine[:, 2]).all()
        fitted += 1
    assert fitted > 30
    # The pooled series (by=None): person-days as the exposure, the same fit.
    pooled = calmkit.trigger_trend_weeks(j, by=None)
    assert "participant" not in pooled.columns
    summed = ref.groupby("period_start")[["count", "days"]].sum()
    full = summed.reindex(pd.date_range(summed.index.min(), summed.index.max(), freq="7D"), fill_value=0)
    assert (pooled["period_start"].to_numpy() == full.index.to_numpy()).all()
    assert pooled["count"].tolist() == full["count"].tolist() and pooled["days"].tolist() == full["days"].tolist()
    np.testing.assert_allclose(pooled[cols].to_numpy(),
                               _statsmodels_band(full["count"].to_numpy(float), full["days"].to_numpy(float)),
                               rtol=1e-7)
    p_trend = calmkit.trigger_trend(j, by=None).iloc[0]
    assert pooled["fitted"].iloc[0] == p_trend["fitted_first"] and pooled["fitted"].iloc[-1] == p_trend["fitted_last"]


_R_PERIOD_MODEL = _R_WRITE + """
d <- read.csv("weeks.csv")
out <- do.call(rbind, lapply(split(d, factor(d$participant, levels = unique(d$participant))), function(g) {
  last <- factor(g$last, levels = c(0, 1))
  m <- glm(count ~ last + offset(log(days)), family = quasipoisson, data = g,
           control = glm.control(epsilon = 1e-15, maxit = 100))
  s <- summary(m)
  pt <- poisson.test(c(sum(g$count[g$last == 1]), sum(g$count[g$last == 0])),
                     c(sum(g$days[g$last == 1]), sum(g$days[g$last == 0])))
  data.frame(participant = g$participant[1], rr = unname(pt$estimate), dispersion = s$dispersion,
             df = s$df.residual, t = qt(0.975, s$df.residual))
}))
write_frame(out, "rr.csv")
"""


def test_rate_ratio_against_r_quasipoisson(frequency_cohort, tmp_path) -> None:
    # The ratio against R's poisson.test; its dispersion against R's quasi-Poisson
    # fit of the two-rate model on the last 2k weeks (count ~ half + offset(log(days)));
    # the interval against the Clopper-Pearson limits of statsmodels'
    # proportion_confint(method="beta") on the counts divided by
    # s = dispersion (t / z)^2, with R's t quantile.
    _need(_r_available(), "R (r-base-core)")
    try:
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:
        _need(False, "statsmodels (pip)")
    j, records = frequency_cohort
    k = 4
    trend = calmkit.trigger_trend(j, k=k).set_index("participant")
    weekly = _pandas_weekly(records)
    rows, frames = [], []
    for p, g in weekly.groupby("participant"):
        y = g["count"].to_numpy()
        row = trend.loc[p]
        if len(y) < 2 * k:
            assert math.isnan(row["rate_ratio"]) and math.isnan(row["rr_ci_low"]), p
            assert math.isnan(row["rr_dispersion"]), p
            continue
        a, b = int(y[-k:].sum()), int(y[-2 * k:-k].sum())
        e = g["days"].to_numpy()
        ea, eb = int(e[-k:].sum()), int(e[-2 * k:-k].sum())
        assert (row["last_k_count"], row["prev_k_count"]) == (a, b), p
        assert (row["last_k_days"], row["prev_k_days"]) == (ea, eb), p
        if a > 0 and b > 0:  # R's glm has no finite estimate for an empty half
            rows.append((p, a, b, ea, eb))
            frames.append(g.iloc[-2 * k:].assign(last=[0] * k + [1] * k))
    assert len(rows) > 15
    r = _rscript(tmp_path, _R_PERIOD_MODEL, {"weeks": pd.concat(frames)}, ["rr"])["rr"].set_index("participant")
    z = 1.959963984540054
    for p, a, b, ea, eb in rows:
        row = trend.loc[p]
        ref = r.loc[p]
        assert ref["df"] == 2 * k - 2
        assert row["rate_ratio"] == pytest.approx(ref["rr"], rel=1e-12), p
        # R stops on its deviance criterion, flat at the optimum: its fitted rates
        # are good to about 1e-8 of their size (the slope test says more).
        assert row["rr_dispersion"] == pytest.approx(ref["dispersion"], rel=1e-7), p
        s = row["rr_dispersion"] * (ref["t"] / z) ** 2
        lo, hi = proportion_confint(a / s, (a + b) / s, alpha=0.05, method="beta")
        np.testing.assert_allclose(row[["rr_ci_low", "rr_ci_high"]].to_numpy(float),
                                   [lo / (1 - lo) * eb / ea, hi / (1 - hi) * eb / ea], rtol=1e-9, err_msg=p)


# ---------------------------------------------------------------------------
# Affect dynamics

_PSYCH = _R_WRITE + """
suppressMessages(library(psych))
d <- read.csv("series.csv")
out <- do.call(rbind, lapply(split(d, factor(d$participant, levels = unique(d$participant))), function(g) {
  x <- g$intensity
  data.frame(participant = g$participant[1], mssd = psych::mssd(x), inertia = psych::autoR(x)$autoR)
}))
write_frame(out, "dyn.csv")
"""


def test_mssd_and_inertia_against_psych(tmp_path) -> None:
    _need(_r_available("psych"), "R with the psych package (r-cran-psych)")
    rng = np.random.default_rng(11)
    j = calmkit.Journal()
    rows = []
    for p in range(40):
        name = f"d{p:02d}"
        n = int(rng.integers(3, 40))
        x = np.clip(np.round(5 + np.cumsum(rng.normal(0, 1.5, n))), 0, 10).astype(int)
        start = pd.Timestamp("2026-04-01T07:00:00Z") + pd.Timedelta(days=p)
        for i in range(n):  # one local day (offset 0): no pair crosses a gap
            j.add(calmkit.Reading(participant=name, time=_iso(start + pd.Timedelta(minutes=20 * i), 0),
                                  intensity=int(x[i])))
            rows.append((name, int(x[i])))
    series = pd.DataFrame(rows, columns=["participant", "intensity"])
    ref = _rscript(tmp_path, _PSYCH, {"series": series}, ["dyn"])["dyn"].set_index("participant")
    mine = calmkit.affect_dynamics(j).set_index("participant")
    checked = 0
    for p, g in series.groupby("participant"):
        x = g["intensity"].to_numpy(float)
        assert mine.loc[p, "mssd"] == pytest.approx(ref.loc[p, "mssd"], rel=1e-12), p
        assert mine.loc[p, "rmssd"] == pytest.approx(math.sqrt(ref.loc[p, "mssd"]), rel=1e-12), p
        r_inertia = ref.loc[p, "inertia"]
        if mine.loc[p, "pairs"] < 3 or np.isnan(r_inertia):  # calmkit: NaN below 3 pairs or without variance
            assert math.isnan(mine.loc[p, "inertia"]), p
        else:
            assert mine.loc[p, "inertia"] == pytest.approx(r_inertia, rel=1e-10, abs=1e-12), p
            checked += 1
        assert mine.loc[p, "pac"] == pytest.approx(np.mean(np.abs(np.diff(x)) >= 3), rel=1e-12), p
    assert checked > 30


# ---------------------------------------------------------------------------
# Episodes of several people whose records interleave, pooled and per person

def _interleaved_journal(seed: int) -> calmkit.Journal:
    """Five people over the same three days: triggers (distinct times per
    person, some already calm at onset), readings linked to them (some timed
    before their trigger, which the definition ignores) and many unlinked
    readings at random times, so that every person's unlinked readings fall
    near other people's triggers."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-02T00:00:00Z")
    j = calmkit.Journal()
    for k in range(5):
        who = f"P{k}"
        minutes = rng.choice(3 * 24 * 60, size=12, replace=False)
        for n, m in enumerate(sorted(minutes)):
            onset = start + pd.Timedelta(minutes=int(m))
            j.add(calmkit.Trigger(participant=who, id=f"t{n}", time=onset.isoformat(), category="conflict",
                                  intensity=int(rng.choice([2, 5, 6, 7, 8, 9]))))
            for r in range(int(rng.integers(0, 4))):
                at = onset + pd.Timedelta(minutes=int(rng.integers(-30, 300)))
                j.add(calmkit.Reading(participant=who, id=f"l{n}-{r}", time=at.isoformat(),
                                      intensity=int(rng.integers(0, 10)), trigger=f"t{n}"))
        for r, m in enumerate(rng.integers(0, 3 * 24 * 60 + 240, size=40)):
            at = start + pd.Timedelta(minutes=int(m))
            j.add(calmkit.Reading(participant=who, id=f"u{r}", time=at.isoformat(), intensity=int(rng.integers(0, 10))))
    return j


def _episodes_by_pandas(j: calmkit.Journal, threshold: int, window_hours: float) -> pd.DataFrame:
    """docs/metrics.md's definition of an episode, written out on the record
    frames: observations are the trigger's linked readings at or after onset
    and the same person's unlinked readings in [onset, onset + window] before
    their next trigger; calm at the first observation at or below the
    threshold (0 when the onset is), else censored at the last observation."""
    t = j.triggers.to_pandas().assign(participant=lambda f: f["participant"].astype(str))
    r = j.readings.to_pandas().assign(participant=lambda f: f["participant"].astype(str))
    rows = []
    for who, tr in t.groupby("participant"):
        tr = tr.sort_values("time")
        mine = r[r["participant"] == who]
        nxt = list(tr["time"].iloc[1:]) + [pd.Timestamp.max.tz_localize("UTC")]
        for (_, trig), next_onset in zip(tr.iterrows(), nxt):
            onset = trig["time"]
            linked = mine[(mine["trigger"] == trig["id"]) & (mine["time"] >= onset)]
            free = mine[mine["trigger"].isna() & (mine["time"] >= onset)
                        & (mine["time"] <= onset + pd.Timedelta(hours=window_hours)) & (mine["time"] < next_onset)]
            obs = pd.concat([linked, free]).sort_values("time")
            if trig["intensity"] <= threshold:
                minutes, calmed = 0.0, True
            else:
                calm = obs[obs["intensity"] <= threshold]
                end = calm["time"].iloc[0] if len(calm) else (obs["time"].iloc[-1] if len(obs) else onset)
                minutes, calmed = (end - onset).total_seconds() / 60, bool(len(calm))
            rows.append((who, trig["id"], minutes, calmed))
    return pd.DataFrame(rows, columns=["participant", "trigger_id", "minutes", "calmed"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interleaved_people_pooled_and_each_against_pandas_and_r(seed: int, tmp_path) -> None:
    j = _interleaved_journal(seed)
    ref = _episodes_by_pandas(j, threshold=3, window_hours=2)
    eps = calmkit.time_to_calm(j, threshold=3, window_hours=2)
    got = eps.assign(participant=eps["participant"].astype(str), trigger_id=eps["trigger_id"].astype(str))
    merged = ref.merge(got, on=["participant", "trigger_id"], suffixes=("", "_calmkit"), validate="one_to_one")
    assert len(merged) == len(ref) == 60
    np.testing.assert_array_equal(merged["minutes"], merged["minutes_calmkit"])
    np.testing.assert_array_equal(merged["calmed"], merged["calmed_calmkit"])
    # Relabelling everyone as one person (the old pooled charts) gives other
    # episodes on this journal: the case can tell the two apart.
    one = calmkit.Journal()
    for table in (j.triggers, j.readings):
        for rec in table:
            who = rec.participant
            rec.participant, rec.id = "", f"{who}-{rec.id}"
            if isinstance(rec, calmkit.Reading) and rec.trigger:
                rec.trigger = f"{who}-{rec.trigger}"
            one.add(rec)
    relabelled = calmkit.time_to_calm(one, threshold=3, window_hours=2)
    assert not np.array_equal(np.sort(relabelled["minutes"].to_numpy()), np.sort(ref["minutes"].to_numpy()))

    _need(_r_available("survival"), "R with the survival package (r-base-core, r-cran-survival)")
    pooled = calmkit.time_to_calm_summary(j, by=None, threshold=3, window_hours=2).iloc[0]
    each = calmkit.time_to_calm_summary(j, by="participant", threshold=3, window_hours=2).set_index("participant")
    episodes = pd.concat([ref.assign(group="pooled"), ref.assign(group=ref["participant"])])
    r = _rscript(tmp_path, _SURVFIT, {"episodes": episodes[["group", "minutes", "calmed"]].assign(
        calmed=lambda f: f["calmed"].astype(int))}, ["table"])["table"].set_index("group")
    for name, row in [("pooled", pooled)] + [(p, each.loc[p]) for p in each.index.astype(str)]:
        ref_row = r.loc[name]
        assert _same(row["median_minutes"], ref_row["first_half"]), name  # the documented R call
        assert _same(row["ci_low"], ref_row["lcl"]) and _same(row["ci_high"], ref_row["ucl"]), name
    assert int(pooled["episodes"]) == 60 and int(pooled["calmed"]) == int(ref["calmed"].sum())
