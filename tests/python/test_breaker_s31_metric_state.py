"""Metric calls on a Journal whose answers a caller changes, a refused add, and participants that sort first.

A metric may keep what it derived for the next call, and a frame may wrap the
arrays the core made. Neither may leak: a caller who writes into a frame it
was given (a column set, a NumPy view written through) must not change the
next answer; an add that is refused (a dangling trigger, a duplicate id,
a new participant whose record is refused) must leave every answer as it was;
a new participant whose name sorts before, between or after the others (or
is empty) shifts every participant code, and the answers must still be a
fresh journal's. The references are a journal read anew from the same text,
lifelines' Kaplan-Meier median and pandas' own counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import calmkit

UTC = dt.timezone.utc

CALLS = {
    "ttc": lambda j: calmkit.time_to_calm(j),
    "ttc_0_1": lambda j: calmkit.time_to_calm(j, threshold=0, window_hours=1),
    "summary": lambda j: calmkit.time_to_calm_summary(j, by="participant"),
    "summary_pooled": lambda j: calmkit.time_to_calm_summary(j, by=None),
    "week": lambda j: calmkit.trigger_frequency(j, period="week"),
    "day_group": lambda j: calmkit.trigger_frequency(j, period="day", by_group=True),
    "triggers": lambda j: j.triggers.to_pandas(),
    "readings": lambda j: j.readings.to_pandas(),
    "exercises": lambda j: j.exercises.to_pandas(),
    "participants": lambda j: pd.DataFrame({"p": j.participants()}),
}


def _all(j: calmkit.Journal) -> dict[str, pd.DataFrame]:
    return {k: f(j) for k, f in CALLS.items()}


def _fresh(j: calmkit.Journal) -> calmkit.Journal:
    return calmkit.parse_journal(calmkit.to_jsonl(j))


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], what: str) -> None:
    for k in CALLS:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True, obj=f"{what}: {k}")


def _journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=4, days=21, seed=23)


def _scribble_one(df: pd.DataFrame) -> None:
    for c in list(df.columns):
        a = df[c].to_numpy(copy=False)
        if a.dtype.kind in "iuf" and a.flags.writeable:
            a[:] = 7
        elif a.dtype.kind == "M" and a.flags.writeable:
            a[:] = np.datetime64(0, "us")
        elif a.dtype.kind == "b" and a.flags.writeable:
            a[:] = ~a
    for c in list(df.columns):
        s = df[c]
        try:
            if s.dtype.kind in "iuf":
                df[c] = s * 0 + 3
            elif str(s.dtype) == "category":
                df[c] = s.cat.rename_categories([f"x{i}" for i in range(len(s.cat.categories))])
            elif s.dtype.kind == "b":
                df[c] = ~s
        except (ValueError, TypeError):
            pass  # a write pandas refuses
    if len(df):
        try:
            df.iloc[0] = df.iloc[-1]
        except (ValueError, TypeError):
            pass
    df.index = df.index[::-1]
    df.columns = [f"scribbled{i}" for i in range(len(df.columns))]


def _scribble(frames: dict[str, pd.DataFrame]) -> None:
    """Writes into every column of every frame (through pandas, and through a NumPy view where one is
    writable), and renames its columns and index: a frame handed out twice would show it."""
    for df in frames.values():
        _scribble_one(df)


@pytest.mark.parametrize("threads", [1, 2])
def test_writing_into_a_returned_frame_changes_no_later_answer(threads: int) -> None:
    old = calmkit.threads()
    calmkit.set_threads(threads)
    try:
        j = _journal()
        want = _all(_fresh(j))
        for _ in range(3):
            got = _all(j)
            _same(got, want, "again")
            _scribble(got)
        # And after an add: the frames made before it may be gone over too.
        p = j.participants()[0]
        j.add(calmkit.Reading(participant=p, time=dt.datetime(2030, 1, 1, tzinfo=UTC), intensity=4))
        want = _all(_fresh(j))
        for _ in range(2):
            got = _all(j)
            _same(got, want, "after add")
            _scribble(got)
    finally:
        calmkit.set_threads(old)


def _refused(j: calmkit.Journal) -> list:
    t = j.triggers.to_pandas().iloc[0]
    when = dt.datetime(2026, 1, 1, tzinfo=UTC)
    return [
        calmkit.Reading(participant="", time=when, intensity=3, trigger="nope"),
        calmkit.Reading(participant="0000 first", time=when, intensity=3, trigger="nope"),
        calmkit.Trigger(participant=str(t.participant), id=str(t.id), time=when, category="other", intensity=3),
        calmkit.ExerciseSession(participant="\u00e9 new", id="e", time=when, end=when, exercise="x", trigger="zz"),
        calmkit.Reading(participant=str(t.participant), time=when, intensity=3, trigger="nope"),
        calmkit.ThoughtRecord(participant="zzzz last", id="q", time=when, situation="s", automatic_thought="a",
                              belief_before=5, trigger="t"),
    ]


def test_a_refused_add_leaves_every_answer_as_it_was() -> None:
    j = _journal()
    before = _all(j)
    for rec in _refused(j):
        with pytest.raises(ValueError):
            j.add(rec)
        _same(_all(j), before, f"after a refused {type(rec).__name__}")
    _same(_all(j), _all(_fresh(j)), "fresh")
    assert j == _fresh(j)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", ["", "0000 first", "p001a", "p002", "\u00e9", "\U0001F600", "P", "a\u0000b"])
def test_a_new_participant_anywhere_in_the_order(name: str, threads: int) -> None:
    """A participant that sorts first, between two, equal to one (p002: not new), after all, or the empty one;
    a trigger, a reading that calms its episode, and a trigger on its own: every answer is a fresh journal's."""
    old = calmkit.threads()
    calmkit.set_threads(threads)
    try:
        j = _journal()
        _all(j)
        start = min(t.time for t in j.triggers) + dt.timedelta(days=3, minutes=17)
        recs = [
            calmkit.Trigger(participant=name, id="new-1", time=start, category="conflict", intensity=8),
            calmkit.Reading(participant=name, time=start + dt.timedelta(minutes=25), intensity=1, trigger="new-1"),
            calmkit.Trigger(participant=name, id="new-2", time=start + dt.timedelta(days=1), category="other",
                            intensity=6),
        ]
        for k, rec in enumerate(recs):
            j.add(rec)
            _same(_all(j), _all(_fresh(j)), f"after add {k}")
        eps = calmkit.time_to_calm(j)
        mine = eps[eps.participant == name]
        assert len(mine) >= 2 and mine.calmed.any(), mine
    finally:
        calmkit.set_threads(old)


def test_adds_at_the_same_instant_as_existing_records() -> None:
    """A reading at its trigger's very instant, and a trigger at another trigger's instant with another
    offset: ties every sort has to break the same way as a fresh read does."""
    j = _journal()
    _all(j)
    t = j.triggers.to_pandas()
    for _, row in t.head(6).iterrows():
        when = row.time.to_pydatetime()
        j.add(calmkit.Reading(participant=str(row.participant), time=when, intensity=2, trigger=str(row.id)))
        other = when.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
        j.add(calmkit.Trigger(participant=str(row.participant), id=f"tie-{row.id}", time=other,
                              category="other", intensity=9))
        _same(_all(j), _all(_fresh(j)), f"after ties at {row.id}")


def test_counts_by_day_and_group_are_pandas_counts_after_adds() -> None:
    j = _journal()
    calmkit.trigger_frequency(j, period="day", by_group=True)
    p = j.participants()[0]
    base = min(t.time for t in j.triggers)
    for k in range(5):
        j.add(calmkit.Trigger(participant=p, id=f"add-{k}", time=base + dt.timedelta(hours=7 * k),
                              category=["conflict", "being_alone", "perfectionism"][k % 3], intensity=5))
        t = j.triggers.to_pandas()
        groups = {cid: group for cid, _label, group in calmkit.trigger_categories()}
        got = calmkit.trigger_frequency(j, period="day", by_group=True)
        got = got[got["count"] > 0]
        local = (t.time + pd.to_timedelta(t.offset_minutes, unit="min")).dt.tz_localize(None).dt.date
        want = t.assign(day=local, group=t.category.astype(str).map(groups)).groupby(
            ["participant", "day", "group"], observed=True).size()
        have = {(str(r.participant), pd.Timestamp(r.period_start).date(), str(r.group)): int(r.count)
                for r in got.itertuples()}
        assert have == {(str(a), b, str(c)): int(n) for (a, b, c), n in want.items()}, k
