"""The vocabularies as enums, named as in C++.

calmkit's closed sets are C++ enums with one table or ``to_id`` of stable
ids each. Here they are Python enums built from those same tables, so the
class and member names are the C++ ones (``calmkit::TriggerCategory::conflict``
is ``calmkit.TriggerCategory.conflict``) and nothing is written twice:

- what the journal holds: :class:`TriggerGroup`, :class:`TriggerCategory`,
  :class:`Distortion` (``calmkit/vocabulary.hpp``), :class:`RecordType`
  (the ``type`` of a record, ``calmkit/model.hpp``);
- exercises and guided sessions: :class:`ExerciseKind`, :class:`Suits`
  (``Exercise.suits``), :class:`BreathPhase` (``TimedStep.phase``)
  (``calmkit/exercises.hpp``), :class:`SessionStatus` and
  :class:`SessionEventType` (``calmkit/session.hpp``);
- questionnaires: :class:`ScoringRule` (an instrument's ``total_rule`` and
  ``area_rule``, ``calmkit/assessments.hpp``);
- metrics: :class:`Period` (``period=`` and the ``by=`` keys ``"day"``,
  ``"week"``, ``"month"``, ``calmkit/metrics/columns.hpp``).

Each member is a ``str`` whose value is the stable id, so it can be passed
wherever an id is taken (``trigger_frequency(j, period=Period.week)``) and
compares equal to it (``session.status == SessionStatus.running``); strings
keep working everywhere. ``label`` is the short human label where the C++
table has one (and ``group`` / ``description`` where it has them).
(``metrics::Split`` has no Python vocabulary: ``by_category=`` and
``by_group=`` stand for it.)

Example::

    from calmkit import TriggerCategory, Trigger
    TriggerCategory.conflict.label             # 'Conflict or argument'
    TriggerCategory("delayed_reply").group     # TriggerGroup.relationship
    Trigger(id="t1", time="2026-03-02T21:14:00+01:00",
            category=TriggerCategory.conflict, intensity=6).category  # 'conflict'
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Iterable, Optional, Sequence

from ._core import (_breath_phases, _periods, _record_types, _scoring_rules, _session_event_types, _session_statuses,
                    _suits, distortions, exercise_kinds, trigger_categories, trigger_groups)

__all__ = ["BreathPhase", "Distortion", "ExerciseKind", "Period", "RecordType", "ScoringRule", "SessionEventType",
           "SessionStatus", "Suits", "TriggerCategory", "TriggerGroup"]


class _Vocabulary(str, Enum):
    """A vocabulary member: a ``str`` equal to its stable id, with a label."""

    label: str

    def __new__(cls, id_: str, label: str, *extra: Any) -> "_Vocabulary":
        member = str.__new__(cls, id_)
        member._value_ = id_
        member.label = label
        return member

    def __str__(self) -> str:
        return str(self.value)


class _Id(str, Enum):
    """A member of a set without labels: a ``str`` equal to its stable id."""

    def __str__(self) -> str:
        return str(self.value)


def _vocabulary(name: str, rows: Iterable[Sequence[str]], doc: str,
                extra: Optional[tuple[str, Callable[[str], Any]]] = None) -> Any:
    """The enum ``name`` built from a C++ table's ``rows`` (id, label, ...):
    each member a str equal to its id, with ``label``; ``extra`` (attribute,
    conversion) sets that attribute of each member from the row's third item."""
    rows = [tuple(row) for row in rows]
    cls = _Vocabulary(name, [(row[0], row) for row in rows], module=__name__, qualname=name)  # type: ignore[misc]
    cls.__doc__ = doc
    if extra is not None:
        attribute, convert = extra
        for row in rows:
            setattr(cls(row[0]), attribute, convert(row[2]))
    return cls


def _ids(name: str, ids: Iterable[str], doc: str) -> Any:
    """The enum ``name`` of a C++ set without labels: each member a str equal to its id."""
    cls = _Id(name, [(i, i) for i in ids], module=__name__, qualname=name)  # type: ignore[misc]
    cls.__doc__ = doc
    return cls


TriggerGroup = _vocabulary("TriggerGroup", trigger_groups(),
                           "The three families the trigger categories fall into (calmkit::TriggerGroup).")
TriggerCategory = _vocabulary("TriggerCategory", trigger_categories(),
                              "What set the attachment alarm off (calmkit::TriggerCategory); ``group`` is its "
                              "TriggerGroup.", extra=("group", TriggerGroup))
Distortion = _vocabulary("Distortion", distortions(),
                         "Thinking traps named in CBT thought records (calmkit::Distortion); ``description`` "
                         "says it in plain language.", extra=("description", str))
ExerciseKind = _vocabulary("ExerciseKind", exercise_kinds(), "What an exercise works with (calmkit::ExerciseKind).")
Suits = _vocabulary("Suits", _suits(), "When an exercise is meant to be used (calmkit::Suits; ``Exercise.suits``).")
BreathPhase = _vocabulary("BreathPhase", _breath_phases(),
                          "The breathing phase of a timed step (calmkit::BreathPhase; ``TimedStep.phase``); "
                          "``none`` (no label) for steps that are not breaths.")
SessionStatus = _vocabulary("SessionStatus", _session_statuses(),
                            "Where a guided session is in its life (calmkit::SessionStatus; ``Session.status``).")
SessionEventType = _vocabulary("SessionEventType", _session_event_types(),
                               "What happened in a guided session (calmkit::SessionEventType; "
                               "``SessionEvent.type``).")
RecordType = _ids("RecordType", _record_types(),
                  "The record types of the journal format, the ``type`` of each line (calmkit::RecordType).")
ScoringRule = _ids("ScoringRule", _scoring_rules(),
                   "How item answers combine into an area or total score (calmkit::ScoringRule; an "
                   "instrument's ``total_rule`` and ``area_rule``).")
Period = _ids("Period", _periods(),
              "Calendar periods of the metrics, Monday-based weeks (calmkit::metrics::Period; ``period=``, ``by=``).")
