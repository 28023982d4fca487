"""What a new user meets who follows README.md in a virtual environment.

README's way in is `python3 -m venv`, `pip install .`, and for the tests
`pip install ".[test]"` ("the test suite"). Two things broke there that a
system-wide install (as CI has) never shows (B28, B29); these tests keep them
fixed:

- tests/python/test_docs.py runs the guides' shell blocks with a `python3` on
  PATH that is a symlink to the interpreter. A venv's interpreter found
  through a symlink in another folder is the base interpreter (the venv is
  found from pyvenv.cfg next to the path it was started by), so `python3 -m
  calmkit report ...` in docs/report.md fails with "No module named calmkit".
- the `test` extra does not bring pyarrow, which some sixty tests use without
  skipping when it is missing (test_exports, test_local_times, test_safe_writes,
  test_rules, test_spreadsheet_csv, test_breaker_year_edges, ...).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_docs import shims

REPO = Path(__file__).resolve().parents[2]


def test_the_docs_shim_python3_is_the_venv_it_was_made_from(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    want = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True,
                          check=True).stdout.strip()
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from pathlib import Path; "
              "import subprocess, test_docs; "
              f"env = test_docs.shims(Path({str(tmp_path)!r}) / 'shim'); "
              "print(subprocess.run(['python3', '-c', 'import sys; print(sys.prefix)'], env=env, "
              "capture_output=True, text=True).stdout.strip())")
    (tmp_path / "shim").mkdir()
    got = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr[-800:]
    assert got.stdout.strip() == want


def test_the_shim_is_test_docs_own() -> None:
    assert callable(shims)


def test_the_test_extra_brings_what_the_suite_needs() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    names = {req.split(">")[0].split("[")[0].split("=")[0].strip() for req in extras["test"]}
    assert "pyarrow" in names, names
