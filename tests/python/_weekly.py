"""The weekly-count journal the trigger-trend tests share (not a test file).

Each participant has readings on the Monday and the Sunday of every week, so
every day of the span is observed (7 days a week: no exposure offset), and
``counts[w]`` triggers in week ``w``, one a minute from Monday noon UTC. The
trend tests compare ``calmkit.trigger_trend`` on such a journal with
statsmodels' and R's GLMs on the counts themselves
(test_trend_quasi_poisson.py, test_breaker_s36s_trend.py,
test_breaker_s37s_overdispersion.py).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

import calmkit

#: Monday noon UTC of the first week.
START = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def weekly_count_journal(series: Mapping[str, Iterable[int]]) -> calmkit.Journal:
    """A journal of participant -> trigger counts per week (week 0 first)."""
    lines = []
    for who, counts in series.items():
        for w, c in enumerate(counts):
            for day in (0, 6):
                lines.append({"type": "reading", "participant": who, "intensity": 2,
                              "time": _iso(START + timedelta(days=7 * w + day))})
            for k in range(int(c)):
                lines.append({"type": "trigger", "participant": who, "id": f"t{w}_{k}", "category": "conflict",
                              "intensity": 5, "time": _iso(START + timedelta(days=7 * w, minutes=k + 1))})
    return calmkit.parse_journal("".join(json.dumps(r) + "\n" for r in lines))
