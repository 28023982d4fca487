"""Cohort throughput on Dask: participants per second for every per-participant
metric of calmkit.dask.METRICS, single process vs a LocalCluster of 1 and of
2 worker processes, on the same Parquet dataset.

    PYTHONPATH=build/python python3 benchmarks/dask/run.py [--participants 5000] [--days 14]

- The cohort is ``calmkit.synthetic_journal(participants, days, seed=1)`` (with
  its self-assessments), written once with
  ``calmkit.write_parquet(..., partition_by="shard")`` into ``--shards`` files
  per record type (cached in ``--dir``, under a name with the layout version).
- single process: ``calmkit.read_parquet`` + ``calmkit.cohort`` + every metric
  (the same work a script without Dask does).
- LocalCluster n: ``calmkit.dask.compute_all`` on a cluster of n worker
  processes with one thread each; the cluster is started (and a tiny warm-up
  computed) before timing, so the time is the analysis itself.
Each configuration runs ``--repeat`` times; the table gives the median and
best wall time and participants/second at the median. The first result of
each Dask configuration is checked against the single-process frames.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd

import calmkit
import calmkit.dask as ckd


def single_process(path: Path) -> dict[str, pd.DataFrame]:
    journal = calmkit.read_parquet(path)
    data = calmkit.cohort(journal)
    return {m: getattr(calmkit, m)(data, **ckd.DEFAULTS.get(m, {})) for m in ckd.METRICS}


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=5000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--shards", type=int, default=20, help="Parquet files per record type (= Dask tasks)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/calmkit-bench/dask"))
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    # The layout version in the name: a cached layout-1 dataset (no assessments) is not reused.
    path = args.dir / (f"cohort-v{calmkit.parquet.PARQUET_FORMAT_VERSION}-"
                       f"{args.participants}x{args.days}-{args.shards}")
    if not (path / "triggers" / "_common_metadata").is_file():
        start = time.perf_counter()
        journal = calmkit.synthetic_journal(participants=args.participants, days=args.days, seed=1)
        calmkit.write_parquet(journal, path, partition_by="shard", shards=args.shards)
        print(f"wrote {journal} to {path} in {time.perf_counter() - start:.1f} s")
    n = len(ckd.participants(path))
    print(f"dataset: {path} ({n} participants, {len(ckd.partitions(path))} partitions), "
          f"{len(ckd.METRICS)} metrics, cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")

    rows = []
    times, reference = timed(lambda: single_process(path), args.repeat)
    rows.append(("single process", times))
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.submit(sum, [1, 2]).result()  # workers up and connected
            times, frames = timed(lambda: ckd.compute_all(path), args.repeat)
            for m in ckd.METRICS:
                pd.testing.assert_frame_equal(frames[m], reference[m], check_exact=True, obj=m)
        rows.append((f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}", times))

    print("\n| configuration | runs | median s | best s | participants/s (median) |")
    print("|---|---:|---:|---:|---:|")
    for name, times in rows:
        med = statistics.median(times)
        print(f"| {name} | {len(times)} | {med:.2f} | {min(times):.2f} | {n / med:,.0f} |")
    print(f"\nload average after the runs: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
