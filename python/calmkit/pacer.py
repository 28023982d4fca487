"""A guided exercise in a text terminal, on calmkit's session engine.

The engine (:class:`calmkit.Session`) knows where an exercise is at any
moment of a clock the caller owns; this module is the terminal front end that
``calmkit practice`` and ``examples/python/breathing_pacer.py`` share: it asks
the distress before and after, redraws the current step about 20 times a
second (or prints one line per step when the output is not a terminal),
answers prompts from the input one line at a time and suspends the session
when the process was stopped for a while.

Example::

    import calmkit
    from calmkit import pacer

    exercise = calmkit.find_exercise("breathing.4-7-8")
    before = pacer.ask_intensity("How strong is the distress right now?")
    run = pacer.run_in_terminal(exercise)
    after = pacer.ask_intensity("And now?")
    record = run.finish(id="ex-1", participant="me", intensity_before=before, intensity_after=after)
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional, TextIO

from . import _core

__all__ = ["FRAME_SECONDS", "PacerRun", "ask_intensity", "fresh_id", "progress_line", "run_in_terminal"]

#: Seconds between two redraws (about 20 frames a second).
FRAME_SECONDS = 0.05


def ask_intensity(question: str, out: Optional[TextIO] = None, inp: Optional[TextIO] = None) -> Optional[int]:
    """Distress 0-10 read from ``inp`` (standard input by default); an empty
    line or the end of the input skips the question (None). Anything else is
    asked again."""
    out = sys.stdout if out is None else out
    inp = sys.stdin if inp is None else inp
    while True:
        print(f"{question} (0-10, Enter to skip): ", end="", file=out, flush=True)
        line = inp.readline()
        if not line.strip():
            print(file=out)
            return None
        try:
            value = int(line.strip())
        except ValueError:
            value = -1
        if 0 <= value <= 10:
            return value
        print("Please type a whole number from 0 to 10.", file=out)


def fresh_id(taken: set[str], prefix: str, when: dt.datetime) -> str:
    """``prefix`` + the local time (``20261123T141500``), with ``-2``, ``-3``...
    added when that id is already in ``taken``."""
    base = prefix + when.strftime("%Y%m%dT%H%M%S")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def progress_line(state: _core.SessionState, width: int = 30, full: str = "#", empty: str = ".") -> str:
    """One redraw of the current step: its text in bold, a bar of ``width``
    cells for the step's progress, the seconds left, the round and the whole
    session's progress."""
    cells = int(state.step_progress * width + 0.5)
    return (f"\033[1m{state.text}\033[0m  {full * cells}{empty * (width - cells)}  {state.seconds_left:5.1f} s"
            f"   round {state.cycle}/{state.cycles}  [{state.session_progress:.0%}]")


@dataclass
class PacerRun:
    """What :func:`run_in_terminal` leaves: the session (finished, aborted or
    still open for :meth:`finish`), its clock and its local start time."""

    session: _core.Session
    clock: Callable[[], float]
    started_at: dt.datetime

    @property
    def completed(self) -> bool:
        """Whether every step ran (False when stopped early)."""
        return self.session.status == "finished"

    def finish(self, **record: object) -> _core.ExerciseSession:
        """The journal record of this run: ``Session.finish`` at the run's
        clock and start time; ``record`` gives id, participant, intensities,
        trigger..."""
        return self.session.finish(self.clock(), started_at=self.started_at, **record)


def run_in_terminal(exercise: _core.Exercise, *, speed: float = 1.0, out: Optional[TextIO] = None,
                    inp: Optional[TextIO] = None, draw: Optional[Callable[[_core.SessionState], str]] = None,
                    tty: Optional[bool] = None) -> PacerRun:
    """Guides ``exercise`` until it ends, Ctrl-C or the end of the input.

    ``speed`` runs the exercise clock that many times faster (tests); ``draw``
    turns the state into the line redrawn on a terminal (default
    :func:`progress_line`); ``tty`` overrides whether ``out`` is a terminal.
    When the process gets no frame for 5 real seconds (it was stopped), the
    session suspends and resumes on the next frame."""
    if not 0 < speed <= 1e6:
        raise ValueError(f"speed must be above 0 and at most 1000000, got {speed!r}")
    out = sys.stdout if out is None else out
    inp = sys.stdin if inp is None else inp
    draw = progress_line if draw is None else draw
    tty = out.isatty() if tty is None else tty
    t0 = time.monotonic()

    def clock() -> float:
        return (time.monotonic() - t0) * speed

    session = _core.Session(exercise, max_gap_seconds=5.0 * speed)
    run = PacerRun(session, clock, dt.datetime.now().astimezone())
    session.start(clock())
    try:
        while session.status in ("running", "paused"):
            st = session.update(clock())
            if st.status == "paused":
                session.resume(clock())
            for ev in session.poll_events():
                if ev.type == "step_started" and not tty:
                    print(f"[round {ev.cycle}] {ev.text}", file=out, flush=True)
            st = session.state
            if st.waiting_for_answer:
                print(f"{st.text} ({st.answers_given + 1}/{st.answers_needed}): ", end="", file=out, flush=True)
                answer = inp.readline()
                if not answer:
                    session.abort(clock())
                elif answer.strip():
                    session.answer(clock(), answer.strip())
                else:
                    session.skip(clock())
                continue
            if tty:
                print("\r\033[2K" + draw(st), end="", file=out, flush=True)
            time.sleep(FRAME_SECONDS)
    except KeyboardInterrupt:
        session.abort(clock())
    print(("\r\033[2K" if tty else "") + ("Done." if run.completed else "Stopped early.") + "\n", file=out)
    return run
