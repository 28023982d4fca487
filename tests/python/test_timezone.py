"""calmkit's one time-zone model (calmkit.TimeZone, calmkit::TimeZone in C++)
checked against Python's zoneinfo, an implementation calmkit did not write:

- every IANA zone the system's tzdata has, at instants spread over 1400-9999
  (before the first transition, the TZif tables, the footer rule of the far
  future), each offset and each [begin, end) interval;
- wall times on each side of transitions (DST gaps and overlaps) with fold=0
  and fold=1, as PEP 495 defines them;
- POSIX rules read by calmkit and by zoneinfo from a TZif file holding only
  that rule as its footer (zoneinfo's own parser of the rule);
- every entry point that takes a zone (metrics tz=, importers tz=, the CLI's
  --tz) accepting both forms and refusing an unknown name as a usage error.
"""
from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
import zoneinfo
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import calmkit
from calmkit import TimeZone

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LO = int(datetime(1400, 1, 2, tzinfo=UTC).timestamp())
HI = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())
ZONES = sorted(zoneinfo.available_timezones())
pytestmark = pytest.mark.skipif(not ZONES, reason="no system tzdata")


def ref_offset(zone: zoneinfo.ZoneInfo, s: int) -> int:
    return int((EPOCH + timedelta(seconds=s)).astimezone(zone).utcoffset().total_seconds())


def test_offsets_and_intervals_match_zoneinfo_for_every_zone() -> None:
    rnd = random.Random(20)
    for name in ZONES:
        ours, ref = TimeZone(name)._zone, zoneinfo.ZoneInfo(name)
        instants = [rnd.randint(LO, HI) for _ in range(40)] + [rnd.randint(-2**31, 2**31) for _ in range(60)]
        for s in instants:
            begin, end, offset, _ = ours.interval_at(s)
            assert offset == ref_offset(ref, s), (name, s)
            assert begin <= s < end, (name, s)
            # The interval is honest at both of its ends.
            if begin > LO:
                assert ref_offset(ref, begin) == offset, (name, s, begin)
            if end < HI:
                assert ref_offset(ref, end - 1) == offset, (name, s, end)


def transitions(zone: TimeZone, start: int, stop: int) -> list[int]:
    """The instants in [start, stop) at which the zone's offset changes."""
    out, s = [], start
    while s < stop:
        _, end, offset, _ = zone._zone.interval_at(s)
        if end >= stop:
            break
        if zone._zone.interval_at(end)[2] != offset:
            out.append(end)
        s = end
    return out


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Europe/Dublin",
                                  "America/Sao_Paulo", "Africa/Casablanca", "Pacific/Apia", "Asia/Kolkata",
                                  "America/St_Johns", "Antarctica/Troll", "Europe/Moscow", "Asia/Gaza"])
def test_wall_times_around_transitions_match_zoneinfo(name: str) -> None:
    ours, ref = TimeZone(name), zoneinfo.ZoneInfo(name)
    start = int(datetime(1880, 1, 1, tzinfo=UTC).timestamp())
    stop = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
    changes = transitions(ours, start, stop)
    assert changes, name
    for t in changes:
        for utc_s in (t - 1, t, t + 1):
            # UTC -> local: the wall time and its fold.
            when = EPOCH + timedelta(seconds=utc_s)
            a, b = when.astimezone(ours), when.astimezone(ref)
            assert (a.replace(tzinfo=None), a.fold) == (b.replace(tzinfo=None), b.fold), (name, when)
        # Local -> offset: wall times just before, inside and after the gap or overlap.
        wall = (EPOCH + timedelta(seconds=t)).astimezone(ref).replace(tzinfo=None)
        for delta in (-7200, -3601, -3600, -1800, -1, 0, 1, 1800, 3599, 3600, 7200):
            naive = wall + timedelta(seconds=delta)
            for fold in (0, 1):
                mine = naive.replace(tzinfo=ours, fold=fold).utcoffset()
                theirs = naive.replace(tzinfo=ref, fold=fold).utcoffset()
                assert mine == theirs, (name, naive, fold)


def test_known_offsets_by_hand() -> None:
    berlin = TimeZone("Europe/Berlin")
    # 2026: CEST from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC (last Sundays, EU rule).
    begin, end, offset = berlin.interval(datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert (begin, end, offset) == (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
                                    timedelta(hours=2))
    # Spring gap: 02:30 does not exist; fold=0 takes the offset before (+01:00), as zoneinfo.
    assert datetime(2026, 3, 29, 2, 30, tzinfo=berlin).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 3, 29, 2, 30, tzinfo=berlin, fold=1).utcoffset() == timedelta(hours=2)
    # Autumn overlap: 02:30 happens twice, first at +02:00.
    assert datetime(2026, 10, 25, 2, 30, tzinfo=berlin).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1).utcoffset() == timedelta(hours=1)
    # Local mean time before 1893-04-01: +00:53:28.
    assert datetime(1850, 1, 1, tzinfo=berlin).utcoffset() == timedelta(minutes=53, seconds=28)
    # Year 2500: from the footer rule of the TZif file.
    assert datetime(2500, 7, 1, tzinfo=berlin).utcoffset() == timedelta(hours=2)


def tzif_with_footer(rule: str) -> bytes:
    """A TZif version 2 file with one standard type, no transitions, and
    ``rule`` as its footer (RFC 8536 section 3): zoneinfo then reads the rule
    with its own parser."""
    def header(typecnt: int, charcnt: int) -> bytes:
        return b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, typecnt, charcnt)
    block = struct.pack(">lBB", 0, 0, 0) + b"UTC\0"
    return header(1, 4) + block + header(1, 4) + block + b"\n" + rule.encode() + b"\n"


RULES = [
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "EST5EDT,M3.2.0,M11.1.0",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",              # southern hemisphere: DST across the new year
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",      # Lord Howe: half-hour DST, quoted names
    "IST-2IDT,M3.4.4/26,M10.5.0",                # transition written as Thursday 26:00
    "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",          # negative transition times (America/Nuuk)
    "EST5EDT,0/0,J365/25",                       # daylight time all year
    "CET-1CEST,J60/2,J300/3",                    # Julian days, 29 February never counted
    "<+0530>-5:30",
    "<-0330>3:30",
    "XXX3:25:45YYY2:25:45,M4.1.0/1:30:15,M9.5.6/23:59:59",
]


@pytest.mark.parametrize("rule", RULES)
def test_posix_rules_match_zoneinfo_reading_the_same_rule(rule: str) -> None:
    ref = zoneinfo.ZoneInfo.from_file(io.BytesIO(tzif_with_footer(rule)), key=rule)
    ours = TimeZone(rule)
    rnd = random.Random(rule)
    instants = [rnd.randint(int(datetime(1901, 1, 1, tzinfo=UTC).timestamp()), HI) for _ in range(3000)]
    for s in instants:
        assert ours._zone.interval_at(s)[2] == ref_offset(ref, s), (rule, EPOCH + timedelta(seconds=s))
    for t in transitions(ours, int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
                         int(datetime(2032, 1, 1, tzinfo=UTC).timestamp())):
        for s in (t - 1, t):
            assert ours._zone.interval_at(s)[2] == ref_offset(ref, s), (rule, s)


# Zero-based day numbers ('n', 29 February counted): zoneinfo (CPython 3.11's
# _DayOffset adds n to the ordinal of 31 December) lands one day early, so
# glibc's tzset is the reference here, as for every rule above too.
# glibc decides each year on its own, so a rule in force all year (start and end
# at the same instant) is left to zoneinfo.
GLIBC_RULES = [*(r for r in RULES if "J365/25" not in r), "CET-1CEST,59/2,299/3", "<-03>3<-02>,300/2,59/3"]
GLIBC = """
import sys, time
print(" ".join(str(time.localtime(int(s)).tm_gmtoff) for s in sys.argv[1:]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's reading of $TZ")
@pytest.mark.parametrize("rule", GLIBC_RULES)
def test_posix_rules_match_glibc(rule: str) -> None:
    ours = TimeZone(rule)
    rnd = random.Random(rule)
    # glibc applies a $TZ rule from 1970 on only.
    instants = [rnd.randint(0, int(datetime(2400, 1, 1, tzinfo=UTC).timestamp())) for _ in range(400)]
    for t in transitions(ours, int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()),
                         int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())):
        instants += [t - 1, t]
    r = subprocess.run([sys.executable, "-c", GLIBC, *map(str, instants)], capture_output=True, text=True,
                       env={"TZ": rule}, check=True, timeout=60)
    theirs = [int(x) for x in r.stdout.split()]
    assert [ours._zone.interval_at(s)[2] for s in instants] == theirs


def test_a_posix_rule_and_its_iana_zone_agree_where_the_rule_holds() -> None:
    # Berlin has followed the EU rule since 1996.
    rule, name = TimeZone("CET-1CEST,M3.5.0,M10.5.0/3"), TimeZone("Europe/Berlin")
    start, stop = int(datetime(1997, 1, 1, tzinfo=UTC).timestamp()), int(datetime(2400, 1, 1, tzinfo=UTC).timestamp())
    assert transitions(rule, start, stop) == transitions(name, start, stop)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "Europe/Berln", "../../etc/passwd", "/usr/share/zoneinfo/UTC",
                                 "Europe", "zone.tab", "", "CE", "nonsense,,", "Europe/Berlin\0x"])
def test_unknown_zone_is_a_clear_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        TimeZone(bad)


def test_tzdir_is_searched_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Test").mkdir()
    (tmp_path / "Test" / "Plus3").write_bytes(tzif_with_footer("<+03>-3"))
    monkeypatch.setenv("TZDIR", str(tmp_path))
    assert datetime(2026, 1, 1, tzinfo=TimeZone("Test/Plus3")).utcoffset() == timedelta(hours=3)
    (tmp_path / "Broken").write_bytes(b"TZif2" + b"\0" * 10)
    with pytest.raises(ValueError, match="not valid TZif"):
        TimeZone("Broken")


def test_metrics_take_both_forms_with_the_same_answer(sample_journal_path: Path) -> None:
    j = calmkit.read_journal(sample_journal_path)
    by_rule = calmkit.trigger_frequency(j, period="week", tz="CET-1CEST,M3.5.0,M10.5.0/3")
    by_name = calmkit.trigger_frequency(j, period="week", tz="Europe/Berlin")
    assert by_rule.equals(by_name)
    assert not calmkit.trigger_frequency(j, period="day", tz="Pacific/Kiritimati").equals(
        calmkit.trigger_frequency(j, period="day", tz="Pacific/Pago_Pago"))
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Berln'"):
        calmkit.trigger_frequency(j, tz="Europe/Berln")


def test_importers_take_both_forms(tmp_path: Path) -> None:
    csv = tmp_path / "daylio.csv"
    csv.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                   "2026-03-29,March 29,Sunday,02:30,awful,,,\n"
                   "2026-07-01,July 1,Wednesday,12:00,rad,,,\n", encoding="utf-8")
    by_name = calmkit.import_daylio(csv, tz="Europe/Berlin")
    by_rule = calmkit.import_daylio(csv, tz="CET-1CEST,M3.5.0,M10.5.0/3")
    times = [r.time.isoformat() for r in by_name.journal.readings]
    assert times == [r.time.isoformat() for r in by_rule.journal.readings]
    # 02:30 on 29 March does not exist: read at the offset before the change (03:30+02:00).
    assert times == ["2026-03-29T03:30:00+02:00", "2026-07-01T12:00:00+02:00"]
    assert len(by_name.report.adjusted) == len(by_rule.report.adjusted) == 1


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, timeout=300)


def test_cli_tz_takes_both_forms_and_refuses_an_unknown_zone(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text("".join(
        f'{{"type":"trigger","id":"t{d}","time":"2026-03-{d:02d}T23:30:00+01:00","category":"conflict",'
        f'"intensity":6}}\n' for d in range(2, 30, 3)), encoding="utf-8")
    r = run_cli("report", str(journal), "-o", str(tmp_path / "r.html"), "--tz", "Europe/Berlin")
    assert r.returncode == 0, r.stderr
    assert "the time zone Europe/Berlin" in (tmp_path / "r.html").read_text(encoding="utf-8")
    csv = tmp_path / "daylio.csv"
    csv.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                   "2026-07-01,July 1,Wednesday,12:00,rad,,,\n", encoding="utf-8")
    r = run_cli("import", "daylio", str(csv), "-o", str(tmp_path / "i.jsonl"), "--tz", "CET-1CEST,M3.5.0,M10.5.0/3")
    assert r.returncode == 0, r.stderr
    assert '"2026-07-01T12:00:00+02:00"' in (tmp_path / "i.jsonl").read_text(encoding="utf-8")
    for command in (["report", str(journal), "-o", str(tmp_path / "x.html")],
                    ["import", "daylio", str(csv), "-o", str(tmp_path / "x.jsonl")]):
        r = run_cli(*command, "--tz", "Mars/Olympus")
        assert r.returncode == 2, r.stderr
        assert "unknown time zone 'Mars/Olympus'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "x.jsonl").exists()
