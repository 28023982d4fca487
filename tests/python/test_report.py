"""calmkit.plot and calmkit.report: readings computed by hand, sparse data,
and a self-contained HTML file."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import calmkit  # noqa: E402
import calmkit.plot as plot  # noqa: E402
import calmkit.report as report  # noqa: E402


def trig(i: int, when: str, category: str, n: int = 6, participant: str = "p1") -> calmkit.Trigger:
    return calmkit.Trigger(participant=participant, id=f"t{i}", time=when, category=category, intensity=n)


@pytest.fixture
def small() -> calmkit.Journal:
    """p1: ten triggers at +09:00 in the week of Monday 2026-03-02 and the next Monday.
    Saturday 03-07 at 01:30, 02:10, 02:40, 03:05 (4, all delayed_reply);
    Tue 14:00, Wed 14:30, Thu 09:00 (conflict); Fri 20:00, Sun 23:00, Mon 03-09 12:00 (perfectionism).
    Two thought records (belief 80 -> 50 and 60 -> 40); three rated box-breathing
    sessions (8 -> 5, 7 -> 4, 6 -> 4). p2: two triggers only."""
    times = [
        ("2026-03-07T01:30:00+09:00", "delayed_reply"), ("2026-03-07T02:10:00+09:00", "delayed_reply"),
        ("2026-03-07T02:40:00+09:00", "delayed_reply"), ("2026-03-07T03:05:00+09:00", "delayed_reply"),
        ("2026-03-03T14:00:00+09:00", "conflict"), ("2026-03-04T14:30:00+09:00", "conflict"),
        ("2026-03-05T09:00:00+09:00", "conflict"), ("2026-03-06T20:00:00+09:00", "perfectionism"),
        ("2026-03-08T23:00:00+09:00", "perfectionism"), ("2026-03-09T12:00:00+09:00", "perfectionism"),
    ]
    records: list = [trig(i, t, c) for i, (t, c) in enumerate(times)]
    for i, (day, before, after) in enumerate([(3, 80, 50), (5, 60, 40)]):
        records.append(calmkit.ThoughtRecord(participant="p1", id=f"r{i}", time=f"2026-03-0{day}T21:00:00+09:00",
                                             situation="s", automatic_thought="they will leave",
                                             belief_before=before, belief_after=after))
    for i, (before, after) in enumerate([(8, 5), (7, 4), (6, 4)]):
        start = f"2026-03-0{3 + i}T22:00:00+09:00"
        records.append(calmkit.ExerciseSession(participant="p1", id=f"e{i}", time=start, end=start,
                                               exercise="breathing.box", intensity_before=before,
                                               intensity_after=after))
    records += [trig(1, "2026-03-02T10:00:00Z", "conflict", participant="p2"),
                trig(2, "2026-03-03T10:00:00Z", "conflict", participant="p2")]
    return calmkit.Journal(records)


def test_heatmap_reading_by_hand(small):
    # Hours (local): 1, 2, 2, 3 (Sat), 14, 14, 9, 20, 23, 12. Busiest 3-hour block
    # 01-04 holds 4 of 10; Saturday holds 4 of 10; 22:00-04:00 holds 23, 1, 2, 2, 3 = 5.
    assert plot.reading("heatmap_weekday_hour", small, "p1") == (
        "The busiest hours were 01:00-04:00 (40% of triggers) and the busiest day Saturday (40%); "
        "50% came between 22:00 and 04:00.")
    d = plot.chart_data("heatmap_weekday_hour", small, "p1")
    assert d.values["grid"][5, 2] == 2 and d.values["grid"].sum() == 10  # Saturday 02:xx twice


def test_categories_reading_by_hand(small):
    # 4 delayed_reply, 3 conflict (both "relationship"), 3 perfectionism ("internal"): 7 of 10.
    assert plot.reading("trigger_categories", small, "p1") == (
        "The most common trigger was \u201cSlow or missing reply\u201d (4 of 10, 40%); "
        "by group, \u201cRelationship\u201d came first (70%).")


def test_thought_record_and_exercise_readings_by_hand(small):
    # Belief changes 30 and 20: mean 25, median 25; means 70% before, 45% after.
    assert plot.reading("thought_record_belief", small, "p1") == (
        "Belief in the anxious thought dropped by 25 percentage points on average (median 25) "
        "across 2 thought records, from 70% to 45%.")
    # Drops 3, 3, 2: mean 8/3 = 2.67.
    assert plot.reading("exercise_effectiveness", small, "p1") == (
        "The largest average drop in distress came with Box breathing: 2.7 points over 3 rated sessions "
        "(1 exercise with 3+ rated sessions compared).")


def test_sparse_data_says_so(small):
    # p1 spans two ISO weeks (03-02 and 03-09): too short for a trend.
    d = plot.chart_data("triggers_per_week", small, "p1")
    assert not d.enough
    assert d.reading == ("Not enough data for this chart: 10 triggers over 2 weeks "
                         "(a trend needs at least 3 weeks and 5 triggers).")
    for name in plot.CHARTS:  # p2 has two triggers: no chart can be drawn, none crashes
        d = plot.chart_data(name, small, "p2")
        assert not d.enough and d.reading.startswith("Not enough data for this chart"), name
    ax = plot.triggers_per_week(small, participant="p2")  # a notebook gets a note, not a plot
    assert not ax.axison and "Not enough data" in ax.texts[0].get_text()


def test_plot_functions_return_axes_with_data(small):
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert plot.heatmap_weekday_hour(small, "p1", ax=ax) is ax
    assert ax.images[0].get_array().sum() == 10
    ax = plot.trigger_categories(small, "p1", ax=Figure().subplots())
    assert sorted(int(p.get_width()) for p in ax.containers[0]) == [3, 3, 4]  # the bars, not the legend keys


def test_unknown_participant_and_chart(small):
    with pytest.raises(ValueError, match="no participant 'zz'"):
        plot.chart_data("trigger_categories", small, "zz")
    with pytest.raises(ValueError, match="unknown chart"):
        plot.chart_data("pie", small)
    with pytest.raises(TypeError):
        plot.trigger_categories("journal.jsonl")  # type: ignore[arg-type]


def test_report_is_self_contained_and_handles_sparse_people(small, tmp_path: Path):
    out = report.write_report(small, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    imgs = re.findall(r'<img [^>]*src="([^"]*)"', text)
    # p1 has enough data for heatmap, categories, exercises, thought records (4);
    # p2 for none; the pooled cohort charts (weekly trend, KM) have too few weeks/episodes.
    assert len(imgs) == 4
    assert f'data-charts="{len(imgs)}"' in text
    for src in imgs:
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        assert svg.startswith("<?xml") and "<svg " in svg and svg.rstrip().endswith("</svg>")
        # Self-contained: a link is to the SVG itself or a data: URI (the heatmap's cells are an
        # embedded PNG); the only URLs are the XML namespaces and the DTD's name, never fetched.
        assert not re.findall(r'(?:href|src)="(?!#|data:image/png;base64,)', svg)
        assert "<script" not in svg and "@import" not in svg
        assert set(re.findall(r'"(https?://[^"]*)"', svg)) <= {"http://www.w3.org/2000/svg",
                                                               "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd",
                                                               "http://purl.org/dc/dcmitype/StillImage",
                                                               "http://www.w3.org/1999/xlink",
                                                               "http://purl.org/dc/elements/1.1/",
                                                               "http://creativecommons.org/ns#",
                                                               "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
        assert "<text " in svg
    assert "<script" not in text and "<link" not in text and "http" not in text.replace(
        'name="viewport"', "").replace('<meta http-equiv="Content-Security-Policy"', "")
    assert "Cohort overview" in text and "What these numbers cannot tell" in text
    assert text.count("Not enough data for this chart") == 2 + 9 + (9 - 4)
    assert "@media print" in text


def test_report_of_one_participant_and_bad_options(small):
    text = report.build_report(small, participant="p1")
    assert "Cohort overview" not in text and "Participant <bdi>p1</bdi>" in text and "<bdi>p2</bdi>" not in text
    with pytest.raises(ValueError, match="threshold"):
        report.build_report(small, threshold=11)
    with pytest.raises(ValueError, match="window_hours"):
        report.build_report(small, window_hours=0)
    with pytest.raises(ValueError, match="no participant"):
        report.build_report(small, participant="nobody")
    assert "no records yet" in report.build_report(calmkit.Journal())


def test_sample_journal_report_readings(sample_journal_path: Path):
    j = calmkit.read_journal(sample_journal_path)
    seen = []
    text = report.build_report(j, progress=lambda done, total: seen.append((done, total)))
    # 2 pooled charts + 9 for each of 3 participants, every one with enough data,
    # + the self-assessment chart of each (all three have 8 assessments).
    assert seen[-1] == (32, 32) and len(seen) == 32
    assert text.count('<img class="chart"') == 32
    assert text.count('data-chart="assessment_scores"') == 3 and text.count(", 8 self-assessments.") == 3
    # p001's GAD-7 answers 2,0,3,1,2,1,1 (a0002) sum to 10, 0,2,1,2,0,2,0 (a0008) to 7.
    assert "GAD-7 fell from 10 (moderate) to 7 (mild) between the first and the latest of 4 check-ins" in text
    # p001 ends on a Monday (22 observed days in its last 4 weeks): exposure-weighted, not 12 to 2.5.
    assert "Triggers fell from about 11 to 3.3 a week over 9 weeks" in text  # p001


def test_charts_drawn_in_worker_processes_make_the_same_report(small):
    # The same document whether the charts are drawn here or in two forked
    # workers (the figures in report order; the SVGs have fixed ids and no
    # date), but for the minute the report was made.
    def strip(text: str) -> str:
        return re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d{4}\.", "on <when>.", text)

    calls: list[tuple[int, int]] = []
    here = report.build_report(small, jobs=1)
    workers = report.build_report(small, jobs=2, progress=lambda done, total: calls.append((done, total)))
    assert strip(here) == strip(workers)
    assert calls == [(k, 20) for k in range(1, 21)]  # 2 pooled + 9 for each of the 2 participants
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="jobs"):
            report.build_report(small, jobs=bad)
