"""A one-line progress display on stderr, for ``calmkit report`` and ``calmkit import``."""

from __future__ import annotations

import argparse
import sys
import threading
import time

__all__ = ["Progress", "show_progress"]


class Progress:
    """A one-line progress display on stderr for work that takes over a second.

    Shown only when stderr is a terminal or ``--progress`` was given, and only
    once the work has run for :attr:`DELAY` seconds, so quick runs print
    nothing. With a ``total`` it shows a bar and a percentage; without one
    (work that cannot count its steps, such as an import) a ticking clock.
    """

    DELAY = 1.0  #: seconds before anything is shown
    WIDTH = 24  #: characters of the bar

    def __init__(self, label: str, enabled: bool, total: int | None = None) -> None:
        self.label, self.enabled, self.total = label, enabled, total
        self.start = time.monotonic()
        self.done = 0
        self.shown = False
        self._last = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if enabled and total is None:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.start
        if not self.enabled or elapsed < self.DELAY:
            return
        if self.total:
            frac = min(1.0, self.done / self.total)
            full = int(frac * self.WIDTH)
            text = (f"{self.label} [{'#' * full}{'.' * (self.WIDTH - full)}] {frac:4.0%} "
                    f"({self.done}/{self.total}) {elapsed:.0f} s")
        else:
            text = f"{self.label} ... {elapsed:.0f} s"
        if text == self._last:
            return
        self._last = text
        sys.stderr.write("\r" + text)
        sys.stderr.flush()
        self.shown = True

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            if self.total:
                self.done = self.total
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to show progress: ``--progress`` given, or stderr is a terminal."""
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()
