"""read_jsonl_shards given shards that read_journal would name or place
precisely on their own: a later shard that is not JSON Lines text at all,
and a duplicate id whose first use is in another shard.

B49 (fixed): read_journal refuses a gzip, zstd, SQLite or UTF-16 file at line 1 with
a reason that names what it is ("the file is gzip-compressed ...: unpack it
first"), and read_jsonl_shards does so for the first shard, but a later shard
of the same kind is joined into the one parse in the middle of the text and
refused as "invalid JSON: a string is not closed" or "is not valid UTF-8".

B50 (fixed): a duplicate id's reason said where the id was first used as a line of
the shards joined ("first used on line 7"), a line number that is neither the
first use's line in its own shard nor in the shard the error names.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import calmkit

HEADER = '{"type":"header","format":"calmkit-journal","version":1}'


def _trigger(i: int, p: str = "p") -> str:
    return json.dumps({"type": "trigger", "participant": p, "id": f"t{i}",
                       "time": f"2026-03-{i:02d}T21:00:00+01:00", "category": "other", "intensity": 7})


def _reading(i: int, p: str = "p", trigger: str | None = None) -> str:
    return json.dumps({"type": "reading", "participant": p, "time": f"2026-03-{i:02d}T21:30:00+01:00",
                       "intensity": 2, "trigger": trigger or f"t{i}"})


def _shards(folder: Path, *contents: bytes) -> Path:
    folder.mkdir()
    for k, data in enumerate(contents):
        (folder / f"part-{k:03d}.jsonl").write_bytes(data)
    return folder


def _text(*lines: str, end: str = "\n") -> bytes:
    return "".join(x + end for x in lines).encode("utf-8")


KINDS = {
    "gzip": (lambda b: gzip.compress(b), "gzip"),
    "zstd": (lambda b: b"\x28\xb5\x2f\xfd" + b"\x00" * 32, "zstd"),
    "sqlite": (lambda b: b"SQLite format 3\x00" + b"\x00" * 84, "SQLite"),
    "utf-16": (lambda b: b.decode("utf-8").encode("utf-16"), "UTF-16"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_first_shard_that_is_not_json_lines_text_is_named_for_what_it_is(kind: str, tmp_path: Path) -> None:
    make, word = KINDS[kind]
    root = _shards(tmp_path / "s", make(_text(_trigger(1))), _text(_trigger(2)))
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_jsonl_shards(root)
    assert e.value.path.endswith("part-000.jsonl") and e.value.line == 1
    assert word in e.value.reason


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_later_shard_that_is_not_json_lines_text_is_named_for_what_it_is(kind: str, tmp_path: Path) -> None:
    make, word = KINDS[kind]
    root = _shards(tmp_path / "s", _text(_trigger(1)), make(_text(_trigger(2))))
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_jsonl_shards(root)
    assert e.value.path.endswith("part-001.jsonl") and e.value.line == 1
    assert word in e.value.reason


def test_a_later_shard_with_a_byte_order_mark_a_header_and_crlf_reads_as_one_file(tmp_path: Path) -> None:
    root = _shards(tmp_path / "s", _text(_trigger(1), _trigger(2)),
                   b"\xef\xbb\xbf" + _text(HEADER, "", _reading(1), _reading(2, trigger="t1"), end="\r\n"))
    whole = tmp_path / "whole.jsonl"
    whole.write_bytes(_text(_trigger(1), _trigger(2), _reading(1), _reading(2, trigger="t1")))
    assert calmkit.to_jsonl(calmkit.read_jsonl_shards(root)) == calmkit.to_jsonl(calmkit.read_journal(whole))


@pytest.mark.parametrize("second, line, field", [
    (_text(_reading(1), HEADER), 2, "type"),                        # a header after a record
    (_text(HEADER.replace("1}", "2}"), _trigger(3)), 1, "version"),  # a newer version
    (_text("", _reading(2, trigger="t9")), 2, "trigger"),           # a link to no trigger
    (_text(_trigger(4), _trigger(4)), 2, "id"),                     # an id twice in one shard
])
def test_a_problem_in_a_later_shard_names_that_shard_and_its_line(second: bytes, line: int, field: str,
                                                                 tmp_path: Path) -> None:
    root = _shards(tmp_path / "s", _text(HEADER, _trigger(1), _trigger(2)), second)
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_jsonl_shards(root)
    assert (Path(e.value.path).name, e.value.line, e.value.field) == ("part-001.jsonl", line, field)


def test_a_duplicate_id_says_which_shard_and_line_used_it_first(tmp_path: Path) -> None:
    root = _shards(tmp_path / "s", _text(*(_trigger(i) for i in range(1, 6))),
                   _text(_trigger(7), _trigger(8)), _text(_trigger(9), _trigger(8)))
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_jsonl_shards(root)
    assert (Path(e.value.path).name, e.value.line, e.value.field) == ("part-002.jsonl", 2, "id")
    # t8 was first used on line 2 of part-001.jsonl; the joined text's line 7 is in no shard's terms
    assert "line 7" not in e.value.reason
    assert "part-001.jsonl" in e.value.reason
