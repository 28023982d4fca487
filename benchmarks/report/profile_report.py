"""Where the time of a cohort report goes, and what drawing the charts costs
(reviewer B29: a 300-person report did not finish in 10 minutes on the loaded
2-core machine).

    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 30
    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 30 --format png --jobs 1
    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 300 --no-charts
    PYTHONPATH=build/python python3 benchmarks/report/profile_report.py 30 --profile

Prints the wall and CPU seconds (this process and its worker processes) of
``calmkit.report.build_report`` on a synthetic cohort of N participants (84
days each) and the size of the HTML. ``--format png`` draws the charts as the
report did before it used SVG (Agg PNG at 110 dpi, constrained layout);
``--jobs`` is build_report's (default: one process per CPU); ``--no-charts``
draws nothing, leaving the metrics and the chart data: the part calmkit
computes; ``--profile`` prints the cProfile listing (one process).
"""
from __future__ import annotations

import argparse
import base64
import cProfile
import io
import os
import pstats
import resource
import time

import calmkit
import calmkit.plot as plot
import calmkit.report as report


def png(d: plot.ChartData) -> str:
    """The chart as the report drew it before SVG (base64 PNG); the report's
    <img> then says svg+xml, which does not matter for the timing."""
    from matplotlib.figure import Figure

    height = 3.4
    if d.name == "trigger_categories":
        height = max(2.6, 0.28 * len(d.values["labels"]) + 1.0)
    elif d.name == "exercise_effectiveness":
        height = max(2.4, 0.32 * len(d.values["names"]) + 1.0)
    elif d.name == "assessment_scores":
        height = max(3.4, 2.1 * len(d.values["panels"]) + 0.5)
    fig = Figure(figsize=(8.6, height), dpi=100, layout="constrained")
    plot.draw(d, fig.subplots(), title=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("participants", type=int)
    ap.add_argument("--format", choices=("svg", "png"), default="svg")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--no-charts", action="store_true", help="skip matplotlib: metrics and chart data only")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    if a.no_charts:
        report._svg = lambda d: ""  # type: ignore[assignment]
    elif a.format == "png":
        report._svg = png  # type: ignore[assignment]
    j = calmkit.synthetic_journal(participants=a.participants, days=84, seed=1)
    jobs = report._jobs(a.jobs, 10 ** 6)
    print(f"{a.participants} participants, {len(j)} records, {a.format}, {jobs} process(es), "
          f"load average {os.getloadavg()[0]:.1f}")
    wall, used = time.perf_counter(), cpu()
    text = report.build_report(j, jobs=a.jobs)
    print(f"build_report: {time.perf_counter() - wall:.1f} s wall, {cpu() - used:.1f} s CPU, "
          f"{len(text) / 2**20:.1f} MiB of HTML")
    if a.profile:
        prof = cProfile.Profile()
        prof.runcall(report.build_report, j, jobs=1)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(a.top)


if __name__ == "__main__":
    main()
