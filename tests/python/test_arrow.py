"""The Arrow bridge (calmkit.arrow, issue 15): Journal -> Arrow -> Journal,
the documented schema as plain pyarrow/pandas see it, tables written by other
tools, and every row checked with its table, row and column in the error."""
from __future__ import annotations

import datetime as dt
import math

import pytest

import calmkit
from calmkit import arrow as ckarrow
from calmkit import parquet as ckpq

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

# One record of every type with every field set, one with every optional
# field absent, unicode text, and offsets east, west, half-hour and +14:00-ish.
FULL = "\n".join([
    '{"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00.123456+05:45",'
    '"category":"delayed_reply","intensity":8,"context":"no reply — 3h","thoughts":["they\'re gone","ünï"],'
    '"sensations":["tight chest"],"urge":"text again","acted_on_urge":false,"acted_after_minutes":12.5,'
    '"response":"walked","tags":["evening","😟"]}',
    '{"type":"trigger","participant":"p1","id":"t2","time":"2026-03-03T08:00:00-09:30",'
    '"category":"other","intensity":0}',
    '{"type":"reading","participant":"p1","id":"r1","time":"2026-03-02T21:20:00+05:45","intensity":6,'
    '"trigger":"t1","note":"better — a bit"}',
    '{"type":"reading","participant":"p1","time":"2026-03-02T21:40:00+05:45","intensity":10}',
    '{"type":"exercise","participant":"p1","id":"e1","time":"2026-03-02T21:21:00+05:45",'
    '"end":"2026-03-02T17:00:00-00:30","exercise":"breathing.4-7-8","completed":false,"intensity_before":7,'
    '"intensity_after":4,"trigger":"t1","responses":["five things I see","多"]}',
    '{"type":"exercise","participant":"p1","id":"e2","time":"2026-03-04T10:00:00Z",'
    '"end":"2026-03-04T10:00:00Z","exercise":"grounding.5-4-3-2-1"}',
    '{"type":"thought_record","participant":"p1","id":"c1","time":"2026-03-02T22:00:00+05:45",'
    '"situation":"no reply","automatic_thought":"they left","belief_before":90,'
    '"emotions":[{"name":"fear","before":80,"after":40},{"name":"sadness","before":0}],'
    '"distortions":["mind_reading","catastrophizing"],"evidence_for":["silence"],'
    '"evidence_against":["busy day"],"alternatives":["phone died"],"friend_advice":"wait",'
    '"balanced_thought":"I cannot know","belief_after":30,"trigger":"t1"}',
    '{"type":"thought_record","participant":"p1","id":"c2","time":"2026-03-05T22:00:00+14:00",'
    '"situation":"","automatic_thought":"","belief_before":0}',
    '{"type":"assessment","participant":"p1","id":"a1","time":"2026-03-02T08:00:00.5+01:00",'
    '"instrument":"gad-7","answers":[3,3,2,1,0,0,3],"note":"ünïcode ✓"}',
    '{"type":"trigger","participant":"","id":"t1","time":"2026-03-02T21:14:00Z","category":"conflict",'
    '"intensity":5}',
    '{"type":"reading","participant":"p 2/ü","id":"r9","time":"1400-01-01T00:00:00Z","intensity":1}',
]) + "\n"


@pytest.fixture(scope="module")
def full():
    return calmkit.parse_journal(FULL)


def test_round_trip_every_type_and_field(full):
    tables = full.to_arrow()
    assert set(tables) == set(ckarrow.TABLES)
    back = calmkit.Journal.from_arrow(tables)
    assert back == full
    # Byte for byte the same journal text: offsets, fractions, unicode, absent fields.
    assert calmkit.to_jsonl(back) == calmkit.to_jsonl(full)


def test_round_trip_of_a_generated_cohort_through_pandas_frames():
    j = calmkit.synthetic_journal(participants=6, days=21)
    assert calmkit.Journal.from_arrow(j.to_arrow()) == j
    # The frames a user gets from to_arrow().to_pandas() come back too.
    frames = {k: t.to_pandas() for k, t in j.to_arrow().items()}
    assert calmkit.Journal.from_arrow(frames) == j


def test_the_documented_schema_as_pyarrow_and_pandas_see_it(full):
    tables = full.to_arrow()
    for name, table in tables.items():
        assert table.schema == ckarrow.ARROW_SCHEMAS[name], name
    t = tables["triggers"]
    assert t.schema.field("time").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("offset_minutes").type == pa.int16()
    assert pa.types.is_dictionary(t.schema.field("participant").type)
    assert pa.types.is_dictionary(t.schema.field("category").type)
    # The participant dictionary is the journal's sorted participants, the same in every table.
    assert t.column("participant").chunk(0).dictionary.to_pylist() == ["", "p 2/ü", "p1"]
    assert tables["readings"].column("participant").chunk(0).dictionary.to_pylist() == ["", "p 2/ü", "p1"]
    # The category dictionary is the whole vocabulary in its documented order.
    assert t.column("category").chunk(0).dictionary.to_pylist() == [c[0] for c in calmkit.trigger_categories()]
    rows = {r["id"]: r for r in t.to_pylist() if r["participant"] == "p1"}
    t1 = rows["t1"]
    # 21:14:00.123456 at +05:45 is 15:29:00.123456 UTC.
    assert t1["time"] == dt.datetime(2026, 3, 2, 15, 29, 0, 123456, tzinfo=dt.timezone.utc)
    assert t1["offset_minutes"] == 345
    assert t1["thoughts"] == ["they're gone", "ünï"] and t1["tags"] == ["evening", "😟"]
    assert t1["acted_on_urge"] is False and t1["acted_after_minutes"] == 12.5
    t2 = rows["t2"]
    assert t2["offset_minutes"] == -570
    assert t2["context"] is None and t2["thoughts"] == [] and t2["acted_on_urge"] is None
    assert t2["acted_after_minutes"] is None
    ex = {r["id"]: r for r in tables["exercises"].to_pylist()}
    # end 17:00 at -00:30 is 17:30 UTC; start 21:21 at +05:45 is 15:36 UTC.
    assert ex["e1"]["end"] == dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.timezone.utc)
    assert ex["e1"]["end_offset_minutes"] == -30
    assert ex["e2"]["completed"] is True and ex["e2"]["intensity_before"] is None
    c1 = {r["id"]: r for r in tables["thought_records"].to_pylist()}["c1"]
    assert c1["emotions"] == [{"name": "fear", "before": 80, "after": 40}, {"name": "sadness", "before": 0, "after": None}]
    assert c1["distortions"] == ["mind_reading", "catastrophizing"]
    a1 = tables["assessments"].to_pylist()[0]
    assert a1["answers"] == [3, 3, 2, 1, 0, 0, 3] and a1["instrument"] == "gad-7" and a1["note"] == "ünïcode ✓"
    # pandas: times are datetime64[us, UTC], dictionaries become categoricals.
    frame = t.to_pandas()
    assert str(frame["time"].dtype) == "datetime64[us, UTC]"
    assert isinstance(frame["category"].dtype, pd.CategoricalDtype)


def test_parquet_written_by_calmkit_is_read_by_plain_pyarrow_and_pandas(tmp_path, full):
    calmkit.write_parquet(full, tmp_path, partition_by="shard")
    for folder in ckarrow.TABLES:
        table = pq.read_table(tmp_path / folder)
        assert table.schema.remove_metadata() == ckpq.SCHEMAS[folder]
    frame = pd.read_parquet(tmp_path / "readings")
    by_id = frame.set_index("id")
    assert by_id.loc["r1", "note"] == "better — a bit"
    assert by_id.loc["r9", "participant"] == "p 2/ü"
    assert by_id.loc["r9", "time"] == pd.Timestamp("1400-01-01T00:00:00Z")
    # pandas reads what calmkit wrote, and calmkit reads it back through pandas' frames.
    frames = {f: pd.read_parquet(tmp_path / f) for f in ckarrow.TABLES}
    assert calmkit.Journal.from_arrow(frames) == full


def test_parquet_written_by_pandas_is_read_by_calmkit(tmp_path):
    """A dataset another program wrote with pandas.to_parquet (pandas' own
    dtypes: datetime64[ns, tz] in a zone, int64 numbers, float NaN for
    absent, object text), read as a calmkit dataset."""
    (tmp_path / "ds").mkdir()
    triggers = pd.DataFrame({
        "participant": ["a", "a", "b"],
        "id": ["t1", "t2", "t1"],
        # A zone, not UTC: the instants are what count; the offset column says where the person was.
        "time": pd.to_datetime(["2026-03-02 21:14", "2026-03-03 07:00", "2026-03-02 09:00"]).tz_localize(
            "Europe/Berlin"),
        "offset_minutes": [60, 60, 0],
        "category": ["delayed_reply", "conflict", "other"],
        "intensity": [8, 3, 5],
        "acted_after_minutes": [12.5, None, None],
        "thoughts": [["gone"], [], None],
    })
    readings = pd.DataFrame({
        "participant": ["a", "a"], "id": [None, "r2"],
        "time": pd.to_datetime(["2026-03-02T20:30:00Z", "2026-03-02T20:45:00Z"]),
        "offset_minutes": [60, 60], "intensity": [6.0, 4.0], "trigger": ["t1", None], "note": ["ok", None]})
    triggers.to_parquet(tmp_path / "ds" / "triggers.parquet")  # pandas' writer, not calmkit's
    readings.to_parquet(tmp_path / "ds" / "readings.parquet")
    tables = {"triggers": pq.read_table(tmp_path / "ds" / "triggers.parquet"),
              "readings": pq.read_table(tmp_path / "ds" / "readings.parquet")}
    # pandas 2 parses times to nanoseconds, pandas 3 to microseconds: either is read.
    assert tables["triggers"].schema.field("time").type in (pa.timestamp("ns", tz="Europe/Berlin"),
                                                            pa.timestamp("us", tz="Europe/Berlin"))
    j = calmkit.Journal.from_arrow(tables, name="pandas")
    a1 = [t for t in j.triggers if t.participant == "a" and t.id == "t1"][0]
    # 21:14 in Berlin (CET, +01:00) is 20:14 UTC; shown at the offset column's +60 minutes.
    assert a1.time == dt.datetime(2026, 3, 2, 21, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert a1.acted_after_minutes == 12.5 and a1.thoughts == ["gone"]
    t2 = [t for t in j.triggers if t.id == "t2"][0]
    assert t2.acted_after_minutes is None
    r = list(j.readings)
    assert [x.intensity for x in r] == [6, 4] and r[0].trigger == "t1" and r[0].id == "" and r[1].note == ""
    # The same journal written by calmkit's JSON Lines reader from the same values.
    ref = calmkit.parse_journal("\n".join([
        '{"type":"trigger","participant":"a","id":"t1","time":"2026-03-02T21:14:00+01:00",'
        '"category":"delayed_reply","intensity":8,"thoughts":["gone"],"acted_after_minutes":12.5}',
        '{"type":"trigger","participant":"a","id":"t2","time":"2026-03-03T07:00:00+01:00",'
        '"category":"conflict","intensity":3}',
        '{"type":"trigger","participant":"b","id":"t1","time":"2026-03-02T08:00:00Z","category":"other",'
        '"intensity":5}',
        '{"type":"reading","participant":"a","time":"2026-03-02T21:30:00+01:00","intensity":6,"trigger":"t1",'
        '"note":"ok"}',
        '{"type":"reading","participant":"a","id":"r2","time":"2026-03-02T21:45:00+01:00","intensity":4}',
    ]) + "\n")
    assert j == ref


def _with(table, column, values, type_=None):
    arr = pa.array(values, type_) if type_ is not None else pa.array(values)
    return table.set_column(table.schema.get_field_index(column), column, arr)


@pytest.mark.parametrize("table,column,values,type_,message", [
    ("readings", "intensity", [6, 11], pa.int8(), r"readings: row 1: field 'intensity': must be an integer 0\.\.10, got 11"),
    ("readings", "intensity", [6, None], pa.int8(), r"readings: row 1: field 'intensity': required field is missing"),
    ("readings", "intensity", [6.0, 2.5], pa.float64(), r"readings: row 1: field 'intensity': must be an integer 0\.\.10, got 2\.5"),
    ("triggers", "acted_after_minutes", [math.nan, None, None], pa.float64(),
     r"triggers: row 0: field 'acted_after_minutes': must be a finite number of minutes >= 0, got nan"),
    ("triggers", "acted_after_minutes", [-1.0, None, None], pa.float64(),
     r"triggers: row 0: field 'acted_after_minutes': must be a finite number of minutes >= 0, got -1"),
    ("triggers", "category", ["delayed_reply", "nope", "other"], pa.string(),
     r"triggers: row 1: field 'category': unknown trigger category 'nope'"),
    ("triggers", "offset_minutes", [0, 1440, 0], pa.int16(),
     r"triggers: row 1: field 'offset_minutes': UTC offset must be within -23:59\.\.\+23:59, got 1440 minutes"),
    ("triggers", "id", ["t1", "t1", "t1"], pa.string(),
     r"triggers: row 1: field 'id': duplicate trigger id 't1' for participant 'a' \(first used in row 0\)"),
    ("triggers", "id", ["t1", None, "t3"], pa.string(), r"triggers: row 1: field 'id': must not be empty"),
    ("readings", "trigger", ["t9", None], pa.string(),
     r"readings: row 0: field 'trigger': refers to trigger 't9', which participant 'a' does not have"),
    ("readings", "time", [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1)], pa.timestamp("us"),
     r"readings: column 'time' holds timestamps without a time zone"),
    ("readings", "time", [0, 1], pa.timestamp("ns", tz="UTC"),
     r"readings: row 1: field 'time': has digits below the microsecond"),
    ("readings", "time", [dt.datetime(1399, 12, 31, 23, tzinfo=dt.timezone.utc)] * 2, pa.timestamp("us", tz="UTC"),
     r"readings: row 0: field 'time': year must be 1400\.\.9999 \(at its UTC offset\)"),
    ("triggers", "intensity", ["8", "3", "5"], pa.string(),
     r"triggers: field 'intensity': is Arrow type 'string', expected integer"),
])
def test_every_row_is_checked_with_table_row_and_column(table, column, values, type_, message):
    j = calmkit.parse_journal("\n".join([
        '{"type":"trigger","participant":"a","id":"t1","time":"2026-03-02T21:14:00Z","category":"delayed_reply",'
        '"intensity":8}',
        '{"type":"trigger","participant":"a","id":"t2","time":"2026-03-03T07:00:00Z","category":"conflict",'
        '"intensity":3}',
        '{"type":"trigger","participant":"a","id":"t3","time":"2026-03-04T07:00:00Z","category":"other",'
        '"intensity":5}',
        '{"type":"reading","participant":"a","id":"r1","time":"2026-03-02T21:30:00Z","intensity":6}',
        '{"type":"reading","participant":"a","id":"r2","time":"2026-03-02T21:45:00Z","intensity":4}',
    ]) + "\n")
    tables = j.to_arrow()
    tables[table] = _with(tables[table], column, values, type_)
    with pytest.raises(ValueError, match=message):
        calmkit.Journal.from_arrow(tables, name="t")


def test_nested_values_are_checked_with_their_position(full):
    tables = full.to_arrow()
    tr = tables["thought_records"]
    emotion = pa.struct([("name", pa.string()), ("before", pa.int16()), ("after", pa.int16())])
    bad = _with(tr, "emotions", [[{"name": "fear", "before": 80, "after": 140}], []], pa.list_(emotion))
    with pytest.raises(ValueError, match=r"thought_records: row 0: field 'emotions\[0\]\.after': must be an integer 0\.\.100, got 140"):
        calmkit.Journal.from_arrow({**tables, "thought_records": bad})
    bad = _with(tr, "distortions", [["mind_reading", "nope"], []], pa.list_(pa.string()))
    with pytest.raises(ValueError, match=r"thought_records: row 0: field 'distortions\[1\]': unknown cognitive distortion 'nope'"):
        calmkit.Journal.from_arrow({**tables, "thought_records": bad})
    ex = tables["exercises"]
    early = _with(ex, "end", [dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 4, 10, tzinfo=dt.timezone.utc)],
                  pa.timestamp("us", tz="UTC"))
    with pytest.raises(ValueError, match=r"exercises: row 0: field 'end': end .* is before time"):
        calmkit.Journal.from_arrow({**tables, "exercises": early})


def test_missing_required_column_and_unknown_table_are_errors(full):
    tables = full.to_arrow()
    with pytest.raises(ValueError, match=r"x/readings: field 'intensity': missing"):
        calmkit.Journal.from_arrow({"readings": tables["readings"].drop_columns(["intensity"])}, name="x")
    with pytest.raises(ValueError, match=r"unknown table\(s\) \['nope'\]"):
        calmkit.Journal.from_arrow({"nope": tables["readings"]})
    with pytest.raises(TypeError, match="expected an Arrow table"):
        calmkit._core._journal_from_arrow({"readings": 3}, "x")


def test_chunked_and_sliced_tables_read_like_one_table(full):
    tables = full.to_arrow()
    chunked = {k: pa.concat_tables([t.slice(0, 1), t.slice(1)]) for k, t in tables.items()}
    assert calmkit.Journal.from_arrow(chunked) == full
    # A record batch that is a slice of a larger one (non-zero offsets everywhere).
    batch = tables["triggers"].combine_chunks().to_batches()[0].slice(1)
    j = calmkit.Journal.from_arrow({"triggers": batch})
    assert [t.id for t in j.triggers] == [t.id for t in full.triggers][1:]
    # Row numbers count over the whole table, across chunks.
    rd = tables["readings"]
    bad = pa.concat_tables([rd.slice(0, 2), _with(rd.slice(2), "intensity", [12], pa.int8())],
                           promote_options="permissive")
    with pytest.raises(ValueError, match=r"readings: row 2: field 'intensity'"):
        calmkit.Journal.from_arrow({"readings": bad})


def test_large_types_and_other_libraries_through_the_c_interface(full):
    tables = full.to_arrow()
    big = {k: t.cast(pa.schema([pa.field(f.name, pa.large_string() if f.type == pa.string() else
                                         pa.large_list(f.type.value_type) if pa.types.is_list(f.type) else f.type)
                                for f in t.schema])) for k, t in tables.items()}
    assert calmkit.Journal.from_arrow(big) == full
    polars = pytest.importorskip("polars")
    frames = {k: polars.from_arrow(t) for k, t in tables.items()}
    assert calmkit.Journal.from_arrow(frames) == full


# --- hostile Arrow input: arrays that break the layout they promise ----------------------------------
# The C data interface hands buffers over without their sizes: calmkit checks what it follows (dictionary
# indices, offsets, children) and refuses a broken array with its table, row and column, never reading
# outside a buffer. pyarrow builds these arrays without validating them (from_buffers, safe=False).


def _readings_table():
    j = calmkit.Journal([calmkit.Reading(participant=p, id=f"r{k}", time=f"2026-03-02T08:0{k}:00Z", intensity=k,
                                         note="abcdef"[k:k + 2])
                         for k, p in enumerate(["a", "a", "b"])])
    return j.to_arrow()["readings"]


def _i32(values):
    import numpy as np

    return pa.py_buffer(np.array(values, np.int32).tobytes())


def test_a_dictionary_index_outside_its_dictionary_is_refused_naming_the_row():
    t = _readings_table()
    codes = pa.DictionaryArray.from_arrays(pa.array([0, 7, 1], pa.int32()), pa.array(["a", "b"]), safe=False)
    with pytest.raises(ValueError, match=r"<arrow>/readings: row 1: field 'participant': has a dictionary index "
                                         r"outside its dictionary"):
        calmkit.Journal.from_arrow({"readings": _with(t, "participant", codes)})
    negative = pa.DictionaryArray.from_arrays(pa.array([0, 0, -3], pa.int32()), pa.array(["a", "b"]), safe=False)
    with pytest.raises(ValueError, match=r"readings: row 2: field 'participant': has a dictionary index"):
        calmkit.Journal.from_arrow({"readings": _with(t, "participant", negative)})


def test_string_offsets_that_go_backwards_are_refused_naming_the_row():
    t = _readings_table()
    note = pa.Array.from_buffers(pa.string(), 3, [None, _i32([0, 2, 1, 6]), pa.py_buffer(b"abcdef")])
    with pytest.raises(ValueError, match=r"readings: row 1: field 'note': has string offsets that go backwards"):
        calmkit.Journal.from_arrow({"readings": _with(t, "note", note)})
    # A negative offset inside the array (pyarrow's own cheap check looks at the first and last only).
    negative = pa.Array.from_buffers(pa.string(), 3, [None, _i32([0, 2, -40, 6]), pa.py_buffer(b"abcdef")])
    with pytest.raises(ValueError, match=r"readings: row 1: field 'note': has string offsets"):
        calmkit.Journal.from_arrow({"readings": _with(t, "note", negative)})


def test_list_offsets_past_their_items_are_refused_naming_the_row(full):
    t = full.to_arrow()["triggers"]
    n = t.num_rows
    items = pa.array(["x", "y"])
    # Row n-1's list runs from item 2 back to item 1.
    thoughts = pa.Array.from_buffers(pa.list_(pa.string()), n, [None, _i32([0] * (n - 1) + [2, 1])],
                                     children=[items])
    with pytest.raises(ValueError, match=rf"triggers: row {n - 1}: field 'thoughts': has list offsets that go "
                                         r"backwards or past its items"):
        calmkit.Journal.from_arrow({"triggers": _with(t, "thoughts", thoughts)})
    # An item of a list whose string offsets go backwards.
    bad_items = pa.Array.from_buffers(pa.string(), 2, [None, _i32([0, 3, 1]), pa.py_buffer(b"abc")])
    lists = pa.Array.from_buffers(pa.list_(pa.string()), n, [None, _i32([0] * n + [2])], children=[bad_items])
    with pytest.raises(ValueError, match=rf"triggers: row {n - 1}: field 'tags\[1\]': has string offsets"):
        calmkit.Journal.from_arrow({"triggers": _with(t, "tags", lists)})


@pytest.mark.parametrize("column,values,type_,message", [
    ("time", [None, dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc), None], pa.timestamp("us", tz="UTC"),
     r"readings: row 0: field 'time': required field is missing"),
    ("intensity", [1, 2, None], pa.int8(), r"readings: row 2: field 'intensity': required field is missing"),
    ("intensity", ["1", "2", "3"], pa.string(), r"readings: field 'intensity': is Arrow type 'string', expected integer"),
    ("time", [1, 2, 3], pa.int64(), r"readings: column 'time' holds numbers"),
    ("note", [1, 2, 3], pa.int32(), r"readings: field 'note': is Arrow type 'int32', expected string"),
])
def test_wrong_types_and_nulls_in_required_columns_name_the_table_row_and_column(column, values, type_, message):
    with pytest.raises(ValueError, match=message):
        calmkit.Journal.from_arrow({"readings": _with(_readings_table(), column, values, type_)})


def test_a_broken_row_outside_a_slice_is_never_read_and_rows_count_within_the_table():
    t = _readings_table()
    note = pa.Array.from_buffers(pa.string(), 3, [None, _i32([0, 2, 1, 6]), pa.py_buffer(b"abcdef")])
    broken = _with(t, "note", note)
    # The slice's row 0 is the broken table's row 1 (offsets 2 -> 1).
    with pytest.raises(ValueError, match=r"readings: row 0: field 'note': has string offsets"):
        calmkit.Journal.from_arrow({"readings": broken.slice(1)})
    ok = calmkit.Journal.from_arrow({"readings": broken.slice(2)})  # only row 2: offsets 1..6 are fine
    assert [r.note for r in ok.readings] == ["bcdef"]
    # Chunked: the second chunk's broken row is named by its row in the whole table.
    chunked = pa.concat_tables([t, broken.slice(0, 2)])
    with pytest.raises(ValueError, match=r"readings: row 4: field 'note': has string offsets"):
        calmkit.Journal.from_arrow({"readings": chunked})


def test_offsets_past_the_data_buffer_are_refused_before_calmkit_reads():
    import numpy as np

    t = _readings_table()
    offsets = bytearray(np.array([0, 2, 4, 6], np.int32).tobytes())
    note = pa.Array.from_buffers(pa.string(), 3, [None, pa.py_buffer(offsets), pa.py_buffer(b"abcdef")])
    # Changed after pyarrow checked it: the last row now ends at byte 60 of a 6-byte buffer.
    np.frombuffer(offsets, np.int32)[3] = 60
    with pytest.raises(ValueError, match=r"<arrow>/readings: not a valid Arrow table .*60"):
        calmkit.Journal.from_arrow({"readings": _with(t, "note", note)})


def test_time_texts_read_column_wise_equal_pythons_own_reading_of_each_text():
    """A time column of text is read column-wise where the text is a usual
    one (date, T or a space, hh:mm[:ss[.fff|.ffffff]], Z or ±hh:mm); every
    such row must give what ``datetime.fromisoformat`` gives for the text
    (the reference: Python's own ISO 8601 reader, not calmkit), and every
    text it does not cover, hostile or merely unusual, is left to the row
    reader. Dates and times that do not exist (30 February, 24:00, second 60,
    offset +24:00) are never read column-wise."""
    import random

    from calmkit import arrow as A

    rng = random.Random(20)

    def text():
        y = rng.choice([1, 2, 999, 1399, 1400, 2024, 2026, 9998, 9999, rng.randint(1000, 9999)])
        mo, d = rng.choice([1, 2, 12, 13, 0, rng.randint(1, 12)]), rng.choice([1, 28, 29, 30, 31, 32, 0])
        h, mi = rng.choice([0, 23, 24, rng.randint(0, 23)]), rng.choice([0, 59, 60, rng.randint(0, 59)])
        t = f"{y:04d}-{mo:02d}-{d:02d}{rng.choice('TTt _')}{h:02d}:{mi:02d}"
        if rng.random() < 0.8:
            t += f":{rng.choice([0, 59, 60, rng.randint(0, 59)]):02d}"
            t += rng.choice(["", ".1", ".123", ".12345", ".123456", ".1234567", ",123"])
        t += rng.choice(["Z", "z", "+00:00", "-05:30", "+23:59", "-23:59", "+24:00", "+01:60", "", "+0200", " Z"])
        return rng.choice(["", " ", "\t"]) + t + rng.choice(["", " ", "\u00a0"])

    texts = [text() for _ in range(3000)] + ["2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "x", ""]
    utc_us, minutes, done = A._read_times_columnwise(pa.chunked_array([texts[:1000], texts[1000:]]))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    read = 0
    for i, t in enumerate(texts):
        if not done[i]:
            continue
        read += 1
        when = dt.datetime.fromisoformat(t.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        assert (utc_us[i], minutes[i]) == ((when - epoch) // dt.timedelta(microseconds=1),
                                           when.utcoffset() // dt.timedelta(minutes=1)), t
    assert read > 30 and done[-4] and not done[-3] and not done[-2]
    # And through from_arrow: the text's offset where the table has none, the table's where it has one.
    readings = pa.table({"participant": ["a"] * 3, "id": ["r1", "r2", "r3"],
                         "time": ["2026-05-20T21:40:00.5+02:00", " 2026-05-20 22:00Z", "2026-05-20T23:00:00-05:30"],
                         "offset_minutes": pa.array([None, 60, None], pa.int16()), "intensity": [3, 4, 5]})
    got = calmkit.Journal.from_arrow({"readings": readings}).to_arrow()["readings"]
    assert got.column("offset_minutes").to_pylist() == [120, 60, -330]
    assert got.column("time").to_pylist() == [
        dt.datetime(2026, 5, 20, 19, 40, 0, 500000, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 5, 20, 22, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 5, 21, 4, 30, tzinfo=dt.timezone.utc)]


def _cohort_text(order):
    """JSON Lines of three participants (each: two triggers, readings linked
    to them, one unlinked), the participants' blocks written in `order`."""
    lines = []
    for p in order:
        for k in (1, 2):
            lines.append(f'{{"type":"trigger","participant":"{p}","id":"t{k}","time":"2026-03-0{k}T10:00:00+01:00",'
                         f'"category":"conflict","intensity":{k + 3}}}')
        for k, link in ((1, "t1"), (2, "t2"), (3, None)):
            ref = f',"trigger":"{link}"' if link else ""
            lines.append(f'{{"type":"reading","participant":"{p}","id":"r{k}","time":"2026-03-0{k}T10:05:00Z",'
                         f'"intensity":{k}{ref}}}')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("split", [1, 2, 4])
def test_tables_grouped_or_not_by_participant_and_split_into_batches_read_as_the_json_reader_reads(split):
    """The bridge fills one builder per table, checks each link once and sets
    it by row; rows may come a participant at a time in any participant order
    (a sharded dataset) or interleaved. Reference: the JSON Lines reader of
    the same records, and pyarrow tables built from plain values."""
    want = calmkit.parse_journal(_cohort_text(["a", "b", "c"]))
    for order in (["c", "a", "b"], ["b", "c", "a"]):
        tables = calmkit.parse_journal(_cohort_text(order)).to_arrow()
        # Re-order the rows a participant at a time (the journal's own order is a, b, c).
        ordered = {}
        for name, t in tables.items():
            parts = [t.filter(pa.compute.equal(t.column("participant").cast(pa.string()), p)) for p in order]
            whole = pa.concat_tables(parts).combine_chunks()
            step = max(1, whole.num_rows // split)
            ordered[name] = pa.Table.from_batches(whole.to_batches(max_chunksize=step), schema=whole.schema)
        assert calmkit.Journal.from_arrow(ordered) == want
    # Interleaved: a participant in several runs, each run out of time order.
    rd = want.to_arrow()["readings"]
    shuffled = rd.take(pa.array([8, 0, 4, 1, 7, 2, 5, 3, 6]))
    assert calmkit.Journal.from_arrow({"triggers": want.to_arrow()["triggers"], "readings": shuffled}) == want
    # A link to a trigger of another participant is refused, naming the row of its table.
    plain = pa.table({"participant": ["a", "b", "b"], "id": ["r1", "r2", "r3"],
                      "time": pa.array([0, 1, 2], pa.timestamp("us", tz="UTC")), "intensity": [1, 2, 3],
                      "trigger": [None, "t9", "t1"]})
    triggers = pa.table({"participant": ["b"], "id": ["t1"], "time": pa.array([0], pa.timestamp("us", tz="UTC")),
                         "category": ["conflict"], "intensity": [4]})
    with pytest.raises(ValueError, match=r"readings: row 1: field 'trigger': refers to trigger 't9', which "
                                         r"participant 'b' does not have"):
        calmkit.Journal.from_arrow({"triggers": triggers, "readings": pa.Table.from_batches(plain.to_batches(2))})
    j = calmkit.Journal.from_arrow({"triggers": triggers, "readings": plain.slice(2)})
    assert [(r.participant, r.trigger) for r in j.readings] == [("b", "t1")]
    # A duplicate id in a later batch names its row and the row of its first use.
    dup = plain.set_column(1, "id", pa.array(["r1", "r2", "r2"])).drop(["trigger"])
    dup = pa.Table.from_batches(dup.to_batches(max_chunksize=2), schema=dup.schema)
    with pytest.raises(ValueError, match=r"readings: row 2: field 'id': duplicate reading id 'r2' for participant "
                                         r"'b' \(first used in row 1\)"):
        calmkit.Journal.from_arrow({"readings": dup})


@pytest.mark.parametrize("null_ids", [True, False])
def test_a_repeated_id_among_rows_mostly_without_one_is_the_one_pandas_finds_first(null_ids):
    # Readings mostly without an id (null or ""), a few with one, in batches:
    # the first repeated (participant, id) in row order, and the row of its
    # first use, are those pandas' duplicated() finds.
    n = 5000
    ids = [None if null_ids else ""] * n
    for k, row in enumerate(range(7, n, 97)):
        ids[row] = f"r{k % 40}"  # 52 ids over 40 names: repeats from the 41st on
    participants = ["a" if i % 3 else "b" for i in range(n)]
    table = pa.table({"participant": participants, "id": pa.array(ids, pa.string()),
                      "time": pa.array(range(n), pa.timestamp("us", tz="UTC")),
                      "intensity": pa.array([i % 11 for i in range(n)], pa.int8())})
    frame = table.to_pandas()
    keyed = frame[frame["id"].fillna("") != ""]
    row = int(keyed.index[keyed.duplicated(["participant", "id"])][0])
    first = int(keyed.index[(keyed["participant"] == frame["participant"][row])
                            & (keyed["id"] == frame["id"][row])][0])
    batches = pa.Table.from_batches(table.to_batches(max_chunksize=1000), schema=table.schema)
    with pytest.raises(ValueError, match=rf"readings: row {row}: field 'id': duplicate reading id "
                                         rf"'{frame['id'][row]}' for participant '{frame['participant'][row]}' "
                                         rf"\(first used in row {first}\)\Z"):
        calmkit.Journal.from_arrow({"readings": batches})
    # Without the repeats the table reads, every id kept.
    unique = table.set_column(1, "id", pa.array([x if not x or i < row else None for i, x in enumerate(ids)],
                                                pa.string()))
    j = calmkit.Journal.from_arrow({"readings": unique})
    assert sorted(r.id for r in j.readings if r.id) == sorted(x for x in unique.column("id").to_pylist() if x)
