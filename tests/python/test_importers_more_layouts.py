"""More real layouts, and how the importers hand their records to the model.

The fixtures are rebuilt from public facts named in
tests/data/importers/README.md (no file is copied from anyone's export); the
records expected are worked out by hand from docs/importing.md, with the
reasoning next to each value.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
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
    # The model's words for a datetime's year (time.hpp year_out_of_range), as the record classes say them.
    assert report.skipped[2].reason == "year must be 1400..9999, got 1300"
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
    with pytest.raises(ValueError, match="activities=: activity id 'x' is given two specs") as caught:
        import_mindlamp(f, utc_offset=0, activities=[{"id": "x", "spec": "lamp.breathe"},
                                                     {"id": "x", "spec": "lamp.tips"}])
    # The argument is to blame, not the file: a plain ValueError, as for other arguments.
    assert not isinstance(caught.value, ImportFormatError)


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
# mindLAMP: how a breathe visit ended, as the LAMP app writes it
# (LAMP-activities Breathe/src/components/Breathe.tsx: Done posts the answer to
# "Was this helpful today?" as static_data.sentiment, since 2025 with done:
# true; the back arrow posts clickBack: true, before 2025 no marker at all; a
# group's forward arrow posts forward: true; one July 2025 release sent done:
# true with the back arrow)
# --------------------------------------------------------------------------

T0 = 1772482440000  # 2026-03-02T20:14:00Z


def _events_file(tmp_path, events):
    f = tmp_path / "events.json"
    f.write_text(json.dumps(events), encoding="utf-8")
    return f


def _breathe(**fields):
    return {"timestamp": T0, "duration": 185000, "temporal_slices": [], "spec": "lamp.breathe", **fields}


def test_mindlamp_breathe_completed_only_when_the_last_screen_was_answered(tmp_path):
    events = [_breathe(static_data={"sentiment": "No"}, done=True),   # Done (2025)
              _breathe(static_data={"sentiment": "Yes"}),             # Done (2021-2025)
              _breathe(forward=False, clickBack=True),                # back arrow (2025)
              _breathe(static_data={}),                               # back arrow (2021-2025)
              _breathe(forward=True),                                 # a group's forward arrow
              _breathe(done=True)]                                    # back arrow, July 2025
    for n, ev in enumerate(events):
        ev["timestamp"] += 60_000 * n
    journal, report = import_mindlamp(_events_file(tmp_path, events), utc_offset=0)
    sessions = sorted(journal.exercises, key=lambda s: s.time)
    assert [s.completed for s in sessions] == [True, True, False, False, False, False]
    assert [list(s.responses) for s in sessions] == [["Was this helpful today? No"],
                                                      ["Was this helpful today? Yes"], [], [], [], []]
    assert report.mapped == {"breathe → exercise breathing.coherent": 2,
                             "breathe → exercise breathing.coherent (not completed: left before Done)": 4}
    assert report.kept == {"breathe answer to 'Was this helpful today?' (static_data.sentiment) "
                           "→ session responses": 2}
    assert "Was this helpful today?" in report.summary()


def test_mindlamp_breathe_static_data_without_a_place_is_counted_and_bad_markers_are_errors(tmp_path):
    journal, report = import_mindlamp(_events_file(tmp_path, [
        _breathe(static_data={"sentiment": "Yes", "is_favorite": True}, done=True)]), utc_offset=0)
    assert report.ignored == {"breathe static_data.is_favorite (no place in an exercise session)": 1}
    for bad, field in (({"clickBack": "yes"}, "clickBack"), ({"done": 1}, "done"), ({"forward": "no"}, "forward"),
                       ({"static_data": {"sentiment": 1}}, "static_data.sentiment"),
                       ({"static_data": ["Yes"]}, "static_data")):
        with pytest.raises(ImportFormatError) as e:
            import_mindlamp(_events_file(tmp_path, [_breathe(**bad)]), utc_offset=0)
        assert (e.value.item, e.value.field) == (0, field)
    # Lenient: the refused event counts nothing it had counted before its error.
    journal, report = import_mindlamp(_events_file(tmp_path, [
        _breathe(static_data={"sentiment": "Yes", "is_favorite": True}, clickBack="yes")]),
        utc_offset=0, lenient=True)
    assert len(journal) == 0 and len(report.skipped) == 1
    assert not report.mapped and not report.kept and not report.ignored


def test_mindlamp_counts_of_a_record_the_journal_refuses_are_taken_back(tmp_path):
    # Item 1 ends before it starts: the model refuses it, so its session, its
    # kept answer and its ignored static_data key are not counted; item 0's are.
    events = [_breathe(static_data={"sentiment": "Yes", "is_favorite": False}, done=True),
              {**_breathe(static_data={"sentiment": "No", "is_favorite": True}, done=True),
               "timestamp": T0 + 60_000, "duration": -5}]
    journal, report = import_mindlamp(_events_file(tmp_path, events), utc_offset=0, lenient=True)
    assert len(journal) == 1 and [s.item for s in report.skipped] == [1]
    assert sum(report.mapped.values()) + len(report.skipped) == report.rows == 2
    assert list(report.kept.values()) == [1] and list(report.ignored.values()) == [1]


def test_apple_health_kept_and_ignored_of_a_refused_session_are_taken_back(tmp_path):
    # Two Headspace sessions, the second in the year 1300 (the model keeps
    # 1400..9999): one session, one sourceName counted, as the journal holds.
    f = tmp_path / "export.xml"
    session = ('<Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Headspace" '
               'startDate="{y}-03-02 19:21:15 +0100" endDate="{y}-03-02 19:32:46 +0100"/>')
    f.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n' +
                 session.format(y=2026) + "\n" + session.format(y=1300) + "\n</HealthData>\n", encoding="utf-8")
    journal, report = calmkit.import_apple_health(f, lenient=True)
    assert len(journal) == 1 and [s.line for s in report.skipped] == [4]
    assert report.mapped == {"mindful session → exercise mindfulness.breath": 1}
    assert report.ignored == {"sourceName of mindful sessions (exercise sessions have no text field)": 1}
    journal, report = calmkit.import_apple_health(f, lenient=True, exercise_by_source={"Headspace": "breathing.box"})
    assert report.kept == {"sourceName → exercise id": 1}


# --------------------------------------------------------------------------
# mindLAMP: activities= and --activities are read by one function
# --------------------------------------------------------------------------

@pytest.mark.parametrize("activities, words", [
    ({"data": [{"id": "a1", "spec": "lamp.breathe"}]}, None),                 # the API's answer: read
    ([{"id": "a1", "spec": "lamp.breathe", "settings": {}}], None),
    ({"a1": "lamp.breathe"}, None),
    ({"error": "404.object-not-found"}, "error answer of the LAMP API"),
    ({"a1": ""}, "the spec is an empty text"),
    ([{"id": "a1"}], "item 0 is not an Activity object"),
    ([{"id": 7, "spec": "lamp.breathe"}], "item 0: 'id' '7' is not an activity id"),
    ({7: "lamp.breathe"}, "activity id 7 is a int, not text"),
    ("activities.json", "a file name? read it with json.load first"),
    (5, "a int; expected a mapping"),
])
def test_mindlamp_activities_argument_is_read_or_refused_naming_it(tmp_path, activities, words):
    events = _events_file(tmp_path, [{"timestamp": T0, "duration": 1000, "activity": "a1"}])
    if words is None:
        journal, _ = import_mindlamp(events, utc_offset=0, activities=activities)
        assert len(journal.exercises) == 1
        return
    with pytest.raises(ValueError) as e:
        import_mindlamp(events, utc_offset=0, activities=activities)
    assert not isinstance(e.value, ImportFormatError)
    assert str(e.value).startswith("activities=: ") and words in str(e.value)


def test_mindlamp_activities_argument_is_checked_before_the_file_is_opened(tmp_path):
    with pytest.raises(ValueError, match="activities=: activity id 'a1': the spec is null"):
        import_mindlamp(tmp_path / "no-such-file.json", utc_offset=0, activities={"a1": None})


def test_mindlamp_the_files_own_activities_list_is_read_by_the_same_rules(tmp_path):
    f = tmp_path / "e.json"
    f.write_text(json.dumps({"activities": [{"id": "a1", "spec": None}],
                             "events": [{"timestamp": T0, "activity": "a1", "duration": 1000}]}))
    with pytest.raises(ImportFormatError) as e:
        import_mindlamp(f, utc_offset=0)
    assert e.value.field == "activities" and e.value.value == "a1"
    assert "the spec is null (NoneType), not an activity spec" in e.value.reason


def test_cli_activities_file_is_read_by_the_same_rules(tmp_path):
    events = _events_file(tmp_path, [{"timestamp": T0, "duration": 1000, "activity": "a1"}])
    acts = tmp_path / "activities.json"
    acts.write_text(json.dumps({"data": [{"id": "a1", "spec": ["lamp.breathe"]}]}))
    r = cli("import", "mindlamp", str(events), "-o", str(tmp_path / "o.jsonl"), "--utc-offset", "0",
            "--activities", str(acts), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert f"--activities {acts}: item 0 (activity id 'a1'): the spec is" in r.stderr


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


# --------------------------------------------------------------------------
# Apple Health: an older export, localized zips, files that are not export.xml
# --------------------------------------------------------------------------

IOS15 = DATA / "apple_health" / "ios15_mindful_sessions.xml"


def _check_ios15(journal, report):
    # Five mindful sessions with the attributes real exports carry (device
    # text, value HKCategoryValueNotApplicable or none or 1, HKTimeZone
    # metadata); offsets kept as written. The watch's and the phone's sessions
    # start in the same second: the one ending first takes the plain id.
    assert [(e.id, e.time, e.end, e.exercise) for e in journal.exercises] == [
        ("apple-mindful-20260302T182115Z", datetime(2026, 3, 2, 19, 21, 15, tzinfo=tz(60)),
         datetime(2026, 3, 2, 19, 32, 46, tzinfo=tz(60)), "mindfulness.breath"),
        ("apple-mindful-20260303T204000Z", datetime(2026, 3, 3, 21, 40, tzinfo=tz(60)),
         datetime(2026, 3, 3, 21, 41, tzinfo=tz(60)), "mindfulness.breath"),
        ("apple-mindful-20260303T204000Z-2", datetime(2026, 3, 3, 21, 40, tzinfo=tz(60)),
         datetime(2026, 3, 3, 21, 43, 30, tzinfo=tz(60)), "mindfulness.breath"),
        ("apple-mindful-20260306T120000Z", datetime(2026, 3, 6, 7, 0, tzinfo=tz(-300)),
         datetime(2026, 3, 6, 7, 10, tzinfo=tz(-300)), "mindfulness.breath"),
        # A zero-length session (start = end) is kept as it is.
        ("apple-mindful-20260307T110000Z", datetime(2026, 3, 7, 12, 0, tzinfo=tz(60)),
         datetime(2026, 3, 7, 12, 0, tzinfo=tz(60)), "mindfulness.breath"),
    ]
    assert len(journal.readings) == 0
    # 7 <Record>s; every top-level element accounted for.
    assert report.rows == 7
    assert report.mapped == {"mindful session → exercise mindfulness.breath": 5}
    assert report.ignored == {
        "HKQuantityTypeIdentifierHeartRate": 1, "HKCategoryTypeIdentifierSleepAnalysis": 1,
        "<Workout>": 1, "<ActivitySummary>": 1, "<ClinicalRecord>": 1, "<Audiogram>": 1,
        "sourceName of mindful sessions (exercise sessions have no text field)": 5}
    assert report.skipped == [] and report.unmapped == []


def test_apple_health_older_export_with_device_text_and_same_second_sessions():
    _check_ios15(*calmkit.import_apple_health(IOS15))
    assert detect_format(IOS15) == "apple_health"


@pytest.mark.parametrize("member", [
    "apple_health_export/exportar.xml",   # Spanish (dogsheep/healthkit-to-sqlite issue 11)
    "apple_health_export/eksport.xml",    # Norwegian (the same issue)
    "apple_health_export/导出.xml",        # Chinese (BRO3886/healthsync issue 5)
    "vienti/vienti.xml",                  # Finnish, the folder renamed too (mganjoo/apple-health-exporter PR 7)
])
def test_apple_health_zip_of_a_phone_in_another_language(tmp_path, member):
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
        # export_cda.xml keeps its English name in every language, and comes first here.
        out.writestr("apple_health_export/export_cda.xml",
                     '<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n')
        out.write(IOS15, member)
        out.writestr("apple_health_export/electrocardiograms/ecg_2026-03-01.csv", "Name,Sam\n")
        out.writestr("apple_health_export/workout-routes/route_2026-03-04_6.50pm.gpx", "<gpx/>\n")
        # Re-zipped on a Mac: an AppleDouble twin of the XML under __MACOSX/ (binary, not HealthData).
        twin = member.rsplit("/", 1)
        out.writestr("__MACOSX/" + "/".join([*twin[:-1], "._" + twin[-1]]), b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    journal, report = calmkit.import_apple_health(z)
    _check_ios15(journal, report)
    assert report.source == f"{z}/{member}"
    assert detect_format(z) == "apple_health"


def test_apple_health_files_that_are_not_export_xml_say_what_they_are(tmp_path):
    cda = tmp_path / "export_cda.xml"
    cda.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n'
                   "</ClinicalDocument>\n")
    with pytest.raises(ImportFormatError, match="this is export_cda.xml, the clinical document"):
        calmkit.import_apple_health(cda)
    only_cda = tmp_path / "cda.zip"
    with zipfile.ZipFile(only_cda, "w") as out:
        out.write(cda, "apple_health_export/export_cda.xml")
    with pytest.raises(ImportFormatError, match="export_cda.xml is the clinical document"):
        calmkit.import_apple_health(only_cda)
    # B23 / B18: compressed or UTF-16 input is named for what it is, never "a truncated export?".
    gz = tmp_path / "export.xml.gz"
    gz.write_bytes(gzip.compress(IOS15.read_bytes()))
    with pytest.raises(ImportFormatError, match=r"export.xml.gz: the file is gzip-compressed") as e:
        calmkit.import_apple_health(gz)
    assert "truncated" not in str(e.value)
    for name, data in (("bom.xml", IOS15.read_text("utf-8").encode("utf-16")),
                       ("le.xml", IOS15.read_text("utf-8").encode("utf-16-le")),
                       ("be.xml", IOS15.read_text("utf-8").encode("utf-16-be"))):
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(ImportFormatError, match="the file is UTF-16 text .*save it as UTF-8") as e:
            calmkit.import_apple_health(f)
        assert "truncated" not in str(e.value)
        with pytest.raises(ImportFormatError, match="UTF-16"):
            detect_format(f)
    inner = tmp_path / "inner16.zip"
    with zipfile.ZipFile(inner, "w") as out:
        out.writestr("apple_health_export/export.xml", IOS15.read_text("utf-8").encode("utf-16"))
    with pytest.raises(ImportFormatError, match=r"inner16.zip/apple_health_export/export.xml: the file is UTF-16"):
        calmkit.import_apple_health(inner)


def test_apple_health_undefined_entity_is_not_called_truncated_but_a_cut_file_is(tmp_path):
    f = tmp_path / "ent.xml"
    f.write_text('<HealthData locale="en">\n <Record type="X" sourceName="&me;" startDate="a" endDate="b"/>\n'
                 "</HealthData>\n")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_apple_health(f)
    assert "undefined entity" in str(e.value) and "truncated" not in str(e.value)
    cut = tmp_path / "cut.xml"
    cut.write_bytes(IOS15.read_bytes()[:-200])
    with pytest.raises(ImportFormatError, match="the file ends early: a truncated export"):
        calmkit.import_apple_health(cut)


def test_apple_health_state_of_mind_value_given_twice_differently_is_an_error(tmp_path):
    # B18: an attribute valence 0.9 and a MetadataEntry valence -0.9 -- calmkit will not pick one.
    f = tmp_path / "som.xml"
    f.write_text('<HealthData locale="en">\n'
                 ' <Record type="HKStateOfMindTypeIdentifier" sourceName="Health" valence="0.9" '
                 'startDate="2026-03-02 21:14:00 +0100" endDate="2026-03-02 21:14:00 +0100">\n'
                 '  <MetadataEntry key="HKStateOfMindValence" value="-0.9"/>\n'
                 " </Record>\n"
                 ' <Record type="HKStateOfMindTypeIdentifier" sourceName="Health" valence="0.5" '
                 'startDate="2026-03-03 21:14:00 +0100" endDate="2026-03-03 21:14:00 +0100">\n'
                 '  <MetadataEntry key="HKStateOfMindValence" value="0.5"/>\n'
                 " </Record>\n"
                 "</HealthData>\n")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_apple_health(f)
    assert (e.value.line, e.value.field) == (2, "valence")
    assert "attribute valence says '0.9' and MetadataEntry HKStateOfMindValence says '-0.9'" in str(e.value)
    journal, report = calmkit.import_apple_health(f, lenient=True)
    # The same value twice is no conflict: 5 - 2.5 = 2.5 -> 3 (half up).
    assert [r.intensity for r in journal.readings] == [3] and [s.line for s in report.skipped] == [2]


# --------------------------------------------------------------------------
# Daylio and Bearable: more layouts
# --------------------------------------------------------------------------

def test_daylio_capitalized_header_custom_moods_and_quoted_multiline_note():
    f = DATA / "daylio" / "capitalized_header_custom_moods.csv"
    with pytest.raises(ImportFormatError, match=r":2: field 'mood': unknown mood 'Energised'"):
        import_daylio(f, tz="Europe/Berlin")
    journal, report = import_daylio(f, tz="Europe/Berlin", mood_map={"energised": 2, "OK": 5, "Irritable": 7})
    assert report.layout == "full_date with note_title"
    # Berlin is on summer time (+02:00) until 25 October 2021.
    assert [(r.time, r.intensity, r.note) for r in journal.readings] == [
        (datetime(2021, 10, 16, 14, 0, tzinfo=tz(120)), 5, "daylio mood: meh"),
        (datetime(2021, 10, 17, 20, 39, tzinfo=tz(120)), 7,
         "daylio mood: irritable\nactivities: take care of kids\ntitle: Long day\nKids up at five.\n"
         'Still, a walk by the river, "finally" some quiet.'),
        (datetime(2021, 10, 18, 8, 20, tzinfo=tz(120)), 5, "daylio mood: ok"),
        (datetime(2021, 10, 18, 23, 25, tzinfo=tz(120)), 2, "daylio mood: Energised\nactivities: home | appreciate"),
    ]
    assert report.rows == 4 and report.mapped == {"mood → reading": 4} and report.skipped == []
    journal, report = import_daylio(f, tz="Europe/Berlin", lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(2, "mood"), (3, "mood"), (4, "mood")]
    assert [r.note for r in journal.readings] == ["daylio mood: meh"]


def test_bearable_abbreviated_weekdays_ordinal_dates_and_word_times():
    f = DATA / "bearable" / "abbreviated_weekday_layout.csv"
    journal, report = calmkit.import_bearable(f, tz="Europe/London")
    assert report.layout == "seven columns"
    # Mood 1-10 inverted onto 1..9: 4 -> 1 + 8*6/9 = 6.33 -> 6; 5 -> 5.44 -> 5; 9 -> 1.89 -> 2.
    # Symptom "Anxiety" 3 on 0-4 -> 7.5 -> 8. "morning" is read like "am" (09:00).
    assert [(r.time, r.intensity, r.note) for r in journal.readings] == [
        (datetime(2022, 1, 22, 9, 0, tzinfo=tz(0)), 6,
         "bearable Mood 4 (scale 1-10)\ndetail: Mood\ntime of day: 09:00\nA hard morning."),
        (datetime(2022, 1, 23, 9, 0, tzinfo=tz(0)), 5, "bearable Mood 5 (scale 1-10)\ndetail: Mood\ntime of day: morning"),
        (datetime(2023, 9, 3, 22, 15, tzinfo=tz(60)), 8,
         "bearable Symptom 3 (scale 0-4)\ndetail: Anxiety\ntime of day: 10:15 PM"),
        (datetime(2024, 3, 1, 9, 30, tzinfo=tz(0)), 2, "bearable Mood 9 (scale 1-10)\ndetail: Mood\ntime of day: 09:30"),
    ]
    # Every row accounted for: 4 readings, 4 rows kept verbatim with their line.
    assert report.rows == 8
    assert [(u.line, u.kind) for u in report.unmapped] == [(3, "Sleep"), (4, "Symptom"), (5, "Medication"),
                                                           (6, "Measurement")]
    assert report.unmapped[3].content["detail"] == "Weight (kg)"


def test_bearable_year_outside_the_journal_is_named(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("date,weekday,time of day,category,rating/amount,detail,notes\n"
                 "1st Jan 0001,Mon,am,Mood,5,,\n"
                 "3rd Mar 2026,Tue,am,Mood,5,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_bearable(f, utc_offset=0)
    assert (e.value.line, e.value.field) == (2, "date")
    assert "year must be 1400..9999, got 1 (a placeholder date?)" in str(e.value)
    journal, report = calmkit.import_bearable(f, utc_offset=0, lenient=True)
    assert [s.line for s in report.skipped] == [2] and len(journal.readings) == 1


@pytest.mark.parametrize("importer,kw,name", [
    (import_daylio, {"utc_offset": 0}, "daylio.csv"),
    (calmkit.import_bearable, {"utc_offset": 0}, "bearable.csv"),
    (import_mindlamp, {"utc_offset": 0}, "events.json"),
])
def test_compressed_or_archived_input_is_named(tmp_path, importer, kw, name):
    # B23: a gzip-compressed export, a zip (a Daylio .daylio backup is one) and
    # a UTF-16 JSON file each get a message naming what the file is.
    src = {"daylio.csv": DATA / "daylio" / "full_date_layout.csv",
           "bearable.csv": DATA / "bearable" / "seven_column_layout.csv",
           "events.json": LAMP / "api_response.json"}[name]
    gz = tmp_path / (name + ".gz")
    gz.write_bytes(gzip.compress(src.read_bytes()))
    with pytest.raises(ImportFormatError, match=r"the file is gzip-compressed \(a .gz file\).*gunzip"):
        importer(gz, **kw)
    with pytest.raises(ImportFormatError, match="gzip-compressed"):
        detect_format(gz)
    z = tmp_path / (name + ".zip")
    with zipfile.ZipFile(z, "w") as out:
        out.write(src, name)
    with pytest.raises(ImportFormatError, match="the file is a zip archive, not the export's text: unpack it"):
        importer(z, **kw)
    if name == "events.json":
        u16 = tmp_path / "u16.json"
        u16.write_bytes(src.read_text("utf-8").encode("utf-16"))
        with pytest.raises(ImportFormatError, match="UTF-16 text .*save it as UTF-8"):
            importer(u16, **kw)


def test_daylio_older_layout_with_month_names_in_other_languages():
    # The older layout writes day and month in the phone's language; the date
    # patterns here are CLDR's (de "18. Mai", es "3 de marzo", fr "1 déc.").
    f = DATA / "daylio" / "year_layout_other_languages.csv"
    journal, report = import_daylio(f, utc_offset=60)
    assert report.layout == "year"
    assert [(r.time, r.intensity, r.note) for r in journal.readings] == [
        (datetime(2018, 3, 3, 8, 10, tzinfo=tz(60)), 5, "daylio mood: meh"),
        (datetime(2018, 3, 3, 21, 15, tzinfo=tz(60)), 7, "daylio mood: bad"),     # 9:15 p. m. (Spanish)
        (datetime(2018, 5, 18, 23, 54, tzinfo=tz(60)), 1, "daylio mood: rad\nactivities: Putzen | Kochen"),
        (datetime(2018, 12, 1, 7, 5, tzinfo=tz(60)), 3, "daylio mood: good"),
    ]
    assert report.rows == 4 and report.skipped == []


def test_daylio_month_names_mean_one_month_in_every_language():
    from calmkit.importers.daylio import _MONTH_NAMES

    seen: dict[str, int] = {}
    for month, names in enumerate(_MONTH_NAMES, start=1):
        for name in names:
            assert seen.setdefault(name, month) == month, name
    assert len(_MONTH_NAMES) == 12


def test_apple_health_valence_in_other_digits_is_refused(tmp_path):
    # B18: float() reads Arabic-Indic digits; Apple writes ASCII numbers, so anything else is refused.
    f = tmp_path / "d.xml"
    f.write_text('<HealthData locale="en">\n <Record type="HKStateOfMindTypeIdentifier" sourceName="x" '
                 'startDate="2026-03-02 21:14:00 +0100" endDate="2026-03-02 21:14:00 +0100" '
                 'valence="\u0660.\u0665"/>\n</HealthData>\n', encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_apple_health(f)
    assert (e.value.line, e.value.field) == (2, "valence")


# --------------------------------------------------------------------------
# B23: the journal reader names compressed and UTF-16 input too
# --------------------------------------------------------------------------

def test_journal_reader_names_gzip_and_utf16_input(tmp_path):
    text = calmkit.to_jsonl(calmkit.read_journal(Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"))
    cases = {"j.jsonl.gz": (gzip.compress(text.encode()), "the file is gzip-compressed (a .gz file), not JSON Lines "
                                                          "text: unpack it first (gunzip)"),
             "j16.jsonl": (text.encode("utf-16"), "the file is UTF-16 text (little-endian, with a byte-order "
                                                  "mark), not JSON Lines text: save it as UTF-8"),
             "j16le.jsonl": (text.encode("utf-16-le"), "the file is UTF-16 text (little-endian, without a "
                                                       "byte-order mark)")}
    for name, (data, reason) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        for lenient in (False, True):
            with pytest.raises(calmkit.JournalFormatError) as e:
                calmkit.read_journal_with_report(f, lenient=lenient)
            assert (e.value.line, e.value.field) == (1, "") and e.value.reason.startswith(reason)
        r = cli("summary", str(f), cwd=tmp_path)
        assert r.returncode != 0 and reason in r.stderr and "Traceback" not in r.stderr
