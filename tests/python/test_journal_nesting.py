"""An ignored field's value nested deeply, against Python's json module.

docs/journal-format.md: an unknown field's value may hold lists and objects at
most 64 levels deep (the value itself the first); deeper is an error naming
the field. That is a field's rule: a line that is not valid JSON is refused as
such first, wherever on the line the JSON breaks (after the deep value, or
inside it below level 64), however deep the value goes.

The reference is Python's json module, with its pure-Python scanner (which on
Python 3.11 and later recurses without the C stack) and the recursion limit
raised to the line's length: it says whether a line is valid JSON and how
deep its ignored value nests. Every line is read by each entry point that
takes journal text: parse_journal (strict and lenient), read_journal (strict,
lenient, one and two threads, the line in the middle of a file or its last
line without a newline) and update_journal.
"""

from __future__ import annotations

import functools
import json
import json.scanner
import sys
from pathlib import Path

import pytest

import calmkit

READING = '{"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6}'
THOUGHT = ('{"type":"thought_record","id":"tr1","time":"2026-03-02T22:00:00+01:00","situation":"s",'
           '"automatic_thought":"a","belief_before":80}')
TOO_DEEP = "nested too deeply: an unknown field's value may hold lists and objects at most 64 levels deep"


def with_fields(line: str, extra: str) -> str:
    return line[:-1] + "," + extra + "}"


def nest(n: int, inner: str = "1") -> str:
    return "[" * n + inner + "]" * n


def nest_objects(n: int, inner: str = "1") -> str:
    return '{"a":' * n + inner + "}" * n


def in_emotion(value: str) -> str:
    return with_fields(THOUGHT, '"emotions":[{"name":"a","before":1,"x":' + value + "}]")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Python takes NaN and Infinity; RFC 8259 does not


def reference(line: str):
    """The line as Python's json reads it, or None when it is not valid JSON."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 4 * len(line) + 1000))
    try:
        return decoder.decode(line)
    except (ValueError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(old)


def depth(value) -> int:
    """Levels of lists and objects in `value`, itself the first (0 for a scalar); no recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


@functools.lru_cache(maxsize=None)
def expected(line: str) -> tuple[str, str] | None:
    """(field, reason start) of the line's error by the reference and the format's rules, None: kept."""
    record = reference(line)
    if record is None:
        return "", "invalid JSON"
    if "x" in record:
        where, value = "x", record["x"]
    else:
        where, value = "emotions[0].x", record["emotions"][0]["x"]
    if depth(value) > 64:
        return where, TOO_DEEP
    return None


N_LARGE = 100_000  # the C++ tests take 10^6 too; the reference here costs memory per level

KEPT, DEEP, NOT_JSON = "kept", "too deep", "not JSON"

# name: (line, what it is by construction); the reference must agree (first test).
CASES = {
    "64 deep": (with_fields(READING, '"x":' + nest(64)), KEPT),
    "65 deep": (with_fields(READING, '"x":' + nest(65)), DEEP),
    "objects 64 deep": (with_fields(READING, '"x":' + nest_objects(63, "[]")), KEPT),
    "objects 65 deep": (with_fields(READING, '"x":' + nest_objects(64, "[]")), DEEP),
    "10^5 deep": (with_fields(READING, '"x":' + nest(N_LARGE)), DEEP),
    "10^5 deep, a number past a double at the bottom": (with_fields(READING, '"x":' + nest(N_LARGE, "1e400")), DEEP),
    "65 deep, then a bad literal": (with_fields(READING, '"x":' + nest(65) + ',"y":tru'), NOT_JSON),
    "10^5 deep, then a bad literal": (with_fields(READING, '"x":' + nest(N_LARGE) + ',"y":tru'), NOT_JSON),
    "65 deep, then a trailing comma": (with_fields(READING, '"x":' + nest(65) + ","), NOT_JSON),
    "10^5 deep, then a trailing comma": (with_fields(READING, '"x":' + nest(N_LARGE) + ","), NOT_JSON),
    "10^5 deep, a trailing comma at the bottom": (with_fields(READING, '"x":' + nest(N_LARGE, "1,")), NOT_JSON),
    "65 deep, then a bad escape": (with_fields(READING, '"x":' + nest(65) + r',"y":"\q"'), NOT_JSON),
    "10^5 deep, then a bad escape": (with_fields(READING, '"x":' + nest(N_LARGE) + r',"y":"\q"'), NOT_JSON),
    "10^5 deep objects, a bad escape in the deepest key": (
        with_fields(READING, '"x":' + nest_objects(N_LARGE, r'{"\q":1}')), NOT_JSON),
    "65 deep, then a raw NUL in a string": (with_fields(READING, '"x":' + nest(65) + ',"y":"a\x00b"'), NOT_JSON),
    "10^5 deep, then a raw NUL in a string": (with_fields(READING, '"x":' + nest(N_LARGE) + ',"y":"a\x00b"'),
                                              NOT_JSON),
    "10^5 deep, then a raw NUL between tokens": (with_fields(READING, '"x":' + nest(N_LARGE) + "\x00"), NOT_JSON),
    "65 deep, never closed": (READING[:-1] + ',"x":' + "[" * 65, NOT_JSON),
    "10^5 deep, never closed": (READING[:-1] + ',"x":' + "[" * N_LARGE, NOT_JSON),
    "a range broken, then 10^5 deep, then a bad literal": (
        with_fields(READING.replace('"intensity":6', '"intensity":11'), '"x":' + nest(N_LARGE) + ',"y":tru'),
        NOT_JSON),
    "a key twice, then 10^5 deep, then a bad literal": (
        with_fields(READING, '"k":1,"k":2,"x":' + nest(N_LARGE) + ',"y":tru'), NOT_JSON),
    "an emotion's field 64 deep": (in_emotion(nest(64)), KEPT),
    "an emotion's field 65 deep": (in_emotion(nest(65)), DEEP),
    "an emotion's field 10^5 deep": (in_emotion(nest(N_LARGE)), DEEP),
    "an emotion's field 10^5 deep, then a bad literal": (in_emotion(nest(N_LARGE) + ',"y":tru'), NOT_JSON),
    "an emotion's field 10^5 deep, then a trailing comma": (in_emotion(nest(N_LARGE) + ","), NOT_JSON),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_reference_says_what_the_case_is(name):
    """Each case is what its name says by the reference, so the tests below test what they claim."""
    line, kind = CASES[name]
    outcome = expected(line)
    assert {None: KEPT, TOO_DEEP: DEEP, "invalid JSON": NOT_JSON}[outcome and outcome[1]] == kind


def outcome_of(read) -> tuple[str, str] | None:
    """(field, reason) of a strict read's error, None when it reads."""
    try:
        read()
    except calmkit.JournalFormatError as e:
        return e.field, e.reason
    return None


def check(got: tuple[str, str] | None, want: tuple[str, str] | None, where: str) -> None:
    if want is None:
        assert got is None, f"{where}: refused ({got}) a line the reference keeps"
    else:
        assert got is not None, f"{where}: kept a line the reference refuses ({want})"
        assert got[0] == want[0], f"{where}: field {got[0]!r}, the reference says {want[0]!r} ({got[1]})"
        assert got[1].startswith(want[1]), f"{where}: reason {got[1]!r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_parse_journal_strict_and_lenient(name):
    line = CASES[name][0]
    want = expected(line)
    check(outcome_of(lambda: calmkit.parse_journal(line)), want, "parse_journal")
    result = calmkit.parse_journal_with_report(READING + "\n" + line + "\n" + READING, lenient=True)
    skipped = result.report.skipped
    if want is None:
        assert not skipped
        assert result.report.records == 3
    else:
        assert [(s.line, s.field) for s in skipped] == [(2, want[0])], name
        assert skipped[0].reason.startswith(want[1])
        assert result.report.records == 2


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", sorted(CASES))
def test_read_journal_in_the_middle_and_as_the_unterminated_last_line(name, threads, tmp_path: Path):
    line = CASES[name][0]
    want = expected(line)
    # Enough good lines around it that the fast path and the document stream both run.
    good = "\n".join([READING] * 40)
    middle = tmp_path / "middle.jsonl"
    middle.write_bytes((good + "\n" + line + "\n" + good + "\n").encode("utf-8", "surrogatepass"))
    last = tmp_path / "last.jsonl"
    last.write_bytes((good + "\n" + line).encode("utf-8", "surrogatepass"))
    for path in (middle, last):
        got = outcome_of(lambda p=path: calmkit.read_journal(p, threads=threads, chunk_bytes=4096))
        check(got, want, f"read_journal({path.name})")
        if got is not None:
            try:
                calmkit.read_journal(path, threads=threads, chunk_bytes=4096)
            except calmkit.JournalFormatError as e:
                assert e.line == 41
        result = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=4096)
        assert [(s.line, s.field) for s in result.report.skipped] == ([] if want is None else [(41, want[0])])


@pytest.mark.parametrize("name", ["10^5 deep", "10^5 deep, then a bad literal", "10^5 deep, never closed"])
def test_update_journal_reads_as_read_journal_does(name, tmp_path: Path):
    path = tmp_path / "j.jsonl"
    path.write_text(READING + "\n" + CASES[name][0] + "\n", encoding="utf-8")
    before = path.read_bytes()
    got = outcome_of(lambda: calmkit.update_journal(path, lambda journal: None))
    check(got, expected(CASES[name][0]), "update_journal")
    assert path.read_bytes() == before  # a refused journal is left as it was


def test_a_million_brackets_never_closed_is_a_json_error():
    """10^6 levels, past any recursion: no crash and the line's own problem (not checked against the
    reference, whose pure-Python scanner would need a frame per level)."""
    line = READING[:-1] + ',"x":' + "[" * 1_000_000
    assert outcome_of(lambda: calmkit.parse_journal(line))[0] == ""
    closed = with_fields(READING, '"x":' + nest(1_000_000))
    assert outcome_of(lambda: calmkit.parse_journal(closed)) == ("x", TOO_DEEP)
