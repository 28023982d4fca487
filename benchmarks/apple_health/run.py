"""Peak memory of calmkit.import_apple_health on a large export.

Builds the synthetic export (make_export.py) if it is missing, imports it in
a child process (so the peak RSS is the import's alone, read with
getrusage(RUSAGE_CHILDREN)), and prints size, time, records and peak RSS.
Also imports the same export zipped, if --zip is given.

    PYTHONPATH=build/python python3 benchmarks/apple_health/run.py /tmp/export.xml [--zip]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import json, sys, time
import calmkit
t = time.perf_counter()
journal, report = calmkit.import_apple_health(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "records": report.rows,
                  "readings": len(journal.readings), "exercises": len(journal.exercises)}))
"""


def measure(path: Path) -> dict:
    """Imports ``path`` in a child process; its own peak RSS comes from wait4()."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True,
                             env=os.environ.copy())
    assert child.stdout is not None
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"import failed with exit status {child.returncode}")
    result = json.loads(stdout)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # ru_maxrss is in KiB on Linux
    result["file"] = str(path)
    result["file_mib"] = round(path.stat().st_size / 2 ** 20, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export", type=Path)
    ap.add_argument("--size", type=int, default=1 << 30)
    ap.add_argument("--zip", action="store_true", help="also import it as export.zip")
    args = ap.parse_args()
    if not args.export.exists():
        subprocess.run([sys.executable, str(HERE / "make_export.py"), str(args.export), "--size", str(args.size)],
                       check=True)
    print(json.dumps(measure(args.export)))
    if args.zip:
        z = args.export.with_suffix(".zip")
        if not z.exists():
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
                out.write(args.export, "apple_health_export/export.xml")
        print(json.dumps(measure(z)))


if __name__ == "__main__":
    main()
