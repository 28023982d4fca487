"""Journals big enough for the parallel end of a read, against the plain-Python reference.

The reader checks references in ranges of 65,536 and sorts and gathers each
type in up to eight parts once a journal has 131,072 records or more, on the
threads that parsed it. These journals have 140,000 and 270,000 records:
thousands of participants, many records at one instant with several
offsets, readings with and without ids, references back, forward, to another
participant and to nothing, ids given twice and bad lines. One thread (no
parallel part; the plain-Python reference checks it on smaller journals of
the same kinds in test_breaker_s30_reference_reader.py) and 2-4 threads with
any share size must read exactly the same, strict and lenient: records, order,
report and messages.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import calmkit

TIMES = ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00+01:00", "2026-03-02T04:30:00-05:30",
         "2026-03-02T10:00:00.5Z", "2026-03-01T10:00:00Z", "2026-03-03T23:59:59.999999+14:00"]


def generate(seed: int, n: int, bad: bool) -> bytes:
    rng = random.Random(seed)
    people = [f"p{k:04d}" for k in range(rng.choice([1, 7, 3000]))]
    trig: dict[str, list[str]] = {}
    out: list[str] = []
    for i in range(n):
        p = rng.choice(people)
        t = rng.choice(TIMES)
        r = rng.random()
        if r < 0.2 or not trig.get(p):
            tid = f"t{i}" if not (trig.get(p) and rng.random() < 0.01) else rng.choice(trig[p])
            trig.setdefault(p, []).append(tid)
            rec = {"type": "trigger", "participant": p, "id": tid, "time": t, "category": "other",
                   "intensity": i % 11}
        elif r < 0.85:
            rec = {"type": "reading", "participant": p, "time": t, "intensity": i % 11}
            if rng.random() < 0.3:
                rec["id"] = f"r{i % 50000}"  # reused now and then: a reading's id given twice
            u = rng.random()
            if u < 0.88:  # most readings name a trigger: 131,072 references and more in the biggest
                rec["trigger"] = rng.choice(trig[p])
            elif u < 0.9:
                rec["trigger"] = f"t{i + rng.randrange(1, 500)}"  # later, or never
            elif u < 0.905:
                rec["trigger"] = rng.choice(trig[rng.choice(list(trig))])  # maybe someone else's
        else:
            rec = {"type": "exercise", "participant": p, "id": f"e{i}", "time": t, "exercise": "x", "end": t}
            if rng.random() < 0.5:
                rec["trigger"] = rng.choice(trig[p])
        if bad and rng.random() < 0.002:
            if rec["type"] == "trigger":
                trig[p].remove(rec["id"])
                if rec["id"] in trig[p]:
                    continue
            out.append(json.dumps({**rec, "intensity": 11} if rec["type"] != "exercise" else {**rec, "end": "x"}))
            continue
        out.append(json.dumps(rec, separators=(",", ":")))
    return ("\n".join(out) + "\n").encode()


def _raw(f: Path, lenient: bool, threads: int, chunk: int) -> tuple:
    try:
        res = calmkit.read_journal_with_report(f, lenient=lenient, threads=threads, chunk_bytes=chunk)
    except calmkit.JournalFormatError as e:
        return ("error", str(e), e.line, e.field)
    return ("ok", calmkit.to_jsonl(res.journal), [s.message for s in res.report.skipped], res.report.records)


@pytest.mark.parametrize("seed, n, bad", [(1, 140_000, True), (2, 140_000, False), (3, 270_000, True)])
def test_a_big_journal_read_on_one_thread_and_on_several(seed: int, n: int, bad: bool, tmp_path: Path) -> None:
    data = generate(seed, n, bad)
    f = tmp_path / "big.jsonl"
    f.write_bytes(data)
    lenient = seed != 2
    one = _raw(f, lenient, 1, 1 << 20)
    cuts = [(2, 1 << 20), (4, 1 << 16), (3, 5000)] if n < 200_000 else [(4, 1 << 16)]
    for threads, chunk in cuts:
        assert _raw(f, lenient, threads, chunk) == one, (threads, chunk)
    if bad:
        strict = _raw(f, False, 1, 1 << 20)
        assert strict[0] == "error"
        assert _raw(f, False, 4, 1 << 18) == strict
