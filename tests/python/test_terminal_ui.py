"""How the personal commands look and behave in a terminal (issue 18), tried as
a person would: in a pseudo-terminal with a real window size, at every step of
``calmkit now`` and ``calmkit thought`` stopped with Ctrl-C or Ctrl-D, on a
40-column terminal, with ``TERM=dumb`` and ``NO_COLOR``, through a pipe, and
with rich markup typed into a participant id or an instrument's label.

The drawing is rich's (item 5 of the issue): lists, the pacer's bar and the
result panels on a terminal, the same words as plain lines elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import calmkit
from calmkit import home
from calmkit.prompts import Prompter, styled
from test_guided import Terminal, default_journal, of_type, records, run_piped

BOX = "╭╮╰╯│─"
ESC = re.compile(r"\x1b")


@pytest.fixture
def person(tmp_path: Path) -> dict[str, str]:
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home")}


def flat(text: str) -> str:
    """The words of a transcript, without box lines and line breaks."""
    return " ".join(text.translate({ord(c): " " for c in BOX}).split())


# --- rich on a terminal, plain through a pipe ---------------------------------------------


def test_now_on_a_terminal_draws_lists_the_pacer_bar_and_a_result_panel(tmp_path: Path,
                                                                        person: dict[str, str]) -> None:
    term = Terminal(tmp_path, person, ["now"], sleep=0.02)
    term.answer(r"right now\?", "8")
    term.answer(r"first letters of one", "conflict")
    term.answer(r"what happened\?", "")
    term.answer(r"  -", "")
    term.answer(r"body\?", "")
    term.answer(r"urge to do\?", "")
    term.answer(r"s skips the exercise:", "breathing.box")
    # The pacer's rich bar: the step in bold, the bar, seconds left, the round.
    term.expect(r"━+\s+\d+\.\d s\s+round 1/19")
    term.send("q")
    term.answer(r"distress now\?", "5")
    term.expect(r"╭─ This episode ─+╮")
    term.expect(r"│ Distress 8 -> 5 \(down 3 points\)\. +│")
    # How long it ran is the number of frames drawn before q was read (a fake second each):
    # on a busy machine that can pass a minute, so the panel is held to the recorded session.
    shown = term.expect(r"│ Box breathing: \d+ min \d\d s, stopped early\. +│")
    assert term.wait() == 0
    assert "\x1b[1m" in term.raw  # questions and headings in bold
    assert "\x1b[?25l" in term.raw and "\x1b[?25h" in term.raw  # rich.live hid the cursor and gave it back
    (session,) = of_type(records(default_journal(person)), "exercise")
    assert session["completed"] is False
    (ex,) = calmkit.read_journal(default_journal(person)).exercises
    seconds = round((ex.end - ex.time).total_seconds())
    assert 0 < seconds < 19 * 16 and f"Box breathing: {seconds // 60} min {seconds % 60:02d} s," in shown, shown


def test_now_through_a_pipe_is_plain_text(tmp_path: Path, person: dict[str, str]) -> None:
    # The same flow with the exercise run 1000 times faster: step lines instead of a bar, no panel box.
    r = run_piped(["now", "--speed", "1000"], "8\nconflict\n\n\n\n\nbreathing.box\n5\n", person)
    assert r.returncode == 0, r.stderr
    assert not ESC.search(r.stdout) and not any(c in r.stdout for c in BOX + "━")
    assert "[round 1] In\n[round 1] Hold\n[round 1] Out" in r.stdout and "Done." in r.stdout
    assert "This episode\nDistress 8 -> 5 (down 3 points).\nWhat set it off: Disagreement or criticism." \
        in r.stdout
    # The suggestions: a numbered list, each reason under its exercise.
    assert re.search(r"\n {3}1\. .+ \(breathing\.[\w.-]+\)\n {6}distress 8/10 is high: calm the body first",
                     r.stdout), r.stdout


def test_term_dumb_gets_plain_lines_and_still_the_pause_key(tmp_path: Path, person: dict[str, str]) -> None:
    term = Terminal(tmp_path, {**person, "TERM": "dumb"}, ["now"], sleep=0.02)
    term.answer(r"right now\?", "6")
    term.answer(r"first letters of one", "1")
    term.answer(r"what happened\?", "")
    term.answer(r"  -", "")
    term.answer(r"body\?", "")
    term.answer(r"urge to do\?", "")
    term.answer(r"s skips the exercise:", "breathing.box")
    term.expect(r"Keys: p or space pauses")
    term.expect(r"\[round 1\] In")
    term.send("p")
    term.expect(r"Paused\. p or space resumes, q stops\.")
    term.send("q")
    term.expect(r"Stopped early\.")
    term.answer(r"distress now\?", "4")
    term.expect(r"This episode")
    assert term.wait() == 0
    start = term.raw.index("How strong")
    # No styles, no box, no cursor movement: only what readline itself may send.
    assert not re.search(r"\x1b\[[0-9;]*m", term.raw[start:])
    assert not any(c in term.raw for c in BOX + "━")


def test_no_color_keeps_bold_but_drops_colours(tmp_path: Path, person: dict[str, str]) -> None:
    term = Terminal(tmp_path, {**person, "NO_COLOR": "1"}, ["now"], sleep=0.02)
    term.answer(r"right now\?", "8")
    term.answer(r"first letters of one", "1")
    term.answer(r"what happened\?", "")
    term.answer(r"  -", "")
    term.answer(r"body\?", "")
    term.answer(r"urge to do\?", "")
    term.answer(r"s skips the exercise:", "breathing.box")
    term.expect(r"━+\s+\d+\.\d s\s+round 1/19")
    term.send("q")
    term.answer(r"distress now\?", "")
    assert term.wait() == 0
    sgr = re.findall(r"\x1b\[([0-9;]*)m", term.raw)
    assert "1" in sgr
    colours = [code for code in sgr for part in code.split(";") if part[:1] in ("3", "4") and part not in ("39", "49")]
    assert colours == []


# --- rich markup and control characters in what a person typed ------------------------------


MARKUP = "[bold red]ann[/] :smile: [link=http://x]y[/link]"


def test_rich_markup_in_a_participant_id_is_shown_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal([
        calmkit.Trigger(id="t-1", time="2026-11-29T10:00:00+02:00", category="conflict", intensity=7,
                        participant=MARKUP),
        calmkit.Trigger(id="t-2", time="2026-11-29T11:00:00+02:00", category="conflict", intensity=7,
                        participant="bob\x1b[2J"),
    ]), path)
    term = Terminal(tmp_path, {}, ["summary", str(path)])
    assert term.wait() == 0
    assert f"Participant {MARKUP}" in term.text()
    assert "Participant bob\\x1b[2J" in term.text() and "\x1b[2J" not in term.raw
    assert "\U0001f604" not in term.raw and "\x1b]8;" not in term.raw  # no emoji, no hyperlink


def test_rich_markup_in_a_custom_instruments_label_is_shown_as_typed(tmp_path: Path, person: dict[str, str]) -> None:
    definition = dict(calmkit.instrument("gad-7"), id="mine-h18", name="Mine [bold red]x[/] :smile:")
    definition["bands"] = [dict(b, label=f"[blink]{b['label']}[/]", guidance=f"[on red]{b['label']}[/] :x:")
                           for b in definition["bands"]]
    (tmp_path / "mine.json").write_text(json.dumps(definition), encoding="utf-8")
    term = Terminal(tmp_path, person, ["--instruments", str(tmp_path / "mine.json"), "assess", "mine-h18"])
    for _ in range(7):
        term.answer(r"\(0-3\):", "1")
    term.expect(r"╭─ Mine \[bold red\]x\[/\] :smile:: your result ─+╮")
    term.expect(r"band: \[blink\]mild\[/\]")
    term.expect(r"\[on red\]mild\[/\] :x:")
    assert term.wait() == 0
    assert "\U0001f604" not in term.raw and "\u274c" not in term.raw and "\x1b]8;" not in term.raw
    assert "\x1b[5m" not in term.raw and "\x1b[41m" not in term.raw  # no blink, no red background


def test_styled_text_is_escaped_and_never_markup() -> None:
    t = styled("[b]x[/b] :smile: \x1b[2J\u202e")
    assert t.plain == "[b]x[/b] :smile: \\x1b[2J\\u202e" and not t.spans

    class Tty:
        text = ""

        def write(self, s: str) -> None:
            Tty.text += s

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    p = Prompter(out=Tty(), width=60)
    p.panel(MARKUP, [MARKUP, styled(MARKUP, "bold")])
    assert Tty.text.count(MARKUP) == 3 and "\U0001f604" not in Tty.text


# --- every step stopped with Ctrl-C or Ctrl-D keeps what was answered ------------------------


NOW_STEPS = [
    (r"right now\?", "7"),
    (r"first letters of one", "conflict"),
    (r"what happened\?", "a sharp message"),
    (r"  -", "they are angry with me"),
    (r"  -", ""),
    (r"body\?", "tight chest"),
    (r"urge to do\?", "apologise"),
    (r"s skips the exercise:", "s"),
    (r"distress now\?", "4"),
]


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("step", range(len(NOW_STEPS)))
def test_now_stopped_at_each_step_keeps_what_was_answered(tmp_path: Path, person: dict[str, str], step: int,
                                                          key: str) -> None:
    term = Terminal(tmp_path, person, ["now"])
    for prompt, answer in NOW_STEPS[:step]:
        term.answer(prompt, answer)
    term.expect(NOW_STEPS[step][0])
    (term.interrupt if key == "ctrl-c" else term.end_input)()
    term.expect("Stopped: keeping what was answered" if key == "ctrl-c" else "End of input: keeping what was answered")
    assert term.wait() == (130 if key == "ctrl-c" else 0)  # 130: stopped by SIGINT, as shells report it
    path = default_journal(person)
    if step == 0:
        assert not path.exists() and "Nothing recorded." in term.text()
        return
    recs = records(path)
    if step == 1:
        (reading,) = of_type(recs, "reading")
        assert of_type(recs, "trigger") == []
        assert reading["intensity"] == 7 and "trigger" not in reading
        return
    (trigger,) = of_type(recs, "trigger")
    assert (trigger["category"], trigger["intensity"]) == ("conflict", 7)
    assert trigger.get("context", "") == ("a sharp message" if step > 2 else "")
    assert trigger.get("thoughts", []) == (["they are angry with me"] if step > 3 else [])
    assert trigger.get("sensations", []) == (["tight chest"] if step > 5 else [])
    assert trigger.get("urge", "") == ("apologise" if step > 6 else "")
    assert of_type(recs, "exercise") == [] and of_type(recs, "reading") == []


def test_ctrl_c_while_the_exercise_runs_stops_it_and_still_asks_the_distress(tmp_path: Path,
                                                                            person: dict[str, str]) -> None:
    term = Terminal(tmp_path, person, ["now"], sleep=0.02)
    for prompt, answer in NOW_STEPS[:7]:
        term.answer(prompt, answer)
    term.answer(r"s skips the exercise:", "breathing.box")
    term.expect(r"round 1/19")
    term.send("\x03")
    term.expect(r"Stopped early\.")
    term.answer(r"distress now\?", "5")
    assert term.wait() == 0
    recs = records(default_journal(person))
    (trigger,) = of_type(recs, "trigger")
    (session,) = of_type(recs, "exercise")
    (reading,) = of_type(recs, "reading")
    assert session["completed"] is False and session["trigger"] == reading["trigger"] == trigger["id"]


THOUGHT_STEPS = [
    (r"as a camera would\s+have seen it\?", "a late reply"),
    (r"hurt most\)", "they are leaving"),
    (r"believe it, right now\?", "80"),
    (r"  -", "fear 70"),
    (r"  -", ""),
    (r"Which fit\?", "5"),
    (r"support the thought", ""),
    (r"do not fit it", ""),
    (r"  1\.", "they are busy"),
    (r"  2\.", ""),
    (r"tell a friend", "wait and see"),
    (r"balanced thought", "a late reply is not a verdict"),
    (r"now\? \(0-100 %, Enter skips\)", "40"),
    (r"fear was 70 %; and now\?", "30"),
]


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("step", [0, 2, 3, 5, 6, 8, 10, 11, 12, 13])
def test_thought_stopped_at_each_step_keeps_what_was_answered(tmp_path: Path, person: dict[str, str], step: int,
                                                              key: str) -> None:
    term = Terminal(tmp_path, person, ["thought"])
    for prompt, answer in THOUGHT_STEPS[:step]:
        term.answer(prompt, answer)
    term.expect(THOUGHT_STEPS[step][0])
    (term.interrupt if key == "ctrl-c" else term.end_input)()
    assert term.wait() == (130 if key == "ctrl-c" else 0)
    path = default_journal(person)
    if step < 3:
        assert not path.exists() and "Nothing recorded" in term.text()
        return
    (tr,) = list(calmkit.read_journal(path).thought_records)
    assert (tr.situation, tr.automatic_thought, tr.belief_before) == ("a late reply", "they are leaving", 80)
    assert [(e.name, e.before, e.after) for e in tr.emotions] == (
        [] if step < 4 else [("fear", 70, 30 if step > 13 else None)])
    assert tr.distortions == (["mind_reading"] if step > 5 else [])
    assert tr.alternatives == (["they are busy"] if step > 8 else [])
    assert tr.friend_advice == ("wait and see" if step > 10 else "")
    assert tr.balanced_thought == ("a late reply is not a verdict" if step > 11 else "")
    assert tr.belief_after == (40 if step > 12 else None)


# --- a narrow terminal ---------------------------------------------------------------------


def test_a_40_column_terminal_wraps_between_words(tmp_path: Path, person: dict[str, str]) -> None:
    typed = ["8", "slow", "", "", "", "", "s", "3"]
    term = Terminal(tmp_path, person, ["now"], columns=40)
    term.answer(r"right now\?", typed[0])
    term.answer(r"first letters of one", typed[1])
    term.answer(r"what happened\?", typed[2])
    term.answer(r"  -", typed[3])
    term.answer(r"body\?", typed[4])
    term.answer(r"urge to do\?", typed[5])
    term.answer(r"s skips the exercise:", typed[6])
    term.answer(r"distress now\?", typed[7])
    term.expect("Recorded in")
    assert term.wait() == 0
    lines = term.text().splitlines()
    # Every line fits, but a prompt's last line with the answer typed after it and a path
    # longer than the line (one word: never cut).
    assert [x for x in lines if len(x) > 40 and " " in x.strip()
            and not any(x.endswith(" " + a) for a in typed if a)] == []
    words = flat(term.text())
    for suggestion in calmkit.suggest(8, calmkit.Journal(), "")[:3]:
        assert suggestion.reason in words  # each reason whole: no word cut at the edge
    assert "Distress 8 -> 3 (down 5 points)." in words and "What set it off: Slow or missing reply." in words

    term = Terminal(tmp_path, person, ["assess", "gad-7"], columns=40)
    for _ in range(7):
        term.answer(r"\(0-3\):", "3")
    term.expect("Licence:")
    assert term.wait() == 0
    box = [x for x in term.text().splitlines() if x and x[0] in BOX]
    assert box and all(len(x) == 39 for x in box)  # the panel fits the 40 columns
    words = flat(term.text())
    inst = calmkit.instrument("gad-7")
    # The title is too long for the box's top line: it is above it, whole.
    assert f"{inst['name']}: your result" in words
    for item in inst["items"]:
        assert item in words
    assert [b["guidance"] for b in inst["bands"] if b["label"] == "severe"][0] in words
    assert "This is a screening score, not a diagnosis" in words


# --- what could help now comes from the person's own history ------------------------------


def test_what_helped_this_person_before_moves_up_the_suggestions(tmp_path: Path, person: dict[str, str]) -> None:
    # Three rated grounding sessions that took distress from 8 to 2: for this person,
    # grounding comes first even at high distress, with the reason saying why.
    path = default_journal(person)
    sessions = [calmkit.ExerciseSession(id=f"ex-{k}", time=f"2026-11-2{k}T20:00:00+02:00",
                                        end=f"2026-11-2{k}T20:05:00+02:00", exercise="grounding.5-4-3-2-1",
                                        intensity_before=8, intensity_after=2) for k in range(3)]
    home.add_records(path, sessions)
    r = run_piped(["now"], "8\n1\n\n\n\n\ns\n\n", person)
    assert r.returncode == 0, r.stderr
    listed = re.findall(r"^ +\d\. .+ \(([\w.-]+)\)$", r.stdout.split("What could help now:")[1], flags=re.M)
    expected = calmkit.suggest(8, calmkit.read_journal(path), "")
    assert listed == [s.exercise for s in expected[:3]] and listed[0] == "grounding.5-4-3-2-1"
    assert "for you it changed distress by -6.0 points on average over 3 rated sessions" in flat(r.stdout)
    # Without that history, at the same distress, the body comes first.
    r = run_piped(["now"], "8\n1\n\n\n\n\ns\n\n", {**person, "CALMKIT_JOURNAL": str(tmp_path / "fresh.jsonl")})
    listed = re.findall(r"^ +\d\. .+ \(([\w.-]+)\)$", r.stdout.split("What could help now:")[1], flags=re.M)
    assert listed == [s.exercise for s in calmkit.suggest(8, calmkit.Journal(), "")[:3]]
    assert "grounding.5-4-3-2-1" not in listed
