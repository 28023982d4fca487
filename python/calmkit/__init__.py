"""calmkit: model and measure self-soothing practice for anxious attachment.

A person's (or a cohort's) journal of triggers, distress readings (0-10),
guided exercise sessions, CBT thought records and self-assessments, read from
and written to the calmkit journal format (JSON Lines), and the progress
measured from it: time-to-calm (minutes from a trigger to the first reading
at or below the calm threshold, right-censored, Kaplan-Meier medians),
trigger frequency and trends, recovery, practice.

- Records and journals: ``Journal``, ``Trigger``, ``Reading``,
  ``ExerciseSession``, ``ThoughtRecord``; ``read_journal``, ``write_journal``
  (a bad line raises ``JournalFormatError``, a ``ValueError`` with ``.path``,
  ``.line``, ``.field`` and ``.reason``; a record refused by the same rules
  elsewhere, e.g. by ``Journal.add``, raises its subclass ``RecordError``,
  with ``.place`` and the reader's ``.field`` and ``.reason``).
- Metrics as pandas DataFrames: ``time_to_calm``, ``time_to_calm_summary``,
  ``trigger_frequency``, ``trigger_trend`` and more (``calmkit.metrics``).
- Exercises and the guided-session engine: ``catalog``, ``Session``.
- The SQLite journal store: ``open_store``. Questionnaires: ``instrument``,
  ``score``.
- Modules: ``calmkit.report`` (the HTML progress report), ``calmkit.plot``,
  ``calmkit.importers`` (Daylio, Bearable, Apple Health, mindLAMP),
  ``calmkit.exports``, ``calmkit.parquet``, ``calmkit.dask`` and
  ``calmkit.stats`` (optional extras: a missing one says in one line what to
  install), ``calmkit.cli`` (the ``calmkit`` command).

Example, on the sample journal of a source checkout::

    import calmkit
    journal = calmkit.read_journal("examples/data/sample-journal.jsonl")
    calmkit.time_to_calm_summary(journal, by="participant")   # KM median minutes + CI

``calmkit.__version__`` is the version; the guides are in the source
checkout's ``docs/`` and README.md.
"""

# No `from __future__` import here: it is a real import, which would run
# before the Ctrl-C handler below; nothing in this file needs it.
import os as _os
import sys as _sys

# Started as the `calmkit` command (the console script, or python -m calmkit):
# until calmkit.cli.main() takes over, and again after it returns, a Ctrl-C
# ends the process quietly with status 130 instead of a traceback. This is the
# first code of calmkit that runs, and it uses only modules the interpreter has
# loaded already (`_signal` is the built-in behind `signal`), so the handler is
# in place within microseconds of the interpreter reaching calmkit. A Ctrl-C
# before that, while the interpreter itself starts (its `site` imports, the
# console script's first line), gets Python's own traceback: docs/cli.md says so.
if _os.path.basename(_sys.argv[0] if _sys.argv else "") == "calmkit" or (
        "-m" in getattr(_sys, "orig_argv", [])[:-1]
        and _sys.orig_argv[_sys.orig_argv.index("-m") + 1].split(".")[0] == "calmkit"):
    import _signal

    def _interrupted_at_start(signum: int, frame: object) -> None:
        _os.write(2, b"\ncalmkit: interrupted\n")
        _os._exit(130)

    # A SIGINT ignored by whoever started the command (nohup, a shell script's
    # background job) stays ignored, as the interpreter itself leaves it.
    if _signal.getsignal(_signal.SIGINT) != _signal.SIG_IGN:
        _signal.signal(_signal.SIGINT, _interrupted_at_start)

from importlib import metadata as _metadata
from pathlib import Path as _Path

from . import _core

# --- records and vocabularies ---
from ._core import (
    INTENSITY_MAX,
    INTENSITY_MIN,
    PERCENT_MAX,
    PERCENT_MIN,
    EmotionRating,
    ExerciseSession,
    Reading,
    ThoughtRecord,
    Trigger,
    distortions,
    trigger_categories,
    trigger_groups,
)

# --- journals and their tables ---
from ._core import (
    ExerciseTable,
    Journal,
    ReadingTable,
    ThoughtRecordTable,
    TriggerTable,
)

# --- reading and writing ---
from ._core import (
    JOURNAL_FORMAT_VERSION,
    JournalFormatError,
    ReadReport,
    RecordError,
    ReadResult,
    SkippedLine,
    parse_journal,
    parse_journal_with_report,
    read_journal,
    read_journal_with_report,
    to_json,
    to_jsonl,
    write_journal,
)

# --- safe writes, locks, locked journal updates ---
from ._core import (
    FileError,
    FileLock,
    StagedDirectory,
    append_record,
    append_records,
    resolve_write_target,
    update_journal,
    write_file,
    write_files,
)
from .files import add_record, read_bytes, write_folder

# --- synthetic data (its arguments checked first, each error naming the argument) ---
from ._calls import synthetic_journal

# --- journal store (SQLite) ---
from ._core import STORE_SCHEMA_VERSION, Store  # open_store: defined at the end

# --- questionnaires: instruments, scores, change over time ---
from ._core import (Assessment, AssessmentTable, builtin_instrument_ids, instrument, instrument_ids,
                    register_instrument, score)
from ._metric_names import METRICS as _METRICS

# assessment_change and assessment_scores (calmkit.assessments), the progress
# metrics (the names of calmkit.metrics.__all__, listed once in
# calmkit._metric_names), Parquet
# (calmkit.parquet) and exercise_catalog_frame (calmkit._frames) are given on
# first use by __getattr__ below: they import pandas and NumPy, which a
# program that only reads or writes journals never needs.

# --- importers from other apps, and exports (pure Python) ---
from .exports import export_csv, import_csv, research_export, write_research_export
from .importers import (
    ImportFormatError,
    ImportReport,
    ImportResult,
    import_apple_health,
    import_bearable,
    import_daylio,
    import_mindlamp,
)

# --- local wall times: the one rule for times that do not exist or happen twice ---
from .localtime import LocalTimeWarning, localize

# --- the vocabularies as enums named as in C++ (members are their str ids) ---
from .vocabulary import (BreathPhase, Distortion, ExerciseKind, Period, RecordType, ScoringRule, SessionEventType,
                         SessionStatus, Suits, TriggerCategory, TriggerGroup)

# --- time zones: an IANA name or a POSIX TZ rule, one model (calmkit::TimeZone) ---
from .timezone import TimeZone

# --- exercises, guided sessions, suggestions ---
from ._core import (
    Exercise,
    ExerciseFormatError,
    ExerciseRegistry,
    PromptStep,
    Session,
    SessionEvent,
    SessionState,
    Suggestion,
    TimedStep,
    UnknownExerciseError,
    breathing_pattern,
    catalog,
    catalog_exercise,
    exercise_from_json,
    exercise_kinds,
    exercises_from_json,
    exercises_to_json,
    find_exercise,
    suggest,
)

# --- the compiled tables' to_pandas() and the Journal's Arrow bridge, given from
# here: the compiled module never imports this package; DataFrames are built in
# one place (calmkit._frames, imported by the first to_pandas()), Arrow tables
# in another (calmkit.arrow, which imports pyarrow on first use) ---
from . import arrow
from ._calls import explain_bad_calls as _explain_bad_calls
from ._calls import explain_bad_function_calls as _explain_bad_function_calls


def _table_to_pandas(table: "TriggerTable") -> "_pandas.DataFrame":  # noqa: F821 (pandas: on first call)
    """The records as a pandas DataFrame, one row per record, columns named as
    in the journal format (times as datetime64[us, UTC] plus offset_minutes
    and the naive local_time; participants and categories as categoricals;
    absent text as <NA>). Installed as ``to_pandas()`` of every journal table
    (``journal.triggers.to_pandas()`` ...)."""
    from ._frames import build_frame

    return build_frame(table._columns())


# --- every compiled class called the wrong way (a record given a positional
# argument or a field left out or misspelt; a Session given None; a class
# calmkit makes itself called at all): a TypeError that says what is wrong, not
# pybind11's list of signatures (a field's wrong value is refused in C++,
# naming the field) ---
for _class in vars(_core).values():
    if isinstance(_class, type) and not _class.__name__.startswith("_") and not issubclass(_class, BaseException):
        _explain_bad_calls(_class)
del _class, _explain_bad_calls

# --- the compiled functions given an argument of the wrong kind (a path as a
# number, a count as text, a flag as None): a TypeError naming the function
# and the argument, not pybind11's list of C++ signatures ---
for _name, _function in list(globals().items()):
    if type(_function).__name__ == "builtin_function_or_method" and getattr(_function, "__module__", "") == _core.__name__:
        globals()[_name] = _explain_bad_function_calls(_function)
del _name, _function, _explain_bad_function_calls

_table_to_pandas.__name__ = _table_to_pandas.__qualname__ = "to_pandas"
for _table in (TriggerTable, ReadingTable, ExerciseTable, ThoughtRecordTable, AssessmentTable):
    _table.to_pandas = _table_to_pandas  # type: ignore[attr-defined]
del _table
Journal.to_arrow = arrow.to_arrow  # type: ignore[attr-defined]
Journal.from_arrow = staticmethod(arrow.from_arrow)  # type: ignore[attr-defined]


def _version() -> str:
    # The installed distribution's version when this very package is the
    # installed one; otherwise (a build tree on PYTHONPATH, which may shadow an
    # older installed copy) the version compiled into _core. Both come from
    # project(calmkit VERSION ...) in CMakeLists.txt.
    try:
        dist = _metadata.distribution("calmkit")
        installed = _Path(str(dist.locate_file("calmkit/__init__.py"))).resolve()
        if installed == _Path(__file__).resolve():
            return dist.version
    except _metadata.PackageNotFoundError:
        pass
    return str(_core.__version__)


__version__: str = _version()

__all__ = [
    "__version__",
    # records and vocabularies
    "INTENSITY_MIN",
    "INTENSITY_MAX",
    "PERCENT_MIN",
    "PERCENT_MAX",
    "EmotionRating",
    "ExerciseSession",
    "Reading",
    "ThoughtRecord",
    "Trigger",
    "distortions",
    "trigger_categories",
    "trigger_groups",
    # journals and their tables
    "ExerciseTable",
    "Journal",
    "ReadingTable",
    "ThoughtRecordTable",
    "TriggerTable",
    # questionnaires
    "Assessment",
    "AssessmentTable",
    "assessment_change",
    "assessment_scores",
    "instrument",
    "instrument_ids",
    "builtin_instrument_ids",
    "register_instrument",
    "score",
    # reading and writing
    "JOURNAL_FORMAT_VERSION",
    "JournalFormatError",
    "ReadReport",
    "RecordError",
    "ReadResult",
    "SkippedLine",
    "parse_journal",
    "parse_journal_with_report",
    "read_journal",
    "read_journal_with_report",
    "to_json",
    "to_jsonl",
    "write_journal",
    "FileError",
    "FileLock",
    "StagedDirectory",
    "add_record",
    "append_record",
    "append_records",
    "read_bytes",
    "resolve_write_target",
    "update_journal",
    "write_file",
    "write_files",
    "write_folder",
    # synthetic data
    "synthetic_journal",
    # journal store
    "STORE_SCHEMA_VERSION",
    "Store",
    "open_store",
    # progress metrics (given on first use, see __getattr__)
    *_METRICS,
    # exercises, guided sessions, suggestions
    "Exercise",
    "ExerciseFormatError",
    "ExerciseRegistry",
    "PromptStep",
    "Session",
    "SessionEvent",
    "SessionState",
    "Suggestion",
    "TimedStep",
    "UnknownExerciseError",
    "breathing_pattern",
    "catalog",
    "catalog_exercise",
    "exercise_catalog_frame",
    "exercise_from_json",
    "exercise_kinds",
    "exercises_from_json",
    "exercises_to_json",
    "find_exercise",
    "suggest",
    # importers and exports
    "ImportFormatError",
    "ImportReport",
    "ImportResult",
    "export_csv",
    "import_apple_health",
    "import_bearable",
    "import_csv",
    "import_daylio",
    "import_mindlamp",
    "research_export",
    "write_research_export",
    # local wall times
    "LocalTimeWarning",
    "localize",
    "TimeZone",
    "BreathPhase",
    "Distortion",
    "ExerciseKind",
    "Period",
    "RecordType",
    "ScoringRule",
    "SessionEventType",
    "SessionStatus",
    "Suits",
    "TriggerCategory",
    "TriggerGroup",
    # Parquet datasets and JSON Lines shards
    "read_jsonl_shards",
    "read_parquet",
    "write_parquet",
]

#: Names given on first use, by the module that defines them (and every name
#: of calmkit._metric_names, by calmkit.metrics): their modules import pandas.
_LAZY = {
    "assessment_change": "assessments",
    "assessment_scores": "assessments",
    "exercise_catalog_frame": "_frames",
    "read_jsonl_shards": "parquet",
    "read_parquet": "parquet",
    "write_parquet": "parquet",
    **dict.fromkeys(_METRICS, "metrics"),
}
#: Submodules that import pandas or NumPy, imported on first use as attributes
#: of the package (``calmkit.metrics``) as well as by ``import calmkit.metrics``.
_LAZY_MODULES = ("assessments", "metrics", "parquet", "_frames")


def __getattr__(name: str) -> object:
    # PEP 562: called only for names the module does not have (yet).
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value  # a plain attribute from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_MODULES))


def open_store(path: "str | _os.PathLike[str]", *, create: bool = True, read_only: bool = False) -> Store:
    """Opens (by default creating) a journal store, an SQLite file (docs/store.md).

    ``read_only`` opens it without writing anything, leaving no file beside it
    where SQLite allows. Raises RuntimeError for a file that is not a calmkit
    store, a copy whose records stayed in the original's ``-wal`` (nothing is
    changed), or a store that needs migrating when read-only. A store whose
    file says it was last written in WAL mode with no ``-wal`` beside it (a copy
    made while the store was open may lack its latest records) opens with a
    UserWarning saying so.
    """
    from ._calls import need_flag
    from .files import _store_copy_note

    _core._fs_path(path, "path")  # not a path: TypeError naming it; a lone surrogate: ValueError
    need_flag(create, "create")
    need_flag(read_only, "read_only")
    note = _store_copy_note(path)
    store = _core.open_store(path, create=create, read_only=read_only)
    if note is not None:
        import warnings as _warnings

        _warnings.warn(note, UserWarning, stacklevel=2)
    return store
