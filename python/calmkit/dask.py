"""calmkit's per-participant metrics over a Parquet dataset, on Dask.

Each Dask partition is a block of participants read from a dataset written by
:func:`calmkit.write_parquet`: every record type of the same participants
(assessments included; a layout-1 dataset has none and still reads), so a
participant is never split across partitions. Inside the task the block
becomes a :class:`calmkit.Journal` and the metric runs in calmkit's C++ core;
the per-partition frames are concatenated in participant order. Since every
per-participant metric of :mod:`calmkit.metrics` depends only on that
participant's own records, the result is the single-process result.

- ``partition_by="participant"``: a
  partition is a block of ``participants_per_partition`` participant folders
  (sorted by name).
- ``partition_by="shard"``: a partition is shard k of every record type (the
  writer puts the same contiguous block of participants in shard k of each).

The lazy frame of :func:`metric` has ``participant`` as a plain string column
(the participants of different partitions differ, so a Categorical's
categories would not agree). :func:`compute_all` computes several metrics in
one pass (one task per block reads it once and runs every metric; a
``time_to_calm_summary`` whose groups mix participants, such as ``by=None``,
is calmkit's summary of the episodes of every block) and returns
pandas frames with ``participant`` restored to a Categorical over every
participant of the dataset, exactly as the single-process functions return
them. This module imports Dask, so it is
imported explicitly (``import calmkit.dask``); ``import calmkit`` does not.
Guide: docs/scale-out.md.

Example::

    from distributed import Client, LocalCluster
    import calmkit
    import calmkit.dask

    calmkit.write_parquet(journal, "cohort/", partition_by="participant")
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
        lazy = calmkit.dask.metric("cohort/", "trigger_frequency", period="month")
        frames = calmkit.dask.compute_all("cohort/", options={"trigger_frequency": {"period": "month"}})
    frames["time_to_calm_summary"]  # == calmkit.time_to_calm_summary(journal)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Union
from urllib.parse import unquote

import pandas as pd

from . import metrics as _metrics
from . import parquet as _parquet
from ._extras import require as _require

# The Dask layer is imported explicitly; without its extra, say so in one line here
# rather than fail later deep inside a task.
for _module in ("dask.dataframe", "pyarrow.parquet"):
    _require(_module, "dask", "calmkit.dask")
del _module

__all__ = ["METRICS", "partitions", "participants", "metric", "compute_all"]

#: The per-participant metrics that run per partition (function names in calmkit.metrics).
METRICS = ("time_to_calm", "time_to_calm_summary", "trigger_frequency", "trigger_trend", "peak_intensity",
           "peak_trend", "exercise_effectiveness", "thought_record_summary", "distortion_frequency",
           "window_of_uncertainty", "practice_consistency", "practice_streaks", "affect_dynamics")

#: Keyword arguments that differ from the single-process defaults: a pooled
#: exercise_effectiveness (over all participants) cannot be computed per block.
DEFAULTS: dict[str, dict[str, Any]] = {"exercise_effectiveness": {"by_participant": True}}

_PathLike = Union[str, Path]


def _layout(root: Path) -> str:
    import pyarrow.parquet as pq

    meta = root / "triggers" / "_common_metadata"
    if not meta.is_file():
        raise FileNotFoundError(f"{meta}: missing (not a dataset written by calmkit.write_parquet)")
    with _parquet._opened(meta) as (source, filesystem):  # a path that is not UTF-8 too
        schema = pq.read_schema(source, filesystem=filesystem)
    _parquet._check_metadata(schema, str(meta))
    layout = (schema.metadata or {}).get(b"calmkit_partition_by", b"").decode()
    if layout not in ("participant", "shard"):
        raise ValueError(f"{meta}: calmkit_partition_by is {layout!r}, expected 'participant' or 'shard'")
    return layout


def _participant_folders(root: Path) -> list[str]:
    """The ``participant=<name>`` folder names of any record type, ordered by
    the decoded participant name (the order of the single-process result)."""
    folders = {d.name for t in _parquet.TABLES for d in (root / t).glob("participant=*") if d.is_dir()}
    return sorted(folders, key=lambda f: unquote(f[len("participant="):]))


def partitions(path: _PathLike, participants_per_partition: int = 500) -> list[dict[str, list[str]]]:
    """The files of each partition, per record type folder (paths relative to
    that folder), in participant order. For a dataset partitioned by
    participant: blocks of up to ``participants_per_partition`` participant
    folders; for a sharded one: shard k of every record type (the argument is
    then unused: the shards were fixed when writing). ValueError when
    ``participants_per_partition`` < 1; FileNotFoundError when ``path`` is not
    a calmkit dataset."""
    if not isinstance(participants_per_partition, int) or participants_per_partition < 1:
        raise ValueError(f"participants_per_partition must be an integer >= 1, got {participants_per_partition!r}")
    root = Path(path)
    if _layout(root) == "participant":
        folders = _participant_folders(root)
        blocks = [folders[i:i + participants_per_partition]
                  for i in range(0, len(folders), participants_per_partition)]
        return [{t: [f"{f}/part-0.parquet" for f in block if (root / t / f / "part-0.parquet").is_file()]
                 for t in _parquet.TABLES} for block in blocks]
    shards = sorted({p.name for t in _parquet.TABLES for p in (root / t).glob("part-*.parquet")})
    _check_shards(root, shards)
    return [{t: [s] if (root / t / s).is_file() else [] for t in _parquet.TABLES} for s in shards]


def _file_participants(f: Path) -> set[str]:
    """The participants of one Parquet file (a null, and every row of a file
    without the column, is participant "", as read_parquet reads them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with _parquet._opened(f) as (source, filesystem), \
                pq.ParquetFile(source, filesystem=filesystem) as pqf:  # a path that is not UTF-8 too
            if pqf.metadata.num_rows == 0:
                return set()
            if "participant" not in pqf.schema_arrow.names:
                return {""}
            ids = pqf.read(columns=["participant"], use_threads=False).column(0).unique().to_pylist()
    except (pa.ArrowInvalid, OSError) as e:
        raise _parquet._unreadable(f, e) from None
    return {"" if p is None else p for p in ids}


def _check_shards(root: Path, shards: list[str]) -> None:
    """ValueError when one participant's records are in two shards: each
    shard is computed on its own, so such a dataset (one filtered, appended to
    or partitioned again by another tool; calmkit.write_parquet never writes
    one) would give that participant twice, each time with part of the
    records. calmkit.read_parquet reads it whole."""
    from .files import shown_path

    owner: dict[str, tuple[str, Path]] = {}
    for t in _parquet.TABLES:
        for shard in shards:
            f = root / t / shard
            if not f.is_file():
                continue
            for name in _file_participants(f):
                first = owner.setdefault(name, (shard, f))
                if first[0] != shard:
                    raise ValueError(
                        f"{shown_path(root)}: participant {name[:64]!r} has records in two shards, "
                        f"{shown_path(first[1])} and {shown_path(f)}; calmkit.dask computes each shard on its "
                        "own, so every participant's records must be in one shard (as calmkit.write_parquet "
                        "writes them): write the dataset again with calmkit.write_parquet(calmkit.read_parquet"
                        "(path), ...), or partition it by participant")


def participants(path: _PathLike) -> list[str]:
    """Every participant of the dataset, sorted (as ``Journal.participants()``):
    the categories of the ``participant`` column in :func:`compute_all`. A
    null participant, and every row of a file without the column, is
    participant "" (no participant), as :func:`calmkit.read_parquet` reads
    them. ValueError naming a file that is not readable Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = Path(path)
    if _layout(root) == "participant":
        return [unquote(f[len("participant="):]) for f in _participant_folders(root)]
    names: set[str] = set()
    for t in _parquet.TABLES:
        for f in (root / t).glob("part-*.parquet"):
            try:
                with _parquet._opened(f) as (source, filesystem), \
                        pq.ParquetFile(source, filesystem=filesystem) as pqf:  # a path that is not UTF-8 too
                    if pqf.metadata.num_rows == 0:
                        continue
                    if "participant" not in pqf.schema_arrow.names:
                        names.add("")  # no column: every row is participant "", as read_parquet reads it
                        continue
                    ids = pqf.read(columns=["participant"], use_threads=False).column(0).to_pylist()
            except (pa.ArrowInvalid, OSError) as e:
                raise _parquet._unreadable(f, e) from None
            names.update("" if p is None else p for p in ids)  # a null is participant "", as read_parquet reads it
    return sorted(names)


def _journal(files: dict[str, list[str]], root: str) -> Any:
    """The Journal of one partition's ``files``; an error names the file and
    its row, as :func:`calmkit.read_parquet` does, and the folder as
    :func:`calmkit.files.shown_path` shows it (a path that is not UTF-8 too)."""
    from .files import shown_path

    origins: dict[str, list] = {}
    tables = _parquet._read_tables(root, None, files, None, origins)
    name = shown_path(root)
    try:
        return _parquet.journal_from_tables(tables, name=name)
    except ValueError as e:
        raise _parquet._in_its_file(e, name, origins) from None


def _frame(data: Any, name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
    """The metric ``name`` of one block (a Journal or Cohort), in calmkit's C++ core."""
    frame = getattr(_metrics, name)(data, **kwargs)
    if name == "exercise_effectiveness" and frame.empty:
        # calmkit.metrics leaves the exercise codes (int32) in this column when
        # a journal has no exercise at all; a block without exercises must
        # still concatenate with the others as text.
        frame = frame.assign(exercise=frame["exercise"].astype("string"))
    if "participant" in frame.columns:  # categories differ per partition: plain strings until compute_all
        # assign: a new frame, never a write into a frame a metric may have
        # sliced (pandas' SettingWithCopyWarning in the Dask workers).
        frame = frame.assign(participant=frame["participant"].astype(str))
    return frame


def _run(files: dict[str, list[str]], root: str, name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
    """One partition of :func:`metric`: its files -> Journal -> the metric."""
    return _frame(_journal(files, root), name, kwargs)


def _run_all(files: dict[str, list[str]], root: str, jobs: list[tuple[str, dict[str, Any]]]) -> list[pd.DataFrame]:
    """One partition of :func:`compute_all`: the block is read and made columnar
    once, then every metric runs on it."""
    data = _metrics.cohort(_journal(files, root))
    return [_frame(data, name, kwargs) for name, kwargs in jobs]


def _by_keys(by: Union[str, Iterable[str], None]) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _spans_partitions(name: str, kwargs: dict[str, Any]) -> bool:
    """A time_to_calm_summary whose groups mix participants (by=None, "week",
    "category", ...): it is computed from the episodes of every block."""
    return name == "time_to_calm_summary" and "participant" not in _by_keys(kwargs.get("by", "participant"))


def _check(name: str, kwargs: dict[str, Any], pooled_ok: bool = False) -> None:
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; use one of {list(METRICS)}")
    if _spans_partitions(name, kwargs) and not pooled_ok:
        raise ValueError("time_to_calm_summary on a lazy frame needs 'participant' in by (a pooled group "
                         "spans partitions); calmkit.dask.compute_all computes pooled summaries")
    if name == "exercise_effectiveness" and not kwargs.get("by_participant", False):
        raise ValueError("exercise_effectiveness on Dask needs by_participant=True "
                         "(the pooled form would span partitions)")


def metric(path: _PathLike, name: str, participants_per_partition: int = 500, **kwargs: Any) -> Any:
    """A lazy ``dask.dataframe.DataFrame`` of the metric ``name`` (any of
    :data:`METRICS`; ``kwargs`` are that function's keyword arguments, with
    :data:`DEFAULTS` applied) over the Parquet dataset at ``path``.

    One partition per block of participants (see :func:`partitions`); the
    columns are those of the single-process function; ``participant`` is a
    string column here, and Dask stores text columns as ``string[pyarrow]``
    (its ``dataframe.convert-string`` setting). Rows come in participant
    order, so ``metric(...).compute()`` equals the single-process frame once
    ``participant`` is made Categorical again and, for
    ``exercise_effectiveness``, each participant's rows are put in exercise id
    order (both done by :func:`compute_all`).
    ValueError for an unknown metric or for a grouping that would span
    participants (``time_to_calm_summary`` without "participant" in ``by``;
    ``exercise_effectiveness`` with ``by_participant=False``).

    Example::

        ddf = calmkit.dask.metric("cohort/", "practice_streaks")
        ddf.nlargest(10, "longest_streak").compute()
    """
    import dask.dataframe as dd

    kwargs = {**DEFAULTS.get(name, {}), **kwargs}
    _check(name, kwargs)
    root = str(path)
    parts = partitions(root, participants_per_partition)
    empty: dict[str, list[str]] = {t: [] for t in _parquet.TABLES}
    meta = _run(empty, root, name, kwargs)  # an empty journal gives the columns and dtypes
    if not parts:
        parts = [empty]
    return dd.from_map(_run, parts, root=root, name=name, kwargs=kwargs, meta=meta,
                       enforce_metadata=False, label=f"calmkit-{name.replace('_', '-')}")


def compute_all(path: _PathLike, metrics: Iterable[str] = METRICS, participants_per_partition: int = 500,
                options: dict[str, dict[str, Any]] | None = None) -> dict[str, pd.DataFrame]:
    """Computes the named ``metrics`` (default: all of :data:`METRICS`) over the
    dataset at ``path`` in one ``dask.compute`` (on the current
    ``distributed.Client`` when there is one, else Dask's default scheduler).
    One task per block of participants reads the block once, builds its
    :class:`calmkit.Cohort` once and runs every metric on it
    and returns ``{name: pandas.DataFrame}``, each equal to the single-process
    ``calmkit.<name>(journal, **options[name])``: same rows in the same order,
    ``participant`` a Categorical over every participant of the dataset.
    ``options``: keyword arguments per metric name, e.g.
    ``{"trigger_frequency": {"period": "month"}}``.

    Example::

        frames = calmkit.dask.compute_all("cohort/", ["trigger_trend", "practice_streaks"])
        frames["trigger_trend"].set_index("participant")["weekly_change_pct"]
    """
    import dask

    options = options or {}
    names = list(metrics)
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"options given for metric(s) not computed: {unknown}")
    wanted = [(m, {**DEFAULTS.get(m, {}), **options.get(m, {})}) for m in names]
    for name, kwargs in wanted:
        _check(name, kwargs, pooled_ok=True)
    # A summary over groups that mix participants is the metric function of
    # the whole episode frame: the blocks compute the episodes (each within
    # its own participant's records), the summary runs once on all of them.
    jobs = [("time_to_calm", {k: v for k, v in kwargs.items() if k in ("threshold", "window_hours")})
            if _spans_partitions(name, kwargs) else (name, kwargs) for name, kwargs in wanted]
    root = str(path)
    empty: dict[str, list[str]] = {t: [] for t in _parquet.TABLES}
    parts = partitions(root, participants_per_partition) or [empty]
    # One task per block computes every metric: the block is read once.
    tasks = [dask.delayed(_run_all, pure=True)(files, root, jobs) for files in parts]
    blocks = dask.compute(*tasks)
    everyone = participants(root)
    out = {}
    for i, ((name, kwargs), (job, job_kwargs)) in enumerate(zip(wanted, jobs)):
        frame = pd.concat([b[i] for b in blocks], ignore_index=True)
        meta = _run(empty, root, job, job_kwargs)
        for col, dtype in meta.dtypes.items():  # as the metric returns them (concat may widen)
            if col != "participant" and frame[col].dtype != dtype:
                frame[col] = frame[col].astype(dtype)
        if "participant" in frame.columns:
            frame["participant"] = pd.Categorical(frame["participant"].astype(object), categories=everyone)
        if job == "exercise_effectiveness" and len(frame):
            frame = _order_exercises(frame)
        if job != name:  # a pooled summary: the metric function of every block's episodes
            frame.attrs.update(threshold=job_kwargs.get("threshold", 3),
                               window_hours=job_kwargs.get("window_hours", 12))
            frame = _metrics.time_to_calm_summary(frame, **kwargs)
        out[name] = frame
    return out


def _order_exercises(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of exercise_effectiveness in the single-process order: by
    participant, then exercise id (each block's rows already are; the sort
    makes the concatenation so whatever the blocks' order)."""
    import numpy as np

    ids = frame["exercise"].astype(object).to_numpy(dtype=str)
    order = np.lexsort((ids, frame["participant"].cat.codes.to_numpy()))
    return frame.iloc[order].reset_index(drop=True)
