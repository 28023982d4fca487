"""The HTML report's Content-Security-Policy: what it allows is exactly what
the report uses, and what it blocks is what an injection would need.

docs/report.md promises "no scripts, web fonts or links to fetch", and every
text of a journal is escaped (tests/python/test_breaker_s33_report_html.py).
A policy is the second wall: if one text ever reached the page unescaped (a
new chart, a new field), a browser must still run no script and fetch
nothing. The reference for what a policy does is the browser itself
(Debian's chromium, headless): a copy of a report with an inline script, an
event handler and a remote image spliced in, loaded with ``--dump-dom``.

B274 (fixed): the report had no policy, so a script spliced into it ran.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

import calmkit
import calmkit.report

B274 = "B274: the report carries no Content-Security-Policy"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _policy(page: str) -> dict[str, list[str]]:
    tags = _Tags()
    tags.feed(page)
    metas = [a for t, a in tags.tags if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    assert len(metas) == 1, B274
    # before anything the policy governs: only <meta charset> comes earlier
    first = [t for t, _ in tags.tags][:4]
    assert first == ["html", "head", "meta", "meta"], first
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in metas[0]["content"].split(";")) if d}


@pytest.fixture(scope="module")
def page(sample_journal_path_module: Path) -> str:
    return calmkit.report.build_report(calmkit.read_journal(sample_journal_path_module))


@pytest.fixture(scope="module")
def sample_journal_path_module() -> Path:
    import os

    env = os.environ.get("CALMKIT_SAMPLE_JOURNAL")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
    if not path.is_file():
        pytest.skip(f"sample journal not found at {path}")
    return path


def test_the_policy_blocks_scripts_and_fetches(page: str) -> None:
    policy = _policy(page)
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "script-src-elem", "script-src-attr", "connect-src", "font-src", "frame-src",
                      "object-src"):
        assert directive not in policy  # falls back to default-src 'none'
    assert policy["img-src"] == ["data:"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]


def test_the_policy_allows_everything_the_report_uses(page: str) -> None:
    tags = _Tags()
    tags.feed(page)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "form", "base", "audio", "video"}
    imgs = [a for t, a in tags.tags if t == "img"]
    assert imgs and all(a["src"].startswith("data:image/svg+xml;base64,") for a in imgs)
    for _, attrs in tags.tags:
        assert not any(k.startswith("on") for k in attrs)
        assert not any(v.lstrip().lower().startswith(("http:", "https:", "//", "javascript:")) for v in attrs.values())
    assert not re.search(r"url\(|@import|@font-face", page)


def test_a_browser_runs_no_script_spliced_into_a_report(page: str) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    spliced = page.replace(
        "</h1>", "</h1><p id='probe'>safe</p><script>document.getElementById('probe').textContent='ran'</script>"
                 "<img src=x onerror=\"document.getElementById('probe').textContent='handler'\">", 1)
    with tempfile.TemporaryDirectory(prefix="calmkit-csp-") as tmp:
        html_path = Path(tmp) / "report.html"
        html_path.write_text(spliced, encoding="utf-8")
        profile = Path(tmp) / "profile"
        p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", "--dump-dom", html_path.as_uri()],
                           capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, p.stderr[-2000:]
    probe = re.search(r"<p id=\"probe\">([^<]*)</p>", p.stdout)
    assert probe, p.stdout[:2000]
    assert probe.group(1) == "safe", B274

