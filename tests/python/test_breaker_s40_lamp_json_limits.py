"""The mindLAMP importer's streaming JSON reader (importers/_json_stream.py) on
files no LAMP server writes: the limits of the text, not of the events.

- Nesting 10^5 levels deep, where an event is, where a member the importer
  skips is, and in the study's activities: an ImportFormatError naming the
  file ("nested too deeply"), never a RecursionError, a crash or a hang.
- NaN, Infinity and 1e400: Python's json reads the first two (RFC 8259 has
  neither) and turns 1e400 into inf; a timestamp or duration that is one of
  them is named (item, field) as not a number of milliseconds.
- Encodings: a UTF-8 byte order mark is read past; a file cut inside a
  multi-byte character is "not UTF-8" at the cut's byte offset (what
  ``bytes.decode`` says of the whole file); a UTF-16 or UTF-32 file, which
  ``json.loads`` of the file's bytes would read (it detects the encoding,
  RFC 4627 section 3), is refused naming the encoding it is in and saying to
  save it as UTF-8 (B277: UTF-32 without a byte order mark was "not valid
  JSON at column 2: Expecting value (a truncated export?)").
- A long string (a journal entry of tens of MB): read with memory bounded by
  a few times its size, the position of a cut inside it given as
  ``json.loads`` gives it.
- Duplicate keys inside a nested object (a slice of a diary card): named.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit
from calmkit import ImportFormatError, import_mindlamp

_MS = 1772482440000
_ACTIVITIES = [{"id": "b1", "spec": "lamp.breathe", "settings": {}},
               {"id": "j1", "spec": "lamp.journal", "settings": {}}]


def _breathe(i: int = 0, **extra) -> dict:
    return {"timestamp": _MS + i * 60_000, "duration": 60000, "activity": "b1", "static_data": {"sentiment": "Yes"},
            **extra}


def _export(events_text: str, tail: str = "") -> str:
    return '{"activities": ' + json.dumps(_ACTIVITIES) + ', "events": [' + events_text + "]" + tail + "}"


def _error(path: Path, **kwargs) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as e:
        import_mindlamp(path, utc_offset=0, **kwargs)
    return e.value


_DEPTH = 100_000


@pytest.mark.parametrize("where", ["an event", "a member skipped", "the activities", "the whole file",
                                   "objects in an event"])
@pytest.mark.parametrize("lenient", [False, True])
def test_nesting_a_hundred_thousand_levels_is_named(tmp_path: Path, where: str, lenient: bool) -> None:
    deep = "[" * _DEPTH + "]" * _DEPTH
    text = {
        "an event": _export(json.dumps(_breathe()) + ", " + deep),
        "a member skipped": '{"x": ' + deep + ', ' + _export(json.dumps(_breathe()))[1:],
        "the activities": '{"activities": [' + deep + '], "events": []}',
        "the whole file": deep,
        "objects in an event": _export('{"timestamp": 1, "static_data": ' + '{"a": ' * _DEPTH + "1" + "}" * _DEPTH
                                       + "}"),
    }[where]
    f = tmp_path / "deep.json"
    f.write_text(text, encoding="utf-8")
    e = _error(f, lenient=lenient)
    assert str(e).startswith(f"{f}: ") and "nested too deeply" in str(e), str(e)


@pytest.mark.parametrize(("field", "token"), [("timestamp", "NaN"), ("timestamp", "Infinity"),
                                              ("timestamp", "-Infinity"), ("timestamp", "1e400"),
                                              ("duration", "NaN"), ("duration", "1e400"), ("duration", "-1e400")])
def test_not_a_number_tokens_are_named_by_item_and_field(tmp_path: Path, field: str, token: str) -> None:
    event = json.dumps(_breathe(1)).replace(f'"{field}": ', f'"{field}": {token}, "was": ', 1)
    f = tmp_path / "nan.json"
    f.write_text(_export(json.dumps(_breathe(0)) + ",\n" + event), encoding="utf-8")
    e = _error(f)
    assert e.field == field and e.item == 1, str(e)
    assert "milliseconds" in str(e) or "out of range" in str(e), str(e)
    # lenient: the event is skipped and reported, the other one imported
    journal, report = import_mindlamp(f, utc_offset=0, lenient=True)
    assert len(journal.exercises) == 1 and len(report.skipped) == 1


def test_a_byte_order_mark_is_read_past_and_two_are_refused(tmp_path: Path) -> None:
    plain = _export(json.dumps(_breathe()))
    f = tmp_path / "bom.json"
    f.write_bytes(codecs.BOM_UTF8 + plain.encode())
    journal, _ = import_mindlamp(f, utc_offset=0)
    assert len(journal.exercises) == 1
    f.write_bytes(codecs.BOM_UTF8 * 2 + plain.encode())
    assert "BOM" in str(_error(f))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_a_utf16_or_utf32_file_is_named_by_its_encoding(tmp_path: Path, encoding: str) -> None:
    text = _export(json.dumps(_breathe()))
    raw = text.encode(encoding)
    assert json.loads(raw) == json.loads(text)  # the standard library reads it: it is JSON, in another encoding
    f = tmp_path / "wide.json"
    f.write_bytes(raw)
    e = _error(f)
    assert "UTF-8" in str(e) and f"{encoding[:6].upper()} text" in str(e), str(e)
    assert "truncated" not in str(e)


@pytest.mark.parametrize("char", ["é", "中", "😀"])
def test_a_file_cut_inside_a_character_is_not_utf8_at_the_cut(tmp_path: Path, char: str) -> None:
    body = _export(json.dumps(_breathe(), ensure_ascii=False)).encode()
    body = body[:body.rindex(b"}")] + (', "note": "calm ' + char).encode()
    raw = body[:-1]  # the file ends inside the last character
    start = len(body) - len(char.encode())
    with pytest.raises(UnicodeDecodeError) as want:
        raw.decode("utf-8")
    assert want.value.start == start
    f = tmp_path / "cut.json"
    f.write_bytes(raw)
    e = _error(f)
    assert f"byte offset {start}" in str(e), str(e)


def _json_loads_position(text: str) -> tuple[int, int]:
    with pytest.raises(json.JSONDecodeError) as e:
        json.loads(text)
    return e.value.lineno, e.value.colno


@pytest.mark.parametrize("cut", ["inside the string", "after the string", "after a comma"])
def test_a_cut_after_a_long_string_is_placed_as_json_loads_places_it(tmp_path: Path, cut: str) -> None:
    long_text = "worry " * 500_000  # 3 MB: three pieces of the reader's 1 MiB
    event = {"timestamp": _MS, "activity": "j1", "static_data": {"text": long_text, "sentiment": "bad"}}
    whole = _export(json.dumps(event) + ",\n" + json.dumps(event))
    second = whole.index(long_text, whole.index(long_text) + 1)
    text = {"inside the string": whole[:second + 2_000_000],
            "after the string": whole[:second + len(long_text) + 1],
            "after a comma": whole[:second + len(long_text) + 3]}[cut]
    line, column = _json_loads_position(text)
    f = tmp_path / "cut.json"
    f.write_text(text, encoding="utf-8")
    e = _error(f)
    assert e.line == line and f"at column {column}:" in str(e), (str(e)[:300], line, column)


def test_a_duplicate_key_inside_a_slice_is_named(tmp_path: Path) -> None:
    f = tmp_path / "dup.json"
    f.write_text('[{"timestamp": %d, "spec": "lamp.dbt_diary_card", "temporal_slices": '
                 '[{"item": "Fear/Worry", "level": "emotion", "value": 2, "value": 5}]}]' % _MS, encoding="utf-8")
    e = _error(f)
    assert e.field == "value" and "twice" in str(e)


def test_a_long_journal_entry_is_read_in_memory_bounded_by_its_size(tmp_path: Path) -> None:
    """An 8 MB journal text (one JSON string): peak RSS grows by less than 6 x the string (the reader
    keeps the text it decodes, the decoded str and the reading's note; json.loads of the file held the
    bytes, the text and the value). Measured in a child process, so the bound is this import's own."""
    size = 8 << 20
    f = tmp_path / "long.json"
    with f.open("w", encoding="utf-8") as out:
        out.write('[{"timestamp": %d, "spec": "lamp.journal", "static_data": {"sentiment": "bad", "text": "' % _MS)
        chunk = "I keep checking my phone. " * 4096
        written = 0
        while written < size:
            out.write(chunk)
            written += len(chunk)
        out.write('"}}]')
    script = textwrap.dedent("""
        import resource, sys
        import calmkit
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            journal, report = calmkit.import_mindlamp(sys.argv[1], utc_offset=0)
            outcome = f"ok {len(journal.readings)} {len(journal.readings[0].note)}"
        except calmkit.ImportFormatError as e:
            outcome = "error " + str(e)[:200]
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
        print(outcome)
    """)
    package_root = str(Path(calmkit.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-c", script, str(f)], capture_output=True, text=True, timeout=300,
                       cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    grown, outcome = p.stdout.strip().split("\n", 1)
    assert int(grown) < 6 * written, f"peak RSS grew {int(grown) / 2**20:.0f} MiB for a {written / 2**20:.0f} MiB text"
    assert outcome.startswith("ok 1 ") or "note" in outcome or "text" in outcome, outcome
