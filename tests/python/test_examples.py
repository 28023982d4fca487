"""The Python examples run as a reader would run them, and produce what they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"


def run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The scripts run in a scratch folder: make PYTHONPATH absolute so that they
    # import the calmkit under test, not an installed one.
    paths = [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(paths)}
    p = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return p


def test_read_sample_counts_every_record_type(tmp_path: Path) -> None:
    out = run("read_sample.py", tmp_path).stdout
    # 3 participants; 128 triggers ... 24 assessments (examples/data/README.md).
    assert "sample-journal.jsonl: Journal(participants=3, triggers=128, readings=378, exercises=152, " \
           "thought_records=42, assessments=24)" in out
    # The sample has 8 self-assessments per participant (examples/data/README.md).
    counts = next(line for line in out.splitlines() if line.startswith("p001"))
    assert counts.split()[-1] == "8"


def test_metrics_tour_writes_its_figures(tmp_path: Path) -> None:
    out = run("metrics_tour.py", tmp_path).stdout
    assert "median_minutes" in out
    figures = sorted(p.name for p in (tmp_path / "metrics_tour").glob("*.png"))
    assert figures == ["km_curves.png", "practice.png", "weekly_triggers.png"]
    assert all((tmp_path / "metrics_tour" / f).stat().st_size > 10_000 for f in figures)


def test_cohort_inference_answers_whether_calm_comes_sooner(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("lifelines")
    out = run("cohort_inference.py", tmp_path).stdout
    assert "log-rank first vs latest 4 weeks: chi2 = " in out
    # The synthetic cohort calms sooner as the weeks pass: the per-week hazard
    # ratio of calming is above 1 and so is its interval.
    line = next(x for x in out.splitlines() if x.startswith("Cox per_week"))
    low = float(line.split("95% CI ")[1].split("-")[0])
    assert low > 1.0, line
