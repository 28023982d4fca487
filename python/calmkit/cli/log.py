"""``calmkit log``: a quick trigger or reading into a journal or store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .. import _core
from ..prompts import shown
from .common import (DEFAULT_HELP, EXIT_OK, EXIT_USAGE, TZ_FOR_ENTRIES, Failure, category_arg, intensity_arg,
                     time_zone_arg)
from .entries import Target, fresh_id, parse_time, taken

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit log trigger|reading``: one entry added under the journal's lock."""
    target = Target(args.journal)
    target.check()
    when = parse_time(args.time, args.tz)
    target.ids(args.kind, args.participant)  # reads it now: a broken journal or store is status 1
    if args.kind == "reading" and args.trigger == "latest":
        mine = [t for t in target.triggers() if t.participant == args.participant]
        if not mine:
            raise Failure(f"--trigger latest: there is no trigger in {args.journal} yet", EXIT_USAGE)
        args.trigger = max(mine, key=lambda t: t.time).id

    def make(journal: _core.Journal) -> object:
        try:
            if args.kind == "trigger":
                rid = args.id or fresh_id(taken(journal, "trigger", args.participant), "t-", when)
                return _core.Trigger(id=rid, time=when, category=args.category, intensity=args.intensity,
                                     participant=args.participant, context=args.note)
            return _core.Reading(id=args.id or "", time=when, intensity=args.intensity,
                                 participant=args.participant, trigger=args.trigger, note=args.note)
        except (ValueError, TypeError) as e:
            raise Failure(str(e), EXIT_USAGE) from e

    record = target.add(make)
    rid = getattr(record, "id", "")
    print(f"added {args.kind}{' ' + shown(rid) if rid else ''} at {when.isoformat()} to {shown(args.journal)}",
          file=out)
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "log",
        help="a quick trigger or reading into a journal or store",
        description="Add one trigger or distress reading. The journal file is read, and the entry added at its "
        "end in one atomic write, every line already there kept as it was (created if missing); a path ending "
        "in .db, .sqlite or .sqlite3 is a store (created if missing).",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    categories = [c[0] for c in _core.trigger_categories()]
    for kind, help_text in (("trigger", "something that set off distress"), ("reading", "how strong it is now")):
        k = kinds.add_parser(kind, help=help_text, description=f"Log a {kind}: {help_text}.")
        k.add_argument("--journal", type=Path, help="journal file (.jsonl) or store (.db/.sqlite); " + DEFAULT_HELP)
        if kind == "trigger":
            k.add_argument("--category", required=True, type=category_arg, metavar="CATEGORY",
                           help="an id, a label or the first letters of one (\"slow\" is delayed_reply); "
                           "ids: " + ", ".join(categories))
        k.add_argument("--intensity", type=intensity_arg, required=True, help=f"distress {_core.INTENSITY_MIN}-{_core.INTENSITY_MAX}")
        k.add_argument("--note", default="", help="a few words" + (" of context" if kind == "trigger" else ""))
        k.add_argument("--time", help="when (default now), such as 2026-03-02T21:14 in local time "
                       "or with an offset: 2026-03-02T21:14:00+01:00")
        k.add_argument("--tz", metavar="ZONE", type=time_zone_arg, help=TZ_FOR_ENTRIES)
        k.add_argument("--participant", default="", help="participant id (default none)")
        k.add_argument("--id", default="", help="record id (default made from the time)")
        if kind == "reading":
            k.add_argument("--trigger", default="", help="id of the trigger whose episode this reading belongs to, "
                           "or 'latest' for the participant's latest trigger")
