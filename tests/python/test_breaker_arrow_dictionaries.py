"""Dictionary-encoded columns of numbers, booleans and times: what pandas
hands to Arrow for a Categorical column (``df["intensity"].astype("category")``
becomes ``dictionary<values=int64, indices=int8>``), and what other tools
write to Parquet to save space.

Journal.from_arrow read such a column's dictionary *indices* as its values,
without a word: intensities 5 and 6 came back as 0 and 1, an offset of +60
minutes as +0 (every time moved), acted_on_urge true as false, 2.5 minutes as
0.0, assessment answers as their category codes; a dictionary of UTC
timestamps was refused as "timestamps without a time zone". The reference is
pyarrow's own decoding of the same column (``dictionary_decode``): each
table must give the journal of its decoded twin.
"""

from __future__ import annotations

from typing import Any

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")

US = [1_772_482_440_000_000, 1_772_482_500_000_000, 1_772_482_560_000_000]


def _triggers() -> Any:
    return pa.table({
        "participant": ["p", "q", "q"], "id": ["t1", "t2", "t3"],
        "time": pa.array(US, pa.timestamp("us", tz="UTC")),
        "offset_minutes": pa.array([60, -300, 60], pa.int16()),
        "category": ["other", "conflict", "other"], "intensity": pa.array([5, 6, 5], pa.int8()),
        "acted_on_urge": [True, False, True], "acted_after_minutes": [2.5, None, 2.5]})


def _tables() -> dict[str, Any]:
    t = _triggers()
    return {
        "triggers": t,
        "readings": pa.table({"participant": ["p", "q"], "time": pa.array(US[1:], pa.timestamp("us", tz="UTC")),
                              "intensity": pa.array([7, 3], pa.int8()), "trigger": ["t1", "t2"]}),
        "exercises": pa.table({
            "participant": ["p"], "id": ["e1"], "time": pa.array(US[1:2], pa.timestamp("us", tz="UTC")),
            "end": pa.array(US[2:], pa.timestamp("us", tz="UTC")), "exercise": ["breathing.4-7-8"],
            "completed": [False], "intensity_before": pa.array([8], pa.int8()),
            "intensity_after": pa.array([2], pa.int8())}),
        "assessments": pa.table({
            "participant": ["p"], "id": ["a1"], "time": pa.array(US[:1], pa.timestamp("us", tz="UTC")),
            "instrument": ["gad-7"], "answers": pa.array([[3, 3, 2, 2, 1, 0, 3]], pa.list_(pa.int64()))}),
    }


def _encode(table: Any, column: str) -> Any:
    i = table.schema.get_field_index(column)
    col = table[column]
    if pa.types.is_list(col.type):  # the items dictionary-encoded
        enc = pa.chunked_array([pa.ListArray.from_arrays(c.offsets, c.values.dictionary_encode()) for c in col.chunks])
    else:
        enc = col.dictionary_encode()
    return table.set_column(i, column, enc)


CASES = [("triggers", "intensity"), ("triggers", "offset_minutes"), ("triggers", "acted_on_urge"),
         ("triggers", "acted_after_minutes"), ("triggers", "time"), ("readings", "intensity"),
         ("exercises", "completed"), ("exercises", "intensity_before"), ("exercises", "end"),
         ("assessments", "answers")]


@pytest.mark.parametrize("table, column", CASES, ids=[f"{t}.{c}" for t, c in CASES])
def test_a_dictionary_encoded_column_reads_as_its_values(table: str, column: str) -> None:
    plain = _tables()
    encoded = dict(plain)
    encoded[table] = _encode(plain[table], column)
    assert encoded[table][column].type != plain[table][column].type
    decoded = encoded[table][column]
    if pa.types.is_dictionary(decoded.type):  # pyarrow's own reading of the encoded column: the plain one
        assert decoded.cast(decoded.type.value_type).equals(plain[table][column])
    want = calmkit.to_jsonl(calmkit.Journal.from_arrow(plain))
    assert calmkit.to_jsonl(calmkit.Journal.from_arrow(encoded)) == want


def test_a_pandas_categorical_intensity() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"participant": ["p", "q"], "id": ["t1", "t2"],
                       "time": pd.to_datetime(["2026-03-02T20:14:00Z", "2026-03-02T20:15:00Z"]),
                       "category": ["other", "conflict"], "intensity": [5, 6]})
    want = [t.intensity for t in calmkit.Journal.from_arrow({"triggers": pa.Table.from_pandas(df)}).triggers]
    df["intensity"] = df["intensity"].astype("category")
    got = [t.intensity for t in calmkit.Journal.from_arrow({"triggers": pa.Table.from_pandas(df)}).triggers]
    assert want == [5, 6] and got == want


def test_a_dictionary_index_outside_a_number_dictionary_is_refused() -> None:
    t = _triggers()
    bad = pa.DictionaryArray.from_arrays(pa.array([0, 1, 7], pa.int32()), pa.array([5, 6], pa.int8()), safe=False)
    t = t.set_column(t.schema.get_field_index("intensity"), "intensity", bad)
    with pytest.raises(ValueError, match=r"row 2: field 'intensity': has a dictionary index outside its dictionary"):
        calmkit.Journal.from_arrow({"triggers": t}, name="x")
