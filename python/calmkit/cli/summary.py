"""``calmkit summary``: what is in a journal, per participant and for the cohort."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import _core
from ..prompts import console_for, shown, styled
from .common import (DEFAULT_HELP, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, TZ_FORMS, Failure, counts, plural, read, record_row,
                     time_zone_arg)

if TYPE_CHECKING:  # pandas is imported by the metrics when a summary is made, not by every command
    import pandas as pd

__all__ = ["FIRST_LATEST_WEEKS", "TOP_EXERCISES", "add_parser", "run", "write_summary"]


#: Exercises listed per participant and for the cohort.
TOP_EXERCISES = 5
#: Weeks of the "first weeks vs latest weeks" time-to-calm comparison.
FIRST_LATEST_WEEKS = 4
#: The distress scale as the summary prints it: the model's (calmkit::Intensity).
_SCALE = f"({_core.INTENSITY_MIN}-{_core.INTENSITY_MAX})"


def _ymd(t: pd.Timestamp) -> str:
    """``t``'s date as YYYY-MM-DD, also past the year 9999 (where strftime stops)."""
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}"


def _span(j: _core.Journal, tz: str | None = None) -> tuple[dt.date, dt.date, int]:
    """First and last local date of a record of any type, and the days from
    one to the other (both counted): ``calmkit.record_counts``; the dates at
    each record's own UTC offset, or in the zone ``tz`` (--tz) when given."""
    row = record_row(j, tz)
    first, last = row["first_local_date"], row["last_local_date"]
    if last.year > dt.MAXYEAR or first.year < dt.MINYEAR:  # a zone east of 9999-12-31T23:00Z, say
        raise Failure(f"in the zone {tz} the journal's records fall on {_ymd(first)} to {_ymd(last)}, outside "
                      f"the calendar the summary prints (years {dt.MINYEAR}..{dt.MAXYEAR}); "
                      "give another --tz, or none for each record's own clock", EXIT_USAGE)
    return first.date(), last.date(), int(row["days"])


def _top_exercises(j: _core.Journal) -> str:
    """The most practised exercises: the ``sessions`` (all sessions, completed
    or not) of ``calmkit.exercise_effectiveness``, most first (ties: by id)."""
    from .. import metrics as m

    e = m.exercise_effectiveness(j)
    if e.empty:
        return "none"
    ranked = sorted(zip(e["exercise"].astype(str), e["sessions"].astype(int)), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{shown(name)} ({n})" for name, n in ranked[:TOP_EXERCISES])


def _week_lines(j: _core.Journal, first: dt.date, last: dt.date, tz: str | None = None) -> list[str]:
    """Triggers and mean intensity at onset in the first and last full ISO
    week (Monday to Sunday, local dates) of the participant's span (first to
    last local date of any record): the rows of
    ``calmkit.trigger_frequency(j, period="week", tz=tz)`` for those weeks, worded.
    """
    from .. import metrics as m

    span_days = (last - first).days + 1
    weekly = m.trigger_frequency(j, period="week", tz=tz)
    start = weekly["period_start"].dt.date
    # start <= last - 6 days, not start + 6 days <= last: a week starting in the
    # last days of 9999 would leave Python's dates.
    full = weekly[(start >= first) & (start <= last - dt.timedelta(days=6))]
    if full.empty:
        if span_days < 7:
            return [f"weeks: less than one full week of journaling ({plural(span_days, 'day')})"]
        return [f"weeks: no full week (Monday to Sunday) in {plural(span_days, 'day')} of journaling"]

    def week(row: pd.Series) -> tuple[dt.date, dt.date, int, str]:
        s = row["period_start"].date()
        mean = f"{row['mean_intensity']:.1f}" if row["count"] else "no triggers"
        return s, s + dt.timedelta(days=6), int(row["count"]), mean

    s1, e1, n1, m1 = week(full.iloc[0])
    if len(full) == 1:
        return [
            f"triggers per week: {n1} in the only full week ({s1} to {e1})",
            f"mean intensity at onset {_SCALE}: {m1} in that week",
        ]
    sl, el, nl, ml = week(full.iloc[-1])
    return [
        f"triggers per week: {n1} in the first full week ({s1} to {e1}), {nl} in the last ({sl} to {el})",
        f"mean intensity at onset {_SCALE}: {m1} in the first week, {ml} in the last",
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
            f"(95% CI {ci}), {plural(n, 'episode')}, {int(row['censored'])} censored")
    by = weeks.set_index("first_and_latest")
    if {"first", "latest"} <= set(by.index.astype(str)):
        text += (f"; first {span} {_minutes(by.loc['first', 'median_minutes'])} "
                 f"({plural(int(by.loc['first', 'episodes']), 'episode')}), latest {span} "
                 f"{_minutes(by.loc['latest', 'median_minutes'])} "
                 f"({plural(int(by.loc['latest', 'episodes']), 'episode')})")
    return text


def _time_to_calm_lines(journal: _core.Journal) -> tuple[dict[str, str], str]:
    """The time-to-calm line of each participant and the pooled one, all from
    calmkit's metric functions (episodes made within each person's records)."""
    from .. import metrics as m

    eps = m.time_to_calm(journal)
    if eps.empty:
        return {}, "time to calm: no episodes"
    split = m.first_and_latest(eps, weeks=FIRST_LATEST_WEEKS)
    eps["first_and_latest"] = split
    full = 7.0 * FIRST_LATEST_WEEKS
    # A journal shorter than twice the weeks is split into halves (in days).
    span = {p: plural(FIRST_LATEST_WEEKS, "week") if d == full else plural(round(d), "day")
            for p, d in split.attrs["days"].items()}
    each = m.time_to_calm_summary(eps, by="participant").set_index("participant")
    each_w = m.time_to_calm_summary(eps, by=["participant", "first_and_latest"])
    lines = {}
    for p in each.index:
        lines[str(p)] = _time_to_calm_line(each.loc[p], each_w[each_w["participant"] == p], span[str(p)])
    pooled_span = plural(FIRST_LATEST_WEEKS, "week")
    if any(d != full for d in split.attrs["days"].values()):
        pooled_span += " (halves of shorter journals)"
    pooled = _time_to_calm_line(m.time_to_calm_summary(eps, by=None).iloc[0],
                                m.time_to_calm_summary(eps, by="first_and_latest"), pooled_span)
    return lines, pooled


def _participant_block(j: _core.Journal, name: str, out: TextIO, ttc: str = "time to calm: no episodes",
                       tz: str | None = None) -> None:
    """One participant's lines of ``calmkit summary``; on a terminal the
    heading and the time to calm (the headline number) are in bold."""
    console = console_for(out)

    def line(text: str, style: str = "") -> None:
        console.print(styled(text, style), soft_wrap=True)

    line(f"Participant {shown(name)}" if name else "Journal (single user, no participant id)", "bold")
    first, last, days = _span(j, tz)
    line(f"  dates: {first} to {last} ({plural(days, 'day')}, {_local_dates_said(tz)})")
    line(f"  records: {counts(j)}")
    for text in _week_lines(j, first, last, tz):
        line(f"  {text}")
    line(f"  {ttc}", "bold")
    line(f"  most practised exercises: {_top_exercises(j)}")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit summary [JOURNAL]``."""
    try:
        return write_summary(args.journal, out, args.tz)
    except ValueError as e:
        if "zero-filled table" in str(e):  # the data's span (a mistyped year), as `calmkit report` says it
            raise Failure(f"{args.journal}: {e}", EXIT_PROBLEMS) from e
        raise


def _local_dates_said(tz: str | None) -> str:
    return "local dates" if tz is None else f"local dates in {shown(tz)}"


def write_summary(path: Path, out: TextIO, tz: str | None = None) -> int:
    """The summary of the journal or store at ``path``, written to ``out``;
    returns the exit status. Dates and weeks are local: at each record's own
    UTC offset, or in the zone ``tz`` (an IANA name or a POSIX rule)."""
    journal, _ = read(path, lenient=False)
    if len(journal) == 0:
        print(f"{shown(path)}: the journal has no records", file=out)
        return EXIT_OK
    participants = journal.participants()
    ttc, pooled = _time_to_calm_lines(journal)
    for name in participants:
        _participant_block(journal.participant(name), name, out, ttc.get(name, "time to calm: no episodes"), tz)
        print(file=out)
    if len(participants) == 1:
        return EXIT_OK  # a personal journal: the block above says it all
    first, last, _ = _span(journal, tz)
    console = console_for(out)
    console.print(styled(f"Cohort {pooled} (every participant's episodes pooled)", "bold"), soft_wrap=True)
    console.print(styled(
        f"Cohort: {plural(len(participants), 'participant')}, {first} to {last} ({_local_dates_said(tz)}); "
        f"{counts(journal)}; most practised exercises: {_top_exercises(journal)}"), soft_wrap=True)
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "summary",
        help="participants, dates, record counts and first-vs-last-week trends",
        description="Summarise a journal: one block per participant, then a cohort line.",
    )
    p.add_argument("journal", metavar="JOURNAL", type=Path, nargs="?", help=DEFAULT_HELP)
    p.add_argument("--tz", metavar="ZONE", type=time_zone_arg,
                   help=f"time zone of the dates and weeks: {TZ_FORMS} (default: each record's own offset)")
