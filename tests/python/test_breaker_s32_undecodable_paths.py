"""Paths whose bytes are not UTF-8 (a folder made by a Latin-1 system, a USB
stick, an archive), as Python hands them over: str with surrogate escapes
(``os.fsdecode(b"caf\\xe9")`` is ``"caf\\udce9"``), the form open() and every
os function take. Every path calmkit takes must work as open() does.

- B39 (fixed): read_parquet of such a folder raised pybind11's TypeError
  ("_ArrowImport(name: str = '<arrow>') ... Invoked with: '.../\\udcff...'"),
  and read_jsonl_shards "ValueError: argument 'name': is not valid UTF-8":
  the folder's path becomes the name the errors give, a text argument.
  write_parquet of the same folder works, and so does read_journal of a file there.
- B40 (fixed): open_store of such a path raised pybind11's TypeError from
  ``_store_copy_note(path: str)``; ``calmkit backup`` died with its traceback.
  (``calmkit log --journal x.db`` into the same folder works.)
- B41 (fixed): ``calmkit report`` of a journal at such a path stopped with
  status 2 and "the text holds characters that are not valid Unicode (lone
  surrogates)": the report's title named the file with its surrogate escapes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import calmkit

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder whose name is the bytes ff fe (no UTF-8), as Python names it."""
    d = tmp_path / os.fsdecode(b"\xff\xfe")
    try:
        d.mkdir()
    except (OSError, UnicodeEncodeError) as e:  # a file system that takes UTF-8 names only (macOS' APFS)
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    return d


def _name(text: bytes) -> str:
    return os.fsdecode(text)


WORKS: dict[str, Callable[[Any, Path], Any]] = {
    "write_journal and read_journal": lambda j, d: (calmkit.write_journal(j, d / _name(b"j\xe9.jsonl")),
                                                    calmkit.read_journal(d / _name(b"j\xe9.jsonl"))),
    "read_journal_with_report of a str": lambda j, d: (calmkit.write_journal(j, d / "j.jsonl"),
                                                       calmkit.read_journal_with_report(str(d / "j.jsonl"))),
    "append_record": lambda j, d: calmkit.append_record(
        d / _name(b"a\xe9.jsonl"), calmkit.Reading(participant="p", time="2026-05-01T10:00:00Z", intensity=3)),
    "write_file": lambda j, d: calmkit.write_file(d / _name(b"f\xe9.txt"), b"x"),
    "write_folder": lambda j, d: calmkit.write_folder(d / _name(b"w\xe9"), {_name(b"a\xe9.txt"): b"x"}),
    "export_csv and import_csv": lambda j, d: (calmkit.export_csv(j, d / _name(b"c\xe9")),
                                               calmkit.import_csv(d / _name(b"c\xe9"))),
    "FileLock": lambda j, d: calmkit.FileLock(str(d / _name(b"l\xe9.jsonl"))).__enter__(),
}


@pytest.mark.parametrize("what", sorted(WORKS))
def test_paths_that_are_not_utf8_work_as_open_does(what: str, journal: calmkit.Journal, folder: Path) -> None:
    WORKS[what](journal, folder)


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_write_parquet_into_such_a_folder(layout: str, journal: calmkit.Journal, folder: Path) -> None:
    pytest.importorskip("pyarrow")
    d = calmkit.write_parquet(journal, folder / _name(b"d\xe9"), partition_by=layout)
    assert (d / "triggers" / "_common_metadata").is_file()


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_read_parquet_of_such_a_folder(layout: str, journal: calmkit.Journal, folder: Path) -> None:
    pytest.importorskip("pyarrow")
    d = calmkit.write_parquet(journal, folder / _name(b"d\xe9"), partition_by=layout)
    assert calmkit.read_parquet(d) == journal


def test_read_jsonl_shards_of_such_a_folder(journal: calmkit.Journal, folder: Path) -> None:
    calmkit.write_journal(journal, folder / "a.jsonl")
    assert calmkit.read_jsonl_shards(folder) == journal


def test_open_store_at_such_a_path(journal: calmkit.Journal, folder: Path) -> None:
    with calmkit.open_store(folder / _name(b"s\xe9.db")) as store:
        store.add_journal(journal)
    with calmkit.open_store(folder / _name(b"s\xe9.db"), create=False) as store:
        assert len(store.load()) == len(journal)


def _calmkit(*args: str | Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def test_log_into_a_store_at_such_a_path(folder: Path) -> None:
    done = _calmkit("log", "reading", "--journal", folder / _name(b"s\xe9.db"), "--intensity", "3")
    assert done.returncode == 0, done.stderr[-1500:]


def test_backup_of_a_store_at_such_a_path(journal: calmkit.Journal, folder: Path) -> None:
    src = folder / _name(b"s\xe9.db")
    with calmkit.open_store(src) as store:
        store.add_journal(journal)
    done = _calmkit("backup", src, folder / _name(b"copy\xe9.db"))
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 0, done.stderr[-1500:]
    with calmkit.open_store(folder / _name(b"copy\xe9.db"), create=False, read_only=True) as copy:
        assert len(copy) == len(journal)


def test_backup_of_a_journal_at_such_a_path_says_it_is_no_store(folder: Path) -> None:
    # backup copies stores; a JSON Lines journal is refused, naming it, without a traceback.
    src = folder / _name(b"j\xe9.jsonl")
    shutil.copyfile(SAMPLE, src)
    done = _calmkit("backup", src, folder / "copy.jsonl")
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 1 and "j\\xe9.jsonl is not a store" in done.stderr, done.stderr[-1500:]
    assert not (folder / "copy.jsonl").exists()


def test_validate_of_a_journal_at_such_a_path(folder: Path) -> None:
    src = folder / _name(b"j\xe9.jsonl")
    shutil.copyfile(SAMPLE, src)
    done = _calmkit("validate", src)
    assert done.returncode == 0, done.stderr[-1500:]


def test_report_into_such_a_path(folder: Path) -> None:
    out = folder / _name(b"r\xe9.html")
    done = _calmkit("report", SAMPLE, "-o", out)
    assert done.returncode == 0, done.stderr[-1500:]
    assert out.stat().st_size > 0


def test_report_of_a_journal_at_such_a_path(folder: Path, tmp_path: Path) -> None:
    src = folder / _name(b"j\xe9.jsonl")
    shutil.copyfile(SAMPLE, src)
    out = tmp_path / "report.html"
    done = _calmkit("report", src, "-o", out)
    assert done.returncode == 0, done.stderr[-1500:]
    assert out.stat().st_size > 0
