"""One name per concept between the per-period frames, and one clock for
the calendar metrics.

B235: ``practice_consistency`` named its period column ``week_start`` (C++
``PracticeWeekTable::week_start``, JavaScript ``weekStart``) where every
other per-period table (``trigger_frequency``, ``time_to_calm_summary(by=
"week")``, ``trigger_trend_weeks``, ``window_of_uncertainty(by="week")``)
names the same concept ``period_start``.

B236: ``trigger_weekday_hour`` and its ``_summary`` had no ``tz``: a weekday
and an hour are local times, and every other calendar metric takes ``tz=``
(an IANA name or a POSIX rule) for the wall clock of a zone instead of each
record's own offset. Checked against pandas' own ``tz_convert`` /
``dayofweek`` / ``hour`` on a journal with several offsets around Kyiv's
spring DST change (2026-03-29 01:00 UTC).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]


def test_practice_consistency_names_its_period_like_the_other_frames() -> None:
    journal = calmkit.synthetic_journal(participants=2, days=21, seed=4)
    practice = calmkit.practice_consistency(journal)
    weekly = calmkit.trigger_frequency(journal, period="week")
    assert "week_start" not in practice.columns
    assert list(practice.columns[:2]) == ["participant", "period_start"]
    assert practice["period_start"].dtype == weekly["period_start"].dtype
    # the same zero-filled week grid as trigger_frequency
    assert practice[["participant", "period_start"]].equals(weekly[["participant", "period_start"]])
    pooled = calmkit.practice_consistency(journal, by=None)
    assert "period_start" in pooled.columns and "week_start" not in pooled.columns
    for path in ("include/calmkit/metrics/practice.hpp", "bindings/python/metrics.cpp", "bindings/js/src/core.cpp",
                 "bindings/js/src/index.d.ts", "docs/data-dictionary.md"):
        text = (REPO / path).read_text(encoding="utf-8")
        assert "week_start" not in text.replace("iso_week_start", "") and "weekStart" not in text, path


def _kyiv_journal(tmp_path: Path) -> calmkit.Journal:
    # instants every 97 minutes over four days around the change, each written with one of several offsets
    start = pd.Timestamp("2026-03-27T18:00:00Z")
    offsets = [120, 180, 60, -300, 330, 0]
    lines = [json.dumps({"type": "header", "format": "calmkit-journal", "version": 1})]
    for i in range(64):
        utc = start + pd.Timedelta(minutes=97 * i)
        off = offsets[i % len(offsets)]
        local = utc + pd.Timedelta(minutes=off)
        sign = "+" if off >= 0 else "-"
        stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}"
        lines.append(json.dumps({"type": "trigger", "id": f"t{i}", "participant": "p1" if i % 3 else "p2",
                                 "time": stamp, "intensity": 6, "category": "other"}))
    path = tmp_path / "kyiv.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return calmkit.read_journal(path)


def _pandas_cells(t: pd.DataFrame, local: pd.Series) -> pd.DataFrame:
    cells = pd.DataFrame({"participant": t["participant"].astype(str), "weekday": local.dt.dayofweek,
                          "hour": local.dt.hour})
    return cells.groupby(["participant", "weekday", "hour"]).size().rename("count").reset_index()


def _nonzero(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[frame["count"] > 0].assign(participant=lambda f: f["participant"].astype(str))
    out = out.astype({"weekday": np.int64, "hour": np.int64, "count": np.int64})
    return out.sort_values(["participant", "weekday", "hour"]).reset_index(drop=True)[
        ["participant", "weekday", "hour", "count"]]


def test_weekday_hour_in_a_zone_agrees_with_pandas(tmp_path: Path) -> None:
    journal = _kyiv_journal(tmp_path)
    t = journal.triggers.to_pandas()
    kyiv = t["time"].dt.tz_convert("Europe/Kyiv")
    assert set(kyiv.dt.strftime("%z")) == {"+0200", "+0300"}  # both sides of the change
    expected = _pandas_cells(t, kyiv).sort_values(["participant", "weekday", "hour"]).reset_index(drop=True)
    got = calmkit.trigger_weekday_hour(journal, tz="Europe/Kyiv")
    assert len(got) == 168 * 2 and int(got["count"].sum()) == len(t)
    pd.testing.assert_frame_equal(_nonzero(got), expected.astype({"weekday": np.int64, "hour": np.int64,
                                                                   "count": np.int64}))
    # a POSIX rule for the same zone gives the same cells
    assert calmkit.trigger_weekday_hour(journal, tz="EET-2EEST,M3.5.0/3,M10.5.0/4").equals(got)


def test_weekday_hour_default_is_each_records_own_clock(tmp_path: Path) -> None:
    journal = _kyiv_journal(tmp_path)
    t = journal.triggers.to_pandas()
    own = t["time"].dt.tz_localize(None) + pd.to_timedelta(t["offset_minutes"], unit="min")
    expected = _pandas_cells(t, own).sort_values(["participant", "weekday", "hour"]).reset_index(drop=True)
    got = calmkit.trigger_weekday_hour(journal)
    pd.testing.assert_frame_equal(_nonzero(got), expected.astype({"weekday": np.int64, "hour": np.int64,
                                                                   "count": np.int64}))
    assert not got.equals(calmkit.trigger_weekday_hour(journal, tz="Europe/Kyiv"))


def test_weekday_hour_summary_takes_the_zone(tmp_path: Path) -> None:
    journal = _kyiv_journal(tmp_path)
    s = calmkit.trigger_weekday_hour_summary(journal, tz="Europe/Kyiv", by=None).iloc[0]
    kyiv = journal.triggers.to_pandas()["time"].dt.tz_convert("Europe/Kyiv")
    night = int(((kyiv.dt.hour >= 22) | (kyiv.dt.hour < 4)).sum())
    assert int(s["night_count"]) == night
    assert int(s["busiest_weekday"]) == int(kyiv.dt.dayofweek.value_counts().sort_index().idxmax())


@pytest.mark.parametrize("tz", ["Mars/Olympus", 5, ""])
def test_weekday_hour_bad_zone_is_named(tmp_path: Path, tz: object) -> None:
    journal = _kyiv_journal(tmp_path)
    with pytest.raises((TypeError, ValueError)) as e:
        calmkit.trigger_weekday_hour(journal, tz=tz)
    assert "tz" in str(e.value) or "zone" in str(e.value), str(e.value)
