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
from typing import Any

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


TriggerGroup = _Vocabulary("TriggerGroup", [(i, (i, label)) for i, label in trigger_groups()],  # type: ignore[misc]
                           module=__name__, qualname="TriggerGroup")
TriggerGroup.__doc__ = "The three families the trigger categories fall into (calmkit::TriggerGroup)."

TriggerCategory = _Vocabulary("TriggerCategory",  # type: ignore[misc]
                              [(i, (i, label, group)) for i, label, group in trigger_categories()],
                              module=__name__, qualname="TriggerCategory")
TriggerCategory.__doc__ = ("What set the attachment alarm off (calmkit::TriggerCategory); ``group`` is its "
                           "TriggerGroup.")
for _id, _label, _group in trigger_categories():
    TriggerCategory(_id).group = TriggerGroup(_group)  # type: ignore[attr-defined]

Distortion = _Vocabulary("Distortion",  # type: ignore[misc]
                         [(i, (i, label, text)) for i, label, text in distortions()],
                         module=__name__, qualname="Distortion")
Distortion.__doc__ = ("Thinking traps named in CBT thought records (calmkit::Distortion); ``description`` "
                      "says it in plain language.")
for _id, _label, _text in distortions():
    Distortion(_id).description = _text  # type: ignore[attr-defined]

ExerciseKind = _Vocabulary("ExerciseKind", [(i, (i, label)) for i, label in exercise_kinds()],  # type: ignore[misc]
                           module=__name__, qualname="ExerciseKind")
ExerciseKind.__doc__ = "What an exercise works with (calmkit::ExerciseKind)."

Suits = _Vocabulary("Suits", [(i, (i, label)) for i, label in _suits()],  # type: ignore[misc]
                    module=__name__, qualname="Suits")
Suits.__doc__ = "When an exercise is meant to be used (calmkit::Suits; ``Exercise.suits``)."

BreathPhase = _Vocabulary("BreathPhase", [(i, (i, label)) for i, label in _breath_phases()],  # type: ignore[misc]
                          module=__name__, qualname="BreathPhase")
BreathPhase.__doc__ = ("The breathing phase of a timed step (calmkit::BreathPhase; ``TimedStep.phase``); "
                       "``none`` (no label) for steps that are not breaths.")

SessionStatus = _Vocabulary("SessionStatus", [(i, (i, label)) for i, label in _session_statuses()],  # type: ignore[misc]
                            module=__name__, qualname="SessionStatus")
SessionStatus.__doc__ = "Where a guided session is in its life (calmkit::SessionStatus; ``Session.status``)."

SessionEventType = _Vocabulary("SessionEventType",  # type: ignore[misc]
                               [(i, (i, label)) for i, label in _session_event_types()],
                               module=__name__, qualname="SessionEventType")
SessionEventType.__doc__ = "What happened in a guided session (calmkit::SessionEventType; ``SessionEvent.type``)."

RecordType = _Id("RecordType", [(i, i) for i in _record_types()], module=__name__,  # type: ignore[misc]
                 qualname="RecordType")
RecordType.__doc__ = "The record types of the journal format, the ``type`` of each line (calmkit::RecordType)."

ScoringRule = _Id("ScoringRule", [(i, i) for i in _scoring_rules()], module=__name__,  # type: ignore[misc]
                  qualname="ScoringRule")
ScoringRule.__doc__ = ("How item answers combine into an area or total score (calmkit::ScoringRule; an "
                       "instrument's ``total_rule`` and ``area_rule``).")

Period = _Id("Period", [(i, i) for i in _periods()], module=__name__, qualname="Period")  # type: ignore[misc]
Period.__doc__ = "Calendar periods of the metrics, Monday-based weeks (calmkit::metrics::Period; ``period=``, ``by=``)."

