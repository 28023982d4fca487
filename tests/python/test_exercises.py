"""Exercises, the session engine and suggestions from Python."""

from __future__ import annotations

import datetime as dt
import math
import os
import pathlib
import subprocess
import sys

import pytest

import calmkit

ROOT = pathlib.Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc


def test_catalog_ids_sources_and_frame():
    ids = [e.id for e in calmkit.catalog()]
    assert len(ids) == 29
    assert ids[:3] == ["breathing.extended-exhale", "breathing.4-7-8", "breathing.box"]
    assert ids[-1] == "improving.the-moment"
    for e in calmkit.catalog():
        e.validate()
        assert e.sources and all(s.endswith(".txt") for s in e.sources)

    frame = calmkit.exercise_catalog_frame()
    assert list(frame["id"]) == ids
    row = frame.set_index("id").loc["breathing.box"]
    # 300 s / 16 s = 18.75 -> 19 cycles, 304 s.
    assert row["cycles"] == 19
    assert row["duration_seconds"] == 304.0
    assert row["kind"] == "breathing"
    assert math.isnan(frame.set_index("id").loc["grounding.5-4-3-2-1", "duration_seconds"])
    assert ("breathing", "Breathing") in calmkit.exercise_kinds()


def test_lookup():
    assert calmkit.catalog_exercise("breathing.4-7-8").duration_seconds() == 76.0
    assert calmkit.find_exercise("nope") is None
    with pytest.raises(IndexError, match="nope"):
        calmkit.catalog_exercise("nope")


def test_custom_patterns_and_validation():
    box = calmkit.breathing_pattern("me.box", "Box", 4, 4, 4, 4, total_seconds=300)
    assert box.cycles() == 19
    assert box.repeats is None and box.total_seconds == 300
    assert [s.phase for s in box.steps] == ["inhale", "hold_in", "exhale", "hold_out"]
    assert calmkit.breathing_pattern("me.x", "X", 4, 0, 6, 0).cycles() == 4  # the default
    with pytest.raises(ValueError, match="zero-length cycle"):
        calmkit.breathing_pattern("me.z", "Z", 0, 0, 0, 0)
    with pytest.raises(ValueError, match="field 'hold_in'"):
        calmkit.breathing_pattern("me.n", "N", 4, -1, 4, 0)
    with pytest.raises(ValueError, match="not both"):
        calmkit.breathing_pattern("me.b", "B", 4, 0, 4, 0, repeats=2, total_seconds=60)

    steps = [calmkit.PromptStep("Name three sounds", answers=3), calmkit.TimedStep(30, cue="Rest")]
    e = calmkit.Exercise(id="me.g", name="Mine", kind="grounding", steps=steps, suits="acute")
    assert e.has_prompts() and e.duration_seconds() is None
    with pytest.raises(ValueError, match=r"field 'steps\[0\].answers'"):
        calmkit.Exercise(id="me.g", name="Mine", kind="grounding", steps=[calmkit.PromptStep("x", answers=0)])
    with pytest.raises(ValueError, match="unknown exercise kind 'yoga'"):
        calmkit.Exercise(id="me.g", name="Mine", kind="yoga", steps=steps)

    reg = calmkit.ExerciseRegistry()
    reg.add(e)
    assert "me.g" in reg and len(reg) == len(calmkit.catalog()) + 1
    assert len(calmkit.ExerciseRegistry(with_catalog=False)) == 0
    with pytest.raises(ValueError, match="duplicate exercise id"):
        reg.add(e)


def test_json_round_trip_and_errors():
    for e in calmkit.catalog():
        assert calmkit.exercise_from_json(e.to_json()) == e
    text = calmkit.exercises_to_json(calmkit.catalog())
    assert calmkit.exercises_from_json(text) == calmkit.catalog()
    with pytest.raises(calmkit.ExerciseFormatError, match=r"field 'steps\[0\]\.seconds'"):
        calmkit.exercise_from_json('{"id":"x","name":"X","kind":"breathing","steps":[{"type":"timed","seconds":-1}]}')
    assert issubclass(calmkit.ExerciseFormatError, ValueError)


def test_session_478_with_a_fake_clock():
    s = calmkit.Session(calmkit.catalog_exercise("breathing.4-7-8"), max_gap_seconds=math.inf)
    s.start(0.0)
    st = s.update(5.0)
    # 5 s: past the 4 s inhale, 1 s into the 7 s hold.
    assert (st.step, st.phase, st.seconds_left, st.cycle, st.cycles) == (1, "hold_in", 6.0, 1, 4)
    assert st.session_progress == pytest.approx(5 / 76)
    assert s.update(75.9).status == "running"
    assert s.update(76.0).status == "finished"
    starts = [(e.at, e.phase) for e in s.poll_events() if e.type == "step_started"]
    assert starts[:4] == [(0.0, "inhale"), (4.0, "hold_in"), (11.0, "exhale"), (19.0, "inhale")]
    assert len(starts) == 12
    rec = s.finish(80.0, id="e1", started_at="2026-03-02T21:14:00+01:00", intensity_before=8, intensity_after=5)
    assert isinstance(rec, calmkit.ExerciseSession)
    assert rec.completed and rec.exercise == "breathing.4-7-8"
    assert rec.end - rec.time == dt.timedelta(seconds=76)
    assert (rec.intensity_before, rec.intensity_after) == (8, 5)


def test_pause_suspend_backwards_skip():
    s = calmkit.Session(calmkit.catalog_exercise("breathing.box"))
    s.start(0.0)
    s.update(2.0)
    s.pause(2.0)
    st = s.update(10.0)
    assert st.status == "paused" and st.paused_seconds == 8.0 and st.elapsed_seconds == 2.0
    s.resume(10.0)
    s.update(11.0)
    st = s.update(500.0)  # suspended at 11: the jump is paused time
    assert st.status == "paused" and st.suspended and st.elapsed_seconds == 3.0
    s.resume(500.0)
    st = s.update(400.0)  # backwards: ignored
    assert st.elapsed_seconds == 3.0
    s.skip(500.5)
    assert s.state.phase == "hold_in" and s.skipped_steps == 1
    s.abort(501.0)
    rec = s.finish(501.0, id="e2", started_at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert not rec.completed
    assert rec.end - rec.time == dt.timedelta(seconds=501)
    with pytest.raises(ValueError):
        calmkit.Session(calmkit.catalog_exercise("breathing.box"), max_gap_seconds=0)


def test_prompts_collect_answers():
    s = calmkit.Session(calmkit.catalog_exercise("cognitive.three-alternatives"))
    s.start(0.0)
    st = s.update(1.0)
    assert st.waiting_for_answer and st.answers_needed == 1
    s.answer(2.0, "they are losing interest")
    for i, alt in enumerate(["busy", "phone died", "asleep"]):
        s.answer(3.0 + i, alt)
    assert s.status == "finished"
    assert s.responses == ["they are losing interest", "busy", "phone died", "asleep"]
    with pytest.raises(ValueError):
        s.answer(10.0, "late")


def test_suggest_uses_the_band_and_history():
    t0 = dt.datetime(2026, 3, 1, 20, tzinfo=UTC)
    sessions = [
        calmkit.ExerciseSession(id=f"e{i}", time=t0 + dt.timedelta(days=i), end=t0 + dt.timedelta(days=i, minutes=5),
                                exercise="breathing.box", participant="p1", intensity_before=8, intensity_after=5)
        for i in range(3)
    ]
    journal = calmkit.Journal(sessions)
    top = calmkit.suggest(8, journal, "p1", limit=3)
    assert [s.exercise for s in top] == ["breathing.box", "breathing.physiological-sigh", "tipp.temperature"]
    assert top[0].score == 6.0 and top[0].mean_drop == 3.0 and top[0].rated_sessions == 3  # 3 + 3
    low = calmkit.suggest(2, calmkit.Journal(), limit=1)
    assert low[0].kind == "cognitive"
    with pytest.raises(ValueError):
        calmkit.suggest(11, journal)


def test_python_pacer_writes_a_journal(tmp_path):
    journal = tmp_path / "journal.jsonl"
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples/python/breathing_pacer.py"), str(journal),
         "--exercise", "mindfulness.three-breaths", "--speed", "100", "--participant", "p1"],
        input="7\n3\n", capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    assert "journal: 1 exercise session in" in result.stdout
    # 3 rounds of in/out were announced.
    assert result.stdout.count("[round ") == 6
    back = calmkit.read_journal(journal)
    (rec,) = list(back.exercises)
    assert rec.exercise == "mindfulness.three-breaths"
    assert rec.completed and rec.participant == "p1"
    assert (rec.intensity_before, rec.intensity_after) == (7, 3)
