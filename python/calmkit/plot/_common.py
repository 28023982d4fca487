"""What every chart shares: :class:`ChartData`, the palette, the thresholds
below which a chart says "not enough data", the wording helpers (counts,
minutes, plurals) and the date axis. No chart's figures are computed here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pandas as pd

from .._core import Journal

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


def _plain(text: object) -> str:
    """``text`` (an id or a name a person typed) for a matplotlib label, drawn as
    typed: each ``$`` escaped as ``\\$``, so that a text with two of them is not
    read as mathtext (``pay $5 or $10`` in math italics, or ``tap $\\x$``
    raising ValueError when the figure is drawn). matplotlib shows ``\\$`` as
    ``$`` in a text that is not mathtext, which the escaping guarantees."""
    return str(text).replace("$", "\\$")


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


def _finish(ax: Any, *, ylabel: str, ylim: tuple[Optional[float], Optional[float]],
            legend: Optional[str] = None, dates: Any = None) -> Any:
    """The last strokes every chart's axes get: the y label and range
    (``(bottom, top)``, None for one matplotlib picks), the legend at
    ``legend`` (a matplotlib ``loc``; None for no legend), a date x axis over
    ``dates`` (:func:`_date_axis`; None for another x axis) and the house
    style (:func:`_tidy`). Returns ``ax``."""
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=ylim[0], top=ylim[1])
    if legend is not None:
        ax.legend(loc=legend, fontsize=8, frameon=False)
    if dates is not None:
        _date_axis(ax, dates)
    _tidy(ax)
    return ax


#: Least room left on each side of the dates of a date axis: with one point
#: (or one week's bar) the axis spans about a week and a half, not the four
#: years matplotlib gives a single date.
DATE_PAD = pd.Timedelta(days=4)
_FIRST_DATE = np.datetime64("0001-01-01T00:00:00", "us")
_LAST_DATE = np.datetime64("9999-12-31T23:59:59", "us")


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


def _mid_week(weeks: Any) -> Any:
    """The middle (Thursday, +3 days) of each week starting on the dates
    ``weeks``, as ``datetime64[s]``: in NumPy, not pandas 2's nanosecond
    Timestamps, which end in 2262 (the journal's years go to 9999)."""
    return np.asarray(weeks).astype("datetime64[s]") + np.timedelta64(3, "D")


def _date_axis(ax: Any, times: Any) -> None:
    """A date x axis that says the year (on the first tick and where it
    changes), spanning the data plus 5 % or :data:`DATE_PAD` on each side."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_YearFirstFormatter())
    # In microseconds (matplotlib takes datetime64 and reads aware times as
    # UTC): pandas 2's Timestamps are nanoseconds and end in 2262, the
    # journal's years go to 9999.
    t = pd.Series(times).dropna()
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    us = pd.to_datetime(t).to_numpy("datetime64[us]") if t.dtype == object else t.to_numpy("datetime64[us]")
    if len(us):
        lo, hi = us.min(), us.max()
        pad = max((hi - lo) * 0.05, DATE_PAD.to_numpy().astype("timedelta64[us]"))
        # matplotlib's dates run from 0001-01-01 to 9999-12-31: a record in the
        # last (or first) days of those years keeps the padding on its side short.
        ax.set_xlim(max(lo - pad, _FIRST_DATE), min(hi + pad, _LAST_DATE))
