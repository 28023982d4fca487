"""The offline reference app (examples/web) in headless Chromium.

tests/js/web_app.mjs drives the page as a person would, with the pacer on a
virtual clock: a 4-7-8 session rated 7 before and 3 after, a trigger and two
readings logged through the forms, the journal exported with the page's
Export button. Here the exported file is read by calmkit.read_journal and
checked record by record; screenshots of the pacer and the progress page are
kept in CALMKIT_ARTIFACTS_DIR (CI keeps them).

Run by CTest after the wasm build; skipped, saying why, without the built app,
Chromium or puppeteer-core.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import calmkit

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = Path(os.environ.get("CALMKIT_WEB_DIR", ROOT / "build-wasm/web"))
NODE = os.environ.get("CALMKIT_NODE", "node")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PUPPETEER = ROOT / "bindings/js/node_modules/puppeteer-core"

pytestmark = pytest.mark.skipif(
    not (WEB_DIR / "calmkit/calmkit_core.mjs").exists() or not Path(CHROMIUM).exists() or not PUPPETEER.exists(),
    reason="needs the wasm build (build-wasm/web), Debian's chromium and puppeteer-core "
           "(npm ci in bindings/js; tools/setup.sh does all three)")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("web-app")
    proc = subprocess.run([NODE, str(ROOT / "tests/js/web_app.mjs"), str(out)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CALMKIT_WEB_DIR": str(WEB_DIR), "CHROMIUM": CHROMIUM})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    artifacts = os.environ.get("CALMKIT_ARTIFACTS_DIR")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        for name in ("pacer.png", "progress.png", "calmkit-journal.jsonl"):
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
        assert url.startswith((run["origin"], "data:")), url
    assert run["problems"] == []
    assert run["ideas"] == 5
    assert run["ttc"].startswith("Median time to calm:")
    for shot in ("pacer.png", "progress.png"):
        assert (run["out"] / shot).stat().st_size > 5000
