"""Hostile ids: times calmkit.read_journal on journals whose ids (or participant
names) were computed to collide under the unkeyed hashes calmkit used before
its tables were keyed, against the same shape with random ids, and prints the
ratio. With the keyed hashes the ratio stays near 1 at every size (linear);
with the old ones it grew 4x per doubling (quadratic: 40,000 ids took 73 s).

    PYTHONPATH=build/python python3 benchmarks/read_jsonl/hostile_ids.py [N ...]

Three shapes, each N records: `ids` (N triggers of participant "p" with
16-byte ids, then N readings referring to them: the reader's unique-id check
and reference lookup), `names` (N participants of one trigger each: the
participant dictionary), and the `random` twin of each.
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import calmkit

M64 = (1 << 64) - 1
K = 0x9E3779B97F4A7C15
M1, M2 = 0x7FB5D329728EA185, 0x81DADEF4BC2DD44D
LOW32 = 0x01234567  # every hostile key's hash gets these low 32 bits: one slot


def _u(x: int) -> np.uint64:
    return np.uint64(x)


def _rotl(x, r):
    return (x << _u(r)) | (x >> _u(64 - r))


def _rotr(x, r):
    return (x >> _u(r)) | (x << _u(64 - r))


def _inv(a: int) -> int:
    return pow(a, -1, 1 << 64)


def _step(h, w):  # the old per-word step of both hashes: h = rotl((h ^ w) * K, 29)
    return _rotl((h ^ w) * _u(K), 29)


def _unstep(h_next, h):  # the word that takes h to h_next
    return (_rotr(h_next, 29) * _u(_inv(K))) ^ h


def _unmix64(y):  # inverse of the old key hash's final mix
    y = y ^ (y >> _u(33))
    y = y * _u(_inv(M2))
    y = y ^ (y >> _u(27)) ^ (y >> _u(54))
    y = y * _u(_inv(M1))
    return y ^ (y >> _u(31)) ^ (y >> _u(62))


def _unfinish(y):  # inverse of the old dictionary hash's final mix
    y = y ^ (y >> _u(29)) ^ (y >> _u(58))
    y = y * _u(_inv(K))
    return y ^ (y >> _u(32))


def _solve(n: int, h0: int, unfinal, seed: int) -> list[str]:
    """n printable 16-byte strings: a random first word, the second solved so
    that the old hash (start state h0 after the lengths and any prefix) ends
    with LOW32 in its low 32 bits; kept when every byte is printable ASCII
    other than '"' and '\\'."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    with np.errstate(over="ignore"):
        while len(out) < n:
            batch = 1 << 20
            first = rng.integers(0x21, 0x7F, size=(batch, 8), dtype=np.uint8)
            h1 = _step(_u(h0), first.view("<u8").ravel())
            y = (rng.integers(0, 1 << 32, size=batch, dtype=np.uint64) << _u(32)) | _u(LOW32)
            second = _unstep(unfinal(y), h1).view(np.uint8).reshape(batch, 8)
            ok = np.all((second >= 0x21) & (second < 0x7F) & (second != 0x22) & (second != 0x5C), axis=1)
            out += [(first[i].tobytes() + second[i].tobytes()).decode("ascii") for i in np.nonzero(ok)[0]]
    return out[:n]


def hostile_ids(n: int) -> list[str]:
    """Ids of participant "p" with equal old key hashes (src/io_read_keys.hpp before the fix)."""
    h0 = ((1 << 32 ^ 16) * K) & M64  # the lengths: participant 1, id 16
    with np.errstate(over="ignore"):
        h0 = int(_step(_u(h0), _u(ord("p"))))
    return _solve(n, h0, _unmix64, 1)


def hostile_names(n: int) -> list[str]:
    """Participant names with equal old dictionary hashes (detail::hash_bytes before the fix)."""
    return _solve(n, (16 * K) & M64, _unfinish, 2)


def random_strings(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0x23, 0x5B, size=(n, 16), dtype=np.uint8)  # '#'..'Z': no '"' or '\\'
    return [row.tobytes().decode("ascii") for row in codes]


def _clock(i: int) -> str:
    return f"{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"


def write_ids(path: Path, ids: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, s in enumerate(ids):
            f.write(json.dumps({"type": "trigger", "participant": "p", "id": s, "time": f"2026-03-02T{_clock(i)}Z",
                                "category": "delayed_reply", "intensity": 5}) + "\n")
        for i, s in enumerate(ids):
            f.write(json.dumps({"type": "reading", "participant": "p", "trigger": s,
                                "time": f"2026-03-03T{_clock(i)}Z", "intensity": 3}) + "\n")


def write_names(path: Path, names: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for p in names:
            f.write(json.dumps({"type": "trigger", "participant": p, "id": "t1", "time": "2026-03-02T10:00:00Z",
                                "category": "delayed_reply", "intensity": 5}) + "\n")


def best_read(path: Path, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        calmkit.read_journal(path, threads=2)
        best = min(best, time.perf_counter() - t)
    return best


def main(sizes: list[int]) -> None:
    print(f"{'shape':6} {'N':>7} {'random s':>9} {'hostile s':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for shape, make, write in (("ids", hostile_ids, write_ids), ("names", hostile_names, write_names)):
                hostile, calm = Path(tmp, f"h-{shape}-{n}.jsonl"), Path(tmp, f"r-{shape}-{n}.jsonl")
                write(hostile, make(n))
                write(calm, random_strings(n, n))
                r, h = best_read(calm), best_read(hostile)
                print(f"{shape:6} {n:>7} {r:>9.3f} {h:>9.3f} {h / r:>6.2f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 20_000, 40_000])
