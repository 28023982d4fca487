"""U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR in a journal's text.

Raw, both are valid JSON, but ``str.splitlines`` (and JavaScript before
ES2019) end a line at each, so a consumer splitting a journal that way would
cut a record in two. Every writer of journal lines writes them as ``\\u2028``
and ``\\u2029``; the reader takes either spelling as the same text.
"""
from __future__ import annotations

from pathlib import Path

import calmkit

LS, PS = "\u2028", "\u2029"
T0 = "2026-03-02T21:14:00+01:00"


def journal() -> calmkit.Journal:
    return calmkit.Journal([
        calmkit.Trigger(participant="p" + LS, id="t" + PS, time=T0, category="conflict", intensity=5,
                        context=f"{LS}a{PS}", tags=[LS, "x" + PS]),
        calmkit.Reading(participant="p" + LS, id="r", time="2026-03-02T21:20:00+01:00", intensity=3,
                        trigger="t" + PS, note=f"calm{LS}{PS}er"),
    ])


def check_lines(text: str, records: int) -> None:
    assert LS not in text and PS not in text
    assert "\\u2028" in text and "\\u2029" in text
    assert len(text.splitlines()) == records


def test_to_jsonl_escapes_them_and_reads_them_back(tmp_path: Path) -> None:
    j = journal()
    text = calmkit.to_jsonl(j, generator="tool" + LS)
    check_lines(text, 3)  # the header and two records
    assert calmkit.parse_journal(text) == j
    raw = text.replace("\\u2028", LS).replace("\\u2029", PS)  # as another writer may leave them
    assert calmkit.parse_journal(raw) == j
    assert calmkit.to_jsonl(calmkit.parse_journal(raw), generator="tool" + LS) == text


def test_every_file_writer_escapes_them(tmp_path: Path) -> None:
    j = journal()
    whole = tmp_path / "whole.jsonl"
    calmkit.write_journal(j, whole)
    check_lines(whole.read_text(encoding="utf-8"), 3)
    assert calmkit.read_journal(whole) == j

    appended = tmp_path / "appended.jsonl"
    for record in [*j.triggers, *j.readings]:
        calmkit.append_record(appended, record)
    check_lines(appended.read_text(encoding="utf-8"), 3)  # append_record's header, then the records
    assert calmkit.read_journal(appended) == j
