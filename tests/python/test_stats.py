"""calmkit.stats (log-rank, Cox with participant-clustered errors) and the
analysis frame, checked against references calmkit did not write: R's
survival (survdiff, coxph + cluster()) through Rscript, statsmodels'
survdiff, and pandas computations of the covariates; the warning on perfect
separation against coxph's own warning on the same data. With
CALMKIT_REFERENCES=required (CI) a missing R or lifelines fails the test
instead of skipping it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

if os.environ.get("CALMKIT_REFERENCES", "") == "required":  # CI: lifelines must be there
    import lifelines  # noqa: F401
stats = pytest.importorskip("calmkit.stats")
pytest.importorskip("lifelines")


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=8, days=70, seed=21)


@pytest.fixture(scope="module")
def frame(journal: calmkit.Journal) -> pd.DataFrame:
    return calmkit.analysis_frame(journal)


def test_analysis_frame_covariates_against_pandas(journal: calmkit.Journal, frame: pd.DataFrame) -> None:
    t = journal.triggers.to_pandas()
    assert len(frame) == len(t)
    merged = frame.merge(t[["participant", "id", "local_time"]].astype({"participant": str}),
                         left_on=[frame["participant"].astype(str), "trigger_id"], right_on=["participant", "id"])
    assert (merged["local_hour"] == merged["local_time"].dt.hour).all()
    assert (merged["weekday"] == merged["local_time"].dt.day_of_week).all()
    ex = journal.exercises.to_pandas()
    ex = ex[ex["trigger"].fillna("") != ""]
    used = ex.groupby([ex["participant"].astype(str), "trigger"])["exercise"].agg(lambda x: ";".join(sorted(set(x))))
    for row in frame.sample(40, random_state=1).itertuples():
        assert row.exercises == used.get((str(row.participant), row.trigger_id), "")
        assert row.with_exercise == (row.n_exercises > 0)
    firsts = pd.concat([x.to_pandas()[["participant", "time"]] for x in (
        journal.triggers, journal.readings, journal.exercises, journal.thought_records, journal.assessments)])
    first = firsts.groupby(firsts["participant"].astype(str))["time"].min()
    p0 = frame.iloc[0]
    assert p0["days_since_first"] == pytest.approx((p0["onset"] - first[str(p0["participant"])]) / pd.Timedelta(days=1))
    assert (frame["week"] == np.floor(frame["days_since_first"] / 7)).all()
    # The frame groups like any episode frame: the pooled median by exercise use.
    s = calmkit.time_to_calm_summary(frame, by="with_exercise")
    assert s["episodes"].sum() == len(frame)


def _rscript() -> str:
    r = shutil.which("Rscript")
    if r is None or subprocess.run([r, "-e", "library(survival)"], capture_output=True).returncode != 0:
        why = "Rscript with the survival package is not installed (tools/setup.sh installs it)"
        if os.environ.get("CALMKIT_REFERENCES", "") == "required":  # CI: the R comparison must run
            pytest.fail(why + " and CALMKIT_REFERENCES=required")
        pytest.skip(why)
    return r


R_CODE = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
d$calmed <- d$calmed == "True"
d$weeks <- d$days_since_first / 7
s <- d[d$first_and_latest != "", ]
lr <- survdiff(Surv(minutes, calmed) ~ first_and_latest, data = s)
cat(sprintf("logrank %.17g %d\n", lr$chisq, length(lr$n) - 1))
lr3 <- survdiff(Surv(minutes, calmed) ~ group, data = d)
cat(sprintf("logrank_group %.17g %d\n", lr3$chisq, length(lr3$n) - 1))
m <- coxph(Surv(minutes, calmed) ~ weeks + cluster(participant), data = d, ties = "efron")
cat(sprintf("per_week %.17g %.17g\n", coef(m)[1], sqrt(diag(m$var))[1]))
m2 <- coxph(Surv(minutes, calmed) ~ first_and_latest + cluster(participant), data = s, ties = "efron")
cat(sprintf("latest_vs_first %.17g %.17g\n", coef(m2)[1], sqrt(diag(m2$var))[1]))
"""


def _r(frame: pd.DataFrame, tmp_path: Path) -> dict[str, tuple[float, float]]:
    csv = tmp_path / "episodes.csv"
    frame.to_csv(csv, index=False)
    script = tmp_path / "check.R"
    script.write_text(R_CODE)
    out = subprocess.run([_rscript(), str(script), str(csv)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return {w[0]: (float(w[1]), float(w[2])) for w in (line.split() for line in out.stdout.splitlines())}


def _untied(frame: pd.DataFrame) -> pd.DataFrame:
    # Distinct times: every convention for ties (Efron's score residuals
    # included) then gives the same numbers.
    rng = np.random.default_rng(3)
    return frame.assign(minutes=frame["minutes"] + rng.uniform(0, 1e-3, len(frame)))


@pytest.mark.parametrize("tied", [True, False])
def test_logrank_and_cox_match_r_survival(frame: pd.DataFrame, tmp_path: Path, tied: bool) -> None:
    f = frame if tied else _untied(frame)
    r = _r(f, tmp_path)
    lr = stats.logrank(f, "first_and_latest").iloc[0]
    assert lr["statistic"] == pytest.approx(r["logrank"][0], rel=1e-9) and lr["df"] == r["logrank"][1]
    lr3 = stats.logrank(f, "group").iloc[0]
    assert lr3["statistic"] == pytest.approx(r["logrank_group"][0], rel=1e-9) and lr3["df"] == 2
    trend = stats.cox_time_trend(f).set_index("model")
    for model in ("per_week", "latest_vs_first"):
        coef, se = r[model]
        assert np.log(trend.loc[model, "hazard_ratio"]) == pytest.approx(coef, rel=1e-6)
        z = 1.959963984540054
        lo, hi = np.exp(coef - z * se), np.exp(coef + z * se)
        # With or without ties the robust SE is R's (Efron dfbeta residuals summed per participant).
        assert trend.loc[model, "ci_low"] == pytest.approx(lo, rel=1e-6)
        assert trend.loc[model, "ci_high"] == pytest.approx(hi, rel=1e-6)
    assert trend.loc["per_week", "participants"] == frame["participant"].nunique()


def test_logrank_matches_statsmodels(frame: pd.DataFrame) -> None:
    sf = pytest.importorskip("statsmodels.duration.survfunc")
    chi2, p = sf.survdiff(frame["minutes"].to_numpy(float), frame["calmed"].to_numpy(int),
                          frame["category"].astype(str).to_numpy())
    ours = stats.logrank(frame, "category").iloc[0]
    assert ours["statistic"] == pytest.approx(chi2, rel=1e-9)
    assert ours["p_value"] == pytest.approx(p, rel=1e-6)


def test_cox_refuses_bad_input(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="lacks column"):
        stats.cox(frame.drop(columns="calmed"), "week")
    with pytest.raises(ValueError, match="at least 2 groups"):
        stats.logrank(frame.assign(one="x"), "one")


def test_missing_extra_is_one_line_naming_the_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['lifelines'] = None\n"
            "import calmkit, calmkit.stats\n"
            "f = calmkit.analysis_frame(calmkit.synthetic_journal(participants=2, days=14))\n"
            "try:\n    calmkit.stats.logrank(f, 'first_and_latest')\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        'pip install "lifelines>=0.27" (or, in a calmkit source checkout: pip install ".[stats]")')


def test_tiny_and_odd_cohorts_get_a_clear_error() -> None:
    # Found by review: one participant gave p = 0 (a one-cluster sandwich
    # variance is zero), a NaN in `calmed` counted as an event in the test but
    # not in `events`, and negative minutes were taken as they came.
    base = pd.DataFrame({"minutes": [10, 20, 30, 40, 50, 60.0], "calmed": [True, True, False, True, True, False],
                         "participant": ["a"] * 6, "g": ["x", "y", "x", "y", "x", "y"]})
    with pytest.raises(ValueError, match="at least 2 participants"):
        stats.cox(base, "g")
    unclustered = stats.cox(base, "g", cluster=None)  # one person: model-based errors are fine
    assert unclustered["se"].iloc[0] > 0.1
    two = base.assign(participant=list("aabbcc"))
    with pytest.raises(ValueError, match=r"row 1, column 'calmed'"):
        stats.logrank(two.assign(calmed=[1, np.nan, 0, 1, 1, 0]), "g")
    with pytest.raises(ValueError, match=r"row 2, column 'minutes'"):
        stats.logrank(two.assign(minutes=[10, 20, -5, 40, 50, 60.0]), "g")
    with pytest.raises(ValueError, match="outcome"):
        stats.cox(two, "calmed")
    with pytest.raises(ValueError, match="none calmed"):
        stats.cox(two.assign(calmed=False), "g")
    with pytest.raises(ValueError, match="single value"):
        stats.cox(two.assign(g="x"), "g")
    # 0/1 integers are a fine `calmed`; the same numbers as booleans.
    ints = stats.logrank(two.assign(calmed=two["calmed"].astype(int)), "g")
    assert ints["statistic"].iloc[0] == stats.logrank(two, "g")["statistic"].iloc[0]


R_SEPARATION = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
d$calmed <- d$calmed == "True"
d$calmed_almost <- d$calmed_almost == "True"
d$weeks <- d$days_since_first / 7
fits <- list(
  ordinary = Surv(minutes, calmed) ~ weeks + cluster(participant),
  never_calm = Surv(minutes, calmed) ~ silent + cluster(participant),
  two_terms = Surv(minutes, calmed) ~ weeks + silent + cluster(participant),
  one_calm = Surv(minutes, calmed_almost) ~ silent + cluster(participant))
for (name in names(fits)) {
  flagged <- "none"
  withCallingHandlers(
    m <- coxph(fits[[name]], data = d, ties = "efron"),
    warning = function(w) {
      v <- regmatches(conditionMessage(w), regexpr("variable +[0-9,]+", conditionMessage(w)))
      if (length(v)) flagged <<- gsub("[^0-9,]", "", v)
      invokeRestart("muffleWarning")
    })
  cat(name, flagged, "\n")
}
"""


def test_perfect_separation_warns_where_r_coxph_does(frame: pd.DataFrame, tmp_path: Path) -> None:
    # One participant never checks in after a trigger: all their episodes are
    # censored, so the hazard ratio of "silent" runs off to 0 (coef -> -inf).
    # calmed_almost: the same participant with one episode that calmed: finite.
    silent_one = str(frame["participant"].cat.categories[0])
    who = frame["participant"].astype(str) == silent_one
    f = frame.assign(calmed=frame["calmed"] & ~who, silent=who.astype(int))
    f["calmed_almost"] = f["calmed"]
    f.loc[f.index[who.to_numpy()][0], "calmed_almost"] = True
    csv = tmp_path / "episodes.csv"
    f.to_csv(csv, index=False)
    (tmp_path / "sep.R").write_text(R_SEPARATION)
    out = subprocess.run([_rscript(), str(tmp_path / "sep.R"), str(csv)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    r = {w[0]: w[1] for w in (line.split() for line in out.stdout.splitlines())}
    # R's verdicts: only the never-calm indicator (variable 2 of two_terms) is flagged.
    assert r == {"ordinary": "none", "never_calm": "1", "two_terms": "2", "one_calm": "none"}

    f["weeks"] = f["days_since_first"] / 7
    almost = f.assign(calmed=f["calmed_almost"])
    cases = {"ordinary": (f, ["weeks"]), "never_calm": (f, ["silent"]), "two_terms": (f, ["weeks", "silent"]),
             "one_calm": (almost, ["silent"])}
    for name, (data, terms) in cases.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.cox(data, terms)
        ours = [w for w in caught if issubclass(w.category, stats.PerfectSeparationWarning)]
        if r[name] == "none":
            assert not ours, (name, [str(w.message) for w in ours])
            assert np.isfinite(res["coef"]).all()
        else:
            flagged = [terms[int(i) - 1] for i in r[name].split(",")]
            assert len(ours) == 1, name
            msg = str(ours[0].message)
            assert all(repr(t) in msg for t in flagged) and all(repr(t) not in msg for t in terms if t not in flagged)
    # The one-calm fit is finite and still a strong effect (the same data but one row).
    assert stats.cox(almost, "silent")["hazard_ratio"].iloc[0] < 0.5


R_NA_CODE = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE, na.strings = "")
d$calmed <- d$calmed == "True"
d$weeks <- d$days_since_first / 7
m <- coxph(Surv(minutes, calmed) ~ weeks + cluster(participant), data = d, ties = "efron")
cat(sprintf("%.17g %.17g %d %d\n", coef(m)[1], sqrt(diag(m$var))[1], m$n, length(unique(na.omit(d$participant)))))
"""


def test_cox_leaves_out_episodes_without_a_participant_as_r_does(frame: pd.DataFrame, tmp_path: Path) -> None:
    # The reviewer's case: a missing participant used to become a cluster of
    # its own ("nan"). R's coxph leaves such rows out (na.omit): so does cox.
    f = _untied(frame).assign(participant=frame["participant"].astype(object), weeks=frame["days_since_first"] / 7)
    gone = f.index[::5]
    f.loc[gone, "participant"] = np.nan
    r = stats.cox(f, "weeks")
    assert r.attrs["episodes"] == len(f) - len(gone)
    assert r.attrs["clusters"] == frame["participant"].nunique()
    csv = tmp_path / "na.csv"
    f.to_csv(csv, index=False)
    script = tmp_path / "na.R"
    script.write_text(R_NA_CODE)
    out = subprocess.run([_rscript(), str(script), str(csv)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    coef, se, n, clusters = out.stdout.split()
    assert r["coef"].iloc[0] == pytest.approx(float(coef), rel=1e-5)
    assert r["se"].iloc[0] == pytest.approx(float(se), rel=1e-3)
    assert r.attrs["episodes"] == int(n) and r.attrs["clusters"] == int(clusters)


def test_mixed_type_groups_and_an_empty_journal_are_clear(frame: pd.DataFrame) -> None:
    # 1 and "1" used to be merged into one log-rank group (or fail in numpy /
    # in sorting): refused, naming the column and the types.
    f = frame.assign(arm=pd.Series([1 if i % 2 else "1" for i in range(len(frame))], index=frame.index,
                                   dtype=object))
    for call in (lambda: stats.logrank(f, "arm"), lambda: stats.cox(f, "arm")):
        with pytest.raises(ValueError, match=r"column 'arm' mixes values of types int, str"):
            call()
    # One type is fine, and equals the same groups written as text.
    as_text = stats.logrank(f.assign(arm=f["arm"].astype(str).where(np.arange(len(f)) % 2 == 0, "2")), "arm")
    as_int = stats.logrank(f.assign(arm=np.where(np.arange(len(f)) % 2 == 0, 1, 2)), "arm")
    assert as_text["statistic"].iloc[0] == pytest.approx(as_int["statistic"].iloc[0], rel=1e-12)
    # An empty journal: an empty frame with every documented column.
    empty = calmkit.analysis_frame(calmkit.Journal())
    assert len(empty) == 0 and list(empty.columns) == list(frame.columns)
    assert [str(t) for t in empty.dtypes] == [str(t) for t in frame.dtypes]
