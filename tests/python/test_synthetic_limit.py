"""``synthetic_journal`` refuses a cohort too large to hold before taking any memory.

The limit (src/synthetic.cpp ``synthetic_record_limit``: 20 million records expected,
about 3 GB as a journal file) is on an estimate that is never below what the
generator makes: checked here against the counts of real journals.
"""

from __future__ import annotations

import resource

import pytest

import calmkit

LIMIT = 20_000_000


def _estimate(participants=3, days=56, triggers_per_day_start=1.2, triggers_per_day_end=0.4,
              readings_per_episode=4.0, exercise_probability=0.6, thought_record_probability=0.3,
              assessments=True, **_):
    """The estimate as src/synthetic.cpp computes it (estimated_records)."""
    rate = max(triggers_per_day_start, triggers_per_day_end)
    per_day = rate * (1 + readings_per_episode + exercise_probability + thought_record_probability) + 2
    sittings = 2 * (days / 13 + 1) if assessments else 0
    return participants * (days * per_day + sittings)


@pytest.mark.parametrize("options", [
    {}, {"participants": 20, "days": 120, "seed": 2}, {"triggers_per_day_start": 5.0, "triggers_per_day_end": 5.0},
    {"readings_per_episode": 12.0, "days": 30}, {"days": 1, "participants": 40}, {"assessments": False},
])
def test_the_estimate_is_never_below_what_is_made(options):
    journal = calmkit.synthetic_journal(**options)
    assert len(journal) <= _estimate(**options), (len(journal), _estimate(**options))


@pytest.mark.parametrize("options", [
    {"participants": 10**9},
    {"participants": 2**31 - 1, "days": 2**20},
    {"participants": 100_000, "days": 365},
    {"participants": 1000, "days": 365, "triggers_per_day_start": 1000.0},
])
def test_a_cohort_over_the_limit_is_refused_up_front(options):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError) as e:
        calmkit.synthetic_journal(**options)
    text = str(e.value)
    assert "more than the limit of 20 million records per synthetic journal" in text, text
    assert f"{options['participants']} participants over" in text
    assert "million records" in text and "GB as a journal file" in text
    # refused before any memory was taken (a MemoryError or a swap storm otherwise)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


def test_the_limit_is_on_the_estimate():
    # The first cohort of 56-day participants over the limit is refused (one fewer would be
    # generated: too large for a unit test, its estimate is checked instead).
    per_participant = _estimate(participants=1, days=56)
    under = int(LIMIT // per_participant)
    assert _estimate(participants=under, days=56) <= LIMIT < _estimate(participants=under + 1, days=56)
    with pytest.raises(ValueError, match="more than the limit"):
        calmkit.synthetic_journal(participants=under + 1, days=56)
    # The benchmarks' largest cohort (benchmarks/user_path/run.py) is far under it.
    assert _estimate(participants=4700, days=56) < LIMIT / 5
