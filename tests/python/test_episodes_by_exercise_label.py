"""``episodes_by_exercise(frame, none=...)``: the label of the episodes without an exercise.

``none`` names a group of :func:`calmkit.time_to_calm_summary` (by="exercise"),
so it must be text that shows and must not be an exercise id of the frame,
whose episodes it would join (the docstring says so).
"""

from __future__ import annotations

import pandas as pd
import pytest

import calmkit


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return calmkit.analysis_frame(calmkit.synthetic_journal(participants=3, days=28, seed=5))


def test_the_default_and_another_label(frame):
    default = calmkit.episodes_by_exercise(frame)
    other = calmkit.episodes_by_exercise(frame, none="no exercise")
    without = int((frame["n_exercises"] == 0).sum())
    assert without > 0
    assert int((default["exercise"] == "none").sum()) == without
    assert int((other["exercise"] == "no exercise").sum()) == without
    summary = calmkit.time_to_calm_summary(other, by="exercise").set_index("exercise")
    assert summary.loc["no exercise", "episodes"] == without


@pytest.mark.parametrize("none", [None, 0, 1.5, b"none", ["none"], pd.NA])
def test_a_label_that_is_not_text_is_a_type_error_naming_none(frame, none):
    with pytest.raises(TypeError, match=r"none= must be text \(str\)"):
        calmkit.episodes_by_exercise(frame, none=none)


@pytest.mark.parametrize("none", ["", "   ", "\t"])
def test_a_label_that_does_not_show_is_a_value_error(frame, none):
    with pytest.raises(ValueError, match="none= must be a label that shows"):
        calmkit.episodes_by_exercise(frame, none=none)


def test_a_label_that_is_an_exercise_id_of_the_frame_is_refused(frame):
    used = sorted({x for v in frame["exercises"].dropna() for x in str(v).split(";") if x})
    assert used
    with pytest.raises(ValueError, match=rf"none='{used[0]}' is an exercise id used in the frame"):
        calmkit.episodes_by_exercise(frame, none=used[0])
    # An id of the catalog no episode of this frame used is a label like any other.
    unused = next(e.id for e in calmkit.catalog() if e.id not in used)
    assert (calmkit.episodes_by_exercise(frame, none=unused)["exercise"] == unused).any()


def test_a_frame_that_is_not_a_dataframe_is_a_type_error(frame):
    with pytest.raises(TypeError, match="needs the DataFrame of calmkit.analysis_frame, got list"):
        calmkit.episodes_by_exercise([frame])
