"""Renders the sample journal's report in headless Chromium (Debian's
``chromium``): a screenshot that is kept as a CI artifact, and the DOM after
load, checked for every chart as an embedded SVG image and no console error.

Run by CTest with CALMKIT_ARTIFACT_DIR=<build dir> (the screenshot
report-screenshot.png and report.html stay there). Skipped only when no
chromium is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: 2 pooled cohort charts + 9 charts for each of the sample's 3 participants,
#: every one with enough data (56 days, 128 triggers), + each participant's
#: self-assessment chart (every one has 8 assessments).
EXPECTED_CHARTS = 2 + 3 * 9 + 3


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def browser(exe: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="calmkit-chromium-") as profile:
        return subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def rendered() -> Path:
    exe = chromium()
    out_dir = Path(os.environ.get("CALMKIT_ARTIFACT_DIR") or tempfile.mkdtemp(prefix="calmkit-report-"))
    sample = Path(os.environ.get("CALMKIT_SAMPLE_JOURNAL") or REPO / "examples/data/sample-journal.jsonl")
    html = out_dir / "report.html"
    # --force: the artifact of an earlier run is replaced on purpose (the -o rule, docs/cli.md).
    made = subprocess.run([sys.executable, "-m", "calmkit", "report", str(sample), "-o", str(html), "--force"],
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    shot = out_dir / "report-screenshot.png"
    shot.unlink(missing_ok=True)
    p = browser(exe, f"--screenshot={shot}", "--window-size=1280,4000", html.as_uri())
    assert p.returncode == 0, p.stderr[-2000:]
    return html


def test_screenshot_exists_and_is_not_blank(rendered: Path):
    from PIL import Image

    shot = rendered.parent / "report-screenshot.png"
    assert shot.is_file() and shot.stat().st_size > 50_000
    with Image.open(shot) as im:
        assert im.size == (1280, 4000)
        # A blank or error page has a handful of colours; charts have hundreds.
        colours = im.convert("RGB").resize((320, 1000)).getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 200


def test_every_chart_loads_without_console_errors(rendered: Path):
    p = browser(chromium(), "--enable-logging=stderr", "--v=0", "--dump-dom", rendered.as_uri())
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Uncaught" not in p.stderr and "ERROR:CONSOLE" not in p.stderr, p.stderr[-2000:]
    dom = p.stdout
    assert "Cohort overview" in dom and "What these numbers cannot tell" in dom
    imgs = re.findall(r"<img\b[^>]*>", dom)
    assert len(imgs) == EXPECTED_CHARTS
    assert f'data-charts="{EXPECTED_CHARTS}"' in dom
    for tag in imgs:
        assert re.search(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]{1000,}"', tag), tag[:200]
    # Nothing to fetch: no scripts, stylesheets, fonts or remote images.
    assert not re.search(r"<script|<link|@import|url\(|src=\"http", dom)
