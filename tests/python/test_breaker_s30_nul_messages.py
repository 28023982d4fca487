"""Error messages that quote a value holding a NUL (U+0000, written \\u0000 in JSON).

A journal's strings may hold U+0000 (the reader keeps it; the writer escapes
it). docs/journal-format.md: a lenient read reports each skipped line with "the
same message a strict read would throw". The messages quote the bad value, so
a NUL lands inside them: the strict error's text must still be the whole
message, as the lenient report gives it, not the text up to the NUL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit

T = "2026-03-02T10:00:00Z"
LINES = {
    "type": {"type": "reading\u0000x", "time": T, "intensity": 3},
    "category": {"type": "trigger", "id": "t1", "time": T, "category": "other\u0000", "intensity": 3},
    "trigger": {"type": "reading", "time": T, "intensity": 3, "trigger": "a\u0000b"},
    "time": {"type": "reading", "time": T + "\u0000", "intensity": 3},
}


@pytest.mark.parametrize("field", LINES)
def test_the_lenient_message_quotes_the_value_whole(field: str) -> None:
    res = calmkit.parse_journal_with_report(json.dumps(LINES[field]), lenient=True)
    (s,) = res.report.skipped
    assert s.field == field and s.message.endswith(s.reason)
    # The NUL is shown as JSON writes it, and the value goes on after it.
    assert "\u0000" not in s.message and "\\u0000" in s.message


@pytest.mark.parametrize("field", LINES)
def test_the_strict_error_is_the_lenient_message(field: str, tmp_path: Path) -> None:
    text = json.dumps(LINES[field])
    f = tmp_path / "j.jsonl"
    f.write_text(text)
    for read, lenient_read in [(lambda: calmkit.parse_journal(text),
                                lambda: calmkit.parse_journal_with_report(text, lenient=True)),
                               (lambda: calmkit.read_journal(f),
                                lambda: calmkit.read_journal_with_report(f, lenient=True))]:
        with pytest.raises(calmkit.JournalFormatError) as e:
            read()
        assert str(e.value) == lenient_read().report.skipped[0].message
        assert str(e.value).endswith(e.value.reason)


def test_record_errors_quote_the_value_whole() -> None:
    with pytest.raises(calmkit.RecordError) as e:
        calmkit.Journal().add(calmkit.Reading(time=T, intensity=3, trigger="a\u0000b"))
    assert str(e.value).endswith(e.value.reason)
    with pytest.raises(ValueError) as v:
        calmkit.Trigger(id="t", time=T, category="other\u0000zz", intensity=3)
    assert "zz" in str(v.value)
