"""affect_dynamics' same-local-date rule against a plain pandas/numpy
computation of the literature definitions, on series that cross midnight,
travel between offsets and DST changes of an IANA zone.

docs/metrics.md: MSSD = sum of squared successive differences over the
pairs used (von Neumann et al. 1941; Jahng, Wood & Trull 2008), RMSSD its
root, inertia the Pearson correlation of the pairs (x_i, x_{i+1}) (Kuppens,
Allen & Sheeber 2010; NaN below 3 pairs or without variance), PAC the share
of pairs with |change| >= c (Trull et al. 2008). A pair is used only when
both points fall on one local date: each record's own offset, or with
``tz`` the date in that zone (Python's zoneinfo here, through pandas'
tz_convert). The series is the readings and trigger onsets by time, an
onset before a reading at the same instant, readings at one instant by
(offset, intensity). The psych comparisons (test_references,
test_breaker_s36s_dynamics) have no gaps; these have many.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import calmkit


def _iso(utc: pd.Timestamp, offset: int) -> str:
    local = utc + pd.Timedelta(minutes=offset)
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def _cohort(seed: int):
    """Ten people, 3 weeks around a DST change of New York (2026-03-08) and
    of Europe (2026-03-29), readings every few hours (often near midnight),
    triggers now and then, offsets that change (travel), some readings at
    one instant."""
    rng = np.random.default_rng(seed)
    j = calmkit.Journal()
    rows = []
    for p in range(10):
        who = f"s{p}"
        offsets = [[-300, -240], [60, 120], [0, 330], [-240], [540, -420]][p % 5]
        t = pd.Timestamp("2026-03-01T00:00:00Z") + pd.Timedelta(minutes=int(rng.integers(0, 600)))
        k = 0
        for _ in range(int(rng.integers(20, 120))):
            t = t + pd.Timedelta(minutes=int(rng.choice([0, 15, 90, 240, 600, 1300])))
            off = int(rng.choice(offsets))
            x = int(rng.integers(0, 11))
            if rng.random() < 0.15:
                k += 1
                j.add(calmkit.Trigger(participant=who, id=f"t{k}", time=_iso(t, off), category="conflict",
                                      intensity=x))
                rows.append((who, t, 0, f"t{k}", off, x))
            else:
                j.add(calmkit.Reading(participant=who, time=_iso(t, off), intensity=x))
                rows.append((who, t, 1, "", off, x))
    return j, pd.DataFrame(rows, columns=["participant", "utc", "kind", "id", "offset", "x"])


def _reference(rows: pd.DataFrame, tz: str | None, c: int, max_gap_hours: float | None) -> pd.DataFrame:
    out = {}
    for who, g in rows.groupby("participant"):
        # An onset (kind 0) before a reading (kind 1) at one instant; onsets there in the
        # journal's record order (offset, then id), readings (no id) by offset, then intensity.
        g = g.sort_values(["utc", "kind", "offset", "id", "x"], kind="stable")
        if tz is None:
            day = (g["utc"].dt.tz_localize(None) + pd.to_timedelta(g["offset"], unit="min")).dt.normalize()
        else:
            day = g["utc"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
        x = g["x"].to_numpy(float)
        if max_gap_hours is None:
            use = day.to_numpy()[1:] == day.to_numpy()[:-1]
        else:
            gap = np.diff(g["utc"].to_numpy()).astype("timedelta64[us]").astype(np.int64) / 3.6e9
            use = gap <= max_gap_hours
        a, b = x[:-1][use], x[1:][use]
        d = b - a
        n = len(d)
        inertia = math.nan
        if n >= 3 and a.std() > 0 and b.std() > 0:
            inertia = float(np.corrcoef(a, b)[0, 1])
        out[who] = {"observations": len(x), "pairs": n, "mssd": np.mean(d ** 2) if n else math.nan,
                    "inertia": inertia, "pac": np.mean(np.abs(d) >= c) if n else math.nan}
    return pd.DataFrame.from_dict(out, orient="index")


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("tz, c, gap", [(None, 3, None), ("America/New_York", 3, None),
                                        ("Europe/Berlin", 2, None), ("Asia/Kolkata", 5, None),
                                        (None, 3, 6.0), (None, 4, 0.25)])
def test_dynamics_equal_pandas_on_local_dates(seed: int, tz: str | None, c: int, gap: float | None) -> None:
    j, rows = _cohort(seed)
    ref = _reference(rows, tz, c, gap)
    got = calmkit.affect_dynamics(j, acute_change=c, max_gap_hours=gap, tz=tz)
    got = got.assign(participant=got["participant"].astype(str)).set_index("participant")
    assert sorted(got.index) == sorted(ref.index)
    ref = ref.loc[got.index]
    assert got["observations"].tolist() == ref["observations"].tolist()
    assert got["pairs"].tolist() == ref["pairs"].tolist()
    assert (ref["pairs"] < ref["observations"] - 1).any()  # gaps are exercised
    np.testing.assert_allclose(got["mssd"], ref["mssd"], rtol=1e-12)
    np.testing.assert_allclose(got["rmssd"], np.sqrt(ref["mssd"].to_numpy(float)), rtol=1e-12)
    np.testing.assert_allclose(got["pac"], ref["pac"], rtol=1e-12)
    np.testing.assert_allclose(got["inertia"], ref["inertia"], rtol=1e-9, atol=1e-12)
    assert ref["inertia"].notna().sum() >= 5


def test_a_dst_night_keeps_its_pairs_in_the_zone() -> None:
    # New York, 2026-03-08: clocks jump 02:00 -> 03:00. Readings at 01:30 EST
    # (06:30Z), 03:30 EDT (07:30Z) and 23:30 EDT (03:30Z on the 9th) are all
    # on the 8th: two pairs; 00:30 EDT on the 9th (04:30Z) is another date.
    j = calmkit.Journal()
    for utc, x in (("2026-03-08T06:30:00Z", 7), ("2026-03-08T07:30:00Z", 2), ("2026-03-09T03:30:00Z", 5),
                   ("2026-03-09T04:30:00Z", 9)):
        j.add(calmkit.Reading(participant="ny", time=utc, intensity=x))
    got = calmkit.affect_dynamics(j, tz="America/New_York").iloc[0]
    assert (got["observations"], got["pairs"]) == (4, 2)
    assert got["mssd"] == ((2 - 7) ** 2 + (5 - 2) ** 2) / 2
