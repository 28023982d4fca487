"""Every importer on the layouts the apps really write.

The fixtures in tests/data/importers/<app>/ are rebuilt from public facts
(the apps' own source code, other parsers' documentation and fixtures, bug
reports); tests/data/importers/README.md names the source of each fact. The
expected records below are worked out by hand from docs/importing.md, the
reasoning next to each value.
"""
from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from calmkit.importers import (
    ImportFormatError,
    detect_format,
    import_apple_health,
    import_bearable,
    import_daylio,
    import_mindlamp,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"


def tz(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def rows(journal):
    return [(r.time, r.intensity, r.note) for r in journal.readings]


# --------------------------------------------------------------------------
# Apple Health
# --------------------------------------------------------------------------

IOS16 = DATA / "apple_health" / "ios16_export.xml"


def _check_ios16(journal, report):
    # Valence -0.62 -> 5 + 3.1 = 8.1 -> 8; valence 0.3 -> 5 - 1.5 = 3.5 -> 4 (half up).
    assert rows(journal) == [
        (datetime(2026, 3, 2, 21, 14, tzinfo=tz(60)), 8,
         "apple state of mind: momentary emotion, valence -0.62\nlabels: anxious, worried\n"
         "associations: partner, dating"),
        (datetime(2026, 3, 3, 22, 0, tzinfo=tz(-300)), 4,
         "apple state of mind: daily mood, valence 0.3\nlabels: calm, grateful"),
    ]
    [ex] = list(journal.exercises)
    assert (ex.time, ex.end, ex.exercise, ex.id) == (
        datetime(2026, 3, 2, 21, 20, tzinfo=tz(60)), datetime(2026, 3, 2, 21, 25, tzinfo=tz(60)),
        "mindfulness.breath", "apple-mindful-20260302T202000Z")
    # Seven top-level <Record>s; every one accounted for.
    assert report.rows == 7
    assert report.mapped == {"mindful session → exercise mindfulness.breath": 1,
                             "state of mind (momentary emotion) → reading": 1,
                             "state of mind (daily mood) → reading": 1}
    assert report.ignored == {
        "HKQuantityTypeIdentifierHeartRate": 1,
        "HKQuantityTypeIdentifierHeartRateVariabilitySDNN": 1,
        "HKQuantityTypeIdentifierBloodPressureSystolic": 1,
        "HKQuantityTypeIdentifierBloodPressureDiastolic": 1,
        "<Correlation>": 1, "<Workout>": 1, "<ActivitySummary>": 1,
        # The heart-rate record's metadata holds a raw U+000B: tolerated, counted.
        "records holding characters XML 1.0 forbids (not used, tolerated)": 1,
        "sourceName of mindful sessions (exercise sessions have no text field)": 1,
    }
    assert report.skipped == []


def test_apple_health_ios16_header_with_malformed_dtd_and_control_character():
    # The fixture reproduces both iOS 16 faults: the Python XML parser alone
    # stops at its DTD (the unclosed <!ATTLIST VisionPrescription ...>).
    import xml.etree.ElementTree as ET

    with pytest.raises(ET.ParseError, match="syntax error: line 43"):
        ET.parse(IOS16)
    for lenient in (False, True):
        _check_ios16(*import_apple_health(IOS16, lenient=lenient))


def test_apple_health_export_zip_is_read_in_place(tmp_path):
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(IOS16, "apple_health_export/export.xml")
        out.writestr("apple_health_export/export_cda.xml", "<?xml version='1.0'?>\n<ClinicalDocument/>\n")
        out.writestr("apple_health_export/workout-routes/route_2026-03-04_6.20pm.gpx", "<gpx/>\n")
    journal, report = import_apple_health(z)
    _check_ios16(journal, report)
    assert report.source == f"{z}/apple_health_export/export.xml"
    assert detect_format(z) == "apple_health"


def test_apple_health_zip_errors_name_the_file(tmp_path):
    z = tmp_path / "other.zip"
    with zipfile.ZipFile(z, "w") as out:
        out.writestr("notes.txt", "hello")
    with pytest.raises(ImportFormatError, match=r"other.zip: the zip holds no Apple Health export.xml.*found: notes.txt"):
        import_apple_health(z)
    # A zip cut short: the member cannot be read to its end.
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(IOS16, "apple_health_export/export.xml")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[:1500])
    with pytest.raises(ImportFormatError, match=r"cut.zip"):
        import_apple_health(cut)


def test_apple_health_control_character_in_a_record_it_uses_is_reported():
    f = DATA / "apple_health" / "control_char_in_state_of_mind.xml"
    with pytest.raises(ImportFormatError) as e:
        import_apple_health(f)
    assert (e.value.line, e.value.field) == (61, "labels")
    assert "U+000B" in str(e.value) and "control_char_in_state_of_mind.xml:61: field 'labels'" in str(e.value)
    journal, report = import_apple_health(f, lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(61, "labels")]
    assert [r.intensity for r in journal.readings] == [4]
    assert len(journal.exercises) == 1


def test_apple_health_entities_are_never_resolved(tmp_path):
    # The internal subset is skipped unread, so an entity it declares does not
    # exist: no expansion (billion laughs), an error naming the line instead.
    f = tmp_path / "laughs.xml"
    f.write_text('<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n <!ENTITY lol "lol">\n'
                 ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
                 '<HealthData locale="en">\n <Record type="HKStateOfMindTypeIdentifier" sourceName="&lol2;" '
                 'startDate="2026-03-02 21:14:00 +0100" endDate="2026-03-02 21:14:00 +0100" valence="0"/>\n'
                 '</HealthData>\n')
    with pytest.raises(ImportFormatError, match=r"laughs.xml:7: XML is not well-formed .*undefined entity"):
        import_apple_health(f, lenient=True)


def test_apple_health_year_0001_is_an_error_not_a_traceback(tmp_path):
    f = tmp_path / "y1.xml"
    f.write_text('<HealthData locale="en">\n <Record type="HKCategoryTypeIdentifierMindfulSession" '
                 'sourceName="x" startDate="0001-01-01 00:00:00 +0100" endDate="0001-01-01 00:05:00 +0100"/>\n'
                 ' <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="x" '
                 'startDate="2026-01-01 00:00:00 +0100" endDate="2026-01-01 00:05:00 +0100"/>\n</HealthData>\n')
    with pytest.raises(ImportFormatError, match=r"y1.xml:2:"):
        import_apple_health(f)
    journal, report = import_apple_health(f, lenient=True)
    assert [s.line for s in report.skipped] == [2] and len(journal.exercises) == 1


# --------------------------------------------------------------------------
# Daylio
# --------------------------------------------------------------------------

def test_daylio_note_title_layout():
    journal, report = import_daylio(DATA / "daylio" / "note_title_layout.csv", tz="Europe/Berlin",
                                    mood_map={"Anxious": 8})
    assert report.layout == "full_date with note_title"
    # Berlin is UTC+1 in early March. rad 1, Anxious 8 (mood_map), meh 5, awful 9.
    assert rows(journal) == [
        (datetime(2026, 3, 1, 10, 0, tzinfo=tz(60)), 1, "daylio mood: rad\nactivities: walk | sport"),
        (datetime(2026, 3, 2, 22, 40, tzinfo=tz(60)), 8,
         "daylio mood: Anxious\nactivities: friends | dinner\ntitle: Dinner, then doubts\n"
         'Nice evening, then the "what if" spiral on the way home'),
        (datetime(2026, 3, 3, 8, 5, tzinfo=tz(60)), 5, "daylio mood: meh\nactivities: coffee | commute"),
        (datetime(2026, 3, 3, 21, 14, tzinfo=tz(60)), 9,
         "daylio mood: awful\nactivities: work | argument | bad sleep\ntitle: Rough evening\n"
         "He didn't answer for hours, I kept checking the phone.\n"
         "Tried the breathing exercise, it helped a little."),
    ]
    assert report.rows == 4 and report.mapped == {"mood → reading": 4} and report.skipped == []


def test_daylio_full_date_layout_without_note_title():
    journal, report = import_daylio(DATA / "daylio" / "full_date_layout.csv", utc_offset=-300)
    assert report.layout == "full_date"
    assert rows(journal) == [
        (datetime(2019, 11, 18, 12, 15, tzinfo=tz(-300)), 3, "daylio mood: good\nlunch with Sam"),
        (datetime(2019, 11, 19, 22, 40, tzinfo=tz(-300)), 1, "daylio mood: rad\nactivities: date night"),
        (datetime(2019, 11, 20, 8, 2, tzinfo=tz(-300)), 7,
         "daylio mood: bad\nactivities: work | coffee\nMeeting moved again, felt on edge"),
    ]


def test_daylio_older_year_layout():
    # year,date,weekday,...: "18 May" in 2018. London is on BST (+01:00) in May.
    journal, report = import_daylio(DATA / "daylio" / "year_layout.csv", tz="Europe/London")
    assert report.layout == "year"
    assert rows(journal) == [
        (datetime(2018, 5, 16, 23, 41, tzinfo=tz(60)), 9, "daylio mood: awful\nDid nothing today."),
        (datetime(2018, 5, 17, 22, 21, tzinfo=tz(60)), 5, "daylio mood: meh\nactivities: cook | stressed"),
        (datetime(2018, 5, 18, 23, 54, tzinfo=tz(60)), 3,
         "daylio mood: good\nactivities: clean | cook | music\nWent to a party"),
    ]
    assert detect_format(DATA / "daylio" / "year_layout.csv") == "daylio"


def test_daylio_duplicate_and_unknown_columns_are_errors_naming_them():
    with pytest.raises(ImportFormatError, match=r"duplicate_column.csv:1: the header names column\(s\) 'mood' more"):
        import_daylio(DATA / "daylio" / "duplicate_column.csv", utc_offset=0, lenient=True)
    with pytest.raises(ImportFormatError, match=r"unknown_column.csv:1: not a Daylio export header "
                                                r"\(unknown column\(s\) 'scales'\)"):
        import_daylio(DATA / "daylio" / "unknown_column.csv", utc_offset=0)


def test_daylio_year_layout_month_in_another_language(tmp_path):
    # German, French, Spanish, Italian, Portuguese and Dutch names are read
    # (test_importers_more_layouts.py); Polish is not.
    f = tmp_path / "pl.csv"
    f.write_text("year,date,weekday,time,mood,activities,note\n2018,18 maja,piątek,23:54,good,,\n"
                 "2018,17 May,Thursday,22:21,meh,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"pl.csv:2: field 'date': '18 maja' in '2018'"):
        import_daylio(f, utc_offset=0)
    journal, report = import_daylio(f, utc_offset=0, lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(2, "date")] and len(journal) == 1


def test_daylio_note_of_one_megabyte(tmp_path):
    note = ("I keep going over it, " * 50_000)[:1_048_576]
    f = tmp_path / "long.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 f'2026-03-03,March 3,Tuesday,21:14,bad,,,"{note}"\n'
                 "2026-03-04,March 4,Wednesday,21:14,good,,,short\n", encoding="utf-8")
    journal, report = import_daylio(f, utc_offset=60)
    assert [len(r.note) for r in journal.readings] == [len("daylio mood: bad\n") + len(note.strip()),
                                                      len("daylio mood: good\nshort")]


# --------------------------------------------------------------------------
# Bearable
# --------------------------------------------------------------------------

def test_bearable_layout_with_date_formatted_ordinal_dates_and_parts_of_day():
    journal, report = import_bearable(DATA / "bearable" / "date_formatted_layout.csv", tz="Europe/Berlin")
    assert report.layout == "with date formatted"
    # Mood on Bearable's 1-10 scale: 1 + 8*(10 - v)/9; anxiety severity 0-4: 10*v/4; half up.
    assert rows(journal) == [
        # am -> 09:00; "Anxiety (Unbearable)" without a number: severity 4 -> 10.
        (datetime(2026, 3, 1, 9, 0, tzinfo=tz(60)), 10,
         "bearable Symptom unbearable (4) (scale 0-4)\ndetail: Anxiety (Unbearable)\ntime of day: am\n"
         "panic on the train"),
        # pm -> 18:00; mood 10 -> 1.
        (datetime(2026, 3, 2, 18, 0, tzinfo=tz(60)), 1, "bearable Mood 10 (scale 1-10)\ntime of day: pm"),
        # pre -> 03:00; mood 3 -> 1 + 56/9 = 7.2 -> 7.
        (datetime(2026, 3, 3, 3, 0, tzinfo=tz(60)), 7,
         "bearable Mood 3 (scale 1-10)\ntime of day: pre\ncouldn't sleep"),
        # mid -> 13:00; Anxiety (Moderate) 2 -> 5.
        (datetime(2026, 3, 3, 13, 0, tzinfo=tz(60)), 5,
         "bearable Symptom 2 (scale 0-4)\ndetail: Anxiety (Moderate)\ntime of day: mid"),
        # pm -> 18:00; mood 9 -> 1 + 8/9 = 1.9 -> 2.
        (datetime(2026, 3, 3, 18, 0, tzinfo=tz(60)), 2,
         "bearable Mood 9 (scale 1-10)\ntime of day: pm\ndinner with friends, felt better"),
    ]
    assert report.rows == 11
    assert report.mapped == {"mood → reading": 3, "anxiety → reading": 2}
    # Energy, the headache, sleep, sleep quality, factors and notes: kept with their lines.
    assert [(u.line, u.kind) for u in report.unmapped] == [
        (3, "Energy"), (6, "Symptom"), (7, "Sleep"), (8, "Sleep quality"), (9, "Factors"), (12, "Notes")]
    assert report.skipped == []
    assert detect_format(DATA / "bearable" / "date_formatted_layout.csv") == "bearable"


def test_bearable_seven_column_layout():
    journal, report = import_bearable(DATA / "bearable" / "seven_column_layout.csv", tz="Europe/Berlin")
    assert report.layout == "seven columns"
    assert rows(journal) == [
        # Mood 4 -> 1 + 8*6/9 = 6.3 -> 6.
        (datetime(2026, 3, 2, 9, 0, tzinfo=tz(60)), 6, "bearable Mood 4 (scale 1-10)\ntime of day: am\nwoke up calm"),
        # Anxiety 3 -> 7.5 -> 8.
        (datetime(2026, 3, 2, 13, 0, tzinfo=tz(60)), 8,
         "bearable Anxiety 3 (scale 0-4)\ntime of day: mid\nwork deadline"),
        # Anxiety (Mild) 1 -> 2.5 -> 3.
        (datetime(2026, 3, 2, 18, 0, tzinfo=tz(60)), 3,
         "bearable Symptoms 1 (scale 0-4)\ndetail: Anxiety (Mild)\ntime of day: pm"),
    ]
    assert [(u.line, u.kind) for u in report.unmapped] == [(5, "Energy"), (6, "Notes")]


def test_bearable_date_and_date_formatted_must_agree(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("date,date formatted,weekday,time of day,category,rating/amount,detail,notes\n"
                 "3rd Mar 2026,2026-03-04,Tuesday,am,Mood,5,,\n"
                 "31st Feb 2026,2026-02-31,Tuesday,am,Mood,5,,\n", encoding="utf-8")
    journal, report = import_bearable(f, utc_offset=0, lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(2, "date formatted"), (3, "date")]


# --------------------------------------------------------------------------
# mindLAMP
# --------------------------------------------------------------------------

def test_mindlamp_dbt_diary_card_as_the_lamp_app_writes_it():
    journal, report = import_mindlamp(DATA / "mindlamp" / "dbt_diary_card.json", tz="America/New_York")
    assert report.layout == "object with activities and events"
    # 1772655240000 ms = 2026-03-04T20:14:00Z = 15:14 in New York (EST, -05:00).
    assert rows(journal) == [
        # Distress emotions: Loneliness 3 (the study's own), Sadness 2, Shame 1,
        # Anger 0, Fear/Worry 4 -> max 4 of 5 -> 8 of 10. Joy is not distress.
        (datetime(2026, 3, 4, 15, 14, tzinfo=tz(-300)), 8,
         "mindlamp DBT diary card\n"
         "emotions: Loneliness 3/5, Sadness 2/5, Shame 1/5, Anger 0/5, Fear/Worry 4/5, Joy 1/5\n"
         "urges: Self-Harm (ineffective) 2/5, acted 0; Text him again (ineffective) 4/5, acted 3; "
         "Exercise (effective) 1/5, acted 1\n"
         "skills: Wise mind (Mindfulness); Self-soothing (Distress Tolerance)\n"
         "other: effort: 3; used skills today: yes; skills helped: 4"),
        # Sadness 5, Fear/Worry 5 -> 10.
        (datetime(2026, 3, 6, 15, 14, tzinfo=tz(-300)), 10,
         "mindlamp DBT diary card\nemotions: Sadness 5/5, Fear/Worry 5/5\n"
         "urges: Die by suicide (ineffective) 0/5\n"
         "other: effort: 2; used skills today: yes; skills helped: 2"),
    ]
    # The card rating only Joy has no distress to import: kept in the report.
    [u] = report.unmapped
    assert u.item == 1 and u.kind == "DBT diary card without a rated distress emotion"
    [ex] = list(journal.exercises)
    assert (ex.time, ex.end) == (datetime(2026, 3, 6, 15, 46, 40, tzinfo=tz(-300)),
                                 datetime(2026, 3, 6, 15, 49, 40, tzinfo=tz(-300)))
    assert report.rows == 4 and report.skipped == []
    assert detect_format(DATA / "mindlamp" / "dbt_diary_card.json") == "mindlamp"


def test_mindlamp_errors_name_the_json_path(tmp_path):
    text = (DATA / "mindlamp" / "dbt_diary_card.json").read_text()
    # Fear/Worry (the eighth slice of the first card) and Joy (the only slice
    # of the second) rated with a word.
    p = tmp_path / "e.json"
    p.write_text(text.replace('"value": 4, "type": null, "level": "emotion"',
                              '"value": "lots", "type": null, "level": "emotion"'))
    with pytest.raises(ImportFormatError) as e:
        import_mindlamp(p, utc_offset=0)
    assert (e.value.item, e.value.field) == (0, "temporal_slices[7].value")
    assert "e.json: item 0: field 'temporal_slices[7].value': 'lots' is not an emotion rating" in str(e.value)
    journal, report = import_mindlamp(p, utc_offset=0, lenient=True)
    assert [(s.item, s.field) for s in report.skipped] == [(0, "temporal_slices[7].value"),
                                                           (1, "temporal_slices[0].value")]
    assert len(journal.readings) == 1 and len(journal.exercises) == 1


def test_apple_health_prolog_without_end_is_refused_unread(tmp_path):
    # A DOCTYPE whose internal subset never closes: nothing of it is parsed.
    f = tmp_path / "endless.xml"
    with open(f, "w") as out:
        out.write('<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n')
        line = '<!ENTITY e "' + "x" * 1000 + '">\n'
        for _ in range(17 * 1024):
            out.write(line)
    with pytest.raises(ImportFormatError, match=r"endless.xml:1: .*no root element in the first 16 MiB"):
        import_apple_health(f)
