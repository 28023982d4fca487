"""calmkit.pacer: the terminal front end shared by `calmkit practice` and the
breathing pacer example."""

from __future__ import annotations

import datetime as dt
import io

import pytest

import calmkit
from calmkit import pacer


def test_ask_intensity_asks_again_and_skips() -> None:
    out = io.StringIO()
    # "eleven" and 11 are refused, 7 is taken; then an empty line skips.
    inp = io.StringIO("eleven\n11\n7\n\n")
    assert pacer.ask_intensity("Now?", out=out, inp=inp) == 7
    assert out.getvalue().count("Please type a whole number from 0 to 10.") == 2
    assert pacer.ask_intensity("And now?", out=out, inp=inp) is None
    assert pacer.ask_intensity("End of input?", out=out, inp=io.StringIO("")) is None


def test_fresh_id_adds_a_counter_on_collision() -> None:
    when = dt.datetime(2026, 11, 23, 14, 15, 0)
    assert pacer.fresh_id(set(), "ex-", when) == "ex-20261123T141500"
    taken = {"ex-20261123T141500", "ex-20261123T141500-2"}
    assert pacer.fresh_id(taken, "ex-", when) == "ex-20261123T141500-3"


def test_progress_line_draws_the_step() -> None:
    run = pacer.run_in_terminal(calmkit.catalog_exercise("breathing.box"), speed=1e6, out=io.StringIO(),
                                tty=False)
    state = run.session.state
    line = pacer.progress_line(state, width=10)
    assert state.text in line and "round" in line and line.count("#") + line.count(".") >= 10


def test_run_without_a_terminal_prints_each_step_and_finishes() -> None:
    exercise = calmkit.catalog_exercise("breathing.4-7-8")
    out = io.StringIO()
    # 4-7-8 lasts 19 s a round; at 2000x the whole exercise takes well under a second.
    run = pacer.run_in_terminal(exercise, speed=2000, out=out, tty=False)
    assert run.completed
    text = out.getvalue()
    assert text.startswith("[round 1] ")
    assert text.rstrip().endswith("Done.")
    assert "\033[" not in text  # no redraw codes when the output is not a terminal
    record = run.finish(id="ex-1", participant="p1", intensity_before=7, intensity_after=3)
    assert (record.id, record.participant, record.exercise, record.completed) == ("ex-1", "p1", "breathing.4-7-8",
                                                                                 True)
    assert record.intensity_before == 7 and record.intensity_after == 3


def test_run_on_a_terminal_redraws_with_the_apps_own_line() -> None:
    out = io.StringIO()
    run = pacer.run_in_terminal(calmkit.catalog_exercise("breathing.box"), speed=2000, out=out, tty=True,
                                draw=lambda st: f"<{st.cycle}>")
    assert run.completed
    assert "\r\033[2K<1>" in out.getvalue()


def test_prompts_are_answered_from_the_input_and_end_of_input_stops() -> None:
    # 5-4-3-2-1 grounding asks 5 + 4 + 3 + 2 + 1 = 15 answers, one line each;
    # an empty line skips a question.
    exercise = calmkit.catalog_exercise("grounding.5-4-3-2-1")
    needed = sum(s.answers for s in exercise.steps)
    assert needed == 15
    lines = ["a thing"] * 14 + [""]
    out = io.StringIO()
    run = pacer.run_in_terminal(exercise, speed=2000, out=out, inp=io.StringIO("\n".join(lines) + "\n"),
                                tty=False)
    assert run.completed
    assert out.getvalue().count("(1/5): ") == 1
    # With no input at all the first question ends the session early.
    out = io.StringIO()
    run = pacer.run_in_terminal(exercise, speed=2000, out=out, inp=io.StringIO(""), tty=False)
    assert not run.completed
    assert out.getvalue().rstrip().endswith("Stopped early.")


def test_speed_is_checked() -> None:
    with pytest.raises(ValueError, match="speed"):
        pacer.run_in_terminal(calmkit.catalog_exercise("breathing.box"), speed=0)
