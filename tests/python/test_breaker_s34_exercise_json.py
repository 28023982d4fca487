"""Custom exercise definitions (docs/exercises.md, "JSON") as a new user
writes them by hand and as the page names the calls: the names it gives,
what a hand-written file with a typo gets back, and keys given twice, which
the journal format refuses (docs/journal-format.md: "a key given twice ...
duplicate key in one object") and a definition should not take silently."""

from __future__ import annotations

import re

import pytest

import calmkit

#: The page's own example, laid out over several lines as a person writes a file.
FOUR_FOUR = """{"id": "me.44", "name": "Four four", "kind": "breathing", "suits": "both",
 "instructions": "...", "sources": ["..."], "repeats": 3,
 "steps": [{"type": "timed", "seconds": 4, "phase": "inhale", "cue": "Breathe in"},
           {"type": "prompt", "text": "Name one thing you can hear", "answers": 1}]}"""


def test_every_catalog_exercise_round_trips_through_the_python_names() -> None:
    # Guards what works, with the names Python has today.
    everything = calmkit.catalog()
    assert calmkit.exercises_from_json(calmkit.exercises_to_json(everything)) == everything
    for ex in everything:
        assert calmkit.exercise_from_json(ex.to_json()) == ex
    assert calmkit.exercise_from_json(FOUR_FOUR).cycles() == 3


def test_the_pages_to_json_names_work_in_python() -> None:
    box = calmkit.catalog_exercise("breathing.box")
    assert calmkit.exercise_from_json(calmkit.to_json(box)) == box
    both = [box, calmkit.catalog_exercise("breathing.4-7-8")]
    assert calmkit.exercises_from_json(calmkit.to_json(both)) == both


@pytest.mark.parametrize("text, field", [
    ('{"id": "me.a", "name": "A", "kind": "breathing", "id": "me.b", '
     '"steps": [{"type": "timed", "seconds": 4}]}', "id"),
    ('{"id": "me.a", "name": "A", "kind": "breathing", "steps": [{"type": "timed", "seconds": 4}], '
     '"steps": [{"type": "timed", "seconds": 6}]}', "steps"),
    ('{"id": "me.a", "name": "A", "kind": "breathing", '
     '"steps": [{"type": "timed", "seconds": 4, "seconds": 40}]}', "steps[0].seconds"),
])
def test_a_key_given_twice_is_an_error_naming_it(text: str, field: str) -> None:
    with pytest.raises(calmkit.ExerciseFormatError, match=rf"field '{re.escape(field)}': .*duplicate"):
        calmkit.exercise_from_json(text)


@pytest.mark.parametrize("broken, line", [
    (FOUR_FOUR.replace('"repeats": 3,', '"repeats": 3'), 3),  # the comma before "steps" forgotten
    (FOUR_FOUR.replace('"Breathe in"', '"Breathe in'), 3),  # a string left open
])
def test_a_hand_written_syntax_error_says_where(broken: str, line: int) -> None:
    with pytest.raises(calmkit.ExerciseFormatError) as e:
        calmkit.exercise_from_json(broken)
    # Any of: the line, a line:column, or the byte offset of the problem.
    assert re.search(rf"line {line}\b|\b{line}:\d+|offset \d+|byte \d+|column \d+", str(e.value)), str(e.value)


@pytest.mark.parametrize("field, value, rule", [("steps[0].answers", 2_000_000, r"1\.\.100"),
                                                ("repeats", 2_000_000_000, r"(>= ?1|at least 1|1\.\.)")])
def test_an_out_of_range_count_gets_the_fields_own_rule(field: str, value: int, rule: str) -> None:
    answers = value if field == "steps[0].answers" else 2
    text = ('{"id": "me.a", "name": "A", "kind": "grounding"'
            + (f', "repeats": {value}' if field == "repeats" else "")
            + f', "steps": [{{"type": "prompt", "text": "x", "answers": {answers}}}]}}')
    # 101 answers and 0 repeats already say "1..100" and "repeats < 1"; a bigger number must not read as
    # "negative counts are fine".
    with pytest.raises(calmkit.ExerciseFormatError) as e:
        calmkit.exercise_from_json(text)
    msg = str(e.value)
    assert f"field '{field}'" in msg and re.search(rule, msg) and "-1000000" not in msg, msg
