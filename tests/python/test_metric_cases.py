"""Hand-computed cases of kinds that once came out wrong: the exact
Kaplan-Meier median, undefined intervals, the zero-filled span and missing
text (issue 13, cases 2-5), through the Python API."""

from __future__ import annotations

import math

import pandas as pd

import calmkit


def _episodes(minutes: list[float], calmed: list[bool]) -> pd.DataFrame:
    n = len(minutes)
    return pd.DataFrame({
        "participant": pd.Categorical(["a"] * n),
        "onset": pd.Series(pd.Timestamp("2026-05-06T08:00:00Z")).repeat(n).reset_index(drop=True),
        "offset_minutes": [120] * n,
        "category": pd.Categorical(["conflict"] * n),
        "minutes": minutes,
        "calmed": calmed,
    })


def test_median_at_an_exact_half() -> None:
    # 1, 2, 2, 3, 4, 5, 6, 7, 8, 9 all calmed: S(4) = 9/10 * 7/9 * 6/7 * 5/6 = 5/10 -> median 4
    # (it was 5: the running product gave 0.5000000000000001). With 5..9 censored: still 4 (was NaN).
    t = [1.0, 2, 2, 3, 4, 5, 6, 7, 8, 9]
    assert calmkit.time_to_calm_summary(_episodes(t, [True] * 10))["median_minutes"].tolist() == [4.0]
    assert calmkit.time_to_calm_summary(_episodes(t, [True] * 5 + [False] * 5))["median_minutes"].tolist() == [4.0]
    curve = calmkit.km_curve(_episodes(t, [True] * 10))
    assert curve.loc[curve["minutes"] == 4.0, "survival"].tolist() == [0.5]


def test_interval_is_nan_where_undefined() -> None:
    # One episode calmed at 5 min: S drops to 0, where the log-log band is undefined.
    s = calmkit.time_to_calm_summary(_episodes([5.0], [True])).iloc[0]
    assert s["median_minutes"] == 5.0 and math.isnan(s["ci_low"]) and math.isnan(s["ci_high"])
    c = calmkit.km_curve(_episodes([5.0], [True])).iloc[0]
    assert c["survival"] == 0.0 and math.isnan(c["ci_low"]) and math.isnan(c["ci_high"])


def test_span_includes_self_assessments() -> None:
    # A trigger on Wednesday 6 May 2026 and a GAD-7 on Wednesday 20 May: weeks of
    # 4, 11 and 18 May with counts 1, 0, 0 (it was one row); practice zero-filled the same.
    j = calmkit.Journal()
    j.add(calmkit.Trigger(participant="a", id="t1", time="2026-05-06T10:00:00+02:00", category="conflict",
                          intensity=7))
    j.add(calmkit.Assessment(participant="a", id="g1", time="2026-05-20T09:00:00+02:00", instrument="gad-7",
                             answers=[1] * 7))
    w = calmkit.trigger_frequency(j, "week")
    assert [d.date().isoformat() for d in w["period_start"]] == ["2026-05-04", "2026-05-11", "2026-05-18"]
    assert w["count"].tolist() == [1, 0, 0]
    p = calmkit.practice_consistency(j)
    assert p["practice_days"].tolist() == [0, 0, 0]
    assert calmkit.trigger_trend(j)["weeks"].tolist() == [3]


def test_missing_text_is_na_in_every_table() -> None:
    j = calmkit.Journal()
    j.add(calmkit.Trigger(participant="a", id="t1", time="2026-05-06T10:00:00+02:00", category="conflict",
                          intensity=7))
    j.add(calmkit.Reading(participant="a", time="2026-05-06T10:30:00+02:00", intensity=5, trigger="t1"))
    for minute in (40, 50, 55):  # three unlinked readings without a note or an id
        j.add(calmkit.Reading(participant="a", time=f"2026-05-06T10:{minute}:00+02:00", intensity=2))
    r = j.readings.to_pandas()
    assert r["trigger"].isna().sum() == 3 and r["note"].isna().sum() == 4 and r["id"].isna().sum() == 4
    # A researcher's join on the link keeps the unlinked readings unmatched.
    t = j.triggers.to_pandas()
    joined = r.merge(t[["id", "intensity"]], left_on="trigger", right_on="id", how="left", suffixes=("", "_onset"))
    assert joined["intensity_onset"].notna().sum() == 1
    for frame in (t, r, j.exercises.to_pandas(), j.thought_records.to_pandas(), j.assessments.to_pandas()):
        for name in frame.columns:
            if frame[name].dtype == "string":
                assert not (frame[name] == "").any(), name
    assert pd.isna(t["context"].iloc[0]) and str(t["context"].dtype) == "string"
