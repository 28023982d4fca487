"""docs/data-dictionary.md against the frames calmkit really returns: every
documented frame is built (on the committed sample journal), and its column
names, their order and their dtypes must be the ones in the document's table;
every public function that returns a frame must have its section."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

import calmkit

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def _tables() -> dict[str, list[tuple[str, str]]]:
    """frame key -> [(column, dtype)] from each `<!-- frame: key -->` section's table."""
    out: dict[str, list[tuple[str, str]]] = {}
    key = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"<!-- frame: (\w+) -->", line)
        if m:
            key = m.group(1)
            assert key not in out, f"section {key} twice"
            out[key] = []
            continue
        if key and line.startswith("| ") and not line.startswith("| column ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[key].append((cells[0], cells[1]))
    return out


def _frames(journal: Any) -> dict[str, Callable[[], pd.DataFrame]]:
    j = journal
    return {
        "triggers": lambda: j.triggers.to_pandas(),
        "readings": lambda: j.readings.to_pandas(),
        "exercises": lambda: j.exercises.to_pandas(),
        "thought_records": lambda: j.thought_records.to_pandas(),
        "assessments": lambda: j.assessments.to_pandas(),
        "time_to_calm": lambda: calmkit.time_to_calm(j),
        "analysis_frame": lambda: calmkit.analysis_frame(j),
        "episodes_by_exercise": lambda: calmkit.episodes_by_exercise(calmkit.analysis_frame(j)),
        "peak_intensity": lambda: calmkit.peak_intensity(j),
        "time_to_calm_summary": lambda: calmkit.time_to_calm_summary(j, by=["participant", "week", "category"]),
        "km_curve": lambda: calmkit.km_curve(j, by="participant"),
        "km_quantiles": lambda: calmkit.km_quantiles(j, by="participant"),
        "trigger_frequency": lambda: calmkit.trigger_frequency(j, "week", by_category=True, by_group=True),
        "trigger_trend": lambda: calmkit.trigger_trend(j),
        "trigger_trend_weeks": lambda: calmkit.trigger_trend_weeks(j),
        "trigger_weekday_hour": lambda: calmkit.trigger_weekday_hour(j),
        "trigger_weekday_hour_summary": lambda: calmkit.trigger_weekday_hour_summary(j),
        "trigger_category_totals": lambda: calmkit.trigger_category_totals(j),
        "record_counts": lambda: calmkit.record_counts(j),
        "peak_trend": lambda: calmkit.peak_trend(j),
        "exercise_effectiveness": lambda: calmkit.exercise_effectiveness(j, by_participant=True),
        "thought_record_summary": lambda: calmkit.thought_record_summary(j),
        "distortion_frequency": lambda: calmkit.distortion_frequency(j),
        "window_of_uncertainty": lambda: calmkit.window_of_uncertainty(j, by="week"),
        "window_of_uncertainty_first_and_latest": lambda: calmkit.window_of_uncertainty(j, by="first_and_latest"),
        "practice_consistency": lambda: calmkit.practice_consistency(j),
        "practice_streaks": lambda: calmkit.practice_streaks(j),
        "affect_dynamics": lambda: calmkit.affect_dynamics(j),
        "assessment_scores": lambda: calmkit.assessment_scores(j),
        "assessment_change": lambda: calmkit.assessment_change(j),
        "assessment_change_pooled": lambda: calmkit.assessment_change(j, by=None),
    }


@pytest.fixture(scope="module")
def journal(request) -> Any:
    path = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"
    return calmkit.read_journal(str(path))


def test_every_frame_is_documented_and_every_section_is_a_frame(journal) -> None:
    assert set(_tables()) == set(_frames(journal))
    # Every public metric function (they all return frames) has its section.
    for name in calmkit.metrics.__all__ + calmkit.assessments.__all__:
        obj = getattr(calmkit, name, None)
        if inspect.isfunction(obj) and inspect.signature(obj).return_annotation in (pd.DataFrame, "pd.DataFrame"):
            assert name in _tables(), f"calmkit.{name} returns a frame but docs/data-dictionary.md has no section"


@pytest.mark.parametrize("key", sorted(_tables()))
def test_columns_and_dtypes_match_the_document(journal, key) -> None:
    documented = _tables()[key]
    frame = _frames(journal)[key]()
    assert len(frame) > 0, f"the sample journal gives no row of {key}: the check would prove little"
    real = [(str(c), str(frame[c].dtype)) for c in frame.columns]
    if key == "assessment_scores":  # one float64 column per area id after the documented ones
        extra = real[len(documented):]
        assert extra and all(dtype == "float64" for _, dtype in extra)
        real = real[:len(documented)]
    if key == "episodes_by_exercise":  # the analysis_frame columns, then the documented ones
        assert real[:-len(documented)] == _tables()["analysis_frame"]
        real = real[-len(documented):]
    assert real == documented


def test_missing_text_is_never_an_empty_string(journal) -> None:
    # The convention the page states for every frame: text is "string" with <NA>.
    for key, build in _frames(journal).items():
        frame = build()
        for c in frame.columns:
            # analysis_frame's exercises is a joined list: "" is the empty list (documented).
            if str(frame[c].dtype) == "string" and c != "exercises":
                assert not (frame[c] == "").any(), f"{key}.{c} holds an empty string"
            assert str(frame[c].dtype) != "object" or frame[c].map(lambda v: isinstance(v, list)).all(), (
                f"{key}.{c}: an object column must hold lists only (text is 'string')")


@pytest.mark.parametrize("key, pooled, dropped", [
    ("trigger_frequency", lambda j: calmkit.trigger_frequency(j, "week", by_category=True, by_group=True, by=None),
     {"participant"}),
    ("trigger_weekday_hour", lambda j: calmkit.trigger_weekday_hour(j, by=None), {"participant"}),
    ("trigger_weekday_hour_summary", lambda j: calmkit.trigger_weekday_hour_summary(j, by=None), {"participant"}),
    ("trigger_category_totals", lambda j: calmkit.trigger_category_totals(j, by=None), {"participant"}),
    ("trigger_category_totals", lambda j: calmkit.trigger_category_totals(j, by=None, level="group"),
     {"participant", "category"}),
    ("trigger_category_totals", lambda j: calmkit.trigger_category_totals(j, level="group"), {"category"}),
    ("thought_record_summary", lambda j: calmkit.thought_record_summary(j, by=None), {"participant"}),
    ("record_counts", lambda j: calmkit.record_counts(j, by=None), {"participant"}),
    ("peak_trend", lambda j: calmkit.peak_trend(j, by=None), {"participant"}),
])
def test_pooled_and_grouped_variants_only_leave_out_their_key(journal, key, pooled, dropped) -> None:
    # The page documents each frame once, with its keys; a variant (pooled,
    # per group) is that table without the keys it does not group by.
    frame = pooled(journal)
    assert len(frame) > 0
    documented = [(c, t) for c, t in _tables()[key] if c not in dropped]
    assert [(str(c), str(frame[c].dtype)) for c in frame.columns] == documented


def _journal_without_optional_text() -> Any:
    """Every optional text left out: a trigger without context, thoughts,
    sensations, urge or response,
    readings unlinked and without id or note, an exercise linked to nothing,
    a thought record without friend's advice, balanced thought or trigger,
    an attachment check-in (an instrument without bands); enough records for
    an episode, a weekly table and every summary to have rows."""
    j = calmkit.Journal()
    for d in range(3):
        day = f"2026-05-{4 + 7 * d:02d}"
        j.add(calmkit.Trigger(participant="a", id=f"t{d}", time=f"{day}T10:00:00+02:00", category="conflict",
                              intensity=7, acted_on_urge=d == 1, acted_after_minutes=15 if d == 1 else None))
        j.add(calmkit.Reading(participant="a", time=f"{day}T10:30:00+02:00", intensity=2))
        j.add(calmkit.ExerciseSession(participant="a", id=f"e{d}", time=f"{day}T10:05:00+02:00",
                                      end=f"{day}T10:10:00+02:00", exercise="box-breathing", intensity_before=6,
                                      intensity_after=4))
        j.add(calmkit.ThoughtRecord(participant="a", id=f"r{d}", time=f"{day}T11:00:00+02:00", situation="s",
                                    automatic_thought="x", belief_before=80, belief_after=50,
                                    distortions=["mind_reading"]))
        items = len(calmkit.instrument("attachment-checkin")["items"])
        j.add(calmkit.Assessment(participant="a", id=f"c{d}", time=f"{day}T12:00:00+02:00",
                                 instrument="attachment-checkin", answers=[3] * items))
    return j


def test_absent_text_is_na_in_every_frame() -> None:
    # The reviewer's kind 5 on every frame of the page: a journal with no
    # optional text at all gives <NA>, never "", in every "string" column, and
    # the missing links / bands are NA where the page says they can be.
    j = _journal_without_optional_text()
    for key, build in _frames(j).items():
        frame = build()
        assert len(frame) > 0, key
        for c in frame.columns:
            if str(frame[c].dtype) == "string" and c != "exercises":
                assert not (frame[c] == "").any(), f"{key}.{c} holds an empty string"
    r = j.readings.to_pandas()
    assert r["trigger"].isna().all() and r["id"].isna().all() and r["note"].isna().all()
    t = j.triggers.to_pandas()
    assert all(t[c].isna().all() for c in ("context", "urge", "response"))
    assert all(v == [] for c in ("thoughts", "sensations") for v in t[c])  # lists: empty, as documented
    assert j.exercises.to_pandas()["trigger"].isna().all()
    tr = j.thought_records.to_pandas()
    assert tr["friend_advice"].isna().all() and tr["balanced_thought"].isna().all() and tr["trigger"].isna().all()
    assert calmkit.assessment_scores(j)["band"].isna().all()
    change = calmkit.assessment_change(j)
    assert change["first_band"].isna().all() and change["latest_band"].isna().all()
