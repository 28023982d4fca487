"""calmkit.formats: what the formats share, public in their layer.

References: SQLite's file format (sqlite.org/fileformat.html 1.3.1: every
database starts with the 16 bytes "SQLite format 3\\0"; a database Python's
own sqlite3 makes is one), SQLite's own integrity check (PRAGMA
integrity_check through Python's sqlite3) for a store damaged on purpose, and
RFC 3339 / datetime.isoformat for the text of a time.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit import formats

T = datetime(2026, 3, 2, 21, 14, tzinfo=timezone(timedelta(hours=1)))


def test_rfc3339_keeps_the_offset_and_shows_microseconds_only_when_there() -> None:
    assert formats.rfc3339(T) == "2026-03-02T21:14:00+01:00"
    assert formats.rfc3339(T.replace(microsecond=5)) == "2026-03-02T21:14:00.000005+01:00"
    assert formats.rfc3339(datetime(2026, 3, 2, tzinfo=timezone.utc)) == "2026-03-02T00:00:00+00:00"
    # What a journal keeps reads back as the same instant and offset.
    back = datetime.fromisoformat(formats.rfc3339(T))
    assert back == T and back.utcoffset() == T.utcoffset()


def test_compact_leaves_out_what_the_format_calls_absent() -> None:
    record = {"id": "x", "note": "", "tags": [], "trigger": None, "intensity": 0, "situation": "",
              "automatic_thought": "", "context": "rain"}
    assert formats.compact(record) == {"id": "x", "intensity": 0, "situation": "", "automatic_thought": "",
                                       "context": "rain"}


def _store(path: Path) -> calmkit.Journal:
    journal = calmkit.synthetic_journal(participants=2, days=20, seed=1)
    with calmkit.open_store(path) as st:
        st.add_journal(journal)
    return journal


def test_a_store_is_known_by_its_first_bytes_not_its_name(tmp_path: Path) -> None:
    named_like_a_journal = tmp_path / "journal.jsonl"
    journal = _store(named_like_a_journal)
    assert named_like_a_journal.read_bytes()[:16] == b"SQLite format 3\x00"
    assert formats.is_store_file(named_like_a_journal)
    got, report = formats.read_journal_or_store(named_like_a_journal)
    assert len(got) == len(journal) == report.records and report.skipped == []
    assert isinstance(report, formats.StoreReport) and report.path == str(named_like_a_journal)
    # Any SQLite database starts so (here one made by Python's sqlite3)...
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t(x)").connection.close()
    assert formats.is_store_file(other)
    # ... but only a calmkit store reads as one.
    with pytest.raises(RuntimeError):
        formats.read_journal_or_store(other)


def test_a_journal_file_reads_with_its_report(tmp_path: Path) -> None:
    j = tmp_path / "journal.db"  # named like a store, holds JSON Lines
    calmkit.write_journal(calmkit.Journal([calmkit.Reading(id="r", time=T, intensity=3)]), j)
    assert not formats.is_store_file(j)
    with j.open("a", encoding="utf-8") as f:
        f.write('{"type": "reading", "id": "bad", "time": "2026-03-02T21:15:00+01:00", "intensity": 11}\n')
    journal, report = formats.read_journal_or_store(j, lenient=True)
    assert len(journal) == 1 and len(report.skipped) == 1 and isinstance(report, calmkit.ReadReport)
    with pytest.raises(calmkit.JournalFormatError, match="intensity"):
        formats.read_journal_or_store(j)
    with pytest.raises(calmkit.FileError):
        formats.read_journal_or_store(j, max_bytes=10)


def test_what_is_not_a_regular_file_is_never_sniffed(tmp_path: Path) -> None:
    assert not formats.is_store_file(tmp_path)  # a folder
    assert not formats.is_store_file(tmp_path / "missing")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert not formats.is_store_file(fifo)  # would block (and steal bytes) if it were read


def test_a_damaged_store_says_what_sqlite_found(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    _store(db)
    # An index whose definition no longer matches its content: SQLite opens the
    # file and its integrity check lists the rows missing from the index.
    con = sqlite3.connect(db)
    con.execute("PRAGMA writable_schema=ON")
    con.execute("update sqlite_master set sql='CREATE INDEX triggers_by_time ON triggers(time_us, pid)' "
                "where name='triggers_by_time'")
    con.commit()
    con.close()
    verdict = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    assert "missing from index triggers_by_time" in verdict
    with pytest.raises(formats.DamagedStoreError) as e:
        formats.read_journal_or_store(db)
    assert e.value.verdict.startswith(verdict) and e.value.path == str(db) and isinstance(e.value, RuntimeError)
    assert str(db) in str(e.value) and "damaged" in str(e.value)
