"""The ``calmkit`` command line.

    calmkit summary JOURNAL     what is in a journal, per participant and for the cohort
    calmkit validate JOURNAL    every line that breaks the journal format
    calmkit report JOURNAL -o report.html    the visual progress report (one HTML file)
    calmkit import [FORMAT] FILE -o journal.jsonl  from Daylio, Bearable, Apple Health, mindLAMP
    calmkit practice EXERCISE_ID [--journal FILE]  a guided exercise in the terminal
    calmkit log trigger|reading --journal FILE ... a quick entry into a journal or store
    calmkit backup STORE DEST                    a safe copy of a store, even while in use
    calmkit assess INSTRUMENT --journal FILE    answer a questionnaire (gad-7, ...) and record it
    calmkit now                 the alarm just went off: a guided episode, from rating to calm
    calmkit thought             a guided CBT thought record

Without --journal (or JOURNAL) the commands use the person's own journal:
$CALMKIT_JOURNAL, else journal.jsonl in the platform's data directory
(calmkit.home; ~/.local/share/calmkit on Linux), created on first use.

Exit status (the table with every command is in docs/cli.md): 0 success
(for ``validate``: no problems), 1 the data has problems, 2 bad usage (wrong
arguments, an input that is missing or cannot be read, an output that is not
allowed: an existing file without ``--force``, a directory, a FIFO or a
device), 3 an output could not be written (disk full, I/O error, permission;
nothing is replaced), 130 interrupted (Ctrl-C). Errors are printed in plain
words on stderr, never as a traceback.

The package: this module builds the argument tree and runs the command; each
subcommand is a module with ``add_parser(subparsers)`` and ``run(args, out)``
(:mod:`calmkit.cli.summary`, ``validate``, ``report``, ``importing``,
``practice``, ``log``, ``assess``, ``backup``; ``now`` and ``thought`` are
:mod:`calmkit.guided`), on :mod:`calmkit.cli.common` (exit statuses,
failures, reading a journal, output rules, argument types),
:mod:`calmkit.cli.entries` (quick entries into a journal or store) and
:mod:`calmkit.cli.progress`.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
from pathlib import Path
from typing import Sequence

from .. import _core, files, guided, home
from .. import localtime as _localtime
from .._extras import MissingExtraError
from ..prompts import shown
from . import assess, backup, common, importing, log, practice, report, summary, validate
from .common import (EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_PROBLEMS, EXIT_USAGE, INSTRUMENTS_ENV, Failure,
                     byte_count_arg, check_readable, inputs, shell_word)

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "EXIT_OUTPUT", "EXIT_INTERRUPTED"]

#: Commands whose journal defaults to the person's own (calmkit.home.journal_path).
_USES_JOURNAL = ("summary", "validate", "report", "practice", "log", "assess", "now", "thought")
#: Each subcommand's module: ``run(args, out) -> exit status`` and ``add_parser(subparsers)``.
COMMANDS = {"summary": summary, "validate": validate, "report": report, "import": importing,
            "practice": practice, "log": log, "assess": assess, "backup": backup}


class _Parser(argparse.ArgumentParser):
    """argparse, with its error messages (which repeat unknown arguments as
    typed) shown through the one rule for terminal output."""

    def error(self, message: str):  # type: ignore[override]
        super().error(shown(message))


def build_parser() -> argparse.ArgumentParser:
    """The ``calmkit`` argument parser: the global options, then each subcommand's ``add_parser``."""
    parser = _Parser(
        prog="calmkit",
        description="Look into calmkit journals (JSON Lines, journal format v1).",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {_core.__version__}")
    parser.add_argument(
        "--max-input-bytes", type=byte_count_arg, default=4 << 30, metavar="BYTES",
        help="refuse a journal or import file bigger than this (or a pipe that gives more); "
        "0 for no limit (default 4294967296, 4 GiB)")
    parser.add_argument(
        "--instruments", type=Path, action="append", default=[], metavar="FILE",
        help="a JSON file of custom self-assessment instruments (one definition or a list; the keys of "
        "calmkit.instrument()) to register before the command runs; repeatable. The paths in "
        f"{INSTRUMENTS_ENV} (separated by '{os.pathsep}') are registered too.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():  # in the order of calmkit --help
        command.add_parser(sub)
    guided.add_parsers(sub)
    return parser


def _register_instruments(paths: list[Path]) -> None:
    """Registers the custom instruments defined in each JSON file (an object,
    or a list of them, with the keys of calmkit.instrument()). Errors name the
    file and the definition (and the line and column of bad JSON)."""
    for path in paths:
        check_readable(path)
        try:
            data = json.loads(files.read_bytes(path, common.max_input_bytes).decode("utf-8"))
        except json.JSONDecodeError as e:
            raise Failure(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}", EXIT_USAGE) from e
        except RecursionError:  # json's parser recurses once per level of nesting
            raise Failure(f"{path}: JSON nested too deeply to read (an instrument definition is nested a few "
                          "levels)", EXIT_USAGE) from None
        except OSError as e:
            if e.errno == errno.EFBIG:  # over --max-input-bytes: the message names the file already
                raise common.over_the_limit(e) from e
            raise Failure(f"cannot read {path}: {e}", EXIT_USAGE) from e
        except UnicodeDecodeError as e:
            raise Failure(f"cannot read {path}: {e}", EXIT_USAGE) from e
        definitions = data if isinstance(data, list) else [data]
        for i, definition in enumerate(definitions):
            where = f"{path}: instrument {i + 1} of {len(definitions)}"
            if not isinstance(definition, dict):
                raise Failure(f"{where}: expected a JSON object, got {type(definition).__name__}", EXIT_USAGE)
            if "id" in definition:
                where += f" ('{definition['id']}')"
            try:
                _core.register_instrument(definition)
            except ValueError as e:
                raise Failure(f"{where}: {e}", EXIT_USAGE) from e


#: Options that are ids: control characters in them (ESC, a newline, ...) are
#: refused on the command line. The journal format accepts any string; every
#: output of the command line shows such characters escaped (prompts.shown).
_ID_OPTIONS = ("participant", "id", "trigger")


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Text options (--participant, --note, --id, ...) must be UTF-8: the
    journal format stores UTF-8 text. Python hands undecodable argument bytes
    over as lone surrogates; say which option holds them instead of failing
    deep inside. File paths may hold any bytes and are not checked."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    option = "--" + name.replace("_", "-")
                    text = v.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                    raise Failure(f"{option} '{text}' is not valid UTF-8 text (the journal stores UTF-8); "
                                  "check the terminal's encoding", EXIT_USAGE) from None
                if name in _ID_OPTIONS and shown(v) != v:
                    raise Failure(f"--{name} '{shown(v)}' holds a control character (shown escaped); "
                                  "an id is typed text, so it is refused", EXIT_USAGE)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the flush at
    exit does not fail (and print) a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _note_unknown_zone_for_now() -> None:
    """The commands that record "now" keep it with this computer's UTC offset.
    A $TZ the C library does not know (a misspelt Europe/Berln) is read by it
    as UTC, silently: the instant stays right, but the wall time kept would be
    the UTC one. Said on stderr."""
    unknown = _localtime.unknown_system_zone()
    if unknown is not None:
        print(f"calmkit: note: $TZ {shown(unknown)!r} is neither a time zone this computer knows nor a POSIX "
              "rule, so the time now is kept at UTC (+00:00); set TZ to a zone such as Europe/Berlin to keep "
              "your own offset", file=sys.stderr)


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)  # exits with status 2 on usage errors
    common.max_input_bytes = args.max_input_bytes
    commands = {**{name: module.run for name, module in COMMANDS.items()}, **guided.COMMANDS}
    try:
        _check_text_arguments(args)
        if args.command in _USES_JOURNAL:
            args.journal = home.journal_path(args.journal)  # --journal, else $CALMKIT_JOURNAL, else the default
        _register_instruments(inputs(args))
        if args.command in guided.COMMANDS or (args.command in ("log", "practice")
                                                and getattr(args, "time", None) is None
                                                and getattr(args, "tz", None) is None):
            _note_unknown_zone_for_now()
        status = commands[args.command](args, sys.stdout)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not in a traceback at exit
        return status
    # Each message is one line (shown() writes a newline of a file name or an
    # id as \n, so that no value can forge a line of calmkit's output).
    except Failure as e:
        print(f"calmkit: {shown(e)}", file=sys.stderr)
        if e.hint:
            print(e.hint, file=sys.stderr)
        return e.status
    except guided.GuidedFailure as e:
        print(f"calmkit: {shown(e)}", file=sys.stderr)
        return EXIT_USAGE
    except _core.RecordError as e:  # a record refused by a rule: the journal file is not the problem
        print(f"calmkit: {shown(e)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except _core.JournalFormatError as e:
        print(f"calmkit: {shown(common.in_cli_words(e))}", file=sys.stderr)
        bad = getattr(args, "journal", None) or ""
        print(f"calmkit: run 'calmkit validate {shown(shell_word(str(bad)))}' to list every problem", file=sys.stderr)
        return EXIT_PROBLEMS
    except MissingExtraError as e:  # an optional dependency: name the extra, no traceback
        print(f"calmkit: {shown(e)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error.
        _silence_stdout()
        return EXIT_OK
    except OSError as e:
        if e.errno == errno.EPIPE:
            _silence_stdout()
            return EXIT_OK
        # Writing the output to stdout failed (a full disk, a file size limit).
        _silence_stdout()
        print(f"calmkit: cannot write the output: {shown(e.strerror or e)}", file=sys.stderr)
        return EXIT_OUTPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    # Until here a Ctrl-C ends the start-up quietly (see calmkit/__init__.py);
    # from here on it is a KeyboardInterrupt, handled below. On the way out the
    # handler from before comes back: for the command, the quiet one, so that
    # a Ctrl-C while the interpreter shuts down prints no traceback either.
    # A SIGINT the process was started with ignored (nohup, a shell script's
    # background job) stays ignored: the interpreter keeps that too.
    before = signal.getsignal(signal.SIGINT)
    if before != signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _silence_stdout()
        print("\ncalmkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if before is not None:  # None: a handler not installed from Python
            signal.signal(signal.SIGINT, before)

