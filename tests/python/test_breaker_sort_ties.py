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
