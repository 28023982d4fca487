"""Type stubs for calmkit._core (checked against the module by tests/python/test_stubs.py).

Why one file of ~760 lines: a compiled module's stub is one file named for
it (``_core.pyi``, PEP 484), and it declares every class and function of
bindings/python/*.cpp in the order of their ``register_<area>`` files. The
record-table classes repeat one shape on purpose: test_stubs compares each
class body with the live class, member by member."""

import datetime
import os
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, Iterator, Mapping, Sequence, TypeVar, Union, overload

import pandas

__version__: str
JOURNAL_FORMAT_VERSION: int

_Time = Union[datetime.datetime, str]
_Record = Union["Trigger", "Reading", "ExerciseSession", "ThoughtRecord", "Assessment"]
_Path = Union[str, os.PathLike[str]]

# --- vocabularies -----------------------------------------------------------

def trigger_categories() -> list[tuple[str, str, str]]:
    """Every trigger category as (id, label, group id)."""

def trigger_groups() -> list[tuple[str, str]]:
    """The trigger groups as (id, label)."""

def _record_types() -> list[str]:
    """The journal format's record types (RecordType's ids), in enum order."""

def _suits() -> list[tuple[str, str]]:
    """When an exercise suits, as (id, label), in Suits's order (Exercise.suits)."""

def _breath_phases() -> list[tuple[str, str]]:
    """Every breathing phase as (id, label), in BreathPhase's order (TimedStep.phase; none has no label)."""

def _session_statuses() -> list[tuple[str, str]]:
    """Every session status as (id, label), in SessionStatus's order."""

def _session_event_types() -> list[tuple[str, str]]:
    """Every session event type as (id, label), in SessionEventType's order."""

def _scoring_rules() -> list[str]:
    """The scoring rules' ids (ScoringRule), in enum order."""

def _periods() -> list[str]:
    """The calendar periods' ids (metrics::Period), in enum order."""

def distortions() -> list[tuple[str, str, str]]:
    """Every cognitive distortion as (id, label, plain-language description)."""

# --- records ----------------------------------------------------------------

#: The distress scale (calmkit::Intensity::min, ::max): an intensity is an int 0..10.
INTENSITY_MIN: int
INTENSITY_MAX: int
#: The percent scale of beliefs and emotions (calmkit::Percent::min, ::max): 0..100.
PERCENT_MIN: int
PERCENT_MAX: int

class Trigger:
    """A moment the attachment alarm fired."""

    def __init__(
        self,
        *,
        id: str,
        time: _Time,
        category: str,
        intensity: int,
        participant: str = "",
        context: str = "",
        thoughts: list[str] = ...,
        sensations: list[str] = ...,
        urge: str = "",
        acted_on_urge: bool | None = None,
        acted_after_minutes: float | None = None,
        response: str = "",
        tags: list[str] = ...,
    ) -> None: ...
    participant: str
    id: str
    @property
    def time(self) -> datetime.datetime: ...
    @time.setter
    def time(self, value: _Time) -> None: ...
    category: str
    @property
    def group(self) -> str: ...
    intensity: int
    context: str
    thoughts: list[str]
    sensations: list[str]
    urge: str
    acted_on_urge: bool | None
    acted_after_minutes: float | None
    response: str
    tags: list[str]
    def __eq__(self, other: object) -> bool: ...

class Reading:
    """A distress check-in."""

    def __init__(
        self,
        *,
        time: _Time,
        intensity: int,
        participant: str = "",
        id: str = "",
        trigger: str = "",
        note: str = "",
    ) -> None: ...
    participant: str
    id: str
    @property
    def time(self) -> datetime.datetime: ...
    @time.setter
    def time(self, value: _Time) -> None: ...
    intensity: int
    trigger: str
    note: str
    def __eq__(self, other: object) -> bool: ...

class ExerciseSession:
    """One practice session of an exercise."""

    def __init__(
        self,
        *,
        id: str,
        time: _Time,
        end: _Time,
        exercise: str,
        participant: str = "",
        completed: bool = True,
        intensity_before: int | None = None,
        intensity_after: int | None = None,
        trigger: str = "",
        responses: list[str] = ...,
    ) -> None: ...
    participant: str
    id: str
    @property
    def time(self) -> datetime.datetime: ...
    @time.setter
    def time(self, value: _Time) -> None: ...
    @property
    def end(self) -> datetime.datetime: ...
    @end.setter
    def end(self, value: _Time) -> None: ...
    exercise: str
    completed: bool
    intensity_before: int | None
    intensity_after: int | None
    trigger: str
    responses: list[str]
    def __eq__(self, other: object) -> bool: ...

class EmotionRating:
    """One emotion rated in a thought record, in percent 0–100."""

    def __init__(self, *, name: str, before: int, after: int | None = None) -> None: ...
    name: str
    before: int
    after: int | None
    def __eq__(self, other: object) -> bool: ...

class ThoughtRecord:
    """A CBT thought record."""

    def __init__(
        self,
        *,
        id: str,
        time: _Time,
        situation: str,
        automatic_thought: str,
        belief_before: int,
        participant: str = "",
        emotions: list[EmotionRating] = ...,
        distortions: list[str] = ...,
        evidence_for: list[str] = ...,
        evidence_against: list[str] = ...,
        alternatives: list[str] = ...,
        friend_advice: str = "",
        balanced_thought: str = "",
        belief_after: int | None = None,
        trigger: str = "",
    ) -> None: ...
    participant: str
    id: str
    @property
    def time(self) -> datetime.datetime: ...
    @time.setter
    def time(self, value: _Time) -> None: ...
    situation: str
    automatic_thought: str
    belief_before: int
    emotions: list[EmotionRating]
    distortions: list[str]
    evidence_for: list[str]
    evidence_against: list[str]
    alternatives: list[str]
    friend_advice: str
    balanced_thought: str
    belief_after: int | None
    trigger: str
    def __eq__(self, other: object) -> bool: ...

class Assessment:
    """A questionnaire answered at one time."""

    def __init__(
        self,
        *,
        id: str,
        time: _Time,
        instrument: str,
        answers: list[int],
        participant: str = "",
        note: str = "",
    ) -> None: ...
    participant: str
    id: str
    @property
    def time(self) -> datetime.datetime: ...
    @time.setter
    def time(self, value: _Time) -> None: ...
    instrument: str
    answers: list[int]
    note: str
    def __eq__(self, other: object) -> bool: ...

# --- journals and their tables -----------------------------------------------

_R = TypeVar("_R")

class _RecordTable(Generic[_R]):
    """What every table of a journal has (a stub-only base: each table is its own class in _core)."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> _R: ...
    def __iter__(self) -> Iterator[_R]: ...
    def to_pandas(self) -> pandas.DataFrame: ...

class TriggerTable(_RecordTable[Trigger]):
    """The triggers of a journal (a live view)."""

class ReadingTable(_RecordTable[Reading]):
    """The readings of a journal (a live view)."""

class ExerciseTable(_RecordTable[ExerciseSession]):
    """The exercise sessions of a journal (a live view)."""

class AssessmentTable(_RecordTable[Assessment]):
    """The assessments of a journal (a live view)."""

class ThoughtRecordTable(_RecordTable[ThoughtRecord]):
    """The thought records of a journal (a live view)."""

class Journal:
    """The records of one person or a cohort, ordered and checked."""

    def __init__(self, records: Iterable[_Record] = ()) -> None: ...
    def add(self, record: _Record) -> None: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def participants(self) -> list[str]: ...
    def participant(self, participant: str) -> Journal: ...
    def between(self, start: _Time, end: _Time) -> Journal: ...
    def to_arrow(self) -> dict[str, Any]:
        """One pyarrow.Table per record type (calmkit.arrow.to_arrow; installed by the calmkit package)."""
    @staticmethod
    def from_arrow(tables: Mapping[str, Any], name: str = "<arrow>", *, tz: Any = None) -> Journal:
        """A Journal from one Arrow table per record type (calmkit.arrow.from_arrow)."""
    @property
    def triggers(self) -> TriggerTable: ...
    @property
    def readings(self) -> ReadingTable: ...
    @property
    def exercises(self) -> ExerciseTable: ...
    @property
    def thought_records(self) -> ThoughtRecordTable: ...
    @property
    def assessments(self) -> AssessmentTable: ...

class LocalTimeWarning(UserWarning):
    """A local time did not exist or happened twice on a daylight-saving day; the message says how it was read."""

# --- reading and writing -------------------------------------------------------

class JournalFormatError(ValueError):
    """A journal that breaks the journal format, with where and why as attributes."""

    path: str
    line: int
    field: str
    reason: str

class RecordError(JournalFormatError):
    """A record refused by the journal format's rules where it is no file's line (Journal.add, the record
    classes, the writer, the store): ``path`` '' and ``line`` 0, ``field`` and ``reason`` as the reader gives
    them, and ``place`` (who refused which record), which the message begins with."""

    place: str

class SkippedLine:
    """One line a lenient read skipped."""

    @property
    def line(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str: ...

class ReadReport:
    """What a read did."""

    @property
    def path(self) -> str: ...
    @property
    def lines(self) -> int: ...
    @property
    def records(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def skipped(self) -> list[SkippedLine]: ...

class ReadResult:
    """What read_journal_with_report returns: the journal and the report."""

    @property
    def journal(self) -> Journal: ...
    @property
    def report(self) -> ReadReport: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> Journal | ReadReport: ...
    def __iter__(self) -> Iterator[Journal | ReadReport]: ...

def read_journal(
    path: _Path,
    *,
    lenient: bool = False,
    max_bytes: int = 4294967296,
    max_line_bytes: int = 16777216,
    threads: int = 0,
    chunk_bytes: int = 1048576,
) -> Journal: ...
def read_journal_with_report(
    path: _Path,
    *,
    lenient: bool = False,
    max_bytes: int = 4294967296,
    max_line_bytes: int = 16777216,
    threads: int = 0,
    chunk_bytes: int = 1048576,
) -> ReadResult: ...
def parse_journal(text: str, *, lenient: bool = False, name: str = "<string>", threads: int = 0) -> Journal: ...
def parse_journal_with_report(
    text: str, *, lenient: bool = False, name: str = "<string>", threads: int = 0
) -> ReadResult: ...
def write_journal(journal: Journal, path: _Path, *, header: bool = True, generator: str = "calmkit") -> None: ...
def to_jsonl(journal: Journal, *, header: bool = True, generator: str = "calmkit") -> str: ...
@overload
def to_json(record: _Record) -> str: ...
@overload
def to_json(record: Exercise) -> str: ...
@overload
def to_json(record: list[Exercise] | tuple[Exercise, ...]) -> str: ...

# --- safe writes, staged folders, locks ---------------------------------------

class FileError(OSError, RuntimeError):
    """A file calmkit could not read or write, or would not replace."""

def write_file(path: _Path, data: bytes | bytearray | memoryview | str, *, replace: bool = True) -> None: ...
def write_files(files: list[tuple[_Path, bytes | bytearray | memoryview | str]], *, replace: bool = True) -> None: ...
def resolve_write_target(path: _Path) -> Path: ...

class StagedDirectory:
    def __init__(self, target: _Path) -> None: ...
    @property
    def path(self) -> Path: ...
    @property
    def target(self) -> Path: ...
    def write(self, relative: _Path, data: bytes | memoryview | Any) -> None: ...
    def commit(self) -> None: ...
    def __enter__(self) -> StagedDirectory: ...
    def __exit__(self, *exc: object) -> bool: ...

class FileLock:
    def __init__(self, file: _Path) -> None: ...
    @property
    def lock_path(self) -> Path | None: ...
    def __enter__(self) -> FileLock: ...
    def __exit__(self, *exc: object) -> bool: ...

def update_journal(
    path: _Path,
    change: Callable[[Journal], Journal | None],
    *,
    header: bool = True,
    generator: str = "calmkit",
    max_bytes: int = 4294967296,
    max_line_bytes: int = 16777216,
) -> None: ...
def _fs_path(path: _Path | bytes, name: str) -> bytes: ...
def _utf8_text(text: str | bytes, name: str) -> str | bytes: ...
def append_record(path: _Path, record: _Record) -> None: ...
def append_records(
    path: _Path,
    records: Sequence[_Record | Callable[[Journal], _Record]],
    *,
    header: bool = True,
    generator: str = "calmkit",
    max_bytes: int = 4294967296,
    max_line_bytes: int = 16777216,
) -> list[_Record]: ...

# --- synthetic data ------------------------------------------------------------

def synthetic_journal(
    participants: int = 3,
    days: int = 56,
    seed: int = 1,
    *,
    start: str = "2026-03-02T00:00:00Z",
    triggers_per_day_start: float = 1.2,
    triggers_per_day_end: float = 0.4,
    readings_per_episode: float = 4.0,
    exercise_probability: float = 0.6,
    thought_record_probability: float = 0.3,
    unlinked_reading_probability: float = 0.3,
    participant_prefix: str = "p",
    assessments: bool = True,
) -> Journal: ...

# --- exercises, guided sessions, suggestions -----------------------------------

class ExerciseFormatError(ValueError):
    """An exercise definition (JSON) that is invalid; the message names the field."""

class UnknownExerciseError(KeyError, IndexError):
    """An id that names no exercise of the catalog or registry; the message
    names it and the closest known ids."""

def exercise_kinds() -> list[tuple[str, str]]:
    """Every exercise kind as (id, label)."""

class TimedStep:
    """A step that lasts `seconds` (> 0), optionally a breathing phase."""

    def __init__(self, seconds: float, phase: str = "none", cue: str = "") -> None: ...
    seconds: float
    phase: str
    cue: str
    def __eq__(self, other: object) -> bool: ...

class PromptStep:
    """A question the person answers `answers` times (>= 1)."""

    def __init__(self, text: str, answers: int = 1) -> None: ...
    text: str
    answers: int
    def __eq__(self, other: object) -> bool: ...

class Exercise:
    """A self-soothing exercise: one cycle of steps, repeated or run for a total time."""

    def __init__(
        self,
        *,
        id: str,
        name: str,
        kind: str,
        steps: list[TimedStep | PromptStep],
        suits: str = "both",
        instructions: str = "",
        sources: list[str] = ...,
        repeats: int | None = None,
        total_seconds: float | None = None,
    ) -> None: ...
    id: str
    name: str
    kind: str
    suits: str
    instructions: str
    sources: list[str]
    steps: list[TimedStep | PromptStep]
    @property
    def repeats(self) -> int | None: ...
    @repeats.setter
    def repeats(self, value: int) -> None: ...
    total_seconds: float | None
    def cycles(self) -> int: ...
    def cycle_seconds(self) -> float: ...
    def duration_seconds(self) -> float | None: ...
    def has_prompts(self) -> bool: ...
    def validate(self) -> None: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

def catalog() -> list[Exercise]: ...
def find_exercise(id: str) -> Exercise | None: ...
def catalog_exercise(id: str) -> Exercise: ...
def breathing_pattern(
    id: str,
    name: str,
    inhale: float,
    hold_in: float,
    exhale: float,
    hold_out: float,
    repeats: int | None = None,
    total_seconds: float | None = None,
) -> Exercise: ...
def exercise_from_json(text: str) -> Exercise: ...
def exercises_to_json(exercises: list[Exercise]) -> str: ...
def exercises_from_json(text: str) -> list[Exercise]: ...

class ExerciseRegistry:
    """The catalog plus custom exercises, ids unique."""

    def __init__(self, with_catalog: bool = True) -> None: ...
    def add(self, exercise: Exercise) -> None: ...
    def find(self, id: str) -> Exercise | None: ...
    def get(self, id: str) -> Exercise: ...
    def all(self) -> list[Exercise]: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: str) -> bool: ...

class SessionState:
    """A snapshot of a session to draw."""

    @property
    def status(self) -> str: ...
    @property
    def step(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def cycle(self) -> int: ...
    @property
    def cycles(self) -> int: ...
    @property
    def phase(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def prompt(self) -> bool: ...
    @property
    def waiting_for_answer(self) -> bool: ...
    @property
    def answers_given(self) -> int: ...
    @property
    def answers_needed(self) -> int: ...
    @property
    def seconds_left(self) -> float: ...
    @property
    def step_progress(self) -> float: ...
    @property
    def session_progress(self) -> float: ...
    @property
    def elapsed_seconds(self) -> float: ...
    @property
    def paused_seconds(self) -> float: ...
    @property
    def suspended(self) -> bool: ...

class SessionEvent:
    """Something that happened, stamped with its clock time."""

    @property
    def type(self) -> str: ...
    @property
    def at(self) -> float: ...
    @property
    def step(self) -> int: ...
    @property
    def cycle(self) -> int: ...
    @property
    def phase(self) -> str: ...
    @property
    def text(self) -> str: ...

class Session:
    """A guided session driven by a monotonic clock in seconds."""

    def __init__(self, exercise: Exercise, max_gap_seconds: float = 5.0) -> None: ...
    def start(self, now: float) -> None: ...
    def update(self, now: float) -> SessionState: ...
    @property
    def state(self) -> SessionState: ...
    def pause(self, now: float) -> None: ...
    def resume(self, now: float) -> None: ...
    def skip(self, now: float) -> None: ...
    def answer(self, now: float, text: str) -> None: ...
    def abort(self, now: float) -> None: ...
    def poll_events(self) -> list[SessionEvent]: ...
    def finish(
        self,
        now: float,
        id: str,
        started_at: _Time,
        participant: str = "",
        intensity_before: int | None = None,
        intensity_after: int | None = None,
        trigger: str = "",
    ) -> ExerciseSession: ...
    @property
    def exercise(self) -> Exercise: ...
    @property
    def status(self) -> str: ...
    @property
    def responses(self) -> list[str]: ...
    @property
    def skipped_steps(self) -> int: ...

class Suggestion:
    """One ranked exercise and why."""

    @property
    def exercise(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def base(self) -> float: ...
    @property
    def suits_bonus(self) -> float: ...
    @property
    def rated_sessions(self) -> int: ...
    @property
    def mean_drop(self) -> float | None: ...
    @property
    def reason(self) -> str: ...

def suggest(
    intensity: int,
    journal: Journal,
    participant: str = "",
    exercises: list[Exercise] | None = None,
    min_sessions: int = 3,
    history_weight: float = 1.0,
    limit: int = 0,
) -> list[Suggestion]: ...

# --- progress metrics (bindings/python/metrics.cpp) ------------------------------

import numpy

_Arrays = dict[str, numpy.ndarray]

class Cohort:
    """A cohort as columns: the input of every metric."""

    def __init__(self, journal: Journal) -> None: ...
    @property
    def participants(self) -> list[str]: ...
    @property
    def trigger_ids(self) -> list[str]: ...
    @property
    def exercise_names(self) -> list[str]: ...
    @property
    def n_triggers(self) -> int: ...
    @property
    def n_readings(self) -> int: ...
    def __repr__(self) -> str: ...

def cohort_from_arrays(
    participants: list[str],
    trigger_participant: object,
    trigger_time_us: object,
    trigger_offset_minutes: object,
    trigger_intensity: object,
    trigger_category: object,
    reading_participant: object,
    reading_time_us: object,
    reading_offset_minutes: object,
    reading_intensity: object,
    reading_trigger: object,
    *,
    trigger_acted_on_urge: object = None,
    trigger_acted_after_minutes: object = None,
) -> Cohort:
    """Triggers and readings from NumPy arrays (one copy each); rows need not be sorted."""

def set_threads(n: int) -> None:
    """How many threads the cohort metrics may use (0 = every hardware thread)."""

def threads() -> int:
    """The number of threads the cohort metrics use (>= 1)."""

def _cohort_of(journal: Journal) -> Cohort: ...
def _metric_episodes(cohort: Cohort, threshold: int, window_hours: float, utf8_ids: bool = ...) -> _Arrays: ...
def _metric_time_to_calm_summary(
    cohort: Cohort,
    threshold: int,
    window_hours: float,
    by_participant: bool,
    period: str | None,
    by_category: bool,
    tz: str | None,
    confidence: float,
    curves: bool,
) -> _Arrays: ...
def _metric_km_quantiles(curves: dict[str, numpy.ndarray], p: list[float]) -> _Arrays: ...
def _metric_summary_of_episodes(
    participant: object,
    onset_us: object,
    offset_minutes: object,
    category: object,
    minutes: object,
    calmed: object,
    by_participant: bool,
    period: str | None,
    by_category: bool,
    tz: str | None,
    confidence: float,
    curves: bool,
) -> _Arrays: ...
def _metric_trigger_frequency(cohort: Cohort, period: str, split: str, tz: str | None) -> _Arrays: ...
def _metric_trigger_trend(cohort: Cohort, k: int, tz: str | None, confidence: float, pooled: bool = ...) -> _Arrays: ...
def _metric_peak_trend(cohort: Cohort, threshold: int, window_hours: float, confidence: float) -> _Arrays: ...
def _metric_exercise_effectiveness(
    cohort: Cohort, threshold: int, window_hours: float, by_participant: bool
) -> _Arrays: ...
def _metric_thought_record_summary(cohort: Cohort, min_alternatives: int, by_participant: bool = True) -> _Arrays: ...
def _metric_distortion_frequency(cohort: Cohort) -> _Arrays: ...
def _metric_window_of_uncertainty(
    cohort: Cohort, by_week: bool, tz: str | None, pooled: bool = ..., first_and_latest_weeks: int | None = ...
) -> _Arrays: ...
def _metric_practice_consistency(cohort: Cohort, tz: str | None) -> _Arrays: ...
def _metric_practice_streaks(cohort: Cohort, tz: str | None) -> _Arrays: ...
def _metric_affect_dynamics(
    cohort: Cohort, acute_change: int, max_gap_hours: float | None, tz: str | None
) -> _Arrays: ...
def _stats_within_ols_slope(x: object, y: object, group: object, confidence: float) -> dict[str, float]: ...

# --- journal store (bindings/python/store.cpp) ---------------------------------

STORE_SCHEMA_VERSION: int

class Store:
    """A journal kept in an SQLite database; a context manager that closes it."""

    @property
    def path(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def schema_version(self) -> int: ...
    def add(self, record: _Record) -> None: ...
    def add_journal(self, journal: Journal) -> None: ...
    def update(self, record: _Record) -> None: ...
    def remove_trigger(self, participant: str, id: str, *, cascade: bool = False) -> int: ...
    def remove_reading(self, participant: str, id: str) -> bool: ...
    def remove_exercise(self, participant: str, id: str) -> bool: ...
    def remove_thought_record(self, participant: str, id: str) -> bool: ...
    def remove_assessment(self, participant: str, id: str) -> bool: ...
    def assessments(
        self, participant: str, start: _Time | None = None, end: _Time | None = None
    ) -> list[Assessment]: ...
    def load(
        self, participant: str | None = None, start: _Time | None = None, end: _Time | None = None
    ) -> Journal: ...
    def participants(self) -> list[str]: ...
    def integrity_check(self) -> str: ...
    def __len__(self) -> int: ...
    def backup(self, destination: _Path, *, replace: bool = False) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *args: object) -> None: ...

def open_store(path: _Path, *, create: bool = True, read_only: bool = False) -> Store: ...
def _store_copy_note(path: str) -> str | None: ...

# --- instruments and scoring ------------------------------------------------------

def instrument_ids() -> list[str]: ...
def builtin_instrument_ids() -> list[str]: ...
def instrument(id: str) -> dict[str, object]: ...
def register_instrument(definition: dict[str, object]) -> None: ...
def score(instrument: str, answers: list[int]) -> dict[str, object]: ...
