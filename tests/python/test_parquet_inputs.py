"""What read_parquet and read_jsonl_shards make of the inputs around the
reviewer's findings B3-B6 (session 27): each shard's header is checked as
read_journal checks a file's, a damaged or stray file of either Parquet
layout is calmkit's ValueError naming it, and ``participants=`` follows one
rule in both layouts (None: everyone; an iterable of str: those ids, none
when empty; a single str, a non-iterable or an item that is not a str:
TypeError)."""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

pytest.importorskip("pyarrow")

TRIGGER = ('{{"type":"trigger","participant":"{p}","id":"t{i}","time":"2026-03-02T10:{i:02d}:00Z",'
           '"category":"delayed_reply","intensity":5}}\n')
HEADER = '{{"type":"header","format":"calmkit-journal","version":{v}}}\n'


def _journal(names: list[str]) -> calmkit.Journal:
    return calmkit.parse_journal("".join(TRIGGER.format(p=p, i=i) for i, p in enumerate(names)))


def test_a_newer_header_in_a_later_shard_stops_the_read_as_read_journal_does(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(HEADER.format(v=1) + TRIGGER.format(p="p", i=1), encoding="utf-8")
    b = tmp_path / "b.jsonl"
    b.write_text(HEADER.format(v=99) + TRIGGER.format(p="q", i=2), encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as direct:
        calmkit.read_journal(b)
    with pytest.raises(calmkit.JournalFormatError) as shards:
        calmkit.read_jsonl_shards(tmp_path)
    said = [(e.value.path, e.value.line, e.value.field, e.value.reason) for e in (direct, shards)]
    assert said[0] == said[1] and said[1][:2] == (str(b), 1)


def test_a_shard_header_after_blank_lines_reads_as_read_journal_reads_it(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(TRIGGER.format(p="p", i=1), encoding="utf-8")
    b = tmp_path / "b.jsonl"
    b.write_bytes(b"\xef\xbb\xbf\n \t\r\n" + (HEADER.format(v=1) + TRIGGER.format(p="q", i=2)).encode())
    assert len(calmkit.read_journal(b)) == 1
    j = calmkit.read_jsonl_shards(tmp_path)
    assert j.participants() == ["p", "q"] and len(j) == 2


def test_a_record_naming_header_elsewhere_is_not_taken_for_a_header(tmp_path: Path) -> None:
    """Only a line whose type is header is one: a trigger whose category text
    says "header" is a record of the joined journal."""
    (tmp_path / "a.jsonl").write_text(TRIGGER.format(p="p", i=1), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(TRIGGER.format(p="header", i=2), encoding="utf-8")
    assert calmkit.read_jsonl_shards(tmp_path).participants() == ["header", "p"]


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_participants_takes_any_iterable_of_ids_and_refuses_one_str(layout: str, tmp_path: Path) -> None:
    journal = _journal(["p1", "p2", "p3"])
    calmkit.write_parquet(journal, tmp_path / "d", partition_by=layout)
    assert calmkit.read_parquet(tmp_path / "d", participants=["p2"]) == journal.participant("p2")
    for given in (["p2", "p3"], ("p2", "p3"), {"p3", "p2"}, (p for p in ["p2", "p3"])):
        got = calmkit.read_parquet(tmp_path / "d", participants=given)
        assert got.participants() == ["p2", "p3"] and len(got) == 2
    assert len(calmkit.read_parquet(tmp_path / "d", participants=[])) == 0
    for wrong in ("p2", b"p2", 5, [b"p2"], ["p2", None]):
        with pytest.raises(TypeError, match="participants"):
            calmkit.read_parquet(tmp_path / "d", participants=wrong)


def test_a_stray_file_in_a_shard_dataset_is_named(tmp_path: Path) -> None:
    d = tmp_path / "d"
    calmkit.write_parquet(_journal(["p1", "p2"]), d, shards=2)
    stray = d / "readings" / "notes.txt"
    stray.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(d)
    assert str(e.value).startswith(f"{stray}: ")
    stray.unlink()
    (d / "readings" / ".notes.txt").write_text("hidden files are skipped, as pyarrow skips them", encoding="utf-8")
    assert calmkit.read_parquet(d).participants() == ["p1", "p2"]


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_a_part_of_zeros_between_magic_bytes_is_a_value_error_in_either_layout(layout: str, tmp_path: Path) -> None:
    """pyarrow says OSError ("Couldn't deserialize thrift") for this one, in both layouts."""
    d = tmp_path / "d"
    calmkit.write_parquet(_journal(["p1", "p2"]), d, partition_by=layout)
    part = sorted(p for p in (d / "triggers").rglob("*.parquet"))[-1]
    part.write_bytes(b"PAR1" + bytes(100) + b"PAR1")
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        calmkit.read_parquet(d)
    assert str(e.value).startswith(f"{part}: ")
    pa = pytest.importorskip("pyarrow")
    assert not isinstance(e.value, pa.ArrowException)


def test_listed_files_of_a_shard_dataset_name_the_damaged_one(tmp_path: Path) -> None:
    """The per-partition read of calmkit.dask (read_tables with files=)."""
    from calmkit.parquet import read_tables

    d = tmp_path / "d"
    calmkit.write_parquet(_journal(["p1", "p2"]), d, shards=2)
    part = d / "triggers" / "part-00001.parquet"
    part.write_bytes(part.read_bytes()[:-10])
    files = {folder: ["part-00001.parquet"] for folder in calmkit.parquet.TABLES}
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        read_tables(d, files=files)
    assert str(e.value).startswith(f"{part}: ")
    missing = {folder: ["part-00009.parquet"] for folder in calmkit.parquet.TABLES}
    with pytest.raises(FileNotFoundError):
        read_tables(d, files=missing)
