"""README's metric calls on a Journal whose state changes under them.

A metric may keep what it derived from a journal for the next call. Whatever
it keeps, the answer must be the one a journal freshly read from the same
records gives: after ``add`` (a reading that calms an episode, a trigger, a
new participant, a reading outside every window), with other parameters
between the calls, on a participant's or a time range's journal, after a
pickle round trip, and with one thread or several. Two references come from
outside calmkit: lifelines' Kaplan-Meier median of the episode frame, and
pandas' count of triggers per participant and local ISO week.
"""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest

import calmkit

CALLS = {
    "ttc": lambda j: calmkit.time_to_calm(j),
    "ttc_5_6": lambda j: calmkit.time_to_calm(j, threshold=5, window_hours=6),
    "summary": lambda j: calmkit.time_to_calm_summary(j, by="participant"),
    "summary_pooled": lambda j: calmkit.time_to_calm_summary(j, by=None),
    "summary_5": lambda j: calmkit.time_to_calm_summary(j, by="participant", threshold=5),
    "week": lambda j: calmkit.trigger_frequency(j, period="week"),
    "day_cat": lambda j: calmkit.trigger_frequency(j, period="day", by_category=True),
    "month_pooled": lambda j: calmkit.trigger_frequency(j, period="month", by=None),
    "week_tz": lambda j: calmkit.trigger_frequency(j, period="week", tz="America/New_York"),
}


def _all(j: calmkit.Journal) -> dict[str, pd.DataFrame]:
    return {k: f(j) for k, f in CALLS.items()}


def _fresh(j: calmkit.Journal) -> calmkit.Journal:
    """The same records, read anew (nothing derived from j can come with them)."""
    return calmkit.parse_journal(calmkit.to_jsonl(j))


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], what: str) -> None:
    for k in CALLS:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True, obj=f"{what}: {k}")


def _journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=4, days=21, seed=11)


def _changes(j: calmkit.Journal) -> list:
    """Records that change each call's answer."""
    p = j.participants()[0]
    t = j.triggers.to_pandas()
    first = t[t.participant == p].iloc[0]
    onset = first.time.to_pydatetime()
    last = max(r.time for r in j.readings)
    return [
        calmkit.Reading(participant=p, time=onset + dt.timedelta(minutes=1), intensity=0, trigger=first.id),
        calmkit.Trigger(participant=p, id="zz-new", time=onset + dt.timedelta(days=2, minutes=7),
                        category="conflict", intensity=9),
        calmkit.Reading(participant=p, time=onset + dt.timedelta(days=2, minutes=30), intensity=1),
        calmkit.Trigger(participant="zz-someone-new", id="t1", time=last + dt.timedelta(days=40),
                        category="other", intensity=4),
        calmkit.Reading(participant=p, time=last + dt.timedelta(days=3), intensity=7),
    ]


@pytest.mark.parametrize("threads", [1, 2])
def test_the_calls_again_and_after_each_add_answer_as_a_fresh_journal(threads: int) -> None:
    old = calmkit.threads()
    calmkit.set_threads(threads)
    try:
        j = _journal()
        first = _all(j)
        _same(_all(j), first, "again")
        _same(_all(j), _all(_fresh(j)), "fresh")
        for k, rec in enumerate(_changes(j)):
            before = _all(j)
            j.add(rec)
            after = _all(j)
            _same(after, _all(_fresh(j)), f"after add {k}")
            assert any(not before[c].equals(after[c]) for c in CALLS), f"add {k} changed nothing: it proves nothing"
    finally:
        calmkit.set_threads(old)


def test_one_call_between_adds_does_not_keep_another_calls_answer() -> None:
    """Only time_to_calm(threshold=3) is asked between the adds; the other calls are asked at the end."""
    j = _journal()
    _all(j)
    for rec in _changes(j):
        calmkit.time_to_calm(j)
        j.add(rec)
    _same(_all(j), _all(_fresh(j)), "end")


def test_a_participants_journal_and_a_range_answer_as_fresh_ones() -> None:
    j = _journal()
    _all(j)
    p = j.participants()[1]
    view = j.participant(p)
    _same(_all(view), _all(_fresh(view)), "participant")
    eps = calmkit.time_to_calm(j)
    mine = calmkit.time_to_calm(view)
    pd.testing.assert_frame_equal(
        eps[eps.participant == p].reset_index(drop=True).assign(participant=lambda f: f.participant.astype(str)),
        mine.assign(participant=lambda f: f.participant.astype(str)), check_exact=True)
    start = min(t.time for t in j.triggers) + dt.timedelta(days=5)
    rng = j.between(start, start + dt.timedelta(days=7))
    _same(_all(rng), _all(_fresh(rng)), "between")
    # A change to the whole journal after the views were made reaches neither view.
    v_before, r_before = _all(view), _all(rng)
    for rec in _changes(j):
        j.add(rec)
    _same(_all(view), v_before, "participant after adds to the whole")
    _same(_all(rng), r_before, "between after adds to the whole")


def test_a_pickled_journal_answers_as_the_original_and_as_a_fresh_one_after_adds() -> None:
    j = _journal()
    before = _all(j)
    k = pickle.loads(pickle.dumps(j))
    _same(_all(k), before, "unpickled")
    for rec in _changes(j):
        k.add(rec)
    _same(_all(k), _all(_fresh(k)), "unpickled after adds")
    _same(_all(j), before, "the original after adds to its copy")


def test_the_summary_median_is_lifelines_kaplan_meier_median() -> None:
    lifelines = pytest.importorskip("lifelines")
    j = calmkit.synthetic_journal(participants=6, days=42, seed=5)
    for rec in _changes(j):
        j.add(rec)
    eps = calmkit.time_to_calm(j)
    summ = calmkit.time_to_calm_summary(j, by="participant")
    for p, g in eps.groupby("participant", observed=True):
        km = lifelines.KaplanMeierFitter().fit(g.minutes, event_observed=g.calmed)
        want = km.median_survival_time_
        got = summ.loc[summ.participant == p, "median_minutes"].iloc[0]
        if np.isinf(want):
            assert np.isnan(got) or np.isinf(got), p
        else:
            assert got == pytest.approx(want), p


def test_weekly_counts_are_pandas_counts_per_local_iso_week() -> None:
    j = calmkit.synthetic_journal(participants=5, days=35, seed=2)
    for rec in _changes(j):
        j.add(rec)
    t = j.triggers.to_pandas()
    local = (t.time + pd.to_timedelta(t.offset_minutes, unit="min")).dt.tz_localize(None)
    week = (local.dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")).dt.date
    want = t.assign(week=week).groupby(["participant", "week"], observed=True).size()
    got = calmkit.trigger_frequency(j, period="week")
    got = got.assign(week=pd.to_datetime(got.period_start).dt.date).set_index(["participant", "week"])["count"]
    got = got[got > 0]
    assert {(str(p), w): int(n) for (p, w), n in got.items()} == {(str(p), w): int(n) for (p, w), n in want.items()}


def test_calls_with_near_parameters_in_any_order_answer_as_first_calls() -> None:
    """A kept answer is one for exactly these parameters: a window of 12 h and one of 12.5 h or 12.000001 h,
    confidences, periods and zones asked in a shuffled order, three rounds, each equal to the first call on
    a fresh journal."""
    import random

    calls = []
    for th in (0, 3, 10):
        for w in (12, 12.5, 12.000001, 0.25, 1e6):
            calls.append(lambda j, th=th, w=w: calmkit.time_to_calm(j, threshold=th, window_hours=w))
            calls.append(lambda j, th=th, w=w: calmkit.time_to_calm_summary(j, threshold=th, window_hours=w))
    for c in (0.95, 0.5):
        calls.append(lambda j, c=c: calmkit.time_to_calm_summary(j, confidence=c))
    for per in ("day", "week", "month"):
        for tz in (None, "UTC", "Pacific/Kiritimati", "America/St_Johns"):
            calls.append(lambda j, per=per, tz=tz: calmkit.trigger_frequency(j, period=per, tz=tz))
            calls.append(lambda j, per=per, tz=tz: calmkit.trigger_frequency(j, period=per, tz=tz, by_group=True))
    j = calmkit.synthetic_journal(participants=4, days=28, seed=9)
    want = [c(_fresh(j)) for c in calls]
    rng = random.Random(1)
    for _ in range(3):
        order = list(range(len(calls)))
        rng.shuffle(order)
        for k in order:
            pd.testing.assert_frame_equal(calls[k](j), want[k], check_exact=True, obj=str(k))
