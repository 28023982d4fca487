"""calmkit.stats on small and tied cohorts, each number checked against R's
survival package run on the same rows (``coxph(..., ties = "efron")`` with
``cluster(participant)``, ``survdiff``), which these tests run through
Rscript (skipped when R or lifelines is missing, failed under
CALMKIT_REFERENCES=required as in test_stats.py).

Time-to-calm ties often: check-ins are written in whole minutes, and an
episode whose first reading after the trigger is already calm lasts 0
minutes. The frames here are the smallest that show each behaviour."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

stats = pytest.importorskip("calmkit.stats")
pytest.importorskip("lifelines")

#: Four people, two episodes each; three episodes last 0 minutes (two of them
#: calmed). R's coxph fits a finite coefficient here without any warning.
SMALL = pd.DataFrame({"minutes": [0, 0, 10, 20, 30, 0, 40, 50.0],
                      "calmed": [True, True, False, True, True, False, True, False],
                      "participant": list("aabbccdd"), "g": list("xyxyxyxy"),
                      "w": [0, 1, 2, 3, 4, 5, 6, 7.0]})

R_FIT = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
d$calmed <- d$calmed == "True"
warned <- "none"
m <- withCallingHandlers(
  coxph(Surv(minutes, calmed) ~ w + cluster(participant), data = d, ties = "efron"),
  warning = function(w) { warned <<- "warned"; invokeRestart("muffleWarning") })
m0 <- coxph(Surv(minutes, calmed) ~ w, data = d, ties = "efron")
lr <- survdiff(Surv(minutes, calmed) ~ g, data = d)
cat(sprintf("%.17g %.17g %.17g %.17g %s\n", coef(m)[1], sqrt(diag(m$var))[1], sqrt(diag(m0$var))[1],
            lr$chisq, warned))
"""


def _rscript() -> str:
    r = shutil.which("Rscript")
    if r is None or subprocess.run([r, "-e", "library(survival)"], capture_output=True).returncode != 0:
        why = "Rscript with the survival package is not installed (tools/setup.sh installs it)"
        if os.environ.get("CALMKIT_REFERENCES", "") == "required":
            pytest.fail(why + " and CALMKIT_REFERENCES=required")
        pytest.skip(why)
    return r


def _r(frame: pd.DataFrame, tmp_path: Path) -> dict[str, object]:
    csv, script = tmp_path / "episodes.csv", tmp_path / "fit.R"
    frame.to_csv(csv, index=False)
    script.write_text(R_FIT)
    out = subprocess.run([_rscript(), str(script), str(csv)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    coef, robust_se, model_se, chisq, warned = out.stdout.split()
    return {"coef": float(coef), "robust_se": float(robust_se), "model_se": float(model_se),
            "logrank": float(chisq), "warned": warned == "warned"}


def _cox(frame: pd.DataFrame, **kw: object) -> tuple[pd.Series, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row = stats.cox(frame, "w", **kw).iloc[0]
    return row, list(caught)


@lru_cache(maxsize=1)
def _cohort() -> pd.DataFrame:
    return calmkit.analysis_frame(calmkit.synthetic_journal(participants=8, days=70, seed=21))


def _whole_minutes(step: int) -> pd.DataFrame:
    """The synthetic cohort of test_stats.py with every time-to-calm rounded
    up to ``step`` minutes, as check-ins written at the minute (or the hour) give."""
    f = _cohort()
    return pd.DataFrame({"minutes": np.ceil(f["minutes"].to_numpy(float) / step) * step,
                         "calmed": f["calmed"].to_numpy(bool), "participant": f["participant"].to_numpy(),
                         "g": f["with_exercise"].astype(str).to_numpy(),
                         "w": f["days_since_first"].to_numpy(float) / 7})


def test_logrank_with_zero_minutes_and_all_censored_matches_r(tmp_path: Path) -> None:
    # Guards what works: zero durations and a cohort where nobody calmed.
    r = _r(SMALL, tmp_path)
    assert stats.logrank(SMALL, "g")["statistic"].iloc[0] == pytest.approx(r["logrank"], rel=1e-9)
    none = stats.logrank(SMALL.assign(calmed=False), "g").iloc[0]
    assert none["statistic"] == 0 and none["p_value"] == 1 and none["events"] == 0  # survdiff: chisq 0


def test_model_based_se_with_tied_zero_minutes_matches_r(tmp_path: Path) -> None:
    r = _r(SMALL, tmp_path)
    row, _ = _cox(SMALL, cluster=None)
    assert row["se"] == pytest.approx(r["model_se"], rel=1e-3)


def test_no_separation_warning_where_r_converges(tmp_path: Path) -> None:
    r = _r(SMALL, tmp_path)
    assert not r["warned"]  # R: a finite coefficient near -1.635, no "coefficient may be infinite"
    row, caught = _cox(SMALL)
    assert [w for w in caught if issubclass(w.category, stats.PerfectSeparationWarning)] == []
    assert row["coef"] == pytest.approx(r["coef"], rel=1e-5)  # the tolerance test_stats.py uses


@pytest.mark.parametrize("case", ["small", "all_tied", "minute", "hour"])
def test_clustered_se_with_ties_matches_r(case: str, tmp_path: Path) -> None:
    frame = {"small": lambda: SMALL, "all_tied": lambda: SMALL.assign(minutes=5.0),
             "minute": lambda: _whole_minutes(1), "hour": lambda: _whole_minutes(60)}[case]()
    r = _r(frame, tmp_path)
    row, _ = _cox(frame)
    # The interval and p value are built on this SE: a low one gives too small a p.
    # Before R's Efron dfbeta recipe: 39 % low (small), 87 % high (all tied), +1.6 % / +14 %.
    assert row["coef"] == pytest.approx(r["coef"], rel=1e-6)
    assert row["se"] == pytest.approx(r["robust_se"], rel=1e-6)
    z = 1.959963984540054
    assert row["ci_low"] == pytest.approx(np.exp(r["coef"] - z * r["robust_se"]), rel=1e-6)


R_MULTI = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
d$calmed <- d$calmed == "True"
m <- coxph(Surv(minutes, calmed) ~ w + g + u + cluster(participant), data = d, ties = "efron")
s <- sqrt(diag(m$var))
for (i in seq_along(s)) cat(sprintf("%s %.17g %.17g\n", names(coef(m))[i], coef(m)[i], s[i]))
"""


@pytest.mark.parametrize("step", [1, 60])
def test_clustered_se_of_several_covariates_with_ties_matches_r(step: int, tmp_path: Path) -> None:
    # Off-diagonal terms of the information and of D'D: three covariates, one of them categorical.
    frame = _whole_minutes(step)
    frame["u"] = np.random.default_rng(5).normal(size=len(frame)).round(1)
    csv, script = tmp_path / "episodes.csv", tmp_path / "fit.R"
    frame.to_csv(csv, index=False, float_format="%.17g")
    script.write_text(R_MULTI)
    out = subprocess.run([_rscript(), str(script), str(csv)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    r = [line.split() for line in out.stdout.splitlines()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", stats.PerfectSeparationWarning)
        ours = stats.cox(frame, ["w", "g", "u"])
    assert len(ours) == len(r) == 3
    for (name, coef, se), (_, row) in zip(r, ours.iterrows()):
        assert row["coef"] == pytest.approx(float(coef), rel=1e-6, abs=1e-9), name
        assert row["se"] == pytest.approx(float(se), rel=1e-6), name


def test_clustered_se_without_ties_is_the_sandwich_of_lifelines() -> None:
    # Without tied times R's Efron dfbeta recipe and lifelines' clustered sandwich are the same
    # formula (Lin & Wei 1989): a second, independent reference.
    lifelines = pytest.importorskip("lifelines")
    f = _whole_minutes(1)
    f["minutes"] = f["minutes"] + np.random.default_rng(8).uniform(0, 1e-3, len(f))
    assert not f["minutes"].duplicated().any()
    ours = stats.cox(f, "w").iloc[0]
    fitter = lifelines.CoxPHFitter().fit(f[["minutes", "calmed", "w", "participant"]], "minutes", "calmed",
                                         cluster_col="participant", robust=True,
                                         fit_options={"precision": 1e-12})
    assert ours["coef"] == pytest.approx(fitter.params_["w"], rel=1e-12)
    assert ours["se"] == pytest.approx(fitter.standard_errors_["w"], rel=1e-9)
