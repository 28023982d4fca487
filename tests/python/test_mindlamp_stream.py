"""The mindLAMP importer reads its JSON a piece at a time (calmkit.importers._json_stream).

- The reader against ``json.loads`` (the reference: the standard library's
  own reading of the whole text): the same values, or the same error at the
  same line and column, for documents cut, changed and grown at random, read
  in pieces of 1, 2, 3, 7 and 64 bytes and in one piece.
- ``import_mindlamp`` gives the same journal, report and errors whatever the
  piece size, for every fixture and for the layouts a piece can split (an
  object whose activities come after its events).
- Its memory: importing a 40 MB export grows the process's peak RSS by less
  than the file's size (reading it whole took about six times its size).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit
from calmkit import ImportFormatError, import_mindlamp
from calmkit.importers import _json_stream
from calmkit.importers._json_stream import JsonStream, JsonSyntaxError, JsonValueError

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
PIECES = (1, 2, 3, 7, 64, None)


def _whole(raw: bytes):
    """What json.loads of the whole file says (the importer's reading before it streamed)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return ("not UTF-8", e.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0))
    try:
        return ("value", json.loads(text))
    except json.JSONDecodeError as e:
        return ("syntax", e.msg, e.lineno, e.colno)
    except ValueError:
        return ("too long a number",)


def _streamed(raw: bytes, chunk):
    try:
        s = JsonStream(io.BytesIO(raw), chunk=chunk)
        first = s.peek()
        if first == "[":
            value = list(s.items())
        elif first == "{":
            value = {}
            for key in s.members():
                value[key] = s.value()
        else:
            value = s.value()
        s.end()
        return ("value", value)
    except UnicodeDecodeError as e:
        return ("not UTF-8", e.start)
    except JsonSyntaxError as e:
        return ("syntax", e.msg, e.line, e.column)
    except JsonValueError:
        return ("too long a number",)


def _documents() -> list[bytes]:
    rng = random.Random(20261202)
    fixed = [b"", b" ", b"[]", b"{}", b"[1, 2, 3]", b"[1,\n 2,\n 3", b"[1 2]", b"[1] x", b'"text"', b"12345",
             b"[tru", b"[true, false, null, -1.5e3, 0.25E-2]", b'{"a" 1}', b'{"a": 1,}', b"[1,]", b"{1: 2}",
             '[{"a": "\u00e9\u4e2d\U0001F600"}]'.encode(), b'["a\xffb"]', b"[" + b"9" * 5000 + b"]",
             b"[NaN, Infinity, -Infinity]", b'\n\n  [\n{"x": "\\n"},\n  {"y": 2}\n\n', b"[\n1,\n\x01]",
             b'["\\ud800"]', b"\xef\xbb\xbf[1]", b"\xef\xbb\xbf\xef\xbb\xbf[1]", b'{"events": [{"a": 1}], "x": []}',
             b'["\\u00e9", "\\u00', b'[{"a": "' + "é".encode() * 50 + b'"}]']
    base = json.dumps([{"timestamp": 1772482440000 + i, "spec": "lamp.breathe", "note": "é" * rng.randint(0, 40),
                        "n": [i, i * 0.5, None, True]} for i in range(60)], indent=1).encode()
    docs = fixed + [base]
    for _ in range(250):
        b = bytearray(base)
        k = rng.randrange(len(b))
        op = rng.randrange(4)
        if op == 0:
            del b[k:]
        elif op == 1:
            b[k] = rng.choice(b'{}[],:"\\ x1\n\xff\xc3')
        elif op == 2:
            del b[k]
        else:
            b.insert(k, rng.choice(b'{}[],:"\\ x1\n'))
        docs.append(bytes(b))
    return docs


def test_the_reader_says_what_json_loads_says_whatever_the_piece_size():
    differ = []
    docs = _documents()
    for raw in docs:
        expected = _whole(raw)
        for chunk in PIECES:
            got = _streamed(raw, chunk)
            if got != expected:
                differ.append(f"{raw[:60]!r} in pieces of {chunk}: {str(got)[:120]} != {str(expected)[:120]}")
    assert not differ, "\n".join(differ[:10])
    # The mutations do reach every outcome.
    kinds = {_whole(raw)[0] for raw in docs}
    assert kinds == {"value", "syntax", "not UTF-8", "too long a number"}


def _import(path: Path, **kwargs):
    try:
        journal, report = import_mindlamp(path, **kwargs)
    except ImportFormatError as e:
        return ("error", str(e), e.line, e.field, e.item)
    return ("ok", journal, report.summary(), report.layout, len(report.skipped), report.warnings)


@pytest.mark.parametrize("fixture", ["mindlamp_events.json", "mindlamp_bad.json", "mindlamp_truncated.json",
                                     "mindlamp/api_response.json", "mindlamp/dbt_diary_card.json",
                                     "mindlamp/sensor_events.json", "mindlamp/api_activities.json"])
@pytest.mark.parametrize("lenient", [False, True])
def test_an_import_is_the_same_whatever_the_piece_size(fixture, lenient, monkeypatch):
    path = DATA / fixture
    kwargs = {"tz": "Europe/Berlin", "lenient": lenient}
    if fixture == "mindlamp/api_response.json":
        kwargs["activities"] = json.loads((DATA / "mindlamp" / "api_activities.json").read_text())["data"]
    whole = _import(path, **kwargs)
    for chunk in (1, 5, 64):
        monkeypatch.setattr(_json_stream, "CHUNK", chunk)
        assert _import(path, **kwargs) == whole, chunk


def test_the_truncated_fixture_names_its_line_in_pieces(monkeypatch):
    monkeypatch.setattr(_json_stream, "CHUNK", 3)
    with pytest.raises(ImportFormatError, match=r"mindlamp_truncated.json:11: not valid JSON at column"):
        import_mindlamp(DATA / "mindlamp_truncated.json", utc_offset=0, lenient=True)


def _breathe(ms: int, **extra) -> dict:
    return {"timestamp": ms, "duration": 60000, "activity": "b1", "static_data": {"sentiment": "Yes"}, **extra}


def test_activities_after_the_events_are_read_first(tmp_path, monkeypatch):
    # A key's place in a JSON object means nothing: the study's activities may follow the events.
    monkeypatch.setattr(_json_stream, "CHUNK", 16)
    after = tmp_path / "after.json"
    after.write_text(json.dumps({"events": [_breathe(1772482440000)],
                                 "activities": [{"id": "b1", "spec": "lamp.breathe", "settings": {}}]}))
    journal, report = import_mindlamp(after, utc_offset=0)
    assert [e.exercise for e in journal.exercises] == ["breathing.coherent"]
    assert report.layout == "object with activities and events"


def test_an_error_later_in_the_file_wins_over_an_events_error(tmp_path):
    # As when the whole file was read first: the JSON error at its end, not event 0's missing timestamp.
    f = tmp_path / "both.json"
    f.write_text('[{"spec": "lamp.breathe"},\n' + ",\n".join(json.dumps(_breathe(1772482440000 + i, spec="lamp.breathe"))
                                                              for i in range(50)) + ",\n")
    with pytest.raises(ImportFormatError, match=r"both.json:52: not valid JSON"):
        import_mindlamp(f, utc_offset=0)
    # A key written twice later on, too.
    f.write_text('[{"spec": "lamp.breathe"}, {"timestamp": 1, "timestamp": 2}]')
    with pytest.raises(ImportFormatError) as e:
        import_mindlamp(f, utc_offset=0)
    assert e.value.field == "timestamp" and "names this key twice" in str(e.value)


def test_a_file_of_activity_objects_is_named_so_wherever_it_ends(tmp_path):
    f = tmp_path / "activities.json"
    f.write_text(json.dumps([{"id": f"a{i}", "spec": "lamp.breathe", "settings": {}} for i in range(30)]))
    for lenient in (False, True):
        with pytest.raises(ImportFormatError, match="holds 30 Activity objects"):
            import_mindlamp(f, utc_offset=0, lenient=lenient)


def test_importing_a_large_export_holds_less_than_its_size(tmp_path):
    """Peak RSS growth of ``import_mindlamp`` on a 40 MB export of breathe
    events (60 temporal slices each, which the import reads and lets go) is
    under 0.75 x the file's size: measured 17 MiB for 37.5 MiB; reading the
    whole file with json.loads took 234 MiB."""
    f = tmp_path / "large.json"
    with f.open("w") as out:
        out.write("[")
        for i in range(8000):
            ev = {"timestamp": 1772482440000 + i * 600_000, "duration": 120000, "spec": "lamp.breathe",
                  "static_data": {"sentiment": "Yes"},
                  "temporal_slices": [{"item": j, "value": None, "type": "inhale" if j % 2 else "exhale",
                                       "duration": 4000, "level": None} for j in range(60)]}
            out.write(("," if i else "") + json.dumps(ev))
        out.write("]")
    size = f.stat().st_size
    script = textwrap.dedent("""
        import resource, sys
        import calmkit
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        journal, report = calmkit.import_mindlamp(sys.argv[1], utc_offset=0)
        assert len(journal.exercises) == 8000, len(journal.exercises)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
    """)
    package_root = str(Path(calmkit.__file__).resolve().parents[1])  # this calmkit, wherever it was found
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-c", script, str(f)], capture_output=True, text=True, timeout=600,
                       cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    grown = int(p.stdout.strip())
    assert grown < 0.75 * size, f"peak RSS grew {grown / 2**20:.0f} MiB importing {size / 2**20:.0f} MiB"
