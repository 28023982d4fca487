"""The benchmark's metrics with calmkit: the NumPy columns go into a
calmkit.Cohort (one checked copy per array), then time-to-calm per episode,
the per-participant Kaplan-Meier summary of those episodes (as the pandas
code summarises its episode frame) and zero-filled weekly counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

import calmkit


def cohort(c: dict[str, np.ndarray]) -> calmkit.Cohort:
    return calmkit.cohort_from_arrays(list(c["participants"]), c["t_p"], c["t_us"], c["t_off"], c["t_x"], c["t_cat"],
                                      c["r_p"], c["r_us"], c["r_off"], c["r_x"], c["r_trig"])


def time_to_calm(co: calmkit.Cohort) -> pd.DataFrame:
    return calmkit.time_to_calm(co)


def summary(episodes: pd.DataFrame) -> pd.DataFrame:
    return calmkit.time_to_calm_summary(episodes)


def weekly_frequency(co: calmkit.Cohort) -> pd.DataFrame:
    return calmkit.trigger_frequency(co, period="week")
