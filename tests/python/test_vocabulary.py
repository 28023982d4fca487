"""The vocabularies cross to Python as enums with the C++ names: the class
names and member names are read from the C++ headers here (not from calmkit's
own tables), in order, and each member's value is the journal format's id as
docs/journal-format.md lists it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import calmkit
from calmkit import (BreathPhase, Distortion, ExerciseKind, Period, RecordType, ScoringRule, SessionEventType,
                     SessionStatus, Suits, TriggerCategory, TriggerGroup)

REPO = Path(__file__).resolve().parents[2]
HEADERS = {"TriggerGroup": "vocabulary.hpp", "TriggerCategory": "vocabulary.hpp", "Distortion": "vocabulary.hpp",
           "ExerciseKind": "exercises.hpp", "Suits": "exercises.hpp", "BreathPhase": "exercises.hpp",
           "RecordType": "model.hpp", "SessionStatus": "session.hpp",
           "SessionEventType": "session.hpp", "ScoringRule": "assessments.hpp", "Period": "metrics/columns.hpp"}
LABELLED = (TriggerGroup, TriggerCategory, Distortion, ExerciseKind, Suits, BreathPhase, SessionStatus,
            SessionEventType)
#: C++ enums with no Python enum, and why: ``metrics::Split`` is the booleans ``by_category=`` / ``by_group=``;
#: ``IntensityBand`` is how suggest() ranks (its reasons are text), never a value Python reads or passes;
#: ``PosixTransitionRule::Kind`` is how a POSIX rule's date is written, inside ``TimeZone``;
#: ``TextCheck`` tells ``validate`` whether a caller has checked the UTF-8 of a record's text already.
CPP_ONLY = {"Split", "IntensityBand", "Kind", "TextCheck"}
ALL = (*LABELLED, RecordType, ScoringRule, Period)


def cpp_enumerators(enum: str) -> list[str]:
    text = (REPO / "include" / "calmkit" / HEADERS[enum]).read_text(encoding="utf-8")
    body = re.search(rf"enum class {enum}\b[^{{]*\{{(.*?)\}};", text, re.S)
    assert body, enum
    without_comments = re.sub(r"//[^\n]*", "", body.group(1))
    return [e.strip() for e in without_comments.split(",") if e.strip()]


@pytest.mark.parametrize("enum", ALL, ids=lambda e: e.__name__)
def test_python_enums_have_the_cpp_names_in_order(enum: type) -> None:
    assert [m.name for m in enum] == cpp_enumerators(enum.__name__)
    assert all(m.value == m.name and isinstance(m, str) and str(m) == m.value for m in enum)
    if enum in LABELLED:  # BreathPhase.none, "not a breath", is the one member without a label
        assert all(m.label for m in enum if m is not BreathPhase.none) and BreathPhase.none.label == ""
    else:
        assert not hasattr(next(iter(enum)), "label")
    assert getattr(calmkit, enum.__name__) is enum


def test_every_cpp_vocabulary_that_crosses_the_binding_is_a_python_enum() -> None:
    declared = {m.group(1) for p in (REPO / "include" / "calmkit").rglob("*.hpp")
                for m in re.finditer(r"enum class (\w+)", p.read_text(encoding="utf-8"))}
    assert declared == {e.__name__ for e in ALL} | CPP_ONLY
    assert set(HEADERS) == {e.__name__ for e in ALL}


def test_suits_and_breath_phases_are_what_exercises_hold() -> None:
    # the values crossing the binding (Exercise.suits, TimedStep.phase) are the members' ids, both ways
    assert {Suits(e.suits) for e in calmkit.catalog()} <= set(Suits)
    phases = {BreathPhase(s.phase) for e in calmkit.catalog() for s in e.steps if hasattr(s, "phase")}
    assert {BreathPhase.inhale, BreathPhase.exhale} <= phases <= set(BreathPhase)
    step = calmkit.TimedStep(4.0, phase=BreathPhase.hold_in)
    assert step.phase == "hold_in" and BreathPhase(step.phase) is BreathPhase.hold_in
    assert Suits.acute.label == "In the moment" and BreathPhase.exhale.label == "Breathe out"
    with pytest.raises(ValueError, match="unknown breathing phase 'hold'"):
        calmkit.TimedStep(4.0, phase="hold")


def test_record_types_are_the_formats_type_values() -> None:
    spec = (REPO / "docs" / "journal-format.md").read_text(encoding="utf-8")
    for m in RecordType:
        assert f'"type": "{m.value}"' in spec or f"`{m.value}`" in spec, m
    line = calmkit.to_jsonl(calmkit.Journal([calmkit.Reading(id="r", time="2026-03-02T21:14:00+01:00",
                                                             intensity=3)]))
    assert '"type":"reading"' in line.replace(" ", "") and RecordType.reading == "reading"


def test_the_new_members_stand_in_for_their_ids() -> None:
    # Wherever a string is taken, the member is taken and gives the same answer.
    journal = calmkit.synthetic_journal(participants=2, days=40, seed=3)
    by_text = calmkit.trigger_frequency(journal, period="week")
    assert by_text.equals(calmkit.trigger_frequency(journal, period=Period.week))
    assert calmkit.time_to_calm_summary(journal, by=["participant", Period.month]).equals(
        calmkit.time_to_calm_summary(journal, by=["participant", "month"]))
    with pytest.raises(ValueError, match="period must be"):
        calmkit.trigger_frequency(journal, period="fortnight")
    gad = calmkit.instrument("gad-7")
    calmkit.register_instrument(dict(gad, id="py-vocab-mean", total_rule=ScoringRule.mean, bands=[]))
    assert calmkit.instrument("py-vocab-mean")["total_rule"] == ScoringRule.mean == "mean"
    assert ScoringRule(calmkit.instrument("gad-7")["total_rule"]) is ScoringRule.sum
    session = calmkit.Session(calmkit.catalog()[0])
    assert session.status == SessionStatus.ready and SessionStatus(session.status) is SessionStatus.ready
    session.start(0.0)
    assert SessionStatus(session.status) is SessionStatus.running
    assert {SessionEventType(e.type) for e in session.poll_events()} <= set(SessionEventType)
    assert SessionStatus.aborted.label == "Stopped early"


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
