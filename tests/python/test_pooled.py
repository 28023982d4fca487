"""Pooled and grouped figures come from the metric functions, and every chart
and report sentence says what those functions return.

The issue's smallest case: person A, trigger 10:00 intensity 8 with a linked
reading 11:00 intensity 2; person B, trigger 09:00 intensity 8 with an
unlinked reading 10:05 intensity 1. Each episode is made of its own person's
records: A calms at 60 min, B at 65 min. (Relabelling both as one person let
B's 10:05 reading calm A's 10:00 trigger after 5 min and left B censored at 0.)
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

import numpy as np
import pandas as pd
import pytest

import calmkit
import calmkit.plot as plot
import calmkit.report as report


def _two_people() -> calmkit.Journal:
    j = calmkit.Journal()
    j.add(calmkit.Trigger(participant="A", id="t1", time="2026-03-02T10:00:00+00:00", category="conflict",
                          intensity=8))
    j.add(calmkit.Reading(participant="A", id="r1", time="2026-03-02T11:00:00+00:00", intensity=2, trigger="t1"))
    j.add(calmkit.Trigger(participant="B", id="t1", time="2026-03-02T09:00:00+00:00", category="conflict",
                          intensity=8))
    j.add(calmkit.Reading(participant="B", id="r1", time="2026-03-02T10:05:00+00:00", intensity=1))
    return j


def test_smallest_case_pooled_is_each_persons_own_episode() -> None:
    j = _two_people()
    eps = calmkit.time_to_calm(j)
    assert dict(zip(eps["participant"].astype(str), eps["minutes"])) == {"A": 60.0, "B": 65.0}
    assert eps["calmed"].all()
    pooled = calmkit.time_to_calm_summary(j, by=None)
    # KM over (60, calm), (65, calm): S(60) = 1/2 -> median 60; S(65) = 0.
    assert (int(pooled["episodes"][0]), int(pooled["calmed"][0]), int(pooled["censored"][0])) == (2, 2, 0)
    assert pooled["median_minutes"][0] == 60.0
    curve = calmkit.km_curve(j, by=None)
    assert list(curve["minutes"]) == [60.0, 65.0]
    assert list(curve["survival"]) == [0.5, 0.0]
    # The same from the episode frame, and grouped by a column the user adds.
    eps["early"] = np.where(eps["participant"].astype(str) == "B", "early", "late")
    by_col = calmkit.time_to_calm_summary(eps, by="early").set_index("early")
    assert by_col.loc["early", "median_minutes"] == 65.0 and by_col.loc["late", "median_minutes"] == 60.0
    assert calmkit.time_to_calm_summary(eps, by=None)["median_minutes"][0] == 60.0


def test_grouping_by_any_episode_column_equals_the_filtered_frames() -> None:
    j = calmkit.synthetic_journal(participants=4, days=70, seed=11)
    eps = calmkit.time_to_calm(j)
    eps["half"] = np.where(eps["onset"] < eps["onset"].median(), "early", "late")
    grouped = calmkit.time_to_calm_summary(eps, by=["participant", "half", "group"])
    assert list(grouped.columns[:3]) == ["participant", "half", "group"]
    for row in grouped.itertuples(index=False):
        part = eps[(eps["participant"] == row.participant) & (eps["half"] == row.half) & (eps["group"] == row.group)]
        alone = calmkit.time_to_calm_summary(part, by=None).iloc[0]
        assert row.episodes == alone["episodes"] == len(part)
        for col in ("median_minutes", "ci_low", "ci_high"):
            a, b = getattr(row, col), alone[col]
            assert (math.isnan(a) and math.isnan(b)) or a == b
    # "group" works on a journal too (the frame is computed first).
    by_group = calmkit.time_to_calm_summary(j, by="group")
    assert by_group["episodes"].sum() == len(eps)
    curves = calmkit.km_curve(eps, by=["half"])
    assert set(curves["half"]) == {"early", "late"}
    with pytest.raises(ValueError, match="not a column"):
        calmkit.time_to_calm_summary(eps, by="nope")


def test_first_and_latest_against_pandas() -> None:
    j = calmkit.synthetic_journal(participants=3, days=70, seed=5)
    eps = calmkit.time_to_calm(j)
    split = calmkit.first_and_latest(eps, weeks=4)
    for p, g in eps.groupby(eps["participant"].astype(str)):
        t0, t1 = g["onset"].min(), g["onset"].max()
        four = pd.Timedelta(days=28)
        expect = np.where(g["onset"] < t0 + four, "first", np.where(g["onset"] >= t1 - four, "latest", None))
        got = split.loc[g.index].astype(object).where(split.loc[g.index].notna(), None)
        assert list(got) == list(expect), p
        assert split.attrs["days"][p] == 28.0


def _pooled_weekly_counts_by_pandas(j: calmkit.Journal) -> pd.Series:
    """Pooled triggers per local ISO week, zero-filled from the first week of
    anyone's records to the last: independent of calmkit's metrics."""
    days = pd.concat([t.to_pandas()["local_time"].dt.tz_localize(None).dt.normalize()
                      for t in (j.triggers, j.readings, j.exercises, j.thought_records, j.assessments)])
    monday = lambda d: d - pd.to_timedelta(d.dt.day_of_week, unit="D")  # noqa: E731
    weeks = pd.date_range(monday(days).min(), monday(days).max(), freq="7D")
    local = j.triggers.to_pandas()["local_time"].dt.tz_localize(None).dt.normalize()
    return monday(local).value_counts().reindex(weeks, fill_value=0).sort_index()


def _pooled_weekly_person_days_by_pandas(j: calmkit.Journal, weeks: pd.DatetimeIndex) -> np.ndarray:
    """Exposure of each pooled week: the days of it inside each participant's
    span (first to last local date of their records), summed."""
    out = np.zeros(len(weeks))
    for p in j.participants():
        one = j.participant(p)
        days = pd.concat([t.to_pandas()["local_time"].dt.tz_localize(None).dt.normalize()
                          for t in (one.triggers, one.readings, one.exercises, one.thought_records,
                                    one.assessments)])
        first, last = days.min(), days.max()
        for i, w in enumerate(weeks):
            out[i] += max(0, (min(last, w + pd.Timedelta(days=6)) - max(first, w)).days + 1)
    return out


@pytest.fixture(scope="module")
def cohort() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=3, days=70, seed=7)


def test_pooled_frequency_trend_and_peaks(cohort: calmkit.Journal) -> None:
    f = calmkit.trigger_frequency(cohort, by=None)
    expect = _pooled_weekly_counts_by_pandas(cohort)
    assert list(f["count"]) == list(expect.to_numpy())
    assert list(pd.to_datetime(f["period_start"])) == list(expect.index)
    # The pooled trend of a one-person journal is that person's C++ trend.
    p = cohort.participants()[0]
    alone = cohort.participant(p)
    mine = calmkit.trigger_trend(cohort).set_index("participant").loc[p]
    pooled = calmkit.trigger_trend(alone, by=None).iloc[0]
    for col in pooled.index:
        assert pooled[col] == pytest.approx(mine[col], rel=1e-12, nan_ok=True), col
    mine = calmkit.peak_trend(cohort).set_index("participant").loc[p]
    pooled = calmkit.peak_trend(alone, by=None).iloc[0]
    for col in pooled.index:
        assert pooled[col] == pytest.approx(mine[col], rel=1e-9, nan_ok=True), col
    # Pooled quasi-Poisson slope checked with statsmodels' GLM on the pooled counts.
    sm = pytest.importorskip("statsmodels.api")
    y = expect.to_numpy(dtype=float)
    exposure = _pooled_weekly_person_days_by_pandas(cohort, expect.index) / 7
    fit = sm.GLM(y, sm.add_constant(np.arange(len(y), dtype=float)), family=sm.families.Poisson(),
                 offset=np.log(exposure)).fit(scale="X2", use_t=True, tol=1e-14)
    t = calmkit.trigger_trend(cohort, by=None).iloc[0]
    assert t["slope_per_week"] == pytest.approx(fit.params[1], rel=1e-8)
    assert t["slope_se"] == pytest.approx(fit.bse[1], rel=1e-8)
    assert t["dispersion"] == pytest.approx(fit.scale, rel=1e-8)
    assert [t["slope_ci_low"], t["slope_ci_high"]] == pytest.approx(fit.conf_int(alpha=0.05)[1], rel=1e-8)


def _thought_records_by_pandas(j: calmkit.Journal, min_alternatives: int, by: str | None) -> pd.DataFrame:
    """thought_record_summary written with pandas from the record objects."""
    rows = []
    for r in j.thought_records:
        rated = [e.before - e.after for e in r.emotions if e.after is not None]
        rows.append({"participant": r.participant, "before": r.belief_before,
                     "after": np.nan if r.belief_after is None else r.belief_after,
                     "emotion": np.mean(rated) if rated else np.nan,
                     "alt": len(r.alternatives) >= min_alternatives})
    t = pd.DataFrame(rows)
    t["change"] = t["before"] - t["after"]
    t.loc[t["after"].isna(), "before"] = np.nan  # "before" of the rated records only
    keys = ["participant"] if by else np.zeros(len(t), dtype=int)
    g = t.groupby(keys, sort=True)
    return pd.DataFrame({
        "records": g.size(), "belief_rated": g["after"].count(), "mean_belief_before": g["before"].mean(),
        "mean_belief_after": g["after"].mean(), "mean_belief_change": g["change"].mean(),
        "median_belief_change": g["change"].median(), "emotion_rated": g["emotion"].count(),
        "mean_emotion_change": g["emotion"].mean(), "share_min_alternatives": g["alt"].mean()})


@pytest.mark.parametrize("by", ["participant", None])
@pytest.mark.parametrize("min_alternatives", [1, 3])
def test_thought_record_summary_against_pandas(by: str | None, min_alternatives: int) -> None:
    j = calmkit.synthetic_journal(participants=6, days=70, seed=23)
    got = calmkit.thought_record_summary(j, min_alternatives=min_alternatives, by=by)
    expect = _thought_records_by_pandas(j, min_alternatives, by)
    assert len(got) == len(expect) == (6 if by else 1)
    assert ("participant" in got.columns) == (by is not None)
    if by:
        assert list(got["participant"].astype(str)) == list(expect.index)
    for col in expect.columns:
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), expect[col].to_numpy(dtype=float),
                                   rtol=1e-12, err_msg=col)
    # The same from the columnar cohort (no journal to relabel: pooling is in the metric).
    again = calmkit.thought_record_summary(calmkit.cohort(j), min_alternatives=min_alternatives, by=by)
    pd.testing.assert_frame_equal(got, again)
    with pytest.raises(ValueError, match="by must be"):
        calmkit.thought_record_summary(j, by="week")


def _number_after(text: str, before: str) -> float:
    m = re.search(re.escape(before) + r"\s*([-+]?\d+(?:\.\d+)?)", text)
    assert m, (before, text)
    return float(m.group(1))


@pytest.mark.parametrize("who", [None, "p002"])
def test_every_chart_says_what_the_metric_returns(cohort: calmkit.Journal, who: str | None) -> None:
    j = cohort if who is None else cohort.participant(who)
    one = who is not None

    def row(frame: pd.DataFrame) -> pd.Series:
        """The pooled row, or this participant's row of the per-participant frame of the whole cohort."""
        return frame.set_index("participant").loc[who] if one else frame.iloc[0]

    by = "participant" if one else None
    d = plot.chart_data("triggers_per_week", cohort, who)
    freq = calmkit.trigger_frequency(cohort, by=by)
    if one:
        freq = freq[freq["participant"] == who]
    assert list(d.values["counts"]) == list(freq["count"])
    trend = row(calmkit.trigger_trend(cohort, by=by))
    assert d.values["slope"] == pytest.approx(trend["slope_per_week"], rel=1e-12)
    assert f"({trend['weekly_change_pct']:+.0f}% a week" in d.reading
    assert f"from about {plot._n(trend['fitted_first'])} to {plot._n(trend['fitted_last'])} a week over " \
           f"{int(trend['weeks'])} weeks" in d.reading
    # The fitted rates against statsmodels' Poisson GLM on the same weekly counts.
    sm = pytest.importorskip("statsmodels.api")
    wk = np.arange(len(freq), dtype=float)
    sub = cohort.participant(who) if one else cohort
    exposure = _pooled_weekly_person_days_by_pandas(sub, pd.DatetimeIndex(pd.to_datetime(freq["period_start"])))
    glm = sm.GLM(freq["count"].to_numpy(float), sm.add_constant(wk), family=sm.families.Poisson(),
                 offset=np.log(exposure / 7)).fit()
    # Triggers per full week at the first and last week: the fit's rate, not its partial-week mean.
    assert trend["fitted_first"] == pytest.approx(np.exp(glm.params[0]), rel=1e-6)
    assert trend["fitted_last"] == pytest.approx(np.exp(glm.params[0] + glm.params[1] * wk[-1]), rel=1e-6)

    d = plot.chart_data("km_first_vs_latest", cohort, who)
    eps = calmkit.time_to_calm(j)
    for label, g in (("first 4 weeks", "first"), ("latest 4 weeks", "latest")):
        keep = []
        for _, e in eps.groupby(eps["participant"].astype(str)):
            t0, t1 = e["onset"].min(), e["onset"].max()
            inside = e["onset"] < t0 + pd.Timedelta(days=28) if g == "first" else e["onset"] >= t1 - pd.Timedelta(
                days=28)
            keep.append(e[inside])
        s = calmkit.time_to_calm_summary(pd.concat(keep), by=None).iloc[0]
        assert f"{plot._minutes(s['median_minutes'])} in the {label}" in d.reading
        assert d.values["counts"][g] == s["episodes"]

    d = plot.chart_data("median_time_to_calm_by_month", cohort, who)
    s = calmkit.time_to_calm_summary(cohort, by=["participant", "month"] if one else "month")
    if one:
        s = s[s["participant"] == who]
    s = s[np.isfinite(s["median_minutes"])]
    assert d.reading.startswith(f"Median time to calm went from {plot._minutes(s['median_minutes'].iloc[0])}")
    assert f"to {plot._minutes(s['median_minutes'].iloc[-1])} in" in d.reading

    d = plot.chart_data("peak_intensity", cohort, who)
    pt = row(calmkit.peak_trend(cohort, by=by))
    assert f"{abs(pt['slope_per_week']):.2f} points a week" in d.reading
    assert f"{pt['slope_ci_low']:+.2f} to {pt['slope_ci_high']:+.2f}" in d.reading
    start, end = pt["intercept"], pt["intercept"] + pt["slope_per_week"] * pt["span_weeks"]
    assert f"from about {start:.1f} to {end:.1f} out of 10 over {pt['span_weeks']:.1f} weeks, " \
           f"{int(pt['episodes'])} episodes" in d.reading
    assert d.values["line"] == (pytest.approx(start, rel=1e-12), pytest.approx(end, rel=1e-12))
    # The fitted line on weeks since the first onset: one person's against
    # numpy's least squares; the cohort's against statsmodels' within-person
    # fit (one level per participant), through the cohort's mean week and peak.
    peaks = calmkit.peak_intensity(j)
    x = ((peaks["onset"] - peaks["onset"].min()) / pd.Timedelta(weeks=1)).to_numpy(float)
    y = peaks["peak_intensity"].to_numpy(float)
    if one:
        slope, intercept = np.polyfit(x, y, 1)
    else:
        smf = pytest.importorskip("statsmodels.formula.api")
        frame = pd.DataFrame({"y": y, "x": x, "g": peaks["participant"].astype(str).to_numpy()})
        slope = smf.ols("y ~ x + C(g)", frame).fit().params["x"]
        intercept = y.mean() - slope * x.mean()
    assert pt["slope_per_week"] == pytest.approx(slope, rel=1e-9)
    assert pt["intercept"] == pytest.approx(intercept, rel=1e-9)
    assert pt["span_weeks"] == pytest.approx(x.max(), rel=1e-12)
    assert pt["mean_peak"] == pytest.approx(peaks["peak_intensity"].mean(), rel=1e-12)

    d = plot.chart_data("heatmap_weekday_hour", cohort, who)
    local = j.triggers.to_pandas()["local_time"]
    grid = pd.crosstab(local.dt.day_of_week, local.dt.hour).reindex(index=range(7), columns=range(24), fill_value=0)
    assert (d.values["grid"] == grid.to_numpy()).all()
    hs = row(calmkit.trigger_weekday_hour_summary(cohort, by=by))
    h = int(hs["busiest_hours_start"])
    assert (f"The busiest hours were {h:02d}:00-{(h + 3) % 24:02d}:00 ({hs['busiest_hours_share']:.0%} of triggers) "
            f"and the busiest day {plot.WEEKDAY_NAMES[int(hs['busiest_weekday'])]} "
            f"({hs['busiest_weekday_share']:.0%}); {hs['night_share']:.0%} came between 22:00 and 04:00.") == d.reading
    # The metric against pandas on the local times of the triggers.
    assert (hs["triggers"], hs["busiest_hours_count"], hs["night_count"]) == _busiest_by_pandas(local)[:3]
    assert (int(hs["busiest_weekday"]), hs["busiest_weekday_count"]) == _busiest_by_pandas(local)[3:]

    d = plot.chart_data("trigger_categories", cohort, who)
    counts = j.triggers.to_pandas()["category"].astype(str).value_counts()
    assert sorted(d.values["counts"], reverse=True) == sorted(counts.to_numpy(), reverse=True)
    ct = calmkit.trigger_category_totals(cohort, by=by)
    gt = calmkit.trigger_category_totals(cohort, by=by, level="group")
    if one:
        ct, gt = ct[ct["participant"] == who], gt[gt["participant"] == who]
    labels = {c[0]: c[1] for c in calmkit.trigger_categories()}
    top, top_group = ct.iloc[0], gt.iloc[0]
    assert (f"The most common trigger was \u201c{labels[top['category']]}\u201d ({top['count']} of "
            f"{ct['count'].sum()}, {top['share']:.0%}); by group, \u201c{dict(calmkit.trigger_groups())[top_group['group']]}"
            f"\u201d came first ({top_group['share']:.0%}).") == d.reading
    assert list(d.values["counts"]) == list(ct.loc[ct["count"] > 0, "count"])
    # The metric against pandas: the most common category (alphabetical id first on a tie).
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert (top["category"], int(top["count"])) == ranked[0] and top["share"] == pytest.approx(ranked[0][1] / len(local))

    d = plot.chart_data("exercise_effectiveness", cohort, who)
    ee = calmkit.exercise_effectiveness(cohort, by_participant=one)
    if one:
        ee = ee[ee["participant"] == who]
    ee = ee[ee["rated"] >= plot.MIN_RATED_SESSIONS].sort_values(["mean_change", "rated"], ascending=False)
    assert f"{ee['mean_change'].iloc[0]:.1f} points over {int(ee['rated'].iloc[0])} rated" in d.reading

    d = plot.chart_data("thought_record_belief", cohort, who)
    tr = row(calmkit.thought_record_summary(cohort, by=by))
    assert f"dropped by {tr['mean_belief_change']:.0f} percentage points" in d.reading
    assert f"(median {tr['median_belief_change']:.0f})" in d.reading
    assert f"from {tr['mean_belief_before']:.0f}% to {tr['mean_belief_after']:.0f}%." in d.reading
    # The metric against pandas on the records themselves (each person's own records).
    rated = j.thought_records.to_pandas().dropna(subset=["belief_after"])
    assert int(tr["belief_rated"]) == len(rated) and int(tr["records"]) == len(j.thought_records)
    assert tr["mean_belief_change"] == pytest.approx((rated["belief_before"] - rated["belief_after"]).mean())
    assert tr["median_belief_change"] == pytest.approx((rated["belief_before"] - rated["belief_after"]).median())
    assert tr["mean_belief_before"] == pytest.approx(rated["belief_before"].astype(float).mean(), rel=1e-12)
    assert tr["mean_belief_after"] == pytest.approx(rated["belief_after"].astype(float).mean(), rel=1e-12)
    # The points drawn are those records, and the sentence's figures are their means.
    assert sorted(d.values["before"]) == sorted(rated["belief_before"].astype(float))
    assert sorted(d.values["after"]) == sorted(rated["belief_after"].astype(float))

    d = plot.chart_data("window_of_uncertainty", cohort, who)
    w = row(calmkit.window_of_uncertainty(cohort)) if one else calmkit.window_of_uncertainty(cohort,
                                                                                              pooled=True).iloc[0]
    assert f"the median wait was {w['minutes_median']:.0f} minutes ({int(w['minutes_n'])} timed)" in d.reading
    acted = j.triggers.to_pandas()["acted_after_minutes"].dropna()
    assert w["minutes_median"] == pytest.approx(float(np.median(acted)))

    d = plot.chart_data("assessment_scores", cohort, who)
    scores = calmkit.assessment_scores(j)
    gad = scores[scores["instrument"] == "gad-7"].sort_values(["time", "id"], kind="stable")
    if one:
        c = calmkit.assessment_change(cohort).set_index(["participant", "instrument"]).loc[(who, "gad-7")]
        assert (f"GAD-7 {'fell' if c['change'] < 0 else 'rose' if c['change'] > 0 else 'stayed'} from "
                f"{plot._n(c['first_total'])} ({c['first_band']}) to {plot._n(c['latest_total'])} ({c['latest_band']}) "
                f"between the first and the latest of {int(c['n'])} check-ins ({c['first_local_time'].date()} and "
                f"{c['latest_local_time'].date()})") in d.reading
        # The metric against pandas on the scores: first and latest by time.
        assert (c["first_total"], c["latest_total"]) == (gad["total"].iloc[0], gad["total"].iloc[-1])
    else:
        c = calmkit.assessment_change(cohort, by=None).set_index("instrument").loc["gad-7"]
        assert (f"GAD-7: lower at the latest check-in than at the first for {int(c['lower'])} of "
                f"{int(c['repeated'])} participants") in d.reading
        change = gad.groupby("participant", observed=True)["total"].agg(lambda x: x.iloc[-1] - x.iloc[0])
        n = gad.groupby("participant", observed=True).size()
        assert int(c["lower"]) == int((change[n >= 2] < 0).sum()) and int(c["repeated"]) == int((n >= 2).sum())


def _busiest_by_pandas(local: pd.Series) -> tuple[int, int, int, int, int]:
    """triggers, busiest 3-hour block's count (wrapping), 22:00-04:00 count,
    busiest weekday and its count (the earliest on ties), from local times."""
    hours = local.dt.hour.value_counts().reindex(range(24), fill_value=0)
    blocks = [sum(hours[(h + k) % 24] for k in range(3)) for h in range(24)]
    days = local.dt.day_of_week.value_counts().reindex(range(7), fill_value=0)
    day = min(range(7), key=lambda k: (-days[k], k))
    return (len(local), max(blocks), int(hours[[22, 23, 0, 1, 2, 3]].sum()), day, int(days[day]))


def _cells(row_html: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", row_html)]


def test_report_figures_are_the_metric_functions(cohort: calmkit.Journal) -> None:
    text = report.build_report(cohort)
    # The overview: one row per participant, episodes and the KM median with its CI.
    s = calmkit.time_to_calm_summary(cohort).set_index("participant")
    trend = calmkit.trigger_trend(cohort).set_index("participant")
    for p in cohort.participants():
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", text) if f'href="#p-{p}"' in r)
        cells = _cells(row)
        assert cells[6] == f"{int(s.loc[p, 'episodes'])} ({int(s.loc[p, 'censored'])} censored)"
        assert cells[7] == (f"{s.loc[p, 'median_minutes']:.0f} ({s.loc[p, 'ci_low']:.0f}\u2013"
                            f"{s.loc[p, 'ci_high']:.0f})")
        assert cells[8] == f"{trend.loc[p, 'weekly_change_pct']:+.0f}%"
    # Every caption is the reading of its chart for the same grouping (pooled
    # charts first, then each participant's), whose figures the test above
    # checks against the metric functions.
    captions = [html.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", text, re.S)]
    expected = [plot.reading(n, cohort, None) for n in report.COHORT_CHARTS]
    for p in cohort.participants():
        expected += [plot.reading(n, cohort, p) for n in report.PER_PARTICIPANT]
        if len(cohort.participant(p).assessments):
            expected.append(plot.reading(report.ASSESSMENT_CHART, cohort, p))
    assert captions == expected
    # The pooled time-to-calm sentence: medians of the pooled metric on each
    # person's first and latest 4 weeks.
    eps = calmkit.time_to_calm(cohort)
    eps["w"] = calmkit.first_and_latest(eps)
    pooled = calmkit.time_to_calm_summary(eps, by="w").set_index("w")
    assert (f"{plot._minutes(pooled.loc['first', 'median_minutes'])} in the first 4 weeks, "
            f"{plot._minutes(pooled.loc['latest', 'median_minutes'])} in the latest 4 weeks") in captions[1]
    assert _number_after(captions[1], "Median time to calm (distress 3 or less):") == pytest.approx(
        pooled.loc["first", "median_minutes"], abs=0.5)


def test_cli_summary_time_to_calm_is_the_metric(tmp_path, cohort: calmkit.Journal) -> None:
    import io

    from calmkit import cli

    path = tmp_path / "cohort.jsonl"
    calmkit.write_journal(cohort, path)
    out = io.StringIO()
    assert cli.summary.write_summary(path, out) == 0
    lines = out.getvalue().splitlines()
    eps = calmkit.time_to_calm(cohort)
    eps["w"] = calmkit.first_and_latest(eps)

    def expect(s: pd.Series, w: pd.DataFrame) -> str:
        w = w.set_index("w")
        return (f"Kaplan-Meier median): {s['median_minutes']:.0f} min (95% CI {s['ci_low']:.0f}-"
                f"{s['ci_high']:.0f} min), {int(s['episodes'])} episodes, {int(s['censored'])} censored; "
                f"first 4 weeks {w.loc['first', 'median_minutes']:.0f} min ({int(w.loc['first', 'episodes'])} "
                f"episodes), latest 4 weeks {w.loc['latest', 'median_minutes']:.0f} min "
                f"({int(w.loc['latest', 'episodes'])} episodes)")

    each = calmkit.time_to_calm_summary(eps, by="participant").set_index("participant")
    each_w = calmkit.time_to_calm_summary(eps, by=["participant", "w"])
    for p in cohort.participants():
        block = lines[lines.index(f"Participant {p}"):]
        line = next(x for x in block if x.startswith("  time to calm"))
        assert expect(each.loc[p], each_w[each_w["participant"] == p]) in line
    pooled = next(x for x in lines if x.startswith("Cohort time to calm"))
    assert expect(calmkit.time_to_calm_summary(eps, by=None).iloc[0],
                  calmkit.time_to_calm_summary(eps, by="w")) in pooled


def test_cli_summary_weeks_are_the_metric(tmp_path) -> None:
    # The weekly lines of `calmkit summary` word trigger_frequency's rows for
    # the first and last full ISO week of each participant's span; the metric
    # (count and mean intensity at onset) is checked against pandas.
    import io

    from calmkit import cli

    j = calmkit.synthetic_journal(participants=3, days=45, seed=5)
    path = tmp_path / "cohort.jsonl"
    calmkit.write_journal(j, path)
    out = io.StringIO()
    assert cli.summary.write_summary(path, out) == 0
    lines = out.getvalue().splitlines()
    freq = calmkit.trigger_frequency(j, period="week")
    pooled = calmkit.trigger_frequency(j, period="week", by=None)
    pattern = re.compile(r"triggers per week: (\d+) in the first full week \((\S+) to (\S+)\), (\d+) in the last "
                         r"\((\S+) to (\S+)\)")
    for p in j.participants():
        block = lines[lines.index(f"Participant {p}"):]
        m = pattern.search(next(x for x in block if "triggers per week" in x))
        assert m, block[:6]
        mine = freq[freq["participant"] == p].set_index(freq["period_start"][freq["participant"] == p].dt.date)
        first, last = dt.date.fromisoformat(m.group(2)), dt.date.fromisoformat(m.group(5))
        assert first.weekday() == 0 and dt.date.fromisoformat(m.group(3)) == first + dt.timedelta(days=6)
        assert int(m.group(1)) == mine.loc[first, "count"] and int(m.group(4)) == mine.loc[last, "count"]
        means = next(x for x in block if "mean intensity at onset" in x)
        assert (f"{mine.loc[first, 'mean_intensity']:.1f} in the first week, "
                f"{mine.loc[last, 'mean_intensity']:.1f} in the last") in means
        # The first full week is the first Monday on or after the participant's first local date.
        mine_only = j.participant(p)
        days = pd.concat([t.to_pandas()["local_time"] for t in (mine_only.triggers, mine_only.readings,
                                                                 mine_only.exercises, mine_only.thought_records,
                                                                 mine_only.assessments) if len(t)])
        start = days.min().date()
        assert first == start + dt.timedelta(days=(7 - start.weekday()) % 7)
    # The metric against pandas: ISO weeks of the local onset, count and mean intensity.
    t = j.triggers.to_pandas()
    local = t["local_time"].dt.tz_localize(None).dt.normalize()
    t["week"] = (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    t["participant"] = t["participant"].astype(str)
    g = t.groupby(["participant", "week"])["intensity"].agg(["size", "mean"])
    got = freq[freq["count"] > 0].assign(participant=lambda f: f["participant"].astype(str),
                                          week=lambda f: f["period_start"].dt.date).set_index(["participant", "week"])
    assert list(got.index) == list(g.index)
    assert (got["count"].to_numpy() == g["size"].to_numpy()).all()
    np.testing.assert_allclose(got["mean_intensity"], g["mean"], rtol=1e-12)
    assert freq.loc[freq["count"] == 0, "mean_intensity"].isna().all()
    gp = t.groupby("week")["intensity"].mean()
    pooled = pooled[pooled["count"] > 0].set_index(pooled["period_start"][pooled["count"] > 0].dt.date)
    np.testing.assert_allclose(pooled["mean_intensity"], gp.reindex(pooled.index), rtol=1e-12)


def test_grouping_by_exercise_id_reproduces_exercise_effectiveness() -> None:
    # Two computations that share no code path above the KM median: the C++
    # exercise_effectiveness (episodes linked to each exercise vs episodes
    # with none) and the grouped summary of the exploded analysis frame.
    j = calmkit.synthetic_journal(participants=4, days=56, seed=2)
    frame = calmkit.analysis_frame(j)
    s = calmkit.time_to_calm_summary(calmkit.episodes_by_exercise(frame), by="exercise").set_index("exercise")
    e = calmkit.exercise_effectiveness(j).set_index("exercise")
    assert len(e) > 3
    for ex, row in e.iterrows():
        if ex not in s.index:  # practised, never linked to a trigger: no episode "with" it
            assert math.isnan(row["median_minutes_with"]), ex
            continue
        a, b = s.loc[ex, "median_minutes"], row["median_minutes_with"]
        assert (math.isnan(a) and math.isnan(b)) or a == b, ex
        a, b = s.loc["none", "median_minutes"], row["median_minutes_without"]
        assert (math.isnan(a) and math.isnan(b)) or a == b
    assert s.loc["none", "episodes"] == int((~frame["with_exercise"]).sum())


def test_pooled_practice_consistency_against_pandas(cohort: calmkit.Journal) -> None:
    pooled = calmkit.practice_consistency(cohort, by=None)
    ex = cohort.exercises.to_pandas()
    done = ex[ex["completed"].astype(bool)]
    local = done["local_time"].dt.tz_localize(None).dt.normalize()
    monday = local - pd.to_timedelta(local.dt.day_of_week, unit="D")
    sessions = monday.value_counts()
    days = pd.DataFrame({"p": done["participant"].astype(str), "d": local, "w": monday}).drop_duplicates(
        ["p", "d"])["w"].value_counts()
    got = pooled.set_index(pd.to_datetime(pooled["period_start"]))
    assert (got["sessions"] == sessions.reindex(got.index, fill_value=0)).all()
    assert (got["practice_days"] == days.reindex(got.index, fill_value=0)).all()
    assert got["sessions"].sum() == len(done)
    assert got["participants"].max() == len(cohort.participants())


def _window_ends_by_pandas(j: calmkit.Journal, weeks: int) -> dict[str, float]:
    """Share of urges not acted on in the first and the latest k ISO weeks of
    ``j`` taken as one series (k = min(weeks, max(1, n // 2)) of its n weeks,
    the grid running from the Monday of the first local date of any record to
    that of the last), computed from the triggers alone with pandas."""
    days = pd.concat([t.to_pandas()["local_time"].dt.tz_localize(None).dt.normalize()
                      for t in (j.triggers, j.readings, j.exercises, j.thought_records, j.assessments)])
    monday = lambda d: d - pd.to_timedelta(d.dt.day_of_week, unit="D")  # noqa: E731
    grid = pd.date_range(monday(days).min(), monday(days).max(), freq="7D")
    k = min(weeks, max(1, len(grid) // 2))
    t = j.triggers.to_pandas()
    t["week"] = monday(t["local_time"].dt.tz_localize(None).dt.normalize())
    rec = t[t["acted_on_urge"].notna()]
    out = {"k": float(k), "overall": float((~rec["acted_on_urge"].astype(bool)).mean())}
    for name, span in (("first", grid[:k]), ("latest", grid[-k:])):
        sel = rec[rec["week"].isin(span)]
        out[name] = float((~sel["acted_on_urge"].astype(bool)).sum() / len(sel)) if len(sel) else math.nan
        out[name + "_urges"] = float(len(sel))
        out[name + "_start"] = span[0]
    return out


@pytest.mark.parametrize("weeks", [1, 3, 4, 20])
def test_window_of_uncertainty_first_and_latest_against_pandas(cohort: calmkit.Journal, weeks: int) -> None:
    # Per participant, and pooled from a Journal and from a Cohort: each row
    # is the pandas count of the triggers in those weeks.
    per = calmkit.window_of_uncertainty(cohort, by="first_and_latest", weeks=weeks)
    assert list(per.columns[:4]) == ["participant", "window", "weeks", "period_start"]
    for p in cohort.participants():
        want = _window_ends_by_pandas(cohort.participant(p), weeks)
        rows = per[per["participant"] == p].set_index("window")
        for w in ("first", "latest"):
            assert int(rows.loc[w, "weeks"]) == want["k"]
            assert rows.loc[w, "period_start"] == want[w + "_start"]
            assert int(rows.loc[w, "urge_recorded"]) == want[w + "_urges"]
            assert rows.loc[w, "share_not_acted"] == pytest.approx(want[w], rel=1e-15, nan_ok=True)
    want = _window_ends_by_pandas(cohort, weeks)
    for data in (cohort, calmkit.cohort(cohort)):
        pooled = calmkit.window_of_uncertainty(data, by="first_and_latest", weeks=weeks, pooled=True)
        assert "participant" not in pooled.columns and list(pooled["window"]) == ["first", "latest"]
        for i, w in enumerate(("first", "latest")):
            assert int(pooled["urge_recorded"].iloc[i]) == want[w + "_urges"]
            assert pooled["share_not_acted"].iloc[i] == pytest.approx(want[w], rel=1e-15, nan_ok=True)


def test_pooled_window_of_uncertainty_is_the_cohorts_triggers_added(cohort: calmkit.Journal) -> None:
    t = cohort.triggers.to_pandas()
    for data in (cohort, calmkit.cohort(cohort)):
        whole = calmkit.window_of_uncertainty(data, pooled=True)
        assert len(whole) == 1 and "participant" not in whole.columns
        assert int(whole["triggers"].iloc[0]) == len(t)
        assert int(whole["urge_recorded"].iloc[0]) == int(t["acted_on_urge"].notna().sum())
        assert int(whole["not_acted"].iloc[0]) == int((t["acted_on_urge"] == False).sum())  # noqa: E712
        assert whole["minutes_median"].iloc[0] == float(t["acted_after_minutes"].dropna().median())
        assert whole["minutes_q1"].iloc[0] == pytest.approx(
            float(t["acted_after_minutes"].dropna().astype(float).quantile(0.25)), rel=1e-15)
        weekly = calmkit.window_of_uncertainty(data, by="week", pooled=True)
        counts = _pooled_weekly_counts_by_pandas(cohort)
        assert list(weekly["period_start"]) == list(counts.index)
        assert list(weekly["triggers"]) == list(counts)
    with pytest.raises(ValueError, match="weeks must be"):
        calmkit.window_of_uncertainty(cohort, by="first_and_latest", weeks=0)
    with pytest.raises(ValueError, match="first_and_latest"):
        calmkit.window_of_uncertainty(cohort, by="month")
    assert calmkit.window_of_uncertainty(calmkit.Journal(), by="first_and_latest", pooled=True).empty


def test_window_sentence_and_report_caption_against_pandas(cohort: calmkit.Journal) -> None:
    text = report.build_report(cohort)
    captions = [html.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", text, re.S)]
    for who in (None, *cohort.participants()):
        j = cohort if who is None else cohort.participant(who)
        want = _window_ends_by_pandas(j, 4)
        k = int(want["k"])
        sentence = (f"Urges not acted on: {want['first']:.0%} in the first {k} week{'s' if k != 1 else ''}, "
                    f"{want['latest']:.0%} in the last {k}")
        reading = plot.reading("window_of_uncertainty", cohort, who)
        assert reading.startswith(sentence), (reading, sentence)
        if who is not None:  # the report draws this chart per participant
            assert any(c.startswith(sentence) for c in captions)


def _hand_made_times() -> calmkit.Journal:
    """A: triggers at 23:30 Monday (+02:00), 00:15 and 01:45 Tuesday (-05:00):
    the busiest 3 hours wrap past midnight (23:00-02:00, all three), all at
    night, Tuesday busiest. B: 10:00 Wednesday and 15:00 Friday: every block
    holding one of them ties at 1, so the earliest (08:00) wins, and Wednesday
    wins the weekday tie. C has a reading only: no trigger, no busiest hour.
    Categories: A conflict, conflict, being_alone; B being_alone, conflict
    (a tie: "being_alone" first). GAD-7: A answers twice at the same instant
    (ids "b" written before "a": "a" is the first), and a check-in at 23:30
    local (-05:00), which is the next day in UTC."""
    j = calmkit.Journal()
    add = j.add
    add(calmkit.Trigger(participant="A", id="t1", time="2026-03-02T23:30:00+02:00", category="conflict", intensity=5))
    add(calmkit.Trigger(participant="A", id="t2", time="2026-03-03T00:15:00-05:00", category="conflict", intensity=5))
    add(calmkit.Trigger(participant="A", id="t3", time="2026-03-03T01:45:00-05:00", category="being_alone",
                        intensity=5))
    add(calmkit.Trigger(participant="B", id="t1", time="2026-03-04T10:00:00+00:00", category="being_alone",
                        intensity=5))
    add(calmkit.Trigger(participant="B", id="t2", time="2026-03-06T15:00:00+00:00", category="conflict", intensity=5))
    add(calmkit.Reading(participant="C", id="r1", time="2026-03-04T10:00:00+00:00", intensity=3))
    add(calmkit.Assessment(participant="A", id="b", time="2026-03-02T09:00:00+00:00", instrument="gad-7",
                           answers=[3, 3, 3, 3, 3, 3, 3]))
    add(calmkit.Assessment(participant="A", id="a", time="2026-03-02T09:00:00+00:00", instrument="gad-7",
                           answers=[0, 0, 0, 0, 0, 0, 0]))
    add(calmkit.Assessment(participant="A", id="c", time="2026-03-09T23:30:00-05:00", instrument="gad-7",
                           answers=[1, 1, 1, 1, 1, 1, 1]))
    add(calmkit.Assessment(participant="B", id="a", time="2026-03-03T12:00:00+00:00", instrument="gad-7",
                           answers=[2, 2, 2, 2, 2, 2, 2]))
    return j


def test_busiest_hours_categories_and_assessment_change_on_hand_made_cases() -> None:
    j = _hand_made_times()
    hs = calmkit.trigger_weekday_hour_summary(j).set_index("participant")
    a, b, c = hs.loc["A"], hs.loc["B"], hs.loc["C"]
    assert (a["triggers"], a["busiest_hours_start"], a["busiest_hours_count"], a["night_count"]) == (3, 23, 3, 3)
    assert (a["busiest_weekday"], a["busiest_weekday_count"], a["busiest_weekday_share"]) == (1, 2, 2 / 3)
    assert (b["busiest_hours_start"], b["busiest_hours_count"], b["busiest_weekday"], b["night_share"]) == (8, 1, 2, 0)
    assert c["triggers"] == 0 and pd.isna(c["busiest_hours_start"]) and pd.isna(c["busiest_weekday"])
    assert hs["busiest_hours_share"].isna().tolist() == [False, False, True]  # NaN (a float64 column)
    assert str(hs["night_share"].dtype) == "float64" and math.isnan(hs["night_share"]["C"])
    pooled = calmkit.trigger_weekday_hour_summary(j, by=None).iloc[0]
    assert (pooled["triggers"], pooled["busiest_hours_start"], pooled["night_share"]) == (5, 23, 3 / 5)
    assert "participant" not in calmkit.trigger_weekday_hour_summary(j, by=None).columns
    one_hour = calmkit.trigger_weekday_hour_summary(j, block_hours=1).set_index("participant")
    assert one_hour.loc["A", "busiest_hours_start"] == 0 and one_hour.loc["A", "busiest_hours_count"] == 1
    for bad in (0, 25, 2.5, True):
        with pytest.raises(ValueError, match="block_hours"):
            calmkit.trigger_weekday_hour_summary(j, block_hours=bad)
    # Against pandas on the same local times, per participant and pooled.
    local = j.triggers.to_pandas()
    for who, g in local.groupby(local["participant"].astype(str)):
        r = hs.loc[who]
        assert (r["triggers"], r["busiest_hours_count"], r["night_count"], int(r["busiest_weekday"]),
                r["busiest_weekday_count"]) == _busiest_by_pandas(g["local_time"])

    ct = calmkit.trigger_category_totals(j)
    top = ct[ct["rank"] == 1].set_index("participant")
    assert (top.loc["A", "category"], top.loc["A", "count"], top.loc["A", "share"]) == ("conflict", 2, 2 / 3)
    assert top.loc["B", "category"] == "being_alone"  # 1 and 1: the alphabetical id first
    assert ct[ct["participant"] == "C"]["share"].isna().all() and (ct[ct["participant"] == "C"]["count"] == 0).all()
    n_categories = len(calmkit.trigger_categories())
    assert len(ct) == 3 * n_categories and (ct.groupby("participant", observed=True)["rank"].max() == n_categories).all()
    pooled = calmkit.trigger_category_totals(j, by=None)
    assert list(pooled["category"][:2]) == ["conflict", "being_alone"] and list(pooled["count"][:2]) == [3, 2]
    groups = calmkit.trigger_category_totals(j, by=None, level="group")
    expect = pd.Series([calmkit.trigger_categories()[[c[0] for c in calmkit.trigger_categories()].index(x)][2]
                        for x in local["category"].astype(str)]).value_counts()
    assert dict(zip(groups["group"].astype(str), groups["count"])) == {
        g: int(expect.get(g, 0)) for g, _ in calmkit.trigger_groups()}
    with pytest.raises(ValueError, match="level"):
        calmkit.trigger_category_totals(j, level="month")

    ch = calmkit.assessment_change(j).set_index("participant")
    assert (ch.loc["A", "first_total"], ch.loc["A", "latest_total"], ch.loc["A", "n"]) == (0.0, 7.0, 3)
    assert ch.loc["A", "first_band"] == "minimal" and ch.loc["A", "latest_band"] == "mild"
    assert ch.loc["A", "latest_local_time"] == pd.Timestamp("2026-03-09 23:30")  # 10 March in UTC
    pooled = calmkit.assessment_change(j, by=None).iloc[0]
    assert (pooled["participants"], pooled["repeated"], pooled["lower"], pooled["higher"]) == (2, 1, 0, 1)
    assert pooled["mean_change"] == 7.0
    with pytest.raises(ValueError, match="by must be"):
        calmkit.assessment_change(j, by="week")
    # The charts word exactly these figures.
    text = plot.reading("assessment_scores", j, "A")
    assert "GAD-7 rose from 0 (minimal) to 7 (mild) between the first and the latest of 3 check-ins " \
           "(2026-03-02 and 2026-03-09)" in text
    assert "GAD-7: lower at the latest check-in than at the first for 0 of 1 participant (1 more with a single " \
           "check-in)" in plot.reading("assessment_scores", j, None)


def _span_and_counts_by_pandas(j: calmkit.Journal) -> tuple[dt.date, dt.date, dict[str, int]]:
    tables = {"triggers": j.triggers, "readings": j.readings, "exercises": j.exercises,
              "thought_records": j.thought_records, "assessments": j.assessments}
    local = pd.concat([t.to_pandas()["local_time"] for t in tables.values() if len(t)])
    return local.min().date(), local.max().date(), {k: len(t.to_pandas()) for k, t in tables.items()}


def test_record_counts_against_pandas(cohort: calmkit.Journal) -> None:
    each = calmkit.record_counts(cohort).assign(participant=lambda f: f["participant"].astype(str))
    assert list(each["participant"]) == cohort.participants()
    for p, row in each.set_index("participant").iterrows():
        first, last, n = _span_and_counts_by_pandas(cohort.participant(p))
        assert (row["first_local_date"].date(), row["last_local_date"].date()) == (first, last)
        assert row["days"] == (last - first).days + 1 and {k: row[k] for k in n} == n
    pooled = calmkit.record_counts(cohort, by=None)
    first, last, n = _span_and_counts_by_pandas(cohort)
    assert len(pooled) == 1 and "participant" not in pooled.columns
    assert (pooled["first_local_date"][0].date(), pooled["last_local_date"][0].date()) == (first, last)
    assert {k: pooled[k][0] for k in n} == n and sum(n.values()) == len(cohort)
    # A record at 23:30 -05:00 is on its local date (the next day in UTC).
    j = calmkit.Journal()
    j.add(calmkit.Reading(participant="x", time="2026-05-31T23:30:00-05:00", intensity=3))
    j.add(calmkit.Trigger(participant="x", id="t", time="2026-05-30T08:00:00-05:00", category="conflict",
                          intensity=5))
    r = calmkit.record_counts(j).iloc[0]
    assert (str(r["first_local_date"].date()), str(r["last_local_date"].date()), r["days"]) == (
        "2026-05-30", "2026-05-31", 2)
    assert calmkit.record_counts(calmkit.Journal()).empty
    with pytest.raises(TypeError, match="Journal"):
        calmkit.record_counts(calmkit.cohort(cohort))


def test_cli_summary_dates_records_and_exercises_are_the_metrics(tmp_path, cohort: calmkit.Journal) -> None:
    import io
    from collections import Counter

    from calmkit import cli

    path = tmp_path / "cohort.jsonl"
    calmkit.write_journal(cohort, path)
    out = io.StringIO()
    assert cli.summary.write_summary(path, out) == 0
    lines = out.getvalue().splitlines()
    each = calmkit.record_counts(cohort).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")

    def records(row: pd.Series) -> str:
        return (f"{row['triggers']} triggers, {row['readings']} readings, {row['exercises']} exercise sessions, "
                f"{row['thought_records']} thought records, {row['assessments']} self-assessments")

    def top(j: calmkit.Journal) -> str:
        e = calmkit.exercise_effectiveness(j)
        ranked = sorted(zip(e["exercise"].astype(str), e["sessions"]), key=lambda kv: (-kv[1], kv[0]))[:5]
        # The metric's sessions against a count of the records.
        assert dict(zip(e["exercise"].astype(str), e["sessions"])) == Counter(x.exercise for x in j.exercises)
        return ", ".join(f"{name} ({n})" for name, n in ranked)

    for p in cohort.participants():
        block = lines[lines.index(f"Participant {p}"):]
        row = each.loc[p]
        assert block[1] == (f"  dates: {row['first_local_date'].date()} to {row['last_local_date'].date()} "
                            f"({row['days']} days, local dates)")
        assert block[2] == f"  records: {records(row)}"
        assert next(x for x in block if "most practised" in x) == \
            f"  most practised exercises: {top(cohort.participant(p))}"
    pooled = calmkit.record_counts(cohort, by=None).iloc[0]
    assert lines[-1] == (f"Cohort: 3 participants, {pooled['first_local_date'].date()} to "
                         f"{pooled['last_local_date'].date()} (local dates); {records(pooled)}; "
                         f"most practised exercises: {top(cohort)}")


def test_report_dates_and_counts_are_the_metric(cohort: calmkit.Journal) -> None:
    text = report.build_report(cohort, jobs=1)
    each = calmkit.record_counts(cohort).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    for p in cohort.participants():
        row = each.loc[p]
        cells = _cells(next(r for r in re.findall(r"<tr>(.*?)</tr>", text) if f'href="#p-{p}"' in r))
        assert cells[1:6] == [f"{row['first_local_date'].date()} \u2013 {row['last_local_date'].date()}",
                              str(row["triggers"]), str(row["readings"]), str(row["exercises"]),
                              str(row["thought_records"])]
        assert (f'<p class="meta">{row["first_local_date"].date()} to {row["last_local_date"].date()} (local '
                f'dates): {row["triggers"]} triggers, {row["readings"]} readings, {row["exercises"]} exercise '
                f'sessions, {row["thought_records"]} thought records, {row["assessments"]} self-assessments.</p>'
                ) in text
    pooled = calmkit.record_counts(cohort, by=None).iloc[0]
    assert (f"<p>3 participants, {len(cohort)} records, {pooled['first_local_date'].date()} to "
            f"{pooled['last_local_date'].date()} (local dates).</p>") in text


@pytest.mark.parametrize("who", [None, "p001", "p002", "p003"])
def test_every_sentence_in_full_from_the_metric_rows(cohort: calmkit.Journal, who: str | None) -> None:
    # Each reading rebuilt word for word from the metric functions' rows for
    # the same grouping (pooled, or that participant), so no figure of a
    # sentence can come from anywhere else. The metrics themselves are
    # checked against pandas/statsmodels/R in the tests above and in
    # test_references.py.
    one = who is not None
    by = "participant" if one else None

    def row(frame: pd.DataFrame) -> pd.Series:
        return frame.set_index("participant").loc[who] if one else frame.iloc[0]

    def pct(x: float) -> str:
        return f"{100 * (math.exp(x) - 1):+.0f}%"

    d = plot.chart_data("triggers_per_week", cohort, who)
    t = row(calmkit.trigger_trend(cohort, by=by))
    if d.enough:
        lo, hi = t["slope_ci_low"], t["slope_ci_high"]
        verb = "rose" if lo > 0 else "fell" if hi < 0 else None
        figures = (f"from about {plot._n(t['fitted_first'])} to {plot._n(t['fitted_last'])} a week over "
                   f"{int(t['weeks'])} weeks")
        tail = f"({t['weekly_change_pct']:+.0f}% a week; 95% interval {pct(lo)} to {pct(hi)})."
        assert d.reading == (f"Triggers {verb} {figures} {tail}" if verb else
                             f"Triggers went {figures}, a change chance alone could give {tail}")

    d = plot.chart_data("km_first_vs_latest", cohort, who)
    eps = calmkit.time_to_calm(cohort if not one else cohort.participant(who))
    eps["w"] = calmkit.first_and_latest(eps)
    s = calmkit.time_to_calm_summary(eps, by="w").set_index("w")
    n = {g: int(s.loc[g, "episodes"]) if g in s.index else 0 for g in ("first", "latest")}
    if d.enough:
        mf, ml = s.loc["first", "median_minutes"], s.loc["latest", "median_minutes"]
        text = (f"Median time to calm (distress 3 or less): {plot._minutes(mf)} in the first 4 weeks, "
                f"{plot._minutes(ml)} in the latest 4 weeks")
        if math.isfinite(mf) and math.isfinite(ml) and mf > 0:
            text += f", about {1 - ml / mf:.0%} quicker" if ml / mf < 0.9 else \
                f", about {ml / mf - 1:.0%} slower" if ml / mf > 1.1 else ""
        assert d.reading == text + f" ({n['first']} and {n['latest']} episodes)."
    else:
        assert f"{n['first']} episodes in the first 4 weeks and {n['latest']} in the latest 4 weeks" in d.reading

    d = plot.chart_data("median_time_to_calm_by_month", cohort, who)
    m = calmkit.time_to_calm_summary(cohort, by=["participant", "month"] if one else "month")
    m = m[m["participant"] == who] if one else m
    m = m[np.isfinite(m["median_minutes"])]
    a, b = m.iloc[0], m.iloc[-1]
    assert d.reading == (f"Median time to calm went from {plot._minutes(a['median_minutes'])} in "
                         f"{a['period_start']:%B %Y} ({a['episodes']} episodes) to "
                         f"{plot._minutes(b['median_minutes'])} in {b['period_start']:%B %Y} ({b['episodes']} episodes).")

    d = plot.chart_data("peak_intensity", cohort, who)
    p = row(calmkit.peak_trend(cohort, by=by))
    slope, lo, hi, span = p["slope_per_week"], p["slope_ci_low"], p["slope_ci_high"], p["span_weeks"]
    change = (f"fell by {-slope:.2f} points a week" if hi < 0 else f"rose by {slope:.2f} points a week" if lo > 0
              else f"changed by {slope:+.2f} points a week, within what chance alone could give")
    assert d.reading == (f"Peak distress {change} (from about {p['intercept']:.1f} to "
                         f"{p['intercept'] + slope * span:.1f} out of 10 over {span:.1f} weeks, "
                         f"{int(p['episodes'])} episodes; 95% interval {lo:+.2f} to {hi:+.2f}).")

    d = plot.chart_data("exercise_effectiveness", cohort, who)
    e = calmkit.exercise_effectiveness(cohort, by_participant=one)
    e = e[e["participant"] == who] if one else e
    e = e[e["rated"] >= plot.MIN_RATED_SESSIONS]
    # A tie of mean drop and rated sessions goes to the alphabetical id (p002 has one: 2.25 over 8 twice).
    best = min(e.itertuples(), key=lambda r: (-r.mean_change, -r.rated, str(r.exercise)))._asdict()
    assert d.reading == (f"The largest average drop in distress came with "
                         f"{calmkit.find_exercise(best['exercise']).name}: {best['mean_change']:.1f} points over "
                         f"{int(best['rated'])} rated sessions ({len(e)} exercises with 3+ rated sessions compared).")
