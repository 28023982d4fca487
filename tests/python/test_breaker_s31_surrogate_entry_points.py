"""A str holding a lone surrogate given to the str parameters the surrogate fix did not reach.

parse_journal, its name, Journal.participant, the Store's participant and id
arguments, the exercise JSON readers and the record classes refuse such a str
in their own words, and so do the catalog and instrument lookups, TimeZone,
a journal's generator (to_jsonl, write_journal) and a metric's tz=. A path
fails as Python's open() does (its UnicodeEncodeError, a ValueError, with
the argument named), not with pybind11's TypeError that lists signatures and
names no argument ("incompatible function arguments").
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

S = "a\ud800b"


def _journal() -> calmkit.Journal:
    return calmkit.synthetic_journal(participants=1, days=3, seed=1)


CALLS = {
    "to_jsonl generator": lambda tmp: calmkit.to_jsonl(_journal(), generator=S),
    "write_journal generator": lambda tmp: calmkit.write_journal(_journal(), tmp / "w.jsonl", generator=S),
    "write_journal path": lambda tmp: calmkit.write_journal(_journal(), str(tmp) + "/" + S),
    "read_journal path": lambda tmp: calmkit.read_journal(str(tmp) + "/" + S),
    "trigger_frequency tz": lambda tmp: calmkit.trigger_frequency(_journal(), tz=S),
    "practice_streaks tz": lambda tmp: calmkit.practice_streaks(_journal(), tz=S),
}


def test_the_fixed_ones_name_their_argument() -> None:
    with pytest.raises(ValueError, match="argument 'participant': is not valid UTF-8"):
        calmkit.Journal().participant(S)
    with pytest.raises(ValueError, match="argument 'name': is not valid UTF-8"):
        calmkit.parse_journal("", name=S)
    for metric in (calmkit.trigger_frequency, calmkit.practice_streaks):
        with pytest.raises(ValueError, match="argument 'tz': is not valid UTF-8"):
            metric(_journal(), tz=S)


@pytest.mark.parametrize("call", list(CALLS))
def test_a_lone_surrogate_is_not_refused_by_pybind11(call: str, tmp_path: Path) -> None:
    try:
        CALLS[call](tmp_path)
    except TypeError as e:
        pytest.fail(f"{call}: TypeError {str(e)[:120]!r}")
    except Exception as e:  # noqa: BLE001 - any other refusal is the entry point's own
        assert "incompatible function arguments" not in str(e), (call, str(e)[:200])
