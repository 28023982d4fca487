"""Docs that run: every fenced code block in README.md and docs/*.md is run,
compiled or checked here, or marked as not runnable with a reason.

What happens to a block depends on its language and on an HTML comment (which
GitHub and the documentation site do not show) right before it:

- ``<!-- not-run: REASON -->``: skipped; the reason must be given.
- ``<!-- doc-setup ... -->``: code run before the block (Python) or put before
  ``main`` (C++), e.g. to create the input file a fragment reads.
- ``<!-- doc-output -->`` on a ``text`` block: must equal what the previous
  block of the same page printed.
- ``<!-- doc-file: NAME -->`` on a ``text`` block: must equal the file NAME
  the blocks before it wrote.
- ``<!-- doc-cmake: NAME.cpp -->`` on a ``cmake`` block: a whole consumer
  project. Its CMakeLists.txt is this block and NAME.cpp the page's next
  ``cpp`` block; it is configured against calmkit installed from the build
  (``find_package(calmkit)`` as a user's project finds it), built and run.

Per language:

- ``python``: each block is written to a file and run as a script (``python
  block.py``, so ``if __name__ == "__main__":`` matters as it does for a user),
  in one scratch folder per page where ``examples/`` is the repository's.
- ``cpp``: compiled against the build (``CALMKIT_BUILD_DIR``) and run; a
  fragment without ``main`` is put inside ``int main()`` after
  ``#include <calmkit/calmkit.hpp>``.
- ``sh``: run with ``bash -euo pipefail`` where ``python3`` and ``calmkit``
  are this interpreter and the package under test.
- ``json``: parsed; a journal (header line first) is read with calmkit's
  strict reader, an exercise definition with ``calmkit.exercise_from_json``.
- ``cmake`` needs ``doc-cmake`` or ``not-run`` (a fragment: the consumer
  tests in tests/consumer build the same calls); ``text`` needs a marker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[^\s`]*)[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*(?P<kind>not-run|doc-setup|doc-output|doc-file|doc-cmake)(?P<rest>.*?)-->\s*\Z", re.S)


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    body: str
    marker: str | None = None  # not-run, doc-setup, doc-output, doc-file, doc-cmake
    arg: str = ""

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        if m.group("lang").startswith("{"):
            continue  # a MyST directive of the site's own pages (toctree, eval-rst), not code
        indent = m.group("indent")
        body = "\n".join(ln[len(indent):] if ln.startswith(indent) else ln
                         for ln in m.group("body").split("\n"))
        b = Block(page, text.count("\n", 0, m.start()) + 1, m.group("lang"), body)
        before = text[:m.start()].rstrip()
        mk = MARKER.search(before[before.rfind("<!--"):]) if before.endswith("-->") else None
        if mk:
            b.marker, b.arg = mk.group("kind"), mk.group("rest").strip().lstrip(":").strip()
        out.append(b)
    return out


ALL = [b for p in PAGES for b in blocks_of(p)]


def test_blocks_are_found():
    assert len(ALL) >= 25
    assert {"python", "cpp", "sh", "json"} <= {b.lang for b in ALL}


@pytest.mark.parametrize("block", ALL, ids=lambda b: f"{b.where}[{b.lang}]")
def test_every_block_is_runnable_or_says_why_not(block):
    if block.marker == "not-run":
        assert len(block.arg) >= 15, f"{block.where}: 'not-run' needs a reason"
        return
    if block.lang == "cmake":
        assert block.marker == "doc-cmake" and block.arg.endswith(".cpp"), \
            f"{block.where}: a cmake block needs <!-- doc-cmake: NAME.cpp --> or not-run"
        return
    assert block.lang in ("python", "cpp", "sh", "json", "text"), (
        f"{block.where}: a ```{block.lang} block needs <!-- not-run: reason --> or a language the docs test runs")
    if block.lang == "text":
        assert block.marker in ("doc-output", "doc-file"), \
            f"{block.where}: a text block needs doc-output, doc-file or not-run"


# --- running the pages ---------------------------------------------------------


def scratch(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples")
    (work / "tests").symlink_to(REPO / "tests")
    return work


def shims(tmp_path: Path) -> dict[str, str]:
    """PATH with python3 and calmkit meaning this interpreter and the package under test."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # Scripts that start this interpreter by its own path, not symlinks to it: a
    # virtual environment's interpreter started through a link in another folder
    # finds no pyvenv.cfg next to it and is the base interpreter, without calmkit.
    for name, args in (("python3", ""), ("calmkit", " -m calmkit")):
        shim = bindir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}"{args} "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}


def run(cmd: list[str], block: Block, cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{block.where} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def cxx_command(source: Path, exe: Path) -> list[str]:
    build = os.environ.get("CALMKIT_BUILD_DIR")
    if not build:
        pytest.skip("CALMKIT_BUILD_DIR is not set (ctest sets it)")
    cxx = os.environ.get("CXX") or shutil.which("c++") or "g++"
    # Static libraries: each before the ones it uses (store writes backups through io's files.cpp).
    libs = [f"-lcalmkit_{p}" for p in ("store", "io", "synthetic", "exercises", "metrics", "assessments")]
    return [cxx, "-std=c++20", "-O0", f"-I{REPO / 'include'}", str(source), "-o", str(exe), f"-L{build}",
            f"-Wl,-rpath,{build}", *libs, "-lsimdjson", "-lsqlite3", "-pthread"]


def cpp_source(block: Block) -> str:
    setup = block.arg if block.marker == "doc-setup" else ""
    if re.search(r"\bint\s+main\s*\(", block.body):
        return setup + "\n" + block.body
    return ("#include <calmkit/calmkit.hpp>\n#include <iostream>\n#include <vector>\n" + setup +
            "\nint main() {\n" + block.body + "\n}\n")


def cmake_project(block: Block, source: Block, work: Path, env: dict[str, str]) -> str:
    """Builds the consumer project of a doc-cmake block against calmkit
    installed from the build, runs its executable and returns what it printed."""
    build = os.environ.get("CALMKIT_BUILD_DIR")
    if not build:
        pytest.skip("CALMKIT_BUILD_DIR is not set (ctest sets it)")
    prefix = work / "calmkit-install"
    if not prefix.exists():
        run(["cmake", "--install", build, "--prefix", str(prefix)], block, work, env)
    project = work / f"cmake{block.line}"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(block.body, encoding="utf-8")
    (project / block.arg).write_text(cpp_source(source), encoding="utf-8")
    exe = re.search(r"add_executable\(\s*(\w+)", block.body)
    assert exe, f"{block.where}: the project has no add_executable()"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    run(["cmake", "-S", str(project), "-B", str(project / "build"), *generator,
         f"-DCMAKE_PREFIX_PATH={prefix}"], block, work, env, timeout=600)
    run(["cmake", "--build", str(project / "build")], block, work, env, timeout=600)
    return run([str(project / "build" / exe.group(1))], block, work, env)


def json_check(block: Block) -> None:
    text = block.body.strip()
    if text.startswith('{"type":"header"'):
        for n, line in enumerate(text.splitlines(), 1):
            try:
                json.loads(line)  # each line is one JSON value
            except json.JSONDecodeError as e:
                raise AssertionError(f"{block.where}: line {n} of the block is not JSON: {e}") from e
        calmkit.parse_journal(text + "\n")  # the strict reader accepts the journal
    elif '"type":"' in text.splitlines()[0] and "\n" not in text:
        record = json.loads(text)  # one journal line shown alone: read it under a header
        header = json.dumps({"type": "header", "format": "calmkit-journal", "version": 1})
        calmkit.parse_journal(header + "\n" + json.dumps(record) + "\n")
    else:
        calmkit.exercise_from_json(text)


#: Set by .ci/pandas.sh, the Python tests' second run on the other major
#: version of pandas: the C++ blocks and consumer projects use no pandas and were
#: compiled and run in the main run, so that run compiles them no second time.
SKIP_CXX = os.environ.get("CALMKIT_DOCS_SKIP_CXX") == "1"
NOT_RUN_HERE = "(a C++ block, not run in this run)"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_page_runs(page, tmp_path):
    work = scratch(tmp_path)
    env = shims(tmp_path)
    last_output: str | None = None
    ran = 0
    blocks = blocks_of(page)
    for i, block in enumerate(blocks):
        if block.marker == "not-run":
            continue
        if SKIP_CXX and block.lang in ("cpp", "cmake"):
            last_output = NOT_RUN_HERE
            continue
        if SKIP_CXX and block.lang == "text" and block.marker == "doc-output" and last_output is NOT_RUN_HERE:
            continue
        if block.lang == "cmake" and block.marker == "doc-cmake":
            source = next((b for b in blocks[i + 1:] if b.lang == "cpp"), None)
            assert source, f"{block.where}: no cpp block after it for {block.arg}"
            last_output = cmake_project(block, source, work, env)
            ran += 1
            continue
        if block.lang == "python":
            script = work / f"block{i}.py"
            setup = block.arg + "\n" if block.marker == "doc-setup" else ""
            script.write_text(setup + block.body, encoding="utf-8")
            last_output = run([sys.executable, script.name], block, work, env)
        elif block.lang == "cpp":
            src, exe = work / f"block{i}.cpp", work / f"block{i}"
            src.write_text(cpp_source(block), encoding="utf-8")
            run(cxx_command(src, exe), block, work, env, timeout=600)
            last_output = run([str(exe)], block, work, env)
        elif block.lang == "sh":
            setup = block.arg + "\n" if block.marker == "doc-setup" else ""
            last_output = run(["bash", "-euo", "pipefail", "-c", setup + block.body], block, work, env)
        elif block.lang == "json":
            json_check(block)
        elif block.lang == "text" and block.marker == "doc-output":
            assert last_output is not None, f"{block.where}: no block before it printed anything"
            assert last_output.strip() == block.body.strip(), f"{block.where}: the output differs:\n{last_output}"
        elif block.lang == "text" and block.marker == "doc-file":
            if SKIP_CXX and not (work / block.arg).exists():
                continue  # a file a C++ block writes: checked in the main run
            written = (work / block.arg).read_text(encoding="utf-8")
            assert written.strip() == block.body.strip(), f"{block.where}: {block.arg} differs:\n{written}"
        else:
            continue
        ran += 1
    if not any(b.marker != "not-run" for b in blocks_of(page)):
        pytest.skip(f"{page.name} has no runnable block")
    if SKIP_CXX and not ran:
        pytest.skip(f"{page.name} has only C++ blocks, run in the main run")
    assert ran
