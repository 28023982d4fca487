"""A writer killed mid-write (SIGKILL: no handler, no clean-up) never leaves a
half-written journal: the target is the old file or the whole new one, read
back equal to what was written, and what may stay beside it is only the
writer's temporary file ``.NAME.tmp-PID-N`` (docs/store.md, "how the bytes
land"). The child process writes the same journal over and over and is
killed at several moments; whichever moment it is, only those two states may
be seen."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import calmkit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


@pytest.mark.parametrize("writer", ["write_journal", "write_parquet"])
def test_a_writer_killed_mid_write_leaves_the_old_file_or_the_new_one(writer: str, tmp_path: Path) -> None:
    if writer == "write_parquet":
        pytest.importorskip("pyarrow")
    target = tmp_path / ("j.jsonl" if writer == "write_journal" else "pq")
    if writer == "write_journal":
        target.write_text("the old journal\n")
    journal = calmkit.synthetic_journal(participants=60, days=60, seed=2)
    code = (f"import calmkit, sys\n"
            f"j = calmkit.synthetic_journal(participants=60, days=60, seed=2)\n"
            f"print('ready', flush=True)\n"
            f"while True:\n"
            f"    calmkit.{writer}(j, {str(target)!r})\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for delay in (0.01, 0.1, 0.3):
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
            time.sleep(delay)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        if writer == "write_journal":
            text = target.read_text()
            assert text == "the old journal\n" or calmkit.parse_journal(text) == journal, delay
            assert text == "the old journal\n" or text == calmkit.to_jsonl(journal)
        elif target.exists():  # a dataset replaced whole or not at all
            assert calmkit.read_parquet(target) == journal, delay
        left = [p.name for p in tmp_path.iterdir() if p != target]
        name = re.escape(target.name)
        assert all(re.fullmatch(rf"\.{name}\.tmp-\d+-\d+", n) for n in left), left
