"""Assessment scores and their change over time against R.

The attachment check-in is scored by the self-assessment guide of the
project's source texts on anxious attachment ("Scoring yourself on a scale of 1-5 (1=never, 5=always)
for each pattern, with scores of 3 or higher suggesting anxious attachment
tendencies in that area"); calmkit reverse-keys its positively worded items.
The GAD-7 is the sum of seven 0-3 answers with the bands 0-4, 5-9, 10-14,
15-21 (Spitzer et al. 2006). Here ``psych::scoreItems`` (keys with a leading
minus for the reverse-keyed items, min 1, max 5) scores the same answers,
``lm`` gives each participant's slope of the total on weeks, and the pooled
mean and median of the changes come from R too, in one Rscript run. Skipped
without R and psych unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import calmkit

REQUIRED = os.environ.get("CALMKIT_REFERENCES", "") == "required"

R_SCRIPT = r"""
suppressMessages(library(psych))
args <- commandArgs(TRUE)
att <- read.csv(file.path(args[1], "attachment.csv"))
def <- read.csv(file.path(args[1], "areas.csv"), stringsAsFactors = FALSE)
items <- att[, grep("^i", names(att))]
keys <- list()
for (a in unique(def$area)) {
  d <- def[def$area == a, ]
  keys[[a]] <- ifelse(d$reverse, paste0("-", d$item), d$item)
}
keys[["total"]] <- ifelse(def$reverse, paste0("-", def$item), def$item)
s <- scoreItems(keys, items, totals = FALSE, min = 1, max = 5, impute = "none")$scores
write.csv(data.frame(id = att$id, s), file.path(args[1], "attachment_r.csv"), row.names = FALSE)

gad <- read.csv(file.path(args[1], "gad.csv"))
g <- scoreItems(list(total = paste0("g", 1:7)), gad[, paste0("g", 1:7)], totals = TRUE, impute = "none")$scores
band <- cut(g[, "total"], c(-Inf, 4, 9, 14, 21), labels = c("minimal", "mild", "moderate", "severe"))
write.csv(data.frame(id = gad$id, total = g[, "total"], band = band), file.path(args[1], "gad_r.csv"),
          row.names = FALSE)

sc <- read.csv(file.path(args[1], "scores.csv"), stringsAsFactors = FALSE)
out <- do.call(rbind, lapply(split(sc, list(sc$participant, sc$instrument), drop = TRUE), function(d) {
  d <- d[order(d$seconds, d$id), ]
  weeks <- (d$seconds - d$seconds[1]) / (7 * 86400)
  slope <- if (nrow(d) >= 2 && diff(range(weeks)) > 0) unname(coef(lm(total ~ weeks, data = d))[2]) else NA
  data.frame(participant = d$participant[1], instrument = d$instrument[1], n = nrow(d),
             change = d$total[nrow(d)] - d$total[1], slope = slope)
}))
write.csv(out, file.path(args[1], "change_r.csv"), row.names = FALSE)
rep <- out[out$n >= 2, ]
pooled <- do.call(rbind, lapply(split(rep, rep$instrument), function(d)
  data.frame(instrument = d$instrument[1], repeated = nrow(d), mean_change = mean(d$change),
             median_change = median(d$change), lower = sum(d$change < 0), higher = sum(d$change > 0))))
write.csv(pooled, file.path(args[1], "pooled_r.csv"), row.names = FALSE)
"""


def _need_r() -> None:
    ok = shutil.which("Rscript") is not None and subprocess.run(
        ["Rscript", "--vanilla", "-e", "suppressMessages(library(psych))"], capture_output=True).returncode == 0
    if not ok:
        if REQUIRED:
            pytest.fail("R with psych is missing and CALMKIT_REFERENCES=required (tools/setup.sh installs it)")
        pytest.skip("R with psych (r-cran-psych) is not installed")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    _need_r()
    folder = tmp_path_factory.mktemp("assess")
    rng = np.random.default_rng(35)
    ins = calmkit.instrument("attachment-checkin")
    n_items = len(ins["items"])
    records = []
    att_rows, gad_rows = [], []
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    for p in range(12):
        # 1 to 5 assessments per participant and instrument, some at the same instant.
        for instrument in ("attachment-checkin", "gad-7"):
            k = int(rng.integers(1, 6))
            whens = sorted(t0 + timedelta(days=int(d), minutes=int(m))
                           for d, m in zip(rng.integers(0, 60, size=k), rng.integers(0, 600, size=k)))
            if k >= 3:
                whens[1] = whens[0]  # two at the same instant: first and latest go by id
            for n, when in enumerate(whens):
                rid = f"{instrument[:3]}-{p}-{n}"
                if instrument == "gad-7":
                    answers = [int(x) for x in rng.integers(0, 4, size=7)]
                    gad_rows.append({"id": rid, **{f"g{i + 1}": a for i, a in enumerate(answers)}})
                else:
                    answers = [int(x) for x in rng.integers(1, 6, size=n_items)]
                    att_rows.append({"id": rid, **{f"i{i + 1}": a for i, a in enumerate(answers)}})
                records.append(calmkit.Assessment(id=rid, time=when, instrument=instrument, answers=answers,
                                                  participant=f"p{p:02d}"))
    journal = calmkit.Journal(records)
    pd.DataFrame(att_rows).to_csv(folder / "attachment.csv", index=False)
    pd.DataFrame(gad_rows).to_csv(folder / "gad.csv", index=False)
    rev = set(ins["reverse_keyed"])
    pd.DataFrame([{"area": a["id"], "item": f"i{i + 1}", "reverse": i in rev}
                  for a in ins["areas"] for i in a["items"]]).to_csv(folder / "areas.csv", index=False)
    scores = calmkit.assessment_scores(journal)
    seconds = (scores["time"] - pd.Timestamp("2026-01-01", tz="UTC")).dt.total_seconds()
    scores.assign(seconds=seconds)[["participant", "id", "instrument", "total", "seconds"]].to_csv(
        folder / "scores.csv", index=False)
    script = folder / "ref.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    done = subprocess.run(["Rscript", "--vanilla", str(script), str(folder)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return journal, scores, {name: pd.read_csv(folder / f"{name}_r.csv")
                             for name in ("attachment", "gad", "change", "pooled")}


def test_attachment_areas_and_total_match_psych_score_items(run) -> None:
    journal, scores, r = run
    ins = calmkit.instrument("attachment-checkin")
    mine = scores[scores["instrument"] == "attachment-checkin"].set_index("id")
    ref = r["attachment"].set_index("id").loc[mine.index]
    for area in ins["areas"]:
        np.testing.assert_allclose(mine[area["id"]].to_numpy(), ref[area["id"]].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine["total"].to_numpy(), ref["total"].to_numpy(), rtol=0, atol=1e-12)
    # The guide's cut: an area averaging 3 or more is flagged.
    for rid, row in mine.iterrows():
        flagged = {a["name"] for a in ins["areas"] if ref.loc[rid, a["id"]] >= 3}
        assert {f.split(":")[0] for f in row["flags"]} == flagged, rid


def test_gad7_totals_and_bands_match_r(run) -> None:
    journal, scores, r = run
    mine = scores[scores["instrument"] == "gad-7"].set_index("id")
    ref = r["gad"].set_index("id").loc[mine.index]
    np.testing.assert_array_equal(mine["total"].to_numpy(), ref["total"].to_numpy())
    assert list(mine["band"].astype(str)) == list(ref["band"].astype(str))


def test_change_and_weekly_trend_match_r_lm(run) -> None:
    journal, scores, r = run
    mine = calmkit.assessment_change(journal).astype({"participant": str, "instrument": str})
    ref = r["change"].astype({"participant": str, "instrument": str})
    both = mine.merge(ref, on=["participant", "instrument"], suffixes=("", "_r"), validate="one_to_one")
    assert len(both) == len(mine) == len(ref)
    np.testing.assert_array_equal(both["n"], both["n_r"])
    np.testing.assert_allclose(both["change"], both["change_r"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(both["trend_per_week"], both["slope"], rtol=1e-9, atol=1e-12, equal_nan=True)
    assert both["slope"].isna().any() and both["slope"].notna().any()


def test_pooled_change_matches_r(run) -> None:
    journal, scores, r = run
    mine = calmkit.assessment_change(journal, by=None).astype({"instrument": str}).set_index("instrument")
    ref = r["pooled"].astype({"instrument": str}).set_index("instrument").loc[mine.index]
    for col in ("repeated", "lower", "higher"):
        np.testing.assert_array_equal(mine[col].to_numpy(), ref[col].to_numpy())
    for col in ("mean_change", "median_change"):
        np.testing.assert_allclose(mine[col].to_numpy(), ref[col].to_numpy(), rtol=0, atol=1e-12)
