"""The Arrow bridge's column-wise paths, checked against pandas and pyarrow
(not against calmkit): wall times read in a zone (``tz=``) for a whole
column at once, and the refusals of containers and columns calmkit cannot
read without guessing (reviewer finding A4 of session 25).

The reference for local times is pandas' ``tz_localize`` with the rule
calmkit documents (calmkit.localtime): a wall time that never happened is
read at the offset before the change (``nonexistent=timedelta(hours=1)`` for
a one-hour change), one that happened twice as the first
(``ambiguous=True``, the daylight-saving one).
"""
from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import calmkit
from calmkit.localtime import LocalTimeWarning

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")


def _walls(zone: str, seed: int) -> list[datetime | None]:
    """Wall times: random ones over 1970-2035, every half hour of each day
    on which the zone's clocks changed in 2000-2030 (the gap and the
    repeated hour included), and a few missing."""
    rng = np.random.default_rng(seed)
    start = datetime(1970, 1, 1)
    out: list[datetime | None] = [start + timedelta(seconds=int(s), microseconds=int(u))
                                  for s, u in zip(rng.integers(0, 65 * 365 * 86400, 3000),
                                                  rng.integers(0, 1_000_000, 3000))]
    days = pd.date_range("2000-01-01", "2030-12-31", freq="D", tz="UTC").tz_convert(zone)
    offsets = np.array([t.utcoffset().total_seconds() for t in days])
    for k in np.flatnonzero(offsets[1:] != offsets[:-1]):
        day = days[k].tz_localize(None).to_pydatetime()
        out += [day + timedelta(minutes=30 * m) for m in range(96)]
    out[5] = out[17] = None
    return out


def _expected(walls: list[datetime | None], zone: str) -> tuple[list, list]:
    """(UTC instants, offset minutes) by pandas' tz_localize, the rule of calmkit.localtime."""
    s = pd.Series(pd.to_datetime(walls))
    aware = s.dt.tz_localize(zone, ambiguous=np.ones(len(s), bool), nonexistent=timedelta(hours=1))
    instants = [None if pd.isna(t) else t.tz_convert("UTC").to_pydatetime() for t in aware]
    minutes = [None if pd.isna(t) else int(t.utcoffset().total_seconds() // 60) for t in aware]
    return instants, minutes


def _table(walls: list[datetime | None]) -> pa.Table:
    n = len(walls)
    return pa.table({"participant": ["p"] * n, "id": [f"r{i}" for i in range(n)],
                     "time": pa.array(walls, pa.timestamp("us")), "intensity": pa.array([3] * n, pa.int8())})


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "America/Sao_Paulo"])  # Sao Paulo: at midnight
def test_wall_times_in_a_zone_match_pandas(zone):
    from calmkit.parquet import _localize_column

    walls = _walls(zone, seed=len(zone))
    instants, minutes = _expected(walls, zone)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _localize_column(_table(walls), "time", zone, "<test>")
    assert out.column("time").type == pa.timestamp("us", tz="UTC")
    assert out.column("time").to_pylist() == instants
    assert out.column("offset_minutes").to_pylist() == minutes
    # One warning per wall time in a gap or a repeated hour, as pandas sees them, in row order.
    s = pd.Series(pd.to_datetime(walls))
    odd = s.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").isna() & s.notna()
    assert odd.sum() > 0
    rows = [int(str(w.message).split("row ")[1].split(":")[0]) for w in caught
            if issubclass(w.category, LocalTimeWarning)]
    assert rows == list(np.flatnonzero(odd.to_numpy()))


def test_wall_times_through_from_arrow_keep_a_given_offset():
    walls = [datetime(2026, 7, 1, 12), datetime(2026, 1, 1, 12), datetime(2026, 3, 29, 2, 30)]
    t = _table(walls).append_column("offset_minutes", pa.array([None, 60, None], pa.int64()))
    with pytest.warns(LocalTimeWarning, match="row 2"):
        j = calmkit.Journal.from_arrow({"readings": t}, tz="Europe/Berlin")
    got = {r.id: r.time.isoformat() for r in j.readings}
    assert got == {"r0": "2026-07-01T12:00:00+02:00", "r1": "2026-01-01T12:00:00+01:00",
                   "r2": "2026-03-29T03:30:00+02:00"}


def test_wall_times_in_a_tzinfo_and_a_fixed_offset():
    from zoneinfo import ZoneInfo

    from calmkit.parquet import _localize_column

    walls = _walls("Europe/Berlin", seed=3)
    instants, minutes = _expected(walls, "Europe/Berlin")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LocalTimeWarning)
        out = _localize_column(_table(walls), "time", ZoneInfo("Europe/Berlin"), "<test>")
    assert out.column("time").to_pylist() == instants
    assert out.column("offset_minutes").to_pylist() == minutes
    fixed = timezone(timedelta(hours=-3, minutes=-30))
    out = _localize_column(_table(walls), "time", fixed, "<test>")
    assert out.column("time").to_pylist() == [None if w is None else w.replace(tzinfo=fixed).astimezone(timezone.utc)
                                              for w in walls]
    assert set(out.column("offset_minutes").to_pylist()) == {-210, None}


# --- A4: containers and columns that cannot be read without a guess ------------


@pytest.mark.parametrize("tables", [[pa.table({"x": [1]})], "triggers"])
def test_from_arrow_wants_a_mapping(tables):
    with pytest.raises(TypeError, match="mapping of table name -> table"):
        calmkit.Journal.from_arrow(tables)


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], "text", 3, pd.Series([1, 2])])
def test_from_arrow_names_what_a_table_may_be(value):
    with pytest.raises(TypeError, match=r"<arrow>/triggers: expected a table: a pyarrow.Table or RecordBatch, "
                                        r"a pandas DataFrame, or any object with __arrow_c_stream__"):
        calmkit.Journal.from_arrow({"triggers": value})


def _readings() -> pa.Table:
    return pa.table({"participant": ["p", "p"], "id": ["r1", "r2"],
                     "time": pa.array([0, 60_000_000], pa.timestamp("us", tz="UTC")), "intensity": [2, 3]})


@pytest.mark.parametrize("column", ["id", "time", "intensity", "participant", "note", "offset_minutes"])
def test_a_column_calmkit_reads_given_twice_is_refused(column):
    t = _readings()
    if column not in t.column_names:
        t = t.append_column(column, pa.array([None, None], pa.int16() if column == "offset_minutes"
                                             else pa.string()))
    first = t.column_names.index(column)
    t = t.append_column(column, t.column(column))
    assert t.schema.get_all_field_indices(column) == [first, t.num_columns - 1]  # pyarrow keeps both
    with pytest.raises(ValueError, match=rf"<arrow>/readings: field '{column}': appears more than once in the "
                                         rf"table \(columns {first} and {t.num_columns - 1}, from 0\)"):
        calmkit.Journal.from_arrow({"readings": t})
    batch = t.to_batches()[0]  # the same through __arrow_c_array__
    with pytest.raises(ValueError, match="appears more than once"):
        calmkit.Journal.from_arrow({"readings": batch})


def test_the_compiled_bridge_refuses_a_column_twice_too():
    # What a producer read without pyarrow meets: the C++ bridge's own check.
    t = _readings()
    t = t.append_column("intensity", t.column("intensity"))
    with pytest.raises(ValueError, match=r"<c>/readings: field 'intensity': appears more than once in the table "
                                         r"\(columns 3 and 4, from 0\)"):
        calmkit._core._journal_from_arrow({"readings": t}, "<c>")


def test_an_ignored_column_given_twice_is_ignored():
    t = _readings()
    t = t.append_column("extra", pa.array([1, 2])).append_column("extra", pa.array(["a", "b"]))
    j = calmkit.Journal.from_arrow({"readings": t})
    assert [r.id for r in j.readings] == ["r1", "r2"]


def test_a_dataframe_with_a_column_twice_is_refused_by_name():
    df = _readings().to_pandas()
    df = pd.concat([df, df[["intensity"]]], axis=1)
    assert list(df.columns).count("intensity") == 2
    with pytest.raises(ValueError, match=r"<arrow>/readings: column\(s\) \['intensity'\] appear more than once"):
        calmkit.Journal.from_arrow({"readings": df})


# --- readings read column-wise (the bridge's own layout) -------------------------


def _bridge_readings(n: int, seed: int) -> pa.Table:
    """Readings in the bridge's own layout, with every optional column partly null."""
    rng = np.random.default_rng(seed)
    people = pa.array([f"p{k:03d}" for k in range(7)] + ["\u00e9t\u00e9 \U0001f600"])
    codes = rng.integers(0, len(people), n).astype(np.int32)
    text = [None if k % 3 else f"note {k} \u00fcber" for k in range(n)]
    return pa.table({
        "participant": pa.DictionaryArray.from_arrays(pa.array(codes), people),
        "id": [None if k % 11 == 5 else f"r{k}" for k in range(n)],
        "time": pa.array(rng.integers(-10**15, 10**15, n), pa.timestamp("us", tz="UTC")),
        "offset_minutes": pa.array(rng.integers(-1439, 1440, n), pa.int16()),
        "intensity": pa.array(rng.integers(0, 11, n), pa.int8()),
        "note": text,
    })


def _rows_of(j) -> list[tuple]:
    return sorted((r.participant, r.id, r.time.isoformat(timespec="microseconds"), r.intensity, r.note)
                  for r in j.readings)


def _expected_rows(t: pa.Table) -> list[tuple]:
    """The same tuples from pyarrow's own values (datetime for the instants and offsets)."""
    out = []
    for row in t.to_pylist():
        off = timezone(timedelta(minutes=row["offset_minutes"]))
        when = row["time"].astimezone(off).isoformat(timespec="microseconds")
        out.append((row["participant"], row["id"] or "", when, row["intensity"], row["note"] or ""))
    return sorted(out)


@pytest.mark.parametrize("shape", ["whole", "sliced", "chunked", "plain participant"])
def test_readings_in_the_bridge_layout_read_as_pyarrow_sees_them(shape):
    t = _bridge_readings(3000, seed=7)
    if shape == "sliced":
        t = t.slice(123, 2000)
    elif shape == "chunked":
        t = pa.Table.from_batches(t.slice(0, 1700).to_batches() + t.slice(1700).to_batches())
        assert t.column("time").num_chunks == 2
    elif shape == "plain participant":
        t = t.set_column(0, "participant", t.column("participant").cast(pa.string()))
    j = calmkit.Journal.from_arrow({"readings": t})
    assert _rows_of(j) == _expected_rows(t)


@pytest.mark.parametrize("column, value, reason", [
    ("intensity", 11, r"row 4: field 'intensity': must be an integer 0..10, got 11"),
    ("offset_minutes", 1440, r"row 4: field 'offset_minutes': UTC offset must be within -23:59..\+23:59"),
    ("time", 3 * 10**17, r"row 4: field 'time': year must be 1400..9999"),
])
def test_a_bad_value_in_the_bridge_layout_is_named_by_row(column, value, reason):
    t = _bridge_readings(10, seed=1)
    typ = t.schema.field(column).type
    values = t.column(column).cast(pa.int64()).to_pylist()
    values[4] = value
    t = t.set_column(t.column_names.index(column), column, pa.array(values, pa.int64()).cast(typ))
    with pytest.raises(ValueError, match=r"<arrow>/readings: " + reason):
        calmkit.Journal.from_arrow({"readings": t})


def test_text_that_is_not_utf8_in_the_bridge_layout_is_named_by_row():
    t = _bridge_readings(10, seed=2)
    notes = pa.array([b"ok"] * 6 + [b"\xff\xfe"] + [b"ok"] * 3, pa.binary()).view(pa.string())
    t = t.set_column(t.column_names.index("note"), "note", notes)
    with pytest.raises(ValueError, match=r"<arrow>/readings: row 6: field 'note': is not valid UTF-8"):
        calmkit.Journal.from_arrow({"readings": t})
    # A value split across two rows is not UTF-8 either, though the whole buffer is.
    split = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(np.array([0, 1, 2], np.int32).tobytes()),
                                                   pa.py_buffer("\u00e9".encode())])
    assert b"".join(split.cast(pa.binary()).to_pylist()) == "\u00e9".encode()
    t = _bridge_readings(2, seed=3)
    t = t.set_column(t.column_names.index("note"), "note", split)
    with pytest.raises(ValueError, match=r"row 0: field 'note': is not valid UTF-8"):
        calmkit.Journal.from_arrow({"readings": t})


def test_other_layouts_read_the_same_values():
    # int64 intensities, int32 offsets, text participants: the row path, the same records.
    t = _bridge_readings(500, seed=4)
    wide = t.set_column(4, "intensity", t.column("intensity").cast(pa.int64()))
    wide = wide.set_column(3, "offset_minutes", wide.column("offset_minutes").cast(pa.int32()))
    assert _rows_of(calmkit.Journal.from_arrow({"readings": wide})) == _expected_rows(t)


# --- triggers, exercises and assessments read column-wise --------------------------

#: The columns compared for each table (the bridge's own layout, as to_arrow writes it).
_COLUMNS = {
    "triggers": ["participant", "id", "time", "category", "intensity", "context", "thoughts", "sensations",
                 "urge", "acted_on_urge", "acted_after_minutes", "response", "tags"],
    "exercises": ["participant", "id", "time", "end", "exercise", "completed", "intensity_before",
                  "intensity_after", "responses"],
    "assessments": ["participant", "id", "time", "instrument", "answers", "note"],
    "thought_records": ["participant", "id", "time", "situation", "automatic_thought", "belief_before",
                        "emotions", "distortions", "evidence_for", "evidence_against", "alternatives",
                        "friend_advice", "balanced_thought", "belief_after"],
}
_LISTS = {"thoughts", "sensations", "tags", "responses", "answers", "distortions", "evidence_for",
          "evidence_against", "alternatives"}
_TEXTS = {"context", "urge", "response", "note", "friend_advice", "balanced_thought"}


def _plain(v):
    if isinstance(v, datetime):
        return v.isoformat(timespec="microseconds")
    if isinstance(v, str):
        return str(v)  # an enum member that is a str: its id
    return v


def _record_value(r, c: str):
    v = getattr(r, c)
    if c == "emotions":
        return [(e.name, e.before, e.after) for e in v]
    if c in _LISTS:
        return [x if isinstance(x, int) else str(x) for x in v]  # a distortion is a str enum: its id
    return _plain(v)


def _record_rows(records, table: str) -> list[tuple]:
    return sorted(tuple(_record_value(r, c) for c in _COLUMNS[table]) for r in records)


def _pyarrow_rows(t: pa.Table, table: str) -> list[tuple]:
    """The same tuples from pyarrow's own values: instants at their offset columns, a null text as "",
    a null list as [], a null completed as True (the format's default)."""
    out = []
    for row in t.to_pylist():
        values = []
        for c in _COLUMNS[table]:
            v = row[c]
            if c in ("time", "end"):
                off = row["offset_minutes" if c == "time" else "end_offset_minutes"]
                v = v.astimezone(timezone(timedelta(minutes=off))).isoformat(timespec="microseconds")
            elif c == "emotions":
                v = [(e["name"], e["before"], e["after"]) for e in v or []]
            elif c in _LISTS:
                v = v or []
            elif c in _TEXTS:
                v = v or ""
            elif c == "completed" and v is None:
                v = True
            values.append(v)
        out.append(tuple(values))
    return sorted(out)


@pytest.fixture(scope="module")
def bridge_tables():
    j = calmkit.synthetic_journal(participants=20, days=56, seed=5)
    tables = j.to_arrow()
    # Exercises without their trigger links (each table is read alone here).
    tables["exercises"] = tables["exercises"].drop_columns(["trigger"])
    tables["thought_records"] = tables["thought_records"].drop_columns(["trigger"])
    assert min(tables[t].num_rows for t in _COLUMNS) > 100
    return tables


@pytest.mark.parametrize("table", list(_COLUMNS))
@pytest.mark.parametrize("shape", ["whole", "sliced", "chunked", "plain participant"])
def test_other_types_in_the_bridge_layout_read_as_pyarrow_sees_them(bridge_tables, table, shape):
    t = bridge_tables[table]
    if shape == "sliced":
        t = t.slice(37, t.num_rows - 80)
    elif shape == "chunked":
        t = pa.Table.from_batches(t.slice(0, 61).to_batches() + t.slice(61).to_batches())
    elif shape == "plain participant":
        t = t.set_column(0, "participant", t.column("participant").cast(pa.string()))
    records = getattr(calmkit.Journal.from_arrow({table: t}), table)
    assert _record_rows(records, table) == _pyarrow_rows(t, table)
    # Optional values are there both ways, so both kinds of row are compared.
    if table == "triggers":
        assert t.column("context").null_count > 0 and t.column("tags").null_count < t.num_rows



def _null_over_bytes(values: list, typ: pa.DataType, null: int) -> pa.Array:
    """``values`` as an array of ``typ`` (string or list<string>) whose row
    ``null`` is null while its offsets still span that row's value, which
    Arrow allows (a producer may null a row without moving the bytes)."""
    full = pa.array(values, typ)
    valid = np.ones(len(values), bool)
    valid[null] = False
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    if pa.types.is_list(typ):
        return pa.Array.from_buffers(typ, len(values), [bitmap, full.buffers()[1]], children=[full.values])
    return pa.Array.from_buffers(typ, len(values), [bitmap, full.buffers()[1], full.buffers()[2]])


@pytest.mark.parametrize("table, column", [("readings", "note"), ("triggers", "context"),
                                           ("triggers", "tags"), ("thought_records", "evidence_for")])
def test_a_null_whose_offsets_span_bytes_reads_as_pyarrow_sees_it(bridge_tables, table, column):
    t = _bridge_readings(50, seed=9) if table == "readings" else bridge_tables[table]
    typ = t.schema.field(column).type
    fill = ["kept"] if pa.types.is_list(typ) else "kept"
    values = [fill if v is None else v for v in t.column(column).to_pylist()]
    arr = _null_over_bytes(values, typ, null=3)
    offsets = np.frombuffer(arr.buffers()[1], np.int32)
    assert arr[3].as_py() is None and offsets[4] > offsets[3]
    t = t.set_column(t.column_names.index(column), column, arr)
    j = calmkit.Journal.from_arrow({table: t})
    if table == "readings":
        assert _rows_of(j) == _expected_rows(t)
    else:
        assert _record_rows(getattr(j, table), table) == _pyarrow_rows(t, table)


def _with_value(t: pa.Table, column: str, row: int, value) -> pa.Table:
    typ = t.schema.field(column).type
    values = t.column(column).to_pylist()
    values[row] = value
    if pa.types.is_dictionary(typ):
        arr = pa.array(values, pa.string()).dictionary_encode()
    elif isinstance(value, list) and value and isinstance(value[0], bytes):
        arr = pa.array([[x.encode() if isinstance(x, str) else x for x in v] if v is not None else None
                        for v in values], pa.list_(pa.binary())).view(typ)
    else:
        arr = pa.array(values, typ)
    return t.set_column(t.column_names.index(column), column, arr)


@pytest.mark.parametrize("table, column, value, reason", [
    ("triggers", "intensity", 11, r"field 'intensity': must be an integer 0..10, got 11"),
    ("triggers", "category", "nope", r"field 'category': "),
    ("triggers", "acted_after_minutes", -1.0, r"field 'acted_after_minutes': "),
    ("triggers", "id", "", r"field 'id': "),
    ("triggers", "tags", [b"fine", b"\xff"], r"field 'tags\[1\]': is not valid UTF-8"),
    ("exercises", "intensity_before", 12, r"field 'intensity_before': must be an integer 0..10, got 12"),
    ("exercises", "exercise", "", r"field 'exercise': "),
    ("exercises", "end", "before", r"field 'end': end .* is before time "),
    ("exercises", "responses", [b"\xc3"], r"field 'responses\[0\]': is not valid UTF-8"),
    ("assessments", "answers", "off", r"field 'answers\[0\]': "),
    ("assessments", "instrument", "no-such-instrument", r"field 'instrument': "),
    ("thought_records", "belief_before", 101, r"field 'belief_before': "),
    ("thought_records", "distortions", ["catastrophizing", "no-such-distortion"], r"field 'distortions\[1\]': "),
    ("thought_records", "evidence_for", [b"\xe2\x82"], r"field 'evidence_for\[0\]': is not valid UTF-8"),
    ("thought_records", "situation", None, r"field 'situation': "),
    ("thought_records", "emotions", [{"name": "fear", "before": 101, "after": None}],
     r"field 'emotions\[0\]\.before': "),
])
def test_a_bad_value_of_another_type_is_named_by_row(bridge_tables, table, column, value, reason):
    t = bridge_tables[table]
    if value == "before":  # an end a minute before the start
        value = t.column("time")[4].as_py() - timedelta(minutes=1)
        t = t.set_column(t.column_names.index("end_offset_minutes"), "end_offset_minutes",
                         t.column("offset_minutes"))
    elif value == "off":  # an answer past the scale
        value = [99] + t.column("answers")[4].as_py()[1:]
    t = _with_value(t, column, 4, value)
    with pytest.raises(ValueError, match=r"<arrow>/" + table + r": row 4: " + reason):
        calmkit.Journal.from_arrow({table: t})
    # The same row refused in another layout (the row path throughout): the same words.
    wide = t.set_column(t.column_names.index("offset_minutes"), "offset_minutes",
                        t.column("offset_minutes").cast(pa.int64()))
    with pytest.raises(ValueError, match=r"<arrow>/" + table + r": row 4: " + reason):
        calmkit.Journal.from_arrow({table: wide})


def test_the_whole_journal_reads_the_same_column_wise_and_row_by_row():
    # The row path (offsets widened to int64 in every table) and the column path give the same journal,
    # links between the tables included.
    j = calmkit.synthetic_journal(participants=7, days=28, seed=11)
    tables = j.to_arrow()
    wide = {k: t.set_column(t.column_names.index("offset_minutes"), "offset_minutes",
                            t.column("offset_minutes").cast(pa.int64())) for k, t in tables.items()}
    fast, slow = calmkit.Journal.from_arrow(tables), calmkit.Journal.from_arrow(wide)
    assert fast == slow == j
    assert calmkit.to_jsonl(fast) == calmkit.to_jsonl(j)


@pytest.mark.parametrize("table", ["readings", "exercises", "thought_records"])
def test_the_first_unknown_trigger_link_in_row_order_is_named(table):
    # Links are checked in parts of a table at once; the error is still the first bad row's.
    j = calmkit.synthetic_journal(participants=7, days=28, seed=11)
    tables = j.to_arrow()
    t = tables[table]
    links = t.column("trigger").to_pylist()
    n = len(links)
    assert n > 20

    def with_bad(rows):
        v = list(links)
        for k in rows:
            v[k] = "no-such-trigger"
        out = dict(tables)
        out[table] = t.set_column(t.column_names.index("trigger"), "trigger", pa.array(v, pa.string()))
        return out

    for rows in ([n - 2], [n - 2, 1], [n // 2, n // 2 + 1], [n // 2 - 1, n - 1], [0, n - 1]):
        with pytest.raises(ValueError, match=rf"<arrow>/{table}: row {min(rows)}: field 'trigger': refers to "
                                             r"trigger 'no-such-trigger'"):
            calmkit.Journal.from_arrow(with_bad(rows))


def test_a_link_repeated_across_participants_links_to_each_ones_own_trigger():
    # Trigger ids repeat across participants (t0001 ... per person): a reading
    # whose link reads as the row before's, but of another participant, links
    # to that participant's own trigger, or names its row when there is none.
    j = calmkit.synthetic_journal(participants=3, days=10, seed=11)
    tables = j.to_arrow()
    t = tables["readings"]
    people = t.column("participant").to_pylist()
    links = t.column("trigger").to_pylist()
    counts = pa.compute.value_counts(tables["triggers"].column("participant").cast(pa.string())).to_pylist()
    triggers = {c["values"]: c["counts"] for c in counts}
    assert triggers["p002"] > triggers["p003"]  # p002 has ids p003 lacks
    first = {p: people.index(p) for p in ("p002", "p003")}

    def with_links(changes):
        v = list(links)
        for k, link in changes.items():
            v[k] = link
        out = dict(tables)
        out["readings"] = t.set_column(t.column_names.index("trigger"), "trigger", pa.array(v, pa.string()))
        return out

    # The last p001 row and the first p002 row both link to t0001: each its own person's.
    a, b = first["p002"] - 1, first["p002"]
    got = calmkit.Journal.from_arrow(with_links({a: "t0001", b: "t0001"}))
    again = calmkit.parse_journal(calmkit.to_jsonl(got))  # the JSON Lines reader's links: by participant
    assert got == again
    pd.testing.assert_frame_equal(calmkit.time_to_calm(got), calmkit.time_to_calm(again))
    rows = got.to_arrow()["readings"]
    assert rows.column("trigger").to_pylist()[a:b + 1] == ["t0001", "t0001"]
    assert rows.column("participant").to_pylist()[a:b + 1] == ["p001", "p002"]
    # p003 has no t0012: its first row is named, though the row before it (p002's) has one.
    a, b = first["p003"] - 1, first["p003"]
    missing = f"t{triggers['p002']:04d}"
    with pytest.raises(ValueError, match=rf"<arrow>/readings: row {b}: field 'trigger': refers to trigger '{missing}'"):
        calmkit.Journal.from_arrow(with_links({a: missing, b: missing}))
