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


def _span_starts_with_an_exercise_or_an_assessment() -> calmkit.Journal:
    """a: first record an exercise on Sunday 19 April 2026 at 23:30 -04:00
    (Monday 20 April in UTC: the local week is the one of 13 April), triggers
    on 6 and 7 May, last record a GAD-7 on Monday 25 May at 00:30 +03:00
    (Sunday 24 May in UTC). b: first record a GAD-7 on Friday 1 May, a
    trigger on 4 May, last record an exercise on 12 May."""
    j = calmkit.Journal()
    j.add(calmkit.ExerciseSession(participant="a", id="e1", time="2026-04-19T23:30:00-04:00",
                                  end="2026-04-19T23:40:00-04:00", exercise="box-breathing"))
    j.add(calmkit.Trigger(participant="a", id="t1", time="2026-05-06T10:00:00+03:00", category="conflict",
                          intensity=7, acted_on_urge=False))
    j.add(calmkit.Trigger(participant="a", id="t2", time="2026-05-07T22:00:00+03:00", category="conflict",
                          intensity=5, acted_on_urge=True, acted_after_minutes=20))
    j.add(calmkit.Assessment(participant="a", id="g1", time="2026-05-25T00:30:00+03:00", instrument="gad-7",
                             answers=[1] * 7))
    j.add(calmkit.Assessment(participant="b", id="g1", time="2026-05-01T09:00:00+00:00", instrument="gad-7",
                             answers=[2] * 7))
    j.add(calmkit.Trigger(participant="b", id="t1", time="2026-05-04T09:00:00+00:00", category="conflict",
                          intensity=6))
    j.add(calmkit.ExerciseSession(participant="b", id="e1", time="2026-05-12T09:00:00+00:00",
                                  end="2026-05-12T09:05:00+00:00", exercise="box-breathing"))
    return j


def _weeks_by_pandas(j: calmkit.Journal) -> dict[str, pd.DatetimeIndex]:
    """Each participant's ISO weeks (Mondays), from the week of their first
    record's local date to that of their last, records of every type."""
    local = pd.concat([t.to_pandas()[["participant", "local_time"]] for t in
                       (j.triggers, j.readings, j.exercises, j.thought_records, j.assessments)])
    days = local["local_time"].dt.normalize()
    monday = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    out = {}
    for who, m in monday.groupby(local["participant"].astype(str)):
        out[who] = pd.date_range(m.min(), m.max(), freq="7D")
    return out


def test_span_starting_with_an_exercise_or_an_assessment_against_pandas() -> None:
    j = _span_starts_with_an_exercise_or_an_assessment()
    weeks = _weeks_by_pandas(j)
    assert [d.date().isoformat() for d in weeks["a"][[0, -1]]] == ["2026-04-13", "2026-05-25"]  # local, not UTC
    assert [d.date().isoformat() for d in weeks["b"][[0, -1]]] == ["2026-04-27", "2026-05-11"]
    t = j.triggers.to_pandas()
    day = t["local_time"].dt.normalize()
    t["week"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    freq = calmkit.trigger_frequency(j, "week")
    practice = calmkit.practice_consistency(j)
    window = calmkit.window_of_uncertainty(j, by="week")
    trend = calmkit.trigger_trend(j).set_index("participant")
    for who, w in weeks.items():
        expect = t[t["participant"] == who].groupby("week").size().reindex(w, fill_value=0)
        mine = freq[freq["participant"] == who]
        assert list(mine["period_start"]) == list(w) and mine["count"].tolist() == expect.tolist(), who
        assert list(practice[practice["participant"] == who]["period_start"]) == list(w), who
        assert list(window[window["participant"] == who]["period_start"]) == list(w), who
        assert trend.loc[who, "weeks"] == len(w), who
    # The first week of a holds its practice day (local Sunday 19 April), none of its triggers.
    pa = practice[practice["participant"] == "a"]
    assert pa["practice_days"].tolist() == [1, 0, 0, 0, 0, 0, 0] and pa["sessions"].tolist()[0] == 1
    # Pooled: the weeks from anyone's first to anyone's last, the counts added up.
    pooled = calmkit.trigger_frequency(j, "week", by=None)
    every = pd.date_range(min(w[0] for w in weeks.values()), max(w[-1] for w in weeks.values()), freq="7D")
    assert list(pooled["period_start"]) == list(every)
    assert pooled["count"].tolist() == t.groupby("week").size().reindex(every, fill_value=0).tolist()
    people = calmkit.practice_consistency(j, by=None)
    assert people["participants"].tolist() == [sum(d in w for w in weeks.values()) for d in every]


def test_a_float32_p_is_the_decimal_it_was_written_as() -> None:
    # Times 1..10 minutes, all calmed: S(k) = (10 - k) / 10 exactly, so by the definition (the smallest
    # time with S <= 1 - p) the 0.1-quantile is 1 (S(1) = 9/10) and the 0.3-quantile is 3 (S(3) = 7/10).
    # np.float32(0.1) holds 0.100000001490116..., read as that double 1 - p < 9/10 would give 2.
    import numpy as np

    eps = _episodes([float(k) for k in range(1, 11)], [True] * 10)
    for p in (0.1, np.float32(0.1), np.float16(0.1), np.float64(0.1)):
        got = calmkit.km_quantiles(eps, p=p)
        assert got["minutes"].tolist() == [1.0], p
        assert got["p"].tolist() == [0.1], p
    got = calmkit.km_quantiles(eps, p=np.array([0.1, 0.3], dtype=np.float32))
    assert got["minutes"].tolist() == [1.0, 3.0]
    assert got["p"].tolist() == [0.1, 0.3]
    assert calmkit.km_quantiles(eps, p=[np.float32(0.3)])["minutes"].tolist() == [3.0]


def _three_people() -> calmkit.Journal:
    """a: two triggers (one calmed by a linked reading after 60 min), an exercise; b: readings, an
    exercise and a thought record but no trigger; c: one GAD-7 and nothing else."""
    j = calmkit.Journal()
    j.add(calmkit.Trigger(participant="a", id="t1", time="2026-05-04T10:00:00+00:00", category="conflict",
                          intensity=7, acted_on_urge=False))
    j.add(calmkit.Reading(participant="a", time="2026-05-04T11:00:00+00:00", intensity=2, trigger="t1"))
    j.add(calmkit.Trigger(participant="a", id="t2", time="2026-05-14T10:00:00+00:00", category="conflict",
                          intensity=6))
    j.add(calmkit.ExerciseSession(participant="a", id="e1", time="2026-05-04T10:10:00+00:00",
                                  end="2026-05-04T10:20:00+00:00", exercise="box-breathing", intensity_before=7,
                                  intensity_after=4, trigger="t1"))
    j.add(calmkit.Reading(participant="b", time="2026-05-05T11:00:00+00:00", intensity=5))
    j.add(calmkit.Reading(participant="b", time="2026-05-06T11:00:00+00:00", intensity=3))
    j.add(calmkit.ExerciseSession(participant="b", id="e1", time="2026-05-05T10:10:00+00:00",
                                  end="2026-05-05T10:20:00+00:00", exercise="box-breathing"))
    j.add(calmkit.ThoughtRecord(participant="b", id="r1", time="2026-05-05T12:00:00+00:00", situation="s",
                                automatic_thought="x", belief_before=80, belief_after=50))
    items = len(calmkit.instrument("gad-7")["items"])
    j.add(calmkit.Assessment(participant="c", id="g1", time="2026-05-05T09:00:00+00:00", instrument="gad-7",
                             answers=[1] * items))
    return j


def test_every_participant_of_the_journal_has_a_row_in_each_per_participant_summary() -> None:
    # The reference is pandas on the records: every participant with a record of any type, and per
    # participant the counts of the records each summary counts (0 for none).
    j = _three_people()
    tables = {name: getattr(j, name).to_pandas() for name in
              ("triggers", "readings", "exercises", "thought_records", "assessments")}
    everyone = sorted(set().union(*(set(t["participant"].astype(str)) for t in tables.values())))
    assert everyone == ["a", "b", "c"]

    def count(name: str) -> list[int]:
        t = tables[name]
        return t.groupby(t["participant"].astype(str)).size().reindex(everyone, fill_value=0).tolist()

    triggers = count("triggers")  # [2, 0, 0]
    summary = calmkit.time_to_calm_summary(j, by="participant")
    assert summary["participant"].astype(str).tolist() == everyone
    assert summary["episodes"].tolist() == triggers
    assert summary["calmed"].tolist() == [1, 0, 0] and summary["censored"].tolist() == [1, 0, 0]
    assert summary["median_minutes"].tolist()[0] == 60.0  # S(60) = 1/2 -> median 60
    assert summary[["median_minutes", "ci_low", "ci_high"]].iloc[1:].isna().all().all()
    assert str(summary["episodes"].dtype) == "int64" and str(summary["median_minutes"].dtype) == "float64"
    # a's row is the row of a summary of the episode frame, which keeps only the groups it has
    from_frame = calmkit.time_to_calm_summary(calmkit.time_to_calm(j), by="participant")
    assert from_frame["participant"].astype(str).tolist() == ["a"]
    pd.testing.assert_frame_equal(summary.iloc[:1], from_frame)

    q = calmkit.km_quantiles(j, p=[0.5, 0.25], by="participant")
    assert q["participant"].astype(str).tolist() == ["a", "a", "b", "b", "c", "c"]
    assert q["p"].tolist() == [0.5, 0.25] * 3
    assert q["minutes"].tolist()[:2] == [60.0, 60.0] and q["minutes"].iloc[2:].isna().all()

    peaks = calmkit.peak_trend(j, by="participant")
    assert peaks["participant"].astype(str).tolist() == everyone
    assert peaks["episodes"].tolist() == triggers
    assert peaks["mean_peak"].tolist()[0] == 6.5  # peaks 7 and 6
    assert peaks.drop(columns=["participant", "episodes"]).iloc[1:].isna().all().all()

    thoughts = calmkit.thought_record_summary(j, by="participant")
    assert thoughts["participant"].astype(str).tolist() == everyone
    assert thoughts["records"].tolist() == count("thought_records")  # [0, 1, 0]
    assert thoughts["belief_rated"].tolist() == [0, 1, 0] and thoughts["emotion_rated"].tolist() == [0, 0, 0]
    assert thoughts["mean_belief_change"].tolist()[1] == 30.0
    assert thoughts.loc[[0, 2], ["mean_belief_before", "share_min_alternatives"]].isna().all().all()

    dyn = calmkit.affect_dynamics(j)
    assert dyn["participant"].astype(str).tolist() == everyone
    # a: onsets 7, 6 and the reading 2; b: two readings; c: nothing
    assert dyn["observations"].tolist() == [t + r for t, r in zip(triggers, count("readings"))]
    assert dyn.loc[2, ["mssd", "rmssd", "inertia", "pac"]].isna().all() and dyn.loc[2, "pairs"] == 0

    # the tables that always listed everyone still do
    for table in (calmkit.trigger_frequency(j), calmkit.record_counts(j, by="participant"),
                  calmkit.trigger_trend(j), calmkit.window_of_uncertainty(j), calmkit.practice_streaks(j)):
        assert sorted(set(table["participant"].astype(str))) == everyone
