"""calmkit.open_store: the SQLite journal store from Python."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]
SLEEP = "store-py.sleep"  # a custom instrument: 3 items answered 1..4


def _register_sleep() -> None:
    if SLEEP not in calmkit.instrument_ids():
        calmkit.register_instrument({"id": SLEEP, "name": "Sleep check", "scale_min": 1, "scale_max": 4,
                                     "items": ["fell asleep easily", "woke in the night", "rested in the morning"]})


def _trigger(pid: str, tid: str, time: str, intensity: int = 7, **kw) -> calmkit.Trigger:
    return calmkit.Trigger(participant=pid, id=tid, time=time, category="delayed_reply", intensity=intensity, **kw)


def _episode_journal() -> calmkit.Journal:
    return calmkit.Journal(
        [
            _trigger("ana", "t1", "2026-03-02T21:14:00+01:00", 8, thoughts=["no reply"], acted_on_urge=True,
                     acted_after_minutes=12.5, tags=["evening"]),
            calmkit.Reading(participant="ana", id="r1", time="2026-03-02T21:30:00+01:00", intensity=5, trigger="t1"),
            calmkit.Reading(participant="ana", time="2026-03-02T22:00:00+01:00", intensity=2, trigger="t1"),
            calmkit.ExerciseSession(participant="ana", id="e1", time="2026-03-02T21:20:00+01:00",
                                    end="2026-03-02T21:25:00+01:00", exercise="breathing.4-7-8",
                                    intensity_before=7, intensity_after=5, trigger="t1",
                                    responses=["the kettle"]),
            calmkit.ThoughtRecord(participant="ana", id="x1", time="2026-03-02T21:40:00+01:00",
                                  situation="no reply", automatic_thought="they will leave", belief_before=80,
                                  emotions=[calmkit.EmotionRating(name="fear", before=70, after=30)],
                                  distortions=["mind_reading"], belief_after=35, trigger="t1"),
            _trigger("ben", "t1", "2026-03-04T08:00:00Z", 4),
        ]
    )


def test_open_store_creates_an_owner_only_file_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = _episode_journal()
    with calmkit.open_store(path) as store:
        store.add_journal(journal)
        assert len(store) == 6
        assert store.participants() == ["ana", "ben"]
        assert store.schema_version == calmkit.STORE_SCHEMA_VERSION == 3
    assert store.closed
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    with calmkit.open_store(str(path), create=False) as store:
        assert store.load() == journal
        assert store.integrity_check() == "ok"


def test_load_by_participant_and_half_open_range(tmp_path: Path) -> None:
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add_journal(_episode_journal())
        assert len(store.load("ben")) == 1
        assert len(store.load("ana")) == 5
        # ana's readings are at 20:30Z and 21:00Z; [20:30Z, 21:00Z) holds only r1, and thought record
        # x1 (20:40Z); exercise e1 (20:20Z) is before it. Both refer to t1 (20:14Z, outside the
        # range), which comes along so the episode is whole: 3 records.
        part = store.load("ana", start="2026-03-02T20:30:00Z", end="2026-03-02T21:00:00Z")
        assert [r.id for r in part.readings] == ["r1"]
        assert [t.id for t in part.triggers] == ["t1"]
        assert [x.id for x in part.thought_records] == ["x1"]
        assert len(part) == 3
        # Everyone from March 3 on: ben's trigger only.
        later = store.load(start="2026-03-03T00:00:00Z")
        assert later.participants() == ["ben"]
        assert len(store.load("nobody")) == 0


def test_add_one_by_one_update_and_remove(tmp_path: Path) -> None:
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add(_trigger("p", "t1", "2026-03-02T10:00:00Z"))
        store.add(calmkit.Reading(participant="p", id="r1", time="2026-03-02T10:05:00Z", intensity=3, trigger="t1"))
        changed = _trigger("p", "t1", "2026-03-02T10:00:00Z", 9, tags=["work"])
        store.update(changed)
        assert store.load("p").triggers[0] == changed

        with pytest.raises(ValueError, match=r"1 reading\(s\), 0 exercise\(s\) and 0 thought record\(s\) refer to it"):
            store.remove_trigger("p", "t1")
        assert store.remove_trigger("p", "t1", cascade=True) == 2  # the trigger and its reading
        assert store.remove_trigger("p", "t1") == 0
        assert len(store) == 0
        assert store.remove_reading("p", "r1") is False


def test_rule_violations_are_value_errors_naming_record_and_rule(tmp_path: Path) -> None:
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add(_trigger("p", "t1", "2026-03-02T10:00:00Z"))
        with pytest.raises(ValueError, match="cannot add trigger 't1' of participant 'p': field 'id': duplicate trigger id 't1' for participant 'p'"):
            store.add(_trigger("p", "t1", "2026-03-02T11:00:00Z"))
        with pytest.raises(ValueError, match="refers to trigger 'ghost', which participant 'p' does not have"):
            store.add(calmkit.Reading(participant="p", time="2026-03-02T10:05:00Z", intensity=3, trigger="ghost"))
        with pytest.raises(ValueError, match="the store has no such record"):
            store.update(_trigger("p", "t9", "2026-03-02T10:00:00Z"))
        with pytest.raises(TypeError, match="expected a Trigger, Reading, ExerciseSession, ThoughtRecord or Assessment"):
            store.add("not a record")
        # A Journal that fails half-way adds nothing.
        bad = calmkit.Journal([_trigger("q", "a", "2026-03-02T10:00:00Z"), _trigger("p", "t1", "2026-03-02T10:00:00Z")])
        with pytest.raises(ValueError):
            store.add_journal(bad)
        assert store.participants() == ["p"]
        assert len(store) == 1


def test_closed_store_and_bad_files_raise(tmp_path: Path) -> None:
    store = calmkit.open_store(tmp_path / "j.db")
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="the store is closed"):
        store.load()
    with pytest.raises(RuntimeError, match="does not exist"):
        calmkit.open_store(tmp_path / "missing.db", create=False)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database at all, only a few words about the week\n" * 4)
    with pytest.raises(RuntimeError, match="not a calmkit store"):
        calmkit.open_store(notes)
    with pytest.raises(ValueError, match="is open read-only"):
        with calmkit.open_store(tmp_path / "j.db", read_only=True) as ro:
            ro.add(_trigger("p", "t1", "2026-03-02T10:00:00Z"))


def test_newer_schema_version_is_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    calmkit.open_store(path).close()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA user_version = 7")
    con.close()
    with pytest.raises(RuntimeError, match="schema version 7, newer than version 3"):
        calmkit.open_store(path)


def test_threads_share_a_store(tmp_path: Path) -> None:
    # Four threads add 50 triggers each through one Store (the GIL is released
    # around SQLite work; the store serializes the calls): all 200 arrive.
    store = calmkit.open_store(tmp_path / "j.db")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                store.add(_trigger(f"p{n}", f"t{i}", "2026-03-02T10:00:00Z"))
        except BaseException as e:  # reported below rather than lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store) == 200
    assert store.participants() == ["p0", "p1", "p2", "p3"]
    store.close()


def test_synthetic_cohort_round_trip(tmp_path: Path) -> None:
    journal = calmkit.synthetic_journal(3, 28, 5)
    with calmkit.open_store(tmp_path / "cohort.db") as store:
        store.add_journal(journal)
    with calmkit.open_store(tmp_path / "cohort.db", read_only=True) as store:
        assert store.load() == journal
        assert len(store) == len(journal)


def _assessment_journal() -> calmkit.Journal:
    _register_sleep()
    return calmkit.Journal(
        [
            _trigger("ana", "t1", "2026-03-02T21:14:00+01:00"),
            calmkit.Assessment(participant="ana", id="a1", time="2026-03-03T08:15:00.5-03:00", instrument="gad-7",
                               answers=[2, 1, 0, 3, 1, 0, 2], note="slept badly"),
            calmkit.Assessment(participant="ana", id="a2", time="2026-03-10T08:15:00+05:45",
                               instrument="attachment-checkin", answers=[1 + i % 5 for i in range(28)]),
            calmkit.Assessment(participant="ben", id="s1", time="2026-03-04T22:00:00Z", instrument=SLEEP,
                               answers=[4, 1, 3], note="late night"),
        ]
    )


def test_assessments_round_trip_with_offsets_notes_and_custom_instruments(tmp_path: Path) -> None:
    journal = _assessment_journal()
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add_journal(journal)
        assert len(store) == 4
        assert store.participants() == ["ana", "ben"]
    with calmkit.open_store(tmp_path / "j.db", read_only=True) as store:
        back = store.load()
        assert back == journal
        ana = store.assessments("ana")
        assert [a.id for a in ana] == ["a1", "a2"]
        assert ana[0].answers == [2, 1, 0, 3, 1, 0, 2]
        assert ana[0].note == "slept badly"
        assert ana[0].time.utcoffset().total_seconds() == -3 * 3600
        assert ana[1].time.utcoffset().total_seconds() == 5 * 3600 + 45 * 60
        # [March 3, March 4) UTC: a1 (11:15:00.5Z) only.
        assert [a.id for a in store.assessments("ana", start="2026-03-03T00:00:00Z", end="2026-03-04T00:00:00Z")] == ["a1"]
        assert store.assessments("nobody") == []
        assert [a.instrument for a in store.load("ben").assessments] == [SLEEP]
        # store -> JSONL gives the text the imported journal gives, and reads back equal.
        text = calmkit.to_jsonl(back)
        assert text == calmkit.to_jsonl(journal)
        assert calmkit.parse_journal(text) == journal


def test_bad_assessments_are_value_errors_and_change_nothing(tmp_path: Path) -> None:
    _register_sleep()
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add_journal(_assessment_journal())
        before = store.load()

        def gad(i: str, answers: list[int], instrument: str = "gad-7") -> calmkit.Assessment:
            return calmkit.Assessment(participant="ana", id=i, time="2026-03-11T09:00:00Z", instrument=instrument,
                                      answers=answers)

        with pytest.raises(ValueError, match="field 'id': duplicate assessment id 'a1'"):
            store.add(gad("a1", [0] * 7))
        with pytest.raises(ValueError, match="instrument 'gad-7' has 7 items, got 2 answers"):
            store.add(gad("a9", [0, 0]))
        with pytest.raises(ValueError, match=r"item 3 \(.*\): answer 4 is outside the scale 0..3"):
            store.add(gad("a9", [0, 0, 0, 4, 0, 0, 0]))
        with pytest.raises(ValueError, match="unknown instrument 'nope'.*register custom instruments"):
            store.add(gad("a9", [1], instrument="nope"))
        # All or nothing: the good trigger and assessment go back out with the bad one.
        mixed = calmkit.Journal([_trigger("cy", "t1", "2026-03-11T09:00:00Z"),
                                 calmkit.Assessment(participant="cy", id="ok", time="2026-03-11T09:00:00Z",
                                                    instrument=SLEEP, answers=[1, 2, 3]),
                                 calmkit.Assessment(participant="cy", id="bad", time="2026-03-11T10:00:00Z",
                                                    instrument=SLEEP, answers=[1, 2, 5])])
        with pytest.raises(ValueError, match="cannot add assessment 'bad' of participant 'cy'.*answer 5 is outside the scale 1..4"):
            store.add_journal(mixed)
        assert store.load() == before
        assert store.participants() == ["ana", "ben"]


def test_assessments_update_and_remove(tmp_path: Path) -> None:
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add_journal(_assessment_journal())
        changed = calmkit.Assessment(participant="ana", id="a1", time="2026-03-03T09:00:00-03:00", instrument="gad-7",
                                     answers=[0] * 7)
        store.update(changed)
        assert store.assessments("ana")[0] == changed  # note cleared, answers replaced
        with pytest.raises(ValueError, match="cannot update assessment 'zz' of participant 'ana': the store has no such record"):
            store.update(calmkit.Assessment(participant="ana", id="zz", time="2026-03-03T09:00:00Z",
                                            instrument="gad-7", answers=[0] * 7))
        assert store.remove_assessment("ana", "a1") is True
        assert store.remove_assessment("ana", "a1") is False
        assert [a.id for a in store.assessments("ana")] == ["a2"]
        assert len(store) == 3
        assert store.integrity_check() == "ok"


def test_a_version_2_file_is_migrated_and_then_takes_assessments(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as con:
        con.executescript((REPO / "tests" / "data" / "store" / "v2.sql").read_text(encoding="utf-8"))
    con.close()
    with calmkit.open_store(path) as store:
        assert store.schema_version == 3
        old = store.load()
        # v2.sql: 2 triggers, 3 readings, 2 exercises, 1 thought record.
        assert (len(old.triggers), len(old.readings), len(old.exercises), len(old.thought_records)) == (2, 3, 2, 1)
        assert old.thought_records[0].emotions[1].after is None
        store.add(calmkit.Assessment(participant="ana", id="a1", time="2026-03-05T09:00:00+01:00", instrument="gad-7",
                                     answers=[1, 0, 1, 0, 1, 0, 1]))
        after = store.load()
        assert len(after) == len(old) + 1
        assert list(after.triggers) == list(old.triggers)
        assert list(after.readings) == list(old.readings)
        assert list(after.thought_records) == list(old.thought_records)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (3,)
    con.close()
