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
from pathlib import Path
from typing import Any

import pytest
from test_breaker_rule_table import BAD, FIRST
from test_rules import CASES, reason_of

import calmkit
from conftest import JsPackage

ROOT = Path(__file__).resolve().parents[2]

@pytest.fixture(scope="module")
def said(tmp_path_factory: pytest.TempPathFactory, js_package: JsPackage) -> list[dict]:
    cases = tmp_path_factory.mktemp("js") / "cases.json"
    cases.write_text(json.dumps([{"before": [calmkit.to_json(r) for r in c.before()], "line": c.line}
                                 for c in CASES]))
    return js_package.json(ROOT / "bindings/js/test/rules.mjs", cases, timeout=120)


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
    # Journal.add's rule is the model's, without the reader's "(first used on line N)", in
    # the shape of C++ and Python's Journal.add: the record as the place, no file or line.
    # A RecordError (a JournalFormatError), the name C++ and Python give it too.
    assert (add["type"], add["journalFormat"], add["path"], add["line"], add["field"], add["reason"]) == (
        "RecordError", True, "", 0, c.field, reason_of(c))
    assert add["place"] == f"cannot add {c.record}"
    assert add["message"] == f"cannot add {c.record}: field '{c.field}': {reason_of(c)}"
    assert js["size"] == len(c.before())  # nothing half-added


# The second table (test_breaker_rule_table.py: 240-odd lines written from the
# spec) through the same script: readJournal strict and lenient must say what
# the C++ reader says, line for line; Journal.add must refuse each record whose
# JavaScript value is still the bad one (JSON.parse makes 8.0, 1e1 and -0.0 the
# numbers 8, 10 and 0, keeps one of two duplicate keys, and the JavaScript API
# takes a trigger of "" or null as none) with the same field and reason.

_SAME_NUMBER_IN_JS = ("=8.0", "=1e1", "=-0.0", "=9223372036854775808", "=-9223372036854775809", "answer 1.0",
                      "answer 9223372036854775808")
_NOT_AN_OBJECT_IN_JS = ("duplicate key", "duplicate unknown key", "header after the first line")
_NO_TRIGGER_IN_JS = ("trigger empty", "trigger null")
# Found (reports of sessions 25 and 26): Journal.add worded these its own way. All fixed: A7 and A10 of
# session 25 (the trigger type, the journal's own rules) and R8 of session 26 (Infinity went through JSON as
# null, `got null`; it goes to the reader as 1e400 now). A new finding goes here as "case name": "reason".
_JS_FINDINGS: dict[str, str] = {}


@pytest.fixture(scope="module")
def said_table(tmp_path_factory: pytest.TempPathFactory, js_package: JsPackage) -> list[dict]:
    cases = tmp_path_factory.mktemp("js") / "table.json"
    cases.write_text(json.dumps([{"before": [FIRST], "line": text} for _, text, _, _ in BAD]))
    return js_package.json(ROOT / "bindings/js/test/rules.mjs", cases, timeout=300)


@pytest.mark.parametrize("i", range(len(BAD)), ids=[b[0] for b in BAD])
def test_read_journal_in_javascript_says_what_the_reader_says(said_table: list[dict], i: int) -> None:
    _, _, field, reason = BAD[i]
    read = said_table[i]["read"]
    assert read is not None, "readJournal took the bad line"
    assert (read["type"], read["line"], read["field"], read["reason"]) == ("JournalFormatError", 2, field, reason)
    assert said_table[i]["lenient"] == [[2, field, reason]] and said_table[i]["kept"] == 1


def _add_cases() -> list[Any]:
    out = []
    for i, (name, _, _, _) in enumerate(BAD):
        if name.endswith(_SAME_NUMBER_IN_JS) or any(k in name for k in _NOT_AN_OBJECT_IN_JS) or name.endswith(
                _NO_TRIGGER_IN_JS):
            continue
        finding = next((f for k, f in _JS_FINDINGS.items() if name.endswith(k) or name == k), None)
        marks = [pytest.mark.xfail(strict=True, reason=finding)] if finding else []
        out.append(pytest.param(i, id=name, marks=marks))
    return out


@pytest.mark.parametrize("i", _add_cases())
def test_journal_add_in_javascript_refuses_with_the_same_field_and_reason(said_table: list[dict], i: int) -> None:
    _, _, field, reason = BAD[i]
    reason = reason.replace(" (first used on line 1)", "")
    add = said_table[i]["add"]
    assert add is not None, "Journal.add took the bad record"
    assert (add["field"], add["reason"]) == (field, reason), add["message"]
    assert said_table[i]["size"] == 1  # nothing half-added
