"""Reading JSON Lines: calmkit against pandas.read_json(lines=True), side by side.

Builds (if needed) a synthetic journal of at least 1,000,000 lines with the
C++ generator, then runs both readers on the same file, each in its own
process (so peak RSS is per reader), and prints a table.

    cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCALMKIT_BUILD_BENCHMARKS=ON
    cmake --build build-bench --target calmkit_bench_read_jsonl calmkit_bench_make_journal
    python benchmarks/read_jsonl/run.py --build-dir build-bench
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIN_LINES = 1_000_000


def find_exe(build_dir: Path, name: str) -> Path:
    for candidate in (build_dir / "benchmarks" / name, build_dir / name):
        if candidate.exists():
            return candidate
    sys.exit(f"run.py: {name} not found under {build_dir}; build it with "
             "-DCALMKIT_BUILD_BENCHMARKS=ON first")


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_json(cmd: list) -> dict:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=Path("build-bench"))
    ap.add_argument("--journal", type=Path, default=Path("/tmp/calmkit-bench/journal-1m.jsonl"))
    ap.add_argument("--participants", type=int, default=4700)
    ap.add_argument("--days", type=int, default=56)
    ap.add_argument("--calmkit-runs", type=int, default=5)
    ap.add_argument("--pandas-runs", type=int, default=3)
    ap.add_argument("--regenerate", action="store_true")
    args = ap.parse_args()

    reader = find_exe(args.build_dir, "calmkit_bench_read_jsonl")
    maker = find_exe(args.build_dir, "calmkit_bench_make_journal")
    if args.regenerate or not args.journal.exists():
        args.journal.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(maker), str(args.journal), str(args.participants), str(args.days)], check=True,
                       stdout=subprocess.DEVNULL)
    lines = count_lines(args.journal)
    if lines < MIN_LINES:
        sys.exit(f"run.py: {args.journal} has {lines} lines, fewer than {MIN_LINES}; "
                 "raise --participants and pass --regenerate")

    calmkit = run_json([str(reader), str(args.journal), str(args.calmkit_runs)])
    pandas = run_json([sys.executable, str(HERE / "pandas_read.py"), str(args.journal), str(args.pandas_runs)])

    print(f"file: {args.journal} ({lines:,} lines, {os.path.getsize(args.journal) / 1e6:.1f} MB)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}")
    print(f"python {platform.python_version()}, pandas {pandas['pandas']}")
    print()
    header = f"{'reader':<34} {'runs':>4} {'median s':>9} {'best s':>8} {'MB/s':>8} {'lines/s':>12} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for name, r in (("calmkit::read_journal (strict)", calmkit), ("pandas.read_json(lines=True)", pandas)):
        print(f"{name:<34} {r['runs']:>4} {r['median_s']:>9.3f} {r['best_s']:>8.3f} {r['mb_per_s']:>8.1f} "
              f"{r['lines_per_s']:>12,.0f} {r['peak_rss_mb']:>12.0f}")
    print()
    print(f"speed-up (median): {pandas['median_s'] / calmkit['median_s']:.1f}x")
    print(f"pandas RSS before reading (interpreter + pandas): {pandas['baseline_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
