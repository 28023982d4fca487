"""One rule set, every Python entry point.

Each row of the table is one broken rule: a bad record, the same record as a
journal line another program would write, and what every entry point must
say. The record classes, ``Journal.add``, ``Journal([...])``, ``to_json``,
``to_jsonl``, ``write_journal``, ``append_record``, ``Store.add``,
``Store.update``, ``Store.add_journal``, the strict and the lenient reader
(``parse_journal`` and ``read_journal``, on one thread and on several), the
importers' hand-off to the model (``importers._common.build_journal``), the
Arrow bridge (``Journal.from_arrow``), ``import_csv``, ``read_parquet``,
``calmkit.dask`` and, for the rules that have a column, ``cohort_from_arrays``
must all refuse it with the same field and the same reason; only the place in front differs (a file and line,
a table and row, a store, the record), and that is checked too. A value the
record classes' types refuse (an intensity of 11, an unknown category, a bad
time) cannot reach ``Journal.add``, the writer or the store: the type's
refusal, with the same reason, is that entry point's check.
The reasons are written out by hand here, so an entry point that words a
rule its own way, or skips it, fails. (tests/cpp/test_rules.cpp is the same
table for the C++ entry points.)
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
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
    bad: Callable[[], Any] | None  # the record; raises when the record class is the entry point; None: no such call
    line: str               # the same record as a journal line
    field: str
    reason: str
    record: str             # how the messages name the record
    before: Callable[[], list[Any]] = list
    constructor_refuses: bool = False
    journal_checks: bool = True  # False: a registry rule, left to the I/O layers
    reader_suffix: str = ""     # after the reason: where the first use was (" (first used on line 1)")
    type_refuses: bool = False  # the record class's value types refuse it (their message: the reason, no record)
    timestamps: bool = True     # its times are times (False: a bad time, which a timestamp column cannot hold)
    extra: dict[str, Any] = field(default_factory=dict)


def _known() -> str:
    return ", ".join(calmkit.instrument_ids())


def _categories() -> str:
    return ", ".join(c[0] for c in calmkit.trigger_categories())


def _distortions() -> str:
    return ", ".join(d[0] for d in calmkit.distortions())


TRIGGER = '{"type":"trigger","participant":"p","id":"t1","time":"' + T + '","category":"delayed_reply","intensity":8'
THOUGHT = ('{"type":"thought_record","participant":"p","id":"th1","time":"' + T + '","situation":"no reply",'
           '"automatic_thought":"they are leaving","belief_before":80')


def thought(**kw: Any) -> calmkit.ThoughtRecord:
    return calmkit.ThoughtRecord(**{"participant": "p", "id": "th1", "time": T, "situation": "no reply",
                                    "automatic_thought": "they are leaving", "belief_before": 80, **kw})


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
    # Values the types hold: a range, a vocabulary, a time, a required field.
    Case("trigger intensity off the scale", lambda: trigger(intensity=11),
         TRIGGER.replace('"intensity":8', '"intensity":11') + "}",
         "intensity", "must be an integer 0..10, got 11", describe("trigger", "p", "t1"), type_refuses=True),
    Case("thought record belief off the scale", lambda: thought(belief_before=101),
         THOUGHT.replace('"belief_before":80', '"belief_before":101') + "}",
         "belief_before", "must be an integer 0..100, got 101", describe("thought_record", "p", "th1"),
         type_refuses=True),
    Case("unknown trigger category", lambda: trigger(category="sadness"),
         TRIGGER.replace("delayed_reply", "sadness") + "}",
         "category", "", describe("trigger", "p", "t1"), type_refuses=True),
    Case("unknown cognitive distortion", lambda: thought(distortions=["mind_reading", "doom"]),
         THOUGHT + ',"distortions":["mind_reading","doom"]}',
         "distortions[1]", "", describe("thought_record", "p", "th1"), type_refuses=True),
    Case("a time on a day that does not exist", lambda: trigger(time="2026-02-30T21:14:00+01:00"),
         TRIGGER.replace(T, "2026-02-30T21:14:00+01:00") + "}",
         "time", "invalid time '2026-02-30T21:14:00+01:00': day does not exist in that month",
         describe("trigger", "p", "t1"), type_refuses=True, timestamps=False),
    Case("trigger without its required category", None,  # Python refuses the missing argument itself
         TRIGGER.replace(',"category":"delayed_reply"', "") + "}",
         "category", "required field is missing", describe("trigger", "p", "t1"), type_refuses=True),
]


def reason_of(c: Case) -> str:
    if c.name == "assessment of an unknown instrument":  # the known ids depend on what is registered
        return (f"unknown instrument 'phq-9' (known: {_known()}; register custom instruments with "
                "register_instrument first)")
    if c.name == "unknown trigger category":
        return f"unknown trigger category 'sadness'; valid ids: {_categories()}"
    if c.name == "unknown cognitive distortion":
        return f"unknown cognitive distortion 'doom'; valid ids: {_distortions()}"
    return c.reason


def message(place: str, c: Case) -> str:
    return f"{place}: field '{c.field}': {reason_of(c)}"


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_every_entry_point_refuses_each_bad_record_with_the_same_rule(c: Case, tmp_path: Path) -> None:
    before = c.before()
    if c.type_refuses:
        # The record class's value types are the rule: the record cannot be
        # made, so Journal.add, the writer and the store never see it.
        if c.bad is not None:
            with pytest.raises(ValueError) as err:
                c.bad()
            assert str(err.value).endswith(reason_of(c)), str(err.value)
    elif c.constructor_refuses:
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
            if not before:  # a rule of the record alone: an update to it is refused the same way
                with pytest.raises(ValueError) as err:
                    store.update(bad)
                assert str(err.value) == message(f"store '{tmp_path / 'j.db'}': cannot update " + c.record, c)
            if not c.journal_checks:  # a journal holds it: the store's import of the journal refuses it
                held = calmkit.Journal(before)
                held.add(bad)
                with pytest.raises(ValueError) as err:
                    store.add_journal(held)
                assert str(err.value) == message(f"store '{tmp_path / 'j.db'}': cannot add " + c.record, c)
                with pytest.raises(ValueError) as err:
                    calmkit.write_journal(held, tmp_path / "held.jsonl")
                assert str(err.value) == message("cannot write " + c.record, c)
            assert len(store) == len(before)
        # append_record: the record checked against the file's journal before its line is added.
        appended = tmp_path / "append.jsonl"
        calmkit.write_journal(calmkit.Journal(before), appended)
        with pytest.raises(ValueError) as err:
            calmkit.append_record(appended, bad)
        assert str(err.value) == message(("cannot add " if c.journal_checks else "cannot write ") + c.record, c)
        assert len(calmkit.read_journal(appended)) == len(before)

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
    # The same text read from a file, strict and lenient, on one thread and on several.
    path = tmp_path / "rules.jsonl"
    path.write_text(text, encoding="utf-8")
    for threads in (1, 3):
        with pytest.raises(calmkit.JournalFormatError) as err:
            calmkit.read_journal(path, threads=threads, chunk_bytes=64)
        assert str(err.value) == f"{path}:{line}: field '{c.field}': {reason_of(c)}{c.reader_suffix}"
        kept, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=64)
        assert [s.message for s in report.skipped] == [str(err.value)]
        assert len(kept) == len(before)

    # The importers hand their records to the model as record objects, field by
    # field, through Journal.add; the error names the export's own line, with the
    # same field and reason. (They leave empty strings out before the hand-off, so
    # an empty required value arrives as a missing field: that is the format's
    # rule, not this one. The registry's rules are the I/O layers', and no
    # importer builds an assessment.)
    records = [json.loads(calmkit.to_json(r)) for r in before] + [json.loads(c.line)]
    # (The hand-off builds each record from a placeholder, so it has no
    # missing field to find: the importers' own readers require their fields.)
    if '""' not in c.line and c.journal_checks and c.timestamps and c.bad is not None:
        with pytest.raises(ImportFormatError) as err:
            build_journal(records, "export.csv", sources=[Source(line=10 + i) for i in range(len(records))])
        i = err.value
        # (A list set as a whole is named without the item: 'distortions'.)
        assert (i.path, i.line, i.field.split("[")[0]) == ("export.csv", 10 + len(before), c.field.split("[")[0])
        # The reader's "(first used on line N)" may follow; a type's name may come first.
        assert reason_of(c) in i.reason

    # The Arrow bridge, CSV import and Parquet: each refuses the bad row with
    # the same field and reason, naming its table and row (or CSV file and line).
    table = TABLE_OF[records[-1]["type"]]
    row = sum(r["type"] == records[-1]["type"] for r in records[:-1])
    suffix = c.reader_suffix.replace("on line 1", "in row 0")
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow(arrow_tables(records, c.timestamps), name="rules")
    assert str(err.value) == f"rules/{table}: row {row}: field '{c.field}': {reason_of(c)}{suffix}"

    folder = tmp_path / "csv"
    write_csv(folder, records)
    csv_file = folder / calmkit.exports.CSV_COLUMNS[records[-1]["type"]][0]
    with pytest.raises(ImportFormatError) as err:
        calmkit.import_csv(folder)
    i = err.value
    assert (i.path, i.line, i.field) == (str(csv_file), row + 2, c.field)
    assert i.reason == reason_of(c) + c.reader_suffix.replace("on line 1", "on line 2")

    if c.timestamps:  # a Parquet time column holds timestamps: no text to be wrong
        dataset = write_parquet_dataset(tmp_path / "pq", records)
        with pytest.raises(ValueError) as err:
            calmkit.read_parquet(dataset)
        assert str(err.value) == f"{dataset}/{table}: row {row}: field '{c.field}': {reason_of(c)}{suffix}"
        # calmkit.dask reads each partition's files into a journal the same way (one partition here).
        from calmkit import dask as calmkit_dask

        with pytest.raises(ValueError) as err:
            calmkit_dask.metric(dataset, "time_to_calm").compute(scheduler="synchronous")
        assert str(err.value) == f"{dataset}/{table}: row {row}: field '{c.field}': {reason_of(c)}{suffix}"

    # The columnar constructor, for the rules its columns can break (an intensity, minutes until acting).
    if c.name == "trigger intensity off the scale":
        with pytest.raises(ValueError) as err:
            _cohort(trigger_intensity=11)
        assert str(err.value) == f"cohort columns: triggers row 0, field '{c.field}': {reason_of(c)}"
    if c.name == "negative minutes until acting":  # the columns' own context: how "not recorded" is written
        with pytest.raises(ValueError) as err:
            _cohort(trigger_acted_after_minutes=np.array([-1.5]))
        assert str(err.value) == f"cohort columns: triggers row 0, field '{c.field}': {reason_of(c)} (NaN: not recorded)"


TABLE_OF = {kind: table for table, kind in calmkit.arrow.TABLES.items()}


def _rows(records: list[dict[str, Any]], kind: str, timestamps: bool) -> list[dict[str, Any]]:
    """The records of one type as rows of calmkit's Arrow schema: each time
    as a UTC timestamp plus its offset in minutes (parsed here by the standard
    library, not by calmkit), or kept as text when ``timestamps`` is False."""
    out = []
    for r in records:
        if r["type"] != kind:
            continue
        row = {k: v for k, v in r.items() if k != "type"}
        for col, off in (("time", "offset_minutes"), ("end", "end_offset_minutes")):
            if col in row and timestamps:
                when = datetime.fromisoformat(row[col].replace("Z", "+00:00"))
                row[col] = when.astimezone(timezone.utc)
                row[off] = int(when.utcoffset().total_seconds() // 60)
        out.append(row)
    return out


def _schema(table: str, timestamps: bool) -> Any:
    import pyarrow as pa

    # Every column nullable: a row may leave out what the format makes optional or defaults.
    schema = pa.schema([f.with_nullable(True) for f in calmkit.arrow.ARROW_SCHEMAS[table]])
    if not timestamps:
        schema = pa.schema([pa.field(f.name, pa.string()) if f.name in ("time", "end") else f for f in schema
                            if f.name not in ("offset_minutes", "end_offset_minutes")])
    return schema


def arrow_tables(records: list[dict[str, Any]], timestamps: bool) -> dict[str, Any]:
    import pyarrow as pa

    return {table: pa.Table.from_pylist(_rows(records, kind, timestamps), schema=_schema(table, timestamps))
            for table, kind in calmkit.arrow.TABLES.items()}


def write_parquet_dataset(path: Path, records: list[dict[str, Any]]) -> Path:
    """A dataset in write_parquet's layout ("shard"), whose files hold the records as given."""
    import pyarrow.parquet as pq

    calmkit.write_parquet(calmkit.Journal(), path, partition_by="shard")
    meta = {table: pq.read_schema(path / table / "_common_metadata").metadata for table in calmkit.arrow.TABLES}
    for table, t in arrow_tables(records, True).items():
        pq.write_table(t.replace_schema_metadata(meta[table]), path / table / "part-00000.parquet")
    return path


def _cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind in ("list", "ints", "emotions"):
        return json.dumps(value)
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


def write_csv(folder: Path, records: list[dict[str, Any]]) -> None:
    """The records as the CSV files of export_csv (written here with the csv module)."""
    folder.mkdir()
    for kind, (filename, columns) in calmkit.exports.CSV_COLUMNS.items():
        with open(folder / filename, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([name for name, _ in columns])
            for r in records:
                if r["type"] == kind:
                    w.writerow([_cell(k, r.get(name)) for name, k in columns])


@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "-2,5"])
def test_import_csv_leaves_the_minutes_rule_to_the_model(cell: str, tmp_path: Path) -> None:
    # A CSV cell that reads as a number but breaks the rule of minutes (Minutes:
    # finite, >= 0) is refused by the model's rule, in its words, with the CSV
    # file, line and field: import_csv has no check of its own for it.
    folder = tmp_path / "csv"
    write_csv(folder, [{"type": "trigger", "participant": "p", "id": "t1", "time": T, "category": "delayed_reply",
                        "intensity": 8, "acted_after_minutes": cell}])
    with pytest.raises(ImportFormatError) as err:
        calmkit.import_csv(folder)
    i = err.value
    shown = {"-2,5": "-2.5"}.get(cell, cell)
    assert (i.path, i.line, i.field) == (str(folder / "triggers.csv"), 2, "acted_after_minutes")
    assert i.reason == f"must be a finite number of minutes >= 0, got {shown}"


def test_setters_run_the_same_rules() -> None:
    t = trigger()
    with pytest.raises(ValueError) as err:
        t.acted_after_minutes = float("inf")
    assert str(err.value) == ("trigger 't1' of participant 'p': field 'acted_after_minutes': must be a finite "
                              "number of minutes >= 0, got inf")
    assert t.acted_after_minutes is None  # unchanged


def _cohort(trigger_intensity: int = 8, **kw: Any) -> Any:
    """One trigger of participant p as cohort columns (cohort_from_arrays)."""
    i64, i16, i8, i32 = np.int64, np.int16, np.int8, np.int32
    return calmkit.cohort_from_arrays(
        ["p"], np.array([0], i32), np.array([1_772_482_440_000_000], i64), np.array([60], i16),
        np.array([trigger_intensity], i8), np.array([0], np.uint8),
        np.array([], i32), np.array([], i64), np.array([], i16), np.array([], i8), np.array([], i32), **kw)


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


# A value another program wrote into the store, past the schema's CHECKs
# (which are the database file's own guard, and can be turned off): every
# read refuses it with the model's rule and words, naming the store and the
# record (the C++ single-type reads: test_store.cpp).
STORE_ROWS = [
    ("UPDATE triggers SET category = 'ghosting'", describe("trigger", "p", "t1"), "category", None),
    ("UPDATE triggers SET intensity = 11", describe("trigger", "p", "t1"), "intensity",
     "must be an integer 0..10, got 11"),
    ("UPDATE triggers SET acted_after_minutes = -2.5", describe("trigger", "p", "t1"), "acted_after_minutes",
     "must be a finite number of minutes >= 0, got -2.5"),
    ("UPDATE triggers SET id = ''", describe("trigger", "p", ""), "id", "must not be empty"),
    ("UPDATE readings SET intensity = -1", describe("reading", "p", ""), "intensity",
     "must be an integer 0..10, got -1"),
    ("UPDATE exercises SET end_us = time_us - 60000000, end_offset = 0", describe("exercise", "p", "e1"), "end",
     "end 2026-03-02T20:29:00Z is before time 2026-03-02T21:30:00+01:00"),
    ("UPDATE exercises SET exercise = ''", describe("exercise", "p", "e1"), "exercise", "must not be empty"),
    ("UPDATE exercises SET intensity_after = 11", describe("exercise", "p", "e1"), "intensity_after",
     "must be an integer 0..10, got 11"),
    ("UPDATE thought_records SET belief_before = 101", describe("thought_record", "p", "th1"), "belief_before",
     "must be an integer 0..100, got 101"),
    ("UPDATE thought_records SET id = ''", describe("thought_record", "p", ""), "id", "must not be empty"),
    ("UPDATE thought_record_emotions SET before = 101 WHERE position = 1", describe("thought_record", "p", "th1"),
     "emotions[1].before", "must be an integer 0..100, got 101"),
    ("UPDATE thought_record_items SET value = 'doom' WHERE field = 'distortion' AND position = 1",
     describe("thought_record", "p", "th1"), "distortions[1]", None),
    ("UPDATE assessments SET instrument = ''", describe("assessment", "p", "a1"), "instrument",
     "must not be empty"),
]


@pytest.mark.parametrize("sql, record, field, reason", STORE_ROWS, ids=[r[0] for r in STORE_ROWS])
def test_a_value_another_program_wrote_into_the_store_is_refused_with_the_models_reason(
        tmp_path: Path, sql: str, record: str, field: str, reason: str | None) -> None:
    import sqlite3

    db = tmp_path / "j.db"
    with calmkit.open_store(db) as store:
        for r in (trigger(acted_after_minutes=3.0), calmkit.Reading(participant="p", time=T, intensity=4),
                  exercise(intensity_after=2), assessment(),
                  thought(emotions=[calmkit.EmotionRating(name="fear", before=70),
                                    calmkit.EmotionRating(name="shame", before=40, after=20)],
                          distortions=["mind_reading", "catastrophizing"])):
            store.add(r)
    con = sqlite3.connect(db)  # another program, past the schema's own CHECKs
    con.execute("PRAGMA ignore_check_constraints = ON")
    with con:
        con.execute(sql)
    con.close()
    if reason is None:
        reason = (f"unknown cognitive distortion 'doom'; valid ids: {_distortions()}" if field.startswith("dist")
                  else f"unknown trigger category 'ghosting'; valid ids: {_categories()}")
    said = f"store '{db}' holds an invalid value: {record}: field '{field}': {reason}"
    with calmkit.open_store(db, read_only=True) as store:
        for read in (store.load, lambda: store.load("p"), lambda: store.load(start=T)):
            with pytest.raises(RuntimeError) as err:
                read()
            assert str(err.value) == said
        if record.startswith("assessment"):
            with pytest.raises(RuntimeError) as err:
                store.assessments("p")
            assert str(err.value) == said


def test_the_stores_checks_are_the_models_scales() -> None:
    """The store's schema keeps named CHECKs as the database file's own guard
    for programs that write it without calmkit (docs/store.md); calmkit does
    not rely on them (every read runs the model's rules). Their bounds are the
    model's: a scale that changed in the model and not in the schema fails here."""
    import re
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "j.db"
        calmkit.open_store(db).close()
        con = sqlite3.connect(db)
        sql = "\n".join(r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
        con.close()
    checks = re.findall(r"CONSTRAINT (\w+) CHECK \((\w+) BETWEEN (-?\d+) AND (-?\d+)\)", sql)
    scale = {"intensity": (calmkit.INTENSITY_MIN, calmkit.INTENSITY_MAX),
             "belief": (calmkit.PERCENT_MIN, calmkit.PERCENT_MAX), "before": (calmkit.PERCENT_MIN, calmkit.PERCENT_MAX),
             "after": (calmkit.PERCENT_MIN, calmkit.PERCENT_MAX), "offset": (-(24 * 60 - 1), 24 * 60 - 1)}
    seen = set()
    for name, column, lo, hi in checks:
        kind = next(k for k in ("intensity", "belief", "offset", "before", "after") if k in column)
        seen.add(kind)
        assert (int(lo), int(hi)) == scale[kind], f"CHECK {name} on {column}: {lo}..{hi}, the model's {scale[kind]}"
    assert seen == set(scale), seen
    # An offset of 23:59 is the largest the model takes, 24:00 the smallest it refuses.
    assert calmkit._core._offset_reason(24 * 60 - 1) is None and calmkit._core._offset_reason(24 * 60) is not None
    assert "CONSTRAINT end_not_before_time CHECK (end_us >= time_us)" in sql
    assert "CHECK (acted_after_minutes >= 0)" in sql


# --- The rule "text is UTF-8" (rules::utf8_text), through every entry point that takes bytes ---
#
# A str in Python, JavaScript or a CSV file is always Unicode, so the bytes come
# as Python ``bytes`` handed to a record class (pybind11 takes them for a
# std::string), as a journal line or shard read from disk, as an Arrow column
# another program filled, or as a cohort's participant names. Each names the
# field holding the first bad byte and that byte's offset in the field's text
# as the record holds it (the reader counts past JSON escapes before it).
READING_LINE = b'{"type":"reading","participant":"p","time":"2026-03-02T21:20:00+01:00","intensity":6'


@dataclass
class Utf8Case:
    name: str
    bad: Callable[[], Any]
    line: bytes
    field: str
    reason: str
    record: str
    table: str   # the Arrow table that holds it
    given: tuple[str, Any] = ("", None)  # the bad field as the record class was given it (bytes)


UTF8_CASES = [
    Utf8Case("a note in Latin-1",
             lambda: calmkit.Reading(participant="p", time="2026-03-02T21:20:00+01:00", intensity=6,
                                     note=b"caf\xe9"),
             READING_LINE + b',"note":"caf\xe9"}', "note", "is not valid UTF-8 (byte 0xe9 at offset 3)",
             describe("reading", "p", ""), "readings", ("note", b"caf\xe9")),
    Utf8Case("the second thought of a trigger", lambda: trigger(thoughts=["ok", b"\xff"]),
             TRIGGER.encode() + b',"thoughts":["ok","\xff"]}', "thoughts[1]",
             "is not valid UTF-8 (byte 0xff at offset 0)", describe("trigger", "p", "t1"), "triggers",
             ("thoughts", ["ok", b"\xff"])),
    Utf8Case("an emotion's name after an escape",
             lambda: thought(emotions=[calmkit.EmotionRating(name=b"a\n\xc3(", before=50)]),
             THOUGHT.encode() + b',"emotions":[{"name":"a\\n\xc3(","before":50}]}', "emotions[0].name",
             "is not valid UTF-8 (byte 0xc3 at offset 2)", describe("thought_record", "p", "th1"), "thought_records",
             ("emotions", [{"name": b"a\n\xc3(", "before": 50}])),
    Utf8Case("a context with an encoded surrogate (CESU-8) after an escaped e-acute",
             lambda: trigger(context=b"\xc3\xa9\xed\xa0\x80"),
             TRIGGER.encode() + b',"context":"\\u00e9\xed\xa0\x80"}', "context",
             "is not valid UTF-8 (byte 0xed at offset 2)", describe("trigger", "p", "t1"), "triggers",
             ("context", b"\xc3\xa9\xed\xa0\x80")),
]


def _bad_arrow(c: Utf8Case) -> dict[str, Any]:
    """calmkit's Arrow tables holding the bad record, its text columns filled
    from bytes without a UTF-8 check (as a C or Rust producer could)."""
    import pyarrow as pa

    line = json.loads(c.line.decode("utf-8", "replace"))
    row = _rows([line], line["type"], True)[0]
    row[c.given[0]] = c.given[1]
    schema = pa.schema([f.with_nullable(True) for f in calmkit.arrow.ARROW_SCHEMAS[c.table]])

    def as_binary(t: Any) -> Any:  # the same layout with bytes where the schema has text
        if pa.types.is_string(t):
            return pa.binary()
        if pa.types.is_list(t):
            return pa.list_(as_binary(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, as_binary(f.type)) for f in t])
        if pa.types.is_dictionary(t):
            return pa.dictionary(t.index_type, as_binary(t.value_type))
        return t

    raw = {name: row.get(name) for name in schema.names}  # the line's values; the bad one as bytes
    for k, v in raw.items():
        if isinstance(v, str):
            raw[k] = v.encode()
        elif isinstance(v, list):
            raw[k] = [x.encode() if isinstance(x, str) else x for x in v]
    cols = []
    for f in schema:
        arr = pa.array([raw[f.name]], type=as_binary(f.type))
        cols.append(arr.view(f.type) if as_binary(f.type) != f.type else arr)
    tables = {t: pa.Table.from_pylist([], schema=pa.schema([f.with_nullable(True) for f in s]))
              for t, s in calmkit.arrow.ARROW_SCHEMAS.items()}
    tables[c.table] = pa.Table.from_arrays(cols, schema=schema)
    return tables


@pytest.mark.parametrize("c", UTF8_CASES, ids=[c.name for c in UTF8_CASES])
def test_text_that_is_not_utf8_is_refused_with_the_one_rule_everywhere(c: Utf8Case, tmp_path: Path) -> None:
    said = f"field '{c.field}': {c.reason}"
    bad = c.bad()  # the record classes hold text as bytes; the rules run where records enter a journal
    journal = calmkit.Journal()
    with pytest.raises(ValueError) as err:
        journal.add(bad)
    assert str(err.value) == f"cannot add {c.record}: {said}"
    assert len(journal) == 0
    with pytest.raises(ValueError) as err:
        calmkit.Journal([bad])
    assert str(err.value) == f"{c.record}: {said}"
    with pytest.raises(ValueError) as err:
        calmkit.to_json(bad)
    assert str(err.value) == f"cannot write {c.record}: {said}"
    with calmkit.open_store(tmp_path / "j.db") as store:
        with pytest.raises(ValueError) as err:
            store.add(bad)
        assert str(err.value) == f"store '{tmp_path / 'j.db'}': cannot add {c.record}: {said}"
        assert len(store) == 0

    # The reader (text in memory and a file; strict and lenient), after a good line.
    good = calmkit.to_json(trigger(id="t0")).encode() + b"\n"
    text = good + c.line + b"\n"
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal(text, name="rules.jsonl")
    e = err.value
    assert (e.path, e.line, e.field, e.reason) == ("rules.jsonl", 2, c.field, c.reason)
    assert str(e) == f"rules.jsonl:2: {said}"
    kept, report = calmkit.parse_journal_with_report(text, lenient=True, name="rules.jsonl")
    assert [(s.line, s.field, s.reason) for s in report.skipped] == [(2, c.field, c.reason)] and len(kept) == 1
    (tmp_path / "j.jsonl").write_bytes(text)
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(tmp_path / "j.jsonl")
    assert str(err.value) == f"{tmp_path / 'j.jsonl'}:2: {said}"

    # Shards: the shard file and its own line (a blank line first).
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a.jsonl").write_bytes(good)
    (shards / "b.jsonl").write_bytes(b"\n" + c.line + b"\n")
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_jsonl_shards(shards)
    e = err.value
    assert (e.path, e.line, e.field, e.reason) == (str(shards / "b.jsonl"), 2, c.field, c.reason)

    # The importers' hand-off to the model (record objects, field by field).
    record = json.loads(c.line.decode("utf-8", "surrogateescape").replace("\\u00e9", "\u00e9"))
    record[c.given[0]] = c.given[1]
    with pytest.raises(ImportFormatError) as err:
        build_journal([record], "export.csv", sources=[Source(line=7)])
    i = err.value
    assert (i.path, i.line, i.field, i.reason) == ("export.csv", 7, c.field, c.reason)

    # The Arrow bridge: a text column another producer filled with these bytes.
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow(_bad_arrow(c), name="rules")
    assert str(err.value) == f"rules/{c.table}: row 0: {said}"


def test_cohort_columns_refuse_a_participant_name_that_is_not_utf8() -> None:
    i64, i16, i8, i32 = np.int64, np.int16, np.int8, np.int32
    with pytest.raises(ValueError) as err:
        calmkit.cohort_from_arrays(
            ["p", b"ana\xff"], np.array([0], i32), np.array([1_772_482_440_000_000], i64), np.array([60], i16),
            np.array([8], i8), np.array([0], np.uint8),
            np.array([], i32), np.array([], i64), np.array([], i16), np.array([], i8), np.array([], i32))
    assert str(err.value) == ("cohort columns: participants row 1, field 'participant': is not valid UTF-8 "
                              "(byte 0xff at offset 3)")


# --- A str holding a lone surrogate, wherever calmkit takes JSON text or a record's text as str ---
#
# Such a str has no UTF-8 form. pybind11 alone would refuse it with a TypeError
# that names no argument; calmkit takes the bytes Python's "surrogatepass" gives
# it (U+D800 as ED A0 80) and refuses them by its one text rule, each entry
# point in its own place: the reader with the line and field (as for the same
# bytes in a file), a record class with the record and field, a name argument
# with the argument.
LONE = "\ud800"
NOT_UTF8 = "is not valid UTF-8 (byte 0xed at offset 1)"


def test_a_lone_surrogate_in_journal_text_is_the_readers_utf8_error(tmp_path: Path) -> None:
    text = READING_LINE.decode() + ',"note":"a' + LONE + '"}\n'
    f = tmp_path / "s.jsonl"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(f)
    assert (err.value.line, err.value.field, err.value.reason) == (1, "note", NOT_UTF8)
    for parse in (calmkit.parse_journal, calmkit.parse_journal_with_report):
        with pytest.raises(calmkit.JournalFormatError) as err:
            parse(text, name="s.jsonl")
        assert (err.value.path, err.value.line, err.value.field, err.value.reason) == ("s.jsonl", 1, "note", NOT_UTF8)
    kept, report = calmkit.parse_journal_with_report(text, lenient=True, name="s.jsonl")
    assert [(s.line, s.field, s.reason) for s in report.skipped] == [(1, "note", NOT_UTF8)]
    assert len(kept) == 0
    with pytest.raises(ValueError) as err:
        calmkit.Reading(participant="p", time="2026-03-02T21:20:00+01:00", intensity=6, note="a" + LONE)
    assert str(err.value).endswith(f"field 'note': {NOT_UTF8}"), str(err.value)


@pytest.mark.parametrize("parse, text", [
    (calmkit.exercise_from_json, '{"id":"a' + LONE + '"}'),
    (calmkit.exercises_from_json, '[{"id":"a' + LONE + '"}]'),
])
def test_a_lone_surrogate_in_exercise_json_is_the_exercise_readers_error(parse: Any, text: str) -> None:
    with pytest.raises(calmkit.ExerciseFormatError) as err:
        parse(text)
    assert "not valid UTF-8" in str(err.value)
    with pytest.raises(calmkit.ExerciseFormatError) as same:
        parse(text.encode("utf-8", "surrogatepass"))  # the same bytes, as bytes
    assert str(same.value) == str(err.value)


def test_a_lone_surrogate_in_a_name_argument_is_a_value_error_naming_the_argument(tmp_path: Path) -> None:
    def refused(call: Callable[[], Any], argument: str) -> None:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == f"argument '{argument}': is not valid UTF-8 (byte 0xed at offset 0)"

    with pytest.raises(ValueError, match="^invalid time '2026-03-02T21:20:00"):  # a time given as a str
        calmkit.Journal().between("2026-03-02T21:20:00+01:00" + LONE, "2027-01-01T00:00:00Z")
    refused(lambda: calmkit.parse_journal("", name=LONE), "name")
    refused(lambda: calmkit.parse_journal_with_report("", name=LONE), "name")
    refused(lambda: calmkit.Journal([trigger()]).participant(LONE), "participant")
    with calmkit.open_store(tmp_path / "j.db") as store:
        store.add(trigger())
        refused(lambda: store.remove_trigger(LONE, "t1"), "participant")
        refused(lambda: store.remove_trigger("p", LONE), "id")
        for remove in (store.remove_reading, store.remove_exercise, store.remove_thought_record,
                       store.remove_assessment):
            refused(lambda r=remove: r(LONE, "x"), "participant")
            refused(lambda r=remove: r("p", LONE), "id")
        refused(lambda: store.load(LONE), "participant")
        refused(lambda: store.assessments(LONE), "participant")
        assert len(store) == 1
    refused(lambda: calmkit.instrument(LONE), "id")
    refused(lambda: calmkit.score(LONE, [1]), "instrument")
    refused(lambda: calmkit.find_exercise(LONE), "id")
    refused(lambda: calmkit.catalog_exercise(LONE), "id")
    registry = calmkit.ExerciseRegistry()
    refused(lambda: registry.find(LONE), "id")
    refused(lambda: registry.get(LONE), "id")
    refused(lambda: LONE in registry, "id")
    refused(lambda: calmkit.TimeZone(LONE), "spec")
