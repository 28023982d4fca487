"""One rule set, every Python entry point.

Each row of the table is one broken rule: a bad record, the same record as a
journal line another program would write, and what every entry point must
say. The record classes, ``Journal.add``, ``Journal([...])``, ``to_json``,
``Store.add``, the strict and the lenient reader, the importers' hand-off to
the model (``importers._common.build_journal``) and, for the rules that have
a column, ``cohort_from_arrays`` must all refuse it with the same field and
the same reason; only the place in front differs, and that is checked too.
The reasons are written out by hand here, so an entry point that words a
rule its own way, or skips it, fails. (tests/cpp/test_rules.cpp is the same
table for the C++ entry points.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import calmkit
from calmkit.importers import ImportFormatError
from calmkit.importers._common import Source, build_journal

T = "2026-03-02T21:14:00+01:00"


def trigger(**kw: Any) -> calmkit.Trigger:
    return calmkit.Trigger(**{"participant": "p", "id": "t1", "time": T, "category": "delayed_reply",
                              "intensity": 8, **kw})


def exercise(**kw: Any) -> calmkit.ExerciseSession:
    return calmkit.ExerciseSession(**{"participant": "p", "id": "e1", "time": "2026-03-02T21:30:00+01:00",
                                      "end": "2026-03-02T21:35:00+01:00", "exercise": "breathing.4-7-8", **kw})


def assessment(**kw: Any) -> calmkit.Assessment:
    return calmkit.Assessment(**{"participant": "p", "id": "a1", "time": T, "instrument": "gad-7",
                                 "answers": [1, 2, 3, 0, 1, 2, 1], **kw})


def describe(kind: str, participant: str, id: str) -> str:
    out = kind + (f" '{id}'" if id else "")
    return out + (f" of participant '{participant}'" if participant else "")


@dataclass
class Case:
    name: str
    bad: Callable[[], Any]  # the record; raises when the record class itself is the entry point
    line: str               # the same record as a journal line
    field: str
    reason: str
    record: str             # how the messages name the record
    before: Callable[[], list[Any]] = list
    constructor_refuses: bool = False
    journal_checks: bool = True  # False: a registry rule, left to the I/O layers
    reader_suffix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _known() -> str:
    return ", ".join(calmkit.instrument_ids())


CASES = [
    Case("trigger without id", lambda: trigger(id=""),
         '{"type":"trigger","participant":"p","id":"","time":"' + T + '","category":"delayed_reply","intensity":8}',
         "id", "must not be empty", describe("trigger", "p", "")),
    Case("negative minutes until acting", lambda: trigger(acted_after_minutes=-1.5),
         '{"type":"trigger","participant":"p","id":"t1","time":"' + T + '","category":"delayed_reply",'
         '"intensity":8,"acted_after_minutes":-1.5}',
         "acted_after_minutes", "must be a finite number of minutes >= 0, got -1.5", describe("trigger", "p", "t1"),
         constructor_refuses=True),
    Case("exercise without exercise id", lambda: exercise(exercise=""),
         '{"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"",'
         '"end":"2026-03-02T21:35:00+01:00"}',
         "exercise", "must not be empty", describe("exercise", "p", "e1")),
    Case("exercise ending before it starts", lambda: exercise(end="2026-03-02T20:29:00Z"),
         '{"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T21:30:00+01:00",'
         '"exercise":"breathing.4-7-8","end":"2026-03-02T20:29:00Z"}',
         "end", "end 2026-03-02T20:29:00Z is before time 2026-03-02T21:30:00+01:00", describe("exercise", "p", "e1"),
         constructor_refuses=True),
    Case("thought record without id",
         lambda: calmkit.ThoughtRecord(participant="p", id="", time=T, situation="no reply",
                                       automatic_thought="they are leaving", belief_before=80),
         '{"type":"thought_record","participant":"p","id":"","time":"' + T + '","situation":"no reply",'
         '"automatic_thought":"they are leaving","belief_before":80}',
         "id", "must not be empty", describe("thought_record", "p", "")),
    Case("assessment without instrument", lambda: assessment(instrument=""),
         '{"type":"assessment","participant":"p","id":"a1","time":"' + T + '","instrument":"",'
         '"answers":[1,2,3,0,1,2,1]}',
         "instrument", "must not be empty", describe("assessment", "p", "a1")),
    Case("assessment of an unknown instrument", lambda: assessment(instrument="phq-9"),
         '{"type":"assessment","participant":"p","id":"a1","time":"' + T + '","instrument":"phq-9",'
         '"answers":[1,2,3,0,1,2,1]}',
         "instrument", "", describe("assessment", "p", "a1"), journal_checks=False),
    Case("assessment answer off the scale", lambda: assessment(answers=[1, 2, 3, 0, 1, 2, 4]),
         '{"type":"assessment","participant":"p","id":"a1","time":"' + T + '","instrument":"gad-7",'
         '"answers":[1,2,3,0,1,2,4]}',
         "answers[6]",
         "instrument 'gad-7', item 6 (\"Feeling afraid, as if something awful might happen\"): answer 4 is "
         "outside the scale 0..3", describe("assessment", "p", "a1"), journal_checks=False),
    Case("duplicate trigger id", lambda: trigger(time="2026-03-03T09:00:00+01:00"),
         '{"type":"trigger","participant":"p","id":"t1","time":"2026-03-03T09:00:00+01:00",'
         '"category":"delayed_reply","intensity":8}',
         "id", "duplicate trigger id 't1' for participant 'p'", describe("trigger", "p", "t1"),
         before=lambda: [trigger()], reader_suffix=" (first used on line 1)"),
    Case("reading linked to a trigger the participant does not have",
         lambda: calmkit.Reading(participant="p", time="2026-03-02T21:20:00+01:00", intensity=6, trigger="t9"),
         '{"type":"reading","participant":"p","time":"2026-03-02T21:20:00+01:00","intensity":6,"trigger":"t9"}',
         "trigger", "refers to trigger 't9', which participant 'p' does not have", describe("reading", "p", ""),
         before=lambda: [trigger()]),
]


def reason_of(c: Case) -> str:
    if c.name == "assessment of an unknown instrument":  # the known ids depend on what is registered
        return (f"unknown instrument 'phq-9' (known: {_known()}; register custom instruments with "
                "register_instrument first)")
    return c.reason


def message(place: str, c: Case) -> str:
    return f"{place}: field '{c.field}': {reason_of(c)}"


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_every_entry_point_refuses_each_bad_record_with_the_same_rule(c: Case, tmp_path: Path) -> None:
    before = c.before()
    if c.constructor_refuses:
        # The record class is the entry point: the record cannot be made.
        with pytest.raises(ValueError) as err:
            c.bad()
        assert str(err.value) == message(c.record, c)
    else:
        bad = c.bad()
        journal = calmkit.Journal(before)
        if c.journal_checks:
            with pytest.raises(ValueError) as err:
                journal.add(bad)
            assert str(err.value) == message("cannot add " + c.record, c)
            assert len(journal) == len(before)  # unchanged
            with pytest.raises(ValueError) as err:
                calmkit.Journal([*before, bad])
            assert str(err.value) == message(c.record, c)
        else:
            journal.add(bad)  # the registry's rule is the I/O layers' (journal.hpp)
            with pytest.raises(ValueError) as err:
                calmkit.to_jsonl(journal)
            assert str(err.value) == message("cannot write " + c.record, c)
        if not before:  # a rule of the record alone: the writer refuses the record by itself
            with pytest.raises(ValueError) as err:
                calmkit.to_json(bad)
            assert str(err.value) == message("cannot write " + c.record, c)
        with calmkit.open_store(tmp_path / "j.db") as store:
            for r in before:
                store.add(r)
            with pytest.raises(ValueError) as err:
                store.add(bad)
            assert str(err.value) == message(f"store '{tmp_path / 'j.db'}': cannot add " + c.record, c)
            assert len(store) == len(before)

    # The reader, strict and lenient: the bad line after the good ones.
    text = "".join(calmkit.to_json(r) + "\n" for r in before) + c.line + "\n"
    line = len(before) + 1
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal(text, name="rules.jsonl")
    e = err.value
    assert (e.path, e.line, e.field, e.reason) == ("rules.jsonl", line, c.field, reason_of(c) + c.reader_suffix)
    kept, report = calmkit.parse_journal_with_report(text, lenient=True, name="rules.jsonl")
    assert [(s.line, s.field, s.reason) for s in report.skipped] == [(line, c.field, reason_of(c) + c.reader_suffix)]
    assert len(kept) == len(before)

    # The importers hand their records to the model as record objects, field by
    # field, through Journal.add; the error names the export's own line, with the
    # same field and reason. (They leave empty strings out before the hand-off, so
    # an empty required value arrives as a missing field: that is the format's
    # rule, not this one. The registry's rules are the I/O layers', and no
    # importer builds an assessment.)
    if '""' in c.line or not c.journal_checks:
        return
    records = [json.loads(calmkit.to_json(r)) for r in before] + [json.loads(c.line)]
    with pytest.raises(ImportFormatError) as err:
        build_journal(records, "export.csv", sources=[Source(line=10 + i) for i in range(len(records))])
    i = err.value
    assert (i.path, i.line, i.field) == ("export.csv", 10 + len(before), c.field)
    assert i.reason.startswith(reason_of(c))  # the reader's "(first used on line N)" may follow


def test_setters_run_the_same_rules() -> None:
    t = trigger()
    with pytest.raises(ValueError) as err:
        t.acted_after_minutes = float("inf")
    assert str(err.value) == ("trigger 't1' of participant 'p': field 'acted_after_minutes': must be a finite "
                              "number of minutes >= 0, got inf")
    assert t.acted_after_minutes is None  # unchanged


def test_the_columnar_constructor_runs_the_same_rules() -> None:
    i64, i16, i8, i32 = np.int64, np.int16, np.int8, np.int32
    with pytest.raises(ValueError) as err:
        calmkit.cohort_from_arrays(
            ["p"], np.array([0], i32), np.array([1_772_482_440_000_000], i64), np.array([60], i16),
            np.array([8], i8), np.array([0], np.uint8),
            np.array([], i32), np.array([], i64), np.array([], i16), np.array([], i8), np.array([], i32),
            trigger_acted_after_minutes=np.array([-1.5]))
    assert str(err.value) == ("cohort columns: triggers row 0, field 'acted_after_minutes': must be a finite number "
                              "of minutes >= 0, got -1.5 (NaN: not recorded)")
