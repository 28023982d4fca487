"""The self-assessment chart of calmkit.plot and its section in the report:
the reading computed by hand, the chart only for participants with
assessments, and no such section for a journal without any."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import calmkit  # noqa: E402
import calmkit.plot as plot  # noqa: E402
import calmkit.report as report  # noqa: E402


def gad7(participant: str, rid: str, when: str, answers: list[int]) -> calmkit.Assessment:
    return calmkit.Assessment(participant=participant, id=rid, time=when, instrument="gad-7", answers=answers)


@pytest.fixture
def journal() -> calmkit.Journal:
    """p1: a few triggers and two GAD-7 check-ins six weeks apart:
    2026-03-02: 2+2+2+2+1+2+1 = 12 (band 10-14, moderate);
    2026-04-13: 1+1+1+1+0+1+1 = 6 (band 5-9, mild).
    p2: triggers only."""
    records: list = [
        calmkit.Trigger(participant=p, id=f"t{i}", time=f"2026-03-0{2 + i}T20:00:00+01:00", category="conflict",
                        intensity=6)
        for p in ("p1", "p2") for i in range(3)
    ]
    records.append(gad7("p1", "a2", "2026-04-13T09:00:00+02:00", [1, 1, 1, 1, 0, 1, 1]))
    records.append(gad7("p1", "a1", "2026-03-02T09:00:00+01:00", [2, 2, 2, 2, 1, 2, 1]))
    return calmkit.Journal(records)


READING_P1 = ("GAD-7 fell from 12 (moderate) to 6 (mild) between the first and the latest of 2 check-ins "
              "(2026-03-02 and 2026-04-13). Lower scores mean fewer anxious symptoms or patterns.")


def test_reading_by_hand(journal):
    assert plot.reading("assessment_scores", journal, "p1") == READING_P1
    # Only p1 has assessments, so the pooled reading is p1's.
    assert plot.reading("assessment_scores", journal) == READING_P1
    d = plot.chart_data("assessment_scores", journal, "p2")
    assert not d.enough and d.reading.startswith("Not enough data for this chart: no self-assessments")
    with pytest.raises(ValueError, match="no participant 'zz'"):
        plot.chart_data("assessment_scores", journal, "zz")


def test_one_check_in_and_several_participants(journal):
    one = calmkit.Journal([gad7("p3", "a1", "2026-03-02T09:00:00Z", [3, 3, 3, 3, 3, 0, 0])])
    # 3 x 5 = 15: band 15-21, severe.
    assert plot.reading("assessment_scores", one) == (
        "GAD-7 was 15 (severe) at the only check-in so far, on 2026-03-02. "
        "Lower scores mean fewer anxious symptoms or patterns.")
    # p2 gets two check-ins going up (3 -> 4): p1 fell, p2 rose, 1 of 2 lower at the latest.
    journal.add(gad7("p2", "b1", "2026-03-03T09:00:00Z", [1, 1, 1, 0, 0, 0, 0]))
    journal.add(gad7("p2", "b2", "2026-03-20T09:00:00Z", [1, 1, 1, 1, 0, 0, 0]))
    d = plot.chart_data("assessment_scores", journal)
    assert d.reading.startswith("GAD-7: lower at the latest check-in than at the first for 1 of 2 participants.")
    assert [line["label"] for line in d.values["lines"]] == ["p1: GAD-7", "p2: GAD-7"]


def test_chart_lines_and_band_thresholds(journal):
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert plot.assessment_scores(journal, "p1", ax=ax) is ax
    (line,) = [ln for ln in ax.lines if ln.get_label() == "GAD-7"]
    assert list(line.get_ydata()) == [12.0, 6.0]  # oldest first
    # The band thresholds: where mild, moderate and severe start.
    assert sorted(ln.get_ydata()[0] for ln in ax.lines if ln.get_label().startswith("_")) == [5.0, 10.0, 15.0]


def _checkin(participant: str, rid: str, when: str, low: bool) -> calmkit.Assessment:
    """An attachment check-in whose item mean is 2.0 (low) or 3.0: the 15
    reverse-keyed items score 6 - answer, so answering 4 on them and 2 on the
    other 13 keys every item to 2; answering 3 everywhere keys every item to 3."""
    reverse = set(calmkit.instrument("attachment-checkin")["reverse_keyed"])
    assert len(reverse) == 15
    answers = [(4 if i in reverse else 2) if low else 3 for i in range(28)]
    return calmkit.Assessment(participant=participant, id=rid, time=when, instrument="attachment-checkin",
                              answers=answers)


def test_each_instrument_gets_its_own_panel_and_scale(journal):
    from matplotlib.figure import Figure

    journal.add(_checkin("p1", "c1", "2026-03-02T09:05:00+01:00", low=False))
    journal.add(_checkin("p1", "c2", "2026-04-13T09:05:00+02:00", low=True))
    d = plot.chart_data("assessment_scores", journal, "p1")
    # The whole range each total can take: the check-in is a mean of 1-5 items;
    # GAD-7 a sum of 7 items of 0-3, so 0-21.
    assert [(p["instrument"], p["rule"], p["low"], p["high"]) for p in d.values["panels"]] == [
        ("attachment-checkin", "mean", 1.0, 5.0), ("gad-7", "sum", 0.0, 21.0)]
    fig = Figure(layout="constrained")
    ax = fig.subplots()
    assert plot.assessment_scores(journal, "p1", ax=ax) is ax  # the top panel
    top, bottom = fig.axes
    assert top is ax
    (checkin,) = top.lines
    assert checkin.get_label() == "Attachment check-in" and list(checkin.get_ydata()) == [3.0, 2.0]
    # 5 % of the range as a margin: 1 - 0.2 to 5 + 0.2, and -1.05 to 22.05.
    assert top.get_ylim() == pytest.approx((0.8, 5.2)) and bottom.get_ylim() == pytest.approx((-1.05, 22.05))
    assert [t.get_text() for t in top.get_yticklabels()] == [
        "1 never", "2 rarely", "3 sometimes", "4 often", "5 always"]
    (gad,) = [ln for ln in bottom.lines if ln.get_label() == "GAD-7"]
    assert list(gad.get_ydata()) == [12.0, 6.0]
    # GAD-7's band thresholds are in its own panel only.
    assert sorted(ln.get_ydata()[0] for ln in bottom.lines if ln.get_label().startswith("_")) == [5.0, 10.0, 15.0]
    assert bottom.get_shared_x_axes().joined(top, bottom)
    # Axes placed by hand (no grid cell) are split the same way.
    fig2 = Figure()
    assert plot.assessment_scores(journal, "p1", ax=fig2.add_axes((0.1, 0.1, 0.8, 0.8))) is not None
    assert len(fig2.axes) == 2 and fig2.axes[0].get_position().y0 > fig2.axes[1].get_position().y1


def test_report_shows_the_chart_only_with_assessments(journal):
    text = report.build_report(journal)
    assert text.count('data-chart="assessment_scores"') == 1
    p1, p2 = text.index('id="p-p1"'), text.index('id="p-p2"')
    assert p1 < text.index('data-chart="assessment_scores"') < p2  # in p1's section
    assert "<h3>Self-assessments over time</h3>" in text and READING_P1 in text
    # p1's dates run to the latest check-in; the counts name the assessments.
    assert ("2026-03-02 to 2026-04-13 (local dates): 3 triggers, 0 readings, 0 exercise sessions, "
            "0 thought records, 2 self-assessments.") in text
    for alone in (report.build_report(journal, participant="p2"),
                  report.build_report(calmkit.Journal(list(journal.triggers)))):
        assert "Self-assessments" not in alone and "assessment_scores" not in alone


def test_sample_journal_report_has_the_assessment_chart(sample_journal_path):
    # The generator gives every participant of the sample 4 sittings (8 assessments).
    j = calmkit.read_journal(sample_journal_path)
    assert len(j.assessments) == 24
    text = report.build_report(j, participant="p003")
    assert text.count('data-chart="assessment_scores"') == 1 and ", 8 self-assessments." in text
    # p003: GAD-7 15 (severe) on 2026-03-02 down to 6 (mild) on 2026-04-13.
    assert "GAD-7 fell from 15 (severe) to 6 (mild)" in text
    # Without the generator's assessments the section is not there.
    off = calmkit.synthetic_journal(3, 56, 42, assessments=False)
    assert "Self-assessments" not in report.build_report(off, participant="p003")
