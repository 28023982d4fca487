"""The vocabularies cross to Python as enums with the C++ names: the class
names and member names are read from the C++ headers here (not from calmkit's
own tables), in order, and each member's value is the journal format's id as
docs/journal-format.md lists it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import calmkit
from calmkit import Distortion, ExerciseKind, TriggerCategory, TriggerGroup

REPO = Path(__file__).resolve().parents[2]
HEADERS = {"TriggerGroup": "vocabulary.hpp", "TriggerCategory": "vocabulary.hpp", "Distortion": "vocabulary.hpp",
           "ExerciseKind": "exercises.hpp"}


def cpp_enumerators(enum: str) -> list[str]:
    text = (REPO / "include" / "calmkit" / HEADERS[enum]).read_text(encoding="utf-8")
    body = re.search(rf"enum class {enum}\b[^{{]*\{{(.*?)\}};", text, re.S)
    assert body, enum
    without_comments = re.sub(r"//[^\n]*", "", body.group(1))
    return [e.strip() for e in without_comments.split(",") if e.strip()]


@pytest.mark.parametrize("enum", [TriggerGroup, TriggerCategory, Distortion, ExerciseKind], ids=lambda e: e.__name__)
def test_python_enums_have_the_cpp_names_in_order(enum: type) -> None:
    assert [m.name for m in enum] == cpp_enumerators(enum.__name__)
    assert all(m.value == m.name and isinstance(m, str) and m.label for m in enum)
    assert getattr(calmkit, enum.__name__) is enum


def test_ids_are_the_journal_formats() -> None:
    spec = (REPO / "docs" / "journal-format.md").read_text(encoding="utf-8")
    for m in TriggerCategory:
        assert f"`{m.value}`" in spec, m
    for m in Distortion:
        assert f"`{m.value}`" in spec, m


def test_members_stand_in_for_their_ids() -> None:
    t = calmkit.Trigger(id="t1", time="2026-03-02T21:14:00+01:00", category=TriggerCategory.conflict, intensity=6)
    assert t.category == "conflict" == TriggerCategory.conflict
    assert TriggerCategory(t.category) is TriggerCategory.conflict
    assert TriggerCategory.delayed_reply.group is TriggerGroup.relationship
    assert TriggerCategory.perfectionism.group is TriggerGroup.internal
    assert str(Distortion.labeling) == "labeling" and Distortion.labeling.description
    with pytest.raises(ValueError):
        TriggerCategory("not_a_category")
