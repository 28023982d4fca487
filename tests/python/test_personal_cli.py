"""The existing commands as a person keeping their own journal meets them
(issue 18): the default journal, pause/stop keys in practice, prompts that
wrap at word boundaries, GAD-7 results with the band's guidance, summary and
report wording for one person, charts readable with a single point, and the
report printed to PDF by headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import calmkit
from calmkit import plot
from calmkit.prompts import Prompter

ONE_PERSON = [
    '{"type":"trigger","id":"t-1","time":"2026-11-29T21:14:00+02:00","category":"delayed_reply","intensity":8}',
    '{"type":"reading","id":"r-1","time":"2026-11-29T21:40:00+02:00","intensity":3,"trigger":"t-1"}',
    '{"type":"assessment","id":"a-1","time":"2026-11-29T22:00:00+02:00","instrument":"gad-7",'
    '"answers":[1,2,1,1,2,1,2]}',
]


def run(*args: str | Path, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **(env or {})}
    p = subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], input=stdin, capture_output=True,
                       text=True, env=full, timeout=300)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


# --- the default journal for every command ---------------------------------------------


def test_log_summary_and_assess_use_the_default_journal(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    p = run("summary", env=env)
    assert p.returncode == 2 and "no journal yet at" in p.stderr and "calmkit now" in p.stderr
    p = run("log", "trigger", "--category", "conflict", "--intensity", "6", "--time", "2026-11-29T10:00", env=env)
    assert p.returncode == 0, p.stderr
    journal = tmp_path / "data" / "calmkit" / "journal.jsonl"
    assert journal.exists() and journal.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data" / "calmkit").stat().st_mode & 0o777 == 0o700
    p = run("assess", "gad-7", stdin="0\n0\n0\n0\n0\n0\n0\n", env=env)
    assert p.returncode == 0, p.stderr
    assert len(calmkit.read_journal(journal).assessments) == 1


def test_a_store_as_the_default_journal_is_read_by_summary_validate_and_report(tmp_path: Path) -> None:
    # CALMKIT_JOURNAL naming a .db makes log/now write a store; the commands
    # that read the journal took that store for JSON Lines ("not valid UTF-8").
    env = {"CALMKIT_JOURNAL": str(tmp_path / "mine.db"), "HOME": str(tmp_path)}
    for when, intensity in (("2026-11-28T10:00", 7), ("2026-11-29T10:00", 5)):
        p = run("log", "trigger", "--category", "conflict", "--intensity", str(intensity), "--time", when, env=env)
        assert p.returncode == 0, p.stderr
    with calmkit.open_store(tmp_path / "mine.db", create=False, read_only=True) as st:
        stored = st.load()
    assert len(stored.triggers) == 2
    p = run("summary", env=env)
    assert p.returncode == 0, p.stderr
    assert "2 triggers" in p.stdout and "not valid UTF-8" not in p.stdout + p.stderr
    p = run("validate", tmp_path / "mine.db", env=env)
    assert p.returncode == 0 and "OK, 2 records in a store" in p.stdout, p.stdout + p.stderr
    p = run("report", tmp_path / "mine.db", "-o", tmp_path / "r.html", env=env)
    assert p.returncode == 0, p.stderr
    assert "2 triggers" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # A file that only starts like SQLite is a clear error, not a traceback.
    fake = tmp_path / "fake.db"
    fake.write_bytes(b"SQLite format 3\x00" + b"\x00" * 10)
    for cmd in ("summary", "validate"):
        p = run(cmd, fake, env=env)
        assert p.returncode == 2 and "cannot read the store" in p.stderr, p.stderr


# --- practice: how to pause and stop -------------------------------------------------------


def test_practice_says_how_to_stop(tmp_path: Path) -> None:
    p = run("practice", "breathing.4-7-8", "--speed", "2000", "--no-record", stdin="\n\n")
    # Not a terminal: no single keys, so the terminal's own keys are named.
    assert p.returncode == 0 and "Ctrl-C stops early" in p.stdout and "Ctrl-Z pauses" in p.stdout


# --- wrapping ------------------------------------------------------------------------------


def test_prompts_wrap_between_words_never_inside_one() -> None:
    text = "Feeling afraid, as if something awful might happen; nervousness and anxiety in waves"
    wrapped = Prompter(width=24).wrap(text, indent="7/7. ", hanging="   ")
    lines = wrapped.split("\n")
    assert len(lines) > 2 and all(len(line) <= 24 for line in lines)
    # Joining the lines gives back exactly the words: none was cut.
    assert " ".join(line.strip() for line in lines).removeprefix("7/7. ") == text


def test_assess_on_a_narrow_terminal_keeps_words_whole(tmp_path: Path) -> None:
    p = run("assess", "gad-7", "--journal", tmp_path / "j.jsonl", stdin="1\n1\n1\n1\n1\n1\n1\n",
            env={"COLUMNS": "40"})
    assert p.returncode == 0, p.stderr
    words = set(re.findall(r"[A-Za-z]+", " ".join(calmkit.instrument("gad-7")["items"])))
    out_words = set(re.findall(r"[A-Za-z]+", p.stdout))
    assert words <= out_words  # "anxious" is never "anxi" + "ous"
    long_lines = [line for line in p.stdout.splitlines() if len(line) > 39 and " " in line.strip()]
    assert long_lines == []


# --- assess: guidance, reminder, citation after the questions -------------------------------


@pytest.mark.parametrize("answers, total, band, words", [
    # Spitzer et al. 2006: cut points 5, 10, 15 for mild, moderate, severe; 10 or more: evaluate further.
    ([0, 0, 1, 0, 1, 0, 1], 3, "minimal", "no follow-up"),
    ([1, 1, 1, 1, 1, 0, 0], 5, "mild", "below the cut point of 10"),
    ([2, 2, 1, 1, 2, 1, 1], 10, "moderate", "10 or more"),
    ([3, 3, 2, 2, 2, 2, 1], 15, "severe", "evaluation by a doctor"),
])
def test_gad7_result_gives_the_bands_guidance_then_the_source(tmp_path: Path, answers, total, band, words) -> None:
    p = run("assess", "gad-7", "--journal", tmp_path / "j.jsonl", stdin="".join(f"{a}\n" for a in answers))
    assert p.returncode == 0, p.stderr
    out = " ".join(p.stdout.split())  # unwrapped
    assert f"total: {total} (sum of the items, 0-21), band: {band}" in out
    assert words in out
    assert "not a diagnosis" in out
    # The citation and licence come after the last question and the result, not before the first.
    assert out.index("7/7.") < out.index("band:") < out.index("Source: Spitzer RL") < out.index("Licence:")


def test_gad7_bands_carry_guidance() -> None:
    bands = calmkit.instrument("gad-7")["bands"]
    assert [(b["label"], b["min"], b["max"]) for b in bands] == [
        ("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]
    assert all(b["guidance"] for b in bands)
    # A custom instrument may give its own; without it the guidance is empty.
    definition = dict(calmkit.instrument("gad-7"), id="gad-7-copy-h18")
    definition["bands"] = [dict(b, guidance="") for b in definition["bands"]]
    definition["bands"][0]["guidance"] = "all fine"
    calmkit.register_instrument(definition)
    assert [b["guidance"] for b in calmkit.instrument("gad-7-copy-h18")["bands"]] == ["all fine", "", "", ""]


# --- summary and report for one person --------------------------------------------------------


def test_summary_of_a_personal_journal(write_lines) -> None:
    path = write_lines(ONE_PERSON)
    p = run("summary", path)
    assert p.returncode == 0, p.stderr
    assert "Cohort" not in p.stdout and "participant" not in p.stdout.lower().replace("no participant id", "")
    assert "1 trigger, 1 reading, 0 exercise sessions, 0 thought records, 1 self-assessment" in p.stdout


def test_summary_gives_time_to_calm_as_lifelines_computes_it(tmp_path: Path) -> None:
    # 40 episodes two days apart, each calm (a reading of 2) after 21-60 minutes, so
    # Kaplan-Meier is the plain survival curve of the durations: lifelines is the reference.
    lifelines = pytest.importorskip("lifelines")
    from lifelines.utils import median_survival_times

    durations = [30 if k % 7 == 0 else 60 - k for k in range(40)]
    start = dt.datetime(2026, 9, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    lines = []
    for k, minutes in enumerate(durations):
        day = start + dt.timedelta(days=2 * k)
        lines.append(calmkit.Trigger(id=f"t-{k}", time=day, category="delayed_reply", intensity=8))
        lines.append(calmkit.Reading(id=f"r-{k}", time=day + dt.timedelta(minutes=minutes),
                                     intensity=2, trigger=f"t-{k}"))
    path = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal(lines), path)
    p = run("summary", path)
    assert p.returncode == 0, p.stderr

    def km(ds: list[int]) -> tuple[float, float, float]:
        """lifelines' Kaplan-Meier curve, read with the metrics spec's rule: the median is
        the smallest t with S(t) <= 0.5 (lifelines' own median_survival_time_ takes
        S(t) < 0.5, which differs when the curve sits at exactly 0.5: 14 episodes)."""
        fit = lifelines.KaplanMeierFitter().fit(ds, [1] * len(ds))
        curve = fit.survival_function_.iloc[:, 0]
        ci = median_survival_times(fit.confidence_interval_).iloc[0]
        return curve.index[curve <= 0.5 + 1e-9][0], ci.iloc[0], ci.iloc[1]  # 1e-9: the product of 14 factors

    median, low, high = km(durations)
    assert (median, low, high) == (36, 30, 43)
    assert (f"time to calm (distress 3 or less, Kaplan-Meier median): {median:.0f} min "
            f"(95% CI {low:.0f}-{high:.0f} min), 40 episodes, 0 censored") in p.stdout
    # First 4 weeks: onsets before day 28 (k = 0..13); latest: onsets from day 78 - 28 = 50 on (k = 25..39).
    first, latest = km(durations[:14])[0], km(durations[25:])[0]
    assert f"first 4 weeks {first:.0f} min (14 episodes), latest 4 weeks {latest:.0f} min (15 episodes)" in p.stdout


def test_summary_of_one_episode_says_episode(write_lines) -> None:
    p = run("summary", write_lines(ONE_PERSON))
    assert "26 min (95% CI not estimable), 1 episode, 0 censored" in p.stdout  # 21:14 -> 21:40
    assert "1 day, local dates" in p.stdout and "1 days" not in p.stdout


def test_report_of_a_personal_journal_counts_in_the_singular(write_lines, tmp_path: Path) -> None:
    path = write_lines(ONE_PERSON)
    out = tmp_path / "r.html"
    assert run("report", path, "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "1 trigger, 1 reading, 0 exercise sessions, 0 thought records, 1 self-assessment." in text
    assert "1 readings" not in text and "1 self-assessments" not in text


def _tick_text(ax) -> str:
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    return " ".join(labels + [ax.xaxis.get_offset_text().get_text()])


def test_a_single_assessment_gets_a_short_date_axis_with_the_year(write_lines) -> None:
    import matplotlib.dates as mdates

    journal = calmkit.read_journal(write_lines(ONE_PERSON))
    ax = plot.draw(plot.chart_data("assessment_scores", journal))
    lo, hi = (mdates.num2date(x) for x in ax.get_xlim())
    # One point: about a week and a half around it (4 days each side), not four years.
    assert 7 <= (hi - lo).days <= 10
    assert "2026" in _tick_text(ax)


def test_a_year_long_date_axis_names_the_years(tmp_path: Path) -> None:
    lines = [
        f'{{"type":"thought_record","id":"tr-{k}","time":"{day}T20:00:00+00:00","situation":"s",'
        f'"automatic_thought":"a","belief_before":80,"belief_after":40}}'
        for k, day in enumerate(["2025-11-02", "2026-02-10", "2026-06-01", "2026-11-20"])]
    path = tmp_path / "j.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _tick_text(plot.draw(plot.chart_data("thought_record_belief", calmkit.read_journal(path))))
    assert "2025" in text and "2026" in text


# --- printing ------------------------------------------------------------------------------


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        pytest.skip(f"{tool} is not installed (tools/setup.sh installs it)")
    return found


def test_the_report_prints_to_pdf(write_lines, tmp_path: Path) -> None:
    _need("pdftoppm")
    out_dir = Path(os.environ.get("CALMKIT_ARTIFACT_DIR") or tmp_path)
    html = out_dir / "personal-report.html"
    assert run("report", write_lines(ONE_PERSON), "-o", html).returncode == 0
    pdf = out_dir / "personal-report.pdf"
    pdf.unlink(missing_ok=True)
    pages = _print_to_pdf(html, pdf)
    # The personal report starts on page 1 with its section (no page with only the title on it).
    assert "Progress report" in pages[0] and "1 trigger, 1 reading" in pages[0]
    assert "What these numbers cannot tell" in pages[-1]
    prefix = out_dir / "personal-report-page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(prefix)], check=True)
    pngs = sorted(out_dir.glob("personal-report-page*.png"))
    assert len(pngs) == len(pages)


def _print_to_pdf(html: Path, pdf: Path) -> list[str]:
    """``html`` printed by headless Chromium; the text of each page (pdftotext -layout)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or _need("chromium")
    _need("pdftotext")
    with tempfile.TemporaryDirectory(prefix="calmkit-chromium-") as profile:
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                            html.as_uri()], capture_output=True, text=True, timeout=180)
    assert p.returncode == 0 and pdf.exists(), p.stderr[-2000:]
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    return [page for page in pages if page.strip()]


def test_no_heading_is_left_alone_at_the_foot_of_a_printed_page(write_lines, tmp_path: Path) -> None:
    # One record of each kind: every chart says "not enough data" in a line, and (before
    # headings were kept with what follows) "Which exercises helped most" ended page 1 alone.
    path = write_lines(ONE_PERSON + [
        '{"type":"exercise","id":"ex-1","time":"2026-11-29T21:20:00+02:00","end":"2026-11-29T21:25:00+02:00",'
        '"exercise":"breathing.4-7-8","intensity_before":8,"intensity_after":5,"trigger":"t-1"}',
        '{"type":"thought_record","id":"tr-1","time":"2026-11-29T22:00:00+02:00","situation":"s",'
        '"automatic_thought":"a","belief_before":80,"belief_after":40}',
    ])
    html = tmp_path / "r.html"
    assert run("report", path, "-o", html).returncode == 0
    headings = [re.sub(r"<[^>]+>", "", h).strip()
                for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html.read_text(encoding="utf-8"))]
    assert "Which exercises helped most" in headings
    pages = _print_to_pdf(html, tmp_path / "r.pdf")
    assert len(pages) >= 2
    for k, page in enumerate(pages[:-1], 1):
        last = [line.strip() for line in page.splitlines() if line.strip()][-1]
        assert last not in headings, f"page {k} ends with the heading {last!r}"


def test_log_takes_categories_by_label_and_links_to_the_latest_trigger(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    # The label from the issue, as a person would type it.
    p = run("log", "trigger", "--journal", journal, "--category", "delayed reply", "--intensity", "7",
            "--time", "2026-11-29T09:00")
    assert p.returncode == 0, p.stderr
    p = run("log", "trigger", "--journal", journal, "--category", "Disagreement", "--intensity", "5",
            "--time", "2026-11-29T12:00")
    assert p.returncode == 0, p.stderr
    p = run("log", "trigger", "--journal", journal, "--category", "partner", "--intensity", "5")
    assert p.returncode == 2 and "fits several categories: partner_distance" in p.stderr
    p = run("log", "reading", "--journal", journal, "--intensity", "2", "--trigger", "latest",
            "--time", "2026-11-29T12:30")
    assert p.returncode == 0, p.stderr
    j = calmkit.read_journal(journal)
    assert [t.category for t in j.triggers] == ["delayed_reply", "conflict"]
    assert j.readings[0].trigger == j.triggers[1].id  # the 12:00 trigger, not the 09:00 one
    p = run("log", "reading", "--journal", tmp_path / "empty.jsonl", "--intensity", "2", "--trigger", "latest")
    assert p.returncode == 2 and "no trigger" in p.stderr
