"""trigger_frequency against pandas, on local days, ISO weeks and months across DST.

A random, interleaved cohort (participants' lines shuffled together, each
record in its own UTC offset, as a phone that travels writes them): the
counts and mean intensities per participant and period must equal what pandas
gives when it converts each instant with its own time-zone database
(``Series.dt.tz_convert``, not calmkit's ``TimeZone``), floors it to the local
date, ISO week (Monday) or month, and zero-fills each participant's span (the
local dates of their earliest and latest record of any type, exercise ends
included, each end in its own offset: docs/metrics.md "Local dates" and
test_reference_edges). The zones have DST gaps and folds of
one hour and of 30 minutes (Australia/Lord_Howe), a 45-minute offset
(Asia/Kathmandu), a southern-hemisphere rule (America/Santiago) and a zone
whose rule changed (Europe/Kyiv); the instants crowd the transition nights.
Without ``tz`` each record's own offset dates it; the reference then adds the
offset by hand.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

import calmkit

ZONES = ["America/New_York", "Europe/Kyiv", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago"]
# Nights of DST changes in 2025/2026 for these zones (UTC, roughly: instants are spread around them).
TRANSITIONS = ["2025-10-26T01:00:00Z", "2025-11-02T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-29T01:00:00Z",
               "2026-04-04T15:00:00Z", "2025-10-04T15:30:00Z", "2026-04-05T03:00:00Z", "2025-09-07T04:00:00Z"]
OFFSETS = [-600, -300, -240, -180, 0, 60, 120, 180, 330, 345, 630, 660, 780, 840]


def _iso(utc: datetime, offset: int) -> str:
    local = utc + timedelta(minutes=offset)
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def _cohort(seed: int) -> tuple[str, list[dict[str, Any]]]:
    """JSON Lines text (shuffled) and the records as (participant, kind, utc, offset, intensity, end_utc)."""
    rng = random.Random(seed)
    lines, rows = [], []
    for p in range(6):
        who = f"p{p}"
        n = rng.randint(0, 60)  # a participant may have no trigger at all
        for k in range(n):
            base = datetime.fromisoformat(rng.choice(TRANSITIONS).replace("Z", "+00:00"))
            utc = base + timedelta(minutes=rng.randint(-72 * 60, 72 * 60))
            off = rng.choice(OFFSETS)
            x = rng.randint(0, 10)
            lines.append({"type": "trigger", "participant": who, "id": f"t{k}", "time": _iso(utc, off),
                          "category": "other", "intensity": x})
            rows.append({"participant": who, "utc": utc, "offset": off, "trigger": True, "intensity": x})
        for k in range(rng.randint(1, 15)):
            base = datetime.fromisoformat(rng.choice(TRANSITIONS).replace("Z", "+00:00"))
            utc = base + timedelta(minutes=rng.randint(-20 * 24 * 60, 20 * 24 * 60))
            off = rng.choice(OFFSETS)
            if rng.random() < 0.5:
                lines.append({"type": "reading", "participant": who, "time": _iso(utc, off), "intensity": 2})
                rows.append({"participant": who, "utc": utc, "offset": off, "trigger": False, "intensity": 0})
            else:  # an exercise whose end may fall days later (its end dates the span too)
                end = utc + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
                end_off = rng.choice(OFFSETS)
                lines.append({"type": "exercise", "participant": who, "id": f"e{k}", "time": _iso(utc, off),
                              "end": _iso(end, end_off), "exercise": "breathing.4-7-8"})
                rows.append({"participant": who, "utc": utc, "offset": off, "trigger": False, "intensity": 0})
                rows.append({"participant": who, "utc": end, "offset": end_off, "trigger": False, "intensity": 0})
    rng.shuffle(lines)
    return "".join(json.dumps(r) + "\n" for r in lines), rows


def _period_start(dates: pd.Series, period: str) -> pd.Series:
    d = pd.to_datetime(dates)
    if period == "day":
        return d
    if period == "week":
        return d - pd.to_timedelta(d.dt.weekday, unit="D")
    return d.dt.to_period("M").dt.start_time


def _reference(rows: list[dict[str, Any]], period: str, tz: str | None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    utc = pd.to_datetime(df["utc"], utc=True)
    if tz is None:  # each record's own offset (an exercise's end: in its own, test_reference_edges)
        local = utc.dt.tz_localize(None) + pd.to_timedelta(df["offset"], unit="m")
    else:
        local = utc.dt.tz_convert(tz).dt.tz_localize(None)
    df["start"] = _period_start(local.dt.normalize(), period)
    out = []
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[period]
    for p, g in df.groupby("participant", sort=True):
        periods = pd.date_range(g["start"].min(), g["start"].max(), freq=freq)
        trig = g[g["trigger"]]
        counts = trig.groupby("start")["intensity"].agg(["size", "mean"])
        for s in periods:
            c = int(counts["size"].get(s, 0))
            out.append({"participant": p, "period_start": s, "count": c,
                        "mean_intensity": float(counts["mean"].get(s)) if c else np.nan})
    return pd.DataFrame(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("tz", [None, *ZONES])
@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_trigger_frequency_equals_a_pandas_resample_in_local_time(seed: int, tz: str | None, period: str) -> None:
    text, rows = _cohort(seed)
    journal = calmkit.parse_journal(text)
    got = calmkit.trigger_frequency(journal, period=period, tz=tz)
    want = _reference(rows, period, tz)
    got = got.assign(participant=got["participant"].astype(str)).reset_index(drop=True)
    assert list(got.columns) == ["participant", "period_start", "count", "mean_intensity"]
    assert got[["participant", "period_start"]].values.tolist() == want[["participant", "period_start"]].values.tolist()
    assert got["count"].tolist() == want["count"].tolist()
    np.testing.assert_allclose(got["mean_intensity"].to_numpy(float), want["mean_intensity"].to_numpy(float),
                               rtol=1e-12, equal_nan=True)
    # The pooled table is the sum over participants, zero-filled over the union of spans.
    pooled = calmkit.trigger_frequency(journal, period=period, tz=tz, by=None)
    sums = want.groupby("period_start")["count"].sum()
    full = pd.date_range(sums.index.min(), sums.index.max(),
                         freq={"day": "D", "week": "W-MON", "month": "MS"}[period])
    assert pooled["period_start"].tolist() == list(full)
    assert pooled["count"].tolist() == [int(sums.get(s, 0)) for s in full]


def test_the_instants_crowd_the_transition_nights() -> None:
    # The cohort is meant to test DST: many triggers fall within a day of a change in some zone.
    _, rows = _cohort(1)
    near = sum(any(abs((r["utc"] - datetime.fromisoformat(t.replace("Z", "+00:00"))).total_seconds()) < 86400
                   for t in TRANSITIONS) for r in rows if r["trigger"])
    assert near > 50
