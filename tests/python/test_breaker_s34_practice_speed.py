"""A practice session run faster than real time (``calmkit practice
--speed X``, ``calmkit.pacer.run_in_terminal(..., speed=X)``) as a person
or a demo runs it: what lands in the journal. The record's ``time`` and
``end`` are wall-clock instants (docs/journal-format.md), so ``end`` can be
no later than the moment the record was written; the exercise's clock
running faster must not stretch the session recorded."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import calmkit
from calmkit import pacer


def _record_times(line: str) -> tuple[dt.datetime, dt.datetime]:
    rec = json.loads(line)
    return dt.datetime.fromisoformat(rec["time"]), dt.datetime.fromisoformat(rec["end"])


def test_cli_practice_at_speed_records_the_real_duration(tmp_path: Path) -> None:
    journal = tmp_path / "p01.jsonl"
    before = dt.datetime.now(dt.timezone.utc)
    out = subprocess.run([sys.executable, "-m", "calmkit", "practice", "breathing.4-7-8", "--journal", str(journal),
                          "--speed", "1000"], input="8\n5\n", capture_output=True, text=True, timeout=120)
    after = dt.datetime.now(dt.timezone.utc)
    assert out.returncode == 0, out.stderr
    start, end = _record_times(journal.read_text(encoding="utf-8").splitlines()[-1])
    assert before - dt.timedelta(seconds=1) <= start <= end
    assert end <= after, f"the record ends at {end}, after it was written ({after})"


def test_pacer_run_at_speed_records_the_real_duration() -> None:
    began = time.monotonic()
    run = pacer.run_in_terminal(calmkit.catalog_exercise("breathing.4-7-8"), speed=1000, out=io.StringIO(),
                                inp=io.StringIO(""), tty=False)
    rec = run.finish(id="ex-1")
    real = time.monotonic() - began
    assert run.completed
    assert (rec.end - rec.time).total_seconds() <= real + 0.5
