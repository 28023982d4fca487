"""Safe outputs and locked journal entries, on top of calmkit's one write path.

Every file calmkit writes goes through :func:`calmkit.write_file` (compiled,
include/calmkit/files.hpp): only regular files are replaced, links are followed
on purpose, a temporary sibling is fsynced and renamed into place, modes and
owners are kept and new files are 0600. This module adds, without a second
write implementation:

- :func:`write_folder`: a set of files (a CSV export, a Parquet dataset) that
  readers see whole, old or new, never a mix;
- :func:`add_record`: one record added to a journal file (as a line at its
  end, every byte already there kept) or a store under the journal's lock, so
  parallel ``calmkit log`` / ``practice`` / ``assess`` (and the
  personal-journal commands) lose nothing;
- :func:`read_bytes`: a bounded read of an input file, with a clear error for
  a FIFO or device that never ends.

What is guaranteed and how it is tested: docs/store.md ("Safe writes").
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

from . import _core
from ._calls import need_whole

__all__ = ["STORE_SUFFIXES", "DEFAULT_MAX_INPUT_BYTES", "add_record", "add_records", "is_store_path", "read_bytes",
           "write_folder"]

_PathLike = Union[str, "os.PathLike[str]"]

#: Path suffixes (lower-cased) that name a SQLite store rather than a JSON Lines journal.
STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
#: Default limit of :func:`read_bytes` (and of the import commands' inputs): 1 GiB.
DEFAULT_MAX_INPUT_BYTES = 1 << 30


def _store_copy_note(path: _PathLike) -> "str | None":
    """A sentence for a store file that may be a copy made while the store was
    open, else None: ``calmkit::Store::copy_note`` (include/calmkit/store.hpp).
    Its header says it was last written in WAL mode, no ``-wal`` with content
    lies beside it and no connection has it open (SQLite's EXCLUSIVE lock,
    taken for microseconds; looked at twice, 50 ms apart, so a store half way
    through its open or close elsewhere is not taken for a copy). The file is
    read only through SQLite: a plain ``open``/``close`` here would drop the
    POSIX locks of a store open on it in this process
    (https://www.sqlite.org/howtocorrupt.html, section 2.2). Call it before
    opening: an open creates a ``-wal``."""
    return _core._store_copy_note(os.fspath(path))


def shown_path(path: _PathLike) -> str:
    """``path`` as text for a message: a byte of a file name that is not UTF-8
    (a surrogate escape, as ``os.fsdecode`` gives it) shown as ``\\xff``, as
    calmkit's messages show such bytes; it passes where calmkit takes a name."""
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_store_path(path: _PathLike) -> bool:
    """True when ``path`` names a store (suffix in :data:`STORE_SUFFIXES`)."""
    return Path(path).suffix.lower() in STORE_SUFFIXES


# --- folders of files --------------------------------------------------------------------


def write_folder(folder: _PathLike, files: Mapping[str, Union[bytes, str, Any]], *, owned: Iterable[str] = ()) -> Path:
    """Writes ``files`` (relative path -> bytes or any object with the buffer
    protocol, such as a ``pyarrow.Buffer``, or str written as UTF-8) into
    ``folder``, each through :func:`calmkit.write_file`, so that readers see
    the old set or the new one, never a mix of both or a truncated file.

    - ``folder`` does not exist, or holds nothing but entries this export owns
      (the top-level names of ``files`` and the names in ``owned``, such as the
      partition folders of an earlier Parquet dataset): the new set is built in
      a :class:`calmkit.StagedDirectory` next to it and swapped into place in one
      rename; entries of an earlier export that the new one lacks go with it.
    - ``folder`` also holds other files (the user's own), or is the current
      directory: those are left alone, and the files are written together with
      :func:`calmkit.write_files` (all complete on disk before any is renamed:
      a full disk or a refused target changes nothing; only a crash in the
      microseconds between the renames could leave a mix), while each
      subfolder of the set (a Parquet dataset's ``triggers/``, say) is staged
      and swapped whole as above.

    Subfolders of new files are created 0700; the folder's parents are created
    as needed. Returns the folder. :class:`calmkit.FileError` (an OSError) if
    ``folder`` is not a folder or a file cannot be written.
    """
    _core._fs_path(folder, "folder")  # a lone surrogate: ValueError naming it
    if not isinstance(files, Mapping):
        raise TypeError(f"write_folder(): files= must be a mapping of relative path -> bytes, got "
                        f"{type(files).__name__}")
    if isinstance(owned, (str, bytes)) or not isinstance(owned, Iterable):
        raise TypeError(f"write_folder(): owned= must be a list of file names (str), got {type(owned).__name__}")
    root = Path(folder)
    names = {Path(rel).parts[0] for rel in files} | set(owned)
    target = root
    try:
        target = Path(os.path.realpath(root))
    except OSError:
        pass
    if target.exists() and not target.is_dir():
        # StagedDirectory raises the precise FileError (what it is instead).
        _core.StagedDirectory(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    in_place = False
    if target.is_dir():
        here = Path(os.getcwd())
        in_place = target == here or target in here.parents or any(
            entry.name not in names for entry in os.scandir(target))
    if in_place:
        # Each subfolder of the set is a set of its own, staged as above; the
        # files at the top are written together.
        groups: dict[str, dict[str, Union[bytes, str, Any]]] = {}
        top: list[tuple[Path, Union[bytes, str]]] = []
        for rel, data in files.items():
            parts = Path(rel).parts
            if len(parts) > 1:
                groups.setdefault(parts[0], {})[str(Path(*parts[1:]))] = data
            else:
                top.append((root / rel, data if isinstance(data, (bytes, str)) else bytes(data)))
        for name, sub in groups.items():
            write_folder(root / name, sub)
        _core.write_files(top)
        return root
    with _core.StagedDirectory(root) as stage:
        # Unsynced writes, made durable by the commit's one file-system sync:
        # a Parquet dataset partitioned by participant has thousands of files.
        for rel, data in files.items():
            stage.write(rel, data.encode("utf-8") if isinstance(data, str) else data)
    return root


# --- locked entries ----------------------------------------------------------------------


def add_record(path: _PathLike, record: Any) -> Any:
    """Adds one record to the journal file or store at ``path`` under the
    journal's lock, and returns the record added.

    ``record`` is a record object (``Trigger``, ``Reading``, ``ExerciseSession``,
    ``ThoughtRecord``, ``Assessment``) or a callable ``make(journal) -> record``
    that is called with the journal's current records while the lock is held,
    so that an id chosen from them (say the next free ``t-20260302-2114-2``)
    cannot be taken by another writer in between. Only the returned record
    is written: a callable that changes the journal it is given (adds a
    trigger to it, say) raises ValueError and nothing is written; return
    each record as its own item of :func:`add_records` instead.

    - A JSON Lines journal (any path not ending in .db/.sqlite/.sqlite3): an
      exclusive ``flock`` on ``PATH.lock`` (:class:`calmkit.FileLock`, the
      lock of :func:`calmkit.update_journal`), one read of the file's bytes
      and a strict read of the journal from those bytes
      (:func:`calmkit.read_journal`'s checks and messages), the record
      checked against the journal (ids unique, its trigger there) and as a
      line (:func:`calmkit.to_json`), then the file's bytes exactly as they
      were plus that line, written through the one safe write
      (:func:`calmkit.write_file`): the compiled
      :func:`calmkit.append_records` (C++ ``calmkit::append_records``) does
      all of it. Nothing calmkit does not know is dropped:
      a header's ``generator`` / ``created``, unknown fields of records, the
      order of the lines, their offsets, a byte-order mark and CRLF line ends
      all stay. The line ends as the file's first line does (CRLF or LF),
      after a line break when the last line has none; an absent or empty file
      gets calmkit's header line first (a new file is 0600). A broken journal,
      a compressed one (gzip, zstd, ...) or one that is not UTF-8 raises
      :class:`calmkit.JournalFormatError` and is left untouched.
    - A store (.db/.sqlite/.sqlite3, which must exist): the same sidecar lock
      around reading its records (only when ``record`` is a callable) and
      ``Store.add`` (itself one SQLite transaction).

    ValueError when the record does not fit (a duplicate id, a reference to a
    trigger that is not there); :class:`calmkit.FileError` (an OSError) for a
    target that is not a regular file or cannot be written.

    Example::

        calmkit.add_record("journal.jsonl", lambda j: calmkit.Reading(
            id=f"r-{len(j.readings) + 1}", time=now, intensity=4))
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    return add_records(path, [record])[0]


def _remove_new_store(path: _PathLike) -> None:
    """Removes the store this call created at ``path`` and its SQLite side
    files (``-wal``, ``-shm``, ``-journal``) when nothing could be added to it
    (a full disk, a first record refused): a failed call leaves nothing
    half-written. Called under the journal's lock, after the store is closed."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(os.fspath(path) + suffix)
        except FileNotFoundError:
            pass


def add_records(path: _PathLike, records: Sequence[Any], *, create_store: bool = False) -> list[Any]:
    """Adds ``records`` in order (a trigger before the readings that name it;
    each a record or a ``make(journal) -> record`` callable, as in
    :func:`add_record`) under the journal's lock, and returns them.

    A JSON Lines journal gets all of them, as lines at its end after its
    bytes kept exactly (see :func:`add_record`), in one safe write or none (a
    record that does not fit raises and the file is left as it was). A store gets
    them one transaction each; it must exist unless ``create_store`` is true
    (then it is created, owner-only). Errors as :func:`add_record`."""
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    added: list[Any] = []
    if not records:
        return added
    if is_store_path(path):
        with _core.FileLock(path):
            created = create_store and not os.path.lexists(path)
            try:
                with _core.open_store(path, create=create_store) as st:
                    current = st.load() if any(callable(r) for r in records) else None
                    for k, r in enumerate(records):
                        rec = r
                        if callable(r):
                            assert current is not None
                            n = len(current)
                            rec = r(current)
                            if len(current) != n:  # only returned records are written (as append_records)
                                raise ValueError(f"records[{k}]: the make(journal) callable changed the journal "
                                                 "it was given; only the records the callables return are "
                                                 "written, so that change would be lost: return each record to "
                                                 "add as its own item instead")
                        st.add(rec)
                        added.append(rec)
                        if current is not None:
                            current.add(rec)
            except BaseException:
                if created and not added:
                    _remove_new_store(path)
                raise
        return added

    # The one implementation of the rule, compiled (calmkit::append_records): the lock,
    # one read of the file's bytes, the strict checks, then old bytes + new lines.
    return list(_core.append_records(path, list(records)))


# --- bounded input -----------------------------------------------------------------------


def read_bytes(path: _PathLike, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file, at most ``max_bytes`` of them (0: no limit).

    A regular file over the limit is refused before it is read; a FIFO or a
    device is read up to the limit and refused when it gives more (so one that
    never ends cannot exhaust memory); a directory is refused. Errors are
    :class:`calmkit.FileError` (an OSError) with errno EFBIG or EISDIR and a
    message that names the file and the limit.
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    need_whole(max_bytes, "max_bytes", 0, 2**63 - 1)
    p = os.fspath(path)
    fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        os.set_blocking(fd, True)
        if stat.S_ISDIR(st.st_mode):
            raise _core.FileError(errno.EISDIR, f"cannot read '{p}': it is a directory", p)
        if max_bytes and stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
            raise _core.FileError(errno.EFBIG, f"cannot read '{p}': the file holds {st.st_size} bytes, more than the "
                                  f"limit of {max_bytes} bytes", p)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if max_bytes and total > max_bytes:
                kind = "a file that grew to" if stat.S_ISREG(st.st_mode) else "not a regular file and gave"
                raise _core.FileError(errno.EFBIG, f"cannot read '{p}': it is {kind} more than the limit of "
                                      f"{max_bytes} bytes", p)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

