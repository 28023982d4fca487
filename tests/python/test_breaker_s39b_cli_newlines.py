"""File names and arguments holding a newline in the command line's messages.

docs/cli.md ("Text from journals on the terminal"): "a newline inside a
single value (an id, a participant, a file name) is written ``\\n``, so no
value can forge a line of the output", and "Every error is one or two lines
in plain words on stderr, starting with ``calmkit:``". A file name is any
bytes but NUL and ``/`` (POSIX), so a journal shared as
``notes\\ncalmkit: journal checked, no problems.jsonl`` is a legal name. The
reference for what calmkit was given is the name itself: each must come back
in the message escaped as ``\\n``, and every line of stderr must be one that
calmkit wrote (``calmkit: ...``, argparse's usage, or calmkit's own hint).

B275 (fixed): the top-level handler printed every message with the newlines
kept (``shown(e, newlines=True)``), so ``calmkit summary`` of a missing file,
a folder or a journal with a bad line, ``validate`` of an unreadable file and
argparse's "unrecognized arguments" printed the name's second half as a line
of its own, e.g. ``calmkit: forged``; ``import`` printed its report's lines
with the source's name unescaped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FORGED = "calmkit: journal checked, no problems"
B275 = "B275: a newline in a file name forged a line of calmkit's output"


def _calmkit(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CALMKIT_JOURNAL": str(cwd / "default.jsonl")}
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def _only_calmkits_lines(text: str) -> None:
    for line in text.splitlines():
        assert FORGED not in line or "\\n" in line, (B275, text)
        assert line.startswith(("calmkit: ", "usage: ", "   ", "(--lenient")), (B275, text)


def test_a_missing_journal(tmp_path: Path) -> None:
    p = _calmkit(tmp_path, "summary", f"nope\n{FORGED}.jsonl")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1, (B275, p.stderr)
    assert f"nope\\n{FORGED}.jsonl" in p.stderr


def test_a_folder(tmp_path: Path) -> None:
    (tmp_path / f"d\n{FORGED}").mkdir()
    p = _calmkit(tmp_path, "summary", f"d\n{FORGED}")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1, (B275, p.stderr)


def test_a_journal_with_a_bad_line(tmp_path: Path) -> None:
    name = f"bad\n{FORGED}.jsonl"
    (tmp_path / name).write_text('{"type":"trigger","id":"t1","time":"bad","category":"conflict","intensity":3}\n',
                                 encoding="utf-8")
    p = _calmkit(tmp_path, "summary", name)
    assert p.returncode == 1
    _only_calmkits_lines(p.stderr)
    assert p.stderr.count("\n") == 2, (B275, p.stderr)  # the problem, and "run 'calmkit validate ...'"
    assert f"bad\\n{FORGED}.jsonl:1: field 'time'" in p.stderr


def test_validate_of_a_file_it_cannot_read_as_a_journal(tmp_path: Path) -> None:
    name = f"new\n{FORGED}.jsonl"
    (tmp_path / name).write_text('{"type":"header","format":"calmkit-journal","version":99}\n', encoding="utf-8")
    p = _calmkit(tmp_path, "validate", name)
    assert p.returncode == 1
    _only_calmkits_lines(p.stdout.replace(f"new\\n{FORGED}.jsonl", "calmkit: "))  # each line names the file
    assert p.stdout.count("\n") == 2, (B275, p.stdout)


def test_an_unrecognized_argument(tmp_path: Path) -> None:
    p = _calmkit(tmp_path, "summary", "j.jsonl", f"extra\n{FORGED}")
    assert p.returncode == 2
    _only_calmkits_lines(p.stderr)
    assert f"extra\\n{FORGED}" in p.stderr


def test_an_import_of_a_bad_file_says_it_in_two_lines(tmp_path: Path) -> None:
    name = f"daylio\n{FORGED}.csv"
    (tmp_path / name).write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                                 "2026-13-45,March 2,Monday,21:14,rad,,,\n", encoding="utf-8")
    p = _calmkit(tmp_path, "import", "daylio", name, "--tz", "UTC", "-o", "out.jsonl")
    assert p.returncode == 1
    _only_calmkits_lines(p.stderr)
    assert p.stderr.count("\n") == 2, (B275, p.stderr)  # the problem, and the --lenient hint
    assert p.stderr.splitlines()[1] == "(--lenient skips bad rows and lists them instead)"


@pytest.mark.parametrize("lenient", [True])
def test_an_imports_report_shows_the_source_on_one_line(tmp_path: Path, lenient: bool) -> None:
    name = f"daylio\n{FORGED}.csv"
    (tmp_path / name).write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                                 "2026-03-02,March 2,Monday,21:14,awful,,,\n"
                                 "2026-13-45,March 2,Monday,21:14,rad,,,\n", encoding="utf-8")
    p = _calmkit(tmp_path, "import", "daylio", name, "--tz", "UTC", "-o", "out.jsonl", "--lenient")
    assert p.returncode == 1, p.stderr
    for line in p.stdout.splitlines():
        assert not line.startswith(f"{FORGED}.csv"), (B275, p.stdout)
    assert f"daylio\\n{FORGED}.csv" in p.stdout
