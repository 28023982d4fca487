"""The R call docs/metrics.md gives for calmkit's Kaplan-Meier curve, run as
written, against km_curve on a group whose times span seconds to decades.

R's survfit passes the times through aeqSurv by default (timefix = TRUE),
which merges times closer than about 1.5e-8 times their mean: with a
28-year episode in the group, episodes of 1, 2, 3 ... seconds become one
tied time in R, and R's curve, band and median are no longer calmkit's
(calmkit keeps every distinct time, as R does with timefix = FALSE, which
the reference tests pass). A researcher checking calmkit's numbers with the
documented call gets different ones. Times up to 4.5e9 minutes (years
1400-9999) are valid in a journal, and the reference tests use times up to
7e13 minutes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import calmkit

from test_references import REQUIRED

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _documented_call() -> str:
    m = re.search(r"`(fit <- survfit\(Surv\(minutes, calmed\) ~ 1[^`]*\))`", DOC.read_text(encoding="utf-8"))
    assert m, "docs/metrics.md lost its R call for the Kaplan-Meier curve"
    return m.group(1)


def test_the_documented_r_call_gives_the_curve(tmp_path: Path) -> None:
    # Was B198: the documented call had no timefix = FALSE; R made one time of the ten seconds.
    if shutil.which("Rscript") is None:
        if REQUIRED:
            pytest.fail("R is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("R is not installed (tools/setup.sh installs it)")
    minutes = np.array([k / 60 for k in range(1, 11)] + [1.5e7])  # 1-10 seconds, and 28.5 years
    calmed = np.array([True, False] * 5 + [True])
    frame = pd.DataFrame({"participant": pd.Categorical(["a"] * len(minutes)),
                          "onset": pd.Timestamp("2026-01-01", tz="UTC"), "offset_minutes": np.int16(0),
                          "category": "conflict", "minutes": minutes, "calmed": calmed})
    curve = calmkit.km_curve(frame, by=None)
    data = tmp_path / "d.csv"
    pd.DataFrame({"minutes": minutes, "calmed": calmed}).to_csv(data, index=False)
    script = (f"suppressMessages(library(survival)); d <- read.csv('{data}'); d$calmed <- d$calmed == 'True'\n"
              f"{_documented_call().replace('~ 1', '~ 1, data = d', 1)}\n"
              "cat(sprintf('%.17g %.17g', fit$time, fit$surv), sep = '\\n')\n")
    out = subprocess.run(["Rscript", "--vanilla", "-e", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    r = np.array([list(map(float, line.split())) for line in out.stdout.split("\n") if line.strip()])
    assert len(r) == len(curve), f"R has {len(r)} times, calmkit {len(curve)}"
    np.testing.assert_allclose(r[:, 0], curve["minutes"], rtol=1e-12)
    np.testing.assert_allclose(r[:, 1], curve["survival"], rtol=1e-12)
