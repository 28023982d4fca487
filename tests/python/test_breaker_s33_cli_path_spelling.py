"""How the command line spells a journal path whose bytes are not UTF-8 (a
folder a Latin-1 system named), against how calmkit's core spells it.

The core's messages show such a byte as ``\\xe9`` (SkippedLine.message,
JournalFormatError: "bytes of the path that are not UTF-8 shown as \\xNN"),
and docs/cli.md says undecodable bytes are written as Python-style escapes.

B57 (fixed): the command line's own lines show the same path through os.fsdecode's
surrogate escapes instead: ``calmkit summary`` of a broken journal at
``nu\\xe9/bad\\xff.jsonl`` prints the core's "nu\\xe9/bad\\xff.jsonl:1: ..." and
then "run 'calmkit validate 'nu\\udce9/bad\\udcff.jsonl''": one file, two
spellings in one run, and the spelling the hint offers is not the file's
bytes (``\\udce9`` is no byte). ``validate``'s count line, ``log``'s "added
... to" and "no such file" spell it the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BROKEN = b'{"type":"trigger"}\n'


def _run(*args: bytes | str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, cwd=cwd,
                          env=env, timeout=300)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = os.path.join(os.fsencode(tmp_path), b"nu\xe9")
    try:
        os.mkdir(d)
    except OSError as e:  # a file system that takes UTF-8 names only
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    return tmp_path


def test_the_core_spells_the_bytes_as_hex_escapes(folder: Path) -> None:
    with open(os.path.join(os.fsencode(folder), b"nu\xe9", b"bad\xff.jsonl"), "wb") as f:
        f.write(BROKEN)
    res = _run("validate", b"nu\xe9/bad\xff.jsonl", cwd=folder)
    assert res.returncode == 1
    assert b"nu\\xe9/bad\\xff.jsonl:1: field 'id'" in res.stdout + res.stderr


@pytest.mark.parametrize("command", ["summary", "validate", "log", "missing"])
def test_one_spelling_of_a_path_that_is_not_utf8(command: str, folder: Path) -> None:
    name = b"nu\xe9/bad\xff.jsonl"
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(BROKEN if command != "log" else b"")
    if command == "summary":
        res = _run("summary", name, cwd=folder)
    elif command == "validate":
        res = _run("validate", name, cwd=folder)
    elif command == "log":
        res = _run("log", "reading", "--journal", name, "--intensity", "3", "--time", "2026-05-01T10:00:00Z",
                   cwd=folder)
        assert res.returncode == 0, res.stderr
    else:
        res = _run("summary", b"nu\xe9/missing\xff.jsonl", cwd=folder)
        assert res.returncode == 2
    out = res.stdout + res.stderr
    assert b"nu\\xe9/" in out, out
    assert b"\\udc" not in out, out
