"""The one safe write path (calmkit.write_file and everything built on it):
only regular files are replaced, links are followed on purpose, modes and
owners are kept, new files are 0600, and a full disk leaves the old file or
folder exactly as it was. Every "thing that is not a regular file" is made in
the test's own temporary folder (never a system path)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit
from calmkit.report import write_report

T0 = dt.datetime(2026, 3, 2, 21, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def small_journal(n: int = 3, participant: str = "p1") -> calmkit.Journal:
    j = calmkit.Journal()
    for k in range(n):
        j.add(calmkit.Trigger(id=f"t{k}", time=T0 + dt.timedelta(hours=k), category="delayed_reply",
                              intensity=k % 11, participant=participant, context=f"note {k}"))
    return j


def specials(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a directory, a Unix socket and (as root) a character device,
    each in tmp_path."""
    out = {}
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    out["FIFO"] = fifo
    d = tmp_path / "dir"
    d.mkdir()
    out["directory"] = d
    sock_path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock_path))
    s.close()
    out["socket"] = sock_path
    dev = tmp_path / "chardev"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        out["character device"] = dev
    except PermissionError:
        pass
    return out


def kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


# --- 1. only regular files are replaced ---------------------------------------------------


WRITERS = {
    "write_journal": lambda p: calmkit.write_journal(small_journal(), p),
    "write_file": lambda p: calmkit.write_file(p, b"x\n"),
    "write_report": lambda p: write_report(small_journal(), p),
    "write_research_export": lambda p: calmkit.write_research_export(small_journal(), p, b"k" * 32),
    "append_record": lambda p: calmkit.append_record(p, calmkit.Reading(id="r", time=T0, intensity=3)),
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_no_writer_replaces_a_fifo_directory_socket_or_device(tmp_path: Path, writer: str):
    for what, path in specials(tmp_path).items():
        before = kind(path)
        with pytest.raises(calmkit.FileError) as e:
            WRITERS[writer](path)
        assert what in str(e.value) and str(path) in str(e.value), (what, str(e.value))
        assert isinstance(e.value, OSError) and isinstance(e.value, RuntimeError)
        assert kind(path) == before, f"{writer} changed the {what}"
    # Nothing left behind: no temporary files next to them.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_link_to_a_device_is_refused_and_named(tmp_path: Path):
    target = specials(tmp_path)["FIFO"]
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    with pytest.raises(calmkit.FileError, match=r"leads to .*fifo', a FIFO \(named pipe\), not a regular file"):
        calmkit.write_journal(small_journal(), link)
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)


def test_staged_directory_refuses_a_file_and_a_fifo(tmp_path: Path):
    f = tmp_path / "file"
    f.write_text("keep")
    with pytest.raises(calmkit.FileError, match="not a folder"):
        calmkit.export_csv(small_journal(), f)
    assert f.read_text() == "keep"
    fifo = specials(tmp_path)["FIFO"]
    with pytest.raises(calmkit.FileError, match="FIFO"):
        calmkit.write_parquet(small_journal(), fifo)


# --- 4. links are followed on purpose ---------------------------------------------------------


def test_a_symlinked_journal_gets_the_entry_and_stays_a_link(tmp_path: Path):
    real = tmp_path / "real" / "journal.jsonl"
    real.parent.mkdir()
    calmkit.write_journal(small_journal(2), real)
    link = tmp_path / "journal.jsonl"
    link.symlink_to(Path("real") / "journal.jsonl")  # relative, read from the link's folder
    calmkit.append_record(link, calmkit.Reading(id="r1", time=T0, intensity=2, participant="p1"))
    assert link.is_symlink()
    assert len(calmkit.read_journal(real).readings) == 1
    # A chain of two links, and writes of every kind through it.
    link2 = tmp_path / "again.jsonl"
    link2.symlink_to(link)
    calmkit.write_journal(small_journal(5), link2)
    assert link2.is_symlink() and link.is_symlink() and len(calmkit.read_journal(real)) == 5
    report_target = tmp_path / "real" / "r.html"
    report_target.write_text("old")
    report_link = tmp_path / "r.html"
    report_link.symlink_to(report_target)
    write_report(small_journal(), report_link)
    assert report_link.is_symlink() and report_target.read_text().startswith("<!DOCTYPE html>")


def test_a_dangling_link_creates_its_target(tmp_path: Path):
    link = tmp_path / "j.jsonl"
    link.symlink_to(tmp_path / "new.jsonl")
    calmkit.write_journal(small_journal(), link)
    assert link.is_symlink() and len(calmkit.read_journal(tmp_path / "new.jsonl")) == 3


def test_a_link_cycle_is_refused(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(calmkit.FileError, match="symbolic links"):
        calmkit.write_file(a, "x")


# --- 3. permissions: new files 0600, existing files keep mode and owner -----------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_outputs_are_0600_under_any_umask(tmp_path: Path):
    script = textwrap.dedent("""
        import os, sys, calmkit
        from pathlib import Path
        from calmkit.report import write_report
        os.umask(int(sys.argv[1], 8))
        out = Path(sys.argv[2])
        j = calmkit.synthetic_journal(participants=2, days=10, seed=3)
        calmkit.write_journal(j, out / "j.jsonl")
        write_report(j, out / "r.html")
        calmkit.export_csv(j, out / "csv")
        calmkit.write_research_export(j, out / "study.jsonl", b"k" * 32)
        calmkit.write_parquet(j, out / "pq")
        calmkit.append_record(out / "new.jsonl", calmkit.Reading(id="r", time="2026-03-02T21:14:00+01:00",
                                                                  intensity=3))
        calmkit.write_file(out / "plain.txt", "x")
    """)
    for umask in ("000", "022", "077"):
        out = tmp_path / umask
        out.mkdir()
        subprocess.run([sys.executable, "-c", script, umask, str(out)], check=True, timeout=300)
        files = [p for p in out.rglob("*") if p.is_file()]
        assert len(files) > 12
        for p in files:
            assert mode(p) == 0o600, (umask, p, oct(mode(p)))
        for d in [p for p in out.rglob("*") if p.is_dir()]:
            assert mode(d) == 0o700, (umask, d, oct(mode(d)))


def test_an_existing_file_keeps_its_mode(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(small_journal(), j)
    for m in (0o600, 0o640, 0o644, 0o400):
        os.chmod(j, m)
        calmkit.append_record(j, calmkit.Reading(id=f"r{m}", time=T0, intensity=1, participant="p1"))
        assert mode(j) == m
    report = tmp_path / "r.html"
    report.write_text("old")
    os.chmod(report, 0o644)
    write_report(small_journal(), report)
    assert mode(report) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_existing_file_keeps_its_owner(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(small_journal(), j)
    os.chown(j, 4321, 8765)
    os.chmod(j, 0o2640)  # set-group-id too: chown clears it, the write must restore it
    calmkit.append_record(j, calmkit.Reading(id="r", time=T0, intensity=1, participant="p1"))
    st = os.stat(j)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 8765, 0o2640)


# --- 7. a full disk leaves the old file or folder as it was ----------------------------------

FULL_DISK = textwrap.dedent("""
    import resource, sys, calmkit
    from pathlib import Path
    # A file size limit stands in for a full disk: writes past it fail with EFBIG
    # (Python ignores SIGXFSZ). The journal is big enough to cross it.
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))
    j = calmkit.synthetic_journal(participants=3, days=40, seed=1)
    what, out = sys.argv[1], Path(sys.argv[2])
    try:
        {"journal": lambda: calmkit.write_journal(j, out),
         "csv": lambda: calmkit.export_csv(j, out),
         "parquet": lambda: calmkit.write_parquet(j, out),
         "report": lambda: __import__("calmkit.report").report.write_report(j, out)}[what]()
    except calmkit.FileError as e:
        print(e.errno, e)
        sys.exit(7)
""")


def snapshot(root: Path) -> dict[str, bytes]:
    if root.is_file():
        return {root.name: root.read_bytes()}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("what", ["journal", "csv", "parquet", "report"])
def test_full_disk_leaves_the_old_output_untouched(tmp_path: Path, what: str):
    out = tmp_path / {"journal": "j.jsonl", "csv": "csv", "parquet": "pq", "report": "r.html"}[what]
    old = small_journal(2)
    {"journal": lambda: calmkit.write_journal(old, out), "csv": lambda: calmkit.export_csv(old, out),
     "parquet": lambda: calmkit.write_parquet(old, out), "report": lambda: out.write_text("old report")}[what]()
    before = snapshot(out)
    p = subprocess.run([sys.executable, "-c", FULL_DISK, what, str(out)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 7, p.stderr
    assert p.stdout.startswith("27 ") and "File too large" in p.stdout  # EFBIG, naming the file
    assert snapshot(out) == before
    leftovers = [q.name for q in tmp_path.rglob(".*")]
    assert leftovers == [], leftovers


def test_csv_export_replaces_the_whole_set(tmp_path: Path):
    out = tmp_path / "csv"
    calmkit.export_csv(small_journal(3), out)
    (out / "assessments.csv").unlink()  # as an export from before assessments
    first = out.stat().st_ino
    calmkit.export_csv(small_journal(5), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f for f, _ in calmkit.exports.CSV_COLUMNS.values())
    assert out.stat().st_ino != first  # swapped in as a whole folder
    assert len(calmkit.import_csv(out).triggers) == 5


def test_csv_export_into_a_folder_with_other_files_keeps_them(tmp_path: Path):
    (tmp_path / "journal.jsonl").write_text("mine")
    calmkit.export_csv(small_journal(3), tmp_path)
    assert (tmp_path / "journal.jsonl").read_text() == "mine"
    assert len(calmkit.import_csv(tmp_path).triggers) == 3


def test_parquet_rewrite_drops_partitions_of_the_earlier_dataset(tmp_path: Path):
    out = tmp_path / "pq"
    calmkit.write_parquet(small_journal(3, "old-person"), out)
    calmkit.write_parquet(small_journal(2, "new-person"), out)
    assert not list(out.rglob("participant=old-person"))
    assert len(calmkit.read_parquet(out).triggers) == 2


def test_write_files_replaces_none_when_one_target_is_refused(tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text("old a")
    fifo = specials(tmp_path)["FIFO"]
    with pytest.raises(calmkit.FileError, match="FIFO"):
        calmkit.write_files([(a, "new a"), (fifo, "x")])
    assert a.read_text() == "old a"
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".")]


def test_replace_false_refuses_an_existing_file(tmp_path: Path):
    a = tmp_path / "a"
    a.write_text("old")
    with pytest.raises(calmkit.FileError, match="exists already") as e:
        calmkit.write_file(a, "new", replace=False)
    assert e.value.errno == 17 and a.read_text() == "old"


def test_a_staged_folder_takes_any_contiguous_buffer_without_a_copy_into_bytes(tmp_path):
    """StagedDirectory.write takes bytes, a memoryview or a pyarrow.Buffer
    (what write_parquet hands it); a buffer that is not contiguous is refused
    before anything is written."""
    pa = pytest.importorskip("pyarrow")
    target = tmp_path / "set"
    with calmkit.StagedDirectory(target) as stage:
        stage.write("a.bin", b"abc")
        stage.write("sub/b.bin", memoryview(b"0123456789")[2:5])
        stage.write("c.bin", pa.py_buffer(b"\x00\xffparquet"))
        with pytest.raises(BufferError):
            stage.write("d.bin", memoryview(b"0123456789")[::2])
        with pytest.raises(TypeError):
            stage.write("e.bin", "text is not a buffer")
    assert (target / "a.bin").read_bytes() == b"abc"
    assert (target / "sub" / "b.bin").read_bytes() == b"234"
    assert (target / "c.bin").read_bytes() == b"\x00\xffparquet"
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["a.bin", "b.bin", "c.bin"]
    assert stat.S_IMODE((target / "c.bin").stat().st_mode) == 0o600


# --- an empty path names no file ---------------------------------------------------------------


def test_an_empty_path_is_refused_before_anything_is_written_or_locked(tmp_path: Path, monkeypatch):
    """B216: ``FileLock("")`` locked ``.lock`` in the current folder, and so did
    update_journal(""), which then called its change on an empty journal; the
    writers took "" for an absent file there (a temporary file written, then a
    rename that failed). Each now raises FileError (ENOENT) naming the empty
    path, and the current folder stays empty."""
    monkeypatch.chdir(tmp_path)
    called = []
    reading = calmkit.Reading(id="r", time=T0, intensity=3)
    calls = {
        "FileLock": lambda p: calmkit.FileLock(p),
        "StagedDirectory": lambda p: calmkit.StagedDirectory(p),
        "write_file": lambda p: calmkit.write_file(p, b"x"),
        "write_files": lambda p: calmkit.write_files([(p, b"x")]),
        "resolve_write_target": lambda p: calmkit.resolve_write_target(p),
        "write_journal": lambda p: calmkit.write_journal(small_journal(), p),
        "update_journal": lambda p: calmkit.update_journal(p, called.append),
        "append_record": lambda p: calmkit.append_record(p, reading),
        "append_records": lambda p: calmkit.append_records(p, [reading]),
        "add_record": lambda p: calmkit.add_record(p, reading),
    }
    for name, call in calls.items():
        for path in ("", b"") if name != "add_record" else ("",):  # a bytes path there: B251
            with pytest.raises(calmkit.FileError) as e:
                call(path)
            assert e.value.errno == 2 and e.value.filename == "", (name, path, e.value)
            assert "empty path" in str(e.value), (name, path, str(e.value))
    with pytest.raises(calmkit.FileError, match=r"FileLock\(\): file= is an empty path"):
        calmkit.FileLock("")
    assert called == [] and list(tmp_path.iterdir()) == []


@pytest.mark.xfail(strict=True, reason="B251: the Python writers refuse a bytes path with pathlib's TypeError")
def test_a_bytes_path_is_taken_by_the_python_writers_as_by_the_compiled_ones(tmp_path: Path):
    """write_journal, read_journal, open_store and every compiled function take a
    path as str, bytes (os.fsencode's: a name that is not UTF-8) or os.PathLike;
    add_record, write_folder, export_csv, write_parquet and the report call
    pathlib.Path(path) first, which refuses bytes."""
    reading = calmkit.Reading(id="r", time=T0, intensity=3)
    calmkit.add_record(os.fsencode(tmp_path / "j.jsonl"), reading)
    calmkit.export_csv(small_journal(), os.fsencode(tmp_path / "csv"))
    assert len(calmkit.read_journal(tmp_path / "j.jsonl")) == 1 and (tmp_path / "csv").is_dir()
