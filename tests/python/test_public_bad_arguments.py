"""Every public function of calmkit given a bad argument gets calmkit's own clear error.

Table-driven over ``calmkit.__all__`` (the classes: test_constructor_errors.py):
each function is called once the right way (``GOOD``: its required
arguments), then with each of its parameters in turn given None, an object
of no use, -1, NaN, an empty DataFrame and empty text. Each call must either
work (the value is one the parameter takes: None for an optional one, -1 for
a seed) or raise a TypeError, ValueError, LookupError or OSError whose message
is calmkit's: not pybind11's list of signatures, and not an error from deep
inside Python, NumPy or pandas ("'NoneType' object has no attribute",
"unsupported operand", "cannot convert float NaN to integer", ...).

The ``ACCEPTED`` table lists, per function and parameter, the bad values that
are taken, and why; any other value taken is a failure (a silent wrong
result). Text arguments' UTF-8 (test_text_arguments.py), flags
(test_bool_arguments*) and the importers' own files (test_importers*.py) have
their own tests; this one is about the kinds of values.
"""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path
from typing import Any, Callable

import pandas as pd

import calmkit

#: Words of an error that is not calmkit's.
NOT_CALMKITS = re.compile("|".join([
    "incompatible function arguments", "incompatible constructor arguments", "Invoked with",
    "NoneType' object", "object has no attribute", "unsupported operand", "not subscriptable",
    "cannot convert float NaN", "has no len\\(\\)", "unhashable type", "is not callable",
    "not supported between instances", "object is not iterable", "must be real number, not",
    "expected str, bytes or os.PathLike object, not", "argument must be", "The truth value of",
    "index out of range", "only integers, slices", "can only concatenate", "float object cannot be interpreted",
]))

BAD: dict[str, Any] = {"None": None, "object": object(), "-1": -1, "NaN": math.nan, "empty frame": pd.DataFrame(),
                       "empty text": ""}


class _Ctx:
    """The right arguments, built once per test in a temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.journal = calmkit.synthetic_journal(participants=2, days=14, seed=3)
        self.path = tmp / "journal.jsonl"
        calmkit.write_journal(self.journal, self.path)
        self.text = calmkit.to_jsonl(self.journal)


def _good(ctx: _Ctx) -> dict[str, tuple[tuple, dict]]:
    j, tmp = ctx.journal, ctx.tmp
    frame = calmkit.analysis_frame(j)
    episodes = calmkit.time_to_calm(j)
    reading = calmkit.Reading(time="2026-03-02T10:00:00Z", intensity=3, participant="p001")
    exercise = calmkit.catalog()[0]
    return {
        "assessment_change": ((j,), {}), "assessment_scores": ((j,), {}),
        "instrument": (("gad-7",), {}), "score": (("gad-7", [1] * 7), {}),
        "parse_journal": ((ctx.text,), {}), "parse_journal_with_report": ((ctx.text,), {}),
        "read_journal": ((ctx.path,), {}), "read_journal_with_report": ((ctx.path,), {}),
        "to_json": ((reading,), {}), "to_jsonl": ((j,), {}),
        "write_journal": ((j, tmp / "out.jsonl"), {}),
        "add_record": ((tmp / "add.jsonl", reading), {}), "append_record": ((tmp / "one.jsonl", reading), {}),
        "append_records": ((tmp / "many.jsonl", [reading]), {}),
        "read_bytes": ((ctx.path,), {}), "resolve_write_target": ((tmp / "t.jsonl",), {}),
        "update_journal": ((tmp / "u.jsonl", lambda journal: None), {}),
        "write_file": ((tmp / "f.txt", b"x"), {}), "write_files": (([(tmp / "g.txt", b"x")],), {}),
        "write_folder": ((tmp / "folder", {"a.txt": b"x"}), {}),
        "synthetic_journal": ((), {"participants": 1, "days": 2}),
        "open_store": ((tmp / "s.db",), {}),
        "cohort": ((j,), {}), "set_threads": ((calmkit.threads(),), {}),
        "first_and_latest": ((episodes,), {}), "analysis_frame": ((j,), {}),
        "episodes_by_exercise": ((frame,), {}),
        "breathing_pattern": (("x.y", "X", 4, 0, 4, 0), {}),
        "catalog_exercise": ((exercise.id,), {}), "find_exercise": ((exercise.id,), {}),
        "exercise_from_json": ((calmkit.exercises_to_json([exercise])[1:-1],), {}),
        "exercises_from_json": ((calmkit.exercises_to_json([exercise]),), {}),
        "exercises_to_json": (([exercise],), {}),
        "suggest": ((6, j), {}),
        "export_csv": ((j, tmp / "csv"), {}),
        "research_export": ((j, b"k" * 32), {}), "write_research_export": ((j, tmp / "r.jsonl", b"k" * 32), {}),
        "localize": ((pd.Timestamp("2026-03-02 10:00").to_pydatetime(), "Europe/Berlin"), {}),
        **{name: ((j,), {}) for name in calmkit.metrics.__all__
           if name not in ("cohort", "cohort_from_arrays", "set_threads", "threads", "first_and_latest",
                           "episodes_by_exercise", "Cohort")},
    }


#: (function or "*", parameter) -> {bad value name: why it is taken}.
ACCEPTED: dict[tuple[str, str], dict[str, str]] = {
    ("*", "by"): {"None": "pooled: the whole cohort as one group (documented)",
                  "empty frame": "an iterable of no grouping keys, as by=[]: pooled"},
    ("*", "generator"): {"empty text": "the header's generator field left empty"},
    ("*", "name"): {"empty text": "the name errors give the text"},
    ("*", "text"): {"empty text": "an empty journal"},
    ("*", "participant"): {"empty text": "every participant"},
    ("*", "participant_prefix"): {"empty text": "ids 001, 002, ..."},
    ("*", "folder"): {"empty text": "pathlib's reading: Path('') is the current folder"},
    ("find_exercise", "id"): {"empty text": "no exercise has it: None"},
    ("write_file", "data"): {"empty text": "an empty file"},
    **{(f, p): {"empty frame": "a sequence of no items (len 0): nothing to do", "empty text": "ditto"}
       for f, p in (("append_records", "records"), ("write_files", "files"), ("exercises_to_json", "exercises"),
                    ("suggest", "exercises"), ("write_folder", "owned"))},
}


def _accepted(name: str, parameter: str, label: str) -> bool:
    return any(label in ACCEPTED.get(key, {}) for key in ((name, parameter), ("*", parameter)))

#: Functions this test leaves to others (and why).
ELSEWHERE = {
    "cohort_from_arrays": "NumPy arrays, row by row: test_cohort_arrays*.py",
    "register_instrument": "a definition dict: test_assessments.py",
    "import_apple_health": "an importer's file: test_importers*.py", "import_bearable": "ditto",
    "import_daylio": "ditto", "import_mindlamp": "ditto", "import_csv": "a folder of CSV files: test_exports.py",
    "read_jsonl_shards": "test_parquet*.py", "read_parquet": "test_parquet*.py", "write_parquet": "test_parquet*.py",
}


def _functions() -> list[str]:
    out = []
    for name in calmkit.__all__:
        obj = getattr(calmkit, name)
        if callable(obj) and not isinstance(obj, type) and name not in ELSEWHERE:
            out.append(name)
    return out


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, Any]]:
    """(name, default or inspect.Parameter.empty) of each parameter, from the
    signature or pybind11's first docstring line."""
    try:
        return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    except (TypeError, ValueError):
        pass
    head = (fn.__doc__ or "").split("\n", 1)[0]
    inner = head[head.index("(") + 1:head.rindex(") ->")]
    import ast

    args = ast.parse(f"def f({inner}): pass").body[0].args
    positional = args.posonlyargs + args.args
    defaults = [inspect.Parameter.empty] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [(a.arg, d if d is inspect.Parameter.empty else ast.literal_eval(d)) for a, d in zip(positional, defaults)]
    out += [(a.arg, inspect.Parameter.empty if d is None else ast.literal_eval(d))
            for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return out


def _calls(ctx: _Ctx):
    good = _good(ctx)
    for name in _functions():
        fn = getattr(calmkit, name)
        params = _parameters(fn)
        if not params:
            continue
        args, kwargs = good.get(name, ((), {}))
        base = dict(zip([p for p, _ in params], args), **kwargs)
        for pname, default in params:
            for label, value in BAD.items():
                if value is None and default is None:
                    continue  # None is the parameter's own default
                yield name, pname, label, {**base, pname: value}


#: Functions whose documented error is another: a store's errors are RuntimeErrors (docs/store.md).
OWN_ERRORS: dict[str, tuple[type, ...]] = {"open_store": (RuntimeError,)}


def _outcome(name: str, kwargs: dict[str, Any]) -> tuple[str, str]:
    fn = getattr(calmkit, name)
    try:
        fn(**kwargs)
    except (TypeError, ValueError, LookupError, OSError, *OWN_ERRORS.get(name, ())) as e:
        text = f"{type(e).__name__}: {e}"
        return ("unclear" if NOT_CALMKITS.search(text) or not str(e).strip() else "refused"), text
    except Exception as e:  # noqa: BLE001 - the point: which ones
        return "unclear", f"{type(e).__name__}: {e}"
    return "taken", ""


def test_every_function_has_a_right_call(tmp_path):
    ctx = _Ctx(tmp_path)
    good = _good(ctx)
    for name in _functions():
        fn = getattr(calmkit, name)
        required = [p for p, d in _parameters(fn) if d is inspect.Parameter.empty]
        if required:
            assert name in good, f"{name} needs a row in _good (its parameters {required})"
            args, kwargs = good[name]
            fn(*args, **kwargs)


def test_bad_arguments_get_calmkits_own_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ctx = _Ctx(tmp_path)
    unclear, taken = [], []
    threads = calmkit.threads()
    try:
        for name, pname, label, kwargs in _calls(ctx):
            kind, text = _outcome(name, kwargs)
            if kind == "unclear":
                unclear.append(f"{name}({pname}={label}): {text[:200]}")
            elif kind == "taken" and not _accepted(name, pname, label):
                taken.append(f"{name}({pname}={label})")
    finally:
        calmkit.set_threads(threads)
    assert not unclear, "errors that are not calmkit's:\n" + "\n".join(unclear)
    assert not taken, "bad values taken:\n" + "\n".join(taken)
    # An empty path is no file in the current folder: no lock sidecar or temporary file there (B216).
    strays = sorted(p.name for p in tmp_path.iterdir() if p.name == ".lock" or p.name.startswith("..tmp-"))
    assert not strays, f"an empty path wrote into the current folder: {strays}"
