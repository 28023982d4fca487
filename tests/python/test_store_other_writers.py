"""A store changed by another program (Python's sqlite3 module, foreign keys
and CHECKs off as the sqlite3 shell leaves them): every read returns every
record `len(store)` counts in its range, or refuses naming the store, the
table, the row and what is wrong. Never fewer records as if nothing happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit
from store_sql import run_sql  # tests/python/store_sql.py

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
EARLIEST = "1400-01-01T00:00:00+23:59"  # the first instant a journal holds
LATEST = "9999-12-31T23:59:59.999999-23:59"  # the last one


def _store(path: Path) -> Path:
    """p and q each with one record of every type; q's keys are row 2 of each table."""
    with calmkit.open_store(path) as s:
        for n, pid in enumerate(["p", "q"], start=2):
            s.add(calmkit.Trigger(participant=pid, id="t1", time=f"2026-03-0{n}T10:00:00+01:00",
                                  category="other", intensity=5, tags=["a"]))
            s.add(calmkit.Reading(participant=pid, id="r1", time=f"2026-03-0{n}T10:30:00+01:00", intensity=2,
                                  trigger="t1"))
            s.add(calmkit.ExerciseSession(participant=pid, id="e1", time=f"2026-03-0{n}T10:10:00+01:00",
                                          end=f"2026-03-0{n}T10:20:00+01:00", exercise="breathing.4-7-8"))
            s.add(calmkit.ThoughtRecord(participant=pid, id="x1", time=f"2026-03-0{n}T10:40:00+01:00",
                                        situation="s", automatic_thought="a", belief_before=50,
                                        evidence_for=["e"]))
            s.add(calmkit.Assessment(participant=pid, id="a1", time=f"2026-03-0{n}T11:00:00+01:00",
                                     instrument="gad-7", answers=[1] * 7))
    return path


TABLES = {  # table: (record type, key column)
    "triggers": ("trigger", "tid"),
    "readings": ("reading", "rid"),
    "exercises": ("exercise", "eid"),
    "thought_records": ("thought_record", "xid"),
    "assessments": ("assessment", "aid"),
}


@pytest.mark.parametrize("table", list(TABLES))
def test_a_record_whose_participant_row_is_gone_is_refused_by_every_read_that_would_hold_it(
        table: str, tmp_path: Path) -> None:
    """The reads join each record to its participant's name: a row whose
    participant is gone was left out of load() while len(store) counted it."""
    record, key = TABLES[table]
    db = _store(tmp_path / "j.db")
    # q's record (row 2) now names a participant key that has no row, as a program with foreign keys off can.
    run_sql(db, f"PRAGMA foreign_keys = OFF; UPDATE {table} SET pid = 7 WHERE {key} = 2")
    said = f"store '{db}' holds an invalid value: {record} in row 2 of table {table}: participant row 7 is missing"
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s) == 10
        for read in (lambda: s.load(), lambda: s.load(start=EARLIEST), lambda: s.load(end=LATEST),
                     lambda: s.load(start="2026-03-03T00:00:00Z"), lambda: s.load("nobody")):
            with pytest.raises(RuntimeError) as e:
                read()
            assert str(e.value) == said
        # p has a row, so none of p's records can lack it.
        assert len(s.load("p")) == 5
        if table == "triggers":  # q's reading refers to it
            with pytest.raises(RuntimeError, match="refers to trigger 't1', which participant 'q' does not have"):
                s.load("q")
        else:
            assert len(s.load("q")) == 4
        # A range that does not hold the row (p's records are on March 2, q's on March 3) reads as before.
        assert len(s.load(end="2026-03-03T00:00:00Z")) == 5
        if table == "assessments":
            with pytest.raises(RuntimeError) as e:
                s.assessments("nobody")
            assert str(e.value) == said
            assert len(s.assessments("q")) == 0


def test_deleting_a_participant_with_foreign_keys_off_makes_their_records_an_error_not_nothing(
        tmp_path: Path) -> None:
    db = _store(tmp_path / "j.db")
    run_sql(db, "PRAGMA foreign_keys = OFF; DELETE FROM participants WHERE name = 'q'")
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s) == 10
        for read in (lambda: s.load(), lambda: s.load("q")):
            with pytest.raises(RuntimeError) as e:
                read()
            assert str(e.value) == (f"store '{db}' holds an invalid value: trigger in row 2 of table triggers: "
                                    "participant row 2 is missing")
        assert len(s.load("p")) == 5
        assert s.participants() == ["p"]


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("us", [INT64_MAX, INT64_MIN])
def test_a_time_at_either_end_of_int64_is_refused_naming_the_number_and_the_row(table: str, us: int,
                                                                               tmp_path: Path) -> None:
    """load()'s upper bound was `time_us < INT64_MAX`: a row at INT64_MAX was
    outside every load."""
    record, key = TABLES[table]
    db = _store(tmp_path / "j.db")
    run_sql(db, f"PRAGMA ignore_check_constraints = ON; UPDATE {table} SET time_us = {us} WHERE {key} = 2")
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s) == 10
        for read in (lambda: s.load(), lambda: s.load("q")):
            with pytest.raises(RuntimeError) as e:
                read()
            said = str(e.value)
            assert said.startswith(f"store '{db}' holds an invalid value: {record} '"), said
            assert (f"of participant 'q': field 'time': year must be 1400..9999 (at its UTC offset), got {us} "
                    f"microseconds at offset 60 minutes in row 2 of table {table}") in said, said
        # A range of times a journal holds does not hold the row: it reads the others, unless one of them
        # refers to it (q's trigger).
        if table == "triggers":
            with pytest.raises(RuntimeError, match=f"got {us} microseconds"):
                s.load(start=EARLIEST, end=LATEST)
        else:
            assert len(s.load(start=EARLIEST, end=LATEST)) == 9
        assert len(s.load("p")) == 5


def test_a_reading_whose_trigger_row_is_gone_is_refused_naming_the_store(tmp_path: Path) -> None:
    db = _store(tmp_path / "j.db")
    run_sql(db, "PRAGMA foreign_keys = OFF; DELETE FROM triggers WHERE pid = 2")
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s) == 9
        with pytest.raises(RuntimeError) as e:
            s.load()
    assert str(e.value) == (f"store '{db}' holds an invalid value: reading 'r1' of participant 'q': field "
                            "'trigger': refers to trigger 't1', which participant 'q' does not have")


@pytest.mark.parametrize("table, key, field, record", [
    ("trigger_items", "tid", "tag", "trigger 't1' of participant 'q'"),
    ("thought_record_items", "xid", "evidence_for", "thought_record 'x1' of participant 'q'"),
])
def test_a_list_row_in_a_list_the_record_does_not_have_is_refused_not_filed_under_another(
        table: str, key: str, field: str, record: str, tmp_path: Path) -> None:
    db = _store(tmp_path / "j.db")
    run_sql(db, f"PRAGMA ignore_check_constraints = ON; UPDATE {table} SET field = 'moods' "
                f"WHERE {key} = 2 AND field = '{field}'")
    with calmkit.open_store(db, read_only=True) as s:
        with pytest.raises(RuntimeError) as e:
            s.load()
    assert str(e.value) == (f"store '{db}' holds an invalid value: {record}: a row of table {table} is in list "
                            "'moods', which the record does not have")


def test_list_rows_of_a_record_deleted_with_foreign_keys_off_are_no_record(tmp_path: Path) -> None:
    """They belong to nothing len(store) counts: load() returns every record."""
    db = _store(tmp_path / "j.db")
    run_sql(db, "PRAGMA foreign_keys = OFF; DELETE FROM thought_records WHERE xid = 2")
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s) == 9
        assert len(s.load()) == 9
        assert "thought_record_items" in s.integrity_check()


def _extremes(path: Path) -> Path:
    """Records at the first and the last instant a journal holds, and between."""
    with calmkit.open_store(path) as s:
        for i, t in enumerate([EARLIEST, "1400-01-01T00:00:00Z", "2026-03-02T10:00:00Z", "9999-12-31T23:59:59Z",
                               LATEST]):
            s.add(calmkit.Trigger(participant="p", id=f"t{i}", time=t, category="other", intensity=5))
            s.add(calmkit.Reading(participant="q", id=f"r{i}", time=t, intensity=2))
            s.add(calmkit.Assessment(participant="p", id=f"a{i}", time=t, instrument="gad-7", answers=[0] * 7))
    return path


def _keys(journal: calmkit.Journal) -> list[tuple[str, str, str]]:
    return sorted((kind, r.participant, r.id) for kind in ("triggers", "readings", "assessments")
                  for r in getattr(journal, kind))


@pytest.mark.parametrize("cut", [EARLIEST, "1400-01-01T00:00:00Z", "1400-01-01T00:00:00.000001Z",
                                 "2026-03-02T10:00:00Z", "9999-12-31T23:59:59Z", LATEST])
def test_a_range_cut_anywhere_splits_the_store_without_dropping_or_repeating_a_record(cut: str,
                                                                                     tmp_path: Path) -> None:
    db = _extremes(tmp_path / "j.db")
    with calmkit.open_store(db, read_only=True) as s:
        n = len(s)
        everything = _keys(s.load())
        assert len(everything) == n == 15
        assert _keys(s.load(start=EARLIEST)) == everything
        for who in ("p", "q"):
            assert _keys(s.load(who)) == [k for k in everything if k[1] == who]
        before, after = _keys(s.load(end=cut)), _keys(s.load(start=cut))
        assert sorted(before + after) == everything
        assert len(s.load(start=cut, end=cut)) == 0
        # [EARLIEST, LATEST) holds all but the records at LATEST.
        assert len(s.load(start=EARLIEST, end=LATEST)) == n - 3


def _with_lists(kind: str, rid: str, lists: bool) -> object:
    """A record of q's of `kind`, with something in each of its lists or none."""
    t = "2026-03-03T10:00:00Z"
    if kind == "trigger":
        return calmkit.Trigger(participant="q", id=rid, time=t, category="other", intensity=5,
                               **({"thoughts": ["th " + rid], "sensations": ["se " + rid], "tags": ["tag " + rid]}
                                  if lists else {}))
    if kind == "exercise":
        return calmkit.ExerciseSession(participant="q", id=rid, time=t, end="2026-03-03T10:05:00Z",
                                       exercise="breathing.4-7-8", responses=["said " + rid] if lists else [])
    if kind == "thought_record":
        more = {"emotions": [calmkit.EmotionRating(name="fear " + rid, before=80, after=20)],
                "distortions": ["labeling"], "evidence_for": ["for " + rid], "evidence_against": ["against " + rid],
                "alternatives": ["else " + rid]} if lists else {}
        return calmkit.ThoughtRecord(participant="q", id=rid, time=t, situation="s", automatic_thought="a",
                                     belief_before=50, **more)
    return calmkit.Assessment(participant="q", id=rid, time=t, instrument="gad-7",
                              answers=[2] * 7 if lists else [1] * 7)


LISTED = {  # table with lists: (record type, key column, the Journal's table)
    "triggers": ("trigger", "tid", "triggers"),
    "exercises": ("exercise", "eid", "exercises"),
    "thought_records": ("thought_record", "xid", "thought_records"),
    "assessments": ("assessment", "aid", "assessments"),
}


@pytest.mark.parametrize("lists", [False, True], ids=["new record without lists", "new record with lists"])
@pytest.mark.parametrize("table", list(LISTED))
def test_a_new_record_never_takes_the_list_rows_a_deleted_one_left(table: str, lists: bool,
                                                                   tmp_path: Path) -> None:
    """A record deleted with foreign keys off leaves its list rows; SQLite
    gives the next record the deleted one's key when it was the last row, and
    the old rows were read as the new record's lists (or, where the new
    record had a list of its own, refused its add as a duplicate id)."""
    kind, key, listed = LISTED[table]
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as s:
        s.add(_with_lists(kind, "old", True))
    # The key the new record gets is the deleted one's: the table's largest.
    run_sql(db, f"PRAGMA foreign_keys = OFF; DELETE FROM {table} WHERE id = 'old'")
    new = _with_lists(kind, "new", lists)
    with calmkit.open_store(db) as s:
        s.add(new)
        assert s.integrity_check() == "ok"
        got = getattr(s.load(), listed)
        assert len(got) == 1 and got[0] == new
