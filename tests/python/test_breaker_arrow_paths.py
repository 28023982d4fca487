"""from_arrow reads the bridge's own layout column by column (d88ba46, 7e9c171) and
any other layout row by row: both must take and refuse the same records
with the same words.

Each case puts one value into the sample journal's tables (a bad one, an
edge the rules allow, or a duplicate id) and reads the tables twice: as the
bridge wrote them (dictionary columns, int8/int16), and with every
dictionary column turned into plain strings and every small integer into
int64, which sends them down the row path. The journal (as JSON Lines) or
the error text must be the same.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
T, E, A, R = "triggers", "exercises", "assessments", "thought_records"
EARLY = datetime.datetime(1399, 12, 31, 23, 0, tzinfo=datetime.timezone.utc)
CASES = {
    "nothing changed": [],
    "trigger intensity 11": [(T, "intensity", 3, 11)],
    "trigger intensity -1": [(T, "intensity", 3, -1)],
    "trigger offset 1440": [(T, "offset_minutes", 2, 1440)],
    "trigger offset -1440": [(T, "offset_minutes", 2, -1440)],
    "unknown category": [(T, "category", 5, "nope")],
    "empty category": [(T, "category", 5, "")],
    "null category": [(T, "category", 5, None)],
    "empty trigger id": [(T, "id", 4, "")],
    "null trigger id": [(T, "id", 4, None)],
    "duplicate trigger id": [(T, "id", 4, "t0001")],
    "null participant": [(T, "participant", 0, None)],
    "empty participant": [(T, "participant", 0, "")],
    "acted_after_minutes -1": [(T, "acted_after_minutes", 1, -1.0)],
    "acted_after_minutes nan": [(T, "acted_after_minutes", 1, float("nan"))],
    "acted_after_minutes inf": [(T, "acted_after_minutes", 1, float("inf"))],
    "acted_after_minutes without acted_on_urge": [(T, "acted_after_minutes", 1, 5.0), (T, "acted_on_urge", 1, None)],
    "empty context": [(T, "context", 1, "")],
    "empty tag": [(T, "tags", 1, [""])],
    "null tag": [(T, "tags", 1, [None])],
    "trigger in 1399": [(T, "time", 1, EARLY)],
    "custom exercise id": [(E, "exercise", 1, "my.own")],
    "exercise intensity_before 11": [(E, "intensity_before", 1, 11)],
    "exercise end before its time": [(E, "end", 1, "before")],
    "exercise naming a missing trigger": [(E, "trigger", 1, "t9999")],
    "duplicate exercise id": [(E, "id", 1, "first")],
    "null completed": [(E, "completed", 1, None)],
    "end offset 2000": [(E, "end_offset_minutes", 1, 2000)],
    "unknown instrument": [(A, "instrument", 0, "gad-8")],
    "two answers": [(A, "answers", 0, [1, 2])],
    "null answer": [(A, "answers", 0, [None] + [0] * 27)],
    "answer 9": [(A, "answers", 0, [9] + [0] * 27)],
    "duplicate assessment id": [(A, "id", 1, "first")],
    # thought records: column by column since 7e9c171
    "belief_before 101": [(R, "belief_before", 1, 101)],
    "null situation": [(R, "situation", 1, None)],
    "empty automatic_thought": [(R, "automatic_thought", 1, "")],
    "unknown distortion": [(R, "distortions", 1, ["nope"])],
    "emotion after 101": [(R, "emotions", 1, [{"name": "anxious", "before": 50, "after": 101}])],
    "emotion without a name": [(R, "emotions", 1, [{"name": "", "before": 50, "after": 10}])],
    "duplicate thought record id": [(R, "id", 1, "first")],
    "thought record naming a missing trigger": [(R, "trigger", 1, "t9999")],
}


def _set(table, name: str, arr):
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(name).with_type(arr.type), arr)


def _with_value(table, name: str, row: int, value):
    col = table[name].combine_chunks()
    values = col.to_pylist()
    if value == "before":
        value = table["time"].combine_chunks().to_pylist()[row] - datetime.timedelta(minutes=1)
    elif value == "first":
        value = values[0]
    values[row] = value
    if pa.types.is_dictionary(col.type):
        return _set(table, name, pa.array(values, pa.string()).dictionary_encode().cast(col.type))
    return _set(table, name, pa.array(values, col.type))


def _row_layout(table):
    for f in table.schema:
        if pa.types.is_dictionary(f.type):
            table = _set(table, f.name, table[f.name].combine_chunks().cast(pa.string()))
        elif f.type in (pa.int8(), pa.int16()):
            table = _set(table, f.name, table[f.name].combine_chunks().cast(pa.int64()))
    return table


def _outcome(tables) -> str:
    try:
        return calmkit.to_jsonl(calmkit.Journal.from_arrow(tables))
    except (ValueError, TypeError) as e:
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("case", list(CASES))
def test_the_column_path_and_the_row_path_say_the_same(case: str) -> None:
    tables = dict(calmkit.read_journal(SAMPLE).to_arrow())
    for name, column, row, value in CASES[case]:
        tables[name] = _with_value(tables[name], column, row, value)
    bridge = _outcome(tables)
    rows = _outcome({k: _row_layout(v) for k, v in tables.items()})
    assert bridge == rows
    if case == "nothing changed":
        assert bridge == calmkit.to_jsonl(calmkit.read_journal(SAMPLE))


def test_an_unused_dictionary_entry_is_not_a_record() -> None:
    """A category no row uses (a dictionary another tool kept) is no
    trigger: neither path may refuse it."""
    tables = dict(calmkit.read_journal(SAMPLE).to_arrow())
    cat = tables[T]["category"].combine_chunks()
    wider = pa.DictionaryArray.from_arrays(cat.indices, pa.concat_arrays([cat.dictionary, pa.array(["nope"])]))
    tables[T] = _set(tables[T], "category", wider)
    assert _outcome(tables) == calmkit.to_jsonl(calmkit.read_journal(SAMPLE))
