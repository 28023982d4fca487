"""Tidy CSV export and import, and the research export."""
from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

import calmkit
from calmkit import exports
from calmkit.exports import (
    CSV_COLUMNS,
    RESEARCH_EMOTIONS,
    export_csv,
    import_csv,
    pseudonym,
    research_export,
    shift_weeks,
    write_research_export,
)
from calmkit.importers import ImportFormatError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def small_journal() -> calmkit.Journal:
    """One of each record type, with text that CSV must quote."""
    j = calmkit.Journal()
    j.add(calmkit.Trigger(
        participant="ana.k@example.org", id="t1", time="2026-03-02T21:14:00+01:00",
        category="delayed_reply", intensity=7, context="No reply since noon,\nstill waiting",
        thoughts=["they're bored of me", "a, b"], sensations=["tight chest"],
        urge="text again", acted_on_urge=True, acted_after_minutes=12.5,
        response="walked around the block", tags=["evening"]))
    j.add(calmkit.Reading(participant="ana.k@example.org", time="2026-03-02T21:44:00+01:00",
                          intensity=5, trigger="t1", note='said "fine" but wasn\'t'))
    j.add(calmkit.ExerciseSession(
        participant="ana.k@example.org", id="x1", time="2026-03-02T21:20:00+01:00",
        end="2026-03-02T21:25:00+01:00", exercise="my walk with Sam", completed=False,
        intensity_before=7, intensity_after=5, trigger="t1", responses=["the lamp", "the rain"]))
    j.add(calmkit.ThoughtRecord(
        participant="ana.k@example.org", id="c1", time="2026-03-02T22:00:00+01:00",
        situation="He went quiet", automatic_thought="He is leaving", belief_before=80,
        emotions=[calmkit.EmotionRating(name="Anxious", before=90, after=40),
                  calmkit.EmotionRating(name="scared Sam will go", before=70)],
        distortions=["mind_reading"], evidence_for=["short reply"],
        evidence_against=["he called yesterday"], alternatives=["busy at work"],
        friend_advice="Give it a day", balanced_thought="Quiet is not gone", belief_after=30,
        trigger="t1"))
    j.add(calmkit.Assessment(
        participant="ana.k@example.org", id="a1", time="2026-03-03T08:30:00-05:00", instrument="gad-7",
        answers=[2, 0, 3, 1, 2, 1, 1], note='before "the talk", with Sam'))
    return j


#: A custom instrument (0-100 sliders: wider than any built-in scale), registered once per process.
SLIDERS = "exports-test-sliders"


def _register_sliders() -> None:
    if SLIDERS not in calmkit.instrument_ids():
        calmkit.register_instrument({"id": SLIDERS, "name": "Sliders", "items": ["worry", "calm"],
                                     "scale_min": 0, "scale_max": 100})


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

@pytest.mark.parametrize("participants,days,seed", [(3, 56, 1), (5, 30, 42)])
def test_csv_round_trip_on_synthetic_cohorts(tmp_path, participants, days, seed):
    journal = calmkit.synthetic_journal(participants=participants, days=days, seed=seed)
    assert len(journal.assessments) > 0  # the generator's self-assessments are in
    paths = export_csv(journal, tmp_path)
    assert sorted(p.name for p in paths.values()) == [
        "assessments.csv", "exercises.csv", "readings.csv", "thought_records.csv", "triggers.csv"]
    assert import_csv(tmp_path) == journal
    with open(paths["assessment"], newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(journal.assessments)  # one row per assessment


def test_csv_round_trip_keeps_text_lists_and_floats(tmp_path):
    journal = small_journal()
    export_csv(journal, tmp_path / "out")
    assert import_csv(tmp_path / "out") == journal
    with open(tmp_path / "out" / "triggers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == [name for name, _ in CSV_COLUMNS["trigger"][1]]
    row = rows[0]
    assert row["time"] == "2026-03-02T21:14:00+01:00"  # the local time and its offset
    assert row["context"] == "No reply since noon,\nstill waiting"
    assert json.loads(row["thoughts"]) == ["they're bored of me", "a, b"]  # a JSON array cell
    assert row["acted_on_urge"] == "true" and row["acted_after_minutes"] == "12.5"
    with open(tmp_path / "out" / "readings.csv", newline="", encoding="utf-8") as f:
        [reading] = list(csv.DictReader(f))
    assert reading["id"] == "" and reading["note"] == 'said "fine" but wasn\'t'
    with open(tmp_path / "out" / "assessments.csv", newline="", encoding="utf-8") as f:
        [a] = list(csv.DictReader(f))
    assert list(a.keys()) == ["participant", "id", "time", "instrument", "answers", "note"]
    assert a["time"] == "2026-03-03T08:30:00-05:00"  # local time and offset, as in the other files
    assert (a["instrument"], a["answers"]) == ("gad-7", "[2, 0, 3, 1, 2, 1, 1]")
    assert a["note"] == 'before "the talk", with Sam'
    # The raw line: the note holds a comma and quotes, so it is quoted with doubled quotes.
    assert (tmp_path / "out" / "assessments.csv").read_text(encoding="utf-8").splitlines()[1] == (
        'ana.k@example.org,a1,2026-03-03T08:30:00-05:00,gad-7,"[2, 0, 3, 1, 2, 1, 1]",'
        '"before ""the talk"", with Sam"')


def test_csv_round_trip_of_assessments_with_a_custom_instrument(tmp_path):
    _register_sliders()
    j = calmkit.Journal([
        calmkit.Assessment(participant="p", id="s1", time="2026-03-02T23:59:59.500000+05:45",
                           instrument=SLIDERS, answers=[100, 0]),
        calmkit.Assessment(participant="p", id="s2", time="2026-03-09T00:00:00Z", instrument=SLIDERS,
                           answers=[37, 64], note="line one\nline two"),
    ])
    export_csv(j, tmp_path)
    back = import_csv(tmp_path)
    assert back == j
    assert [(a.answers, a.note) for a in back.assessments] == [([100, 0], ""), ([37, 64], "line one\nline two")]
    assert back.assessments[0].time.utcoffset() == timedelta(hours=5, minutes=45)


def test_csv_export_without_assessments_file_still_imports(tmp_path):
    # An export written before assessments had a file: four files, no assessments.
    journal = small_journal()
    export_csv(journal, tmp_path)
    (tmp_path / "assessments.csv").unlink()
    back = import_csv(tmp_path)
    assert len(back.assessments) == 0
    assert len(back) == len(journal) - 1 and len(back.triggers) == 1


def test_csv_assessment_answer_errors_name_file_line_and_field(tmp_path):
    export_csv(small_journal(), tmp_path)
    path = tmp_path / "assessments.csv"
    good = path.read_text(encoding="utf-8")
    # Not integers: caught while reading the cell (true is no answer even though Python's bool is an int).
    path.write_text(good.replace('"[2, 0, 3, 1, 2, 1, 1]"', '"[2, true, 3, 1, 2, 1, 1]"'), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"assessments.csv:2: field 'answers': .*\(not a JSON array of integers\)"):
        import_csv(tmp_path)
    # 4 is off the GAD-7 scale (0-3): caught by calmkit's journal reader, reported at the CSV line.
    path.write_text(good.replace('"[2, 0, 3, 1, 2, 1, 1]"', '"[2, 0, 4, 1, 2, 1, 1]"'), encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_csv(tmp_path)
    # The third answer (index 2) is the one named.
    assert e.value.path.endswith("assessments.csv") and e.value.line == 2 and e.value.field == "answers[2]"
    assert "0..3" in str(e.value)
    # Six answers for a seven-item instrument.
    path.write_text(good.replace('"[2, 0, 3, 1, 2, 1, 1]"', '"[2, 0, 3, 1, 2, 1]"'), encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_csv(tmp_path)
    assert e.value.line == 2 and e.value.field == "answers" and "7 items, got 6 answers" in str(e.value)


def test_csv_of_an_empty_journal_has_headers_only(tmp_path):
    export_csv(calmkit.Journal(), tmp_path)
    assert (tmp_path / "readings.csv").read_text() == "participant,id,time,intensity,trigger,note\n"
    assert (tmp_path / "assessments.csv").read_text() == "participant,id,time,instrument,answers,note\n"
    assert len(import_csv(tmp_path)) == 0


def test_import_csv_errors_name_file_line_and_field(tmp_path):
    export_csv(small_journal(), tmp_path)
    path = tmp_path / "readings.csv"
    good = path.read_text(encoding="utf-8")
    # A cell that is not an integer: caught while reading the cell.
    path.write_text(good.replace(",5,t1,", ",high,t1,"), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"readings.csv:2: field 'intensity': 'high' is not a valid int"):
        import_csv(tmp_path)
    # An integer out of range: caught by calmkit's journal reader, reported at the CSV line.
    path.write_text(good.replace(",5,t1,", ",11,t1,"), encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_csv(tmp_path)
    assert e.value.path.endswith("readings.csv") and e.value.line == 2 and e.value.field == "intensity"
    path.unlink()
    with pytest.raises(FileNotFoundError, match="readings.csv"):
        import_csv(tmp_path)


# --------------------------------------------------------------------------
# Research export
# --------------------------------------------------------------------------

def _free_text(journal) -> set[str]:
    out: set[str] = set()
    for t in journal.triggers:
        out |= {t.context, t.urge, t.response, *t.thoughts, *t.sensations, *t.tags}
    for r in journal.readings:
        out.add(r.note)
    for e in journal.exercises:
        out |= set(e.responses)
    for c in journal.thought_records:
        out |= {c.situation, c.automatic_thought, c.friend_advice, c.balanced_thought,
                *c.evidence_for, *c.evidence_against, *c.alternatives}
    for a in journal.assessments:
        out.add(a.note)
    return {s for s in out if s}


def _ids(journal) -> set[str]:
    out = set(journal.participants())
    for table in (journal.triggers, journal.readings, journal.exercises, journal.thought_records,
                  journal.assessments):
        out |= {r.id for r in table if r.id}
    return out


@pytest.mark.parametrize("shift", [False, True])
def test_research_export_has_no_free_text_and_no_original_id(tmp_path, shift):
    journal = calmkit.synthetic_journal(participants=4, days=28, seed=3)
    for r in small_journal().triggers:
        journal.add(r)
    for r in small_journal().readings:
        journal.add(r)
    for r in small_journal().exercises:
        journal.add(r)
    for r in small_journal().thought_records:
        journal.add(r)
    for r in small_journal().assessments:
        journal.add(r)
    texts, ids = _free_text(journal), _ids(journal)
    assert len(texts) > 50 and "ana.k@example.org" in ids
    assert 'before "the talk", with Sam' in texts  # an assessment note is free text too
    path = write_research_export(journal, tmp_path / "study.jsonl", KEY, shift_dates=shift)
    written = path.read_text(encoding="utf-8")
    # A one-word text that is also a kept emotion category ("fear") may appear as that category.
    leaked = [s for s in texts if s in written and s.casefold() not in RESEARCH_EMOTIONS]
    assert leaked == []
    # Ids are compared as whole JSON strings: "t1" may well occur inside a hex pseudonym.
    assert [i for i in ids if json.dumps(i) in written] == []
    # Emotion names outside the fixed list and custom exercise ids are gone too.
    assert "scared Sam will go" not in written and "my walk with Sam" not in written
    exported = calmkit.read_journal(path)
    [c] = [c for c in exported.thought_records if c.participant == pseudonym(KEY, "ana.k@example.org")]
    assert [(e.name, e.before, e.after) for e in c.emotions] == [("anxious", 90, 40), ("other", 70, None)]
    assert c.situation == "" and c.automatic_thought == "" and c.distortions == ["mind_reading"]
    [x] = [x for x in exported.exercises if x.participant == pseudonym(KEY, "ana.k@example.org")]
    assert x.exercise == "custom" and x.responses == [] and x.completed is False
    # The reading and the exercise still point at the trigger, under its pseudonym.
    [t] = [t for t in exported.triggers if t.participant == pseudonym(KEY, "ana.k@example.org")]
    assert x.trigger == t.id and c.trigger == t.id
    # Every assessment is kept (instrument and answers), its note removed.
    assert len(exported.assessments) == len(journal.assessments) > 1
    assert all(a.note == "" for a in exported.assessments)
    [a] = [a for a in exported.assessments if a.participant == pseudonym(KEY, "ana.k@example.org")]
    assert (a.instrument, a.answers) == ("gad-7", [2, 0, 3, 1, 2, 1, 1])


def test_same_key_same_pseudonyms_other_key_others():
    journal = calmkit.synthetic_journal(participants=3, days=14, seed=5)
    a = research_export(journal, KEY)
    b = research_export(journal, KEY)
    c = research_export(journal, OTHER_KEY)
    assert a == b
    assert a.participants() == sorted(pseudonym(KEY, p) for p in journal.participants())
    assert set(a.participants()).isdisjoint(c.participants())
    assert {t.id for t in a.triggers}.isdisjoint({t.id for t in c.triggers})
    # 'r' + 16 hex digits (64 bits of HMAC-SHA256).
    assert all(len(p) == 17 and p[0] == "r" and int(p[1:], 16) >= 0 for p in a.participants())
    with pytest.raises(ValueError, match="at least 16"):
        research_export(journal, b"short")


def test_shift_keeps_durations_one_offset_and_metrics_fields():
    journal = calmkit.synthetic_journal(participants=4, days=56, seed=9)
    plain = research_export(journal, KEY)
    shifted = research_export(journal, KEY, shift_dates=True)
    weeks = {p: shift_weeks(KEY, p) for p in journal.participants()}
    assert all(1 <= abs(w) <= 52 for w in weeks.values())
    assert len(set(weeks.values())) > 1  # per participant, not one shift for all
    for p, w in weeks.items():
        q = pseudonym(KEY, p)
        before = [t for t in plain.triggers if t.participant == q]
        after = [t for t in shifted.triggers if t.participant == q]
        assert len(before) == len(after) > 0
        kept = {t.time.utcoffset() for t in after}
        assert len(kept) == 1  # one offset per participant: no DST change to date the shift by
        for t0, t1 in zip(before, after):
            assert t1.time - t0.time == timedelta(weeks=w)
            if t0.time.utcoffset() == t1.time.utcoffset():  # recorded with the kept offset: same local clock
                assert t1.time.weekday() == t0.time.weekday()
                assert (t1.time.hour, t1.time.minute, t1.time.second) == (
                    t0.time.hour, t0.time.minute, t0.time.second)
            else:  # the other side of a DST change: the local clock moved by the difference
                assert (t1.time.replace(tzinfo=None) - t0.time.replace(tzinfo=None) - timedelta(weeks=w)
                        == t1.time.utcoffset() - t0.time.utcoffset())
            assert (t1.category, t1.intensity, t1.acted_on_urge, t1.acted_after_minutes) == (
                t0.category, t0.intensity, t0.acted_on_urge, t0.acted_after_minutes)
        # Times relative within a participant are unchanged: the gaps are equal.
        gaps0 = [b.time - a.time for a, b in zip(before, before[1:])]
        gaps1 = [b.time - a.time for a, b in zip(after, after[1:])]
        assert gaps0 == gaps1
        ex0 = [e for e in plain.exercises if e.participant == q]
        ex1 = [e for e in shifted.exercises if e.participant == q]
        assert [(e.end - e.time, e.exercise, e.intensity_before, e.intensity_after) for e in ex0] == [
            (e.end - e.time, e.exercise, e.intensity_before, e.intensity_after) for e in ex1]
    # Intensities and categories match the original journal record for record.
    assert [(t.category, t.intensity) for t in plain.triggers] != []
    orig = sorted((t.category, t.intensity, t.time) for t in journal.triggers)
    mine = sorted((t.category, t.intensity, t.time) for t in plain.triggers)
    assert orig == mine  # without a shift the times are the originals too
    assert sorted(r.intensity for r in journal.readings) == sorted(r.intensity for r in shifted.readings)


def test_shift_is_derived_from_the_key():
    # Same key: same shift; the shift depends on the participant and the key.
    assert shift_weeks(KEY, "p001") == shift_weeks(KEY, "p001")
    shifts = {shift_weeks(KEY, f"p{i:03d}") for i in range(200)}
    assert 0 not in shifts and min(shifts) >= -52 and max(shifts) <= 52
    assert len(shifts) > 50  # spread over the range, not a constant
    assert [shift_weeks(KEY, f"p{i:03d}") for i in range(20)] != [
        shift_weeks(OTHER_KEY, f"p{i:03d}") for i in range(20)]


def test_research_export_of_a_fixed_example():
    # Hand check of the pseudonym function against hmac directly.
    import hashlib
    import hmac
    expected = "r" + hmac.new(KEY, b"participant\x00ana.k@example.org", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(KEY, "ana.k@example.org") == expected
    exported = research_export(small_journal(), KEY, shift_dates=True)
    [t] = list(exported.triggers)
    w = shift_weeks(KEY, "ana.k@example.org")
    assert t.time == datetime(2026, 3, 2, 21, 14, tzinfo=timezone(timedelta(hours=1))) + timedelta(weeks=w)
    assert (t.context, t.thoughts, t.sensations, t.urge, t.response, t.tags) == ("", [], [], "", "", [])
    assert (t.acted_on_urge, t.acted_after_minutes, t.intensity) == (True, 12.5, 7)
    # The assessment: same pseudonymous participant, id "a" + 16 hex digits of
    # HMAC(key, "record" NUL "assessment" NUL participant NUL "a1"), time moved by
    # the same w weeks and written with the participant's most common offset
    # (+01:00, not its own -05:00: one offset per participant), answers kept, note gone.
    [a] = list(exported.assessments)
    assert a.participant == expected
    assert a.id == "a" + hmac.new(KEY, b"record\x00assessment\x00ana.k@example.org\x00a1",
                                  hashlib.sha256).hexdigest()[:16]
    assert a.time == datetime(2026, 3, 3, 8, 30, tzinfo=timezone(timedelta(hours=-5))) + timedelta(weeks=w)
    assert a.time.utcoffset() == t.time.utcoffset() == timedelta(hours=1)
    assert exports.shift_offsets(exports._journal_records(small_journal())) == {"ana.k@example.org": 60}
    assert (a.instrument, a.answers, a.note) == ("gad-7", [2, 0, 3, 1, 2, 1, 1], "")


def test_research_export_shifts_assessments_with_their_participant():
    # Synthetic cohorts carry about one check-in and one GAD-7 every 14 days.
    journal = calmkit.synthetic_journal(participants=3, days=56, seed=11)
    assert len(journal.assessments) > 0
    shifted = research_export(journal, KEY, shift_dates=True)
    offsets = exports.shift_offsets(exports._journal_records(journal))
    for p in journal.participants():
        w, q = shift_weeks(KEY, p), pseudonym(KEY, p)
        before = [a for a in journal.assessments if a.participant == p]
        after = sorted((a for a in shifted.assessments if a.participant == q), key=lambda a: a.time)
        assert len(before) == len(after) > 0
        for a0, a1 in zip(before, after):
            assert a1.time - a0.time == timedelta(weeks=w)
            # Written with the participant's one offset, the most common of all their records.
            assert a1.time.utcoffset() == timedelta(minutes=offsets[p])
            assert (a1.instrument, a1.answers) == (a0.instrument, a0.answers)
            assert a1.id != a0.id and a1.id.startswith("a")


def test_csv_round_trip_keeps_notes_with_carriage_returns_and_unicode_line_separators(tmp_path):
    # A note may hold any text. "\r" alone must be quoted in the CSV, or the reader
    # takes it for the end of the row: "\r" was read back as no note and "a\rb" as a
    # broken row. U+2028, U+0085 and U+001E are line breaks to str.splitlines()
    # but plain characters inside JSON Lines text, where only "\n" ends a record.
    notes = ["\r", "a\rb", "end\r", "x\u2028y", "\x85", "rs\x1eus\x1f"]
    j = calmkit.Journal([
        calmkit.Assessment(participant="", id=f"a{k}", time=f"2026-03-0{k + 1}T21:00:00+01:00",
                           instrument="gad-7", answers=[1, 0, 0, 0, 0, 0, 0], note=note)
        for k, note in enumerate(notes)])
    j.add(calmkit.Reading(participant="", time="2026-03-02T22:00:00+01:00", intensity=3, note="r\u2028s\r"))
    export_csv(j, tmp_path)
    back = import_csv(tmp_path)
    assert [a.note for a in back.assessments] == notes
    assert back.readings[0].note == "r\u2028s\r"
    assert back == j
    # Other cells are written as before: unquoted unless they need it. A note that
    # starts with "\r" gets the apostrophe of the formula rule (FORMULA_START).
    assert (tmp_path / "assessments.csv").read_bytes().decode("utf-8").split("\n")[1] == (
        ',a0,2026-03-01T21:00:00+01:00,gad-7,"[1, 0, 0, 0, 0, 0, 0]","\'\r"')


def test_research_export_of_notes_with_unicode_line_separators():
    # The research export went through str.splitlines() too, and stopped with a
    # JSONDecodeError (no file, line or field) on a note holding U+2028. The note
    # goes; the assessment, its answers and the reading stay.
    j = calmkit.Journal([calmkit.Assessment(participant="ana", id="a1", time="2026-03-02T21:00:00+01:00",
                                            instrument="gad-7", answers=[3, 0, 0, 0, 0, 0, 1],
                                            note="before the talk\u2028with Sam")])
    j.add(calmkit.Reading(participant="ana", time="2026-03-02T22:00:00+01:00", intensity=4, note="\x85"))
    out = research_export(j, KEY)
    assert [(a.answers, a.note) for a in out.assessments] == [([3, 0, 0, 0, 0, 0, 1], "")]
    assert [(r.intensity, r.note) for r in out.readings] == [(4, "")]
