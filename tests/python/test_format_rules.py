"""Every rule of the journal format v1, from Python: each bad input raises
calmkit.JournalFormatError (a ValueError) naming the file, the line and the
field, and lenient mode skips and reports the same line instead.

The C++ suite (tests/cpp/test_jsonl.cpp) covers the same rules in more
variants; this file proves the errors reach Python users as data."""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

TRIG = '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply","intensity":8}'
READ = '{"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6}'
EXER = ('{"type":"exercise","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.box",'
        '"end":"2026-03-02T21:35:00+01:00"}')
THOUGHT = ('{"type":"thought_record","id":"c1","time":"2026-03-02T22:00:00+01:00","situation":"s",'
           '"automatic_thought":"a","belief_before":80}')
GAD = ('{"type":"assessment","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7",'
       '"answers":[1,2,3,0,1,2,1]}')


def with_field(line: str, field: str) -> str:
    """The line with one more field (a JSON member text) before the closing brace."""
    return line[:-1] + "," + field + "}"


# (case, file text, line the error must name, field it must name, words the reason contains)
RULES = [
    ("missing required field", TRIG.replace('"category":"delayed_reply",', ""), 1, "category", "missing"),
    ("missing id", TRIG.replace('"id":"t1",', ""), 1, "id", "missing"),
    ("missing end", EXER.replace(',"end":"2026-03-02T21:35:00+01:00"', ""), 1, "end", "missing"),
    ("missing belief_before", THOUGHT.replace(',"belief_before":80', ""), 1, "belief_before", "missing"),
    ("wrong type: intensity as text", TRIG.replace('"intensity":8', '"intensity":"8"'), 1, "intensity", ""),
    ("wrong type: intensity 3.5", READ.replace('"intensity":6', '"intensity":3.5'), 1, "intensity", ""),
    ("wrong type: list element", with_field(TRIG, '"thoughts":["ok",2]'), 1, "thoughts[1]", ""),
    ("out of range: intensity 11", TRIG.replace('"intensity":8', '"intensity":11'), 1, "intensity", "11"),
    ("out of range: belief 101", THOUGHT.replace('"belief_before":80', '"belief_before":101'), 1,
     "belief_before", "101"),
    ("out of range: emotion", with_field(THOUGHT, '"emotions":[{"name":"x","before":101}]'), 1,
     "emotions[0].before", "101"),
    ("out of range: negative minutes", with_field(TRIG, '"acted_after_minutes":-1'), 1,
     "acted_after_minutes", ""),
    ("malformed time", READ.replace("2026-03-02T21:20:00+01:00", "yesterday"), 1, "time", ""),
    ("time without offset", READ.replace("2026-03-02T21:20:00+01:00", "2026-03-02T21:20:00"), 1, "time",
     "offset"),
    ("end before time", EXER.replace("2026-03-02T21:35:00+01:00", "2026-03-02T20:29:00Z"), 1, "end", "before"),
    ("unknown type", '{"type":"mood","time":"2026-03-02T21:14:00+01:00"}', 1, "type", "mood"),
    ("unknown category", TRIG.replace("delayed_reply", "ghosting"), 1, "category", "ghosting"),
    ("unknown distortion", with_field(THOUGHT, '"distortions":["crystal_ball"]'), 1, "distortions[0]",
     "crystal_ball"),
    ("duplicate id", TRIG + "\n" + READ + "\n" + TRIG, 3, "id", "duplicate"),
    ("reference to no trigger", TRIG + "\n" + with_field(READ, '"trigger":"t9"'), 2, "trigger", "t9"),
    ("unknown instrument", GAD.replace("gad-7", "phq-9"), 1, "instrument", "phq-9"),
    ("answer out of scale", GAD.replace("[1,2,3,0,1,2,1]", "[1,2,3,0,1,2,4]"), 1, "answers[6]", ""),
    ("newer format version", '{"type":"header","format":"calmkit-journal","version":2}\n' + READ, 1,
     "version", "2"),
    ("not a JSON object", TRIG + "\n[1,2]", 2, "", "not a JSON object"),
    ("invalid JSON", TRIG + "\n" + READ[:-1], 2, "", "invalid JSON"),
]


@pytest.mark.parametrize("case, text, line, field, words", RULES, ids=[r[0] for r in RULES])
def test_each_rule_names_file_line_and_field(tmp_path: Path, case: str, text: str, line: int, field: str,
                                             words: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as info:
        calmkit.read_journal(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.path == str(path)
    assert err.line == line
    assert err.field == field
    assert words in err.reason
    assert f"{path}:{line}:" in str(err)


@pytest.mark.parametrize("case, text, line, field, words",
                         [r for r in RULES if r[0] != "newer format version"], ids=lambda v: str(v)[:30])
def test_lenient_mode_skips_and_reports_the_same_line(tmp_path: Path, case: str, text: str, line: int,
                                                      field: str, words: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    journal, report = calmkit.read_journal_with_report(path, lenient=True)
    assert [s.line for s in report.skipped] == [line]
    assert report.skipped[0].field == field
    assert len(journal) == report.records


def test_a_newer_version_stops_even_a_lenient_read(tmp_path: Path) -> None:
    # No line of a v2 file can safely be read as v1, so leniency does not apply.
    path = tmp_path / "v2.jsonl"
    path.write_text('{"type":"header","format":"calmkit-journal","version":2}\n' + READ + "\n", encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError, match="version 2"):
        calmkit.read_journal(path, lenient=True)
