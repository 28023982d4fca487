"""A clock reading handed to a Python Session must be a number of seconds.

The JavaScript package refuses a `now` that is not a number with a message
naming the method and `now` ("Session::update: now must be a finite number of
seconds within +-1e12, got a string ("3")"); a front end's mistake there (a
timestamp string, None from a missing frame time, True from a flag) must not
pass silently or come back as pybind11's list of C++ signatures.
"""

from __future__ import annotations

import numpy as np
import pytest

import calmkit


def _session() -> calmkit.Session:
    s = calmkit.Session(calmkit.catalog_exercise("breathing.box"))
    s.start(0.0)
    return s


@pytest.mark.parametrize("method", ["update", "pause", "resume", "skip", "abort"])
@pytest.mark.parametrize("now", ["3", None, b"3", [1.0]])
def test_a_reading_that_is_not_a_number_is_refused_naming_now(method: str, now: object) -> None:
    """B172: it was pybind11's list of C++ signatures, naming neither the method nor now."""
    s = _session()
    with pytest.raises(TypeError, match=rf"Session::{method}: now must be a number of seconds"):
        getattr(s, method)(now)


@pytest.mark.parametrize("method", ["start", "update"])
def test_a_boolean_is_not_a_clock_reading(method: str) -> None:
    """B173: True and False passed as the readings 1.0 and 0.0."""
    s = calmkit.Session(calmkit.catalog_exercise("breathing.box"))
    if method == "update":
        s.start(0.0)
    with pytest.raises(TypeError, match=rf"Session::{method}: now must be a number of seconds, got a bool"):
        getattr(s, method)(True)


@pytest.mark.parametrize("now", [2, 2.5, np.float32(2.5), np.float64(2.5), np.int64(2)])
def test_numbers_of_every_kind_are_readings(now: object) -> None:
    s = _session()
    assert s.update(now).elapsed_seconds == float(now)


@pytest.mark.parametrize("gap", [True, "5", None])
def test_max_gap_seconds_must_be_a_number(gap: object) -> None:
    """B174: True passed as a 1 s gap; a str or None gave pybind11's list of constructor signatures."""
    with pytest.raises(TypeError, match="max_gap_seconds must be a number of seconds"):
        calmkit.Session(calmkit.catalog_exercise("breathing.box"), max_gap_seconds=gap)
