"""Parquet datasets, JSON Lines shards and pickling (issue 8)."""
from __future__ import annotations

import pickle

import pytest

import calmkit
from calmkit import parquet as ckpq

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")
pads = pytest.importorskip("pyarrow.dataset")
pc = pytest.importorskip("pyarrow.compute")


@pytest.fixture(scope="module")
def cohort():
    j = calmkit.synthetic_journal(participants=12, days=28)
    assert len(j.assessments) > 0  # the generator's self-assessments are in
    return j


#: A custom instrument (0-100 sliders: a wider scale than the built-ins'), registered once per process.
SLIDERS = "parquet-test-sliders"


def _register_sliders() -> None:
    if SLIDERS not in calmkit.instrument_ids():
        calmkit.register_instrument({"id": SLIDERS, "name": "Sliders", "items": ["worry", "calm", "sleep"],
                                     "scale_min": 0, "scale_max": 100})


@pytest.mark.parametrize("layout,shards", [("participant", 1), ("shard", 1), ("shard", 5)])
def test_round_trip_is_lossless(tmp_path, cohort, layout, shards):
    ckpq.write_parquet(cohort, tmp_path, partition_by=layout, shards=shards)
    back = ckpq.read_parquet(tmp_path)
    assert back == cohort
    # The same JSON Lines text, byte for byte: nothing was lost or reordered.
    assert calmkit.to_jsonl(back) == calmkit.to_jsonl(cohort)
    assert len(back.assessments) == len(cohort.assessments) > 0


@pytest.mark.parametrize("layout", ["participant", "shard"])
def test_assessments_round_trip_with_notes_offsets_and_a_custom_instrument(tmp_path, layout):
    _register_sliders()
    text = "\n".join([
        '{"type":"assessment","participant":"p1","id":"a1","time":"2026-03-02T08:00:00.125+05:45",'
        '"instrument":"gad-7","answers":[3,3,2,1,0,0,3],"note":"after the call, \\"not great\\""}',
        '{"type":"assessment","participant":"p1","id":"a2","time":"2026-03-02T08:05:00-09:30",'
        '"instrument":"attachment-checkin","answers":[' + ",".join(["1", "5"] * 14) + ']}',
        '{"type":"assessment","participant":"p2","id":"s1","time":"2026-03-03T23:59:59Z",'
        '"instrument":"' + SLIDERS + '","answers":[100,0,57],"note":"ünïcode ✓"}',
        '{"type":"reading","participant":"p2","time":"2026-03-03T22:00:00+01:00","intensity":3}',
    ]) + "\n"
    j = calmkit.parse_journal(text)
    ckpq.write_parquet(j, tmp_path, partition_by=layout, shards=2)
    back = ckpq.read_parquet(tmp_path)
    assert back == j
    assert calmkit.to_jsonl(back) == calmkit.to_jsonl(j)  # same text: offsets, fractions, notes kept
    a1, a2, s1 = sorted(back.assessments, key=lambda a: a.id)
    assert a1.note == 'after the call, "not great"' and a2.note == "" and s1.note == "ünïcode ✓"
    assert a1.time.utcoffset().total_seconds() == 5 * 3600 + 45 * 60 and a1.time.microsecond == 125000
    assert a2.time.utcoffset().total_seconds() == -(9 * 3600 + 30 * 60)
    assert (s1.instrument, s1.answers) == (SLIDERS, [100, 0, 57])
    # The stored columns: UTC instant, offset in minutes, answers as int32 lists.
    frame = pd.read_parquet(tmp_path / "assessments").sort_values("id").reset_index(drop=True)
    assert list(frame["offset_minutes"]) == [345, -570, 0]
    assert frame["time"].iloc[0] == pd.Timestamp("2026-03-02T02:15:00.125Z")  # 08:00:00.125 - 5:45
    # An absent note is written as a null (to_pandas() gives <NA>), and reads back as absent. (pandas'
    # reader gives the null as None in pandas 2, as NaN in pandas 3's default "str" dtype.)
    notes = list(frame["note"])
    assert list(frame["answers"].iloc[2]) == [100, 0, 57] and notes[0::2] == [
        'after the call, "not great"', "ünïcode ✓"] and pd.isna(notes[1])
    assert ckpq.read_parquet(tmp_path, participants=["p2"]) == j.participant("p2")


def test_assessment_answer_off_scale_names_table_and_row():
    j = calmkit.Journal([calmkit.Assessment(participant="p", id="a1", time="2026-03-02T08:00:00Z",
                                            instrument="gad-7", answers=[0, 1, 2, 3, 0, 1, 2])])
    tables = ckpq.tables_of(j)
    t = tables["assessments"]
    bad = t.set_column(t.schema.get_field_index("answers"), "answers",
                       pa.array([[0, 1, 2, 3, 0, 1, 9]], pa.list_(pa.int32())))
    # 9 is off GAD-7's 0..3 scale; the seventh answer is answers[6].
    with pytest.raises(ValueError, match=r"assessments: row 0: field 'answers\[6\]'"):
        ckpq.journal_from_tables({"assessments": bad})


def _write_version_1(journal, path, monkeypatch, **kwargs):
    """A dataset as calmkit wrote it before layout version 2: the same four
    tables, version "1" in their metadata, no assessments folder."""
    import shutil

    with monkeypatch.context() as m:
        m.setattr(ckpq, "PARQUET_FORMAT_VERSION", 1)
        ckpq.write_parquet(journal, path, **kwargs)
    shutil.rmtree(path / "assessments")


@pytest.mark.parametrize("layout", ["participant", "shard"])
def test_layout_version_1_still_reads(tmp_path, cohort, monkeypatch, layout):
    v1 = calmkit.synthetic_journal(participants=4, days=14, seed=3, assessments=False)
    _write_version_1(v1, tmp_path, monkeypatch, partition_by=layout, shards=2)
    meta = pq.read_schema(tmp_path / "triggers" / "_common_metadata").metadata
    assert meta[b"calmkit_format_version"] == b"1"
    back = ckpq.read_parquet(tmp_path)
    assert back == v1 and len(back.assessments) == 0
    # A version 2 dataset must have its assessments folder: the writer always writes it.
    ckpq.write_parquet(cohort, tmp_path / "v2", partition_by=layout)
    (tmp_path / "v2" / "assessments" / "_common_metadata").unlink()
    with pytest.raises(FileNotFoundError, match=r"assessments/_common_metadata"):
        ckpq.read_parquet(tmp_path / "v2")


def test_unknown_layout_version_is_refused(tmp_path, cohort, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(ckpq, "PARQUET_FORMAT_VERSION", 4)
        ckpq.write_parquet(cohort, tmp_path)
    with pytest.raises(ValueError, match=r"format version '4'; this calmkit reads version\(s\) 1, 2, 3"):
        ckpq.read_parquet(tmp_path)


@pytest.mark.parametrize("layout", ["participant", "shard"])
def test_participant_names_with_path_characters(tmp_path, layout):
    # "a/b c" would be two folders unless the name is URI-encoded in the folder name.
    j = calmkit.Journal([
        calmkit.Reading(participant="a/b c", id="r1", time="2026-03-02T08:00:00+05:30", intensity=4),
        calmkit.Reading(participant="x=y", id="r1", time="2026-03-02T08:00:00.250000-03:00", intensity=0),
    ])
    ckpq.write_parquet(j, tmp_path, partition_by=layout)
    assert ckpq.read_parquet(tmp_path) == j
    assert ckpq.read_parquet(tmp_path, participants=["x=y"]) == j.participant("x=y")


def test_plain_pandas_and_pyarrow_read_the_documented_schema(tmp_path, cohort):
    ckpq.write_parquet(cohort, tmp_path, partition_by="shard", shards=2)
    for folder, rtype in ckpq.TABLES.items():
        table = pq.read_table(tmp_path / folder)
        assert table.schema.remove_metadata() == ckpq.SCHEMAS[folder]
        meta = pq.read_schema(tmp_path / folder / "part-00000.parquet").metadata
        assert meta[b"calmkit_format_version"] == b"3"
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


def test_read_jsonl_shards_reads_lines_as_the_reader_does(tmp_path):
    # Found by review (A9): shards were read in Python text mode, so a byte that
    # is not UTF-8 was a bare UnicodeDecodeError and a lone CR ended a line.
    # Each shard must read as read_journal reads the same file, with the shard
    # and its own line in the error.
    reading = '{"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6'
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + (reading + ',"id":"r1"}\r\n').encode())  # BOM, CRLF
    assert len(ckpq.read_jsonl_shards(tmp_path).readings) == 1
    bad = tmp_path / "b.jsonl"
    bad.write_bytes(b"\n\n" + (reading + ',"id":"r2","note":"caf').encode() + b"\xe9\"}\n")
    for read in (calmkit.read_journal, lambda f: ckpq.read_jsonl_shards(f.parent)):
        with pytest.raises(calmkit.JournalFormatError) as e:
            read(bad)
        assert (e.value.path, e.value.line, e.value.field, e.value.reason) == (
            str(bad), 3, "note", "is not valid UTF-8 (byte 0xe9 at offset 3)")
    # Two records parted by a lone CR are one line, refused by both.
    bad.write_bytes((reading + ',"id":"r2"}\r' + reading + ',"id":"r3"}\n').encode())
    said = []
    for read in (calmkit.read_journal, lambda f: ckpq.read_jsonl_shards(f.parent)):
        with pytest.raises(calmkit.JournalFormatError) as e:
            read(bad)
        said.append((e.value.path, e.value.line, e.value.field, e.value.reason))
    assert said[0] == said[1] and said[0][:2] == (str(bad), 1)


def test_pickle_round_trip_is_cheap(cohort):
    blob = pickle.dumps(cohort, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(blob) == cohort
    # The state is the JSON Lines text: within 1 KiB of it (pickle framing only).
    assert abs(len(blob) - len(calmkit.to_jsonl(cohort).encode())) < 1024
    for rec in (cohort.triggers[0], cohort.readings[0], cohort.exercises[0], cohort.thought_records[0],
                cohort.thought_records[0].emotions[0], cohort.assessments[0]):
        assert pickle.loads(pickle.dumps(rec)) == rec
    with pytest.raises(ValueError, match="pickle state"):
        calmkit.Journal.__new__(calmkit.Journal).__setstate__(("not bytes",))


def _one_trigger_each(*participants):
    j = calmkit.Journal()
    for k, p in enumerate(participants):
        j.add(calmkit.Trigger(id=f"t{k}", participant=p, time="2026-03-02T21:14:00+01:00",
                              category="conflict", intensity=5 + k))
    return j


@pytest.mark.parametrize("participants,words", [
    # Hive's null value: pyarrow (and Spark, Hive) read the folder back as "no participant",
    # which merged this person into the single-user participant "".
    (("__HIVE_DEFAULT_PARTITION__", ""), "read that folder as no participant"),
    # Longer than a file name (NAME_MAX 255): was a raw OSError naming the temp folder.
    (("x" * 300,), "too long"),
    (("é" * 100,), "too long"),  # 100 characters, 600 bytes URI-encoded
    # One folder on macOS and Windows: the second file would replace the first.
    (("Alice", "alice"), "differ only in case"),
])
def test_ids_a_participant_folder_cannot_hold_are_refused_before_writing(tmp_path, participants, words):
    j = _one_trigger_each(*participants)
    out = tmp_path / "ds"
    with pytest.raises(ValueError, match=words) as e:
        ckpq.write_parquet(j, out, partition_by="participant")
    assert "partition_by='shard'" in str(e.value)
    assert not out.exists()  # nothing written, no temp folder left
    assert list(tmp_path.iterdir()) == []
    # The shard layout stores the column in the files and takes any id.
    ckpq.write_parquet(j, out, partition_by="shard")
    assert ckpq.read_parquet(out) == j


def test_the_longest_id_a_folder_holds_still_round_trips(tmp_path):
    j = _one_trigger_each("p" * (255 - len("participant=")), "")
    ckpq.write_parquet(j, tmp_path / "ds", partition_by="participant")
    assert ckpq.read_parquet(tmp_path / "ds") == j


def test_a_hive_null_folder_written_by_another_tool_is_refused(tmp_path):
    j = _one_trigger_each("a", "")
    ckpq.write_parquet(j, tmp_path / "ds", partition_by="participant")
    trig = tmp_path / "ds" / "triggers"
    (trig / "participant=a").rename(trig / "participant=__HIVE_DEFAULT_PARTITION__")
    with pytest.raises(ValueError, match="__HIVE_DEFAULT_PARTITION__"):
        ckpq.read_parquet(tmp_path / "ds")


# --- layout version 3: the bridge's columns as they are, read by plain pyarrow and pandas -------------


def _v2_tables(journal):
    """The journal's tables as layout version 2 stored them, built here with
    plain pyarrow from the records' values (not from calmkit's writer):
    vocabularies as plain strings, every column nullable."""
    rows = {
        "triggers": [{"participant": t.participant, "id": t.id, "time": t.time, "category": t.category,
                      "intensity": t.intensity, "thoughts": list(t.thoughts), "sensations": list(t.sensations),
                      "tags": list(t.tags), "context": t.context or None, "urge": t.urge or None,
                      "response": t.response or None, "acted_on_urge": t.acted_on_urge,
                      "acted_after_minutes": t.acted_after_minutes} for t in journal.triggers],
        "readings": [{"participant": r.participant, "id": r.id or None, "time": r.time, "intensity": r.intensity,
                      "trigger": r.trigger or None, "note": r.note or None} for r in journal.readings],
    }
    out = {}
    for folder, recs in rows.items():
        schema = ckpq.VERSION_2_SCHEMAS[folder]
        cols = {}
        for f in schema:
            if f.name == "offset_minutes":
                cols[f.name] = [int(r["time"].utcoffset().total_seconds() // 60) for r in recs]
            elif f.name in recs[0]:
                cols[f.name] = [r[f.name] for r in recs]
        out[folder] = pa.table({k: pa.array(v, schema.field(k).type) for k, v in cols.items()})
    return out


@pytest.mark.parametrize("layout", ["participant", "shard"])
def test_a_version_2_dataset_written_by_plain_pyarrow_still_reads(tmp_path, layout):
    """Layout version 2 (plain strings, nullable columns), written by
    pyarrow.parquet alone, the way calmkit 2 laid it out."""
    from urllib.parse import quote

    j = calmkit.synthetic_journal(participants=3, days=7, seed=5, assessments=False)
    j = calmkit.Journal([*j.triggers, *j.readings])  # the two tables _v2_tables builds
    for folder, table in {**_v2_tables(j), "exercises": None, "thought_records": None, "assessments": None}.items():
        schema = ckpq.VERSION_2_SCHEMAS[folder]
        meta = {b"calmkit_format_version": b"2", b"calmkit_record_type": ckpq.TABLES[folder].encode(),
                b"calmkit_partition_by": layout.encode()}
        (tmp_path / folder).mkdir()
        if layout == "participant":
            pq.write_metadata(schema.remove(0).with_metadata(meta), tmp_path / folder / "_common_metadata")
            if table is None:
                continue
            for p in sorted(set(table.column("participant").to_pylist())):
                part = table.filter(pc.equal(table["participant"], p)).drop_columns(["participant"])
                (tmp_path / folder / f"participant={quote(p, safe='')}").mkdir()
                pq.write_table(part, tmp_path / folder / f"participant={quote(p, safe='')}" / "part-0.parquet")
        else:
            pq.write_metadata(schema.with_metadata(meta), tmp_path / folder / "_common_metadata")
            pq.write_table(table if table is not None else schema.empty_table(),
                           tmp_path / folder / "part-00000.parquet")
    back = ckpq.read_parquet(tmp_path)
    assert back == j
    assert calmkit.to_jsonl(back) == calmkit.to_jsonl(j)


def test_plain_pandas_reads_the_vocabularies_as_categoricals_with_the_journals_values(tmp_path, cohort):
    ckpq.write_parquet(cohort, tmp_path, partition_by="shard", shards=3)
    trig = pd.read_parquet(tmp_path / "triggers")
    assert isinstance(trig["participant"].dtype, pd.CategoricalDtype)
    assert isinstance(trig["category"].dtype, pd.CategoricalDtype)
    # Row for row the records' own values (calmkit's record objects, not its Arrow export).
    assert [(str(p), i, str(c), x) for p, i, c, x in zip(trig["participant"], trig["id"], trig["category"],
                                                         trig["intensity"])] == [
        (t.participant, t.id, t.category, t.intensity) for t in cohort.triggers]
    ex = pd.read_parquet(tmp_path / "exercises")
    assert [str(e) for e in ex["exercise"]] == [e.exercise for e in cohort.exercises]
    a = pd.read_parquet(tmp_path / "assessments")
    assert [str(i) for i in a["instrument"]] == [x.instrument for x in cohort.assessments]
    # Each shard's file holds its own block of participants in its dictionary, not the whole cohort's.
    blocks = [pq.read_table(tmp_path / "readings" / f"part-{k:05d}.parquet").column("participant")
              for k in range(3)]
    ps = cohort.participants()
    assert [b.chunk(0).dictionary.to_pylist() for b in blocks] == [ps[0:4], ps[4:8], ps[8:12]]


def test_a_participant_dataset_written_by_plain_pyarrow_is_read(tmp_path):
    """pyarrow.dataset.write_dataset (its own file names, several files
    per folder) with the documented schema and a calmkit _common_metadata."""
    j = calmkit.synthetic_journal(participants=4, days=7, seed=9)
    tables = ckpq.tables_of(j)
    for folder, table in tables.items():
        meta = {b"calmkit_format_version": b"3", b"calmkit_record_type": ckpq.TABLES[folder].encode(),
                b"calmkit_partition_by": b"participant"}
        (tmp_path / folder).mkdir()
        pq.write_metadata(ckpq.SCHEMAS[folder].remove(0).with_metadata(meta), tmp_path / folder / "_common_metadata")
        if table.num_rows:
            plain = table.set_column(0, "participant", table["participant"].cast(pa.string()))
            pads.write_dataset(plain, tmp_path / folder, format="parquet", partitioning=["participant"],
                                     partitioning_flavor="hive", max_rows_per_file=10, max_rows_per_group=5,
                                     existing_data_behavior="overwrite_or_ignore")
    assert len(list((tmp_path / "readings").rglob("*.parquet"))) > 4  # more than one file per participant
    assert ckpq.read_parquet(tmp_path) == j
    some = j.participants()[1:3]
    sub = j.participant(some[0])
    for rec in (*j.participant(some[1]).triggers, *j.participant(some[1]).readings,
                *j.participant(some[1]).exercises, *j.participant(some[1]).thought_records,
                *j.participant(some[1]).assessments):
        sub.add(rec)
    assert ckpq.read_parquet(tmp_path, participants=some) == sub


def test_participant_layout_refuses_a_stray_file_and_names_a_corrupt_one(tmp_path):
    j = _one_trigger_each("a", "b")
    ckpq.write_parquet(j, tmp_path / "ds", partition_by="participant")
    trig = tmp_path / "ds" / "triggers"
    (trig / "stray.parquet").write_bytes((trig / "participant=a" / "part-0.parquet").read_bytes())
    with pytest.raises(ValueError, match=r"stray\.parquet: a participant=__HIVE_DEFAULT_PARTITION__ folder"):
        ckpq.read_parquet(tmp_path / "ds")
    (trig / "stray.parquet").unlink()
    (trig / "participant=b" / "part-0.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ValueError, match=r"participant=b/part-0\.parquet: not a readable Parquet file"):
        ckpq.read_parquet(tmp_path / "ds")


def test_the_default_layout_is_one_sorted_file_per_type_in_row_groups(tmp_path, cohort, monkeypatch):
    monkeypatch.setattr(ckpq, "ROW_GROUP_ROWS", 50)
    calmkit.write_parquet(cohort, tmp_path)
    for folder in ckpq.TABLES:
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == ["_common_metadata", "part-00000.parquet"]
        assert pq.read_schema(tmp_path / folder / "_common_metadata").metadata[b"calmkit_partition_by"] == b"shard"
        f = pq.ParquetFile(tmp_path / folder / "part-00000.parquet")
        rows = f.metadata.num_rows
        assert f.metadata.num_row_groups == -(-rows // 50)
        # Rows in journal order (participant, time, id), as pyarrow sorts them.
        t = f.read().cast(f.schema_arrow.set(0, pa.field("participant", pa.string())))
        order = t.sort_by([("participant", "ascending"), ("time", "ascending"), ("id", "ascending")])
        assert t.select(["participant", "time", "id"]).equals(order.select(["participant", "time", "id"]))
        # Each row group's participant statistics are its first and last participant.
        for g in range(f.metadata.num_row_groups):
            stats = f.metadata.row_group(g).column(0).statistics
            got = f.read_row_group(g).column("participant").to_pylist()
            assert (stats.min, stats.max) == (got[0], got[-1])
    assert ckpq.read_parquet(tmp_path) == cohort


def _column_chunks(f, group):
    """(start, length) of each column chunk's bytes of row group `group`."""
    out = []
    for c in range(f.metadata.num_columns):
        col = f.metadata.row_group(group).column(c)
        start = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
        out.append((start, col.total_compressed_size))
    return out


def test_a_participant_filter_reads_only_the_row_groups_that_may_hold_them(tmp_path, cohort, monkeypatch):
    monkeypatch.setattr(ckpq, "ROW_GROUP_ROWS", 40)
    calmkit.write_parquet(cohort, tmp_path)
    path = tmp_path / "readings" / "part-00000.parquet"
    f = pq.ParquetFile(path)
    everything = f.read().to_pylist()  # pyarrow's rows, before anything is touched
    names = cohort.participants()
    wanted = [names[3], names[8], "nobody"]
    # The row groups holding them, by reading every row group (not by statistics).
    holding = [g for g in range(f.metadata.num_row_groups)
               if set(f.read_row_group(g).column("participant").to_pylist()) & set(wanted)]
    kept = ckpq._row_groups_of(f.metadata, wanted)
    assert kept == holding and 0 < len(kept) <= f.metadata.num_row_groups // 3
    # Proof that the others are not read: their bytes are overwritten, and the filtered read still gives
    # pyarrow's rows of those participants, while a whole read fails on the overwritten pages.
    data = bytearray(path.read_bytes())
    for g in set(range(f.metadata.num_row_groups)) - set(kept):
        for start, length in _column_chunks(f, g):
            data[start:start + length] = b"\xff" * length
    path.write_bytes(bytes(data))
    tables = ckpq.read_tables(tmp_path, wanted)
    assert tables["readings"].to_pylist() == [r for r in everything if r["participant"] in wanted]
    back = ckpq.read_parquet(tmp_path, participants=wanted)
    assert back.participants() == [names[3], names[8]]
    for name in names[3], names[8]:
        assert back.participant(name) == cohort.participant(name)
    assert len(back) == len(cohort.participant(names[3])) + len(cohort.participant(names[8]))
    with pytest.raises(Exception):  # noqa: B017 (pyarrow's own error for a broken page, whichever it is)
        ckpq.read_parquet(tmp_path)


def test_row_groups_without_participant_statistics_are_all_read(tmp_path, cohort):
    # Another tool may write the file without statistics: nothing can be skipped, nothing is lost.
    calmkit.write_parquet(cohort, tmp_path)
    for folder in ckpq.TABLES:
        f = tmp_path / folder / "part-00000.parquet"
        t = pq.read_table(f)
        pq.write_table(t, f, row_group_size=30, write_statistics=False)
        assert ckpq._row_groups_of(pq.ParquetFile(f).metadata, ["x"]) == list(
            range(pq.ParquetFile(f).metadata.num_row_groups))
    p = cohort.participants()[2]
    assert ckpq.read_parquet(tmp_path, participants=[p]) == cohort.participant(p)


def test_a_dataset_in_the_former_default_layout_still_reads(tmp_path, cohort):
    # Up to calmkit 0.1.0 write_parquet wrote a participant=<name> folder per participant by default;
    # the metadata names the layout, and read_parquet reads it with and without a participant filter.
    ckpq.write_parquet(cohort, tmp_path, partition_by="participant")
    assert pq.read_schema(tmp_path / "readings" / "_common_metadata").metadata[b"calmkit_partition_by"] == \
        b"participant"
    assert (tmp_path / "readings" / f"participant={cohort.participants()[0]}" / "part-0.parquet").is_file()
    assert ckpq.read_parquet(tmp_path) == cohort
    p = cohort.participants()[5]
    assert ckpq.read_parquet(tmp_path, participants=[p]) == cohort.participant(p)
