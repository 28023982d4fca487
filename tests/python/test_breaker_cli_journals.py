"""The `calmkit` commands a person runs on their own journal, on journals
the reader accepts but that are odd: a mistyped year that makes the span
longer than any zero-filled table (docs/metrics.md, "Span limit").

`calmkit report` says so as a data problem (status 1, the file named, no
traceback: test_span_limits.py); `calmkit summary` printed a Python
traceback ending in the same ValueError (B8).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _line(time: str, id_: str) -> str:
    return f'{{"type":"trigger","id":"{id_}","time":"{time}","category":"conflict","intensity":5}}\n'


@pytest.mark.parametrize("participants", [1, 2])
def test_summary_of_a_journal_with_a_typo_year_is_a_data_problem(participants: int, tmp_path: Path) -> None:
    path = tmp_path / "typo.jsonl"
    text = _line("2026-03-02T21:14:00+01:00", "t1") + _line("3026-03-02T21:14:00+01:00", "typo")
    if participants == 2:
        text += text.replace('{"type":"trigger",', '{"type":"trigger","participant":"q",')
    path.write_text(text)
    p = subprocess.run([sys.executable, "-m", "calmkit", "summary", str(path)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr, p.stderr
    assert f"{path}: " in p.stderr and "span more than 100 years" in p.stderr, p.stderr
