"""Where the time of a cohort report goes (reviewer B29: a 300-person report
did not finish in 10 minutes on the loaded 2-core machine).

    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 30
    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 300 --no-png

Prints the CPU seconds of ``calmkit.report.build_report`` on a synthetic
cohort of N participants (84 days each), then the cProfile listing by
cumulative time. ``--no-png`` replaces the chart rendering (matplotlib) by
nothing, leaving the metrics and the chart data: the part calmkit computes.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import calmkit
import calmkit.report as report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("participants", type=int)
    ap.add_argument("--no-png", action="store_true", help="skip matplotlib: metrics and chart data only")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    if a.no_png:
        report._png = lambda d: ""  # type: ignore[assignment]
    j = calmkit.synthetic_journal(participants=a.participants, days=84, seed=1)
    print(f"{a.participants} participants, {len(j)} records")
    t = time.process_time()
    report.build_report(j)
    print(f"build_report: {time.process_time() - t:.1f} s CPU (no profiler)")
    prof = cProfile.Profile()
    prof.runcall(report.build_report, j)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(a.top)


if __name__ == "__main__":
    main()
