"""The reader's pieces (one simdjson stage 1 per ~256 KiB of lines) against each line parsed alone.

The reader parses a share's lines from one document stream per piece and
falls back to line-by-line parsing from the first line where the stream and
the lines part ways; every record, error and line number must be what a
line-by-line parse gives. Here each line of a mutated file (bad bytes,
truncations, escaped and near-miss keys, two objects on a line, lone CRs,
not UTF-8, ...) is parsed alone with ``parse_journal`` as the reference: a
line refused alone must be skipped by the whole-file lenient read with the
same field and reason, on its own line number; a line taken alone must be
kept, or skipped only by a rule across lines (duplicate id, trigger link,
header placement). Files of 0.3-1.2 MB, so that the pieces, the windows of 2
and 3 threads and the 4096-byte windows all cut somewhere.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import calmkit

ALPH = ['"', "\\", "{", "}", "[", "]", ",", ":", "0", "9", "e", "-", ".", " ", "\t", "\r", "u", "n",
        "null", "true", "\x00", "\x7f", "é", "\\u0000", "\\ud800", "\\n", '"x":1,']
KEYS = ["type", "participant", "id", "time", "category", "intensity", "trigger", "note", "exercise", "end",
        "situation", "emotions", "answers", "before"]
ACROSS_LINES = ("duplicate ", "refers to trigger", "a header is only allowed")


def _mutate(rng: random.Random, line: str, good: list[str]) -> str:
    if len(line) < 2:
        return line + rng.choice(ALPH)
    k = rng.randrange(9)
    i = rng.randrange(len(line))
    if k == 0:
        return line[:i] + rng.choice(ALPH) + line[i:]
    if k == 1:
        return line[:i] + line[i + rng.randint(1, 3):]
    if k == 2:
        return line[:i]
    if k == 3:
        key = rng.choice([kk for kk in KEYS if f'"{kk}"' in line] or ["type"])
        c = rng.randrange(len(key))
        return line.replace(f'"{key}"', '"' + key[:c] + "\\u%04x" % ord(key[c]) + key[c + 1:] + '"', 1)
    if k == 4:
        key = rng.choice([kk for kk in KEYS if f'"{kk}"' in line] or ["type"])
        return line.replace(f'"{key}"', f'"{rng.choice([key + "s", key[:-1], key.upper()])}"', 1)
    if k == 5:
        return line + rng.choice(["", " ", "\r"]) + rng.choice(good)
    if k == 6:
        return line[:i] + rng.choice(["\udcff", "\udcc3", "\udce2\udc82"]) + line[i:]
    if k == 7:
        return rng.choice([" ", "\t", "\r"]) + line + rng.choice(["", " ", "\r", "\t"])
    return line[:-1] + f',"{rng.choice(KEYS)}":{rng.choice(["0", "null", "[]", "{}", "11", "8.0", chr(34) * 2])}' + "}"


@pytest.fixture(scope="module")
def good() -> list[str]:
    return calmkit.to_jsonl(calmkit.synthetic_journal(participants=30, days=30, seed=5)).splitlines()[1:]


@pytest.mark.parametrize("seed", range(4))
def test_a_whole_file_read_says_what_each_line_parsed_alone_says(seed: int, good: list[str], tmp_path: Path) -> None:
    rng = random.Random(seed)
    lines = rng.sample(good, min(len(good), rng.randint(2000, 6000)))
    for _ in range(rng.randint(20, 120)):
        i = rng.randrange(len(lines))
        lines[i] = _mutate(rng, lines[i], good)
    path = tmp_path / "j.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))

    alone: dict[int, tuple[str, str]] = {}
    for n, text in enumerate(lines, start=1):
        raw = text.encode("utf-8", "surrogateescape")
        one = tmp_path / "one.jsonl"
        one.write_bytes(raw + b"\n")
        _, report = calmkit.read_journal_with_report(one, lenient=True, threads=1)
        refused = [(s.field, s.reason) for s in report.skipped if not s.reason.startswith(ACROSS_LINES)]
        if refused:
            alone[n] = refused[0]
    assert alone, "the mutations broke nothing"

    for threads, chunk in ((1, 1 << 20), (2, 1 << 16), (3, 4096)):
        _, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk)
        skipped = {s.line: (s.field, s.reason) for s in report.skipped}
        for n, why in alone.items():
            assert skipped.get(n) == why, (threads, n, lines[n - 1][:120])
        for n, why in skipped.items():
            assert n in alone or why[1].startswith(ACROSS_LINES), (threads, n, why, lines[n - 1][:120])
        if alone:
            first = min(alone)
            with pytest.raises(calmkit.JournalFormatError) as err:
                calmkit.read_journal(path, threads=threads, chunk_bytes=chunk)
            # strict: the first bad line, unless a rule across lines broke earlier
            assert err.value.line <= first
            if err.value.line == first:
                assert (err.value.field, err.value.reason) == alone[first]
