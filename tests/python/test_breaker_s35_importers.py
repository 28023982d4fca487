"""The importers against what the apps' own files say.

mindLAMP: the LAMP app's breathe activity (BIDMCDigitalPsychiatry/LAMP-activities,
``Breathe/src/components/Breathe.tsx``) posts one ActivityEvent per visit:
``{"timestamp", "duration", "static_data": {"sentiment": "Yes" | "No"},
"temporal_slices": [], "done": true}`` when the person pressed Done after the
exercise and answered "Was this helpful today?", and ``{"timestamp",
"duration", "temporal_slices": [], "forward": false, "clickBack": true}`` when
they left with the back arrow, before or during the breathing. The LAMP
dashboard stores every such message that has a timestamp as an ActivityEvent
(BIDMCDigitalPsychiatry/LAMP-dashboard, ``src/components/EmbeddedActivity.tsx``,
``handleSaveData``: it sets ``activity``, ``timestamp`` and ``duration`` and keeps
the other fields), so both kinds reach an export.

The report: docs/importing.md promises that ``report.mapped`` counts "what
became which record" and that every row is accounted for; a row the journal
refused is in ``report.skipped``, so it cannot also be one that became a record.
The files are built in tmp_path in the apps' layouts; the reference is the
file itself (how many rows hold a valid record) and the journal calmkit returns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit

T0 = 1772482440000  # 2026-03-02T20:14:00Z in milliseconds


def _lamp(tmp_path: Path, events: list[dict]) -> Path:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


def _exercises(journal) -> list:
    return list(journal.exercises)


# --- the breathe activity as the LAMP app writes it ---------------------------------

DONE = {"timestamp": T0, "duration": 185000, "static_data": {"sentiment": "No"},
        "temporal_slices": [], "done": True, "activity": "a1"}
BACK = {"timestamp": T0 + 3_600_000, "duration": 4000, "temporal_slices": [], "forward": False,
        "clickBack": True, "activity": "a1"}


def test_a_finished_breathe_visit_is_a_completed_session(tmp_path: Path) -> None:
    journal, report = calmkit.import_mindlamp(_lamp(tmp_path, [DONE]), utc_offset=0,
                                              activities={"a1": "lamp.breathe"})
    (session,) = _exercises(journal)
    assert session.completed is True
    assert (session.end - session.time).total_seconds() == 185.0


def test_a_breathe_visit_left_with_the_back_arrow_is_not_a_completed_session(tmp_path: Path) -> None:
    journal, report = calmkit.import_mindlamp(_lamp(tmp_path, [DONE, BACK]), utc_offset=0,
                                              activities={"a1": "lamp.breathe"})
    back = [s for s in _exercises(journal) if (s.end - s.time).total_seconds() == 4.0]
    # Either not a session at all (kept in the report) or a session marked not completed.
    assert not back or back[0].completed is False
    assert len(back) == 1 or report.unmapped or report.skipped


def test_the_breathe_helpfulness_answer_is_not_dropped_silently(tmp_path: Path) -> None:
    path = _lamp(tmp_path, [DONE])
    journal, report = calmkit.import_mindlamp(path, utc_offset=0, activities={"a1": "lamp.breathe"})
    said = " ".join([*report.kept, *report.ignored, *(u.kind for u in report.unmapped),
                     *(str(u.content) for u in report.unmapped),
                     report.summary().replace(str(path), "")]).lower()  # the path holds the test's name
    assert "sentiment" in said or "helpful" in said


# --- what report.mapped counts ------------------------------------------------------


def test_mindlamp_mapped_counts_only_records_that_reached_the_journal(tmp_path: Path) -> None:
    events = [{"timestamp": T0, "duration": 300000, "spec": "lamp.breathe"},
              {"timestamp": T0 + 60_000, "duration": -5, "spec": "lamp.breathe"}]  # end before time
    journal, report = calmkit.import_mindlamp(_lamp(tmp_path, events), utc_offset=0, lenient=True)
    assert len(_exercises(journal)) == 1 and len(report.skipped) == 1
    assert sum(report.mapped.values()) + len(report.skipped) + len(report.unmapped) == report.rows == 2
    assert sum(report.mapped.values()) == len(journal)


APPLE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 11 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-03-09 08:00:00 +0100"/>
 <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Headspace" sourceVersion="10878" \
creationDate="2026-03-02 19:32:46 +0100" startDate="2026-03-02 19:21:15 +0100" endDate="2026-03-02 19:32:46 +0100"/>
 <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Headspace" sourceVersion="10878" \
creationDate="1300-03-02 19:32:46 +0100" startDate="1300-03-02 19:21:15 +0100" endDate="1300-03-02 19:32:46 +0100"/>
</HealthData>
"""


def test_apple_health_mapped_counts_only_records_that_reached_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(APPLE.replace("\\\n", ""), encoding="utf-8")
    journal, report = calmkit.import_apple_health(path, lenient=True)
    assert report.rows == 2 and len(report.skipped) == 1 and len(journal) == 1
    assert sum(report.mapped.values()) == len(journal)


# --- HKTimeZone: "the user's time zone when the HealthKit object was created" -------
# (Apple's documentation of HKMetadataKeyTimeZone). The journal format keeps each
# time's offset as "the person's local time when it happened"; zoneinfo gives that
# zone's offset at the session's instant.

SESSION = """<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <ExportDate value="2026-03-09 08:00:00 +0100"/>
 <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Sam’s Apple Watch" sourceVersion="8.5" \
creationDate="2026-03-06 13:10:00 +0100" startDate="2026-03-06 13:00:00 +0100" endDate="2026-03-06 13:10:00 +0100" \
value="HKCategoryValueNotApplicable">
  <MetadataEntry key="HKTimeZone" value="{zone}"/>
 </Record>
</HealthData>
"""


def _session_offset(tmp_path: Path, zone: str) -> tuple[object, object]:
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    path = tmp_path / "export.xml"
    path.write_text(SESSION.replace("{zone}", zone), encoding="utf-8")
    journal, _ = calmkit.import_apple_health(path)
    (session,) = _exercises(journal)
    instant = datetime(2026, 3, 6, 12, 0, tzinfo=timezone.utc)
    assert session.time == instant  # the instant is right either way
    return session.time.utcoffset(), instant.astimezone(ZoneInfo(zone)).utcoffset()


def test_a_session_recorded_in_the_export_zone_keeps_its_offset(tmp_path: Path) -> None:
    got, expected = _session_offset(tmp_path, "Europe/Berlin")
    assert got == expected


def test_a_session_recorded_in_another_zone_keeps_the_local_time_it_was_recorded_at(tmp_path: Path) -> None:
    got, expected = _session_offset(tmp_path, "America/New_York")
    assert got == expected


# --- activities= as the LAMP API answers Activity.all_by_study ---------------------
# The command line reads --activities FILE holding the API's answer {"data": [...]}
# (docs/importing.md); the same object handed to activities= from Python is a
# mapping, but not one of id -> spec.

API_ACTIVITIES = {"data": [{"id": "a1", "spec": "lamp.breathe", "name": "Breathe", "settings": {},
                            "schedule": []}]}


def test_the_command_line_reads_the_api_answer_for_activities(tmp_path: Path) -> None:
    import subprocess
    import sys

    events = _lamp(tmp_path, [DONE])
    acts = tmp_path / "activities.json"
    acts.write_text(json.dumps(API_ACTIVITIES), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "calmkit", "import", "mindlamp", str(events), "--activities",
                           str(acts), "--utc-offset", "0", "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(list(calmkit.read_journal(out).exercises)) == 1


def test_activities_given_the_api_answer_is_read_or_refused(tmp_path: Path) -> None:
    try:
        journal, report = calmkit.import_mindlamp(_lamp(tmp_path, [DONE]), utc_offset=0,
                                                  activities=API_ACTIVITIES)
    except ValueError as e:  # a clear refusal naming the argument is fine too
        assert "activities" in str(e)
        return
    assert len(_exercises(journal)) == 1


# --- exercise_by_source= with a value that is no exercise id -----------------------
# Daylio's mood_map= and Bearable's scales= refuse a bad value with a ValueError
# naming the argument before the file is read; the export itself is fine here.

@pytest.mark.parametrize("value", [5, None, ""])
def test_a_bad_exercise_by_source_value_is_refused_as_the_argument(tmp_path: Path, value) -> None:
    path = tmp_path / "export.xml"
    path.write_text(APPLE.replace("\\\n", ""), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        calmkit.import_apple_health(path, exercise_by_source={"Headspace": value})
    assert not isinstance(caught.value, calmkit.ImportFormatError), caught.value
    assert "exercise_by_source" in str(caught.value)


@pytest.mark.parametrize("activities", [{"a1": None}, {"a1": ["lamp.breathe"]}, [{"id": "a1", "spec": None}]])
def test_activities_whose_spec_is_not_text_is_refused(tmp_path: Path, activities) -> None:
    with pytest.raises(ValueError, match="activities"):
        calmkit.import_mindlamp(_lamp(tmp_path, [DONE]), utc_offset=0, activities=activities)


# --- participant= that is not text ---------------------------------------------------

def _daylio_file(tmp_path: Path) -> Path:
    path = tmp_path / "daylio_export.csv"
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                    "2026-03-02,March 2,Monday,9:14 pm,good,work | friends,,\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("app", ["daylio", "apple_health", "mindlamp"])
def test_a_participant_that_is_not_text_is_refused_as_the_argument(tmp_path: Path, app) -> None:
    if app == "daylio":
        call = lambda: calmkit.import_daylio(_daylio_file(tmp_path), utc_offset=0, participant=5)  # noqa: E731
    elif app == "apple_health":
        path = tmp_path / "export.xml"
        path.write_text(APPLE.replace("\\\n", ""), encoding="utf-8")
        call = lambda: calmkit.import_apple_health(path, participant=5)  # noqa: E731
    else:
        call = lambda: calmkit.import_mindlamp(_lamp(tmp_path, [DONE]), utc_offset=0,  # noqa: E731
                                               activities={"a1": "lamp.breathe"}, participant=5)
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert not isinstance(caught.value, calmkit.ImportFormatError), caught.value
    assert "participant" in str(caught.value)


# --- encoding= that is not text -------------------------------------------------------

@pytest.mark.parametrize("encoding", [5, None])
def test_an_encoding_that_is_not_text_gets_an_error_naming_it(tmp_path: Path, encoding) -> None:
    with pytest.raises((TypeError, ValueError), match="encoding"):
        calmkit.import_daylio(_daylio_file(tmp_path), utc_offset=0, encoding=encoding)


# --- two columns of one row naming different days ---------------------------------
# Daylio writes each entry's day twice, full_date (2026-03-02) and date in the
# phone's language ("March 2"); Bearable writes date and date formatted, and
# calmkit refuses a Bearable row whose two disagree.

def test_bearable_refuses_date_and_date_formatted_naming_different_days(tmp_path: Path) -> None:
    path = tmp_path / "bearable.csv"
    path.write_text("date,date formatted,weekday,time of day,category,rating/amount,detail,notes\n"
                    "2nd Mar 2026,2026-03-05,Monday,am,Mood,4,,\n", encoding="utf-8")
    with pytest.raises(calmkit.ImportFormatError) as caught:
        calmkit.import_bearable(path, utc_offset=0)
    assert caught.value.line == 2 and caught.value.field == "date formatted"


def test_daylio_refuses_full_date_and_date_naming_different_days(tmp_path: Path) -> None:
    path = tmp_path / "daylio_export.csv"
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                    "2026-03-02,March 5,Thursday,9:14 pm,good,work,,\n", encoding="utf-8")
    with pytest.raises(calmkit.ImportFormatError) as caught:
        calmkit.import_daylio(path, utc_offset=0)
    assert caught.value.line == 2 and caught.value.field in ("date", "full_date")


def test_daylio_reads_a_row_whose_two_dates_agree(tmp_path: Path) -> None:
    path = tmp_path / "daylio_export.csv"
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                    "2026-03-02,March 2,Monday,9:14 pm,good,work,,\n", encoding="utf-8")
    journal, _ = calmkit.import_daylio(path, utc_offset=0)
    (reading,) = journal.readings
    assert reading.time.isoformat() == "2026-03-02T21:14:00+00:00" and reading.intensity == 3


# --- an export.xml that starts with a UTF-8 byte-order mark -------------------------
# XML 1.0 (section 4.3.3, appendix F) allows a byte-order mark before the XML
# declaration of a UTF-8 entity; an editor re-saving the file (Notepad) or a
# Windows tool writing it adds one. The CSV and JSON importers read past it.

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "importers" / "apple_health"


def _with_and_without_bom(tmp_path: Path, name: str):
    plain = FIXTURES / name
    marked = tmp_path / "export.xml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a, ra = calmkit.import_apple_health(plain)
    b, rb = calmkit.import_apple_health(marked)
    return (a, ra), (b, rb)


def test_a_byte_order_mark_before_a_well_formed_doctype_is_read_past(tmp_path: Path) -> None:
    (a, ra), (b, rb) = _with_and_without_bom(tmp_path, "ios15_mindful_sessions.xml")
    assert [(s.id, s.time, s.end) for s in a.exercises] == [(s.id, s.time, s.end) for s in b.exercises]
    assert ra.rows == rb.rows


def test_a_byte_order_mark_before_the_ios16_doctype_is_read_past(tmp_path: Path) -> None:
    (a, ra), (b, rb) = _with_and_without_bom(tmp_path, "ios16_export.xml")
    assert len(b) == len(a) == 3 and rb.rows == ra.rows
