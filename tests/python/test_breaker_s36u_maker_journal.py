"""add_record / append_records with a `make(journal) -> record` callable that
adds a record of its own to the journal it is given.

The callable is there to choose a record from the journal's current records
under the lock; the records the file will hold are the file's and the ones
returned. A trigger the callable adds to the journal it was lent is not
written, so a returned reading that names it must be refused (or the lent
journal must refuse the add): whatever calmkit does, the file it leaves must
read with read_journal, and a refusal leaves its bytes as they were. The
reference is read_journal on the resulting file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import calmkit

FIRST = {"type": "reading", "id": "r1", "time": "2026-03-02T21:00:00+01:00", "intensity": 1}


def _make(j: calmkit.Journal) -> calmkit.Reading:
    j.add(calmkit.Trigger(id="tX", time="2026-03-02T20:00:00+01:00", category="conflict", intensity=3))
    return calmkit.Reading(id="r2", time="2026-03-02T22:00:00+01:00", intensity=2, trigger="tX")


def _plain(j: calmkit.Journal) -> calmkit.Reading:
    return calmkit.Reading(id=f"r{len(j.readings) + 1}", time="2026-03-02T22:00:00+01:00", intensity=2)


CALLS: dict[str, Callable[[Path, Callable[[calmkit.Journal], calmkit.Reading]], object]] = {
    "add_record": calmkit.add_record,
    "append_records": lambda path, make: calmkit.append_records(path, [make]),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_record_checked_against_what_the_maker_added_is_not_written_unreadable(tmp_path: Path, call: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(json.dumps(FIRST).encode() + b"\n")
    data = path.read_bytes()
    try:
        CALLS[call](path, _make)
    except (ValueError, TypeError, RuntimeError):
        assert path.read_bytes() == data
    calmkit.read_journal(path)


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_maker_that_only_reads_the_journal_adds_its_record(tmp_path: Path, call: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(json.dumps(FIRST).encode() + b"\n")
    data = path.read_bytes()
    CALLS[call](path, _plain)
    new = calmkit.Reading(id="r2", time="2026-03-02T22:00:00+01:00", intensity=2)
    assert path.read_bytes() == data + calmkit.to_json(new).encode() + b"\n"
    assert [r.id for r in calmkit.read_journal(path).readings] == ["r1", "r2"]


@pytest.mark.parametrize("target", ["j.jsonl", "s.db"])
def test_a_maker_that_changes_its_journal_is_refused_by_name_and_nothing_is_written(tmp_path: Path,
                                                                                   target: str) -> None:
    """The refusal names the item and says why; a journal file keeps its bytes,
    a store its records (read back with read_journal / Store.load)."""
    from calmkit.files import add_records

    path = tmp_path / target
    first = calmkit.Reading(id="r1", time=FIRST["time"], intensity=1)
    add_records(path, [first], create_store=True)
    data = path.read_bytes() if target.endswith(".jsonl") else None
    with pytest.raises(ValueError, match=r"records\[1\]: the make\(journal\) callable changed the journal"):
        add_records(path, [calmkit.Reading(id="r0", time=FIRST["time"], intensity=1), _make])
    if data is not None:
        assert path.read_bytes() == data
        assert [r.id for r in calmkit.read_journal(path).readings] == ["r1"]
    else:
        with calmkit.open_store(path) as st:
            assert "tX" not in {t.id for t in st.load().triggers}
