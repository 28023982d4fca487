"""The guided commands of a personal journal: ``calmkit now`` and ``calmkit thought``.

``calmkit now`` walks one episode from the alarm to calm, as the journal format
models it: the distress 0-10 and what set it off become a *trigger*; the
optional thoughts, body sensations and urge go on it; "what could help now"
(:func:`calmkit.suggest`: the body first when distress is high, and what has
worked for this person before) offers exercises, the chosen one runs in the
terminal pacer and becomes an *exercise session* linked to the trigger; the
distress asked again afterwards becomes a *reading* linked to it too.

``calmkit thought`` is a CBT thought record with every field of
:class:`calmkit.ThoughtRecord`: situation, automatic thought and how much it
is believed (0-100 %), emotions with their strength (0-100 %), distortions
from the vocabulary (with a plain-language line each), evidence for and
against, up to three alternatives, what a friend would be told, the balanced
thought, and the belief and emotions rated again.

Both commands write to the person's journal (:mod:`calmkit.home`: the
platform's data directory unless ``--journal`` or ``CALMKIT_JOURNAL`` says
otherwise) and can be stopped at any question with Ctrl-C or the end of the
input: what was answered so far is recorded, nothing is asked twice.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, TextIO, Union

from rich.text import Text

from . import _core, home, pacer
from .prompts import EndOfInput, Prompter, about_path, styled

#: The scales the questions ask on: the model's own (calmkit::Intensity, calmkit::Percent).
_INTENSITY = (_core.INTENSITY_MIN, _core.INTENSITY_MAX)
_PERCENT = (_core.PERCENT_MIN, _core.PERCENT_MAX)

__all__ = ["SHORT_LIST", "add_parsers", "match_category", "run_now", "run_thought"]

#: Categories offered by number before "? shows all".
SHORT_LIST = 6
#: Suggestions shown by "what could help now".
SUGGESTIONS = 3
#: Alternatives asked for in a thought record (the "three other explanations" habit).
ALTERNATIVES = 3

_Record = Union[_core.Trigger, _core.Reading, _core.ExerciseSession, _core.ThoughtRecord]


class GuidedFailure(Exception):
    """A problem to report in plain words (the CLI turns it into exit status 2)."""


# --- writing -------------------------------------------------------------------------


def save(path: Path, records: list[_Record]) -> None:
    """The one place the guided commands write: all of ``records`` into the
    journal or store at ``path`` (see :func:`calmkit.home.add_records`)."""
    try:
        home.add_records(path, records)
    except _core.RecordError as e:  # a record refused by a rule: not the file's problem
        raise GuidedFailure(about_path("cannot add to", path, e)) from e
    except _core.JournalFormatError:
        raise
    except ValueError as e:
        raise GuidedFailure(about_path("cannot add to", path, e)) from e
    except (RuntimeError, OSError) as e:
        raise GuidedFailure(about_path("cannot write", path, e)) from e


def _load(path: Path) -> _core.Journal:
    if path.is_dir():
        raise GuidedFailure(f"{path} is a directory, not a journal")
    try:
        return home.load_journal(path)
    except _core.JournalFormatError:
        raise
    except (RuntimeError, OSError) as e:
        raise GuidedFailure(about_path("cannot read", path, e)) from e


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


# --- categories by label -------------------------------------------------------------


def match_category(answer: str, offered: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The categories (id, label) of ``offered`` that ``answer`` names: an exact
    id or label (case-insensitive) wins alone; otherwise those whose label, a
    word of the label, or id starts with the answer. "slow", "reply" and
    "delayed" all find ("delayed_reply", "Slow or missing reply")."""
    a = answer.strip().lower()
    if not a:
        return []
    exact = [c for c in offered if a in (c[0].lower(), c[1].lower())]
    if exact:
        return exact[:1]
    words = a.split()

    def fits(cid: str, label: str) -> bool:
        lab = label.lower()
        if lab.startswith(a) or cid.startswith(a.replace(" ", "_")):
            return True
        label_words = re.findall(r"[\w'-]+", lab)
        return all(any(w.startswith(x) for w in label_words) for x in words)

    return [c for c in offered if fits(*c)]


def _short_list(journal: _core.Journal, participant: str) -> list[tuple[str, str]]:
    """The person's most frequent categories first, then the vocabulary's
    order, :data:`SHORT_LIST` in all."""
    labels = {cid: label for cid, label, _ in _core.trigger_categories()}
    ranked: list[str] = []
    if participant in journal.participants():
        from . import metrics  # pandas: loaded only for a person with records

        totals = metrics.trigger_category_totals(journal.participant(participant), by=None)
        counts = dict(zip(totals["category"].astype(str), totals["count"].to_numpy()))
        ranked = sorted((cid for cid in labels if counts.get(cid, 0) > 0),
                        key=lambda cid: (-counts[cid], list(labels).index(cid)))
    for cid in labels:
        if cid not in ranked and cid != "other":
            ranked.append(cid)
    return [(cid, labels[cid]) for cid in ranked[:SHORT_LIST]]


def ask_category(p: Prompter, journal: _core.Journal, participant: str) -> str:
    """What set it off: a number of the short list, the first letters of a
    category's label, ? for the whole list; Enter gives "other"."""
    everything = [(cid, label) for cid, label, _ in _core.trigger_categories()]
    shown = _short_list(journal, participant)
    while True:
        p.say("What set it off?", style="bold")
        p.numbered([label for _, label in shown])
        more = "" if len(shown) == len(everything) else "? lists all, "
        answer = p.ask(f"A number, or the first letters of one ({more}Enter: other):",
                       completions=[label for _, label in everything])
        if not answer:
            return "other"
        if answer == "?":
            shown = everything
            continue
        if answer.isdecimal():
            k = int(answer)
            if 1 <= k <= len(shown):
                return shown[k - 1][0]
            p.say(f"There is no {k} in this list.")
            continue
        found = match_category(answer, everything)
        if len(found) == 1:
            p.say(f"  -> {found[0][1]}")
            return found[0][0]
        if not found:
            p.say(f"No category starts with {answer!r}; here is the whole list.")
            shown = everything
        else:
            p.say(f"{len(found)} categories fit {answer!r}:")
            shown = found


# --- calmkit now ---------------------------------------------------------------------


@dataclass
class Episode:
    """What ``calmkit now`` has gathered so far (everything optional until answered)."""

    started: dt.datetime
    participant: str = ""
    before: Optional[int] = None
    category: Optional[str] = None
    context: str = ""
    thoughts: list[str] = field(default_factory=list)
    sensations: list[str] = field(default_factory=list)
    urge: str = ""
    session: Optional[_core.ExerciseSession] = None
    after: Optional[int] = None
    after_time: Optional[dt.datetime] = None

    def records(self, journal: _core.Journal) -> list[_Record]:
        """The records to write, linked: the trigger, then the exercise
        session and the reading after that name it. Before a category is
        known, only the first rating is kept, as an unlinked reading."""
        mine = journal.participant(self.participant)
        taken = {"t": {t.id for t in mine.triggers}, "ex": {e.id for e in mine.exercises},
                 "r": {r.id for r in mine.readings}}
        out: list[_Record] = []
        if self.before is None:
            return out
        if self.category is None:
            out.append(_core.Reading(id=pacer.fresh_id(taken["r"], "r-", self.started), time=self.started,
                                     intensity=self.before, participant=self.participant,
                                     note="calmkit now: stopped before naming what set it off"))
            return out
        tid = pacer.fresh_id(taken["t"], "t-", self.started)
        out.append(_core.Trigger(id=tid, time=self.started, category=self.category, intensity=self.before,
                                 participant=self.participant, context=self.context, thoughts=self.thoughts,
                                 sensations=self.sensations, urge=self.urge))
        if self.session is not None:
            self.session.trigger = tid
            self.session.id = pacer.fresh_id(taken["ex"], "ex-", self.session.time)
            out.append(self.session)
        if self.after is not None:
            when = self.after_time or _now()
            if self.session is not None and when < self.session.end:
                when = self.session.end  # a sped-up or fake pacer clock ends "later" than the wall clock
            note = f"after {self.session.exercise}" if self.session is not None else "calmkit now, no exercise"
            out.append(_core.Reading(id=pacer.fresh_id(taken["r"], "r-", when), time=when,
                                     intensity=self.after, participant=self.participant, trigger=tid,
                                     note=note))
        return out


def _pick_exercise(p: Prompter, before: int, journal: _core.Journal,
                   participant: str) -> Optional[_core.Exercise]:
    ranked = _core.suggest(before, journal, participant)
    top = ranked[:SUGGESTIONS]
    p.say()
    p.say("What could help now:", style="bold")
    shown = top
    while True:
        # Each suggestion: its name in bold and its id (what can be typed), the reason below.
        p.numbered([Text.assemble(styled(s.name, "bold"), " (", styled(s.exercise), ")\n", styled(s.reason))
                    for s in shown])
        answer = p.ask("Enter starts the first; a number picks; l lists all; s skips the exercise:",
                       completions=[s.exercise for s in ranked]).lower()
        if answer in ("", "1") and shown:
            return _core.catalog_exercise(shown[0].exercise)
        if answer in ("s", "skip"):
            return None
        if answer in ("l", "list"):
            shown = ranked
            continue
        if answer.isdecimal() and 1 <= int(answer) <= len(shown):
            return _core.catalog_exercise(shown[int(answer) - 1].exercise)
        found = _core.find_exercise(answer)
        if found is not None:
            return found
        p.say(f"{answer!r} is not one of these; type its number, l or s.")


class _Outcome:
    """How a guided dialogue ended: ``status`` 0 (finished, or the input
    ended) or 130 (Ctrl-C, as shells report SIGINT)."""

    status = 0


@contextlib.contextmanager
def _keeping_answers(p: Prompter) -> Iterator[_Outcome]:
    """Runs the questions of ``calmkit now`` / ``calmkit thought``: the end of
    the input or Ctrl-C at any question stops them, says so, and lets the
    caller record what was answered."""
    outcome = _Outcome()
    try:
        yield outcome
    except EndOfInput:
        p.say("End of input: keeping what was answered.")
    except KeyboardInterrupt:
        p.say()
        p.say("Stopped: keeping what was answered.")
        outcome.status = 130


def run_now(path: Path, participant: str, p: Prompter, speed: float = 1.0,
            clock: Optional[pacer.Clock] = None) -> int:
    """``calmkit now``: the whole episode, recorded in ``path``. Returns the
    exit status: 0 done (or stopped by the end of the input), 130 Ctrl-C."""
    journal = _load(path)  # a broken journal stops here, before any question
    ep = Episode(started=_now(), participant=participant)
    with _keeping_answers(p) as outcome:
        p.say("Let's take this one step at a time. Ctrl-C (or Ctrl-D) stops at any question; what you have "
              "answered is kept.")
        ep.before = p.ask_number("How strong is the distress right now?", *_INTENSITY)
        ep.category = ask_category(p, journal, participant)
        ep.context = p.ask("In a few words, what happened? (Enter skips)")
        p.ask_lines("What went through your mind? One thought a line; an empty line ends.", into=ep.thoughts)
        sensations = p.ask("What do you notice in your body? (such as tight chest, racing heart; "
                           "commas between them; Enter skips)")
        ep.sensations = [s.strip() for s in sensations.split(",") if s.strip()]
        ep.urge = p.ask("What do you feel the urge to do? (Enter skips)")
        exercise = _pick_exercise(p, ep.before, journal, participant)
        if exercise is not None:
            p.say()
            p.say(exercise.name, style="bold")
            p.say(exercise.instructions)
            p.say(pacer.keys_hint(pacer.reads_keys(p.inp, p.out)))
            run = pacer.run_in_terminal(exercise, speed=speed, out=p.out, inp=p.inp, clock=clock)
            ep.session = run.finish(id="ex-pending", participant=participant, intensity_before=ep.before)
        ep.after = p.ask_number("How strong is the distress now?", *_INTENSITY, skip=True)
        ep.after_time = _now()
        if ep.session is not None:
            ep.session.intensity_after = ep.after
    status = outcome.status
    records = ep.records(journal)
    if not records:
        p.say("Nothing recorded.")
        return status
    save(path, records)
    _report_now(p, ep, records, path)
    return status


def _report_now(p: Prompter, ep: Episode, records: list[_Record], path: Path) -> None:
    p.say()
    lines: list[str] = []
    if ep.before is not None and ep.after is not None:
        change = ep.before - ep.after
        how = (f"down {change} point{'s' if change != 1 else ''}" if change > 0 else
               "the same" if change == 0 else f"up {-change} point{'s' if change != -1 else ''}")
        lines.append(f"Distress {ep.before} -> {ep.after} ({how}).")
    elif ep.before is not None:
        lines.append(f"Distress {ep.before} at the start.")
    if ep.category is not None:
        labels = {cid: label for cid, label, _ in _core.trigger_categories()}
        lines.append(f"What set it off: {labels.get(ep.category, ep.category)}.")
    if ep.session is not None:
        s = ep.session
        seconds = round((s.end - s.time).total_seconds())
        found = _core.find_exercise(s.exercise)
        lines.append(f"{found.name if found is not None else s.exercise}: {seconds // 60} min {seconds % 60:02d} s, "
                     f"{'completed' if s.completed else 'stopped early'}.")
    p.panel("This episode", lines)
    kinds = {_core.Trigger: "trigger", _core.Reading: "reading", _core.ExerciseSession: "exercise session"}
    listed = ", ".join(f"{kinds[type(r)]} {r.id}" for r in records)
    p.say(f"Recorded in {path}: {listed}" + (" (linked)." if len(records) > 1 else "."))
    if ep.after is not None and ep.after <= 6 and ep.category is not None:
        p.say("When you are ready, 'calmkit thought' walks through the thought behind it.")


# --- calmkit thought -----------------------------------------------------------------


@dataclass
class Thought:
    """What ``calmkit thought`` has gathered so far."""

    started: dt.datetime
    participant: str = ""
    trigger: str = ""
    situation: str = ""
    automatic_thought: str = ""
    belief_before: Optional[int] = None
    emotions: list[list] = field(default_factory=list)  # [name, before, after or None]
    distortions: list[str] = field(default_factory=list)
    evidence_for: list[str] = field(default_factory=list)
    evidence_against: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    friend_advice: str = ""
    balanced_thought: str = ""
    belief_after: Optional[int] = None

    def record(self, journal: _core.Journal) -> Optional[_core.ThoughtRecord]:
        """The thought record, once the situation, the thought and its belief are known."""
        if not (self.situation and self.automatic_thought and self.belief_before is not None):
            return None
        taken = {t.id for t in journal.participant(self.participant).thought_records}
        return _core.ThoughtRecord(
            id=pacer.fresh_id(taken, "tr-", self.started), time=self.started, situation=self.situation,
            automatic_thought=self.automatic_thought, belief_before=self.belief_before,
            participant=self.participant,
            emotions=[_core.EmotionRating(name=n, before=b, after=a) for n, b, a in self.emotions],
            distortions=self.distortions, evidence_for=self.evidence_for, evidence_against=self.evidence_against,
            alternatives=self.alternatives, friend_advice=self.friend_advice,
            balanced_thought=self.balanced_thought, belief_after=self.belief_after, trigger=self.trigger)


def _latest_trigger(journal: _core.Journal, participant: str) -> Optional[_core.Trigger]:
    mine = list(journal.participant(participant).triggers)
    return max(mine, key=lambda t: t.time) if mine else None


def _describe_trigger(t: _core.Trigger) -> str:
    labels = {cid: label for cid, label, _ in _core.trigger_categories()}
    when = t.time.astimezone()
    today = dt.datetime.now().astimezone().date()
    day = ("today" if when.date() == today else "yesterday" if when.date() == today - dt.timedelta(days=1)
           else when.strftime("%Y-%m-%d"))
    context = f": {t.context}" if t.context else ""
    return (f"\"{labels.get(t.category, t.category)}\" ({t.intensity}/{_core.INTENSITY_MAX}) {day} "
            f"at {when:%H:%M}{context}")


def _ask_emotions(p: Prompter, number: str, found: list[list]) -> None:
    """Emotions and their strength (percent), appended to ``found`` as they are given."""
    low, high = _PERCENT
    p.say(f"{number} What did you feel? One emotion a line with how strong it was, {low}-{high} "
          "(such as \"fear 80\"); "
          "an empty line ends.")
    while True:
        answer = p.ask("  -")
        if not answer:
            return
        m = re.fullmatch(r"(.*?)[\s:,]*(\d{1,9})\s*%?", answer)
        if m and m.group(1).strip() and low <= int(m.group(2)) <= high:
            found.append([m.group(1).strip(), int(m.group(2)), None])
            continue
        name = answer
        strength = p.ask_number(f"How strong is the {name}?", low, high, unit=" %")
        found.append([name, strength, None])


def _ask_distortions(p: Prompter, number: str) -> list[str]:
    table = _core.distortions()
    p.say(f"{number} Thinking traps that often come with a thought like this:")
    p.numbered([Text.assemble(styled(label, "bold"), ": ", styled(description)) for _, label, description in table])
    while True:
        answer = p.ask("Which fit? Numbers with spaces or commas between them (Enter: none):")
        picks = [x for x in re.split(r"[\s,]+", answer) if x]
        if all(x.isdecimal() and 1 <= int(x) <= len(table) for x in picks):
            chosen: list[str] = []
            for x in picks:
                if table[int(x) - 1][0] not in chosen:
                    chosen.append(table[int(x) - 1][0])
            return chosen
        p.say(f"Please give numbers from 1 to {len(table)}.")


def run_thought(path: Path, participant: str, p: Prompter, trigger: str = "") -> int:
    """``calmkit thought``: a guided thought record recorded in ``path``.
    Returns 0 (done, or stopped by the end of the input) or 130 (Ctrl-C)."""
    journal = _load(path)
    th = Thought(started=_now(), participant=participant)
    with _keeping_answers(p) as outcome:
        if trigger:
            if not any(t.id == trigger for t in journal.participant(participant).triggers):
                raise GuidedFailure(f"no trigger {trigger!r} in {path}")
            th.trigger = trigger
        else:
            latest = _latest_trigger(journal, participant)
            if latest is not None and p.ask_yes(f"Is this about {_describe_trigger(latest)}?"):
                th.trigger = latest.id
        p.say("A thought record, one field at a time. Ctrl-C (or Ctrl-D) stops at any question; what you have "
              "answered is kept.")
        while not th.situation:
            th.situation = p.ask("1. The situation: what happened, where and with whom, as a camera would "
                                 "have seen it?")
        while not th.automatic_thought:
            th.automatic_thought = p.ask("2. The automatic thought: what went through your mind? (the one "
                                         "that hurt most)")
        th.belief_before = p.ask_number("3. How much do you believe it, right now?", *_PERCENT, unit=" %")
        _ask_emotions(p, "4.", th.emotions)
        th.distortions = _ask_distortions(p, "5.")
        p.ask_lines("6. The facts that support the thought (one a line; an empty line ends):",
                    into=th.evidence_for)
        p.ask_lines("7. The facts that do not fit it (one a line; an empty line ends):", into=th.evidence_against)
        p.ask_lines(f"8. Up to {ALTERNATIVES} other ways of explaining what happened (an empty line ends):",
                    limit=ALTERNATIVES, label=lambda k: f"  {k}.", into=th.alternatives)
        th.friend_advice = p.ask("9. What would you tell a friend who had this thought? (Enter skips)")
        th.balanced_thought = p.ask("10. A balanced thought that takes all of this in (Enter skips):")
        quoted = th.automatic_thought.rstrip(".")
        th.belief_after = p.ask_number(f"11. How much do you believe \"{quoted}\" now?", *_PERCENT,
                                       skip=True, unit=" %")
        for emotion in th.emotions:
            emotion[2] = p.ask_number(f"    {emotion[0]} was {emotion[1]} %; and now?", *_PERCENT,
                                      skip=True, unit=" %")
    status = outcome.status
    record = th.record(journal)
    if record is None:
        p.say("Nothing recorded (a thought record needs the situation, the thought and how much you "
              "believe it).")
        return status
    save(path, [record])
    p.say()
    lines = [f"Belief in the thought: {th.belief_before} % -> "
             f"{'not rated again' if th.belief_after is None else f'{th.belief_after} %'}."]
    lines += [f"{name}: {before} % -> {'not rated again' if after is None else f'{after} %'}."
              for name, before, after in th.emotions]
    if th.distortions:
        labels = {did: label for did, label, _ in _core.distortions()}
        lines.append("Thinking traps: " + ", ".join(labels.get(d, d) for d in th.distortions) + ".")
    if th.balanced_thought:
        lines.append(f"Balanced thought: {th.balanced_thought}")
    p.panel("This thought record", lines)
    linked = f", linked to trigger {th.trigger}" if th.trigger else ""
    p.say(f"Recorded thought record {record.id} in {path}{linked}.")
    return status


# --- the command line ---------------------------------------------------------------


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds ``now`` and ``thought`` to the calmkit command line."""
    where = (f"the journal or store (default: ${home.JOURNAL_ENV}, else journal.jsonl in the data directory, "
             "such as ~/.local/share/calmkit)")
    p = sub.add_parser(
        "now",
        help="the alarm just went off: rate it, name it, calm it, step by step",
        description=f"A guided episode: the distress ({_core.INTENSITY_MIN}-{_core.INTENSITY_MAX}), what set "
        "it off (a category by number or by the first letters of its label), optional thoughts, body sensations and urge; what could help now, from "
        "your own history (the body first when distress is high); the chosen exercise in the terminal; and the "
        "distress again. Records the trigger, the exercise session and the reading, linked. Ctrl-C or the end "
        "of the input stops at any question and keeps what was answered.",
    )
    p.add_argument("--journal", type=Path, help=where)
    p.add_argument("--participant", default="", help="participant id for the records (default none)")
    p.add_argument("--speed", type=float, default=1.0, help="run the exercise clock this many times faster")
    p = sub.add_parser(
        "thought",
        help="a guided CBT thought record",
        description=f"Walk through a thought record: situation, automatic thought and belief "
        f"({_core.PERCENT_MIN}-{_core.PERCENT_MAX} %), "
        "emotions, thinking traps, evidence for and against, other explanations, a friend's view, a balanced "
        "thought, and the belief and emotions rated again. Offers to link it to your latest trigger.",
    )
    p.add_argument("--journal", type=Path, help=where)
    p.add_argument("--participant", default="", help="participant id for the record (default none)")
    p.add_argument("--trigger", default="", help="id of the trigger it belongs to (default: ask about the latest)")


def main_now(args: argparse.Namespace, out: TextIO, inp: Optional[TextIO] = None) -> int:
    if not 0 < args.speed <= 1e6:
        raise GuidedFailure("--speed must be above 0 and at most 1000000")
    return run_now(home.journal_path(args.journal), args.participant, Prompter(inp, out), speed=args.speed)


def main_thought(args: argparse.Namespace, out: TextIO, inp: Optional[TextIO] = None) -> int:
    return run_thought(home.journal_path(args.journal), args.participant, Prompter(inp, out), trigger=args.trigger)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {"now": main_now, "thought": main_thought}
