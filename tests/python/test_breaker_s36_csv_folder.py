"""calmkit.import_csv given a folder whose expected file is there but is not
a regular file (a FIFO, a folder), against the file system's own answer
(``os.stat``: the path exists, ``S_ISFIFO`` / ``S_ISDIR``).

B112 (fixed): the error says "ex/readings.csv: missing (export_csv writes it, even
with no reading records)" for a path that is there: the person is sent to
look for a file that exists, where the problem is what it is. A
``readings.csv`` that is a FIFO or a folder should be named as such; a file
that is really absent keeps the "missing" message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    folder = tmp_path / "ex"
    calmkit.export_csv(calmkit.read_journal(SAMPLE), folder)
    os.remove(folder / "readings.csv")
    return folder


def test_a_missing_file_is_called_missing(exported: Path) -> None:
    with pytest.raises(FileNotFoundError, match="readings.csv: missing"):
        calmkit.import_csv(exported)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_file_that_is_not_regular_is_named_for_what_it_is(exported: Path, kind: str) -> None:
    path = exported / "readings.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    mode = os.stat(path).st_mode
    assert stat.S_ISFIFO(mode) or stat.S_ISDIR(mode)  # the reference: it is there
    with pytest.raises((ValueError, OSError)) as e:
        calmkit.import_csv(exported)
    assert "missing" not in str(e.value), str(e.value)
    assert ("FIFO" if kind == "fifo" else "folder") in str(e.value), str(e.value)
    assert "readings.csv" in str(e.value)
