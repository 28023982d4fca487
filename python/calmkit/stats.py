"""Cohort-level inference on time-to-calm: log-rank tests and Cox models.

An optional part of calmkit (its ``stats`` extra: ``pip install lifelines``,
or ``pip install ".[stats]"`` in a source checkout): the models
come from lifelines (Davidson-Pilon 2019), a well-kept survival library,
fitted on :func:`calmkit.analysis_frame`, one row per episode. calmkit
prepares the episodes, names the numbers and computes the participant-
clustered Cox variance as R's ``survival`` does with tied times (Therneau &
Grambsch 2000); the tests compare them with R's ``survival`` (``survdiff``,
``coxph`` with ``cluster()``), statsmodels and lifelines.

An *event* is an episode that calmed (distress at or below the threshold);
``minutes`` is the time to calm or to censoring. A hazard ratio above 1 means
episodes calm **sooner** (a higher rate of calming), below 1 later.

What the numbers cannot tell (docs/metrics.md, "Cohort-level inference"):
censoring depends on how often people check in, since an episode with no
reading after its trigger can never calm, so more check-ins alone make calm
episodes; and episodes with an exercise carry the exercise's before/after
ratings as extra observations, so a comparison with and without exercises is
partly a measurement artefact, not only an effect of the exercise.

Example::

    import calmkit, calmkit.stats
    frame = calmkit.analysis_frame(calmkit.synthetic_journal(participants=20, days=84))
    calmkit.stats.logrank(frame, "first_and_latest")
    calmkit.stats.cox_time_trend(frame)      # hazard ratio per week and latest vs first weeks
"""

from __future__ import annotations

import warnings
from typing import Any, Iterable, Union

import numpy as np
import pandas as pd

from . import _core, _frames
from ._extras import install_hint

__all__ = ["INSTALL_HINT", "PerfectSeparationWarning", "logrank", "cox", "cox_time_trend"]

#: What to run when the optional libraries are missing.
INSTALL_HINT = install_hint("stats")


class PerfectSeparationWarning(UserWarning):
    """A Cox coefficient that may be infinite: the partial likelihood keeps
    growing as the coefficient goes to +-infinity (monotone likelihood,
    Heinze & Schemper 2001), e.g. when every episode of one group calmed and
    every episode of the other was censored. The estimate reported is where
    the fit stopped, not a finite maximum; its hazard ratio, interval and p
    value mean nothing. R's ``coxph`` warns "Loglik converged before variable
    ...; coefficient may be infinite" in the same cases (the test compares
    the two on the same data). Remedies: drop or merge the level, or use
    Firth's penalised Cox model (R's ``coxphf``)."""


#: R's coxph.control defaults: eps (convergence) and toler.inf = sqrt(eps).
_COX_EPS = 1e-9
_COX_TOLER_INF = _COX_EPS ** 0.5
#: lifelines' fit_options precision: small enough that its fit stops where R's does.
_COX_PRECISION = 1e-12


def _efron_newton_step(x: np.ndarray, time: np.ndarray, event: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """|U(beta) I(beta)^-1|: the size of the Newton step still left at
    ``beta``, per term, for the Efron partial likelihood (x: episodes x terms,
    centred). What R's coxph.fit tests after convergence: a step that is
    large against the coefficient means the likelihood was still rising when
    the iterations stopped, i.e. the coefficient is running off to infinity.
    Each risk set is scaled by its own largest exp(x beta), so nothing
    overflows however large the coefficient got."""
    k = x.shape[1]
    eta = x @ beta
    u = np.zeros(k)
    info = np.zeros((k, k))
    for t in np.unique(time[event]):
        risk = time >= t
        dead = risk & event & (time == t)
        xr, er = x[risk], eta[risk]
        w = np.exp(er - er.max())
        s0, s1, s2 = w.sum(), w @ xr, (xr * w[:, None]).T @ xr
        wd, xd = np.exp(eta[dead] - er.max()), x[dead]
        d0, d1, d2 = wd.sum(), wd @ xd, (xd * wd[:, None]).T @ xd
        d = int(dead.sum())
        u += xd.sum(axis=0)
        for r in range(d):
            f = r / d
            a0, a1, a2 = s0 - f * d0, s1 - f * d1, s2 - f * d2
            mean = a1 / a0
            u -= mean
            info += a2 / a0 - np.outer(mean, mean)
    try:
        var = np.linalg.pinv(info)
    except np.linalg.LinAlgError:
        return np.full(k, np.inf)
    return np.abs(u @ var)


def _efron_score_residuals(x: np.ndarray, time: np.ndarray, event: np.ndarray,
                           beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Efron score residuals and information at ``beta``, as R's
    ``residuals(coxph(...), "score")`` and ``solve(fit$var)`` (Therneau &
    Grambsch 2000, sections 4.6 and 7.2; R survival's coxscore2.c).

    x: episodes x terms (centred or not: the residuals do not change), time:
    minutes, event: calmed. Returns (residuals, episodes x terms, summing to
    the score U; information, terms x terms). At a time with d tied events
    the r-th (r = 0..d-1) Efron risk set weighs each of the d episodes by
    1 - r/d: an episode at risk and not calming then gets
    -exp(eta) sum_r (x - mean_r) / S0_r, and one calming there gets
    x - mean(mean_r) - exp(eta) sum_r (1 - r/d) (x - mean_r) / S0_r."""
    n, k = x.shape
    order = np.argsort(time, kind="stable")
    x, time, event = x[order], time[order], event[order]
    eta = x @ beta
    w = np.exp(eta - eta.max())
    ev_times = np.unique(time[event])
    m = len(ev_times)
    # Risk-set sums over time >= t: reverse cumulative sums from the first row at t.
    first = np.searchsorted(time, ev_times, side="left")
    c0 = np.cumsum(w[::-1])[::-1]
    c1 = np.cumsum((w[:, None] * x)[::-1], axis=0)[::-1]
    c2 = np.cumsum((w[:, None, None] * x[:, :, None] * x[:, None, :])[::-1], axis=0)[::-1]
    s0, s1, s2 = c0[first], c1[first], c2[first]
    # Each event's tie group (index into ev_times), its rank r in the group and the group size d.
    dead = np.flatnonzero(event)
    g = np.searchsorted(ev_times, time[dead])
    d = np.bincount(g, minlength=m).astype(float)
    r = np.arange(len(dead)) - np.searchsorted(g, g, side="left")
    wd = w[dead]
    d0 = np.bincount(g, weights=wd, minlength=m)
    d1 = np.zeros((m, k))
    np.add.at(d1, g, wd[:, None] * x[dead])
    d2 = np.zeros((m, k, k))
    np.add.at(d2, g, wd[:, None, None] * x[dead][:, :, None] * x[dead][:, None, :])
    f = r / d[g]
    a0 = s0[g] - f * d0[g]
    a1 = s1[g] - f[:, None] * d1[g]
    a2 = s2[g] - f[:, None, None] * d2[g]
    mean = a1 / a0[:, None]
    info = (a2 / a0[:, None, None] - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
    h = np.bincount(g, weights=1 / a0, minlength=m)  # hazard increments of the episodes not calming
    xh = np.zeros((m, k))
    np.add.at(xh, g, mean / a0[:, None])
    h2 = np.bincount(g, weights=(1 - f) / a0, minlength=m)  # ... and of those calming at that time
    xh2 = np.zeros((m, k))
    np.add.at(xh2, g, (1 - f)[:, None] * mean / a0[:, None])
    mean_avg = np.zeros((m, k))
    np.add.at(mean_avg, g, mean / d[g][:, None])
    # Cumulated over the event times up to each episode's own time (inclusive).
    upto = np.searchsorted(ev_times, time, side="right")
    ch = np.concatenate([[0.0], np.cumsum(h)])[upto]
    cxh = np.concatenate([np.zeros((1, k)), np.cumsum(xh, axis=0)])[upto]
    ch[dead] -= h[g] - h2[g]
    cxh[dead] -= xh[g] - xh2[g]
    resid = -w[:, None] * (x * ch[:, None] - cxh)
    resid[dead] += x[dead] - mean_avg[g]
    out = np.empty_like(resid)
    out[order] = resid
    return out, info


def _clustered_variance(x: np.ndarray, time: np.ndarray, event: np.ndarray, beta: np.ndarray,
                        cluster: np.ndarray) -> np.ndarray:
    """R's robust variance of ``coxph(... + cluster(id))`` (Lin & Wei 1989;
    Therneau & Grambsch 2000, section 7.2): the dfbeta residuals (Efron score
    residuals x the model-based variance I^-1) summed within each cluster,
    D (clusters x terms), and V = D' D, terms x terms. Without tied times this
    is the sandwich lifelines computes; with ties it follows R's Efron risk sets."""
    resid, info = _efron_score_residuals(x, time, event, beta)
    dfbeta = resid @ np.linalg.inv(info)
    _, idx = np.unique(cluster, return_inverse=True)
    dsum = np.zeros((idx.max() + 1, x.shape[1]))
    np.add.at(dsum, idx, dfbeta)
    return dsum.T @ dsum


def _warn_if_separated(design: pd.DataFrame, terms: list[str], coef: np.ndarray) -> bool:
    """Warns (PerfectSeparationWarning) when a coefficient may be infinite; returns whether it did."""
    x = design[terms].to_numpy(float)
    x = x - x.mean(axis=0)  # the centring of lifelines and R: the coefficients do not change
    step = _efron_newton_step(x, design["minutes"].to_numpy(float), design["calmed"].to_numpy(bool), coef)
    infinite = ~np.isfinite(step) | ((step > _COX_EPS) & (step > _COX_TOLER_INF * np.abs(coef)))
    if infinite.any():
        names = ", ".join(repr(t) for t, bad in zip(terms, infinite) if bad)
        warnings.warn(f"Cox model: the partial likelihood was still rising along {names} when the fit "
                      "converged; the coefficient may be infinite (perfect separation: e.g. every episode of "
                      "one group calmed and none of the other did). Its hazard ratio, interval and p value are "
                      "not estimates.", PerfectSeparationWarning, stacklevel=3)
    return bool(infinite.any())


def _lifelines() -> Any:
    try:
        import lifelines
        import lifelines.statistics  # noqa: F401
    except ImportError as e:
        raise ImportError(f"calmkit.stats needs lifelines ({e.name or 'lifelines'} is not installed): "
                          f"{INSTALL_HINT}") from None
    return lifelines


def _check(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """The episode frame's outcome columns and ``columns`` are there, and the
    outcome is one a survival model can take: ``minutes`` the model takes as
    minutes (calmkit::Minutes: finite, >= 0),
    ``calmed`` True/False on every row. Errors name the column and the first
    bad row (by the frame's index)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected the episode frame of calmkit.analysis_frame, got {type(frame).__name__}")
    missing = [c for c in ("minutes", "calmed", *columns) if c not in frame.columns]
    if missing:
        raise ValueError(f"episode frame lacks column(s) {missing}; see calmkit.analysis_frame")
    outcome = [c for c in columns if c in ("minutes", "calmed")]
    if outcome:
        raise ValueError(f"{outcome[0]!r} is the outcome (time-to-calm), not a covariate or group")
    for c in columns:  # 1 and "1" in one column: merged as text or unsortable as levels, so refused
        if frame[c].dtype == object:
            types = sorted({type(v).__name__ for v in frame[c] if not pd.isna(v)})
            if len(types) > 1:
                raise ValueError(f"column {c!r} mixes values of types {', '.join(types)} (e.g. 1 and '1'): "
                                 f"make it one type first, e.g. frame[{c!r}].astype(str)")
    # The model's rule of a duration in minutes (calmkit::Minutes), in its words; a
    # value that is no number at all is worded as the journal reader words it.
    bad = _core._first_bad_minutes(pd.to_numeric(frame["minutes"], errors="coerce").to_numpy(float))
    if bad is not None:
        position, reason = bad
        value = frame["minutes"].iloc[position]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            reason = _core._rule_reason("minutes", value)
        raise ValueError(f"row {frame.index[position]!r}, column 'minutes': {reason}")
    calmed = frame["calmed"]
    ok = calmed.map(lambda v: isinstance(v, (bool, np.bool_)) or (not pd.isna(v) and v in (0, 1)))
    if not ok.all():
        row = calmed.index[int(np.argmax(~ok.to_numpy(bool)))]
        raise ValueError(f"row {row!r}, column 'calmed': {calmed.loc[row]!r} is not True/False "
                         "(a missing value would be read as calmed)")


def _real_covariate(col: pd.Series, name: str) -> np.ndarray:
    """A numeric covariate as finite floats, or a ValueError naming the column
    (and the row of the first value that is not finite). Datetimes and
    durations are refused rather than fitted per nanosecond (their float
    value), complex numbers rather than cut to their real part."""
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_complex_dtype(col):
        raise ValueError(f"column {name!r} holds {col.dtype} values, neither real numbers nor levels (text, "
                         f"categories, True/False): convert it first, e.g. a time to days since a start, "
                         f"(frame[{name!r}] - start) / pd.Timedelta(days=1)")
    values = col.to_numpy(float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = col.index[int(np.argmax(bad))]
        raise ValueError(f"row {row!r}, column {name!r}: {col.loc[row]!r} is not a finite number; a covariate "
                         "must be finite (R's coxph refuses it too)")
    return values


def _check_not_collinear(design: pd.DataFrame) -> None:
    """A ValueError naming the terms when one design column is a linear
    combination of the others (with the intercept a Cox model has implicitly):
    the model cannot separate their effects (R's coxph reports the aliased
    term's coefficient as NA). Columns are centred and scaled to unit length
    first, so the rank does not depend on their units."""
    terms = list(design.columns)
    x = design.to_numpy(float)
    x = x - x.mean(axis=0)
    x = x / np.abs(x).max(axis=0)  # first to at most 1: the norm of 1e200s would overflow
    x = x / np.linalg.norm(x, axis=0)
    kept: list[int] = []
    for i, term in enumerate(terms):
        if np.linalg.matrix_rank(x[:, kept + [i]]) <= len(kept):
            others = ", ".join(repr(terms[k]) for k in kept)
            raise ValueError(f"covariates are collinear: {term!r} is a linear combination of {others} in the "
                             f"episodes used, so their effects cannot be told apart; leave one out")
        kept.append(i)


def logrank(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    """Log-rank test of equal time-to-calm across the groups of column
    ``group`` (episodes with a missing group left out), the Mantel-Haenszel
    statistic as R's ``survdiff(Surv(minutes, calmed) ~ group)`` computes it.

    One row: groups, episodes, events (calmed), statistic (chi-squared),
    df (groups - 1), p_value. Episodes are treated as independent; several
    episodes of one person are not, so with few people the p value is too
    small (use :func:`cox` with its participant-clustered errors)."""
    _check(frame, [group])
    ll = _lifelines()
    f = frame[frame[group].notna()]
    labels = f[group].astype(str)
    if labels.nunique() < 2:
        raise ValueError(f"log-rank test needs at least 2 groups in column {group!r}, got {labels.nunique()}")
    r = ll.statistics.multivariate_logrank_test(f["minutes"].to_numpy(float), labels.to_numpy(),
                                                f["calmed"].to_numpy(bool))
    return _frames.frame({"groups": [labels.nunique()], "episodes": [len(f)],
                          "events": [int(f["calmed"].sum())], "statistic": [float(r.test_statistic)],
                          "df": [int(r.degrees_of_freedom)], "p_value": [float(r.p_value)]})


def cox(frame: pd.DataFrame, covariates: Union[str, Iterable[str]], cluster: str | None = "participant",
        confidence: float = 0.95) -> pd.DataFrame:
    """Cox proportional hazards of calming, Efron's ties (as R's ``coxph``),
    with robust (sandwich) standard errors clustered by ``cluster`` (R:
    ``coxph(Surv(minutes, calmed) ~ x + cluster(participant))``): the episodes
    of one person are not independent. Categorical covariates become
    indicator columns against their first level. The coefficients are
    lifelines' fit (run to precision 1e-12, where it stops at R's); the robust
    variance is R's recipe, computed here: the Efron score residuals times
    the model-based variance (dfbeta residuals) summed per cluster, D, and
    V = D' D (Lin & Wei 1989; Therneau & Grambsch 2000, section 7.2; R
    survival's ``residuals.coxph(type = "dfbeta", collapse = cluster)``), so
    tied times give R's numbers too.

    One row per term: term, coef (log hazard ratio), se (robust when
    clustered), hazard_ratio, ci_low, ci_high (Wald, exp(coef +- z se)),
    p_value; ``attrs`` holds episodes, events and clusters of the rows used:
    episodes with a missing covariate or ``cluster`` value are left out, as
    R's default ``na.action = na.omit`` does.

    A :class:`PerfectSeparationWarning` when a coefficient may be infinite
    (R's coxph: "Loglik converged before variable ...; coefficient may be
    infinite"), detected with R's rule: after the fit, the Newton step still
    left, ``abs(U @ inv(I))``, exceeds both 1e-9 and ``sqrt(1e-9) * abs(coef)``.

    ValueError (never a lifelines internal) for: fewer than 2 clusters (one
    person's episodes: pass ``cluster=None``), no calmed episode, covariates
    with a single value, collinear covariates (one a linear combination of
    the others: R's coxph reports its coefficient as NA; named here), a
    covariate column that is neither real numbers nor levels (datetimes,
    durations and complex numbers: convert them first), a fit that does not
    converge, the outcome used as a covariate, and a row whose ``minutes`` is
    not finite and >= 0, whose ``calmed`` is not True/False or whose numeric
    covariate is not finite (named by row and column)."""
    keys = [covariates] if isinstance(covariates, str) else list(covariates)
    _check(frame, keys + ([cluster] if cluster else []))
    if (isinstance(confidence, (bool, np.bool_)) or not isinstance(confidence, (int, float, np.integer, np.floating))
            or not 0 < confidence < 1):
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    ll = _lifelines()
    # Episodes with a missing covariate or cluster are left out, as R's
    # coxph(..., na.action = na.omit) does (a missing participant would
    # otherwise become a cluster of its own).
    f = frame[frame[keys + ([cluster] if cluster else [])].notna().all(axis=1)]
    if not f["calmed"].astype(bool).any():
        raise ValueError(f"a Cox model needs at least one calmed episode; got {len(f)} episode(s), none calmed")
    if cluster and f[cluster].nunique() < 2:
        # A sandwich variance from one cluster is degenerate (zero): p = 0 and a zero-width interval.
        raise ValueError(f"errors clustered by {cluster!r} need at least 2 {cluster}s, got "
                         f"{f[cluster].nunique()}; pass cluster=None for model-based errors of one person")
    design = pd.DataFrame(index=f.index)
    for k in keys:
        col = f[k]
        # Text is levels whatever its dtype: object, pandas 2's "string" or pandas 3's default "str".
        if (isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object
                or pd.api.types.is_bool_dtype(col) or pd.api.types.is_string_dtype(col)):
            levels = (list(col.cat.remove_unused_categories().cat.categories)
                      if isinstance(col.dtype, pd.CategoricalDtype) else sorted(col.unique()))
            for level in levels[1:]:
                design[f"{k}[{level}]"] = (col == level).to_numpy(float)
        else:
            design[k] = _real_covariate(col, k)
    if len(design.columns) == 0 or any(design[c].nunique() < 2 for c in design.columns):
        raise ValueError(f"covariate(s) {keys} take a single value in the episodes used: nothing to compare")
    _check_not_collinear(design)
    design["minutes"] = f["minutes"].to_numpy(float)
    design["calmed"] = f["calmed"].to_numpy(bool)
    if cluster:
        design["_cluster"] = f[cluster].astype(str).to_numpy()
    fitter = ll.CoxPHFitter(alpha=1 - confidence)
    # lifelines' default precision (1e-7 on its scaled step) can stop while the
    # Newton step left is still larger than R's coxph tolerance: the coefficient
    # then differs from R's in the fourth digit and looks like separation.
    try:
        # lifelines' own warnings are held back: where the likelihood runs off
        # to infinity they only restate, in its internal terms ("norm(delta)
        # is still high", "very low variance"), what PerfectSeparationWarning
        # says; otherwise they are passed on as they came.
        with warnings.catch_warnings(record=True) as held:
            warnings.simplefilter("always")
            fitter.fit(design.drop(columns="_cluster", errors="ignore"), duration_col="minutes",
                       event_col="calmed", fit_options={"precision": _COX_PRECISION})
    except ll.exceptions.ConvergenceError as e:
        first = str(e).split(". ")[0]
        raise ValueError(f"the Cox model of {keys} did not converge ({first}); a covariate on a huge scale "
                         "may need rescaling (e.g. days instead of seconds)") from None
    terms = list(fitter.params_.index)
    coef = fitter.params_.to_numpy(float)
    if not _warn_if_separated(design, terms, coef):
        for w in held:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if cluster:
        # R's robust variance from Efron dfbeta residuals (lifelines' sandwich
        # differs from it when times are tied).
        x = design[terms].to_numpy(float)
        var = _clustered_variance(x - x.mean(axis=0), design["minutes"].to_numpy(float),
                                  design["calmed"].to_numpy(bool), coef, design["_cluster"].to_numpy())
        se = np.sqrt(np.diag(var))
    else:
        se = fitter.standard_errors_.to_numpy(float)
    from scipy import stats as sps  # a lifelines dependency

    z = sps.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(over="ignore"):  # an interval end beyond the doubles is +inf, as R's exp() gives
        out = _frames.frame({"term": terms, "coef": coef, "se": se, "hazard_ratio": np.exp(coef),
                             "ci_low": np.exp(coef - z * se), "ci_high": np.exp(coef + z * se),
                             "p_value": 2 * sps.norm.sf(np.abs(coef / se))})
    out.attrs.update(episodes=len(design), events=int(design["calmed"].sum()),
                     clusters=int(f[cluster].nunique()) if cluster else None)
    return out


def cox_time_trend(frame: pd.DataFrame, cluster: str | None = "participant",
                   confidence: float = 0.95) -> pd.DataFrame:
    """"Is time-to-calm getting shorter over the weeks?" Two Cox models with
    participant-clustered errors (:func:`cox`):

    - ``per_week``: the hazard ratio of calming per week since the
      participant's first record (``days_since_first / 7``); above 1: episodes
      calm sooner as the weeks go by;
    - ``latest_vs_first``: episodes of the latest weeks against those of the
      first weeks (column ``first_and_latest``; other episodes left out).

    One row per model: model, term, hazard_ratio, ci_low, ci_high, p_value,
    episodes, events, participants."""
    _check(frame, ["days_since_first", "first_and_latest"])
    f = frame.assign(weeks_since_first=frame["days_since_first"] / 7.0)
    rows = []
    for model, data, term in (("per_week", f, "weeks_since_first"),
                              ("latest_vs_first", f[f["first_and_latest"].notna()], "first_and_latest")):
        r = cox(data, term, cluster=cluster, confidence=confidence)
        one = r.iloc[-1]
        rows.append({"model": model, "term": one["term"], "hazard_ratio": one["hazard_ratio"],
                     "ci_low": one["ci_low"], "ci_high": one["ci_high"], "p_value": one["p_value"],
                     "episodes": r.attrs["episodes"], "events": r.attrs["events"],
                     "participants": r.attrs["clusters"]})
    return _frames.frame(rows)
