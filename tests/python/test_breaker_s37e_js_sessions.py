"""The same guided session in JavaScript (WebAssembly) and in Python (native C++).

A web front end and a native one must cue the same breath at the same
instant: every catalog exercise (and uneven custom steps) is driven by one
script of clock readings (frames at 60 and 144 Hz with jitter, repeated and
backward readings, a jump that suspends, pauses, resumes, skips, answers,
blank answers and a clock that is not finite) through the JavaScript package
(bindings/js/test/session_script.mjs) and through calmkit.Session. Every
snapshot and every event must be equal to the last bit, and every refused
call refused in both.

Run by CTest after the wasm build (CALMKIT_JS_DIR, CALMKIT_NODE); skipped,
saying why, when the package is not built.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import calmkit
from conftest import JsPackage

ROOT = Path(__file__).resolve().parents[2]

_STATE = [("status", "status"), ("step", "step"), ("steps", "steps"), ("cycle", "cycle"), ("cycles", "cycles"),
          ("phase", "phase"), ("text", "text"), ("prompt", "prompt"), ("waiting_for_answer", "waitingForAnswer"),
          ("answers_given", "answersGiven"), ("answers_needed", "answersNeeded"), ("seconds_left", "secondsLeft"),
          ("step_progress", "stepProgress"), ("session_progress", "sessionProgress"),
          ("elapsed_seconds", "elapsedSeconds"), ("paused_seconds", "pausedSeconds"), ("suspended", "suspended")]

UNEVEN = {"id": "me.uneven", "name": "Uneven", "kind": "breathing", "suits": "both", "instructions": "",
          "sources": [], "totalSeconds": 900,
          "steps": [{"type": "timed", "seconds": 0.1, "phase": "inhale", "cue": "in"},
                    {"type": "timed", "seconds": 0.7, "phase": "hold_in", "cue": "hold"},
                    {"type": "timed", "seconds": 1 / 3, "phase": "exhale", "cue": "out"}]}


def _script(rng: random.Random, t0: float, hz: float, length: float) -> list[list[Any]]:
    acts: list[list[Any]] = [["start", t0]]
    t = t0
    while t < t0 + length:
        r = rng.random()
        if r < 0.02:
            acts.append(["update", t - rng.uniform(0, 2)])  # the clock goes back
        elif r < 0.04:
            acts.append(["update", t])  # dt = 0
        elif r < 0.045:
            t += rng.uniform(5.5, 600)  # the laptop slept: suspends a timed step
            acts += [["update", t], ["resume", t + 0.01]]
        elif r < 0.06:
            acts += [["pause", t], ["update", t + 3], ["resume", t + 4]]
            t += 4
        elif r < 0.07:
            acts.append(["skip", t])
        elif r < 0.2:
            acts.append(["answer", t, rng.choice(["I see a lamp", "   ", "the rain", "chair \u2014 🪑"])])
        t += (1 / hz) * rng.uniform(0.5, 1.5)
        acts.append(["update", t])
    acts.append(["abort", t + 1])
    return acts


def _python(sc: dict) -> list[list[Any]]:
    ex = sc["exercise"]
    if isinstance(ex, str):
        exercise = calmkit.catalog_exercise(ex)
    else:
        d = dict(ex)
        d["total_seconds"] = d.pop("totalSeconds")
        exercise = calmkit.exercise_from_json(json.dumps(d))
    s = calmkit.Session(exercise, max_gap_seconds=math.inf if sc["maxGapSeconds"] == "inf" else sc["maxGapSeconds"])
    out = []
    for op, now, *text in sc["actions"]:
        error, state = None, None
        try:
            if op == "update":
                st = s.update(now)
                state = {js: getattr(st, py) for py, js in _STATE}
            elif op == "answer":
                s.answer(now, text[0])
            else:
                getattr(s, op)(now)
        except ValueError as e:
            error = str(e)
        events = [[e.type, e.at, e.step, e.cycle, e.phase, e.text] for e in s.poll_events()]
        out.append([op, error, state, events])
    return out


def test_every_exercise_runs_the_same_in_javascript_and_python(js_package: JsPackage, tmp_path: Path) -> None:
    rng = random.Random(37)
    scripts = []
    for i, ex in enumerate([e.id for e in calmkit.catalog()] + [UNEVEN]):
        hz = 60 if i % 2 else 144
        t0 = rng.choice([0.0, 12.5, 86_400.123, 3.2e7])
        scripts.append({"exercise": ex, "maxGapSeconds": rng.choice([5, "inf"]), "actions": _script(rng, t0, hz, 400)})
    scripts[0]["actions"][3:3] = [["update", math.nan], ["pause", math.inf], ["update", 2e12]]
    path = tmp_path / "scripts.json"
    # JSON has no NaN or infinity: those readings go as JavaScript reads them (null is not a number).
    path.write_text(json.dumps(scripts).replace("NaN", "null").replace("Infinity", "1e999"), encoding="utf-8")
    got = js_package.json(ROOT / "bindings/js/test/session_script.mjs", path, timeout=600)
    for sc, js in zip(scripts, got):
        py = _python(sc)
        assert len(js) == len(py)
        for k, (a, b) in enumerate(zip(py, js)):
            op, err_py, state_py, ev_py = a
            _, err_js, state_js, ev_js = b
            where = (sc["exercise"] if isinstance(sc["exercise"], str) else "uneven", k, sc["actions"][k])
            assert (err_py is None) == (err_js is None), (where, err_py, err_js)
            assert state_py == state_js, where
            assert ev_py == ev_js, where
