"""Metrics on a cohort: calmkit vs pandas, each in its own process (peak RSS
per implementation), on the same generated cohort.

    python3 benchmarks/metrics/run.py --build-dir build            # 10M readings, 1M triggers
    python3 benchmarks/metrics/run.py --build-dir build --check    # small cohort: same numbers?

calmkit runs twice: on one thread (calmkit.set_threads(1)) and on every
hardware thread (the default); pandas runs on one thread (it has no other way).

PYTHONPATH must reach calmkit: --build-dir adds <build>/python.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(impl: str, participants: int, triggers: int, readings: int, out: str | None, repeat: int,
           threads: int) -> None:
    sys.path.insert(0, str(HERE))
    import numpy as np

    from cohort import make_cohort

    c = make_cohort(participants, triggers, readings)
    rss_inputs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings: dict[str, float] = {}
    if impl == "calmkit":
        import calmkit

        import calmkit_metrics as m

        calmkit.set_threads(threads)
    else:
        import pandas_metrics as m  # type: ignore[no-redef]
    def best(step: str, fn):  # best of `repeat` runs: the machine is shared
        value = None
        for _ in range(repeat):
            t = time.perf_counter()
            value = fn()
            timings[step] = min(timings.get(step, float("inf")), time.perf_counter() - t)
        return value

    if impl == "calmkit":
        co = best("load", lambda: m.cohort(c))
        eps = best("time_to_calm", lambda: m.time_to_calm(co))
        summ = best("summary", lambda: m.summary(eps))
        freq = best("weekly_frequency", lambda: m.weekly_frequency(co))
        minutes, calmed = eps["minutes"].to_numpy(), eps["calmed"].to_numpy()
        summ = summ.assign(participant=summ["participant"].cat.codes.astype(int))
        freq = freq.assign(participant=freq["participant"].cat.codes.astype(int),
                           period_start=freq["period_start"].to_numpy().astype("datetime64[D]").astype(np.int64))
    else:
        tr, rd = best("load", lambda: m.frames(c))
        eps = best("time_to_calm", lambda: m.time_to_calm(tr, rd))
        summ = best("summary", lambda: m.summary(eps))
        freq = best("weekly_frequency", lambda: m.weekly_frequency(tr, rd))
        minutes, calmed = eps["minutes"].to_numpy(), eps["calmed"].to_numpy()
    timings["total"] = sum(timings[k] for k in ("load", "time_to_calm", "summary", "weekly_frequency"))
    result = {"impl": impl, "threads": calmkit.threads() if impl == "calmkit" else 1, "triggers": int(len(c["t_us"])), "readings": int(len(c["r_us"])),
              "seconds": timings, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
              "rss_after_inputs_mb": rss_inputs}
    if out:
        np.savez(out, minutes=minutes, calmed=calmed,
                 s_participant=summ["participant"].to_numpy(np.int64),
                 s_cols=np.stack([summ[k].to_numpy(float) for k in
                                  ("episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high")]),
                 f=np.stack([freq[k].to_numpy(np.int64) for k in ("participant", "period_start", "count")]))
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--participants", type=int, default=10_000)
    ap.add_argument("--triggers", type=int, default=100, help="per participant")
    ap.add_argument("--readings", type=int, default=10, help="per trigger")
    ap.add_argument("--check", action="store_true", help="small cohort; compare every number")
    ap.add_argument("--worker", choices=["calmkit", "pandas"])
    ap.add_argument("--out")
    ap.add_argument("--repeat", type=int, default=3, help="runs per step; the best is reported")
    ap.add_argument("--threads", type=int, default=0, help="calmkit worker: threads (0 = every hardware thread)")
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.participants, a.triggers, a.readings, a.out, a.repeat, a.threads)
        return
    if a.check:
        # 480,000 readings: enough for calmkit to split the work between two threads.
        a.participants, a.triggers, a.readings = 1200, 40, 10
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(a.build_dir).resolve() / "python"), env.get("PYTHONPATH", "")])
    results = {}
    outs: dict[str, str] = {}
    runs = {"calmkit-1": ("calmkit", 1), "calmkit": ("calmkit", 0), "pandas": ("pandas", 1)}
    for name, (impl, threads) in runs.items():
        out = str(Path(tempfile.gettempdir()) / f"calmkit_bench_metrics_{os.getpid()}_{name}.npz") if a.check else None
        if out:
            outs[name] = out
        cmd = [sys.executable, __file__, "--worker", impl, "--participants", str(a.participants),
               "--triggers", str(a.triggers), "--readings", str(a.readings), "--repeat", str(a.repeat),
               "--threads", str(threads)] + (["--out", out] if out else [])
        res = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        results[name] = json.loads(res.stdout.strip().splitlines()[-1])
        print(json.dumps(results[name]))
    if a.check:
        import numpy as np

        pd_ = np.load(outs["pandas"])
        for name in ("calmkit-1", "calmkit"):
            ck = np.load(outs[name])
            assert np.array_equal(ck["minutes"], pd_["minutes"]), f"{name}: minutes differ"
            assert np.array_equal(ck["calmed"], pd_["calmed"]), f"{name}: calmed differ"
            assert np.array_equal(ck["s_participant"], pd_["s_participant"]), f"{name}: summary rows differ"
            assert np.allclose(ck["s_cols"], pd_["s_cols"], equal_nan=True), f"{name}: summary differs"
            assert np.array_equal(ck["f"], pd_["f"]), f"{name}: weekly counts differ"
        for out in outs.values():
            os.unlink(out)
        print("check: calmkit (1 thread and all threads) and pandas agree on every episode, summary row and "
              "weekly count")
        return
    c1, ck, pa = results["calmkit-1"], results["calmkit"], results["pandas"]
    print(f"\n| step | calmkit, 1 thread (s) | calmkit, {ck['threads']} threads (s) | pandas (s) "
          "| speed-up, 1 thread | speed-up, all threads |\n|---|---:|---:|---:|---:|---:|")
    for k in ("load", "time_to_calm", "summary", "weekly_frequency", "total"):
        p, one, all_ = pa["seconds"][k], c1["seconds"][k], ck["seconds"][k]
        print(f"| {k} | {one:.3f} | {all_:.3f} | {p:.3f} | {p / one:.1f}x | {p / all_:.1f}x |")
    print(f"| peak RSS (MB) | {c1['peak_rss_mb']:.0f} | {ck['peak_rss_mb']:.0f} | {pa['peak_rss_mb']:.0f} | | |")
    print(f"| RSS after generating inputs (MB) | {c1['rss_after_inputs_mb']:.0f} | {ck['rss_after_inputs_mb']:.0f} "
          f"| {pa['rss_after_inputs_mb']:.0f} | | |")


if __name__ == "__main__":
    main()
