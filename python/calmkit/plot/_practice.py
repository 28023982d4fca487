"""Charts of what the person practised: which exercises helped, belief
before and after thought records, and urges not acted on (the window of
uncertainty), from :func:`calmkit.exercise_effectiveness`,
:func:`calmkit.thought_record_summary` and
:func:`calmkit.window_of_uncertainty`."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .. import _core
from .. import metrics as _m
from .._core import Journal
from ._common import (_mid_week, BLUE, GREEN, GREY, MIN_RATED_SESSIONS, MIN_URGES, PURPLE, VERMILION, ChartData,
                      _date_axis, _finish, _not_enough, _plain, _plural, _select, _tidy)

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
    # Largest mean drop first; a tie goes to more rated sessions, then to the exercise id (alphabetical),
    # so the sentence names the same exercise whichever way the metric's rows came.
    e = e.assign(_id=e["exercise"].astype(str)).sort_values(["mean_change", "rated", "_id"],
                                                            ascending=[False, False, True], kind="stable")
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
    ax.set_yticks(y, [_plain(name) for name in v["names"]], fontsize=8)  # custom ids as typed
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
    return _finish(ax, ylabel="belief (%)", ylim=(_core.PERCENT_MIN - 3, _core.PERCENT_MAX + 3), legend="lower left",
                   dates=x)


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
    x = _mid_week(v["weeks"])
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
