"""The public functions given arguments a researcher or an app maker may
type wrongly: an unknown catalog id, synthetic_journal's numbers as text,
floats, bools, None or out of C++'s range, km_quantiles' ``p`` as text,
flags given as text or numbers, ``by`` given as a number.

Each must be a clear error naming the argument (and for an unknown id, the
ids closest to it), never pybind11's list of C++ signatures, a NumPy or
pandas internal, nor a silent answer to a question that was not asked.

B230: ``catalog_exercise("no-such-id")`` raised IndexError (a missing key of
a mapping is a KeyError) without the ids it may have meant.
B231: ``synthetic_journal(seed=-1)`` (and a float, bool, None or an int past
C++'s range for any argument) printed pybind11's overload dump.
B232: ``km_quantiles(p="0.5")`` was accepted; ``p="x"`` said only "could not
convert string to float".
B233: the flags ``by_category``/``by_group`` (trigger_frequency), ``pooled``
(window_of_uncertainty) and ``by_participant`` (exercise_effectiveness)
took any value by its truth value (the string "no" is true).
B234: ``by=`` a number or a bool (time_to_calm_summary, km_curve,
km_quantiles) raised "'float' object is not iterable"; ``weeks=10**30``
(first_and_latest, analysis_frame) raised a NumPy ufunc error;
``affect_dynamics(max_gap_hours=nan)`` or ``True`` was accepted.
B239: the compiled functions (read_journal, parse_journal, catalog_exercise,
suggest, score, to_jsonl, ...) given an argument of the wrong kind printed
pybind11's list of C++ signatures; ``read_journal(path, lenient=None)`` read
None as False.
B240: ``assessment_scores(None)`` / ``assessment_change(path)`` raised
AttributeError from inside calmkit ('NoneType' object has no attribute
'assessments'); ``localize(None, zone)`` likewise ('tzinfo').
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import calmkit


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=2, days=28, seed=7)


# --- B230: catalog ids -------------------------------------------------------------------


def test_unknown_catalog_id_is_a_key_error_with_the_closest_ids() -> None:
    with pytest.raises(KeyError) as e:
        calmkit.catalog_exercise("breathing.boxx")
    text = str(e.value)
    assert "breathing.boxx" in text and "breathing.box" in text, text
    assert not text.startswith("'"), "the message is shown as words, not as the repr of a key"
    with pytest.raises(KeyError) as e:
        calmkit.catalog_exercise("no-such-id")
    assert "no-such-id" in str(e.value)
    # Code written against the old IndexError keeps working.
    with pytest.raises(IndexError):
        calmkit.catalog_exercise("no-such-id")


def test_registry_get_unknown_id_is_a_key_error() -> None:
    registry = calmkit.ExerciseRegistry()
    with pytest.raises(KeyError) as e:
        registry.get("grounding.5-4-3-2")
    assert "grounding.5-4-3-2-1" in str(e.value)


# --- B231: synthetic_journal -------------------------------------------------------------

SYNTHETIC_INTS = {"participants": (1, 2**31 - 1), "days": (1, 2**31 - 1), "seed": (0, 2**64 - 1)}
SYNTHETIC_REALS = ("triggers_per_day_start", "triggers_per_day_end", "readings_per_episode",
                   "exercise_probability", "thought_record_probability", "unlinked_reading_probability")


@pytest.mark.parametrize("name", list(SYNTHETIC_INTS))
@pytest.mark.parametrize("value", [-1, 2**64, 2**70, 2.0, 1.5, True, None, "3", float("nan")],
                         ids=["negative", "past-uint64", "huge", "float-whole", "float", "bool", "None", "text",
                              "nan"])
def test_synthetic_whole_number_arguments(name: str, value: object) -> None:
    low, high = SYNTHETIC_INTS[name]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        pytest.skip("in range")
    with pytest.raises((TypeError, ValueError)) as e:
        calmkit.synthetic_journal(**{name: value}, days=3) if name != "days" else calmkit.synthetic_journal(
            **{name: value})
    text = str(e.value)
    assert name in text, text
    assert "incompatible function arguments" not in text and "SupportsInt" not in text, text
    assert "whole number" in text, text


@pytest.mark.parametrize("name", SYNTHETIC_REALS)
@pytest.mark.parametrize("value", [True, None, "0.5", float("nan"), -1.0, 10.0**300],
                         ids=["bool", "None", "text", "nan", "negative", "huge"])
def test_synthetic_real_number_arguments(name: str, value: object) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        calmkit.synthetic_journal(days=3, **{name: value})
    text = str(e.value)
    assert name in text, text
    assert "incompatible function arguments" not in text and "SupportsFloat" not in text, text


@pytest.mark.parametrize("name,value", [("start", 5), ("start", None), ("participant_prefix", 1),
                                        ("assessments", "no"), ("assessments", 1), ("assessments", None)])
def test_synthetic_text_and_flag_arguments(name: str, value: object) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        calmkit.synthetic_journal(days=3, **{name: value})
    text = str(e.value)
    assert name in text and "incompatible function arguments" not in text, text


def test_synthetic_good_calls_unchanged() -> None:
    a = calmkit.synthetic_journal(2, 5, 9)
    b = calmkit.synthetic_journal(participants=np.int64(2), days=np.int32(5), seed=np.uint64(9),
                                  triggers_per_day_start=np.float32(1.2), exercise_probability=1)
    assert calmkit.to_jsonl(a) == calmkit.to_jsonl(calmkit.synthetic_journal(participants=2, days=5, seed=9))
    assert len(b) > 0
    assert len(calmkit.synthetic_journal(days=2, seed=2**64 - 1)) > 0


# --- B232: km_quantiles p ----------------------------------------------------------------


@pytest.mark.parametrize("p", ["0.5", "x", "", ["0.5"], [0.5, "0.75"], None, True, [0.5, True], b"0.5"],
                         ids=["text", "word", "empty-text", "list-of-text", "mixed", "None", "bool",
                              "list-with-bool", "bytes"])
def test_km_quantiles_p_must_be_numbers(journal: calmkit.Journal, p: object) -> None:
    with pytest.raises(ValueError) as e:
        calmkit.km_quantiles(journal, p=p)
    text = str(e.value)
    assert text.startswith(("p must be", "every p must be")), text
    assert "(0, 1)" in text, text


def test_km_quantiles_p_good_values_unchanged(journal: calmkit.Journal) -> None:
    a = calmkit.km_quantiles(journal, p=0.5)
    b = calmkit.km_quantiles(journal, p=[np.float32(0.5)])
    c = calmkit.km_quantiles(journal, p=np.array([0.5]))
    assert a.equals(b) and a.equals(c)


# --- B233: flags -------------------------------------------------------------------------

FLAG_CALLS = {
    "trigger_frequency(by_category)": ("by_category", lambda j, v: calmkit.trigger_frequency(j, by_category=v)),
    "trigger_frequency(by_group)": ("by_group", lambda j, v: calmkit.trigger_frequency(j, by_group=v)),
    "window_of_uncertainty(pooled)": ("pooled", lambda j, v: calmkit.window_of_uncertainty(j, pooled=v)),
    "exercise_effectiveness(by_participant)": (
        "by_participant", lambda j, v: calmkit.exercise_effectiveness(j, by_participant=v)),
}


@pytest.mark.parametrize("call", list(FLAG_CALLS))
@pytest.mark.parametrize("value", ["no", "", 0, 1, None, float("nan"), [True]])
def test_flags_are_true_or_false(journal: calmkit.Journal, call: str, value: object) -> None:
    name, f = FLAG_CALLS[call]
    with pytest.raises(TypeError) as e:
        f(journal, value)
    assert f"{name}=" in str(e.value), str(e.value)


@pytest.mark.parametrize("call", list(FLAG_CALLS))
def test_flags_take_numpy_bools(journal: calmkit.Journal, call: str) -> None:
    _, f = FLAG_CALLS[call]
    assert f(journal, np.True_).equals(f(journal, True))


# --- B234: by=, weeks=, max_gap_hours= ---------------------------------------------------


@pytest.mark.parametrize("f", [calmkit.time_to_calm_summary, calmkit.km_curve, calmkit.km_quantiles],
                         ids=["time_to_calm_summary", "km_curve", "km_quantiles"])
@pytest.mark.parametrize("by", [float("nan"), -1, 10**30, True, 2.5], ids=["nan", "negative", "huge", "bool", "float"])
def test_by_must_be_names(journal: calmkit.Journal, f, by: object) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        f(journal, by=by)
    text = str(e.value)
    assert "by" in text and "not iterable" not in text, text


@pytest.mark.parametrize("weeks", [10**30, float("nan"), float("inf"), "4", True, None, 0, -1])
def test_first_and_latest_weeks(journal: calmkit.Journal, weeks: object) -> None:
    eps = calmkit.time_to_calm(journal)
    for call in (lambda: calmkit.first_and_latest(eps, weeks=weeks), lambda: calmkit.analysis_frame(journal, weeks=weeks)):
        with pytest.raises((TypeError, ValueError)) as e:
            call()
        text = str(e.value)
        assert "weeks" in text and "ufunc" not in text, text


@pytest.mark.parametrize("value", [float("nan"), True, "2", -1.0, 0.0, float("-inf")])
def test_affect_dynamics_max_gap_hours(journal: calmkit.Journal, value: object) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        calmkit.affect_dynamics(journal, max_gap_hours=value)
    assert "max_gap_hours" in str(e.value), str(e.value)


def test_affect_dynamics_max_gap_hours_good_values(journal: calmkit.Journal) -> None:
    a = calmkit.affect_dynamics(journal, max_gap_hours=6)
    b = calmkit.affect_dynamics(journal, max_gap_hours=np.float64(6.0))
    assert a.equals(b)
    every = calmkit.affect_dynamics(journal, max_gap_hours=float("inf"))  # documented: every pair
    assert (every["pairs"] >= a["pairs"]).all() and not math.isnan(float(every["pairs"].sum()))


# --- B239: the compiled functions' arguments ------------------------------------------

SAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl")

COMPILED_CALLS = {
    "read_journal(lenient=None)": (lambda j: calmkit.read_journal(SAMPLE, lenient=None), "lenient="),
    "read_journal(lenient='no')": (lambda j: calmkit.read_journal(SAMPLE, lenient="no"), "lenient="),
    "read_journal(max_line_bytes='x')": (lambda j: calmkit.read_journal(SAMPLE, max_line_bytes="x"), "max_line_bytes="),
    "read_journal(max_line_bytes=-1)": (lambda j: calmkit.read_journal(SAMPLE, max_line_bytes=-1), "max_line_bytes="),
    "read_journal(max_bytes=10**30)": (lambda j: calmkit.read_journal(SAMPLE, max_bytes=10**30), "max_bytes="),
    "read_journal_with_report(threads=2.5)": (
        lambda j: calmkit.read_journal_with_report(SAMPLE, threads=2.5), "threads="),
    "read_journal(None)": (lambda j: calmkit.read_journal(None), "path="),
    "parse_journal(None)": (lambda j: calmkit.parse_journal(None), "text="),
    "parse_journal_with_report(lenient=1)": (lambda j: calmkit.parse_journal_with_report("", lenient=1), "lenient="),
    "catalog_exercise(None)": (lambda j: calmkit.catalog_exercise(None), "id="),
    "find_exercise(5)": (lambda j: calmkit.find_exercise(5), "id="),
    "instrument(None)": (lambda j: calmkit.instrument(None), "id="),
    "suggest('7')": (lambda j: calmkit.suggest("7"), "intensity="),
    "suggest(participant=5)": (lambda j: calmkit.suggest(7, j, participant=5), "participant="),
    "score(answers=None)": (lambda j: calmkit.score("gad-7", None), "answers="),
    "score(answers=text)": (lambda j: calmkit.score("gad-7", ["1"] * 7), "answers="),
    "to_jsonl(None)": (lambda j: calmkit.to_jsonl(None), "journal="),
    "exercises_to_json(None)": (lambda j: calmkit.exercises_to_json(None), "exercises="),
}


@pytest.mark.parametrize("call", list(COMPILED_CALLS))
def test_compiled_functions_name_the_argument(journal: calmkit.Journal, call: str) -> None:
    f, name = COMPILED_CALLS[call]
    with pytest.raises(TypeError) as e:
        f(journal)
    text = str(e.value)
    assert name in text and "incompatible function arguments" not in text, text


def test_compiled_functions_good_calls_unchanged(journal: calmkit.Journal) -> None:
    a = calmkit.read_journal(SAMPLE, lenient=np.True_, threads=np.int64(2))
    assert calmkit.to_jsonl(a) == calmkit.to_jsonl(calmkit.read_journal(SAMPLE))
    assert calmkit.score("gad-7", np.array([1] * 7)) == calmkit.score("gad-7", [1] * 7)
    assert calmkit.catalog_exercise("breathing.box").id == "breathing.box"
    assert calmkit.suggest(np.int32(7), journal, participant=journal.participants()[0])
    assert calmkit.read_journal.__doc__ == calmkit._core.read_journal.__doc__


# --- B240: pure-Python functions reached into an argument of the wrong kind -------------


@pytest.mark.parametrize("call,words", [
    (lambda: calmkit.assessment_scores(None), "assessment_scores needs a calmkit.Journal"),
    (lambda: calmkit.assessment_change("journal.jsonl"), "assessment_change needs a calmkit.Journal"),
    (lambda: calmkit.localize(None, "Europe/Kyiv"), "naive must be a datetime"),
    (lambda: calmkit.localize("2026-03-29T02:30", "Europe/Kyiv"), "naive must be a datetime"),
], ids=["assessment_scores", "assessment_change", "localize-None", "localize-text"])
def test_python_functions_name_the_argument(call, words: str) -> None:
    with pytest.raises(TypeError) as e:
        call()
    assert words in str(e.value), str(e.value)
