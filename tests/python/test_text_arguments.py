"""Every str and path parameter of the public API, given a str holding a lone surrogate.

Such a str ("a\\ud800b") has no UTF-8 form. pybind11 alone refuses it with a
TypeError that lists signatures and names no argument ("incompatible function
arguments"). calmkit refuses it as a ValueError that names the parameter:
- text (a name, an id, a label): ``argument 'participant': is not valid UTF-8
  (byte 0xed at offset 1)``, the reason of the one text rule; a property's
  setter says ``attribute 'name': ...``; a record class says ``field 'note'``;
- a path: as ``open()`` does (UnicodeEncodeError is a ValueError), with the
  parameter first: ``argument 'path': 'utf-8' codec can't encode character
  '\\ud800' in position 1: surrogates not allowed``.
A lone surrogate from U+DC80 to U+DCFF in a path is no error: it is how
``os.fsdecode`` shows a byte 0x80..0xFF of a file name that is not UTF-8 (a file
another program named), and every path-taking entry point opens that file, as
``open()`` does (``os.fsencode`` is the reference).

The table is checked against the whole surface: every parameter annotated
``str`` or a path in ``_core.pyi`` and in the signatures of ``calmkit.__all__``
has a row, or a line in NOT_TEXT saying why not.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import calmkit
from calmkit import _core

S = "a\ud800b"
TEXT_REASON = "is not valid UTF-8 (byte 0xed at offset 1)"
UTC = dt.timezone.utc


def _journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=1, days=7, seed=1)


def _arg(name: str) -> str:
    return f"argument '{name}': {TEXT_REASON}"


def _attr(name: str) -> str:
    return f"attribute '{name}': {TEXT_REASON}"


def _path(name: str) -> str:
    return f"argument '{name}': 'utf-8' codec can't encode character '\\ud800' in position 1: surrogates not allowed"


def _field(name: str) -> str:
    return f"field '{name}': {TEXT_REASON}"


# --- the record classes: every text field, in the constructor and as an attribute ---

def _reading(**kw: Any) -> calmkit.Reading:
    return calmkit.Reading(**{"participant": "p", "id": "r1", "time": "2026-03-02T21:20:00Z", "intensity": 5, **kw})


RECORD_BASES: dict[str, tuple[type, dict[str, Any]]] = {
    "Trigger": (calmkit.Trigger, {"id": "t1", "time": "2026-03-02T21:00:00Z", "category": "delayed_reply",
                                  "intensity": 7}),
    "Reading": (calmkit.Reading, {"time": "2026-03-02T21:20:00Z", "intensity": 5}),
    "ExerciseSession": (calmkit.ExerciseSession, {"id": "e1", "time": "2026-03-02T21:00:00Z",
                                                  "end": "2026-03-02T21:05:00Z", "exercise": "breathing.box"}),
    "ThoughtRecord": (calmkit.ThoughtRecord, {"id": "r1", "time": "2026-03-02T21:00:00Z", "situation": "s",
                                              "automatic_thought": "a", "belief_before": 50}),
    "Assessment": (calmkit.Assessment, {"id": "a1", "time": "2026-03-02T21:00:00Z", "instrument": "gad-7",
                                        "answers": [0] * 7}),
    "EmotionRating": (calmkit.EmotionRating, {"name": "fear", "before": 50}),
}
LIST_FIELDS = {"thoughts", "sensations", "tags", "responses", "distortions", "evidence_for", "evidence_against",
               "alternatives"}


def _record_cases() -> dict[str, tuple[Callable[[Path], Any], str]]:
    out: dict[str, tuple[Callable[[Path], Any], str]] = {}
    tree = ast.parse(Path(_core.__file__).with_name("_core.pyi").read_text(encoding="utf-8"))
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name in RECORD_BASES):
            continue
        cls, base = RECORD_BASES[node.name]
        init = next(m for m in node.body if isinstance(m, ast.FunctionDef) and m.name == "__init__")
        for p in init.args.kwonlyargs:
            if not _is_text(p.annotation):
                continue
            value: Any = [S] if p.arg in LIST_FIELDS else S
            field = f"{p.arg}[0]" if p.arg in LIST_FIELDS else p.arg
            out[f"{node.name}.__init__({p.arg})"] = (
                lambda tmp, c=cls, b=base, k=p.arg, v=value: c(**{**b, k: v}), _field(field))
            out[f"{node.name}.{p.arg}="] = (
                lambda tmp, c=cls, b=base, k=p.arg, v=value: setattr(c(**b), k, v), _field(field))
    return out


# --- everything else: one row per parameter ---

def _store(tmp: Path) -> calmkit.Store:
    store = calmkit.open_store(tmp / "s.db")
    store.add_journal(_journal())
    return store


def _timed() -> calmkit.TimedStep:
    return calmkit.TimedStep(4.0)


def _exercise() -> calmkit.Exercise:
    return calmkit.catalog_exercise("breathing.box")


def _session() -> calmkit.Session:
    s = calmkit.Session(calmkit.Exercise(id="x", name="x", kind="cognitive", steps=[calmkit.PromptStep("q")]))
    s.start(0.0)
    return s


def _cohort() -> Any:
    return calmkit.cohort(_journal())


def _i(dtype: str, *v: int) -> Any:
    import numpy as np

    return np.array(v, dtype)


def _cohort_arrays(participants: list[Any]) -> Any:
    return calmkit.cohort_from_arrays(participants, _i("int32", 0), _i("int64", 1_772_482_440_000_000),
                                      _i("int16", 60), _i("int8", 8), _i("uint8", 0), _i("int32"), _i("int64"),
                                      _i("int16"), _i("int8"), _i("int32"))


DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
EXPORTS = {"import_daylio": DATA / "daylio_export.csv", "import_bearable": DATA / "bearable_export.csv",
           "import_mindlamp": DATA / "mindlamp_events.json", "import_apple_health": DATA / "apple_health_export.xml"}


def _import(importer: str, **kw: Any) -> Any:
    """`importer` of a small export of its app, from the test data (tz UTC where it needs one)."""
    if importer != "import_apple_health":
        kw.setdefault("tz", "UTC")
    if importer == "import_daylio":
        kw.setdefault("mood_map", {"Anxious": 7})
    return getattr(calmkit, importer)(EXPORTS[importer], **kw)


CALLS: dict[str, tuple[Callable[[Path], Any], str]] = {
    # reading and writing
    "read_journal(path)": (lambda tmp: calmkit.read_journal(S), _path("path")),
    "read_journal_with_report(path)": (lambda tmp: calmkit.read_journal_with_report(S), _path("path")),
    "parse_journal(name)": (lambda tmp: calmkit.parse_journal("", name=S), "argument 'name': is not valid UTF-8"),
    "parse_journal_with_report(name)": (lambda tmp: calmkit.parse_journal_with_report("", name=S),
                                        "argument 'name': is not valid UTF-8"),
    "parse_journal(text)": (lambda tmp: calmkit.parse_journal('{"a":"' + S + '"}\n'), "is not valid UTF-8"),
    "parse_journal_with_report(text)": (lambda tmp: calmkit.parse_journal_with_report('{"a":"' + S + '"}\n'),
                                        "is not valid UTF-8"),
    "write_journal(path)": (lambda tmp: calmkit.write_journal(_journal(), S), _path("path")),
    "write_journal(generator)": (lambda tmp: calmkit.write_journal(_journal(), tmp / "w.jsonl", generator=S),
                                 _arg("generator")),
    "to_jsonl(generator)": (lambda tmp: calmkit.to_jsonl(_journal(), generator=S), _arg("generator")),
    "Journal.participant(participant)": (lambda tmp: _journal().participant(S), _arg("participant")),
    "Journal.from_arrow(name)": (lambda tmp: calmkit.Journal.from_arrow({}, name=S), _arg("name")),
    "Journal.from_arrow(tables)": (lambda tmp: calmkit.Journal.from_arrow({S: None}), "unknown table(s) ['a\\ud800b']"),
    # safe writes, staged folders, locks
    "write_file(path)": (lambda tmp: calmkit.write_file(S, b"x"), _path("path")),
    "write_file(data)": (lambda tmp: calmkit.write_file(tmp / "f", S), _arg("data")),
    "write_files(files)": (lambda tmp: calmkit.write_files([(S, b"x")]), _path("files")),
    "resolve_write_target(path)": (lambda tmp: calmkit.resolve_write_target(S), _path("path")),
    "StagedDirectory.__init__(target)": (lambda tmp: calmkit.StagedDirectory(S), _path("target")),
    "StagedDirectory.write(relative)": (lambda tmp: calmkit.StagedDirectory(tmp / "st").write(S, b"x"),
                                        _path("relative")),
    "FileLock.__init__(file)": (lambda tmp: calmkit.FileLock(S), _path("file")),
    "update_journal(path)": (lambda tmp: calmkit.update_journal(S, lambda j: None), _path("path")),
    "update_journal(generator)": (lambda tmp: calmkit.update_journal(tmp / "u.jsonl", lambda j: None, generator=S),
                                  _arg("generator")),
    "append_record(path)": (lambda tmp: calmkit.append_record(S, _reading()), _path("path")),
    "append_records(path)": (lambda tmp: calmkit.append_records(S, [_reading()]), _path("path")),
    "append_records(generator)": (lambda tmp: calmkit.append_records(tmp / "u.jsonl", [_reading()], generator=S),
                                  _arg("generator")),
    "add_record(path)": (lambda tmp: calmkit.add_record(S, _reading()), _path("path")),
    "read_bytes(path)": (lambda tmp: calmkit.read_bytes(S), _path("path")),
    "write_folder(folder)": (lambda tmp: calmkit.write_folder(S, {"a": b"x"}), _path("folder")),
    "write_folder(files)": (lambda tmp: calmkit.write_folder(tmp / "wf", {S: b"x"}), "surrogates not allowed"),
    # synthetic data
    "synthetic_journal(start)": (lambda tmp: calmkit.synthetic_journal(start=S), _arg("start")),
    "synthetic_journal(participant_prefix)": (lambda tmp: calmkit.synthetic_journal(participant_prefix=S),
                                              _arg("participant_prefix")),
    # exercises, guided sessions, suggestions
    "TimedStep.__init__(phase)": (lambda tmp: calmkit.TimedStep(4.0, phase=S), _arg("phase")),
    "TimedStep.__init__(cue)": (lambda tmp: calmkit.TimedStep(4.0, cue=S), _arg("cue")),
    "TimedStep.phase=": (lambda tmp: setattr(_timed(), "phase", S), _attr("phase")),
    "TimedStep.cue=": (lambda tmp: setattr(_timed(), "cue", S), _attr("cue")),
    "PromptStep.__init__(text)": (lambda tmp: calmkit.PromptStep(S), _arg("text")),
    "PromptStep.text=": (lambda tmp: setattr(calmkit.PromptStep("q"), "text", S), _attr("text")),
    **{f"Exercise.__init__({k})": (
        lambda tmp, k=k: calmkit.Exercise(**{"id": "x", "name": "x", "kind": "breathing", "steps": [_timed()],
                                             k: [S] if k == "sources" else S}), _arg(k))
       for k in ("id", "name", "kind", "suits", "instructions", "sources")},
    **{f"Exercise.{k}=": (lambda tmp, k=k: setattr(_exercise(), k, [S] if k == "sources" else S), _attr(k))
       for k in ("id", "name", "kind", "suits", "instructions", "sources")},
    "find_exercise(id)": (lambda tmp: calmkit.find_exercise(S), _arg("id")),
    "catalog_exercise(id)": (lambda tmp: calmkit.catalog_exercise(S), _arg("id")),
    "breathing_pattern(id)": (lambda tmp: calmkit.breathing_pattern(S, "n", 4, 4, 4, 4), _arg("id")),
    "breathing_pattern(name)": (lambda tmp: calmkit.breathing_pattern("i", S, 4, 4, 4, 4), _arg("name")),
    "exercise_from_json(text)": (lambda tmp: calmkit.exercise_from_json('{"id":"' + S + '"}'),
                                 "is not valid UTF-8"),
    "exercises_from_json(text)": (lambda tmp: calmkit.exercises_from_json('[{"id":"' + S + '"}]'),
                                  "is not valid UTF-8"),
    "ExerciseRegistry.find(id)": (lambda tmp: calmkit.ExerciseRegistry().find(S), _arg("id")),
    "ExerciseRegistry.get(id)": (lambda tmp: calmkit.ExerciseRegistry().get(S), _arg("id")),
    "ExerciseRegistry.__contains__(id)": (lambda tmp: S in calmkit.ExerciseRegistry(), _arg("id")),
    "Session.answer(text)": (lambda tmp: _session().answer(1.0, S), _arg("text")),
    "Session.finish(id)": (lambda tmp: _session().finish(1.0, S, "2026-03-02T21:00:00Z"), _arg("id")),
    "Session.finish(participant)": (lambda tmp: _session().finish(1.0, "e", "2026-03-02T21:00:00Z", S),
                                    _arg("participant")),
    "Session.finish(trigger)": (lambda tmp: _session().finish(1.0, "e", "2026-03-02T21:00:00Z", trigger=S),
                                _arg("trigger")),
    "suggest(participant)": (lambda tmp: calmkit.suggest(7, _journal(), S), _arg("participant")),
    # the store
    "open_store(path)": (lambda tmp: calmkit.open_store(S), _path("path")),
    "Store.backup(destination)": (lambda tmp: _store(tmp).backup(S), _path("destination")),
    "Store.load(participant)": (lambda tmp: _store(tmp).load(S), _arg("participant")),
    "Store.assessments(participant)": (lambda tmp: _store(tmp).assessments(S), _arg("participant")),
    **{f"Store.{m}({k})": (lambda tmp, m=m, k=k: getattr(_store(tmp), m)(*((S, "x") if k == "participant"
                                                                          else ("p", S))), _arg(k))
       for m in ("remove_trigger", "remove_reading", "remove_exercise", "remove_thought_record",
                 "remove_assessment") for k in ("participant", "id")},
    # questionnaires
    "instrument(id)": (lambda tmp: calmkit.instrument(S), _arg("id")),
    "score(instrument)": (lambda tmp: calmkit.score(S, [0] * 7), _arg("instrument")),
    "register_instrument(definition)": (
        lambda tmp: calmkit.register_instrument({"id": S, "name": "n", "items": ["q"], "scale_min": 0,
                                                 "scale_max": 3}), "field 'id': is not valid UTF-8 (byte 0xed at offset 1)"),
    # time zones
    "TimeZone.__init__(spec)": (lambda tmp: calmkit.TimeZone(S), _arg("spec")),
    "localize(tz)": (lambda tmp: calmkit.localize(dt.datetime(2026, 3, 2), S), _arg("tz")),
    # metrics
    "cohort_from_arrays(participants)": (lambda tmp: _cohort_arrays([S]),
                                         "participants row 0, field 'participant': " + TEXT_REASON),
    **{f"{m}(tz)": (lambda tmp, m=m: getattr(calmkit, m)(_journal(), tz=S), _arg("tz"))
       for m in ("time_to_calm_summary", "km_curve", "km_quantiles", "trigger_frequency", "trigger_trend",
                 "trigger_trend_weeks", "window_of_uncertainty", "practice_consistency", "practice_streaks",
                 "affect_dynamics")},
    "record_counts(tz)": (lambda tmp: calmkit.record_counts(_journal(), tz=S), _arg("tz")),
    "trigger_weekday_hour(tz)": (lambda tmp: calmkit.trigger_weekday_hour(_journal(), tz=S), _arg("tz")),
    "trigger_weekday_hour_summary(tz)": (lambda tmp: calmkit.trigger_weekday_hour_summary(_journal(), tz=S),
                                         _arg("tz")),
    "trigger_frequency(period)": (lambda tmp: calmkit.trigger_frequency(_journal(), period=S), "period"),
    **{f"{m}(by)": (lambda tmp, m=m: getattr(calmkit, m)(_journal(), by=S), "unknown grouping ['a\\ud800b']")
       for m in ("time_to_calm_summary", "km_curve", "km_quantiles")},
    **{f"{m}(by)": (lambda tmp, m=m: getattr(calmkit, m)(_journal(), by=S), "by")
       for m in ("trigger_frequency", "trigger_trend",
                 "trigger_trend_weeks", "peak_trend", "thought_record_summary", "window_of_uncertainty",
                 "trigger_weekday_hour", "trigger_weekday_hour_summary", "record_counts", "trigger_category_totals",
                 "practice_consistency", "assessment_change")},
    "trigger_category_totals(level)": (lambda tmp: calmkit.trigger_category_totals(_journal(), level=S), "level"),
    # Parquet and JSON Lines shards
    "write_parquet(path)": (lambda tmp: calmkit.write_parquet(_journal(), S), _path("path")),
    "write_parquet(partition_by)": (lambda tmp: calmkit.write_parquet(_journal(), tmp / "pq", partition_by=S),
                                    "partition_by"),
    "read_parquet(path)": (lambda tmp: calmkit.read_parquet(S), _path("path")),
    "read_parquet(participants)": (lambda tmp: calmkit.read_parquet(_parquet(tmp), participants=[S]),
                                   _arg("participants")),
    "read_jsonl_shards(folder)": (lambda tmp: calmkit.read_jsonl_shards(S), _path("folder")),
    "read_jsonl_shards(pattern)": (lambda tmp: calmkit.read_jsonl_shards(tmp, pattern=S),
                                   "no file matches 'a\\ud800b'"),
    # importers and exports
    "export_csv(folder)": (lambda tmp: calmkit.export_csv(_journal(), S), _path("folder")),
    "import_csv(folder)": (lambda tmp: calmkit.import_csv(S), _path("folder")),
    "write_research_export(path)": (lambda tmp: calmkit.write_research_export(_journal(), S, b"k" * 32),
                                    _path("path")),
    **{f"{imp}(path)": (lambda tmp, imp=imp: getattr(calmkit, imp)(S, **({} if "apple" in imp else {"tz": "UTC"})),
                        _path("path"))
       for imp in EXPORTS},
    **{f"{imp}(participant)": (lambda tmp, imp=imp: _import(imp, participant=S),
                               "participant")
       for imp in EXPORTS},
    **{f"{imp}(tz)": (lambda tmp, imp=imp: _import(imp, tz=S), _arg("tz"))
       for imp in ("import_daylio", "import_bearable", "import_mindlamp")},
    **{f"{imp}(encoding)": (lambda tmp, imp=imp: _import(imp, encoding=S), _arg("encoding"))
       for imp in ("import_daylio", "import_bearable")},
    "import_daylio(mood_map)": (lambda tmp: _import("import_daylio", mood_map={S: 3}),
                                "mood"),
    "import_bearable(scales)": (lambda tmp: _import("import_bearable", scales={S: 3}),
                                "scale"),
}


def _parquet(tmp: Path) -> Path:
    return calmkit.write_parquet(_journal(), tmp / "pq")


#: Parameters annotated str or a path that take no text from a person, or
#: whose text is checked where a test of its own does it.
NOT_TEXT = {
    "episodes_by_exercise(none)": "a label for rows without an exercise, only shown",
    "write_folder(owned)": "names compared with the folder's entries, never opened nor written",
    "import_apple_health(exercise_by_source)": "keys compared with the export's source names, never stored",
    "ImportReport.__init__(source)": "a result object the importers build",
    "ImportReport.__init__(format)": "a result object the importers build",
    "ImportReport.__init__(layout)": "a result object the importers build",
    "ImportReport.__init__(delimiter)": "a result object the importers build",
    "ImportReport.__init__(warnings)": "a result object the importers build",
}


def _is_text(annotation: ast.AST | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation).replace("_Time", "")  # a time given as str is refused as a time
    return bool(re.search(r"\bstr\b|_Path|PathLike|\bPath\b", text))


def _surface() -> set[str]:
    """Every (callable, parameter) of the public API annotated str or a path."""
    keys: set[str] = set()
    tree = ast.parse(Path(_core.__file__).with_name("_core.pyi").read_text(encoding="utf-8"))

    def params(fn: ast.FunctionDef) -> list[ast.arg]:
        a = fn.args
        return [p for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg != "self"]

    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            keys |= {f"{node.name}({p.arg})" for p in params(node) if _is_text(p.annotation)}
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_") and not any(
                ast.unparse(b).endswith(("Error", "Warning")) for b in node.bases):
            for m in node.body:
                if isinstance(m, ast.AnnAssign) and _is_text(m.annotation):
                    keys.add(f"{node.name}.{ast.unparse(m.target)}=")
                if not isinstance(m, ast.FunctionDef) or (m.name.startswith("_")
                                                          and m.name not in ("__init__", "__contains__")):
                    continue
                decorators = {ast.unparse(d) for d in m.decorator_list}
                if "property" in decorators:
                    continue
                if any(d.endswith(".setter") for d in decorators):
                    if _is_text(params(m)[0].annotation):
                        keys.add(f"{node.name}.{m.name}=")
                    continue
                keys |= {f"{node.name}.{m.name}({p.arg})" for p in params(m) if _is_text(p.annotation)}
    text = re.compile(r"\bstr\b|PathLike|\bPath\b")
    for name in calmkit.__all__:
        obj = getattr(calmkit, name)
        if getattr(obj, "__module__", "") == "calmkit._core":
            continue
        if inspect.isfunction(obj):
            keys |= {f"{name}({p.name})" for p in inspect.signature(obj).parameters.values()
                     if text.search(str(p.annotation))}
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for mname, m in vars(obj).items():
                if inspect.isfunction(m) and (not mname.startswith("_") or mname == "__init__"):
                    keys |= {f"{name}.{mname}({p.name})" for p in list(inspect.signature(m).parameters.values())[1:]
                             if text.search(str(p.annotation))}
    return keys


CASES = {**_record_cases(), **CALLS}
#: Rows whose documented error is not a ValueError: a glob no file name can match.
RAISES = {"read_jsonl_shards(pattern)": (FileNotFoundError,)}


def test_every_str_and_path_parameter_has_a_row() -> None:
    surface = _surface()
    missing = sorted(surface - CASES.keys() - NOT_TEXT.keys())
    assert not missing, f"str or path parameters without a row in CASES or NOT_TEXT: {missing}"
    stale = sorted((CASES.keys() | NOT_TEXT.keys()) - surface)
    assert not stale, f"rows for no parameter of the public API: {stale}"


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_lone_surrogate_is_a_value_error_naming_the_parameter(key: str, tmp_path: Path) -> None:
    call, words = CASES[key]
    try:
        call(tmp_path)
    except (ValueError, *RAISES.get(key, ())) as e:
        message = str(e)
        assert "incompatible function arguments" not in message
        assert words in message, (key, message)
    except BaseException as e:  # noqa: BLE001 - the test says which exception it was
        pytest.fail(f"{key}: {type(e).__name__} {str(e)[:300]!r}, not a ValueError")
    else:
        pytest.fail(f"{key}: no error")


def test_a_path_error_keeps_pythons_own_as_its_cause(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as err:
        calmkit.read_journal(tmp_path / S)
    assert isinstance(err.value.__cause__, UnicodeEncodeError)
    with pytest.raises(ValueError, match="^argument 'path': embedded null byte$"):
        calmkit.read_journal(str(tmp_path) + "/a\0b")
    with pytest.raises(TypeError, match=r"^read_journal\(\): path= must be a path"):  # not a path at all
        calmkit.read_journal(3)  # type: ignore[arg-type]


# --- a file name that is not UTF-8 (bytes 0x80..0xFF), as str through os.fsdecode: it works ---

NAME = b"j\xff\xe9"


def _escaped(tmp: Path, suffix: bytes = b"") -> str:
    """A str path (os.fsdecode) of a file name that is not UTF-8, in tmp."""
    name = os.fsdecode(os.fsencode(str(tmp)) + b"/" + NAME + suffix)
    assert "\udcff" in name
    return name


def test_a_file_name_that_is_not_utf8_is_read_and_written_by_every_path_entry_point(tmp_path: Path) -> None:
    journal = _journal()
    name = _escaped(tmp_path, b".jsonl")
    calmkit.write_journal(journal, name)
    assert os.path.exists(os.fsencode(name)) and os.fsencode(name).endswith(NAME + b".jsonl")
    assert calmkit.read_journal(name) == journal
    assert calmkit.read_journal(Path(name)) == journal
    assert calmkit.read_journal(os.fsencode(name)) == journal
    result = calmkit.read_journal_with_report(name)
    assert result.report.path == name and result.journal == journal
    extra = _reading(id="r-extra", participant=journal.participants()[0])
    calmkit.append_record(name, extra)
    calmkit.update_journal(name, lambda j: None)
    assert len(calmkit.read_journal(name)) == len(journal) + 1
    with calmkit.FileLock(name) as lock:
        assert lock.lock_path == Path(name + ".lock")
    calmkit.write_file(name + ".txt", "x")
    calmkit.write_files([(name + ".2", b"y")])
    assert open(name + ".txt").read() == "x" and open(name + ".2", "rb").read() == b"y"
    assert calmkit.resolve_write_target(name + ".txt") == Path(name + ".txt")
    assert calmkit.read_bytes(name + ".txt") == b"x"
    with calmkit.StagedDirectory(_escaped(tmp_path, b".d")) as stage:
        stage.write(os.fsdecode(NAME), b"z")
    assert open(os.path.join(_escaped(tmp_path, b".d"), os.fsdecode(NAME)), "rb").read() == b"z"


def test_a_store_whose_file_name_is_not_utf8(tmp_path: Path) -> None:
    journal = _journal()
    name = _escaped(tmp_path, b".db")
    with calmkit.open_store(name) as store:
        store.add_journal(journal)
        assert store.path == name
        store.backup(name + ".bak")
    with calmkit.open_store(name + ".bak", create=False, read_only=True) as copy:
        assert copy.load() == journal
    assert calmkit.add_record(name, _reading(id="r-extra", participant=journal.participants()[0])) is not None


def test_parquet_with_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    journal = _journal()
    folder = calmkit.write_parquet(journal, _escaped(tmp_path, b".pq"))
    assert calmkit.read_parquet(folder) == journal


def test_csv_export_and_import_with_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    journal = _journal()
    csv = calmkit.export_csv(journal, _escaped(tmp_path, b".csv"))
    assert csv and calmkit.import_csv(_escaped(tmp_path, b".csv")) == journal


def test_the_cli_reads_a_journal_whose_file_name_is_not_utf8(tmp_path: Path) -> None:
    name = _escaped(tmp_path, b".jsonl")
    calmkit.write_journal(_journal(), name)
    run = subprocess.run([sys.executable, "-m", "calmkit", "validate", os.fsencode(name)],
                         capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
