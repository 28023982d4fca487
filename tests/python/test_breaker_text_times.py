"""Time columns handed to Journal.from_arrow as text (a CSV read by pandas or
polars without parsing its dates), against the journal reader's time rule.

The bridge reads the usual texts column-wise and every other text with
``datetime.fromisoformat`` (python/calmkit/arrow.py, _read_time_text): a
second time parser beside Instant::try_parse. Where the reader takes a time,
the text column must give the same instant and offset; a text the reader
refuses may be taken only with its meaning intact (ISO 8601's ``+0100``, a
time without seconds), and never with another one.

B17: a time the reader takes at the end of the years,
``9999-12-31T23:59:59.999999-23:59`` (UTC is in the year 10000), raises
OverflowError out of ``when.astimezone(timezone.utc)``, not a ValueError,
and the journal cannot be built; so does ``0001-01-01T00:00:00+01:00``.

B18: texts the reader refuses are taken with a changed meaning:
``+01:90`` becomes the offset +02:30 (every instant of the row moves by half
an hour), a NUL after the offset is dropped, ``21:14:00.Z`` (a '.' without
digits) is read as whole seconds and ``+01.00`` as +01:00.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_breaker_line_reference import TIME_CASES  # noqa: E402


def _reader(text: str) -> str | None:
    try:
        j = calmkit.parse_journal(json.dumps({"type": "reading", "time": text, "intensity": 3}))
    except calmkit.JournalFormatError:
        return None
    return json.loads(calmkit.to_jsonl(j).splitlines()[-1])["time"]


def _from_text(texts: list[str]) -> list[str]:
    table = pa.table({"time": pa.array(texts, pa.string()), "intensity": pa.array([3] * len(texts), pa.int8()),
                      "id": [f"r{k}" for k in range(len(texts))]})
    j = calmkit.Journal.from_arrow({"readings": table})
    return [json.loads(x)["time"] for x in calmkit.to_jsonl(j).splitlines()[1:]]


ACCEPTED = [t for t in TIME_CASES if _reader(t) is not None and t != "9999-12-31T23:59:59.999999-23:59"]


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_time_the_reader_takes_is_the_same_time_as_text(text: str) -> None:
    assert _from_text([text]) == [_reader(text)]


def test_a_column_of_every_time_the_reader_takes() -> None:
    got = _from_text(ACCEPTED)
    assert sorted(got) == sorted(_reader(t) for t in ACCEPTED)


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59.999999-23:59", "9999-12-31T23:00:00-01:00",
                                  "0001-01-01T00:00:00+01:00"])
def test_a_text_time_at_the_end_of_the_years_is_read_or_refused_in_words(text: str) -> None:
    want = _reader(text)
    if want is None:
        with pytest.raises(ValueError, match="field 'time'"):
            _from_text([text])
    else:
        assert _from_text([text]) == [want]


@pytest.mark.parametrize("text", ["2026-03-02T21:14:00+01:90", "2026-03-02T21:14:00+01:00\x00",
                                  "2026-03-02T21:14:00.Z", "2026-03-02T21:14:00+01.00", "2026-03-02T21:14:00+00:60"])
def test_a_text_time_the_reader_refuses_is_refused(text: str) -> None:
    assert _reader(text) is None
    with pytest.raises(ValueError, match="field 'time'"):
        _from_text([text])
