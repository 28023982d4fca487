"""Hostile and broken exports: every importer answers with an ImportFormatError
naming file, line (or JSON item and path) and field, never a traceback; lenient
mode skips the bad record, reports it and goes on.

The property tests (hypothesis) feed each importer files built around the
app's real header or shape with arbitrary rows, values and bytes: nothing may
escape but ImportFormatError, and what is imported must be a valid journal.
"""
from __future__ import annotations

import calendar
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calmkit
from calmkit.importers import (
    ImportFormatError,
    detect_format,
    import_apple_health,
    import_bearable,
    import_daylio,
    import_mindlamp,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"


def _events(tmp_path: Path, events) -> Path:
    f = tmp_path / "events.json"
    f.write_text(json.dumps(events), encoding="utf-8")
    return f


def _breathe(ts, duration=60_000):
    return {"timestamp": ts, "duration": duration, "spec": "lamp.breathe"}


# --------------------------------------------------------------------------
# Values Python cannot hold: errors at their record, never tracebacks
# --------------------------------------------------------------------------

def test_mindlamp_duration_of_1e300_and_400_digit_integers(tmp_path):
    f = _events(tmp_path, [_breathe(1772482440000, 1e300), _breathe(10 ** 400),
                           _breathe(1772482440000, 10 ** 400), _breathe(1772482440000)])
    with pytest.raises(ImportFormatError, match=r"events.json: item 0: field 'duration': 1e\+300 ms is out of range"):
        import_mindlamp(f, utc_offset=0)
    journal, report = import_mindlamp(f, utc_offset=0, lenient=True)
    assert [(s.item, s.field) for s in report.skipped] == [(0, "duration"), (1, "timestamp"), (2, "duration")]
    assert len(journal.exercises) == 1


def test_mindlamp_nested_100000_deep(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    for lenient in (False, True):
        with pytest.raises(ImportFormatError, match=r"deep.json: JSON nested too deeply"):
            import_mindlamp(f, utc_offset=0, lenient=lenient)


def test_mindlamp_integer_beyond_python_digit_limit(tmp_path):
    f = tmp_path / "digits.json"
    f.write_text('[{"timestamp": ' + "9" * 5000 + ', "spec": "lamp.breathe"}]')
    with pytest.raises(ImportFormatError, match=r"digits.json: JSON holds a value Python cannot read"):
        import_mindlamp(f, utc_offset=0)


def test_mindlamp_lone_surrogate_in_a_text(tmp_path):
    f = tmp_path / "sur.json"
    f.write_text('[{"timestamp": 1772482440000, "spec": "lamp.journal", '
                 '"static_data": {"text": "bad \\ud800 text", "sentiment": "bad"}},'
                 '{"timestamp": 1772482440000, "spec": "lamp.journal", '
                 '"static_data": {"text": "fine", "sentiment": "good"}}]')
    with pytest.raises(ImportFormatError, match=r"sur.json: item 0: field 'note': text holds a lone UTF-16 surrogate"):
        import_mindlamp(f, utc_offset=0)
    journal, report = import_mindlamp(f, utc_offset=0, lenient=True)
    assert [(s.item, s.field) for s in report.skipped] == [(0, "note")]
    assert [r.intensity for r in journal.readings] == [3]


def test_journal_rule_errors_name_the_source_line_not_a_synthetic_one(tmp_path):
    # The journal holds years 1400..9999; its reader finds the year 1200 after
    # the record was built, and the error still names the export's line.
    f = tmp_path / "y.xml"
    f.write_text('<HealthData locale="en">\n <Record type="HKStateOfMindTypeIdentifier" sourceName="x" '
                 'startDate="1200-03-02 21:14:00 +0100" endDate="1200-03-02 21:14:00 +0100" valence="0"/>\n'
                 ' <Record type="HKStateOfMindTypeIdentifier" sourceName="x" '
                 'startDate="2026-01-01 00:00:00 +0100" endDate="2026-01-01 00:00:00 +0100" valence="0"/>\n'
                 '</HealthData>\n')
    with pytest.raises(ImportFormatError) as e:
        import_apple_health(f)
    assert e.value.path == str(f) and e.value.line == 2 and e.value.field == "time"
    assert "year must be 1400..9999" in str(e.value) and "records imported from" not in str(e.value)
    journal, report = import_apple_health(f, lenient=True)
    assert [s.line for s in report.skipped] == [2] and len(journal.readings) == 1


def test_lenient_mode_goes_on_after_every_kind_of_bad_row(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "0001-01-01,x,x,00:00,rad,,,\n"      # year 1 at UTC+1: before the first instant
                 "2026-02-30,x,x,10:00,rad,,,\n"      # no such day
                 "2026-03-01,x,x,25:00,rad,,,\n"      # no such time
                 "2026-03-01,x,x,10:00,???,,,\n"      # unknown mood
                 "2026-03-01,x,x,10:00\n"              # short row
                 "2026-03-02,x,x,10:00,good,,,fine\n", encoding="utf-8")
    journal, report = import_daylio(f, utc_offset=60, lenient=True)
    assert [s.line for s in report.skipped] == [2, 3, 4, 5, 6]
    assert [s.field for s in report.skipped][1:4] == ["full_date", "time", "mood"]
    assert [r.intensity for r in journal.readings] == [3]
    assert report.rows == 6


def test_cli_names_the_mood_option_and_recognises_the_app(tmp_path, capsys):
    from calmkit import cli

    f = tmp_path / "daylio_export.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "2026-03-02,March 2,Monday,21:14,Exhausted,,,\n", encoding="utf-8")
    out = tmp_path / "j.jsonl"
    code = cli.main(["import", str(f), "-o", str(out), "--tz", "Europe/Berlin"])
    err = capsys.readouterr().err
    assert code != 0
    assert "daylio_export.csv:2: field 'mood': unknown mood 'Exhausted'" in err
    assert "--mood Exhausted=DISTRESS" in err and "mood_map" not in err
    code = cli.main(["import", str(f), "-o", str(out), "--tz", "Europe/Berlin", "--mood", "Exhausted=6"])
    assert code == 0 and "recognised as a daylio export" in capsys.readouterr().out
    assert [r.intensity for r in calmkit.read_journal(out).readings] == [6]
    # Something that is no app's export: the error says to name the format.
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n")
    assert cli.main(["import", str(other), "-o", str(tmp_path / "o.jsonl"), "--tz", "UTC"]) != 0
    assert "cannot tell which app wrote this file" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Property tests: only ImportFormatError escapes
# --------------------------------------------------------------------------

_PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


def _only_format_errors(fn, path: Path, **kwargs) -> None:
    for lenient in (False, True):
        try:
            journal, report = fn(path, lenient=lenient, **kwargs)
        except ImportFormatError as e:
            assert e.path and str(e).startswith(e.path)
            continue
        # What is imported is a valid journal: written and read back unchanged.
        text = calmkit.to_jsonl(journal)
        assert calmkit.to_jsonl(calmkit.parse_journal(text)) == text
        # Every row is accounted for: mapped, kept unmapped, skipped or (Apple
        # Health) ignored by type. (A record the journal reader refuses after
        # it was mapped counts twice, hence >=.)
        accounted = (sum(report.mapped.values()) + len(report.unmapped) + len(report.skipped)
                     + sum(report.ignored.values()))
        assert accounted >= report.rows


_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "rad", "good", "meh", "bad", "awful", "Mood", "Symptom", "Anxiety (Severe)",
                     "pre", "am", "mid", "pm", "all day", "night", "21:14", "9:14 pm", "25:99",
                     "2026-03-02", "3rd Mar 2026", "0001-01-01", "9999-12-31", "31st Feb 2026",
                     "18 May", "2018", "1e300", "nan", "-1", "10", "\ud800", '"', "\x00", "\x0b"]))


def _csv_file(tmp_path: Path, header: str, rows, raw_tail: bytes) -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    f = tmp_path / "export.csv"
    f.write_bytes(header.encode() + b"\n" + buf.getvalue().encode("utf-8", "surrogatepass") + raw_tail)
    return f


@_PROPERTY
@given(header=st.sampled_from(["full_date,date,weekday,time,mood,activities,note_title,note",
                               "full_date,date,weekday,time,mood,activities,note",
                               "year,date,weekday,time,mood,activities,note",
                               "year,date,weekday,time,mood,activities,note,note"]),
       rows=st.lists(st.lists(_cells, min_size=0, max_size=9), max_size=6),
       tail=st.binary(max_size=20))
def test_property_daylio(tmp_path_factory, header, rows, tail):
    f = _csv_file(tmp_path_factory.mktemp("d"), header, rows, tail)
    _only_format_errors(import_daylio, f, tz="Europe/Berlin")


@_PROPERTY
@given(header=st.sampled_from(["date,date formatted,weekday,time of day,category,rating/amount,detail,notes",
                               "date,weekday,time of day,category,rating/amount,detail,notes"]),
       rows=st.lists(st.lists(_cells, min_size=0, max_size=9), max_size=6),
       tail=st.binary(max_size=20))
def test_property_bearable(tmp_path_factory, header, rows, tail):
    f = _csv_file(tmp_path_factory.mktemp("b"), header, rows, tail)
    _only_format_errors(import_bearable, f, utc_offset=60)


_xml_values = st.one_of(st.text(max_size=10), st.sampled_from([
    "2026-03-02 21:14:00 +0100", "0001-01-01 00:00:00 +0100", "9999-12-31 23:59:59 -0100", "-0.5", "1.7",
    "nan", "1e300", "momentaryEmotion", "&lol;", "\x0b", "\x00", "<", "&"]))
_xml_types = st.sampled_from(["HKCategoryTypeIdentifierMindfulSession", "HKStateOfMindTypeIdentifier",
                              "HKQuantityTypeIdentifierHeartRate", ""])


@_PROPERTY
@given(records=st.lists(st.tuples(_xml_types, _xml_values, _xml_values, _xml_values), max_size=5),
       doctype=st.booleans(), cut=st.integers(min_value=0, max_value=4000))
def test_property_apple_health(tmp_path_factory, records, doctype, cut):
    from xml.sax.saxutils import quoteattr

    head = (DATA / "apple_health" / "ios16_export.xml").read_text().split("<HealthData", 1)[0] if doctype else ""
    body = "".join(f' <Record type="{t}" sourceName="x" startDate={quoteattr(s) if "&" not in s else chr(34) + s + chr(34)} '
                   f'endDate={quoteattr(e)} valence={quoteattr(v)}/>\n' for t, s, e, v in records)
    text = head + '<HealthData locale="en">\n' + body + "</HealthData>\n"
    data = text.encode("utf-8", "surrogatepass")
    f = tmp_path_factory.mktemp("a") / "export.xml"
    f.write_bytes(data[:cut] if cut and cut < len(data) else data)
    _only_format_errors(import_apple_health, f)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=8), st.sampled_from([10 ** 400, 1e300, -1, 1772482440000, "lamp.breathe",
                                                     "lamp.journal", "lamp.dbt_diary_card", "emotion",
                                                     "target_effective", "Fear/Worry", "\ud800"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["timestamp", "duration", "spec", "activity",
                                                             "static_data", "temporal_slices", "item", "value",
                                                             "type", "level", "text", "sentiment", "events",
                                                             "activities", "id", "data", "sensor", "error",
                                                             "activity_name", "settings", "schedule"]),
                                            inner, max_size=6)),
    max_leaves=25)


@_PROPERTY
@given(doc=_json)
def test_property_mindlamp(tmp_path_factory, doc):
    f = tmp_path_factory.mktemp("m") / "events.json"
    f.write_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    _only_format_errors(import_mindlamp, f, tz="America/New_York")


@_PROPERTY
@given(events=st.lists(st.fixed_dictionaries({
    "timestamp": st.one_of(st.integers(), st.floats(), st.just(1772482440000)),
    "spec": st.sampled_from(["lamp.breathe", "lamp.journal", "lamp.dbt_diary_card"]),
    "duration": st.one_of(st.integers(), st.floats(allow_nan=False)),
    "static_data": st.fixed_dictionaries({"sentiment": st.sampled_from(["good", "bad", ""]),
                                          "text": st.text(max_size=5), "effort": _json}),
    "temporal_slices": st.lists(st.fixed_dictionaries({
        "item": st.sampled_from(["Sadness", "Joy", "Fear/Worry", "Self-Harm", "Wise mind"]),
        "value": st.one_of(st.integers(-2, 7), st.floats(allow_nan=False), st.text(max_size=3), st.none()),
        "type": st.one_of(st.none(), st.text(max_size=3)),
        "level": st.sampled_from(["emotion", "target_effective", "target_ineffective", "skill", "other"])}),
        max_size=5)}), max_size=5))
def test_property_mindlamp_events(tmp_path_factory, events):
    f = tmp_path_factory.mktemp("e") / "events.json"
    f.write_text(json.dumps(events), encoding="utf-8")
    _only_format_errors(import_mindlamp, f, utc_offset=-300)


def test_mindlamp_duplicate_key_is_an_error_naming_it(tmp_path):
    # json.loads alone keeps the last of two values silently.
    f = tmp_path / "dup.json"
    f.write_text('[{"timestamp": 1772482440000, "spec": "lamp.journal", '
                 '"static_data": {"sentiment": "bad", "sentiment": "good"}}]')
    for lenient in (False, True):
        with pytest.raises(ImportFormatError, match=r"dup.json: field 'sentiment': a JSON object names this key twice"):
            import_mindlamp(f, utc_offset=0, lenient=lenient)


# --------------------------------------------------------------------------
# Two exports joined into one file (`cat export1.csv export2.csv`)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fixture, importer, kwargs", [
    ("daylio/full_date_layout.csv", import_daylio, {"tz": "Europe/Berlin"}),
    ("bearable/seven_column_layout.csv", import_bearable, {"tz": "Europe/London"}),
])
def test_a_second_export_appended_is_named_as_such(tmp_path, fixture, importer, kwargs):
    one = (DATA / fixture).read_bytes()
    rows = one.decode("utf-8-sig").rstrip("\n").count("\n")  # data lines of the first export
    joined = tmp_path / "joined.csv"
    # The second export keeps its own byte-order mark, as `cat` leaves it.
    joined.write_bytes(one + b"\xef\xbb\xbf" + one.lstrip(b"\xef\xbb\xbf"))
    with pytest.raises(ImportFormatError, match=rf"joined.csv:{rows + 2}: this row repeats the header of line 1: "
                                                r"two exports joined"):
        importer(joined, **kwargs)
    journal, report = importer(joined, lenient=True, **kwargs)
    assert [s.line for s in report.skipped] == [rows + 2]
    single, _ = importer(DATA / fixture, **kwargs)
    assert len(journal.readings) + len(journal.triggers) == 2 * (len(single.readings) + len(single.triggers))


# --- breaker2 B15-B19, B25 -----------------------------------------------------------------

def test_mindlamp_json_with_a_utf8_bom_is_read_like_without(tmp_path):
    # B17: Notepad saves UTF-8 with a byte order mark; the CSV importers read past it.
    raw = (DATA / "mindlamp_events.json").read_bytes()
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + raw)
    a, ra = import_mindlamp(DATA / "mindlamp_events.json", utc_offset=0, lenient=True)
    b, rb = import_mindlamp(f, utc_offset=0, lenient=True)
    assert a == b and len(b.readings) + len(b.exercises) > 0
    assert ra.summary().replace(str(DATA / "mindlamp_events.json"), "X") == rb.summary().replace(str(f), "X")
    # A BOM in the middle is still not JSON; nor are two BOMs.
    f.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + raw)
    with pytest.raises(ImportFormatError, match="not valid JSON"):
        import_mindlamp(f, utc_offset=0)


def _lamp(tmp_path, stamps):
    f = tmp_path / "lamp.json"
    f.write_text(json.dumps([{"timestamp": t, "duration": 60000, "spec": "lamp.breathe"} for t in stamps]))
    return f


def test_mindlamp_timestamps_that_look_like_seconds_are_warned_about(tmp_path):
    # B15: 1772482440 is 2026-03-02 20:14 UTC in seconds, 1970-01-21 in milliseconds.
    j, report = import_mindlamp(_lamp(tmp_path, [1772482440, 1772482440000, 1772568840]), utc_offset=0)
    assert len(j.exercises) == 3  # imported as written (milliseconds), but not silently:
    [w] = report.warnings
    assert w.startswith("2 event(s) have a timestamp before the year 2000, first item 0: 1772482440 "
                        "(as seconds: 2026-03-02 20:14 UTC)")
    assert "milliseconds" in w and f"warning  {w}" in report.summary()
    # Real millisecond timestamps (mindLAMP dates from 2018) give no warning, nor does 2000-01-01 itself.
    _, report = import_mindlamp(_lamp(tmp_path, [1772482440000, 946684800000]), utc_offset=0)
    assert report.warnings == []
    _, report = import_mindlamp(_lamp(tmp_path, [946684799999]), utc_offset=0)
    assert len(report.warnings) == 1


def test_cli_mindlamp_without_zone_says_times_are_utc(tmp_path, capsys):
    from calmkit import cli
    code = cli.main(["import", "mindlamp", str(DATA / "mindlamp_events.json"), "-o", str(tmp_path / "m.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "mindlamp exports have UTC times" in err and "give --tz ZONE" in err
    assert "local times without a zone" not in err
    code = cli.main(["import", "daylio", str(DATA / "daylio_export.csv"), "-o", str(tmp_path / "d.jsonl")])
    assert code == 2 and "daylio exports have local times without a zone" in capsys.readouterr().err


def test_cli_says_an_apple_health_export(tmp_path, capsys):
    # B25: "recognised as a apple-health export".
    from calmkit import cli
    code = cli.main(["import", str(DATA / "apple_health_export.xml"), "-o", str(tmp_path / "a.jsonl")])
    out = capsys.readouterr().out
    assert code == 0 and "recognised as an apple-health export" in out and " a apple" not in out


def _daylio(tmp_path, *moods):
    f = tmp_path / "daylio_export.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n" + "".join(
        f"2026-03-0{i + 2},x,{calendar.day_name[i]},21:14,{m},,,\n" for i, m in enumerate(moods)),
        encoding="utf-8")  # 2026-03-02 was a Monday
    return f


def test_daylio_mood_map_duplicates_and_unused_names(tmp_path):
    # B16: case-insensitive duplicates silently took the last; an unused mapping was ignored.
    f = _daylio(tmp_path, "Anxious", "good")
    with pytest.raises(ValueError, match=r"mood_map names one mood twice: 'anxious' and 'Anxious '"):
        import_daylio(f, tz="UTC", mood_map={"anxious": 8, "Anxious ": 2})
    with pytest.raises(ValueError, match="empty mood name"):
        import_daylio(f, tz="UTC", mood_map={" ": 2})
    j, report = import_daylio(f, tz="UTC", mood_map={"ANXIOUS": 8, "Exhuasted": 6, "awful": 10})
    assert [r.intensity for r in j.readings] == [8, 3]
    assert report.warnings == ["mood_map names mood(s) no imported row has: 'Exhuasted', 'awful' (misspelt?)"]
    assert "warning  mood_map names mood(s)" in report.summary()
    _, report = import_daylio(f, tz="UTC", mood_map={"anxious": 8})
    assert report.warnings == []


@pytest.mark.parametrize("moods, message", [
    (["good=5=6"], "--mood 'good=5=6' is not NAME=DISTRESS"),
    (["=5"], "--mood '=5' is not NAME=DISTRESS"),
    (["Anxious=8", "anxious =2"], "--mood 'Anxious=8' and --mood 'anxious =2' name the same mood"),
])
def test_cli_refuses_malformed_or_duplicate_mood_options(tmp_path, capsys, moods, message):
    from calmkit import cli
    args = ["import", "daylio", str(_daylio(tmp_path, "Anxious")), "-o", str(tmp_path / "j.jsonl"), "--tz", "UTC"]
    code = cli.main(args + [a for m in moods for a in ("--mood", m)])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "j.jsonl").exists()


def test_cli_reports_an_unused_mood_option(tmp_path, capsys):
    from calmkit import cli
    args = ["import", "daylio", str(_daylio(tmp_path, "Anxious")), "-o", str(tmp_path / "j.jsonl"), "--tz", "UTC"]
    assert cli.main(args + ["--mood", "Anxious=8", "--mood", "Exhausted=6"]) == 0
    assert "warning  mood_map names mood(s) no imported row has: 'Exhausted'" in capsys.readouterr().out


@pytest.mark.parametrize("date, year", [("0001-01-01", 1), ("1399-12-31", 1399)])
def test_daylio_placeholder_year_names_the_field_and_the_journal_limits(tmp_path, date, year):
    # B19: 0001-01-01 gave "a value calmkit cannot read (ValueError) ... years 0001-9999" with field ''.
    f = tmp_path / "d.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 f"{date},x,x,10:00,rad,,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_daylio(f, utc_offset=60)
    assert (e.value.line, e.value.field) == (2, "full_date")
    # The model's year rule, in its words (time.hpp year_rule), after the export's text.
    assert f"year must be 1400..9999, got {year} (a placeholder date?)" in str(e.value)
    # The older layout names its year column.
    f.write_text("year,date,weekday,time,mood,activities,note\n0001,18 May,x,10:00,rad,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"year must be 1400\.\.9999, got 1 ") as e:
        import_daylio(f, utc_offset=60)
    assert e.value.field == "year"
    # The limits themselves import.
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "1400-01-02,x,x,10:00,rad,,,\n9999-12-30,x,x,10:00,rad,,,\n", encoding="utf-8")
    assert len(import_daylio(f, utc_offset=0).journal.readings) == 2


_member_names = st.sampled_from(["apple_health_export/export.xml", "apple_health_export/exportar.xml",
                                 "apple_health_export/export_cda.xml", "eksport.xml", "a/b/导出.xml",
                                 "workout-routes/r.gpx", "notes.txt", "x.XML"])
_member_data = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b'<?xml version="1.0"?>\n<HealthData locale="en">\n</HealthData>\n',
                     b"<!DOCTYPE HealthData [\n<!ELEMENT x>\n]>\n<HealthData>",
                     b"<ClinicalDocument/>", "<HealthData>\n</HealthData>".encode("utf-16"),
                     b"\x1f\x8b\x08\x00", b"<HealthData><Record type='HKCategoryTypeIdentifierMindfulSession' "
                     b"sourceName='x' startDate='2026-03-02 21:14:00 +0100' endDate='2026-03-02 21:15:00 +0100'/>"
                     b"</HealthData>"]))


@_PROPERTY
@given(members=st.dictionaries(_member_names, _member_data, max_size=4))
def test_property_apple_health_zip_members(tmp_path_factory, members):
    # Any mix of members, named as phones in any language name them: an
    # ImportFormatError naming the zip, or a valid journal with every record accounted for.
    z = tmp_path_factory.mktemp("z") / "export.zip"
    with zipfile.ZipFile(z, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    _only_format_errors(import_apple_health, z)
    try:
        assert detect_format(z) == "apple_health"
    except ImportFormatError as e:
        assert str(e).startswith(str(z))


def test_daylio_mood_map_values_are_refused_by_the_models_intensity_rule(tmp_path):
    # The range is the model's (calmkit::Intensity), worded as every other entry point words it;
    # the importer adds only which mood_map entry it is.
    f = _daylio(tmp_path, "good")
    cases = [(11, "11"), (-1, "-1"), (10 ** 30, str(10 ** 30)), (2.5, "2.5"), ("7", "'7'"), (True, "True")]
    for value, shown in cases:
        with pytest.raises(ValueError) as err:
            import_daylio(f, tz="UTC", mood_map={"meh": value})
        assert str(err.value) == f"mood_map['meh']: must be an integer 0..10, got {shown}"
    # The same reason as the journal reader's for a reading of intensity 11.
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal('{"type":"reading","time":"2026-03-02T21:14:00Z","intensity":11}\n')
    assert err.value.reason == "must be an integer 0..10, got 11"
    j, _ = import_daylio(f, tz="UTC", mood_map={"meh": 0, "good": 10})
    assert [r.intensity for r in j.readings] == [10]


def test_mindlamp_negative_duration_is_refused_by_the_models_end_rule(tmp_path):
    # A breathing session of -5 ms would end before it starts: the model's rule
    # (end not before time) refuses it with its reason; the importer adds the item.
    f = _events(tmp_path, [_breathe(1772482440000, -5), _breathe(1772482440000)])
    with pytest.raises(ImportFormatError) as err:
        import_mindlamp(f, utc_offset=0)
    assert (err.value.item, err.value.field, err.value.reason) == (
        0, "end", "end 2026-03-02T20:13:59.995Z is before time 2026-03-02T20:14:00Z")
    journal, report = import_mindlamp(f, utc_offset=0, lenient=True)
    assert [(s.item, s.field) for s in report.skipped] == [(0, "end")]
    assert len(journal.exercises) == 1


@pytest.mark.parametrize("minutes", [1440, -1440, 10**30])
def test_a_utc_offset_out_of_range_is_refused_in_the_models_words(tmp_path, minutes):
    # Found by review (A5): the importers kept their own copy of the offset
    # rule ("utc_offset must be -1439..1439 minutes"); the rule is UtcOffset's.
    f = tmp_path / "d.csv"
    f.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                 "2026-03-02,x,x,10:00,rad,,,\n", encoding="utf-8")
    got = min(max(minutes, -2**63), 2**63 - 1)  # a Python int beyond C++'s is shown saturated
    with pytest.raises(ValueError) as e:
        import_daylio(f, utc_offset=minutes)
    assert str(e.value) == f"utc_offset: UTC offset must be within -23:59..+23:59, got {got} minutes"
    assert len(import_daylio(f, utc_offset=1439).journal.readings) == 1  # the edge itself imports
