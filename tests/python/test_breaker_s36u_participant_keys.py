"""append_records and update_journal on a journal whose participant names and
ids hold a unit separator (U+001F, a control character JSON allows in a
string and read_journal accepts in both fields).

The reference is read_journal itself on the file the call leaves, and the
plain rule it applies: an id is unique per participant and record type, and a
reading names a trigger of its own participant. A participant "a<US>b" with id
"c" and a participant "a" with id "b<US>c" are two different keys to
read_journal; the checks of a record that is added must see them as two as
well: never accept a line that makes the file unreadable, never refuse a
line that read_journal would take."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit

US = "\x1f"
WHEN = "2026-03-01T00:00:00+00:00"


def _write(path: Path, objs: list[dict]) -> bytes:
    data = b"".join(json.dumps(o).encode() + b"\n" for o in objs)
    path.write_bytes(data)
    return data


def _trigger(participant: str, id_: str) -> dict:
    return {"type": "trigger", "participant": participant, "id": id_, "time": WHEN, "category": "conflict",
            "intensity": 3}


def _reading(participant: str, id_: str, **more: object) -> dict:
    return {"type": "reading", "participant": participant, "id": id_, "time": WHEN, "intensity": 1, **more}


def test_the_reference_reads_both_keys_as_two(tmp_path: Path) -> None:
    """read_journal takes a reading "c" of "a<US>b" beside a reading "b<US>c" of
    "a", and refuses a reading of "a" that names trigger "b<US>c" when only
    "a<US>b" has a trigger "c": the rules the tests below hold the writers to."""
    path = tmp_path / "j.jsonl"
    _write(path, [_reading("a" + US + "b", "c"), _reading("a", "b" + US + "c")])
    assert len(calmkit.read_journal(path)) == 2
    _write(path, [_trigger("a" + US + "b", "c"), _reading("a", "n", trigger="b" + US + "c")])
    with pytest.raises(calmkit.JournalFormatError, match="trigger"):
        calmkit.read_journal(path)


def test_append_records_refuses_a_trigger_of_another_participant(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    # Participant "a" holds half the records: the whole journal's check is used.
    data = _write(path, [_trigger("a" + US + "b", "c"), _reading("a", "z")])
    new = calmkit.Reading(participant="a", id="n", time="2026-03-01T01:00:00+00:00", intensity=2,
                          trigger="b" + US + "c")
    try:
        with pytest.raises(calmkit.RecordError, match="trigger"):
            calmkit.append_records(path, [new])
        assert path.read_bytes() == data
    finally:
        calmkit.read_journal(path)  # whatever happened, the file must still read


def test_update_journal_refuses_a_trigger_of_another_participant(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    data = _write(path, [_trigger("a" + US + "b", "c"), _reading("a", "z")])
    new = calmkit.Reading(participant="a", id="n", time="2026-03-01T01:00:00+00:00", intensity=2,
                          trigger="b" + US + "c")
    try:
        with pytest.raises(calmkit.RecordError, match="trigger"):
            calmkit.update_journal(path, lambda j: j.add(new))
        assert path.read_bytes() == data
    finally:
        calmkit.read_journal(path)


def test_append_records_takes_an_id_that_only_looks_like_another_participants(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    data = _write(path, [_reading("a" + US + "b", "c"), _reading("a", "z")])
    new = calmkit.Reading(participant="a", id="b" + US + "c", time=WHEN, intensity=2)
    calmkit.append_records(path, [new])
    assert path.read_bytes() == data + calmkit.to_json(new).encode() + b"\n"
    assert len(calmkit.read_journal(path)) == 3


def test_append_records_takes_that_id_when_its_participant_is_a_small_share(tmp_path: Path) -> None:
    """The same record, the same file but for 20 other participants: taken."""
    path = tmp_path / "j.jsonl"
    others = [_reading(f"q{k}", "x") for k in range(20)]
    data = _write(path, [_reading("a" + US + "b", "c"), _reading("a", "z"), *others])
    new = calmkit.Reading(participant="a", id="b" + US + "c", time=WHEN, intensity=2)
    calmkit.append_records(path, [new])
    assert path.read_bytes() == data + calmkit.to_json(new).encode() + b"\n"
    assert len(calmkit.read_journal(path)) == 23


@pytest.mark.parametrize("how", ["in_place", "returned"])
def test_update_journal_takes_an_id_that_only_looks_like_another_participants(tmp_path: Path, how: str) -> None:
    path = tmp_path / "j.jsonl"
    data = _write(path, [_reading("a" + US + "b", "c")])
    new = calmkit.Reading(participant="a", id="b" + US + "c", time=WHEN, intensity=2)

    def change(j: calmkit.Journal) -> calmkit.Journal | None:
        if how == "in_place":
            j.add(new)
            return None
        return calmkit.Journal([*j.readings, new])

    calmkit.update_journal(path, change)
    assert path.read_bytes() == data + calmkit.to_json(new).encode() + b"\n"
    assert len(calmkit.read_journal(path)) == 2
