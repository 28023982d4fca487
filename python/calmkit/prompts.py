"""Questions and answers in a text terminal, one line at a time.

The guided commands (``calmkit now``, ``calmkit thought``, ``calmkit assess``)
ask through a :class:`Prompter`: text is word-wrapped to the terminal
(:mod:`textwrap`, never cutting a word), answers are single lines, and the
same code runs on a terminal, on a plain pipe and under a test.

Output goes through a `rich <https://rich.readthedocs.io>`_ console
(:attr:`Prompter.console`): on a terminal, questions are in bold, lists are
numbered grids and results sit in a panel; when the output is a pipe or a
file, or ``TERM=dumb``, the same text comes out plain (no escape codes, no
box lines), and ``NO_COLOR`` drops the colours. rich's markup, emoji codes
and highlighting are all off: text is shown as it is, so ``[bold]`` or
``:smile:`` in a participant id or an instrument's label stays those
characters (see :func:`styled`).

On a terminal, answers are read with GNU readline (line editing, history,
and Tab completion where the question has a known set of answers, such as
trigger categories). Through a pipe, lines are read from the input as they
come. The end of the input raises :class:`EndOfInput`, Ctrl-C raises
KeyboardInterrupt: the caller decides what to keep.

Text that comes from a journal, an import or an argument is shown through
:func:`shown`, the one rule of every terminal output of calmkit: control
characters are escaped, so a hostile id or note cannot drive the reader's
terminal (clear the screen, set the window title, move the cursor) nor
forge lines of the output. :func:`styled` is the one way such text becomes
a rich :class:`~rich.text.Text`: through :func:`shown`, never as markup.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import textwrap
from typing import Callable, Optional, Sequence, TextIO, Union

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

__all__ = ["ANSWER_PROMPT", "ANSWER_ROOM", "EndOfInput", "MAX_WIDTH", "Prompter", "console_for", "numbered", "shown", "styled"]

#: Widest line the prompts use, even on a wide terminal (long lines read badly).
MAX_WIDTH = 88
#: Columns an answer needs after its question; with fewer, the answer is typed
#: on a line of its own after :data:`ANSWER_PROMPT`.
ANSWER_ROOM = 20
ANSWER_PROMPT = "  >"


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
    if "\udc80" <= c <= "\udcff":  # a byte that is not UTF-8 (os.fsdecode's surrogate escape): the byte,
        return f"\\x{ord(c) - 0xDC00:02x}"  # as the core's messages and calmkit.files.shown_path write it
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def about_path(doing: str, path: object, error: object) -> str:
    """``"DOING PATH: ERROR"``, or ``"DOING: ERROR"`` when the error's message
    names ``path`` already (a store's message starts ``store 'PATH'``), so
    that a message says the path once. ``path`` as the caller shows it (a str
    or an os.PathLike)."""
    text = str(error)
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    if name and (name in text or shown(name) in text):
        return f"{doing}: {text}"
    return f"{doing} {name}: {text}"


def shown(text: object, newlines: bool = False) -> str:
    """``text`` as calmkit shows it on a terminal: every character that could
    act on the terminal or reorder the line is written as a Python-style
    escape (``\\x1b`` for ESC, ``\\u202e`` for RIGHT-TO-LEFT OVERRIDE), a
    byte of a file name that is not UTF-8 (``os.fsdecode``'s surrogate
    escape) as that byte (``\\xe9``, as the core's messages write it), the
    rest unchanged (letters of any script, emoji, tabs).

    ``newlines=False`` (for one value, such as an id or a file name) escapes
    ``\\n`` too, so a value never starts a line of its own; ``True`` keeps the
    line breaks of a message of several lines. A backslash is left as it is.

    Example::

        >>> shown("p\\x1b]0;owned\\x07")
        'p\\\\x1b]0;owned\\\\x07'
    """
    return (_UNSAFE_IN_LINES if newlines else _UNSAFE_IN_LINE).sub(_escape, str(text))


def styled(text: object, style: str = "", newlines: bool = False) -> Text:
    """``text`` as a rich :class:`~rich.text.Text` in ``style``: escaped by
    :func:`shown` (``newlines`` as there) and never read as rich markup, so
    ``"[red]x[/]"`` is shown as those nine characters."""
    return Text(shown(text, newlines=newlines), style=style)


def console_for(out: TextIO, width: Optional[int] = None, terminal: Optional[bool] = None) -> Console:
    """The rich console calmkit writes to ``out`` with: ``width`` columns
    (default: the terminal's, or ``COLUMNS``, or 80), rich's markup, emoji
    codes and highlighting off. ``terminal`` forces (True) or denies (False)
    terminal output; by default it is whether ``out`` is a terminal. rich
    honours ``NO_COLOR`` (no colours), ``TERM=dumb`` (no styles) and
    ``FORCE_COLOR``."""
    return _Console(file=out, width=width, markup=False, emoji=False, highlight=False,
                    force_terminal=terminal, force_interactive=terminal)


class _Console(Console):
    """rich's console, but a reader gone away (``| head``) raises BrokenPipeError
    to the caller, as print() does: the calmkit command decides (exit 0,
    nothing on stderr), where rich would exit with status 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def numbered(rows: Sequence[Union[str, Text]], start: int = 1, width: int = 2) -> Table:
    """A numbered list as a rich grid: ``1. text`` (indented) with the text of each
    row wrapped in its own column (a continuation never runs under the
    number). ``str`` rows go through :func:`styled`."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for k, row in enumerate(rows, start):
        grid.add_row(Text(f"  {k:>{width}}."), styled(row) if isinstance(row, str) else row)
    return grid


#: A readline prompt's escape codes go between \001 and \002 (RL_PROMPT_START_IGNORE
#: and END): readline then leaves them out when it counts the prompt's width.
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


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
        self.console = console_for(self.out, self.width)
        self._readline = self._interactive()
        self._decode_leniently()

    def _decode_leniently(self) -> None:
        """An answer that is not UTF-8 (typed on a Latin-1 terminal) must not
        end the command in a UnicodeDecodeError (stdin decodes strictly under
        ``PYTHONIOENCODING=utf-8``): its bytes are read as surrogate escapes,
        which :meth:`ask` refuses, naming them, and asks again. Before the
        first read, as the stream decodes whole chunks ahead."""
        if getattr(self.inp, "errors", None) != "strict" or not hasattr(self.inp, "reconfigure"):
            return
        try:
            self.inp.reconfigure(errors="surrogateescape")
        except (ValueError, OSError, AttributeError):
            pass

    @property
    def fancy(self) -> bool:
        """Whether the output is a terminal that takes styles and box lines
        (not a pipe, a file or ``TERM=dumb``)."""
        return self.console.is_terminal and not self.console.is_dumb_terminal

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

    def say(self, text: str = "", indent: str = "", hanging: Optional[str] = None, style: str = "") -> None:
        """Prints ``text`` word-wrapped (through :func:`shown`), in ``style``
        (a rich style such as ``"bold"``) on a terminal."""
        self.console.print(Text(self.wrap(text, indent, hanging) if text else "", style=style), soft_wrap=True)

    def show(self, *renderables: RenderableType) -> None:
        """Prints rich renderables (a :func:`numbered` list, a table, :func:`styled`
        text) at the prompts' width."""
        self.console.print(*renderables)

    def numbered(self, rows: Sequence[Union[str, Text]]) -> None:
        """A numbered list (``1. text`` (indented), continuations under the text): a
        :func:`numbered` grid on a terminal; plain filled lines elsewhere (a
        grid pads its cells with spaces). A newline in a row starts a line
        of its own under the text."""
        if self.fancy:
            self.console.print(numbered(rows))
            return
        for k, row in enumerate(rows, 1):
            first, *rest = (row.plain if isinstance(row, Text) else shown(row)).split("\n")
            self.say(first, indent=f"  {k:>2}. ")
            for more in rest:
                self.say(more, indent=" " * 6)

    def panel(self, title: Union[str, Text], lines: Sequence[Union[str, Text, RenderableType]]) -> None:
        """``lines`` under ``title``: in a box on a terminal, as plain lines
        (the title first) through a pipe or on ``TERM=dumb``. ``str`` lines and
        titles go through :func:`styled`; an empty string is a blank line."""
        body = [styled(x) if isinstance(x, str) else x for x in lines]
        head = styled(title, "bold") if isinstance(title, str) else title
        if self.fancy:
            if head.cell_len > self.width - 6:
                # rich would cut a title wider than the box's top line: it goes above the box, wrapped.
                self.say(head.plain, style="bold")
                head = None
            self.console.print(Panel(Group(*body), title=head, title_align="left", width=self.width,
                                     padding=(0, 1)))
        else:
            # Plain lines, filled as say() fills them (rich's wrapping would leave a space at line ends).
            self.say(head.plain)
            for x in body:
                if isinstance(x, Text):
                    self.say(x.plain)
                else:
                    self.console.print(x)

    # --- input ------------------------------------------------------------------

    def ask(self, question: str, completions: Sequence[str] = ()) -> str:
        """One answer (stripped). The question is wrapped; the answer is typed
        after its last line. ``completions`` are offered with Tab on a terminal.
        An answer that is not UTF-8 text (the journal stores UTF-8) is refused
        with its bytes shown escaped, and the question asked again. Raises
        :class:`EndOfInput` at the end of the input."""
        while True:
            answer = self._ask_once(question, completions)
            try:
                answer.encode("utf-8")
                return answer
            except UnicodeEncodeError:
                self.say(f"That answer is not UTF-8 text ({shown(answer)}); check the terminal's encoding "
                         "and type it again.")

    def _ask_once(self, question: str, completions: Sequence[str]) -> str:
        text = self.wrap(question)
        if self.width - len(text.rpartition("\n")[2]) < ANSWER_ROOM:
            # Too little room after the question: the terminal would wrap the answer
            # inside a word, so the answer gets a line of its own.
            text += "\n" + ANSWER_PROMPT
        head, _, last = text.rpartition("\n")
        if head:
            self.console.print(Text(head, style="bold"), soft_wrap=True)
        if self._readline:
            return self._ask_readline(self._styled_prompt(last) + " ", completions)
        self.console.print(Text(last, style="bold"), end=" ", soft_wrap=True)
        line = self.inp.readline()
        if not line:
            print(file=self.out)
            raise EndOfInput(question)
        if not self.inp_echoes():
            # A pipe does not echo: show the answer so the transcript reads as a dialogue.
            print(shown(line.rstrip("\n")), file=self.out)
        return line.strip()

    def _styled_prompt(self, line: str) -> str:
        """``line`` in bold for readline's prompt, its escape codes marked
        as taking no room (plain when the console takes no styles)."""
        with self.console.capture() as captured:
            self.console.print(Text(line, style="bold"), end="", soft_wrap=True)
        return _SGR.sub("\001\\1\002", captured.get())

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
