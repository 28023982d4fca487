"""assessment_scores against R's ``psych::scoreItems`` (Revelle, psych 2.2),
the usual way a researcher scores a keyed questionnaire: each instrument's
items and reverse keys read from ``calmkit.instrument(id)``, written as a
psych keys list ("-item" for a reverse-keyed item, reversed as
min + max - x), areas and the total scored as psych does (item means with
``totals = FALSE``, sums with ``totals = TRUE``), on random answers and on
the extreme answer patterns (all minimum, all maximum).

The GAD-7's bands are checked against Spitzer et al. (2006): 0-4 minimal,
5-9 mild, 10-14 moderate, 15-21 severe.

Skipped without R and psych unless CALMKIT_REFERENCES=required.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import calmkit
from test_references import _R_WRITE, _need, _r_available, _rscript

_PSYCH = _R_WRITE + """
suppressMessages(library(psych))
items <- read.csv("items.csv")
keys <- read.csv("keys.csv", stringsAsFactors = FALSE)
spec <- read.csv("spec.csv")
answers <- items[, grep("^i", names(items))]
key_list <- lapply(split(keys, factor(keys$scale, levels = unique(keys$scale))), function(k) k$key)
s <- scoreItems(key_list, answers, totals = spec$totals[1] == 1, impute = "none",
                min = spec$min[1], max = spec$max[1])
write_frame(data.frame(row = items$row, s$scores, check.names = FALSE), "scores.csv")
"""


def _instrument(name: str) -> dict:
    info = calmkit.instrument(name)
    return info if isinstance(info, dict) else vars(info)


def _journal(name: str, answers: np.ndarray) -> calmkit.Journal:
    j = calmkit.Journal()
    start = pd.Timestamp("2026-02-02T09:00:00Z")
    for k, row in enumerate(answers):
        j.add(calmkit.Assessment(participant=f"q{k % 7}", id=f"a{k:04d}",
                                 time=(start + pd.Timedelta(days=k)).isoformat(), instrument=name,
                                 answers=[int(x) for x in row]))
    return j


def _answers(lo: int, hi: int, n_items: int, reverse: set[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(lo, hi + 1, size=(300, n_items))
    flip = np.isin(np.arange(n_items), sorted(reverse))
    a[0] = np.where(flip, hi, lo)  # the lowest total once reverse-keyed
    a[1] = np.where(flip, lo, hi)  # the highest
    return a


@pytest.mark.parametrize("name", ["attachment-checkin", "gad-7"])
def test_scores_equal_psych_score_items(name: str, tmp_path) -> None:
    _need(_r_available("psych"), "R with the psych package (r-cran-psych)")
    info = _instrument(name)
    items = list(info["items"])
    lo, hi = int(info["scale_min"]), int(info["scale_max"])
    reverse = {int(i) for i in info.get("reverse_keyed", [])}
    areas = [(a["id"], list(a["items"])) if isinstance(a, dict) else (a.id, list(a.items))
             for a in info.get("areas", [])]
    mean_rule = str(info.get("total_rule", "sum")) == "mean"
    answers = _answers(lo, hi, len(items), reverse, seed=len(items))
    frame = pd.DataFrame(answers, columns=[f"i{k}" for k in range(len(items))]).assign(row=range(len(answers)))
    key_rows = [("total", ("-" if k in reverse else "") + f"i{k}") for k in range(len(items))]
    for area, idx in areas:
        key_rows += [(area, ("-" if k in reverse else "") + f"i{k}") for k in idx]
    keys = pd.DataFrame(key_rows, columns=["scale", "key"])
    spec = pd.DataFrame({"totals": [0 if mean_rule else 1], "min": [lo], "max": [hi]})
    ref = _rscript(tmp_path, _PSYCH, {"items": frame, "keys": keys, "spec": spec}, ["scores"])["scores"]

    got = calmkit.assessment_scores(_journal(name, answers))
    got = got.assign(row=got["id"].astype(str).str[1:].astype(int)).set_index("row").sort_index()
    ref = ref.set_index("row").loc[got.index]
    np.testing.assert_allclose(got["total"].to_numpy(float), ref["total"].to_numpy(float), rtol=1e-12)
    for area, _ in areas:  # an area scored as psych's scale of its keyed items
        np.testing.assert_allclose(got[area].to_numpy(float), ref[area].to_numpy(float), rtol=1e-12, err_msg=area)
    # The extremes: the whole range of the total.
    assert (got["total"].min(), got["total"].max()) == (
        (lo, hi) if mean_rule else (lo * len(items), hi * len(items)))


def test_gad7_bands_are_spitzer_2006() -> None:
    answers = np.zeros((22, 7), dtype=int)
    for total in range(22):  # a pattern summing to each total 0..21
        left = total
        for k in range(7):
            answers[total, k] = min(3, left)
            left -= answers[total, k]
    got = calmkit.assessment_scores(_journal("gad-7", answers))
    got = got.assign(row=got["id"].astype(str).str[1:].astype(int)).set_index("row").sort_index()
    assert got["total"].tolist() == list(range(22))
    expect = ["minimal"] * 5 + ["mild"] * 5 + ["moderate"] * 5 + ["severe"] * 7
    assert got["band"].astype(str).tolist() == expect
