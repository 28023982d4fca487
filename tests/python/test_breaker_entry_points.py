"""The rules table of test_rules.py through the entry points it does not run.

test_rules.py runs each broken rule through the record classes, Journal.add,
Journal([...]), to_json, Store.add, parse_journal (strict and lenient, text
in memory, one chunk), the importers' hand-off, the Arrow bridge, import_csv
and read_parquet. An app or a script also writes through these, and each must
refuse the same bad record with the same field and reason, and leave what it
was writing to as it was:

- ``append_record`` and ``update_journal`` (how the ``calmkit log`` command and
  apps add to a journal file): the message of ``Journal.add`` (or, for the
  instrument registry's rules, of the writer), the file unchanged byte for byte;
- ``write_journal`` of a journal that holds a record the registry refuses:
  the writer's message, the file that was there unchanged, nothing left beside it;
- ``Store.add_journal``: ``Store.add``'s message, nothing added (an instrument the registry
  does not know, an answer off its scale, an id the store already holds);
- ``read_journal`` of a file, with the bad line thousands of lines after the
  first use of its id, read with 1 to 3 threads and windows of 1 MiB down to
  1,000 bytes: the line, field and reason of the one-thread read of text in
  memory (a share that sees the bad line must name the line of the first use
  in another share's window).

The expected messages are the hand-written ones of test_rules.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_rules import CASES, UTF8_CASES, Case, Utf8Case, message, reason_of

import calmkit

# The cases whose bad record can be made (the record classes refuse the others themselves).
MADE = [c for c in CASES if c.bad is not None and not c.type_refuses and not c.constructor_refuses]


def _add_message(c: Case) -> str:
    # Journal.add checks the model's rules; the instrument registry's are the writer's.
    return message(("cannot add " if c.journal_checks else "cannot write ") + c.record, c)


def _listing(folder: Path) -> list[str]:
    # The sidecar lock FILE.lock of append_record and update_journal stays by design (docs/store.md).
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".jsonl.lock"))


@pytest.mark.parametrize("c", MADE, ids=[c.name for c in MADE])
def test_append_record_and_update_journal_refuse_with_the_same_message(c: Case, tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    calmkit.write_journal(calmkit.Journal(c.before()), path)
    before, files = path.read_bytes(), _listing(tmp_path)
    with pytest.raises(ValueError) as err:
        calmkit.append_record(path, c.bad())
    assert str(err.value) == _add_message(c)
    assert path.read_bytes() == before and _listing(tmp_path) == files
    with pytest.raises(ValueError) as err:
        calmkit.update_journal(path, lambda j: j.add(c.bad()))
    assert str(err.value) == _add_message(c)
    assert path.read_bytes() == before and _listing(tmp_path) == files


REGISTRY = [c for c in MADE if not c.journal_checks]


@pytest.mark.parametrize("c", REGISTRY, ids=[c.name for c in REGISTRY])
def test_write_journal_and_store_add_journal_refuse_a_journal_holding_the_record(c: Case, tmp_path: Path) -> None:
    journal = calmkit.Journal(c.before())
    journal.add(c.bad())  # Journal leaves the registry's rules to the I/O layers
    path = tmp_path / "journal.jsonl"
    path.write_text("the file that was here\n")
    with pytest.raises(ValueError) as err:
        calmkit.write_journal(journal, path)
    assert str(err.value) == message("cannot write " + c.record, c)
    assert path.read_text() == "the file that was here\n" and _listing(tmp_path) == ["journal.jsonl"]

    db = tmp_path / "j.db"
    with calmkit.open_store(db) as store:
        with pytest.raises(ValueError) as err:
            store.add_journal(journal)
        assert str(err.value) == message(f"store '{db}': cannot add " + c.record, c)
        assert len(store) == 0  # all or nothing


def test_store_add_journal_refuses_an_id_the_store_holds_with_store_adds_message(tmp_path: Path) -> None:
    # The rule that needs the other records, when those are the store's rows.
    c = next(c for c in CASES if c.name == "duplicate trigger id")
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as store:
        for r in c.before():
            store.add(r)
        with pytest.raises(ValueError) as err:
            store.add(c.bad())
        assert str(err.value) == message(f"store '{db}': cannot add " + c.record, c)
        with pytest.raises(ValueError) as err:
            store.add_journal(calmkit.Journal([c.bad()]))
        assert str(err.value) == message(f"store '{db}': cannot add " + c.record, c)
        assert len(store) == len(c.before())


@pytest.mark.parametrize("threads, chunk_bytes", [(1, 1 << 20), (2, 4096), (3, 1000)])
@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_read_journal_of_a_file_in_windows_and_threads_says_the_same(c: Case, threads: int, chunk_bytes: int,
                                                                     tmp_path: Path) -> None:
    filler = "".join(
        calmkit.to_json(calmkit.Trigger(participant=f"z{i}", id="t1", time="2026-03-01T10:00:00Z",
                                        category="other", intensity=1)) + "\n" for i in range(3000))
    before = c.before()
    path = tmp_path / "rules.jsonl"
    path.write_text("".join(calmkit.to_json(r) + "\n" for r in before) + filler + c.line + "\n")
    line = len(before) + 3001
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(path, threads=threads, chunk_bytes=chunk_bytes)
    e = err.value
    assert (e.path, e.line, e.field, e.reason) == (str(path), line, c.field, reason_of(c) + c.reader_suffix)
    assert str(e) == f"{path}:{line}: field '{c.field}': {reason_of(c)}{c.reader_suffix}"
    result = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk_bytes)
    assert [(s.line, s.field, s.reason) for s in result.report.skipped] == [
        (line, c.field, reason_of(c) + c.reader_suffix)]
    assert len(result.journal) == len(before) + 3000


# The rule "text is UTF-8" (test_rules.UTF8_CASES) through the same paths: the
# reader checks whole lines and names the field only for a line that fails, in
# whichever thread and window it falls; append_record and update_journal refuse
# the record with Journal.add's message and leave the file as it was.
@pytest.mark.parametrize("threads, chunk_bytes", [(1, 1 << 20), (2, 4096), (3, 1000)])
@pytest.mark.parametrize("c", UTF8_CASES, ids=[c.name for c in UTF8_CASES])
def test_text_that_is_not_utf8_through_windows_threads_and_appends(c: Utf8Case, threads: int, chunk_bytes: int,
                                                                  tmp_path: Path) -> None:
    filler = "".join(
        calmkit.to_json(calmkit.Trigger(participant=f"z{i}", id="t1", time="2026-03-01T10:00:00Z",
                                        category="other", intensity=1)) + "\n" for i in range(3000))
    path = tmp_path / "rules.jsonl"
    path.write_bytes(filler.encode() + c.line + b"\n" + filler.replace('"z', '"y').encode())
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(path, threads=threads, chunk_bytes=chunk_bytes)
    e = err.value
    assert (e.path, e.line, e.field, e.reason) == (str(path), 3001, c.field, c.reason)
    result = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk_bytes)
    assert [(s.line, s.field, s.reason) for s in result.report.skipped] == [(3001, c.field, c.reason)]
    assert len(result.journal) == 6000

    if threads == 1:
        journal = tmp_path / "journal.jsonl"
        calmkit.write_journal(calmkit.Journal(), journal)
        before = journal.read_bytes()
        said = f"cannot add {c.record}: field '{c.field}': {c.reason}"
        with pytest.raises(ValueError) as err:
            calmkit.append_record(journal, c.bad())
        assert str(err.value) == said
        with pytest.raises(ValueError) as err:
            calmkit.update_journal(journal, lambda j: j.add(c.bad()))
        assert str(err.value) == said
        assert journal.read_bytes() == before
