"""affect_dynamics against R's psych (``mssd``, ``rmssd``) and against itself
under the journal format's "records may appear in any order".

The journal format (docs/journal-format.md) lets lines come in any order and
the reader orders records by (participant, time, id); readings need no id, so
two check-ins written at the same instant keep their order in the file. MSSD,
inertia and PAC are sums over successive pairs, so they depend on that order:
the same records in another line order must still give one answer (a journal
exported by one app and merged by another is shuffled).

psych's ``mssd(x, group)`` is the textbook sum of squared successive
differences over n - 1 (von Neumann et al. 1941); with ``max_gap_hours``
larger than the journal no pair is dropped, so calmkit's MSSD is psych's.
Skipped without R and psych unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

from test_references import REQUIRED


def _need_psych() -> None:
    ok = shutil.which("Rscript") is not None and subprocess.run(
        ["Rscript", "--vanilla", "-e", "suppressMessages(library(psych))"], capture_output=True).returncode == 0
    if not ok:
        if REQUIRED:
            pytest.fail("R with psych is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("R with psych is not installed (tools/setup.sh installs it)")


def _text(lines: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in lines)


#: One trigger, then five check-ins written at 10:00 (an app that saves a
#: batch at once, or a merge of two devices) and one at 11:00.
TIED = [{"type": "trigger", "participant": "a", "id": "t1", "time": "2026-03-02T09:00:00+01:00",
         "category": "conflict", "intensity": 6}] + [
    {"type": "reading", "participant": "a", "time": "2026-03-02T10:00:00+01:00", "intensity": v}
    for v in (2, 8, 5, 9, 1)] + [
    {"type": "reading", "participant": "a", "time": "2026-03-02T11:00:00+01:00", "intensity": 3}]


def test_same_records_in_any_line_order_give_one_answer() -> None:
    # B121: MSSD ran from 11.2 to 31.8 over 20 shuffles (tied readings in file order).
    answers = set()
    for seed in range(20):
        lines = TIED[:]
        random.Random(seed).shuffle(lines)
        row = calmkit.affect_dynamics(calmkit.parse_journal(_text(lines))).iloc[0]
        answers.add((round(row["mssd"], 12), round(row["inertia"], 12), round(row["pac"], 12)))
    assert len(answers) == 1, sorted(answers)


R_MSSD = r"""
suppressMessages(library(psych))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
m <- mssd(d$x, group = d$who)
r <- rmssd(d$x, group = d$who)
for (i in seq_len(nrow(m))) cat(rownames(m)[i], sprintf("%.17g %.17g", m[i, 1], r[i, 1]), "\n")
"""


def test_mssd_without_gaps_equals_psych(tmp_path: Path) -> None:
    # Guards what works: distinct instants, every pair used.
    _need_psych()
    rng = random.Random(36)
    lines, rows = [], []
    for p in range(5):
        who = f"p{p}"
        t = pd.Timestamp("2026-03-02T08:00:00Z")
        for k in range(rng.randint(3, 30)):
            t += pd.Timedelta(minutes=rng.randint(1, 3000))
            v = rng.randint(0, 10)
            if k == 0:
                lines.append({"type": "trigger", "participant": who, "id": "t0", "category": "conflict",
                              "intensity": v, "time": t.strftime("%Y-%m-%dT%H:%M:%SZ")})
            else:
                lines.append({"type": "reading", "participant": who, "intensity": v,
                              "time": t.strftime("%Y-%m-%dT%H:%M:%SZ")})
            rows.append((who, v))
    rng.shuffle(lines)
    pd.DataFrame(rows, columns=["who", "x"]).to_csv(tmp_path / "x.csv", index=False)
    (tmp_path / "m.R").write_text(R_MSSD)
    out = subprocess.run(["Rscript", "--vanilla", str(tmp_path / "m.R"), str(tmp_path / "x.csv")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = calmkit.affect_dynamics(calmkit.parse_journal(_text(lines)), max_gap_hours=1e6).set_index("participant")
    assert len(out.stdout.splitlines()) == 5
    for line in out.stdout.splitlines():
        who, mssd, rmssd = line.split()
        assert got.loc[who, "mssd"] == pytest.approx(float(mssd), rel=1e-12)
        assert got.loc[who, "rmssd"] == pytest.approx(float(rmssd), rel=1e-12)
        assert np.isfinite(got.loc[who, "pac"])


@pytest.mark.parametrize("gap", [float("inf"), 1e12])
def test_unlimited_gap_uses_every_pair_as_psych(gap: float, tmp_path: Path) -> None:
    # B122: the gap overflowed int64 microseconds and no pair was used (NaN).
    _need_psych()
    values = [6, 2, 8, 5, 9, 1, 3, 7]
    lines = [{"type": "trigger", "participant": "a", "id": "t1", "time": "2026-03-02T09:00:00Z",
              "category": "conflict", "intensity": values[0]}]
    for k, v in enumerate(values[1:]):  # a check-in a day: no two on the same date
        lines.append({"type": "reading", "participant": "a", "intensity": v,
                      "time": f"2026-03-{3 + k:02d}T09:00:00Z"})
    pd.DataFrame({"who": "a", "x": values}).to_csv(tmp_path / "x.csv", index=False)
    (tmp_path / "m.R").write_text(R_MSSD)
    out = subprocess.run(["Rscript", "--vanilla", str(tmp_path / "m.R"), str(tmp_path / "x.csv")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    _, mssd, rmssd = out.stdout.split()
    row = calmkit.affect_dynamics(calmkit.parse_journal(_text(lines)), max_gap_hours=gap).iloc[0]
    assert row["pairs"] == len(values) - 1
    assert row["mssd"] == pytest.approx(float(mssd), rel=1e-12)
    assert row["rmssd"] == pytest.approx(float(rmssd), rel=1e-12)
