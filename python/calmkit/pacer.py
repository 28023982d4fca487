"""A guided exercise in a text terminal, on calmkit's session engine.

The engine (:class:`calmkit.Session`) knows where an exercise is at any
moment of a clock the caller owns; this module is the terminal front end that
``calmkit practice`` and ``examples/python/breathing_pacer.py`` share: it asks
the distress before and after, redraws the current step about 20 times a
second (or prints one line per step when the output is not a terminal),
answers prompts from the input one line at a time and suspends the session
when the process was stopped for a while.

On a terminal the current step is drawn with :class:`rich.live.Live`: the
step's text in bold, a progress bar for the step, the seconds left, the round
and the whole session's progress, redrawn in place; when the output is not a
terminal (a pipe, a file) or ``TERM=dumb``, one plain line per step.

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
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional, Protocol, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from . import _core
from .prompts import console_for, shown, styled

__all__ = ["FRAME_SECONDS", "PAUSE_KEYS", "STOP_KEYS", "Clock", "PacerRun", "RealClock", "ask_intensity", "fresh_id",
           "keys_hint", "reads_keys", "make_clock", "progress_line", "progress_view", "run_in_terminal"]

#: Seconds between two redraws (about 20 frames a second).
FRAME_SECONDS = 0.05


def ask_intensity(question: str, out: Optional[TextIO] = None, inp: Optional[TextIO] = None) -> Optional[int]:
    """Distress on the model's scale (``calmkit.INTENSITY_MIN`` to
    ``INTENSITY_MAX``, 0-10) read from ``inp`` (standard input by default); an
    empty line or the end of the input skips the question (None). Anything
    else is asked again."""
    out = sys.stdout if out is None else out
    inp = sys.stdin if inp is None else inp
    low, high = _core.INTENSITY_MIN, _core.INTENSITY_MAX
    while True:
        print(f"{question} ({low}-{high}, Enter to skip): ", end="", file=out, flush=True)
        line = inp.readline()
        if not line.strip():
            print(file=out)
            return None
        # Digits only, as the guided commands read it (Prompter.ask_number): int()
        # would also take Python's literal syntax, "1_0" as 10 and "+5" as 5.
        m = re.fullmatch(r"\d{1,9}", line.strip())
        if m is not None and low <= int(m.group()) <= high:
            return int(m.group())
        print(f"Please type a whole number from {low} to {high}.", file=out)


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
    return (f"\033[1m{shown(state.text)}\033[0m  {full * cells}{empty * (width - cells)}  {state.seconds_left:5.1f} s"
            f"   round {state.cycle}/{state.cycles}  [{state.session_progress:.0%}]")


def progress_view(state: _core.SessionState, width: int = 30) -> RenderableType:
    """What the terminal shows of the current step (a rich renderable): the
    step's text in bold on its own line(s), then a bar of ``width`` cells for
    the step's progress, the seconds left, the round and the whole session's
    progress, such as ``━━━━━━╺━━━━━   3.0 s   round 2/4   [40%]``."""
    bar = ProgressBar(total=1.0, completed=state.step_progress, width=width)
    line = Table.grid(padding=(0, 3))
    line.add_row(bar, Text(f"{state.seconds_left:4.1f} s"), Text(f"round {state.cycle}/{state.cycles}"),
                 Text(f"[{state.session_progress:.0%}]"))
    return Group(styled(state.text, "bold"), line)


#: What the terminal shows while the pause key holds the exercise.
PAUSED = "Paused. p or space resumes, q stops."


class Clock(Protocol):
    """What the pacer reads the time from: ``now()`` in seconds (any origin,
    never going back) and ``sleep(seconds)`` between two frames."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """The monotonic clock of the computer, run ``speed`` times faster."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.speed

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


#: Bounds of the ``speed`` of :func:`run_in_terminal` (and ``calmkit practice --speed``).
MIN_SPEED = 0.1
MAX_SPEED = 1e6


def make_clock(speed: float = 1.0) -> Clock:
    """The clock :func:`run_in_terminal` uses when it is given none (a
    :class:`RealClock`); tests of whole commands replace this function with
    one that returns a fake clock."""
    return RealClock(speed)


#: Keys understood while an exercise runs on a terminal.
PAUSE_KEYS = ("p", " ")
STOP_KEYS = ("q", "\x1b")


def keys_hint(keys: bool) -> str:
    """The line that tells how to pause and stop: with ``keys`` (a terminal
    whose keys the pacer reads) p / space and q; otherwise Ctrl-Z and Ctrl-C."""
    if keys:
        return "Keys: p or space pauses and resumes; q or Ctrl-C stops early (what was done is kept)."
    return "Ctrl-C stops early (what was done is kept); Ctrl-Z pauses, and 'fg' resumes."


class _Keys:
    """Single key presses from a terminal, read without waiting (cbreak mode),
    and the terminal put back as it was for line input and at the end."""

    def __init__(self, inp: TextIO) -> None:
        import termios

        self.fd = inp.fileno()
        self.saved = termios.tcgetattr(self.fd)
        self.raw = False

    def cbreak(self) -> None:
        if not self.raw:
            import termios
            import tty as _tty

            _tty.setcbreak(self.fd, termios.TCSANOW)  # TCSANOW: keep what was typed ahead
            self.raw = True

    def restore(self) -> None:
        if self.raw:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.raw = False

    def read(self) -> str:
        """The keys pressed since the last call ("" when none)."""
        import select

        self.cbreak()
        got = ""
        while select.select([self.fd], [], [], 0)[0]:
            chunk = os.read(self.fd, 64)
            if not chunk:
                break
            got += chunk.decode("utf-8", "replace")
        return got


def reads_keys(inp: Optional[TextIO] = None, out: Optional[TextIO] = None) -> bool:
    """Whether :func:`run_in_terminal` will read the pause and stop keys from
    ``inp`` (default stdin) while drawing on ``out`` (default stdout): both
    are terminals and the platform has POSIX terminal control."""
    inp = sys.stdin if inp is None else inp
    out = sys.stdout if out is None else out
    try:
        import termios  # noqa: F401

        return bool(inp.isatty() and out.isatty())
    except (ImportError, ValueError, AttributeError, OSError):
        return False


def _key_reader(inp: TextIO, tty: bool, keys: Optional[bool]) -> Optional[_Keys]:
    if keys is False or not tty:
        return None
    try:
        if not inp.isatty():
            return None
        return _Keys(inp)
    except (OSError, ValueError, AttributeError, ImportError):  # no fileno, not a POSIX terminal
        return None


@dataclass
class PacerRun:
    """What :func:`run_in_terminal` leaves: the session (finished, aborted or
    still open for :meth:`finish`), its clock, its local start time and how
    many times faster than real time the clock ran (``speed``)."""

    session: _core.Session
    clock: Callable[[], float]
    started_at: dt.datetime
    speed: float = 1.0

    @property
    def completed(self) -> bool:
        """Whether every step ran (False when stopped early)."""
        return self.session.status == "finished"

    def finish(self, **record: object) -> _core.ExerciseSession:
        """The journal record of this run: ``Session.finish`` at the run's
        clock and start time; ``record`` gives id, participant, intensities,
        trigger...

        The record's ``end`` is a wall-clock instant (docs/journal-format.md):
        ``started_at`` plus the run's real duration, the clock's seconds
        divided by ``speed`` (a run at ``speed=1000`` that took 0.1 s ends
        0.1 s after it started, not 100 s). Raises ValueError as
        ``Session.finish`` does (no id, never started)."""
        rec = self.session.finish(self.clock(), started_at=self.started_at, **record)
        if self.speed != 1.0:
            rec.end = rec.time + (rec.end - rec.time) / self.speed
        return rec


def run_in_terminal(exercise: _core.Exercise, *, speed: float = 1.0, out: Optional[TextIO] = None,
                    inp: Optional[TextIO] = None, draw: Optional[Callable[[_core.SessionState], str]] = None,
                    tty: Optional[bool] = None, clock: Optional[Clock] = None,
                    keys: Optional[bool] = None) -> PacerRun:
    """Guides ``exercise`` until it ends, Ctrl-C, the stop key or the end of the input.

    ``speed`` runs the exercise clock that many times faster (tests; the
    record of :meth:`PacerRun.finish` still spans the real time); ``clock``
    replaces the clock altogether (default :func:`make_clock` of ``speed``;
    a clock given with ``speed`` is taken to run that many times faster);
    ``tty`` overrides whether ``out`` is a terminal. On a terminal the step is
    redrawn in place: by default :func:`progress_view` through
    :class:`rich.live.Live`; with ``draw`` (state -> one line of text, such as
    :func:`progress_line`) that line, written after ``\\r`` and an erase-line
    code. Not on a terminal (or with ``TERM=dumb``), one plain line per step.
    When ``inp`` is a terminal too (and ``keys`` is not False) single key
    presses are read between frames: p or space pauses and resumes, q or Esc
    stops (see :func:`keys_hint`). When the process gets no frame for 5
    seconds of the clock (it was stopped with Ctrl-Z), the session suspends
    and resumes on the next frame."""
    # At most 10 times slower than real time: a slower clock (1e-308, say) is an exercise that never ends.
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED:.0f}, got {speed!r}")
    out = sys.stdout if out is None else out
    inp = sys.stdin if inp is None else inp
    tty = out.isatty() if tty is None else tty
    console = console_for(out, terminal=tty)
    # TERM=dumb: keys are read, but the terminal cannot redraw a line: one line per step.
    in_place = tty and not console.is_dumb_terminal
    ticks = make_clock(speed) if clock is None else clock
    reader = _key_reader(inp, tty, keys)
    screen = _Screen(console, draw) if in_place else None

    def now() -> float:
        return ticks.now()

    session = _core.Session(exercise, max_gap_seconds=5.0 * speed)
    run = PacerRun(session, now, dt.datetime.now().astimezone(), speed)
    session.start(now())
    held = False  # paused with the pause key (not suspended by a gap)
    try:
        while session.status in ("running", "paused"):
            st = session.update(now())
            if st.status == "paused" and not held:
                session.resume(now())
            for ev in session.poll_events():
                if ev.type == "step_started" and not in_place:
                    print(f"[round {ev.cycle}] {shown(ev.text)}", file=out, flush=True)
            st = session.state
            if st.waiting_for_answer and not held:
                if reader is not None:
                    reader.restore()
                if screen is not None:
                    screen.clear()
                print(f"{shown(st.text)} ({st.answers_given + 1}/{st.answers_needed}): ", end="", file=out, flush=True)
                answer = inp.readline()
                if not answer:
                    session.abort(now())
                elif answer.strip():
                    session.answer(now(), answer.strip())
                else:
                    session.skip(now())
                continue
            if reader is not None:
                pressed = reader.read().lower()
                if any(k in pressed for k in STOP_KEYS):
                    session.abort(now())
                    break
                if sum(pressed.count(k) for k in PAUSE_KEYS) % 2 == 1:
                    held = not held
                    if held:
                        session.pause(now())
                    else:
                        session.resume(now())
                    if screen is None:  # no line to redraw: say it on a line of its own
                        print(PAUSED if held else "Resumed.", file=out, flush=True)
            if screen is not None:
                screen.show(None if held else st)
            ticks.sleep(FRAME_SECONDS)
    except KeyboardInterrupt:
        session.abort(now())
    finally:
        if reader is not None:
            reader.restore()
        if screen is not None:
            screen.clear()
    print(("\r\033[2K" if in_place else "") + ("Done." if run.completed else "Stopped early.") + "\n", file=out)
    return run


class _Screen:
    """The in-place drawing of a run on a terminal: a :class:`rich.live.Live`
    of :func:`progress_view` (redrawn by the pacer's own frames, no refresh
    thread, erased when it stops), or the caller's one-line ``draw``."""

    def __init__(self, console: Console, draw: Optional[Callable[[_core.SessionState], str]]) -> None:
        self.console = console
        self.draw = draw
        self.live: Optional[Live] = None

    def show(self, state: Optional[_core.SessionState]) -> None:
        """Draws ``state`` (None: the exercise is paused)."""
        if self.draw is not None:
            line = PAUSED if state is None else self.draw(state)
            print("\r\033[2K" + line, end="", file=self.console.file, flush=True)
            return
        view = Text(PAUSED, style="bold") if state is None else progress_view(state)
        if self.live is None:
            self.live = Live(view, console=self.console, auto_refresh=False, transient=True,
                             redirect_stdout=False, redirect_stderr=False)
            self.live.start()
        self.live.update(view, refresh=True)

    def clear(self) -> None:
        """Erases the drawing (before a question, and at the end)."""
        if self.live is not None:
            self.live.stop()
            self.live = None
        elif self.draw is not None:
            print("\r\033[2K", end="", file=self.console.file, flush=True)
