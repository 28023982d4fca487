"""``calmkit practice``: a guided exercise in the terminal, recorded into a journal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .. import _core, pacer
from ..prompts import EndOfInput, Prompter, shown
from .common import EXIT_OK, EXIT_USAGE, Failure
from .entries import Target, fresh_id, taken

__all__ = ["add_parser", "run"]


def _ask_intensity(question: str, p: Prompter) -> int | None:
    """Distress on the model's scale (0-10) through the prompter (readline on a
    terminal); Enter or the end of the input skips it."""
    try:
        return p.ask_number(question, _core.INTENSITY_MIN, _core.INTENSITY_MAX, skip=True)
    except EndOfInput:
        return None


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit practice EXERCISE_ID``: the exercise in the terminal pacer, then recorded."""
    if args.list or not args.exercise:
        if not args.list:
            raise Failure("name an exercise to practise (calmkit practice --list shows them)", EXIT_USAGE)
        for e in _core.catalog():
            print(f"{shown(e.id):34s} {shown(e.name)}", file=out)
        return EXIT_OK
    if not pacer.MIN_SPEED <= args.speed <= pacer.MAX_SPEED:
        raise Failure(f"--speed must be between {pacer.MIN_SPEED} and {pacer.MAX_SPEED:.0f} "
                      f"(times real time), got {args.speed:g}", EXIT_USAGE)
    exercise = _core.find_exercise(args.exercise)
    if exercise is None:
        raise Failure(f"no exercise {args.exercise!r} in the catalog (calmkit practice --list shows them)",
                      EXIT_USAGE)
    target = None if args.no_record else Target(args.journal)
    if target is not None:
        target.check()
        # Read now, before the exercise: a broken journal or store stops here, not after the session.
        target.ids("exercise", args.participant)
        # The trigger is checked now, not when the finished session is added (and would be lost).
        if args.trigger and not any(t.id == args.trigger and t.participant == args.participant
                                    for t in target.triggers()):
            who = f" for participant {args.participant!r}" if args.participant else ""
            raise Failure(f"--trigger {args.trigger!r}: {args.journal} has no such trigger{who} "
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
        id=fresh_id(taken(journal, "exercise", args.participant), "ex-", run.started_at),
        participant=args.participant, intensity_before=before, intensity_after=after, trigger=args.trigger))
    print(f"recorded {shown(record.id)} ({'completed' if completed else 'not completed'}) in {shown(args.journal)}",
          file=out)
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "practice",
        help="a guided exercise in the terminal, recorded into a journal",
        description="Guide one exercise of the catalog step by step. Asks the distress before and after "
        "(0-10, Enter skips) and answers to prompts on stdin, and records the session in the journal "
        "(--journal, default your own: a .jsonl file or a .db/.sqlite/.sqlite3 store, created if missing; "
        "--no-record records nothing).",
    )
    p.add_argument("exercise", metavar="EXERCISE_ID", nargs="?", help="catalog id such as breathing.box")
    p.add_argument("--list", action="store_true", help="list the catalog's exercises and stop")
    p.add_argument("--journal", type=Path, help="record the session in this journal or store (default: "
                   "your own journal, see calmkit now --help)")
    p.add_argument("--no-record", action="store_true", help="practise without recording the session")
    p.add_argument("--participant", default="", help="participant id for the record")
    p.add_argument("--trigger", default="", help="id of the trigger this session answers")
    p.add_argument("--speed", type=float, default=1.0, help="run the exercise clock this many times faster")
