"""The person's own journal: where it lives by default and how entries get into it.

A personal journal needs no ``--journal``: it lives in the platform's data
directory, created on first use and readable by its owner only.

=========  ===================================================================
Linux      ``$XDG_DATA_HOME/calmkit/journal.jsonl`` (XDG Base Directory spec;
           ``~/.local/share/calmkit/journal.jsonl`` when the variable is unset,
           empty or not an absolute path)
macOS      ``~/Library/Application Support/calmkit/journal.jsonl``
Windows    ``%APPDATA%\\calmkit\\journal.jsonl``
=========  ===================================================================

``CALMKIT_JOURNAL`` names another file (a ``.jsonl`` journal or a ``.db`` /
``.sqlite`` store); ``--journal`` on the command line beats both.

The calmkit folder is created with mode 0700 and a new journal or store with
mode 0600 (POSIX): diary entries about distress are private.

Example::

    from calmkit import home

    path = home.journal_path()            # ~/.local/share/calmkit/journal.jsonl
    home.add_records(path, [trigger, reading])
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, Optional, Sequence, Union

from . import _core, files

__all__ = ["JOURNAL_ENV", "STORE_SUFFIXES", "add_records", "data_dir", "is_store", "journal_path",
           "load_journal"]

#: Environment variable naming the journal to use instead of the default one.
JOURNAL_ENV = "CALMKIT_JOURNAL"
#: Suffixes (lower case) of paths that are SQLite stores rather than JSON Lines journals.
STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")

_Record = Union[_core.Trigger, _core.Reading, _core.ExerciseSession, _core.ThoughtRecord, _core.Assessment]


def data_dir(env: Optional[Mapping[str, str]] = None, platform: Optional[str] = None) -> Path:
    """calmkit's folder in the platform's per-user data directory (not created here).

    ``env`` (default ``os.environ``) and ``platform`` (default ``sys.platform``)
    are parameters so the rule can be checked for every platform."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or Path.home())
    if platform.startswith("win"):
        base = env.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Roaming") / "calmkit"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "calmkit"
    xdg = env.get("XDG_DATA_HOME", "")
    # The spec: "All paths set in these environment variables must be absolute.
    # If an implementation encounters a relative path ... it should consider the
    # path invalid and ignore it."
    base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"
    return base / "calmkit"


def journal_path(given: Optional[Union[str, os.PathLike[str]]] = None,
                 env: Optional[Mapping[str, str]] = None) -> Path:
    """The journal to use: ``given`` (``--journal``), else ``$CALMKIT_JOURNAL``,
    else ``journal.jsonl`` in :func:`data_dir`."""
    env = os.environ if env is None else env
    if given is not None and str(given):
        return Path(given)
    if env.get(JOURNAL_ENV):
        return Path(env[JOURNAL_ENV]).expanduser()
    return data_dir(env) / "journal.jsonl"


def is_store(path: Union[str, os.PathLike[str]]) -> bool:
    """Whether ``path`` names an SQLite store (by its suffix) rather than a JSON Lines journal."""
    return Path(path).suffix.lower() in STORE_SUFFIXES


def _private_folder(path: Path) -> None:
    """Creates the journal's folder (0700) when it is missing; leaves an existing one alone."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        return
    if folder.exists():
        raise NotADirectoryError(f"{folder} is not a folder")
    folder.mkdir(mode=0o700, parents=True)
    if os.name == "posix":
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask


def load_journal(path: Union[str, os.PathLike[str]]) -> _core.Journal:
    """Everything in the journal or store at ``path``; an empty journal when it does not exist yet.

    Raises :class:`calmkit.JournalFormatError` for a broken journal file and
    RuntimeError for a store that cannot be opened."""
    path = Path(path)
    if not path.exists():
        return _core.Journal()
    if is_store(path):
        with _core.open_store(path, create=False, read_only=True) as store:
            return store.load()
    return _core.read_journal(path)


def add_records(path: Union[str, os.PathLike[str]], records: Sequence[_Record]) -> list[_Record]:
    """Adds ``records`` (in order: a trigger before the readings that name it;
    each a record or a ``make(journal) -> record`` callable) to the journal or
    store at ``path``, creating it (and its folder, 0700) when missing, and
    returns the records added.

    Goes through :func:`calmkit.files.add_records`: under the journal's lock
    (``PATH.lock``), a JSON Lines journal is read strictly, its bytes kept
    exactly (fields calmkit does not know, line order, CRLF, byte-order mark)
    and the records added at its end as lines, through the one safe write
    (all the records or none; a new file is 0600); a store gets them through
    :meth:`calmkit.Store.add`, created owner-only when missing.

    Raises ValueError when a record does not fit (a duplicate id, a reading
    naming a trigger that is not there), :class:`calmkit.JournalFormatError`
    when the journal file is broken (it is left untouched), OSError /
    RuntimeError when it cannot be written."""
    path = Path(path)
    if not records:
        return []
    _private_folder(path)
    return files.add_records(path, records, create_store=True)
