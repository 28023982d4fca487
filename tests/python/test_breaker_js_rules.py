"""The rules table of test_rules.py through the JavaScript (WebAssembly) package.

Each broken rule, as the journal line another program would write and as
the record object an app hands to ``Journal.add`` (camelCase keys), goes
through bindings/js/test/rules.mjs in Node: ``readJournal`` strict and
lenient must name the line, field and reason written out by hand in
test_rules.py, and ``Journal.add`` must refuse the record with the same
field and reason and leave the journal as it was.

Run by CTest after the wasm build (CALMKIT_JS_DIR, CALMKIT_NODE); skipped,
saying why, when the package is not built.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from test_rules import CASES, reason_of

import calmkit

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = os.environ.get("CALMKIT_JS_DIR", "")
NODE = os.environ.get("CALMKIT_NODE", "node")

pytestmark = pytest.mark.skipif(
    not JS_DIR or not (Path(JS_DIR) / "calmkit_core.wasm").exists(),
    reason="the WebAssembly package is not built (cmake --preset wasm && cmake --build --preset wasm; "
           "set CALMKIT_JS_DIR to build-wasm/js)")


@pytest.fixture(scope="module")
def said(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    cases = tmp_path_factory.mktemp("js") / "cases.json"
    cases.write_text(json.dumps([{"before": [calmkit.to_json(r) for r in c.before()], "line": c.line}
                                 for c in CASES]))
    proc = subprocess.run([NODE, str(ROOT / "bindings/js/test/rules.mjs"), str(cases)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "CALMKIT_JS_DIR": JS_DIR})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.name for c in CASES])
def test_the_javascript_package_refuses_each_bad_record_with_the_same_rule(said: list[dict], i: int) -> None:
    c, js = CASES[i], said[i]
    line, reason = len(c.before()) + 1, reason_of(c) + c.reader_suffix
    read = js["read"]
    assert read is not None, "readJournal took the bad line"
    assert (read["type"], read["path"], read["line"], read["field"], read["reason"]) == (
        "JournalFormatError", "rules.jsonl", line, c.field, reason)
    assert read["message"] == f"rules.jsonl:{line}: field '{c.field}': {reason}"
    assert js["lenient"] == [[line, c.field, reason]] and js["kept"] == len(c.before())

    add = js["add"]
    assert add is not None, "Journal.add took the bad record"
    # Journal.add's rule is the model's, without the reader's "(first used on line N)".
    assert add["message"].endswith(f"field '{c.field}': {reason_of(c)}"), add["message"]
    if add["type"] == "JournalFormatError":
        assert (add["field"], add["reason"]) == (c.field, reason_of(c))
    assert js["size"] == len(c.before())  # nothing half-added
