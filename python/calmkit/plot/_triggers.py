"""Charts of when and how often triggers happen: triggers per week with the
Poisson trend, the weekday x hour heatmap and the trigger categories. Each
is a compute function (its figures from :mod:`calmkit.metrics`) and a draw
function, registered in :mod:`calmkit.plot._registry`."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .. import _core
from .. import metrics as _m
from .._core import Journal
from ._common import (_mid_week, BLUE, GREEN, GREY, MIN_HEATMAP_TRIGGERS, MIN_TREND_TRIGGERS, MIN_TREND_WEEKS, ORANGE, SKY,
                      WEEKDAY_NAMES, WEEKDAYS, ChartData, _finish, _n, _not_enough, _plural, _select, _tidy)

# --- triggers per week with the Poisson trend ----------------------------------------------


def _triggers_per_week(journal: Journal, participant: Optional[str], tz: Optional[str] = None,
                       confidence: float = 0.95, **_: Any) -> ChartData:
    name, title = "triggers_per_week", "Triggers per week"
    j, by = _select(journal, participant)
    # The weekly counts trigger_trend fits, with its fitted line and band week by week.
    weeks = _m.trigger_trend_weeks(j, tz=tz, confidence=confidence, by=by)
    y = weeks["count"].to_numpy(dtype=float)
    if len(y) < MIN_TREND_WEEKS or y.sum() < MIN_TREND_TRIGGERS:
        return _not_enough(name, title, f"{_plural(int(y.sum()), 'trigger')} over {_plural(len(y), 'week')}"
                           f" (a trend needs at least {MIN_TREND_WEEKS} weeks and {MIN_TREND_TRIGGERS} triggers)")
    trend = _m.trigger_trend(j, tz=tz, confidence=confidence, by=by).iloc[0]
    slope, lo, hi = (float(trend[k]) for k in ("slope_per_week", "slope_ci_low", "slope_ci_high"))
    values: dict[str, Any] = {"weeks": weeks["period_start"].to_numpy(), "counts": y, "slope": slope,
                              "ci": (lo, hi), "confidence": confidence}
    if not math.isfinite(slope):
        return ChartData(name, title, f"{_plural(int(y.sum()), 'trigger')} over {_plural(len(y), 'week')}; "
                         "the weekly trend cannot be estimated from these counts.", True, values)
    # The fitted weekly rate of trigger_trend's Poisson model, first to last week, and its pointwise interval.
    start, end = float(trend["fitted_first"]), float(trend["fitted_last"])
    low, high = weeks["fitted_ci_low"].to_numpy(), weeks["fitted_ci_high"].to_numpy()
    band = (low, high) if np.isfinite(low).all() and np.isfinite(high).all() else None
    values.update(fit=weeks["fitted"].to_numpy(), band=band)
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
    x = _mid_week(v["weeks"])
    ax.bar(x, v["counts"], width=6, color=SKY, label="triggers in the week (Mon-Sun)")
    if v.get("band") is not None:
        ax.fill_between(x, *v["band"], color=BLUE, alpha=0.15, label=f"{v['confidence']:.0%} interval of the trend")
    if v.get("fit") is not None:
        ax.plot(x, v["fit"], color=BLUE, linewidth=2, label="trend (Poisson fit)")
    return _finish(ax, ylabel="triggers per week", ylim=(0, None), legend="upper right", dates=x)


# --- weekday x hour heatmap ---------------------------------------------------------------------


def _clock(h: int) -> str:
    return f"{h % 24:02d}:00"


def _heatmap(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    name, title = "heatmap_weekday_hour", "When triggers happen (local time)"
    j, by = _select(journal, participant)
    cells = _m.trigger_weekday_hour(j, by=by)
    grid = cells["count"].to_numpy(dtype=int).reshape(7, 24)  # the cells drawn: rows weekday 0-6, columns hour 0-23
    s = _m.trigger_weekday_hour_summary(j, by=by).iloc[0]  # the figures the sentence says
    total = int(s["triggers"])
    if total < MIN_HEATMAP_TRIGGERS:
        return _not_enough(name, title, f"{_plural(total, 'trigger')} (the heatmap needs at least "
                           f"{MIN_HEATMAP_TRIGGERS})")
    h = int(s["busiest_hours_start"])
    text = (f"The busiest hours were {_clock(h)}-{_clock(h + 3)} ({s['busiest_hours_share']:.0%} of triggers) and "
            f"the busiest day {WEEKDAY_NAMES[int(s['busiest_weekday'])]} ({s['busiest_weekday_share']:.0%}); "
            f"{s['night_share']:.0%} came between 22:00 and 04:00.")
    return ChartData(name, title, text, True, {"grid": grid, "summary": s})


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
    counts = _m.trigger_category_totals(j, by=by)
    total = int(counts["count"].sum())
    if total < MIN_HEATMAP_TRIGGERS:
        return _not_enough(name, title, f"{_plural(total, 'trigger')} (the chart needs at least "
                           f"{MIN_HEATMAP_TRIGGERS})")
    groups = _m.trigger_category_totals(j, by=by, level="group")
    counts = counts[counts["count"] > 0]  # the bars drawn, most common first (the metric's rank)
    labels = {c[0]: c[1] for c in _core.trigger_categories()}
    group_labels = dict(_core.trigger_groups())
    top, top_group = counts.iloc[0], groups.iloc[0]
    text = (f"The most common trigger was \u201c{labels[top['category']]}\u201d ({int(top['count'])} of {total}, "
            f"{top['share']:.0%}); by group, \u201c{group_labels[top_group['group']]}\u201d came first "
            f"({top_group['share']:.0%}).")
    return ChartData(name, title, text, True, {
        "labels": [labels[c] for c in counts["category"]], "counts": counts["count"].to_numpy(),
        "groups": [group_labels[g] for g in counts["group"]], "group_order": list(group_labels.values())})


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
