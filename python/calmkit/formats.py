"""What the formats share: record text and a journal that is a file or a store.

The formats layer (importers, CSV, research exports, Arrow, Parquet; see
docs/architecture.md) builds records from other files and writes them out.
The helpers more than one of them needs live here, public, so no format
reaches into another's private module:

- :func:`rfc3339` and :func:`compact`: a time and a record as the journal
  format writes them (the exports' text columns, the records handed back);
- :func:`is_store_file` and :func:`read_journal_or_store`: a journal path may
  hold JSON Lines or a journal store (SQLite; ``calmkit log`` and
  ``calmkit now`` write one for a ``.db`` path, and ``CALMKIT_JOURNAL`` may
  name one), recognised by its first bytes rather than its name.

Adding records to a journal file or a store under its lock is
:func:`calmkit.files.add_records` (``calmkit.add_record`` for one).

Example::

    from calmkit import formats

    journal, report = formats.read_journal_or_store("journal.db")
    formats.rfc3339(journal.triggers[0].time)    # '2026-03-02T21:14:00+01:00'
"""
from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, Union

from . import _core
from ._errors import PicklableByParts

__all__ = ["SQLITE_MAGIC", "DamagedStoreError", "StoreReport", "compact", "is_store_file", "read_journal_or_store",
           "rfc3339"]

_PathLike = Union[str, "os.PathLike[str]"]

#: The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html, 1.3.1).
SQLITE_MAGIC = b"SQLite format 3\x00"

#: String fields the journal format requires even when empty.
_REQUIRED_STRINGS = frozenset({"situation", "automatic_thought"})


def rfc3339(dt: datetime) -> str:
    """An aware datetime as RFC 3339 text with its own UTC offset: seconds,
    or microseconds when it has any (``2026-03-02T21:14:00+01:00``). The
    importers hand datetimes to the model; this is for text columns."""
    return dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "microseconds")


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` (a dict of journal-format fields) without its absent fields:
    the format leaves empty optional fields out (None, ``""`` and ``[]`` mean
    absent), except the strings it requires even when empty (a thought
    record's ``situation`` and ``automatic_thought``)."""
    return {k: v for k, v in record.items()
            if not (v is None or (v == "" and k not in _REQUIRED_STRINGS) or (isinstance(v, list) and not v))}


def is_store_file(path: _PathLike) -> bool:
    """Whether ``path`` is a regular file that starts like an SQLite database
    (:data:`SQLITE_MAGIC`). A FIFO or a device is never sniffed, as reading
    its first bytes would take them from the journal reader; a path that
    cannot be read is not a store (the reader then says why)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


class StoreReport(NamedTuple):
    """What :func:`read_journal_or_store` reports for a store, in the fields of
    :class:`calmkit.ReadReport` it shares: its records were checked when they
    were added, so none is skipped."""

    path: str
    records: int
    skipped: list  # type: ignore[type-arg]  # always empty


class DamagedStoreError(PicklableByParts, RuntimeError):
    """A store SQLite's integrity check finds damaged; ``verdict`` is the
    check's answer (``PRAGMA integrity_check``), ``path`` the store."""

    def __init__(self, path: _PathLike, verdict: str) -> None:
        super().__init__(f"{path}: the store is damaged (SQLite integrity check: {verdict})")
        self.path, self.verdict = str(path), verdict


def read_journal_or_store(path: _PathLike, *, lenient: bool = False,
                          max_bytes: int = 4 << 30) -> tuple[_core.Journal, Union[_core.ReadReport, StoreReport]]:
    """Every record at ``path``, a JSON Lines journal or a journal store, as
    ``(journal, report)``.

    A store (by :func:`is_store_file`) is opened read-only (nothing is
    written or migrated), checked with SQLite's integrity check and loaded;
    the report is a :class:`StoreReport`. Anything else is read by
    :func:`calmkit.read_journal_with_report` with ``lenient`` (skip and list
    bad lines) and ``max_bytes`` (largest input, 0: no limit; default
    4 GiB), and the report is its :class:`calmkit.ReadReport`.

    Raises :class:`DamagedStoreError` for a damaged store, RuntimeError for a
    store that cannot be opened (a newer schema, a copy missing its ``-wal``),
    and what :func:`calmkit.read_journal_with_report` raises for a file
    (:class:`calmkit.JournalFormatError`, :class:`calmkit.FileError`).
    """
    if is_store_file(path):
        with _core.open_store(path, create=False, read_only=True) as st:
            verdict = st.integrity_check()
            if verdict != "ok":
                raise DamagedStoreError(path, verdict)
            journal = st.load()
        return journal, StoreReport(str(path), len(journal), [])
    return _core.read_journal_with_report(Path(path), lenient=lenient, max_bytes=max_bytes)
