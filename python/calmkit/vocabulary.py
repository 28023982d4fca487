"""The vocabularies as enums, named as in C++.

calmkit's closed sets — trigger groups and categories, cognitive distortions,
exercise kinds — are C++ enums with one table of stable ids and labels each
(``calmkit/vocabulary.hpp``, ``calmkit/exercises.hpp``). Here they are Python
enums built from those same tables, so the class and member names are the C++
ones (``calmkit::TriggerCategory::conflict`` is
``calmkit.TriggerCategory.conflict``) and nothing is written twice.

Each member is a ``str`` whose value is the stable id the journal format
uses, so it can be passed wherever an id is taken and compares equal to it;
``label`` is the short human label (and ``group`` / ``description`` where the
table has them).

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

from ._core import distortions, exercise_kinds, trigger_categories, trigger_groups

__all__ = ["Distortion", "ExerciseKind", "TriggerCategory", "TriggerGroup"]


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
