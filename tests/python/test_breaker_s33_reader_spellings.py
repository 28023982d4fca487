"""One value, several JSON spellings, across the shares of a parallel read.

JSON lets a string be written with escapes: "p\\u0031" is "p1", "p\\/1" is
"p/1", "caf\\u00e9" is "café", a surrogate pair "\\ud83d\\ude00" is one emoji.
A reader that keys participants, ids or trigger links by the bytes of the
line (a dictionary of participants per share, a fast path for plain strings)
must still see one participant and one trigger however each line spells them,
on any number of threads and with any share size. The reference is Python's
json module reading the same lines; multi-byte characters are placed across
every share boundary, and errors must name the same line for every count.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

import calmkit

THREADS = [1, 2, 3, 7]


def _spell(text: str, rng: random.Random) -> str:
    """``text`` as a JSON string literal, each character escaped or not at random."""
    out = []
    for ch in text:
        r = rng.random()
        if ch == "/" and r < 0.5:
            out.append("\\/")
        elif r < 0.3:
            cp = ord(ch)
            if cp > 0xFFFF:
                cp -= 0x10000
                out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04X}")
            else:
                out.append(f"\\u{cp:04x}")
        else:
            out.append(json.dumps(ch, ensure_ascii=False)[1:-1])
    return '"' + "".join(out) + '"'


def _journal(seed: int, people: int, n: int) -> tuple[bytes, list[dict]]:
    rng = random.Random(seed)
    names = [rng.choice(["p", "café-", "日本", "😀", "a/b"]) + str(k) for k in range(people)]
    triggers: dict[str, list[str]] = {}
    lines: list[str] = []
    records: list[dict] = []
    for i in range(n):
        p = rng.choice(names)
        day = 1 + i % 28
        offset = rng.choice(["+01:00", "Z", "-05:30"])
        t = f"2026-03-{day:02d}T{i % 24:02d}:{i % 60:02d}:00{offset}"
        if not triggers.get(p) or rng.random() < 0.4:
            tid = f"t{i}/é"
            triggers.setdefault(p, []).append(tid)
            fields = [("type", "trigger"), ("participant", p), ("id", tid), ("time", t),
                      ("category", "other"), ("intensity", i % 11), ("context", "ü" * rng.randrange(0, 40))]
        else:
            fields = [("type", "reading"), ("participant", p), ("time", t), ("intensity", i % 11),
                      ("trigger", rng.choice(triggers[p])), ("note", "😀" * rng.randrange(0, 40))]
        text = ",".join(f"{_spell(k, rng)}:{_spell(v, rng) if isinstance(v, str) else v}" for k, v in fields)
        line = "{" + text + "}"
        records.append(json.loads(line))
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("utf-8"), records


def _read(path: Path, threads: int, chunk: int) -> tuple:
    try:
        res = calmkit.read_journal_with_report(path, threads=threads, chunk_bytes=chunk)
    except calmkit.JournalFormatError as e:
        return ("error", e.line, e.field, e.reason)
    return ("ok", calmkit.to_jsonl(res.journal), res.report.records, res.report.lines)


@pytest.mark.parametrize("seed, people", [(1, 3), (2, 3000)])
def test_every_spelling_of_a_value_reads_as_that_value_on_any_threads(seed: int, people: int,
                                                                      tmp_path: Path) -> None:
    data, records = _journal(seed, people, 6000)
    path = tmp_path / "j.jsonl"
    path.write_bytes(data)
    first = _read(path, 1, 1 << 20)
    assert first[0] == "ok", first
    for threads in THREADS:
        for chunk in (1024, 1500, 4096 + 3):
            assert _read(path, threads, chunk) == first, (threads, chunk)
    journal = calmkit.read_journal(path, threads=3, chunk_bytes=1024)
    want = Counter((r["participant"], r["type"]) for r in records)
    got = Counter((t.participant, "trigger") for t in journal.triggers)
    got.update((r.participant, "reading") for r in journal.readings)
    assert got == want
    assert sorted((t.participant, t.id, t.context) for t in journal.triggers) == sorted(
        (r["participant"], r["id"], r["context"]) for r in records if r["type"] == "trigger")
    assert sorted((r.participant, r.trigger, r.note) for r in journal.readings) == sorted(
        (r["participant"], r["trigger"], r["note"]) for r in records if r["type"] == "reading")


def _straddling(chunk: int, lines: int) -> bytes:
    """Lines padded so that a 4-byte character straddles each multiple of ``chunk``."""
    out = bytearray()
    for i in range(lines):
        head = f'{{"type":"reading","participant":"p{i % 5}","time":"2026-03-02T10:{i % 60:02d}:00Z",' \
               f'"intensity":{i % 11},"note":"'.encode()
        boundary = (len(out) // chunk + 1) * chunk
        room = boundary - len(out) - len(head) - 2  # the emoji begins two bytes before the boundary
        pad = b"x" * room if 0 <= room < chunk else b""
        out += head + pad + "😀".encode() + b'"}\n'
    return bytes(out)


@pytest.mark.parametrize("crlf, bom, last_newline", [(False, False, True), (True, True, False), (True, False, True)])
def test_characters_across_share_boundaries(crlf: bool, bom: bool, last_newline: bool, tmp_path: Path) -> None:
    data = _straddling(1024, 400)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if not last_newline:
        data = data.rstrip(b"\r\n")
    path = tmp_path / "j.jsonl"
    path.write_bytes(data)
    want = Counter(json.loads(x)["note"] for x in data.decode("utf-8-sig").splitlines())
    first = _read(path, 1, 1 << 20)
    for threads in THREADS:
        for chunk in (1024, 1025, 2047):
            assert _read(path, threads, chunk) == first, (threads, chunk)
    journal = calmkit.read_journal(path, threads=2, chunk_bytes=1024)
    assert Counter(r.note for r in journal.readings) == want


@pytest.mark.parametrize("damage", ["cut-emoji", "lone-continuation", "overlong", "surrogate-escape"])
def test_a_bad_line_near_a_share_boundary_is_named_alike_on_any_threads(damage: str, tmp_path: Path) -> None:
    data = bytearray(_straddling(1024, 400))
    lines = bytes(data).split(b"\n")
    k = 237  # a line whose emoji straddles a boundary
    bad = lines[k]
    at = bad.index("😀".encode())
    if damage == "cut-emoji":
        bad = bad[:at + 2] + bad[at + 4:]
    elif damage == "lone-continuation":
        bad = bad[:at] + b"\x80" + bad[at + 4:]
    elif damage == "overlong":
        bad = bad[:at] + b"\xc0\xaf" + bad[at + 4:]
    else:
        bad = bad[:at] + b"\\ud83d" + bad[at + 4:]  # a high surrogate alone
    lines[k] = bad
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"\n".join(lines))
    first = _read(path, 1, 1 << 20)
    assert first[0] == "error" and first[1] == k + 1, first
    for threads in THREADS:
        for chunk in (1024, 1500):
            assert _read(path, threads, chunk) == first, (threads, chunk)


def test_an_id_given_twice_in_two_spellings_in_two_shares_is_a_duplicate(tmp_path: Path) -> None:
    filler = ['{"type":"reading","participant":"q","time":"2026-03-02T10:00:00Z","intensity":1,"note":"%s"}'
              % ("x" * 300)] * 30
    first = ('{"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00+01:00",'
             '"category":"other","intensity":8}')
    again = ('{"type":"trigger","participant":"p\\u0031","id":"t\\u0031","time":"2026-03-03T21:14:00+01:00",'
             '"category":"other","intensity":8}')
    path = tmp_path / "j.jsonl"
    path.write_text("\n".join([first, *filler, again]) + "\n", encoding="utf-8")
    for threads in THREADS:
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.read_journal(path, threads=threads, chunk_bytes=1024)
        assert (e.value.line, e.value.field) == (32, "id")
        assert "first used on line 1" in e.value.reason
