"""An export handed to an importer through a pipe: ``/dev/stdin`` of
``cat export.csv | python script.py``, bash's ``<(unzip -p export.zip)``, a
named pipe. ``calmkit import`` refuses anything but a regular file ("save
the export to a file first"); the Python importers looked at the first 64
bytes (to name a compressed file) in one open and read the file in a second:
on a pipe the first open took the writer's bytes, and the second waited for
a writer that had gone, forever.

Each import runs in a child process with a writer thread, so a hang is a
failed test. The expected outcome is the CLI's: an ImportFormatError naming
the file, at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"

CASES = {
    "daylio": ("import_daylio", "daylio_export_old.csv", "tz='Europe/Berlin'"),
    "bearable": ("import_bearable", "bearable_export.csv", "tz='Europe/Berlin'"),
    "mindlamp": ("import_mindlamp", "mindlamp_events.json", "tz='Europe/Berlin'"),
    "apple health": ("import_apple_health", "apple_health_export.xml", ""),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("app", list(CASES))
def test_an_importer_given_a_pipe_says_so_and_never_waits_forever(app: str, tmp_path: Path) -> None:
    func, fixture, kwargs = CASES[app]
    source = DATA / fixture
    if not source.is_file():
        pytest.skip(f"{source} not found")
    fifo = tmp_path / ("export" + source.suffix)
    os.mkfifo(fifo)
    code = textwrap.dedent(f"""
        import os, threading, calmkit
        def writer():
            try:
                fd = os.open({str(fifo)!r}, os.O_WRONLY)
                os.write(fd, open({str(source)!r}, "rb").read())
                os.close(fd)
            except OSError:
                pass
        threading.Thread(target=writer, daemon=True).start()
        try:
            journal, report = calmkit.{func}({str(fifo)!r}, {kwargs})
            print("records", len(journal))
        except calmkit.ImportFormatError as e:
            print("error", e.path, "|", e)
    """)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{func} of a named pipe did not return in 60 s")
    said = out.stdout.strip()
    assert said.startswith(f"error {fifo} |"), said + out.stderr[-1500:]
    assert "not a regular file" in said, said
