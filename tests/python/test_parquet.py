"""Parquet datasets, JSON Lines shards and pickling (issue 8)."""
from __future__ import annotations

import pickle

import pytest

import calmkit
from calmkit import parquet as ckpq

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def cohort():
    # The Parquet layout v1 has no assessment table: a cohort without self-assessments.
    return calmkit.synthetic_journal(participants=12, days=28, assessments=False)


@pytest.mark.parametrize("layout,shards", [("participant", 1), ("shard", 1), ("shard", 5)])
def test_round_trip_is_lossless(tmp_path, cohort, layout, shards):
    ckpq.write_parquet(cohort, tmp_path, partition_by=layout, shards=shards)
    back = ckpq.read_parquet(tmp_path)
    assert back == cohort
    # The same JSON Lines text, byte for byte: nothing was lost or reordered.
    assert calmkit.to_jsonl(back) == calmkit.to_jsonl(cohort)


def test_participant_names_with_path_characters(tmp_path):
    # "a/b c" would be two folders unless the name is URI-encoded in the folder name.
    j = calmkit.Journal([
        calmkit.Reading(participant="a/b c", id="r1", time="2026-03-02T08:00:00+05:30", intensity=4),
        calmkit.Reading(participant="x=y", id="r1", time="2026-03-02T08:00:00.250000-03:00", intensity=0),
    ])
    ckpq.write_parquet(j, tmp_path)
    assert ckpq.read_parquet(tmp_path) == j
    assert ckpq.read_parquet(tmp_path, participants=["x=y"]) == j.participant("x=y")


def test_plain_pandas_and_pyarrow_read_the_documented_schema(tmp_path, cohort):
    ckpq.write_parquet(cohort, tmp_path, partition_by="shard", shards=2)
    for folder, rtype in ckpq.TABLES.items():
        table = pq.read_table(tmp_path / folder)
        assert table.schema.remove_metadata() == ckpq.SCHEMAS[folder]
        meta = pq.read_schema(tmp_path / folder / "part-00000.parquet").metadata
        assert meta[b"calmkit_format_version"] == b"1"
        assert meta[b"calmkit_record_type"] == rtype.encode()
    frame = pd.read_parquet(tmp_path / "thought_records")
    assert len(frame) == len(cohort.thought_records)
    assert str(frame["time"].dtype) == "datetime64[us, UTC]"
    first = cohort.thought_records[0]
    assert list(frame["emotions"].iloc[0][0].keys()) == ["name", "before", "after"]
    assert frame["emotions"].iloc[0][0]["name"] == first.emotions[0].name
    # The offset column gives back the person's own local clock time.
    trig = pd.read_parquet(tmp_path / "triggers")
    t0 = cohort.triggers[0].time
    local = trig["time"].iloc[0] + pd.Timedelta(minutes=int(trig["offset_minutes"].iloc[0]))
    assert local.tz_localize(None) == pd.Timestamp(t0.replace(tzinfo=None))


def test_participant_layout_reads_in_pandas(tmp_path, cohort):
    ckpq.write_parquet(cohort, tmp_path, partition_by="participant")
    frame = pd.read_parquet(tmp_path / "readings")
    assert sorted(set(frame["participant"].astype(str))) == cohort.participants()
    assert len(frame) == len(cohort.readings)


def test_bad_inputs(tmp_path, cohort):
    with pytest.raises(ValueError, match="partition_by"):
        ckpq.write_parquet(cohort, tmp_path, partition_by="week")
    with pytest.raises(ValueError, match="shards"):
        ckpq.write_parquet(cohort, tmp_path, partition_by="shard", shards=0)
    with pytest.raises(FileNotFoundError, match="_common_metadata"):
        ckpq.read_parquet(tmp_path)
    # A file written by another tool (no calmkit metadata) is refused by name.
    ckpq.write_parquet(cohort, tmp_path / "ds", partition_by="shard")
    pq.write_metadata(ckpq.SCHEMAS["readings"], tmp_path / "ds" / "readings" / "_common_metadata")
    with pytest.raises(ValueError, match="calmkit_format_version"):
        ckpq.read_parquet(tmp_path / "ds")


def test_out_of_range_value_names_table_and_row(tmp_path):
    j = calmkit.Journal([calmkit.Reading(participant="p", id="r1", time="2026-03-02T08:00:00Z", intensity=4)])
    tables = ckpq.tables_of(j)
    readings = tables["readings"].set_column(tables["readings"].schema.get_field_index("intensity"), "intensity", pa.array([11], pa.int8()))
    with pytest.raises(ValueError, match=r"readings: row 0: field 'intensity'"):
        ckpq.journal_from_tables({"readings": readings})


def test_jsonl_shards(tmp_path, cohort):
    ps = cohort.participants()
    calmkit.write_journal(calmkit.Journal([*cohort.participant(ps[0]).triggers]), tmp_path / "a.jsonl")
    rest = calmkit.to_jsonl(cohort, header=False).splitlines()
    first = calmkit.to_jsonl(cohort.participant(ps[0]), header=False).splitlines()
    others = [line for line in rest if line not in set(first)]
    # Shard b: the other records of ps[0] (they link to triggers in shard a) and everyone else.
    non_triggers = [line for line in first if '"type":"trigger"' not in line]
    (tmp_path / "b.jsonl").write_text("\n".join(non_triggers + others) + "\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored: not *.jsonl", encoding="utf-8")
    assert ckpq.read_jsonl_shards(tmp_path) == cohort
    (tmp_path / "c.jsonl").write_text('{"type":"reading"}\n', encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError, match=r"c\.jsonl:1"):
        ckpq.read_jsonl_shards(tmp_path)
    with pytest.raises(FileNotFoundError):
        ckpq.read_jsonl_shards(tmp_path, pattern="*.ndjson")


def test_pickle_round_trip_is_cheap(cohort):
    blob = pickle.dumps(cohort, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(blob) == cohort
    # The state is the JSON Lines text: within 1 KiB of it (pickle framing only).
    assert abs(len(blob) - len(calmkit.to_jsonl(cohort).encode())) < 1024
    for rec in (cohort.triggers[0], cohort.readings[0], cohort.exercises[0], cohort.thought_records[0],
                cohort.thought_records[0].emotions[0]):
        assert pickle.loads(pickle.dumps(rec)) == rec
    with pytest.raises(ValueError, match="pickle state"):
        calmkit.Journal.__new__(calmkit.Journal).__setstate__(("not bytes",))
