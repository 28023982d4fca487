"""Assessments from Python: the record class, the journal table, instruments,
scoring, and the score / change DataFrames (values computed by hand)."""

from __future__ import annotations

import datetime as dt
import math
import pickle

import pytest

import calmkit

UTC = dt.timezone.utc


def gad(p: str, i: str, day: int, answers: list[int]) -> calmkit.Assessment:
    return calmkit.Assessment(id=i, participant=p, time=dt.datetime(2026, 3, day, 9, tzinfo=UTC),
                              instrument="gad-7", answers=answers)


def test_record_class_table_and_pickle():
    a = gad("p", "a1", 2, [1, 1, 2, 0, 1, 1, 0])
    assert a.answers == [1, 1, 2, 0, 1, 1, 0]
    assert a.instrument == "gad-7"
    assert pickle.loads(pickle.dumps(a)) == a
    j = calmkit.Journal([a, gad("p", "a0", 1, [0] * 7)])
    assert len(j.assessments) == 2
    assert j.assessments[0].id == "a0"  # ordered by time
    frame = j.assessments.to_pandas()
    assert list(frame["id"]) == ["a0", "a1"]
    assert list(frame["instrument"]) == ["gad-7", "gad-7"]
    assert frame["answers"].iloc[1] == [1, 1, 2, 0, 1, 1, 0]
    with pytest.raises(ValueError, match="duplicate assessment id 'a1'"):
        j.add(gad("p", "a1", 3, [0] * 7))
    # the JSONL round trip keeps them
    assert calmkit.parse_journal(calmkit.to_jsonl(j)) == j


def test_instruments_listing_and_scoring():
    assert calmkit.instrument_ids()[:2] == ["attachment-checkin", "gad-7"]
    g = calmkit.instrument("gad-7")
    assert len(g["items"]) == 7
    assert g["scale_labels"] == ["not at all", "several days", "more than half the days", "nearly every day"]
    assert [b["label"] for b in g["bands"]] == ["minimal", "mild", "moderate", "severe"]
    a = calmkit.instrument("attachment-checkin")
    assert a["reflection_only"] is True
    assert len(a["areas"]) == 7
    # 1+1+2+0+1+1+0 = 6 -> mild
    s = calmkit.score("gad-7", [1, 1, 2, 0, 1, 1, 0])
    assert s["total"] == 6.0
    assert s["band"] == "mild"
    with pytest.raises(ValueError, match=r"item 3 \(\"Trouble relaxing\"\)"):
        calmkit.score("gad-7", [0, 0, 0, 4, 0, 0, 0])
    with pytest.raises(ValueError, match="unknown instrument 'nope'"):
        calmkit.instrument("nope")


def test_custom_instrument_with_reverse_keys():
    calmkit.register_instrument({
        "id": "py-test-2", "name": "Two items", "items": ["tense", "at ease"],
        "scale_min": 0, "scale_max": 4, "reverse_keyed": [1],
        "areas": [{"id": "tension", "name": "Tension", "items": [0, 1]}],
        "area_rule": "mean", "bands": [{"label": "low", "min": 0, "max": 3}, {"label": "high", "min": 4, "max": 8}],
    })
    # answers 3, 1: keyed 3 and 4 - 1 = 3 -> total 6 ("high"), tension mean 3
    s = calmkit.score("py-test-2", [3, 1])
    assert s["total"] == 6.0
    assert s["band"] == "high"
    assert s["areas"] == {"tension": 3.0}
    with pytest.raises(ValueError, match="already registered"):
        calmkit.register_instrument({"id": "gad-7", "name": "x", "items": ["a"], "scale_min": 0, "scale_max": 1})
    with pytest.raises(ValueError, match="unknown key 'itmes'"):
        calmkit.register_instrument({"id": "x", "name": "x", "itmes": ["a"], "scale_min": 0, "scale_max": 1})


def test_assessment_scores_and_change():
    check = [3] * 28  # every area: mean 3 (reverse keyed 6 - 3 = 3 too) -> all flagged
    j = calmkit.Journal([
        gad("p", "g1", 2, [3, 3, 3, 3, 2, 0, 0]),    # 14 moderate
        gad("p", "g2", 9, [2, 2, 2, 2, 1, 0, 0]),    # 9 mild
        gad("p", "g3", 16, [1, 1, 1, 1, 0, 0, 0]),   # 4 minimal
        calmkit.Assessment(id="c1", participant="p", time=dt.datetime(2026, 3, 2, 10, tzinfo=UTC),
                           instrument="attachment-checkin", answers=check),
        gad("q", "g1", 2, [0] * 7),
    ])
    scores = calmkit.assessment_scores(j)
    assert len(scores) == 5
    p_gad = scores[(scores.participant == "p") & (scores.instrument == "gad-7")]
    assert list(p_gad["total"]) == [14.0, 9.0, 4.0]
    assert list(p_gad["band"]) == ["moderate", "mild", "minimal"]
    assert math.isnan(p_gad["emotional_responses"].iloc[0])  # gad-7 has no areas
    c = scores[scores.instrument == "attachment-checkin"].iloc[0]
    assert c["emotional_responses"] == 3.0
    assert c["total"] == 3.0
    assert len(c["flags"]) == 7

    change = calmkit.assessment_change(j).set_index(["participant", "instrument"])
    row = change.loc[("p", "gad-7")]
    assert row["n"] == 3
    assert row["first_total"] == 14.0
    assert row["latest_total"] == 4.0
    assert row["change"] == -10.0
    # weeks 0, 1, 2 with totals 14, 9, 4: slope exactly -5 per week
    assert row["trend_per_week"] == pytest.approx(-5.0)
    assert math.isnan(change.loc[("q", "gad-7")]["trend_per_week"])  # one assessment
    assert change.loc[("p", "attachment-checkin")]["n"] == 1


def test_empty_journal_gives_empty_frames():
    j = calmkit.Journal()
    assert len(calmkit.assessment_scores(j)) == 0
    assert list(calmkit.assessment_change(j).columns)[:2] == ["participant", "instrument"]


def _uncovered_totals(inst: dict) -> list:
    """Every total the instrument can give that no band covers, by brute
    force: every answer vector scored with exact fractions (sum, or mean of
    the n items), independent of calmkit's scoring."""
    import itertools
    from fractions import Fraction

    n, lo, hi = len(inst["items"]), inst["scale_min"], inst["scale_max"]
    sums = {sum(a) for a in itertools.product(range(lo, hi + 1), repeat=n)} if n <= 7 else set(
        range(n * lo, n * hi + 1))  # beyond 7 items: every whole sum in range is reachable
    totals = {Fraction(s, n) if inst.get("total_rule") == "mean" else Fraction(s) for s in sums}
    return sorted(t for t in totals
                  if not any(Fraction(b["min"]) <= t <= Fraction(b["max"]) for b in inst["bands"]))


def test_bands_must_cover_every_possible_total():
    # Every built-in instrument with bands gives each possible total a band.
    for i in calmkit.builtin_instrument_ids():
        inst = calmkit.instrument(i)
        if inst["bands"]:
            assert _uncovered_totals(inst) == [], i
    # The reviewer's case: a mean of 2 items on 0-3 with integer bands 0-1 and
    # 2-3 leaves 1.5 with no band (and no guidance): refused at registration.
    g = calmkit.instrument("gad-7")
    gappy = dict(g, id="py-band-gap", total_rule="mean", items=g["items"][:2],
                 bands=[{"label": "low", "min": 0, "max": 1, "guidance": "low"},
                        {"label": "high", "min": 2, "max": 3, "guidance": "high"}])
    assert [float(t) for t in _uncovered_totals(gappy)] == [1.5]
    with pytest.raises(ValueError, match=r"no band covers a total of 1\.5 \(a mean of 2 items moves in steps of "
                                         r"1/2\)"):
        calmkit.register_instrument(gappy)
    # Gaps below the first band, above the last, and for a sum.
    for bands, first_gap in (([{"label": "a", "min": 0.5, "max": 3}], 0.0),
                             ([{"label": "a", "min": 0, "max": 2.5}], 3.0)):
        case = dict(gappy, id="py-band-gap-2", bands=bands)
        assert [float(t) for t in _uncovered_totals(case)] == [first_gap]
        with pytest.raises(ValueError, match=f"no band covers a total of {first_gap:g}"):
            calmkit.register_instrument(case)
    summed = dict(gappy, id="py-band-gap-3", total_rule="sum",
                  bands=[{"label": "a", "min": 0, "max": 2}, {"label": "b", "min": 4, "max": 6}])
    assert [float(t) for t in _uncovered_totals(summed)] == [3.0]
    with pytest.raises(ValueError, match="no band covers a total of 3:"):
        calmkit.register_instrument(summed)
    # Bands on the real line that cover every mean are taken, and a mean of
    # 1.5 gets its band.
    fixed = dict(gappy, id="py-band-real", bands=[{"label": "low", "min": 0, "max": 1.5, "guidance": "low"},
                                                  {"label": "high", "min": 2, "max": 3, "guidance": "high"}])
    assert _uncovered_totals(fixed) == []
    calmkit.register_instrument(fixed)
    assert calmkit.score("py-band-real", [1, 2])["band"] == "low"
    assert calmkit.score("py-band-real", [2, 2])["band"] == "high"
