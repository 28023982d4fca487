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


# --- What docs/journal-format.md says a line's own problems name ("The line") ---
DOC = Path(__file__).resolve().parents[2] / "docs" / "journal-format.md"
NOT_JSON, NOT_UTF8, TWICE = "invalid JSON", "is not valid UTF-8", "duplicate key in one object"
RANGE = READ.replace('"intensity":6', '"intensity":11').encode()

# (case, line, field, words in the reason); None: the line is read
LINE_PROBLEMS = [
    ("a bad literal", with_field(READ, '"x":tru').encode(), "", NOT_JSON),
    ("a bad number", with_field(READ, '"x":01').encode(), "", NOT_JSON),
    ("a bad escape", with_field(READ, '"note":"\\q"').encode(), "", NOT_JSON),
    ("a raw control character", with_field(READ, '"note":"a\x01"').encode(), "", "control character"),
    ("a string left open", READ[:-1].encode() + b',"note":"abc', "", NOT_JSON),
    ("a bracket left open", READ[:-1].encode() + b',"x":[1,2', "", NOT_JSON),
    ("not an object", b"[1]", "", "not a JSON object"),
    ("something after the object", READ.encode() + b" x", "", "unexpected content after the JSON object"),
    ("not UTF-8 in a string", READ[:-1].encode() + b',"note":"a\xff"}', "note", NOT_UTF8 + " (byte 0xff at offset 1)"),
    ("not UTF-8 in a list's string", TRIG[:-1].encode() + b',"thoughts":["a","b\xff"]}', "thoughts[1]", NOT_UTF8),
    ("not UTF-8 in an unknown field", READ[:-1].encode() + b',"x":"a\xff"}', "x", NOT_UTF8),
    ("not UTF-8 in an unknown field's list", READ[:-1].encode() + b',"x":["a\xff"]}', "x[0]", NOT_UTF8),
    ("not UTF-8 in an unknown field's object", READ[:-1].encode() + b',"x":{"a":"\xff"}}', "x.a", NOT_UTF8),
    ("not UTF-8 in an emotion", THOUGHT[:-1].encode() + b',"emotions":[{"name":"a\xff","before":1}]}',
     "emotions[0].name", NOT_UTF8),
    ("not UTF-8 in a key", READ[:-1].encode() + b',"n\xffte":1}', "", NOT_UTF8),
    ("not UTF-8 between tokens", READ[:-1].encode() + b',"note":"a" \xff}', "", NOT_UTF8),
    ("a key twice", with_field(READ, '"time":"2026-03-02T21:20:00+01:00"').encode(), "time", TWICE),
    ("a key twice in an emotion", with_field(THOUGHT, '"emotions":[{"name":"a","before":1,"before":2}]').encode(),
     "emotions[0].before", TWICE),
    ("a key twice after a field that breaks its rule", RANGE[:-1] + b',"x":1,"x":2}', "x", TWICE),
    ("a bad escape after a key twice", RANGE[:-1] + b',"x":1,"x":2,"n":"\\q"}', "", NOT_JSON),
    # The empty key "" is a key like any other: a field named "" would read as no field, so it is named `""`.
    ("the empty key twice", with_field(READ, '"":1,"":2').encode(), '""', TWICE),
    ("the empty key twice in an emotion", with_field(THOUGHT, '"emotions":[{"name":"a","before":1,"":1,"":2}]').encode(),
     'emotions[0].""', TWICE),
    ("not UTF-8 in the empty key's value", READ[:-1].encode() + b',"":"a\xff"}', '""', NOT_UTF8),
    ("the empty key twice after a field that breaks its rule", RANGE[:-1] + b',"":1,"":2}', '""', TWICE),
    ("a key twice inside an unknown field's value", with_field(READ, '"x":{"a":1,"a":2}').encode(), None, ""),
    ("a key twice in a reading's (unknown) emotions", with_field(READ, '"emotions":[{"a":1,"a":2}]').encode(),
     None, ""),
]


@pytest.mark.parametrize("case, line, field, words", LINE_PROBLEMS, ids=[c[0] for c in LINE_PROBLEMS])
def test_what_a_lines_own_problem_names_is_what_the_docs_say(tmp_path: Path, case: str, line: bytes,
                                                              field: str | None, words: str) -> None:
    path = tmp_path / "line.jsonl"
    path.write_bytes(line + b"\n")
    if field is None:
        assert len(calmkit.read_journal(path)) == 1
        return
    for threads in (1, 2):
        with pytest.raises(calmkit.JournalFormatError) as info:
            calmkit.read_journal(path, threads=threads, chunk_bytes=16)
        assert (info.value.field, words in info.value.reason) == (field, True), info.value.reason
    _, report = calmkit.read_journal_with_report(path, lenient=True)
    assert [(s.field, words in s.reason) for s in report.skipped] == [(field, True)]


def test_the_docs_word_the_line_rules_as_the_reader_applies_them() -> None:
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    assert "The field is empty for these whole-line problems" not in doc  # a key given twice names the key
    for claim in ["keys inside an unknown field's value are not checked",
                  "a line that breaks one of them is refused for it even when a field before it breaks a rule too",
                  "a key given twice: the key, as the field (`time`, `emotions[0].before`)",
                  "bytes that are not UTF-8 inside a string: that string's field"]:
        assert claim in doc, claim


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_nesting_limit_of_an_unknown_field_is_the_documented_one(tmp_path: Path) -> None:
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    assert "at most 64 levels deep, the value itself counting as the first (`\"x\":[[1]]` is two levels)" in doc
    documented = doc.split("deeper is an error naming the field: `", 1)[1].split("`", 1)[0]
    assert calmkit.parse_journal(with_field(READ, '"x":' + _deep(64)))
    assert calmkit.parse_journal(with_field(THOUGHT, '"emotions":[{"name":"a","before":1,"x":' + _deep(64) + "}]"))
    for line, field in [(with_field(READ, '"x":' + _deep(65)), "x"),
                        (with_field(READ, '"x":' + "{\"a\":" * 64 + "{}" + "}" * 64), "x"),
                        (with_field(THOUGHT, '"emotions":[{"name":"a","before":1,"x":' + _deep(65) + "}]"),
                         "emotions[0].x"),
                        (with_field(READ, '"":' + _deep(65)), '""'),
                        (with_field(THOUGHT, '"emotions":[{"name":"a","before":1,"":' + _deep(65) + "}]"),
                         'emotions[0].""')]:
        with pytest.raises(calmkit.JournalFormatError) as info:
            calmkit.parse_journal(line)
        assert info.value.field == field
        assert f"field '{info.value.field}': {info.value.reason}" == documented.replace("'x'", f"'{field}'")
