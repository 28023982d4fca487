"""Inputs a journal file should never be, and files calmkit wrote that were
then damaged or split: each must give calmkit's own clear error (or the
records), never an empty journal, a hang or a traceback from inside pyarrow.

Strict xfails name the reviewer's finding (notes of session 27): when it is
fixed, the case turns red; remove the mark in the same commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit

TRIGGER = ('{{"type":"trigger","participant":"p","id":"t{i}","time":"2026-03-02T10:{m:02d}:00Z",'
           '"category":"delayed_reply","intensity":5}}\n')


@pytest.mark.parametrize("threads", [1, 2, 8])
def test_a_fifo_whose_writer_comes_later_is_waited_for(threads: int, tmp_path: Path) -> None:
    """`cat fifo` waits for the writer; so must read_journal. The writer opens
    the FIFO a moment after the read began (a producer started second), writes
    50 records and a bad line: the read must see all of them (the error at
    line 51), not end at once with no records. Run in a child so that a hang
    is a failed test."""
    fifo = tmp_path / "journal.jsonl"
    os.mkfifo(fifo)
    lines = "".join(TRIGGER.format(i=i, m=i % 60) for i in range(50)) + "oops\n"
    code = textwrap.dedent(f"""
        import os, threading, time, calmkit
        def writer():
            time.sleep(0.3)
            try:
                fd = os.open({str(fifo)!r}, os.O_WRONLY)
                os.write(fd, {lines.encode()!r})
                os.close(fd)
            except OSError:
                pass
        threading.Thread(target=writer, daemon=True).start()
        try:
            j = calmkit.read_journal({str(fifo)!r}, threads={threads})
            print("records", len(j.triggers))
        except calmkit.JournalFormatError as e:
            print("error line", e.line)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "error line 51", out.stdout + out.stderr


def _shard_dataset(tmp_path: Path) -> Path:
    j = calmkit.parse_journal("".join(TRIGGER.format(i=i, m=i) for i in range(5)))
    d = tmp_path / "ds"
    calmkit.write_parquet(j, d, partition_by="shard")
    return d


def _cut_half(f: Path) -> None:
    b = f.read_bytes()
    f.write_bytes(b[: len(b) // 2])


DAMAGE = {
    "a part file cut in half": lambda d: _cut_half(d / "triggers" / "part-00000.parquet"),
    "a part file of zeros between magic bytes": lambda d: (d / "triggers" / "part-00000.parquet").write_bytes(
        b"PAR1" + bytes(100) + b"PAR1"),
    "_common_metadata cut in half": lambda d: _cut_half(d / "triggers" / "_common_metadata"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_of_a_shard_dataset_is_calmkits_error_naming_it(damage: str, tmp_path: Path) -> None:
    """The participant layout already says `<file>: not a readable Parquet
    file (...)` as a ValueError; the shard layout must say the same, not
    raise pyarrow.lib.ArrowInvalid (or a bare OSError) from pyarrow's
    dataset scanner."""
    pa = pytest.importorskip("pyarrow")
    d = _shard_dataset(tmp_path)
    DAMAGE[damage](d)
    with pytest.raises(ValueError) as e:
        calmkit.read_parquet(d)
    assert not isinstance(e.value, pa.ArrowException)
    assert str(d / "triggers") in str(e.value)


def test_shards_each_written_by_write_journal_read_as_one_journal(tmp_path: Path) -> None:
    """write_journal writes a header line by default, so shards each written
    by it start with one; read_jsonl_shards must read each shard as
    read_journal reads that file (a header allowed on its first line)."""
    pytest.importorskip("pyarrow")
    a = calmkit.parse_journal("".join(TRIGGER.format(i=i, m=i) for i in range(3)))
    b = calmkit.parse_journal(TRIGGER.format(i=9, m=9).replace('"p"', '"q"'))
    calmkit.write_journal(a, tmp_path / "a.jsonl")
    calmkit.write_journal(b, tmp_path / "b.jsonl")
    j = calmkit.read_jsonl_shards(tmp_path)
    assert sorted(j.participants()) == ["p", "q"] and len(j.triggers) == 4


def test_a_header_in_the_middle_of_one_shard_is_still_refused(tmp_path: Path) -> None:
    """The other side of B4: within one shard a second header stays an error
    naming that shard and line, as read_journal says it."""
    pytest.importorskip("pyarrow")
    header = '{"type":"header","format":"calmkit-journal","version":1}\n'
    f = tmp_path / "a.jsonl"
    f.write_text(TRIGGER.format(i=1, m=1) + header, encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as direct:
        calmkit.read_journal(f)
    with pytest.raises(calmkit.JournalFormatError) as shards:
        calmkit.read_jsonl_shards(tmp_path)
    said = [(e.value.path, e.value.line, e.value.field, e.value.reason) for e in (direct, shards)]
    assert said[0] == said[1] and said[0][:2] == (str(f), 2)


@pytest.mark.parametrize("threads", [1, 2, 8])
def test_a_symlink_loop_and_a_truncated_line_are_clear_errors(threads: int, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(calmkit.FileError, match="symbolic links"):
        calmkit.read_journal(a, threads=threads)
    f = tmp_path / "cut.jsonl"
    f.write_bytes(TRIGGER.format(i=1, m=1).encode() + b'{"type":"trigger","participant":"p\xc3')
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_journal(f, threads=threads)
    assert (e.value.path, e.value.line) == (str(f), 2)
