"""Text arguments of the Arrow and Parquet entry points, the store and the
lock: a str holding a lone surrogate, and a zone that names none.

- B43: a str holding a lone surrogate still reaches pybind11, whose TypeError
  lists signatures and names no argument, or fails in another library's words
  without naming the argument: Journal.from_arrow(name=) and
  journal_from_tables(name=) (TypeError "_journal_from_arrow(): incompatible
  function arguments"), read_parquet(participants=[...]) (pyarrow's
  UnicodeEncodeError "'utf-8' codec can't encode character"), open_store and
  FileLock of such a path (TypeError from ``_store_copy_note(path: str)`` and
  the FileLock constructor), and record_counts(tz=) and the importers' tz=,
  which name the argument 'spec' (TimeZone's own parameter), not 'tz'.
  (All fixed; the cases below hold them.)
  parse_journal(name=), Journal.participant and the other metrics' tz= name
  theirs.
- B44: read_parquet(tz=) and Journal.from_arrow(tz=) take any tz, a misspelt
  zone ('Europe/Berln') or a number, without a word when no column holds
  naive times: the typo shows only on the day a dataset needs the zone. Every
  metric's tz= refuses the same text at once ("unknown time zone
  'Europe/Berln'"), as ``--tz`` on the command line does before anything is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

import calmkit

S = "a\ud800b"
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
DAYLIO = Path(__file__).resolve().parents[1] / "data" / "importers" / "daylio_export.csv"


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def _tables(j: calmkit.Journal) -> Any:
    pytest.importorskip("pyarrow")
    return calmkit.arrow.to_arrow(j)


def _dataset(j: calmkit.Journal, tmp: Path) -> Path:
    pytest.importorskip("pyarrow")
    return calmkit.write_parquet(j, tmp / "d")


NAMED: dict[str, tuple[str, Callable[[Any, Path], Any]]] = {
    "from_arrow name": ("name", lambda j, tmp: calmkit.Journal.from_arrow(_tables(j), name=S)),
    "journal_from_tables name": ("name", lambda j, tmp: calmkit.parquet.journal_from_tables(_tables(j), name=S)),
    "read_parquet participants": ("participants", lambda j, tmp: calmkit.read_parquet(_dataset(j, tmp),
                                                                                      participants=[S])),
    "record_counts tz": ("tz", lambda j, tmp: calmkit.record_counts(j, tz=S)),
    "import_daylio tz": ("tz", lambda j, tmp: calmkit.import_daylio(DAYLIO, tz=S)),
}


def test_the_fixed_ones_name_their_argument(journal: calmkit.Journal) -> None:
    with pytest.raises(ValueError, match="argument 'name'"):
        calmkit.parse_journal(b"", name=S)
    with pytest.raises(ValueError, match="argument 'participant'"):
        journal.participant(S)
    with pytest.raises(ValueError, match="argument 'tz'"):
        calmkit.trigger_frequency(journal, tz=S)


@pytest.mark.parametrize("call", sorted(NAMED))
def test_a_lone_surrogate_is_refused_naming_the_argument(call: str, journal: calmkit.Journal, tmp_path: Path) -> None:
    argument, fn = NAMED[call]
    with pytest.raises(ValueError) as e:
        fn(journal, tmp_path)
    assert f"'{argument}'" in str(e.value), str(e.value)[:300]


PATHS: dict[str, Callable[[Path], Any]] = {
    "open_store": lambda tmp: calmkit.open_store(str(tmp) + "/" + S + ".db"),
    "FileLock": lambda tmp: calmkit.FileLock(str(tmp) + "/" + S + ".jsonl"),
}


@pytest.mark.parametrize("call", sorted(PATHS))
def test_a_lone_surrogate_in_a_path_is_not_refused_by_pybind11(call: str, tmp_path: Path) -> None:
    try:
        PATHS[call](tmp_path)
    except TypeError as e:
        pytest.fail(f"{call}: TypeError {str(e)[:200]!r}")
    except ValueError as e:  # open()'s UnicodeEncodeError, or calmkit's own words
        assert "incompatible" not in str(e), str(e)[:200]


@pytest.mark.parametrize("tz", ["Europe/Berln", "not a zone"])
def test_a_metric_refuses_a_zone_that_names_none_at_once(tz: str, journal: calmkit.Journal) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        calmkit.trigger_frequency(journal, tz=tz)


@pytest.mark.parametrize("tz", ["Europe/Berln", "not a zone", 5])
@pytest.mark.parametrize("entry", ["read_parquet", "from_arrow"])
def test_a_zone_that_names_none_is_refused_whatever_the_columns(entry: str, tz: Any, journal: calmkit.Journal,
                                                                tmp_path: Path) -> None:
    with pytest.raises((ValueError, TypeError)) as e:
        if entry == "read_parquet":
            calmkit.read_parquet(_dataset(journal, tmp_path), tz=tz)
        else:
            calmkit.Journal.from_arrow(_tables(journal), tz=tz)
    assert "Berln" in str(e.value) or "not a zone" in str(e.value) or "tz" in str(e.value), str(e.value)[:300]
