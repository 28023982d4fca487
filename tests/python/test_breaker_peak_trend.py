"""peak_trend per participant against statsmodels' OLS (slope, SE, t interval, intercept).

No test compared peak_trend's standard error and interval with an outside
fit. The cohort is random and interleaved (lines of all participants
shuffled, each record in its own offset); every reading is linked to its
trigger, so an episode's peak is, by docs/metrics.md's definition, the
largest of the trigger's intensity and its readings' intensities, computed
here from the records themselves (no unlinked-reading windows to model). The
x of an episode is weeks (7 x 86,400 s) since the participant's first onset.
statsmodels fits y = a + b x by ordinary least squares; its ``bse`` and
``conf_int`` (Student t, n - 2 degrees of freedom) are the reference.
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import calmkit

sm = pytest.importorskip("statsmodels.api")


def _iso(utc: datetime, offset: int) -> str:
    local = utc + timedelta(minutes=offset)
    sign = "+" if offset >= 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def _cohort(seed: int) -> tuple[str, dict[str, list[tuple[datetime, int]]]]:
    rng = random.Random(seed)
    lines, episodes = [], {}
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    for p in range(12):
        who = f"p{p:02d}"
        n = [0, 1, 2, 3][p] if p < 4 else rng.randint(4, 40)  # the small cases: no fit, no SE, ...
        drift = rng.uniform(-0.3, 0.3)
        eps = []
        if n == 0:  # in the journal through a reading alone: a row with no episodes
            lines.append({"type": "reading", "participant": who, "time": _iso(start, 0), "intensity": 5})
        for k in range(n):
            onset = start + timedelta(seconds=rng.randint(0, 90 * 86400), microseconds=rng.randint(0, 999999))
            off = rng.choice([-300, 0, 60, 120, 330, 600])
            x = rng.randint(0, 10)
            lines.append({"type": "trigger", "participant": who, "id": f"t{k}", "time": _iso(onset, off),
                          "category": "conflict", "intensity": x})
            peak = x
            for _ in range(rng.randint(0, 4)):
                v = max(0, min(10, int(round(x + drift * (onset - start).days / 7 + rng.gauss(0, 2)))))
                when = onset + timedelta(minutes=rng.randint(-30, 600))  # some before the onset: not observations
                lines.append({"type": "reading", "participant": who, "time": _iso(when, off), "intensity": v,
                              "trigger": f"t{k}"})
                if when >= onset:
                    peak = max(peak, v)
            eps.append((onset, peak))
        episodes[who] = eps
    rng.shuffle(lines)
    return "".join(json.dumps(r) + "\n" for r in lines), episodes


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_peak_trend_equals_statsmodels_ols(seed: int, confidence: float) -> None:
    text, episodes = _cohort(seed)
    got = calmkit.peak_trend(calmkit.parse_journal(text), confidence=confidence).set_index("participant")
    assert sorted(got.index.astype(str)) == sorted(episodes)
    fitted = 0
    for who, eps in episodes.items():
        row = got.loc[who]
        assert row["episodes"] == len(eps), who
        if not eps:
            assert math.isnan(row["mean_peak"]) and math.isnan(row["slope_per_week"]), who
            continue
        t0 = min(t for t, _ in eps)
        x = np.array([(t - t0).total_seconds() / (7 * 86400) for t, _ in eps])
        y = np.array([float(pk) for _, pk in eps])
        assert row["mean_peak"] == pytest.approx(y.mean(), rel=1e-12), who
        assert row["span_weeks"] == pytest.approx(x.max(), rel=1e-12, abs=1e-12), who
        if len(eps) < 2:
            assert math.isnan(row["slope_per_week"]), who
            continue
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        assert row["slope_per_week"] == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12), who
        assert row["intercept"] == pytest.approx(fit.params[0], rel=1e-9, abs=1e-12), who
        if len(eps) < 3:  # no residual degree of freedom: no SE, no interval
            assert math.isnan(row["slope_se"]) and math.isnan(row["slope_ci_low"]), who
            continue
        lo, hi = fit.conf_int(alpha=1 - confidence)[1]
        np.testing.assert_allclose([row["slope_se"], row["slope_ci_low"], row["slope_ci_high"]],
                                   [fit.bse[1], lo, hi], rtol=1e-9, atol=1e-12, err_msg=who)
        fitted += 1
    assert fitted >= 7
