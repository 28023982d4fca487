"""Reads a journal file with pandas.read_json(lines=True) N times, the way a
researcher would load a JSON Lines export, and prints one JSON object with the
same keys as calmkit_bench_read_jsonl.

    python pandas_read.py FILE [RUNS=3]
"""

import json
import os
import resource
import statistics
import sys
import time

import pandas as pd


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print("usage: pandas_read.py FILE [RUNS]", file=sys.stderr)
        return 2
    path = sys.argv[1]
    runs = max(1, int(sys.argv[2])) if len(sys.argv) == 3 else 3
    # RSS of the interpreter with pandas imported, before any reading (KiB on Linux).
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    seconds = []
    lines = records = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        df = pd.read_json(path, lines=True)
        seconds.append(time.perf_counter() - t0)
        lines = records = len(df)  # one row per non-blank line, the header included
        del df
    size = os.path.getsize(path)
    median = statistics.median(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "impl": "pandas",
        "pandas": pd.__version__,
        "runs": runs,
        "bytes": size,
        "lines": lines,
        "records": records,
        "best_s": min(seconds),
        "median_s": median,
        "mb_per_s": size / 1e6 / median,
        "lines_per_s": lines / median,
        "peak_rss_mb": peak_mb,
        "baseline_rss_mb": baseline_mb,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
