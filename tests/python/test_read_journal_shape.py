"""read_journal has one shape in C++ and Python (docs/architecture.md,
"Reading a journal, in both languages"): the fields and defaults of
calmkit::ReadOptions and calmkit::ReadResult are read from
include/calmkit/io.hpp here and compared with the Python functions'
signatures (pybind11's first docstring line) and with what they return."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]
IO_HPP = (REPO / "include" / "calmkit" / "io.hpp").read_text(encoding="utf-8")


def cpp_struct(name: str) -> list[tuple[str, str | None]]:
    """(field, default expression or None) of a C++ struct, in order."""
    body = re.search(rf"struct {name} \{{(.*?)\n\}};", IO_HPP, re.S)
    assert body, name
    code = re.sub(r"///[^\n]*|//[^\n]*", "", body.group(1))
    out = []
    for stmt in code.split(";"):
        m = re.fullmatch(r"\s*[\w:<>]+\s+(\w+)(?:\s*=\s*(.+?))?\s*", stmt, re.S)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def cpp_value(expr: str) -> object:
    """The value of a default such as `false` or `std::uint64_t{4} << 30`."""
    if expr in ("true", "false"):
        return expr == "true"
    plain = re.sub(r"std::\w+\{(\d+)\}", r"\1", expr)
    assert re.fullmatch(r"[\d\s<()]+", plain), expr
    return eval(plain)  # digits and << only, checked above


def python_keywords(function: object) -> list[tuple[str, object]]:
    first = (function.__doc__ or "").splitlines()[0]
    keyword_part = first.split("*,", 1)[1].rsplit(")", 1)[0]
    out = []
    for name, default in re.findall(r"(\w+): [^=,]+ = ([^,]+)", keyword_part):
        out.append((name, eval(default.strip())))
    return out


def test_the_cpp_side_is_what_the_doc_says() -> None:
    assert [f for f, _ in cpp_struct("ReadOptions")] == ["lenient", "max_bytes", "max_line_bytes", "threads",
                                                         "chunk_bytes"]
    assert [f for f, _ in cpp_struct("ReadResult")] == ["journal", "report"]


@pytest.mark.parametrize("function", [calmkit.read_journal, calmkit.read_journal_with_report],
                         ids=lambda f: f.__name__)
def test_python_takes_read_options_fields_with_their_defaults(function: object) -> None:
    expected = [(name, cpp_value(default)) for name, default in cpp_struct("ReadOptions")]
    assert python_keywords(function) == expected


def test_python_returns_read_result(sample_journal_path: Path, tmp_path: Path) -> None:
    result = calmkit.read_journal_with_report(sample_journal_path)
    assert isinstance(result, calmkit.ReadResult)
    for field, _ in cpp_struct("ReadResult"):
        assert hasattr(result, field)
    journal, report = result  # still unpacks as the pair it was
    assert journal is result.journal and report is result.report
    assert (result[0], result[-1]) == (result.journal, result.report) and len(result) == 2
    with pytest.raises(IndexError):
        result[2]
    assert len(journal.triggers) == len(calmkit.read_journal(sample_journal_path).triggers)
    assert report.records == len(journal)
    parsed = calmkit.parse_journal_with_report(sample_journal_path.read_text(encoding="utf-8"), name="x")
    assert isinstance(parsed, calmkit.ReadResult) and parsed.report.path == "x"
    # chunk_bytes is passed through: the smallest window gives the same journal.
    small = calmkit.read_journal_with_report(sample_journal_path, chunk_bytes=1024, threads=2)
    assert calmkit.to_jsonl(small.journal) == calmkit.to_jsonl(journal)


def test_a_record_without_participant_keys_the_same_before_and_after_one_with_a_participant() -> None:
    """A record without a participant, read before any record names one, is
    keyed as the same record read after one: the trigger of the no-participant
    reading is found in every order of the three lines (a share that had read
    no participant yet keyed the first record with a stale hash)."""
    import itertools

    t = "2026-03-03T10:00:00Z"
    lines = [f'{{"type":"trigger","id":"t","time":"{t}","category":"other","intensity":5}}',
             f'{{"type":"trigger","participant":"a","id":"x","time":"{t}","category":"other","intensity":5}}',
             f'{{"type":"reading","time":"{t}","intensity":3,"trigger":"t"}}']
    for order in itertools.permutations(lines):
        j = calmkit.parse_journal("\n".join(order) + "\n")
        assert [(r.participant, r.trigger) for r in j.readings] == [("", "t")]


@pytest.mark.parametrize("chunk_bytes", [1 << 30, 2**62, 2**64 - 1])
def test_a_chunk_far_past_the_file_reads_it_in_one_share(sample_journal_path: Path, tmp_path: Path,
                                                          chunk_bytes: int) -> None:
    """chunk_bytes sizes a share's buffer only up to the file's size: a share
    of 2**62 bytes asked for on a file of 200 KB failed as out of memory. A
    pipe's shares are capped too (its size is unknown)."""
    import os
    import threading

    expected = calmkit.to_jsonl(calmkit.read_journal(sample_journal_path))
    for threads in (1, 2):
        got = calmkit.read_journal(sample_journal_path, chunk_bytes=chunk_bytes, threads=threads)
        assert calmkit.to_jsonl(got) == expected
    fifo = tmp_path / "journal.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(sample_journal_path.read_bytes()))
    writer.start()
    try:
        got = calmkit.read_journal(fifo, chunk_bytes=chunk_bytes)
    finally:
        writer.join()
    assert calmkit.to_jsonl(got) == expected


def test_references_before_and_after_their_triggers_with_short_and_long_ids(tmp_path: Path) -> None:
    """A reference whose trigger comes later waits for the end of the read
    with its trigger's id (kept apart when it is longer than 16 bytes) and
    its record's participant; one whose trigger came before is linked as its
    share is merged. Both give the same links, and the same report for a
    trigger that never comes, for any threads and shares."""
    t = "2026-03-03T10:00:00Z"
    ids = ["t", "x" * 16, "y" * 17, "z" * 300]
    lines = ['{"type":"header","format":"calmkit-journal","version":1}']
    for p in ["a", "b" * 20]:
        for i in ids:
            lines.append(f'{{"type":"reading","participant":"{p}","time":"{t}","intensity":3,'
                         f'"trigger":"{i}"}}')
        for i in ids:
            lines.append(f'{{"type":"trigger","participant":"{p}","id":"{i}","time":"{t}",'
                         f'"category":"other","intensity":5}}')
        for i in ids:
            lines.append(f'{{"type":"reading","participant":"{p}","time":"{t}","intensity":4,'
                         f'"trigger":"{i}"}}')
    missing = f'{{"type":"reading","participant":"a","time":"{t}","intensity":1,"trigger":"{"q" * 40}"}}'
    path = tmp_path / "refs.jsonl"
    path.write_text("\n".join(lines + [missing] * 3) + "\n", encoding="utf-8")
    expected = sorted((p, i, k) for p in ["a", "b" * 20] for i in ids for k in (3, 4))
    for threads, chunk in [(1, 1 << 20), (2, 1024), (3, 1024)]:
        journal, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads,
                                                           chunk_bytes=chunk)
        assert sorted((r.participant, r.trigger, r.intensity) for r in journal.readings) == expected
        assert [s.line for s in report.skipped] == [len(lines) + 1, len(lines) + 2, len(lines) + 3]
        assert all("q" * 40 in s.reason and s.field == "trigger" for s in report.skipped)
        with pytest.raises(calmkit.JournalFormatError, match=f"jsonl:{len(lines) + 1}: "):
            calmkit.read_journal(path, threads=threads, chunk_bytes=chunk)
