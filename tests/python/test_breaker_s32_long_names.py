"""File names as long as a file name may be (255 bytes, NAME_MAX on Linux,
macOS and NTFS), and names with a line break, given to calmkit's writers.

B38: every safe write goes through a temporary sibling named
``.<name>.tmp-<pid>-<n>`` (src/files.cpp), about 15 bytes longer than the
name the user gave: write_journal, write_parquet and ``calmkit report -o``
refuse a legal name of 240 bytes or more with "cannot write '<name>': File
name too long", though Python's open() creates the very file, and the name
the message blames is not too long.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
NAME_MAX = 255


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def _legal(path: Path) -> Path:
    """``path``, after checking that the file system takes its name (Python's open() creates it)."""
    try:
        with open(path, "w", encoding="utf-8"):
            pass
    except OSError as e:  # a file system with shorter names (eCryptfs): nothing to test here
        pytest.skip(f"this file system refuses a name of {len(path.name.encode())} bytes: {e}")
    path.unlink()
    return path


@pytest.mark.parametrize("length", [200, 230])
def test_write_journal_takes_a_long_name(length: int, journal: calmkit.Journal, tmp_path: Path) -> None:
    p = _legal(tmp_path / ("j" * (length - 6) + ".jsonl"))
    calmkit.write_journal(journal, p)
    assert calmkit.read_journal(p) == journal


@pytest.mark.parametrize("length", [245, NAME_MAX])
def test_write_journal_takes_a_name_as_long_as_a_name_may_be(length: int, journal: calmkit.Journal,
                                                             tmp_path: Path) -> None:
    p = _legal(tmp_path / ("j" * (length - 6) + ".jsonl"))
    calmkit.write_journal(journal, p)
    assert calmkit.read_journal(p) == journal


def test_write_parquet_takes_a_folder_name_as_long_as_a_name_may_be(journal: calmkit.Journal,
                                                                    tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    d = _legal(tmp_path / ("d" * NAME_MAX))
    calmkit.write_parquet(journal, d)
    assert calmkit.read_parquet(d) == journal


def test_report_writes_to_a_name_as_long_as_a_name_may_be(tmp_path: Path) -> None:
    out = _legal(tmp_path / ("r" * (NAME_MAX - 5) + ".html"))
    done = subprocess.run([sys.executable, "-m", "calmkit", "report", str(SAMPLE), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1500:]
    assert out.stat().st_size > 0


@pytest.mark.parametrize("name", ["two\nlines.jsonl", "tab\there.jsonl", " lead and trail .jsonl", "-starts-with-dash.jsonl"])
def test_names_with_line_breaks_tabs_spaces_and_dashes(name: str, journal: calmkit.Journal, tmp_path: Path) -> None:
    p = tmp_path / name
    calmkit.write_journal(journal, p)
    assert calmkit.read_journal(p) == journal
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary file left


def test_validate_names_a_file_with_a_line_break_in_its_name(journal: calmkit.Journal, tmp_path: Path) -> None:
    p = tmp_path / "two\nlines.jsonl"
    calmkit.write_journal(journal, p)
    done = subprocess.run([sys.executable, "-m", "calmkit", "validate", "--", str(p)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1500:]
    assert str(p) in done.stdout or repr(str(p))[1:-1] in done.stdout, done.stdout


def test_a_journal_with_a_name_as_long_as_a_name_may_be_takes_a_locked_entry(tmp_path: Path) -> None:
    """``calmkit log`` locks the journal through a sidecar ``NAME.lock``; for a
    name of 251-255 bytes that sidecar is cut short and tagged with a hash of
    the whole name, so the lock is still taken and still one per journal."""
    p = _legal(tmp_path / ("j" * (NAME_MAX - 6) + ".jsonl"))
    q = _legal(tmp_path / ("j" * (NAME_MAX - 7) + "k.jsonl"))  # the same first 240 bytes
    for journal_file in (p, q):
        done = subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(journal_file),
                               "--intensity", "3"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-1500:]
        assert len(calmkit.read_journal(journal_file).readings) == 1
    locks = sorted(n for n in os.listdir(tmp_path) if n.endswith(".lock"))
    assert len(locks) == 2 and all(len(n.encode()) <= NAME_MAX for n in locks), locks
