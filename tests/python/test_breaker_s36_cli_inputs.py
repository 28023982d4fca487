"""Outputs that are one of the command's own inputs, against docs/cli.md's
exit-status table: status 2 for "an output that is not allowed: ... one of the
command's own inputs (even with ``--force``)", and "--force never replaces
an input". The reference for "the same file" is the file system's (device,
inode), and for what must not happen, the input's own bytes before and after.

B108 (fixed): ``calmkit import mindlamp EVENTS --activities ACTS -o ACTS --force``
replaces the ``--activities`` file (the study's Activity objects, saved from
the LAMP API) with the journal made from it: the one input of ``import`` the
rule does not list.

B109 (fixed): ``calmkit --instruments FILE backup STORE FILE --force`` replaces the
instrument definitions with a copy of the store, where ``report`` and
``import`` refuse the same ``--instruments`` file as their output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAMP = REPO / "tests" / "data" / "importers" / "mindlamp"
SAMPLE = REPO / "examples" / "data" / "sample-journal.jsonl"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", CALMKIT_JOURNAL=str(cwd / "own.jsonl"))
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


@pytest.fixture
def lamp(tmp_path: Path) -> Path:
    shutil.copy(LAMP / "api_response.json", tmp_path / "events.json")
    shutil.copy(LAMP / "api_activities.json", tmp_path / "activities.json")
    return tmp_path


def test_the_activities_file_is_read(lamp: Path) -> None:
    """The case is real: --activities is an input of this import (it names what the events are)."""
    r = _run("import", "mindlamp", "events.json", "--activities", "activities.json", "--tz", "UTC",
             "-o", "out.jsonl", cwd=lamp)
    assert "wrote out.jsonl" in r.stdout, r.stderr
    r2 = _run("import", "mindlamp", "events.json", "--tz", "UTC", "-o", "out2.jsonl", cwd=lamp)
    assert "wrote out2.jsonl" in r2.stdout, r2.stderr
    assert (lamp / "out.jsonl").read_bytes() != (lamp / "out2.jsonl").read_bytes()


def test_the_events_file_is_never_the_output(lamp: Path) -> None:
    """The rule as it stands for the FILE argument."""
    before = (lamp / "events.json").read_bytes()
    r = _run("import", "mindlamp", "events.json", "--tz", "UTC", "-o", "events.json", "--force", cwd=lamp)
    assert r.returncode == 2 and "--force never replaces an input" in r.stderr, r.stderr
    assert (lamp / "events.json").read_bytes() == before


def test_the_activities_file_is_never_the_output(lamp: Path) -> None:
    before = (lamp / "activities.json").read_bytes()
    r = _run("import", "mindlamp", "events.json", "--activities", "activities.json", "--tz", "UTC",
             "-o", "activities.json", "--force", cwd=lamp)
    assert (lamp / "activities.json").read_bytes() == before, "B108: the --activities input was replaced"
    assert r.returncode == 2, r.stderr
    assert "--force never replaces an input" in r.stderr, r.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    r = _run("log", "reading", "--intensity", "3", "--journal", "s.db", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (tmp_path / "instruments.json").write_text("[]\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", [["report", str(SAMPLE), "-o"], ["import", "daylio", "x.csv", "--tz", "UTC", "-o"]])
def test_report_and_import_never_replace_an_instruments_file(store: Path, command: list[str]) -> None:
    (store / "x.csv").write_text("full_date,date,weekday,time,mood,activities,note\n", encoding="utf-8")
    r = _run("--instruments", "instruments.json", *command, "instruments.json", "--force", cwd=store)
    assert r.returncode == 2 and "--force never replaces an input" in r.stderr, r.stderr
    assert (store / "instruments.json").read_text(encoding="utf-8") == "[]\n"


def test_backup_never_replaces_an_instruments_file(store: Path) -> None:
    r = _run("--instruments", "instruments.json", "backup", "s.db", "instruments.json", "--force", cwd=store)
    assert (store / "instruments.json").read_bytes() == b"[]\n", "B109: backup replaced its --instruments input"
    assert r.returncode == 2 and "--force never replaces an input" in r.stderr, r.stderr


def test_backup_still_replaces_another_file_with_force(store: Path) -> None:
    """Guards the fix of B109: --force still replaces a file that is no input."""
    (store / "old.db").write_bytes(b"old")
    r = _run("--instruments", "instruments.json", "backup", "s.db", "old.db", "--force", cwd=store)
    assert r.returncode == 0, r.stderr
    assert (store / "old.db").read_bytes()[:16] == b"SQLite format 3\x00"


# B113 (fixed): ``--activities FILE`` is read whole whatever ``--max-input-bytes``
# says (docs/cli.md: "refuse a journal, import or instrument file bigger than
# this, or a pipe that gives more"), so ``--activities /dev/zero`` or a FIFO
# that never ends is read until memory runs out. The reference: the same
# command's FILE and ``--instruments`` files, refused over the limit.


def test_the_activities_file_obeys_the_input_limit(lamp: Path) -> None:
    text = (lamp / "activities.json").read_text(encoding="utf-8")
    (lamp / "activities.json").write_text(text + " " * 100_000, encoding="utf-8")  # still the same JSON
    limit = str(os.path.getsize(lamp / "events.json") + 1000)
    r = _run("--max-input-bytes", limit, "import", "mindlamp", "events.json", "--activities", "activities.json",
             "--tz", "UTC", "-o", "out.jsonl", cwd=lamp)
    assert r.returncode == 2, (r.returncode, r.stderr[-300:])
    assert "activities.json" in r.stderr and limit in r.stderr, r.stderr[-300:]
    assert not (lamp / "out.jsonl").exists()


def test_the_import_file_obeys_the_input_limit(lamp: Path) -> None:
    """The reference case: FILE over the same limit is refused, naming it and the limit."""
    (lamp / "events.json").write_text((lamp / "events.json").read_text(encoding="utf-8") + " " * 100_000,
                                      encoding="utf-8")
    r = _run("--max-input-bytes", "5000", "import", "mindlamp", "events.json", "--tz", "UTC", "-o", "out.jsonl",
             cwd=lamp)
    assert r.returncode == 2 and "5000" in r.stderr and "events.json" in r.stderr, r.stderr
