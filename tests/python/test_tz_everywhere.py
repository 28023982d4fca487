"""--tz on every command that shows or records local times, and this
computer's zone read through the one zone model (calmkit.TimeZone).

References: Python's zoneinfo (the IANA tz database) and pandas' own
tz_convert for the dates and ISO weeks a zone gives; hand-worked instants on
the days Europe/Berlin's clocks change (2026-03-29 02:00 -> 03:00 and
2026-10-25 03:00 -> 02:00).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zoneinfo
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

import calmkit
from calmkit import TimeZone, localtime

UTC = timezone.utc


def _cli(*args: str, tz_env: str = "UTC") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True,
                          env={**os.environ, "TZ": tz_env}, timeout=300)


def _times(journal: Path) -> list[str]:
    return [json.loads(line)["time"] for line in journal.read_text(encoding="utf-8").splitlines()
            if json.loads(line).get("type") in ("trigger", "reading", "assessment")]


# --- TimeZone.offsets_at: the vector form summary uses ----------------------------------


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                                  "CET-1CEST,M3.5.0,M10.5.0/3"])
def test_offsets_at_matches_zoneinfo_in_any_order(name: str) -> None:
    rng = np.random.default_rng(20)
    us = rng.integers(-2_000_000_000_000_000, 4_000_000_000_000_000, 3000)  # 1906..2096, unsorted
    got = TimeZone(name).offsets_at(us)
    if "," in name:  # the rule is Berlin's since 1996
        us = us[us > 850_000_000_000_000]
        got = TimeZone(name).offsets_at(us)
        name = "Europe/Berlin"
    ref = zoneinfo.ZoneInfo(name)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    want = [int((epoch + timedelta(microseconds=int(u))).astimezone(ref).utcoffset().total_seconds()) for u in us]
    assert got.dtype == np.int64 and got.tolist() == want


def test_offsets_at_keeps_the_shape_and_takes_an_empty_array() -> None:
    z = TimeZone("Europe/Berlin")
    assert z.offsets_at(np.array([], dtype=np.int64)).shape == (0,)
    # 2026-03-29 00:59:59Z is CET (+1 h), 01:00:00Z CEST (+2 h): the change itself.
    at = np.array([[1774745999_000000, 1774746000_000000]])
    assert z.offsets_at(at).tolist() == [[3600, 7200]]


# --- summary --tz --------------------------------------------------------------------------


def _journal_around_midnight(path: Path) -> calmkit.Journal:
    # Triggers at 23:30 UTC: a day later in Berlin (00:30/01:30 local), the same day in New York.
    # 2026-03-01 is a Sunday; the Mondays are 2 March ... so the weeks differ by zone.
    triggers = [calmkit.Trigger(id=f"t{k}", time=datetime(2026, 3, 1, 23, 30, tzinfo=UTC) + timedelta(days=k),
                                category="delayed_reply", intensity=5 + k % 3) for k in range(22)]
    journal = calmkit.Journal(triggers)
    calmkit.write_journal(journal, path)
    return journal


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "<+14>-14"])
def test_summary_dates_and_weeks_in_a_zone_match_pandas(tmp_path: Path, zone: str) -> None:
    j = tmp_path / "j.jsonl"
    journal = _journal_around_midnight(j)
    p = _cli("summary", str(j), "--tz", zone)
    assert p.returncode == 0, p.stderr
    # Reference: pandas with zoneinfo (a POSIX rule of a fixed +14 h is Etc/GMT-14 in tzdata).
    ref_zone = zoneinfo.ZoneInfo("Etc/GMT-14" if zone == "<+14>-14" else zone)
    times = journal.triggers.to_pandas()["time"].dt.tz_convert(ref_zone)
    dates = times.dt.date
    first, last = min(dates), max(dates)
    assert f"dates: {first} to {last} ({(last - first).days + 1} days, local dates in {zone})" in p.stdout
    # The first full Monday-to-Sunday week inside the span, counted by pandas.
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    in_week = int(((dates >= monday) & (dates <= monday + timedelta(days=6))).sum())
    assert f"triggers per week: {in_week} in the first full week ({monday} to {monday + timedelta(days=6)})" \
        in p.stdout


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0"])
def test_record_counts_dates_in_a_zone_match_pandas(zone: str) -> None:
    journal = calmkit.synthetic_journal(participants=3, days=30, seed=11)
    got = calmkit.record_counts(journal, tz=zone).set_index("participant")
    ref_zone = zoneinfo.ZoneInfo("America/Los_Angeles" if "," in zone else zone)
    for p in journal.participants():
        part = journal.participant(p)
        times = [r.time for table in ("triggers", "readings", "exercises", "thought_records", "assessments")
                 for r in getattr(part, table)]
        dates = sorted(t.astimezone(ref_zone).date() for t in times)
        row = got.loc[p]
        assert (row["first_local_date"].date(), row["last_local_date"].date()) == (dates[0], dates[-1])
        assert row["days"] == (dates[-1] - dates[0]).days + 1
        assert row["triggers"] == len(part.triggers)


def test_summary_without_tz_keeps_each_records_own_offset(tmp_path: Path) -> None:
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal([calmkit.Trigger(
        id="t", time=datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
        category="delayed_reply", intensity=5)]), j)
    p = _cli("summary", str(j), tz_env="Asia/Tokyo")
    assert p.returncode == 0 and "dates: 2026-03-02 to 2026-03-02 (1 day, local dates)" in p.stdout
    q = _cli("summary", str(j), "--tz", "Asia/Tokyo")  # 04:30Z -> 13:30 in Tokyo on the 3rd
    assert "dates: 2026-03-03 to 2026-03-03 (1 day, local dates in Asia/Tokyo)" in q.stdout


def test_summary_refuses_an_unknown_zone_before_reading(tmp_path: Path) -> None:
    p = _cli("summary", str(tmp_path / "missing.jsonl"), "--tz", "Europe/Berln")
    assert p.returncode == 2 and "unknown time zone 'Europe/Berln'" in p.stderr and "Traceback" not in p.stderr


# --- log / assess --tz ---------------------------------------------------------------------


@pytest.mark.parametrize("zone, when, expected, said", [
    ("Europe/Berlin", "2026-03-29T02:30", "2026-03-29T03:30:00+02:00", "does not exist"),
    ("Europe/Berlin", "2026-10-25T02:30", "2026-10-25T02:30:00+02:00", "happened twice"),
    ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T02:30", "2026-03-29T03:30:00+02:00", "does not exist"),
    ("America/New_York", "2026-06-01T12:00", "2026-06-01T12:00:00-04:00", None),
    # An explicit offset is kept, whatever --tz says.
    ("Asia/Tokyo", "2026-06-01T12:00+01:00", "2026-06-01T12:00:00+01:00", None),
])
def test_log_reads_time_in_the_given_zone(tmp_path: Path, zone: str, when: str, expected: str, said) -> None:
    j = tmp_path / "j.jsonl"
    # $TZ is another zone (and an unknown one must not matter when --tz is given).
    p = _cli("log", "reading", "--journal", str(j), "--intensity", "4", "--time", when, "--tz", zone,
             tz_env="Nowhere/Land")
    assert p.returncode == 0, p.stderr
    assert _times(j) == [expected]
    assert f"at {expected} " in p.stdout
    assert (said in p.stderr) if said else "note:" not in p.stderr


def test_log_now_takes_the_zones_offset(tmp_path: Path) -> None:
    j = tmp_path / "j.jsonl"
    before = datetime.now(UTC)
    p = _cli("log", "trigger", "--journal", str(j), "--category", "delayed_reply", "--intensity", "6",
             "--tz", "Asia/Kolkata", tz_env="Nowhere/Land")
    after = datetime.now(UTC)
    assert p.returncode == 0, p.stderr
    assert "note:" not in p.stderr  # $TZ does not matter: the zone was given
    when = datetime.fromisoformat(_times(j)[0])
    assert when.utcoffset() == timedelta(hours=5, minutes=30)
    assert before.replace(microsecond=0) <= when <= after


def test_assess_reads_time_in_the_given_zone(tmp_path: Path) -> None:
    j = tmp_path / "j.jsonl"
    answers = "\n".join(["1"] * 7) + "\n"
    p = subprocess.run([sys.executable, "-m", "calmkit", "assess", "gad-7", "--journal", str(j), "--time",
                        "2026-03-29T02:30", "--tz", "Europe/Berlin"], input=answers, capture_output=True,
                       text=True, env={**os.environ, "TZ": "UTC"}, timeout=300)
    assert p.returncode == 0, p.stderr
    assert _times(j) == ["2026-03-29T03:30:00+02:00"] and "does not exist" in p.stderr


@pytest.mark.parametrize("command", [["log", "reading", "--intensity", "3"], ["assess", "gad-7"]])
def test_entries_refuse_an_unknown_zone(tmp_path: Path, command: list[str]) -> None:
    j = tmp_path / "j.jsonl"
    p = _cli(*command, "--journal", str(j), "--tz", "Mars/Olympus")
    assert p.returncode == 2 and "unknown time zone 'Mars/Olympus'" in p.stderr and not j.exists()


# --- this computer's zone, through calmkit.TimeZone ---------------------------------------


@pytest.mark.parametrize("value, name", [("Europe/Berlin", "Europe/Berlin"), (":Asia/Tokyo", "Asia/Tokyo"),
                                         ("", "UTC"), ("EST5EDT,M3.2.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0")])
def test_system_zone_is_a_calmkit_time_zone(monkeypatch: pytest.MonkeyPatch, value: str, name: str) -> None:
    monkeypatch.setenv("TZ", value)
    z = localtime.system_zone()
    assert isinstance(z, TimeZone) and z == TimeZone(name)
    assert localtime.unknown_system_zone() is None


@pytest.mark.parametrize("value", ["Nowhere/Land", "../../etc/passwd", "ABC5XYZ,M13.1.0"])
def test_an_unknown_tz_is_no_zone(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TZ", value)
    assert localtime.system_zone() is None and localtime.unknown_system_zone() == value


def test_system_zone_follows_the_localtime_link(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # /etc/localtime as systemd and Debian make it: a link into a tzdata folder.
    monkeypatch.delenv("TZ", raising=False)
    tzdata = tmp_path / "usr" / "share" / "zoneinfo" / "America"
    tzdata.mkdir(parents=True)
    (tzdata / "Sao_Paulo").write_bytes(b"not read: the name is")
    link = tmp_path / "localtime"
    link.symlink_to(tzdata / "Sao_Paulo")
    monkeypatch.setattr(localtime, "LOCALTIME_LINK", str(link))
    assert localtime.system_zone() == TimeZone("America/Sao_Paulo")
    # A copied file (no name to read) or no file at all: no zone, the C library decides.
    link.unlink()
    link.write_bytes((tzdata / "Sao_Paulo").read_bytes())
    assert localtime.system_zone() is None
    link.unlink()
    assert localtime.system_zone() is None
