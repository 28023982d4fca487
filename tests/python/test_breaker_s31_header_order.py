"""A header of a newer version whose line has a problem after the version.

docs/journal-format.md puts the line's own rules first (valid JSON, one
object with nothing after it, no key twice), and the reader says so: "if the
line is not one valid JSON object, that comes first, whatever its fields say".
A header with `"version":0` (a broken rule) or `"version":"2"` followed by a
misspelled literal, a bad number, a bad escape, a cut array, a key given twice
or text after the object is refused for that line problem, and a lenient read
skips the line and goes on. A header with `"version":2` (newer than the reader
knows: a rule that stops even a lenient read) followed by the same problems
must give the same line problem, not stop the read: the line is not one valid
JSON object, and that comes first.
"""

from __future__ import annotations

import pytest

import calmkit

READING = '\n{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":1}\n'
TAILS = [',"y":tru}', ',"y":01}', ',"y":1,"y":1}', ',"version":1}', ',"y":"\\q"}', ',"y":[1}', "} x}", "}}"]


def _outcomes(version: str, tail: str) -> set:
    text = '{"type":"header","format":"calmkit-journal","version":' + version + tail + READING
    seen = set()
    for threads in (1, 2, 3):
        try:
            res = calmkit.parse_journal_with_report(text, lenient=True, name="j", threads=threads)
            seen.add(("lenient", tuple((s.line, s.field, s.reason) for s in res.report.skipped), len(res.journal)))
        except calmkit.JournalFormatError as e:
            seen.add(("lenient stopped", e.line, e.field, e.reason))
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.parse_journal(text, name="j", threads=threads)
        seen.add(("strict", e.value.line, e.value.field, e.value.reason))
    return seen


@pytest.mark.parametrize("tail", TAILS)
def test_a_broken_rule_before_a_line_problem_gives_the_line_problem(tail: str) -> None:
    """The baseline: version 0 breaks its rule (not fatal); the line problem after it is reported, and the
    lenient read skips the header and keeps the reading."""
    got = _outcomes("0", tail)
    assert _outcomes('"2"', tail) == got
    lenient = [x for x in got if x[0].startswith("lenient")]
    assert len(lenient) == 1 and lenient[0][0] == "lenient" and lenient[0][2] == 1, got


@pytest.mark.parametrize("tail", [',"y":"a\tb"}', "} x"])
def test_what_the_first_stage_sees_after_a_newer_version_is_the_lines_problem(tail: str) -> None:
    """A raw control character, or text after the object that the first stage splits off."""
    assert _outcomes("2", tail) == _outcomes("0", tail)


@pytest.mark.parametrize("tail", TAILS)
def test_a_newer_version_before_a_line_problem_gives_the_line_problem(tail: str) -> None:
    assert _outcomes("2", tail) == _outcomes("0", tail)
