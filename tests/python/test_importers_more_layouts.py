"""More real layouts, and how the importers hand their records to the model.

The fixtures are rebuilt from public facts named in
tests/data/importers/README.md (no file is copied from anyone's export); the
records expected are worked out by hand from docs/importing.md, with the
reasoning next to each value.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit.importers import ImportFormatError, detect_format, import_daylio, import_mindlamp

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
LAMP = DATA / "mindlamp"


def tz(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calmkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


# --------------------------------------------------------------------------
# The hand-off: record objects, no JSON text
# --------------------------------------------------------------------------

def test_importers_hand_records_over_without_json_text(monkeypatch):
    # The JSON Lines reader and the JSON module are not on the importers' path:
    # with both made unusable, every app still imports.
    def refuse(*a, **k):
        raise AssertionError("the importers must not go through JSON text")

    monkeypatch.setattr(calmkit, "parse_journal", refuse)
    monkeypatch.setattr(calmkit, "parse_journal_with_report", refuse)
    monkeypatch.setattr(calmkit._core, "parse_journal", refuse)
    monkeypatch.setattr(calmkit._core, "parse_journal_with_report", refuse)
    import calmkit.importers._common as common

    assert not hasattr(common, "json")
    journal, _ = import_daylio(DATA / "daylio" / "full_date_layout.csv", utc_offset=60)
    assert len(journal.readings) > 0
    journal, _ = calmkit.import_apple_health(DATA / "apple_health" / "ios16_export.xml")
    assert len(journal.exercises) == 1
    acts = json.loads((LAMP / "api_activities.json").read_text())["data"]
    journal, _ = import_mindlamp(LAMP / "api_response.json", tz="Europe/Berlin", activities=acts)
    assert len(journal.exercises) == 2


def test_the_hand_off_keeps_line_field_and_lenient_skips(tmp_path):
    # Two rows the model refuses after they were read: a year before 1400 (the
    # journal's first year) and a duplicate mindful-session id cannot happen,
    # so the year it is; strict names line and field, lenient skips and goes on.
    f = tmp_path / "d.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "2026-03-02,x,x,10:00,good,,,first\n"
                 "1399-12-31,x,x,10:00,good,,,too early for a journal\n"
                 "2026-03-03,x,x,10:00,bad,,,third\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_daylio(f, utc_offset=0)
    assert (e.value.line, e.value.field) == (3, "full_date")
    journal, report = import_daylio(f, utc_offset=0, lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(3, "full_date")]
    assert [r.intensity for r in journal.readings] == [3, 7]


def test_build_journal_names_the_field_the_model_refuses():
    from calmkit.importers._common import Source, build_journal

    t = datetime(2026, 3, 2, 21, 0, tzinfo=tz(60))
    records = [{"type": "reading", "participant": "", "time": t, "intensity": 4, "note": "ok"},
               {"type": "reading", "participant": "", "time": t, "intensity": 11, "note": "too strong"},
               {"type": "exercise", "participant": "", "id": "e1", "time": t, "end": t - timedelta(minutes=1),
                "exercise": "breathing.box"},
               {"type": "reading", "participant": "", "time": datetime(1300, 1, 1, tzinfo=tz(0)),
                "intensity": 2}]
    where = [Source(line=n) for n in (2, 3, 4, 5)]
    with pytest.raises(ImportFormatError) as e:
        build_journal(records, "x.csv", sources=where)
    assert (e.value.line, e.value.field) == (3, "intensity")
    report = calmkit.importers.ImportReport(source="x.csv", format="test")
    journal = build_journal(records, "x.csv", sources=where, report=report, lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(3, "intensity"), (4, "end"), (5, "time")]
    assert report.skipped[2].reason == "year must be 1400..9999"  # the journal reader's words
    assert [r.note for r in journal.readings] == ["ok"]


# --------------------------------------------------------------------------
# mindLAMP: the LAMP API's own answers
# --------------------------------------------------------------------------

def _lamp_activities():
    return json.loads((LAMP / "api_activities.json").read_text())["data"]


def test_mindlamp_api_response_with_activities_from_the_api():
    # LAMP.ActivityEvent.all_by_participant answers {"data": [...]}, newest first,
    # events naming only their activity id; the spec comes from the study's
    # Activity objects (LAMP.Activity.all_by_participant, also {"data": [...]}).
    journal, report = import_mindlamp(LAMP / "api_response.json", tz="Europe/Berlin",
                                      activities=_lamp_activities())
    assert report.layout == 'LAMP API response {"data": [...]}'
    # Two breathe sessions start in the same second (1772744400000 ms = 2026-03-05
    # 21:00 UTC = 22:00 in Berlin, UTC+1 in March): the shorter (120 s) takes the
    # plain id, the longer (300 s) -2, by their durations, not by file order.
    assert [(e.id, e.time, e.end) for e in journal.exercises] == [
        ("lamp-breathe-20260305T210000Z", datetime(2026, 3, 5, 22, 0, tzinfo=tz(60)),
         datetime(2026, 3, 5, 22, 2, tzinfo=tz(60))),
        ("lamp-breathe-20260305T210000Z-2", datetime(2026, 3, 5, 22, 0, tzinfo=tz(60)),
         datetime(2026, 3, 5, 22, 5, tzinfo=tz(60))),
    ]
    # DBT card: distress emotions Sadness 2 and Fear/Worry 4 -> max 4 -> 8; Joy is not distress.
    # Journal: sentiment "bad" -> 7.
    assert [(r.time, r.intensity, r.note) for r in journal.readings] == [
        (datetime(2026, 3, 4, 22, 0, tzinfo=tz(60)), 8,
         "mindlamp DBT diary card\nemotions: Sadness 2/5, Fear/Worry 4/5, Joy 1/5\n"
         "urges: Self-Harm (ineffective) 1/5, acted 0\nskills: Wise mind (Mindfulness)\n"
         "other: effort: 2; used skills today: yes; skills helped: yes; urge to quit therapy: 0; "
         "urge to die by suicide: 0"),
        (datetime(2026, 3, 5, 10, 0, tzinfo=tz(60)), 7, "mindlamp journal (bad)\nWaited all afternoon for a reply."),
    ]
    # Every one of the 8 events accounted for: 4 mapped, 4 skipped with a reason.
    assert report.rows == 8
    assert sum(report.mapped.values()) == 4
    assert [(s.item, s.field) for s in report.skipped] == [(4, "activity"), (5, "activity"), (6, "activity"),
                                                           (7, "activity")]
    assert [s.reason.split(" ")[0] for s in report.skipped[:3]] == ["lamp.survey", "lamp.tips", "lamp.jewels_a"]
    assert "'actGONE' is in no activities list given" in report.skipped[3].reason
    assert report.unmapped == []


def test_mindlamp_breathe_ids_do_not_depend_on_the_order_of_events(tmp_path):
    data = json.loads((LAMP / "api_response.json").read_text())
    shuffled = tmp_path / "reversed.json"
    shuffled.write_text(json.dumps({"data": data["data"][::-1]}))
    a, _ = import_mindlamp(LAMP / "api_response.json", tz="Europe/Berlin", activities=_lamp_activities())
    b, _ = import_mindlamp(shuffled, tz="Europe/Berlin", activities=_lamp_activities())
    assert a == b


def test_mindlamp_one_activity_id_with_two_specs_is_an_error_naming_it(tmp_path):
    f = tmp_path / "e.json"
    f.write_text(json.dumps({"activities": [{"id": "a1", "spec": "lamp.breathe"},
                                            {"id": "a1", "spec": "lamp.journal"}],
                             "events": [{"timestamp": 1772744400000, "activity": "a1", "duration": 1000}]}))
    with pytest.raises(ImportFormatError) as e:
        import_mindlamp(f, utc_offset=0)
    assert e.value.field == "activities" and e.value.value == "a1"
    assert "'lamp.breathe' and 'lamp.journal'" in str(e.value)
    # The same id twice with the same spec is harmless.
    f.write_text(json.dumps({"activities": [{"id": "a1", "spec": "lamp.breathe"}, {"id": "a1", "spec": "lamp.breathe"}],
                             "events": [{"timestamp": 1772744400000, "activity": "a1", "duration": 1000}]}))
    journal, _ = import_mindlamp(f, utc_offset=0)
    assert len(journal.exercises) == 1
    with pytest.raises(ImportFormatError, match="activities= gives activity id 'x'"):
        import_mindlamp(f, utc_offset=0, activities=[{"id": "x", "spec": "lamp.breathe"},
                                                     {"id": "x", "spec": "lamp.tips"}])


def test_mindlamp_sensor_events_are_accounted_for():
    # SensorEvent, as LAMP.SensorEvent.all_by_participant answers it
    # (LAMP-platform docs, "Data Types"): every event skipped with its reason.
    journal, report = import_mindlamp(LAMP / "sensor_events.json", utc_offset=60)
    assert len(journal) == 0 and report.rows == 3
    assert [(s.item, s.field) for s in report.skipped] == [(0, "sensor"), (1, "sensor"), (2, "sensor")]
    assert report.skipped[0].reason.startswith("a SensorEvent (lamp.gps), not an activity")


def test_mindlamp_activity_objects_or_an_api_error_are_refused_clearly(tmp_path):
    with pytest.raises(ImportFormatError, match="6 Activity objects .* pass it as activities="):
        import_mindlamp(LAMP / "api_activities.json", utc_offset=0)
    f = tmp_path / "err.json"
    f.write_text('{"error": "403.security-context-out-of-scope"}')
    with pytest.raises(ImportFormatError, match="error answer of the LAMP API"):
        import_mindlamp(f, utc_offset=0)


def test_mindlamp_cortex_activity_name_gives_the_spec(tmp_path):
    # LAMP-cortex's raw activity features add 'activity_name': 'lamp.jewels_a' to each event.
    f = tmp_path / "cortex.json"
    f.write_text(json.dumps([{"timestamp": 1772744400000, "duration": 60000, "activity": "zz9",
                              "activity_name": "lamp.breathe", "static_data": {}, "temporal_slices": []}]))
    journal, report = import_mindlamp(f, utc_offset=0)
    assert [e.end - e.time for e in journal.exercises] == [timedelta(minutes=1)] and not report.skipped


def test_cli_imports_lamp_api_answers_with_their_activities(tmp_path):
    out = tmp_path / "p.jsonl"
    r = cli("import", "mindlamp", str(LAMP / "api_response.json"), "-o", str(out), "--tz", "Europe/Berlin",
            "--activities", str(LAMP / "api_activities.json"), cwd=tmp_path)
    # Skipped activities (survey, tips, jewels, unknown id) make the exit status 1, the journal is written.
    assert r.returncode == 1, r.stderr
    assert "mapped        2  breathe" in r.stdout and "lamp.survey is not an activity" in r.stdout
    assert len(calmkit.read_journal(out)) == 4
    assert detect_format(LAMP / "api_response.json") == "mindlamp"
    r = cli("import", "daylio", str(DATA / "daylio" / "full_date_layout.csv"), "-o", str(tmp_path / "d.jsonl"),
            "--tz", "UTC", "--activities", str(LAMP / "api_activities.json"), cwd=tmp_path)
    assert r.returncode == 2 and "--activities is for mindlamp exports only" in r.stderr


# --------------------------------------------------------------------------
# B14: adjusted values are listed, not only counted
# --------------------------------------------------------------------------

def test_adjusted_values_are_listed_in_the_summary_and_by_the_cli(tmp_path):
    # 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00); 2026-10-25 02:30 happens twice.
    f = tmp_path / "dst.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "2026-10-25,x,x,02:30,good,,,\n"
                 "2026-03-29,x,x,02:30,bad,,,\n", encoding="utf-8")
    _, report = import_daylio(f, tz="Europe/Berlin")
    text = report.summary()
    assert "adjusted      2  values read differently from how they were written:" in text
    assert f"{f}:2: field 'time': " in text and f"{f}:3: field 'time': " in text
    assert [a.line for a in report.adjusted] == [2, 3]
    r = cli("import", "daylio", str(f), "-o", str(tmp_path / "o.jsonl"), "--tz", "Europe/Berlin", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"dst.csv:3: field 'time': {report.adjusted[1].detail}" in r.stdout
