"""A terminal breathing pacer on calmkit's session engine.

    python examples/python/breathing_pacer.py journal.jsonl [--exercise ID]
        [--speed X | --fast] [--participant P] [--trigger T]

Asks the distress before (0-10, Enter to skip), guides the exercise with a bar
redrawn about 20 times a second, asks the distress after, and adds the session
to the journal file (read, add, write back). Ctrl-C stops early; the session is
still recorded, as not completed. ``--speed X`` runs the exercise clock X times
faster (``--fast`` is 20x) so tests can run it quickly. Questions of exercises
that have prompts are answered one line at a time; an empty line skips.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import calmkit


def ask_intensity(question: str) -> int | None:
    while True:
        print(f"{question} (0-10, Enter to skip): ", end="", flush=True)
        line = sys.stdin.readline()
        if not line.strip():
            print()
            return None
        try:
            value = int(line.strip())
        except ValueError:
            value = -1
        if 0 <= value <= 10:
            return value
        print("Please type a whole number from 0 to 10.")


def bar(fraction: float, width: int = 30) -> str:
    full = int(fraction * width + 0.5)
    return "\u2588" * full + "\u2591" * (width - full)


def fresh_id(journal: calmkit.Journal, participant: str, started: dt.datetime) -> str:
    taken = {e.id for e in journal.exercises if e.participant == participant}
    base = "ex-" + started.strftime("%Y%m%dT%H%M%S")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


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

    exercise = calmkit.catalog_exercise(args.exercise)
    journal = calmkit.read_journal(args.journal) if os.path.exists(args.journal) else calmkit.Journal()
    print(f"{exercise.name}\n{exercise.instructions}\n")
    before = ask_intensity("How strong is the distress right now?")

    tty = sys.stdout.isatty()
    t0 = time.monotonic()

    def clock() -> float:
        return (time.monotonic() - t0) * args.speed

    # 5 real seconds without a frame means the process was stopped: suspend.
    session = calmkit.Session(exercise, max_gap_seconds=5.0 * args.speed)
    started_at = dt.datetime.now().astimezone()
    session.start(clock())
    try:
        while session.status in ("running", "paused"):
            st = session.update(clock())
            if st.status == "paused":
                session.resume(clock())
            for ev in session.poll_events():
                if ev.type == "step_started" and not tty:
                    print(f"[round {ev.cycle}] {ev.text}")
            st = session.state
            if st.waiting_for_answer:
                print(f"{st.text} ({st.answers_given + 1}/{st.answers_needed}): ", end="", flush=True)
                answer = sys.stdin.readline()
                if not answer:
                    session.abort(clock())
                elif answer.strip():
                    session.answer(clock(), answer.strip())
                else:
                    session.skip(clock())
                continue
            if tty:
                print(
                    f"\r\033[2K\033[1m{st.text}\033[0m  {bar(st.step_progress)}  {st.seconds_left:5.1f} s"
                    f"   round {st.cycle}/{st.cycles}  [{st.session_progress:.0%}]",
                    end="",
                    flush=True,
                )
            time.sleep(0.05)
    except KeyboardInterrupt:
        session.abort(clock())
    completed = session.status == "finished"
    print(("\r\033[2K" if tty else "") + ("Done." if completed else "Stopped early.") + "\n")

    after = ask_intensity("And now?")
    record = session.finish(
        clock(),
        id=fresh_id(journal, args.participant, started_at),
        started_at=started_at,
        participant=args.participant,
        intensity_before=before,
        intensity_after=after,
        trigger=args.trigger,
    )
    journal.add(record)
    calmkit.write_journal(journal, args.journal)
    back = calmkit.read_journal(args.journal)
    n = sum(1 for e in back.exercises if e.participant == args.participant)
    print(f"journal: {n} exercise session{'' if n == 1 else 's'} in {args.journal} (this one: {record.id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
