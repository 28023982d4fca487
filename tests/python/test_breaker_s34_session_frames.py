"""The guided-session engine (calmkit.Session) driven the way front ends
drive it: frames from 1 to 240 Hz with irregular spacing, pauses and
resumes, readings that go backwards, and a long session. Every snapshot and
event is compared with the exercise's own definition (docs/exercises.md:
cycles of steps, paused time not counted, a clock going backwards acts as
the latest reading) computed here in exact fractions, not with the engine."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

import calmkit

#: Frames this close to a step boundary are not judged (either side is fine).
EDGE = Fraction(1, 10**6)


def _schedule(seconds: list[float], cycles: int) -> list[tuple[Fraction, Fraction, int, int]]:
    """(start, end, step, cycle) of every step in active seconds, exactly."""
    out, t = [], Fraction(0)
    for c in range(1, cycles + 1):
        for i, s in enumerate(seconds):
            out.append((t, t + Fraction(s), i, c))
            t += Fraction(s)
    return out


def _drive(ex: calmkit.Exercise, seconds: list[float], cycles: int, hz: float, jitter: float, seed: int,
           pauses: bool, backwards: bool) -> tuple[int, list[calmkit.SessionEvent], Fraction]:
    """Runs the session to its end; returns the number of judged frames and
    the events, after checking each frame against the schedule."""
    rnd = random.Random(seed)
    sched = _schedule(seconds, cycles)
    t0 = 7351.25  # a monotonic clock's reading some two hours after boot
    s = calmkit.Session(ex)
    s.start(t0)
    clock = Fraction(t0)  # the latest reading, exactly as passed
    active = Fraction(0)  # active seconds by the definition
    paused = False
    j = judged = 0
    events: list[calmkit.SessionEvent] = []
    while s.status in ("running", "paused"):
        step = (1 / hz) * (1 + jitter * (2 * rnd.random() - 1))
        now = float(clock) + step
        if backwards and rnd.random() < 0.05:
            st = s.update(float(clock) - rnd.random())  # an earlier reading: acts as the latest one
            assert (st.step, st.cycle, st.elapsed_seconds) == (s.state.step, s.state.cycle, s.state.elapsed_seconds)
        if pauses and rnd.random() < 0.01:
            if paused:
                s.resume(now)
            else:
                s.pause(now)
            if not paused:
                active += Fraction(now) - clock
            clock, paused = Fraction(now), not paused
            continue
        st = s.update(now)
        if not paused:
            active += Fraction(now) - clock
        clock = Fraction(now)
        events += s.poll_events()
        if st.status == "finished":
            break
        while j < len(sched) and sched[j][1] <= active:
            j += 1
        start, end, i, c = sched[j]
        if min(active - start, end - active) > EDGE:
            judged += 1
            assert (st.step, st.cycle) == (i, c), f"at {float(active)} s active"
            assert st.seconds_left == pytest.approx(float(end - active), abs=1e-6)
            assert st.elapsed_seconds == pytest.approx(float(active), abs=1e-6)
            assert st.status == ("paused" if paused else "running")
    events += s.poll_events()
    return judged, events, clock - Fraction(t0)


@pytest.mark.parametrize("hz", [1, 4.5, 24, 60, 144, 240])
@pytest.mark.parametrize("pattern", [(4, 7, 8, 0), (0.7, 0.1, 1.1, 0.3)])
def test_frames_from_1_to_240_hz_follow_the_definition(hz: float, pattern: tuple[float, ...]) -> None:
    ex = calmkit.breathing_pattern("me.p", "P", *pattern, repeats=3)
    seconds = [x for x in pattern if x > 0]
    judged, events, _ = _drive(ex, seconds, 3, hz, jitter=0.6, seed=int(hz * 10), pauses=False, backwards=False)
    assert judged > 0
    started = [e for e in events if e.type == "step_started"]
    sched = _schedule(seconds, 3)
    assert [(e.step, e.cycle) for e in started] == [(i, c) for _, _, i, c in sched]
    # Each boundary is stamped with the clock time it happened, not the frame that saw it.
    for e, (start, _, _, _) in zip(started, sched):
        assert e.at - 7351.25 == pytest.approx(float(start), abs=1e-9)
    (fin,) = [e for e in events if e.type == "finished"]
    assert fin.at - 7351.25 == pytest.approx(float(sched[-1][1]), abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pauses_and_backward_readings_keep_the_schedule(seed: int) -> None:
    ex = calmkit.catalog_exercise("breathing.4-7-8")
    judged, events, wall = _drive(ex, [4, 7, 8], 4, hz=30, jitter=0.9, seed=seed, pauses=True, backwards=True)
    assert judged > 1000
    kinds = [e.type for e in events]
    assert kinds.count("paused") == kinds.count("resumed") or kinds.count("paused") == kinds.count("resumed") + 1
    assert kinds[-1] == "finished"


def test_a_day_long_session_keeps_exact_boundaries() -> None:
    # 2 s cycles for 24 h: 43,200 cycles, one frame per second plus one at each boundary.
    ex = calmkit.breathing_pattern("me.day", "Day", 1.25, 0, 0.75, 0, total_seconds=86400)
    s = calmkit.Session(ex)
    s.start(0.0)
    seen = 0
    for k in range(1, 2 * 43200):
        c, half = divmod(k, 2)
        st = s.update(2.0 * c + (1.25 if half else 0.0))
        assert (st.step, st.cycle) == (half, c + 1)
        seen += 1
    assert s.update(86400.0).status == "finished" and seen == 86399
    finished = [e for e in s.poll_events() if e.type == "finished"]
    assert finished[0].at == 86400.0


@pytest.mark.parametrize("blank", [" ", "\t", "\n", "\u3000 "])
def test_a_blank_answer_is_refused_like_an_empty_one(blank: str) -> None:
    # docs/exercises.md: "Answering a timed step, an empty answer, or a
    # finished session is an error." An app that passes the text field as it
    # is would count a stray space as "one thing you can see".
    s = calmkit.Session(calmkit.catalog_exercise("grounding.5-4-3-2-1"))
    s.start(0.0)
    with pytest.raises(ValueError, match="empty"):
        s.answer(1.0, blank)
    assert s.state.answers_given == 0 and s.responses == []
