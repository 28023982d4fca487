"""Lines shaped as the reader's fast path takes them, each with one thing at its edge.

The reader reads the usual line (type first or found, known keys, strings
without escapes, small integers, decimals, true/false, lists of strings,
emotion objects, up to four ignored keys with a scalar value) with a
hand-written scanner and hands any other line to the simdjson path. It stops
trying a piece's lines once a quarter of them have been handed over, so each
line here sits among a dozen usual ones and the scanner sees it. Each must be
judged as the plain-Python reference of test_breaker_s31_line_edges.py judges
it, with the same values: numbers of every form in an ignored key, UTF-8 at
the edges of validity, a key that is a known key plus or minus a letter, a
known key twice, lists and literals cut short, the type found later in the
line, times at the edges, decimals of 15 and 16 digits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_breaker_s31_line_edges import Bad, expected, judge, outcome, same


T = b'{"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T10:00:00Z","category":"other","intensity":5%s}'
R = b'{"type":"reading","participant":"p","time":"2026-03-02T10:00:00Z","intensity":3,"trigger":"t1"%s}'
Q = (b'{"type":"thought_record","participant":"p","id":"q1","time":"2026-03-02T10:00:00Z","situation":"s",'
     b'"automatic_thought":"a","belief_before":50%s}')
E = b'{"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T10:00:00Z","exercise":"x","end":"2026-03-02T10:05:00Z"%s}'

EXTRAS = [
    b',"x":1e99999', b',"x":-1e-99999', b',"x":' + b"9" * 400, b',"x":-' + b"1" * 400 + b".5e-3", b',"x":1E+0',
    b',"x":0.0e0', b',"x":-0', b',"":1', b',"":""', b',"x":"\x7f"', b',"x":"\xef\xbf\xbf"', b',"x":"\xef\xbf\xbe"',
    b',"x":"\xf4\x8f\xbf\xbf"', b',"x":"\xed\x9f\xbf"', b',"x":"\xed\xa0\x80"', b',"x":"\xc0\x80"', b',"x":"\xe0\x80\xaf"',
    b',"x":"\xf8\x88\x80\x80\x80"', b',"x":"\xc2"', b',"x\xc2":1', b',"x":"\xf4\x90\x80\x80"', b',"x":"a\xe2\x82"',
    b',"a":1,"b":2,"c":3,"d":4', b',"a":1,"b":2,"c":3,"d":4,"e":5', b',"a":1,"b":2,"c":3,"a":4',
    b',"a":1,"b":2,"c":3,"d":4,"a":5', b',"x":null', b',"x":true', b',"x":false', b',"x":nul', b',"x":truex',
    b',"x":1.', b',"x":.1', b',"x":01', b',"x":1e', b',"x":+1', b',"x":-', b',\r"x":1', b',\t"x":1', b',\x0c"x":1',
    b',\x0b"x":1', b' ,"x":1', b',"x" :1', b',"x": 1', b',"x":1 ', b',"x":"a"\t', b',"x":[1]', b',"x":{}',
    b',"acted_after_minutes":0', b',"acted_after_minutes":0.1', b',"acted_after_minutes":123456789012345',
    b',"acted_after_minutes":1234567890123456', b',"acted_after_minutes":0.000000000000001',
    b',"acted_after_minutes":0.00000000000001', b',"acted_after_minutes":9007199254740993',
    b',"acted_after_minutes":900719925474099.3', b',"acted_after_minutes":0.30000000000000004',
    b',"acted_after_minutes":1.7976931348623157e308', b',"acted_after_minutes":4.9e-324',
    b',"acted_after_minutes":999999999999999.9', b',"acted_after_minutes":99999999999999.99',
    b',"acted_after_minutes":12.50', b',"acted_after_minutes":00.5', b',"acted_after_minutes":-0.0',
    b',"acted_after_minutes":0.1e1', b',"intensity":5', b',"type":"trigger"', b',"Type":"x"', b',"typ":"x"',
    b',"types":"x"', b',"intensity ":1', b',"intensit":1', b',"intensity_":1', b',"trigger_":"x"', b',"tim":"x"',
    b',"thoughts":[]', b',"thoughts":[""]', b',"thoughts":["a",""]', b',"thoughts":[ ]', b',"thoughts":["a" ,"b"]',
    b',"thoughts":["a",]', b',"thoughts":[,]', b',"thoughts":["a"]]', b',"thoughts":["a"', b',"thoughts":"a"',
    b',"thoughts":[1]', b',"thoughts":[null]', b',"thoughts":[["a"]]', b',"acted_on_urge":true',
    b',"acted_on_urge":false', b',"acted_on_urge":True', b',"acted_on_urge":true ', b',"acted_on_urge":truefalse',
    b',"acted_on_urge":fals', b',"tags":["\xe2\x80\xa8"]', b',"context":"\xe2\x80\xa9"',
    b',"context":"' + b"x" * 100000 + b'"', b',"context":"' + b"\xc3\xa9" * 50000 + b'"', b"} ", b"}}", b"}\x00",
    b"},", b" }", b"\r}", b',"x":1\x00', b',"x\x00":1', b',"x":"\x00"', b',"x":"\x1f"', b',"x":"\t"',
    b',"intensity_before":11', b',"belief_after":101', b',"note":"n","note":"n"', b',"participant":"p"',
    b',"emotions":[{"name":"a","before":1}]', b',"emotions":[{"name":"a","before":1,"after":100,"x":null}]',
    b',"emotions":[{"name":"a","before":1,"before":1}]', b',"emotions":[{"name":"a"}]', b',"emotions":[{}]',
    b',"emotions":[{"name":"a","before":101}]', b',"emotions":[{"name":"a","before":-0}]',
    b',"distortions":["labeling","labeling"]', b',"distortions":["Labeling"]', b',"distortions":[]',
    b',"completed":false', b',"completed":true', b',"completed":0', b',"intensity_after":10',
]

WHOLE = [
    b'{"participant":"p","type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{ "type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"x":"type","type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"x":"\\"type\\":\\"trigger\\"","type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3,"type":"reading"}',
    b'{"type":"readings","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"reading\\u0000","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"reading" ,"time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type" :"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"header","format":"calmkit-journal","version":1}',
    b'{"participant":"p","emotions":[{"name":"a","before":1,"type":"reading"}],"type":"thought_record","id":"q8",'
    b'"time":"2026-03-02T10:00:00Z","situation":"s","automatic_thought":"a","belief_before":50}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3,"id":""}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3,"trigger":""}',
    b'{"type":"trigger","participant":"p","id":"","time":"2026-03-02T10:00:00Z","category":"other","intensity":5}',
    b'{"type":"exercise","participant":"p","id":"e2","time":"2026-03-02T10:00:00Z","exercise":"","end":"2026-03-02T10:05:00Z"}',
    b'{"type":"exercise","participant":"p","id":"e3","time":"2026-03-02T10:00:00Z","exercise":"x","end":"2026-03-02T09:05:00Z"}',
    b'{"type":"exercise","participant":"p","id":"e4","time":"2026-03-02T10:00:00+01:00","exercise":"x","end":"2026-03-02T09:00:00Z"}',
    b'{"type":"reading","time":"2026-03-02T10:00:00.1234567Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02t10:00:00z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02 10:00:00Z","intensity":3}',
    b'{"type":"reading","time":"2026-02-29T10:00:00Z","intensity":3}',
    b'{"type":"reading","time":"2024-02-29T10:00:00Z","intensity":3}',
    b'{"type":"reading","time":"1400-01-01T00:00:00+23:59","intensity":3}',
    b'{"type":"reading","time":"1399-12-31T23:59:59Z","intensity":3}',
    b'{"type":"reading","time":"9999-12-31T23:59:59.999999-23:59","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00+00:60","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00-00:00","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T23:59:60Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00.Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00.000Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":10}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":11}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":0010}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":10000}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":-0}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":-1}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3.0}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3e0}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}x',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3,}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z",,"intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z""intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity"3}',
    b'{"type":"reading""time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}{"type":"reading","time":"2026-03-02T10:00:00Z","intensity":3}',
    b'{"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T10:00:00Z","instrument":"gad-7","answers":[0,0,0,0,0,0,0]}',
    b'{"type":"trigger","participant":"p\xc3\xa9","id":"t9","time":"2026-03-02T10:00:00Z","category":"other","intensity":5}',
    b'{"type":"trigger","participant":"p","id":"t9","time":"2026-03-02T10:00:00Z","category":"other","intensity":5}',
]

HAND = [base % x for base in (T, R, Q, E) for x in EXTRAS] + WHOLE
USUAL = b'{"type":"reading","participant":"g","time":"2026-03-02T10:%02d:00Z","intensity":%d}'
FIRST = b'{"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T09:00:00Z","category":"other","intensity":5}'


def _journal(hand: list[bytes]) -> tuple[bytes, list]:
    lines = [FIRST]
    for k, h in enumerate(hand):
        lines += [USUAL % ((k + j) % 60, j % 11) for j in range(12)]
        for own in (b'"id":"t1"', b'"id":"q1"', b'"id":"e1"'):  # each record's own id, once
            h = h.replace(own, b'"id":"h%d"' % k, 1)
        lines.append(h)
    verdicts = []
    for i, line in enumerate(lines):
        try:
            verdicts.append((i + 1, judge(line, first=i == 0)))
        except Bad as e:
            verdicts.append((i + 1, ("bad", e.field)))
    return b"\n".join(lines) + b"\n", verdicts


@pytest.mark.parametrize("part", range(4))
def test_usual_lines_with_one_edge_each(part: int, tmp_path: Path) -> None:
    hand = HAND[part::4]
    data, verdicts = _journal(hand)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    for lenient in (True, False):
        want = expected(verdicts, lenient)
        for threads, chunk in [(1, 1 << 30), (2, 1), (3, 4096)]:
            got = outcome(f, lenient, threads, chunk)
            assert same(got, want), (lenient, threads, chunk, got if got[0] == "error" else got[2][:8],
                                     want if want[0] == "error" else want[2][:8])


@pytest.mark.parametrize("k", range(0, len(HAND), 7))
def test_one_edge_alone_after_usual_lines(k: int, tmp_path: Path) -> None:
    """A strict read stops at the line, named as the reference names it (or reads it, if it is good)."""
    data, verdicts = _journal([HAND[k]])
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    assert same(outcome(f, False, 1, 1 << 30), expected(verdicts, False))
