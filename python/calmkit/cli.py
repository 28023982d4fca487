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
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import re
import signal
import stat
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

from . import _core, files, guided, home, pacer
from . import localtime as _localtime
from ._extras import MissingExtraError
from .prompts import EndOfInput, Prompter, console_for, shown, styled

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
#: An output could not be written (disk full, I/O error, no permission).
EXIT_OUTPUT = 3
#: Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Errors of writing that are the machine's, not the user's (exit status 3).
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}

#: Exercises listed per participant and for the cohort.
TOP_EXERCISES = 5
#: Weeks of the "first weeks vs latest weeks" time-to-calm comparison.
FIRST_LATEST_WEEKS = 4
#: Commands whose journal defaults to the person's own (calmkit.home.journal_path).
_USES_JOURNAL = ("summary", "validate", "report", "practice", "log", "assess", "now", "thought")
_DEFAULT_HELP = (f"default: ${home.JOURNAL_ENV}, else your own journal.jsonl in the data directory "
                 "(such as ~/.local/share/calmkit)")
#: Environment variable with custom instrument files to register (like --instruments).
INSTRUMENTS_ENV = "CALMKIT_INSTRUMENTS"


class _Failure(Exception):
    """An error to report in plain words, with the exit status to use."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _check_readable(path: Path) -> None:
    if not path.exists() and path == home.journal_path():
        raise _Failure(f"no journal yet at {path} ('calmkit now' or 'calmkit log' starts one)", EXIT_USAGE)
    if not path.exists():
        raise _Failure(f"no such file: {path}", EXIT_USAGE)
    if path.is_dir():
        raise _Failure(f"{path} is a directory, not a journal file", EXIT_USAGE)


#: Largest input read (bytes; 0: no limit); set by --max-input-bytes.
_max_input_bytes = 4 << 30


#: The first bytes of every SQLite 3 database file (sqlite.org/fileformat.html 1.3.1).
_SQLITE_MAGIC = b"SQLite format 3\x00"


class _StoreReport:
    """What :func:`_read` reports for a store: its records were checked when
    they were added, so nothing is skipped."""

    def __init__(self, path: Path, records: int) -> None:
        self.path, self.records, self.skipped = str(path), records, []


def _is_store_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts like an SQLite database.
    A FIFO or a device is never sniffed: reading its first bytes would take
    them from the journal reader."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _read_store(path: Path, lenient: bool) -> tuple[_core.Journal, _StoreReport]:
    """Every record of the store at ``path``, opened read-only (the default
    journal may be a store: ``calmkit log``/``now`` write one for a .db path).
    A store SQLite finds damaged is a problem ``validate`` lists, and an error
    elsewhere."""
    try:
        with _core.open_store(path, create=False, read_only=True) as st:
            verdict = st.integrity_check()
            if verdict != "ok":
                raise _Failure(f"{shown(path)}: the store is damaged (SQLite integrity check: {shown(verdict)})",
                               EXIT_PROBLEMS if lenient else EXIT_USAGE)
            journal = st.load()
    except (RuntimeError, OSError) as e:
        raise _Failure(f"cannot read the store {shown(path)}: {shown(e)}", EXIT_USAGE) from e
    return journal, _StoreReport(path, len(journal))


def _read(path: Path, lenient: bool) -> tuple[_core.Journal, _core.ReadReport]:
    _check_readable(path)
    if _is_store_file(path):
        return _read_store(path, lenient)  # type: ignore[return-value]
    try:
        return _core.read_journal_with_report(path, lenient=lenient, max_bytes=_max_input_bytes)
    except _core.JournalFormatError:
        raise
    except (RuntimeError, OSError) as e:
        raise _Failure(str(e) if isinstance(e, _core.FileError) else f"cannot read {path}: {e}", EXIT_USAGE) from e


def _write_failure(path: Path, e: BaseException) -> _Failure:
    """The plain-words failure for an output that could not be written: status
    3 for the machine's errors (disk full, I/O, permission), 2 for a target the
    user should not have named (a FIFO, a device, a directory)."""
    code = getattr(e, "errno", None)
    text = str(e) if isinstance(e, _core.FileError) else f"cannot write {path}: {getattr(e, 'strerror', None) or e}"
    return _Failure(text + ("; nothing was replaced" if code in _OUTPUT_ERRNOS else ""),
                    EXIT_OUTPUT if code in _OUTPUT_ERRNOS else EXIT_USAGE)


# --- summary -------------------------------------------------------------------------


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _record_row(j: _core.Journal) -> "pd.Series | None":
    """The journal's pooled row of ``calmkit.record_counts`` (span and
    records), or None for an empty journal."""
    from . import metrics as m

    rows = m.record_counts(j, by=None)
    return rows.iloc[0] if len(rows) else None


def _counts(j: _core.Journal) -> str:
    row = _record_row(j)
    n = {t: int(row[t]) if row is not None else 0
         for t in ("triggers", "readings", "exercises", "thought_records", "assessments")}
    return ", ".join(
        [
            _plural(n["triggers"], "trigger"),
            _plural(n["readings"], "reading"),
            _plural(n["exercises"], "exercise session"),
            _plural(n["thought_records"], "thought record"),
            _plural(n["assessments"], "self-assessment"),
        ]
    )


def _span(j: _core.Journal) -> tuple[dt.date, dt.date, int]:
    """First and last local date of a record of any type, and the days from
    one to the other (both counted): ``calmkit.record_counts``."""
    row = _record_row(j)
    return row["first_local_date"].date(), row["last_local_date"].date(), int(row["days"])


def _top_exercises(j: _core.Journal) -> str:
    """The most practised exercises: the ``sessions`` (all sessions, completed
    or not) of ``calmkit.exercise_effectiveness``, most first (ties: by id)."""
    from . import metrics as m

    e = m.exercise_effectiveness(j)
    if e.empty:
        return "none"
    ranked = sorted(zip(e["exercise"].astype(str), e["sessions"].astype(int)), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{shown(name)} ({n})" for name, n in ranked[:TOP_EXERCISES])


def _week_lines(j: _core.Journal, first: dt.date, last: dt.date) -> list[str]:
    """Triggers and mean intensity at onset in the first and last full ISO
    week (Monday to Sunday, local dates) of the participant's span (first to
    last local date of any record): the rows of
    ``calmkit.trigger_frequency(j, period="week")`` for those weeks, worded.
    """
    from . import metrics as m

    span_days = (last - first).days + 1
    weekly = m.trigger_frequency(j, period="week")
    start = weekly["period_start"].dt.date
    full = weekly[(start >= first) & (start + dt.timedelta(days=6) <= last)]
    if full.empty:
        if span_days < 7:
            return [f"weeks: less than one full week of journaling ({_plural(span_days, 'day')})"]
        return [f"weeks: no full week (Monday to Sunday) in {_plural(span_days, 'day')} of journaling"]

    def week(row: pd.Series) -> tuple[dt.date, dt.date, int, str]:
        s = row["period_start"].date()
        mean = f"{row['mean_intensity']:.1f}" if row["count"] else "no triggers"
        return s, s + dt.timedelta(days=6), int(row["count"]), mean

    s1, e1, n1, m1 = week(full.iloc[0])
    if len(full) == 1:
        return [
            f"triggers per week: {n1} in the only full week ({s1} to {e1})",
            f"mean intensity at onset (0-10): {m1} in that week",
        ]
    sl, el, nl, ml = week(full.iloc[-1])
    return [
        f"triggers per week: {n1} in the first full week ({s1} to {e1}), {nl} in the last ({sl} to {el})",
        f"mean intensity at onset (0-10): {m1} in the first week, {ml} in the last",
    ]


def _minutes(x: float) -> str:
    return f"{x:.0f} min" if x == x else "not reached"  # NaN: S(t) never fell to 1/2


def _time_to_calm_line(row: pd.Series, weeks: pd.DataFrame, span: str) -> str:
    """One line from a time_to_calm_summary row (median, CI, counts) and the
    rows of the same summary grouped by first_and_latest."""
    n = int(row["episodes"])
    if n == 0:
        return "time to calm: no episodes"
    ci = f"{row['ci_low']:.0f}-{row['ci_high']:.0f} min" if row["ci_low"] == row["ci_low"] and \
        row["ci_high"] == row["ci_high"] else "not estimable"
    text = (f"time to calm (distress 3 or less, Kaplan-Meier median): {_minutes(row['median_minutes'])} "
            f"(95% CI {ci}), {_plural(n, 'episode')}, {int(row['censored'])} censored")
    by = weeks.set_index("first_and_latest")
    if {"first", "latest"} <= set(by.index.astype(str)):
        text += (f"; first {span} {_minutes(by.loc['first', 'median_minutes'])} "
                 f"({_plural(int(by.loc['first', 'episodes']), 'episode')}), latest {span} "
                 f"{_minutes(by.loc['latest', 'median_minutes'])} "
                 f"({_plural(int(by.loc['latest', 'episodes']), 'episode')})")
    return text


def _time_to_calm_lines(journal: _core.Journal) -> tuple[dict[str, str], str]:
    """The time-to-calm line of each participant and the pooled one, all from
    calmkit's metric functions (episodes made within each person's records)."""
    from . import metrics as m

    eps = m.time_to_calm(journal)
    if eps.empty:
        return {}, "time to calm: no episodes"
    split = m.first_and_latest(eps, weeks=FIRST_LATEST_WEEKS)
    eps["first_and_latest"] = split
    full = 7.0 * FIRST_LATEST_WEEKS
    # A journal shorter than twice the weeks is split into halves (in days).
    span = {p: _plural(FIRST_LATEST_WEEKS, "week") if d == full else _plural(round(d), "day")
            for p, d in split.attrs["days"].items()}
    each = m.time_to_calm_summary(eps, by="participant").set_index("participant")
    each_w = m.time_to_calm_summary(eps, by=["participant", "first_and_latest"])
    lines = {}
    for p in each.index:
        lines[str(p)] = _time_to_calm_line(each.loc[p], each_w[each_w["participant"] == p], span[str(p)])
    pooled_span = _plural(FIRST_LATEST_WEEKS, "week")
    if any(d != full for d in split.attrs["days"].values()):
        pooled_span += " (halves of shorter journals)"
    pooled = _time_to_calm_line(m.time_to_calm_summary(eps, by=None).iloc[0],
                                m.time_to_calm_summary(eps, by="first_and_latest"), pooled_span)
    return lines, pooled


def _participant_block(j: _core.Journal, name: str, out: TextIO, ttc: str = "time to calm: no episodes") -> None:
    """One participant's lines of ``calmkit summary``; on a terminal the
    heading and the time to calm (the headline number) are in bold."""
    console = console_for(out)

    def line(text: str, style: str = "") -> None:
        console.print(styled(text, style), soft_wrap=True)

    line(f"Participant {shown(name)}" if name else "Journal (single user, no participant id)", "bold")
    first, last, days = _span(j)
    line(f"  dates: {first} to {last} ({_plural(days, 'day')}, local dates)")
    line(f"  records: {_counts(j)}")
    for text in _week_lines(j, first, last):
        line(f"  {text}")
    line(f"  {ttc}", "bold")
    line(f"  most practised exercises: {_top_exercises(j)}")


def _summary(path: Path, out: TextIO) -> int:
    journal, _ = _read(path, lenient=False)
    if len(journal) == 0:
        print(f"{shown(path)}: the journal has no records", file=out)
        return EXIT_OK
    participants = journal.participants()
    ttc, pooled = _time_to_calm_lines(journal)
    for name in participants:
        _participant_block(journal.participant(name), name, out, ttc.get(name, "time to calm: no episodes"))
        print(file=out)
    if len(participants) == 1:
        return EXIT_OK  # a personal journal: the block above says it all
    first, last, _ = _span(journal)
    console = console_for(out)
    console.print(styled(f"Cohort {pooled} (every participant's episodes pooled)", "bold"), soft_wrap=True)
    console.print(styled(
        f"Cohort: {_plural(len(participants), 'participant')}, {first} to {last} (local dates); "
        f"{_counts(journal)}; most practised exercises: {_top_exercises(journal)}"), soft_wrap=True)
    return EXIT_OK


# --- validate ------------------------------------------------------------------------


def _validate(path: Path, out: TextIO) -> int:
    try:
        journal, report = _read(path, lenient=True)
    except _core.JournalFormatError as e:
        # A problem with the file as a whole (for example a newer format
        # version) that lenient reading cannot skip past.
        print(shown(e, newlines=True), file=out)
        print(f"{shown(path)}: not a readable calmkit journal", file=out)
        return EXIT_PROBLEMS
    for skipped in report.skipped:
        print(shown(skipped.message), file=out)
    if report.skipped:
        print(
            f"{shown(path)}: {_plural(len(report.skipped), 'problem')}; "
            f"{_plural(report.records, 'record')} on the other lines are fine",
            file=out,
        )
        return EXIT_PROBLEMS
    early = _readings_before_their_trigger(journal)
    for line in early:
        print(shown(line), file=out)
    where = "a store" if isinstance(report, _StoreReport) else _plural(report.lines, "line")
    print(f"{shown(path)}: OK, {_plural(len(journal), 'record')} in {where}"
          + (f" ({_plural(len(early), 'warning')})" if early else ""), file=out)
    return EXIT_OK


def _readings_before_their_trigger(journal: _core.Journal) -> list[str]:
    """A warning per linked reading timed before its trigger: valid, but the
    metrics ignore it (docs/metrics.md), and it is most often a swapped time."""
    r = journal.readings.to_pandas()
    r = r[r["trigger"].notna()]
    if r.empty:
        return []
    t = journal.triggers.to_pandas()
    onset = dict(zip(zip(t["participant"].astype(str), t["id"].astype(str)), zip(t["time"], t["local_time"])))
    out = []
    for who, rid, trigger, time_, local in zip(r["participant"].astype(str), r["id"].astype(str),
                                               r["trigger"].astype(str), r["time"], r["local_time"]):
        start, start_local = onset.get((who, trigger), (None, None))
        if start is not None and time_ < start:
            out.append(f"warning: reading '{rid}'{_of_participant(who)} at {local:%Y-%m-%d %H:%M} is "
                       f"{_minutes_text((start - time_).total_seconds() / 60)} before its trigger '{trigger}' at "
                       f"{start_local:%Y-%m-%d %H:%M} (local times): the metrics ignore it; are the times swapped?")
    return out


def _of_participant(participant: object) -> str:
    return f" of participant '{participant}'" if str(participant) else ""


def _minutes_text(minutes: float) -> str:
    return f"{minutes:g} min" if minutes < 120 else f"{minutes / 60:.1f} h"


# --- progress on stderr ----------------------------------------------------------------


class _Progress:
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


def _show_progress(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


# --- report --------------------------------------------------------------------------


def _writable_parent(out: Path) -> None:
    try:
        target = _core.resolve_write_target(out)  # refuses a directory, FIFO, device, socket
    except _core.FileError as e:
        raise _Failure(str(e), EXIT_USAGE) from e
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise _Failure(f"cannot write {out}: the folder {parent} does not exist", EXIT_USAGE)


def _check_output(out: Path, force: bool) -> None:
    """The one rule for ``-o FILE`` of every command: a new file is created
    (0600); an existing one is replaced only with ``--force`` (keeping its
    mode and owner); a directory, FIFO, device or socket is never replaced. A
    symbolic link is followed: the file it leads to is the one checked and
    replaced."""
    _writable_parent(out)
    if os.path.lexists(out) and os.path.exists(out) and not force:
        raise _Failure(f"{out} already exists; use --force to replace it", EXIT_USAGE)


def _inputs(args: argparse.Namespace, *more: Path) -> list[Path]:
    """Every file the command reads: ``more`` and the instrument files."""
    from_env = [Path(p) for p in os.environ.get(INSTRUMENTS_ENV, "").split(os.pathsep) if p]
    return [*more, *from_env, *args.instruments]


def _not_an_input(out: Path, inputs: Sequence[Path]) -> None:
    """Refuses an output that is one of the command's own inputs, with or
    without ``--force``: ``import export.csv -o export.csv --force`` would
    replace the person's only export with the journal made from it. The same
    file is recognised by device and inode, so also through a symbolic link,
    a hard link or another spelling of its path."""
    try:
        written = os.stat(out)  # follows links: the file the write would replace
    except OSError:
        return  # not there yet: it cannot be an input
    for path in inputs:
        try:
            read = os.stat(path)
        except OSError:
            continue
        if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            how = "" if os.path.abspath(out) == os.path.abspath(path) else " (the same file by another path or link)"
            raise _Failure(f"cannot write {shown(out)}: it is the input {shown(path)}{how}; write to another "
                           "file (--force never replaces an input)", EXIT_USAGE)


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from . import report  # matplotlib is imported only for this command

    _not_an_input(args.output, _inputs(args, args.journal))
    _check_output(args.output, args.force)
    journal, _ = _read(args.journal, lenient=False)
    bar = _Progress("calmkit report", _show_progress(args))
    try:
        report.write_report(journal, args.output, participant=args.participant, threshold=args.threshold,
                            window_hours=args.window_hours, tz=args.tz, progress=bar.update,
                            source=str(args.journal))
    except ValueError as e:  # an unknown participant, a bad time zone rule
        if "zero-filled table" in str(e):  # the data's span, not the options (docs/metrics.md, span limit)
            raise _Failure(f"{args.journal}: {e}", EXIT_PROBLEMS) from e
        raise _Failure(str(e), EXIT_USAGE) from e
    except (OSError, RuntimeError) as e:
        raise _write_failure(args.output, e) from e
    finally:
        bar.close()
    print(f"wrote {shown(args.output)}", file=out)
    return EXIT_OK


# --- import --------------------------------------------------------------------------

IMPORT_FORMATS = ("daylio", "bearable", "apple-health", "mindlamp")


def _shell_word(text: str) -> str:
    """``text`` quoted for a POSIX shell when it needs quoting."""
    import shlex

    return shlex.quote(text)


def _lamp_activities(path: Path) -> object:
    """The --activities file: Activity objects as a JSON array, the LAMP API's
    answer ``{"data": [...]}``, or an object id -> spec."""
    import json

    _check_readable(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as e:
        raise _Failure(f"cannot read {path}: {e.strerror or e}", EXIT_USAGE) from e
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _Failure(f"{path}: not a UTF-8 JSON file of Activity objects ({e})", EXIT_USAGE) from e
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return data
    if isinstance(data, list) and all(isinstance(a, dict) and "id" in a and "spec" in a for a in data):
        return data
    raise _Failure(f"{path}: expected Activity objects (each with 'id' and 'spec') as a JSON array or as the "
                   "LAMP API's {\"data\": [...]}, or an object id -> spec", EXIT_USAGE)


def _import(args: argparse.Namespace, out: TextIO) -> int:
    from . import importers

    if args.file is None:  # one positional given: it is the file, the format is read from it
        args.format, args.file = None, Path(args.format)
    elif args.format not in IMPORT_FORMATS:
        raise _Failure(f"unknown format {args.format!r}; choose from {', '.join(IMPORT_FORMATS)} "
                       "or leave it out to have it recognised from the file", EXIT_USAGE)
    _check_readable(args.file)
    try:
        st = os.stat(args.file)
    except OSError as e:
        raise _Failure(f"cannot read {args.file}: {e.strerror}", EXIT_USAGE) from e
    if not stat.S_ISREG(st.st_mode):
        raise _Failure(f"cannot read {args.file}: it is not a regular file (a FIFO or a device); save the "
                       "export to a file first", EXIT_USAGE)
    if _max_input_bytes and st.st_size > _max_input_bytes:
        raise _Failure(f"cannot read {args.file}: it holds {st.st_size} bytes, more than the limit of "
                       f"{_max_input_bytes} (--max-input-bytes)", EXIT_USAGE)
    if args.format is None:
        try:
            args.format = importers.detect_format(args.file).replace("_", "-")
        except importers.ImportFormatError as e:
            raise _Failure(str(e), EXIT_PROBLEMS) from e
        except OSError as e:
            raise _Failure(f"cannot read {args.file}: {e.strerror or e}", EXIT_USAGE) from e
        article = "an" if args.format[0] in "aeiou" else "a"
        print(f"{shown(args.file)}: recognised as {article} {args.format} export", file=out)
    _not_an_input(args.output, _inputs(args, args.file))
    _check_output(args.output, args.force)
    options: dict[str, object] = {"participant": args.participant, "lenient": args.lenient}
    if args.format != "apple-health":
        if args.tz is None and args.utc_offset is None:
            if args.format == "mindlamp":
                raise _Failure("mindlamp exports have UTC times (milliseconds since 1970) but not the zone "
                               "they were recorded in, which calmkit keeps as each time's offset: give --tz "
                               "ZONE (such as Europe/Berlin) or --utc-offset MINUTES", EXIT_USAGE)
            raise _Failure(f"{args.format} exports have local times without a zone: give --tz ZONE "
                           "(such as Europe/Berlin) or --utc-offset MINUTES", EXIT_USAGE)
        if args.tz is not None and args.utc_offset is not None:
            raise _Failure("give --tz or --utc-offset, not both", EXIT_USAGE)
        options.update(tz=args.tz, utc_offset=args.utc_offset)
    elif args.tz is not None or args.utc_offset is not None:
        raise _Failure("apple-health exports carry their own UTC offsets; leave out --tz and --utc-offset",
                       EXIT_USAGE)
    if args.mood:
        if args.format != "daylio":
            raise _Failure("--mood is for daylio exports only", EXIT_USAGE)
        moods: dict[str, int] = {}
        seen: dict[str, str] = {}
        for item in args.mood:
            name, _, value = item.partition("=")
            try:
                moods[name] = _threshold(value)
            except argparse.ArgumentTypeError:
                name = ""
            if not name.strip():
                raise _Failure(f"--mood {item!r} is not NAME=DISTRESS with a distress of 0-10 "
                               "(a mood name cannot hold '=')", EXIT_USAGE)
            key = name.strip().casefold()
            if key in seen:
                raise _Failure(f"--mood {seen[key]!r} and --mood {item!r} name the same mood (case and "
                               "surrounding spaces do not count); give it once", EXIT_USAGE)
            seen[key] = item
        options["mood_map"] = moods
    if args.activities is not None:
        if args.format != "mindlamp":
            raise _Failure("--activities is for mindlamp exports only", EXIT_USAGE)
        options["activities"] = _lamp_activities(args.activities)
    run = {"daylio": importers.import_daylio, "bearable": importers.import_bearable,
           "apple-health": importers.import_apple_health, "mindlamp": importers.import_mindlamp}[args.format]
    bar = _Progress(f"calmkit import {args.format}", _show_progress(args))
    try:
        journal, rep = run(args.file, **options)
    except importers.ImportFormatError as e:
        message = str(e)
        if args.format == "daylio" and e.field == "mood" and e.value is not None:
            # The importer's hint names its Python argument; on the command line it is --mood.
            where = message[: -len(e.reason)] if message.endswith(e.reason) else f"{e.path}:{e.line}: "
            message = (f"{where}unknown mood {e.value!r}: give its distress (0-10) with "
                       f"--mood {_shell_word(e.value + '=DISTRESS')}, e.g. --mood {_shell_word(e.value + '=7')}")
        raise _Failure(f"{message}\n(--lenient skips bad rows and lists them instead)", EXIT_PROBLEMS) from e
    except UnicodeDecodeError as e:
        raise _Failure(f"{args.file} is not text in the expected encoding ({e.reason})", EXIT_PROBLEMS) from e
    except ValueError as e:  # a file that is not this format at all
        raise _Failure(f"{args.file}: {e}", EXIT_PROBLEMS) from e
    except OSError as e:
        raise _Failure(f"cannot read {args.file}: {e.strerror or e}", EXIT_USAGE) from e
    finally:
        bar.close()
    try:
        _core.write_journal(journal, args.output)
    except (OSError, RuntimeError) as e:
        raise _write_failure(args.output, e) from e
    print(shown(rep.summary(), newlines=True), file=out)
    print(f"wrote {shown(args.output)}: {_counts(journal)}", file=out)
    return EXIT_PROBLEMS if rep.skipped else EXIT_OK


# --- practice ------------------------------------------------------------------------


def _ask_intensity(question: str, p: Prompter) -> int | None:
    """Distress 0-10 through the prompter (readline on a terminal); Enter or
    the end of the input skips it."""
    try:
        return p.ask_number(question, 0, 10, skip=True)
    except EndOfInput:
        return None


def _fresh_id(taken: set[str], prefix: str, when: dt.datetime) -> str:
    return pacer.fresh_id(taken, prefix, when)


def _practice(args: argparse.Namespace, out: TextIO) -> int:
    if args.list or not args.exercise:
        if not args.list:
            raise _Failure("name an exercise to practise (calmkit practice --list shows them)", EXIT_USAGE)
        for e in _core.catalog():
            print(f"{shown(e.id):34s} {shown(e.name)}", file=out)
        return EXIT_OK
    if not pacer.MIN_SPEED <= args.speed <= pacer.MAX_SPEED:
        raise _Failure(f"--speed must be between {pacer.MIN_SPEED} and {pacer.MAX_SPEED:.0f} "
                       f"(times real time), got {args.speed:g}", EXIT_USAGE)
    exercise = _core.find_exercise(args.exercise)
    if exercise is None:
        raise _Failure(f"no exercise {args.exercise!r} in the catalog (calmkit practice --list shows them)",
                       EXIT_USAGE)
    target = None if args.no_record else _Target(args.journal)
    if target is not None:
        target.check()
        # The trigger is checked now, not when the finished session is added (and would be lost).
        if args.trigger and not any(t.id == args.trigger and t.participant == args.participant
                                    for t in target.triggers()):
            who = f" for participant {args.participant!r}" if args.participant else ""
            raise _Failure(f"--trigger {args.trigger!r}: {args.journal} has no such trigger{who} "
                           "(calmkit summary lists the journal; leave --trigger out to record the session alone)",
                           EXIT_USAGE)
    prompter = Prompter(out=out)
    say = prompter.say
    say(exercise.name, style="bold")
    say(exercise.instructions)
    say()
    before = _ask_intensity("How strong is the distress right now?", prompter)
    say(pacer.keys_hint(pacer.reads_keys(sys.stdin, out)))
    run = pacer.run_in_terminal(exercise, speed=args.speed, out=out)
    completed = run.completed
    after = _ask_intensity("And now?", prompter)
    if target is None:
        print("Not recorded (--no-record).", file=out)
        return EXIT_OK
    record = target.add(lambda journal: run.finish(
        id=_fresh_id(_taken(journal, "exercise", args.participant), "ex-", run.started_at),
        participant=args.participant, intensity_before=before, intensity_after=after, trigger=args.trigger))
    print(f"recorded {shown(record.id)} ({'completed' if completed else 'not completed'}) in {shown(args.journal)}",
          file=out)
    return EXIT_OK


# --- log -----------------------------------------------------------------------------


class _Target:
    """Where quick entries go: a journal file or, for paths ending in .db /
    .sqlite / .sqlite3, an existing store. Entries are added with
    :func:`calmkit.add_record`, under the journal's lock, with their id chosen
    while the lock is held (so parallel commands never lose or clash)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = home.is_store(path)

    def check(self) -> None:
        if self.path.is_dir():
            raise _Failure(f"{self.path} is a directory, not a journal", EXIT_USAGE)
        if self.path == home.journal_path():
            return  # the default journal: its folder is created on first use
        _writable_parent(self.path)

    def _journal(self) -> _core.Journal:
        if self.store and self.path.exists():
            try:
                # Writable, as the entry is about to be added: a store of an
                # older schema version is migrated here (a read-only open
                # would refuse it).
                copy_note = files._store_copy_note(self.path)
                st = _core.open_store(self.path, create=False)
            except (RuntimeError, ValueError) as e:
                raise _Failure(f"cannot open the store {self.path}: {e}", EXIT_USAGE) from e
            if copy_note is not None:
                print(f"calmkit: note: {copy_note}", file=sys.stderr)
            with st:
                try:
                    return st.load()
                except RuntimeError as e:  # an invalid value in it (text that is not UTF-8, ...)
                    raise _Failure(str(e), EXIT_PROBLEMS) from e
        if not self.path.exists():
            return _core.Journal()
        return _read(self.path, lenient=False)[0]

    def triggers(self) -> _core.TriggerTable:
        """The triggers already there."""
        return self._journal().triggers

    def ids(self, kind: str, participant: str) -> set[str]:
        """Ids taken so far (read without the lock: for an early check that
        the journal can be read, before questions are asked)."""
        return _taken(self._journal(), kind, participant)

    def add(self, record: object) -> object:
        """Adds ``record`` (or ``record(journal)``, a callable run under the
        lock) and returns the record added."""
        try:
            # Under the journal's lock; a missing journal or store (and the
            # default journal's folder) is created, owner-only.
            return home.add_records(self.path, [record])[0]
        except _core.JournalFormatError:
            raise  # the journal file itself is broken: status 1, left untouched
        except _core.FileError as e:
            raise _write_failure(self.path, e) from e
        except ValueError as e:  # e.g. a reading naming a trigger that is not there
            raise _Failure(f"cannot add to {self.path}: {e}", EXIT_USAGE) from e
        except (RuntimeError, OSError) as e:
            raise _write_failure(self.path, e) from e


def _taken(j: _core.Journal, kind: str, participant: str) -> set[str]:
    table = {"trigger": j.triggers, "reading": j.readings, "exercise": j.exercises,
             "assessment": j.assessments}[kind]
    return {r.id for r in table if r.participant == participant}


def _when(text: str | None) -> dt.datetime:
    """--time: RFC 3339 with an offset, or a local date and time in this
    computer's time zone (``$TZ`` or /etc/localtime); default now. A local
    time that does not exist or happened twice on a daylight-saving day is
    read by calmkit's one rule (calmkit.localtime) and a note on stderr says so."""
    if text is None:
        return dt.datetime.now().astimezone().replace(microsecond=0)
    if re.search(r"[.,]\d{7,}", text):
        # Python would drop the digits past microseconds without a word.
        raise _Failure(f"--time {text!r}: calmkit keeps times to the microsecond; give at most 6 digits "
                       "after the seconds", EXIT_USAGE)
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _Failure(f"--time {text!r} is not a date and time such as 2026-03-02T21:14 or "
                       "2026-03-02T21:14:00+01:00", EXIT_USAGE) from None
    if not re.search(r"[Tt ]", text.strip()):
        # fromisoformat reads a bare date as its midnight: a time nobody typed.
        raise _Failure(f"--time {text!r} has no time of day; give one, such as {text.strip()}T21:14",
                       EXIT_USAGE)
    if when.tzinfo is not None:
        off = when.utcoffset() or dt.timedelta(0)
        if off % dt.timedelta(minutes=1):
            raise _Failure(f"--time {text!r}: the UTC offset {off} is not a whole number of minutes, "
                           "which the journal format needs", EXIT_USAGE)
        return when
    zone = _localtime.system_zone()
    unknown = _localtime.unknown_system_zone()
    if unknown is not None:
        raise _Failure(f"--time {text.strip()!r} has no UTC offset and $TZ {unknown!r} is neither a time zone "
                       "this computer knows nor a POSIX rule; give the offset (such as 2026-03-02T21:14+01:00) "
                       "or set TZ to a zone such as Europe/Berlin", EXIT_USAGE)
    try:
        # $TZ may be a POSIX rule string: then only the C library can read it, by the same rule.
        when, note = _localtime.resolve(when, zone) if zone is not None else _localtime.resolve_system(when)
    except ValueError as e:
        raise _Failure(f"--time {text.strip()!r}: {e}", EXIT_USAGE) from None
    if note is not None:
        print(f"calmkit: note: --time {shown(text.strip())}: {note}", file=sys.stderr)
    return when.astimezone(dt.timezone(when.utcoffset() or dt.timedelta(0)))


def _log(args: argparse.Namespace, out: TextIO) -> int:
    target = _Target(args.journal)
    target.check()
    when = _when(args.time)
    target.ids(args.kind, args.participant)  # reads it now: a broken journal or store is status 1
    if args.kind == "reading" and args.trigger == "latest":
        mine = [t for t in target.triggers() if t.participant == args.participant]
        if not mine:
            raise _Failure(f"--trigger latest: there is no trigger in {args.journal} yet", EXIT_USAGE)
        args.trigger = max(mine, key=lambda t: t.time).id

    def make(journal: _core.Journal) -> object:
        try:
            if args.kind == "trigger":
                rid = args.id or _fresh_id(_taken(journal, "trigger", args.participant), "t-", when)
                return _core.Trigger(id=rid, time=when, category=args.category, intensity=args.intensity,
                                     participant=args.participant, context=args.note)
            return _core.Reading(id=args.id or "", time=when, intensity=args.intensity,
                                 participant=args.participant, trigger=args.trigger, note=args.note)
        except (ValueError, TypeError) as e:
            raise _Failure(str(e), EXIT_USAGE) from e

    record = target.add(make)
    rid = getattr(record, "id", "")
    print(f"added {args.kind}{' ' + shown(rid) if rid else ''} at {when.isoformat()} to {shown(args.journal)}",
          file=out)
    return EXIT_OK


# --- assess --------------------------------------------------------------------------


def _number(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}"


def _ask_item(number: int, count: int, text: str, low: int, labels: list[str], p: Prompter) -> int:
    """One answer on the instrument's scale from stdin: a number or a scale
    label; asks again on anything else. End of input raises _Failure."""
    high = low + len(labels) - 1
    while True:
        p.say(text, indent=f"{number}/{count}. ", hanging="   ")
        try:
            answer = p.ask(f"   ({low}-{high}):")
        except EndOfInput:
            raise _Failure(f"end of input before item {number} of {count} was answered; nothing recorded",
                           EXIT_PROBLEMS) from None
        lowered = [label.lower() for label in labels]
        if answer.lower() in lowered:
            return low + lowered.index(answer.lower())
        try:
            value = int(answer)
        except ValueError:
            value = low - 1
        if low <= value <= high:
            return value
        p.say(f"Item {number} ({text}): {answer!r} is not on the scale; type a whole number from {low} to "
              f"{high} (or its label).")


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    ids = _core.instrument_ids()
    if args.list or not args.instrument:
        if not args.list:
            raise _Failure("name an instrument to answer (calmkit assess --list shows them)", EXIT_USAGE)
        for i in ids:
            print(f"{shown(i):22s} {shown(_core.instrument(i)['name'])}", file=out)
        return EXIT_OK
    if args.instrument not in ids:
        raise _Failure(f"no instrument {args.instrument!r}; instruments: {', '.join(ids)}", EXIT_USAGE)
    inst: dict = _core.instrument(args.instrument)  # type: ignore[type-arg]
    target = _Target(args.journal)
    target.check()
    when = _when(args.time)
    target.ids("assessment", args.participant)  # reads the journal now: a broken one stops here
    items: list[str] = list(inst["items"])
    labels: list[str] = list(inst["scale_labels"])
    low, high = int(inst["scale_min"]), int(inst["scale_max"])
    if len(labels) != high - low + 1:
        labels = [str(v) for v in range(low, high + 1)]
    p = Prompter(out=out)
    p.say(inst["name"], style="bold")
    p.say(inst["description"])
    p.say()
    p.say(inst["prompt"])
    p.say(", ".join(f"{low + k} = {label}" for k, label in enumerate(labels)), indent="   ")
    p.say()
    answers = [_ask_item(k + 1, len(items), text, low, labels, p) for k, text in enumerate(items)]

    def make(journal: _core.Journal) -> object:
        rid = args.id or _fresh_id(_taken(journal, "assessment", args.participant), "a-", when)
        try:
            return _core.Assessment(id=rid, time=when, instrument=args.instrument, answers=answers,
                                    participant=args.participant, note=args.note)
        except (ValueError, TypeError) as e:
            raise _Failure(str(e), EXIT_USAGE) from e

    rid = target.add(make).id  # type: ignore[attr-defined]
    s: dict = _core.score(args.instrument, answers)  # type: ignore[type-arg]
    p.say()
    p.say(f"recorded {rid} ({args.instrument}) at {when.isoformat()} in {args.journal}")
    p.say()
    n = len(items)
    span = (low, high) if inst["total_rule"] == "mean" else (low * n, high * n)
    how = "mean of the items" if inst["total_rule"] == "mean" else "sum of the items"
    band = f", band: {s['band']}" if s["band"] else ""
    result: list[object] = [styled(f"total: {_number(float(s['total']))} ({how}, {span[0]}-{span[1]}){band}", "bold")]
    names = {a["id"]: a["name"] for a in inst["areas"]}
    flagged = set(s["flagged"])
    for area, value in s["areas"].items():
        mark = f"  <- {inst['area_flag_label']}" if area in flagged else ""
        result.append(styled(f"  {names.get(area, area)}: {_number(float(value))}{mark}"))
    guidance = next((b.get("guidance", "") for b in inst["bands"] if b["label"] == s["band"]), "")
    if guidance:
        result += ["", guidance]
    result.append("")
    if inst["reflection_only"]:
        result.append(styled("This is a reflection aid, not a diagnosis.", "italic"))
    else:
        result.append(styled("This is a screening score, not a diagnosis: only a conversation with a clinician "
                             "can tell what it means for you.", "italic"))
    p.panel(f"{inst['name']}: your result", result)  # type: ignore[arg-type]
    p.say()
    p.say(f"Source: {inst['source']}")
    p.say(f"Licence: {inst['licence']}")
    return EXIT_OK


# --- entry point ------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with its error messages (which repeat unknown arguments as
    typed) shown through the one rule for terminal output."""

    def error(self, message: str):  # type: ignore[override]
        super().error(shown(message, newlines=True))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="calmkit",
        description="Look into calmkit journals (JSON Lines, journal format v1).",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {_core.__version__}")
    parser.add_argument(
        "--max-input-bytes", type=_byte_count, default=4 << 30, metavar="BYTES",
        help="refuse a journal or import file bigger than this (or a pipe that gives more); "
        "0 for no limit (default 4294967296, 4 GiB)")
    parser.add_argument(
        "--instruments", type=Path, action="append", default=[], metavar="FILE",
        help="a JSON file of custom self-assessment instruments (one definition or a list; the keys of "
        "calmkit.instrument()) to register before the command runs; repeatable. The paths in "
        f"{INSTRUMENTS_ENV} (separated by '{os.pathsep}') are registered too.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "summary",
        help="participants, dates, record counts and first-vs-last-week trends",
        description="Summarise a journal: one block per participant, then a cohort line.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=_DEFAULT_HELP)
    p = sub.add_parser(
        "validate",
        help="list every line that breaks the journal format",
        description="Check a journal and print each problem as PATH:LINE: field 'x': reason. "
        "Exit status 0 when clean, 1 when there are problems, 2 when the file cannot be read.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=_DEFAULT_HELP)
    _add_parsers(sub)
    guided.add_parsers(sub)
    return parser


def _byte_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of bytes") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _threshold(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-10")
    return value


def _positive_hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and value < 24 * 365):
        raise argparse.ArgumentTypeError(f"{text} hours is not a positive number of hours under a year")
    return value


def _intensity(text: str) -> int:
    return _threshold(text)


def _time_zone(text: str) -> str:
    """--tz: an IANA zone name or a POSIX TZ rule, checked now (calmkit.TimeZone)
    so that every command refuses an unknown zone the same way, before any work."""
    from .timezone import TimeZone

    try:
        TimeZone(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _category(text: str) -> str:
    """--category: an id, a label, or the first letters of a label or of a word of it."""
    offered = [(c, label) for c, label, _ in _core.trigger_categories()]
    found = guided.match_category(text, offered)
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise argparse.ArgumentTypeError(f"no category matches {text!r}; ids: {', '.join(c for c, _ in offered)}")
    raise argparse.ArgumentTypeError(f"{text!r} fits several categories: "
                                     + ", ".join(f"{c} ({label})" for c, label in found))


def _add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="the visual progress report: one self-contained HTML file",
        description="Write a progress report of a journal: charts with a plain-language reading each, "
        "a cohort overview for several participants, and what the numbers cannot tell. The HTML file "
        "needs no network and prints well.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=_DEFAULT_HELP)
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the HTML file to write (a new file; an existing one only with --force)")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--participant", help="only this participant's section")
    p.add_argument("--threshold", type=_threshold, default=3,
                   help="calm means distress at or below this (0-10, default 3)")
    p.add_argument("--window-hours", type=_positive_hours, default=12.0,
                   help="hours after a trigger in which unlinked readings count for it (default 12)")
    p.add_argument("--tz", metavar="ZONE", type=_time_zone,
                   help="time zone for local days, weeks and months: an IANA name such as Europe/Berlin or a "
                   "POSIX TZ rule such as CET-1CEST,M3.5.0,M10.5.0/3 (default: each record's own offset)")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")

    p = sub.add_parser(
        "import",
        help="turn an export of another app into a calmkit journal",
        description="Import a Daylio or Bearable CSV export, an Apple Health export.zip or export.xml or a "
        "mindLAMP JSON export, write a journal and print what happened to every row. The app is recognised "
        "from the file when FORMAT is left out. Exit status 1 when rows were skipped "
        "(--lenient) or the file breaks its format.",
    )
    p.add_argument("format", metavar="FORMAT", help=" | ".join(IMPORT_FORMATS) +
                   "; leave it out to have it recognised from the file (header, root element, zip content)")
    p.add_argument("file", metavar="FILE", type=Path, nargs="?", help="the exported file (an Apple Health "
                   "export.zip is read as it is)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the journal file to write (.jsonl)")
    p.add_argument("--participant", default="", help="participant id for every record (default none)")
    p.add_argument("--tz", metavar="ZONE", type=_time_zone,
                   help="time zone of the export's local times: an IANA name such as Europe/Berlin or a POSIX "
                   "TZ rule such as CET-1CEST,M3.5.0,M10.5.0/3; not for apple-health")
    p.add_argument("--utc-offset", type=int, metavar="MINUTES", help="a fixed UTC offset instead of --tz")
    p.add_argument("--mood", action="append", default=[], metavar="NAME=DISTRESS",
                   help="daylio: distress (0-10) of a custom mood name; repeat for each")
    p.add_argument("--activities", type=Path, metavar="JSON",
                   help="mindlamp: the study's Activity objects (the LAMP API's Activity.all_by_participant "
                   "answer, a JSON array, or an object id -> spec), which give each event's activity type")
    p.add_argument("--lenient", action="store_true", help="skip bad rows (listed in the report) instead of stopping")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")

    p = sub.add_parser(
        "practice",
        help="a guided exercise in the terminal, recorded into a journal",
        description="Guide one exercise of the catalog step by step. Asks the distress before and after "
        "(0-10, Enter skips) and answers to prompts on stdin; with --journal the session is recorded there "
        "(a .jsonl file, created if missing, or an existing .db/.sqlite store).",
    )
    p.add_argument("exercise", metavar="EXERCISE_ID", nargs="?", help="catalog id such as breathing.box")
    p.add_argument("--list", action="store_true", help="list the catalog's exercises and stop")
    p.add_argument("--journal", type=Path, help="record the session in this journal or store (default: "
                   "your own journal, see calmkit now --help)")
    p.add_argument("--no-record", action="store_true", help="practise without recording the session")
    p.add_argument("--participant", default="", help="participant id for the record")
    p.add_argument("--trigger", default="", help="id of the trigger this session answers")
    p.add_argument("--speed", type=float, default=1.0, help="run the exercise clock this many times faster")

    p = sub.add_parser(
        "log",
        help="a quick trigger or reading into a journal or store",
        description="Add one trigger or distress reading. The journal file is read, added to and written back "
        "atomically (created if missing); a path ending in .db or .sqlite is an existing store.",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    categories = [c[0] for c in _core.trigger_categories()]
    for kind, help_text in (("trigger", "something that set off distress"), ("reading", "how strong it is now")):
        k = kinds.add_parser(kind, help=help_text, description=f"Log a {kind}: {help_text}.")
        k.add_argument("--journal", type=Path, help="journal file (.jsonl) or store (.db/.sqlite); " + _DEFAULT_HELP)
        if kind == "trigger":
            k.add_argument("--category", required=True, type=_category, metavar="CATEGORY",
                           help="an id, a label or the first letters of one (\"slow\" is delayed_reply); "
                           "ids: " + ", ".join(categories))
        k.add_argument("--intensity", type=_intensity, required=True, help="distress 0-10")
        k.add_argument("--note", default="", help="a few words" + (" of context" if kind == "trigger" else ""))
        k.add_argument("--time", help="when (default now), such as 2026-03-02T21:14 in local time "
                       "or with an offset: 2026-03-02T21:14:00+01:00")
        k.add_argument("--participant", default="", help="participant id (default none)")
        k.add_argument("--id", default="", help="record id (default made from the time)")
        if kind == "reading":
            k.add_argument("--trigger", default="", help="id of the trigger whose episode this reading belongs to, "
                           "or 'latest' for the participant's latest trigger")

    p = sub.add_parser(
        "assess",
        help="answer a questionnaire (such as gad-7) in the terminal and record it",
        description="Ask each item of an instrument on stdin (a number on its scale, or the scale's label), "
        "record the answers as an assessment in the journal (read, added to and written back atomically; "
        "created if missing; .db/.sqlite: an existing store) and print the total, band and area scores. "
        "End of input before the last item records nothing (exit status 1).",
    )
    p.add_argument("instrument", metavar="INSTRUMENT", nargs="?", help="instrument id such as gad-7")
    p.add_argument("--list", action="store_true", help="list the instruments and stop")
    p.add_argument("--journal", type=Path, help="journal file (.jsonl) or store (.db/.sqlite); " + _DEFAULT_HELP)
    p.add_argument("--participant", default="", help="participant id (default none)")
    p.add_argument("--time", help="when (default now), such as 2026-03-02T21:14 in local time "
                   "or with an offset: 2026-03-02T21:14:00+01:00")
    p.add_argument("--id", default="", help="record id (default made from the time)")
    p.add_argument("--note", default="", help="a few words about this check-in")

    p = sub.add_parser(
        "backup",
        help="a safe copy of a store, even while it is in use",
        description="Copy a journal store (.db) with SQLite's online backup API: one consistent, "
        "self-contained file (recent changes still in the store's -wal file included), mode 0600, "
        "checked and renamed into place. Copy a store this way, never with cp while a program has it open.",
    )
    p.add_argument("store", metavar="STORE", type=Path, help="the store to copy")
    p.add_argument("dest", metavar="DEST", type=Path, help="the file to write")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")


def _backup(args: argparse.Namespace, out: TextIO) -> int:
    if not args.store.exists():
        raise _Failure(f"no such store: {args.store}", EXIT_USAGE)
    try:
        # Read-only: a backup never changes the store (nor migrates it).
        copy_note = files._store_copy_note(args.store)
        with _core.open_store(args.store, create=False, read_only=True) as st:
            if copy_note is not None:
                print(f"calmkit: note: {copy_note}", file=sys.stderr)
            st.backup(args.dest, replace=args.force)
            n = len(st)
    except _core.FileError as e:  # writing the copy: a full disk, a missing folder
        raise _write_failure(args.dest, e) from e
    except ValueError as e:
        raise _Failure(str(e), EXIT_USAGE) from e
    except RuntimeError as e:
        raise _Failure(str(e), EXIT_PROBLEMS) from e
    print(f"copied {shown(args.store)} ({n} records) to {shown(args.dest)}", file=out)
    return EXIT_OK


def _register_instruments(paths: list[Path]) -> None:
    """Registers the custom instruments defined in each JSON file (an object,
    or a list of them, with the keys of calmkit.instrument()). Errors name the
    file and the definition (and the line and column of bad JSON)."""
    for path in paths:
        _check_readable(path)
        try:
            data = json.loads(files.read_bytes(path, _max_input_bytes).decode("utf-8"))
        except json.JSONDecodeError as e:
            raise _Failure(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}", EXIT_USAGE) from e
        except (OSError, UnicodeDecodeError) as e:
            raise _Failure(f"cannot read {path}: {e}", EXIT_USAGE) from e
        definitions = data if isinstance(data, list) else [data]
        for i, definition in enumerate(definitions):
            where = f"{path}: instrument {i + 1} of {len(definitions)}"
            if not isinstance(definition, dict):
                raise _Failure(f"{where}: expected a JSON object, got {type(definition).__name__}", EXIT_USAGE)
            if "id" in definition:
                where += f" ('{definition['id']}')"
            try:
                _core.register_instrument(definition)
            except ValueError as e:
                raise _Failure(f"{where}: {e}", EXIT_USAGE) from e


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
                    raise _Failure(f"{option} '{text}' is not valid UTF-8 text (the journal stores UTF-8); "
                                   "check the terminal's encoding", EXIT_USAGE) from None
                if name in _ID_OPTIONS and shown(v) != v:
                    raise _Failure(f"--{name} '{shown(v)}' holds a control character (shown escaped); "
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
    args = _parser().parse_args(argv)  # exits with status 2 on usage errors
    global _max_input_bytes
    _max_input_bytes = args.max_input_bytes
    commands = {"summary": _summary, "validate": _validate}
    more = {"report": _report, "import": _import, "practice": _practice, "log": _log, "assess": _assess,
            "backup": _backup, **guided.COMMANDS}
    try:
        _check_text_arguments(args)
        if args.command in _USES_JOURNAL:
            args.journal = home.journal_path(args.journal)  # --journal, else $CALMKIT_JOURNAL, else the default
        _register_instruments(_inputs(args))
        if args.command in guided.COMMANDS or (args.command in ("log", "practice")
                                                and getattr(args, "time", None) is None):
            _note_unknown_zone_for_now()
        if args.command in more:
            status = more[args.command](args, sys.stdout)
        else:
            status = commands[args.command](args.journal, sys.stdout)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not in a traceback at exit
        return status
    except _Failure as e:
        print(f"calmkit: {shown(e, newlines=True)}", file=sys.stderr)
        return e.status
    except guided.GuidedFailure as e:
        print(f"calmkit: {shown(e, newlines=True)}", file=sys.stderr)
        return EXIT_USAGE
    except _core.JournalFormatError as e:
        print(f"calmkit: {shown(e, newlines=True)}", file=sys.stderr)
        bad = getattr(args, "journal", None) or ""
        print(f"calmkit: run 'calmkit validate {shown(_shell_word(str(bad)))}' to list every problem", file=sys.stderr)
        return EXIT_PROBLEMS
    except MissingExtraError as e:  # an optional dependency: name the extra, no traceback
        print(f"calmkit: {shown(e, newlines=True)}", file=sys.stderr)
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
    before = signal.getsignal(signal.SIGINT)
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


if __name__ == "__main__":
    sys.exit(main())
