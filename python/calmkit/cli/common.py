"""What the subcommands share: exit statuses, plain-words failures, reading a
journal, the rules for outputs, and the argument types of the options."""

from __future__ import annotations

import argparse
import errno
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .. import _core, formats, guided, home
from ..prompts import about_path, shown

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_HELP", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_OUTPUT", "EXIT_PROBLEMS", "EXIT_USAGE", "INSTRUMENTS_ENV",
           "OUTPUT_ERRNOS", "SQLITE_OUTPUT_ERRORS", "TZ_FOR_ENTRIES", "TZ_FORMS", "Failure", "byte_count_arg", "category_arg", "check_output", "check_readable", "counts",
           "hours_arg", "in_cli_words", "inputs", "intensity_arg", "not_an_input", "over_the_limit", "plural", "read", "record_row", "refused_by_the_machine", "shell_word", "time_zone_arg",
           "writable_parent", "write_failure", "zero_to_ten_arg"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
#: An output could not be written (disk full, I/O error, no permission).
EXIT_OUTPUT = 3
#: Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Errors of writing that are the machine's, not the user's (exit status 3).
OUTPUT_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
#: The same errors as SQLite words them (``sqlite3_errstr`` of SQLITE_IOERR,
#: SQLITE_FULL, SQLITE_READONLY and SQLITE_CANTOPEN): a store, or a backup's
#: copy, on a full disk or in a folder that cannot be written. The store's
#: messages carry these words without an errno.
SQLITE_OUTPUT_ERRORS = ("disk I/O error", "database or disk is full", "attempt to write a readonly database",
                        "unable to open database file")

#: The help of every JOURNAL / --journal argument.
DEFAULT_HELP = (f"default: ${home.JOURNAL_ENV}, else your own journal.jsonl in the data directory "
                "(such as ~/.local/share/calmkit)")
#: Environment variable with custom instrument files to register (like --instruments).
INSTRUMENTS_ENV = "CALMKIT_INSTRUMENTS"


class Failure(Exception):
    """An error to report in plain words, with the exit status to use. The
    message is one line on stderr (a newline in it, as a file name can hold,
    is shown as ``\\n``: no value can forge a line); ``hint``, calmkit's own
    words, goes on the next line."""

    def __init__(self, message: str, status: int, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.hint = hint


def check_readable(path: Path) -> None:
    """Refuses an input that is missing, a loop of symbolic links, a path the
    system will not look up (a name too long, a folder that cannot be
    entered) or a directory (status 2), naming the default journal's case."""
    try:
        os.stat(path)
    except OSError as e:  # Path.exists() is False for some of these and raises for others
        if e.errno == errno.ELOOP:  # the path is there: a cycle of links
            raise Failure(f"cannot read {path}: more than 40 symbolic links in a row (a cycle?)", EXIT_USAGE) from None
        if e.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise Failure(f"cannot read {path}: {e.strerror or e}", EXIT_USAGE) from None
        if path == home.journal_path():
            raise Failure(f"no journal yet at {path} ('calmkit now' or 'calmkit log' starts one)", EXIT_USAGE) from None
        raise Failure(f"no such file: {path}", EXIT_USAGE) from None
    if path.is_dir():
        raise Failure(f"{path} is a directory, not a journal file", EXIT_USAGE)


#: Largest input read (bytes; 0: no limit); set by --max-input-bytes.
max_input_bytes = 4 << 30


def read(path: Path, lenient: bool) -> tuple[_core.Journal, _core.ReadReport | formats.StoreReport]:
    """The journal or store at ``path`` (:func:`calmkit.formats.read_journal_or_store`),
    with its errors in plain words. A store SQLite finds damaged is a problem
    ``validate`` lists (status 1), and an error elsewhere (status 2)."""
    check_readable(path)
    try:
        return formats.read_journal_or_store(path, lenient=lenient, max_bytes=max_input_bytes)
    except _core.JournalFormatError:
        raise
    except formats.DamagedStoreError as e:
        raise Failure(f"{shown(path)}: the store is damaged (SQLite integrity check: {shown(e.verdict)})",
                      EXIT_PROBLEMS if lenient else EXIT_USAGE) from e
    except (RuntimeError, OSError) as e:
        if isinstance(e, OSError) and e.errno == errno.EFBIG:
            raise over_the_limit(e) from e
        if formats.is_store_file(path):
            raise Failure(shown(about_path("cannot read the store", path, e)), EXIT_USAGE) from e
        raise Failure(str(e) if isinstance(e, _core.FileError) else about_path("cannot read", path, e), EXIT_USAGE) from e


#: How the core names the input limit of its API (C++ and Python), at the end of its message.
_API_LIMIT_NAMES = re.compile(r"\s*\(ReadOptions::max_bytes[^()]*\)\s*$")


def over_the_limit(e: OSError) -> Failure:
    """The failure for an input over ``--max-input-bytes`` (an OSError with
    errno EFBIG from the reader or :func:`calmkit.files.read_bytes`), naming
    the limit by the option the command line has rather than by the API's
    ``ReadOptions::max_bytes`` / ``max_bytes=``. Status 2."""
    text = _API_LIMIT_NAMES.sub("", str(e))
    return Failure(f"{text} (--max-input-bytes; 0 for no limit)", EXIT_USAGE)


#: The reader's line limit as its message names it for the API (C++ ReadOptions::max_line_bytes,
#: Python max_line_bytes=).
_API_LINE_LIMIT = re.compile(
    r"longer than (\d+) bytes without a line break \(ReadOptions::max_line_bytes;(?: max_line_bytes= in Python;)? ([^()]*)\)")


def in_cli_words(message: object) -> str:
    """A reader's message as the command line says it: the line limit in MiB
    and without the name of the API option, which the command line has none of."""
    def words(m: re.Match[str]) -> str:
        n = int(m.group(1))
        size = f"{n >> 20} MiB" if n and n % (1 << 20) == 0 else f"{n} bytes"
        return f"longer than {size} without a line break ({m.group(2)})"
    return _API_LINE_LIMIT.sub(words, str(message))


def refused_by_the_machine(e: BaseException) -> bool:
    """Whether ``e`` is the machine refusing a write (disk full, I/O error,
    read-only, no permission): an OSError with one of OUTPUT_ERRNOS, or a
    store's error (a RuntimeError without errno) in SQLite's words for them."""
    if getattr(e, "errno", None) in OUTPUT_ERRNOS:
        return True
    return isinstance(e, RuntimeError) and any(words in str(e) for words in SQLITE_OUTPUT_ERRORS)


def write_failure(path: Path, e: BaseException) -> Failure:
    """The plain-words failure for an output that could not be written: status
    3 for the machine's errors (disk full, I/O, permission; also a store's,
    in SQLite's words), 2 for a target the user should not have named (a
    FIFO, a device, a directory)."""
    if not isinstance(e, _core.FileError) and getattr(e, "errno", None) is None and refused_by_the_machine(e):
        return Failure(f"{about_path('cannot write', path, e)}; nothing was changed", EXIT_OUTPUT)
    code = getattr(e, "errno", None)
    text = str(e) if isinstance(e, _core.FileError) else f"cannot write {path}: {getattr(e, 'strerror', None) or e}"
    return Failure(text + ("; nothing was replaced" if code in OUTPUT_ERRNOS else ""),
                   EXIT_OUTPUT if code in OUTPUT_ERRNOS else EXIT_USAGE)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural (``many``, else word + 's') unless n is 1."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def record_row(j: _core.Journal, tz: str | None = None) -> "pd.Series | None":
    """The journal's pooled row of ``calmkit.record_counts`` (span and
    records; local dates in ``tz`` when given), or None for an empty journal."""
    from .. import metrics as m

    rows = m.record_counts(j, by=None, tz=tz)
    return rows.iloc[0] if len(rows) else None


def counts(j: _core.Journal) -> str:
    """The record counts of ``j``, in words (summary, import), from ``calmkit.record_counts``."""
    row = record_row(j)
    n = {t: int(row[t]) if row is not None else 0
         for t in ("triggers", "readings", "exercises", "thought_records", "assessments")}
    return ", ".join(
        [
            plural(n["triggers"], "trigger"),
            plural(n["readings"], "reading"),
            plural(n["exercises"], "exercise session"),
            plural(n["thought_records"], "thought record"),
            plural(n["assessments"], "self-assessment"),
        ]
    )


def writable_parent(out: Path) -> None:
    """Refuses an output that is a directory, FIFO, device or socket, or whose folder is missing."""
    try:
        target = _core.resolve_write_target(out)  # refuses a directory, FIFO, device, socket
    except _core.FileError as e:
        raise Failure(str(e), EXIT_USAGE) from e
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise Failure(f"cannot write {out}: the folder {parent} does not exist", EXIT_USAGE)


def check_output(out: Path, force: bool) -> None:
    """The one rule for ``-o FILE`` of every command: a new file is created
    (0600); an existing one is replaced only with ``--force`` (keeping its
    mode and owner); a directory, FIFO, device or socket is never replaced. A
    symbolic link is followed: the file it leads to is the one checked and
    replaced."""
    writable_parent(out)
    if os.path.lexists(out) and os.path.exists(out) and not force:
        raise Failure(f"{out} already exists; use --force to replace it", EXIT_USAGE)


def inputs(args: argparse.Namespace, *more: Path) -> list[Path]:
    """Every file the command reads: ``more`` and the instrument files."""
    from_env = [Path(p) for p in os.environ.get(INSTRUMENTS_ENV, "").split(os.pathsep) if p]
    return [*more, *from_env, *args.instruments]


def not_an_input(out: Path, given: Sequence[Path]) -> None:
    """Refuses an output that is one of the command's own inputs, with or
    without ``--force``: ``import export.csv -o export.csv --force`` would
    replace the person's only export with the journal made from it. The same
    file is recognised by device and inode, so also through a symbolic link,
    a hard link or another spelling of its path."""
    try:
        written = os.stat(out)  # follows links: the file the write would replace
    except OSError:
        return  # not there yet: it cannot be an input
    for path in given:
        try:
            src = os.stat(path)
        except OSError:
            continue
        if (src.st_dev, src.st_ino) == (written.st_dev, written.st_ino):
            how = "" if os.path.abspath(out) == os.path.abspath(path) else " (the same file by another path or link)"
            raise Failure(f"cannot write {shown(out)}: it is the input {shown(path)}{how}; write to another "
                          "file (--force never replaces an input)", EXIT_USAGE)


def shell_word(text: str) -> str:
    """``text`` quoted for a POSIX shell when it needs quoting."""
    import shlex

    return shlex.quote(text)


def _number_arg(text: str, convert: Callable[[str], Any], what: str, ok: Callable[[Any], bool],
                why: Callable[[Any], str]) -> Any:
    """``text`` converted (``int`` or ``float``) and checked for an argparse type:
    ArgumentTypeError saying it is not ``what``, or ``why(value)`` when ``ok`` refuses it."""
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(why(value))
    return value


def byte_count_arg(text: str) -> int:
    """--max-input-bytes: a whole number of bytes, 0 or more."""
    return _number_arg(text, int, "a whole number of bytes", lambda v: v >= 0, lambda v: f"{v} is negative")


def zero_to_ten_arg(text: str) -> int:
    """A distress 0-10 (an intensity or a threshold): the model's rule
    (``Intensity``) and its words, ``must be an integer 0..10, got 11``."""
    value: Any
    if "_" in text or text.strip().startswith("+"):
        # int() and float() take Python's literal syntax: "1_0" would be 10 and "+5" 5,
        # which the questions asking the same score refuse (Prompter.ask_number, B114).
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)  # 8.5: refused below with the rule's words
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    reason = _core._intensity_reason(value)
    if reason is not None:
        raise argparse.ArgumentTypeError(reason)
    return value


def hours_arg(text: str) -> float:
    """A positive number of hours under a year (--window-hours)."""
    return _number_arg(text, float, "a number", lambda v: v > 0 and v < 24 * 365,
                       lambda v: f"{text} hours is not a positive number of hours under a year")


def intensity_arg(text: str) -> int:
    """--intensity: distress 0-10."""
    return zero_to_ten_arg(text)


def time_zone_arg(text: str) -> str:
    """--tz: an IANA zone name or a POSIX TZ rule, checked now (calmkit.TimeZone)
    so that every command refuses an unknown zone the same way, before any work."""
    from ..timezone import TimeZone

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes on argv: say so, not TimeZone's own parameter name
        shown_text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise argparse.ArgumentTypeError(f"'{shown_text}' is not valid UTF-8 text; check the terminal's encoding") \
            from None
    try:
        TimeZone(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


#: The two forms every --tz takes (docs/time-zones.md).
TZ_FORMS = "an IANA name such as Europe/Berlin or a POSIX TZ rule such as CET-1CEST,M3.5.0,M10.5.0/3"
#: --tz of the commands that record a time (log, assess).
TZ_FOR_ENTRIES = ("time zone of --time without an offset and of the time now: " + TZ_FORMS +
                  " (default: this computer's zone, $TZ or /etc/localtime)")


def category_arg(text: str) -> str:
    """--category: an id, a label, or the first letters of a label or of a word of it."""
    offered = [(c, label) for c, label, _ in _core.trigger_categories()]
    found = guided.match_category(text, offered)
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise argparse.ArgumentTypeError(f"no category matches {text!r}; ids: {', '.join(c for c, _ in offered)}")
    raise argparse.ArgumentTypeError(f"{text!r} fits several categories: "
                                     + ", ".join(f"{c} ({label})" for c, label in found))
