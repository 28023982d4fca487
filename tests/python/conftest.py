"""Shared fixtures for the calmkit Python tests.

ctest runs these files with PYTHONPATH=<build>/python (the package as built in
the build tree) and CALMKIT_SAMPLE_JOURNAL pointing at the committed sample.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sample_journal_path() -> Path:
    """The committed sample journal; the test using it is skipped when absent."""
    env = os.environ.get("CALMKIT_SAMPLE_JOURNAL")
    path = Path(env) if env else REPO / "examples" / "data" / "sample-journal.jsonl"
    if not path.is_file():
        pytest.skip(f"sample journal not found at {path}")
    return path


@pytest.fixture
def write_lines(tmp_path: Path):
    """Writes the given lines (joined with newlines) to a file and returns its path."""

    def write(lines: list[str], name: str = "journal.jsonl") -> Path:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def plain_terminal_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests read calmkit's output through pipes as plain text: a CI runner's
    FORCE_COLOR (or rich's TTY_COMPATIBLE / TTY_INTERACTIVE) would make rich write
    escape codes into them. Tests of the terminal look set what they need."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
