"""``calmkit validate``: every line that breaks the journal format."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .. import _core, formats
from ..prompts import shown
from .common import DEFAULT_HELP, EXIT_OK, EXIT_PROBLEMS, in_cli_words, plural, read

__all__ = ["add_parser", "minutes_text", "run"]


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit validate [JOURNAL]``: status 0 when clean, 1 with problems."""
    path: Path = args.journal
    try:
        journal, report = read(path, lenient=True)
    except _core.JournalFormatError as e:
        # A problem with the file as a whole (for example a newer format
        # version) that lenient reading cannot skip past.
        print(shown(in_cli_words(e)), file=out)
        print(f"{shown(path)}: not a readable calmkit journal", file=out)
        return EXIT_PROBLEMS
    for skipped in report.skipped:
        print(shown(in_cli_words(skipped.message)), file=out)
    if report.skipped:
        print(
            f"{shown(path)}: {plural(len(report.skipped), 'problem')}; "
            f"{plural(report.records, 'record')} on the other lines are fine",
            file=out,
        )
        return EXIT_PROBLEMS
    early = _readings_before_their_trigger(journal)
    for line in early:
        print(shown(line), file=out)
    where = "a store" if isinstance(report, formats.StoreReport) else plural(report.lines, "line")
    print(f"{shown(path)}: OK, {plural(len(journal), 'record')} in {where}"
          + (f" ({plural(len(early), 'warning')})" if early else ""), file=out)
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
                       f"{minutes_text((start - time_).total_seconds() / 60)} before its trigger '{trigger}' at "
                       f"{start_local:%Y-%m-%d %H:%M} (local times): the metrics ignore it; are the times swapped?")
    return out


def _of_participant(participant: object) -> str:
    return f" of participant '{participant}'" if str(participant) else ""


def minutes_text(minutes: float) -> str:
    """A duration in minutes, as minutes under two hours and as hours from there."""
    return f"{minutes:g} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "validate",
        help="list every line that breaks the journal format",
        description="Check a journal and print each problem as PATH:LINE: field 'x': reason. "
        "Exit status 0 when clean, 1 when there are problems, 2 when the file cannot be read.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=DEFAULT_HELP)
