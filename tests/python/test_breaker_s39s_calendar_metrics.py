"""The calendar metrics that test_breaker_local_periods does not cover
(practice_consistency, practice_streaks, window_of_uncertainty by week and
trigger_trend_weeks' exposure days), per participant and pooled, against
pandas, in each record's own offset and in IANA zones across their DST
nights (pandas' tz_convert with Python's zoneinfo as the reference, not
calmkit's TimeZone).

docs/metrics.md: a session belongs to the local date of its start
("Local dates"); a participant's span runs from the local date of their
earliest record of any type (exercise ends included) to their latest;
Consistency is the number of local dates (0-7) per ISO week of the span with
a completed exercise and the completed sessions; Streaks are runs of
consecutive practice days, the current one ending on the last record date or
the day before. window_of_uncertainty: per ISO week, triggers, urges with
acted_on_urge recorded, those not acted on, and the type-7 quartiles of the
minutes before acting.

The records crowd the transition nights of New York (2026-03-08,
2026-11-01), Berlin (2026-03-29, 2026-10-25) and Sydney (2026-04-05,
2026-10-04).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import calmkit

_NIGHTS = ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z",
           "2026-04-04T16:00:00Z", "2026-10-03T16:00:00Z"]


def _iso(utc: pd.Timestamp, offset: int) -> str:
    local = utc + pd.Timedelta(minutes=offset)
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


@pytest.fixture(scope="module")
def cohort():
    rng = np.random.default_rng(3939)
    j = calmkit.Journal()
    rec = []  # participant, kind, utc, offset, extra...
    for p in range(8):
        who = f"c{p}"
        offsets = [[-300, -240], [60, 120], [600, 660], [0], [-240, 120, 660], [330], [-300], [120]][p]
        night = pd.Timestamp(_NIGHTS[p % len(_NIGHTS)])
        k = 0
        for _ in range(int(rng.integers(30, 90))):
            # Within 3 weeks of a transition night, many within hours of it.
            spread = 3 * 3600 if rng.random() < 0.4 else 21 * 86400
            t = night + pd.Timedelta(seconds=int(rng.integers(-spread, spread)))
            off = int(rng.choice(offsets))
            k += 1
            kind = rng.choice(["trigger", "exercise", "reading"], p=[0.4, 0.4, 0.2])
            if kind == "trigger":
                acted = [None, True, False][int(rng.integers(0, 3))]
                minutes = float(rng.integers(0, 240)) if acted and rng.random() < 0.8 else None
                j.add(calmkit.Trigger(participant=who, id=f"t{k}", time=_iso(t, off), category="conflict",
                                      intensity=int(rng.integers(0, 11)), acted_on_urge=acted,
                                      acted_after_minutes=minutes))
                rec.append((who, "trigger", t, off, acted, minutes, None))
            elif kind == "exercise":
                end = t + pd.Timedelta(minutes=int(rng.integers(1, 300)))
                end_off = int(rng.choice(offsets))
                done = bool(rng.random() < 0.75)
                j.add(calmkit.ExerciseSession(participant=who, id=f"x{k}", time=_iso(t, off), end=_iso(end, end_off),
                                              exercise="breathing.box", completed=done))
                rec.append((who, "exercise", t, off, done, None, None))
                rec.append((who, "end", end, end_off, None, None, None))
            else:
                j.add(calmkit.Reading(participant=who, time=_iso(t, off), intensity=int(rng.integers(0, 11))))
                rec.append((who, "reading", t, off, None, None, None))
    frame = pd.DataFrame(rec, columns=["participant", "kind", "utc", "offset", "flag", "minutes", "_"])
    return j, frame


def _local_day(f: pd.DataFrame, tz: str | None) -> pd.Series:
    if tz is None:
        return (f["utc"].dt.tz_localize(None) + pd.to_timedelta(f["offset"], unit="min")).dt.normalize()
    return f["utc"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def _monday(day: pd.Series) -> pd.Series:
    return day - pd.to_timedelta(day.dt.weekday, unit="D")


def _weeks(f: pd.DataFrame) -> dict[str, pd.DatetimeIndex]:
    """Each participant's span as ISO weeks (Mondays)."""
    return {p: pd.date_range(g["week"].min(), g["week"].max(), freq="7D") for p, g in f.groupby("participant")}


_ZONES = [None, "America/New_York", "Europe/Berlin", "Australia/Sydney"]


@pytest.mark.parametrize("tz", _ZONES)
def test_practice_weeks_and_streaks_equal_pandas(cohort, tz: str | None) -> None:
    j, rec = cohort
    f = rec.assign(day=_local_day(rec, tz))
    f["week"] = _monday(f["day"])
    spans = _weeks(f)
    done = f[(f["kind"] == "exercise") & (f["flag"] == True)]  # noqa: E712 - object column
    rows = []
    for p, weeks in spans.items():
        g = done[done["participant"] == p]
        per = g.groupby("week").agg(days=("day", "nunique"), sessions=("day", "size")).reindex(weeks, fill_value=0)
        rows.append(per.assign(participant=p).rename_axis("period_start").reset_index())
    ref = pd.concat(rows, ignore_index=True)
    got = calmkit.practice_consistency(j, tz=tz)
    assert got["participant"].astype(str).tolist() == ref["participant"].tolist()
    assert (pd.to_datetime(got["period_start"]).to_numpy() == ref["period_start"].to_numpy()).all()
    assert got["practice_days"].tolist() == ref["days"].tolist()
    assert got["sessions"].tolist() == ref["sessions"].tolist()

    pooled = calmkit.practice_consistency(j, tz=tz, by=None)
    s = ref.groupby("period_start").agg(days=("days", "sum"), sessions=("sessions", "sum"),
                                        participants=("participant", "size"))
    s = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="7D"), fill_value=0)
    assert (pd.to_datetime(pooled["period_start"]).to_numpy() == s.index.to_numpy()).all()
    assert pooled["practice_days"].tolist() == s["days"].tolist()
    assert pooled["sessions"].tolist() == s["sessions"].tolist()
    assert pooled["participants"].tolist() == s["participants"].tolist()

    streaks = calmkit.practice_streaks(j, tz=tz)
    streaks = streaks.assign(participant=streaks["participant"].astype(str)).set_index("participant")
    for p, g in f.groupby("participant"):
        days = sorted(set(done.loc[done["participant"] == p, "day"]))
        runs, run = [], 0
        for a, b in zip([None] + days[:-1], days):
            run = run + 1 if a is not None and (b - a) == pd.Timedelta(days=1) else 1
            runs.append((b, run))
        last = g["day"].max()
        current = next((n for d, n in reversed(runs) if d in (last, last - pd.Timedelta(days=1))), 0)
        row = streaks.loc[p]
        assert pd.Timestamp(row["last_record_date"]) == last, p
        assert (row["practice_days"], row["longest_streak"], row["current_streak"]) == (
            len(days), max((n for _, n in runs), default=0), current), p


@pytest.mark.parametrize("tz", _ZONES)
def test_urges_per_week_equal_pandas(cohort, tz: str | None) -> None:
    j, rec = cohort
    f = rec.assign(day=_local_day(rec, tz))
    f["week"] = _monday(f["day"])
    spans = _weeks(f)
    trig = f[f["kind"] == "trigger"]
    got = calmkit.window_of_uncertainty(j, by="week", tz=tz)
    got = got.assign(participant=got["participant"].astype(str))
    rows = []
    for p, weeks in spans.items():
        for w in weeks:
            g = trig[(trig["participant"] == p) & (trig["week"] == w)]
            recorded = g[g["flag"].notna()]
            mins = g.loc[g["flag"] == True, "minutes"].dropna().to_numpy(float)  # noqa: E712
            q = np.quantile(mins, [0.25, 0.5, 0.75]) if len(mins) else [math.nan] * 3
            rows.append((p, w, len(g), len(recorded), int((recorded["flag"] == False).sum()),  # noqa: E712
                         len(mins), q[1], q[0], q[2]))
    ref = pd.DataFrame(rows, columns=["participant", "period_start", "triggers", "urge_recorded", "not_acted",
                                      "minutes_n", "minutes_median", "minutes_q1", "minutes_q3"])
    # Weeks of a participant's span (of any record) without a trigger: the metric may leave them out.
    merged = ref.merge(got.assign(period_start=pd.to_datetime(got["period_start"]).astype("datetime64[ns]")),
                       on=["participant", "period_start"], how="outer", suffixes=("", "_ck"), indicator=True)
    assert (merged["_merge"] != "right_only").all()
    missing = merged[merged["_merge"] == "left_only"]
    assert (missing["triggers"] == 0).all()
    both = merged[merged["_merge"] == "both"]
    assert len(both) > 20
    for col in ("triggers", "urge_recorded", "not_acted", "minutes_n"):
        assert both[col].tolist() == both[f"{col}_ck"].tolist(), col
    for col in ("minutes_median", "minutes_q1", "minutes_q3"):
        np.testing.assert_allclose(both[f"{col}_ck"].to_numpy(float), both[col].to_numpy(float), rtol=1e-12,
                                   err_msg=col)
    share = both["not_acted"] / both["urge_recorded"].where(both["urge_recorded"] > 0)
    np.testing.assert_allclose(both["share_not_acted"].to_numpy(float), share.to_numpy(float), rtol=1e-12)


@pytest.mark.parametrize("tz", _ZONES)
def test_trend_exposure_days_equal_pandas(cohort, tz: str | None) -> None:
    j, rec = cohort
    f = rec.assign(day=_local_day(rec, tz))
    f["week"] = _monday(f["day"])
    rows = []
    for p, weeks in _weeks(f).items():
        g = f[f["participant"] == p]
        first, last = g["day"].min(), g["day"].max()
        counts = g[g["kind"] == "trigger"].groupby("week").size().reindex(weeks, fill_value=0)
        days = [(min(last, w + pd.Timedelta(days=6)) - max(first, w)).days + 1 for w in weeks]
        rows.append(pd.DataFrame({"participant": p, "period_start": weeks, "count": counts.to_numpy(),
                                  "days": days}))
    ref = pd.concat(rows, ignore_index=True)
    got = calmkit.trigger_trend_weeks(j, tz=tz)
    assert got["participant"].astype(str).tolist() == ref["participant"].tolist()
    assert (pd.to_datetime(got["period_start"]).to_numpy() == ref["period_start"].to_numpy()).all()
    assert got["count"].tolist() == ref["count"].tolist() and got["days"].tolist() == ref["days"].tolist()
    pooled = calmkit.trigger_trend_weeks(j, tz=tz, by=None)
    s = ref.groupby("period_start")[["count", "days"]].sum()
    s = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="7D"), fill_value=0)
    assert pooled["count"].tolist() == s["count"].tolist() and pooled["days"].tolist() == s["days"].tolist()
