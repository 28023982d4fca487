"""A store file changed by another program: each value calmkit did not write
itself must be an invalid value of the store, named with the store, the
record and the field, and never a journal that breaks its own rules.

The schema's CHECK constraints bound offsets, intensities and lists, but not
the microseconds of a time, and the sqlite3 shell runs with foreign keys off
by default, so a person tidying their store there can delete a participant
or a trigger that records still name. The changes are made with Python's
sqlite3 module, as such a program would; the reference for what is wrong is
SQLite's own ``PRAGMA foreign_key_check``.

Strict xfails name the finding (B1, B2, ...); when it is fixed, the case
turns red: remove the mark in the same commit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import calmkit
from store_sql import run_sql  # tests/python/store_sql.py

US_1000 = -30610224000000000  # 1000-01-01T00:00:00Z
US_10000 = 253402300800000000  # 10000-01-01T00:00:00Z
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def _store(path: Path) -> Path:
    with calmkit.open_store(path) as s:
        s.add(calmkit.Trigger(participant="p", id="t1", time="2026-03-02T10:00:00+01:00", category="other",
                              intensity=5))
        s.add(calmkit.Reading(participant="p", id="r1", time="2026-03-02T10:30:00+01:00", intensity=2,
                              trigger="t1"))
        s.add(calmkit.ExerciseSession(participant="p", id="e1", time="2026-03-02T10:10:00+01:00",
                                      end="2026-03-02T10:20:00+01:00", exercise="breathing.4-7-8"))
        s.add(calmkit.Trigger(participant="q", id="t1", time="2026-03-03T10:00:00Z", category="other",
                              intensity=7))
        s.add(calmkit.Reading(participant="q", id="r1", time="2026-03-03T10:30:00Z", intensity=3, trigger="t1"))
    return path


# (table, columns set, the record and field the error must name)
TIMES = {
    "trigger in the year 1000": ("UPDATE triggers SET time_us = {us} WHERE id = 't1' AND pid = 1", US_1000,
                                 "trigger 't1' of participant 'p'", "time"),
    "trigger in the year 10000": ("UPDATE triggers SET time_us = {us} WHERE id = 't1' AND pid = 1", US_10000,
                                  "trigger 't1' of participant 'p'", "time"),
    "trigger near the largest int64": ("UPDATE triggers SET time_us = {us}, time_offset = 1439 WHERE pid = 1",
                                       INT64_MAX - 1, "trigger 't1' of participant 'p'", "time"),
    "trigger at the smallest int64": ("UPDATE triggers SET time_us = {us}, time_offset = -1439 WHERE pid = 1",
                                      INT64_MIN, "trigger 't1' of participant 'p'", "time"),
    "reading in the year 10000": ("UPDATE readings SET time_us = {us} WHERE pid = 1", US_10000,
                                  "reading 'r1' of participant 'p'", "time"),
    "exercise ending at the largest int64": ("UPDATE exercises SET end_us = {us}", INT64_MAX,
                                             "exercise 'e1' of participant 'p'", "end"),
}


@pytest.mark.parametrize("case", list(TIMES))
def test_a_time_outside_the_years_a_journal_holds_is_an_invalid_value_of_the_store(case: str,
                                                                                   tmp_path: Path) -> None:
    """Before the fix load() returned a Journal holding the year 1000 (then
    `t.time` and to_jsonl raised a bare IndexError "Year is out of valid
    range", time_to_calm gave -153,693,326,550 minutes, "calmed") or, at the
    largest int64, said the reading's trigger did not exist (the local time
    overflowed). The JSON Lines reader and the Arrow bridge refuse such a
    time with the year rule; the store must too, naming itself."""
    sql, us, record, field = TIMES[case]
    db = _store(tmp_path / "j.db")
    run_sql(db, sql.format(us=us))
    with calmkit.open_store(db) as s:
        with pytest.raises(RuntimeError) as e:
            s.load()
    said = str(e.value)
    assert said.startswith(f"store '{db}' holds an invalid value: {record}: field '{field}': "), said
    assert "year must be 1400..9999" in said, said


def test_integrity_check_names_a_record_whose_participant_was_deleted_with_foreign_keys_off(
        tmp_path: Path) -> None:
    """`DELETE FROM participants` in the sqlite3 shell (foreign keys off by
    default) leaves q's records pointing at nothing. PRAGMA integrity_check
    says "ok" (the B-tree is sound); foreign_key_check lists the rows, and
    integrity_check() ("'ok' when the file is sound") must not say "ok"."""
    db = _store(tmp_path / "j.db")
    run_sql(db, "PRAGMA foreign_keys = OFF; DELETE FROM participants WHERE name = 'q'")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA foreign_key_check").fetchall()  # SQLite's own word: broken
    con.close()
    with calmkit.open_store(db) as s:
        said = s.integrity_check()
    assert said != "ok"
    assert "triggers" in said and "readings" in said and "participants" in said, said


def test_integrity_check_names_a_reading_whose_trigger_was_deleted_with_foreign_keys_off(tmp_path: Path) -> None:
    db = _store(tmp_path / "j.db")
    run_sql(db, "PRAGMA foreign_keys = OFF; DELETE FROM triggers WHERE pid = 2")
    with calmkit.open_store(db) as s:
        said = s.integrity_check()
    assert said.startswith("row ") and "of table readings refers to a row of table triggers" in said, said


DROPPED = {
    "its participant deleted": "PRAGMA foreign_keys = OFF; DELETE FROM participants WHERE name = 'q'",
    # load()'s open upper bound was `time_us < INT64_MAX`: the one value above it was outside every load.
    "its time the largest int64": "UPDATE readings SET time_us = 9223372036854775807 WHERE pid = 2",
}


@pytest.mark.parametrize("case", list(DROPPED))
def test_load_never_drops_a_record_without_a_word(case: str, tmp_path: Path) -> None:
    """len(store) counts q's records; load() must return them or raise
    naming the store, never return fewer as if q had none."""
    db = _store(tmp_path / "j.db")
    run_sql(db, DROPPED[case])
    with calmkit.open_store(db) as s:
        n = len(s)
        try:
            journal = s.load()
        except RuntimeError as e:
            assert str(db) in str(e)
            return
    assert len(journal) == n
