"""Progress metrics as pandas DataFrames (definitions: docs/metrics.md).

Every function takes a :class:`calmkit.Journal` or a :class:`calmkit.Cohort`
(the columnar form the C++ metrics run on). A journal already holds its
records as columns, so a metric reads them as they are: no conversion, and the
first call costs what later calls cost. The journal also keeps its episodes
(per threshold and window) until it changes, so :func:`time_to_calm`, its
summary, curves and trends on the same journal compute them once. Numbers and
times come from C++ as NumPy arrays and are wrapped, never converted row by
row; each compiled call returns the participant names its codes refer to, read
together with its columns, so a metric is one state of a journal even while
another thread adds to it.

Why one module of ~1,150 lines: it is the one facade users import the metrics
from (``calmkit.metrics``, re-exported by ``calmkit``), and every public
function shares the same few private helpers above it (the participant and
category Categoricals, the ``by=`` parsing, ``_every_participant``, the
episode parameters). Its seam, if it grows, is per metric family (time to
calm and survival, frequency, practice, thought records and dynamics) over a
private module of those helpers.

Conventions of the returned frames:

- ``participant`` and ``category`` are pandas ``Categorical`` columns;
- instants (``onset``) are ``datetime64[us, UTC]``;
- ``period_start`` is the first local date of the period as
  naive ``datetime64[s]`` (midnight of that date in the person's own calendar;
  ``.dt.date`` gives ``datetime.date`` objects). Weeks start on Monday (ISO);
- undefined statistics are NaN.

Example::

    import calmkit
    journal = calmkit.synthetic_journal(participants=3, days=56)
    calmkit.time_to_calm_summary(journal, by=["participant", "week"])
    calmkit.trigger_frequency(journal, period="week", tz="CET-1CEST,M3.5.0,M10.5.0/3")
"""

from __future__ import annotations

import datetime as _dt
import inspect
import warnings
from typing import Any, Iterable, Union

import numpy as np
import pandas as pd

from . import _core, _frames
from ._core import Cohort, Journal
from ._core import threads as threads  # re-exported: __all__
from ._calls import explain_bad_function_calls, need_choice, need_flag, need_journal
from ._metric_names import METRICS
from .timezone import TimeZone

Data = Union[Journal, Cohort]
#: calmkit._core.set_threads, its argument's kind checked in calmkit's words (re-exported: __all__).
set_threads = explain_bad_function_calls(_core.set_threads)

#: Keyword names cohort_from_arrays took before the one spelling of a UTC offset
#: in minutes (``offset_minutes``, docs/architecture.md's names table): still
#: taken, with a DeprecationWarning.
_RENAMED_KEYWORDS = {"trigger_offset_min": "trigger_offset_minutes", "reading_offset_min": "reading_offset_minutes"}


def _zone_text(tz: Any) -> str | None:
    """``tz`` as the metrics take it: None (each record's own offset) or the
    text of an IANA zone name or a POSIX TZ rule; a :class:`calmkit.TimeZone`
    or :class:`zoneinfo.ZoneInfo` gives its ``key``. TypeError naming ``tz``
    for anything else (an int, a fixed-offset :class:`datetime.timezone`),
    ValueError naming it for text that is not UTF-8 (a lone surrogate); text
    that names no zone is refused by the metric itself, naming the text."""
    if tz is None:
        return None
    key = getattr(tz, "key", None) if isinstance(tz, _dt.tzinfo) else tz
    if not isinstance(key, str):
        raise TypeError(f"tz must be an IANA time zone name or a POSIX TZ rule (str), or None; got "
                        f"{type(tz).__name__} {tz!r}")
    _core._utf8_text(key, "tz")
    return key


def cohort_from_arrays(*args: Any, **kwargs: Any) -> Cohort:
    """Triggers and readings straight from NumPy arrays, one copy each, no per-row objects.

    ``cohort_from_arrays(participants, trigger_participant, trigger_time_us,
    trigger_offset_minutes, trigger_intensity, trigger_category,
    reading_participant, reading_time_us, reading_offset_minutes,
    reading_intensity, reading_trigger, *, trigger_acted_on_urge=None,
    trigger_acted_after_minutes=None)``: participant codes (int32) index
    ``participants``; times are int64 UTC microseconds since 1970; offsets
    int16 minutes east of UTC; intensities 0-10; categories the index in
    ``calmkit.trigger_categories()``; ``reading_trigger`` the input row of
    the reading's trigger (-1: none). Rows need not be sorted; arrays of
    another dtype are converted only when every value survives. A bad row is a
    ValueError naming the table, the row and the field (docs/metrics.md).

    The keywords ``trigger_offset_min`` / ``reading_offset_min`` of earlier
    versions still work and warn (DeprecationWarning).
    """
    for old, new in _RENAMED_KEYWORDS.items():
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"cohort_from_arrays() got both {old!r} and {new!r}; give {new!r}")
            warnings.warn(f"cohort_from_arrays(): the keyword {old!r} is now {new!r}", DeprecationWarning,
                          stacklevel=2)
            kwargs[new] = kwargs.pop(old)
    return _core.cohort_from_arrays(*args, **kwargs)


# The binding's parameters (bindings/python/metrics.cpp), shown by help() and inspect.
cohort_from_arrays.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in (
        "participants", "trigger_participant", "trigger_time_us", "trigger_offset_minutes", "trigger_intensity",
        "trigger_category", "reading_participant", "reading_time_us", "reading_offset_minutes", "reading_intensity",
        "reading_trigger")]
    + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
       for name in ("trigger_acted_on_urge", "trigger_acted_after_minutes")],
    return_annotation=Cohort)


__all__ = list(METRICS)  # listed once, in calmkit._metric_names

_CATEGORY_IDS = [c[0] for c in _core.trigger_categories()]
_GROUP_IDS = [g[0] for g in _core.trigger_groups()]
_DISTORTION_IDS = [d[0] for d in _core.distortions()]
_PERIODS = ("day", "week", "month")


def cohort(journal: Journal) -> Cohort:
    """The columnar form of ``journal``, the one its metrics use: the
    journal's own columns (a journal stores its records as columns), without a
    copy. It keeps the journal alive and shows every later ``add``."""
    return _core._cohort_of(journal)


def _cohort(data: Data) -> Cohort:
    if isinstance(data, Cohort):
        return data
    if isinstance(data, Journal):
        return _core._cohort_of(data)
    raise TypeError(f"expected a calmkit.Journal or calmkit.Cohort, got {type(data).__name__}")


def _participants(names: list[str], codes: np.ndarray) -> pd.Categorical:
    """Participant codes as a Categorical of ``names``: the names a compiled
    metric returned with its codes ("participants"), read in the same read of
    the journal (another thread's ``add`` renumbers the codes)."""
    return _frames.checked_categorical(codes, names)


def _category_codes(codes: np.ndarray) -> np.ndarray:
    """Category codes from C++ (uint8 or int16, 0-17 or -1) as the int8 codes
    a Categorical of the 18 categories keeps: uint8 ones without a copy."""
    return codes.view(np.int8) if codes.dtype == np.uint8 else codes.astype(np.int8)


def _categories(codes: np.ndarray) -> pd.Categorical:
    return _frames.checked_categorical(_category_codes(codes), _CATEGORY_IDS)


_GROUP_OF_CATEGORY = np.array([_GROUP_IDS.index(g[2]) for g in _core.trigger_categories()], dtype=np.int8)
# The fixed vocabularies' dtypes are made at import (kept by _frames): every
# episode frame has both columns, and the first Categorical a process makes
# also pays for pandas' first use of that path (about half a millisecond, on
# the first metric call otherwise).
_frames.checked_categorical(np.zeros(0, dtype=np.int8), _CATEGORY_IDS)
_frames.checked_categorical(np.zeros(0, dtype=np.int8), _GROUP_IDS)


def _groups_of(category_codes: np.ndarray) -> pd.Categorical:
    """The category group of each category code (relationship, life, inner)."""
    return _frames.checked_categorical(_GROUP_OF_CATEGORY[_category_codes(category_codes)], _GROUP_IDS)


_utc = _frames.utc_series
_dates = _frames.dates


def _every_participant(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``frame`` (one row per participant, in code order) with a row for each
    participant of ``names`` it lacks (one with no trigger, no thought record, no
    reading...): counts (the integer columns) 0, statistics (the float
    columns) NaN. Every participant of the journal then has a row, as in the
    zero-filled tables (trigger_frequency, record_counts, ...)."""
    n = len(names)
    codes = frame["participant"].cat.codes.to_numpy(np.int64)
    if len(codes) == n:
        return frame
    at = np.full(n, -1, dtype=np.int64)
    at[codes] = np.arange(len(codes))
    present = at >= 0
    cols: dict[str, Any] = {"participant": _participants(names, np.arange(n, dtype=np.int32))}
    for name in frame.columns.drop("participant"):
        v = frame[name].to_numpy()
        if v.dtype.kind not in "iuf":
            raise TypeError(f"column {name!r}: no empty value for dtype {v.dtype}")
        col = np.full(n, 0 if v.dtype.kind in "iu" else np.nan, dtype=v.dtype)
        col[present] = v[at[present]]
        cols[name] = col
    return _frames.frame(cols)


def _participant_frame(d: dict[str, Any], every: bool = False) -> pd.DataFrame:
    """The frame of a compiled per-participant metric (its dict ``d``): the
    participant codes named with the names the same call returned, then the
    other columns in their order; ``every``: a row for every participant of
    the journal (:func:`_every_participant`)."""
    names = d.pop("participants")
    cols: dict[str, Any] = {"participant": _participants(names, d.pop("participant"))}
    cols.update(d)
    frame = _frames.frame(cols)
    return _every_participant(frame, names) if every else frame


_BUILTIN_KEYS = ("participant", "category", *_PERIODS)


def _keys(by: Union[str, Iterable[str], None]) -> list[str]:
    """``by`` as a list of grouping names: None is none, a str one, any
    other iterable of str its items; a TypeError naming ``by`` otherwise."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, (bytes, bytearray)) or not isinstance(by, Iterable):
        raise TypeError(f"by must be a grouping name (str), a list of them or None, got {type(by).__name__} {by!r}"[:200])
    keys = list(by)
    bad = [k for k in keys if not isinstance(k, str)]
    if bad:
        raise TypeError(f"by must be a grouping name (str), a list of them or None; got {type(bad[0]).__name__} "
                        f"{bad[0]!r} in the list"[:200])
    return keys


def _by(by: Union[str, Iterable[str], None]) -> tuple[bool, str | None, bool]:
    keys = _keys(by)
    bad = [k for k in keys if k not in _BUILTIN_KEYS]
    if bad:
        raise ValueError(f"unknown grouping {bad!r}; use any of {sorted(_BUILTIN_KEYS)}")
    periods = [k for k in keys if k in _PERIODS]
    if len(periods) > 1:
        raise ValueError(f"group by one period at most, got {periods!r}")
    return "participant" in keys, (periods[0] if periods else None), "category" in keys


def _summary_frame(participants: list[str], d: dict[str, np.ndarray], by_p: bool, period: str | None, by_c: bool,
                   prefix: str = "") -> pd.DataFrame:
    cols: dict[str, Any] = {}
    if by_p:
        cols["participant"] = _frames.categorical(d[prefix + "participant"], participants)
    if period:
        cols["period_start"] = _dates(d[prefix + "period_start"])
    if by_c:
        cols["category"] = _categories(d[prefix + "category"])
    for name in ("episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high"):
        cols[name] = d[prefix + name]
    return _frames.frame(cols)


def _episode_parameters(threshold: Any, window_hours: Any, optional: bool = False) -> None:
    """TypeError for a ``threshold`` that is not a whole number (3.5, True,
    "3") or a ``window_hours`` that is not a number; the ranges (0-10, >= 0)
    are checked by the C++ core (ValueError). None only when ``optional``."""
    if not (optional and threshold is None) and (isinstance(threshold, (bool, np.bool_))
                                                 or not isinstance(threshold, (int, np.integer))):
        # the distress scale's rule in the model's words (Intensity): `must be an integer 0..10, got 3.5`
        raise TypeError(f"threshold {_core._integer_reason('intensity', threshold)}")
    if not (optional and window_hours is None) and (
            isinstance(window_hours, (bool, np.bool_))
            or not isinstance(window_hours, (int, float, np.integer, np.floating))):
        raise TypeError(f"window_hours must be a finite number of hours >= 0, got {window_hours!r} "
                        f"({type(window_hours).__name__})")


def time_to_calm(data: Data, threshold: int = 3, window_hours: float = 12) -> pd.DataFrame:
    """One row per episode (trigger): participant, trigger_id (the trigger's id;
    for a cohort from ``cohort_from_arrays`` its input row), onset (UTC),
    offset_minutes, category, group (the category's group), minutes (time-to-calm, or to censoring), calmed (False =
    right-censored), onset_intensity, peak_intensity, observations, with_exercise,
    threshold and window_hours (the parameters below, on every row, so that a
    concatenation of frames made with different ones is refused by the
    summaries; they are in ``attrs`` too).

    ``threshold``: calm is intensity <= threshold (0-10). ``window_hours``:
    unlinked readings count up to onset + window. Minutes and the window are
    measured between instants (UTC), whatever the offsets recorded.
    Definitions and references: docs/metrics.md; column types:
    docs/data-dictionary.md.

    Raises TypeError when ``data`` is not a Journal or Cohort, or
    ``threshold`` is not an integer / ``window_hours`` not a number; ValueError
    when ``threshold`` is outside 0-10 or ``window_hours`` is negative or not
    finite."""
    _episode_parameters(threshold, window_hours)
    c = _cohort(data)
    arrow = _frames.arrow_text()
    d = _core._metric_episodes(c, int(threshold), window_hours, arrow)
    names = d.pop("participants")
    # Journals name their triggers; a cohort built from arrays identifies each
    # trigger by its row in the arrays given to cohort_from_arrays (int64).
    # The ids stay in Arrow memory where pyarrow is installed: one Python str
    # per trigger cost more than the episodes themselves.
    if "source_row" in d:
        trigger_id = d["source_row"]
    elif arrow:
        trigger_id = _frames.utf8_text(d["trigger_id_offsets"], d["trigger_id_bytes"])
    else:
        trigger_id = _frames.text_objects(d["trigger_id"])
    frame = _frames.frame({
        "participant": _participants(names, d["participant"]),
        "trigger_id": trigger_id,
        "onset": _utc(d["onset_us"]),
        "offset_minutes": d["offset_minutes"],
        "category": _categories(d["category"]),
        "group": _groups_of(d["category"]),
        "minutes": d["minutes"],
        "calmed": d["calmed"].view(np.bool_),
        "onset_intensity": d["onset_intensity"],
        "peak_intensity": d["peak_intensity"],
        "observations": d["observations"],
        "with_exercise": d["with_exercise"].view(np.bool_),
        # The parameters that made each row, kept by any filtering, pd.concat
        # or CSV round trip: a summary refuses a frame that mixes them.
        "threshold": np.full(len(d["minutes"]), threshold, dtype=np.int8),
        "window_hours": np.full(len(d["minutes"]), float(window_hours)),
    }, copy=False)  # the arrays are fresh from C++ and owned by this frame alone
    # Also in attrs (pandas keeps attrs through filtering), for a frame whose
    # parameter columns were dropped.
    frame.attrs.update(threshold=threshold, window_hours=window_hours)
    return frame


# Columns of the summaries, KM curves and quantiles: a grouping key cannot share their names.
_RESULT_COLUMNS = frozenset({"episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high", "minutes",
                             "at_risk", "events", "survival", "p"})
_EPISODE_COLUMNS = ("participant", "onset", "offset_minutes", "category", "minutes", "calmed")


def _frame_parameter(frame: pd.DataFrame, name: str, grouped: bool) -> Any:
    """The ``threshold`` or ``window_hours`` an episode frame's rows were made
    with: its column (one value, or a ValueError naming the values mixed,
    unless the frame is grouped by that column), else its attrs, else None."""
    if name not in frame.columns:
        return frame.attrs.get(name)
    values = pd.unique(frame[name].to_numpy(dtype=object))
    known = [v for v in values if not pd.isna(v)]
    if len(values) > 1 and not grouped:
        shown = ", ".join(repr(float(v) if name == "window_hours" else int(v)) for v in known)
        if len(known) < len(values):
            shown += (", missing" if shown else "missing")
        raise ValueError(
            f"these episodes mix {name} values ({shown}), e.g. a pd.concat of time_to_calm frames made with "
            f"different parameters: their times to calm are not comparable; summarise one {name} at a time "
            f"(frame[frame['{name}'] == value]) or group by '{name}'")
    if len(values) == 1 and known:
        return int(known[0]) if name == "threshold" else float(known[0])
    return frame.attrs.get(name)


def _episode_arrays(frame: pd.DataFrame, threshold: int | None, window_hours: float | None,
                    grouped_by: Iterable[str] = ()) -> tuple[list[str], tuple[np.ndarray, ...]]:
    """The arrays of an episode frame (from :func:`time_to_calm`, possibly
    filtered), checked; participant categories keep their order."""
    # time_to_calm records its parameters in a column per row (kept by
    # filtering, pd.concat and a CSV round trip) and in frame.attrs: a frame is
    # summarised as it is, so its rows must share one threshold and window
    # (unless grouped by that column), and a threshold or window given here
    # must be the one the frame carries.
    for name, given in (("threshold", threshold), ("window_hours", window_hours)):
        used = _frame_parameter(frame, name, name in grouped_by)
        if given is None:
            continue
        if used is None:
            raise ValueError(f"{name}={given!r} was given with an episode frame that does not record its {name} "
                             f"(no '{name}' column and no attrs, e.g. a frame rebuilt by hand): an episode "
                             f"frame is summarised as it is; pass {name} to time_to_calm, or omit it here")
        if name in grouped_by and name in frame.columns and frame[name].nunique(dropna=False) > 1:
            raise ValueError(f"{name}={given!r} was given while grouping by '{name}': leave it out")
        if used != given:
            raise ValueError(f"these episodes were computed with {name}={used!r}, not {given!r}; pass the "
                             f"{name} to time_to_calm (an episode frame is summarised as it is)")
    missing = [k for k in _EPISODE_COLUMNS if k not in frame.columns]
    if missing:
        raise ValueError(f"episode frame lacks column(s) {missing}; expected the columns of calmkit.time_to_calm")
    if "trigger_id" in frame.columns:  # the same episode twice (pd.concat([e, e])) would narrow every CI
        same = [k for k in ("participant", "trigger_id", "threshold", "window_hours") if k in frame.columns]
        dup = frame.duplicated(same).to_numpy()
        if dup.any():
            row = int(np.flatnonzero(dup)[0])
            raise ValueError(f"episode frame row {row} (index {frame.index[row]!r}): participant "
                             f"{frame['participant'].iloc[row]!r}, trigger_id {frame['trigger_id'].iloc[row]!r} "
                             f"is there twice (e.g. pd.concat of the same episodes); count each episode once "
                             f"(frame.drop_duplicates({same!r}))")
    part = frame["participant"]
    if isinstance(part.dtype, pd.CategoricalDtype):
        codes, names = part.cat.codes.to_numpy(np.int32), [str(x) for x in part.cat.categories]
    else:
        codes, uniques = pd.factorize(part, sort=True)
        codes, names = codes.astype(np.int32), [str(x) for x in uniques]
    # Category codes of calmkit's vocabulary, -1 for unknown or missing names.
    category = frame["category"]
    if isinstance(category.dtype, pd.CategoricalDtype):  # map the few categories, not every row
        mapping = np.append(pd.Index(_CATEGORY_IDS).get_indexer(category.cat.categories), -1)
        cat = mapping[category.cat.codes.to_numpy()]  # code -1 (missing) picks the appended -1
    else:
        cat = pd.Index(_CATEGORY_IDS).get_indexer(category.astype(object))
    onset = frame["onset"]
    if not isinstance(onset.dtype, pd.DatetimeTZDtype):
        raise ValueError(f"episode frame column 'onset' must be a UTC datetime column, got {onset.dtype}")
    onset_us = onset.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)
    for name, bad in (("participant", codes < 0), ("category", cat < 0), ("onset", onset.isna().to_numpy()),
                      ("calmed", frame["calmed"].isna().to_numpy())):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"episode frame row {row} (index {frame.index[row]!r}), column '{name}': "
                             f"missing or unknown value {frame[name].iloc[row]!r}")
    # calmed must be True/False (or 1/0): a cast would turn 0.7 into 0 (censored) and "True" into a bare
    # int() error.
    calmed = pd.to_numeric(frame["calmed"], errors="coerce").to_numpy(np.float64)
    bad = ~((calmed == 0) | (calmed == 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"episode frame row {row} (index {frame.index[row]!r}), column 'calmed': "
                         f"{frame['calmed'].iloc[row]!r} is not True/False (or 1/0)")
    arrays = (codes, onset_us, frame["offset_minutes"].to_numpy(),
              cat.astype(np.uint8), frame["minutes"].to_numpy(np.float64),
              calmed.astype(np.uint8))
    return names, arrays


class _Summary:
    """A summary dict from C++ and how to name its key columns."""

    def __init__(self, names: list[str], d: dict[str, np.ndarray], by_p: bool, period: str | None, by_c: bool,
                 extra: pd.DataFrame | None = None) -> None:
        self.names, self.d, self.by_p, self.period, self.by_c, self.extra = names, d, by_p, period, by_c, extra

    def frame(self, prefix: str = "") -> pd.DataFrame:
        if self.extra is None:
            return _summary_frame(self.names, self.d, self.by_p, self.period, self.by_c, prefix)
        # The C++ "participant" codes number the groups of participant + the
        # extra keys; put those key columns back in their place.
        rows = self.d[prefix + "participant"]
        out = self.extra.iloc[rows].reset_index(drop=True)
        rest = _summary_frame(self.names, self.d, False, self.period, self.by_c, prefix)
        for name in rest.columns:
            out[name] = rest[name].to_numpy()
        return out


def _summary_dict(data: Union[Data, pd.DataFrame], threshold: int | None, window_hours: float | None,
                  by: Union[str, Iterable[str], None], tz: str | None, confidence: float,
                  curves: bool) -> _Summary:
    _episode_parameters(threshold, window_hours, optional=True)
    confidence = _confidence(confidence)
    if not isinstance(data, pd.DataFrame):  # a journal or cohort: the episodes are made here
        threshold = 3 if threshold is None else threshold
        window_hours = 12 if window_hours is None else window_hours
    keys = _keys(by)
    extra = [k for k in keys if k not in _BUILTIN_KEYS]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a grouping key is repeated in {keys!r}")
    by_p, period, by_c = _by([k for k in keys if k in _BUILTIN_KEYS])
    clash = [k for k in extra if k in _RESULT_COLUMNS]
    if clash:
        raise ValueError(f"cannot group by {clash[0]!r}: the summary has a result column of that name; group by "
                         f"a copy under another name, e.g. frame.assign(by_{clash[0]}=frame[{clash[0]!r}])")
    if extra:
        # Any other column of the episode frame ("group", a column the user
        # added such as first_and_latest(...)): the participant and these keys
        # are numbered together in Python and grouped as one code in C++;
        # rows with a missing key are left out (as pandas' groupby does).
        frame = data if isinstance(data, pd.DataFrame) else time_to_calm(data, threshold, window_hours)
        missing = [k for k in extra if k not in frame.columns]
        if missing:
            raise ValueError(f"unknown grouping {missing!r}: not a column of the episode frame; use any of "
                             f"{sorted(_BUILTIN_KEYS)} or a column of calmkit.time_to_calm's frame")
        frame = frame[frame[extra].notna().all(axis=1).to_numpy()]
        combined = (["participant"] if by_p else []) + extra
        groups = frame.groupby(combined, sort=True, observed=True, dropna=True)
        codes = groups.ngroup().to_numpy(np.int32)
        table = groups.size().index.to_frame(index=False)
        names, arrays = _episode_arrays(frame, threshold, window_hours, grouped_by=extra)
        arrays = (codes, *arrays[1:])
        d = _core._metric_summary_of_episodes(*arrays, True, period, by_c, _zone_text(tz), confidence, curves)
        return _Summary(names, d, False, period, by_c, table)
    if isinstance(data, pd.DataFrame):
        names, arrays = _episode_arrays(data, threshold, window_hours)
        d = _core._metric_summary_of_episodes(*arrays, by_p, period, by_c, _zone_text(tz), confidence, curves)
        return _Summary(names, d, by_p, period, by_c)
    c = _cohort(data)
    d = _core._metric_time_to_calm_summary(c, threshold, window_hours, by_p, period, by_c, _zone_text(tz), confidence, curves)
    return _Summary(d.pop("participants"), d, by_p, period, by_c)


def time_to_calm_summary(data: Union[Data, pd.DataFrame], by: Union[str, Iterable[str], None] = "participant",
                         threshold: int | None = None, window_hours: float | None = None, tz: str | None = None,
                         confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier summary of time-to-calm per group.

    ``data``: a journal or cohort (episodes are computed with ``threshold``,
    default 3, and ``window_hours``, default 12), or the episode frame of
    :func:`time_to_calm`, whole or filtered, summarised as it is without
    recomputing the episodes. A frame's rows must share one threshold and
    one window_hours (its columns of those names; ValueError for a mix, e.g.
    ``pd.concat`` of frames made with different ones, unless grouped by that
    column), and the same episode may appear once. For a frame, leave
    ``threshold`` and ``window_hours`` out: given, each must equal what the
    frame's columns (or, without them, its ``attrs``) record, else
    ValueError, also when the frame records neither.
    A grouping key named like a result column ("calmed", "minutes", ...) is
    refused: group by a copy under another name.
    ``by``: any of "participant", "week" / "month" / "day" (of the onset's
    local date), "category", any other column of the episode frame ("group",
    "with_exercise", a column the user adds such as :func:`first_and_latest`;
    rows with a missing value left out), or a list of them; ``None`` or
    ``[]`` pools everything. Episodes are always made within each
    participant's own records; ``by`` only decides which share a curve. Columns: the keys (``period_start`` for a period), episodes,
    calmed, censored, median_minutes, ci_low, ci_high (Brookmeyer-Crowley with
    the log-log Greenwood band; NaN where undefined). ``tz``: a time zone
    (an IANA name or a POSIX TZ rule, :class:`calmkit.TimeZone`) for local
    dates instead of each event's own offset.

    Rows: one per group with at least one episode, except ``by="participant"``
    alone on a journal or cohort: then every participant of the journal has a
    row, one without triggers with episodes, calmed and censored 0 and
    median_minutes, ci_low, ci_high NaN (as :func:`trigger_frequency` and
    :func:`record_counts` list everyone). An episode frame is summarised as
    it is: its groups with episodes (a filtered frame keeps only its own
    participants)."""
    s = _summary_dict(data, threshold, window_hours, by, tz, confidence, False)
    out = s.frame()
    if _every_participant_rows(data, by):
        out = _every_participant(out, s.names)
    return out


def _every_participant_rows(data: Union[Data, pd.DataFrame], by: Union[str, Iterable[str], None]) -> bool:
    """Whether a summary of ``data`` grouped ``by`` lists every participant of
    the journal: grouped by participant alone, on a journal or cohort."""
    return not isinstance(data, pd.DataFrame) and _keys(by) == ["participant"]


def km_curve(data: Union[Data, pd.DataFrame], by: Union[str, Iterable[str], None] = "participant",
             threshold: int | None = None, window_hours: float | None = None, tz: str | None = None,
             confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan-Meier step function per group: the group keys (``participant``
    with the default ``by``), then minutes,
    at_risk, events (calmed at that time), censored, survival (share not yet
    calm just after that time) and its pointwise log-log band ci_low, ci_high.
    ``data`` and ``by`` as for :func:`time_to_calm_summary`."""
    s = _summary_dict(data, threshold, window_hours, by, tz, confidence, True)
    d = s.d
    groups = s.frame(prefix="group_")
    keys = groups.drop(columns=["episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high"])
    out = keys.iloc[d["group"]].reset_index(drop=True)
    for name in ("minutes", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"):
        out[name] = d[name]
    return out


def km_quantiles(data: Union[Data, pd.DataFrame], p: Union[float, Iterable[float]] = (0.25, 0.5, 0.75),
                 by: Union[str, Iterable[str], None] = "participant", threshold: int | None = None,
                 window_hours: float | None = None, tz: str | None = None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier quantiles of time-to-calm per group, with their intervals.

    The p-quantile is the smallest observed time (minutes) with S(t) <= 1 - p:
    by then a share p of the group's episodes had calmed. It is decided
    exactly from the counts as the median is (an exact S = 0.75 makes that
    time the 0.25-quantile), and NaN when S never gets down to 1 - p (too
    much censoring). ci_low, ci_high: the Brookmeyer-Crowley interval at
    ``confidence``, from the log-log Greenwood band (the smallest times whose
    lower and upper band are <= 1 - p; NaN where undefined). p = 0.5 is
    :func:`time_to_calm_summary`'s median_minutes, ci_low and ci_high.
    R: ``quantile(survfit(Surv(minutes, calmed) ~ 1, conf.type = "log-log", timefix = FALSE),
    probs = p)``
    agrees except where S is flat at exactly 1 - p (R takes the midpoint of
    that stretch; docs/metrics.md).

    ``data``, ``by``, ``threshold``, ``window_hours``, ``tz`` and
    ``confidence`` as for :func:`time_to_calm_summary`. ``p``: one
    probability or several, each in (0, 1) (ValueError otherwise), each read
    as the decimal it prints as in its own precision: 0.9 is 9/10, and a
    NumPy ``float32`` 0.1 (``np.float32(0.1)``, which holds
    0.100000001490116...) is the 0.1 it was written as, so it decides an
    exact S = 0.9 as 0.1 does. Columns:
    the group keys, p, minutes, ci_low, ci_high; one row per group and p,
    the probabilities in the order given. The groups are those of
    :func:`time_to_calm_summary`: with ``by="participant"`` on a journal,
    every participant, one without episodes with NaN minutes and interval.

    Example::

        calmkit.km_quantiles(journal, p=[0.25, 0.5, 0.75], by="participant")
    """
    one = p is None or np.isscalar(p) or not isinstance(p, Iterable)
    if not one and np.ndim(p) > 1:
        raise ValueError(f"p must be one probability or a flat list of them, got an array of shape {np.shape(p)}")
    ps = [_probability(p)] if one else [_probability(x) for x in p]  # type: ignore[union-attr]
    if not ps:
        raise ValueError("p must name at least one probability")
    bad = [x for x in ps if not 0.0 < x < 1.0]
    if bad:
        raise ValueError(f"every p must be in (0, 1), got {bad[0]!r}")
    s = _summary_dict(data, threshold, window_hours, by, tz, confidence, True)
    q = _core._metric_km_quantiles(s.d, ps)
    groups = s.frame(prefix="group_")
    keys = groups.drop(columns=["episodes", "calmed", "censored", "median_minutes", "ci_low", "ci_high"])
    out = keys.iloc[q["group"]].reset_index(drop=True)
    for name in ("p", "minutes", "ci_low", "ci_high"):
        out[name] = q[name]
    if _every_participant_rows(data, by):
        names = s.names
        n, k = len(names), len(ps)
        if len(out) < n * k:  # a row per participant and p; NaN where a participant has no episode
            full = np.full(n * k, -1, dtype=np.int64)
            full[out["participant"].cat.codes.to_numpy(np.int64) * k + np.arange(len(out)) % k] = np.arange(len(out))
            have = full >= 0
            cols: dict[str, Any] = {"participant": _participants(names, np.repeat(np.arange(n, dtype=np.int32), k)),
                                    "p": np.tile(np.asarray(ps, dtype=np.float64), n)}
            for name in ("minutes", "ci_low", "ci_high"):
                col = np.full(n * k, np.nan)
                col[have] = out[name].to_numpy(np.float64)[full[have]]
                cols[name] = col
            out = _frames.frame(cols)
    return out


def _whole(value: Any, name: str, low: int, high: int | None, unit: str) -> int:
    """``value`` as an int when it is a whole number (not a bool) in [low, high]; a
    ValueError naming ``name`` otherwise (pybind11 would refuse 2.5 with its C++ signature)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        where = f"{low}-{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be a whole number of {unit} {where}, got {value!r}")
    return int(value)


def _confidence(value: Any) -> float:
    """A confidence level as a float: a real number (not a bool) in (0, 1), or a
    ValueError naming ``confidence`` (pybind11 would refuse text with its C++
    signature)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
            0.0 < float(value) < 1.0):
        raise ValueError(f"confidence must be a number in (0, 1), such as 0.95, got {value!r}")
    return float(value)


#: The longest ``k`` (weeks) trigger_trend passes on: far beyond the longest
#: span a zero-filled table takes (100 years, 5,219 weeks), so a longer k
#: gives the same counts, and far below the C++ int it becomes.
_MAX_K_WEEKS = 1_000_000


def _probability(x: Any) -> float:
    """A probability as the decimal it prints as in its own precision: a NumPy
    float16/float32 (np.float32(0.1) holds 0.100000001490116...) becomes the
    double of its shortest repr (0.1), the value its writer meant; anything
    else goes through float(). A ValueError naming ``p`` for anything but a
    real number (text, bytes, None, a bool), in the words of the
    ``confidence`` check."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise ValueError(f"p must be a number in (0, 1), such as 0.5, or a list of them, got {x!r}"[:200])
    if isinstance(x, np.floating) and np.finfo(x.dtype).bits < 64:
        return float(str(x))
    return float(x)


def first_and_latest(episodes: pd.DataFrame, weeks: float = 4) -> pd.Series:
    """Which episodes began in each participant's first ``weeks`` weeks and
    which in their latest ``weeks`` weeks: a Categorical Series aligned with
    ``episodes`` (a :func:`time_to_calm` frame) with categories "first",
    "latest" and NA for episodes in neither.

    The weeks are counted from each participant's own first onset (first:
    onset < first + weeks) and back from their own last onset (latest: onset
    >= last - weeks), so people who started at different times are compared
    over the same stretch of their own journal. A participant whose onsets
    span less than 2 x ``weeks`` is split into halves instead (first: before
    the middle of their span, latest: from the middle on), so the two never
    overlap. A participant whose onsets span no time (a single trigger, or
    all at one instant) has no first and latest to compare: NA for all their
    episodes, so that pooled comparisons are of people's own first and
    latest weeks. ``result.attrs["days"]`` gives the length in days of each
    participant's first and latest window ({participant: days}). ValueError
    for a ``weeks`` that is not a positive number, or so long that twice it
    does not fit in a pandas Timedelta (about 7,600 weeks).

    Example::

        eps = calmkit.time_to_calm(journal)
        eps["weeks"] = calmkit.first_and_latest(eps, weeks=4)
        calmkit.time_to_calm_summary(eps, by="weeks")                    # pooled
        calmkit.time_to_calm_summary(eps, by=["participant", "weeks"])   # per person
    """
    if isinstance(weeks, bool) or not isinstance(weeks, (int, float, np.integer, np.floating)) or not (
            weeks > 0 and np.isfinite(float(weeks) if weeks < 1e308 else np.inf)):
        raise ValueError(f"weeks must be a positive number, got {weeks!r}")
    try:  # twice the window must fit too: the split of a short span compares with it
        window = pd.Timedelta(weeks=weeks)
        twice = 2 * window
    except (OverflowError, ValueError):
        raise ValueError(f"weeks={weeks!r} is too long: twice it must fit in a pandas Timedelta (about 7,600 "
                         "weeks, 146 years); a window longer than the journal is the whole journal") from None
    if not isinstance(episodes, pd.DataFrame):
        raise TypeError(f"first_and_latest() needs the episode DataFrame of calmkit.time_to_calm, got "
                        f"{type(episodes).__name__}")
    for name in ("participant", "onset"):
        if name not in episodes.columns:
            raise ValueError(f"episode frame lacks column {name!r}; expected the columns of calmkit.time_to_calm")
    onset = episodes["onset"]
    part = episodes["participant"].astype(object)
    first = onset.groupby(part, sort=False).transform("min")
    last = onset.groupby(part, sort=False).transform("max")
    span = last - first
    short = span < twice
    length = (span / 2).where(short, window)  # the window: half a short span, else `weeks`
    is_first = (onset < first + length).to_numpy()
    # A participant whose onsets span no time (one trigger, or all at one
    # instant) has no first and latest weeks to compare: neither (B290; the
    # halves rule would put all of them in "latest", which, pooled, compared
    # other people's first weeks with these people's episodes).
    is_latest = (onset >= last - length).to_numpy() & ~is_first & (span > pd.Timedelta(0)).to_numpy()
    labels = np.where(is_first, 0, np.where(is_latest, 1, -1))
    out = pd.Series(pd.Categorical.from_codes(labels, categories=["first", "latest"]), index=episodes.index,
                    name="first_and_latest")
    days = (length / pd.Timedelta(days=1)).groupby(part, sort=False).first()
    out.attrs["days"] = {str(k): float(v) for k, v in days.items()}
    return out


def _by_participant(by: str | None) -> bool:
    need_choice(by, "by", ("participant", None))
    if by not in ("participant", None):
        raise ValueError(f"by must be 'participant' or None (pooled), got {by!r}")
    return by == "participant"


_FREQ = {"day": "D", "week": "7D", "month": "MS"}


def analysis_frame(journal: Journal, threshold: int = 3, window_hours: float = 12,
                   weeks: float = 4) -> pd.DataFrame:
    """One row per episode with the covariates of a cohort-level analysis
    (the input of :mod:`calmkit.stats`): the columns of :func:`time_to_calm`
    and

    - ``local_hour`` (0-23) and ``weekday`` (0 = Monday ... 6 = Sunday) of the
      onset on the wall clock recorded with the trigger (its own UTC offset);
    - ``exercises``: the exercise ids of the sessions linked to the trigger,
      sorted, joined with ";" ("" for none), and ``n_exercises`` (sessions);
    - ``days_since_first`` (days, float) from the participant's first record
      of any type to the onset, and ``week`` = floor of it / 7 (0 = the
      participant's first week of journaling);
    - ``first_and_latest``: :func:`first_and_latest` with ``weeks``.

    ``observations`` (already a column) counts the readings and ratings the
    episode was judged on. A Journal only (a Cohort has no exercise links)."""
    need_journal(journal, "analysis_frame")
    eps = time_to_calm(journal, threshold, window_hours)
    # The offset in microseconds: a [ns] timedelta would turn the sum into [ns], which ends in 2262 (the reader
    # accepts years 1400..9999).
    offset = (eps["offset_minutes"].to_numpy(np.int64) * 60_000_000).astype("timedelta64[us]")
    local = eps["onset"].dt.tz_localize(None) + offset
    eps["local_hour"] = local.dt.hour.astype(np.int8)
    eps["weekday"] = local.dt.day_of_week.astype(np.int8)
    ex = journal.exercises.to_pandas()
    linked = ex[ex["trigger"].fillna("").astype(str) != ""]
    keys = pd.MultiIndex.from_arrays([eps["participant"].astype(str), eps["trigger_id"].astype(str)])
    if len(linked):
        grouped = linked.groupby([linked["participant"].astype(str), linked["trigger"].astype(str)])["exercise"]
        ids = grouped.agg(lambda x: ";".join(sorted(set(map(str, x)))))
        eps["exercises"] = pd.array(ids.reindex(keys).fillna("").to_numpy(), dtype="string")
        eps["n_exercises"] = grouped.size().reindex(keys).fillna(0).to_numpy(np.int64)
    else:
        eps["exercises"] = pd.array([""] * len(eps), dtype="string")
        eps["n_exercises"] = np.zeros(len(eps), dtype=np.int64)
    firsts = [t.to_pandas()[["participant", "time"]] for t in (journal.triggers, journal.readings,
                                                                journal.exercises, journal.thought_records,
                                                                journal.assessments)]
    present = [f for f in firsts if len(f)]
    every = pd.concat(present) if present else firsts[0]  # an empty journal: the empty frame, columns kept
    first = every.groupby(every["participant"].astype(str))["time"].min()
    # reindex, not map: pandas 3's map with an empty Series of times (an empty journal) fails casting it to float.
    start = pd.Series(first.reindex(eps["participant"].astype(str)).array, index=eps.index)
    eps["days_since_first"] = ((eps["onset"] - pd.to_datetime(start, utc=True)) / pd.Timedelta(days=1)).astype(
        np.float64)
    eps["week"] = np.floor(eps["days_since_first"] / 7).astype(np.int64)
    eps["first_and_latest"] = first_and_latest(eps, weeks=weeks)
    return eps


def episodes_by_exercise(frame: pd.DataFrame, none: str = "none") -> pd.DataFrame:
    """The episodes of :func:`analysis_frame` once per exercise id used in
    them (column ``exercise``; episodes without an exercise once, as
    ``none``), for grouping by exercise id::

        calmkit.time_to_calm_summary(calmkit.episodes_by_exercise(frame), by="exercise")

    An episode with two exercises is in both groups (as in
    :func:`exercise_effectiveness`, whose ``median_minutes_with`` and
    ``median_minutes_without`` these groups reproduce), so the groups are
    not disjoint and not to be compared with a test that assumes they are.

    ``none`` is the label of the episodes without an exercise: text (str),
    not empty nor only spaces, and not an exercise id used in ``frame`` (that
    would pool those episodes into the exercise's group). Anything else is a
    TypeError (not text: ``None`` is no way to drop them; filter
    ``frame[frame["n_exercises"] > 0]`` first) or a ValueError naming
    ``none``; a ``frame`` that is no DataFrame is a TypeError."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"episodes_by_exercise() needs the DataFrame of calmkit.analysis_frame, got "
                        f"{type(frame).__name__}")
    if "exercises" not in frame.columns:
        raise ValueError("episode frame lacks column 'exercises'; use calmkit.analysis_frame")
    if not isinstance(none, str):
        raise TypeError(f"none= must be text (str), the label of the episodes without an exercise, got "
                        f"{type(none).__name__} {none!r}"[:200] + "; to leave those episodes out, filter "
                        "frame[frame['n_exercises'] > 0] first")
    if not none.strip():
        raise ValueError(f"none= must be a label that shows (not empty nor only spaces), got {none!r}")
    ids = frame["exercises"].fillna("").astype(str).str.split(";")
    if any(none in v for v in ids):
        raise ValueError(f"none={none!r} is an exercise id used in the frame: the episodes without an "
                         "exercise would be pooled with its episodes; pick another label")
    out = frame.assign(exercise=[[x for x in v if x] or [none] for v in ids]).explode("exercise")
    out["exercise"] = out["exercise"].astype("string")
    out.attrs.update(frame.attrs)
    return out


#: The longest span, in years, over which a per-period table is zero-filled
#: (the C++ ``calmkit::metrics::detail::max_fill_years``; see docs/metrics.md).
MAX_FILL_YEARS = 100



def _check_pooled_span(first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Each participant's span is within the limit (checked in C++); the cohort's, pooled, may not be."""
    if (last - first).days > MAX_FILL_YEARS * 366:
        raise ValueError(f"the cohort's records run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, more than "
                         f"{MAX_FILL_YEARS} years, too long for a pooled zero-filled table: correct the record "
                         "with the outlying date (a mistyped year?) or pool a shorter time range")


def trigger_frequency(data: Data, period: str = "week", by_category: bool = False, by_group: bool = False,
                      tz: str | None = None, by: str | None = "participant") -> pd.DataFrame:
    """Trigger counts per participant and local day / ISO week / month,
    zero-filled from the period of the participant's first record (any type)
    to that of their last. Columns: participant, period_start, [category],
    [group], count, mean_intensity (mean distress at onset of those
    triggers, 0-10; NaN when count is 0). With ``by_category`` every category gets a row (zeros
    included); with ``by_group`` (alone) every group does.

    ``by=None`` pools the cohort: the sum of everyone's counts per period
    (no participant column), zero-filled from the first period of anyone's
    span to the last (a period inside no one's span is a 0)."""
    need_choice(period, "period", _PERIODS)
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {_PERIODS}, got {period!r}")
    per_participant = _by_participant(by)
    need_flag(by_category, "by_category")
    need_flag(by_group, "by_group")
    c = _cohort(data)
    split = "category" if by_category else "group" if by_group else "none"
    d = _core._metric_trigger_frequency(c, period, split, _zone_text(tz))
    names = d.pop("participants")
    cols: dict[str, Any] = {
        "participant": _participants(names, d["participant"]),
        "period_start": _dates(d["period_start"]),
    }
    if by_category:
        cols["category"] = _categories(d["split"])
        if by_group:
            cols["group"] = _groups_of(d["split"])
    elif by_group:
        cols["group"] = _frames.categorical(d["split"], _GROUP_IDS)
    cols["count"] = d["count"]
    cols["mean_intensity"] = d["mean_intensity"]
    frame = _frames.frame(cols)
    if per_participant:
        return frame
    keys = [k for k in ("period_start", "category", "group") if k in frame.columns]
    # The pooled mean is the mean over everyone's triggers of the period: the
    # per-participant means weighted by their counts.
    weighted = frame.assign(_sum=frame["mean_intensity"].fillna(0.0) * frame["count"])
    sums = weighted.groupby(keys, sort=True, observed=True)[["count", "_sum"]].sum()
    pooled = sums["count"]
    if frame.empty:
        return pooled.reset_index().assign(mean_intensity=np.zeros(0))
    first, last = frame["period_start"].min(), frame["period_start"].max()
    _check_pooled_span(first, last)
    starts = pd.date_range(first, last, freq=_FREQ[period], unit="s")  # [ns] would end in 2262
    if len(keys) == 1:
        full = pd.Index(starts, name="period_start")
    else:  # every category (group) in every period, as the per-participant rows have them
        splits = frame[keys[1:]].drop_duplicates().sort_values(keys[1:])
        full = pd.MultiIndex.from_tuples([(p, *row) for p in starts for row in splits.itertuples(index=False)],
                                         names=keys)
    out = sums.reindex(full, fill_value=0).reset_index()
    for k in keys:  # the dtypes of the per-participant rows (a MultiIndex of dates comes back in [ns])
        out[k] = out[k].astype(frame[k].dtype)
    out["count"] = out["count"].astype(frame["count"].dtype)
    out["mean_intensity"] = np.where(out["count"] > 0, out["_sum"] / out["count"].where(out["count"] > 0, 1), np.nan)
    return out.drop(columns="_sum")


def trigger_trend(data: Data, k: int = 4, tz: str | None = None, confidence: float = 0.95,
                  by: str | None = "participant") -> pd.DataFrame:
    """Per participant: triggers in the last ``k`` ISO weeks of their span
    (last_k_count) and the ``k`` before (prev_k_count), and the days of the
    span inside each (last_k_days, prev_k_days); rate_ratio, the
    exposure-adjusted ratio of the two rates per day (NaN with fewer than
    2k weeks), with its interval for overdispersed counts rr_ci_low,
    rr_ci_high: the exact conditional (Clopper & Pearson 1934) interval of
    the counts divided by rr_dispersion (t / z)^2 (Korn & Graubard 1998),
    rr_dispersion the Pearson dispersion of the last 2k weekly counts around
    the two rates, t on 2k - 2 degrees of freedom (both NaN with k = 1); the
    quasi-Poisson log-linear slope of weekly counts (McCullagh & Nelder 1989,
    4.5; R's ``glm(family = quasipoisson)``): slope_per_week (log rate per
    week) with offset log(days observed / 7), its SE slope_se (the Poisson
    SE times sqrt(dispersion)), interval slope_ci_low, slope_ci_high (t on
    weeks - 2 degrees of freedom) and dispersion, Pearson X^2 / (weeks - 2)
    (1 for Poisson counts, above 1 for bursts; not floored at 1; NaN, as the
    SE and interval, with 2 weeks); weekly_change_pct = 100 (exp(slope) - 1);
    fitted_first and fitted_last, the fitted triggers per full week of that
    model in the first and last week of the span (NaN with no slope); weeks
    in the span (docs/metrics.md). A partial first or last week (the
    journal starts or ends mid-week) is weighted by its observed days, so it
    does not read as a drop or a rise. ``k``: a whole number of weeks >= 1
    (ValueError otherwise).

    ``by=None``: one row for the pooled weekly counts of
    ``trigger_frequency(data, by=None)``, each week's exposure the
    participants' observed days in it summed (the same C++ code)."""
    k = min(_whole(k, "k", 1, None, "weeks"), _MAX_K_WEEKS)
    confidence = _confidence(confidence)
    if _by_participant(by):
        return _participant_frame(_core._metric_trigger_trend(_cohort(data), k, _zone_text(tz), confidence))
    d = _core._metric_trigger_trend(_cohort(data), k, _zone_text(tz), confidence, True)
    d.pop("participants")
    d.pop("participant")
    return _frames.frame(d)


def trigger_trend_weeks(data: Data, tz: str | None = None, confidence: float = 0.95,
                        by: str | None = "participant") -> pd.DataFrame:
    """The weekly series :func:`trigger_trend` fits and its fitted line with
    the pointwise band, week by week: one row per participant and ISO week
    of their span (zero weeks included). Columns: participant, period_start
    (the Monday), count (triggers), days (days of the week inside the span,
    the fit's exposure), fitted (triggers per full week the log-linear model
    gives for that week: fitted_first and fitted_last of trigger_trend at the
    ends), fitted_ci_low and fitted_ci_high (its quasi-Poisson Wald interval
    on the log scale at ``confidence``, t on weeks - 2 degrees of freedom, as
    statsmodels' GLM ``fit(scale="X2", use_t=True).get_prediction`` gives).
    The fitted columns are NaN where trigger_trend has no slope, the interval
    also with 2 weeks.

    ``by=None``: the pooled series of ``trigger_trend(data, by=None)`` (no
    participant column; a week nobody is observed in has days 0)."""
    pooled = not _by_participant(by)
    confidence = _confidence(confidence)
    d = _core._metric_trigger_trend_weeks(_cohort(data), _zone_text(tz), confidence, pooled)
    d["period_start"] = _dates(d["period_start"])
    if not pooled:
        return _participant_frame(d)
    d.pop("participants")
    d.pop("participant")
    return _frames.frame(d)


def peak_intensity(data: Data, threshold: int = 3, window_hours: float = 12) -> pd.DataFrame:
    """Peak intensity per episode (max of the onset and its observations, 0-10):
    the columns participant, trigger_id, onset (UTC), category,
    onset_intensity and peak_intensity (int8, 0-10) of :func:`time_to_calm`,
    one row per trigger. Raises as :func:`time_to_calm` does."""
    return time_to_calm(data, threshold, window_hours)[
        ["participant", "trigger_id", "onset", "category", "onset_intensity", "peak_intensity"]]


def peak_trend(data: Data, threshold: int = 3, window_hours: float = 12, confidence: float = 0.95,
               by: str | None = "participant") -> pd.DataFrame:
    """Least-squares slope of peak intensity on weeks since the first onset,
    per participant, with SE and t interval (intensity points per week).
    Columns: [participant], episodes, mean_peak (0-10), slope_per_week,
    slope_se, slope_ci_low, slope_ci_high (points per week), intercept (the
    fitted line at the first onset, 0-10 scale; NaN with no slope) and
    span_weeks (first to last onset, weeks): the line runs from intercept to
    intercept + slope_per_week * span_weeks. Every participant of the
    journal has a row; one without triggers has episodes 0 and NaN elsewhere.

    ``by=None``: one row for the cohort, the within-person slope: how each
    person's peak changes per week, pooled over people (the fixed-effects
    "within" estimator, Wooldridge 2010, ch. 10.5; statsmodels'
    ``ols("peak ~ weeks + C(participant)")``), weeks counted from the
    cohort's first onset. Its SE is clustered by participant (CR1, as
    statsmodels' ``cov_type="cluster"``) and its interval uses t on
    participants - 1 degrees of freedom, so people who differ in level or
    joined on different dates do not make a trend when no one changes, and
    one person's many episodes count as one person's evidence. intercept is
    the line through the cohort's mean peak at its mean week with that
    slope; NaN slope when each participant's episodes all have one onset
    time (no one's weeks vary), NaN SE and interval with fewer
    than 2 participants with episodes or no residual degrees of freedom
    (episodes <= participants + 1). Each episode's peak is computed within
    its own participant's records, as per participant."""
    _episode_parameters(threshold, window_hours)
    confidence = _confidence(confidence)
    if _by_participant(by):
        return _participant_frame(_core._metric_peak_trend(_cohort(data), threshold, window_hours, confidence),
                                  every=True)
    eps = time_to_calm(data, threshold, window_hours)
    us = eps["onset"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)
    x = (us - us.min()).astype(np.float64) / (7.0 * 86_400_000_000.0) if len(us) else np.zeros(0)
    y = eps["peak_intensity"].to_numpy(np.float64)
    group = pd.factorize(eps["participant"])[0].astype(np.int32)
    sl = _core._stats_within_ols_slope(x, y, group, confidence)
    return _frames.frame({"episodes": np.array([len(y)], dtype=np.int64),
                         "mean_peak": [y.mean() if len(y) else np.nan], "slope_per_week": [sl["slope"]],
                         "slope_se": [sl["se"]], "slope_ci_low": [sl["low"]], "slope_ci_high": [sl["high"]],
                         "intercept": [sl["intercept"]], "span_weeks": [x.max() if len(x) else np.nan]})


def exercise_effectiveness(data: Data, threshold: int = 3, window_hours: float = 12,
                           by_participant: bool = False) -> pd.DataFrame:
    """Per exercise id (and participant when asked): sessions, rated (sessions
    with both ratings), mean_change and median_change of intensity_before -
    intensity_after (intensity points, 0-10 scale), and the Kaplan-Meier median
    time-to-calm in minutes of the episodes where it was used (episodes_with,
    median_minutes_with) vs episodes with no exercise at all (episodes_without,
    median_minutes_without); NaN where the median is not reached. Rows
    ordered by participant (with ``by_participant``), then exercise id."""
    _episode_parameters(threshold, window_hours)
    need_flag(by_participant, "by_participant")
    c = _cohort(data)
    d = _core._metric_exercise_effectiveness(c, threshold, window_hours, bool(by_participant))
    names = d.pop("participants")
    cols: dict[str, Any] = {}
    p = d.pop("participant")
    if by_participant:
        cols["participant"] = _participants(names, p)
    exercises = np.array(d.pop("exercise_names"), dtype=object)
    codes = d.pop("exercise")  # popped whatever happens, or update() below would put the codes back
    cols["exercise"] = pd.array(exercises[codes] if len(exercises) else [], dtype="string")
    cols.update(d)
    return _frames.frame(cols)


def thought_record_summary(data: Data, min_alternatives: int = 3, by: str | None = "participant") -> pd.DataFrame:
    """Thought records per participant (``by="participant"``: every
    participant of the journal, one without thought records with records,
    belief_rated and emotion_rated 0 and NaN elsewhere)
    or of every record together (``by=None``: one row, no participant column;
    each record counted once, as its own person wrote it).

    Columns: records; belief_rated (records with belief rated before and
    after); mean_belief_before, mean_belief_after (mean belief in the
    automatic thought over those records, 0-100 %); mean_belief_change,
    median_belief_change (before - after over those records, %-points);
    emotion_rated (records with an emotion re-rated); mean_emotion_change
    (mean over those records of each record's mean emotion change, %-points);
    share_min_alternatives (share of all records with at least
    ``min_alternatives`` alternative thoughts, 0-1). Means and medians are NaN
    when nothing is rated. A ValueError for another ``by`` or a
    ``min_alternatives`` that is not a whole number >= 0."""
    min_alternatives = _whole(min_alternatives, "min_alternatives", 0, None, "alternative thoughts")
    by_p = _by_participant(by)
    d = _core._metric_thought_record_summary(_cohort(data), min_alternatives, by_p)
    if by_p:
        return _participant_frame(d, every=True)
    del d["participants"], d["participant"]
    return _frames.frame(d)


def distortion_frequency(data: Data) -> pd.DataFrame:
    """Per participant with thought records and each of the 12 distortions
    (``calmkit.distortions()``): columns participant, distortion (categorical
    id), count (int64, records naming it) and share (float64, 0-1, of the
    participant's thought records)."""
    c = _cohort(data)
    d = _core._metric_distortion_frequency(c)
    names = d.pop("participants")
    return _frames.frame({
        "participant": _participants(names, d["participant"]),
        "distortion": pd.Categorical.from_codes(d["distortion"].astype(np.int16), categories=_DISTORTION_IDS),
        "count": d["count"],
        "share": d["share"],
    })


def window_of_uncertainty(data: Data, by: str = "participant", tz: str | None = None,
                          pooled: bool = False, weeks: int = 4) -> pd.DataFrame:
    """Urges not acted on and minutes before acting (a Journal or a Cohort).

    ``by``: "participant" (one row per participant with records), "week"
    (per participant and ISO week, zero-filled over their span: the trend) or
    "first_and_latest" (two rows per participant: their first ``weeks`` ISO
    weeks and their latest ``weeks``, k = min(weeks, max(1, n // 2)) of their
    n weeks, so the two share no week unless the span is one week).
    ``pooled=True``: every participant's urges together, no participant column
    (weekly rows from the first week of anyone's records to the last; each
    trigger is its own record, so pooling only adds the counts together).

    Columns: [participant], [window ("first" / "latest") and weeks (k) with
    "first_and_latest"], [period_start (the Monday of the week, or of the
    window's first week)], triggers, urge_recorded (triggers with
    acted_on_urge recorded), not_acted, share_not_acted (not_acted /
    urge_recorded, 0-1, NaN when none recorded), minutes_n, minutes_median,
    minutes_q1, minutes_q3 (minutes from onset until acting, type-7
    quantiles, NaN when none). A ValueError for another ``by`` or ``weeks < 1``."""
    need_choice(by, "by", ("participant", "week", "first_and_latest"))
    if by not in ("participant", "week", "first_and_latest"):
        raise ValueError(f"by must be 'participant', 'week' or 'first_and_latest', got {by!r}")
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise ValueError(f"weeks must be a whole number of weeks >= 1, got {weeks!r}")
    need_flag(pooled, "pooled")
    c = _cohort(data)
    windows = by == "first_and_latest"
    d = _core._metric_window_of_uncertainty(c, by == "week", _zone_text(tz), bool(pooled), int(weeks) if windows else None)
    names = d.pop("participants")
    cols: dict[str, Any] = {}
    codes = d.pop("participant")
    if not pooled:
        cols["participant"] = _participants(names, codes)
    if windows:
        cols["window"] = _frames.categorical(d.pop("window").astype(np.int8), ["first", "latest"])
        cols["weeks"] = d.pop("weeks")
    start = d.pop("period_start")
    if by != "participant":
        cols["period_start"] = _dates(start)
    cols.update(d)
    return _frames.frame(cols)


def trigger_weekday_hour(data: Journal, by: str | None = "participant", tz: str | None = None) -> pd.DataFrame:
    """Triggers by local weekday (0 = Monday ... 6 = Sunday) and hour (0-23):
    every one of the 168 cells per participant (``by=None``: pooled), zeros
    included. Columns: [participant], weekday, hour, count.

    The local time is the wall-clock time recorded with each trigger (its
    own UTC offset), or, with ``tz`` (an IANA name or a POSIX rule,
    docs/time-zones.md), the wall clock of that zone at the trigger's
    instant, as the other calendar metrics take it (``trigger_frequency``,
    ``practice_consistency``, ``record_counts``)."""
    per_participant = _by_participant(by)
    need_journal(data, "trigger_weekday_hour")
    tz = _zone_text(tz)
    t = data.triggers.to_pandas()
    local = t["local_time"]
    if tz is not None:  # the wall time in the zone: UTC + its offset at each instant
        time_us = t["time"].dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)
        local = pd.Series((time_us + TimeZone(tz).offsets_at(time_us) * 1_000_000).view("datetime64[us]"),
                          index=t.index)
    cell = (local.dt.day_of_week * 24 + local.dt.hour).to_numpy(np.int64)
    names = data.participants() if per_participant else [""]
    codes = (pd.Categorical(t["participant"].astype(object), categories=names).codes.astype(np.int64)
             if per_participant else np.zeros(len(t), dtype=np.int64))
    counts = np.bincount(codes * 168 + cell, minlength=168 * len(names)).astype(np.int64)
    cells = np.arange(168 * len(names))
    cols: dict[str, Any] = {}
    if per_participant:
        cols["participant"] = pd.Categorical.from_codes((cells // 168).astype(np.int32), categories=names)
    cols.update(weekday=(cells % 168 // 24).astype(np.int8), hour=(cells % 24).astype(np.int8), count=counts)
    return _frames.frame(cols)


#: The record tables of a journal, in the order of :func:`record_counts`' columns.
_RECORD_TABLES = ("triggers", "readings", "exercises", "thought_records", "assessments")


def record_counts(data: Journal, by: str | None = "participant", tz: str | None = None) -> pd.DataFrame:
    """Each participant's span and records (``by=None``: one row for the
    whole journal, no participant column): first_local_date and
    last_local_date (the first and last local date of a record of any type,
    as naive ``datetime64[s]`` midnights like ``period_start``; at each
    record's own UTC offset, or in the zone ``tz`` when given: an IANA name
    or a POSIX rule, docs/time-zones.md), days (first to last, both counted),
    then the number of triggers, readings, exercises (sessions, completed or
    not), thought_records and assessments. A participant of the journal with
    no record has no row; an empty journal gives no row."""
    per_participant = _by_participant(by)
    need_journal(data, "record_counts")
    tz = _zone_text(tz)
    zone = TimeZone(tz) if tz is not None else None
    frames = {name: getattr(data, name).to_pandas()[["participant", "time", "local_time"]] for name in _RECORD_TABLES}
    every = pd.concat([f.assign(table=name) for name, f in frames.items()], ignore_index=True)
    key = every["participant"].astype(str) if per_participant else pd.Series("", index=every.index)
    local = every["local_time"]
    # An exercise session's end is a record's time too, on its own wall clock
    # (end_offset_minutes), as in the zero-filled spans of the other metrics.
    ex = data.exercises.to_pandas()
    # In int64 microseconds: pandas 2's timedeltas are nanoseconds, and the sum
    # would leave their years (1677..2262) for a journal in 1500 or 2300.
    end_us = ex["end"].dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)
    end_offset_us = ex["end_offset_minutes"].to_numpy(np.int64) * 60_000_000
    if zone is not None:  # the wall time in the zone: UTC + its offset at each instant
        time_us = every["time"].dt.tz_localize(None).to_numpy("datetime64[us]").view(np.int64)
        local = pd.Series((time_us + zone.offsets_at(time_us) * 1_000_000).view("datetime64[us]"), index=every.index)
        end_offset_us = zone.offsets_at(end_us) * 1_000_000
    end_local = pd.Series((end_us + end_offset_us).view("datetime64[us]"), index=ex.index)
    days = local.dt.normalize()
    end_key = ex["participant"].astype(str) if per_participant else pd.Series("", index=ex.index)
    span = pd.concat([days, end_local.dt.normalize().astype(days.dtype)], ignore_index=True).groupby(
        pd.concat([key, end_key], ignore_index=True), sort=False).agg(["min", "max"])
    counts = pd.crosstab(key, every["table"]).reindex(columns=list(_RECORD_TABLES), fill_value=0)
    names = [p for p in data.participants() if p in span.index] if per_participant else list(span.index)
    span, counts = span.reindex(names), counts.reindex(names)
    cols: dict[str, Any] = {}
    if per_participant:
        cols["participant"] = pd.Categorical(names, categories=data.participants())
    cols["first_local_date"] = span["min"].to_numpy(dtype="datetime64[s]")
    cols["last_local_date"] = span["max"].to_numpy(dtype="datetime64[s]")
    cols["days"] = ((span["max"] - span["min"]).dt.days + 1).to_numpy(dtype=np.int64)
    for name in _RECORD_TABLES:
        cols[name] = counts[name].to_numpy(dtype=np.int64)
    return _frames.frame(cols, index=pd.RangeIndex(len(names)))


#: The night of :func:`trigger_weekday_hour_summary`: local hours 22:00 to 04:00.
NIGHT_HOURS = (22, 23, 0, 1, 2, 3)


def trigger_weekday_hour_summary(data: Journal, by: str | None = "participant",
                                 block_hours: int = 3, tz: str | None = None) -> pd.DataFrame:
    """When triggers happen, in figures: per participant (``by=None``: one
    pooled row, no participant column) the cells of
    :func:`trigger_weekday_hour` added up.

    Columns: [participant], triggers; busiest_hours_start (0-23, the first
    hour of the ``block_hours`` consecutive local hours with the most
    triggers, wrapping past midnight: 22 with 3 hours is 22:00-01:00),
    busiest_hours_count, busiest_hours_share (of the triggers, 0-1);
    busiest_weekday (0 = Monday ... 6 = Sunday), busiest_weekday_count,
    busiest_weekday_share; night_count and night_share (local hours
    :data:`NIGHT_HOURS`, 22:00 to 04:00). A tie goes to the earliest hour /
    weekday. With no trigger the hour and weekday are <NA> and the shares NaN.
    ``tz``: the local time of :func:`trigger_weekday_hour` (default: each
    trigger's recorded wall clock). A ValueError for ``block_hours`` outside
    1-24."""
    if isinstance(block_hours, bool) or not isinstance(block_hours, (int, np.integer)) or not 1 <= block_hours <= 24:
        raise ValueError(f"block_hours must be a whole number of hours 1-24, got {block_hours!r}")
    cells = trigger_weekday_hour(data, by=by, tz=tz)
    per_participant = "participant" in cells.columns
    grids = cells["count"].to_numpy(dtype=np.int64).reshape(-1, 7, 24)  # [group, weekday, hour]
    by_hour = grids.sum(axis=1)  # [group, hour]
    # blocks[g, h] = triggers in hours h .. h + block_hours - 1 (mod 24)
    blocks = sum(np.roll(by_hour, -k, axis=1) for k in range(int(block_hours)))
    by_day = grids.sum(axis=2)
    total = by_hour.sum(axis=1)
    night = by_hour[:, list(NIGHT_HOURS)].sum(axis=1)
    start = blocks.argmax(axis=1)  # the first maximum: the earliest hour on a tie
    day = by_day.argmax(axis=1)
    rows = np.arange(len(total))
    none = total == 0
    denominator = np.where(none, 1, total)

    def share(x: np.ndarray) -> np.ndarray:
        return np.where(none, np.nan, x / denominator)

    cols: dict[str, Any] = {}
    if per_participant:
        cols["participant"] = cells["participant"].iloc[::168].reset_index(drop=True).astype(cells["participant"].dtype)
    cols.update(
        triggers=total,
        busiest_hours_start=pd.arrays.IntegerArray(start.astype(np.int8), none),
        busiest_hours_count=blocks[rows, start],
        busiest_hours_share=share(blocks[rows, start]),
        busiest_weekday=pd.arrays.IntegerArray(day.astype(np.int8), none),
        busiest_weekday_count=by_day[rows, day],
        busiest_weekday_share=share(by_day[rows, day]),
        night_count=night,
        night_share=share(night),
    )
    return _frames.frame(cols)


def trigger_category_totals(data: Data, by: str | None = "participant", level: str = "category") -> pd.DataFrame:
    """Triggers per category (``level="group"``: per category group) over the
    whole span: per participant, or pooled with ``by=None`` (no participant
    column). Every category (group) has a row, zeros included.

    Columns: [participant], category (with its group) or group, count,
    share (of that participant's or the cohort's triggers, 0-1; NaN when
    there are none), rank (1 = most common; a tie goes to the category id
    first in alphabetical order). Ordered by participant, then rank. The
    counts are :func:`trigger_frequency`'s, added up over the periods."""
    need_choice(level, "level", ("category", "group"))
    if level not in ("category", "group"):
        raise ValueError(f"level must be 'category' or 'group', got {level!r}")
    per_participant = _by_participant(by)
    freq = trigger_frequency(data, period="month", by_category=level == "category", by_group=True)
    keys = ["category", "group"] if level == "category" else ["group"]
    if per_participant:
        keys = ["participant"] + keys
    sums = freq.groupby(keys, sort=True, observed=True)["count"].sum().reset_index()
    if per_participant:
        total = sums.groupby("participant", observed=True)["count"].transform("sum").to_numpy()
    else:
        total = np.full(len(sums), sums["count"].sum())
    sums["share"] = np.where(total > 0, sums["count"] / np.where(total > 0, total, 1), np.nan)
    ident = sums[level].astype(str)
    order = ([sums["participant"].cat.codes.to_numpy()] if per_participant else []) + [-sums["count"].to_numpy()]
    idx = np.lexsort((ident.to_numpy(),) + tuple(reversed(order)))
    out = sums.iloc[idx].reset_index(drop=True)
    out["rank"] = (out.groupby("participant", observed=True).cumcount() + 1 if per_participant
                   else pd.Series(np.arange(1, len(out) + 1))).to_numpy(dtype=np.int64)
    for k in keys:
        out[k] = out[k].astype(freq[k].dtype)
    out["count"] = out["count"].astype(np.int64)
    return _frames.frame({c: out[c] for c in out.columns})


def practice_consistency(data: Data, tz: str | None = None, by: str | None = "participant") -> pd.DataFrame:
    """Per participant and ISO week of their span: period_start (the week's
    local Monday, a naive ``datetime64[s]`` midnight, as in
    :func:`trigger_frequency`), practice_days (0-7
    local days with a completed exercise) and completed sessions.

    ``by=None`` pools the cohort per ISO week (no participant column):
    practice_days = participant-days with a completed exercise (0-7 per
    participant), sessions = completed sessions, and participants = how many
    people's spans include the week; zero-filled from the first week of
    anyone's span to the last."""
    per_participant = _by_participant(by)
    c = _cohort(data)
    d = _core._metric_practice_consistency(c, _zone_text(tz))
    names = d.pop("participants")
    frame = _frames.frame({
        "participant": _participants(names, d["participant"]),
        "period_start": _dates(d["period_start"]),
        "practice_days": d["practice_days"],
        "sessions": d["sessions"],
    })
    if per_participant:
        return frame
    pooled = frame.groupby("period_start", sort=True).agg(practice_days=("practice_days", "sum"),
                                                         sessions=("sessions", "sum"),
                                                         participants=("participant", "size"))
    if len(frame):
        first, last = frame["period_start"].min(), frame["period_start"].max()
        _check_pooled_span(first, last)
        weeks = pd.date_range(first, last, freq="7D", unit="s")  # [ns] would end in 2262
        pooled = pooled.reindex(pd.Index(weeks, name="period_start"), fill_value=0)
    out = pooled.reset_index()
    for col in ("practice_days", "sessions"):
        out[col] = out[col].astype(frame[col].dtype)
    out["participants"] = out["participants"].astype(np.int64)
    return out


def practice_streaks(data: Data, tz: str | None = None) -> pd.DataFrame:
    """Per participant: practice_days, longest_streak and current_streak (in
    local days; the current one is the run of practice days ending on
    last_record_date, or the day before) and last_record_date (the local date
    of the participant's last record of any type, a naive ``datetime64[s]``
    midnight). A practice day has a completed exercise."""
    c = _cohort(data)
    d = _core._metric_practice_streaks(c, _zone_text(tz))
    names = d.pop("participants")
    return _frames.frame({
        "participant": _participants(names, d["participant"]),
        "practice_days": d["practice_days"],
        "longest_streak": d["longest_streak"],
        "current_streak": d["current_streak"],
        "last_record_date": _dates(d["last_record_day"]),
    })


def affect_dynamics(data: Data, acute_change: int = 3, max_gap_hours: float | None = None,
                    tz: str | None = None) -> pd.DataFrame:
    """Columns participant, observations, pairs, mssd, rmssd (intensity
    points squared and points), inertia (lag-1 autocorrelation) and pac (share
    of successive pairs with ``|change| >= acute_change``, 0-1) of each
    participant's readings and trigger onsets (MSSD and PAC: Jahng, Wood &
    Trull 2008; inertia: Kuppens, Allen & Sheeber 2010; docs/metrics.md). Successive pairs must be on the same local date, or at most
    ``max_gap_hours`` apart when given (``float("inf")``: every pair). Readings
    at one instant are taken in ascending UTC offset, then intensity, whatever
    the order of the journal's lines. ``acute_change``: a whole number of
    points 1-10 (ValueError otherwise). Every participant of the journal has
    a row; one with no reading or trigger (or no pair) has observations and
    pairs 0 and NaN statistics."""
    acute_change = _whole(acute_change, "acute_change", 1, 10, "intensity points")
    if max_gap_hours is not None and (isinstance(max_gap_hours, (bool, np.bool_)) or not isinstance(
            max_gap_hours, (int, float, np.integer, np.floating)) or not float(max_gap_hours) > 0):
        raise ValueError(f"max_gap_hours must be a positive number of hours (float('inf'): every pair) or None, "
                         f"got {max_gap_hours!r}"[:200])
    return _participant_frame(_core._metric_affect_dynamics(_cohort(data), acute_change, max_gap_hours, _zone_text(tz)),
                              every=True)
