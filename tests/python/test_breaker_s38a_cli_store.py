"""The command line's statuses and messages for a journal record longer than
the line limit and for a file that is not a calmkit store.

A record longer than the reader's line limit (16 MiB) is data with a problem:
docs/cli.md's table of exit statuses gives it status 1 ("a line longer than
16 MiB"), not the status 2 of bad usage; each command says so in one or two
lines, without a traceback.

B237: a store's error already names its file (``store 'PATH' is an SQLite
database but not a calmkit store``), and the command line put the path in
front of it once more: ``cannot read the store PATH: store 'PATH' ...``.
Each message now says the path once.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, timeout=120,
                          env=env, input=stdin)


def _status_of(words: str) -> int:
    """The status docs/cli.md's table of exit statuses gives the example ``words``."""
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for row in re.findall(r"^\| (\d+) \| [^|]+ \| ([^\n]+) \|$", text, flags=re.M):
        if words in row[1]:
            return int(row[0])
    raise AssertionError(f"no status row of docs/cli.md names {words!r}")


@pytest.fixture(scope="module")
def long_record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "journal.jsonl"
    header = json.dumps({"type": "header", "format": "calmkit-journal", "version": 1})
    record = json.dumps({"type": "trigger", "id": "t1", "participant": "p1", "time": "2026-03-02T10:00:00Z",
                         "intensity": 5, "category": "other", "context": "x" * (17 << 20)})
    path.write_text(header + "\n" + record + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["summary"], ["validate"], ["report", "-o", "{out}"]],
                         ids=["summary", "validate", "report"])
def test_a_record_over_the_line_limit_has_the_documented_status(long_record: Path, tmp_path: Path,
                                                               command: list[str]) -> None:
    args = [a.format(out=tmp_path / "r.html") for a in command]
    done = _run(args[0], str(long_record), *args[1:])
    assert done.returncode == _status_of("a line longer than 16 MiB") == 1, done.stderr
    assert "Traceback" not in done.stderr
    said = done.stdout + done.stderr  # validate lists its problems on stdout
    assert f"{long_record}:2:" in said and "longer than 16 MiB" in said, said
    assert not (tmp_path / "r.html").exists()


@pytest.fixture()
def foreign_store(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (a TEXT)")
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("command", [["summary", "{p}"], ["validate", "{p}"], ["report", "{p}", "-o", "{out}"],
                                     ["log", "trigger", "--journal", "{p}", "--intensity", "6", "--category", "other"]],
                         ids=["summary", "validate", "report", "log"])
def test_a_foreign_sqlite_file_is_named_once(foreign_store: Path, tmp_path: Path, command: list[str]) -> None:
    args = [a.format(p=foreign_store, out=tmp_path / "r.html") for a in command]
    done = _run(*args)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert "not a calmkit store" in done.stderr, done.stderr
    assert done.stderr.count(str(foreign_store)) == 1, done.stderr


def test_a_folder_named_like_a_store_is_named_once(tmp_path: Path) -> None:
    folder = tmp_path / "journal.db"
    folder.mkdir()
    done = _run("log", "trigger", "--journal", str(folder), "--intensity", "6", "--category", "other")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count(str(folder)) == 1, done.stderr


def test_open_store_messages_name_the_path_once(foreign_store: Path, tmp_path: Path) -> None:
    import calmkit

    cases = [(foreign_store, {}), (tmp_path / "missing.db", {"create": False}),
             (tmp_path / "missing2.db", {"read_only": True}), (tmp_path / "no" / "dir.db", {}), (tmp_path, {})]
    for path, options in cases:
        with pytest.raises((RuntimeError, ValueError)) as e:
            calmkit.open_store(path, **options)
        assert str(e.value).count(str(path)) == 1, str(e.value)
