"""The progress report: one self-contained HTML file a person can open or print.

Charts are drawn by :mod:`calmkit.plot` with matplotlib's SVG backend and
embedded as base64 SVG images (vector: sharp at any zoom and in print, its
text kept as text in the viewer's sans-serif font, and smaller and quicker to
make than PNGs); the CSS is inline; there are no scripts, web fonts or links
to fetch, so the file opens offline and can be mailed or printed as it is. A
report with many charts draws them in several processes (``jobs``). Each chart comes with a one-line plain-language reading
computed from the data; a chart without enough data is replaced by a sentence
saying so. A cohort journal gets an overview (participants, records, median
time-to-calm per participant, pooled trend) and then one section per person.

Example::

    import calmkit.report
    calmkit.report.write_report("journal.jsonl", "report.html")

What every chart shows and how to read it: docs/report.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import multiprocessing
import operator
import os
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Union

import pandas as pd

from . import _core
from . import metrics as _m
from . import plot
from ._core import Journal
from .files import shown_path
from .prompts import shown

__all__ = ["build_report", "write_report", "PER_PARTICIPANT", "COHORT_CHARTS", "ASSESSMENT_CHART"]

#: The self-assessment chart: shown, after the others, only for a participant with assessments.
ASSESSMENT_CHART = "assessment_scores"
#: Charts of each participant's section, in order (keys of calmkit.plot.CHARTS).
PER_PARTICIPANT = [name for name in plot.CHARTS if name != ASSESSMENT_CHART]
#: Pooled charts of the cohort overview.
COHORT_CHARTS = ["triggers_per_week", "km_first_vs_latest"]

Progress = Callable[[int, int], None]

#: The report's Content-Security-Policy (a ``<meta http-equiv>`` first in its
#: head): it needs its inline ``<style>`` and its ``data:`` SVG images and
#: nothing else, so a browser runs no script, loads nothing from the network
#: and submits no form, even if text of a journal ever slipped into the page
#: unescaped (W3C CSP Level 3; ``frame-ancestors`` and ``sandbox`` have no
#: effect in a ``<meta>``).
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                           "base-uri 'none'; form-action 'none'")

_CSS = """
:root { --ink:#1f2933; --muted:#5f6b76; --line:#d9dee3; --accent:#0072B2; --soft:#f4f7f9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px 28px 60px; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 8px; padding-top: 12px; border-top: 3px solid var(--accent); }
h3 { font-size: 16px; margin: 26px 0 6px; }
p.meta, p.note { color: var(--muted); margin: 4px 0; font-size: 13px; }
nav { background: var(--soft); border-radius: 8px; padding: 10px 16px; margin: 16px 0; font-size: 14px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
figure { margin: 8px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
figcaption { margin-top: 6px; font-size: 15px; }
p.sparse { background: var(--soft); border-left: 4px solid #bfc8d0; padding: 8px 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: var(--soft); font-weight: 600; }
.limits { background: #fff8e6; border-radius: 8px; padding: 4px 18px 10px; margin-top: 36px; }
.limits li { margin: 6px 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  /* Each person on a new page after the cohort overview or the previous person; a personal
     report (one person, no overview) starts right under its header, not on page 2. */
  #cohort ~ section.person, section.person ~ section.person { break-before: page; page-break-before: always; }
  figure img { max-height: 60vh; object-fit: contain; }
  .limits { break-inside: avoid; page-break-inside: avoid; }
  /* A heading stays with its chart or its "not enough data" line, never alone at a page's foot. */
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  h2 { border-top: none; }
  figure img { border: none; }
  @page { margin: 14mm; }
}
"""

_LIMITS = [
    "Everything here is self-report: what was written down, when it was written down. Days without entries "
    "may be calm days or busy days; the report cannot tell which.",
    "An episode counts as calm only when a later reading says so. When no reading follows (a missed "
    "check-in), the episode is counted as <em>censored</em>: we know it lasted at least that long, not how long. "
    "Many censored episodes make the time-to-calm numbers less certain.",
    "The intervals show how much the numbers could move by chance with this many entries; short journals give "
    "wide intervals, and a trend inside its interval may be no trend at all.",
    "Fewer triggers can mean fewer hard moments, or fewer moments written down. Life events, a new "
    "relationship or a holiday change the numbers as much as practice does.",
    "Which exercise \u201chelped most\u201d compares the average drop in distress around sessions; it is not a "
    "controlled comparison, and distress often eases with time on its own.",
    "This is not a diagnosis or a clinical assessment. It is a picture to talk about, ideally with a therapist "
    "or someone you trust.",
]


#: Charts drawn in one process below this many (starting worker processes costs more).
MIN_CHARTS_FOR_WORKERS = 24
#: Most worker processes a report starts by default.
MAX_JOBS = 8


def _svg(d: plot.ChartData) -> str:
    """One chart as a base64 SVG: text as <text> (svg.fonttype "none": no glyph
    outlines, a quarter of the bytes), no date and fixed element ids (the same
    journal gives the same file)."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot state, no display needed

    height = 3.4
    if d.name == "trigger_categories":
        height = max(2.6, 0.28 * len(d.values["labels"]) + 1.0)
    elif d.name == "exercise_effectiveness":
        height = max(2.4, 0.32 * len(d.values["names"]) + 1.0)
    elif d.name == "assessment_scores":  # one stacked panel per instrument, each on its own scale
        height = max(3.4, 2.1 * len(d.values["panels"]) + 0.5)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "calmkit-report"}):
        fig = Figure(figsize=(8.6, height), dpi=100, layout="constrained")
        plot.draw(d, fig.subplots(), title=False)  # the HTML heading names it
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _jobs(jobs: Optional[int], charts: int) -> int:
    """Processes to draw ``charts`` charts in: ``jobs`` when given, else one
    per CPU (at most :data:`MAX_JOBS`) for :data:`MIN_CHARTS_FOR_WORKERS` or
    more. Workers are forked (Linux): elsewhere a new process would re-run the
    caller's script, so charts are drawn in this process."""
    if jobs is not None:
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs must be a whole number of processes >= 1, got {jobs!r}")
        wanted = jobs
    else:
        wanted = min(os.cpu_count() or 1, MAX_JOBS) if charts >= MIN_CHARTS_FOR_WORKERS else 1
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(wanted, charts))


def _render(charts: list[plot.ChartData], jobs: int, progress: Callable[[], None]) -> list[str]:
    """The base64 SVG of every chart, in order; ``progress()`` after each."""
    if jobs <= 1:
        out = []
        for d in charts:
            out.append(_svg(d))
            progress()
        return out
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        out = []
        for svg in pool.map(_svg, charts, chunksize=4):
            out.append(svg)
            progress()
        return out


def _figure(d: plot.ChartData, svg: str = "") -> str:
    if not d.enough:
        return f'<h3>{html.escape(d.title)}</h3>\n<p class="sparse">{html.escape(d.reading)}</p>\n'
    return (f'<h3>{html.escape(d.title)}</h3>\n<figure><img class="chart" data-chart="{d.name}" '
            f'alt="{html.escape(d.title)}" src="data:image/svg+xml;base64,{svg}">\n'
            f"<figcaption>{html.escape(d.reading)}</figcaption></figure>\n")


#: How the participant with no id ("") is named in a cohort's links and
#: overview, where the empty id itself would make a link with no text.
_NO_ID = "(no participant id)"


def _label(p: str, cohort: bool = False) -> str:
    """The heading of ``p``'s section, as HTML: the id isolated in ``<bdi>``
    so a bidirectional control in it cannot reorder the text around it."""
    if not p:
        return html.escape(_NO_ID) if cohort else "Your journal"
    return f"Participant {_bdi(p)}"


def _name(p: str) -> str:
    """``p`` as the text of a link or a table cell, as HTML (see :func:`_label`)."""
    return _bdi(p) if p else html.escape(_NO_ID)


def _bdi(text: str) -> str:
    """``text`` escaped and isolated (HTML's ``<bdi>``): a right-to-left
    override or other bidirectional control in an id reorders only the id,
    never the links and cells after it."""
    return f"<bdi>{html.escape(text)}</bdi>"


def _anchor(p: str) -> str:
    """The id of ``p``'s section: one per participant. Letters, digits and
    '-' are kept and every other character (``_`` too) is written ``_<hex
    code point>_``, so "anna k", "anna.k" and "anna_k" get three ids, none
    with a space or a control in it; "" is ``journal``."""
    if not p:
        return "journal"
    return "p-" + "".join(ch if ch.isalnum() or ch == "-" else f"_{ord(ch):x}_" for ch in p)


def _fmt_minutes(x: float) -> str:
    return f"{x:.0f}" if math.isfinite(x) else "\u2013"


def _overview(journal: Journal, participants: list[str], opts: dict[str, Any], counts: pd.DataFrame) -> str:
    ttc = _m.time_to_calm_summary(journal, by="participant", threshold=opts["threshold"],
                                  window_hours=opts["window_hours"]).set_index("participant")
    trend = _m.trigger_trend(journal, tz=opts["tz"]).set_index("participant")
    rows = []
    for p in participants:
        c = counts.loc[p]
        s = ttc.loc[p] if p in ttc.index else None
        med = "\u2013"
        if s is not None and math.isfinite(float(s["median_minutes"])):
            med = (f"{_fmt_minutes(float(s['median_minutes']))} "
                   f"({_fmt_minutes(float(s['ci_low']))}\u2013{_fmt_minutes(float(s['ci_high']))})")
        change = "\u2013"
        if p in trend.index and math.isfinite(float(trend.loc[p, "weekly_change_pct"])):
            change = f"{float(trend.loc[p, 'weekly_change_pct']):+.0f}%"
        episodes = int(s["episodes"]) if s is not None else 0
        censored = int(s["censored"]) if s is not None else 0
        rows.append(
            f'<tr><td><a href="#{_anchor(p)}">{_name(p)}</a></td><td>{_span(c)}</td>'
            f"<td>{c['triggers']}</td><td>{c['readings']}</td><td>{c['exercises']}</td>"
            f"<td>{c['thought_records']}</td><td>{episodes} ({censored} censored)</td><td>{med}</td>"
            f"<td>{change}</td></tr>")
    everyone = _m.record_counts(journal, by=None, tz=opts["tz"]).iloc[0]
    records = int(sum(everyone[t] for t in ("triggers", "readings", "exercises", "thought_records", "assessments")))
    return (
        '<section id="cohort"><h2>Cohort overview</h2>\n'
        f'<p>{len(participants)} participants, {records} records, '
        f'{_span(everyone, " to ")} (local dates).</p>\n'
        "<table><thead><tr><th>participant</th><th>dates</th><th>triggers</th><th>readings</th><th>exercises</th>"
        "<th>thought records</th><th>episodes</th><th>median minutes to calm (95% CI)</th>"
        "<th>triggers, change a week</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n")


def _span(row: pd.Series, dash: str = " \u2013 ") -> str:
    """First to last local date of a :func:`calmkit.record_counts` row."""
    return f"{row['first_local_date'].date()}{dash}{row['last_local_date'].date()}"


def build_report(journal: Journal, *, participant: Optional[str] = None, threshold: int = 3,
                 window_hours: float = 12, tz: Optional[str] = None, source: str = "",
                 progress: Optional[Progress] = None, jobs: Optional[int] = None) -> str:
    """The report of ``journal`` as an HTML document (a string).

    ``participant``: only that person's section. ``threshold``: calm is
    distress at or below it (0-10). ``window_hours``: how long after a trigger
    an unlinked reading still counts for its episode (hours). ``tz``: a time
    zone (an IANA name or a POSIX TZ rule) for local weeks and months instead
    of each record's own offset.
    ``progress(done, total)`` is called after each chart. ``jobs``: worker
    processes that draw the charts (default: one per CPU, at most
    :data:`MAX_JOBS`, once there are :data:`MIN_CHARTS_FOR_WORKERS` charts;
    1 draws in this process; on other systems than Linux always in this
    process). A ValueError for ``jobs < 1``.
    """
    try:
        whole: Any = operator.index(threshold)  # an int or a NumPy integer
    except TypeError:
        whole = threshold
    reason = _core._intensity_reason(whole)  # the distress scale's rule and words (Intensity)
    if reason is not None:
        raise ValueError(f"threshold {reason}")
    if not (window_hours > 0 and math.isfinite(window_hours)):
        raise ValueError(f"window_hours must be a positive number of hours, got {window_hours}")
    everyone = journal.participants()
    if participant is not None and participant not in everyone:
        have = ", ".join(repr(p) for p in everyone) or "none"
        raise ValueError(f"no participant {participant!r} in the journal (participants: {have})")
    people = [participant] if participant is not None else everyone
    cohort = len(people) > 1
    opts: dict[str, Any] = {"threshold": threshold, "window_hours": window_hours, "tz": tz}
    # Each person's dates and records (a participant with no record has no row: only an empty journal).
    counts = _m.record_counts(journal, tz=tz).assign(participant=lambda f: f["participant"].astype(str)) \
        .set_index("participant")
    assessed = {p for p in people if p in counts.index and counts.loc[p, "assessments"] > 0}
    total = len(people) * len(PER_PARTICIPANT) + len(assessed) + (len(COHORT_CHARTS) if cohort else 0)
    done = 0
    figures: list[plot.ChartData] = []  # every chart's data, in report order; drawn once all are known

    def one(name: str, p: Optional[str]) -> int:
        figures.append(plot.chart_data(name, journal, p, **opts))
        return len(figures) - 1  # where the figure goes in the body

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    body: list[Union[str, int]] = []  # text, or the index of a figure
    if len(journal) == 0:
        body.append('<p class="sparse">The journal has no records yet, so there is nothing to chart.</p>')
    elif cohort:
        body.append(_overview(journal, people, opts, counts))
        body.append('<p class="note">Pooled: every participant\u2019s episodes and triggers together; each '
                    'episode is made of its own person\u2019s records.</p>')
        body.extend(one(name, None) for name in COHORT_CHARTS)
        body.append("</section>")
    for p in people if len(journal) else []:
        c = counts.loc[p]
        body.append(f'<section class="person" id="{_anchor(p)}"><h2>{_label(p, cohort)}</h2>\n'
                    f'<p class="meta">{_span(c, " to ")} (local dates): {_n(c["triggers"], "trigger")}, '
                    f'{_n(c["readings"], "reading")}, {_n(c["exercises"], "exercise session")}, '
                    f'{_n(c["thought_records"], "thought record")}'
                    + (f', {_n(c["assessments"], "self-assessment")}' if p in assessed else "") + ".</p>")
        body.extend(one(name, p) for name in PER_PARTICIPANT)
        if p in assessed:
            body.append(one(ASSESSMENT_CHART, p))
        body.append("</section>")

    drawn = [d for d in figures if d.enough]
    for d in figures:
        if not d.enough:
            tick()
    svgs = iter(_render(drawn, _jobs(jobs, len(drawn)), tick))
    charts = len(drawn)
    text = [b if isinstance(b, str) else _figure(figures[b], next(svgs) if figures[b].enough else "")
            for b in body]
    nav = ""
    if cohort:
        links = ['<a href="#cohort">Cohort overview</a>'] + [
            f'<a href="#{_anchor(p)}">{_name(p)}</a>' for p in people]
        nav = "<nav>" + "".join(links) + '<a href="#limits">What these numbers cannot tell</a></nav>'
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")
    settings = (f"Calm means distress {threshold} or less ({_core.INTENSITY_MIN}-{_core.INTENSITY_MAX}); unlinked readings count up to "
                f"{window_hours:g} hours after a trigger; weeks start on Monday and use "
                + (f"the time zone {html.escape(tz)}" if tz else "each record's own local time"))
    # The file name as the command line shows it: a byte that is not UTF-8
    # as \xff (shown_path; UTF-8 HTML cannot hold a surrogate escape), a
    # bidirectional control as a visible escape (prompts.shown), since a
    # <title> cannot hold an isolate.
    src = f" of {html.escape(shown(shown_path(os.path.basename(source))))}" if source else ""
    limits = "".join(f"<li>{item}</li>" for item in _LIMITS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>calmkit progress report{src}</title>\n<style>{_CSS}</style></head>\n"
        f'<body data-charts="{charts}">\n<header><h1>Progress report{src}</h1>\n'
        f'<p class="meta">Made by calmkit {html.escape(str(_core.__version__))} on {when}. {settings}.</p>\n'
        '<p class="meta">This file holds personal notes about feelings and relationships: share it with '
        "care.</p></header>\n" + nav + "\n".join(text) +
        '\n<section class="limits" id="limits"><h2>What these numbers cannot tell</h2><ul>'
        + limits + "</ul></section>\n</body></html>\n")


def _n(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is 1: "1 reading", "2 readings"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def write_report(journal: Union[Journal, str, os.PathLike[str]], path: Union[str, os.PathLike[str]], *,
                 participant: Optional[str] = None, threshold: int = 3, window_hours: float = 12,
                 tz: Optional[str] = None, progress: Optional[Progress] = None, source: str = "") -> Path:
    """Writes the report of ``journal`` (a Journal or a journal file path) to
    ``path`` through calmkit's one safe write (:func:`calmkit.write_file`):
    atomically, only over a regular file (a link is followed, a FIFO or device
    refused), keeping an existing file's mode, a new file readable by its
    owner only (0600: the report holds personal notes); returns the path.
    ``source`` names the journal file in the report's title."""
    if not isinstance(journal, Journal):
        source = os.fspath(journal)
        journal = _core.read_journal(source)
    text = build_report(journal, participant=participant, threshold=threshold, window_hours=window_hours,
                        tz=tz, source=source, progress=progress)
    out = Path(path)
    _core.write_file(out, text)
    return out
