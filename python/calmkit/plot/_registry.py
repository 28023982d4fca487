"""The registry of charts (:data:`CHARTS`: name -> compute and draw, in
report order), :func:`chart_data`, :func:`draw`, :func:`reading` and one
public function per chart."""

from __future__ import annotations

from typing import Any, Callable, Optional

from .._core import Journal
from ._common import ChartData, _ax, _note
from ._assessments import _assessments, _draw_assessments
from ._practice import _draw_exercises, _draw_thought_records, _draw_window, _exercises, _thought_records, _window
from ._time_to_calm import (_draw_km_first_vs_latest, _draw_median_by_month, _draw_peak_intensity,
                           _km_first_vs_latest, _median_by_month, _peak_intensity)
from ._triggers import _categories, _draw_categories, _draw_heatmap, _draw_triggers_per_week, _heatmap, _triggers_per_week

#: name -> (compute, draw), in report order.
CHARTS: dict[str, tuple[Callable[..., ChartData], Callable[[ChartData, Any], Any]]] = {
    "triggers_per_week": (_triggers_per_week, _draw_triggers_per_week),
    "km_first_vs_latest": (_km_first_vs_latest, _draw_km_first_vs_latest),
    "median_time_to_calm_by_month": (_median_by_month, _draw_median_by_month),
    "peak_intensity": (_peak_intensity, _draw_peak_intensity),
    "heatmap_weekday_hour": (_heatmap, _draw_heatmap),
    "trigger_categories": (_categories, _draw_categories),
    "exercise_effectiveness": (_exercises, _draw_exercises),
    "thought_record_belief": (_thought_records, _draw_thought_records),
    "window_of_uncertainty": (_window, _draw_window),
    "assessment_scores": (_assessments, _draw_assessments),
}


def chart_data(name: str, journal: Journal, participant: Optional[str] = None, **options: Any) -> ChartData:
    """The numbers, title and reading of chart ``name`` (a key of :data:`CHARTS`)."""
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}; charts: {', '.join(CHARTS)}")
    return CHARTS[name][0](journal, participant, **options)


def draw(d: ChartData, ax: Any = None, title: bool = True) -> Any:
    """Draws a :class:`ChartData` on ``ax`` (or a note when there is not enough
    data), with ``d.title`` above it unless ``title`` is False."""
    ax = _ax(ax)
    if not d.enough:
        return _note(ax, d.reading)
    CHARTS[d.name][1](d, ax)
    if title:
        ax.set_title(d.title, loc="left", fontsize=11)
    return ax


def reading(name: str, journal: Journal, participant: Optional[str] = None, **options: Any) -> str:
    """The one-sentence plain-language reading of chart ``name``."""
    return chart_data(name, journal, participant, **options).reading


def triggers_per_week(journal: Journal, participant: Optional[str] = None, ax: Any = None,
                      tz: Optional[str] = None, confidence: float = 0.95) -> Any:
    """Triggers per ISO week (local dates, or ``tz``, an IANA name or a POSIX TZ rule), the
    Poisson log-linear trend of :func:`calmkit.trigger_trend` and its pointwise
    ``confidence`` band, week by week from :func:`calmkit.trigger_trend_weeks`."""
    return draw(chart_data("triggers_per_week", journal, participant, tz=tz, confidence=confidence), ax)


def km_first_vs_latest(journal: Journal, participant: Optional[str] = None, ax: Any = None, weeks: int = 4,
                       threshold: int = 3, window_hours: float = 12, confidence: float = 0.95) -> Any:
    """Kaplan-Meier curves of time-to-calm (share of episodes not yet at
    ``threshold`` or below, 0-10) for episodes of the first ``weeks`` weeks vs
    the latest ``weeks`` weeks (halves of the span when it is shorter than
    2 x ``weeks``), with pointwise log-log bands."""
    return draw(chart_data("km_first_vs_latest", journal, participant, weeks=weeks, threshold=threshold,
                           window_hours=window_hours, confidence=confidence), ax)


def median_time_to_calm_by_month(journal: Journal, participant: Optional[str] = None, ax: Any = None,
                                 threshold: int = 3, window_hours: float = 12, tz: Optional[str] = None,
                                 confidence: float = 0.95) -> Any:
    """Kaplan-Meier median time-to-calm (minutes) per local month with its
    Brookmeyer-Crowley interval; months with no median are left out."""
    return draw(chart_data("median_time_to_calm_by_month", journal, participant, threshold=threshold,
                           window_hours=window_hours, tz=tz, confidence=confidence), ax)


def peak_intensity(journal: Journal, participant: Optional[str] = None, ax: Any = None, threshold: int = 3,
                   window_hours: float = 12, confidence: float = 0.95) -> Any:
    """Peak distress (0-10) of every episode over time with the least-squares
    trend of :func:`calmkit.peak_trend`."""
    return draw(chart_data("peak_intensity", journal, participant, threshold=threshold,
                           window_hours=window_hours, confidence=confidence), ax)


def heatmap_weekday_hour(journal: Journal, participant: Optional[str] = None, ax: Any = None) -> Any:
    """Triggers by weekday and hour of the local wall-clock time recorded with
    each trigger (its own UTC offset)."""
    return draw(chart_data("heatmap_weekday_hour", journal, participant), ax)


def trigger_categories(journal: Journal, participant: Optional[str] = None, ax: Any = None) -> Any:
    """Triggers per category, most common first, coloured by group."""
    return draw(chart_data("trigger_categories", journal, participant), ax)


def exercise_effectiveness(journal: Journal, participant: Optional[str] = None, ax: Any = None,
                           threshold: int = 3, window_hours: float = 12) -> Any:
    """Mean drop in distress (before - after, points of 0-10) per exercise
    with at least :data:`MIN_RATED_SESSIONS` rated sessions, with n."""
    return draw(chart_data("exercise_effectiveness", journal, participant, threshold=threshold,
                           window_hours=window_hours), ax)


def thought_record_belief(journal: Journal, participant: Optional[str] = None, ax: Any = None) -> Any:
    """Belief in the automatic thought (0-100 %) before and after each rated thought record."""
    return draw(chart_data("thought_record_belief", journal, participant), ax)


def window_of_uncertainty(journal: Journal, participant: Optional[str] = None, ax: Any = None,
                          tz: Optional[str] = None, weeks: int = 4) -> Any:
    """Share of urges not acted on per ISO week, and the median minutes before
    acting when the person did act."""
    return draw(chart_data("window_of_uncertainty", journal, participant, tz=tz, weeks=weeks), ax)


def assessment_scores(journal: Journal, participant: Optional[str] = None, ax: Any = None) -> Any:
    """Total score of each self-assessment by date, one panel per instrument
    stacked in ``ax``'s place with a shared date axis, each on its own scale
    (the whole range its total can take: GAD-7 0-21, the attachment check-in's
    item mean 1-5 with its scale labels as ticks), one line per participant
    when several are pooled, and each instrument's band thresholds (GAD-7: 5,
    10, 15) as light horizontal lines. Returns ``ax``, the top panel.
    Scores: :func:`calmkit.assessment_scores`."""
    d = chart_data("assessment_scores", journal, participant)
    if ax is None and d.enough:  # a new figure tall enough for the panels, labels kept inside
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, max(3.4, 2.1 * len(d.values["panels"]) + 0.5)), layout="constrained")
    return draw(d, ax)
