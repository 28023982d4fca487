"""Store file names that SQLite would read as something else than a file name.

``Store::open(const std::filesystem::path&)`` (Python ``open_store``) takes a
file path, and calmkit's other writers write any file name as it is: here
``write_journal`` writes ``file:j.jsonl`` in the current folder, as Python's
``open`` does. SQLite, on the other hand, reads ``:memory:`` as a private
in-memory database and, when URIs are on (Debian's SQLite is built with
SQLITE_USE_URI=1, as Python's ``sqlite3.connect("file:x.db")`` shows here by
creating ``x.db``), a name starting with ``file:`` as a URI whose query
(``?mode=``, ``?nolock=``, ``?vfs=``) changes how the file is opened. The
documented way to name such a file is to give SQLite ``./:memory:`` or a
``file:`` URI of its own. Each test runs in its own tmp_path as the current
folder; the store is checked with the standard library's ``sqlite3``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import calmkit

TRIGGER = {"id": "t1", "time": "2026-03-02T21:14:00+01:00", "category": "delayed_reply", "intensity": 7}


def _sqlite_uses_uris(tmp_path: Path) -> bool:
    con = sqlite3.connect("file:probe.db")
    con.close()
    made = (tmp_path / "probe.db").exists()
    for p in tmp_path.glob("*probe.db*"):
        p.unlink()
    return made


def _triggers_in(path: Path) -> int:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM triggers").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_other_writers_write_such_names_as_they_are(here: Path):
    journal = calmkit.Journal()
    journal.add(calmkit.Trigger(**TRIGGER))
    calmkit.write_journal(journal, "file:j.jsonl")
    assert calmkit.read_journal(here / "file:j.jsonl").triggers[0].id == "t1"


def test_a_dotted_path_to_such_a_name_is_a_store(here: Path):
    with calmkit.open_store("./file:j.db") as store:
        store.add(calmkit.Trigger(**TRIGGER))
    assert _triggers_in(here / "file:j.db") == 1


@pytest.mark.parametrize("name", ["file:j.db", "file:j.db?mode=memory", "file:j.db?nolock=1"])
def test_a_store_whose_name_starts_with_file_is_that_file(here: Path, name: str):
    if not _sqlite_uses_uris(here):
        pytest.skip("this SQLite reads file: names as file names")
    with calmkit.open_store(name) as store:
        store.add(calmkit.Trigger(**TRIGGER))
    assert sorted(p.name for p in here.iterdir() if p.name.startswith("file:")) == [name]
    assert _triggers_in(here / name) == 1
    assert not (here / "j.db").exists()
    with calmkit.open_store(name, read_only=True) as store:
        assert len(store) == 1


def test_a_store_named_memory_is_that_file(here: Path):
    with calmkit.open_store(":memory:") as store:
        store.add(calmkit.Trigger(**TRIGGER))
    assert _triggers_in(here / ":memory:") == 1
