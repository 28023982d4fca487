"""calmkit.stats.cox on covariates a researcher can hand it by accident:
an infinite value, two covariates that are one (x = 2 y), a column of
datetimes or durations, complex numbers.

The docstring promises "ValueError (never a lifelines internal)" for bad
input, and the project's rule is a clear error naming what and where. R's
coxph on the same data: an infinite covariate is refused ("NA/NaN/Inf in
'x'"), an aliased covariate gets coefficient NA ("X matrix deemed to be
singular"); lifelines raised its own TypeError ("Infs were detected in the
dataset") or ConvergenceError ("matrix inversion problems"), naming no
column and no row. A datetime covariate was turned into nanoseconds since
1970 and fitted: a hazard ratio per nanosecond that no one asked for (R's
coxph takes a POSIXct in seconds), and a complex column lost its imaginary
part without a word.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import calmkit

stats = pytest.importorskip("calmkit.stats")
pytest.importorskip("lifelines")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return calmkit.analysis_frame(calmkit.synthetic_journal(participants=12, days=40, seed=3))


def _error(frame: pd.DataFrame, covariates: str | list[str]) -> Exception:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            stats.cox(frame, covariates)
    return info.value


def test_an_infinite_covariate_is_named_by_row_and_column(frame: pd.DataFrame) -> None:
    # Was B190: lifelines' "TypeError: Infs were detected in the dataset".
    x = np.linspace(0.0, 1.0, len(frame))
    x[3] = np.inf
    error = _error(frame.assign(x=x), "x")
    assert isinstance(error, ValueError), f"{type(error).__name__}: {error}"
    assert "'x'" in str(error) and f"row {frame.index[3]!r}" in str(error)


def test_collinear_covariates_are_named(frame: pd.DataFrame) -> None:
    # Was B191: lifelines' ConvergenceError ("matrix inversion problems"); R's
    # coxph reports the aliased term as NA.
    error = _error(frame.assign(x=frame["days_since_first"] * 2, y=frame["days_since_first"]), ["x", "y"])
    assert isinstance(error, ValueError), f"{type(error).__name__}: {error}"
    assert "'x'" in str(error) and "'y'" in str(error) and "collinear" in str(error)


@pytest.mark.parametrize("kind", ["datetime", "timedelta", "complex"])
def test_a_covariate_that_is_no_real_number_is_refused(frame: pd.DataFrame, kind: str) -> None:
    # Was B192: fitted as nanoseconds since 1970 / nanoseconds / the real part, silently.
    values = {"datetime": frame["onset"], "timedelta": pd.to_timedelta(frame["days_since_first"], unit="D"),
              "complex": frame["days_since_first"].to_numpy() + 1j}[kind]
    error = _error(frame.assign(x=values), "x")
    assert isinstance(error, ValueError), f"{type(error).__name__}: {error}"
    assert "'x'" in str(error)


def test_ordinary_covariates_still_fit(frame: pd.DataFrame) -> None:
    out = stats.cox(frame.assign(weeks=frame["days_since_first"] / 7, n=frame["n_exercises"]), ["weeks", "n"])
    assert list(out["term"]) == ["weeks", "n"] and np.isfinite(out["se"]).all()


@pytest.mark.parametrize("cluster", ["participant", None])
def test_separation_is_one_warning_as_in_r(frame: pd.DataFrame, cluster: str | None) -> None:
    # Was B199: one participant whose episodes all stay censored gave, next to
    # PerfectSeparationWarning, lifelines' two ConvergenceWarnings ("norm(delta)
    # is still high", "very low variance") and, without clusters, NumPy's
    # "overflow encountered in exp"; R's coxph warns once.
    silent = (frame["participant"].astype(str) == str(frame["participant"].iloc[0])).to_numpy()
    data = frame.assign(silent=silent, calmed=frame["calmed"] & ~silent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = stats.cox(data, "silent", cluster=cluster)
    assert [w.category for w in caught] == [stats.PerfectSeparationWarning], [str(w.message) for w in caught]
    assert out["hazard_ratio"].iloc[0] < 1e-6


def test_an_ordinary_fit_gives_no_separation_warning(frame: pd.DataFrame) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats.cox(frame.assign(weeks=frame["days_since_first"] / 7), "weeks")
    assert not [w for w in caught if issubclass(w.category, stats.PerfectSeparationWarning)]
