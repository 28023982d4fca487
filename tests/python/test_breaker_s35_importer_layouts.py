"""Importers against an independent reading of the same file.

Apple Health: an ``export.xml`` in the layout of HealthKit Export Version 13
(the DTD header, ``HKQuantityTypeIdentifierHeartRateVariabilitySDNN`` records
with a ``HeartRateVariabilityMetadataList`` of ``InstantaneousBeatsPerMinute``,
heart-rate records with ``MetadataEntry`` children, a ``Correlation``, a
``Workout``) holding mindful sessions at offsets from -09:30 to +14:00. The
reference is ``xml.etree.ElementTree`` on the same text and ``datetime.strptime``
of each ``startDate``/``endDate`` (Apple's ``%Y-%m-%d %H:%M:%S %z``).

Daylio: a ``full_date,date,weekday,time,mood,activities,note_title,note``
export with 12- and 24-hour times, read against ``zoneinfo`` (no time near a
daylight-saving change, where calmkit documents its own rule).
"""

from __future__ import annotations

import csv
import random
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import calmkit

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
<!ELEMENT HeartRateVariabilityMetadataList (InstantaneousBeatsPerMinute*)>
<!ELEMENT InstantaneousBeatsPerMinute EMPTY>
<!ATTLIST InstantaneousBeatsPerMinute
  bpm  CDATA #REQUIRED
  time CDATA #REQUIRED
>
]>
<HealthData locale="en_FR">
 <ExportDate value="2026-03-09 08:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>
"""

DEVICE = ("&lt;&lt;HKDevice: 0x2837a4e10&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
          "hardware:Watch6,2, software:8.5&gt;")
OFFSETS = [-570, -300, -180, 0, 60, 120, 330, 345, 525, 765, 840]  # minutes east of UTC


def _apple_text(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    return f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"


def _export(rng: random.Random) -> str:
    lines = [HEADER]
    t = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
    for n in range(300):
        t += timedelta(minutes=rng.randint(7, 600), seconds=rng.randint(0, 59))
        off = rng.choice(OFFSETS)

        def stamp(when: datetime, off: int = off) -> str:
            shown = when.astimezone(timezone(timedelta(minutes=off)))
            return shown.strftime("%Y-%m-%d %H:%M:%S ") + _apple_text(off)

        kind = n % 5
        if kind == 0:
            end = t + timedelta(seconds=rng.choice([0, 60, 300, 612]))
            lines.append(f' <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Headspace" '
                         f'sourceVersion="10878" creationDate="{stamp(end)}" startDate="{stamp(t)}" '
                         f'endDate="{stamp(end)}"/>')
        elif kind == 1:
            lines.append(f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Apple Watch" '
                         f'sourceVersion="8.5" device="{DEVICE}" unit="ms" creationDate="{stamp(t)}" '
                         f'startDate="{stamp(t)}" endDate="{stamp(t + timedelta(seconds=60))}" value="41.7">')
            lines.append("  <HeartRateVariabilityMetadataList>")
            for k in range(3):
                lines.append(f'   <InstantaneousBeatsPerMinute bpm="{60 + k}" time="7:04:4{k}.12 PM"/>')
            lines.append("  </HeartRateVariabilityMetadataList>")
            lines.append(" </Record>")
        elif kind == 2:
            lines.append(f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch" '
                         f'sourceVersion="8.5" device="{DEVICE}" unit="count/min" creationDate="{stamp(t)}" '
                         f'startDate="{stamp(t)}" endDate="{stamp(t)}" value="71">')
            lines.append('  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>')
            lines.append(" </Record>")
        elif kind == 3:
            lines.append(f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" '
                         f'creationDate="{stamp(t)}" startDate="{stamp(t)}" endDate="{stamp(t)}">')
            lines.append(f'  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Omron" '
                         f'unit="mmHg" startDate="{stamp(t)}" endDate="{stamp(t)}" value="121"/>')
            lines.append(" </Correlation>")
            lines.append(f' <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Omron" '
                         f'unit="mmHg" startDate="{stamp(t)}" endDate="{stamp(t)}" value="121"/>')
        else:
            lines.append(f' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="14.9" '
                         f'durationUnit="min" sourceName="Apple Watch" startDate="{stamp(t)}" '
                         f'endDate="{stamp(t + timedelta(minutes=15))}">')
            lines.append('  <MetadataEntry key="HKIndoorWorkout" value="0"/>')
            lines.append(" </Workout>")
    lines.append("</HealthData>")
    return "\n".join(lines) + "\n"


def test_mindful_sessions_and_record_counts_match_elementtree(tmp_path: Path) -> None:
    text = _export(random.Random(35))
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    journal, report = calmkit.import_apple_health(path)

    root = ET.fromstring(text.encode("utf-8"))
    top = [e for e in root if e.tag == "Record"]
    fmt = "%Y-%m-%d %H:%M:%S %z"
    sessions = sorted((datetime.strptime(e.get("startDate"), fmt), datetime.strptime(e.get("endDate"), fmt))
                      for e in top if e.get("type") == "HKCategoryTypeIdentifierMindfulSession")
    got = sorted((s.time, s.end) for s in journal.exercises)
    assert len(got) == len(sessions) == 60
    for (start, end), (g_start, g_end) in zip(sessions, got):
        assert (g_start, g_end) == (start, end)  # the same instants
        assert g_start.utcoffset() == start.utcoffset() and g_end.utcoffset() == end.utcoffset()

    assert report.rows == len(top)
    others = Counter(e.get("type") for e in top if e.get("type") != "HKCategoryTypeIdentifierMindfulSession")
    assert {k: report.ignored[k] for k in others} == dict(others)
    assert report.ignored["<Workout>"] == sum(1 for e in root if e.tag == "Workout")
    assert report.ignored["<Correlation>"] == sum(1 for e in root if e.tag == "Correlation")


MOODS = {"rad": 1, "good": 3, "meh": 5, "bad": 7, "awful": 9}


def test_daylio_times_and_moods_match_zoneinfo(tmp_path: Path) -> None:
    rng = random.Random(350)
    zone = ZoneInfo("America/Sao_Paulo")  # no daylight saving since 2019
    rows, expected = [], []
    day = datetime(2024, 1, 1)
    for n in range(400):
        day += timedelta(days=rng.randint(0, 2))
        h, m = rng.randint(0, 23), rng.randint(0, 59)
        twelve = f"{(h % 12) or 12}:{m:02d} {'am' if h < 12 else 'pm'}"
        clock = rng.choice([twelve, twelve.upper(), f"{h:02d}:{m:02d}"])
        mood = rng.choice(list(MOODS))
        acts = " | ".join(rng.sample(["friends", "work", "movies / tv", "sport", "good sleep"], rng.randint(0, 3)))
        rows.append([day.strftime("%Y-%m-%d"), day.strftime("%B %-d"), day.strftime("%A"), clock,
                     mood if n % 7 else mood.capitalize(), acts, "" if n % 3 else f"title {n}",
                     f"line one {n}\nline, two \"quoted\""])
        expected.append((day.replace(hour=h, minute=m, tzinfo=zone), MOODS[mood]))
    path = tmp_path / "daylio_export.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"])
        writer.writerows(rows)
    journal, report = calmkit.import_daylio(path, tz="America/Sao_Paulo")
    assert report.rows == len(rows) and not report.skipped and not report.adjusted
    got = sorted((r.time, r.intensity) for r in journal.readings)
    want = sorted(expected)
    assert [g[1] for g in got] == [w[1] for w in want]
    for (g_time, _), (w_time, _) in zip(got, want):
        assert g_time == w_time and g_time.utcoffset() == w_time.utcoffset()
