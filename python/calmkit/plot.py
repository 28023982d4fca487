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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd

from . import _core
from . import metrics as _m
from ._core import Journal

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

# A calm, colour-blind-safe palette (Okabe-Ito).
BLUE, ORANGE, GREEN, VERMILION, SKY, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#7f7f7f")
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

#: Fewest triggers / weeks for a weekly trend chart.
MIN_TREND_TRIGGERS, MIN_TREND_WEEKS = 5, 3
#: Fewest episodes in each of the two periods compared by the Kaplan-Meier chart.
MIN_KM_EPISODES = 5
#: Fewest triggers for the weekday x hour heatmap and the categories chart.
MIN_HEATMAP_TRIGGERS = 10
#: Fewest rated sessions for an exercise to count in "which exercises helped".
MIN_RATED_SESSIONS = 3
#: Fewest urges with a recorded outcome for the window-of-uncertainty chart.
MIN_URGES = 5


@dataclass
class ChartData:
    """What one chart shows: its numbers, its reading, or why it cannot be drawn."""

    name: str
    title: str
    reading: str  #: one plain-language sentence (or why there is not enough data)
    enough: bool  #: False: not enough data; ``reading`` says what is missing
    values: dict[str, Any] = field(default_factory=dict)


# --- helpers ------------------------------------------------------------------------------


def _select(journal: Journal, participant: Optional[str]) -> tuple[Journal, Optional[str]]:
    """The journal a chart reads and the ``by`` of the metric functions:
    ``participant=None`` keeps every participant and asks the metrics for the
    pooled figures (``by=None``: each episode still made of its own person's
    records); a participant id keeps that person's records."""
    if not isinstance(journal, Journal):
        raise TypeError(f"expected a calmkit.Journal, got {type(journal).__name__}")
    if participant is None:
        return journal, None
    if participant not in journal.participants():
        have = ", ".join(repr(p) for p in journal.participants()) or "none"
        raise ValueError(f"no participant {participant!r} in the journal (participants: {have})")
    return journal.participant(participant), None


def _not_enough(name: str, title: str, why: str) -> ChartData:
    return ChartData(name, title, f"Not enough data for this chart: {why}.", False)


def _n(x: float) -> str:
    """A count or rate for a sentence: whole numbers when large, one decimal when small."""
    return f"{x:.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:.1f}"


def _minutes(x: float) -> str:
    if not math.isfinite(x):
        return "not reached"
    if x >= 120:
        return f"{x / 60:.1f} h"
    return f"{x:.0f} min"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _ax(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt  # only for notebooks; the report passes its own axes

        _, ax = plt.subplots(figsize=(8, 3.4))
    return ax


def _note(ax: Any, text: str) -> Any:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=11, color=GREY,
            transform=ax.transAxes)
    return ax


def _tidy(ax: Any) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)


# --- triggers per week with the Poisson trend ----------------------------------------------


def _poisson_curve(y: np.ndarray, w: np.ndarray, slope: float) -> np.ndarray:
    # The maximum-likelihood intercept of a Poisson log-linear model with this
    # slope satisfies sum(y) = sum(exp(a + slope w)), so a = log(sum y / sum exp(slope w)).
    e = np.exp(slope * w)
    return e * (y.sum() / e.sum())


def _triggers_per_week(journal: Journal, participant: Optional[str], tz: Optional[str] = None,
                       confidence: float = 0.95, **_: Any) -> ChartData:
    name, title = "triggers_per_week", "Triggers per week"
    j, by = _select(journal, participant)
    freq = _m.trigger_frequency(j, period="week", tz=tz, by=by)
    y = freq["count"].to_numpy(dtype=float)
    if len(y) < MIN_TREND_WEEKS or y.sum() < MIN_TREND_TRIGGERS:
        return _not_enough(name, title, f"{_plural(int(y.sum()), 'trigger')} over {_plural(len(y), 'week')}"
                           f" (a trend needs at least {MIN_TREND_WEEKS} weeks and {MIN_TREND_TRIGGERS} triggers)")
    trend = _m.trigger_trend(j, tz=tz, confidence=confidence, by=by).iloc[0]
    slope, lo, hi = (float(trend[k]) for k in ("slope_per_week", "slope_ci_low", "slope_ci_high"))
    w = np.arange(len(y), dtype=float)
    values: dict[str, Any] = {"weeks": freq["period_start"].to_numpy(), "counts": y, "slope": slope,
                              "ci": (lo, hi), "confidence": confidence}
    if not math.isfinite(slope):
        return ChartData(name, title, f"{_plural(int(y.sum()), 'trigger')} over {_plural(len(y), 'week')}; "
                         "the weekly trend cannot be estimated from these counts.", True, values)
    # The fitted weekly rate of trigger_trend's Poisson model, first to last week.
    start, end = float(trend["fitted_first"]), float(trend["fitted_last"])
    fit = start * np.exp(slope * w)
    band = np.array([_poisson_curve(y, w, s) for s in np.linspace(lo, hi, 21)]) if math.isfinite(lo) else None
    values.update(fit=fit, band=band)
    pct = 100 * (math.exp(slope) - 1)
    ci = f"{100 * (math.exp(lo) - 1):+.0f}% to {100 * (math.exp(hi) - 1):+.0f}%"
    if math.isfinite(lo) and lo > 0:
        verb = "rose"
    elif math.isfinite(hi) and hi < 0:
        verb = "fell"
    else:
        verb = None
    if verb:
        text = (f"Triggers {verb} from about {_n(start)} to {_n(end)} a week over {len(y)} weeks "
                f"({pct:+.0f}% a week; {confidence:.0%} interval {ci}).")
    else:
        text = (f"Triggers went from about {_n(start)} to {_n(end)} a week over {len(y)} weeks, a change "
                f"chance alone could give ({pct:+.0f}% a week; {confidence:.0%} interval {ci}).")
    return ChartData(name, title, text, True, values)


def _draw_triggers_per_week(d: ChartData, ax: Any) -> Any:
    v = d.values
    # Each bar spans its week from Monday; the trend is drawn at mid-week.
    x = pd.to_datetime(v["weeks"]) + pd.Timedelta(days=3)
    ax.bar(x, v["counts"], width=6, color=SKY, label="triggers in the week (Mon-Sun)")
    if v.get("band") is not None:
        ax.fill_between(x, v["band"].min(axis=0), v["band"].max(axis=0), color=BLUE, alpha=0.15,
                        label=f"{v['confidence']:.0%} interval of the trend")
    if v.get("fit") is not None:
        ax.plot(x, v["fit"], color=BLUE, linewidth=2, label="trend (Poisson fit)")
    ax.set_ylabel("triggers per week")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    _date_axis(ax, x)
    _tidy(ax)
    return ax


#: Least room left on each side of the dates of a date axis: with one point
#: (or one week's bar) the axis spans about a week and a half, not the four
#: years matplotlib gives a single date.
DATE_PAD = pd.Timedelta(days=4)


def _year_first_formatter_class() -> Any:
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    class YearFirst(mticker.Formatter):
        """Date tick labels that always say the year: "29 Nov 2026" or
        "Nov 2026" on the first tick and where the year changes, "30 Nov" or
        "Dec" on the others (days when the ticks are under a month apart)."""

        def __call__(self, x: float, pos: Any = None) -> str:
            return mdates.num2date(x).strftime("%d %b %Y")

        def format_ticks(self, values: Any) -> list[str]:
            dates = [mdates.num2date(v) for v in values]
            step = (values[1] - values[0]) if len(values) > 1 else 0.0
            short = "%b" if step >= 28 else "%d %b"
            out, year = [], None
            for d in dates:
                out.append(d.strftime(short + (" %Y" if d.year != year else "")))
                year = d.year
            return out

    return YearFirst


def _YearFirstFormatter() -> Any:  # noqa: N802 (a class made on demand: matplotlib is imported lazily)
    return _year_first_formatter_class()()


def _date_axis(ax: Any, times: Any) -> None:
    """A date x axis that says the year (on the first tick and where it
    changes), spanning the data plus 5 % or :data:`DATE_PAD` on each side."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_YearFirstFormatter())
    t = pd.Series(pd.to_datetime(pd.Series(times).to_numpy())).dropna()
    if len(t):
        lo, hi = t.min(), t.max()
        pad = max((hi - lo) * 0.05, DATE_PAD)
        ax.set_xlim(lo - pad, hi + pad)


# --- time to calm: Kaplan-Meier, first weeks vs latest weeks --------------------------------


def _km_first_vs_latest(journal: Journal, participant: Optional[str], weeks: int = 4, threshold: int = 3,
                        window_hours: float = 12, confidence: float = 0.95, **_: Any) -> ChartData:
    name, title = "km_first_vs_latest", "Time to calm: first weeks vs latest weeks"
    j, by = _select(journal, participant)
    eps = _m.time_to_calm(j, threshold=threshold, window_hours=window_hours)
    if len(eps) < 2 * MIN_KM_EPISODES:
        return _not_enough(name, title, f"{_plural(len(eps), 'episode')} (the comparison needs at least "
                           f"{MIN_KM_EPISODES} in each period)")
    key = "first_and_latest"
    split = _m.first_and_latest(eps, weeks=weeks)
    days = set(split.attrs["days"].values())
    eps[key] = split
    if days == {weeks * 7.0}:
        first, last = f"first {weeks} weeks", f"latest {weeks} weeks"
    elif len(days) == 1 and min(days) >= 1:  # one journal shorter than 2 x weeks: its halves, in days
        first, last = f"first {min(days):.0f} days", f"latest {min(days):.0f} days"
    elif len(days) == 1:
        first, last = "first half", "second half"
    else:  # several participants, some with shorter journals (halves of those)
        first, last = f"first {weeks} weeks", f"latest {weeks} weeks"
        title = f"Time to calm: {first} vs {last} (halves of shorter journals)"
    if not title.endswith("journals)"):
        title = f"Time to calm: {first} vs {last}"
    label = {"first": first, "latest": last}
    summary = _m.time_to_calm_summary(eps, by=[key], threshold=threshold, window_hours=window_hours,
                                      confidence=confidence).set_index(key)
    counts = {g: int(summary["episodes"].get(g, 0)) for g in label}
    if min(counts.values()) < MIN_KM_EPISODES:
        return _not_enough(name, title, f"{counts['first']} episodes in the {first} and {counts['latest']} in the "
                           f"{last} (each needs at least {MIN_KM_EPISODES})")
    calmed = {g: int(summary["calmed"].get(g, 0)) for g in label}
    if min(calmed.values()) == 0:
        return _not_enough(name, title, f"no later reading at {threshold} or below in the "
                           f"{first if calmed['first'] == 0 else last}, so there is no curve to compare")
    curves = _m.km_curve(eps, by=[key], threshold=threshold, window_hours=window_hours, confidence=confidence)
    med = {g: float(summary.loc[g, "median_minutes"]) for g in label}
    text = f"Median time to calm (distress {threshold} or less): {_minutes(med['first'])} in the {first}, " \
           f"{_minutes(med['latest'])} in the {last}"
    if all(math.isfinite(x) for x in med.values()):
        ratio = med["latest"] / med["first"] if med["first"] > 0 else math.nan
        if math.isfinite(ratio) and ratio < 0.9:
            text += f", about {1 - ratio:.0%} quicker"
        elif math.isfinite(ratio) and ratio > 1.1:
            text += f", about {ratio - 1:.0%} slower"
    text += f" ({counts['first']} and {counts['latest']} episodes)."
    return ChartData(name, title, text, True, {"curves": curves, "key": key, "groups": ("first", "latest"),
                                                "labels": label, "threshold": threshold, "medians": med,
                                                "counts": counts, "summary": summary.reset_index()})


def _step(ax: Any, curve: pd.DataFrame, color: str, label: str) -> None:
    # Survival starts at 1 at minute 0 and steps down at each event time.
    x = np.concatenate([[0.0], curve["minutes"].to_numpy(dtype=float)])
    s = np.concatenate([[1.0], curve["survival"].to_numpy(dtype=float)])
    lo = np.concatenate([[1.0], curve["ci_low"].to_numpy(dtype=float)])
    hi = np.concatenate([[1.0], curve["ci_high"].to_numpy(dtype=float)])
    ax.step(x, s, where="post", color=color, linewidth=2, label=label)
    # The band is left out where it is undefined (too few episodes left at risk).
    ax.fill_between(x, lo, hi, where=np.isfinite(lo) & np.isfinite(hi), step="post", color=color, alpha=0.15)


def _draw_km_first_vs_latest(d: ChartData, ax: Any) -> Any:
    v = d.values
    curves = v["curves"]
    for g, color in zip(v["groups"], (ORANGE, BLUE)):
        _step(ax, curves[curves[v["key"]] == g], color, f"{v['labels'][g]} ({v['counts'][g]} episodes)")
    ax.axhline(0.5, color=GREY, linewidth=0.8, linestyle=":")
    ax.set_xlabel("minutes since the trigger")
    ax.set_ylabel("share not yet calm")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    _tidy(ax)
    return ax


# --- median time to calm by month ------------------------------------------------------------


def _median_by_month(journal: Journal, participant: Optional[str], threshold: int = 3, window_hours: float = 12,
                     tz: Optional[str] = None, confidence: float = 0.95, **_: Any) -> ChartData:
    name, title = "median_time_to_calm_by_month", "Median time to calm by month"
    j, _ = _select(journal, participant)
    s = _m.time_to_calm_summary(j, by="month", threshold=threshold, window_hours=window_hours, tz=tz,
                                confidence=confidence)
    known = s[np.isfinite(s["median_minutes"])]
    if len(known) < 2:
        return _not_enough(name, title, f"a median time to calm in {_plural(len(known), 'month')} (the chart "
                           "compares at least 2)")
    a, b = known.iloc[0], known.iloc[-1]
    month = lambda r: pd.Timestamp(r["period_start"]).strftime("%B %Y")  # noqa: E731
    text = (f"Median time to calm went from {_minutes(a['median_minutes'])} in {month(a)} "
            f"({int(a['episodes'])} episodes) to {_minutes(b['median_minutes'])} in {month(b)} "
            f"({int(b['episodes'])} episodes).")
    return ChartData(name, title, text, True, {"summary": s, "confidence": confidence})


def _draw_median_by_month(d: ChartData, ax: Any) -> Any:
    s = d.values["summary"]
    s = s[np.isfinite(s["median_minutes"])]
    labels = [pd.Timestamp(p).strftime("%b %Y") for p in s["period_start"]]
    x = np.arange(len(s))
    med = s["median_minutes"].to_numpy(dtype=float)
    lo = s["ci_low"].to_numpy(dtype=float)
    hi = s["ci_high"].to_numpy(dtype=float)
    # An undefined bound (NaN) is drawn as no whisker on that side.
    err = np.vstack([np.nan_to_num(med - lo, nan=0.0), np.nan_to_num(hi - med, nan=0.0)])
    ax.errorbar(x, med, yerr=err, fmt="o", color=BLUE, ecolor=SKY, elinewidth=3, capsize=0, markersize=8,
                label=f"median with {d.values['confidence']:.0%} interval")
    for xi, m, n in zip(x, med, s["episodes"]):
        ax.annotate(f"n={int(n)}", (xi, m), textcoords="offset points", xytext=(10, -3), fontsize=8, color=GREY)
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.set_ylabel("minutes to calm")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    _tidy(ax)
    return ax


# --- peak intensity over time ------------------------------------------------------------------


def _peak_intensity(journal: Journal, participant: Optional[str], threshold: int = 3, window_hours: float = 12,
                    confidence: float = 0.95, **_: Any) -> ChartData:
    name, title = "peak_intensity", "Peak distress of each episode"
    j, by = _select(journal, participant)
    p = _m.peak_intensity(j, threshold=threshold, window_hours=window_hours)
    if len(p) < MIN_TREND_TRIGGERS:
        return _not_enough(name, title, f"{_plural(len(p), 'episode')} (a trend needs at least "
                           f"{MIN_TREND_TRIGGERS})")
    trend = _m.peak_trend(j, threshold=threshold, window_hours=window_hours, confidence=confidence, by=by).iloc[0]
    span = float(trend["span_weeks"])
    if span < MIN_TREND_WEEKS - 1:
        return _not_enough(name, title, f"{_plural(len(p), 'episode')} within {span * 7:.0f} days (a trend "
                           f"needs them spread over at least {MIN_TREND_WEEKS - 1} weeks)")
    slope, lo, hi = (float(trend[k]) for k in ("slope_per_week", "slope_ci_low", "slope_ci_high"))
    y = p["peak_intensity"].to_numpy(dtype=float)  # the points drawn
    values: dict[str, Any] = {"onset": p["onset"], "peak": y}
    if not math.isfinite(slope):
        return ChartData(name, title, f"Peak distress averaged {trend['mean_peak']:.1f} out of 10 over "
                         f"{_plural(int(trend['episodes']), 'episode')}; no trend can be estimated.", True, values)
    # The fitted line of peak_trend, from the first onset to the last.
    start, end = float(trend["intercept"]), float(trend["intercept"]) + slope * span
    values.update(line=(start, end), ci=(lo, hi))
    if hi < 0:
        change = f"fell by {-slope:.2f} points a week"
    elif lo > 0:
        change = f"rose by {slope:.2f} points a week"
    else:
        change = f"changed by {slope:+.2f} points a week, within what chance alone could give"
    text = (f"Peak distress {change} (from about {start:.1f} to {end:.1f} out of 10 over {span:.1f} weeks, "
            f"{_plural(int(trend['episodes']), 'episode')}; {confidence:.0%} interval "
            f"{lo:+.2f} to {hi:+.2f}).")
    return ChartData(name, title, text, True, values)


def _draw_peak_intensity(d: ChartData, ax: Any) -> Any:
    v = d.values
    x = v["onset"].dt.tz_convert(None)
    ax.scatter(x, v["peak"], s=18, color=ORANGE, alpha=0.6, edgecolors="none", label="peak of an episode")
    if "line" in v:
        ax.plot([x.min(), x.max()], list(v["line"]), color=VERMILION, linewidth=2, label="trend (least squares)")
    ax.set_ylim(-0.3, 10.3)
    ax.set_ylabel("distress (0-10)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    _date_axis(ax, x)
    _tidy(ax)
    return ax


# --- weekday x hour heatmap ---------------------------------------------------------------------


def _clock(h: int) -> str:
    return f"{h % 24:02d}:00"


def _heatmap(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    name, title = "heatmap_weekday_hour", "When triggers happen (local time)"
    j, by = _select(journal, participant)
    cells = _m.trigger_weekday_hour(j, by=by)
    grid = cells["count"].to_numpy(dtype=int).reshape(7, 24)  # rows weekday 0-6, columns hour 0-23
    if grid.sum() < MIN_HEATMAP_TRIGGERS:
        return _not_enough(name, title, f"{_plural(int(grid.sum()), 'trigger')} (the heatmap needs at least "
                           f"{MIN_HEATMAP_TRIGGERS})")
    by_hour = grid.sum(axis=0)
    # The busiest 3-hour block of the day, wrapping past midnight.
    blocks = [by_hour[[h, (h + 1) % 24, (h + 2) % 24]].sum() for h in range(24)]
    h = int(np.argmax(blocks))
    day = int(np.argmax(grid.sum(axis=1)))
    night = by_hour[[22, 23, 0, 1, 2, 3]].sum()
    total = int(grid.sum())
    text = (f"The busiest hours were {_clock(h)}-{_clock(h + 3)} ({blocks[h] / total:.0%} of triggers) and "
            f"the busiest day {WEEKDAY_NAMES[day]} ({grid[day].sum() / total:.0%}); "
            f"{night / total:.0%} came between 22:00 and 04:00.")
    return ChartData(name, title, text, True, {"grid": grid})


def _draw_heatmap(d: ChartData, ax: Any) -> Any:
    grid = d.values["grid"]
    im = ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, interpolation="nearest")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of the day (local time as recorded)")
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cbar.set_label("triggers")
    cbar.locator = __import__("matplotlib.ticker", fromlist=["MaxNLocator"]).MaxNLocator(integer=True)
    cbar.update_ticks()
    return ax


# --- trigger categories -------------------------------------------------------------------------


def _categories(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    name, title = "trigger_categories", "What set off the triggers"
    j, by = _select(journal, participant)
    freq = _m.trigger_frequency(j, period="month", by_category=True, by_group=True, by=by)
    total = int(freq["count"].sum())
    if total < MIN_HEATMAP_TRIGGERS:
        return _not_enough(name, title, f"{_plural(total, 'trigger')} (the chart needs at least "
                           f"{MIN_HEATMAP_TRIGGERS})")
    labels = {c[0]: c[1] for c in _core.trigger_categories()}
    group_of = {c[0]: c[2] for c in _core.trigger_categories()}
    group_labels = dict(_core.trigger_groups())
    counts = freq.groupby(freq["category"].astype(str))["count"].sum()
    counts = counts[counts > 0]
    counts = counts.iloc[np.lexsort((counts.index.to_numpy(), -counts.to_numpy()))]
    groups = freq.groupby(freq["group"].astype(str))["count"].sum()
    groups = groups.iloc[np.lexsort((groups.index.to_numpy(), -groups.to_numpy()))]
    top, top_group = counts.index[0], groups.index[0]
    text = (f"The most common trigger was \u201c{labels[top]}\u201d ({counts.iloc[0]} of {total}, "
            f"{counts.iloc[0] / total:.0%}); by group, \u201c{group_labels[top_group]}\u201d came first "
            f"({groups.iloc[0] / total:.0%}).")
    return ChartData(name, title, text, True, {
        "labels": [labels[c] for c in counts.index], "counts": counts.to_numpy(),
        "groups": [group_labels[group_of[c]] for c in counts.index], "group_order": list(group_labels.values())})


def _draw_categories(d: ChartData, ax: Any) -> Any:
    v = d.values
    colors = dict(zip(v["group_order"], (BLUE, ORANGE, GREEN)))
    y = np.arange(len(v["labels"]))[::-1]
    ax.barh(y, v["counts"], color=[colors.get(g, GREY) for g in v["groups"]])
    ax.set_yticks(y, v["labels"], fontsize=8)
    for g in v["group_order"]:
        if g in v["groups"]:
            ax.bar(0, 0, color=colors[g], label=g)
    ax.set_xlabel("triggers")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    _tidy(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.8)
    return ax


# --- which exercises helped -----------------------------------------------------------------------


def _exercise_name(exercise_id: str) -> str:
    e = _core.find_exercise(exercise_id)
    return e.name if e is not None else exercise_id


def _exercises(journal: Journal, participant: Optional[str], threshold: int = 3, window_hours: float = 12,
               **_: Any) -> ChartData:
    name, title = "exercise_effectiveness", "Which exercises helped most"
    j, _ = _select(journal, participant)
    e = _m.exercise_effectiveness(j, threshold=threshold, window_hours=window_hours)
    e = e[e["rated"] >= MIN_RATED_SESSIONS]
    if e.empty:
        return _not_enough(name, title, f"no exercise has {MIN_RATED_SESSIONS} or more sessions rated before "
                           "and after")
    e = e.sort_values(["mean_change", "rated"], ascending=[False, False])
    best = e.iloc[0]
    text = (f"The largest average drop in distress came with {_exercise_name(best['exercise'])}: "
            f"{best['mean_change']:.1f} points over {int(best['rated'])} rated sessions "
            f"({_plural(len(e), 'exercise')} with {MIN_RATED_SESSIONS}+ rated sessions compared).")
    return ChartData(name, title, text, True, {
        "names": [_exercise_name(x) for x in e["exercise"]], "mean": e["mean_change"].to_numpy(dtype=float),
        "n": e["rated"].to_numpy(dtype=int)})


def _draw_exercises(d: ChartData, ax: Any) -> Any:
    v = d.values
    y = np.arange(len(v["names"]))[::-1]
    ax.barh(y, v["mean"], color=GREEN)
    for yi, m, n in zip(y, v["mean"], v["n"]):
        ax.annotate(f"n={n}", (max(m, 0), yi), textcoords="offset points", xytext=(4, -3), fontsize=8, color=GREY)
    ax.set_yticks(y, v["names"], fontsize=8)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel("mean drop in distress, before minus after (points of 0-10)")
    ax.set_xlim(left=min(0.0, float(np.min(v["mean"])) * 1.1), right=max(float(np.max(v["mean"])) * 1.2, 1.0))
    _tidy(ax)
    ax.grid(axis="y", visible=False)
    return ax


# --- thought records: belief before and after -------------------------------------------------------


def _thought_records(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    name, title = "thought_record_belief", "Thought records: belief in the anxious thought"
    j, by = _select(journal, participant)
    t = j.thought_records.to_pandas()  # the points drawn: each record's belief before and after
    rated = t[t["belief_after"].notna()]
    if len(rated) < 2:
        return _not_enough(name, title, f"{_plural(len(rated), 'thought record')} rated before and after "
                           "(the chart needs at least 2)")
    summary = _m.thought_record_summary(j, by=by).iloc[0]
    text = (f"Belief in the anxious thought dropped by {summary['mean_belief_change']:.0f} percentage points on "
            f"average (median {summary['median_belief_change']:.0f}) across "
            f"{_plural(int(summary['belief_rated']), 'thought record')}, "
            f"from {summary['mean_belief_before']:.0f}% to {summary['mean_belief_after']:.0f}%.")
    return ChartData(name, title, text, True, {"time": rated["time"],
                                                "before": rated["belief_before"].to_numpy(dtype=float),
                                                "after": rated["belief_after"].to_numpy(dtype=float)})


def _draw_thought_records(d: ChartData, ax: Any) -> Any:
    v = d.values
    x = v["time"].dt.tz_convert(None)
    ax.vlines(x, v["after"], v["before"], color="#c9c9c9", linewidth=2)
    ax.scatter(x, v["before"], color=VERMILION, s=24, label="before the record", zorder=3)
    ax.scatter(x, v["after"], color=BLUE, s=24, label="after", zorder=3)
    ax.set_ylim(-3, 103)
    ax.set_ylabel("belief (%)")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    _date_axis(ax, x)
    _tidy(ax)
    return ax


# --- window of uncertainty ----------------------------------------------------------------------------


def _window(journal: Journal, participant: Optional[str], tz: Optional[str] = None, weeks: int = 4,
            **_: Any) -> ChartData:
    name, title = "window_of_uncertainty", "Window of uncertainty: urges not acted on"
    j, by = _select(journal, participant)
    w = _m.window_of_uncertainty(j, by="week", tz=tz, pooled=by is None)
    whole = _m.window_of_uncertainty(j, by="participant", tz=tz, pooled=by is None)
    urges = int(whole["urge_recorded"].iloc[0]) if len(whole) else 0
    if urges < MIN_URGES:
        return _not_enough(name, title, f"{_plural(urges, 'urge')} with a recorded outcome (the chart needs at "
                           f"least {MIN_URGES})")
    whole = whole.iloc[0]
    ends = _m.window_of_uncertainty(j, by="first_and_latest", tz=tz, pooled=by is None, weeks=weeks)
    a, b = ends.iloc[0], ends.iloc[1]  # the first and the latest k weeks of the one series drawn
    k = int(a["weeks"])
    sa, sb = float(a["share_not_acted"]), float(b["share_not_acted"])
    text = f"Urges not acted on: {sa:.0%} in the first {_plural(k, 'week')}, {sb:.0%} in the last {k}" \
        if math.isfinite(sa) and math.isfinite(sb) else \
        f"Urges not acted on: {float(whole['share_not_acted']):.0%} overall"
    if int(whole["minutes_n"]) > 0:
        text += f"; when acting, the median wait was {whole['minutes_median']:.0f} minutes " \
                f"({int(whole['minutes_n'])} timed)."
    else:
        text += "; no record says how long before acting."
    return ChartData(name, title, text, True, {"weeks": w["period_start"].to_numpy(),
                                                "share": w["share_not_acted"].to_numpy(dtype=float),
                                                "urges": w["urge_recorded"].to_numpy(dtype=int),
                                                "minutes": w["minutes_median"].to_numpy(dtype=float)})


def _draw_window(d: ChartData, ax: Any) -> Any:
    v = d.values
    x = pd.to_datetime(v["weeks"]) + pd.Timedelta(days=3)  # mid-week, as in triggers_per_week
    ax.bar(x, 100 * np.nan_to_num(v["share"], nan=0.0), width=6, color=GREEN, alpha=0.8,
           label="share of urges not acted on")
    ax.set_ylim(0, 105)
    ax.set_ylabel("not acted on (%)")
    _date_axis(ax, x)
    _tidy(ax)
    right = ax.twinx()
    right.plot(x, v["minutes"], "o-", color=PURPLE, label="median minutes before acting")
    right.set_ylabel("minutes before acting")
    right.set_ylim(bottom=0)
    right.spines["top"].set_visible(False)
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8, frameon=False)
    return ax


# --- self-assessments over time ----------------------------------------------------------------------


def _short_name(instrument: dict[str, Any]) -> str:
    """"GAD-7 (Generalized Anxiety ...)" -> "GAD-7"."""
    return str(instrument["name"]).split(" (")[0]


def _assessments(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    from .assessments import assessment_scores as _scores

    name, title = "assessment_scores", "Self-assessments over time"
    if participant is not None:
        _select(journal, participant)  # an unknown participant: ValueError naming the ones there are
        journal = journal.participant(participant)
    scores = _scores(journal)
    if scores.empty:
        return _not_enough(name, title, "no self-assessments in the journal (calmkit assess records one)")
    pooled = participant is None and scores["participant"].nunique() > 1
    lines: list[dict[str, Any]] = []
    panels: list[dict[str, Any]] = []
    sentences: list[str] = []
    for instrument_id in sorted(scores["instrument"].unique()):
        inst = _core.instrument(instrument_id)
        short = _short_name(inst)
        rows = scores[scores["instrument"] == instrument_id].sort_values(["time", "id"], kind="stable")
        groups = rows.groupby("participant", sort=True) if pooled else [("", rows)]
        for who, g in groups:
            label = f"{who}: {short}" if pooled else short
            lines.append({"label": label, "instrument": instrument_id, "participant": who, "time": g["time"],
                          "total": g["total"].to_numpy(dtype=float)})
        panels.append(_panel(inst))
        if pooled:
            change = (rows.groupby("participant")["total"].last() - rows.groupby("participant")["total"].first())
            sentences.append(f"{short}: lower at the latest check-in than at the first for "
                             f"{int((change < 0).sum())} of {_plural(len(change), 'participant')}")
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        a, b = float(first["total"]), float(last["total"])
        band_a = f" ({first['band']})" if pd.notna(first["band"]) else ""  # <NA>: no bands
        band_b = f" ({last['band']})" if pd.notna(last["band"]) else ""
        if len(rows) == 1:
            sentences.append(f"{short} was {_n(a)}{band_a} at the only check-in so far, "
                             f"on {first['time'].date()}")
            continue
        verb = "fell" if b < a else ("rose" if b > a else "stayed")
        amount = f"at {_n(a)}{band_a}" if a == b else f"from {_n(a)}{band_a} to {_n(b)}{band_b}"
        sentences.append(f"{short} {verb} {amount} between the first and the latest of "
                         f"{len(rows)} check-ins ({first['time'].date()} and {last['time'].date()})")
    text = "; ".join(sentences) + ". Lower scores mean fewer anxious symptoms or patterns."
    return ChartData(name, title, text, True, {"lines": lines, "panels": panels})


def _panel(inst: dict[str, Any]) -> dict[str, Any]:
    """The y axis of one instrument: the whole range its total can take (a sum
    of n items on a..b: n*a to n*b; a mean: a to b), its bands, and for a
    mean-scored instrument with scale labels, those labels as ticks."""
    lo, hi, n = float(inst["scale_min"]), float(inst["scale_max"]), len(inst["items"])
    mean = inst["total_rule"] == "mean"
    if not mean:
        lo, hi = n * lo, n * hi
    ticks: list[tuple[float, str]] = []
    labels = list(inst.get("scale_labels") or [])
    if mean and labels:
        ticks = [(lo + k, f"{lo + k:g} {label}") for k, label in enumerate(labels)]
    return {"instrument": inst["id"], "short": _short_name(inst), "low": lo, "high": hi,
            "rule": "mean" if mean else "sum", "bands": list(inst["bands"]), "ticks": ticks}


def _panel_axes(ax: Any, n: int) -> list[Any]:
    """``ax`` and n - 1 more axes below it, stacked in ``ax``'s place and
    sharing its x axis (``ax`` becomes the top panel, so a title set on it
    heads the whole chart)."""
    if n == 1:
        return [ax]
    fig = ax.figure
    spec = ax.get_subplotspec()
    if spec is not None:  # a subplot (the report's case): split its grid cell, layout managers follow
        grid = spec.subgridspec(n, 1, hspace=0.12)
        ax.set_subplotspec(grid[0])
        return [ax] + [fig.add_subplot(grid[k], sharex=ax) for k in range(1, n)]
    x0, y0, w, h = ax.get_position().bounds  # axes placed by hand: split its box
    step = h / n
    ax.set_position([x0, y0 + (n - 1) * step + 0.1 * step, w, 0.9 * step])
    return [ax] + [fig.add_axes([x0, y0 + (n - 1 - k) * step + 0.1 * step, w, 0.9 * step], sharex=ax)
                   for k in range(1, n)]


def _draw_assessments(d: ChartData, ax: Any) -> Any:
    """One panel per instrument, each on its own scale: a 1-5 mean and a
    0-21 sum on one axis would flatten the mean into a line near the floor."""
    colors = [BLUE, VERMILION, GREEN, ORANGE, PURPLE, SKY]
    panels = d.values["panels"]
    axes = _panel_axes(ax, len(panels))
    # Pooled: one colour per participant, the same in every panel; else one per instrument.
    who = sorted({line["participant"] for line in d.values["lines"]})
    every_time = pd.concat([line["time"].dt.tz_convert(None) for line in d.values["lines"]]) \
        if d.values["lines"] else []
    for k, (panel, pax) in enumerate(zip(panels, axes)):
        mine = [line for line in d.values["lines"] if line["instrument"] == panel["instrument"]]
        for line in mine:
            c = who.index(line["participant"]) if len(who) > 1 else k
            pax.plot(line["time"].dt.tz_convert(None), line["total"], "o-", color=colors[c % len(colors)],
                     label=line["label"])
        for band in panel["bands"][1:]:  # where each band above the lowest starts
            pax.axhline(float(band["min"]), color="#d0d0d0", linewidth=0.9, zorder=0)
            pax.text(1.0, float(band["min"]), f" {band['label']}", transform=pax.get_yaxis_transform(),
                     va="bottom", ha="right", fontsize=7, color=GREY)
        lo, hi = panel["low"], panel["high"]
        pad = 0.05 * (hi - lo) if hi > lo else 0.5
        pax.set_ylim(lo - pad, hi + pad)
        if panel["ticks"]:
            pax.set_yticks([t for t, _ in panel["ticks"]], [label for _, label in panel["ticks"]])
        what = "mean of items" if panel["rule"] == "mean" else "total"
        pax.set_ylabel(f"{panel['short']}\n{what} ({lo:g}\u2013{hi:g})", fontsize=8)
        if len(mine) > 1:  # several participants pooled: say whose line is whose
            pax.legend(loc="upper right", fontsize=7, frameon=False, ncol=min(3, len(mine)))
        _date_axis(pax, every_time)
        pax.tick_params(labelsize=8)
        if k < len(axes) - 1:
            pax.tick_params(axis="x", labelbottom=False)
        _tidy(pax)
    if len(axes) > 1:
        ax.figure.align_ylabels(axes)
    return ax


# --- registry and public functions ---------------------------------------------------------------------


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
    Poisson log-linear trend of :func:`calmkit.trigger_trend` and the band its
    slope interval spans."""
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
