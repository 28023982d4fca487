"""to_arrow() and to_pandas() against tables built without calmkit.

The expected tables are made from the journal's JSON Lines text with the
standard library's json and datetime, then pyarrow / pandas: no calmkit
record object, reader or schema is involved, so a column that calmkit fills
from the wrong field, drops a row, shifts an offset or orders rows
differently from the documented (participant, time, id) order fails here.
Covers every field of every record type (tests/python/test_arrow.py's
FULL journal: unicode, absent fields, offsets such as +05:45 and -00:30)
and the sample journal of the examples."""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

from test_arrow import FULL  # noqa: E402  (after the importorskip of pyarrow)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"

TABLE_OF = {"trigger": "triggers", "reading": "readings", "exercise": "exercises",
            "thought_record": "thought_records", "assessment": "assessments"}

# The documented columns (docs/scale-out.md, "The Arrow schema"), in order,
# written out here rather than taken from calmkit.arrow.ARROW_SCHEMAS.
HEAD = ["participant", "id", "time", "offset_minutes"]
COLUMNS = {
    "triggers": HEAD + ["category", "intensity", "context", "thoughts", "sensations", "urge", "acted_on_urge",
                        "acted_after_minutes", "response", "tags"],
    "readings": HEAD + ["intensity", "trigger", "note"],
    "exercises": HEAD + ["end", "end_offset_minutes", "exercise", "completed", "intensity_before",
                         "intensity_after", "trigger", "responses"],
    "thought_records": HEAD + ["situation", "automatic_thought", "belief_before", "emotions", "distortions",
                               "evidence_for", "evidence_against", "alternatives", "friend_advice",
                               "balanced_thought", "belief_after", "trigger"],
    "assessments": HEAD + ["instrument", "answers", "note"],
}
LISTS = {"thoughts", "sensations", "tags", "responses", "distortions", "evidence_for", "evidence_against",
         "alternatives", "answers", "emotions"}
# Text the format writes even when empty (required fields): "" stays "".
KEPT_EMPTY = {"situation", "automatic_thought"}


def _instant(text: str) -> tuple[dt.datetime, int]:
    """(UTC datetime, offset minutes east) of an RFC 3339 text, by the standard library."""
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.astimezone(dt.timezone.utc), int(when.utcoffset().total_seconds() // 60)


def _reference_rows(text: str) -> dict[str, list[dict]]:
    """Each table's rows as plain values, in journal order, from the JSON text."""
    rows: dict[str, list[dict]] = {t: [] for t in COLUMNS}
    for line in text.splitlines():
        rec = json.loads(line)
        table = TABLE_OF.get(rec.pop("type"))
        if table is None:
            continue  # the header line
        row = {}
        for col in COLUMNS[table]:
            if col in ("time", "end"):
                row[col], row[f"{'offset' if col == 'time' else 'end_offset'}_minutes"] = _instant(rec[col])
            elif col.endswith("offset_minutes"):
                continue
            elif col in LISTS:
                row[col] = rec.get(col, [])
            elif col == "completed":
                row[col] = rec.get(col, True)
            elif col == "participant":
                row[col] = rec.get(col, "")
            else:
                value = rec.get(col)
                row[col] = None if value == "" and col not in KEPT_EMPTY else value
        if table == "thought_records":
            row["emotions"] = [{"name": e["name"], "before": e["before"], "after": e.get("after")}
                               for e in row["emotions"]]
        rows[table].append(row)
    for rs in rows.values():
        # Journal order: participant (by code point = UTF-8 byte order), instant, id.
        rs.sort(key=lambda r: (r["participant"], r["time"], r["id"] or ""))
    return rows


@pytest.fixture(scope="module", params=["full", "sample"])
def case(request):
    text = FULL if request.param == "full" else SAMPLE.read_text(encoding="utf-8")
    return calmkit.parse_journal(text), _reference_rows(text)


def test_to_arrow_equals_pyarrow_tables_built_from_the_json_text(case):
    journal, rows = case
    got = journal.to_arrow()
    for table, expected in rows.items():
        want = pa.Table.from_pylist(expected) if expected else None
        t = got[table]
        assert t.column_names == COLUMNS[table], table
        assert t.num_rows == len(expected), table
        if want is None:
            continue
        for col in COLUMNS[table]:
            # Dictionary columns decoded to their strings; values compared as Python values.
            assert t.column(col).to_pylist() == want.column(col).to_pylist(), (table, col)
        assert t.schema.field("time").type == pa.timestamp("us", tz="UTC")
        assert t.schema.field("offset_minutes").type == pa.int16()


# The documented dtypes (docs/data-dictionary.md), written out here.
DTYPES = {
    "participant": "category", "id": "string", "time": "datetime64[us, UTC]", "offset_minutes": "int16",
    "local_time": "datetime64[us]", "end": "datetime64[us, UTC]", "end_offset_minutes": "int16",
    "category": "category", "intensity": "int8", "context": "string", "urge": "string",
    "acted_on_urge": "boolean", "acted_after_minutes": "Float64", "response": "string", "trigger": "string",
    "note": "string", "exercise": "string", "completed": "bool", "intensity_before": "Int8",
    "intensity_after": "Int8", "situation": "string", "automatic_thought": "string", "belief_before": "int8",
    "friend_advice": "string", "balanced_thought": "string", "belief_after": "Int8", "instrument": "string",
}


def _reference_frame(expected: list[dict], columns: list[str]) -> pd.DataFrame:
    """pandas' own frame of the rows, with the documented dtypes."""
    df = pd.DataFrame.from_records(expected, columns=columns)
    for col in columns:
        if col in LISTS:
            df[col] = pd.Series([list(v) for v in df[col]], dtype=object)
        elif col in ("time", "end"):
            # Through NumPy's datetime64[us]: year 1400 is outside pandas' nanosecond range.
            naive = np.array([t.replace(tzinfo=None) for t in df[col]], dtype="datetime64[us]")
            df[col] = pd.Series(naive).dt.tz_localize("UTC")
        elif DTYPES[col] == "category":
            df[col] = df[col].astype("string").astype("category")
        elif DTYPES[col] == "string":
            # In a frame no text is "" (docs/data-dictionary.md): not written is <NA>, even for
            # situation and automatic_thought, which the Arrow tables keep as "".
            df[col] = df[col].replace("", None).astype("string")
        else:
            df[col] = df[col].astype(DTYPES[col])
    # The wall clock: the UTC instant plus the offset (NumPy again, for year 1400).
    utc = np.array([r["time"].replace(tzinfo=None) for r in expected], dtype="datetime64[us]")
    local = utc + np.array([r["offset_minutes"] for r in expected], dtype="timedelta64[m]")
    df.insert(4, "local_time", pd.Series(local.astype("datetime64[us]")))
    return df


def test_to_pandas_equals_pandas_frames_built_from_the_json_text(case):
    journal, rows = case
    for table, expected in rows.items():
        got = getattr(journal, table).to_pandas()
        columns = [c for c in got.columns if c != "group"]  # group: the category's vocabulary group
        assert columns == COLUMNS[table][:4] + ["local_time"] + COLUMNS[table][4:], table
        if not expected:
            assert len(got) == 0
            continue
        want = _reference_frame(expected, COLUMNS[table])
        for col in columns:
            g, w = got[col], want[col]
            assert str(g.dtype) == (DTYPES.get(col, "object")), (table, col, g.dtype)
            if col in LISTS:
                assert [list(x) for x in g] == list(w), (table, col)
            elif isinstance(g.dtype, pd.CategoricalDtype):
                assert list(g.astype(str)) == list(w.astype(str)), (table, col)
                # The categories: every participant of the journal, sorted; every category, in order.
                if col == "participant":
                    everyone = sorted({r["participant"] for rs in rows.values() for r in rs})
                    assert list(g.cat.categories) == everyone
            else:
                pd.testing.assert_series_equal(g.reset_index(drop=True), w.reset_index(drop=True),
                                               check_names=False, obj=f"{table}.{col}")
        if table == "triggers":
            assert str(got["group"].dtype) == "category"


def test_the_reference_itself_sees_a_wrong_offset():
    """The reference is not a copy of calmkit: it sees a row changed under it."""
    text = FULL.replace("+05:45\",\"category\":\"delayed_reply\"", "+05:30\",\"category\":\"delayed_reply\"")
    assert text != FULL
    shifted = next(r for r in _reference_rows(text)["triggers"] if r["participant"] == "p1" and r["id"] == "t1")
    base = next(r for r in _reference_rows(FULL)["triggers"] if r["participant"] == "p1" and r["id"] == "t1")
    assert (shifted["offset_minutes"], base["offset_minutes"]) == (330, 345)
    # 21:14 at +05:30 is 15 minutes later in UTC than 21:14 at +05:45.
    assert math.isclose(shifted["time"].timestamp() - base["time"].timestamp(), 15 * 60)
