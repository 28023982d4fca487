"""update_journal when the change corrects a record that has no id (a reading
logged by a watch app often has none).

A changed record with an id keeps its line's place and the fields calmkit does
not know (tests/python/test_breaker_s36u_changed_fields.py); a changed record
without an id must be treated the same: it is the record of the same type,
participant and time. Reference: the standard library's `json` on the file's
lines, with what the change asked for applied to the parsed object."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import calmkit

FIRST = {"type": "reading", "time": "2026-03-02T21:00:00+01:00", "intensity": 6, "heart_rate": 88,
         "app": {"source": "watch", "samples": [88, 90]}}
MIDDLE = {"type": "reading", "id": "r2", "time": "2026-03-02T22:00:00+01:00", "intensity": 3}
LAST = {"type": "reading", "time": "2026-03-03T08:00:00+01:00", "intensity": 2, "app": {"x": 1}}
B250 = "B250: a changed record without an id went to the end of the file without its unknown fields"


def _file(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(json.dumps(o).encode() + b"\n" for o in records))
    return path


def _set_intensity(time: str, value: int):
    """The change: the reading at `time` gets intensity `value`, the rest kept."""
    def change(j: calmkit.Journal) -> calmkit.Journal:
        out = []
        for r in j.readings:
            if r.time == datetime.fromisoformat(time):
                r = calmkit.Reading(id=r.id, participant=r.participant, time=r.time, intensity=value,
                                    note=r.note, trigger=r.trigger)
            out.append(r)
        return calmkit.Journal(out)
    return change


def test_a_changed_record_without_an_id_keeps_its_place_and_unknown_fields(tmp_path: Path) -> None:
    path = _file(tmp_path, [FIRST, MIDDLE, LAST])
    calmkit.update_journal(path, _set_intensity(FIRST["time"], 4))
    got = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert got == [{**FIRST, "intensity": 4}, MIDDLE, LAST], B250


def test_records_without_an_id_at_one_time_each_keep_their_own_line(tmp_path: Path) -> None:
    """Two readings at the same time, the second changed: it stays second, and the
    first (unchanged) keeps its line byte for byte."""
    twin = {**FIRST, "intensity": 1, "app": {"source": "phone"}}
    path = _file(tmp_path, [FIRST, twin, MIDDLE])
    before = path.read_bytes().splitlines()

    def change(j: calmkit.Journal) -> calmkit.Journal:
        out = [calmkit.Reading(time=r.time, participant=r.participant, intensity=5) if r.intensity == 1 else r
               for r in j.readings]
        return calmkit.Journal(out)

    calmkit.update_journal(path, change)
    got = path.read_bytes().splitlines()
    assert got[0] == before[0] and got[2] == before[2]
    assert json.loads(got[1]) == {**twin, "intensity": 5}


def test_a_record_without_an_id_moved_to_another_time_is_removed_and_added(tmp_path: Path) -> None:
    """Another time is another record: the old line goes, the new one is added at
    the end in calmkit's form (what a removal plus an addition writes)."""
    path = _file(tmp_path, [FIRST, MIDDLE, LAST])

    def change(j: calmkit.Journal) -> calmkit.Journal:
        out = [calmkit.Reading(time=datetime.fromisoformat("2026-03-02T21:30:00+01:00"), participant=r.participant,
                               intensity=r.intensity) if r.time == datetime.fromisoformat(FIRST["time"]) else r
               for r in j.readings]
        return calmkit.Journal(out)

    calmkit.update_journal(path, change)
    got = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert got[:2] == [MIDDLE, LAST]
    assert got[2] == {"type": "reading", "time": "2026-03-02T21:30:00+01:00", "intensity": 6}


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_the_changed_line_keeps_its_line_end(tmp_path: Path, eol: bytes) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(json.dumps(o).encode() + eol for o in (FIRST, LAST)))
    calmkit.update_journal(path, _set_intensity(FIRST["time"], 4))
    raw = path.read_bytes()
    assert raw.count(eol) == 2 and json.loads(raw.split(eol)[0]) == {**FIRST, "intensity": 4}


def test_a_file_written_without_the_lock_while_the_change_runs_is_not_overwritten(tmp_path: Path) -> None:
    """update_journal reads the file again for its write; when a program that does not take
    the journal's lock wrote it meanwhile, writing over it would lose that program's lines:
    the update is refused (OSError naming the file) and the file keeps what was written."""
    path = _file(tmp_path, [FIRST, MIDDLE])
    theirs = json.dumps(LAST).encode() + b"\n"

    def change(j: calmkit.Journal) -> calmkit.Journal:
        with path.open("ab") as f:  # another program, no lock
            f.write(theirs)
        return calmkit.Journal([r for r in j.readings if r.id != "r2"])

    before = path.read_bytes()
    with pytest.raises(OSError, match=r"changed while the change ran") as e:
        calmkit.update_journal(path, change)
    assert str(path) in str(e.value)
    assert path.read_bytes() == before + theirs
