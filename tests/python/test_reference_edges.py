"""Cases an independent review found, each against a reference calmkit did not write.

- The Brookmeyer-Crowley interval at a confidence other than 0.95: at 99 %
  the log-log band is often not monotone near 1 - p (it can fall below 1 - p
  at the first calm event and rise again at the next one). calmkit's limit is
  the first time the band is at or below 1 - p (the smallest time of the set
  the interval is); R's ``quantile.survfit`` sorts the band's values
  (``findq`` calls ``approx``), so it takes the time of the band value
  closest to 1 - p from below. The documented R call for calmkit's number is
  checked on every group, and R's own number wherever the band is monotone.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

from test_references import REQUIRED


def _r_with(*packages: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = "; ".join(f"suppressMessages(library({p}))" for p in packages)
    return subprocess.run(["Rscript", "--vanilla", "-e", probe], capture_output=True).returncode == 0


def _need_r(*packages: str) -> None:
    if not _r_with(*packages):
        if REQUIRED:
            pytest.fail(f"R with {packages} is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip(f"R with {packages} is not installed (tools/setup.sh installs it)")


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


_PROBS = (0.25, 0.5, 0.75)

_BANDS_R = """
suppressMessages(library(survival))
d <- read.csv("episodes.csv")
d$group <- factor(d$group, levels = unique(d$group))
fit <- survfit(Surv(minutes, calmed) ~ group, data = d, conf.type = "log-log", conf.int = 0.99, timefix = FALSE)
probs <- c(0.25, 0.5, 0.75)
q <- quantile(fit, probs = probs, conf.int = TRUE)
groups <- sub("^group=", "", rownames(q$quantile))
# calmkit's limits in R (docs/metrics.md): the first time the band is at or below 1 - p.
first <- function(band) t(sapply(seq_along(fit$strata), function(i) {
  z <- fit[i]
  sapply(probs, function(p) z$time[which(band(z) <= 1 - p)[1]])
}))
lo <- first(function(z) z$lower)
hi <- first(function(z) z$upper)
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
out <- data.frame(group = rep(groups, times = length(probs)), p = rep(probs, each = length(groups)),
                  r_lower = fmt(as.vector(q$lower)), r_upper = fmt(as.vector(q$upper)),
                  first_lower = fmt(as.vector(lo)), first_upper = fmt(as.vector(hi)))
write.csv(out, "limits.csv", row.names = FALSE, quote = FALSE)
"""


def test_interval_at_99_percent_against_r(tmp_path: Path) -> None:
    _need_r("survival")
    rng = np.random.default_rng(20261130)
    rows = []
    for g in range(400):
        n = int(rng.integers(2, 30))
        t = rng.integers(1, 40, n).astype(float)
        c = rng.random(n) < [0.3, 0.6, 0.9][g % 3]
        rows += [(f"g{g:03d}", x, int(e)) for x, e in zip(t, c)]
    episodes = pd.DataFrame(rows, columns=["group", "minutes", "calmed"])
    episodes.to_csv(tmp_path / "episodes.csv", index=False)
    (tmp_path / "script.R").write_text(_BANDS_R, encoding="utf-8")
    p = subprocess.run(["Rscript", "--vanilla", "script.R"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    r = pd.read_csv(tmp_path / "limits.csv", float_precision="round_trip").set_index(["group", "p"])

    frame = pd.DataFrame({
        "participant": episodes["group"],
        "onset": pd.Timestamp("2026-03-02T09:00:00Z"),
        "offset_minutes": np.zeros(len(episodes), dtype=np.int16),
        "category": "conflict",
        "minutes": episodes["minutes"],
        "calmed": episodes["calmed"].astype(bool),
    })
    q = calmkit.km_quantiles(frame, p=list(_PROBS), by="participant", confidence=0.99)
    q = q.assign(participant=q["participant"].astype(str)).set_index(["participant", "p"])
    curve = calmkit.km_curve(frame, by="participant", confidence=0.99)
    curves = dict(tuple(curve.assign(participant=curve["participant"].astype(str)).groupby("participant")))
    summary = calmkit.time_to_calm_summary(frame, by="participant", confidence=0.99).set_index("participant")
    differ = 0
    for (name, prob), ref in r.iterrows():
        got = q.loc[(name, prob)]
        if prob == 0.5:  # the summary's interval is the 0.5 row's
            assert _same(summary.loc[name, "ci_low"], got["ci_low"]) and _same(summary.loc[name, "ci_high"], got["ci_high"])
        for mine, first, theirs, band in (("ci_low", "first_lower", "r_lower", "ci_low"),
                                          ("ci_high", "first_upper", "r_upper", "ci_high")):
            assert _same(got[mine], ref[first]), (name, prob, mine, got[mine], ref[first])  # the documented R call
            if _same(got[mine], ref[theirs]):
                continue
            # R's quantile() differs only where the band is not monotone: it
            # rises again after calmkit's time, and R takes a later time.
            c = curves[name].set_index("minutes")[band].dropna()
            after = c[c.index >= got[mine]].to_numpy()
            assert (np.diff(after) > 0).any(), (name, prob, mine)
            assert ref[theirs] > got[mine] and c.loc[ref[theirs]] <= 1 - prob, (name, prob, mine)
            differ += 1
    assert differ >= 20  # the non-monotone band is exercised


def test_the_documented_non_monotone_band_case() -> None:
    # docs/metrics.md: 23 episodes; at 99 % the lower band is 0.557 at 1 min
    # (<= 0.75, so 1 min is in the interval of the 0.25-quantile), 0.561 at 5 min.
    minutes = [1, 3, 5, 6, 9, 11, 12, 12, 12, 14, 19, 20, 23, 25, 27, 31, 32, 32, 33, 33, 35, 35, 36]
    censored = {3, 6, 31}
    frame = pd.DataFrame({
        "participant": "a", "onset": pd.Timestamp("2026-03-02T09:00:00Z"), "offset_minutes": np.int16(0),
        "category": "conflict", "minutes": np.array(minutes, dtype=float),
        "calmed": [m not in censored for m in minutes],
    })
    curve = calmkit.km_curve(frame, by=None, confidence=0.99).set_index("minutes")
    assert curve.loc[1.0, "ci_low"] == pytest.approx(0.557485729, abs=1e-9)  # R: fit$lower
    assert curve.loc[5.0, "ci_low"] == pytest.approx(0.561295711, abs=1e-9)
    q = calmkit.km_quantiles(frame, p=0.25, by=None, confidence=0.99).iloc[0]
    # S: 22/23 at 1, 0.911 at 5, 0.863 at 9, 0.815 at 11, 0.671 at 12 -> quantile 12; R's quantile() gives 5 as ci_low.
    assert (q["minutes"], q["ci_low"], q["ci_high"]) == (12.0, 1.0, 23.0)


_COX_R = """
suppressMessages(library(survival))
d <- read.csv("frame.csv")
out <- NULL
for (term in c("wk", "fl", "observations")) {
  fit <- coxph(as.formula(paste("Surv(minutes, calmed) ~", term, "+ cluster(participant)")), data = d,
               ties = "efron")
  out <- rbind(out, data.frame(term = term, coef = unname(coef(fit)), robust_se = unname(sqrt(diag(fit$var)))))
}
write.csv(out, "cox.csv", row.names = FALSE)
"""


def test_cox_robust_se_against_r_on_a_tied_cohort(tmp_path: Path) -> None:
    # With tied times the robust SE is R's Efron dfbeta recipe (lifelines'
    # clustered sandwich differed from it by 0.11 % here).
    _need_r("survival")
    try:
        import lifelines  # noqa: F401
    except ImportError:
        if REQUIRED:
            pytest.fail("lifelines is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("lifelines is not installed (tools/setup.sh installs it)")
    import calmkit.stats as stats
    frame = calmkit.analysis_frame(calmkit.synthetic_journal(participants=12, days=56, seed=4))
    frame["wk"] = frame["days_since_first"] / 7
    frame["fl"] = frame["first_and_latest"].astype(object)
    assert frame["minutes"].duplicated().any()  # tied times: the case where the two differ
    out = frame[["participant", "minutes", "calmed", "wk", "fl", "observations"]].assign(
        participant=frame["participant"].astype(str), calmed=frame["calmed"].astype(int))
    out.to_csv(tmp_path / "frame.csv", index=False, float_format="%.17g")
    (tmp_path / "script.R").write_text(_COX_R, encoding="utf-8")
    p = subprocess.run(["Rscript", "--vanilla", "script.R"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    r = pd.read_csv(tmp_path / "cox.csv", float_precision="round_trip").set_index("term")
    for term in ("wk", "fl", "observations"):
        got = stats.cox(frame, term).iloc[0]
        assert got["coef"] == pytest.approx(r.loc[term, "coef"], rel=1e-6, abs=1e-9)
        assert got["se"] == pytest.approx(r.loc[term, "robust_se"], rel=1e-6), term


@pytest.mark.parametrize("calmed", [[0.7, 1.0], [2, 0], ["True", "False"], ["yes", "no"]])
def test_an_episode_frame_whose_calmed_is_not_true_or_false_is_refused(calmed) -> None:
    # 0.7 used to be cast to 0 (a censored episode, silently) and "True" to fail
    # inside int() without naming the column.
    frame = pd.DataFrame({"participant": "a", "onset": pd.Timestamp("2026-03-02T09:00:00Z"),
                          "offset_minutes": np.int16(0), "category": "conflict", "minutes": [1.0, 2.0],
                          "calmed": calmed})
    with pytest.raises(ValueError, match=r"row 0 \(index 0\), column 'calmed': .* is not True/False"):
        calmkit.time_to_calm_summary(frame, by=None)
    ok = frame.assign(calmed=[1, 0])  # 1/0 integers are True/False
    assert calmkit.time_to_calm_summary(ok, by=None)["calmed"].iloc[0] == 1


def test_first_and_latest_splits_a_short_journal_into_halves() -> None:
    # docs: a participant whose onsets span less than 2 x weeks is split at the
    # middle of their span. A 30-day journal used to get two 4-week windows
    # (almost every episode "first", the last day or two "latest").
    j = calmkit.synthetic_journal(participants=3, days=30, seed=21)
    eps = calmkit.time_to_calm(j)
    split = calmkit.first_and_latest(eps, weeks=4)
    for p, g in eps.groupby(eps["participant"].astype(str)):
        t0, t1 = g["onset"].min(), g["onset"].max()
        assert t1 - t0 < pd.Timedelta(weeks=8)
        middle = t0 + (t1 - t0) / 2
        expect = np.where(g["onset"] < middle, "first", "latest")
        assert list(split.loc[g.index].astype(str)) == list(expect), p
        assert split.attrs["days"][p] == pytest.approx((t1 - t0) / pd.Timedelta(days=1) / 2)
        assert (expect == "first").any() and (expect == "latest").any()  # both halves are used
    # One episode: no span, no first and latest to compare, so neither (B290:
    # it was "latest", the middle of a zero span being the onset itself).
    one = eps[eps["trigger_id"] == eps["trigger_id"].iloc[0]].iloc[:1]
    assert calmkit.first_and_latest(one).isna().all()


def _local_dates(frame: pd.DataFrame, time: str, offset: str) -> pd.Series:
    return (frame[time].dt.tz_localize(None) + pd.to_timedelta(frame[offset].astype(int), unit="min")).dt.normalize()


def test_an_exercise_end_is_dated_in_its_own_offset() -> None:
    # The spec dates every record on the wall clock it was written with. A
    # session started Sunday 8 March 22:00 UTC (+00:00) and ended 30 min later
    # at 00:30 +02:00 (after a flight or a DST change at midnight): its end is
    # Monday 9 March, so the span runs into the ISO week of 9 March. Dated
    # with the start's offset it would end on Sunday 8 March.
    j = calmkit.Journal()
    j.add(calmkit.Trigger(id="t1", time="2026-03-02T10:00:00+00:00", category="conflict", intensity=8))
    j.add(calmkit.ExerciseSession(id="e1", time="2026-03-08T22:00:00+00:00", end="2026-03-09T00:30:00+02:00",
                                  exercise="box-breathing"))
    # Reference: pandas from the journal tables (every start, every end, each in its own offset).
    ex = j.exercises.to_pandas()
    dates = pd.concat([_local_dates(j.triggers.to_pandas(), "time", "offset_minutes"),
                       _local_dates(ex, "time", "offset_minutes"), _local_dates(ex, "end", "end_offset_minutes")])
    assert dates.max() == pd.Timestamp("2026-03-09")
    weekly = calmkit.trigger_frequency(j, period="week")
    assert [str(d.date()) for d in weekly["period_start"]] == ["2026-03-02", "2026-03-09"]
    assert list(weekly["count"]) == [1, 0]
    daily = calmkit.trigger_frequency(j, period="day")
    assert daily["period_start"].iloc[-1] == dates.max() and len(daily) == 8
    assert calmkit.practice_streaks(j)["last_record_date"].iloc[0] == dates.max()
    assert len(calmkit.practice_consistency(j)) == 2
    # The span the summary and the report print is the same one.
    counts = calmkit.record_counts(j).iloc[0]
    assert (counts["first_local_date"], counts["last_local_date"], counts["days"]) == \
        (pd.Timestamp("2026-03-02"), dates.max(), 8)
