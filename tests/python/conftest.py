"""Shared fixtures for the calmkit Python tests.

ctest runs these files with PYTHONPATH=<build>/python (the package as built in
the build tree) and CALMKIT_SAMPLE_JOURNAL pointing at the committed sample.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class JsPackage:
    """The built JavaScript (WebAssembly) package and the Node that runs it."""

    dir: str  #: the package folder (CALMKIT_JS_DIR, e.g. build-wasm/js): index.js, calmkit_core.wasm
    node: str  #: the Node executable (CALMKIT_NODE, default "node")

    def run(self, script: Path, *args: Any, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Runs ``node script args...`` with CALMKIT_JS_DIR (and ``env``) set; output as text."""
        return subprocess.run([self.node, str(script), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **(env or {}), "CALMKIT_JS_DIR": self.dir})

    def json(self, script: Path, *args: Any, timeout: float = 120, env: dict[str, str] | None = None) -> Any:
        """Runs the script (:meth:`run`), which must exit 0, and parses what it printed as JSON."""
        proc = self.run(script, *args, timeout=timeout, env=env)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def js_package() -> JsPackage:
    """The JavaScript package as CTest hands it over after the wasm build
    (tests/js/CMakeLists.txt sets CALMKIT_JS_DIR and CALMKIT_NODE); the test
    is skipped, saying why, when the package is not built."""
    js_dir = os.environ.get("CALMKIT_JS_DIR", "")
    if not js_dir or not (Path(js_dir) / "calmkit_core.wasm").exists():
        pytest.skip("the WebAssembly package is not built (cmake --preset wasm && cmake --build --preset wasm; "
                    "set CALMKIT_JS_DIR to build-wasm/js)")
    return JsPackage(js_dir, os.environ.get("CALMKIT_NODE", "node"))
