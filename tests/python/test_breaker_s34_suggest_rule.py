"""calmkit.suggest against its rule in docs/exercises.md ("What could help
now"), recomputed here from the page's table on random journals: the band of
the intensity, the base score by kind, the bonus by when an exercise suits,
the person's own mean drop (sessions with both ratings, completed or not,
at least ``min_sessions`` of them, times ``history_weight``; other people's
sessions never count), highest first with ties in catalog order."""

from __future__ import annotations

import datetime as dt
import random

import pytest

import calmkit

#: The page's table: kind -> (low 0-4, middle 5-6, high 7-10).
BASE = {"breathing": (1, 2, 3), "temperature": (0, 1, 3), "movement": (1, 2, 3), "muscle_relaxation": (1, 2, 2),
        "grounding": (1, 3, 2), "pause": (0, 2, 2), "sensory_soothing": (1, 2, 1), "mindfulness": (2, 2, 1),
        "distraction": (1, 2, 1), "acceptance": (2, 1, 0), "cognitive": (3, 1, 0),
        "improving_the_moment": (1, 2, 1)}


def _expected(intensity: int, sessions: list[tuple[str, str, int | None, int | None]], who: str,
              min_sessions: int, weight: float) -> list[tuple[str, float]]:
    band = 2 if intensity >= 7 else 1 if intensity >= 5 else 0
    rows = []
    for k, e in enumerate(calmkit.catalog()):
        score = float(BASE[e.kind][band])
        if band == 2:
            score += {"acute": 0.5, "daily": -0.5}.get(e.suits, 0.0)
        elif band == 0 and e.suits == "daily":
            score += 0.5
        drops = [b - a for ex, p, b, a in sessions if ex == e.id and p == who and b is not None and a is not None]
        if len(drops) >= min_sessions:
            score += weight * sum(drops) / len(drops)
        rows.append((-score, k, e.id))
    return [(i, -s) for s, _, i in sorted(rows)]


@pytest.mark.parametrize("seed", range(40))
def test_suggest_follows_the_documented_rule(seed: int) -> None:
    rnd = random.Random(seed)
    ids = [e.id for e in calmkit.catalog()][:6] + ["custom.not-in-the-catalog"]
    journal, sessions = calmkit.Journal(), []
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for k in range(rnd.randint(0, 40)):
        ex, who = rnd.choice(ids), rnd.choice(["a", "b", ""])
        before, after = rnd.choice([None, *range(11)]), rnd.choice([None, *range(11)])
        at = start + dt.timedelta(hours=k)
        journal.add(calmkit.ExerciseSession(id=f"s{k}", time=at, end=at + dt.timedelta(minutes=5), exercise=ex,
                                            participant=who, completed=rnd.random() < 0.5,
                                            intensity_before=before, intensity_after=after))
        sessions.append((ex, who, before, after))
    intensity, who = rnd.randint(0, 10), rnd.choice(["a", "b", ""])
    min_sessions, weight = rnd.randint(1, 4), rnd.choice([1.0, 0.5, 2.0])
    got = calmkit.suggest(intensity, journal, participant=who, min_sessions=min_sessions, history_weight=weight)
    want = _expected(intensity, sessions, who, min_sessions, weight)
    assert [g.exercise for g in got] == [i for i, _ in want]
    assert [g.score for g in got] == pytest.approx([s for _, s in want], abs=1e-12)
