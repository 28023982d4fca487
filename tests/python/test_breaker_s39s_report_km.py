"""The Kaplan-Meier numbers of the report's charts, recomputed from the
journal's records with pandas and R, not through calmkit's metric functions.

The charts ``km_first_vs_latest`` (both curves, their log-log bands and the
medians), ``median_time_to_calm_by_month`` (each month's median and its
Brookmeyer-Crowley interval) and the per-exercise medians of
``exercise_effectiveness`` (the report's exercise table) for a pooled cohort
(``participant=None``, what the report's cohort page draws) and for one
person. The episodes are written from docs/metrics.md ("Episodes and
time-to-calm", with exercise ratings as observations) on the record frames
with pandas; the first and latest weeks from ``first_and_latest``'s
docstring; months from each onset's own recorded offset; then R's
``survfit(..., conf.type = "log-log", timefix = FALSE)`` on those episodes,
the median compared under the documented convention (the first time with
S <= 1/2).

The journal: six people over ten weeks with offsets that change (DST,
travel), triggers, linked and unlinked check-ins and exercise sessions with
ratings; one person's journal spans less than eight weeks (halves).

Skipped without R (survival) unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import calmkit
from calmkit import plot
from test_references import _R_WRITE, _need, _r_available, _rscript

_EXERCISES = ["box-breathing", "grounding-54321", "self-compassion-break"]


def _iso(utc: pd.Timestamp, offset: int) -> str:
    local = utc + pd.Timedelta(minutes=offset)
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


@pytest.fixture(scope="module")
def exercise_ids() -> list[str]:
    ids = [e.id for e in calmkit.catalog()]
    chosen = [x for x in _EXERCISES if x in ids]
    return chosen if len(chosen) == len(_EXERCISES) else ids[:3]


@pytest.fixture(scope="module")
def cohort(exercise_ids):
    rng = np.random.default_rng(39)
    j = calmkit.Journal()
    trig, read, ex = [], [], []
    for p in range(6):
        who = f"r{p}"
        offsets = [[-300, -240], [60, 120], [0], [330], [-240, 540], [600]][p]
        start = pd.Timestamp("2026-02-23T00:00:00Z") + pd.Timedelta(days=int(rng.integers(0, 10)))
        days = 45 if p == 5 else 70
        n = 0
        for d in range(days):
            for _ in range(int(rng.poisson(0.9))):
                n += 1
                onset = start + pd.Timedelta(days=d, minutes=int(rng.integers(0, 24 * 60)))
                off = int(rng.choice(offsets))
                tid = f"t{n:03d}"
                x = int(rng.choice([2, 5, 6, 7, 8, 9, 10]))
                j.add(calmkit.Trigger(participant=who, id=tid, time=_iso(onset, off), category="conflict",
                                      intensity=x))
                trig.append((who, tid, onset, off, x))
                for r in range(int(rng.integers(0, 3))):
                    at = onset + pd.Timedelta(minutes=int(rng.integers(-20, 400)))
                    y = int(rng.integers(0, 9))
                    j.add(calmkit.Reading(participant=who, id=f"l{n}-{r}", time=_iso(at, off), intensity=y,
                                          trigger=tid))
                    read.append((who, at, y, tid))
                if rng.random() < 0.4:
                    s = onset + pd.Timedelta(minutes=int(rng.integers(0, 120)))
                    e = s + pd.Timedelta(minutes=int(rng.integers(3, 20)))
                    before = int(rng.integers(3, 11)) if rng.random() < 0.8 else None
                    after = int(rng.integers(0, 8)) if rng.random() < 0.8 else None
                    name = str(rng.choice(exercise_ids))
                    j.add(calmkit.ExerciseSession(participant=who, id=f"x{n}", time=_iso(s, off), end=_iso(e, off),
                                                  exercise=name, intensity_before=before, intensity_after=after,
                                                  trigger=tid, completed=bool(rng.random() < 0.8)))
                    ex.append((who, tid, name, s, before, e, after))
            for _ in range(int(rng.poisson(1.5))):  # unlinked check-ins
                at = start + pd.Timedelta(days=d, minutes=int(rng.integers(0, 24 * 60)))
                y = int(rng.integers(0, 11))
                j.add(calmkit.Reading(participant=who, time=_iso(at, int(rng.choice(offsets))), intensity=y))
                read.append((who, at, y, ""))
    t = pd.DataFrame(trig, columns=["participant", "trigger_id", "onset", "offset", "intensity"])
    r = pd.DataFrame(read, columns=["participant", "time", "intensity", "trigger"])
    x = pd.DataFrame(ex, columns=["participant", "trigger", "exercise", "start", "before", "end", "after"])
    return j, t, r, x


def _episodes(t: pd.DataFrame, r: pd.DataFrame, x: pd.DataFrame, threshold: int = 3,
              window_hours: float = 12) -> pd.DataFrame:
    """docs/metrics.md's episodes, written out with pandas on the records."""
    rows = []
    window = pd.Timedelta(hours=window_hours)
    for who, tr in t.groupby("participant"):
        tr = tr.sort_values(["onset", "trigger_id"])
        mine = r[r["participant"] == who]
        ratings = x[x["participant"] == who]
        nxt = list(tr["onset"].iloc[1:]) + [pd.Timestamp.max.tz_localize("UTC")]
        for (_, trig), next_onset in zip(tr.iterrows(), nxt):
            onset, tid = trig["onset"], trig["trigger_id"]
            linked = mine.loc[mine["trigger"] == tid, ["time", "intensity"]]
            free = mine.loc[(mine["trigger"] == "") & (mine["time"] >= onset) & (mine["time"] <= onset + window)
                            & (mine["time"] < next_onset), ["time", "intensity"]]
            mine_x = ratings[ratings["trigger"] == tid]
            rated = pd.concat([mine_x[["start", "before"]].set_axis(["time", "intensity"], axis=1),
                               mine_x[["end", "after"]].set_axis(["time", "intensity"], axis=1)]).dropna()
            obs = pd.concat([linked, free, rated])
            obs = obs[obs["time"] >= onset].sort_values("time", kind="stable")
            if trig["intensity"] <= threshold:
                minutes, calmed = 0.0, True
            else:
                calm = obs[obs["intensity"] <= threshold]
                end = calm["time"].iloc[0] if len(calm) else (obs["time"].max() if len(obs) else onset)
                minutes, calmed = (end - onset).total_seconds() / 60, bool(len(calm))
            rows.append((who, tid, onset, trig["offset"], minutes, calmed, sorted(set(mine_x["exercise"]))))
    return pd.DataFrame(rows, columns=["participant", "trigger_id", "onset", "offset", "minutes", "calmed",
                                       "exercises"])


def _first_latest(eps: pd.DataFrame, weeks: int = 4) -> pd.Series:
    """first_and_latest's docstring: from each person's own first onset
    (onset < first + weeks) and back from their last (onset >= last - weeks);
    halves of a span shorter than 2 x weeks."""
    out = pd.Series(pd.NA, index=eps.index, dtype=object)
    for _, g in eps.groupby("participant"):
        first, last = g["onset"].min(), g["onset"].max()
        w = pd.Timedelta(weeks=weeks)
        if last - first < 2 * w:
            w = (last - first) / 2
        is_first = g["onset"] < first + w
        out[g.index[is_first]] = "first"
        out[g.index[~is_first & (g["onset"] >= last - w)]] = "latest"
    return out


_R_KM = _R_WRITE + """
suppressMessages(library(survival))
d <- read.csv("episodes.csv", stringsAsFactors = FALSE)
d$set <- factor(d$set, levels = unique(d$set))
fit <- survfit(Surv(minutes, calmed) ~ set, data = d, conf.type = "log-log", timefix = FALSE)
strata <- rep(sub("^set=", "", names(fit$strata)), fit$strata)
write_frame(data.frame(set = strata, time = fit$time, n_risk = fit$n.risk, surv = fit$surv,
                       lower = fit$lower, upper = fit$upper), "curve.csv")
q <- quantile(fit, probs = 0.5, conf.int = TRUE)
first_half <- sapply(seq_along(fit$strata), function(i) {
  z <- fit[i]
  with(z, time[which(surv <= 0.5 + sqrt(.Machine$double.eps))[1]])
})
write_frame(data.frame(set = sub("^set=", "", rownames(q$quantile)), median = first_half,
                       lcl = as.vector(q$lower), ucl = as.vector(q$upper), n = as.vector(fit$n)), "table.csv")
"""


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("who", [None, "r0", "r5"])
def test_report_km_numbers_equal_pandas_and_r(cohort, who, tmp_path) -> None:
    _need(_r_available("survival"), "R with the survival package (r-base-core, r-cran-survival)")
    j, t, r, x = cohort
    if who is not None:
        t, r, x = (f[f["participant"] == who] for f in (t, r, x))
    eps = _episodes(t, r, x)
    # The episodes themselves against time_to_calm, before anything is summarised.
    mine = calmkit.time_to_calm(j if who is None else j.participant(who))
    mine = mine.assign(participant=mine["participant"].astype(str), trigger_id=mine["trigger_id"].astype(str))
    merged = eps.merge(mine, on=["participant", "trigger_id"], suffixes=("", "_ck"), validate="one_to_one")
    assert len(merged) == len(eps) > 25
    np.testing.assert_array_equal(merged["minutes"], merged["minutes_ck"])
    np.testing.assert_array_equal(merged["calmed"], merged["calmed_ck"])

    eps["fl"] = _first_latest(eps)
    local = eps["onset"].dt.tz_localize(None) + pd.to_timedelta(eps["offset"], unit="min")
    eps["month"] = local.dt.to_period("M").astype(str)
    sets = [eps[eps["fl"] == g].assign(set=f"fl:{g}") for g in ("first", "latest")]
    sets += [g.assign(set=f"month:{m}") for m, g in eps.groupby("month")]
    for name in sorted({e for es in eps["exercises"] for e in es}):
        sets.append(eps[eps["exercises"].map(lambda es, n=name: n in es)].assign(set=f"ex:{name}"))
    sets.append(eps[eps["exercises"].map(len) == 0].assign(set="ex:none"))
    data = pd.concat(sets)[["set", "minutes", "calmed"]].assign(calmed=lambda f: f["calmed"].astype(int))
    ref = _rscript(tmp_path, _R_KM, {"episodes": data}, ["curve", "table"])
    rc, rt = ref["curve"], ref["table"].set_index("set")

    # km_first_vs_latest: both curves step by step, the medians in its summary and sentence.
    d = plot.chart_data("km_first_vs_latest", j, who)
    assert d.enough, d.reading
    curves = d.values["curves"]
    for g in ("first", "latest"):
        c = curves[curves[d.values["key"]] == g].reset_index(drop=True)
        rg = rc[rc["set"] == f"fl:{g}"].reset_index(drop=True)
        np.testing.assert_array_equal(c["minutes"], rg["time"], err_msg=g)
        np.testing.assert_array_equal(c["at_risk"], rg["n_risk"], err_msg=g)
        np.testing.assert_allclose(c["survival"], rg["surv"], rtol=1e-12, err_msg=g)
        inside = ((c["survival"] > 0) & (c["survival"] < 1)).to_numpy()
        np.testing.assert_allclose(c["ci_low"].to_numpy()[inside], rg["lower"].to_numpy()[inside], rtol=1e-9)
        np.testing.assert_allclose(c["ci_high"].to_numpy()[inside], rg["upper"].to_numpy()[inside], rtol=1e-9)
        assert _same(d.values["medians"][g], rt.loc[f"fl:{g}", "median"]), g
        assert d.values["counts"][g] == rt.loc[f"fl:{g}", "n"], g

    # median_time_to_calm_by_month: every month's median and interval.
    d = plot.chart_data("median_time_to_calm_by_month", j, who)
    s = d.values["summary"]
    months = pd.to_datetime(s["period_start"]).dt.to_period("M").astype(str)
    assert sorted(months) == sorted(eps["month"].unique())
    for m, row in zip(months, s.itertuples()):
        ref_row = rt.loc[f"month:{m}"]
        assert row.episodes == ref_row["n"], m
        assert _same(row.median_minutes, ref_row["median"]), (m, row.median_minutes, ref_row["median"])
        assert _same(row.ci_low, ref_row["lcl"]) and _same(row.ci_high, ref_row["ucl"]), m

    # exercise_effectiveness: medians with each exercise and without any.
    ee = calmkit.exercise_effectiveness(j if who is None else j.participant(who))
    for row in ee.itertuples():
        ref_row = rt.loc[f"ex:{row.exercise}"]
        assert row.episodes_with == ref_row["n"], row.exercise
        assert _same(row.median_minutes_with, ref_row["median"]), row.exercise
        assert row.episodes_without == rt.loc["ex:none", "n"]
        assert _same(row.median_minutes_without, rt.loc["ex:none", "median"])
