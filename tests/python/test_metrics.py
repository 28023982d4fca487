"""The pandas metrics API: shapes, dtypes and hand-computed values, plus a
Kaplan-Meier median checked against an independent NumPy implementation."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re

import numpy as np
import pandas as pd
import pytest

import calmkit


def _journal() -> calmkit.Journal:
    # Participant "a", theta = 3, window 12 h (the C++ tests walk through the same case):
    #  t1 10:00 (8): linked 10:30 (5), unlinked 11:00 (2)  -> calm at 60 min
    #  t2 13:00 (7): unlinked 13:20 (6), 14:00 (5)         -> censored at 60 min
    #  t3 14:30 (9): unlinked 14:45 (3), cut off from t2   -> calm at 15 min
    #  t4 03-03 09:00 (2): already calm                    -> 0 min
    j = calmkit.Journal()
    for tid, time, x, cat in [
        ("t1", "2026-03-02T10:00:00+01:00", 8, "delayed_reply"),
        ("t2", "2026-03-02T13:00:00+01:00", 7, "delayed_reply"),
        ("t3", "2026-03-02T14:30:00+01:00", 9, "conflict"),
        ("t4", "2026-03-03T09:00:00+01:00", 2, "delayed_reply"),
    ]:
        j.add(calmkit.Trigger(participant="a", id=tid, time=time, category=cat, intensity=x))
    for time, x, trig in [
        ("2026-03-02T10:30:00+01:00", 5, "t1"),
        ("2026-03-02T11:00:00+01:00", 2, ""),
        ("2026-03-02T13:20:00+01:00", 6, ""),
        ("2026-03-02T14:00:00+01:00", 5, ""),
        ("2026-03-02T14:45:00+01:00", 3, ""),
    ]:
        j.add(calmkit.Reading(participant="a", time=time, intensity=x, trigger=trig))
    return j


def test_time_to_calm_per_episode() -> None:
    df = calmkit.time_to_calm(_journal())
    assert list(df["trigger_id"]) == ["t1", "t2", "t3", "t4"]
    assert list(df["minutes"]) == [60.0, 60.0, 15.0, 0.0]
    assert list(df["calmed"]) == [True, False, True, True]
    assert list(df["observations"]) == [2, 2, 1, 0]
    assert str(df["onset"].dtype) == "datetime64[us, UTC]"
    assert df["onset"][0] == pd.Timestamp("2026-03-02T09:00:00Z")
    assert list(df["category"].astype(str)) == ["delayed_reply", "delayed_reply", "conflict", "delayed_reply"]
    assert isinstance(df["participant"].dtype, pd.CategoricalDtype)
    # theta = 5 makes t1 calm at the linked 10:30 reading (30 min).
    assert calmkit.time_to_calm(_journal(), threshold=5)["minutes"][0] == 30.0


def test_summary_with_tie_between_calm_and_censoring() -> None:
    # Times 0 (c), 15 (c), 60 (c), 60 (censored): S(0)=3/4, S(15)=2/4=0.5 -> median 15.
    # At 60 the calm comes first: n=2, S=0.5*(1-1/2)=0.25.
    s = calmkit.time_to_calm_summary(_journal())
    assert list(s.columns) == ["participant", "episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high"]
    row = s.iloc[0]
    assert (row["episodes"], row["calmed"], row["censored"]) == (4, 3, 1)
    assert row["median_minutes"] == 15.0
    curve = calmkit.km_curve(_journal())
    assert list(curve["minutes"]) == [0.0, 15.0, 60.0]
    assert curve["survival"].iloc[-1] == pytest.approx(0.25)
    assert curve["at_risk"].iloc[-1] == 2


def test_summary_by_week_and_category() -> None:
    s = calmkit.time_to_calm_summary(_journal(), by=["participant", "week"])
    assert list(s["period_start"].dt.date) == [dt.date(2026, 3, 2)]
    c = calmkit.time_to_calm_summary(_journal(), by="category")
    assert list(c["category"].astype(str)) == ["delayed_reply", "conflict"]
    # conflict: one episode, calm at 15 -> S(15) = 0 -> median 15.
    assert c["median_minutes"].iloc[1] == 15.0
    pooled = calmkit.time_to_calm_summary(_journal(), by=None)
    assert pooled["episodes"].tolist() == [4]
    with pytest.raises(ValueError):
        calmkit.time_to_calm_summary(_journal(), by=["week", "month"])
    with pytest.raises(ValueError):
        calmkit.time_to_calm(_journal(), threshold=11)


def test_summary_of_an_episode_frame_whole_and_filtered() -> None:
    eps = calmkit.time_to_calm(_journal())
    for by in ("participant", ["participant", "week"], "category", None):
        pd.testing.assert_frame_equal(calmkit.time_to_calm_summary(eps, by=by),
                                      calmkit.time_to_calm_summary(_journal(), by=by))
    pd.testing.assert_frame_equal(calmkit.km_curve(eps), calmkit.km_curve(_journal()))
    # Without the conflict episode t3 (15 min): 0 (c), 60 (c), 60 (censored):
    # S(0) = 2/3, S(60) = 2/3 * (1 - 1/2) = 1/3 -> median 60.
    sub = calmkit.time_to_calm_summary(eps[eps["category"] != "conflict"])
    assert (sub["episodes"][0], sub["censored"][0], sub["median_minutes"][0]) == (3, 1, 60.0)
    # A frame with plain text participants (no Categorical) works too.
    plain = eps.assign(participant=eps["participant"].astype(str))
    assert calmkit.time_to_calm_summary(plain)["median_minutes"].tolist() == [15.0]


def test_summary_of_an_episode_frame_refuses_mismatches() -> None:
    eps = calmkit.time_to_calm(_journal(), threshold=5)
    with pytest.raises(ValueError, match="computed with threshold=5, not 3"):
        calmkit.time_to_calm_summary(eps, threshold=3)
    # Left out, the frame is summarised as it is (with what it was computed with).
    assert calmkit.time_to_calm_summary(eps)["episodes"].tolist() == [4]
    assert calmkit.time_to_calm_summary(eps, threshold=5)["episodes"].tolist() == [4]
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['minutes'\]"):
        calmkit.time_to_calm_summary(eps.drop(columns="minutes"), threshold=5)
    broken = eps.copy()
    broken["minutes"] = broken["minutes"].astype(float)
    broken.loc[2, "minutes"] = -1.0
    with pytest.raises(ValueError, match="episodes row 2, field 'minutes'"):
        calmkit.time_to_calm_summary(broken, threshold=5)
    # 65,596 minutes would wrap to 60 as int16 (a valid offset): refused, not wrapped.
    wrapped = eps.assign(offset_minutes=eps["offset_minutes"].astype(np.int64))
    wrapped.loc[0, "offset_minutes"] = 65_596
    with pytest.raises(ValueError, match=r"'offset_minutes' row 0: 65596 is not a value of type int16"):
        calmkit.time_to_calm_summary(wrapped, threshold=5)
    unknown = eps.assign(category=eps["category"].astype(str))
    unknown.loc[1, "category"] = "weather"
    with pytest.raises(ValueError, match="row 1 .*'category'.*'weather'"):
        calmkit.time_to_calm_summary(unknown, threshold=5)


def _km_median_by_hand(frame: pd.DataFrame) -> float:
    """Product-limit median in exact fractions: the smallest event time with
    S(t) <= 1/2 (NaN if S never gets there), from the frame's minutes and
    calmed columns alone."""
    from fractions import Fraction

    s = Fraction(1)
    t = frame[["minutes", "calmed"]].astype({"calmed": bool})
    for time, at in t.groupby("minutes", sort=True):
        at_risk = int((t["minutes"] >= time).sum())
        events = int(at["calmed"].sum())
        s *= Fraction(at_risk - events, at_risk)
        if events and s <= Fraction(1, 2):
            return float(time)
    return float("nan")


def test_episode_frames_record_their_parameters_per_row(tmp_path, sample_journal_path) -> None:
    # Each row records the threshold and window that made it: a CSV round trip
    # and pd.concat keep them (attrs do not survive either).
    j = calmkit.read_journal(sample_journal_path)
    three, five = calmkit.time_to_calm(j), calmkit.time_to_calm(j, threshold=5)
    assert (three["threshold"] == 3).all() and (three["window_hours"] == 12.0).all()
    assert (five["threshold"] == 5).all()
    assert (calmkit.time_to_calm(j, window_hours=1.5)["window_hours"] == 1.5).all()
    three.to_csv(tmp_path / "episodes.csv", index=False)
    back = pd.read_csv(tmp_path / "episodes.csv", parse_dates=["onset"])
    assert back.attrs == {}
    # The refusals now name what the rows say, not a lost attribute.
    with pytest.raises(ValueError, match="computed with threshold=3, not 5"):
        calmkit.time_to_calm_summary(back, by=None, threshold=5)
    with pytest.raises(ValueError, match="computed with window_hours=12.0, not 1"):
        calmkit.time_to_calm_summary(back, by=None, window_hours=1)
    for f in (calmkit.km_curve, calmkit.km_quantiles):
        with pytest.raises(ValueError, match="computed with threshold=3, not 4"):
            f(back, by=None, threshold=4)
    # Summarised as it is, with or without the matching arguments: the
    # threshold-3 median, as the product-limit estimate by hand gives it.
    as_is = calmkit.time_to_calm_summary(back, by=None, threshold=3, window_hours=12)
    assert as_is["median_minutes"].iloc[0] == pytest.approx(_km_median_by_hand(three), rel=1e-12)
    assert as_is["median_minutes"].iloc[0] != pytest.approx(_km_median_by_hand(five))
    # Same-threshold pieces concatenated (the attrs are lost) still summarise.
    halves = pd.concat([back[back["participant"] == p] for p in back["participant"].unique()])
    assert halves.attrs == {} and len(halves) == len(three)
    assert calmkit.time_to_calm_summary(halves, by=None, threshold=3)["median_minutes"].iloc[0] == \
        pytest.approx(_km_median_by_hand(three), rel=1e-12)
    # Mixed thresholds or windows: refused with no arguments at all, after a
    # concat and after a CSV round trip of the concat.
    both = pd.concat([three, five], ignore_index=True)
    both.to_csv(tmp_path / "both.csv", index=False)
    both_back = pd.read_csv(tmp_path / "both.csv", parse_dates=["onset"])
    for frame in (both, both_back):
        for f in (calmkit.time_to_calm_summary, calmkit.km_curve, calmkit.km_quantiles):
            with pytest.raises(ValueError, match=r"mix threshold values \(3, 5\)"):
                f(frame, by=None)
    window_only = pd.concat([three, calmkit.time_to_calm(j, window_hours=2)], ignore_index=True)
    with pytest.raises(ValueError, match=r"mix window_hours values \(12.0, 2.0\)"):
        calmkit.time_to_calm_summary(window_only)
    # Grouped by the threshold column, each group is its own threshold's curve.
    grouped = calmkit.time_to_calm_summary(both_back, by="threshold").set_index("threshold")
    for t, frame in ((3, three), (5, five)):
        assert grouped.loc[t, "episodes"] == len(frame)
        assert grouped.loc[t, "median_minutes"] == pytest.approx(_km_median_by_hand(frame), rel=1e-12)
    # Columns dropped and no attrs: the frame is still summarised as it is, but
    # a threshold given cannot be vouched for.
    bare = back.drop(columns=["threshold", "window_hours"])
    with pytest.raises(ValueError, match="threshold=5 was given with an episode frame that does not record"):
        calmkit.time_to_calm_summary(bare, by=None, threshold=5)
    # The same episodes twice would narrow every interval: refused.
    with pytest.raises(ValueError, match="trigger_id .* is there twice"):
        calmkit.time_to_calm_summary(pd.concat([three, three]))


def test_clear_errors_for_bad_parameters_and_clashing_keys() -> None:
    j = _journal()
    eps = calmkit.time_to_calm(j)
    for bad in (3.5, True, "3", None):
        for f in (calmkit.time_to_calm, calmkit.peak_trend, calmkit.exercise_effectiveness):
            with pytest.raises(TypeError, match="threshold must be an integer 0..10, got "):
                f(j, threshold=bad)
    with pytest.raises(TypeError, match="threshold must be an integer 0..10, got "):
        calmkit.time_to_calm_summary(j, threshold=3.5)
    with pytest.raises(TypeError, match="window_hours must be a finite number of hours >= 0, got "):
        calmkit.time_to_calm(j, window_hours="12")
    with pytest.raises(ValueError, match=r"^threshold must be an integer 0\.\.10, got 11$"):
        calmkit.time_to_calm(j, threshold=11)
    assert len(calmkit.time_to_calm(j, threshold=np.int64(5))) == len(eps)
    # A grouping key named like a result column would be overwritten by it.
    for key in ("calmed", "censored", "minutes", "episodes"):
        with pytest.raises(ValueError, match=f"cannot group by '{key}'"):
            calmkit.time_to_calm_summary(eps, by=key)
    by_copy = calmkit.time_to_calm_summary(eps.assign(by_calmed=eps["calmed"]), by="by_calmed")
    assert by_copy["by_calmed"].tolist() == [False, True]
    assert by_copy["episodes"].tolist() == [int((~eps["calmed"]).sum()), int(eps["calmed"].sum())]


def test_trigger_frequency_zero_fill_offsets_and_tz() -> None:
    j = calmkit.Journal()
    # 23:30 UTC on Sunday 03-08 is Monday 03-09 00:30 at +01:00: next ISO week.
    j.add(calmkit.Trigger(participant="b", id="t1", time="2026-03-02T09:00:00+01:00", category="conflict", intensity=5))
    j.add(calmkit.Trigger(participant="b", id="t2", time="2026-03-09T00:30:00+01:00", category="conflict", intensity=5))
    j.add(calmkit.Trigger(participant="b", id="t3", time="2026-03-23T08:00:00Z", category="being_alone", intensity=5))
    f = calmkit.trigger_frequency(j, period="week")
    assert [d.isoformat() for d in f["period_start"].dt.date] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    assert f["count"].tolist() == [1, 1, 0, 1]  # the quiet week is a zero
    # In UTC (a POSIX rule without DST) t2 falls back into the first week.
    u = calmkit.trigger_frequency(j, period="week", tz="UTC0")
    assert u["count"].tolist() == [2, 0, 0, 1]
    cat = calmkit.trigger_frequency(j, period="month", by_category=True)
    assert len(cat) == len(calmkit.trigger_categories())
    assert cat.set_index("category")["count"]["conflict"] == 2
    grp = calmkit.trigger_frequency(j, period="month", by_group=True)
    assert grp.set_index("group")["count"].to_dict() == {"relationship": 2, "life": 1, "internal": 0}
    with pytest.raises(ValueError):
        calmkit.trigger_frequency(j, tz="not a zone")


def test_trigger_trend_constant_counts() -> None:
    # Two triggers every week for 8 weeks: RR = 8/8 = 1, Poisson slope 0.
    j = calmkit.Journal()
    start = dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc)
    for w in range(8):
        for k in range(2):
            j.add(calmkit.Trigger(participant="w", id=f"t{w}-{k}", time=start + dt.timedelta(weeks=w, hours=k),
                                  category="other", intensity=6))
    # A reading on the last Sunday makes the last ISO week a whole observed week.
    j.add(calmkit.Reading(participant="w", time=start + dt.timedelta(weeks=7, days=6), intensity=2))
    t = calmkit.trigger_trend(j, k=4)
    row = t.iloc[0]
    assert (row["last_k_count"], row["prev_k_count"], row["weeks"]) == (8, 8, 8)
    assert (row["last_k_days"], row["prev_k_days"]) == (28, 28)
    assert row["rate_ratio"] == 1.0
    # The same count every week varies less than any Poisson count: dispersion 0,
    # and the quasi-Poisson intervals shrink to the estimates (as R's quasipoisson).
    assert row["rr_dispersion"] == 0.0 and row["rr_ci_low"] == row["rr_ci_high"] == 1.0
    assert row["dispersion"] == pytest.approx(0.0, abs=1e-20)
    assert row["slope_per_week"] == pytest.approx(0.0, abs=1e-12)
    assert row["weekly_change_pct"] == pytest.approx(0.0, abs=1e-9)


def test_recovery_practice_and_dynamics_frames() -> None:
    j = calmkit.synthetic_journal(participants=2, days=28, seed=7)
    for fn in (calmkit.peak_intensity, calmkit.peak_trend, calmkit.exercise_effectiveness,
               calmkit.thought_record_summary, calmkit.distortion_frequency, calmkit.window_of_uncertainty,
               calmkit.practice_consistency, calmkit.practice_streaks, calmkit.affect_dynamics):
        df = fn(j)
        assert isinstance(df, pd.DataFrame) and len(df) > 0, fn.__name__
    d = calmkit.affect_dynamics(j)
    assert (d["rmssd"] ** 2).to_numpy() == pytest.approx(d["mssd"].to_numpy())
    w = calmkit.window_of_uncertainty(j, by="week")
    assert "period_start" in w.columns
    eff = calmkit.exercise_effectiveness(j, by_participant=True)
    assert set(eff["participant"].astype(str)) <= {"p001", "p002"}


def _naive_km_median(t: np.ndarray, c: np.ndarray) -> float:
    s = 1.0
    for u in np.unique(t):
        n = np.sum(t >= u)
        d = np.sum((t == u) & c)
        s *= 1.0 - d / n
        if s <= 0.5:
            return float(u)
    return math.nan


def test_km_median_matches_numpy_on_random_cohorts_from_arrays() -> None:
    rng = np.random.default_rng(3)
    n_participants, n = 40, 2000
    # Triggers with random onsets and intensities; one linked reading each, at a
    # random delay with a random intensity: each episode is calm at that delay
    # or censored there, so the (time, calmed) pairs are known in NumPy.
    p = np.sort(rng.integers(0, n_participants, n)).astype(np.int32)
    onset = (rng.integers(0, 60, n) * 86_400_000_000 + rng.integers(0, 86_400, n) * 1_000_000).astype(np.int64)
    order = np.lexsort((onset, p))
    p, onset = p[order], onset[order]
    delay_min = rng.integers(0, 12, n) * 10  # many ties
    reading_x = rng.integers(0, 10, n)
    cohort = calmkit.cohort_from_arrays(
        [f"q{i}" for i in range(n_participants)], p, onset, np.zeros(n), np.full(n, 9), np.zeros(n),
        p, onset + delay_min * 60_000_000, np.zeros(n), reading_x, np.arange(n))
    eps = calmkit.time_to_calm(cohort)
    assert np.array_equal(eps["trigger_id"].to_numpy(), np.arange(n))  # input rows
    calmed = reading_x <= 3
    assert np.array_equal(eps["calmed"].to_numpy(), calmed)
    assert np.array_equal(eps["minutes"].to_numpy(), delay_min.astype(float))
    s = calmkit.time_to_calm_summary(cohort)
    for i, row in s.iterrows():
        mask = p == i
        expected = _naive_km_median(delay_min[mask].astype(float), calmed[mask])
        got = row["median_minutes"]
        assert (math.isnan(expected) and math.isnan(got)) or got == expected


def test_cohort_from_arrays_sorts_and_keeps_input_rows() -> None:
    # Two triggers given latest first; the reading links to input row 0 (the later one, intensity 9)
    # and reaches 2 one minute after its onset.
    hour = 3_600_000_000
    co = calmkit.cohort_from_arrays(["x"], [0, 0], [2 * hour, 0], [0, 0], [9, 8], [0, 0],
                                    [0], [2 * hour + 60_000_000], [0], [2], [0])
    eps = calmkit.time_to_calm(co)
    assert eps["trigger_id"].tolist() == [1, 0]  # sorted by onset, ids are input rows
    assert eps["minutes"].tolist() == [0.0, 1.0]
    assert eps["calmed"].tolist() == [False, True]


def test_cohort_from_arrays_reports_bad_rows() -> None:
    with pytest.raises(ValueError, match="triggers row 0, field 'intensity'"):
        calmkit.cohort_from_arrays(["x"], [0], [0], [0], [12], [0], [], [], [], [], [])
    with pytest.raises(TypeError):
        calmkit.time_to_calm("not a journal")  # type: ignore[arg-type]
    # Arrays of another dtype are converted only when every value survives:
    # 2**32 would wrap to trigger row 0 as int32, 1.5 would truncate to code 1.
    ok = {"trigger_participant": [0], "trigger_time_us": [0], "trigger_offset_minutes": [0], "trigger_intensity": [5],
          "trigger_category": [0], "reading_participant": np.array([0, 0], dtype=np.int64),
          "reading_time_us": [0, 60_000_000], "reading_offset_minutes": [0, 0], "reading_intensity": [4, 2],
          "reading_trigger": np.array([0, -1], dtype=np.int64)}
    assert calmkit.cohort_from_arrays(["x"], **ok).n_readings == 2
    with pytest.raises(ValueError, match=r"'reading_trigger' row 1: 4294967296 is not a value of type int32"):
        calmkit.cohort_from_arrays(["x"], **{**ok, "reading_trigger": np.array([0, 2**32], dtype=np.int64)})
    with pytest.raises(ValueError, match=r"'trigger_participant' row 0: 1.5 is not a value of type int32"):
        calmkit.cohort_from_arrays(["x", "y"], **{**ok, "trigger_participant": np.array([1.5])})
    with pytest.raises(ValueError, match=r"'reading_offset_minutes' row 0: 40000 is not a value of type int16"):
        calmkit.cohort_from_arrays(["x"], **{**ok, "reading_offset_minutes": np.array([40000, 0])})
    # NaN is the "not recorded" value of acted_after_minutes: a float32 NaN
    # becomes a float64 NaN exactly, so it is kept (NaN != NaN is no loss).
    co = calmkit.cohort_from_arrays(["x"], **ok, trigger_acted_after_minutes=np.array([np.nan], dtype=np.float32))
    assert co.n_triggers == 1
    # A value of an object array that does not convert is named, not an AttributeError.
    with pytest.raises(ValueError, match=r"'trigger_acted_after_minutes' row 1: None is not a value of type float64"):
        calmkit.cohort_from_arrays(["x", "y"], **{**ok, "trigger_participant": [0, 1], "trigger_time_us": [0, 0],
                                                  "trigger_offset_minutes": [0, 0], "trigger_intensity": [5, 5],
                                                  "trigger_category": [0, 0]},
                                   trigger_acted_after_minutes=np.array([2.5, None], dtype=object))


def test_cohort_from_arrays_old_offset_keywords_still_work_and_warn() -> None:
    # One spelling of a UTC offset in minutes (docs/architecture.md): the
    # keywords of earlier versions give the same cohort, with a warning.
    hour = 3_600_000_000
    new = {"trigger_participant": [0], "trigger_time_us": [0], "trigger_offset_minutes": [60],
           "trigger_intensity": [8], "trigger_category": [0], "reading_participant": [0],
           "reading_time_us": [hour], "reading_offset_minutes": [60], "reading_intensity": [2], "reading_trigger": [0]}
    old = {("trigger_offset_min" if k == "trigger_offset_minutes" else "reading_offset_min"
            if k == "reading_offset_minutes" else k): v for k, v in new.items()}
    with pytest.warns(DeprecationWarning) as said:
        before = calmkit.time_to_calm(calmkit.cohort_from_arrays(["x"], **old))
    assert sorted(str(w.message) for w in said) == [
        "cohort_from_arrays(): the keyword 'reading_offset_min' is now 'reading_offset_minutes'",
        "cohort_from_arrays(): the keyword 'trigger_offset_min' is now 'trigger_offset_minutes'"]
    assert before.equals(calmkit.time_to_calm(calmkit.cohort_from_arrays(["x"], **new)))
    assert before["minutes"].tolist() == [60.0] and before["offset_minutes"].tolist() == [60]
    with pytest.raises(TypeError, match="both"):
        calmkit.cohort_from_arrays(["x"], **new, trigger_offset_min=[60])
    # The signature the wrapper shows is the binding's own (its docstring's first line).
    binding = re.findall(r"(\w+):", calmkit._core.cohort_from_arrays.__doc__.splitlines()[0])
    assert list(inspect.signature(calmkit.cohort_from_arrays).parameters) == binding


def test_exercise_effectiveness_without_exercises_keeps_text_column() -> None:
    # A journal with no exercise sessions has no rows; the exercise column must
    # still be text, not the integer codes the C++ side returns.
    eff = calmkit.exercise_effectiveness(_journal())
    assert len(eff) == 0
    assert "exercise" in eff.columns
    assert not pd.api.types.is_integer_dtype(eff["exercise"].dtype)


def test_metrics_on_a_journal_read_its_own_columns() -> None:
    import gc
    import weakref

    j = _journal()
    # A journal stores its records as the metric columns: its Cohort is those
    # columns (no copy, no conversion), the same object on every call.
    first = calmkit.cohort(j)
    assert calmkit.cohort(j) is first
    assert list(calmkit.time_to_calm(j)["minutes"]) == [60.0, 60.0, 15.0, 0.0]
    assert calmkit.cohort(j) is first
    weekly = calmkit.trigger_frequency(j, period="week")
    assert weekly["count"].sum() == 4
    assert first.n_triggers == 4
    # A change after a metric call is seen by the next call (and by the Cohort
    # already handed out: it is the journal's columns): a new trigger t5 at
    # 03-03 12:00 (6) with no reading after it is censored at its onset
    # (0 observations, 0 minutes), and a calming reading of t2 at 13:40 (3)
    # ends t2's episode at 40 minutes.
    j.add(calmkit.Trigger(participant="a", id="t5", time="2026-03-03T12:00:00+01:00",
                          category="conflict", intensity=6))
    assert calmkit.cohort(j) is first
    assert first.n_triggers == 5
    df = calmkit.time_to_calm(j)
    assert list(df["trigger_id"]) == ["t1", "t2", "t3", "t4", "t5"]
    assert list(df["calmed"]) == [True, False, True, True, False]
    assert calmkit.trigger_frequency(j, period="week")["count"].sum() == 5
    j.add(calmkit.Reading(participant="a", time="2026-03-02T13:40:00+01:00", intensity=3, trigger="t2"))
    assert calmkit.time_to_calm(j)["minutes"][1] == 40.0
    s = calmkit.time_to_calm_summary(j, by="participant")
    assert s["episodes"].tolist() == [5] and s["calmed"].tolist() == [4]
    # Other journals never see this one's cohort, copies included.
    copy = calmkit.Journal(list(j.triggers) + list(j.readings))
    assert calmkit.cohort(copy) is not calmkit.cohort(j)
    empty = calmkit.Journal()
    assert calmkit.time_to_calm(empty).empty
    # The cohort keeps its journal alive, and both go when neither is used.
    gone = weakref.ref(calmkit.cohort(j))
    journal_gone = weakref.ref(j)
    del j
    gc.collect()
    assert journal_gone() is not None  # still held by `first`
    assert first.n_triggers == 5
    del first, df, s
    gc.collect()
    assert gone() is None and journal_gone() is None
    with pytest.raises(TypeError, match="expected a calmkit.Journal"):
        calmkit.cohort("journal.jsonl")  # type: ignore[arg-type]


def test_cohort_from_arrays_refuses_times_outside_the_years_and_offsets_as_the_reader_does(tmp_path) -> None:
    # Found in review: cohort columns took any int64 as a time (-2**62 us is about the
    # year -144,000) and the calendar then overflowed in trigger_frequency; the offset
    # rule was worded its own way. Every other entry point says the model's rules.
    import datetime as dt

    ok = {"trigger_participant": [0, 0], "trigger_time_us": [0, 60_000_000], "trigger_offset_minutes": [0, 0],
          "trigger_intensity": [5, 5], "trigger_category": [0, 0], "reading_participant": [0],
          "reading_time_us": [120_000_000], "reading_offset_minutes": [0], "reading_intensity": [2],
          "reading_trigger": [0]}
    assert calmkit.cohort_from_arrays(["x"], **ok).n_readings == 1
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    first_us = (dt.datetime(1400, 1, 1, tzinfo=dt.timezone.utc) - epoch) // dt.timedelta(microseconds=1)
    end_us = (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc) - epoch) // dt.timedelta(
        microseconds=1)
    for column, value in [("trigger_time_us", -2**62), ("trigger_time_us", first_us - 1),
                          ("reading_time_us", end_us + 1), ("reading_time_us", 2**63 - 1)]:
        bad = {**ok, column: [value] + ok[column][1:]}
        with pytest.raises(ValueError, match=r"row 0, field 'time_us'.*year must be 1400\.\.9999"):
            calmkit.cohort_from_arrays(["x"], **bad)
    # The first and last microseconds of the years are kept; an offset can push the clock out.
    edge = {**ok, "trigger_time_us": [first_us, end_us], "reading_time_us": [end_us]}
    assert calmkit.cohort_from_arrays(["x"], **edge).n_triggers == 2
    with pytest.raises(ValueError, match=r"triggers row 1, field 'time_us'.*year must be 1400\.\.9999"):
        calmkit.cohort_from_arrays(["x"], **{**edge, "trigger_offset_minutes": [0, 1]})
    # The reader's wording for an offset (time.hpp's offset_rule).
    line = ('{"type":"trigger","participant":"x","id":"t","time":"2026-03-02T21:14:00+24:00",'
            '"category":"other","intensity":3}\n')
    (tmp_path / "o.jsonl").write_text(line)
    with pytest.raises(ValueError, match=r"UTC offset must be within -23:59\.\.\+23:59"):
        calmkit.read_journal(tmp_path / "o.jsonl")
    with pytest.raises(ValueError, match=r"field 'offset_minutes'.*UTC offset must be within -23:59\.\.\+23:59, "
                                         r"got 1440 minutes"):
        calmkit.cohort_from_arrays(["x"], **{**ok, "trigger_offset_minutes": [1440, 0]})
