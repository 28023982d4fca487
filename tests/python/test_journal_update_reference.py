"""calmkit.update_journal on journals another app wrote, checked against a
reference built with the standard library alone: each file is made line by
line with `json` (records of several participants shuffled across types, keys
in random order, two kinds of spacing, fields calmkit does not know, CRLF and
LF mixed, blank lines, a byte-order mark, readings without an id at the same
time, one instant under two offsets), then records are removed, changed and
added through update_journal. The file it leaves must hold every line it was
not asked to touch byte for byte in its place, each changed record (same
type, participant and id) where its line was, equal as JSON to what was
asked, and the new records at the end in journal order; `json` reads every
line back."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

import calmkit

BOM = b"\xef\xbb\xbf"
TYPES = ("trigger", "reading", "exercise", "thought_record", "assessment")
CATEGORIES = ("delayed_reply", "conflict", "partner_distance", "plans_cancelled")


def _time(rng: random.Random, day: int) -> str:
    hours = rng.choice([1, 2, -4, 5])
    minutes = 30 if hours == 5 else 0
    sign = "+" if hours >= 0 else "-"
    return (f"2026-03-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            f"{sign}{abs(hours):02d}:{minutes:02d}")


def _instant(text: str) -> tuple[dt.datetime, int]:
    """A time's UTC instant and its offset in minutes: the journal's order."""
    t = dt.datetime.fromisoformat(text)
    off = t.utcoffset()
    assert off is not None
    return t.astimezone(dt.timezone.utc), int(off.total_seconds() // 60)


def _dump(rng: random.Random, obj: dict[str, Any]) -> bytes:
    keys = list(obj)
    rng.shuffle(keys)
    sep = rng.choice([(",", ":"), (", ", ": ")])
    return json.dumps({k: obj[k] for k in keys}, separators=sep, ensure_ascii=rng.random() < 0.5).encode()


def _records(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Records as the other app writes them: calmkit's fields and its own."""
    out: list[dict[str, Any]] = []
    for p in ("p1", "p2", "p10", ""):  # "": no participant field
        start = len(out)
        triggers = []
        for k in range(n):
            t = {"type": "trigger", "id": f"t{k}", "time": _time(rng, 1 + k % 20),
                 "category": rng.choice(CATEGORIES), "intensity": rng.randrange(11)}
            if rng.random() < 0.5:
                t["app_mood"] = {"label": "tense", "score": [rng.randrange(5), 4]}
            triggers.append(t)
        out += triggers
        for k in range(n):
            r: dict[str, Any] = {"type": "reading", "time": _time(rng, 1 + k % 20), "intensity": rng.randrange(11),
                                 "note": f"{p} reading {k} ü"}
            if k % 3:
                r["id"] = f"r{k}"
            if k % 4 == 0:
                r["trigger"] = rng.choice(triggers)["id"]
            if rng.random() < 0.3:
                r["heart_rate"] = rng.randrange(60, 120)
            out.append(r)
        # Readings without an id at one time: their rows tie on (participant, time, id).
        same = _time(rng, 25)
        for k in range(4):
            out.append({"type": "reading", "time": same, "intensity": k, "note": f"{p} tie {k}", "app_seq": k})
        # One instant under two offsets.
        out.append({"type": "reading", "id": "utc", "time": "2026-03-26T10:00:00+00:00", "intensity": 1})
        out.append({"type": "reading", "id": "cet", "time": "2026-03-26T11:00:00+01:00", "intensity": 1})
        for k in range(n // 4):
            out.append({"type": "thought_record", "id": f"tr{k}", "time": _time(rng, 1 + k),
                        "situation": "no reply", "automatic_thought": "they are pulling away",
                        "belief_before": rng.randrange(101),
                        "emotions": [{"name": "anxious", "before": 80, "colour": "grey"}]})
        for r in out[start:]:
            if p:
                r["participant"] = p
    return out


def _make_file(rng: random.Random, n: int, bom: bool, final: bool) -> tuple[bytes, list[tuple[bytes, bytes, Any]]]:
    """The file's bytes and its lines as (text, line end, record or None)."""
    records = _records(rng, n)
    rng.shuffle(records)
    lines: list[tuple[bytes, bytes, Any]] = [(_dump(rng, {"type": "header", "format": "calmkit-journal",
                                                          "version": 1, "generator": "other app 3.0",
                                                          "device": {"os": "ios"}}), b"\r\n", None)]
    for r in records:
        if rng.random() < 0.05:
            lines.append((b"", rng.choice([b"\n", b"\r\n"]), None))  # a blank line
        lines.append((_dump(rng, r), rng.choice([b"\n", b"\r\n"]), r))
    if not final:
        text, _, rec = lines[-1]
        lines[-1] = (text, b"", rec)
    data = (BOM if bom else b"") + b"".join(text + end for text, end, _ in lines)
    return data, lines


# The journal format's fields of each record type (docs/journal-format.md); any other is another app's.
_COMMON = {"type", "participant", "id", "time"}
FIELDS = {
    "trigger": _COMMON | {"category", "intensity", "context", "thoughts", "sensations", "urge", "acted_on_urge",
                          "acted_after_minutes", "response", "tags"},
    "reading": _COMMON | {"intensity", "trigger", "note"},
    "thought_record": _COMMON | {"situation", "automatic_thought", "belief_before", "emotions", "distortions",
                                 "evidence_for", "evidence_against", "alternatives", "friend_advice",
                                 "balanced_thought", "belief_after", "trigger"},
}


def _key(r: dict[str, Any]) -> tuple[str, str, str]:
    """Who a record is in these files: type, participant and id (a reading without one: its note)."""
    return r["type"], r.get("participant", ""), r.get("id") or "note:" + r["note"]


def _record_of(d: dict[str, Any]) -> Any:
    """The calmkit record of one line (no unknown fields)."""
    text = json.dumps(d)
    if "trigger" in d:  # the trigger it names, for the parse
        text = json.dumps({"type": "trigger", "participant": d.get("participant", ""), "id": d["trigger"],
                           "time": "2026-01-01T00:00:00+00:00", "category": "conflict", "intensity": 1}) + "\n" + text
    j = calmkit.parse_journal(text)
    (rec,) = {"trigger": j.triggers, "reading": j.readings, "thought_record": j.thought_records}[d["type"]]
    return rec


def _order(d: dict[str, Any]) -> tuple[Any, ...]:
    utc, off = _instant(d["time"])
    return TYPES.index(d["type"]), d.get("participant", "").encode(), utc, off, d.get("id", "").encode()


def _split(data: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    for line in data.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        out.append((body, line[len(body):]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_an_update_keeps_every_line_it_was_not_asked_to_change(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    bom, final = seed % 2 == 0, seed % 3 != 0
    data, lines = _make_file(rng, 24, bom, final)
    path = tmp_path / "journal.jsonl"
    path.write_bytes(data)
    records = [r for _, _, r in lines if r is not None]
    assert len(calmkit.read_journal(path)) == len(records)

    # What to remove and change: never a trigger a reading names (the journal would refuse that).
    named = {(r.get("participant", ""), r["trigger"]) for r in records if "trigger" in r}
    free = [r for r in records if not (r["type"] == "trigger" and (r.get("participant", ""), r["id"]) in named)]
    rng.shuffle(free)
    removed = {_key(r) for r in free[: len(free) // 8]}
    changed: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in free[len(free) // 8: len(free) // 4]:
        new = {k: v for k, v in r.items() if k in ("type", "participant", "id", "time", "category", "intensity",
                                                   "trigger", "situation", "automatic_thought", "belief_before")}
        if r["type"] == "thought_record":
            new["belief_before"] = (r["belief_before"] + 7) % 101
        else:
            new["intensity"] = (r["intensity"] + 3) % 11
        if "id" not in r:  # goes at the end: a time of its own keeps the journal's order there unambiguous
            new["time"] = f"2026-03-27T{len(changed) % 24:02d}:{len(changed) // 24:02d}:00+01:00"
        elif rng.random() < 0.5:
            new["time"] = _time(rng, 27)  # its row moves in the journal's order
        changed[_key(r)] = new
    added = [{"type": "trigger", "participant": "p0", "id": "t-new", "time": "2026-03-28T09:00:00+01:00",
              "category": "conflict", "intensity": 4},
             {"type": "reading", "participant": "p2", "id": "r-new", "time": "2026-03-28T08:00:00+02:00",
              "intensity": 2, "trigger": min(t for p, t in named if p == "p2")},
             {"type": "reading", "participant": "p3", "time": "2026-03-28T07:00:00-04:00", "intensity": 9}]

    def change(j: calmkit.Journal) -> calmkit.Journal:
        out = []
        for r in [*j.triggers, *j.readings, *j.thought_records]:
            kind = {"Trigger": "trigger", "Reading": "reading", "ThoughtRecord": "thought_record"}[type(r).__name__]
            key = (kind, r.participant, r.id or "note:" + (getattr(r, "note", "") or ""))
            if key in removed:
                continue
            out.append(_record_of(changed[key]) if key in changed else r)
        return calmkit.Journal(out + [_record_of(d) for d in added])

    calmkit.update_journal(path, change)
    got = path.read_bytes()

    # The reference: the file's own lines, the removed ones gone, the changed ones in their place.
    assert got.startswith(BOM) == bom
    got_lines = _split(got.removeprefix(BOM))
    eol = lines[0][1]
    want: list[tuple[bytes, bytes] | tuple[dict[str, Any], bytes]] = []
    for text, end, rec in lines:
        if rec is None:
            want.append((text, end))
            continue
        key = _key(rec)
        if key in removed:
            continue
        if key in changed:
            if key[2].startswith("note:"):
                continue  # no id: a changed record cannot be told from a new one, so it goes at the end
            # A changed line keeps the fields calmkit does not know (another app's), with calmkit's changed.
            want.append(({**changed[key], **{k: v for k, v in rec.items() if k not in FIELDS[rec["type"]]}}, end))
        else:
            want.append((text, end))
    # The last kept line has no line end when the file had none and nothing follows it.
    tail = sorted([*added, *(d for k, d in changed.items() if k[2].startswith("note:"))], key=_order)
    if tail and want and want[-1][1] == b"":
        want[-1] = (want[-1][0], eol)
    want += [(d, eol) for d in tail]
    assert len(got_lines) == len(want)
    for k, ((text, end), (expect, expect_end)) in enumerate(zip(got_lines, want)):
        assert end == expect_end, k
        if isinstance(expect, bytes):
            assert text == expect, k
        else:
            assert json.loads(text) == expect, k
    # Every line is JSON to the standard library, and calmkit reads the records asked for.
    for text, _ in got_lines:
        if text:
            json.loads(text)
    j = calmkit.read_journal(path)
    assert len(j) == len(records) - len(removed) + len(added)


def _line_file(tmp_path: Path, objs: list[dict[str, Any]], eol: bytes = b"\n") -> tuple[Path, list[bytes]]:
    lines = [json.dumps(o).encode() for o in objs]
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"".join(line + eol for line in lines))
    return path, lines


def test_removing_one_of_two_equal_readings_keeps_one_of_their_lines(tmp_path: Path) -> None:
    """Two readings without an id, equal but for fields calmkit does not know: calmkit
    cannot tell which one the change removed; one line of the two goes, the other
    stays byte for byte, and every other line stays."""
    same = {"type": "reading", "time": "2026-03-02T21:00:00+01:00", "intensity": 3}
    objs = [{"type": "reading", "id": "a", "time": "2026-03-02T20:00:00+01:00", "intensity": 1},
            {**same, "app": 1}, {"type": "reading", "id": "b", "time": "2026-03-02T20:30:00+01:00", "intensity": 2},
            {**same, "app": 2}]
    path, lines = _line_file(tmp_path, objs)

    def change(j: calmkit.Journal) -> calmkit.Journal:
        rs = list(j.readings)
        drop = next(k for k, r in enumerate(rs) if not r.id)
        return calmkit.Journal(rs[:drop] + rs[drop + 1:])

    calmkit.update_journal(path, change)
    got = path.read_bytes().splitlines()
    assert got in ([lines[0], lines[1], lines[2]], [lines[0], lines[2], lines[3]])


def test_a_change_that_returns_the_same_records_does_not_write(tmp_path: Path) -> None:
    objs = [{"type": "trigger", "id": "t1", "time": "2026-03-02T21:00:00+01:00", "category": "conflict",
             "intensity": 5, "app": [1, 2]},
            {"type": "reading", "time": "2026-03-02T21:00:00+01:00", "intensity": 3, "trigger": "t1"}]
    path, _ = _line_file(tmp_path, objs, b"\r\n")
    before = os.stat(path)
    data = path.read_bytes()
    calmkit.update_journal(path, lambda j: calmkit.Journal([*j.readings, *j.triggers]))
    after = os.stat(path)
    assert path.read_bytes() == data and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_record_changed_to_another_time_stays_on_its_line(tmp_path: Path) -> None:
    objs = [{"type": "reading", "id": f"r{k}", "time": f"2026-03-02T2{k}:00:00+01:00", "intensity": k,
             "app": "x" * k} for k in range(4)]
    path, lines = _line_file(tmp_path, objs)
    new = {"type": "reading", "id": "r1", "time": "2026-03-05T08:00:00+01:00", "intensity": 9}

    def change(j: calmkit.Journal) -> calmkit.Journal:
        return calmkit.Journal([_record_of(new) if r.id == "r1" else r for r in j.readings])

    calmkit.update_journal(path, change)
    got = path.read_bytes().split(b"\n")
    # The changed line keeps its field calmkit does not know ("app").
    assert got[0] == lines[0] and json.loads(got[1]) == {**new, "app": "x"} and got[2:] == [lines[2], lines[3], b""]


@pytest.mark.parametrize("call", ["update_journal", "append_records"])
def test_max_line_bytes_refuses_a_longer_line_as_read_journal_does(tmp_path: Path, call: str) -> None:
    objs = [{"type": "reading", "id": "r1", "time": "2026-03-02T21:00:00+01:00", "intensity": 1},
            {"type": "reading", "id": "r2", "time": "2026-03-02T22:00:00+01:00", "intensity": 1, "app": "x" * 300}]
    path, _ = _line_file(tmp_path, objs)
    data = path.read_bytes()
    with pytest.raises(calmkit.JournalFormatError, match=r"j\.jsonl:2:.*200") as read:
        calmkit.read_journal(path, max_line_bytes=200)
    new = calmkit.Reading(id="r3", time="2026-03-03T08:00:00+01:00", intensity=2)
    with pytest.raises(calmkit.JournalFormatError) as got:
        if call == "update_journal":
            calmkit.update_journal(path, lambda j: j.add(new), max_line_bytes=200)
        else:
            calmkit.append_records(path, [new], max_line_bytes=200)
    assert str(got.value) == str(read.value)
    assert path.read_bytes() == data
    # The default limit (16 MiB) takes the line.
    calmkit.append_records(path, [new])
    assert path.read_bytes() == data + calmkit.to_json(new).encode() + b"\n"
