"""CSV files that went through a spreadsheet (issue: data that passed through
other hands). Each fixture in tests/data/importers/spreadsheet/ is an app
export as a spreadsheet writes it back (README.md there says where each habit
comes from); each must give the same journal as the untouched export.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit.csv_input import detect_delimiter, parse_clock_time, parse_date, read_table
from calmkit.importers import ImportFormatError, import_bearable, import_daylio

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
SHEET = DATA / "spreadsheet"
DAYLIO_HABITS = ["byte_order_mark.csv", "crlf_line_ends.csv", "semicolon_separator.csv", "tab_separator.csv",
                 "seconds_in_times.csv", "twelve_hour_clock_with_seconds.csv", "dotted_lower_case_am_pm.csv",
                 "empty_field_rows.csv", "trailing_empty_columns.csv", "classic_mac_cr_line_ends.csv",
                 "utf16_unicode_text_tabs.csv", "japanese_day_period_before_time.csv",
                 "korean_day_period_before_time.csv", "year_first_slash_dates.csv", "day_first_dotted_dates.csv",
                 "leading_apostrophe_cells.csv"]
#: Habits that leave a value with two readings: refused, naming file, line and field.
REFUSED_HABITS = {"month_day_order_dates.csv": "could be month/day or day/month",
                  "excel_serial_day_numbers.csv": "day number, not a date"}


def _daylio(path):
    return import_daylio(path, tz="Europe/Berlin", participant="ana", mood_map={"Anxious": 8})


def test_every_fixture_is_listed_in_the_readme():
    readme = (SHEET / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in SHEET.glob("*.csv"))
    assert files == sorted(DAYLIO_HABITS + list(REFUSED_HABITS) + ["semicolon_separator_decimal_comma_bearable.csv"])
    for name in files:
        assert f"`{name}`" in readme


@pytest.mark.parametrize("name", DAYLIO_HABITS)
def test_daylio_after_a_spreadsheet_reads_as_the_original(name):
    original, _ = _daylio(DATA / "daylio_export.csv")
    journal, report = _daylio(SHEET / name)
    assert calmkit.to_jsonl(journal) == calmkit.to_jsonl(original)
    assert not report.skipped
    # The hand-checked values, so a fixture that reads as garbage in both would fail:
    # 9:14 pm on 2026-03-04 in Berlin (UTC+1) and the 02:30 that does not exist on
    # 2026-03-29, read as 03:30+02:00 by the importers' rule.
    times = [r.time for r in journal.readings]
    assert datetime(2026, 3, 4, 21, 14, tzinfo=timezone(timedelta(hours=1))) in times
    assert datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))) in times
    assert len(report.adjusted) == 1


def test_empty_field_rows_are_passed_over_and_reported():
    _, report = _daylio(SHEET / "empty_field_rows.csv")
    assert report.rows == 5
    # Line numbers in the file: 1 (before the header), then after the data rows
    # (the first data row spans lines 3-4: its note holds a line break).
    assert report.blank_lines == [1, 5, 8, 9, 12, 13]
    assert "rows of empty fields passed over" in report.summary()


@pytest.mark.parametrize("name,delimiter", [("semicolon_separator.csv", ";"), ("tab_separator.csv", "\t"),
                                            ("crlf_line_ends.csv", ",")])
def test_the_separator_is_detected_and_reported(name, delimiter):
    _, report = _daylio(SHEET / name)
    assert report.delimiter == delimiter


def test_bearable_semicolons_and_decimal_comma():
    original, orep = import_bearable(DATA / "bearable_export.csv", tz="Europe/London")
    journal, report = import_bearable(SHEET / "semicolon_separator_decimal_comma_bearable.csv",
                                      tz="Europe/London")
    assert calmkit.to_jsonl(journal) == calmkit.to_jsonl(original)
    assert report.delimiter == ";"
    sleep = [u for u in report.unmapped if u.kind == "Sleep"]
    assert sleep[0].content["rating/amount"] == "6,5"  # kept as written
    assert len(report.unmapped) == len(orep.unmapped)


def test_bearable_decimal_comma_rating_is_read(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("date;weekday;time of day;category;rating/amount;detail;notes\n"
                 "2026-03-02;Mon;21:30:00;Mood;7,5;;\n", encoding="utf-8")
    journal, _ = import_bearable(p, utc_offset=60, scales={"mood": (1, 10)})
    (r,) = journal.readings
    # 1 + 8 * (10 - 7.5) / 9 = 3.22 -> 3
    assert r.intensity == 3
    assert r.time == datetime(2026, 3, 2, 21, 30, tzinfo=timezone(timedelta(hours=1)))


def test_a_header_that_does_not_match_names_the_separator(tmp_path):
    p = tmp_path / "pipes.csv"
    p.write_text("full_date|date|weekday|time|mood|activities|note_title|note\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_daylio(p, utc_offset=0)
    assert "',' (comma)" in str(e.value) and "';' or tab" in str(e.value)
    assert e.value.line == 1


def test_semicolon_header_missing_a_column_names_the_semicolon(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text("full_date;date;weekday;mood;activities;note\n2026-03-02;x;y;good;;\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        import_daylio(p, utc_offset=0)
    assert "missing column(s) time" in str(e.value)
    assert "';' (semicolon)" in str(e.value)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, codec):
    # Excel's "Unicode text" is UTF-16LE; the byte-order mark says which order, so both are read.
    p = tmp_path / "u16.csv"
    text = (DATA / "daylio_export.csv").read_text(encoding="utf-8")
    p.write_bytes("\ufeff".encode(codec) + text.encode(codec))
    original, _ = _daylio(DATA / "daylio_export.csv")
    assert calmkit.to_jsonl(_daylio(p)[0]) == calmkit.to_jsonl(original)


def test_utf16_that_is_cut_off_names_its_line(tmp_path):
    p = tmp_path / "u16.csv"
    data = (SHEET / "utf16_unicode_text_tabs.csv").read_bytes()
    p.write_bytes(data + b"\x00\xd8")  # half a surrogate pair at the end: a copy cut short
    with pytest.raises(ImportFormatError, match="not valid UTF-16") as e:
        _daylio(p)
    assert e.value.line >= 7


@pytest.mark.parametrize("name", sorted(REFUSED_HABITS))
def test_dates_with_two_readings_are_refused_naming_line_and_field(name):
    with pytest.raises(ImportFormatError, match=REFUSED_HABITS[name]) as e:
        _daylio(SHEET / name)
    assert e.value.line == 2 and e.value.field == "full_date"
    assert name in str(e.value)


@pytest.mark.parametrize("text,expected", [
    ("2026-03-05", date(2026, 3, 5)), ("2026/03/05", date(2026, 3, 5)), ("2026/3/5", date(2026, 3, 5)),
    ("2026. 3. 5.", date(2026, 3, 5)), ("2026.03.05", date(2026, 3, 5)), ("05.03.2026", date(2026, 3, 5)),
    ("5.3.2026", date(2026, 3, 5)), ("'2026-03-05", date(2026, 3, 5)), (" 2026-03-05 ", date(2026, 3, 5)),
])
def test_dates_spreadsheets_write(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,reason", [
    ("03/05/2026", "month/day or day/month"), ("3-5-26", "month/day or day/month"),
    ("46086", "day number"), ("46086.75", "day number"), ("05.03.26", "not a date"),
    ("2026-02-30", "not a date in the calendar"), ("March 5", "not a date"), ("", "not a date"),
])
def test_dates_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_excel_serial_numbers_are_what_the_refusal_says():
    # The reference for "day number": Excel's 1900 date system counts days from
    # 1899-12-30 (ribbondz/rsv#8: 2024/4/1 is 45383); the fixture holds the export's dates so.
    assert (date(2024, 4, 1) - date(1899, 12, 30)).days == 45383
    rows = (SHEET / "excel_serial_day_numbers.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith(str((date(2026, 3, 4) - date(1899, 12, 30)).days) + ",")


# --------------------------------------------------------------------------
# The helper itself
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("21:14", time(21, 14)), ("21:14:00", time(21, 14)), ("7:05:09", time(7, 5, 9)),
    ("21:14:00.000", time(21, 14)), ("9:02:00 AM", time(9, 2)), ("9:02 PM", time(21, 2)),
    ("9:02pm", time(21, 2)), ("9:02 p.m.", time(21, 2)), ("9:02 a. m.", time(9, 2)),
    ("9:02 P.M.", time(21, 2)), ("12:05 am", time(0, 5)), ("12:05 PM", time(12, 5)),
    ("12:00:00 a.m.", time(0, 0)), ("11:59 p", time(23, 59)), ("9:02\u202fPM", time(21, 2)),
    # Other locales' day periods (BrightspaceUI/intl#40, iamkun/dayjs#2442): Japanese before or after
    # the time, counted from 0 (午後0:15 is 12:15); Chinese, Korean; Turkish and Greek after it.
    ("午後9:02:00", time(21, 2)), ("午前0:30", time(0, 30)), ("午後0:15", time(12, 15)), ("1:28 午前", time(1, 28)),
    ("下午9:02", time(21, 2)), ("上午 9:02", time(9, 2)), ("오후 9:02", time(21, 2)), ("오전 1:28", time(1, 28)),
    ("1:28 ÖÖ", time(1, 28)), ("9:02 ÖS", time(21, 2)), ("9:02 μ.μ.", time(21, 2)), ("9:02 π.μ.", time(9, 2)),
    ("'21:14", time(21, 14)),
])
def test_clock_times_spreadsheets_write(text, expected):
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "21:60", "21:14:60", "13:00 PM", "0:30 AM", "9:02 nachm.",
                                  "9", "", "21.14", "9:02 AMX", "AM 9:02", "午後13:00", "午後 9:02 PM",
                                  "2026-03-05 21:14", "x9:02"])
def test_clock_times_refused(text):
    assert parse_clock_time(text) is None


def test_python_strptime_agrees_on_am_pm():
    # The reference: Python's own %I %p parser for the plain English forms.
    for h in range(1, 13):
        for marker in ("AM", "PM"):
            ref = datetime.strptime(f"{h}:07 {marker}", "%I:%M %p").time()
            assert parse_clock_time(f"{h}:07 {marker}") == ref
            assert parse_clock_time(f"{h}:07:00 {marker.lower()}") == ref


@pytest.mark.parametrize("line,expected", [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("one", ","),
    ('"x;y",b,c', ","),            # a separator inside quotes does not count
    ("a;b,c;d", ";"),              # the most frequent wins
    ("a,b;c", ","),                # a tie is a comma
])
def test_detect_delimiter_rule(line, expected):
    assert detect_delimiter(line) == expected


def test_detect_delimiter_prefers_expected_names():
    # A note column with commas in a ';' file: frequency alone would say ','.
    assert detect_delimiter("a,b,c;time;note", expected=["time", "note"]) == ";"


def test_python_sniffer_agrees_on_the_fixtures():
    # The reference: csv.Sniffer on each fixture's header and first row.
    for name in DAYLIO_HABITS:
        raw = (SHEET / name).read_bytes()
        codec = "utf-16" if raw.startswith(b"\xff\xfe") else "utf-8-sig"
        head = raw.decode(codec).lstrip(",\r\n").splitlines()[0]
        table = read_table(SHEET / name)
        assert table.delimiter == csv.Sniffer().sniff(head, delimiters=",;\t").delimiter, name


# --------------------------------------------------------------------------
# calmkit's own CSV, re-saved by a spreadsheet
# --------------------------------------------------------------------------

def _resave_as_german_excel(src: Path, dst: Path) -> None:
    """What Excel with a German list separator writes back: BOM, ';', CRLF,
    booleans as WAHR/FALSCH displayed but saved as TRUE/FALSE in CSV, rows of
    empty fields at the end."""
    rows = list(csv.reader(src.read_text(encoding="utf-8").splitlines(keepends=True)))
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        # Numbers with a decimal comma (12.5 -> 12,5), as the German locale shows and saves them.
        w.writerow([{"true": "TRUE", "false": "FALSE"}.get(c, re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", c))
                    for c in row])
    w.writerow([""] * len(rows[0]))
    w.writerow([""] * len(rows[0]))
    dst.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))


def test_import_csv_reads_its_export_after_a_spreadsheet(tmp_path):
    journal = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    calmkit.export_csv(journal, tmp_path / "out")
    (tmp_path / "resaved").mkdir()
    for f in (tmp_path / "out").glob("*.csv"):
        _resave_as_german_excel(f, tmp_path / "resaved" / f.name)
    assert b"TRUE" in (tmp_path / "resaved" / "triggers.csv").read_bytes() or \
        b"FALSE" in (tmp_path / "resaved" / "triggers.csv").read_bytes()
    assert calmkit.import_csv(tmp_path / "resaved") == journal


def test_import_csv_after_a_german_excel_resave_has_decimal_commas(tmp_path):
    journal = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    calmkit.export_csv(journal, tmp_path / "out")
    text = (tmp_path / "out" / "triggers.csv").read_text(encoding="utf-8")
    assert re.search(r",-?\d+\.\d+,", text), "the fixture journal needs a fractional minute count"
    _resave_as_german_excel(tmp_path / "out" / "triggers.csv", tmp_path / "out" / "triggers.csv")
    assert re.search(r";-?\d+,\d+;", (tmp_path / "out" / "triggers.csv").read_text(encoding="utf-8-sig"))
    assert calmkit.import_csv(tmp_path / "out") == journal


def test_import_csv_after_a_unicode_text_resave(tmp_path):
    # Excel's "Unicode text": UTF-16LE with a byte-order mark, tabs, CRLF, and an
    # apostrophe someone typed in front of a time to keep it as text.
    journal = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    calmkit.export_csv(journal, tmp_path / "out")
    for f in (tmp_path / "out").glob("*.csv"):
        rows = list(csv.reader(f.read_text(encoding="utf-8").splitlines(keepends=True)))
        if len(rows) > 1:
            rows[1][rows[0].index("time")] = "'" + rows[1][rows[0].index("time")]
        out = io.StringIO()
        csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
        f.write_bytes(out.getvalue().encode("utf-16"))
    assert calmkit.import_csv(tmp_path / "out") == journal


def test_import_csv_header_error_names_the_separator(tmp_path):
    journal = calmkit.read_journal(Path(__file__).resolve().parents[1] / "data" / "all-fields.jsonl")
    calmkit.export_csv(journal, tmp_path)
    p = tmp_path / "readings.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("note", "notes", 1), encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_csv(tmp_path)
    assert "readings.csv:1" in str(e.value) and "',' (comma)" in str(e.value)


@pytest.mark.parametrize("name", sorted(p.name for p in SHEET.glob("*.csv")))
def test_calmkit_import_without_a_format_recognises_every_fixture(name):
    # `calmkit import FILE` read only a comma header on the first line: a ';', tab or
    # UTF-16 file, or one starting with a row of empty fields, was "cannot tell which app".
    from calmkit.importers.detect import detect_format

    assert detect_format(SHEET / name) == ("bearable" if "bearable" in name else "daylio")


def _styles():
    """How sheets in several locales write the clock time h:m:s (CLDR patterns)."""
    def twelve(h):  # 1..12
        return h % 12 or 12

    return {
        "24h": lambda h, m, s: f"{h}:{m:02d}:{s:02d}",
        "en-US": lambda h, m, s: f"{twelve(h)}:{m:02d}:{s:02d} {'PM' if h >= 12 else 'AM'}",
        "es": lambda h, m, s: f"{twelve(h)}:{m:02d}:{s:02d}\u00a0{'p. m.' if h >= 12 else 'a. m.'}",
        "ja (aK:mm:ss)": lambda h, m, s: f"{'午後' if h >= 12 else '午前'}{h % 12}:{m:02d}:{s:02d}",
        "zh (ah:mm:ss)": lambda h, m, s: f"{'下午' if h >= 12 else '上午'}{twelve(h)}:{m:02d}:{s:02d}",
        "ko (a h:mm:ss)": lambda h, m, s: f"{'오후' if h >= 12 else '오전'} {twelve(h)}:{m:02d}:{s:02d}",
        "tr": lambda h, m, s: f"{twelve(h):02d}:{m:02d}:{s:02d} {'ÖS' if h >= 12 else 'ÖÖ'}",
    }


def test_every_clock_time_in_every_locale_style_reads_back():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.settings(max_examples=300, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
    @hypothesis.given(h=st.integers(0, 23), m=st.integers(0, 59), s=st.integers(0, 59),
                      style=st.sampled_from(sorted(_styles())))
    def check(h, m, s, style):
        text = _styles()[style](h, m, s)
        assert parse_clock_time(text) == time(h, m, s), (style, text)

    check()


def test_every_date_in_every_unambiguous_style_reads_back():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    styles = [lambda d: d.isoformat(), lambda d: f"{d.year}/{d.month}/{d.day}", lambda d: d.strftime("%Y/%m/%d"),
              lambda d: f"{d.year}. {d.month}. {d.day}.", lambda d: d.strftime("%d.%m.%Y"),
              lambda d: f"{d.day}.{d.month}.{d.year}", lambda d: "'" + d.isoformat()]

    @hypothesis.settings(max_examples=300, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
    @hypothesis.given(d=st.dates(min_value=date(1400, 1, 1), max_value=date(9999, 12, 31)),
                      style=st.integers(0, len(styles) - 1))
    def check(d, style):
        assert parse_date(styles[style](d)) == d

    check()
