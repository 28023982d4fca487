"""Text a person typed, drawn into the report's charts as the text it is.

A custom exercise id is any non-empty string (docs/journal-format.md:
"catalog id such as ``breathing.4-7-8``, or a custom id"), and a participant id
any string; the exercise chart writes a custom id on its axis, and the pooled
self-assessment chart writes each participant id in its legend. matplotlib
reads a text with two unescaped dollar signs as mathtext (its own TeX subset,
matplotlib's "Writing mathematical expressions"): ``pay $5 or $10`` is drawn
as "pay 5 or 10" with the words between the dollars in math italics, and
``tap $\\x$`` or ``x$^{$`` is no mathtext matplotlib can parse, so drawing the
chart raises ``ValueError: ParseFatalException``. The reference here is
matplotlib itself: the same string with ``parse_math=False`` (what the person
typed, character for character) in the SVG text, and the report built
without an exception.

B271 (fixed): ``calmkit report`` / ``build_report`` of a journal with a custom
exercise id such as ``tap $\\x$ hands`` rated three times failed in matplotlib's
mathtext parser, and ``pay $5 or $10 walk`` came out as "pay 5 or 10 walk";
the pooled self-assessment chart did the same with participant ids.
"""

from __future__ import annotations

import base64
import html
import io
import re
from datetime import datetime, timedelta

import pytest

import calmkit
import calmkit.report

pytest.importorskip("matplotlib")

IDS = ["tap $\\x$ hands", "pay $5 or $10 walk", "x$^{$ y"]
B271 = "B271: a '$' in a custom exercise id or participant id was read as matplotlib mathtext"


def _exercises(ids: list[str]) -> calmkit.Journal:
    t0 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
    records = []
    for k, ex in enumerate(ids):
        for n in range(3):
            start = t0 + timedelta(days=7 * n + k, hours=k)
            records.append(calmkit.ExerciseSession(id=f"e{k}-{n}", time=start, end=start + timedelta(minutes=5),
                                                   exercise=ex, intensity_before=7, intensity_after=3 + k))
    return calmkit.Journal(records)


def _svg_texts(svg: bytes) -> str:
    """The characters of every <text> element of an SVG (svg.fonttype "none")."""
    texts = re.findall(rb"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)
    return "\n".join(html.unescape(re.sub(rb"<[^>]+>", b"", t).decode()) for t in texts)


def test_the_report_draws_custom_exercise_ids_with_dollar_signs() -> None:
    page = calmkit.report.build_report(_exercises(IDS))  # raised ValueError (mathtext) before the fix
    found = re.search(r'data-chart="exercise_effectiveness" [^>]*src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert found, "the exercise chart is drawn"
    texts = _svg_texts(base64.b64decode(found.group(1)))
    for ex in IDS:
        assert ex in texts, B271


def test_the_pooled_assessment_chart_names_participants_with_dollar_signs() -> None:
    import matplotlib
    from matplotlib.figure import Figure

    t0 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
    people = ["p$1", "p$2", "q$\\x$"]
    j = calmkit.Journal([calmkit.Assessment(id=f"a{n}", participant=p, time=t0 + timedelta(days=14 * n),
                                            instrument="gad-7", answers=[n % 4] * 7)
                         for p in people for n in range(2)])
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig = Figure()
        calmkit.plot.draw(calmkit.plot.chart_data("assessment_scores", j), fig.subplots())
        buf = io.BytesIO()
        fig.savefig(buf, format="svg")  # raised ValueError (mathtext) before the fix
    texts = _svg_texts(buf.getvalue())
    for p in people:
        assert f"{p}: GAD-7" in texts, B271


def test_an_id_without_a_dollar_sign_is_drawn_as_before() -> None:
    """The escaping touches the dollar sign only: a backslash, braces and a caret
    stay as they were typed."""
    ids = ["a\\b {c} ^d", "breathing.box"]
    page = calmkit.report.build_report(_exercises(ids))
    found = re.search(r'data-chart="exercise_effectiveness" [^>]*src="data:image/svg\+xml;base64,([^"]+)"', page)
    texts = _svg_texts(base64.b64decode(found.group(1)))
    assert "a\\b {c} ^d" in texts
    assert calmkit.find_exercise("breathing.box").name in texts
