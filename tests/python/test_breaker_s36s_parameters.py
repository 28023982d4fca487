"""Metric parameters at their edges: a window wider than any journal, and
values of the wrong type.

docs/metrics.md, "Episodes and time-to-calm": an unlinked reading is an
observation of the episode when onset <= t <= onset + window and t is before
the next onset; ``window_hours`` is any finite number of hours >= 0. The
episodes below are written again from that definition (``_model``) with
datetime only, and compared with ``calmkit.time_to_calm`` for windows up to
far more hours than a journal spans (a window meant as "no limit").

A parameter of the wrong type gets a clear error naming the parameter (the
project's rule for bad input), not pybind11's "incompatible function
arguments" listing the C++ signature, nor an OverflowError about an
"infinity" nobody passed.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import calmkit

LINES = [
    {"type": "trigger", "participant": "a", "id": "t1", "time": "2026-03-02T10:00:00Z", "category": "conflict",
     "intensity": 8},
    {"type": "reading", "participant": "a", "time": "2026-03-02T11:00:00Z", "intensity": 5},
    {"type": "reading", "participant": "a", "time": "2026-03-04T11:00:00Z", "intensity": 2},
    {"type": "trigger", "participant": "a", "id": "t2", "time": "2026-05-02T10:00:00Z", "category": "conflict",
     "intensity": 9},
    {"type": "reading", "participant": "a", "time": "2027-05-02T10:00:00Z", "intensity": 7},
]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _model(window_hours: float) -> list[tuple[float, bool, int]]:
    """(minutes, calmed, observations) per trigger, from docs/metrics.md."""
    triggers = [r for r in LINES if r["type"] == "trigger"]
    readings = [r for r in LINES if r["type"] == "reading"]
    out = []
    for i, t in enumerate(triggers):
        onset = _when(t["time"])
        nxt = _when(triggers[i + 1]["time"]) if i + 1 < len(triggers) else None
        obs = sorted((_when(r["time"]), r["intensity"]) for r in readings
                     if onset <= _when(r["time"]) and (nxt is None or _when(r["time"]) < nxt)
                     and (_when(r["time"]) - onset).total_seconds() / 3600 <= window_hours)
        calm = [w for w, x in obs if x <= 3]
        if t["intensity"] <= 3:
            out.append((0.0, True, len(obs)))
        elif calm:
            out.append(((calm[0] - onset).total_seconds() / 60, True, len(obs)))
        else:
            end = obs[-1][0] if obs else onset
            out.append(((end - onset).total_seconds() / 60, False, len(obs)))
    return out


def _journal() -> calmkit.Journal:
    return calmkit.parse_journal("".join(json.dumps(r) + "\n" for r in LINES))


@pytest.mark.parametrize("window_hours", [12, 48, 1e5, 2.5e9])
def test_episodes_equal_the_definition(window_hours: float) -> None:
    # Guards what works, up to the largest window that still fits in int64 microseconds.
    eps = calmkit.time_to_calm(_journal(), window_hours=window_hours)
    got = [(float(m), bool(c), int(o)) for m, c, o in zip(eps["minutes"], eps["calmed"], eps["observations"])]
    assert got == _model(window_hours)


@pytest.mark.parametrize("window_hours", [2.6e9, 1e12, 1e300])
def test_a_window_wider_than_any_journal_keeps_every_reading(window_hours: float) -> None:
    # B123: the window overflowed int64 microseconds and every unlinked reading was dropped.
    eps = calmkit.time_to_calm(_journal(), window_hours=window_hours)
    got = [(float(m), bool(c), int(o)) for m, c, o in zip(eps["minutes"], eps["calmed"], eps["observations"])]
    assert got == _model(window_hours)
    summary = calmkit.time_to_calm_summary(_journal(), by=None, window_hours=window_hours).iloc[0]
    assert summary["calmed"] == 1


def _clear(call, name: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    text = str(info.value)
    assert "incompatible function arguments" not in text and "infinity" not in text, text
    assert name in text, text


@pytest.mark.parametrize("case", ["trend_k", "trend_k_text", "acute_change", "min_alternatives"])
def test_a_whole_number_parameter_given_a_fraction_is_named(case: str) -> None:
    # B124: pybind11's 'incompatible function arguments' with the C++ signature.
    j = _journal()
    call, name = {
        "trend_k": (lambda: calmkit.trigger_trend(j, k=2.5), "k"),
        "trend_k_text": (lambda: calmkit.trigger_trend(j, k="4"), "k"),
        "acute_change": (lambda: calmkit.affect_dynamics(j, acute_change=2.5), "acute_change"),
        "min_alternatives": (lambda: calmkit.thought_record_summary(j, min_alternatives=2.5), "min_alternatives"),
    }[case]
    _clear(call, name)


@pytest.mark.parametrize("case", ["first_and_latest", "analysis_frame"])
def test_weeks_beyond_any_timedelta_is_a_clear_error(case: str) -> None:
    # B124: 'OverflowError: cannot convert float infinity to integer'.
    j = _journal()
    if case == "first_and_latest":
        eps = calmkit.time_to_calm(j)
        _clear(lambda: calmkit.first_and_latest(eps, weeks=1e300), "weeks")
    else:
        _clear(lambda: calmkit.analysis_frame(j, weeks=1e300), "weeks")
