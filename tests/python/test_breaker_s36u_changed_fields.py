"""update_journal on a journal another app wrote, when the change touches a
record that carries fields calmkit does not know.

Reference: the standard library's `json` on the file's lines, with what the
callable asked for applied to the parsed object: a record whose intensity
(or belief) the user corrected is the same object with that one value
different. Fields calmkit does not read (another app's heart rate, a nested
colour of an emotion) are part of the entry; a correction made through
calmkit must not silently take them out of the file, as an untouched record
keeps them byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import calmkit

READING = {"type": "reading", "id": "r1", "time": "2026-03-02T21:00:00+01:00", "intensity": 6,
           "heart_rate": 88, "app": {"source": "watch", "samples": [88, 90]}}
THOUGHT = {"type": "thought_record", "id": "tr1", "time": "2026-03-02T22:00:00+01:00", "situation": "no reply",
           "automatic_thought": "they are pulling away", "belief_before": 80,
           "emotions": [{"name": "anxious", "before": 80, "colour": "grey"}], "app_mood": "tense"}
OTHER = {"type": "reading", "id": "r2", "time": "2026-03-03T08:00:00+01:00", "intensity": 2, "app": {"x": 1}}


def _file(tmp_path: Path) -> tuple[Path, list[bytes]]:
    lines = [json.dumps(o).encode() for o in (READING, THOUGHT, OTHER)]
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path, lines


def _changed(j: calmkit.Journal) -> calmkit.Journal:
    """The user corrects r1's intensity (6 -> 4) and tr1's belief (80 -> 70)."""
    out: list[Any] = []
    for r in j.readings:
        if r.id == "r1":
            r = calmkit.Reading(id=r.id, time=r.time, intensity=4, note=r.note, trigger=r.trigger)
        out.append(r)
    for t in j.thought_records:
        out.append(calmkit.parse_journal(json.dumps(
            {**json.loads(calmkit.to_json(t)), "belief_before": 70})).thought_records[0])
    return calmkit.Journal(out)


def test_the_change_is_what_the_user_asked_and_the_untouched_line_stays(tmp_path: Path) -> None:
    """What calmkit keeps today: the changed values, the untouched line byte for byte."""
    path, lines = _file(tmp_path)
    calmkit.update_journal(path, _changed)
    got = path.read_bytes().splitlines()
    assert len(got) == 3 and got[2] == lines[2]
    assert json.loads(got[0])["intensity"] == 4 and json.loads(got[1])["belief_before"] == 70


def test_a_changed_record_keeps_the_fields_calmkit_does_not_know(tmp_path: Path) -> None:
    path, _ = _file(tmp_path)
    calmkit.update_journal(path, _changed)
    got = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert got[0] == {**READING, "intensity": 4}
    assert got[1] == {**THOUGHT, "belief_before": 70}
    assert got[2] == OTHER


def test_a_cleared_known_field_goes_and_emotions_keep_their_own_by_name(tmp_path: Path) -> None:
    """A field calmkit knows that the change clears (the note) is not brought back
    from the old line; emotions given in another order keep each their own
    unknown fields (matched by name). Reference: json.loads with those edits."""
    reading = {**READING, "note": "old note"}
    thought = {**THOUGHT, "emotions": [{"name": "anxious", "before": 80, "colour": "grey"},
                                       {"name": "sad", "before": 40, "shade": [1, {"x": None}]}]}
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(json.dumps(o).encode() + b"\n" for o in (reading, thought)))

    def change(j: calmkit.Journal) -> calmkit.Journal:
        r = j.readings[0]
        t = json.loads(calmkit.to_json(j.thought_records[0]))
        t["emotions"] = t["emotions"][::-1]
        return calmkit.Journal([calmkit.Reading(id=r.id, time=r.time, intensity=r.intensity),
                                calmkit.parse_journal(json.dumps(t)).thought_records[0]])

    calmkit.update_journal(path, change)
    got = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert got[0] == {k: v for k, v in reading.items() if k != "note"}
    assert got[1] == {**thought, "emotions": thought["emotions"][::-1]}
