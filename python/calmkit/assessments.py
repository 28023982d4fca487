"""Scores and change over time of the questionnaires in a journal.

The answers live in the journal (``Journal.assessments``); scores are always
computed from them by the instrument's definition (``calmkit.score``), never
stored. ``attachment-checkin`` is a reflection aid, not a diagnosis; ``gad-7``
is the public-domain GAD-7 anxiety screener (see ``calmkit.instrument(id)``
for items, scale, bands, source and licence).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _core, _frames

__all__ = ["assessment_change", "assessment_scores"]

_SECONDS_PER_WEEK = 7 * 24 * 3600.0


def assessment_scores(journal: _core.Journal) -> pd.DataFrame:
    """One row per assessment: participant, id, time (UTC), instrument, total,
    band (<NA> when the instrument has no bands), flags (area messages), then one
    float column per area id of the instruments present (NaN where an
    instrument has no such area). Ordered by participant, then time.

    Raises ValueError (naming the item) when an answer does not fit its
    instrument, and for an instrument that is not registered.
    """
    rows = []
    area_ids: list[str] = []
    for a in journal.assessments:
        s = _core.score(a.instrument, list(a.answers))
        row = {
            "participant": a.participant,
            "id": a.id,
            "time": pd.Timestamp(a.time).tz_convert("UTC"),
            "instrument": a.instrument,
            "total": float(s["total"]),
            "band": s["band"] or None,  # missing text is a missing value
            "flags": list(s["flags"]),
        }
        for area, value in s["areas"].items():
            if area not in area_ids:
                area_ids.append(area)
            row[area] = float(value)
        rows.append(row)
    def floats(name: str) -> np.ndarray:
        return np.array([r.get(name, np.nan) for r in rows], dtype="float64")

    # Text and times with the dtypes of to_pandas() (calmkit._frames).
    cols: dict[str, Any] = {name: _frames.text([r[name] for r in rows])
                            for name in ("participant", "id")}
    cols["time"] = _frames.utc_times([r["time"] for r in rows])
    cols["instrument"] = _frames.text([r["instrument"] for r in rows])
    cols["total"] = floats("total")
    cols["band"] = _frames.text([r["band"] for r in rows])
    cols["flags"] = pd.Series([r["flags"] for r in rows], dtype=object)
    for area in area_ids:
        cols[area] = floats(area)
    return _frames.frame(cols, index=pd.RangeIndex(len(rows)))


def assessment_change(journal: _core.Journal) -> pd.DataFrame:
    """Change per participant and instrument: one row each with ``n`` (number
    of assessments), ``first_time``/``latest_time``, ``first_total``/
    ``latest_total``, ``change`` (latest minus first; negative = fewer
    symptoms, since higher scores mean more anxiety in both built-ins) and
    ``trend_per_week``: the least-squares slope of the total against time in
    weeks (NaN with fewer than two assessments at distinct times).
    """
    scores = assessment_scores(journal)
    out = []
    for (participant, instrument), g in scores.groupby(["participant", "instrument"], sort=True):
        g = g.sort_values("time", kind="stable")
        weeks = (g["time"] - g["time"].iloc[0]).dt.total_seconds().to_numpy() / _SECONDS_PER_WEEK
        totals = g["total"].to_numpy(dtype="float64")
        slope = np.nan
        if len(g) >= 2 and np.ptp(weeks) > 0:
            dx = weeks - weeks.mean()
            slope = float((dx * (totals - totals.mean())).sum() / (dx * dx).sum())
        out.append({
            "participant": participant,
            "instrument": instrument,
            "n": len(g),
            "first_time": g["time"].iloc[0],
            "latest_time": g["time"].iloc[-1],
            "first_total": float(totals[0]),
            "latest_total": float(totals[-1]),
            "change": float(totals[-1] - totals[0]),
            "trend_per_week": slope,
        })
    def column(name: str, dtype: str) -> np.ndarray:
        return np.array([r[name] for r in out], dtype=dtype)

    return _frames.frame({
        "participant": _frames.text([r["participant"] for r in out]),
        "instrument": _frames.text([r["instrument"] for r in out]),
        "n": column("n", "int64"),
        "first_time": _frames.utc_times([r["first_time"] for r in out]),
        "latest_time": _frames.utc_times([r["latest_time"] for r in out]),
        **{name: column(name, "float64") for name in ("first_total", "latest_total", "change", "trend_per_week")},
    }, index=pd.RangeIndex(len(out)))
