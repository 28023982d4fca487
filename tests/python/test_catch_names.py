"""Every Catch2 test of tests/cpp is one ctest test under its own name.

catch_discover_tests registers each TEST_CASE by name in a CMake list, where
";" separates items and "[" ... "]" groups them: a name with ";" became two
ctest tests, neither of which is the test, and a name with an unbalanced "["
swallowed every later test of its file into one ctest test. Each such ctest
test matched no Catch2 test, ran nothing, and passed (tests/CMakeLists.txt
now passes --warn NoTests, so one that matches nothing fails).
"""
from __future__ import annotations

import re
from pathlib import Path

CPP_TESTS = Path(__file__).resolve().parents[1] / "cpp"

# TEST_CASE( then one or more adjacent string literals: the name.
TEST_CASE = re.compile(r'\bTEST_CASE\s*\(\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def names() -> list[tuple[str, str]]:
    out = []
    for path in sorted(CPP_TESTS.rglob("*.cpp")):
        for m in TEST_CASE.finditer(path.read_text(encoding="utf-8")):
            out.append((path.name, "".join(LITERAL.findall(m.group(1)))))
    return out


def test_the_test_names_are_found() -> None:
    found = names()
    assert len(found) > 200, len(found)
    # a name in two adjacent literals is one name
    assert ("test_store.cpp", "SIGKILL in the middle of thousands of writes loses no committed record and "
            "leaves nothing half-written") in found


def test_no_catch_test_name_holds_a_semicolon_or_a_bracket() -> None:
    bad = [f"{file}: {name}" for file, name in names() if any(c in name for c in ";[]")]
    assert not bad, "ctest splits or joins these names at ';', '[' or ']' (catch_discover_tests):\n" + "\n".join(bad)
