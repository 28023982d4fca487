"""Charts of time to calm: Kaplan-Meier curves of the first vs the latest
weeks, the median by month and the peak distress of each episode, from
:func:`calmkit.time_to_calm_summary`, :func:`calmkit.km_curve` and
:func:`calmkit.peak_trend`."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _core
from .. import metrics as _m
from .._core import Journal
from ._common import (BLUE, GREY, MIN_KM_EPISODES, MIN_TREND_TRIGGERS, MIN_TREND_WEEKS, ORANGE, SKY, VERMILION,
                      ChartData, _finish, _minutes, _not_enough, _plural, _select)

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
    ax.set_xlim(left=0)
    return _finish(ax, ylabel="share not yet calm", ylim=(0, 1.02), legend="upper right")


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
    return _finish(ax, ylabel="minutes to calm", ylim=(0, None), legend="upper right")


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
        return ChartData(name, title, f"Peak distress averaged {trend['mean_peak']:.1f} out of "
                         f"{_core.INTENSITY_MAX} over {_plural(int(trend['episodes']), 'episode')}; "
                         "no trend can be estimated.", True, values)
    # The fitted line of peak_trend, from the first onset to the last.
    start, end = float(trend["intercept"]), float(trend["intercept"]) + slope * span
    values.update(line=(start, end), ci=(lo, hi))
    if hi < 0:
        change = f"fell by {-slope:.2f} points a week"
    elif lo > 0:
        change = f"rose by {slope:.2f} points a week"
    else:
        change = f"changed by {slope:+.2f} points a week, within what chance alone could give"
    text = (f"Peak distress {change} (from about {start:.1f} to {end:.1f} out of {_core.INTENSITY_MAX} over "
            f"{span:.1f} weeks, "
            f"{_plural(int(trend['episodes']), 'episode')}; {confidence:.0%} interval "
            f"{lo:+.2f} to {hi:+.2f}).")
    return ChartData(name, title, text, True, values)


def _draw_peak_intensity(d: ChartData, ax: Any) -> Any:
    v = d.values
    x = v["onset"].dt.tz_convert(None)
    ax.scatter(x, v["peak"], s=18, color=ORANGE, alpha=0.6, edgecolors="none", label="peak of an episode")
    if "line" in v:
        ax.plot([x.min(), x.max()], list(v["line"]), color=VERMILION, linewidth=2, label="trend (least squares)")
    return _finish(ax, ylabel=f"distress ({_core.INTENSITY_MIN}-{_core.INTENSITY_MAX})",
                   ylim=(_core.INTENSITY_MIN - 0.3, _core.INTENSITY_MAX + 0.3), legend="upper right", dates=x)
