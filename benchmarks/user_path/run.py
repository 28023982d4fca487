"""The user's path, measured side by side in one run: reading a cohort journal
(calmkit, pandas, pyarrow.json, polars when installed), the README's metric
calls on a Journal against a pandas implementation, and Parquet against JSON
Lines both ways.

Two journals:

- ``project``: calmkit's own synthetic journal (``calmkit.synthetic_journal``,
  4,700 participants x 56 days, seed 1, written by ``calmkit.write_journal``:
  sorted by participant and time, about 1.08 million lines);
- ``interleaved``: written by ``make_interleaved.py`` (not calmkit): 2,500
  participants, about 1.63 million lines, records of all participants
  shuffled together and out of time order.

Every measurement runs in its own process, so each peak RSS (``VmHWM``,
see ``peak_rss_mb``) belongs to one reader or one step; times are
``time.perf_counter`` around the call alone. Nothing here needs more than
Python, NumPy, pandas, pyarrow and the calmkit build (polars is optional).

    cmake --build build --target calmkit_python
    python3 benchmarks/user_path/run.py --build-dir build

Every measurement runs ``--rounds`` times (3 by default), interleaved: each
round runs every reader (or step) once, starting at a different one, so a
slow minute of a shared machine does not fall on the same reader every
time. Tables give the median wall time with the fastest and slowest, and
each comparison is printed as the ratio of two measurements of the same
round, per round and their median.

The metrics step checks that calmkit and pandas give the same minutes and
calmed flag for every episode, the same per-participant summaries and the
same weekly counts before it prints a number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
READERS = ("calmkit", "pyarrow", "polars", "pandas")


def peak_rss_mb() -> float:
    """This process's peak resident set, in MiB: ``VmHWM`` of /proc/self/status
    (Linux), the high-water mark of this process's own memory since it
    started. Not ``getrusage``'s ``ru_maxrss``: a child keeps the larger
    ``ru_maxrss`` of the process it was forked from across ``exec`` (here
    the driver, which has imported NumPy, pandas and pyarrow: 134 MB that no
    worker used)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def timed_cpu(fn):
    """Wall and CPU seconds (all threads of the process) of one call."""
    c = cpu_seconds()
    value, s = timed(fn)
    return value, s, cpu_seconds() - c


# --- workers (each runs in a fresh process) ---------------------------------

def read_worker(reader: str, path: str, threads: int) -> dict:
    """One read in this fresh process: the interpreter, the reader's import
    (``rss_import_mb``: the peak RSS once it is imported, before the read)
    and the read itself (``peak_rss_mb``: the whole process's peak)."""
    base = peak_rss_mb()
    if reader in ("calmkit", "calmkit-lenient"):
        import calmkit

        imported = peak_rss_mb()
        # threads: 0 = one per hardware thread (the default), 1 = the calling thread alone.
        lenient = reader == "calmkit-lenient"
        j, s, cpu = timed_cpu(lambda: calmkit.read_journal(path, threads=threads, lenient=lenient))
        rows = len(j)
    elif reader == "pandas":
        import pandas as pd

        imported = peak_rss_mb()
        df, s, cpu = timed_cpu(lambda: pd.read_json(path, lines=True))
        rows = len(df)
    elif reader == "pyarrow":
        import pyarrow.json as pj

        imported = peak_rss_mb()
        t, s, cpu = timed_cpu(lambda: pj.read_json(path))
        rows = t.num_rows
    else:
        import polars as pl

        imported = peak_rss_mb()
        # The default inference looks at the first 100 rows only; a file with
        # several record types then fails on a field first seen later.
        df, s, cpu = timed_cpu(lambda: pl.read_ndjson(path, infer_schema_length=None))
        rows = df.height
    return {"seconds": s, "cpu_seconds": cpu, "rows": rows, "peak_rss_mb": peak_rss_mb(), "rss_before_mb": base,
            "rss_import_mb": imported}


def _arrays_for_pandas(j):
    """The journal's triggers, observations and record times as the plain
    columns the pandas implementation starts from (not timed)."""
    import numpy as np
    import pandas as pd

    us = lambda s: s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)  # noqa: E731
    tr = j.triggers.to_pandas()
    parts = list(tr["participant"].cat.categories)
    row = {(p, i): k for k, (p, i) in enumerate(zip(tr["participant"].astype(str), tr["id"]))}
    codes = {p: k for k, p in enumerate(parts)}

    def link(frame):
        # An absent link is <NA> in to_pandas() (missing text is a missing value).
        return np.array([row.get((p, i), -1) if isinstance(i, str) and i else -1 for p, i in
                         zip(frame["participant"].astype(str), frame["trigger"])], dtype=np.int64)

    rd = j.readings.to_pandas()
    ex = j.exercises.to_pandas()
    # Observations: readings, and the ratings of exercises linked to a trigger.
    ex_l = ex[ex["trigger"].fillna("") != ""]
    obs_p, obs_us, obs_off, obs_x, obs_trig = [rd["participant"].cat.codes.to_numpy(np.int64)], [us(rd["time"])], \
        [rd["offset_minutes"].to_numpy()], [rd["intensity"].to_numpy(np.int64)], [link(rd)]
    for when, rating, offset in (("time", "intensity_before", "offset_minutes"),
                                 ("end", "intensity_after", "end_offset_minutes")):
        rated = ex_l[ex_l[rating].notna()]
        obs_p.append(rated["participant"].cat.codes.to_numpy(np.int64))
        obs_us.append(us(rated[when]))
        obs_off.append(rated[offset].to_numpy())
        obs_x.append(rated[rating].to_numpy(np.int64))
        obs_trig.append(link(rated))
    # Every record's time (and exercise end) spans a participant's weeks.
    span_p, span_us, span_off = [], [], []
    for frame, cols in ((rd, [("time", "offset_minutes")]),
                        (ex, [("time", "offset_minutes"), ("end", "offset_minutes")]),
                        (j.thought_records.to_pandas(), [("time", "offset_minutes")]),
                        (j.assessments.to_pandas(), [("time", "offset_minutes")])):
        for when, offset in cols:
            span_p.append(np.array([codes[p] for p in frame["participant"].astype(str)], dtype=np.int64))
            span_us.append(us(frame[when]) if len(frame) else np.zeros(0, np.int64))
            span_off.append(frame[offset].to_numpy() if len(frame) else np.zeros(0, np.int16))
    cat_ids = [c[0] for c in __import__("calmkit").trigger_categories()]
    return {
        "participants": parts,
        "t_p": tr["participant"].cat.codes.to_numpy(np.int64), "t_us": us(tr["time"]),
        "t_off": tr["offset_minutes"].to_numpy(), "t_x": tr["intensity"].to_numpy(np.int64),
        "t_cat": pd.Index(cat_ids).get_indexer(tr["category"].astype(str)),
        "o_p": np.concatenate(obs_p), "o_us": np.concatenate(obs_us), "o_off": np.concatenate(obs_off),
        "o_x": np.concatenate(obs_x), "o_trig": np.concatenate(obs_trig),
        "s_p": np.concatenate(span_p), "s_us": np.concatenate(span_us), "s_off": np.concatenate(span_off),
    }


def metrics_worker(impl: str, path: str, threads: int, out: str) -> dict:
    import numpy as np

    import calmkit
    import calmkit.metrics  # noqa: F401  (pandas and pyarrow load here, before any timing, as for the pandas side)

    if threads:
        calmkit.set_threads(threads)
    j = calmkit.read_journal(path)
    seconds: dict[str, float] = {}
    cpu_start = cpu_seconds()
    if impl == "calmkit":
        # The README's calls on a Journal fresh from read_journal (the metrics
        # read the journal's own columns), then the same calls again.
        for rnd in ("first", "again"):
            eps, seconds[f"{rnd}_time_to_calm"] = timed(lambda: calmkit.time_to_calm(j))
            summ, seconds[f"{rnd}_summary"] = timed(lambda: calmkit.time_to_calm_summary(j, by="participant"))
            freq, seconds[f"{rnd}_weekly"] = timed(lambda: calmkit.trigger_frequency(j, period="week"))
        minutes, calmed = eps["minutes"].to_numpy(), eps["calmed"].to_numpy()
        s_part = summ["participant"].cat.codes.to_numpy(np.int64)
        f_rows = np.stack([freq["participant"].cat.codes.to_numpy(np.int64),
                           freq["period_start"].to_numpy().astype("datetime64[D]").astype(np.int64),
                           freq["count"].to_numpy(np.int64)])
    else:
        import pandas as pd

        sys.path.insert(0, str(HERE.parent / "metrics"))
        import pandas_metrics as pm

        a = _arrays_for_pandas(j)
        del j
        cpu_start = cpu_seconds()  # the pandas code starts from these columns

        def frames():
            triggers = pd.DataFrame({"participant": a["t_p"], "onset": a["t_us"], "offset": a["t_off"],
                                     "intensity": a["t_x"], "category": a["t_cat"]})
            triggers["trigger"] = np.arange(len(triggers))
            obs = pd.DataFrame({"participant": a["o_p"], "time": a["o_us"], "offset": a["o_off"],
                                "intensity": a["o_x"], "trigger": a["o_trig"]})
            span = pd.DataFrame({"participant": a["s_p"], "time": a["s_us"], "offset": a["s_off"]})
            return triggers, obs, span

        (tr, obs, span), seconds["frames"] = timed(frames)
        eps, seconds["first_time_to_calm"] = timed(lambda: pm.time_to_calm(tr, obs))
        summ, seconds["first_summary"] = timed(lambda: pm.summary(eps))
        freq, seconds["first_weekly"] = timed(lambda: pm.weekly_frequency(tr, span))
        seconds["first_time_to_calm"] += seconds.pop("frames")
        minutes, calmed = eps["minutes"].to_numpy(), eps["calmed"].to_numpy()
        s_part = summ["participant"].to_numpy(np.int64)
        f_rows = np.stack([freq[k].to_numpy(np.int64) for k in ("participant", "period_start", "count")])
    np.savez(out, minutes=minutes, calmed=calmed, s_part=s_part,
             s_cols=np.stack([summ[k].to_numpy(float) for k in
                              ("episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high")]),
             f=f_rows)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds() - cpu_start, "peak_rss_mb": peak_rss_mb(),
            "threads": calmkit.threads()}


def formats_worker(step: str, path: str, scratch: str) -> dict:
    """One step of the Parquet / JSON Lines comparison. ``write_parquet`` and
    ``read_parquet`` are the calls a user makes, with the defaults
    (``calmkit.write_parquet(journal, folder)``: the shard layout, one file
    per record type; ``calmkit.read_parquet(folder)``). The ``_participant``
    steps use ``partition_by="participant"`` (a folder per participant: 2,500
    participants x 4 record types with records = 10,000 files). The
    ``bridge_`` and ``pyarrow_`` steps split the default read and write into
    the Arrow bridge (``to_arrow`` / ``from_arrow``) and pyarrow's part (the
    Parquet encoding and decoding, with calmkit's safe write and checks)."""
    import pyarrow.dataset  # noqa: F401  (imported before any step is timed: a one-time cost of the
    import pyarrow.parquet  # noqa: F401  process, about 0.3 s of CPU, not of the format)

    import calmkit

    jsonl = os.path.join(scratch, "rewritten.jsonl")
    dataset = os.path.join(scratch, "dataset-participant" if step.endswith("_participant") else "dataset")
    if step.startswith("write") or step == "bridge_to_arrow":
        j = calmkit.read_journal(path)
        if step == "write_journal":
            _, s, cpu = timed_cpu(lambda: calmkit.write_journal(j, jsonl))
        elif step == "bridge_to_arrow":
            _, s, cpu = timed_cpu(lambda: j.to_arrow())
        elif step == "write_parquet":
            shutil.rmtree(dataset, ignore_errors=True)
            _, s, cpu = timed_cpu(lambda: calmkit.write_parquet(j, dataset))
        else:
            shutil.rmtree(dataset, ignore_errors=True)
            _, s, cpu = timed_cpu(lambda: calmkit.write_parquet(j, dataset, partition_by="participant"))
        return {"seconds": s, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb()}
    if step == "read_journal":
        j, s, cpu = timed_cpu(lambda: calmkit.read_journal(jsonl))
    elif step in ("pyarrow_read_tables", "bridge_from_arrow"):
        import calmkit.parquet

        tables, s, cpu = timed_cpu(lambda: calmkit.parquet.read_tables(dataset))
        if step == "bridge_from_arrow":
            j, s, cpu = timed_cpu(lambda: calmkit.Journal.from_arrow(tables, name=dataset))
        else:
            return {"seconds": s, "cpu_seconds": cpu, "rows": sum(t.num_rows for t in tables.values()),
                    "peak_rss_mb": peak_rss_mb()}
    else:
        j, s, cpu = timed_cpu(lambda: calmkit.read_parquet(dataset))
    return {"seconds": s, "cpu_seconds": cpu, "rows": len(j), "peak_rss_mb": peak_rss_mb()}


# --- driver ------------------------------------------------------------------

def spawn(env: dict, *args: str) -> dict:
    """Runs one worker; its result gets ``load``: the 1-minute load average
    when it ended (the machine may be shared: wall times under load are
    longer, CPU seconds much less so)."""
    res = subprocess.run([sys.executable, __file__, "--worker", *args], env=env, capture_output=True, text=True)
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1]}
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["load"] = os.getloadavg()[0]
    return out


def in_rounds(env: dict, rounds: int, jobs: dict[str, tuple[str, ...]]) -> dict[str, list[dict]]:
    """Runs every job of ``jobs`` (label -> worker arguments) once per round,
    each in its own process; round r starts the list at job r (mod the
    number of jobs), so a slow minute of a shared machine falls on a
    different job each round. Returns label -> its results, in round order."""
    labels = list(jobs)
    out: dict[str, list[dict]] = {k: [] for k in labels}
    for r in range(rounds):
        for k in labels[r % len(labels):] + labels[:r % len(labels)]:
            out[k].append(spawn(env, *jobs[k]))
    return out


def median_of(results: list[dict]) -> dict:
    """One row from a job's rounds: the median of each time (a number, or
    each entry of a dict of numbers), the largest peak RSS and load; an
    error in any round is the row's error. ``wall_range``: the fastest and
    the slowest wall time."""
    import statistics

    bad = [r for r in results if "error" in r]
    if bad:
        return bad[0]
    row = dict(results[0])
    for key, first in results[0].items():
        if key in ("peak_rss_mb", "load"):
            row[key] = max(r[key] for r in results)
        elif isinstance(first, dict):
            row[key] = {k: statistics.median(r[key][k] for r in results) for k in first}
        elif isinstance(first, float):
            row[key] = statistics.median(r[key] for r in results)
    if isinstance(results[0].get("seconds"), float):
        row["wall_range"] = (min(r["seconds"] for r in results), max(r["seconds"] for r in results))
    return row


def same_round_ratios(results: dict[str, list[dict]], slow: str, fast: str) -> str:
    """``slow``'s wall time over ``fast``'s in each round (the two ran in the
    same minute), and their median: the ratio the targets are judged by."""
    import statistics

    pairs = [a["seconds"] / b["seconds"] for a, b in zip(results[slow], results[fast])
             if "error" not in a and "error" not in b]
    if not pairs:
        return "-"
    each = " / ".join(f"{x:.1f}" for x in pairs)
    return f"median {statistics.median(pairs):.1f}x (rounds: {each})"


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def versions() -> str:
    out = [f"python {platform.python_version()}"]
    for mod in ("numpy", "pandas", "pyarrow", "polars"):
        try:
            out.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            out.append(f"{mod} not installed")
    return ", ".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=Path("build"))
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "calmkit-bench")
    ap.add_argument("--journals", default="project,interleaved")
    ap.add_argument("--skip", default="",
                    help="comma-separated parts to skip: read,metrics,formats, and participant: the formats "
                         "step's partition_by='participant' rows (a folder per participant, thousands of small "
                         "files: about 2 minutes of each round on the own journal; not the default layout)")
    ap.add_argument("--threads", type=int, default=0, help="calmkit threads (0 = every hardware thread)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="runs of every measurement, interleaved; tables give the median (default 3)")
    ap.add_argument("--worker", nargs="+")
    a = ap.parse_args()
    if a.worker:
        kind, *rest = a.worker
        if kind == "read":
            r = read_worker(rest[0], rest[1], int(rest[2]))
        elif kind == "metrics":
            r = metrics_worker(rest[0], rest[1], int(rest[2]), rest[3])
        else:
            r = formats_worker(rest[0], rest[1], rest[2])
        print(json.dumps(r))
        return 0

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(a.build_dir.resolve() / "python"), env.get("PYTHONPATH", "")])
    a.dir.mkdir(parents=True, exist_ok=True)
    files = {"project": a.dir / "project-4700x56.jsonl", "interleaved": a.dir / "interleaved-2500.jsonl"}
    if not files["project"].exists():
        subprocess.run([sys.executable, "-c", "import calmkit, sys; calmkit.write_journal("
                        "calmkit.synthetic_journal(participants=4700, days=56, seed=1), sys.argv[1])",
                        str(files["project"])], env=env, check=True)
    if not files["interleaved"].exists():
        subprocess.run([sys.executable, str(HERE / "make_interleaved.py"), str(files["interleaved"])], check=True)
    skip = set(filter(None, a.skip.split(",")))
    print(f"machine: {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(versions())
    th = str(a.threads)
    for name in a.journals.split(","):
        path = files[name]
        mb = path.stat().st_size / 1e6
        print(f"\n## {name}: {path} ({count_lines(path):,} lines, {mb:.1f} MB)")
        if "read" not in skip:
            # Peak RSS of the whole process (interpreter, import, read), its
            # ratio to the file, the interpreter alone, after the import, and
            # what the read itself added above the import.
            print(f"\nMedian of {a.rounds} rounds (wall: median (fastest-slowest); CPU: median; RSS and load: "
                  "the largest)\n")
            print("| reader | wall s | MB/s (wall) | CPU s | peak RSS MB | RSS / file | RSS before import MB "
                  "| RSS after import MB | read's own MB | read's own / file | rows | load |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            jobs = {"calmkit.read_journal (strict, 1 thread)": ("read", "calmkit", str(path), "1")}
            if a.threads != 1:
                jobs["calmkit.read_journal (strict, default threads)"] = ("read", "calmkit", str(path), th)
            jobs["calmkit.read_journal (lenient, default threads)"] = ("read", "calmkit-lenient", str(path), th)
            jobs.update({"pyarrow.json.read_json": ("read", "pyarrow", str(path), th),
                         "polars.read_ndjson": ("read", "polars", str(path), th),
                         "pandas.read_json(lines=True)": ("read", "pandas", str(path), th)})
            runs = in_rounds(env, a.rounds, jobs)
            for label, results in runs.items():
                r = median_of(results)
                if "error" in r:
                    print(f"| {label} | - | - | - | - | - | - | - | - | - | {r['error']} | - |")
                else:
                    own = r["peak_rss_mb"] - r["rss_import_mb"]
                    lo, hi = r["wall_range"]
                    print(f"| {label} | {r['seconds']:.2f} ({lo:.2f}-{hi:.2f}) | {mb / r['seconds']:.0f} "
                          f"| {r['cpu_seconds']:.2f} "
                          f"| {r['peak_rss_mb']:.0f} | {r['peak_rss_mb'] * 1.048576 / mb:.2f} "
                          f"| {r['rss_before_mb']:.0f} | {r['rss_import_mb']:.0f} | {own:.0f} "
                          f"| {own * 1.048576 / mb:.2f} | {r['rows']:,} | {r['load']:.1f} |")
            strict = next(k for k in jobs if "strict" in k and ("default" in k or a.threads == 1))
            print(f"\nSame-round ratios, wall time, {strict}:")
            for other in ("pyarrow.json.read_json", "polars.read_ndjson", "pandas.read_json(lines=True)"):
                print(f"- {other} / calmkit: {same_round_ratios(runs, other, strict)}")
            print(f"- one thread: pandas / calmkit "
                  f"{same_round_ratios(runs, 'pandas.read_json(lines=True)', 'calmkit.read_journal (strict, 1 thread)')}"
                  f", pyarrow / calmkit "
                  f"{same_round_ratios(runs, 'pyarrow.json.read_json', 'calmkit.read_journal (strict, 1 thread)')}")
        if "metrics" not in skip:
            import numpy as np

            outs = {k: str(a.dir / f"metrics-{os.getpid()}-{k}.npz") for k in ("calmkit-1", "calmkit", "pandas")}
            mruns = in_rounds(env, a.rounds, {"calmkit-1": ("metrics", "calmkit", str(path), "1", outs["calmkit-1"]),
                                              "calmkit": ("metrics", "calmkit", str(path), th, outs["calmkit"]),
                                              "pandas": ("metrics", "pandas", str(path), "1", outs["pandas"])})
            res = {k: median_of(v) for k, v in mruns.items()}
            bad = [k for k, r in res.items() if "error" in r]
            if bad:
                print(f"metrics failed: {[(k, res[k]['error']) for k in bad]}")
                continue
            ref = np.load(outs["pandas"])
            for k in ("calmkit-1", "calmkit"):
                got = np.load(outs[k])
                assert np.array_equal(got["minutes"], ref["minutes"]), f"{k}: minutes differ from pandas"
                assert np.array_equal(got["calmed"], ref["calmed"]), f"{k}: calmed differs from pandas"
                assert np.array_equal(got["s_part"], ref["s_part"]), f"{k}: summary rows differ"
                assert np.allclose(got["s_cols"], ref["s_cols"], equal_nan=True), f"{k}: summaries differ"
                assert np.array_equal(got["f"], ref["f"]), f"{k}: weekly counts differ"
            for o in outs.values():
                os.unlink(o)
            p = res["pandas"]["seconds"]
            c1, ck = res["calmkit-1"]["seconds"], res["calmkit"]["seconds"]
            print(f"\nREADME metric calls on a Journal (checked: same episodes, summaries and weekly counts as "
                  f"pandas); median of {a.rounds} rounds\n\n| call | calmkit 1 thread, first | calmkit {res['calmkit']['threads']} threads, "
                  "first | calmkit, again | pandas |\n|---|---:|---:|---:|---:|")
            total = dict.fromkeys(("c1", "ck", "again", "p"), 0.0)
            for step, label in (("time_to_calm", "time_to_calm(journal)"),
                                ("summary", 'time_to_calm_summary(journal, by="participant")'),
                                ("weekly", 'trigger_frequency(journal, period="week")')):
                vals = (c1[f"first_{step}"], ck[f"first_{step}"], ck[f"again_{step}"], p[f"first_{step}"])
                for key, v in zip(total, vals):
                    total[key] += v
                print(f"| `{label}` | {vals[0]:.3f} | {vals[1]:.3f} | {vals[2]:.3f} | {vals[3]:.3f} |")
            print(f"| **total** | **{total['c1']:.3f}** | **{total['ck']:.3f}** | **{total['again']:.3f}** | "
                  f"**{total['p']:.3f}** |")
            print(f"| speed-up vs pandas | {total['p'] / total['c1']:.1f}x | {total['p'] / total['ck']:.1f}x | "
                  f"{total['p'] / total['again']:.1f}x | |")
            totals = {k: [sum(r["seconds"][f"first_{c}"] for c in ("time_to_calm", "summary", "weekly"))
                          for r in mruns[k]] for k in ("pandas", "calmkit")}
            per_round = [p_ / c_ for p_, c_ in zip(totals["pandas"], totals["calmkit"])]
            print(f"| same-round ratio pandas / calmkit (default threads, first calls) | | "
                  f"{' / '.join(f'{x:.1f}x' for x in per_round)} | | |")
            print(f"| CPU s of the calls (calmkit: first and again) | "
                  f"{res['calmkit-1']['cpu_seconds']:.2f} | {res['calmkit']['cpu_seconds']:.2f} | | "
                  f"{res['pandas']['cpu_seconds']:.2f} |")
            print(f"| peak RSS MB (whole process) | {res['calmkit-1']['peak_rss_mb']:.0f} | "
                  f"{res['calmkit']['peak_rss_mb']:.0f} | | {res['pandas']['peak_rss_mb']:.0f} |")
            print(f"| load average (1 min) at the end | {res['calmkit-1']['load']:.1f} | "
                  f"{res['calmkit']['load']:.1f} | | {res['pandas']['load']:.1f} |")
        if "formats" not in skip:
            scratch = tempfile.mkdtemp(prefix="calmkit-formats-", dir=a.dir)
            try:
                # Each round writes (the writes in turn), then reads what they wrote.
                writes = ("write_journal", "write_parquet", "write_parquet_participant", "bridge_to_arrow")
                reads = ("read_journal", "read_parquet", "read_parquet_participant", "pyarrow_read_tables",
                         "bridge_from_arrow")
                if "participant" in skip:
                    writes, reads = (tuple(x for x in group if not x.endswith("_participant"))
                                     for group in (writes, reads))
                fruns: dict[str, list[dict]] = {}
                for _ in range(a.rounds):
                    for group in (writes, reads):
                        for k, v in in_rounds(env, 1, {st: ("formats", st, str(path), scratch)
                                                      for st in group}).items():
                            fruns.setdefault(k, []).extend(v)
                    writes, reads = writes[1:] + writes[:1], reads[1:] + reads[:1]
                steps = {k: median_of(fruns[k]) for k in (
                    "write_journal", "write_parquet", "write_parquet_participant", "bridge_to_arrow",
                    "read_journal", "read_parquet", "read_parquet_participant", "pyarrow_read_tables",
                    "bridge_from_arrow") if k in fruns}
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            print(f"\nMedian of {a.rounds} rounds (wall: median (fastest-slowest))\n\n"
                  "| Parquet vs JSON Lines (the whole journal) | wall s | CPU s | peak RSS MB | load |\n"
                  "|---|---:|---:|---:|---:|")
            labels = {"write_parquet": "write_parquet(journal, folder) (the default: shard layout)",
                      "read_parquet": "read_parquet(folder) (the default call)",
                      "write_parquet_participant": 'write_parquet(..., partition_by="participant")',
                      "read_parquet_participant": 'read_parquet (a partition_by="participant" dataset)',
                      "bridge_to_arrow": "arrow.to_arrow (in write_parquet)",
                      "pyarrow_read_tables": "parquet.read_tables (in read_parquet)",
                      "bridge_from_arrow": "arrow.from_arrow (in read_parquet)"}
            for s, r in steps.items():
                label = labels.get(s, s)
                if "error" in r:
                    print(f"| calmkit.{label} | - | - | {r['error']} | - |")
                else:
                    lo, hi = r["wall_range"]
                    print(f"| calmkit.{label} | {r['seconds']:.2f} ({lo:.2f}-{hi:.2f}) | {r['cpu_seconds']:.2f} "
                          f"| {r['peak_rss_mb']:.0f} | {r['load']:.1f} |")
            print("\nSame-round ratios, wall time:")
            print(f"- read_journal / read_parquet (above 1: Parquet is faster): "
                  f"{same_round_ratios(fruns, 'read_journal', 'read_parquet')}")
            print(f"- write_journal / write_parquet (above 1: Parquet is faster): "
                  f"{same_round_ratios(fruns, 'write_journal', 'write_parquet')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
