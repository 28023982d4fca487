"""Dictionary-encoded trigger links whose chunks have dictionaries of their own.

The Arrow bridge looks a trigger link up once for the rows near each other
that share one dictionary entry and participant (CHANGELOG [Unreleased]), and
asks for the index slot of links a few rows ahead. In Arrow a chunked
dictionary column may carry a different dictionary in every chunk (pyarrow's
``read_dictionary`` over several Parquet row groups, or ``pa.chunked_array`` of
separately encoded arrays): index 0 of the second chunk is another trigger id
than index 0 of the first. The reference is pyarrow's own decoding of the
same column (``cast(pa.string())``) read as plain text: the same journal, or
for a link to a trigger that is not there the same error naming the same row.
"""

from __future__ import annotations

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")


def _journal_text(readings: int) -> str:
    lines = ['{"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00Z",'
             '"category":"conflict","intensity":5}',
             '{"type":"trigger","participant":"p1","id":"t2","time":"2026-03-02T21:15:00Z",'
             '"category":"other","intensity":6}']
    lines += [f'{{"type":"reading","participant":"p1","time":"2026-03-04T{k // 60:02d}:{k % 60:02d}:00Z",'
              f'"intensity":{k % 11},"trigger":"t1"}}' for k in range(readings)]
    return "\n".join(lines) + "\n"


def _with_links(tables: dict, column) -> dict:
    out = dict(tables)
    t = tables["readings"]
    out["readings"] = t.set_column(t.column_names.index("trigger"), "trigger", column)
    return out


def _chunks(parts: list[tuple[list[int], list[str]]]):
    return pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values))
                             for codes, values in parts])


def _outcome(tables: dict):
    try:
        return calmkit.Journal.from_arrow(tables)
    except ValueError as e:
        return str(e)


@pytest.mark.parametrize("size", [3, 40, 400])
def test_index_0_of_the_next_chunk_is_its_own_dictionarys_entry(size: int) -> None:
    tables = calmkit.parse_journal(_journal_text(2 * size)).to_arrow()
    # the same index, the same participant, on both sides of the chunk boundary
    given = _with_links(tables, _chunks([([0] * size, ["t1"]), ([0] * size, ["no-such-trigger"])]))
    plain = _with_links(tables, given["readings"].column("trigger").cast(pa.string()))
    want = _outcome(plain)
    assert isinstance(want, str) and f"row {size}: field 'trigger': refers to trigger 'no-such-trigger'" in want
    assert _outcome(given) == want


@pytest.mark.parametrize("size", [3, 40, 400])
def test_good_links_after_a_chunk_boundary_find_their_own_trigger(size: int) -> None:
    tables = calmkit.parse_journal(_journal_text(2 * size)).to_arrow()
    given = _with_links(tables, _chunks([([0] * size, ["t1", "t2"]), ([0] * size, ["t2", "t1"])]))
    plain = _with_links(tables, given["readings"].column("trigger").cast(pa.string()))
    got = _outcome(given)
    assert got == _outcome(plain)
    assert [r.trigger for r in got.readings] == ["t1"] * size + ["t2"] * size
