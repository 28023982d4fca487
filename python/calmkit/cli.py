"""The ``calmkit`` command line.

    calmkit summary JOURNAL     what is in a journal, per participant and for the cohort
    calmkit validate JOURNAL    every line that breaks the journal format

Exit status: 0 success (for ``validate``: no problems), 1 the journal has
problems, 2 usage errors and files that cannot be read. Errors are printed in
plain words on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Sequence, TextIO

from . import _core

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

#: Exercises listed per participant and for the cohort.
TOP_EXERCISES = 5


class _Failure(Exception):
    """An error to report in plain words, with the exit status to use."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise _Failure(f"no such file: {path}", EXIT_USAGE)
    if path.is_dir():
        raise _Failure(f"{path} is a directory, not a journal file", EXIT_USAGE)


def _read(path: Path, lenient: bool) -> tuple[_core.Journal, _core.ReadReport]:
    _check_readable(path)
    try:
        return _core.read_journal_with_report(path, lenient=lenient)
    except _core.JournalFormatError:
        raise
    except (RuntimeError, OSError) as e:
        raise _Failure(f"cannot read {path}: {e}", EXIT_USAGE) from e


# --- summary -------------------------------------------------------------------------


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _counts(j: _core.Journal) -> str:
    return ", ".join(
        [
            _plural(len(j.triggers), "trigger"),
            _plural(len(j.readings), "reading"),
            _plural(len(j.exercises), "exercise session"),
            _plural(len(j.thought_records), "thought record"),
        ]
    )


def _local_dates(j: _core.Journal) -> list[dt.date]:
    """The local (wall-clock) date of every record of the journal."""
    dates: list[dt.date] = []
    for table in (j.triggers, j.readings, j.exercises, j.thought_records):
        frame = table.to_pandas()
        dates.extend(frame["local_time"].dt.date)
    return dates


def _top_exercises(j: _core.Journal) -> str:
    counts = Counter(e.exercise for e in j.exercises)
    if not counts:
        return "none"
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_EXERCISES]
    return ", ".join(f"{name} ({n})" for name, n in ranked)


def _week_lines(j: _core.Journal, first: dt.date, last: dt.date) -> list[str]:
    """Triggers per week and mean onset intensity in the first and last full week.

    Weeks are 7-day blocks of local dates counted from the participant's first
    journal day; a block is full when the journal reaches its last day.
    """
    span_days = (last - first).days + 1
    full_weeks = span_days // 7
    if full_weeks == 0:
        return [f"weeks: less than one full week of journaling ({_plural(span_days, 'day')})"]
    triggers = j.triggers.to_pandas()
    local_dates = list(triggers["local_time"].dt.date)
    intensities = list(triggers["intensity"])

    def week(k: int) -> tuple[dt.date, dt.date, list[int]]:
        start = first + dt.timedelta(days=7 * k)
        end = start + dt.timedelta(days=6)
        values = [int(v) for d, v in zip(local_dates, intensities) if start <= d <= end]
        return start, end, values

    def mean(values: list[int]) -> str:
        return f"{sum(values) / len(values):.1f}" if values else "no triggers"

    s1, e1, w1 = week(0)
    if full_weeks == 1:
        return [
            f"triggers per week: {len(w1)} in the only full week ({s1} to {e1})",
            f"mean intensity at onset (0-10): {mean(w1)} in that week",
        ]
    sl, el, wl = week(full_weeks - 1)
    return [
        f"triggers per week: {len(w1)} in the first full week ({s1} to {e1}), "
        f"{len(wl)} in the last ({sl} to {el})",
        f"mean intensity at onset (0-10): {mean(w1)} in the first week, {mean(wl)} in the last",
    ]


def _participant_block(j: _core.Journal, name: str, out: TextIO) -> None:
    label = f"Participant {name}" if name else "Journal (single user, no participant id)"
    print(label, file=out)
    dates = _local_dates(j)
    first, last = min(dates), max(dates)
    days = (last - first).days + 1
    print(f"  dates: {first} to {last} ({_plural(days, 'day')}, local dates)", file=out)
    print(f"  records: {_counts(j)}", file=out)
    for line in _week_lines(j, first, last):
        print(f"  {line}", file=out)
    print(f"  most practised exercises: {_top_exercises(j)}", file=out)


def _summary(path: Path, out: TextIO) -> int:
    journal, _ = _read(path, lenient=False)
    if len(journal) == 0:
        print(f"{path}: the journal has no records", file=out)
        return EXIT_OK
    participants = journal.participants()
    for name in participants:
        _participant_block(journal.participant(name), name, out)
        print(file=out)
    dates = _local_dates(journal)
    print(
        f"Cohort: {_plural(len(participants), 'participant')}, {min(dates)} to {max(dates)} (local dates); "
        f"{_counts(journal)}; most practised exercises: {_top_exercises(journal)}",
        file=out,
    )
    return EXIT_OK


# --- validate ------------------------------------------------------------------------


def _validate(path: Path, out: TextIO) -> int:
    try:
        journal, report = _read(path, lenient=True)
    except _core.JournalFormatError as e:
        # A problem with the file as a whole (for example a newer format
        # version) that lenient reading cannot skip past.
        print(str(e), file=out)
        print(f"{path}: not a readable calmkit journal", file=out)
        return EXIT_PROBLEMS
    for skipped in report.skipped:
        print(skipped.message, file=out)
    if report.skipped:
        print(
            f"{path}: {_plural(len(report.skipped), 'problem')}; "
            f"{_plural(report.records, 'record')} on the other lines are fine",
            file=out,
        )
        return EXIT_PROBLEMS
    print(f"{path}: OK, {_plural(len(journal), 'record')} in {_plural(report.lines, 'line')}", file=out)
    return EXIT_OK


# --- entry point ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calmkit",
        description="Look into calmkit journals (JSON Lines, journal format v1).",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {_core.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "summary",
        help="participants, dates, record counts and first-vs-last-week trends",
        description="Summarise a journal: one block per participant, then a cohort line.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, help="journal file (.jsonl)")
    p = sub.add_parser(
        "validate",
        help="list every line that breaks the journal format",
        description="Check a journal and print each problem as PATH:LINE: field 'x': reason. "
        "Exit status 0 when clean, 1 when there are problems, 2 when the file cannot be read.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, help="journal file (.jsonl)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)  # exits with status 2 on usage errors
    commands = {"summary": _summary, "validate": _validate}
    try:
        return commands[args.command](args.journal, sys.stdout)
    except _Failure as e:
        print(f"calmkit: {e}", file=sys.stderr)
        return e.status
    except _core.JournalFormatError as e:
        print(f"calmkit: {e}", file=sys.stderr)
        print(f"calmkit: run 'calmkit validate {args.journal}' to list every problem", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("calmkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
