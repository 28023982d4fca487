"""calmkit's exceptions crossing a process boundary.

README.md tells a researcher to use a process pool for cohorts
(``calmkit.set_threads(1)`` inside a process pool), and
``concurrent.futures.ProcessPoolExecutor`` hands an exception raised in a
worker back to the parent by pickling it. An exception class that does not
survive ``pickle`` breaks the pool instead ("A process in the process pool was
terminated abruptly" or an unpickling TypeError in the parent) and loses the
file, line and field the message carries. The reference is Python's own
``OSError``/``KeyError``/``ValueError`` behaviour under ``pickle`` (type, args,
str and attributes kept), checked for each of calmkit's own classes raised by
calmkit itself, and once through a real process pool.

B272 (fixed): the classes written in Python whose ``__init__`` takes their parts
(``ImportFormatError(path, line, field, reason)``,
``formats.DamagedStoreError(path, verdict)``, ``_extras.MissingExtraError(module,
extra, feature)``) were pickled as ``cls(message)``, so unpickling raised
TypeError (missing arguments) and a process pool whose worker met a bad
Daylio export died with ``BrokenProcessPool``, the file, line and field lost.

B273 (fixed): ``calmkit.arrow.RecordsError(name, index, field, reason)`` had
the same defect.
"""

from __future__ import annotations

import concurrent.futures
import errno
import multiprocessing
import pickle
from datetime import datetime
from pathlib import Path

import pytest

import calmkit


def _journal_format_error(path: Path) -> calmkit.JournalFormatError:
    path.write_text('{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"nope",'
                    '"intensity":8}\n', encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_journal(path)
    return e.value


def _record_error() -> calmkit.RecordError:
    with pytest.raises(calmkit.RecordError) as e:
        calmkit.Journal().add(calmkit.Reading(time=datetime.fromisoformat("2026-03-02T21:14:00+01:00"),
                                              intensity=3, trigger="t-missing"))
    return e.value


def _file_error(path: Path) -> calmkit.FileError:
    path.mkdir()
    with pytest.raises(calmkit.FileError) as e:
        calmkit.write_file(path, b"x")
    return e.value


def _unknown_exercise() -> calmkit.UnknownExerciseError:
    with pytest.raises(calmkit.UnknownExerciseError) as e:
        calmkit.catalog_exercise("breathing.boxx")
    return e.value


def _import_format_error(path: Path) -> calmkit.ImportFormatError:
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                    "2026-13-45,March 2,Monday,21:14,rad,,,\n", encoding="utf-8")
    with pytest.raises(calmkit.ImportFormatError) as e:
        calmkit.import_daylio(path, tz="UTC")
    return e.value


def _damaged_store_error(path: Path) -> BaseException:
    from calmkit.formats import DamagedStoreError

    return DamagedStoreError(path, "*** in database main ***\nPage 3: btreeInitPage() returns error code 11")


def _missing_extra_error() -> BaseException:
    from calmkit._extras import MissingExtraError

    return MissingExtraError("pyarrow.parquet", "parquet", "calmkit.read_parquet")


def _same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert a.args == b.args
    for name in ("path", "line", "field", "reason", "place", "errno", "strerror", "filename", "item", "value",
                 "verdict", "extra", "name", "msg", "index", "first"):
        assert getattr(a, name, None) == getattr(b, name, None), name


def test_each_error_class_survives_pickle(tmp_path: Path) -> None:
    errors = [_journal_format_error(tmp_path / "j.jsonl"), _record_error(), _file_error(tmp_path / "dir"),
              _unknown_exercise()]
    for e in errors:
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            _same(e, pickle.loads(pickle.dumps(e, protocol)))
    jfe = errors[0]
    assert jfe.line == 1 and jfe.field == "category" and jfe.path == str(tmp_path / "j.jsonl")
    assert errors[2].errno in (errno.EISDIR, errno.EINVAL, errno.EEXIST)


@pytest.mark.parametrize("make", ["import", "store", "extra"])
def test_errors_written_in_python_survive_pickle(tmp_path: Path, make: str) -> None:
    e = {"import": lambda: _import_format_error(tmp_path / "daylio.csv"),
         "store": lambda: _damaged_store_error(tmp_path / "s.db"), "extra": _missing_extra_error}[make]()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        _same(e, pickle.loads(pickle.dumps(e, protocol)))  # TypeError before the fix (B272)


def test_records_error_survives_pickle() -> None:
    pytest.importorskip("pyarrow")
    from calmkit.arrow import RecordsError, journal_from_records

    with pytest.raises(RecordsError) as e:
        journal_from_records([{"type": "nope"}])
    _same(e.value, pickle.loads(pickle.dumps(e.value)))


def _read_in_worker(path: str) -> int:
    calmkit.set_threads(1)
    return len(calmkit.read_journal(path).triggers)


def _import_in_worker(path: str) -> int:
    return len(calmkit.import_daylio(path, tz="UTC"))


def test_bad_files_in_a_process_pool_reach_the_parent_whole(tmp_path: Path) -> None:
    bad = _journal_format_error(tmp_path / "j.jsonl")
    bad_import = _import_format_error(tmp_path / "daylio.csv")
    ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        future = pool.submit(_read_in_worker, str(tmp_path / "j.jsonl"))
        with pytest.raises(calmkit.JournalFormatError) as e:
            future.result(timeout=120)
        _same(bad, e.value)
        future = pool.submit(_import_in_worker, str(tmp_path / "daylio.csv"))
        with pytest.raises(calmkit.ImportFormatError) as e2:  # BrokenProcessPool before the fix (B272)
            future.result(timeout=120)
        _same(bad_import, e2.value)
