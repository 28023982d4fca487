"""Every ``calmkit`` subcommand given paths whose bytes are not UTF-8 (a folder
made by a Latin-1 system, a USB stick, an archive), as a shell hands them over:
bytes on argv, which Python turns into str with surrogate escapes
(``os.fsdecode``). Such a path works as ``open()`` takes it, and a message
about it names it (its odd bytes escaped), never with a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "sample-journal.jsonl"
DAYLIO = ROOT / "tests" / "data" / "importers" / "daylio_export.csv"


def run(*args: str | Path | bytes, stdin: str = "") -> subprocess.CompletedProcess[str]:
    argv = [a if isinstance(a, bytes) else os.fsencode(a) for a in args]
    p = subprocess.run([os.fsencode(sys.executable), b"-m", b"calmkit", *argv], input=stdin, capture_output=True,
                       text=True, errors="replace", timeout=300)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr[-2000:]
    return p


@pytest.fixture
def folder(tmp_path: Path) -> bytes:
    """A folder whose name ends in the bytes ff fe (no UTF-8), as bytes."""
    d = os.fsencode(tmp_path) + b"/d\xff\xfe"
    try:
        os.mkdir(d)
    except OSError as e:  # a file system that takes UTF-8 names only (macOS' APFS)
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    return d


def copy_of(src: Path, dest: bytes) -> bytes:
    shutil.copyfile(src, dest)
    return dest


def names(message: str, name: bytes) -> bool:
    """Whether ``message`` names the file ``name`` with its odd bytes escaped: as
    ``\\xe9`` (calmkit's C++ messages, ``calmkit.files.shown_path``) or as
    ``\\udce9`` (``calmkit.prompts.shown``, Python's repr)."""
    return any(form in message for form in (name.decode("utf-8", "backslashreplace"),
                                            repr(os.fsdecode(name))[1:-1]))


#: The folder's name as it appears in messages.
SHOWN = b"d\xff\xfe"


def test_summary_and_validate(folder: bytes) -> None:
    j = copy_of(SAMPLE, folder + b"/j\xe9.jsonl")
    p = run("summary", j)
    assert p.returncode == 0 and "Participant" in p.stdout, p.stderr
    p = run("validate", j)
    assert p.returncode == 0, p.stderr


def test_validate_names_a_broken_journal(folder: bytes) -> None:
    j = folder + b"/j\xe9.jsonl"
    with open(j, "wb") as f:
        f.write(SAMPLE.read_bytes() + b'{"type":"reading","participant":"p"}\n')
    p = run("validate", j)
    assert p.returncode == 1 and names(p.stdout + p.stderr, SHOWN) and "required field is missing" in p.stdout, (
        p.stdout[-1500:], p.stderr)
    p = run("summary", j)
    assert p.returncode == 1 and names(p.stderr, SHOWN) and "calmkit validate" in p.stderr, p.stderr


@pytest.mark.parametrize("command", [["summary"], ["validate"], ["report", "-o", "r.html"], ["backup", "c.db"],
                                     ["import", "daylio", "-o", "o.jsonl", "--tz", "Europe/Berlin"]])
def test_a_missing_input_is_named(command: list[str], folder: bytes, tmp_path: Path) -> None:
    missing = folder + b"/nope\xe9.jsonl"
    args = [command[0], missing, *[str(tmp_path / a) if a.endswith(("html", ".db", "jsonl")) else a
                                   for a in command[1:]]]
    p = run(*args)
    assert p.returncode == 2 and names(p.stderr, SHOWN) and names(p.stderr, b"nope\xe9.jsonl"), p.stderr


def test_report_from_and_to_such_paths(folder: bytes) -> None:
    j = copy_of(SAMPLE, folder + b"/j\xe9.jsonl")
    out = folder + b"/r\xe9.html"
    p = run("report", j, "-o", out)
    assert p.returncode == 0 and "wrote" in p.stdout, p.stderr
    html = open(out, "rb").read().decode("utf-8")  # the title names the journal in valid UTF-8
    assert "<title>calmkit progress report of j\\xe9.jsonl</title>" in html
    p = run("report", j, "-o", out)  # an existing output without --force
    assert p.returncode == 2 and names(p.stderr, b"r\xe9.html"), p.stderr


def test_import_from_and_to_such_paths(folder: bytes) -> None:
    src = copy_of(DAYLIO, folder + b"/export\xe9.csv")
    out = folder + b"/o\xe9.jsonl"
    p = run("import", "daylio", src, "-o", out, "--tz", "Europe/Berlin", "--mood", "Anxious=8")
    assert p.returncode == 0, p.stderr
    assert len(calmkit.read_journal(os.fsdecode(out))) > 0
    bad = folder + b"/bad\xe9.csv"
    with open(bad, "wb") as f:
        f.write(b"not,a,daylio,export\n1,2,3,4\n")
    p = run("import", "daylio", bad, "-o", folder + b"/o2.jsonl", "--tz", "Europe/Berlin")
    assert p.returncode != 0 and names(p.stderr, b"bad\xe9.csv"), p.stderr


def test_log_practice_and_assess_into_such_a_journal(folder: bytes) -> None:
    j = folder + b"/j\xe9.jsonl"
    p = run("log", "trigger", "--journal", j, "--category", "conflict", "--intensity", "6", "--participant", "p1",
            "--time", "2026-03-02T21:14:00+01:00")
    assert p.returncode == 0, p.stderr
    p = run("practice", "breathing.box", "--journal", j, "--speed", "1000000", "--participant", "p1",
            stdin="7\n3\n")
    assert p.returncode == 0 and "recorded ex-" in p.stdout, p.stderr
    p = run("assess", "gad-7", "--journal", j, "--participant", "p1", "--time", "2026-03-02T21:30:00+01:00",
            stdin="0\n1\n2\n3\n0\n1\n2\n")
    assert p.returncode == 0, p.stderr
    journal = calmkit.read_journal(os.fsdecode(j))
    assert (len(journal.triggers), len(journal.exercises), len(journal.assessments)) == (1, 1, 1)


def test_a_folder_given_as_the_journal_is_named(folder: bytes) -> None:
    p = run("log", "reading", "--journal", folder, "--intensity", "3")
    assert p.returncode == 2 and names(p.stderr, SHOWN), p.stderr


@pytest.mark.parametrize("command", ["now", "thought"])
def test_guided_commands_with_such_a_journal(command: str, folder: bytes) -> None:
    j = folder + b"/j\xe9.jsonl"
    p = run(command, "--journal", j, stdin="")  # the input ends at the first question
    assert p.returncode in (0, 2), p.stderr
    p = run(command, "--journal", folder, stdin="")
    assert p.returncode == 2 and names(p.stderr, SHOWN), p.stderr


def test_backup_of_a_store_to_such_paths(folder: bytes) -> None:
    store = folder + b"/s\xe9.db"
    p = run("log", "reading", "--journal", store, "--intensity", "3", "--time", "2026-03-02T21:14:00+01:00")
    assert p.returncode == 0, p.stderr
    dest = folder + b"/copy\xe9.db"
    p = run("backup", store, dest)
    assert p.returncode == 0 and "copied" in p.stdout, p.stderr
    with calmkit.open_store(os.fsdecode(dest), create=False, read_only=True) as st:
        assert len(st) == 1
    p = run("backup", store, dest)  # exists: --force needed
    assert p.returncode == 2 and names(p.stderr, b"copy\xe9.db"), p.stderr


def test_instruments_file_at_such_a_path(folder: bytes) -> None:
    defs = folder + b"/instr\xe9.json"
    with open(defs, "w", encoding="utf-8") as f:
        json.dump({"id": "sleep-ease", "name": "Sleep ease", "items": ["I fell asleep easily"], "scale_min": 0,
                   "scale_max": 4, "scale_labels": ["never", "rarely", "sometimes", "often", "always"],
                   "reverse_keyed": [], "total_rule": "sum"}, f)
    p = run("--instruments", defs, "assess", "--list")
    assert p.returncode == 0 and "sleep-ease" in p.stdout, p.stderr
    with open(defs, "w", encoding="utf-8") as f:
        f.write("{not json")
    p = run("--instruments", defs, "assess", "--list")
    assert p.returncode == 2 and names(p.stderr, b"instr\xe9.json"), p.stderr
