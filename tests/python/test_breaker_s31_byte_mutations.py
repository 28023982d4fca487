"""The writer's own lines with one byte changed, inserted or deleted, against the plain-Python reference.

A line parser tuned for the lines calmkit writes (`type` first, the fields in
the table order, no spaces) sees those lines most; one wrong byte anywhere in
one of them must be judged as json.loads and the format's rules judge it: a
digit of a time or an intensity, a quote, a backslash, a key's letter, a NUL,
a byte that is not UTF-8. A changed participant or id reaches across lines:
an id may now be given twice, a reference may now dangle, and a skipped
trigger takes the lines naming it along. The rules, per line and across
lines, are those of test_breaker_s31_line_edges.py's reference.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from test_breaker_s31_line_edges import ANY, Bad, judge, make_journal, outcome, same
from test_breaker_s31_line_edges import expected as across

import calmkit

BYTES = [b"0", b"1", b"9", b'"', b"\\", b" ", b"a", b"}", b"{", b",", b":", b"\x00", b"\xff", b"\x80", b"\xc3",
         b"-", b".", b"e", b"Z", b"T", b"n", b"u", b"[", b"\t", b"\r", b"+"]


def _mutate(line: bytes, rng: random.Random) -> bytes:
    pos = rng.randrange(len(line) + 1)
    op = rng.randrange(3)
    if op == 0 and pos < len(line):
        return line[:pos] + rng.choice(BYTES) + line[pos + 1:]
    if op == 1 and pos < len(line):
        return line[:pos] + line[pos + 1:]
    return line[:pos] + rng.choice(BYTES) + line[pos:]


def writer_lines(seed: int) -> list[bytes]:
    """Lines as calmkit writes them, with hostile texts: a generated journal's good lines, read and written."""
    data, _ = make_journal(seed, 400)
    res = calmkit.parse_journal_with_report(data.decode("utf-8", "replace"), lenient=True, name="src")
    lines = calmkit.to_jsonl(res.journal, header=seed % 2 == 0).encode().split(b"\n")
    return [x for x in lines if x]


def mutated_journal(seed: int, share: float = 0.3) -> tuple[bytes, list[tuple[int, object]]]:
    rng = random.Random(seed)
    lines = writer_lines(seed)
    out, verdicts = [], []
    for i, line in enumerate(lines):
        if rng.random() < share:
            line = _mutate(line, rng)
            if rng.random() < 0.2:
                line = _mutate(line, rng)
        out.append(line)
        try:
            v = judge(line, first=i == 0)
        except Bad as e:
            v = ("bad", e.field)
        verdicts.append((i + 1, None if v is not None and v[0] == "header" else v))
    ends = [rng.choice([b"\n", b"\n", b"\r\n"]) for _ in out]
    data = b"".join(x + e for x, e in zip(out, ends))
    if seed % 3 == 0:
        data = data.rstrip(b"\r\n")
    return data, verdicts


CUTS = [(1, 1 << 30), (2, 1), (3, 555), (4, 1 << 14)]


@pytest.mark.parametrize("seed", range(16))
def test_one_byte_wrong_in_the_writers_lines(seed: int, tmp_path: Path) -> None:
    data, verdicts = mutated_journal(seed)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    for lenient in (True, False):
        want = across(verdicts, lenient)
        for threads, chunk in CUTS:
            got = outcome(f, lenient, threads, chunk)
            assert same(got, want), (lenient, threads, chunk, got if got[0] == "error" else got[2][:20],
                                     want if want[0] == "error" else want[2][:20])


def test_the_reference_sees_each_kind_of_verdict() -> None:
    """The mutations reach every kind of verdict, across lines too, so a pass says something."""
    fields: set = set()
    for seed in range(16):
        verdicts = mutated_journal(seed)[1]
        for _, v in verdicts:
            if v is not None:
                fields.add("ok" if v[0] == "ok" else ("ANY" if v[1] is ANY else v[1]))
        fields |= {"across:" + str(f) for _, f in across(verdicts, True)[2] if f in ("id", "trigger")}
    assert {"ok", "", "ANY", "time", "type", "intensity", "end", "category", "across:trigger",
            "across:id"} <= fields, fields
