"""The calmkit Python package: records, Journal, to_pandas, reading and writing."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

UTC = dt.timezone.utc
PLUS1 = dt.timezone(dt.timedelta(hours=1))
MINUS0530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))


# --- a small hand-built journal -------------------------------------------------


def small_journal() -> calmkit.Journal:
    return calmkit.Journal(
        [
            # 21:14 at +01:00 is 20:14 UTC.
            calmkit.Trigger(
                participant="p1",
                id="t1",
                time="2026-03-02T21:14:00+01:00",
                category="delayed_reply",
                intensity=8,
                context="no reply since lunch",
                thoughts=["they are pulling away"],
                urge="send another text",
                acted_on_urge=False,
                tags=["evening"],
            ),
            # 07:00 at -05:30 is 12:30 UTC.
            calmkit.Trigger(
                participant="p2",
                id="t1",
                time=dt.datetime(2026, 3, 3, 7, 0, tzinfo=MINUS0530),
                category="perfectionism",
                intensity=4,
                acted_on_urge=True,
                acted_after_minutes=2.5,
            ),
            calmkit.Reading(participant="p1", time="2026-03-02T21:44:00+01:00", intensity=6, trigger="t1"),
            calmkit.Reading(participant="p2", id="r9", time="2026-03-03T12:40:00Z", intensity=3, note="better"),
            calmkit.ExerciseSession(
                participant="p1",
                id="e1",
                time="2026-03-02T21:20:00+01:00",
                end="2026-03-02T21:30:00+01:00",
                exercise="breathing.4-7-8",
                intensity_before=8,
                trigger="t1",
                responses=["counted to four"],
            ),
            calmkit.ThoughtRecord(
                participant="p1",
                id="c1",
                time="2026-03-02T22:00:00+01:00",
                situation="no reply",
                automatic_thought="they are leaving",
                belief_before=90,
                emotions=[calmkit.EmotionRating(name="fear", before=80, after=40), calmkit.EmotionRating(name="shame", before=30)],
                distortions=["mind_reading", "catastrophizing"],
                alternatives=["busy at work", "phone died", "asleep"],
                belief_after=35,
                trigger="t1",
            ),
        ]
    )


# --- records ----------------------------------------------------------------------


def test_times_keep_their_offset():
    t = calmkit.Trigger(id="t", time="2026-03-02T21:14:00+01:00", category="other", intensity=1)
    assert t.time == dt.datetime(2026, 3, 2, 20, 14, tzinfo=UTC)
    assert t.time.utcoffset() == dt.timedelta(hours=1)
    assert t.time.tzinfo == dt.timezone(dt.timedelta(minutes=60))
    # An aware datetime keeps its own offset, a negative one included.
    t.time = dt.datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=MINUS0530)
    assert t.time.utcoffset() == -dt.timedelta(hours=5, minutes=30)
    assert (t.time.hour, t.time.microsecond) == (0, 123456)
    # UTC comes back as datetime.timezone.utc.
    t.time = "2026-03-02T00:00:00Z"
    assert t.time.tzinfo is UTC


def test_zoneinfo_datetimes_use_the_offset_in_force():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    # Berlin moves from +01:00 to +02:00 on 2026-03-29 at 02:00 local.
    before = calmkit.Reading(time=dt.datetime(2026, 3, 29, 1, 30, tzinfo=berlin), intensity=2)
    after = calmkit.Reading(time=dt.datetime(2026, 3, 29, 3, 30, tzinfo=berlin), intensity=2)
    assert before.time.utcoffset() == dt.timedelta(hours=1)
    assert after.time.utcoffset() == dt.timedelta(hours=2)
    # 01:30+01:00 and 03:30+02:00 are 00:30Z and 01:30Z: one hour apart.
    assert after.time - before.time == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=11), "trigger 't': field 'intensity': must be an integer 0..10, got 11"),
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=-1), "0..10, got -1"),
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="late_text", intensity=1), "unknown trigger category 'late_text'; valid ids: delayed_reply, mixed_signals"),
        (lambda: calmkit.Trigger(id="t", time=dt.datetime(2026, 3, 2, 21, 14), category="other", intensity=1), "needs a UTC offset"),
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00", category="other", intensity=1), "missing UTC offset"),
        (lambda: calmkit.Trigger(id="t", time="2026-02-30T10:00:00Z", category="other", intensity=1), "day does not exist"),
        (lambda: calmkit.Trigger(id="t", time=dt.datetime(2026, 3, 2, tzinfo=dt.timezone(dt.timedelta(seconds=30))), category="other", intensity=1), "not a whole number of minutes"),
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=1, acted_after_minutes=-1.0), "trigger 't': field 'acted_after_minutes': must be a finite number of minutes >= 0, got -1"),
        (lambda: calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=1, acted_after_minutes=float("nan")), "field 'acted_after_minutes': must be a finite number of minutes >= 0, got nan"),
        (lambda: calmkit.Reading(time="2026-03-02T21:14:00Z", intensity=12), "reading: field 'intensity': must be an integer 0..10, got 12"),
        (lambda: calmkit.ExerciseSession(id="e", time="2026-03-02T21:14:00Z", end="2026-03-02T21:13:59Z", exercise="x"), "exercise 'e': field 'end': end 2026-03-02T21:13:59Z is before time 2026-03-02T21:14:00Z"),
        (lambda: calmkit.ExerciseSession(id="e", time="2026-03-02T21:14:00Z", end="2026-03-02T21:20:00Z", exercise="x", intensity_after=11), "exercise 'e': field 'intensity_after': must be an integer 0..10, got 11"),
        (lambda: calmkit.EmotionRating(name="fear", before=101), "emotion 'fear': field 'before': must be an integer 0..100, got 101"),
        (lambda: calmkit.EmotionRating(name="fear", before=50, after=-3), "emotion 'fear': field 'after': must be an integer 0..100, got -3"),
        (lambda: calmkit.ThoughtRecord(id="c", time="2026-03-02T21:14:00Z", situation="s", automatic_thought="a", belief_before=101), "thought_record 'c': field 'belief_before': must be an integer 0..100, got 101"),
        (lambda: calmkit.ThoughtRecord(id="c", time="2026-03-02T21:14:00Z", situation="s", automatic_thought="a", belief_before=50, belief_after=200), "thought_record 'c': field 'belief_after': must be an integer 0..100, got 200"),
        (lambda: calmkit.ThoughtRecord(id="c", time="2026-03-02T21:14:00Z", situation="s", automatic_thought="a", belief_before=50, distortions=["doom"]), "unknown cognitive distortion 'doom'; valid ids: all_or_nothing"),
    ],
)
def test_constructor_validation(make, message):
    with pytest.raises(ValueError, match=None) as err:
        make()
    assert message in str(err.value)


def test_required_fields_are_required_and_keyword_only():
    with pytest.raises(TypeError):
        calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other")  # no intensity
    with pytest.raises(TypeError):
        calmkit.Reading("2026-03-02T21:14:00Z", 3)  # positional
    with pytest.raises(calmkit.RecordError,
                       match="field 'time': must be an aware datetime or an RFC 3339 string, got a number"):
        calmkit.Reading(time=12345, intensity=3)  # a number is not a time


def test_setters_validate_and_leave_the_record_unchanged():
    t = calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=5)
    with pytest.raises(ValueError):
        t.intensity = 11
    with pytest.raises(ValueError):
        t.category = "nope"
    assert (t.intensity, t.category) == (5, "other")
    t.category = "conflict"
    assert (t.category, t.group) == ("conflict", "relationship")


def test_defaults_equality_and_repr():
    r = calmkit.Reading(time="2026-03-02T21:14:00+01:00", intensity=3)
    assert (r.participant, r.id, r.trigger, r.note) == ("", "", "", "")
    e = calmkit.ExerciseSession(id="e", time="2026-03-02T21:14:00Z", end="2026-03-02T21:14:00Z", exercise="x")
    assert e.completed is True and e.intensity_before is None and e.responses == []
    assert r == calmkit.Reading(time=dt.datetime(2026, 3, 2, 21, 14, tzinfo=PLUS1), intensity=3)
    # Same moment, other offset: not equal (the local time differs).
    assert r != calmkit.Reading(time="2026-03-02T20:14:00Z", intensity=3)
    assert r != "not a record"
    assert repr(r) == "Reading(participant='', id='', time='2026-03-02T21:14:00+01:00', intensity=3)"


def test_vocabularies():
    cats = calmkit.trigger_categories()
    assert len(cats) == 18
    assert cats[0] == ("delayed_reply", "Slow or missing reply", "relationship")
    assert {g for _, _, g in cats} == {"relationship", "life", "internal"}
    ds = calmkit.distortions()
    assert len(ds) == 12 and ds[6][0] == "catastrophizing"
    assert [g for g, _ in calmkit.trigger_groups()] == ["relationship", "life", "internal"]


# --- Journal ------------------------------------------------------------------------


def test_journal_basics():
    j = small_journal()
    assert len(j) == 6
    assert j.participants() == ["p1", "p2"]
    assert (len(j.triggers), len(j.readings), len(j.exercises), len(j.thought_records)) == (2, 2, 1, 1)
    assert j.triggers[0].id == "t1" and j.triggers[-1].participant == "p2"
    with pytest.raises(IndexError):
        j.triggers[2]
    assert [r.intensity for r in j.readings] == [6, 3]
    assert j == small_journal()
    assert calmkit.Journal() != j and len(calmkit.Journal()) == 0


def test_journal_rules():
    j = small_journal()
    with pytest.raises(ValueError, match="duplicate trigger id 't1' for participant 'p1'"):
        j.add(calmkit.Trigger(participant="p1", id="t1", time="2026-03-05T10:00:00Z", category="other", intensity=1))
    with pytest.raises(ValueError, match="refers to trigger 'nope'"):
        j.add(calmkit.Reading(participant="p1", time="2026-03-05T10:00:00Z", intensity=1, trigger="nope"))
    with pytest.raises(TypeError, match="expected a Trigger, Reading, ExerciseSession, ThoughtRecord or Assessment, got int"):
        j.add(3)
    assert len(j) == 6  # unchanged by the failed adds
    j.add(calmkit.Reading(participant="p1", time="2026-03-01T10:00:00Z", intensity=1))
    assert len(j.readings) == 3 and j.readings[0].time == dt.datetime(2026, 3, 1, 10, tzinfo=UTC)  # kept in time order


def test_tables_are_live_views():
    j = calmkit.Journal()
    triggers = j.triggers
    assert len(triggers) == 0
    j.add(calmkit.Trigger(id="t", time="2026-03-02T21:14:00Z", category="other", intensity=1))
    assert len(triggers) == 1
    # Records from a table are copies: editing one does not edit the journal.
    t = triggers[0]
    t.intensity = 9
    assert j.triggers[0].intensity == 1


def test_participant_filter():
    j = small_journal()
    p1 = j.participant("p1")
    assert p1.participants() == ["p1"]
    assert (len(p1.triggers), len(p1.readings), len(p1.exercises), len(p1.thought_records)) == (1, 1, 1, 1)
    assert p1.readings[0].trigger == "t1"
    assert len(j.participant("nobody")) == 0


def test_between_is_half_open_and_keeps_the_journal_valid():
    j = small_journal()
    # [20:14Z, 20:44Z): the p1 trigger (20:14Z), exercise (20:20Z); not the reading at 20:44Z.
    w = j.between("2026-03-02T20:14:00Z", dt.datetime(2026, 3, 2, 20, 44, tzinfo=UTC))
    assert [len(w.triggers), len(w.readings), len(w.exercises), len(w.thought_records)] == [1, 0, 1, 0]
    assert w.exercises[0].trigger == "t1"
    # [20:30Z, end of day): the reading (20:44Z) and thought record (21:00Z) are in,
    # their trigger (20:14Z) is not, so their links are cleared and the result
    # still writes and reads back.
    later = j.between("2026-03-02T20:30:00Z", "2026-03-03T00:00:00Z")
    assert [len(later.triggers), len(later.readings), len(later.thought_records)] == [0, 1, 1]
    assert later.readings[0].trigger == "" and later.thought_records[0].trigger == ""
    assert calmkit.parse_journal(calmkit.to_jsonl(later)) == later



def _kept_by_hand(j: calmkit.Journal, keep) -> calmkit.Journal:
    """The records of `j` that `keep` keeps, as a journal made from record values,
    a link to a trigger left out cleared: what participant() and between() give."""
    triggers = [t for t in j.triggers if keep(t)]
    kept = {(t.participant, t.id) for t in triggers}
    rest = []
    for table in (j.readings, j.exercises, j.thought_records):
        for r in table:
            if keep(r):
                if r.trigger and (r.participant, r.trigger) not in kept:
                    r.trigger = ""
                rest.append(r)
    return calmkit.Journal(triggers + rest + [a for a in j.assessments if keep(a)])


def test_subsets_are_the_records_kept_by_hand():
    """participant() and between() copy the kept rows column by column (B217): every
    field of every record type, lists and texts, links, and the dictionaries the
    columns code into, as a journal built from the same record values has them."""
    j = calmkit.synthetic_journal(participants=4, days=28, seed=11)
    assert min(len(j.triggers), len(j.readings), len(j.exercises), len(j.thought_records),
               len(j.assessments)) > 0
    times = sorted(r.time for r in j.readings)
    a, b = times[len(times) // 3], times[2 * len(times) // 3]
    cases = {f"between({a}, {b})": (j.between(a, b), lambda r: a <= r.time < b),
             "participant(p2)": (j.participant(j.participants()[1]), lambda r: r.participant == j.participants()[1]),
             "between(all)": (j.between(times[0] - dt.timedelta(days=9), times[-1] + dt.timedelta(days=9)),
                              lambda r: True),
             "between(none)": (j.between(b, a), lambda r: False)}
    for name, (sub, keep) in cases.items():
        want = _kept_by_hand(j, keep)
        assert sub == want, name
        assert sub.participants() == want.participants(), name
        assert calmkit.to_jsonl(sub) == calmkit.to_jsonl(want), name
        assert calmkit.time_to_calm(sub).equals(calmkit.time_to_calm(want)), name
        got, expected = calmkit.arrow.to_arrow(sub), calmkit.arrow.to_arrow(want)
        assert {k: v.equals(expected[k]) for k, v in got.items()} == dict.fromkeys(expected, True), name
    sub = cases[f"between({a}, {b})"][0]
    assert any(not r.trigger for r in sub.readings) and any(r.trigger for r in sub.readings)
    # The subset is a journal like any other: its rules hold for what is added to it.
    with pytest.raises(ValueError, match="duplicate"):
        sub.add(sub.triggers[0])
    sub.add(calmkit.Reading(participant="p-new", time=a, intensity=2))
    assert "p-new" in sub.participants() and len(sub.participant("p-new")) == 1

# --- to_pandas ------------------------------------------------------------------------


def test_triggers_to_pandas():
    df = small_journal().triggers.to_pandas()
    assert list(df.columns) == [
        "participant", "id", "time", "offset_minutes", "local_time", "category", "group", "intensity",
        "context", "thoughts", "sensations", "urge", "acted_on_urge", "acted_after_minutes", "response", "tags",
    ]  # fmt: skip
    assert str(df["time"].dtype) == "datetime64[us, UTC]"
    assert str(df["local_time"].dtype) == "datetime64[us]"
    assert df["offset_minutes"].dtype == np.int16
    assert df["intensity"].dtype == np.int8
    assert isinstance(df["participant"].dtype, pd.CategoricalDtype)
    assert list(df["participant"].cat.categories) == ["p1", "p2"]
    assert list(df["category"].cat.categories)[:2] == ["delayed_reply", "mixed_signals"]
    assert len(df["category"].cat.categories) == 18
    assert list(df["group"].cat.categories) == ["relationship", "life", "internal"]
    assert str(df["acted_on_urge"].dtype) == "boolean"
    assert str(df["acted_after_minutes"].dtype) == "Float64"

    # Row 0: 21:14 at +01:00 -> 20:14 UTC, offset 60 min, wall clock 21:14.
    row = df.iloc[0]
    assert row["time"] == pd.Timestamp("2026-03-02T20:14:00Z")
    assert row["offset_minutes"] == 60
    assert row["local_time"] == pd.Timestamp("2026-03-02T21:14:00")
    assert (row["category"], row["group"], row["intensity"]) == ("delayed_reply", "relationship", 8)
    assert row["thoughts"] == ["they are pulling away"] and row["tags"] == ["evening"]
    assert row["acted_on_urge"] is False or row["acted_on_urge"] == False  # noqa: E712 (pandas bool)
    assert pd.isna(row["acted_after_minutes"])
    # Row 1: 07:00 at -05:30 -> 12:30 UTC, offset -330 min.
    row = df.iloc[1]
    assert row["time"] == pd.Timestamp("2026-03-03T12:30:00Z")
    assert row["offset_minutes"] == -330
    assert row["local_time"] == pd.Timestamp("2026-03-03T07:00:00")
    assert (row["participant"], row["group"]) == ("p2", "internal")
    assert row["acted_after_minutes"] == 2.5
    # Missing text is a missing value (<NA> in a "string" column), as missing numbers are.
    assert pd.isna(row["context"]) and row["thoughts"] == []
    assert str(df["context"].dtype) == "string" and str(df["id"].dtype) == "string"
    # The raw values are microseconds since the epoch: 2026-03-02T20:14Z is
    # 20514 days + 20h14m after 1970-01-01 = 1772482440 s.
    assert df["time"].astype("int64").iloc[0] == 1_772_482_440_000_000


def test_other_tables_to_pandas():
    j = small_journal()
    r = j.readings.to_pandas()
    assert list(r.columns) == ["participant", "id", "time", "offset_minutes", "local_time", "intensity", "trigger", "note"]
    # The unlinked reading's trigger and the first reading's missing id are <NA>, not "":
    # isna() counts them and a join on trigger does not match them to anything.
    assert r["trigger"].tolist() == ["t1", pd.NA] and r["id"].tolist() == [pd.NA, "r9"]
    assert r["trigger"].isna().sum() == 1 and str(r["trigger"].dtype) == "string"

    e = j.exercises.to_pandas()
    assert list(e.columns) == [
        "participant", "id", "time", "offset_minutes", "local_time", "end", "end_offset_minutes",
        "exercise", "completed", "intensity_before", "intensity_after", "trigger", "responses",
    ]  # fmt: skip
    assert str(e["intensity_before"].dtype) == "Int8" and str(e["intensity_after"].dtype) == "Int8"
    assert e["intensity_before"].iloc[0] == 8 and pd.isna(e["intensity_after"].iloc[0])
    assert e["completed"].dtype == np.bool_
    # 10 minutes of practice.
    assert (e["end"] - e["time"]).iloc[0] == pd.Timedelta(minutes=10)
    assert e["end_offset_minutes"].iloc[0] == 60

    c = j.thought_records.to_pandas()
    assert c["emotions"].iloc[0] == [
        {"name": "fear", "before": 80, "after": 40},
        {"name": "shame", "before": 30, "after": None},
    ]
    assert c["distortions"].iloc[0] == ["mind_reading", "catastrophizing"]
    assert c["alternatives"].iloc[0] == ["busy at work", "phone died", "asleep"]
    assert str(c["belief_after"].dtype) == "Int8" and c["belief_after"].iloc[0] == 35


def test_empty_tables_keep_columns_and_dtypes():
    full = small_journal()
    empty = calmkit.Journal()
    for name in ("triggers", "readings", "exercises", "thought_records"):
        a = getattr(full, name).to_pandas()
        b = getattr(empty, name).to_pandas()
        assert len(b) == 0
        assert list(b.columns) == list(a.columns)
        for col in a.columns:
            if isinstance(a[col].dtype, pd.CategoricalDtype) and col == "participant":
                assert isinstance(b[col].dtype, pd.CategoricalDtype)  # no participants: no categories
            else:
                assert b[col].dtype == a[col].dtype, (name, col)


# --- reading and writing ---------------------------------------------------------------


@pytest.mark.parametrize("participants, days, seed", [(1, 1, 1), (2, 10, 7), (3, 56, 42), (5, 30, 2026)])
def test_round_trip(tmp_path: Path, participants: int, days: int, seed: int):
    j = calmkit.synthetic_journal(participants, days, seed)
    assert j.participants() == [f"p{i:03d}" for i in range(1, participants + 1)]
    path = tmp_path / "j.jsonl"
    calmkit.write_journal(j, path)  # os.PathLike
    back = calmkit.read_journal(str(path))  # str
    assert back == j
    assert calmkit.parse_journal(calmkit.to_jsonl(j, header=False)) == j


def test_synthetic_options_are_keywords():
    a = calmkit.synthetic_journal(2, 14, 5, participant_prefix="q", exercise_probability=0.0, start="2026-06-01T00:00:00Z")
    assert a.participants() == ["q001", "q002"]
    # Exercises linked to triggers are off; only unlinked daily practice remains.
    assert all(e.trigger == "" for e in a.exercises)
    assert min(t.time for t in a.triggers) >= dt.datetime(2026, 5, 31, tzinfo=UTC)
    assert calmkit.synthetic_journal(2, 14, 5) == calmkit.synthetic_journal(2, 14, 5)
    with pytest.raises(ValueError):
        calmkit.synthetic_journal(0)
    # assessments=False leaves out the self-assessments and nothing else.
    on, off = calmkit.synthetic_journal(2, 28, 5), calmkit.synthetic_journal(2, 28, 5, assessments=False)
    assert len(off.assessments) == 0 and len(on.assessments) > 0
    assert len(on) - len(off) == len(on.assessments)
    assert calmkit.Journal(list(on.triggers) + list(on.readings) + list(on.exercises)
                           + list(on.thought_records)) == off


def test_sample_journal(sample_journal_path: Path):
    j = calmkit.read_journal(sample_journal_path)
    # Counts from examples/data/README.md: 128 triggers, 378 readings,
    # 152 exercises, 42 thought records, 24 assessments (4 sittings of 2) of p001..p003.
    assert (len(j.triggers), len(j.readings), len(j.exercises), len(j.thought_records)) == (128, 378, 152, 42)
    assert len(j.assessments) == 24
    assert [len(j.participant(p).assessments) for p in j.participants()] == [8, 8, 8]
    assert j.participants() == ["p001", "p002", "p003"]
    # It is what the generator makes with 3 participants, 56 days, seed 42.
    assert j == calmkit.synthetic_journal(3, 56, 42)
    # p001 lives at +09:00 (Japan) throughout.
    assert set(j.participant("p001").triggers.to_pandas()["offset_minutes"]) == {540}


HEADER = '{"type":"header","format":"calmkit-journal","version":1}'
GOOD = '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"conflict","intensity":6}'
BAD_INTENSITY = '{"type":"trigger","id":"t2","time":"2026-03-02T22:00:00+01:00","category":"conflict","intensity":11}'
BAD_JSON = '{"type":"reading", "time": '
GOOD_READING = '{"type":"reading","time":"2026-03-02T21:30:00+01:00","intensity":4,"trigger":"t1"}'


def test_strict_read_raises_journal_format_error(write_lines):
    path = write_lines([HEADER, GOOD, BAD_INTENSITY, GOOD_READING])
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(path)
    e = err.value
    assert isinstance(e, ValueError)
    assert (e.path, e.line, e.field) == (str(path), 3, "intensity")
    assert e.reason and e.reason in str(e)
    assert str(e).startswith(f"{path}:3: field 'intensity': ")


def test_parse_error_names_the_given_name():
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal("\n".join([GOOD, BAD_JSON]), name="inbox")
    assert (err.value.path, err.value.line) == ("inbox", 2)


def test_lenient_read_reports_every_skipped_line(write_lines):
    path = write_lines([HEADER, GOOD, BAD_INTENSITY, GOOD_READING, BAD_JSON])
    journal, report = calmkit.read_journal_with_report(path, lenient=True)
    assert (len(journal.triggers), len(journal.readings)) == (1, 1)
    assert [s.line for s in report.skipped] == [3, 5]
    assert report.skipped[0].field == "intensity"
    assert report.skipped[0].message.startswith(f"{path}:3: field 'intensity': ")
    assert (report.lines, report.records, report.version) == (5, 2, 1)

    # read_journal(lenient=True) returns the journal and warns, naming each line.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        same = calmkit.read_journal(path, lenient=True)
    assert same == journal
    assert len(caught) == 1 and issubclass(caught[0].category, UserWarning)
    text = str(caught[0].message)
    assert "skipped 2 bad lines" in text and f"{path}:3:" in text and f"{path}:5:" in text


def test_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(RuntimeError, match="nope.jsonl"):
        calmkit.read_journal(tmp_path / "nope.jsonl")


def test_to_json_writes_format_field_names():
    t = small_journal().triggers[0]
    obj = json.loads(calmkit.to_json(t))
    assert obj["type"] == "trigger" and obj["time"] == "2026-03-02T21:14:00+01:00"
    assert obj["category"] == "delayed_reply" and obj["acted_on_urge"] is False


def test_version():
    # The version lives only in CMakeLists.txt: project(calmkit VERSION x.y.z ...).
    import re

    cmake = (Path(__file__).resolve().parents[2] / "CMakeLists.txt").read_text()
    version = re.search(r"project\(calmkit VERSION ([0-9.]+)", cmake).group(1)
    assert calmkit.__version__ == version
    assert calmkit._core.__version__ == version


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # hypothesis is in the optional 'test' extra
    given = None

if given is not None:

    # No deadline: hypothesis's default of 200 ms per example is a timing check, which fails
    # whenever a busy machine stalls the process in an example (speed is for benchmarks/).
    @settings(deadline=None)
    @given(
        when=st.datetimes(min_value=dt.datetime(1400, 1, 2), max_value=dt.datetime(9999, 12, 30)),
        offset=st.integers(min_value=-1439, max_value=1439),
    )
    def test_any_aware_datetime_round_trips(when: dt.datetime, offset: int):
        aware = when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
        r = calmkit.Reading(time=aware, intensity=0)
        assert r.time == aware
        assert r.time.utcoffset() == aware.utcoffset()
        assert r.time.replace(tzinfo=None) == when  # the same wall clock


def test_subsets_keep_assessments():
    # Two gad-7 assessments of p (2 and 16 March) and one of q: a participant's
    # subset keeps p's two, a [1 March, 10 March) range keeps p's first and q's.
    text = "\n".join(
        json.dumps({"type": "assessment", "participant": p, "id": i, "time": t,
                    "instrument": "gad-7", "answers": [1, 0, 2, 1, 0, 0, 1]})
        for p, i, t in [("p", "a1", "2026-03-02T09:00:00Z"), ("p", "a2", "2026-03-16T09:00:00Z"),
                        ("q", "a1", "2026-03-05T09:00:00Z")])
    j = calmkit.parse_journal(text)
    assert len(j) == 3
    assert len(j.participant("p")) == 2
    assert len(j.between(dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
                         dt.datetime(2026, 3, 10, tzinfo=dt.timezone.utc))) == 2
    # the JSONL round trip inside pickling keeps them too
    import pickle
    assert pickle.loads(pickle.dumps(j)) == j


def test_lenient_warning_shows_a_few_lines_and_the_count(write_lines):
    # 40 bad lines (lines 3..42): the warning gives the count, the first five
    # (lines 3-7) and where to find the rest; the report keeps all 40.
    path = write_lines([HEADER, GOOD] + [BAD_INTENSITY.replace('"t2"', f'"b{i}"') for i in range(40)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calmkit.read_journal(path, lenient=True)
    text = str(caught[0].message)
    assert text.startswith(f"skipped 40 bad lines of {path} (the first 5 shown):")
    assert [f"{path}:{n}:" in text for n in range(3, 9)] == [True] * 5 + [False]
    assert "... and 35 more; read_journal_with_report(path, lenient=True) lists every skipped line" in text
    assert len(text.splitlines()) == 7
    _, report = calmkit.read_journal_with_report(path, lenient=True)
    assert [s.line for s in report.skipped] == list(range(3, 43))


# --- reading on several threads ---------------------------------------------------


def _cohort_lines(seed: int, n: int) -> tuple[list[str], set[int], set[int]]:
    """Journal lines of 40 participants out of time order, with bad lines of
    several kinds mixed in: returns the lines, the 1-based numbers of the bad
    ones and of those among them that name a trigger that is not there."""
    rng = np.random.default_rng(seed)
    lines = ['{"type":"header","format":"calmkit-journal","version":1}']
    bad: set[int] = set()
    dangling: set[int] = set()
    triggers: dict[str, list[str]] = {}
    for k in range(n):
        p = f"p{int(rng.integers(40))}"
        minute = int(rng.integers(60 * 24 * 20))
        when = (dt.datetime(2026, 3, 2, tzinfo=PLUS1) + dt.timedelta(minutes=minute)).isoformat()
        kind = rng.random()
        if kind < 0.25:
            tid = f"t{k}"
            triggers.setdefault(p, []).append(tid)
            lines.append(json.dumps({"type": "trigger", "participant": p, "id": tid, "time": when,
                                     "category": "conflict", "intensity": int(rng.integers(1, 11))}))
        elif kind < 0.9:
            rec = {"type": "reading", "participant": p, "time": when, "intensity": int(rng.integers(11))}
            if triggers.get(p) and rng.random() < 0.5:
                rec["trigger"] = triggers[p][int(rng.integers(len(triggers[p])))]
            if rng.random() < 0.01:
                rec["note"] = "long " * 3000  # a 15 kB line
            lines.append(json.dumps(rec))
        elif kind < 0.93:
            lines.append("   ")
        else:
            bad.add(len(lines) + 1)
            which = int(rng.integers(5))
            if which == 4:
                dangling.add(len(lines) + 1)
            lines.append(['{"type":"reading","intensity":', '{"type":"mood"}', "[]",
                          json.dumps({"type": "reading", "participant": p, "time": when, "intensity": 12}),
                          json.dumps({"type": "reading", "participant": p, "time": when, "intensity": 3,
                                      "trigger": "nowhere"})][which])
    return lines, bad, dangling


@pytest.mark.parametrize("seed", [1, 2])
def test_read_journal_gives_the_same_on_any_number_of_threads(tmp_path: Path, seed: int):
    lines, bad, dangling = _cohort_lines(seed, 30_000)  # about 2.5 MB: several windows and shares
    path = tmp_path / "cohort.jsonl"
    path.write_text("\r\n".join(lines), encoding="utf-8")  # CRLF, no final line break
    # What the file holds, by the json module: the good records of each type.
    good = [json.loads(t) for i, t in enumerate(lines, 1) if t.strip() and i not in bad and i > 1]
    results = []
    for threads in (1, 2, 3, 4, 8, 0):
        journal, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads)
        assert [s.line for s in report.skipped] == sorted(bad)
        assert report.lines == len(lines) and report.records == len(good)
        assert len(journal.triggers) == sum(r["type"] == "trigger" for r in good)
        results.append((calmkit.to_jsonl(journal), [s.message for s in report.skipped]))
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.read_journal(path, threads=threads)
        # Strict: the first bad line; references are checked once every line is read.
        assert e.value.line == min(bad - dangling)
    assert all(r == results[0] for r in results)
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(t for i, t in enumerate(lines, 1) if i not in bad), encoding="utf-8")
    one = calmkit.to_jsonl(calmkit.read_journal(clean, threads=1))
    assert all(calmkit.to_jsonl(calmkit.read_journal(clean, threads=t)) == one for t in (2, 5))
    assert calmkit.to_jsonl(calmkit.parse_journal(clean.read_text(encoding="utf-8"), threads=4)) == one


def test_a_file_name_that_is_not_utf8_survives_every_error(tmp_path):
    """POSIX file names are bytes. The error of a journal named b'b\\xfead.jsonl'
    is a JournalFormatError (not a UnicodeDecodeError from building its
    message): its text shows the byte as \\xfe, its path opens the file again."""
    import os

    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/b\xfead.jsonl")
    with open(name, "w", encoding="utf-8") as f:
        f.write('{"type":"trigger"}\n')
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(name)
    e = err.value
    assert "b\\xfead.jsonl:1: field 'id'" in str(e) and (e.line, e.field) == (1, "id")
    assert e.path == name and open(e.path, encoding="utf-8").read().startswith('{"type"')
    str(e).encode("utf-8")  # printable anywhere: no lone surrogates in the message

    with pytest.warns(UserWarning, match=r"b\\xfead.jsonl"):
        calmkit.read_journal(name, lenient=True)
    journal, report = calmkit.read_journal_with_report(name, lenient=True)
    assert report.path == name and "b\\udcfead.jsonl" in repr(report)
    (skipped,) = report.skipped
    assert skipped.message.endswith("field 'id': required field is missing") and "\\udcfe" in repr(skipped)

    missing = os.fsdecode(os.fsencode(str(tmp_path)) + b"/nope\xfe.jsonl")
    with pytest.raises(calmkit.FileError) as err:
        calmkit.read_journal(missing)
    assert err.value.filename == missing and "nope\\xfe.jsonl" in str(err.value)


# --- RFC 3339 times as the reader parses them, against Python's datetime -----

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _expected_time(text: str):
    """What the journal format accepts, decided by Python's datetime (its
    calendar: month lengths, leap years) and the format's stated limits
    (docs/journal-format.md: RFC 3339 with an offset, years 1400..9999,
    microseconds; an offset up to 23:59; no leap second). Returns (UTC
    microseconds since 1970, offset minutes), or None to be refused."""
    m = _RFC3339.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac, off = m.group(7), m.group(8)
    if not 1400 <= y <= 9999:
        return None
    us = 0
    if frac:
        digits = frac[1:]
        us = int((digits + "000000")[:6])  # digits past the sixth dropped, as datetime.fromisoformat does
    if off in ("Z", "z"):
        minutes = 0
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        minutes = (oh * 60 + om) * (-1 if off[0] == "-" else 1)
    try:
        local = dt.datetime(y, mo, d, h, mi, s, us)  # ValueError: no such date or time (incl. second 60)
    except ValueError:
        return None
    # In microseconds: the UTC moment of a local time near 1400 or 9999 may lie
    # outside datetime's own range.
    local_us = (local - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
    return local_us - minutes * 60_000_000, minutes


def _random_time(rng: random.Random) -> str:
    def pick(common, edges):  # mostly a common value, often an edge
        return rng.choice(edges) if rng.random() < 0.3 else common

    year = pick(rng.randint(1400, 9999), [1399, 1400, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 9999, 0, 10])
    month = pick(rng.randint(1, 12), [0, 2, 2, 2, 12, 13, 99])
    day = pick(rng.randint(1, 28), [0, 29, 29, 29, 30, 31, 32])
    text = (f"{year:04d}-{month:02d}-{day:02d}{pick('T', ['t', ' ', 'x', '_'])}"
            f"{pick(rng.randint(0, 23), [0, 23, 24]):02d}:{pick(rng.randint(0, 59), [0, 59, 60]):02d}:"
            f"{pick(rng.randint(0, 59), [0, 59, 60, 61]):02d}")
    if rng.random() < 0.6:
        n = rng.randint(0, 10)  # 0: a bare '.'
        digits = "".join(rng.choice("0123456789") for _ in range(min(n, 6)))
        digits += "".join(rng.choice("0000000001") for _ in range(max(n - 6, 0)))
        text += "." + digits
    sign = rng.choice("+-")
    text += rng.choice(["Z", "z", f"{sign}{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                        f"{sign}{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                        f"{sign}{rng.choice([0, 5, 14, 23, 24]):02d}:{rng.choice([0, 30, 45, 59, 60]):02d}",
                        "", f"{sign}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}"])
    r = rng.random()
    if r < 0.08 and text:  # hostile: a character dropped, doubled or replaced
        i = rng.randrange(len(text))
        text = text[:i] + text[i + 1:]
    elif r < 0.16:
        i = rng.randrange(len(text))
        text = text[:i] + text[i] + text[i:]
    elif r < 0.22:
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice("9a:-+ .\u00e9\u0661") + text[i + 1:]
    return text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reader_times_match_python_datetime_on_random_valid_and_invalid_text(seed):
    rng = random.Random(seed)
    texts = [_random_time(rng) for _ in range(6000)]
    texts += ["2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
              "2026-03-02T21:14:00+23:59", "2026-03-02T21:14:00-23:59", "2026-03-02T21:14:00+24:00",
              "1400-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999-23:59", "2026-03-02T21:14:00.123456789Z",
              "2026-03-02T21:14:00.123456000Z", "2026-03-02T21:14:00.1Z", "2026-03-02T23:59:60Z"]
    lines = [json.dumps({"type": "reading", "id": f"r{i}", "time": t, "intensity": 1}) for i, t in enumerate(texts)]
    journal, report = calmkit.parse_journal_with_report("\n".join(lines) + "\n", lenient=True, threads=1)
    refused = {s.line - 1: s for s in report.skipped}
    got = {r.id: r.time for r in journal.readings}
    accepted = 0
    for i, text in enumerate(texts):
        want = _expected_time(text)
        if want is None:
            assert i in refused, f"accepted {text!r}"
            skip = refused[i]
            assert skip.field == "time" and skip.reason.startswith(f"invalid time '{text}'"), skip.message
            continue
        assert i not in refused, f"refused {text!r}"
        t = got[f"r{i}"]
        offset = t.utcoffset() // dt.timedelta(minutes=1)
        local_us = (t.replace(tzinfo=None) - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
        assert (local_us - offset * 60_000_000, offset) == want, text
        accepted += 1
    assert accepted > 1000 and len(refused) > 1000  # both sides of the rule were exercised
