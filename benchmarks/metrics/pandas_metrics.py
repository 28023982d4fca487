"""The metrics of the benchmark written the way a researcher would in pandas,
following docs/metrics.md: time-to-calm per episode (threshold 3, window
12 h, right-censoring), the Kaplan-Meier median per participant with the
Brookmeyer-Crowley log-log interval, and zero-filled weekly trigger counts in
each event's local time. Only triggers and readings (the benchmark cohort has
no exercises)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statistics import NormalDist

US_PER_MIN = 60_000_000
US_PER_DAY = 86_400_000_000
Z95 = NormalDist().inv_cdf(0.975)


def frames(c: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    triggers = pd.DataFrame({"participant": c["t_p"], "onset": c["t_us"], "offset": c["t_off"],
                             "intensity": c["t_x"], "category": c["t_cat"]})
    triggers["trigger"] = np.arange(len(triggers))
    readings = pd.DataFrame({"participant": c["r_p"], "time": c["r_us"], "offset": c["r_off"],
                             "intensity": c["r_x"], "trigger": c["r_trig"]})
    return triggers, readings


def time_to_calm(triggers: pd.DataFrame, readings: pd.DataFrame, threshold: int = 3,
                 window_hours: float = 12) -> pd.DataFrame:
    window = int(round(window_hours * 60 * US_PER_MIN))
    linked = readings[readings["trigger"] >= 0][["trigger", "time", "intensity"]]
    linked = linked.merge(triggers[["trigger", "onset"]], on="trigger")
    linked = linked[linked["time"] >= linked["onset"]]
    # Unlinked: the latest trigger of the same participant with onset <= t.
    unlinked = readings[readings["trigger"] < 0].sort_values("time")
    assigned = pd.merge_asof(unlinked[["participant", "time", "intensity"]],
                             triggers[["participant", "onset", "trigger"]].sort_values("onset"),
                             left_on="time", right_on="onset", by="participant", direction="backward")
    assigned = assigned.dropna(subset=["trigger"])
    assigned = assigned[assigned["time"] - assigned["onset"] <= window]
    assigned["trigger"] = assigned["trigger"].astype(np.int64)
    obs = pd.concat([linked[["trigger", "time", "intensity"]], assigned[["trigger", "time", "intensity"]]])
    calm_at = obs[obs["intensity"] <= threshold].groupby("trigger")["time"].min()
    last_at = obs.groupby("trigger")["time"].max()
    out = triggers[["participant", "trigger", "onset", "intensity"]].copy()
    out["calm_at"] = out["trigger"].map(calm_at)
    out["last_at"] = out["trigger"].map(last_at).fillna(out["onset"])
    already = out["intensity"] <= threshold
    out["calmed"] = already | out["calm_at"].notna()
    end = np.where(already, out["onset"], np.where(out["calm_at"].notna(), out["calm_at"], out["last_at"]))
    out["minutes"] = (end - out["onset"]) / US_PER_MIN
    return out[["participant", "trigger", "minutes", "calmed"]]


def km_median(group: pd.DataFrame) -> pd.Series:
    t = group["minutes"].to_numpy()
    e = group["calmed"].to_numpy()
    times = np.unique(t)
    n_at = np.array([(t >= u).sum() for u in times])
    d = np.array([((t == u) & e).sum() for u in times])
    s = np.cumprod((n_at - d) / n_at)
    with np.errstate(divide="ignore", invalid="ignore"):
        gw = np.cumsum(np.where(n_at > d, d / (n_at * (n_at - d)), 0.0))
        sigma = np.sqrt(gw) / np.abs(np.log(s))
        # The log-log band is undefined once S = 0 (R's survfit gives NA).
        lo = np.where(s <= 0, np.nan, np.where(s >= 1, 1.0, s ** np.exp(Z95 * sigma)))
        hi = np.where(s <= 0, np.nan, np.where(s >= 1, 1.0, s ** np.exp(-Z95 * sigma)))
    # A floating product misses an exact S = 1/2 by a rounding: compare with
    # R's tolerance sqrt(eps), as survfit's median does.
    half = 0.5 + np.sqrt(np.finfo(float).eps)

    def first(mask: np.ndarray) -> float:
        idx = np.flatnonzero(mask)
        return float(times[idx[0]]) if len(idx) else np.nan

    return pd.Series({"episodes": len(t), "calmed": int(e.sum()), "censored": int(len(t) - e.sum()),
                      "median_minutes": first(s <= half), "ci_low": first(lo <= 0.5), "ci_high": first(hi <= 0.5)})


def summary(episodes: pd.DataFrame) -> pd.DataFrame:
    return episodes.groupby("participant").apply(km_median, include_groups=False).reset_index()


def weekly_frequency(triggers: pd.DataFrame, readings: pd.DataFrame) -> pd.DataFrame:
    def local_day(us: pd.Series, off: pd.Series) -> pd.Series:
        return (us + off.astype(np.int64) * US_PER_MIN) // US_PER_DAY

    t_day = local_day(triggers["onset"], triggers["offset"])
    r_day = local_day(readings["time"], readings["offset"])
    def week(day):  # ISO weeks: 1970-01-01 was a Thursday
        return (day + 3) // 7

    counts = pd.DataFrame({"participant": triggers["participant"], "week": week(t_day)}) \
        .groupby(["participant", "week"]).size()
    days = pd.concat([pd.DataFrame({"participant": triggers["participant"], "day": t_day}),
                      pd.DataFrame({"participant": readings["participant"], "day": r_day})])
    span = days.groupby("participant")["day"].agg(["min", "max"])
    first, last = week(span["min"]), week(span["max"])
    n = (last - first + 1).to_numpy()
    grid = pd.MultiIndex.from_arrays([np.repeat(span.index.to_numpy(), n),
                                      np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last)])],
                                     names=["participant", "week"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out["period_start"] = out["week"] * 7 - 3
    return out[["participant", "period_start", "count"]]
