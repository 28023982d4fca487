"""The synthetic cohort of the metrics benchmark, as NumPy columns.

A deliberately simple, documented generator (not calmkit.synthetic_journal,
whose per-record objects would dominate memory at this size), seeded so that
both implementations see the same data:

- ``participants`` people, each journaling over ``days`` days from Monday
  2026-03-02 00:00 UTC, with a fixed UTC offset drawn from
  {-300, -240, 0, +60, +120, +330} minutes;
- ``triggers_per_participant`` triggers at uniform random seconds of the span,
  onset intensity uniform 4..10, category uniform over the 18 categories;
- ``readings_per_trigger`` readings after each onset at a uniform delay of
  0..900 minutes (so some fall outside the 12-hour window and some after the
  next onset); intensity = onset intensity - a decay that grows with the delay,
  plus noise, clipped to 0..10; 70 % link to their trigger, 30 % are unlinked;
- everything sorted by (participant, time), as a journal would be.
"""

from __future__ import annotations

import numpy as np

US_PER_MIN = 60_000_000
US_PER_DAY = 86_400_000_000
START_US = 1_772_409_600_000_000  # 2026-03-02T00:00:00Z, a Monday


def make_cohort(participants: int, triggers_per_participant: int, readings_per_trigger: int, days: int = 91,
                seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_t = participants * triggers_per_participant
    t_p = np.repeat(np.arange(participants, dtype=np.int32), triggers_per_participant)
    t_us = START_US + rng.integers(0, days * 86_400, n_t, dtype=np.int64) * 1_000_000
    order = np.lexsort((t_us, t_p))
    t_p, t_us = t_p[order], t_us[order]
    offsets = np.array([-300, -240, 0, 60, 120, 330], dtype=np.int16)
    p_off = offsets[rng.integers(0, len(offsets), participants)]
    t_off = p_off[t_p]
    t_x = rng.integers(4, 11, n_t).astype(np.int8)
    t_cat = rng.integers(0, 18, n_t).astype(np.uint8)

    k = readings_per_trigger
    src = np.repeat(np.arange(n_t, dtype=np.int32), k)
    delay_min = rng.integers(0, 901, n_t * k).astype(np.int64)
    r_us = t_us[src] + delay_min * US_PER_MIN
    decay = delay_min // 60 + rng.integers(-2, 3, n_t * k)
    r_x = np.clip(t_x[src].astype(np.int64) - decay, 0, 10).astype(np.int8)
    linked = rng.random(n_t * k) < 0.7
    r_trig = np.where(linked, src, -1).astype(np.int32)
    r_p = t_p[src]
    order = np.lexsort((r_us, r_p))
    return {
        "participants": np.array([f"p{i:05d}" for i in range(participants)], dtype=object),
        "t_p": t_p, "t_us": t_us, "t_off": t_off, "t_x": t_x, "t_cat": t_cat,
        "r_p": r_p[order], "r_us": r_us[order], "r_off": p_off[r_p[order]], "r_x": r_x[order],
        "r_trig": r_trig[order],
    }
