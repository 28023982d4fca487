"""A record type's rows spread over several Parquet files: an error names the
file and the row within it (as pyarrow reads that file), not the row of the
files' tables concatenated; and folders a new user or another program left
in odd shapes read right or fail with an error that names the file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def _set(f: Path, column: str, row: int, value: object, type_: object = None) -> None:
    """Rewrites file ``f`` with ``column``'s value at ``row`` (pyarrow's row numbering) set to ``value``."""
    t = pq.read_table(f)
    values = t[column].to_pylist()
    values[row] = value
    i = t.schema.get_field_index(column)
    type_ = type_ or t.schema.field(i).type
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    pq.write_table(t.set_column(i, pa.field(column, type_), pa.array(values, type_)), f)


def test_a_bad_value_names_its_file_and_row_with_and_without_a_filter(journal: calmkit.Journal,
                                                                      tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=3)
    f = d / "triggers" / "part-00002.parquet"
    rows = pq.read_table(f)
    row = rows.num_rows - 1  # the file's last row: not its row among one participant's rows
    who = rows["participant"][row].as_py()
    _set(f, "intensity", row, 300, pa.int64())
    for kwargs in ({}, {"participants": [who]}, {"tz": "UTC"}, {"participants": [who], "tz": "UTC"}):
        with pytest.raises(calmkit.RecordError) as e:
            calmkit.read_parquet(d, **kwargs)
        assert str(e.value).startswith(f"{f}: row {row}: field 'intensity': "), (kwargs, str(e.value))
        assert (e.value.field, e.value.place) == ("intensity", f"{f}: row {row}"), kwargs
        assert e.value.reason == "must be an integer 0..10, got 300"


def test_a_link_to_no_trigger_in_a_later_shard_names_the_shard(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=3)
    f = d / "readings" / "part-00002.parquet"
    linked = [i for i, x in enumerate(pq.read_table(f)["trigger"].to_pylist()) if x]
    _set(f, "trigger", linked[-1], "no-such-trigger")
    with pytest.raises(ValueError, match="no-such-trigger") as e:
        calmkit.read_parquet(d)
    assert str(e.value).startswith(f"{f}: row {linked[-1]}: field 'trigger': "), str(e.value)


def test_the_participant_layout_names_the_participants_file(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", partition_by="participant")
    f = sorted((d / "readings").rglob("*.parquet"))[-1]
    _set(f, "intensity", 1, 11, pa.int64())
    with pytest.raises(ValueError) as e:
        calmkit.read_parquet(d)
    assert str(e.value).startswith(f"{f}: row 1: field 'intensity': "), str(e.value)


def test_one_whole_file_keeps_the_tables_row(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d")
    _set(d / "readings" / "part-00000.parquet", "intensity", 4, 11, pa.int64())
    with pytest.raises(ValueError, match=r"/readings: row 4: field 'intensity': "):
        calmkit.read_parquet(d)


def test_shards_without_rows_read_as_pyarrow_reads_them(journal: calmkit.Journal, tmp_path: Path) -> None:
    # More shards than participants: some files hold no rows at all.
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=len(journal.participants()) + 3)
    for table in calmkit.parquet.TABLES:
        assert any(pq.read_metadata(f).num_rows == 0 for f in (d / table).glob("*.parquet"))
        ours = calmkit.parquet.read_tables(d)[table]
        theirs = pq.read_table(d / table)
        assert ours.num_rows == theirs.num_rows
    assert calmkit.read_parquet(d) == journal
    assert calmkit.read_parquet(d, participants=[journal.participants()[0]]) == \
        journal.participant(journal.participants()[0])


def test_a_folder_named_like_a_shard_is_walked_as_pyarrow_walks_it(journal: calmkit.Journal,
                                                                   tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2)
    # A shard moved into a sub-folder whose name ends in .parquet: both readers walk into it.
    sub = d / "triggers" / "part-00001.parquet.d.parquet"
    sub.mkdir()
    shutil.move(d / "triggers" / "part-00001.parquet", sub / "part-00001.parquet")
    assert calmkit.parquet.read_tables(d)["triggers"].num_rows == pq.read_table(d / "triggers").num_rows
    assert calmkit.read_parquet(d) == journal


def test_a_symlink_loop_in_a_dataset_folder_is_an_error_naming_it(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2)
    loop = d / "triggers" / "loop"
    try:
        os.symlink(loop, loop)  # a link to itself
    except OSError as e:
        pytest.skip(f"no symbolic links here: {e}")
    with pytest.raises(OSError) as e:
        calmkit.read_parquet(d)
    assert str(loop) in str(e.value), str(e.value)


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_a_folder_of_shards_linked_in_is_read_as_pyarrow_reads_it(layout: str, journal: calmkit.Journal,
                                                                  tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2, partition_by=layout)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = sorted((d / "triggers").iterdir())[-1]  # a shard file, or a participant=<name> folder
    target = elsewhere / moved.name
    shutil.move(moved, target)
    try:
        if layout == "shard":
            os.symlink(elsewhere, d / "triggers" / "more")
        else:
            os.symlink(target, d / "triggers" / moved.name)
    except OSError as e:
        pytest.skip(f"no symbolic links here: {e}")
    assert calmkit.parquet.read_tables(d)["triggers"].num_rows == pq.read_table(d / "triggers").num_rows
    assert calmkit.read_parquet(d) == journal


def test_a_link_to_a_folder_that_holds_it_is_named_not_walked(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2)
    try:
        os.symlink(d / "triggers", d / "triggers" / "again")  # a folder that holds itself
    except OSError as e:
        pytest.skip(f"no symbolic links here: {e}")
    # pyarrow walks the loop until the path is too long, reading the shards again on every turn.
    assert pq.read_table(d / "triggers").num_rows > len(journal.triggers)
    with pytest.raises(ValueError, match="again") as e:
        calmkit.read_parquet(d)
    assert str(d / "triggers" / "again") in str(e.value), str(e.value)


def test_a_jsonl_file_among_parquet_shards_is_named(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=2)
    stray = d / "triggers" / "part-00002.jsonl"
    calmkit.write_journal(journal, stray)
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(d)
    assert str(stray) in str(e.value)
    with pytest.raises(pa.ArrowInvalid):  # pyarrow refuses it too
        pq.read_table(d / "triggers")


def test_jsonl_shards_skip_parquet_files_by_pattern(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = tmp_path / "mixed"
    calmkit.write_parquet(journal, d, shards=2)
    calmkit.write_journal(journal, d / "a.jsonl")
    assert calmkit.read_jsonl_shards(d) == journal  # the default pattern takes *.jsonl only
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_jsonl_shards(d, pattern="**/*")
    assert "part-0000" in str(e.value) or "_common_metadata" in str(e.value), str(e.value)


def _trigger_line(i: int) -> str:
    return ('{"type":"trigger","participant":"p","id":"t%d","time":"2026-03-%02dT21:00:00+01:00",'
            '"category":"other","intensity":7}\n' % (i, i))


def test_jsonl_shards_in_odd_folders_read_as_the_one_file(tmp_path: Path) -> None:
    root = tmp_path / "shards"
    (root / "sub").mkdir(parents=True)
    (root / "a.jsonl").write_text(_trigger_line(1))
    (root / "empty.jsonl").write_text("")  # a shard without records
    (root / "sub" / "b.jsonl").write_text(_trigger_line(2))
    (root / "folder.jsonl").mkdir()  # a folder the pattern matches: no shard
    try:
        os.symlink(root, root / "sub" / "up")  # a link back up: a loop for a walk that follows links
    except OSError as e:
        pytest.skip(f"no symbolic links here: {e}")
    whole = tmp_path / "whole.jsonl"
    whole.write_text(_trigger_line(1) + _trigger_line(2))
    assert calmkit.read_jsonl_shards(root, "**/*.jsonl") == calmkit.read_journal(whole)
    assert len(calmkit.read_jsonl_shards(root)) == 1


def test_a_named_pipe_among_jsonl_shards_is_named_not_waited_on(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    (tmp_path / "a.jsonl").write_text(_trigger_line(1))
    os.mkfifo(tmp_path / "b.jsonl")
    with pytest.raises(ValueError, match="not a regular file") as e:
        calmkit.read_jsonl_shards(tmp_path)
    assert str(tmp_path / "b.jsonl") in str(e.value)


def test_a_participant_folder_whose_name_is_not_utf8_is_named(tmp_path: Path) -> None:
    j = calmkit.Journal([calmkit.Reading(participant="cafe", id="r1", time="2026-03-02T08:00:00+01:00", intensity=4)])
    d = calmkit.write_parquet(j, tmp_path / "d", partition_by="participant")
    bad = d / "readings" / os.fsdecode(b"participant=caf\xe9")  # the name as a Latin-1 system wrote it
    try:
        os.rename(d / "readings" / "participant=cafe", bad)
    except (OSError, UnicodeEncodeError) as e:
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    with pytest.raises(ValueError, match="the participant's name is not UTF-8") as e:
        calmkit.read_parquet(d)
    assert str(bad) in str(e.value)


def test_a_bad_time_text_in_a_later_shard_names_the_shard(journal: calmkit.Journal, tmp_path: Path) -> None:
    # Times as RFC 3339 text (another tool's rewrite) are read by the bridge's own parser, row by row.
    d = calmkit.write_parquet(journal, tmp_path / "d", shards=3)
    for k in range(3):
        f = d / "readings" / f"part-{k:05d}.parquet"
        t = pq.read_table(f)
        times = [x.isoformat() for x in t["time"].to_pylist()]
        if k == 2:
            times[3] = "2026-02-30T10:00:00+00:00"
        i = t.schema.get_field_index("time")
        pq.write_table(t.set_column(i, "time", pa.array(times, pa.string())).drop_columns(["offset_minutes"]), f)
    with pytest.raises(ValueError, match="day does not exist") as e:
        calmkit.read_parquet(d)
    assert str(e.value).startswith(f"{f}: row 3: field 'time': "), str(e.value)


@pytest.mark.parametrize("pattern, error", [("", ValueError), ("/tmp/*.jsonl", ValueError), (None, TypeError),
                                            (5, TypeError)])
def test_a_jsonl_shard_pattern_that_is_no_relative_glob_is_named(pattern: object, error: type,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(_trigger_line(1))
    with pytest.raises(error, match="pattern"):
        calmkit.read_jsonl_shards(tmp_path, pattern)  # type: ignore[arg-type]


def test_a_folder_whose_path_is_not_utf8_names_its_files_in_errors(journal: calmkit.Journal, tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    try:
        folder.mkdir()
    except (OSError, UnicodeEncodeError) as e:
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    d = calmkit.write_parquet(journal, folder / "d", shards=3)
    who = journal.participants()[-1]
    assert calmkit.read_parquet(d, participants=[who]) == journal.participant(who)
    f = d / "triggers" / "part-00002.parquet"
    with open(f, "rb") as source:  # pyarrow takes the file, not its path
        rows = pq.read_table(source)
    row = rows.num_rows - 1
    t = rows.set_column(rows.schema.get_field_index("intensity"), pa.field("intensity", pa.int64()),
                        pa.array([300 if k == row else v for k, v in enumerate(rows["intensity"].to_pylist())],
                                 pa.int64()))
    with open(f, "wb") as sink:
        pq.write_table(t, sink)
    for kwargs in ({}, {"participants": [rows["participant"][row].as_py()]}):
        with pytest.raises(calmkit.RecordError) as e:
            calmkit.read_parquet(d, **kwargs)
        assert str(e.value).startswith(f"{f}: row {row}: field 'intensity': "), str(e.value)
    with open(f, "wb") as sink:
        sink.write(b"PAR1 cut short")
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(d)
    assert str(f) in str(e.value)
