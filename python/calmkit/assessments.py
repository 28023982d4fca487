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
from ._calls import need_choice, need_journal

__all__ = ["assessment_change", "assessment_scores"]

_SECONDS_PER_WEEK = 7 * 24 * 3600.0


def assessment_scores(journal: _core.Journal) -> pd.DataFrame:
    """One row per assessment: participant, id, time (UTC), local_time (the
    wall clock recorded with it), instrument, total,
    band (<NA> when the instrument has no bands), flags (area messages), then one
    float column per area id of the instruments present (NaN where an
    instrument has no such area). Ordered by participant, then time, then id.

    Raises ValueError (naming the item) when an answer does not fit its
    instrument, and for an instrument that is not registered.
    """
    need_journal(journal, "assessment_scores")
    rows = []
    area_ids: list[str] = []
    frame = journal.assessments.to_pandas()
    local = dict(zip(zip(frame["participant"].astype(str), frame["id"].astype(str)), frame["local_time"]))
    for a in journal.assessments:
        s = _core.score(a.instrument, list(a.answers))
        row = {
            "participant": a.participant,
            "id": a.id,
            "time": pd.Timestamp(a.time).tz_convert("UTC"),
            "local_time": local.get((a.participant, a.id)),
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
    cols["local_time"] = _frames.local_times([r["local_time"] for r in rows])
    cols["instrument"] = _frames.text([r["instrument"] for r in rows])
    cols["total"] = floats("total")
    cols["band"] = _frames.text([r["band"] for r in rows])
    cols["flags"] = pd.Series([r["flags"] for r in rows], dtype=object)
    for area in area_ids:
        cols[area] = floats(area)
    out = _frames.frame(cols, index=pd.RangeIndex(len(rows)))
    return out.sort_values(["participant", "time", "id"], kind="stable").reset_index(drop=True)


def assessment_change(journal: _core.Journal, by: str | None = "participant") -> pd.DataFrame:
    """Change per participant and instrument (``by="participant"``): one row
    each with ``n`` (number of assessments), ``first_time``/``latest_time``,
    ``first_total``/``latest_total``, ``change`` (latest minus first;
    negative = fewer symptoms, since higher scores mean more anxiety in both
    built-ins), ``trend_per_week`` (the least-squares slope of the total
    against time in weeks; NaN with fewer than two assessments at distinct
    times), ``first_local_time``/``latest_local_time`` (the wall clock
    recorded with them) and ``first_band``/``latest_band`` (<NA> when the
    instrument has no bands). First and latest are by time, then by id for
    assessments at the same instant.

    ``by=None``: one row per instrument for the cohort: ``participants``
    (with at least one assessment), ``repeated`` (with two or more),
    ``lower``/``unchanged``/``higher`` (of the repeated: latest total below,
    equal to, above the first) and ``mean_change``/``median_change`` over the
    repeated (NaN when none). A ValueError for another ``by``.
    """
    need_choice(by, "by", ("participant", None))
    if by not in ("participant", None):
        raise ValueError(f"by must be 'participant' or None (pooled), got {by!r}")
    need_journal(journal, "assessment_change")
    scores = assessment_scores(journal)
    out = []
    for (participant, instrument), g in scores.groupby(["participant", "instrument"], sort=True):
        g = g.sort_values(["time", "id"], kind="stable")
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
            "first_local_time": g["local_time"].iloc[0],
            "latest_local_time": g["local_time"].iloc[-1],
            "first_band": g["band"].iloc[0],
            "latest_band": g["band"].iloc[-1],
        })
    def column(name: str, dtype: str) -> np.ndarray:
        return np.array([r[name] for r in out], dtype=dtype)

    each = _frames.frame({
        "participant": _frames.text([r["participant"] for r in out]),
        "instrument": _frames.text([r["instrument"] for r in out]),
        "n": column("n", "int64"),
        "first_time": _frames.utc_times([r["first_time"] for r in out]),
        "latest_time": _frames.utc_times([r["latest_time"] for r in out]),
        **{name: column(name, "float64") for name in ("first_total", "latest_total", "change", "trend_per_week")},
        "first_local_time": _frames.local_times([r["first_local_time"] for r in out]),
        "latest_local_time": _frames.local_times([r["latest_local_time"] for r in out]),
        "first_band": _frames.text([None if pd.isna(r["first_band"]) else r["first_band"] for r in out]),
        "latest_band": _frames.text([None if pd.isna(r["latest_band"]) else r["latest_band"] for r in out]),
    }, index=pd.RangeIndex(len(out)))
    if by == "participant":
        return each
    rows = []
    for instrument, g in each.groupby("instrument", sort=True):
        repeated = g[g["n"] >= 2]["change"].to_numpy(dtype="float64")
        rows.append({
            "instrument": instrument, "participants": len(g), "repeated": len(repeated),
            "lower": int((repeated < 0).sum()), "unchanged": int((repeated == 0).sum()),
            "higher": int((repeated > 0).sum()),
            "mean_change": float(repeated.mean()) if len(repeated) else np.nan,
            "median_change": float(np.median(repeated)) if len(repeated) else np.nan,
        })
    return _frames.frame({
        "instrument": _frames.text([r["instrument"] for r in rows]),
        **{name: np.array([r[name] for r in rows], dtype="int64")
           for name in ("participants", "repeated", "lower", "unchanged", "higher")},
        **{name: np.array([r[name] for r in rows], dtype="float64") for name in ("mean_change", "median_change")},
    }, index=pd.RangeIndex(len(rows)))


