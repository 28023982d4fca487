"""tz= given a value of the wrong type (an int, as a user passing a UTC offset
in hours would) to the public functions that take a time zone.

read_parquet says what tz must be ("tz must be a zone name, a POSIX TZ rule or
a tzinfo, got int").

B58 (fixed): the metric functions hand tz to pybind11, whose TypeError lists the
signature of a private function the user never called
("_metric_trigger_trend(): incompatible function arguments. The following
argument types are supported: ...") and does not say which argument was
wrong; record_counts says "a time zone is an IANA name or a POSIX TZ rule
(str), got int" without naming tz.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"

METRICS = ["affect_dynamics", "km_curve", "km_quantiles", "practice_consistency", "practice_streaks",
           "record_counts", "time_to_calm_summary", "trigger_frequency", "trigger_trend", "trigger_trend_weeks",
           "window_of_uncertainty"]


@pytest.fixture(scope="module")
def journal() -> calmkit.Journal:
    return calmkit.read_journal(SAMPLE)


def test_read_parquet_says_what_tz_must_be(journal: calmkit.Journal, tmp_path: Path) -> None:
    d = calmkit.write_parquet(journal, tmp_path / "d")
    with pytest.raises((TypeError, ValueError), match=r"\btz\b"):
        calmkit.read_parquet(d, tz=5)


@pytest.mark.parametrize("name", METRICS)
def test_a_zone_name_of_the_wrong_spelling_names_the_zone(name: str, journal: calmkit.Journal) -> None:
    with pytest.raises(ValueError, match="Europe/Berln"):
        getattr(calmkit, name)(journal, tz="Europe/Berln")


@pytest.mark.parametrize("name", METRICS)
def test_a_tz_of_the_wrong_type_names_tz(name: str, journal: calmkit.Journal) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        getattr(calmkit, name)(journal, tz=5)
    message = str(e.value)
    assert "_metric_" not in message and "incompatible function arguments" not in message, message[:300]
    assert "tz" in message, message[:300]


@pytest.mark.parametrize("name", ["trigger_frequency", "record_counts", "practice_consistency"])
def test_a_zoneinfo_or_timezone_object_is_its_zone_name(name: str, journal: calmkit.Journal) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    by_name = getattr(calmkit, name)(journal, tz="Europe/Kyiv")
    for zone in (zoneinfo.ZoneInfo("Europe/Kyiv"), calmkit.TimeZone("Europe/Kyiv")):
        assert getattr(calmkit, name)(journal, tz=zone).equals(by_name)
