"""A strict read that stops at a bad first line while the reader's other threads still read later shares.

The file reader and its text source are made after the Reader in
src/io_read.cpp (`Reader reader(...)`, then `FileSource source(...)`), and the
Reader's threads read shares from the source. A strict read that fails on a
line leaves Reader::read by throwing; were the threads ended only in the
Reader's destructor, the source would be destroyed first (the reverse order
of construction) while the other threads may still be reading from it, unless Reader::read ends them before it leaves, as it does now.
A file of 3.8 MB whose first line is bad, read at 3-4 threads with
shares of 64 KiB to 1 MiB, a few hundred times in a child process: the child
must end normally and every read must raise JournalFormatError at line 1.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path


import calmkit

SCRIPT = """
import sys, calmkit
f = sys.argv[1]
for threads, chunk in ((4, 1 << 20), (3, 1 << 18), (4, 1 << 16)):
    for _ in range(100):
        try:
            calmkit.read_journal(f, threads=threads, chunk_bytes=chunk)
        except calmkit.JournalFormatError as e:
            assert e.line == 1, e
        else:
            raise SystemExit("no error")
print("done")
"""


def _child(f: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    here = str(Path(calmkit.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    # A crash of the child leaves no core file behind.
    return subprocess.run([sys.executable, "-c", SCRIPT, str(f)], capture_output=True, text=True, timeout=300,
                          env=env, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)))


def test_a_failed_strict_read_ends_its_threads_before_its_source(tmp_path: Path) -> None:
    good = (b'{"type":"reading","participant":"p","time":"2026-03-02T10:00:00Z","intensity":3,"note":"'
            + b"x" * 200 + b'"}\n')
    f = tmp_path / "j.jsonl"
    f.write_bytes(b'{"type":"reading"\n' + good * 13000)
    proc = _child(f)
    assert proc.returncode == 0 and proc.stdout.strip() == "done", (proc.returncode, proc.stderr[-800:])
