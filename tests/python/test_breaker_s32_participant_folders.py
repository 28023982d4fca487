"""The participant layout (``participant=<name>/part-0.parquet``) as other
tools and hostile hands leave it: names that are no UTF-8 once decoded, and
entries that are not files. What was found (now refused, naming the folder
or the file):

- B36: a folder name whose percent-encoding is not UTF-8 (``participant=Jos%E9``,
  what a tool that encodes in Latin-1 writes for "José") is read as the
  participant "Jos\\ufffd": the bytes are replaced without a word, and two
  such folders (``%FE``, ``%FF``) become one participant, their records
  merged. pyarrow's own Hive partitioning refuses such a folder ("Partition
  segment was not valid UTF-8 after URL decoding"); calmkit refuses
  ``__HIVE_DEFAULT_PARTITION__`` for the same reason (it "will not merge them
  into another participant").
- B37: a named pipe among a participant's files hangs read_parquet for ever:
  the folder walk takes every name and pyarrow opens the pipe, which waits for
  a writer. In the shard layout pyarrow's discovery leaves the pipe out and
  the read ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _journal(participants: list[str]) -> calmkit.Journal:
    return calmkit.Journal([calmkit.Trigger(participant=p, id=f"t{i}", time=f"2026-03-0{i + 1}T10:00:00Z",
                                            category="other", intensity=5) for i, p in enumerate(participants)])


def _rename_folders(d: Path, names: dict[str, str]) -> None:
    for table in calmkit.parquet.TABLES:
        for folder in (d / table).glob("participant=*"):
            folder.rename(folder.parent / names[folder.name])


def test_a_percent_encoded_utf8_folder_name_is_the_participant(tmp_path: Path) -> None:
    d = calmkit.write_parquet(_journal(["x"]), tmp_path / "d", partition_by="participant")
    _rename_folders(d, {"participant=x": "participant=Jos%C3%A9"})  # "José" in UTF-8, as pyarrow writes it
    assert calmkit.read_parquet(d).participants() == ["José"]


def test_a_folder_name_that_is_not_utf8_once_decoded_is_refused(tmp_path: Path) -> None:
    d = calmkit.write_parquet(_journal(["x"]), tmp_path / "d", partition_by="participant")
    _rename_folders(d, {"participant=x": "participant=Jos%E9"})  # "José" in Latin-1
    with pytest.raises(ValueError, match="Jos%E9"):
        calmkit.read_parquet(d)


def test_two_such_folders_are_not_merged_into_one_participant(tmp_path: Path) -> None:
    d = calmkit.write_parquet(_journal(["x", "y"]), tmp_path / "d", partition_by="participant")
    _rename_folders(d, {"participant=x": "participant=%FE", "participant=y": "participant=%FF"})
    try:
        got = calmkit.read_parquet(d)
    except ValueError as e:
        assert "%FE" in str(e) or "%FF" in str(e), str(e)
        return
    assert len(got.participants()) == 2, got.participants()


_READ = """
import sys, calmkit
try:
    j = calmkit.read_parquet(sys.argv[1])
except (ValueError, OSError) as e:
    print("refused:", e)
else:
    print("read", len(j))
"""


def _read_in_a_child(d: Path) -> str:
    """read_parquet(d) in a child process; fails the test if it has not ended in 30 s (it takes about 2)."""
    try:
        done = subprocess.run([sys.executable, "-c", _READ, str(d)], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"read_parquet({d}) had not ended after 30 s")
    assert done.returncode == 0, done.stderr[-1500:]
    return done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_among_the_shard_files_does_not_hang_the_read(tmp_path: Path) -> None:
    d = calmkit.write_parquet(_journal(["x", "y"]), tmp_path / "d")
    pipe = d / "triggers" / "part-00001.parquet"
    os.mkfifo(pipe)
    out = _read_in_a_child(d)
    assert out.startswith("read 2") or (out.startswith("refused:") and str(pipe) in out), out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_among_the_participant_files_does_not_hang_the_read(tmp_path: Path) -> None:
    d = calmkit.write_parquet(_journal(["x", "y"]), tmp_path / "d", partition_by="participant")
    pipe = d / "triggers" / "participant=x" / "part-1.parquet"
    os.mkfifo(pipe)
    out = _read_in_a_child(d)
    assert out.startswith("read 2") or (out.startswith("refused:") and str(pipe) in out), out
