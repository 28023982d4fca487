"""Charts of progress for notebooks, and the charts of ``calmkit report``.

Every chart is a function ``calmkit.plot.<name>(journal, participant=None,
ax=None, ...)`` that draws on ``ax`` (a new figure when ``None``) and returns
the matplotlib ``Axes``. ``participant=None`` pools every participant of the
journal into one person-agnostic picture; a participant id restricts the chart
to that person. When there is too little data for a chart to mean anything
(say two triggers), the axes show a short note saying so instead of a
misleading picture.

:func:`reading` gives the one-sentence plain-language reading of a chart that
the HTML report prints under it ("Triggers fell from about 9 to 4 a week ...").
The report draws with these very functions, so notebook and report agree.

Example::

    import calmkit, calmkit.plot
    journal = calmkit.read_journal("journal.jsonl")
    ax = calmkit.plot.triggers_per_week(journal, participant="p001")
    print(calmkit.plot.reading("triggers_per_week", journal, participant="p001"))

Definitions of the underlying numbers: docs/metrics.md; of the charts and
their readings: docs/report.md.

The package, one module per chart family: :mod:`._triggers` (triggers per
week, heatmap, categories), :mod:`._time_to_calm` (Kaplan-Meier, median by
month, peaks), :mod:`._practice` (exercises, thought records, window of
uncertainty), :mod:`._assessments` (self-assessments), each chart a compute
function (every figure from :mod:`calmkit.metrics` or
:mod:`calmkit.assessments`, worded, never re-derived) and a draw function;
:mod:`._registry` pairs them (:data:`CHARTS`) and holds the public functions;
:mod:`._common` what they share.
"""

from __future__ import annotations

# The names calmkit.plot had as one module (the constants and wording helpers too).
from ._common import (  # noqa: F401
    BLUE, DATE_PAD, GREEN, GREY, MIN_HEATMAP_TRIGGERS, MIN_KM_EPISODES, MIN_RATED_SESSIONS, MIN_TREND_TRIGGERS,
    MIN_TREND_WEEKS, MIN_URGES, ORANGE, PURPLE, SKY, VERMILION, WEEKDAY_NAMES, WEEKDAYS, ChartData, _minutes, _n,
    _plural)
from ._registry import (  # noqa: F401
    CHARTS, assessment_scores, chart_data, draw, exercise_effectiveness, heatmap_weekday_hour, km_first_vs_latest,
    median_time_to_calm_by_month, peak_intensity, reading, thought_record_belief, trigger_categories,
    triggers_per_week, window_of_uncertainty)

__all__ = [
    "CHARTS",
    "ChartData",
    "chart_data",
    "draw",
    "reading",
    "triggers_per_week",
    "km_first_vs_latest",
    "median_time_to_calm_by_month",
    "peak_intensity",
    "heatmap_weekday_hour",
    "trigger_categories",
    "exercise_effectiveness",
    "thought_record_belief",
    "window_of_uncertainty",
    "assessment_scores",
]
