"""The research export against what docs/privacy.md promises, checked from the
written file with the standard library (json, hmac) rather than calmkit.

- pseudonyms: ``"r"`` + the first 16 hex digits of HMAC-SHA256(key,
  ``"participant" NUL id``); record ids the type's first letter + 16 hex digits
  of HMAC-SHA256(key, ``"record" NUL type NUL participant NUL id``), a trigger
  and every reference to it the same;
- a shift of whole weeks, 1 to 52 forwards or backwards, the same for every time
  of a participant, each time written with the participant's most common
  offset (a tie: the smaller), the instants moved by exactly the shift;
- nothing else of a record leaves: no free text, the header without dates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import calmkit

pytest.importorskip("pyarrow")  # the export builds its journal through the Arrow bridge

KEY = bytes(range(32))
MARK = "SECRET-TEXT-"

ZONES = {"ana": ["-05:00", "-04:00", "-04:00"], "ben": ["+01:00", "+02:00"], "cho": ["+09:00"]}


def _lines(tmp_path: Path) -> list[dict]:
    out = []
    n = 0
    for p, offsets in ZONES.items():
        for k in range(12):
            off = offsets[k % len(offsets)]
            day = f"2026-03-{2 + k:02d}"
            tid = f"{p}-t{k}"
            out.append({"type": "trigger", "participant": p, "id": tid, "time": f"{day}T21:{k:02d}:07{off}",
                        "category": "delayed_reply", "intensity": 7, "context": MARK + f"{n}a",
                        "thoughts": [MARK + f"{n}b"], "urge": MARK + f"{n}c", "acted_on_urge": True,
                        "acted_after_minutes": 12, "tags": [MARK + f"{n}d"]})
            out.append({"type": "reading", "participant": p, "time": f"{day}T22:{k:02d}:00.25{off}",
                        "intensity": 2, "trigger": tid, "note": MARK + f"{n}e"})
            out.append({"type": "exercise", "participant": p, "id": f"{p}-e{k}", "time": f"{day}T21:30:00{off}",
                        "end": f"{day}T21:35:30{off}", "exercise": "breathing.4-7-8", "trigger": tid,
                        "responses": [MARK + f"{n}f"]})
            n += 1
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return out


def _mac(*parts: str) -> str:
    return hmac.new(KEY, "\x00".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("research")
    records = _lines(tmp)
    journal = calmkit.read_journal(tmp / "journal.jsonl")
    files = {}
    for shift in (False, True):
        path = tmp / f"study-{shift}.jsonl"
        calmkit.write_research_export(journal, path, KEY, shift_dates=shift)
        files[shift] = path.read_bytes()
    return records, files


def test_no_free_text_and_no_date_in_the_header(exported) -> None:
    records, files = exported
    for data in files.values():
        assert MARK.encode() not in data
        first = data.splitlines()[0].decode("utf-8")
        assert json.loads(first)["type"] == "header"
        assert re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", first) is None, first


def test_pseudonyms_are_the_documented_hmacs(exported) -> None:
    records, files = exported
    for data in files.values():
        out = [json.loads(line) for line in data.splitlines()[1:]]
        assert {r["participant"] for r in out} == {"r" + _mac("participant", p) for p in ZONES}
        back = {"r" + _mac("participant", p): p for p in ZONES}
        triggers = {r["id"] for r in out if r["type"] == "trigger"}
        for r in out:
            p = back[r["participant"]]
            if r["type"] == "trigger":
                assert r["id"] in {"t" + _mac("record", "trigger", p, f"{p}-t{k}") for k in range(12)}
            if r["type"] == "exercise":
                assert r["id"] in {"e" + _mac("record", "exercise", p, f"{p}-e{k}") for k in range(12)}
            if "trigger" in r:
                assert r["trigger"] in triggers


def test_a_shift_is_whole_weeks_and_one_offset_per_participant(exported) -> None:
    records, files = exported
    plain = [json.loads(line) for line in files[False].splitlines()[1:]]
    shifted = [json.loads(line) for line in files[True].splitlines()[1:]]
    key = lambda r: (r["participant"], r["type"], r.get("id", ""), r.get("trigger", ""))  # noqa: E731
    plain.sort(key=key)
    shifted.sort(key=key)
    assert [key(r) for r in plain] == [key(r) for r in shifted]
    by_participant: dict[str, set] = {}
    offsets: dict[str, Counter] = {}
    for a, b in zip(plain, shifted):
        for name in ("time", "end"):
            if name in a:
                moved = _instant(b[name]) - _instant(a[name])
                by_participant.setdefault(a["participant"], set()).add(moved)
                offsets.setdefault(a["participant"], Counter())[b[name][-6:]] += 1
    for p, moves in by_participant.items():
        (move,) = moves  # one shift per participant
        weeks = move / timedelta(weeks=1)
        assert weeks == int(weeks) and 1 <= abs(weeks) <= 52
        assert len(offsets[p]) == 1  # one offset for every time
    # The offset kept is the participant's most common one (ana: -04:00; ben: a tie, the smaller +01:00).
    kept = {r["participant"]: r["time"][-6:] for r in shifted}
    expected = {"ana": "-04:00", "ben": "+01:00", "cho": "+09:00"}
    assert kept == {"r" + _mac("participant", p): o for p, o in expected.items()}


@pytest.mark.parametrize("journal", ["journal.jsonl", None])
def test_research_export_of_something_that_is_not_a_journal(journal) -> None:
    with pytest.raises((TypeError, ValueError), match="Journal"):
        calmkit.research_export(journal, KEY)
