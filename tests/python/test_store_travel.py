"""Stores that travel: copied, synced, backed up, read on read-only media
(issue: data that passed through other hands; issue 16 item 9).

The reference for what is in a file is SQLite itself through Python's own
sqlite3 module (a separate build of the library), not calmkit.
"""
from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import calmkit

DATA = Path(__file__).resolve().parents[1] / "data"


def _journal():
    return calmkit.read_journal(DATA / "all-fields.jsonl")


def _raw(path: Path, sql: str):
    # mode=ro: the reference reader must not change what it looks at.
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _companions(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


def test_a_closed_store_is_one_self_contained_file(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
        assert (tmp_path / "j.db-wal").exists()  # WAL while open
    assert _companions(db) == []
    assert _raw(db, "PRAGMA journal_mode") == [("delete",)]
    # The file alone, copied elsewhere, holds every record.
    (tmp_path / "elsewhere").mkdir()
    copy = tmp_path / "elsewhere" / "j.db"
    shutil.copyfile(db, copy)
    with calmkit.open_store(copy, read_only=True) as st:
        assert st.load() == _journal()
    assert _companions(copy) == []  # the read-only open left nothing behind


def test_a_read_only_open_leaves_no_files(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
    before = sorted(os.listdir(tmp_path))
    with calmkit.open_store(db, read_only=True) as st:
        assert len(st) == len(_journal())
    assert sorted(os.listdir(tmp_path)) == before == ["j.db"]


def test_a_writer_closing_beside_an_open_reader_checkpoints(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
    reader = calmkit.open_store(db, read_only=True)
    with calmkit.open_store(db) as w:
        w.add(calmkit.Reading(id="late", time="2026-03-05T10:00:00+01:00", intensity=2))
    # The writer could not leave WAL mode with a reader open, but checkpointed:
    # the main file already holds the late reading.
    assert _raw(db, "SELECT count(*) FROM readings WHERE id = 'late'") == [(1,)]
    reader.close()


def _copy_while_open(tmp_path: Path) -> tuple[Path, Path, object]:
    """A store copied (main file only) while its writer is open and its
    records are still in the -wal, as a sync client or `cp` does."""
    src = tmp_path / "live" / "j.db"
    src.parent.mkdir()
    st = calmkit.open_store(src)
    st.add_journal(_journal())
    assert (src.parent / "j.db-wal").stat().st_size > 0
    dst = tmp_path / "copy" / "j.db"
    dst.parent.mkdir()
    shutil.copyfile(src, dst)
    return src, dst, st


def test_a_copy_without_its_wal_is_never_overwritten(tmp_path: Path):
    src, dst, writer = _copy_while_open(tmp_path)
    original = dst.read_bytes()
    with pytest.raises(RuntimeError) as ro:
        calmkit.open_store(dst, read_only=True)
    msg = str(ro.value)
    assert "writable once" not in msg and "-wal" in msg and "calmkit backup" in msg
    with pytest.raises(RuntimeError) as rw:
        calmkit.open_store(dst)
    assert "left as it is" in str(rw.value)
    assert dst.read_bytes() == original and _companions(dst) == []
    # Following the advice (the original's -wal beside the copy) recovers every record.
    shutil.copyfile(src.parent / "j.db-wal", dst.parent / "j.db-wal")
    with calmkit.open_store(dst, read_only=True) as st:
        assert st.load() == _journal()
    writer.close()


def test_a_copy_made_while_open_after_a_checkpoint_is_said_to_be_one(tmp_path: Path):
    # Found by the audit: the copy of a store that had been closed once (schema and
    # the first records checkpointed into the file) and was open again with newer
    # records in its -wal opened silently with the older records only.
    import warnings

    j = _journal()
    first = calmkit.Reading(id="before", participant="p0", time="2026-03-01T08:00:00+01:00", intensity=3)
    rest = list(j.triggers) + list(j.readings)
    db = tmp_path / "a.db"
    with calmkit.open_store(db) as st:
        st.add(first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a closed store is one file in rollback mode: nothing to say
        calmkit.open_store(db, read_only=True, create=False).close()
    writer = calmkit.open_store(db)
    for r in rest:
        writer.add(r)
    (tmp_path / "copy").mkdir()
    shutil.copy(db, tmp_path / "copy" / "a.db")  # what cp or a sync client takes: the main file only
    assert _raw(tmp_path / "copy" / "a.db", "PRAGMA journal_mode") == [("wal",)]  # the reference: SQLite
    with pytest.warns(UserWarning, match=r"last written in WAL mode and has no 'a.db-wal' beside it"):
        st = calmkit.open_store(tmp_path / "copy" / "a.db", read_only=True, create=False)
    with st:
        assert len(st.load().readings) == 1  # what the copy holds: the records before the checkpoint
    p = subprocess.run([sys.executable, "-m", "calmkit", "backup", str(tmp_path / "copy" / "a.db"),
                        str(tmp_path / "b.db")], capture_output=True, text=True)
    assert p.returncode == 0 and "calmkit: note:" in p.stderr and "calmkit backup" in p.stderr
    # The advice works: with the original's -wal beside it, the copy holds every record.
    shutil.copy(tmp_path / "a.db-wal", tmp_path / "copy" / "a.db-wal")
    with calmkit.open_store(tmp_path / "copy" / "a.db", read_only=True, create=False) as st:
        assert len(st.load().readings) == len(j.readings) + 1
    writer.close()


def test_the_cli_on_such_a_copy_says_what_happened(tmp_path: Path):
    _, dst, writer = _copy_while_open(tmp_path)
    original = dst.read_bytes()
    p = subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(dst), "--intensity",
                        "3"], capture_output=True, text=True)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert "-wal" in p.stderr and "writable once" not in p.stderr
    assert dst.read_bytes() == original
    writer.close()


def test_a_truncated_copy_is_reported_without_destructive_advice(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(calmkit.synthetic_journal(participants=3, days=30, seed=1))
    data = db.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError) as e:
        with calmkit.open_store(cut, read_only=True) as st:
            st.load()
    assert "writable once" not in str(e.value)
    assert "damaged or incomplete" in str(e.value) or "malformed" in str(e.value)


# --------------------------------------------------------------------------
# backup
# --------------------------------------------------------------------------

def test_backup_while_a_writer_has_recent_entries_in_the_wal(tmp_path: Path):
    db = tmp_path / "j.db"
    st = calmkit.open_store(db)
    st.add_journal(_journal())
    assert (tmp_path / "j.db-wal").stat().st_size > 0
    dest = tmp_path / "out" / "copy.db"
    dest.parent.mkdir()
    st.backup(dest)
    st.close()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert _companions(dest) == [] and sorted(os.listdir(dest.parent)) == ["copy.db"]
    assert _raw(dest, "PRAGMA journal_mode") == [("delete",)]
    assert _raw(dest, "PRAGMA integrity_check") == [("ok",)]
    assert _raw(dest, "SELECT count(*) FROM triggers") == _raw(db, "SELECT count(*) FROM triggers")
    with calmkit.open_store(dest, read_only=True) as copy:
        assert copy.load() == _journal()


def test_backup_refuses_what_it_must_not_replace(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
        existing = tmp_path / "old.db"
        existing.write_bytes(b"keep me")
        with pytest.raises(ValueError, match="exists"):
            st.backup(existing)
        assert existing.read_bytes() == b"keep me"
        with pytest.raises(ValueError, match="a folder"):
            st.backup(tmp_path)
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(ValueError, match="a FIFO"):
            st.backup(fifo, replace=True)
        with pytest.raises(ValueError, match="own file"):
            st.backup(db, replace=True)
        with pytest.raises(RuntimeError, match="no-such-dir"):
            st.backup(tmp_path / "no-such-dir" / "x.db")
        # replace=True swaps the old file atomically; a link is followed, not replaced.
        link = tmp_path / "link.db"
        link.symlink_to(existing)
        st.backup(link, replace=True)
    assert link.is_symlink() and existing.read_bytes()[:15] == b"SQLite format 3"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_backup_never_writes_over_the_stores_own_companion_files(tmp_path: Path):
    # Found by review: `calmkit backup j.db j.db-wal --force` while a writer had
    # entries in the -wal overwrote it, and the entries were lost at the next open.
    db = tmp_path / "j.db"
    st = calmkit.open_store(db)
    st.add_journal(_journal())
    wal = tmp_path / "j.db-wal"
    before = wal.read_bytes()
    assert before
    for name, what in (("j.db-wal", "own wal file"), ("j.db-shm", "own shm file"),
                       ("j.db-journal", "own journal file")):
        with pytest.raises(ValueError, match=what):
            st.backup(tmp_path / name, replace=True)
    link = tmp_path / "to-wal"
    link.symlink_to("j.db-wal")  # through a link too
    with pytest.raises(ValueError, match="own wal file"):
        st.backup(link, replace=True)
    assert wal.read_bytes() == before and not (tmp_path / "j.db-journal").exists()
    st.close()
    with calmkit.open_store(db, read_only=True) as again:
        assert again.load() == _journal()


def test_backup_through_a_link_to_a_file_not_made_yet(tmp_path: Path):
    # Found by review: a dangling link (the first backup into a synced folder)
    # was replaced by the copy instead of being followed.
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
        (tmp_path / "synced").mkdir()
        link = tmp_path / "backup.db"
        link.symlink_to(Path("synced") / "target.db")  # relative, and the target does not exist yet
        st.backup(link)
        loop_a, loop_b = tmp_path / "a.db", tmp_path / "b.db"
        loop_a.symlink_to(loop_b)
        loop_b.symlink_to(loop_a)
        with pytest.raises(ValueError, match="too many symbolic links"):
            st.backup(loop_a, replace=True)
    assert link.is_symlink() and (tmp_path / "synced" / "target.db").is_file()
    with calmkit.open_store(tmp_path / "synced" / "target.db", read_only=True) as copy:
        assert copy.load() == _journal()


def test_open_store_through_a_link_to_a_file_not_made_yet(tmp_path: Path):
    # Found by review (A12): SQLite said "unable to open database file". The
    # store is made where the link leads, as every writer follows links.
    (tmp_path / "synced").mkdir()
    link = tmp_path / "j.db"
    link.symlink_to(Path("synced") / "real.db")  # relative, dangling
    with pytest.raises(RuntimeError) as e:
        calmkit.open_store(link, read_only=True)
    assert str(e.value) == (f"store '{link}' does not exist: it is a symbolic link to "
                            f"'{tmp_path / 'synced' / 'real.db'}', which does not exist (a read-only open never "
                            "creates it)")
    with calmkit.open_store(link) as st:
        st.add_journal(_journal())
    assert link.is_symlink() and (tmp_path / "synced" / "real.db").is_file()
    with calmkit.open_store(tmp_path / "synced" / "real.db", read_only=True) as real:
        assert real.load() == _journal()


def test_cli_backup(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
    dest = tmp_path / "b.db"
    run = [sys.executable, "-m", "calmkit", "backup", str(db), str(dest)]
    p = subprocess.run(run, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"({len(_journal())} records)" in p.stdout
    q = subprocess.run(run, capture_output=True, text=True)
    assert q.returncode == 2 and "--force" in q.stderr and "Traceback" not in q.stderr
    r = subprocess.run(run + ["--force"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    s = subprocess.run([sys.executable, "-m", "calmkit", "backup", str(tmp_path / "none.db"), str(dest)],
                       capture_output=True, text=True)
    assert s.returncode == 2 and "no such store" in s.stderr


# --------------------------------------------------------------------------
# read-only media (issue 16, item 9)
# --------------------------------------------------------------------------

def _as_nobody(fn) -> tuple[int, str]:
    """Runs fn() in a forked child whose user is `nobody` (root ignores file
    permissions, so a folder root cannot write must be tested as another
    user); returns (exit status, what fn returned or raised)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        status, text = 0, ""
        try:
            nobody = pwd.getpwnam("nobody")
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            text = str(fn())
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            status, text = 1, f"{type(e).__name__}: {e}"
        os.write(w, text.encode())
        os._exit(status)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st), b"".join(chunks).decode()


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="drops privileges to 'nobody' (needs root)")


@pytest.fixture
def readonly_folder():
    """A folder only root can write (0755, root-owned), under a path `nobody` can reach."""
    base = Path(tempfile.mkdtemp(prefix="calmkit-ro-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_read_only_open_in_a_folder_that_cannot_be_written(readonly_folder: Path):
    db = readonly_folder / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
    db.chmod(0o644)  # readable by nobody, writable by no one but root
    n = len(_journal())

    def read():
        with calmkit.open_store(db, read_only=True) as s:
            return len(s)

    status, out = _as_nobody(read)
    assert (status, out) == (0, str(n))
    assert sorted(os.listdir(readonly_folder)) == ["j.db"]


@needs_root
def test_read_only_open_of_a_wal_mode_file_on_read_only_media(readonly_folder: Path):
    # A store left in WAL mode with everything checkpointed (a writer killed
    # after its checkpoint, or an older calmkit): the file says WAL, no -wal.
    db = readonly_folder / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(_journal())
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    assert db.read_bytes()[18:20] == b"\x02\x02" and _companions(db) == []
    db.chmod(0o644)

    def read():
        with calmkit.open_store(db, read_only=True) as s:
            return len(s)

    assert _as_nobody(read) == (0, str(len(_journal())))
    assert sorted(os.listdir(readonly_folder)) == ["j.db"]


@needs_root
def test_read_only_open_with_a_pending_wal_that_cannot_be_read_says_why(readonly_folder: Path):
    src = readonly_folder / "j.db"
    writer = calmkit.open_store(src)
    writer.add_journal(_journal())
    # Copy the live pair (file and -wal, no -shm) as a sync client would.
    dst_dir = readonly_folder / "synced"
    dst_dir.mkdir()
    shutil.copyfile(src, dst_dir / "j.db")
    shutil.copyfile(readonly_folder / "j.db-wal", dst_dir / "j.db-wal")
    writer.close()
    for f in dst_dir.iterdir():
        f.chmod(0o644)
    dst_dir.chmod(0o755)

    def read():
        with calmkit.open_store(dst_dir / "j.db", read_only=True) as s:
            return len(s)

    status, out = _as_nobody(read)
    # SQLite cannot create the -shm it needs to read the -wal: a clear error,
    # not one blaming a PRAGMA; nothing in the folder changes.
    assert status == 1
    assert "j.db-wal" in out and "-shm" in out and "Nothing was changed" in out
    assert "application_id" not in out
    assert sorted(os.listdir(dst_dir)) == ["j.db", "j.db-wal"]


def test_open_store_of_a_fifo_is_refused_without_blocking(tmp_path: Path):
    # The copy check reads the file's header: it must never open a FIFO (that blocks for a writer).
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    with pytest.raises((RuntimeError, ValueError), match="FIFO"):
        calmkit.open_store(fifo, create=False, read_only=True)
