"""``calmkit assess``: answer a questionnaire in the terminal and record it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .. import _core
from ..prompts import EndOfInput, Prompter, shown, styled
from .common import DEFAULT_HELP, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, TZ_FOR_ENTRIES, Failure, time_zone_arg
from .entries import Target, fresh_id, parse_time, taken

__all__ = ["add_parser", "run"]


def _number(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}"


def _ask_item(number: int, count: int, text: str, low: int, labels: list[str], p: Prompter) -> int:
    """One answer on the instrument's scale from stdin: a number or a scale
    label; asks again on anything else. End of input raises Failure."""
    high = low + len(labels) - 1
    while True:
        p.say(text, indent=f"{number}/{count}. ", hanging="   ")
        try:
            answer = p.ask(f"   ({low}-{high}):")
        except EndOfInput:
            raise Failure(f"end of input before item {number} of {count} was answered; nothing recorded",
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


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit assess INSTRUMENT``: asks each item, records the answers, prints the scores."""
    ids = _core.instrument_ids()
    if args.list or not args.instrument:
        if not args.list:
            raise Failure("name an instrument to answer (calmkit assess --list shows them)", EXIT_USAGE)
        for i in ids:
            print(f"{shown(i):22s} {shown(_core.instrument(i)['name'])}", file=out)
        return EXIT_OK
    if args.instrument not in ids:
        raise Failure(f"no instrument {args.instrument!r}; instruments: {', '.join(ids)}", EXIT_USAGE)
    inst: dict = _core.instrument(args.instrument)  # type: ignore[type-arg]
    target = Target(args.journal)
    target.check()
    when = parse_time(args.time, args.tz)
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
        rid = args.id or fresh_id(taken(journal, "assessment", args.participant), "a-", when)
        try:
            return _core.Assessment(id=rid, time=when, instrument=args.instrument, answers=answers,
                                    participant=args.participant, note=args.note)
        except (ValueError, TypeError) as e:
            raise Failure(str(e), EXIT_USAGE) from e

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


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "assess",
        help="answer a questionnaire (such as gad-7) in the terminal and record it",
        description="Ask each item of an instrument on stdin (a number on its scale, or the scale's label), "
        "record the answers as an assessment in the journal (read, then added at its end in one atomic write; "
        "a .db/.sqlite/.sqlite3 path is a store; either is created if missing) and print the total, band and area scores. "
        "End of input before the last item records nothing (exit status 1).",
    )
    p.add_argument("instrument", metavar="INSTRUMENT", nargs="?", help="instrument id such as gad-7")
    p.add_argument("--list", action="store_true", help="list the instruments and stop")
    p.add_argument("--journal", type=Path, help="journal file (.jsonl) or store (.db/.sqlite); " + DEFAULT_HELP)
    p.add_argument("--participant", default="", help="participant id (default none)")
    p.add_argument("--time", help="when (default now), such as 2026-03-02T21:14 in local time "
                   "or with an offset: 2026-03-02T21:14:00+01:00")
    p.add_argument("--tz", metavar="ZONE", type=time_zone_arg, help=TZ_FOR_ENTRIES)
    p.add_argument("--id", default="", help="record id (default made from the time)")
    p.add_argument("--note", default="", help="a few words about this check-in")
