"""Questions and answers in a text terminal, one line at a time.

The guided commands (``calmkit now``, ``calmkit thought``, ``calmkit assess``)
ask through a :class:`Prompter`: text is word-wrapped to the terminal
(:mod:`textwrap`, never cutting a word), answers are single lines, and the
same code runs on a terminal, on a plain pipe and under a test.

On a terminal, answers are read with GNU readline (line editing, history,
and Tab completion where the question has a known set of answers, such as
trigger categories). Through a pipe, lines are read from the input as they
come. The end of the input raises :class:`EndOfInput`, Ctrl-C raises
KeyboardInterrupt: the caller decides what to keep.

Text that comes from a journal, an import or an argument is shown through
:func:`shown`, the one rule of every terminal output of calmkit: control
characters are escaped, so a hostile id or note cannot drive the reader's
terminal (clear the screen, set the window title, move the cursor) nor
forge lines of the output.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from typing import Callable, Optional, Sequence, TextIO

__all__ = ["EndOfInput", "MAX_WIDTH", "Prompter", "shown"]

#: Widest line the prompts use, even on a wide terminal (long lines read badly).
MAX_WIDTH = 88


#: What :func:`shown` escapes: C0 controls but tab and newline, DEL, C1 controls
#: (U+0080 to U+009F: U+009B is a one-character CSI on some terminals), the
#: line and paragraph separators, the bidirectional controls (they reorder what
#: is shown, as in "Trojan Source", CVE-2021-42574) and lone surrogates
#: (undecodable bytes of a file name).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_IN_LINE = re.compile(f"[\n{_UNSAFE}]")
_UNSAFE_IN_LINES = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    if c in "\n\r":
        return "\\n" if c == "\n" else "\\r"
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def shown(text: object, newlines: bool = False) -> str:
    """``text`` as calmkit shows it on a terminal: every character that could
    act on the terminal or reorder the line is written as a Python-style
    escape (``\\x1b`` for ESC, ``\\u202e`` for RIGHT-TO-LEFT OVERRIDE), the
    rest unchanged (letters of any script, emoji, tabs).

    ``newlines=False`` (for one value, such as an id or a file name) escapes
    ``\\n`` too, so a value never starts a line of its own; ``True`` keeps the
    line breaks of a message of several lines. A backslash is left as it is.

    Example::

        >>> shown("p\\x1b]0;owned\\x07")
        'p\\\\x1b]0;owned\\\\x07'
    """
    return (_UNSAFE_IN_LINES if newlines else _UNSAFE_IN_LINE).sub(_escape, str(text))


class EndOfInput(Exception):
    """The input ended (Ctrl-D, or the end of a pipe) before the question was answered."""


class Prompter:
    """Asks questions on ``out`` and reads the answers from ``inp``.

    ``width`` is the wrapping width (default: the terminal's, at most
    :data:`MAX_WIDTH`, at least 20)."""

    def __init__(self, inp: Optional[TextIO] = None, out: Optional[TextIO] = None,
                 width: Optional[int] = None) -> None:
        self.inp = sys.stdin if inp is None else inp
        self.out = sys.stdout if out is None else out
        if width is None:
            width = min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns - 1)
        self.width = max(20, width)
        self._readline = self._interactive()

    def _interactive(self) -> bool:
        """Whether to read through GNU readline: stdin and stdout are both a terminal."""
        try:
            if self.inp is not sys.stdin or self.out is not sys.stdout:
                return False
            if not (self.inp.isatty() and self.out.isatty()):
                return False
            import readline  # noqa: F401  (importing it gives input() line editing)
        except (ImportError, ValueError, AttributeError, OSError):
            return False
        return True

    @property
    def interactive(self) -> bool:
        """True on a terminal (answers read with line editing)."""
        return self._readline

    # --- output -----------------------------------------------------------------

    def wrap(self, text: str, indent: str = "", hanging: Optional[str] = None) -> str:
        """``text`` filled to the width, each paragraph on its own, with
        ``indent`` before the first line and ``hanging`` (default: as many
        spaces as ``indent``) before the others. Words are never cut."""
        hanging = " " * len(indent) if hanging is None else hanging
        paragraphs = shown(text, newlines=True).split("\n")
        return "\n".join(
            textwrap.fill(p, self.width, initial_indent=indent, subsequent_indent=hanging,
                          break_long_words=False, break_on_hyphens=False) if p.strip() else ""
            for p in paragraphs)

    def say(self, text: str = "", indent: str = "", hanging: Optional[str] = None) -> None:
        """Prints ``text`` word-wrapped."""
        print(self.wrap(text, indent, hanging) if text else "", file=self.out, flush=True)

    # --- input ------------------------------------------------------------------

    def ask(self, question: str, completions: Sequence[str] = ()) -> str:
        """One answer (stripped). The question is wrapped; the answer is typed
        after its last line. ``completions`` are offered with Tab on a terminal."""
        text = self.wrap(question)
        head, _, last = text.rpartition("\n")
        if head:
            print(head, file=self.out)
        prompt = last + " "
        if self._readline:
            return self._ask_readline(prompt, completions)
        print(prompt, end="", file=self.out, flush=True)
        line = self.inp.readline()
        if not line:
            print(file=self.out)
            raise EndOfInput(question)
        if not self.inp_echoes():
            # A pipe does not echo: show the answer so the transcript reads as a dialogue.
            print(shown(line.rstrip("\n")), file=self.out)
        return line.strip()

    def inp_echoes(self) -> bool:
        try:
            return bool(self.inp.isatty())
        except (ValueError, AttributeError):
            return False

    def _ask_readline(self, prompt: str, completions: Sequence[str]) -> str:
        import readline

        options = list(completions)

        def complete(text: str, state: int) -> Optional[str]:
            matches = [c for c in options if c.lower().startswith(text.lower())]
            return matches[state] if state < len(matches) else None

        old = readline.get_completer()
        delims = readline.get_completer_delims()
        readline.set_completer(complete if options else None)
        readline.set_completer_delims("")
        readline.parse_and_bind("tab: complete")
        try:
            return input(prompt).strip()
        except EOFError:
            print(file=self.out)
            raise EndOfInput(prompt) from None
        finally:
            readline.set_completer(old)
            readline.set_completer_delims(delims)

    def ask_number(self, question: str, low: int, high: int, *, skip: bool = False,
                   unit: str = "") -> Optional[int]:
        """A whole number from ``low`` to ``high`` (asked again otherwise);
        with ``skip`` an empty answer gives None."""
        hint = f"({low}-{high}{unit}{', Enter skips' if skip else ''})"
        while True:
            answer = self.ask(f"{question} {hint}")
            if not answer and skip:
                return None
            m = re.fullmatch(r"(\d{1,4})\s*%?", answer)
            if m and low <= int(m.group(1)) <= high:
                return int(m.group(1))
            self.say(f"Please type a whole number from {low} to {high}.")

    def ask_yes(self, question: str, default: bool = False) -> bool:
        """y/yes or n/no; Enter gives ``default``."""
        hint = "[Y/n]" if default else "[y/N]"
        while True:
            answer = self.ask(f"{question} {hint}").lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.say("Please answer y or n.")

    def ask_lines(self, question: str, limit: int = 0, label: Optional[Callable[[int], str]] = None,
                  into: Optional[list[str]] = None) -> list[str]:
        """Several answers, one per line, until an empty line (or ``limit`` answers).
        ``label(k)`` gives the prompt of answer k (1-based; default "-"). Each
        answer is appended to ``into`` (a new list by default) as soon as it is
        given, so the ones before an interruption are kept; returns that list."""
        self.say(question)
        answers: list[str] = [] if into is None else into
        while not limit or len(answers) < limit:
            answer = self.ask(label(len(answers) + 1) if label else "  -")
            if not answer:
                break
            answers.append(answer)
        return answers
