"""A store shared by processes, as a web app with several workers shares it.

References: SQLite's rules, not calmkit's. The last connection to close a
database in WAL mode removes its ``-wal`` and ``-shm``, and it knows it is the
last by taking an EXCLUSIVE lock on the database file, which every open
connection prevents by holding SHARED (https://www.sqlite.org/walformat.html,
section 2.1; https://www.sqlite.org/howtocorrupt.html, section 2.2: closing any
descriptor of the file drops every POSIX lock the process holds on it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import calmkit

_ENV = dict(os.environ)


def _trigger(participant: str, i: int) -> calmkit.Trigger:
    return calmkit.Trigger(participant=participant, id=f"t{i}", time="2026-03-02T21:14:00+01:00",
                           category="other", intensity=3)


def _in_child(code: str, *args: str) -> str:
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=_ENV, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_a_second_open_in_this_process_keeps_the_first_stores_lock(tmp_path: Path):
    # Found in review: opening a store read its header with open()/close(), which
    # dropped the SQLite locks of a store this process already had open on the same
    # file. Another process closing then believed it was the last connection and
    # deleted the -wal and -shm both stores of this process were using.
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as s:
        s.add(_trigger("a", 0))
    first = calmkit.open_store(db)
    first.add(_trigger("a", 1))
    second = calmkit.open_store(db)  # the header check of this open must not touch first's locks
    assert calmkit.files._store_copy_note(db) is None
    _in_child("import calmkit, sys\n"
              "with calmkit.open_store(sys.argv[1]) as s:\n"
              "    s.add(calmkit.Trigger(participant='b', id='x', time='2026-03-02T21:14:00+01:00',"
              " category='other', intensity=3))\n", str(db))
    # Two connections of this process are open: the child was not the last one.
    assert (tmp_path / "j.db-wal").exists() and (tmp_path / "j.db-shm").exists()
    first.add(_trigger("a", 2))
    second.add(_trigger("a", 3))
    first.close()
    second.close()
    # The last to close folds the -wal in and leaves one file (docs/store.md).
    assert not (tmp_path / "j.db-wal").exists()
    out = _in_child("import calmkit, sys\n"
                    "with calmkit.open_store(sys.argv[1], read_only=True) as s:\n"
                    "    print(sorted((t.participant, t.id) for t in s.load().triggers))\n", str(db))
    assert out.strip() == str([("a", "t0"), ("a", "t1"), ("a", "t2"), ("a", "t3"), ("b", "x")])


_WORKER = r"""
import sys, warnings, calmkit
db, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
notes = 0
for i in range(n):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with calmkit.open_store(db) as s:
            s.add(calmkit.Trigger(participant=f"w{k}", id=f"t{i}", time="2026-03-02T21:14:00+01:00",
                                  category="other", intensity=3))
    notes += sum("last written in WAL mode" in str(w.message) for w in seen)
print(notes)
"""


def test_workers_opening_and_closing_a_store_are_never_told_it_is_a_copy(tmp_path: Path):
    # Found in review: opens warned that the store might be a copy missing records
    # while another process had it open with an empty -wal (after a checkpoint, or
    # before its first write). Nothing was missing; a web app would have told its
    # user otherwise. One connection stays open throughout, as in a server whose
    # workers come and go (the file then stays in WAL mode).
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as s:
        s.add(_trigger("start", 0))
    keeper = calmkit.open_store(db)
    n = 150
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(db), str(k), str(n)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_ENV) for k in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]
    keeper.close()
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    assert [int(out) for out, _ in outputs] == [0, 0]
    with calmkit.open_store(db, read_only=True) as s:
        assert len(s.load().triggers) == 1 + 2 * n  # and nothing was lost
    assert not (tmp_path / "j.db-wal").exists()  # the last to close left one file
