"""One journal, every way of cutting it: the reader's result may not depend on
its thread count or share size.

This session three people change the JSON Lines reader at once (the merge and
file input, the id table and references, the line parser). Each change must
keep the journal, the strict error and the lenient report identical for any
``threads`` and ``chunk_bytes``. The journals here are made by this file's own
generator, not by calmkit: participants interleaved and out of time order,
duplicate ids, readings naming triggers that come later or never, CRLF and
blank lines, JSON escapes (surrogate pairs, ``\\/``, ``\\u0000``-free controls),
unknown fields that are big (several shares long), nested, or numbers past 64
bits, a byte-order mark, headers repeated. Every read is compared in full:
the journal through ``to_jsonl``, the report's counts, version and every
skipped line (line, field, reason, message), the strict error's class, text,
line and field, and the file read against the same text through
``parse_journal``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import calmkit

CATEGORIES = ["delayed_reply", "mixed_signals", "conflict", "being_alone", "other"]
EXERCISES = ["breathing.4-7-8", "grounding.5-4-3-2-1"]
NASTY_TEXT = ["plain", "caf\u00e9", "\U0001F600 emoji", "tab\there", "new\nline", 'quote " and \\ slash', "a/b",
              "\u2028 line sep", "\u00a0nbsp", "\u65e5\u672c"]


def _time(rng: random.Random, base_day: int) -> str:
    day = base_day + rng.randrange(0, 40)
    month, dom = 3 + day // 28, 1 + day % 28
    off = rng.choice(["Z", "+01:00", "-05:00", "+05:30", "+14:00", "-00:00"])
    frac = rng.choice(["", ".5", ".123456", ".1234567", ".000000001"])
    return f"2026-{month:02d}-{dom:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}{frac}{off}"


def _dump(obj: dict, rng: random.Random) -> str:
    """JSON text as other programs write it: key order shuffled, sometimes
    spaces, sometimes every non-ASCII character escaped (surrogate pairs)."""
    items = list(obj.items())
    if obj.get("type") != "header":
        rng.shuffle(items)
    sep = rng.choice([(",", ":"), (", ", ": ")])
    return json.dumps(dict(items), ensure_ascii=rng.random() < 0.5, separators=sep)


def _unknown(rng: random.Random) -> object:
    kind = rng.randrange(6)
    if kind == 0:
        return "x" * rng.choice([10, 3000, 9000])  # longer than a 1 KiB share, several shares
    if kind == 1:
        return {"nested": [1, {"deep": [None, True, "\u00e9"]}], "n": -0.0}
    if kind == 2:
        return 18446744073709551616 * rng.randrange(1, 9)  # past 64 bits
    if kind == 3:
        return [rng.random() for _ in range(rng.randrange(50, 400))]
    if kind == 4:
        return rng.choice(NASTY_TEXT)
    return None


def generate(seed: int, n: int = 900, clean: bool = False) -> bytes:
    """A journal of about n lines; ``clean``: one the strict reader takes whole
    (no bad line, no duplicate id, no reference to a trigger that is missing
    or comes later, no second header)."""
    rng = random.Random(seed)
    dirty = 0.0 if clean else 1.0
    people = [f"p{k}" for k in range(rng.randrange(2, 7))]
    trig: dict[str, list[str]] = {p: [] for p in people}
    lines: list[str] = []
    for i in range(n):
        p = rng.choice(people)
        r = rng.random()
        if r < 0.3 or not trig[p]:
            tid = f"t{i}" if rng.random() > 0.03 * dirty or not trig[p] else rng.choice(trig[p])  # a duplicate now and then
            trig[p].append(tid)
            rec = {"type": "trigger", "participant": p, "id": tid, "time": _time(rng, 0),
                   "category": rng.choice(CATEGORIES), "intensity": rng.randrange(11)}
            if rng.random() < 0.3:
                rec["context"] = rng.choice(NASTY_TEXT)
            if rng.random() < 0.2:
                rec["urge"], rec["acted_on_urge"] = "check their phone", rng.random() < 0.5
        elif r < 0.75:
            rec = {"type": "reading", "participant": p, "time": _time(rng, 0), "intensity": rng.randrange(11)}
            u = rng.random()
            if u < 0.5:
                rec["trigger"] = rng.choice(trig[p])
            elif u < 0.5 + 0.05 * dirty:
                rec["trigger"] = f"t{i + rng.randrange(1, 60)}"  # named before it comes, or never
            elif u < 0.5 + 0.07 * dirty:
                rec["trigger"] = "never"
        elif r < 0.88:
            start = _time(rng, 0)
            rec = {"type": "exercise", "participant": p, "id": f"e{i}", "time": start, "end": start,
                   "exercise": rng.choice(EXERCISES), "completed": rng.random() < 0.7}
            if rng.random() < 0.6:
                rec["intensity_before"], rec["intensity_after"] = rng.randrange(11), rng.randrange(11)
            if rng.random() < 0.5:
                rec["trigger"] = rng.choice(trig[p])
        elif r < 0.96:
            rec = {"type": "thought_record", "participant": p, "id": f"r{i}", "time": _time(rng, 0),
                   "situation": rng.choice(NASTY_TEXT), "automatic_thought": "they will leave",
                   "belief_before": rng.randrange(101),
                   "emotions": [{"name": "anxious", "before": rng.randrange(101)}],
                   "distortions": ["mind_reading"]}
        else:
            rec = {"type": "assessment", "participant": p, "id": f"a{i}", "time": _time(rng, 0),
                   "instrument": "gad-7", "answers": [rng.randrange(4) for _ in range(7)]}
        if rng.random() < 0.25:
            rec[f"x_{rng.randrange(5)}"] = _unknown(rng)
        line = _dump(rec, rng)
        b = rng.random()
        if b < 0.015 * dirty:  # a bad line of one kind or another
            line = rng.choice([line[: len(line) // 2], line.replace('"intensity": ', '"intensity": 1').replace(
                '"intensity":', '"intensity":1'), line.replace("2026-", "2026-13-", 1), '{"type":"nope"}',
                "[1,2]", line + " x", line.replace('"participant"', '"participant":1,"q"', 1)])
        lines.append(line)
        if rng.random() < 0.02:
            lines.append(rng.choice(["", "   ", "\t", "\r"]))
        if rng.random() < 0.005 * dirty:
            lines.append('{"type":"header","format":"calmkit-journal","version":1}')
    ends = [rng.choice(["\n", "\n", "\n", "\r\n"]) for _ in lines]
    text = "".join(x + e for x, e in zip(lines, ends))
    head = '{"type":"header","format":"calmkit-journal","version":1,"generator":"breaker"}\n'
    data = (head + text).encode()
    if seed % 3 == 0:
        data = b"\xef\xbb\xbf" + data
    if seed % 4 == 1:
        data = data.rstrip(b"\n")  # no newline at the end
    return data


def _outcome(read) -> tuple:
    """Everything a read says, as comparable values."""
    try:
        res = read()
    except calmkit.JournalFormatError as e:
        return ("error", type(e).__name__, str(e), e.line, e.field, e.reason)
    rep = res.report
    skipped = tuple((s.line, s.field, s.reason, s.message) for s in rep.skipped)
    return ("ok", calmkit.to_jsonl(res.journal), rep.lines, rep.records, rep.version, skipped)


SEEDS = list(range(8))
CUTS = [(1, 1 << 20), (2, 1024), (3, 1500), (8, 1024), (8, 4096), (2, 65536)]


# (seed, lines): the big ones have more than 4,096 rows of a type, where build
# spreads each type's sorts and gathers over the reader's threads (7558a5d).
SIZES = [(s, 900) for s in SEEDS] + [(100, 16000), (101, 16000)]


@pytest.mark.parametrize("seed, n", SIZES)
@pytest.mark.parametrize("mode", ["strict", "lenient", "strict, clean"])
def test_every_thread_count_and_share_size_reads_the_same(seed: int, n: int, mode: str, tmp_path: Path) -> None:
    lenient = mode == "lenient"
    data = generate(seed, n, clean=mode == "strict, clean")
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    base = _outcome(lambda: calmkit.read_journal_with_report(f, lenient=lenient, threads=1))
    if lenient:
        assert base[0] == "ok" and base[5], "the generator made no bad line: the lenient case proves nothing"
    elif mode == "strict, clean":
        assert base[0] == "ok" and base[3] > 0.8 * n, "the clean journal was not read whole"
    else:
        assert base[0] == "error"
    for threads, chunk in CUTS:
        got = _outcome(lambda t=threads, c=chunk: calmkit.read_journal_with_report(f, lenient=lenient, threads=t,
                                                                                   chunk_bytes=c))
        assert got == base, (threads, chunk)
    # The same bytes as text (the name in place of the path).
    for threads in (1, 2, 8):
        got = _outcome(lambda t=threads: calmkit.parse_journal_with_report(data, lenient=lenient, name=str(f),
                                                                            threads=t))
        assert got == base, ("parse_journal", threads)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_lenient_read_keeps_what_a_strict_read_of_its_kept_lines_keeps(seed: int, tmp_path: Path) -> None:
    """Dropping the lines a lenient read skipped leaves a journal the strict
    reader takes whole, and it is the same journal (a skip is about the line
    alone, or about an id or reference the kept lines do not hold)."""
    data = generate(seed)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    res = calmkit.read_journal_with_report(f, lenient=True, threads=3, chunk_bytes=1024)
    bad = {s.line for s in res.report.skipped}
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    kept = b"\n".join(x for n, x in enumerate(text.split(b"\n"), start=1) if n not in bad)
    g = tmp_path / "kept.jsonl"
    g.write_bytes(kept)
    for threads, chunk in CUTS:
        strict = calmkit.read_journal(g, threads=threads, chunk_bytes=chunk)
        assert calmkit.to_jsonl(strict) == calmkit.to_jsonl(res.journal), (threads, chunk)
