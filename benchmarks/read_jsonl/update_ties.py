"""Update ties: times calmkit.update_journal on a journal of N readings without
an id at one instant (a tie: the records can be told apart only by value),
when the change removes one of them and returns the rest in the file's order,
and when it returns them reversed. Pairing the rows of such a tie by a scan
per row cost the square of N in the reversed case (40,000 readings: 12.7 s
against 0.2 s in order); they are paired through a hash table of their text,
so both cases should stay linear and the ratio near 1 at every size.

    PYTHONPATH=build/python python3 benchmarks/read_jsonl/update_ties.py [N ...]

Prints, per N, the process CPU seconds of each update_journal call and their
ratio; each file is checked to hold N - 1 readings afterwards.
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import calmkit


def _write(path: Path, n: int) -> None:
    path.write_bytes(b"".join(
        json.dumps({"type": "reading", "time": "2026-03-02T00:00:00+01:00", "intensity": k % 11,
                    "note": f"n{k}"}).encode() + b"\n" for k in range(n)))


def _cpu(path: Path, n: int, reverse: bool) -> float:
    _write(path, n)

    def change(j: calmkit.Journal) -> calmkit.Journal:
        rest = list(j.readings)[1:]
        return calmkit.Journal(rest[::-1] if reverse else rest)

    t = time.process_time()
    calmkit.update_journal(path, change)
    spent = time.process_time() - t
    got = calmkit.read_journal(path)
    if len(got) != n - 1:
        raise SystemExit(f"{n} readings, one removed: the file holds {len(got)}")
    return spent


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 40_000, 160_000]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "ties.jsonl"
        print(f"{'readings':>9} {'in order s':>11} {'reversed s':>11} {'ratio':>6}")
        for n in sizes:
            kept = _cpu(path, n, False)
            rev = _cpu(path, n, True)
            print(f"{n:>9} {kept:>11.3f} {rev:>11.3f} {rev / max(kept, 1e-9):>6.2f}")


if __name__ == "__main__":
    main()
