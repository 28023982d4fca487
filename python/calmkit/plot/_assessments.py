"""The chart of self-assessments over time: one panel per instrument on its
own scale, its sentence worded from :func:`calmkit.assessment_change`."""

from __future__ import annotations

from typing import Any, Optional

import pandas as pd

from .. import _core
from ..assessments import assessment_change as _change
from ..assessments import assessment_scores as _scores
from .._core import Journal
from ._common import (BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILION, ChartData, _date_axis, _n,
                      _not_enough, _plain, _plural, _select, _tidy)

# --- self-assessments over time ----------------------------------------------------------------------


def _short_name(instrument: dict[str, Any]) -> str:
    """"GAD-7 (Generalized Anxiety ...)" -> "GAD-7"."""
    return str(instrument["name"]).split(" (")[0]


def _assessments(journal: Journal, participant: Optional[str], **_: Any) -> ChartData:
    name, title = "assessment_scores", "Self-assessments over time"
    j, _ = _select(journal, participant)  # an unknown participant: ValueError naming the ones there are
    scores = _scores(j)  # the points drawn
    if scores.empty:
        return _not_enough(name, title, "no self-assessments in the journal (calmkit assess records one)")
    pooled = participant is None and scores["participant"].nunique() > 1
    change = _change(j, by=None if pooled else "participant")  # the figures the sentence says
    lines: list[dict[str, Any]] = []
    panels: list[dict[str, Any]] = []
    sentences: list[str] = []
    for instrument_id in sorted(scores["instrument"].unique()):
        inst = _core.instrument(instrument_id)
        short = _short_name(inst)
        rows = scores[scores["instrument"] == instrument_id]  # ordered by participant, time, id
        groups = rows.groupby("participant", sort=True) if pooled else [("", rows)]
        for who, g in groups:
            label = f"{who}: {short}" if pooled else short
            lines.append({"label": label, "instrument": instrument_id, "participant": who, "time": g["time"],
                          "total": g["total"].to_numpy(dtype=float)})
        panels.append(_panel(inst))
        c = change[change["instrument"] == instrument_id].iloc[0]
        if pooled:
            once = int(c["participants"]) - int(c["repeated"])
            sentences.append(f"{short}: lower at the latest check-in than at the first for "
                             f"{int(c['lower'])} of {_plural(int(c['repeated']), 'participant')}"
                             + (f" ({once} more with a single check-in)" if once else ""))
            continue
        a, b, n = float(c["first_total"]), float(c["latest_total"]), int(c["n"])
        band_a = f" ({c['first_band']})" if pd.notna(c["first_band"]) else ""  # <NA>: no bands
        band_b = f" ({c['latest_band']})" if pd.notna(c["latest_band"]) else ""
        first_day, latest_day = c["first_local_time"].date(), c["latest_local_time"].date()  # local dates
        if n == 1:
            sentences.append(f"{short} was {_n(a)}{band_a} at the only check-in so far, on {first_day}")
            continue
        verb = "fell" if b < a else ("rose" if b > a else "stayed")
        amount = f"at {_n(a)}{band_a}" if a == b else f"from {_n(a)}{band_a} to {_n(b)}{band_b}"
        sentences.append(f"{short} {verb} {amount} between the first and the latest of "
                         f"{n} check-ins ({first_day} and {latest_day})")
    text = "; ".join(sentences) + ". Lower scores mean fewer anxious symptoms or patterns."
    return ChartData(name, title, text, True, {"lines": lines, "panels": panels, "change": change})


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
                     label=_plain(line["label"]))
        for band in panel["bands"][1:]:  # where each band above the lowest starts
            pax.axhline(float(band["min"]), color="#d0d0d0", linewidth=0.9, zorder=0)
            pax.text(1.0, float(band["min"]), f" {_plain(band['label'])}", transform=pax.get_yaxis_transform(),
                     va="bottom", ha="right", fontsize=7, color=GREY)
        lo, hi = panel["low"], panel["high"]
        pad = 0.05 * (hi - lo) if hi > lo else 0.5
        pax.set_ylim(lo - pad, hi + pad)
        if panel["ticks"]:
            pax.set_yticks([t for t, _ in panel["ticks"]], [_plain(label) for _, label in panel["ticks"]])
        what = "mean of items" if panel["rule"] == "mean" else "total"
        pax.set_ylabel(f"{_plain(panel['short'])}\n{what} ({lo:g}\u2013{hi:g})", fontsize=8)
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
