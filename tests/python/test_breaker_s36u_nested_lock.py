"""A change given to update_journal that itself appends to the same journal.

update_journal holds the journal's lock (flock on PATH.lock) while the change
runs; append_records called from inside the change asks for the same lock on
a descriptor of its own, and flock makes it wait for the holder: itself. The
project's rule for bad input is a clear error, never a hang: the nested call
must raise (naming the journal and the lock its own caller holds), and the
file must be left as the outer call leaves it. Run in a child process with a
time-out, so that a hang fails the test instead of stopping the suite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    import calmkit

    path = sys.argv[1]

    def change(j):
        try:
            calmkit.append_records(path, [calmkit.Reading(id="r2", time="2026-03-03T08:00:00+01:00", intensity=2)])
        except (OSError, RuntimeError, ValueError) as e:
            print("nested call refused:", e)
        j.add(calmkit.Reading(id="r3", time="2026-03-03T09:00:00+01:00", intensity=2))

    calmkit.update_journal(path, change)
    print("ids", sorted(r.id for r in calmkit.read_journal(path).readings))
    """
)


def test_append_inside_update_of_the_same_journal_raises_instead_of_hanging(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    first = {"type": "reading", "id": "r1", "time": "2026-03-02T21:00:00+01:00", "intensity": 1}
    path.write_bytes(json.dumps(first).encode() + b"\n")
    try:
        run = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True,
                             timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("update_journal with a nested append_records on the same journal did not end in 10 s")
    assert run.returncode == 0, run.stderr
    assert "nested call refused:" in run.stdout and str(path) in run.stdout
    assert "ids ['r1', 'r3']" in run.stdout
