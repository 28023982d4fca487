"""``calmkit report``: the visual progress report, one HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..prompts import shown
from .common import (DEFAULT_HELP, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Failure, check_output, hours_arg, inputs,
                     not_an_input, read, time_zone_arg, write_failure, zero_to_ten_arg)
from .progress import Progress, show_progress

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit report [JOURNAL] -o FILE``: the HTML progress report."""
    from .. import report  # matplotlib is imported only for this command

    not_an_input(args.output, inputs(args, args.journal))
    check_output(args.output, args.force)
    journal, _ = read(args.journal, lenient=False)
    bar = Progress("calmkit report", show_progress(args))
    try:
        report.write_report(journal, args.output, participant=args.participant, threshold=args.threshold,
                            window_hours=args.window_hours, tz=args.tz, progress=bar.update,
                            source=str(args.journal))
    except ValueError as e:  # an unknown participant, a bad time zone rule
        if "zero-filled table" in str(e):  # the data's span, not the options (docs/metrics.md, span limit)
            raise Failure(f"{args.journal}: {e}", EXIT_PROBLEMS) from e
        raise Failure(str(e), EXIT_USAGE) from e
    except (OSError, RuntimeError) as e:
        raise write_failure(args.output, e) from e
    finally:
        bar.close()
    print(f"wrote {shown(args.output)}", file=out)
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "report",
        help="the visual progress report: one self-contained HTML file",
        description="Write a progress report of a journal: charts with a plain-language reading each, "
        "a cohort overview for several participants, and what the numbers cannot tell. The HTML file "
        "needs no network and prints well.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=DEFAULT_HELP)
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the HTML file to write (a new file; an existing one only with --force)")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--participant", help="only this participant's section")
    p.add_argument("--threshold", type=zero_to_ten_arg, default=3,
                   help="calm means distress at or below this (0-10, default 3)")
    p.add_argument("--window-hours", type=hours_arg, default=12.0,
                   help="hours after a trigger in which unlinked readings count for it (default 12)")
    p.add_argument("--tz", metavar="ZONE", type=time_zone_arg,
                   help="time zone for local days, weeks and months: an IANA name such as Europe/Berlin or a "
                   "POSIX TZ rule such as CET-1CEST,M3.5.0,M10.5.0/3 (default: each record's own offset)")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")
