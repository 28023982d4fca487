"""A terminal breathing pacer on calmkit's session engine.

    python examples/python/breathing_pacer.py journal.jsonl [--exercise ID]
        [--speed X | --fast] [--participant P] [--trigger T]

Asks the distress before (0-10, Enter to skip), guides the exercise with a bar
redrawn about 20 times a second, asks the distress after, and adds the session
to the journal file (at its end, every line already there kept, through
``calmkit.home.add_records``). Ctrl-C stops early; the session is still
recorded, as not completed. An unknown exercise or trigger, or a broken
journal, stops it before the exercise starts. ``--speed X`` runs the exercise clock X times
faster (``--fast`` is 20x) so tests can run it quickly. Questions of exercises
that have prompts are answered one line at a time; an empty line skips.
"""

from __future__ import annotations

import argparse
import os
import sys

import calmkit
from calmkit import home, pacer


def draw(state: calmkit.SessionState) -> str:
    """This app's own look for the redrawn line: block characters for the bar."""
    return pacer.progress_line(state, full="\u2588", empty="\u2591")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("journal")
    parser.add_argument("--exercise", default="breathing.4-7-8")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--fast", action="store_const", const=20.0, dest="speed")
    parser.add_argument("--participant", default="")
    parser.add_argument("--trigger", default="")
    args = parser.parse_args(argv)
    if not 0 < args.speed <= 1e6:
        parser.error("--speed must be > 0 and at most 1e6")

    # Every input is checked before the exercise starts: a mistake found after
    # it would cost the person the session.
    try:
        exercise = calmkit.catalog_exercise(args.exercise)
    except IndexError as e:  # not in the catalog
        parser.error(f"--exercise: {e}")
    try:
        journal = calmkit.read_journal(args.journal) if os.path.exists(args.journal) else calmkit.Journal()
    except (calmkit.JournalFormatError, OSError) as e:
        print(f"breathing_pacer.py: {e}", file=sys.stderr)
        return 1
    if args.trigger and not any(t.id == args.trigger and t.participant == args.participant
                                for t in journal.triggers):
        parser.error(f"--trigger: no trigger '{args.trigger}' in {args.journal}")
    print(f"{exercise.name}\n{exercise.instructions}\n")
    before = pacer.ask_intensity("How strong is the distress right now?")
    # The loop that drives the session engine frame by frame lives in
    # calmkit.pacer (shared with `calmkit practice`); an app with another
    # front end calls Session.update(clock) from its own frame callback.
    run = pacer.run_in_terminal(exercise, speed=args.speed, draw=draw)
    after = pacer.ask_intensity("And now?")

    def session(journal: calmkit.Journal) -> calmkit.ExerciseSession:
        """The record, with an id free in the journal as it is under its lock."""
        taken = {e.id for e in journal.exercises if e.participant == args.participant}
        return run.finish(
            id=pacer.fresh_id(taken, "ex-", run.started_at),
            participant=args.participant,
            intensity_before=before,
            intensity_after=after,
            trigger=args.trigger,
        )

    # Added at the end of the file under its lock, every line already there
    # kept byte for byte (another app's fields too), in one safe write; a
    # read-modify-write_journal would drop what calmkit does not model.
    try:
        record = home.add_records(args.journal, [session])[0]
    except (ValueError, OSError, RuntimeError) as e:
        print(f"breathing_pacer.py: the session could not be recorded: {e}", file=sys.stderr)
        return 3
    back = calmkit.read_journal(args.journal)
    n = sum(1 for e in back.exercises if e.participant == args.participant)
    print(f"journal: {n} exercise session{'' if n == 1 else 's'} in {args.journal} (this one: {record.id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
