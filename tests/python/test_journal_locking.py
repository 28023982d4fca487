"""Adding to a journal is safe under concurrency: processes and threads that
add through calmkit.add_record / update_journal (and the log, practice and
assess commands, which use it) never lose an acknowledged record."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import calmkit

WRITER = textwrap.dedent("""
    import sys, calmkit
    path, worker, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for k in range(n):
        # Every worker uses the same time; the id is chosen from what is in the
        # journal while the lock is held, as the commands do.
        calmkit.add_record(path, lambda j: calmkit.Trigger(
            id=f"t-{len(j.triggers) + 1}", time="2026-03-02T21:14:00+01:00", category="delayed_reply",
            intensity=k % 11, context=f"{worker}/{k}"))
""")


def records_of(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if json.loads(line)["type"] != "header"]


def test_four_processes_of_25_appends_lose_nothing(tmp_path: Path):
    path = tmp_path / "journal.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{w}", "25"]) for w in range(4)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0, 0]
    recs = records_of(path)
    assert len(recs) == 100
    assert len({r["id"] for r in recs}) == 100
    assert sorted(r["context"] for r in recs) == sorted(f"w{w}/{k}" for w in range(4) for k in range(25))
    assert len(path.read_text(encoding="utf-8").splitlines()) == 101  # the header and 100 records
    assert (tmp_path / "journal.jsonl.lock").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.jsonl", "journal.jsonl.lock"]


def test_threads_of_one_process_exclude_each_other(tmp_path: Path):
    path = tmp_path / "journal.jsonl"
    t0 = dt.datetime(2026, 3, 2, 21, 14, tzinfo=dt.timezone.utc)

    def work(w: int) -> None:
        for k in range(25):
            calmkit.update_journal(path, lambda j, k=k: j.add(calmkit.Reading(
                id=f"r-{len(j.readings) + 1}", time=t0, intensity=3, note=f"{w}/{k}")))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    j = calmkit.read_journal(path)
    assert len(j.readings) == 100 and len({r.id for r in j.readings}) == 100


def test_parallel_log_commands_lose_nothing(tmp_path: Path):
    """Three shells each running four `calmkit log trigger` at the same minute:
    before the lock, entries went missing with every call exiting 0."""
    path = tmp_path / "journal.jsonl"
    script = textwrap.dedent("""
        import subprocess, sys
        for k in range(4):
            subprocess.run([sys.executable, "-m", "calmkit", "log", "trigger", "--journal", sys.argv[1],
                            "--category", "conflict", "--intensity", "4", "--time", "2026-03-02T21:14",
                            "--note", f"{sys.argv[2]}/{k}"], check=True, capture_output=True)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), f"s{s}"]) for s in range(3)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0]
    recs = records_of(path)
    assert sorted(r["context"] for r in recs) == sorted(f"s{s}/{k}" for s in range(3) for k in range(4))
    assert len({r["id"] for r in recs}) == 12


def test_a_failing_change_leaves_the_journal_as_it_was(tmp_path: Path):
    path = tmp_path / "journal.jsonl"
    t0 = "2026-03-02T21:14:00+01:00"
    calmkit.append_record(path, calmkit.Reading(id="r1", time=t0, intensity=3))
    before = path.read_bytes()

    def boom(j: calmkit.Journal) -> None:
        j.add(calmkit.Reading(id="r2", time=t0, intensity=3))
        raise KeyError("stop")

    with pytest.raises(KeyError):
        calmkit.update_journal(path, boom)
    with pytest.raises(ValueError, match="r1"):
        calmkit.append_record(path, calmkit.Reading(id="r1", time=t0, intensity=5))  # a duplicate id
    assert path.read_bytes() == before
    # The lock was released each time: a later change goes through.
    calmkit.append_record(path, calmkit.Reading(id="r3", time=t0, intensity=3))
    assert len(calmkit.read_journal(path).readings) == 2


def test_a_broken_journal_is_not_rewritten(tmp_path: Path):
    path = tmp_path / "journal.jsonl"
    path.write_text('{"type":"reading","id":"r1","time":"2026-03-02T21:14:00+01:00","intensity":11}\n')
    before = path.read_bytes()
    with pytest.raises(calmkit.JournalFormatError, match="intensity"):
        calmkit.append_record(path, calmkit.Reading(id="r2", time="2026-03-02T21:15:00+01:00", intensity=3))
    assert path.read_bytes() == before


def test_the_lock_is_shared_through_a_symlink(tmp_path: Path):
    real = tmp_path / "real.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    with calmkit.FileLock(link) as lock:
        assert lock.lock_path == tmp_path / "real.jsonl.lock"
        # Another open of the same lock file cannot take it while it is held.
        import fcntl

        fd = os.open(tmp_path / "real.jsonl.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    assert lock.lock_path is None
    fd = os.open(tmp_path / "real.jsonl.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    os.close(fd)


def test_add_record_to_a_store_takes_the_same_lock(tmp_path: Path):
    db = tmp_path / "j.db"
    calmkit.open_store(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"w{w}", "10"]) for w in range(3)]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0]
    with calmkit.open_store(db, read_only=True) as st:
        j = st.load()
    assert len(j.triggers) == 30 and len({t.id for t in j.triggers}) == 30
