"""Trigger links given dictionary-encoded: what pyarrow's Parquet reader gives
with ``read_dictionary`` (calmkit.read_parquet reads the readings' links so),
pandas' Categorical, or a Parquet file another tool wrote with a
``dictionary<string>`` column. The reference is pyarrow's own decoding of the
same column (``cast(pa.string())``, ``pyarrow.parquet.read_table``), read by
the bridge as plain text: the same journal, and for a bad link or index the
same error.
"""
from __future__ import annotations

import numpy as np
import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

LINKED = ["readings", "exercises", "thought_records"]
INDEX_TYPES = [pa.int8(), pa.int16(), pa.int32(), pa.int64()]


@pytest.fixture(scope="module")
def journal():
    return calmkit.synthetic_journal(participants=7, days=28, seed=11)


def _encoded(links: list, index_type, seed: int, null_entry: bool = True, extra=()) -> pa.DictionaryArray:
    """``links`` (None: no link) dictionary-encoded with ``index_type``
    indices: the dictionary's entries shuffled, unused ones added
    (``extra``), and a null entry that a few rows point at, while the other
    missing links are null indices."""
    rng = np.random.default_rng(seed)
    values = sorted({v for v in links if v is not None})
    values = [values[k] for k in rng.permutation(len(values))] + list(extra)
    if null_entry:
        values.append(None)
    at = {v: k for k, v in enumerate(values) if v is not None}
    codes = []
    for k, v in enumerate(links):
        if v is not None:
            codes.append(at[v])
        else:
            codes.append(len(values) - 1 if null_entry and k % 2 else None)
    return pa.DictionaryArray.from_arrays(pa.array(codes, index_type), pa.array(values, pa.string()))


def _with_trigger(tables: dict, table: str, column) -> dict:
    out = dict(tables)
    t = tables[table]
    out[table] = t.set_column(t.column_names.index("trigger"), "trigger", column)
    return out


def _decoded(tables: dict, table: str) -> dict:
    """The tables with ``table``'s links decoded by pyarrow (plain text)."""
    return _with_trigger(tables, table, tables[table].column("trigger").cast(pa.string()))


@pytest.mark.parametrize("table", LINKED)
@pytest.mark.parametrize("index_type", INDEX_TYPES, ids=str)
def test_dictionary_links_read_as_pyarrow_decodes_them(journal, table, index_type):
    tables = journal.to_arrow()
    links = tables[table].column("trigger").to_pylist()
    links[1] = links[4] = links[6] = None  # rows without a link: null indices and the null entry
    if index_type == pa.int8():  # room for 127 entries: the rows of a few participants
        people = tables[table].column("participant").cast(pa.string()).to_pylist()
        keep = [k for k, p in enumerate(people) if p in ("p001", "p002")]
        tables = dict(tables)
        tables[table] = tables[table].take(pa.array(keep))
        links = [links[k] for k in keep]
        assert len({v for v in links if v is not None}) < 127
    given = _with_trigger(tables, table, _encoded(links, index_type, seed=3))
    assert given[table].column("trigger").cast(pa.string()).to_pylist() == links
    got = calmkit.Journal.from_arrow(given)
    want = calmkit.Journal.from_arrow(_decoded(given, table))
    assert got == want
    assert [r.trigger or None for r in getattr(got, table)] == links


@pytest.mark.parametrize("shape", ["sliced", "chunked", "unused entry not UTF-8", "uint8 indices",
                                   "no null entry"])
def test_other_dictionary_shapes_read_as_pyarrow_decodes_them(journal, shape):
    tables = journal.to_arrow()
    links = tables["readings"].column("trigger").to_pylist()
    n = len(links)
    if shape == "sliced":
        column = _encoded(links + links[:50], pa.int32(), seed=5).slice(0, n)
    elif shape == "chunked":  # each chunk its own dictionary, in another order
        column = pa.chunked_array([_encoded(links[:n // 3], pa.int32(), seed=6),
                                   _encoded(links[n // 3:], pa.int32(), seed=7)])
    elif shape == "unused entry not UTF-8":  # the row path reads the rows, which never use it
        bad = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, 2], np.int32)),
                                                     pa.py_buffer(b"\xff\xfe")])
        enc = _encoded(links, pa.int32(), seed=8)
        column = pa.DictionaryArray.from_arrays(enc.indices, pa.concat_arrays([enc.dictionary, bad]))
    elif shape == "uint8 indices":  # Arrow allows them; read by the row path
        small = sorted({v for v in links if v is not None})[:200]
        links = [v if v in small else None for v in links]
        column = _encoded(links, pa.uint8(), seed=9)
    else:
        column = _encoded(links, pa.int32(), seed=10, null_entry=False)
    given = _with_trigger(tables, "readings", column)
    got = calmkit.Journal.from_arrow(given)
    assert got == calmkit.Journal.from_arrow(_decoded(given, "readings"))
    assert [r.trigger or None for r in got.readings] == links


@pytest.mark.parametrize("table", LINKED)
def test_an_unknown_link_in_a_dictionary_is_named_as_in_plain_text(journal, table):
    tables = journal.to_arrow()
    links = tables[table].column("trigger").to_pylist()
    row = max(k for k, v in enumerate(links) if v is not None and links.count(v) == 1 or k == 3)
    links[row] = "no-such-trigger"
    given = _with_trigger(tables, table, _encoded(links, pa.int32(), seed=4))
    with pytest.raises(ValueError) as plain:
        calmkit.Journal.from_arrow(_decoded(given, table))
    assert f"<arrow>/{table}: row {row}: field 'trigger': refers to trigger 'no-such-trigger'" in str(plain.value)
    with pytest.raises(ValueError) as coded:
        calmkit.Journal.from_arrow(given)
    assert str(coded.value) == str(plain.value)


@pytest.mark.parametrize("index", [-1, 10**6])
def test_an_index_outside_the_dictionary_is_named_by_row(journal, index):
    tables = journal.to_arrow()
    links = tables["readings"].column("trigger").to_pylist()
    enc = _encoded(links, pa.int32(), seed=2)
    codes = enc.indices.to_pylist()
    codes[5] = index
    column = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), enc.dictionary, safe=False)
    with pytest.raises(ValueError, match=r"readings: row 5: field 'trigger'.*dictionary index outside its "
                                         r"dictionary|readings.*not a valid Arrow"):
        calmkit.Journal.from_arrow(_with_trigger(tables, "readings", column))



def _shared_entry_journal(people: list[str]) -> str:
    """Triggers ``t1`` of p1 and p2 (different records) and readings of
    ``people`` in turn, every one linking ``t1``, as journal text."""
    lines = ['{"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00Z",'
             '"category":"conflict","intensity":5}',
             '{"type":"trigger","participant":"p2","id":"t1","time":"2026-03-03T08:00:00Z",'
             '"category":"other","intensity":7}']
    lines += [f'{{"type":"reading","participant":"{p}","time":"2026-03-04T{k // 60:02d}:{k % 60:02d}:00Z",'
              f'"intensity":{k % 11},"trigger":"t1"}}' for k, p in enumerate(people)]
    return "\n".join(lines) + "\n"


def _one_entry(tables: dict) -> dict:
    """``tables`` with every reading's link the one entry of a dictionary:
    the same bytes for every row, whatever its participant."""
    n = tables["readings"].num_rows
    return _with_trigger(tables, "readings",
                         pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array(["t1"])))


def test_one_dictionary_entry_links_each_participants_own_trigger():
    # Rows of one entry alternate between participants: each finds its own t1.
    text = _shared_entry_journal(["p1", "p2", "p1", "p1", "p2", "p2", "p1", "p2"] * 20)
    given = _one_entry(calmkit.parse_journal(text).to_arrow())
    got = calmkit.Journal.from_arrow(given)
    assert got == calmkit.Journal.from_arrow(_decoded(given, "readings"))
    assert got == calmkit.parse_journal(text)


def test_one_dictionary_entry_is_refused_for_a_participant_without_that_trigger():
    # p3 has no t1: its row is refused although the rows of p1 just before found theirs.
    people = ["p1", "p2", "p1", "p1", "p3", "p2"]
    tables = calmkit.parse_journal(_shared_entry_journal(["p1", "p2", "p1", "p1", "p2", "p2"])).to_arrow()
    t = tables["readings"]
    assert t.column("participant").cast(pa.string()).to_pylist() == sorted(people[:4] + ["p2", "p2"])
    # The rows as the journal orders them (participant, time), row 3 given to p3.
    order = ["p1", "p1", "p1", "p3", "p2", "p2"]
    participant = pa.array(order).dictionary_encode().cast(t.schema.field("participant").type)
    tables["readings"] = t.set_column(0, t.schema.field("participant"), participant)
    given = _one_entry(tables)
    with pytest.raises(ValueError) as plain:
        calmkit.Journal.from_arrow(_decoded(given, "readings"))
    assert "<arrow>/readings: row 3: field 'trigger': refers to trigger 't1'" in str(plain.value)
    with pytest.raises(ValueError) as coded:
        calmkit.Journal.from_arrow(given)
    assert str(coded.value) == str(plain.value)

# --- Parquet ------------------------------------------------------------------


def test_read_parquet_links_are_pyarrows_reading_of_the_files(journal, tmp_path):
    calmkit.write_parquet(journal, tmp_path)
    plain = {t: pq.read_table(tmp_path / t) for t in ("triggers", *LINKED, "assessments")}
    for t in LINKED:
        assert pa.types.is_string(plain[t].schema.field("trigger").type)  # pyarrow's own decoding
    want = calmkit.Journal.from_arrow(plain)
    got = calmkit.read_parquet(tmp_path)
    assert got == want == journal
    for t in LINKED:
        assert [r.trigger or None for r in getattr(got, t)] == plain[t].column("trigger").to_pylist()


def _rewrite_readings(folder, links, encoded: bool) -> None:
    """The readings' file of a calmkit dataset rewritten by pyarrow with
    ``links`` as its trigger column: dictionary-encoded (Arrow's stored schema
    then says ``dictionary<string>``, as pyarrow writes a categorical) or plain."""
    f = folder / "readings" / "part-00000.parquet"
    t = pq.read_table(f)
    column = _encoded(links, pa.int32(), seed=12, null_entry=False) if encoded else pa.array(links, pa.string())
    t = t.set_column(t.column_names.index("trigger"), pa.field("trigger", column.type), column)
    pq.write_table(t, f)


@pytest.mark.parametrize("bad", [False, True])
def test_a_users_parquet_file_with_dictionary_links_reads_as_its_plain_twin(journal, tmp_path, bad):
    links = journal.to_arrow()["readings"].column("trigger").to_pylist()
    if bad:
        links[7] = "no-such-trigger"
    out = {}
    for encoded in (False, True):
        folder = tmp_path / str(encoded)
        calmkit.write_parquet(journal, folder)
        _rewrite_readings(folder, links, encoded)
        assert pq.read_table(folder / "readings").column("trigger").cast(pa.string()).to_pylist() == links
        try:
            out[encoded] = calmkit.read_parquet(folder)
        except ValueError as e:
            out[encoded] = str(e).replace(str(folder), "<folder>")
    if bad:
        assert "readings: row 7: field 'trigger': refers to trigger 'no-such-trigger'" in out[False]
        assert out[True] == out[False]
    else:
        assert out[True] == out[False] == journal


def _json_reason(journal, record_type: str, k: int, link: str) -> str:
    """The JSON reader's reason for the ``k``-th record of ``record_type``
    (journal order, the row of the bridge's table) linking ``link``."""
    import json

    lines = calmkit.to_jsonl(journal).splitlines()
    at = [n for n, line in enumerate(lines) if json.loads(line).get("type") == record_type][k]
    record = json.loads(lines[at])
    record["trigger"] = link
    lines[at] = json.dumps(record)
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal("\n".join(lines) + "\n")
    assert e.value.line == at + 1
    return e.value.reason


@pytest.mark.parametrize("table, record_type", [("readings", "reading"), ("exercises", "exercise"),
                                                ("thought_records", "thought_record")])
@pytest.mark.parametrize("encoding", ["plain", "dictionary"])
def test_an_unknown_link_at_any_row_is_named_with_the_json_readers_reason(journal, table, record_type, encoding):
    """The import asks for the index slots of the links a few rows ahead (16
    and 8) and checks each table's rows in two halves: a bad link in the first
    rows, on either side of the middle or in the last rows is the one named,
    with the reason the JSON reader gives for the same record, and the good
    links around it (some equal to the row before, some after a null) still
    find their trigger."""
    tables = journal.to_arrow()
    links = tables[table].column("trigger").to_pylist()
    n = len(links)
    for k in sorted({0, 1, 7, 8, 15, 16, 17, n // 2 - 1, n // 2, n // 2 + 1, n - 17, n - 16, n - 9, n - 1}):
        bad = list(links)
        bad[k] = "no-such-trigger"
        column = pa.array(bad, pa.string()) if encoding == "plain" else _encoded(bad, pa.int32(), seed=k)
        with pytest.raises(ValueError) as e:
            calmkit.Journal.from_arrow(_with_trigger(tables, table, column))
        assert str(e.value) == (f"<arrow>/{table}: row {k}: field 'trigger': "
                                + _json_reason(journal, record_type, k, "no-such-trigger"))
    # The same links without the bad one read back as the journal.
    column = pa.array(links, pa.string()) if encoding == "plain" else _encoded(links, pa.int32(), seed=1)
    assert calmkit.Journal.from_arrow(_with_trigger(tables, table, column)) == journal
