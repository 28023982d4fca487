"""calmkit's survival numbers on data calmkit did not generate: R's own
``survival`` datasets, built into a journal the way docs/journal-format.md
says a researcher records an episode (a trigger, then a check-in linked to
it), against R's ``survfit``, ``quantile.survfit``, ``survdiff`` and
``coxph`` fitted on R's copy of the same data.

- ``lung`` (NCCTG lung cancer, Loprinzi et al. 1994): 227 patients of 18
  institutions (the one without an institution left out); each institution
  is a participant, each patient an episode; status 2 (died) becomes a calm
  check-in (intensity 1) at ``time`` minutes after the trigger, status 1 a
  check-in still above the threshold (6) then, i.e. censored there. Cox
  ``age + sex + ph.ecog`` clustered by institution (one ph.ecog missing:
  R's na.omit).
- ``veteran`` (Veterans' Administration lung cancer trial, Kalbfleisch &
  Prentice 1980): Cox ``karno + celltype`` (a four-level factor, many tied
  times) with model-based errors, the log-rank test across cell types.
- ``cgd`` (chronic granulomatous disease, Fleming & Harrington 1991):
  recurrent infections of 128 patients, each infection interval an episode
  of that patient, its onset ``tstart`` days after the patient's first; the
  gap-time Cox model ``treat + age`` clustered by patient, and
  cox_time_trend's per-week hazard ratio against R's ``tstart / 7`` term.
- ``ovarian`` (Edmonson et al. 1979): 26 patients, KM by treatment arm.

Times are the datasets' days read as minutes (the unit does not enter the
estimates). Medians and quantiles are compared under the documented
convention (docs/metrics.md: the first time with S <= 1 - p, R's
``quantile`` takes the midpoint of a flat stretch at exactly 1 - p).

Skipped without R (survival) and lifelines unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import calmkit
from test_references import _R_WRITE, _need, _r_available, _rscript

_EXPORT = _R_WRITE + """
suppressMessages(library(survival))
lung <- survival::lung
lung <- lung[!is.na(lung$inst), ]
lung$row <- seq_len(nrow(lung))
write_frame(lung[, c("row", "inst", "time", "status", "age", "sex", "ph.ecog")], "lung.csv")
vet <- survival::veteran
vet$row <- seq_len(nrow(vet))
vet$celltype <- as.character(vet$celltype)
write_frame(vet[, c("row", "time", "status", "karno", "celltype")], "veteran.csv")
cgd <- survival::cgd
cgd$treat <- as.character(cgd$treat)
write_frame(cgd[, c("id", "enum", "tstart", "tstop", "status", "treat", "age")], "cgd.csv")
ova <- survival::ovarian
ova$row <- seq_len(nrow(ova))
write_frame(ova[, c("row", "futime", "fustat", "rx")], "ovarian.csv")

# Kaplan-Meier: lung by sex, ovarian by rx; the curve, the median table and quantiles.
km <- function(time, status, group, name, conf = 0.95) {
  fit <- survfit(Surv(time, status) ~ group, conf.type = "log-log", conf.int = conf, timefix = FALSE)
  strata <- rep(sub("^group=", "", names(fit$strata)), fit$strata)
  curve <- data.frame(set = name, group = strata, time = fit$time, n_risk = fit$n.risk,
                      n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv,
                      lower = fit$lower, upper = fit$upper)
  probs <- c(0.25, 0.5, 0.75)
  q <- quantile(fit, probs = probs, conf.int = TRUE)
  groups <- sub("^group=", "", rownames(q$quantile))
  first_at <- t(sapply(seq_along(fit$strata), function(i) {
    z <- fit[i]
    sapply(probs, function(p) with(z, time[which(surv <= 1 - p + sqrt(.Machine$double.eps))[1]]))
  }))
  quant <- data.frame(set = name, group = rep(groups, times = length(probs)), p = rep(probs, each = length(groups)),
                      quantile = as.vector(q$quantile), lower = as.vector(q$lower),
                      upper = as.vector(q$upper), first_at = as.vector(first_at))
  list(curve = curve, quant = quant)
}
a <- km(lung$time, lung$status, lung$sex, "lung")
b <- km(ova$futime, ova$fustat, ova$rx, "ovarian")
c80 <- km(lung$time, lung$status, lung$sex, "lung@0.8", 0.8)
c99 <- km(lung$time, lung$status, lung$sex, "lung@0.99", 0.99)
write_frame(rbind(a$curve, b$curve, c80$curve, c99$curve), "km_curve.csv")
write_frame(rbind(a$quant, b$quant, c80$quant, c99$quant), "km_quant.csv")

# Pooled (~ 1) median and interval of lung.
p <- survfit(Surv(time, status) ~ 1, data = lung, conf.type = "log-log", timefix = FALSE)
pq <- quantile(p, probs = 0.5, conf.int = TRUE)
write_frame(data.frame(median = unname(pq$quantile), lower = unname(pq$lower), upper = unname(pq$upper)),
            "lung_pooled.csv")

# Log-rank tests.
lr <- function(f, d, name) {
  s <- survdiff(f, data = d)
  data.frame(test = name, chisq = s$chisq, df = length(s$n) - 1,
             p = pchisq(s$chisq, length(s$n) - 1, lower.tail = FALSE))
}
cgd$gap <- cgd$tstop - cgd$tstart
write_frame(rbind(lr(Surv(time, status) ~ sex, lung, "lung_sex"),
                  lr(Surv(time, status) ~ celltype, vet, "veteran_celltype"),
                  lr(Surv(futime, fustat) ~ rx, ova, "ovarian_rx"),
                  lr(Surv(gap, status) ~ treat, cgd, "cgd_treat")), "logrank.csv")

# Cox models (Efron ties, R's defaults).
cx <- function(m, name) {
  s <- summary(m)$coefficients
  robust <- if ("robust se" %in% colnames(s)) s[, "robust se"] else s[, "se(coef)"]
  data.frame(model = name, term = rownames(s), coef = s[, "coef"], se = robust,
             p = s[, ncol(s)], n = m$n, events = m$nevent)
}
vet$celltype <- relevel(factor(vet$celltype), ref = "adeno")
cgd$weeks <- cgd$tstart / 7
write_frame(rbind(
  cx(coxph(Surv(time, status) ~ age + sex + ph.ecog + cluster(inst), data = lung, ties = "efron"), "lung"),
  cx(coxph(Surv(time, status) ~ karno + celltype, data = vet, ties = "efron"), "veteran"),
  cx(coxph(Surv(gap, status) ~ treat + age + cluster(id), data = cgd, ties = "efron"), "cgd"),
  cx(coxph(Surv(gap, status) ~ weeks + cluster(id), data = cgd, ties = "efron"), "cgd_per_week")),
  "cox.csv")
"""

_START = pd.Timestamp("2026-01-05T08:00:00Z")


@pytest.fixture(scope="module")
def r_results(tmp_path_factory) -> dict[str, pd.DataFrame]:
    _need(_r_available("survival"), "R with the survival package (r-base-core, r-cran-survival)")
    tmp = tmp_path_factory.mktemp("r_datasets")
    return _rscript(tmp, _EXPORT, {}, ["lung", "veteran", "cgd", "ovarian", "km_curve", "km_quant", "lung_pooled",
                                       "logrank", "cox"])


def _stats():
    try:
        import calmkit.stats as stats
        import lifelines  # noqa: F401
    except ImportError:
        _need(False, "lifelines (pip)")
    return stats


def _episode(j: calmkit.Journal, who: str, tid: str, onset: pd.Timestamp, minutes: float, calmed: bool) -> None:
    """A trigger (intensity 8) and its linked check-in ``minutes`` later: calm
    (1) for an event, still distressed (6) for a censored episode."""
    j.add(calmkit.Trigger(participant=who, id=tid, time=onset.isoformat(), category="conflict", intensity=8))
    j.add(calmkit.Reading(participant=who, time=(onset + pd.Timedelta(minutes=minutes)).isoformat(),
                          intensity=1 if calmed else 6, trigger=tid))


def _journal(data: pd.DataFrame, who, tid, onset, minutes, calmed) -> calmkit.Journal:
    j = calmkit.Journal()
    for _, r in data.iterrows():
        _episode(j, who(r), tid(r), onset(r), float(minutes(r)), bool(calmed(r)))
    return j


def _frame_with(j: calmkit.Journal, data: pd.DataFrame, key: str) -> pd.DataFrame:
    """time_to_calm's episodes with the dataset's columns joined by trigger id."""
    eps = calmkit.time_to_calm(j)
    eps = eps.assign(trigger_id=eps["trigger_id"].astype(str))
    return eps.merge(data.assign(trigger_id=data[key]), on="trigger_id", validate="one_to_one")


@pytest.fixture(scope="module")
def lung(r_results) -> pd.DataFrame:
    d = r_results["lung"]
    j = _journal(d, lambda r: f"inst{int(r['inst']):02d}", lambda r: f"p{int(r['row'])}",
                 lambda r: _START + pd.Timedelta(hours=int(r["row"])), lambda r: r["time"], lambda r: r["status"] == 2)
    f = _frame_with(j, d.assign(row=d["row"].map(lambda x: f"p{int(x)}")), "row")
    # The journal's episodes are the dataset's rows, time and status.
    assert len(f) == len(d) == 227
    np.testing.assert_array_equal(f["minutes"].to_numpy(float), f["time"].to_numpy(float))
    np.testing.assert_array_equal(f["calmed"].to_numpy(bool), (f["status"] == 2).to_numpy())
    return f.assign(sex=f["sex"].astype(int))


@pytest.fixture(scope="module")
def ovarian(r_results) -> pd.DataFrame:
    d = r_results["ovarian"]
    j = _journal(d, lambda r: "ovarian", lambda r: f"o{int(r['row'])}",
                 lambda r: _START + pd.Timedelta(days=int(r["row"])), lambda r: r["futime"], lambda r: r["fustat"] == 1)
    f = _frame_with(j, d.assign(row=d["row"].map(lambda x: f"o{int(x)}")), "row")
    np.testing.assert_array_equal(f["minutes"].to_numpy(float), f["futime"].to_numpy(float))
    return f.assign(rx=f["rx"].astype(int))


@pytest.fixture(scope="module")
def veteran(r_results) -> pd.DataFrame:
    d = r_results["veteran"]
    j = _journal(d, lambda r: "veteran", lambda r: f"v{int(r['row'])}",
                 lambda r: _START + pd.Timedelta(days=int(r["row"])), lambda r: r["time"], lambda r: r["status"] == 1)
    f = _frame_with(j, d.assign(row=d["row"].map(lambda x: f"v{int(x)}")), "row")
    np.testing.assert_array_equal(f["minutes"].to_numpy(float), f["time"].to_numpy(float))
    return f


@pytest.fixture(scope="module")
def cgd(r_results) -> pd.DataFrame:
    """Each infection interval an episode of its patient, the onset tstart
    days after the patient's first (so days_since_first is tstart), the gap
    (tstop - tstart) in minutes."""
    d = r_results["cgd"].assign(tid=lambda x: [f"c{int(a)}-{int(b)}" for a, b in zip(x["id"], x["enum"])])
    j = _journal(d, lambda r: f"id{int(r['id']):03d}", lambda r: r["tid"],
                 lambda r: _START + pd.Timedelta(days=int(r["tstart"])), lambda r: r["tstop"] - r["tstart"],
                 lambda r: r["status"] == 1)
    f = calmkit.analysis_frame(j)
    f = f.assign(trigger_id=f["trigger_id"].astype(str)).merge(d.rename(columns={"tid": "trigger_id"}),
                                                               on="trigger_id", validate="one_to_one")
    assert len(f) == len(d) == 203
    np.testing.assert_array_equal(f["minutes"].to_numpy(float), (f["tstop"] - f["tstart"]).to_numpy(float))
    np.testing.assert_array_equal(f["days_since_first"].to_numpy(float), f["tstart"].to_numpy(float))
    return f


def _same(a: float, b: float, rel: float = 0.0) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if rel == 0 else a == pytest.approx(b, rel=rel)


@pytest.mark.parametrize("name, group, confidence", [("lung", "sex", 0.95), ("ovarian", "rx", 0.95),
                                                     ("lung", "sex", 0.8), ("lung", "sex", 0.99)])
def test_km_curve_and_quantiles_equal_r_survfit(name: str, group: str, confidence: float, r_results,
                                                request) -> None:
    frame = request.getfixturevalue(name)
    rset = name if confidence == 0.95 else f"{name}@{confidence}"
    rc = r_results["km_curve"]
    rc = rc[rc["set"] == rset].assign(group=lambda x: x["group"].astype(int)).reset_index(drop=True)
    mine = calmkit.km_curve(frame, by=group, confidence=confidence).reset_index(drop=True)
    assert len(mine) == len(rc)
    assert (mine[group].to_numpy(int) == rc["group"].to_numpy()).all()
    np.testing.assert_array_equal(mine["minutes"], rc["time"])
    np.testing.assert_array_equal(mine["at_risk"], rc["n_risk"])
    np.testing.assert_array_equal(mine["events"], rc["n_event"])
    np.testing.assert_array_equal(mine["censored"], rc["n_censor"])
    np.testing.assert_allclose(mine["survival"], rc["surv"], rtol=1e-12)
    s = mine["survival"].to_numpy()
    inside = (s > 0) & (s < 1)
    assert inside.sum() > 20
    np.testing.assert_allclose(mine["ci_low"].to_numpy()[inside], rc["lower"].to_numpy()[inside], rtol=1e-9)
    np.testing.assert_allclose(mine["ci_high"].to_numpy()[inside], rc["upper"].to_numpy()[inside], rtol=1e-9)

    rq = r_results["km_quant"]
    rq = rq[rq["set"] == rset].assign(group=lambda x: x["group"].astype(int)).set_index(["group", "p"])
    q = calmkit.km_quantiles(frame, p=[0.25, 0.5, 0.75], by=group, confidence=confidence)
    summary = calmkit.time_to_calm_summary(frame, by=group, confidence=confidence).set_index(group)
    for _, row in q.iterrows():
        ref = rq.loc[(int(row[group]), row["p"])]
        assert _same(row["minutes"], ref["first_at"]), (name, row[group], row["p"])
        assert _same(row["ci_low"], ref["lower"]) and _same(row["ci_high"], ref["upper"]), \
            (name, row[group], row["p"], row["ci_low"], row["ci_high"], ref["lower"], ref["upper"])
        if row["p"] == 0.5:
            got = summary.loc[row[group]]
            assert _same(got["median_minutes"], row["minutes"]) and _same(got["ci_low"], row["ci_low"])
            assert _same(got["ci_high"], row["ci_high"])


def test_lung_pooled_median_and_interval_equal_r(lung, r_results) -> None:
    # R prints median 310, 95 % interval 283-361 (log-log) for the 227 patients with an institution.
    ref = r_results["lung_pooled"].iloc[0]
    assert (ref["median"], ref["lower"], ref["upper"]) == (310.0, 283.0, 361.0)
    pooled = calmkit.time_to_calm_summary(lung, by=None).iloc[0]
    assert (pooled["median_minutes"], pooled["ci_low"], pooled["ci_high"]) == (ref["median"], ref["lower"], ref["upper"])
    assert (pooled["episodes"], pooled["calmed"], pooled["censored"]) == (227, 164, 63)


@pytest.mark.parametrize("test, dataset, group", [("lung_sex", "lung", "sex"), ("veteran_celltype", "veteran", "celltype"),
                                                  ("ovarian_rx", "ovarian", "rx"), ("cgd_treat", "cgd", "treat")])
def test_logrank_equals_r_survdiff(test: str, dataset: str, group: str, r_results, request) -> None:
    stats = _stats()
    frame = request.getfixturevalue(dataset)
    ref = r_results["logrank"].set_index("test").loc[test]
    got = stats.logrank(frame, group).iloc[0]
    assert got["df"] == ref["df"]
    assert got["statistic"] == pytest.approx(ref["chisq"], rel=1e-9)
    assert got["p_value"] == pytest.approx(ref["p"], rel=1e-7)


def _fit(call):
    """The fit, failing on a PerfectSeparationWarning: none of these models
    has an infinite coefficient (R's coxph converges on each without its
    "coefficient may be infinite" warning)."""
    stats = _stats()
    with warnings.catch_warnings():
        warnings.simplefilter("error", stats.PerfectSeparationWarning)
        return call()


def _cox_against_r(got: pd.DataFrame, ref: pd.DataFrame, terms: dict[str, str]) -> None:
    ref = ref.set_index("term")
    assert list(got["term"]) == list(terms)
    for _, row in got.iterrows():
        r = ref.loc[terms[row["term"]]]
        assert row["coef"] == pytest.approx(r["coef"], rel=1e-7, abs=1e-10), row["term"]
        assert row["se"] == pytest.approx(r["se"], rel=1e-6), row["term"]
        assert row["p_value"] == pytest.approx(r["p"], rel=1e-5), row["term"]
        z = 1.959963984540054
        assert row["ci_low"] == pytest.approx(math.exp(r["coef"] - z * r["se"]), rel=1e-6)
        assert row["ci_high"] == pytest.approx(math.exp(r["coef"] + z * r["se"]), rel=1e-6)
    assert got.attrs["episodes"] == ref["n"].iloc[0] and got.attrs["events"] == ref["events"].iloc[0]


def test_lung_cox_clustered_by_institution_equals_r(lung, r_results) -> None:
    stats = _stats()
    ref = r_results["cox"].query("model == 'lung'")
    got = _fit(lambda: stats.cox(lung.assign(ph_ecog=lung["ph.ecog"]), ["age", "sex", "ph_ecog"]))
    _cox_against_r(got, ref, {"age": "age", "sex": "sex", "ph_ecog": "ph.ecog"})
    assert got.attrs["episodes"] == 226 and got.attrs["clusters"] == 18


def test_veteran_cox_with_a_four_level_factor_equals_r(veteran, r_results) -> None:
    stats = _stats()
    ref = r_results["cox"].query("model == 'veteran'")
    got = _fit(lambda: stats.cox(veteran, ["karno", "celltype"], cluster=None))
    _cox_against_r(got, ref, {"karno": "karno", "celltype[large]": "celltypelarge",
                              "celltype[smallcell]": "celltypesmallcell", "celltype[squamous]": "celltypesquamous"})


def test_cgd_recurrent_gap_times_clustered_by_patient_equal_r(cgd, r_results) -> None:
    stats = _stats()
    ref = r_results["cox"].query("model == 'cgd'")
    got = _fit(lambda: stats.cox(cgd, ["treat", "age"]))
    _cox_against_r(got, ref, {"treat[rIFN-g]": "treatrIFN-g", "age": "age"})
    assert got.attrs["clusters"] == 128


def test_cgd_cox_time_trend_per_week_equals_r(cgd, r_results) -> None:
    stats = _stats()
    ref = r_results["cox"].query("model == 'cgd_per_week'").iloc[0]
    row = _fit(lambda: stats.cox_time_trend(cgd)).set_index("model").loc["per_week"]
    assert row["hazard_ratio"] == pytest.approx(math.exp(ref["coef"]), rel=1e-7)
    assert row["p_value"] == pytest.approx(ref["p"], rel=1e-5)
    z = 1.959963984540054
    assert row["ci_low"] == pytest.approx(math.exp(ref["coef"] - z * ref["se"]), rel=1e-6)
    assert row["ci_high"] == pytest.approx(math.exp(ref["coef"] + z * ref["se"]), rel=1e-6)
    assert (row["episodes"], row["events"], row["participants"]) == (203, 76, 128)
