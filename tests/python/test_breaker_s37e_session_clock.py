"""Guided sessions against an exact reference clock.

A step boundary of a session started at ``t0`` falls at ``t0`` plus the sum of
the durations of every step before it. The reference below adds those
durations as exact rationals (``fractions.Fraction`` of each step's double),
so the only error it allows the engine is the rounding of the final double:
a few units in the last place (ulp) of the boundary, however long the
session ran. Front ends drive the engine at any frame rate, so the events
are collected at 1 Hz here (the times must not depend on the rate anyway).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from fractions import Fraction

import pytest

import calmkit

#: Rounding error allowed on a boundary, in units in the last place of the
#: boundary's clock reading (a sum of n doubles done naively drifts by about
#: n / 2 ulp; a boundary computed from the cycle index stays within a few).
ULPS = 16


def _exercise(seconds: list[float], total: float) -> calmkit.Exercise:
    steps = [{"type": "timed", "seconds": s, "phase": "inhale", "cue": f"step {i}"} for i, s in enumerate(seconds)]
    return calmkit.exercise_from_json(json.dumps({
        "id": "me.uneven", "name": "Uneven steps", "kind": "breathing", "suits": "both", "instructions": "",
        "sources": [], "total_seconds": total, "steps": steps}))


def _boundaries(ex: calmkit.Exercise, t0: float) -> list[Fraction]:
    """Every step end of a session started at t0, exactly."""
    out, acc = [], Fraction(t0)
    for _ in range(ex.cycles()):
        for step in ex.steps:
            acc += Fraction(step.seconds)
            out.append(acc)
    return out


def _drive(ex: calmkit.Exercise, t0: float) -> tuple[calmkit.Session, list[float]]:
    s = calmkit.Session(ex, max_gap_seconds=math.inf)
    s.start(t0)
    s.poll_events()
    at: list[float] = []
    k = 0
    while s.status == "running":
        k += 1
        s.update(t0 + k)
        at += [e.at for e in s.poll_events() if e.type in ("step_started", "finished")]
    return s, at


@pytest.mark.parametrize("t0", [0.0, 1234.5, 1e6])
def test_ten_hours_of_uneven_steps_keep_every_boundary_exact(t0: float) -> None:
    """B170: the step ends were a running sum of step lengths and drifted (1.2e-8 s, some 1600 ulp,
    after 10 hours of 0.1 / 0.7 / 1.3 s steps)."""
    ex = _exercise([0.1, 0.7, 1.3], 36_000)
    s, at = _drive(ex, t0)
    ref = _boundaries(ex, t0)
    assert s.status == "finished" and len(at) == len(ref)
    worst = max(range(len(ref)), key=lambda i: abs(Fraction(at[i]) - ref[i]))
    err = abs(Fraction(at[worst]) - ref[worst])
    assert err <= ULPS * math.ulp(float(ref[worst])), (worst, float(err), at[worst], float(ref[worst]))


def test_a_finished_session_lasted_the_exercise_duration() -> None:
    """B171: the session ended at 36000.29999998841 s, not at the duration_seconds() of 36000.3 s."""
    ex = _exercise([0.1, 0.7, 1.3], 36_000)
    s, at = _drive(ex, 0.0)
    assert s.state.elapsed_seconds == ex.duration_seconds()
    assert at[-1] == ex.duration_seconds()
    assert s.finish(at[-1] + 1, id="x", started_at=dt.datetime(2026, 3, 2, 21, tzinfo=dt.timezone.utc)).completed
