"""The statistics' own parameters given in a shape a researcher may type:
``confidence="0.95"`` (text read from a config file), ``k=10**12`` (a window
"longer than anything"), ``p`` as a 2-D array (one row of a table).

Each must be a clear error naming the parameter (or, for a k longer than
any span, the result of the longest k that matters), never pybind11's
"incompatible function arguments" with the C++ signature or a NumPy
internal.
"""

from __future__ import annotations

import numpy as np
import pytest

import calmkit


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=3, days=70, seed=5)


CONFIDENCE_CALLS = {
    "time_to_calm_summary": lambda j, c: calmkit.time_to_calm_summary(j, confidence=c),
    "km_curve": lambda j, c: calmkit.km_curve(j, confidence=c),
    "km_quantiles": lambda j, c: calmkit.km_quantiles(j, confidence=c),
    "km_quantiles_of_a_frame": lambda j, c: calmkit.km_quantiles(calmkit.time_to_calm(j), confidence=c),
    "trigger_trend": lambda j, c: calmkit.trigger_trend(j, confidence=c),
    "trigger_trend_pooled": lambda j, c: calmkit.trigger_trend(j, confidence=c, by=None),
    "trigger_trend_weeks": lambda j, c: calmkit.trigger_trend_weeks(j, confidence=c),
    "peak_trend": lambda j, c: calmkit.peak_trend(j, confidence=c),
    "peak_trend_pooled": lambda j, c: calmkit.peak_trend(j, confidence=c, by=None),
}


@pytest.mark.parametrize("call", sorted(CONFIDENCE_CALLS))
@pytest.mark.parametrize("value", ["0.95", None, [0.95]])
def test_a_confidence_that_is_no_number_is_named(journal, call: str, value) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        CONFIDENCE_CALLS[call](journal, value)
    assert "confidence" in str(info.value) and "incompatible function arguments" not in str(info.value)


@pytest.mark.parametrize("call", sorted(CONFIDENCE_CALLS))
def test_a_numpy_confidence_is_a_confidence(journal, call: str) -> None:
    a = CONFIDENCE_CALLS[call](journal, np.float64(0.9))
    b = CONFIDENCE_CALLS[call](journal, 0.9)
    assert a.equals(b)


@pytest.mark.parametrize("by", ["participant", None])
def test_a_k_longer_than_any_span_is_the_longest_k(journal, by) -> None:
    # Every span here is 10 weeks: any k >= 10 has every week in the last k
    # and none before, so k = 10**12 must give what k = 50 gives.
    huge = calmkit.trigger_trend(journal, k=10**12, by=by)
    assert huge.equals(calmkit.trigger_trend(journal, k=50, by=by))


def test_p_as_a_table_row_is_named(journal) -> None:
    with pytest.raises(ValueError, match=r"\bp\b"):
        calmkit.km_quantiles(journal, p=np.array([[0.25, 0.75]]))


def test_p_as_a_flat_array_is_read(journal) -> None:
    out = calmkit.km_quantiles(journal, p=np.array([0.25, 0.75]))
    assert list(out["p"].iloc[:2]) == [0.25, 0.75]
