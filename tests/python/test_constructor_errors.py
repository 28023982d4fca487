"""Every public class of calmkit called the wrong way gets calmkit's own words.

pybind11 refuses a constructor call that fits no signature with
"incompatible constructor arguments", a list of C++ signatures and
"Invoked with: ..."; a class bound without a constructor with "No constructor
defined!", which is kept (it names the class). ``calmkit._calls.explain_bad_calls``
words the first for every compiled class and its methods; this test finds the classes from ``calmkit.__all__`` (and
``calmkit.metrics.__all__``), so a class added later is checked too.
"""

from __future__ import annotations

import math

import pytest

import calmkit
from calmkit import _core

PYBIND11_WORDS = ("incompatible constructor arguments", "Invoked with", "The following argument types are supported")


def _public_classes() -> dict[str, type]:
    from calmkit import metrics

    found = {}
    for module in (calmkit, metrics):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and not issubclass(obj, BaseException):
                found[name] = obj
    return found


CLASSES = _public_classes()
COMPILED = sorted(n for n, c in CLASSES.items() if c.__module__ == "calmkit._core")


def test_the_public_classes_are_found():
    assert {"Session", "Journal", "Trigger", "FileLock", "Store", "SessionState", "Cohort"} <= set(COMPILED)


#: Arguments of the wrong kind, given alone: each compiled class must refuse or take them in its own words.
WRONG = [(), (None,), (object(),), (-1,), (math.nan,), ("",), (None, None, None, None)]


@pytest.mark.parametrize("name", sorted(CLASSES))
@pytest.mark.parametrize("args", WRONG, ids=["nothing", "None", "object", "-1", "nan", "empty text", "4 x None"])
def test_a_class_given_the_wrong_arguments_says_what_is_wrong(name, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a refused path must not touch the folder the test was started in
    cls = CLASSES[name]
    try:
        cls(*args)
    except (TypeError, ValueError, OSError) as e:
        text = str(e)
        assert text and not any(w in text for w in PYBIND11_WORDS), f"{name}{args}: {text}"
        if cls.__module__ == "calmkit._core" and not isinstance(e, OSError):  # a FileError names the path
            # the class's name leads (Session(): ...), or the record's rule names the field (RecordError)
            # (a class calmkit makes itself: pybind11's "No constructor defined!", which names it too)
            assert name in text or isinstance(e, calmkit.RecordError) or "must be" in text, f"{name}{args}: {text}"


@pytest.mark.parametrize("call, message", [
    (lambda: calmkit.Session(None), "Session(): exercise= must be a calmkit.Exercise, got NoneType None"),
    (lambda: calmkit.Session(), "Session() is missing required argument(s) 'exercise'"),
    (lambda: calmkit.Session(calmkit.catalog()[0], max_gap=1),
     "Session() got an unexpected keyword argument 'max_gap' (did you mean 'max_gap_seconds'?)"),
    (lambda: calmkit.Session(calmkit.catalog()[0], 5, 6), "Session() takes at most 2 positional argument(s), got 3"),
    (lambda: calmkit.Journal(None), "Journal(): records= must be an iterable of records"),
    (lambda: calmkit.Journal(5), "Journal(): records= must be an iterable of records"),
    (lambda: calmkit.FileLock(None), "FileLock(): file= must be a path (str, bytes or os.PathLike), got NoneType"),
    (lambda: calmkit.StagedDirectory(3), "StagedDirectory(): target= must be a path"),
    (lambda: calmkit.ExerciseRegistry(None), "ExerciseRegistry(): with_catalog= must be True or False, got NoneType"),
    (lambda: calmkit.ExerciseRegistry("no"), "ExerciseRegistry(): with_catalog= must be True or False, got str"),
    (lambda: calmkit.TimedStep("4"), "TimedStep(): seconds= must be a number, got str '4'"),
    (lambda: calmkit.PromptStep(None), "PromptStep(): text= must be text (str), got NoneType"),
    (lambda: calmkit.PromptStep("Why?", "2"), "PromptStep(): answers= must be a whole number, got str"),
    (lambda: calmkit.Exercise(id=None, name="n", kind="breathing", steps=[]),
     "Exercise(): id= must be text (str), got NoneType"),
    (lambda: calmkit.Exercise(id="x", name="n", kind="breathing", steps=None), "Exercise(): steps= must be a list"),
    (lambda: calmkit.Exercise(id="x", name="n", kind="breathing", steps=[1]),
     "Exercise(): steps= item [0] must be a calmkit.TimedStep"),
    (lambda: calmkit.metrics.Cohort(None), "Cohort(): journal= must be a calmkit.Journal, got NoneType"),
    (lambda: calmkit.Trigger(None), "Trigger() takes keyword arguments only, got 1 positional (NoneType)"),
])
def test_the_words_of_a_refused_constructor(call, message):
    with pytest.raises(TypeError) as e:
        call()
    assert message in str(e.value)


def test_right_calls_still_work():
    exercise = calmkit.catalog()[0]
    assert calmkit.Session(exercise).exercise == exercise
    assert calmkit.Session(exercise, max_gap_seconds=2).exercise == exercise
    assert calmkit.ExerciseRegistry(False).all() == []
    assert calmkit.ExerciseRegistry(with_catalog=True).find(exercise.id) == exercise
    assert len(calmkit.Journal([])) == 0 and len(calmkit.Journal()) == 0
    assert calmkit.TimedStep(4, "inhale").phase == "inhale"
    assert calmkit.PromptStep("Why?", answers=2).answers == 2
    assert isinstance(calmkit.metrics.Cohort(calmkit.Journal()), _core.Cohort)


def test_a_step_with_a_bad_number_is_refused_by_the_exercise_that_holds_it():
    # Steps are parts: the exercise is checked as a whole when it is made ("validated on construction").
    for step, field in ((calmkit.TimedStep(-1), "seconds"), (calmkit.TimedStep(math.nan), "seconds"),
                        (calmkit.PromptStep("Why?", -1), "answers")):
        with pytest.raises(ValueError, match=rf"field 'steps\[0\]\.{field}'"):
            calmkit.Exercise(id="x", name="n", kind="breathing", steps=[step])


def _instances(tmp_path):
    """One object of each compiled class that has public methods, made the way a user makes it."""
    journal = calmkit.synthetic_journal(participants=1, days=7)
    exercise = calmkit.catalog()[0]
    store = calmkit.open_store(tmp_path / "s.db")
    return {"Journal": journal, "Session": calmkit.Session(exercise), "ExerciseRegistry": calmkit.ExerciseRegistry(),
            "Store": store, "FileLock": calmkit.FileLock(tmp_path / "j.jsonl"),
            "StagedDirectory": calmkit.StagedDirectory(tmp_path / "stage"), "Exercise": exercise,
            "TriggerTable": journal.triggers, "ReadingTable": journal.readings,
            "Cohort": calmkit.metrics.cohort(journal), "TimedStep": calmkit.TimedStep(4),
            "PromptStep": calmkit.PromptStep("Why?")}


def test_a_method_given_none_says_what_is_wrong(tmp_path):
    import inspect

    objects = _instances(tmp_path)
    unclear, checked = [], 0
    for cname, obj in objects.items():
        for attr, method in vars(type(obj)).items():
            if attr.startswith("_") or not callable(method) or isinstance(method, (staticmethod, classmethod)):
                continue
            doc = (getattr(method, "__doc__", None) or "").split("\n", 1)[0]
            if not doc.startswith(f"{attr}(self"):
                continue  # a Python method (to_pandas, to_arrow) or an overloaded one
            try:
                params = [p for p in inspect.signature(getattr(obj, attr)).parameters.values()
                          if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
            except (TypeError, ValueError):
                head = doc[doc.index("(") + 1:doc.rindex(")")]
                params = [p for p in head.split(",")[1:] if p.strip() and "=" not in p]
            if not params:
                continue
            checked += 1
            try:
                getattr(obj, attr)(*[None] * len(params))
            except (TypeError, ValueError, LookupError, OSError, RuntimeError) as e:
                if any(w in str(e) for w in PYBIND11_WORDS) or isinstance(e, RuntimeError) and cname != "Store":
                    unclear.append(f"{cname}.{attr}(None...): {type(e).__name__}: {str(e)[:160]}")
    objects["Store"].close()
    assert checked >= 10
    assert not unclear, "\n".join(unclear)
