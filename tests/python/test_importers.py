"""Importers from Daylio, Bearable, Apple Health and mindLAMP exports.

The sample files in tests/data/importers/ are written in each app's export
format; the expected values below are worked out by hand from the mapping
tables in docs/importing.md.
"""
from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit.importers import (
    ImportFormatError,
    ImportResult,
    import_apple_health,
    import_bearable,
    import_daylio,
    import_mindlamp,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"


def tz(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def readings(journal):
    return list(journal.readings)


# --------------------------------------------------------------------------
# The package surface
# --------------------------------------------------------------------------

def test_importers_are_reexported_by_the_package():
    assert calmkit.import_daylio is import_daylio
    assert calmkit.import_bearable is import_bearable
    assert calmkit.import_apple_health is import_apple_health
    assert calmkit.import_mindlamp is import_mindlamp
    assert issubclass(calmkit.ImportFormatError, ValueError)


def test_result_unpacks_and_has_attributes():
    result = import_daylio(DATA / "daylio_export_old.csv", utc_offset=-300)
    assert isinstance(result, ImportResult)
    journal, report = result
    assert journal is result.journal and report is result.report
    assert isinstance(journal, calmkit.Journal)


# --------------------------------------------------------------------------
# Daylio
# --------------------------------------------------------------------------

def test_daylio_8_columns_maps_moods_notes_and_local_times():
    journal, report = import_daylio(DATA / "daylio_export.csv", tz="Europe/Berlin",
                                    participant="ana", mood_map={"Anxious": 8})
    rs = readings(journal)
    # Ordered by time. Berlin is UTC+1 in early March; 2026-03-29 02:30 falls in
    # the spring-forward gap (02:00 -> 03:00) and is read as 03:30 CEST (+2).
    assert [r.time for r in rs] == [
        datetime(2026, 3, 1, 12, 5, tzinfo=tz(60)),    # "12:05 PM"
        datetime(2026, 3, 2, 21, 14, tzinfo=tz(60)),   # "21:14"
        datetime(2026, 3, 3, 7, 30, tzinfo=tz(60)),    # "07:30"
        datetime(2026, 3, 4, 21, 14, tzinfo=tz(60)),   # "9:14 pm"
        datetime(2026, 3, 29, 3, 30, tzinfo=tz(120)),  # "2:30 am" in the gap
    ]
    # Anxious (custom, mood_map) 8; meh 5; good 3; awful 9; rad 1.
    assert [r.intensity for r in rs] == [8, 5, 3, 9, 1]
    assert {r.participant for r in rs} == {"ana"}
    # The quoted note keeps its comma and its line break.
    assert rs[3].note == ("daylio mood: awful\nactivities: partner | phone\ntitle: No reply\n"
                          "He hasn't answered since noon, and I keep checking.\n"
                          "I wrote three drafts and sent none.")
    assert rs[1].note == "daylio mood: meh\ntitle: Evening\nQuiet evening, a bit restless"
    assert rs[0].note == "daylio mood: Anxious"
    assert report.rows == 5
    assert report.mapped == {"mood → reading": 5}
    assert report.kept["activities → reading note"] == 3
    assert report.kept["note_title → reading note"] == 2
    assert report.kept["custom mood name → reading note"] == 1
    assert report.skipped == []
    [adj] = report.adjusted
    assert adj.line == 6 and "does not exist" in adj.detail


def test_daylio_older_7_column_form_with_fixed_offset():
    journal, report = import_daylio(DATA / "daylio_export_old.csv", utc_offset=-300)
    rs = readings(journal)
    assert [(r.time, r.intensity) for r in rs] == [
        (datetime(2019, 11, 19, 22, 40, tzinfo=tz(-300)), 1),  # rad, "10:40 pm"
        (datetime(2019, 11, 20, 8, 2, tzinfo=tz(-300)), 7),    # bad, "8:02 am"
    ]
    assert rs[1].note == "daylio mood: bad\nactivities: work | coffee\nMeeting moved again, felt on edge"
    assert report.kept["note → reading note"] == 1


def test_daylio_ambiguous_autumn_time_is_the_first_and_reported(tmp_path):
    # 2026-10-25 02:30 happens twice in Berlin: first at +02:00, then at +01:00.
    f = tmp_path / "d.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "2026-10-25,October 25,Sunday,02:30,meh,,,\n", encoding="utf-8")
    journal, report = import_daylio(f, tz="Europe/Berlin")
    assert readings(journal)[0].time == datetime(2026, 10, 25, 2, 30, tzinfo=tz(120))
    assert "happened twice" in report.adjusted[0].detail and report.adjusted[0].line == 2


def test_daylio_needs_a_time_zone_and_a_valid_mood_map():
    with pytest.raises(ValueError, match="exactly one of tz"):
        import_daylio(DATA / "daylio_export_old.csv")
    with pytest.raises(ValueError, match="unknown time zone"):
        import_daylio(DATA / "daylio_export_old.csv", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="0..10"):
        import_daylio(DATA / "daylio_export_old.csv", utc_offset=0, mood_map={"tired": 11})


def test_daylio_custom_mood_without_map_is_an_error_naming_line_and_field():
    with pytest.raises(ImportFormatError) as e:
        import_daylio(DATA / "daylio_export.csv", utc_offset=60)
    assert e.value.line == 7 and e.value.field == "mood"
    assert "daylio_export.csv:7: field 'mood'" in str(e.value)


def test_daylio_bad_dates_strict_and_lenient():
    with pytest.raises(ImportFormatError, match=r"daylio_bad_date.csv:3: field 'full_date': '2026-02-30'"):
        import_daylio(DATA / "daylio_bad_date.csv", utc_offset=0)
    journal, report = import_daylio(DATA / "daylio_bad_date.csv", utc_offset=0, lenient=True)
    # Lines 3 (Feb 30) and 4 (25:61) are skipped; lines 2 and 5 are kept.
    assert [(s.line, s.field) for s in report.skipped] == [(3, "full_date"), (4, "time")]
    assert len(journal.readings) == 2 and report.rows == 4


def test_daylio_wrong_columns_and_short_rows():
    with pytest.raises(ImportFormatError, match=r":1: not a Daylio export header \(.*missing column\(s\) full_date"):
        import_daylio(DATA / "daylio_wrong_columns.csv", utc_offset=0)
    with pytest.raises(ImportFormatError, match=r"daylio_short_row.csv:3: expected 8 fields .* found 4"):
        import_daylio(DATA / "daylio_short_row.csv", utc_offset=0)


def test_daylio_non_utf8_bytes():
    # Line 3 holds "caf\xe9" (Latin-1). Column 60: the byte's 1-based position in the line.
    line3 = (DATA / "daylio_latin1.csv").read_bytes().split(b"\n")[2]
    assert line3.index(b"\xe9") + 1 == 60
    with pytest.raises(ImportFormatError, match=r"daylio_latin1.csv:3: bytes not valid utf-8 \(byte 0xe9 at column 60\)"):
        import_daylio(DATA / "daylio_latin1.csv", utc_offset=0)
    journal, report = import_daylio(DATA / "daylio_latin1.csv", utc_offset=0, lenient=True)
    assert [s.line for s in report.skipped] == [3] and len(journal.readings) == 2
    # Told the real encoding, the row reads fine.
    journal, _ = import_daylio(DATA / "daylio_latin1.csv", utc_offset=0, encoding="latin-1")
    assert "Coffee at the café, waited" in readings(journal)[1].note


def test_daylio_byte_order_mark_is_accepted(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (DATA / "daylio_export_old.csv").read_bytes())
    assert len(import_daylio(f, utc_offset=0).journal) == 2
    with pytest.raises(ValueError, match="unknown encoding"):
        import_daylio(f, utc_offset=0, encoding="no-such-codec")


def test_daylio_utf16_file_is_read(tmp_path):
    # Excel's "Unicode text" (UTF-16 with a byte-order mark): the mark leaves nothing to guess.
    f = tmp_path / "d16.csv"
    f.write_bytes("full_date,date,weekday,time,mood,activities,note\n"
                  "2026-03-02,March 2,Monday,21:14,good,,\n".encode("utf-16"))
    journal, _ = import_daylio(f, utc_offset=0)
    assert [r.time.isoformat() for r in journal.readings] == ["2026-03-02T21:14:00+00:00"]


def test_daylio_truncated_file_fails_even_when_lenient():
    # The last row opens a quote that never closes: the reader cannot tell where
    # the row ends, so it names the row's first line instead of guessing.
    for lenient in (False, True):
        with pytest.raises(ImportFormatError, match=r"daylio_truncated.csv:3: CSV syntax error"):
            import_daylio(DATA / "daylio_truncated.csv", utc_offset=0, lenient=lenient)


def test_daylio_empty_file(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty file"):
        import_daylio(f, utc_offset=0)


# --------------------------------------------------------------------------
# Bearable
# --------------------------------------------------------------------------

def test_bearable_mood_and_anxiety_become_readings_rest_is_kept():
    # This older sample rates mood 1-5 (calmkit's first reading of the format);
    # Bearable's documented mood scale is 1-10, the default (see
    # test_importers_real_layouts.py), so the scale is passed.
    journal, report = import_bearable(DATA / "bearable_export.csv", tz="Europe/London", scales={"mood": (1, 5)})
    rs = readings(journal)
    utc = timezone.utc  # London is on GMT (+00:00) in early March
    assert [(r.time, r.intensity) for r in rs] == [
        (datetime(2026, 3, 2, 9, 0, tzinfo=utc), 3),    # Mood 4, am: 1 + 8*(5-4)/4 = 3
        (datetime(2026, 3, 2, 18, 0, tzinfo=utc), 7),   # Mood 2, pm: 1 + 8*3/4 = 7
        (datetime(2026, 3, 2, 22, 0, tzinfo=utc), 8),   # Anxiety symptom 3, night: 10*3/4 = 7.5 -> 8
        (datetime(2026, 3, 3, 13, 0, tzinfo=utc), 0),   # Anxiety 0, mid
        (datetime(2026, 3, 3, 21, 30, tzinfo=utc), 1),  # Mood 5 at 21:30: 1 + 0 = 1
    ]
    assert rs[1].note == "bearable Mood 2 (scale 1-5)\ntime of day: pm\nArgument about plans, felt shaky"
    assert rs[2].note == "bearable Symptoms 3 (scale 0-4)\ndetail: Anxiety (Severe)\ntime of day: night"
    assert report.mapped == {"mood → reading": 3, "anxiety → reading": 2}
    # Everything else is kept verbatim with its line, including the two-line note.
    assert [(u.line, u.kind) for u in report.unmapped] == [
        (5, "Symptoms"), (6, "Energy"), (7, "Sleep"), (8, "Factors"), (9, "Notes")]
    assert report.unmapped[3].content["detail"] == "Caffeine | Walk"
    assert report.unmapped[4].content["notes"] == "Long day.\nTried the breathing exercise twice."
    assert report.rows == 10 and report.skipped == []


def test_bearable_other_scale_by_argument():
    # On Bearable's 1-10 mood scale (the default), 4 is 1 + 8*(10-4)/9 = 6.33 -> 6.
    journal, _ = import_bearable(DATA / "bearable_export.csv", utc_offset=0)
    assert readings(journal)[0].intensity == 6
    journal, _ = import_bearable(DATA / "bearable_export.csv", utc_offset=0, scales={"mood": (1, 5)})
    assert readings(journal)[0].intensity == 3


def test_bearable_malformed_rows_strict_and_lenient():
    with pytest.raises(ImportFormatError, match=r"bearable_bad.csv:2: field 'rating/amount': '7' is not a mood rating 1..5"):
        import_bearable(DATA / "bearable_bad.csv", utc_offset=0, scales={"mood": (1, 5)})
    journal, report = import_bearable(DATA / "bearable_bad.csv", utc_offset=0, lenient=True,
                                      scales={"mood": (1, 5)})
    assert [(s.line, s.field) for s in report.skipped] == [
        (2, "rating/amount"), (3, "date"), (4, "time of day")]
    assert len(journal.readings) == 1
    with pytest.raises(ImportFormatError, match=r"bearable_wrong_columns.csv:1: not a Bearable export header"):
        import_bearable(DATA / "bearable_wrong_columns.csv", utc_offset=0)


# --------------------------------------------------------------------------
# Apple Health
# --------------------------------------------------------------------------

def test_apple_health_state_of_mind_and_mindful_sessions():
    journal, report = import_apple_health(DATA / "apple_health_export.xml", participant="ana")
    rs = readings(journal)
    # Valence -0.62 -> 5 + 3.1 = 8.1 -> 8; valence 0.3 -> 5 - 1.5 = 3.5 -> 4 (half up).
    # Apple's own offsets are kept (+01:00 and -05:00).
    assert [(r.time, r.intensity) for r in rs] == [
        (datetime(2026, 3, 2, 21, 14, tzinfo=tz(60)), 8),
        (datetime(2026, 3, 3, 22, 0, tzinfo=tz(-300)), 4),
    ]
    assert rs[0].note == ("apple state of mind: momentary emotion, valence -0.62\n"
                          "labels: anxious, worried\nassociations: partner, dating")
    assert rs[1].note == "apple state of mind: daily mood, valence 0.3\nlabels: calm, grateful"
    [ex] = list(journal.exercises)
    assert ex.exercise == "mindfulness.breath" and ex.participant == "ana"
    assert ex.time == datetime(2026, 3, 2, 21, 20, tzinfo=tz(60))
    assert ex.end == datetime(2026, 3, 2, 21, 25, tzinfo=tz(60))
    assert ex.id == "apple-mindful-20260302T202000Z"  # the start in UTC
    assert report.rows == 5  # five <Record>s
    assert report.ignored["HKQuantityTypeIdentifierStepCount"] == 1
    assert report.ignored["HKQuantityTypeIdentifierHeartRate"] == 1
    assert report.ignored["<Workout>"] == 1


def test_apple_health_exercise_by_source():
    journal, report = import_apple_health(DATA / "apple_health_export.xml",
                                          exercise_by_source={"Breathe": "breathing.coherent"})
    assert [e.exercise for e in journal.exercises] == ["breathing.coherent"]
    assert report.kept["sourceName → exercise id"] == 1


def test_apple_health_bad_records_name_their_line():
    with pytest.raises(ImportFormatError, match=r"apple_health_bad.xml:5: field 'valence': '1.7'"):
        import_apple_health(DATA / "apple_health_bad.xml")
    journal, report = import_apple_health(DATA / "apple_health_bad.xml", lenient=True)
    assert [(s.line, s.field) for s in report.skipped] == [(5, "valence"), (6, "startDate"), (7, "endDate")]
    assert len(journal.exercises) == 1


def test_apple_health_truncated_xml_names_line_and_column():
    # The file was cut after 1500 bytes, in the middle of line 17.
    for lenient in (False, True):
        with pytest.raises(ImportFormatError, match=r"apple_health_truncated.xml:17: XML is not well-formed"):
            import_apple_health(DATA / "apple_health_truncated.xml", lenient=lenient)


def test_apple_health_other_root_is_refused(tmp_path):
    f = tmp_path / "x.xml"
    f.write_text("<?xml version='1.0'?>\n<Workouts/>\n")
    with pytest.raises(ImportFormatError, match=r"x.xml:2: root element is <Workouts>"):
        import_apple_health(f)


def test_apple_health_unknown_xml_encoding_is_a_format_error(tmp_path):
    # Found by tests/fuzz/fuzz_importers.py: an unknown codec in the XML
    # declaration escaped as LookupError, which is not a ValueError.
    # Then a multi-byte codec (UTF-7) that expat refuses with a ValueError.
    f = tmp_path / "enc.xml"
    for codec in (b"UTF-4", b"UTF-7"):
        f.write_bytes(b'<?xml version="1.0" encoding="' + codec + b'"?>\n<HealthData locale="en"/>\n')
        for lenient in (False, True):
            with pytest.raises(ImportFormatError, match=r"enc.xml:1: .*encoding calmkit cannot read"):
                import_apple_health(f, lenient=lenient)


def test_apple_health_streams_with_bounded_memory(tmp_path):
    # 40 000 heart-rate records (about 10 MB) and 400 mindful sessions. Parsing
    # the whole tree would hold every element (well over 10 MB of Python
    # objects); streaming with clear() keeps the peak to the imported records.
    f = tmp_path / "export.xml"
    start = datetime(2026, 1, 1, tzinfo=tz(60))
    with open(f, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n')
        for i in range(40_400):
            t = start + timedelta(minutes=10 * i)
            s = t.strftime("%Y-%m-%d %H:%M:%S +0100")
            e = (t + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S +0100")
            kind = "HKCategoryTypeIdentifierMindfulSession" if i % 101 == 0 else "HKQuantityTypeIdentifierHeartRate"
            out.write(f' <Record type="{kind}" sourceName="Watch of Someone" sourceVersion="10.2" '
                      f'unit="count/min" creationDate="{s}" startDate="{s}" endDate="{e}" value="72"/>\n')
        out.write("</HealthData>\n")
    size = f.stat().st_size
    assert size > 9_000_000
    tracemalloc.start()
    try:
        journal, report = import_apple_health(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(journal.exercises) == 400  # i = 0, 101, ..., 40299
    assert report.ignored["HKQuantityTypeIdentifierHeartRate"] == 40_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte file"


# --------------------------------------------------------------------------
# mindLAMP
# --------------------------------------------------------------------------

def test_mindlamp_breathe_journal_and_dbt():
    journal, report = import_mindlamp(DATA / "mindlamp_events.json", tz="Europe/Berlin")
    # 1772482440000 ms = 2026-03-02T20:14:00Z = 21:14 in Berlin (+01:00).
    [ex] = list(journal.exercises)
    assert ex.exercise == "breathing.coherent"
    assert ex.time == datetime(2026, 3, 2, 21, 14, tzinfo=tz(60))
    assert ex.end == datetime(2026, 3, 2, 21, 19, tzinfo=tz(60))  # duration 300 000 ms = 5 min
    rs = readings(journal)
    assert [(r.time, r.intensity) for r in rs] == [
        (datetime(2026, 3, 3, 21, 14, tzinfo=tz(60)), 3),  # journal, sentiment good
        (datetime(2026, 3, 4, 21, 14, tzinfo=tz(60)), 8),  # DBT: max(sadness 3, fear 4) = 4/5 -> 8
    ]
    assert rs[0].note == "mindlamp journal (good)\nTalked it through, felt heard"
    assert rs[1].note == ("mindlamp DBT diary card\nemotions: Sadness 3/5, Fear 4/5, Joy 1/5\n"
                          "urges: Self-harm 0/5; Text him again 4/5\nother: Used skills: yes")
    # The journal entry without a sentiment is kept in the report, not dropped.
    [u] = report.unmapped
    assert u.item == 2 and u.content["static_data"]["text"] == "Just a list of errands"
    # Unknown activities are skipped and reported even in strict mode.
    assert [(s.item, s.field) for s in report.skipped] == [(4, "activity"), (5, "activity")]
    assert "lamp.survey" in report.skipped[0].message
    assert report.rows == 6


def test_mindlamp_activity_specs_by_argument():
    # The argument's specs win over the file's: the survey activity (item 4,
    # 90 000 ms) is read as breathing, so there are two exercise sessions.
    journal, report = import_mindlamp(DATA / "mindlamp_events.json", utc_offset=0,
                                      activities={"act-sv": "lamp.breathe"})
    assert len(journal.exercises) == 2
    assert [s.item for s in report.skipped] == [5]


def test_mindlamp_malformed_events():
    with pytest.raises(ImportFormatError, match=r"mindlamp_bad.json: item 1: field 'timestamp'"):
        import_mindlamp(DATA / "mindlamp_bad.json", utc_offset=0)
    journal, report = import_mindlamp(DATA / "mindlamp_bad.json", utc_offset=0, lenient=True)
    assert [(s.item, s.field) for s in report.skipped] == [
        (1, "timestamp"), (2, "end"), (3, "temporal_slices")]
    assert len(journal.exercises) == 1
    with pytest.raises(ImportFormatError, match=r"mindlamp_truncated.json:11: not valid JSON at column"):
        import_mindlamp(DATA / "mindlamp_truncated.json", utc_offset=0, lenient=True)


def test_report_summary_lists_every_outcome():
    _, report = import_mindlamp(DATA / "mindlamp_events.json", utc_offset=0)
    text = report.summary()
    assert "6 rows examined" in text
    assert "breathe → exercise breathing.coherent" in text
    assert "journal (kept in report.unmapped)" in text
    assert text.count("skipped") == 2


# B9 (breaker2): a scales= key Bearable does not have was silently ignored (the
# default 0-4 scale was used for {"symptom": (1, 5)}); odd value shapes gave
# bare TypeErrors.
def _bearable_anxiety(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("date,date formatted,weekday,time of day,category,rating/amount,detail,notes\n"
                 "3rd Mar 2026,2026-03-03,Tuesday,am,Symptom,2,Anxiety,\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("key", ["anxiety", "symptom", "Symptom", " anxiety "])
def test_bearable_symptom_is_the_anxiety_scale(tmp_path, key):
    journal, _ = import_bearable(_bearable_anxiety(tmp_path), tz="UTC", scales={key: (1, 5)})
    # 2 on a 1-5 scale: 10 * (2 - 1) / 4 = 2.5, rounded half up to 3.
    assert [r.intensity for r in journal.readings] == [3]


@pytest.mark.parametrize("scales, message", [
    ({"moood": (1, 5)}, r"unknown scale 'moood' in scales=: use one of 'mood', 'anxiety', 'symptom'"),
    ({"energy": (1, 5)}, r"unknown scale 'energy'"),
    ({3: (1, 5)}, r"unknown scale 3"),
    ({"mood": ("1", "5")}, r"scales\['mood'\] must be a pair \(low, high\) of numbers .* \(not numbers\)"),
    ({"mood": (1, 5, 9)}, r"scales\['mood'\] must be a pair \(low, high\).*got \(1, 5, 9\)"),
    ({"mood": 5}, r"scales\['mood'\] must be a pair"),
    ({"mood": "15"}, r"scales\['mood'\] must be a pair"),
    ({"mood": (5, 1)}, r"low < high"),
    ({"mood": (1, float("nan"))}, r"low < high"),
    ({"mood": (True, 5)}, r"not numbers"),
    ({"anxiety": (0, 4), "symptom": (1, 5)}, r"gives the anxiety scale twice \('anxiety' and 'symptom'\)"),
    ([("mood", (1, 5))], r"scales must be a mapping"),
])
def test_bearable_bad_scales_are_refused_clearly(tmp_path, scales, message):
    with pytest.raises(ValueError, match=message):
        import_bearable(_bearable_anxiety(tmp_path), tz="UTC", scales=scales)


def test_bearable_scales_take_numpy_numbers(tmp_path):
    import numpy as np
    journal, _ = import_bearable(_bearable_anxiety(tmp_path), tz="UTC", scales={"anxiety": np.array([1, 5])})
    assert [r.intensity for r in journal.readings] == [3]


# --- the arguments every importer shares, checked before the export is read --------

def _any_import(app, **kwargs):
    if app == "daylio":
        return import_daylio(DATA / "daylio_export.csv", utc_offset=0, **kwargs)
    if app == "bearable":
        return import_bearable(DATA / "bearable_export.csv", utc_offset=0, **kwargs)
    if app == "apple_health":
        return import_apple_health(DATA / "apple_health_export.xml", **kwargs)
    return import_mindlamp(DATA / "mindlamp_events.json", utc_offset=0, **kwargs)


APPS = ["daylio", "bearable", "apple_health", "mindlamp"]


@pytest.mark.parametrize("app", APPS)
def test_a_bad_participant_is_refused_as_the_argument(app):
    with pytest.raises(TypeError, match=r"^participant= must be a string, got null"):
        _any_import(app, participant=None)
    with pytest.raises(TypeError, match=r"^participant= must be a string"):
        _any_import(app, participant=b"ana")
    # Text the model refuses (a lone surrogate is no character): its words, naming the argument.
    with pytest.raises(ValueError, match=r"^participant='\\ud800': is not valid UTF-8") as caught:
        _any_import(app, participant="\ud800")
    assert not isinstance(caught.value, calmkit.ImportFormatError)


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("flag", ["no", 1, None])
def test_lenient_must_be_true_or_false(app, flag):
    # lenient="no" read by its truth value would skip bad rows the caller wanted to see.
    with pytest.raises(TypeError, match=r"lenient= must be True or False"):
        _any_import(app, lenient=flag)


@pytest.mark.parametrize("app", ["daylio", "bearable"])
@pytest.mark.parametrize("encoding, error, message", [
    (b"utf-8", TypeError, r"encoding= must be the name of a codec \(str\)"),
    ("no-such-codec", ValueError, r"unknown encoding 'no-such-codec' in encoding="),
    ("base64", ValueError, r"encoding='base64' is not a text encoding"),
])
def test_a_bad_encoding_is_refused_as_the_argument(app, encoding, error, message):
    with pytest.raises(error, match=message) as caught:
        _any_import(app, encoding=encoding)
    assert not isinstance(caught.value, calmkit.ImportFormatError)


@pytest.mark.parametrize("by_source, message", [
    (["Headspace", "mindfulness.body-scan"], r"exercise_by_source must be a mapping .* got list"),
    ("Headspace", r"exercise_by_source must be a mapping .* got str"),
    ({5: "mindfulness.body-scan"}, r"exercise_by_source: a key is int 5"),
    ({"Headspace": ""}, r"exercise_by_source\['Headspace'\]: must not be empty"),
    ({"Headspace": 5}, r"exercise_by_source\['Headspace'\]: must be a string, got a number"),
])
def test_a_bad_exercise_by_source_is_refused_before_reading(by_source, message):
    with pytest.raises(ValueError, match=message) as caught:
        import_apple_health(DATA / "apple_health_export.xml", exercise_by_source=by_source)
    assert not isinstance(caught.value, calmkit.ImportFormatError)
    journal, _ = import_apple_health(DATA / "apple_health_export.xml",
                                     exercise_by_source={"Headspace": "mindfulness.body-scan"})
    assert len(journal.exercises) >= 1


# --- HKTimeZone: the zone a sample was recorded in -----------------------------------
# HealthKit's HKMetadataKeyTimeZone is "the user's time zone when the HealthKit
# object was created"; the export writes every time at the phone's offset on the
# day of the export. zoneinfo (the same tzdata) gives the offset at each instant.

def _recorded_in(tmp_path, zone, kind="mindful"):
    if kind == "mindful":
        record = ('<Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Headspace" '
                  'startDate="2026-11-01 06:30:00 +0100" endDate="2026-11-01 07:30:00 +0100">')
    else:
        record = ('<Record type="HKStateOfMindTypeIdentifier" sourceName="Health" kind="dailyMood" '
                  'valence="0.5" startDate="2026-11-01 06:30:00 +0100" endDate="2026-11-01 06:30:00 +0100">')
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
                    f' {record}\n  <MetadataEntry key="HKTimeZone" value="{zone}"/>\n </Record>\n</HealthData>\n',
                    encoding="utf-8")
    return import_apple_health(path)


def test_a_session_across_a_daylight_saving_change_takes_each_instants_offset(tmp_path):
    from zoneinfo import ZoneInfo
    # 05:30Z-06:30Z on 2026-11-01 is 01:30 EDT to 01:30 EST in New York: the clock read 01:30 twice.
    journal, report = _recorded_in(tmp_path, "America/New_York")
    (s,) = journal.exercises
    zone = ZoneInfo("America/New_York")
    assert s.time.isoformat() == s.time.astimezone(zone).isoformat() == "2026-11-01T01:30:00-04:00"
    assert s.end.isoformat() == s.end.astimezone(zone).isoformat() == "2026-11-01T01:30:00-05:00"
    assert s.id == "apple-mindful-20261101T053000Z" and not report.warnings


def test_a_state_of_mind_sample_keeps_the_local_time_it_was_recorded_at(tmp_path):
    journal, _ = _recorded_in(tmp_path, "Asia/Kolkata", kind="state_of_mind")
    (r,) = journal.readings
    assert r.time.isoformat() == "2026-11-01T11:00:00+05:30"


@pytest.mark.parametrize("zone", ["Nowhere/Atlantis", "GMT+1", "", "CET-1CEST,M3.5.0,M10.5.0/3"])
def test_an_hktimezone_that_is_no_zone_of_tzdata_keeps_the_exports_offset(tmp_path, zone):
    # Never read as a POSIX rule: "GMT+1" in POSIX is an hour west of UTC, the other way round.
    journal, report = _recorded_in(tmp_path, zone)
    (s,) = journal.exercises
    assert s.time.isoformat() == "2026-11-01T06:30:00+01:00"
    (warning,) = report.warnings
    assert warning.startswith(f"HKTimeZone {zone!r} of 1 record(s) (line 3) is no time zone")


def test_a_byte_order_mark_before_the_ios16_doctype_in_export_zip(tmp_path):
    # XML 1.0 section 4.3.3: a UTF-8 entity may start with a byte-order mark; the
    # DOCTYPE after it (malformed since iOS 16) is skipped as without one.
    import zipfile
    plain = DATA / "apple_health" / "ios16_export.xml"
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("apple_health_export/export.xml", b"\xef\xbb\xbf" + plain.read_bytes())
    a, ra = import_apple_health(plain)
    b, rb = import_apple_health(archive)
    assert [(r.time, r.intensity) for r in a.readings] == [(r.time, r.intensity) for r in b.readings]
    assert [(s.id, s.time, s.end) for s in a.exercises] == [(s.id, s.time, s.end) for s in b.exercises]
    assert (rb.rows, rb.ignored) == (ra.rows, ra.ignored) and len(b) == 3


@pytest.mark.parametrize("full_date, date, same", [
    ("2026-03-02", "2. März", True),
    ("2026-03-02", "2 de marzo", True),
    ("2028-02-29", "February 29", True),
    ("2026-03-02", "2 марта", True),  # no Russian month names: not compared, read on full_date
    ("2026-03-02", "3月2日", True),
    ("2026-03-02", "3. März", False),
    ("2027-01-01", "December 31", False),
    ("2026-02-28", "February 29", False),
])
def test_daylio_date_and_full_date_must_name_one_day(tmp_path, full_date, date, same):
    path = tmp_path / "daylio_export.csv"
    weekday = datetime.fromisoformat(full_date).strftime("%A")  # the weekday column agrees with full_date
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                    f"{full_date},{date},{weekday},9:14 pm,good,work,,\n"
                    f"{full_date},{date},{weekday},9:15 pm,good,work,,\n", encoding="utf-8")
    if same:
        journal, _ = import_daylio(path, utc_offset=0)
        assert [r.time.date().isoformat() for r in journal.readings] == [full_date] * 2
        return
    with pytest.raises(calmkit.ImportFormatError, match=(
            rf"daylio_export.csv:2: field 'date': '{date}' is not the same day as full_date '{full_date}'")):
        import_daylio(path, utc_offset=0)
    journal, report = import_daylio(path, utc_offset=0, lenient=True)
    assert len(journal) == 0 and [(s.line, s.field) for s in report.skipped] == [(2, "date"), (3, "date")]
