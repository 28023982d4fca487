"""The journal's order when sort keys tie, for every thread count and share size.

docs/journal-format.md: records are ordered by (participant, time, id). The
journal here is made of ties: five instants, three of them the same instant
written with three offsets, two a microsecond either side; readings mostly
without an id; participants whose bytes share their first and last eight.
The order a read gives must be a stable sort of the lines by (participant,
instant, offset, id) -- equal records keep their line order -- and the same
for threads 1..4 and shares of 1 KiB to 1 MiB, where build() sorts and
gathers each type on the reader's threads past 4,096 rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

import calmkit

TIMES = ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00+01:00", "2026-03-02T05:00:00-05:00",
         "2026-03-02T10:00:00.000001Z", "2026-03-02T09:59:59.999999Z"]
PEOPLE = ["cohort-A-wave-01", "cohort-Ax-wave-01", "", "a" * 9, "a" * 10]


def _journal(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    lines: list[dict] = []
    for k in range(n):
        p, t, u = rng.choice(PEOPLE), rng.choice(TIMES), rng.random()
        if u < 0.1:
            lines.append({"type": "trigger", "participant": p, "id": f"{rng.choice('ab')}{k}", "time": t,
                          "category": "other", "intensity": rng.randrange(11)})
        elif u < 0.75:
            r = {"type": "reading", "participant": p, "time": t, "intensity": rng.randrange(11), "note": str(k)}
            if rng.random() < 0.3:
                r["id"] = f"r{k}"
            lines.append(r)
        elif u < 0.9:
            lines.append({"type": "exercise", "participant": p, "id": f"e{k}", "time": t, "end": t,
                          "exercise": rng.choice(["x", "y"]), "intensity_before": rng.randrange(11)})
        else:
            lines.append({"type": "thought_record", "participant": p, "id": f"x{k}", "time": t, "situation": str(k),
                          "automatic_thought": "a", "belief_before": rng.randrange(101)})
    return lines


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _key(r: dict) -> tuple:
    t = _instant(r["time"])
    return (r.get("participant", ""), t, t.utcoffset(), r.get("id", ""))


def _what(r: dict) -> tuple:
    return (r.get("participant", ""), r.get("id", ""), r.get("note", r.get("situation", "")), _instant(r["time"]),
            r["time"][-6:] if r["time"][-1] != "Z" else "Z")


@pytest.mark.parametrize("seed, n", [(1, 3000), (2, 20000)])
def test_ties_keep_line_order_for_every_cut(seed: int, n: int, tmp_path: Path) -> None:
    lines = _journal(seed, n)
    f = tmp_path / "ties.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    want = {typ: [_what(r) for r in sorted((x for x in lines if x["type"] == typ), key=_key)]
            for typ in ("trigger", "reading", "exercise", "thought_record")}
    first = None
    for threads, chunk in [(1, 1 << 20), (2, 1024), (3, 4096), (4, 1024), (4, 65536), (2, 1 << 20)]:
        text = calmkit.to_jsonl(calmkit.read_journal(f, threads=threads, chunk_bytes=chunk))
        if first is None:
            first = text
            got: dict[str, list] = {typ: [] for typ in want}
            for line in text.splitlines()[1:]:
                r = json.loads(line)
                got[r["type"]].append(_what(r))
            for typ in want:
                assert got[typ] == want[typ], typ
        assert text == first, (threads, chunk)


@pytest.mark.parametrize("spread", ["extremes", "one instant", "two clusters"])
def test_a_participant_whose_times_span_the_whole_range(spread: str, tmp_path: Path) -> None:
    """Thousands of one participant's rows, most in one month and a few at the
    very ends of the years a journal holds (or all at one instant, or in two
    clusters 8,000 years apart): a sort that spreads rows into buckets by time
    must neither overflow on the span nor lose the order within a bucket."""
    rng = random.Random(7)
    ends = ["1400-01-01T00:00:00+23:59", "1400-01-01T00:00:00Z", "9999-12-31T23:59:59.999999-23:59",
            "9999-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z"]
    lines = []
    for k in range(12000):
        if spread == "one instant":
            t = "2026-03-02T10:00:00Z"
        elif spread == "two clusters":
            t = f"{rng.choice([1500, 9500])}-03-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:00:00Z"
        else:
            t = rng.choice(ends) if rng.random() < 0.01 else \
                f"2026-03-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+01:00"
        lines.append({"type": "reading", "participant": rng.choice(["p", "p", "p", "q"]), "time": t,
                      "intensity": rng.randrange(11), "note": str(k)})
    f = tmp_path / "span.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    want = [_what(r) for r in sorted(lines, key=_key)]
    for threads, chunk in [(1, 1 << 20), (2, 4096), (4, 1024)]:
        text = calmkit.to_jsonl(calmkit.read_journal(f, threads=threads, chunk_bytes=chunk))
        got = [_what(json.loads(x)) for x in text.splitlines()[1:]]
        assert got == want, (threads, chunk)
