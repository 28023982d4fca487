"""The offline reference app (examples/web) in headless Chromium.

tests/js/web_app.mjs drives the page as a person would, with the pacer on a
virtual clock: a 4-7-8 session rated 7 before and 3 after, a trigger and two
readings logged through the forms, a thought record, the journal exported
with the page's Export button; then a synthetic journal written by Python is
imported through the page's file input and exported again. Here the exported
files are read by calmkit.read_journal and checked record by record, the
progress page's numbers are compared with calmkit's Python metrics on the
same exported journal, and axe-core's findings on every state of the page
must be empty. Screenshots of the pacer and the progress page are kept in
CALMKIT_ARTIFACTS_DIR (CI keeps them).

Run by CTest after the wasm build; skipped, saying why, without the built app,
Chromium or puppeteer-core.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = Path(os.environ.get("CALMKIT_WEB_DIR", ROOT / "build-wasm/web"))
NODE = os.environ.get("CALMKIT_NODE", "node")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PUPPETEER = ROOT / "bindings/js/node_modules/puppeteer-core"
AXE = ROOT / "bindings/js/node_modules/axe-core/axe.min.js"

pytestmark = pytest.mark.skipif(
    not (WEB_DIR / "calmkit/calmkit_core.wasm").exists() or not Path(CHROMIUM).exists() or not PUPPETEER.exists()
    or not AXE.exists(),
    reason="needs the wasm build (build-wasm/web), Debian's chromium, puppeteer-core and axe-core "
           "(npm ci in bindings/js; tools/setup.sh does all three)")

# The page's states axe-core checks (tests/js/web_app.mjs names them).
STATES = [
    "breathe", "breathe: session running", "breathe: rating after the session", "log: after a trigger and readings",
    "what could help now: ideas listed", "thought record: empty form", "thought record: saved",
    "progress: one episode", "export / import", "progress: imported journal",
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten weeks of one person's journal, written by Python, for the page to import."""
    path = tmp_path_factory.mktemp("web-app-input") / "synthetic.jsonl"
    calmkit.write_journal(calmkit.synthetic_journal(participants=1, days=70, seed=19), path)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> dict:
    out = tmp_path_factory.mktemp("web-app")
    proc = subprocess.run([NODE, str(ROOT / "tests/js/web_app.mjs"), str(out), str(synthetic)], capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "CALMKIT_WEB_DIR": str(WEB_DIR), "CHROMIUM": CHROMIUM})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    artifacts = os.environ.get("CALMKIT_ARTIFACTS_DIR")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        for name in ("pacer.png", "progress.png", "progress-imported.png", "calmkit-journal.jsonl"):
            if (out / name).exists():
                shutil.copy(out / name, Path(artifacts) / name)
    result["out"] = out
    return result


def test_export_reads_equal_in_python(run: dict) -> None:
    exported = Path(run["exported"])
    assert exported.exists(), "the Export button saved no file"
    journal = calmkit.read_journal(exported)
    # What the page holds and what it exported are the same journal.
    assert journal == calmkit.parse_journal(run["journalText"])
    assert exported.read_text(encoding="utf-8") == run["journalText"]

    (trigger,) = journal.triggers
    assert trigger.category == "delayed_reply"
    assert trigger.intensity == 8
    assert trigger.context == "no reply since lunch"
    assert trigger.urge == "text again" and trigger.acted_on_urge is False
    readings = journal.readings
    assert [r.intensity for r in readings] == [5, 2]
    assert all(r.trigger == trigger.id for r in readings)


def test_four_seven_eight_session_on_virtual_clock(run: dict) -> None:
    journal = calmkit.read_journal(Path(run["exported"]))
    (ex,) = journal.exercises
    assert ex.exercise == "breathing.4-7-8"
    assert ex.completed
    # 4 breaths of 4 + 7 + 8 s, on the virtual clock: exactly 76 s.
    assert ex.end - ex.time == dt.timedelta(seconds=76)
    assert (ex.intensity_before, ex.intensity_after) == (7, 3)
    assert run["mid"] == "Hold"  # 5 s in: 1 s into the 7 s hold


def test_page_stays_offline_and_clean(run: dict) -> None:
    for url in run["requested"]:
        assert url.startswith(run["origin"] + "/"), url
    # The core is fetched as its own file (compiled while it streams in).
    assert f"{run['origin']}/calmkit/calmkit_core.wasm" in run["requested"]
    assert run["problems"] == []
    assert run["ideas"] == 5
    assert run["ttc"].startswith("Median time to calm:")
    for shot in ("pacer.png", "progress.png"):
        assert (run["out"] / shot).stat().st_size > 5000


def test_thought_record_through_the_form(run: dict) -> None:
    journal = calmkit.read_journal(Path(run["exported"]))
    (tr,) = journal.thought_records
    assert tr.situation == "No reply since lunch"
    assert tr.automatic_thought == "They are losing interest"
    assert (tr.belief_before, tr.belief_after) == (80, 35)
    assert [d.value if hasattr(d, "value") else d for d in tr.distortions] == ["mind_reading"]
    assert list(tr.evidence_against) == ["They said they had a long meeting", "They replied late last week too"]
    assert tr.balanced_thought == "A slow reply on a busy day says little"
    (emotion,) = tr.emotions
    assert (emotion.name, emotion.before) == ("anxious", 70)


def _nan(xs: list) -> np.ndarray:
    return np.array([math.nan if x == "NaN" else float(x) for x in xs])


def _round_half_up(x: float) -> int:  # JavaScript's Math.round for the positive values shown
    return math.floor(x + 0.5)


def test_progress_page_numbers_equal_pythons_on_the_exported_journal(run: dict, synthetic: Path) -> None:
    imported = run["imported"]
    exported = Path(imported["exported"])
    journal = calmkit.read_journal(exported)
    # The page exported what it imported, unchanged.
    assert journal == calmkit.read_journal(synthetic)
    assert exported.read_bytes() == synthetic.read_bytes()

    # Time to calm, pooled (the page's by: null), to the bit.
    page = imported["progress"]["timeToCalm"]
    summary = calmkit.time_to_calm_summary(journal, by=None)
    assert len(summary) == 1
    assert page["episodes"] == [int(summary["episodes"].iloc[0])]
    for js_key, py_col in (("medianMinutes", "median_minutes"), ("ciLow", "ci_low"), ("ciHigh", "ci_high")):
        np.testing.assert_array_equal(_nan(page[js_key]), summary[py_col].to_numpy(dtype=float), err_msg=js_key)
    med, lo, hi = (float(summary[c].iloc[0]) for c in ("median_minutes", "ci_low", "ci_high"))
    assert not math.isnan(med) and not math.isnan(lo) and not math.isnan(hi), "the journal should give a full interval"
    n = int(summary["episodes"].iloc[0])
    assert imported["shown"]["ttc"] == (f"Median time to calm: {_round_half_up(med)} minutes over {n} episode(s) "
                                        f"(95 % interval {_round_half_up(lo)}–{_round_half_up(hi)}).")

    # Triggers per week: the page lists the last 12 weeks, here all of them (70 days: 10 or 11 ISO weeks).
    weekly = calmkit.trigger_frequency(journal, period="week")
    assert 10 <= len(weekly) <= 12
    expected = [(pd.Timestamp(d).date().isoformat(), int(c)) for d, c in zip(weekly["period_start"], weekly["count"])]
    assert [(r["periodStart"], r["count"]) for r in imported["progress"]["weekly"]] == expected
    assert imported["shown"]["weekly"] == [[d, str(c)] for d, c in expected]
    assert sum(c for _, c in expected) > 20 and len({c for _, c in expected}) > 2


def test_no_accessibility_violations_in_any_state(run: dict) -> None:
    found = run["accessibility"]
    assert [s for s in STATES if s not in found] == []
    for state in STATES:
        assert found[state]["violations"] == [], state
        assert found[state]["passes"] >= 20, state  # axe did check the page
    # The check can fail: the control state's unlabelled input is reported.
    control = found["control: an input without a label"]["violations"]
    assert [(v["id"], v["nodes"]) for v in control] == [("label", ["#unlabelled"])]


def test_tabs_and_pacer_work_from_the_keyboard(run: dict) -> None:
    # [tab id, has focus, its panel shown]: arrow keys wrap around the six tabs.
    assert run["keyboard"] == {
        "right": [["tab-log", True, True]],
        "leftTwice": [["tab-data", True, True]],
        "back": [["tab-breathe", True, True]],
    }
    # The session itself was started with Enter on the focused Start button.
    assert len(calmkit.read_journal(Path(run["exported"])).exercises) == 1


def test_reduced_motion_holds_the_circle_still(run: dict) -> None:
    motion = run["motion"]
    # 5 s into 4-7-8: 1 s into the 7 s hold, the circle at full size.
    assert motion["moving"] == "scale(1)"
    assert motion["reduced"] == motion["reducedLater"] == "scale(0.75)"
    # 6 s in, still holding: full size again once motion is back.
    assert motion["again"] == "scale(1)"
