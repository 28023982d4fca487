"""The summary's median and its interval against a Kaplan-Meier written here from docs/metrics.md.

The median is the smallest observed time with S <= 0.5, decided exactly
(S from the counts as a fraction); the interval inverts Greenwood's band on
the complementary log-log scale: ci_low the smallest time whose lower band is
<= 0.5, ci_high the smallest whose upper band is, NaN where the band never gets
there or once S = 0. The episode frames are made to sit on the edges: many
ties, S exactly 1/2 at some time, everyone calmed, no one calmed, one episode,
and groups of 2 to 400 episodes; the numbers come from time_to_calm_summary of
the frame (by participant, pooled) and of the journal after adds. A group whose
band comes within 1e-9 of 0.5 is left out (the last bit of exp decides it).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import calmkit


def reference(minutes: list[float], calmed: list[bool], confidence: float = 0.95) -> tuple | None:
    """(median, ci_low, ci_high) with NaN for none; None when the band is too close to 0.5 to say."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    times = sorted(set(minutes))
    s_exact = Fraction(1)
    var = 0.0
    at_risk = len(minutes)
    median = low = high = math.nan
    for t in times:
        d = sum(1 for m, c in zip(minutes, calmed) if m == t and c)
        gone = sum(1 for m in minutes if m == t)
        if d:
            s_exact *= Fraction(at_risk - d, at_risk)
            if math.isnan(median) and s_exact <= Fraction(1, 2):
                median = t
            if s_exact == 0:
                return median, low, high  # the band is NaN from here on
            var += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            s = float(s_exact)
            e = math.exp(z * math.sqrt(var) / abs(math.log(s)))
            lo_band, hi_band = s ** e, s ** (1 / e)
            for band in (lo_band, hi_band):
                if abs(band - 0.5) < 1e-9:
                    return None
            if math.isnan(low) and lo_band <= 0.5:
                low = t
            if math.isnan(high) and hi_band <= 0.5:
                high = t
        at_risk -= gone
    return median, low, high


def _frame(seed: int) -> pd.DataFrame:
    """An episode frame of time_to_calm's shape, its minutes and calmed flags redrawn per participant."""
    j = calmkit.synthetic_journal(participants=12, days=120, seed=seed)
    eps = calmkit.time_to_calm(j)
    rng = random.Random(seed)
    minutes = eps["minutes"].to_numpy().copy()
    calmed = eps["calmed"].to_numpy().copy()
    for k, (_, idx) in enumerate(eps.groupby("participant", observed=True).indices.items()):
        n = rng.choice([1, 2, 3, 4, 6, 8, 10, 16, 40, len(idx)])
        keep = idx[:n]
        style = k % 6
        for i in keep:
            if style == 0:  # heavy ties
                minutes[i], calmed[i] = float(rng.choice([5, 10, 15])), rng.random() < 0.6
            elif style == 1:  # everyone calmed, on few distinct times
                minutes[i], calmed[i] = float(rng.randrange(1, 6)), True
            elif style == 2:  # no one calmed
                minutes[i], calmed[i] = float(rng.randrange(1, 600)), False
            elif style == 3:  # half calm at one time: S = 1/2 exactly there
                minutes[i], calmed[i] = 30.0, bool((i - keep[0]) % 2)
            elif style == 4:  # continuous times, some censoring
                minutes[i], calmed[i] = rng.uniform(0, 720), rng.random() < 0.7
            else:  # zeros and the window's end
                minutes[i], calmed[i] = rng.choice([0.0, 0.0, 720.0, 1.5]), rng.random() < 0.5
        drop = idx[n:]
        minutes[drop], calmed[drop] = -1.0, False
    out = eps.assign(minutes=minutes, calmed=calmed)
    out = out[out.minutes >= 0].reset_index(drop=True)
    out.attrs = dict(eps.attrs)
    return out


def _check(summary: pd.DataFrame, eps: pd.DataFrame, key: str | None, confidence: float = 0.95) -> int:
    checked = 0
    groups = [(None, eps)] if key is None else list(eps.groupby(key, observed=True))
    for name, g in groups:
        want = reference(list(g.minutes), list(g.calmed), confidence)
        if want is None:
            continue
        row = summary if key is None else summary[summary[key] == name]
        assert len(row) == 1, name
        got = tuple(float(row[c].iloc[0]) for c in ("median_minutes", "ci_low", "ci_high"))
        assert np.allclose(got, want, rtol=0, atol=0, equal_nan=True), (name, got, want, len(g), int(g.calmed.sum()))
        checked += 1
    return checked


@pytest.mark.parametrize("seed", range(6))
def test_median_and_interval_of_edge_frames(seed: int) -> None:
    eps = _frame(seed)
    assert _check(calmkit.time_to_calm_summary(eps, by="participant"), eps, "participant") >= 8
    _check(calmkit.time_to_calm_summary(eps, by=None), eps, None)
    assert _check(calmkit.time_to_calm_summary(eps, by="participant", confidence=0.5), eps, "participant",
                  0.5) >= 8


def test_an_exact_half_is_the_median() -> None:
    eps = _frame(3)
    summary = calmkit.time_to_calm_summary(eps, by="participant")
    halves = [name for name, g in eps.groupby("participant", observed=True)
              if len(g) % 2 == 0 and set(g.minutes) == {30.0} and g.calmed.sum() * 2 == len(g)]
    assert halves
    for name in halves:
        assert float(summary.loc[summary.participant == name, "median_minutes"].iloc[0]) == 30.0


@pytest.mark.parametrize("threads", [1, 2])
def test_journal_summaries_after_adds(threads: int) -> None:
    old = calmkit.threads()
    calmkit.set_threads(threads)
    try:
        j = calmkit.synthetic_journal(participants=5, days=28, seed=31)
        calmkit.time_to_calm_summary(j, by="participant")
        p = j.participants()[2]
        t0 = min(t.time for t in j.triggers if t.participant == p)
        for k in range(4):
            when = t0 + dt.timedelta(days=k, hours=3)
            j.add(calmkit.Trigger(participant=p, id=f"km-{k}", time=when, category="other", intensity=9))
            j.add(calmkit.Reading(participant=p, time=when + dt.timedelta(minutes=7 * k), intensity=1,
                                  trigger=f"km-{k}"))
            eps = calmkit.time_to_calm(j)
            assert _check(calmkit.time_to_calm_summary(j, by="participant"), eps, "participant") >= 4
            _check(calmkit.time_to_calm_summary(j, by=None), eps, None)
    finally:
        calmkit.set_threads(old)
