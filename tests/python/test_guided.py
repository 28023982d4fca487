"""calmkit now / calmkit thought, the default journal, driven as a person would:
in a real pseudo-terminal (Python's pty module), with a fake clock for the
pacer, and through a pipe. Each test names the problem of issue 18 it covers."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import pty
import re
import select
import stat
import struct
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

import pytest

import calmkit
from calmkit import guided, home

# A driver that runs the calmkit command line with the pacer on a fake clock:
# every frame advances it by one second (and a real `SLEEP` seconds, so a test
# can press keys while an exercise runs), so a 76-second exercise takes 76
# frames and the test does not wait for it.
DRIVER = textwrap.dedent("""
    import sys, time
    from calmkit import pacer, cli

    SLEEP = float(sys.argv[1])

    class FakeClock:
        def __init__(self):
            self.t = 0.0
        def now(self):
            return self.t
        def sleep(self, seconds):
            self.t += 1.0
            if SLEEP:
                time.sleep(SLEEP)

    pacer.make_clock = lambda speed=1.0: FakeClock()
    sys.exit(cli.main(sys.argv[2:]))
""")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


class Terminal:
    """One calmkit process on the slave side of a pseudo-terminal (its
    controlling terminal, so Ctrl-C is a SIGINT from the line discipline)."""

    def __init__(self, tmp: Path, env: dict[str, str], args: list[str], sleep: float = 0.0,
                 columns: int = 72) -> None:
        driver = tmp / "driver.py"
        driver.write_text(DRIVER, encoding="utf-8")
        self.master, slave = pty.openpty()
        # The window size a terminal emulator sets, for readline, and COLUMNS for Python and rich.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        os.set_blocking(self.master, False)
        full_env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
                    "TERM": "xterm", "COLUMNS": str(columns), "LINES": "40"}
        for name in ("CALMKIT_JOURNAL", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
            full_env.pop(name, None)
        full_env.update(env)

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([sys.executable, str(driver), str(sleep), *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=full_env, preexec_fn=controlling_terminal, close_fds=True)
        os.close(slave)
        self.raw = ""
        self.seen = 0  # how much of the cleaned transcript expect() has consumed

    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its side
                chunk = b""
            self.raw += chunk.decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float = 30.0) -> str:
        """Waits for ``pattern`` (a regex) in the output after the last match."""
        deadline = time.monotonic() + timeout
        # A space in the pattern matches any run of white space: prompts are word-wrapped.
        rx = re.compile(re.sub(r"(?<!\\) ", r"\\s+", pattern.replace("  ", " ")))
        while True:
            m = rx.search(self.text(), self.seen)
            if m:
                self.seen = m.end()
                return m.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r}; the terminal shows:\n{self.text()[-3000:]}")
            if self.proc.poll() is not None:
                self._pump(0.05)
                if not rx.search(self.text(), self.seen):
                    raise AssertionError(f"calmkit ended ({self.proc.returncode}) before {pattern!r}:\n"
                                         f"{self.text()[-3000:]}")
            self._pump(0.05)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def interrupt(self) -> None:
        """Ctrl-C once the process waits for the keyboard. A prompt on screen
        does not mean that yet: readline prints it and only then blocks in
        select(), and a SIGINT that lands in between is taken only at the next
        key (CPython issue gh-112585). A person cannot press a key within those
        microseconds; a test can, so it waits for the blocking call first."""
        self.press_when_waiting("\x03")

    def end_input(self) -> None:
        """Ctrl-D at an empty answer (the end of the input), once the process waits for it."""
        self.press_when_waiting("\x04")

    def press_when_waiting(self, key: str) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self._waiting_for_input():
            self._pump(0.01)
        self.send(key)

    def _waiting_for_input(self) -> bool:
        try:
            wchan = Path(f"/proc/{self.proc.pid}/wchan").read_text()
            state = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True  # no /proc: fall back to the time the loop above has already waited
        if wchan in ("", "0"):  # the kernel hides wait channels here: give the process a moment
            time.sleep(0.2)
            return True
        return state == "S" and any(w in wchan for w in ("select", "poll", "tty_read", "wait_woken"))

    def answer(self, prompt: str, line: str) -> None:
        self.expect(prompt)
        self.send(line + "\r")

    def wait(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._pump(0.05)
        for _ in range(20):  # drain what is left
            self._pump(0.01)
        if self.proc.poll() is None:
            self.proc.kill()
            raise AssertionError(f"calmkit did not end:\n{self.text()[-3000:]}")
        os.close(self.master)
        return self.proc.returncode


@pytest.fixture
def person(tmp_path: Path) -> dict[str, str]:
    """A person's environment: their own data directory, no journal option."""
    data = tmp_path / "data"
    return {"XDG_DATA_HOME": str(data), "HOME": str(tmp_path / "home")}


def default_journal(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "calmkit" / "journal.jsonl"


def records(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and '"type"' in line]


def of_type(recs: list[dict], kind: str) -> list[dict]:
    return [r for r in recs if r["type"] == kind]


def local_days_since(time: str) -> int:
    """Local calendar days from ``time`` (an RFC 3339 text) to now, in the
    process's time zone, as the commands count "today" and "yesterday"."""
    now = dt.datetime.now().astimezone()
    return (now.date() - dt.datetime.fromisoformat(time).astimezone().date()).days


# --- the whole episode in a terminal ----------------------------------------------------


def test_now_then_thought_in_a_real_terminal_write_linked_records_to_the_default_journal(
        tmp_path: Path, person: dict[str, str]) -> None:
    term = Terminal(tmp_path, person, ["now"])
    term.answer(r"How strong is the distress right now\? \(0-10\)", "8")
    term.expect("What set it off")
    # Categories by label: "slow" is the start of "Slow or missing reply".
    term.answer(r"first letters of one", "slow")
    term.expect(r"-> Slow or missing reply")
    term.answer(r"what happened\?", "no answer since this morning")
    term.expect("What went through your mind")
    term.answer(r"  -", "they are losing interest")
    term.answer(r"  -", "")
    term.answer(r"notice in your body\?", "tight chest, racing heart")
    term.answer(r"urge to do\?", "text again")
    # High distress: the body first, as the library's rule says.
    term.expect(r"What could help now")
    term.expect(r"distress 8/10 is high: calm the body first")
    term.answer(r"s skips the exercise:", "breathing.4-7-8")
    term.expect(r"4-7-8 breath")
    term.expect(r"p or space pauses and resumes; q or Ctrl-C stops")
    term.expect(r"Done\.")
    term.answer(r"How strong is the distress now\?", "3")
    term.expect(r"Distress 8 -> 3 \(down 5 points\)")
    term.expect(r"Recorded in .*journal\.jsonl")
    assert term.wait() == 0

    path = default_journal(person)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    recs = records(path)
    (trigger,) = of_type(recs, "trigger")
    (session,) = of_type(recs, "exercise")
    (reading,) = of_type(recs, "reading")
    assert trigger["category"] == "delayed_reply" and trigger["intensity"] == 8
    assert trigger["context"] == "no answer since this morning"
    assert trigger["thoughts"] == ["they are losing interest"]
    assert trigger["sensations"] == ["tight chest", "racing heart"] and trigger["urge"] == "text again"
    assert session["exercise"] == "breathing.4-7-8" and session.get("completed", True) is True
    assert session["trigger"] == trigger["id"]
    assert (session["intensity_before"], session["intensity_after"]) == (8, 3)
    # 4 rounds of 4 + 7 + 8 seconds on the fake clock: the session lasts 76 s.
    journal = calmkit.read_journal(path)
    ex = journal.exercises[0]
    assert (ex.end - ex.time).total_seconds() == pytest.approx(76, abs=1)
    assert reading["intensity"] == 3 and reading["trigger"] == trigger["id"]
    assert journal.readings[0].time >= ex.end

    # The trigger is named by its local day: "today", or "yesterday" when the
    # local midnight passed between the two commands (CI keeps the time zone).
    days_before = local_days_since(trigger["time"])
    term = Terminal(tmp_path, person, ["thought"])
    said = term.expect(r"Is this about \"Slow or missing reply\" \(8/10\) (today|yesterday) at \d\d:\d\d: no answer "
                       r"since this morning\? \[y/N\]")
    term.send("y\r")
    day, at = re.search(r"(today|yesterday) at (\d\d:\d\d)", said).groups()
    assert {"today": 0, "yesterday": 1}[day] in {days_before, local_days_since(trigger["time"])}, said
    assert at == f"{dt.datetime.fromisoformat(trigger['time']).astimezone():%H:%M}", said
    term.answer(r"as a camera would\s+have seen it\?", "Sent a message at 9, no reply by 12")
    term.answer(r"hurt most\)", "They are losing interest in me")
    term.answer(r"believe it, right now\? \(0-100 %\)", "90")
    term.expect(r"What did you feel\?")
    term.answer(r"  -", "fear 80")
    term.answer(r"  -", "sadness")
    term.answer(r"How strong is the sadness\?", "60")
    term.answer(r"  -", "")
    # Distortions with their plain-language descriptions.
    term.expect(r"5\. Mind reading: being sure you know what someone thinks")
    term.answer(r"Which fit\?", "5, 7")
    term.expect("support the thought")
    term.answer(r"  -", "the reply is late")
    term.answer(r"  -", "")
    term.expect("do not fit it")
    term.answer(r"  -", "they said they had a long meeting")
    term.answer(r"  -", "they replied warmly last night")
    term.answer(r"  -", "")
    term.expect("other ways of explaining")
    term.answer(r"  1\.", "they are in the meeting")
    term.answer(r"  2\.", "their phone is off")
    term.answer(r"  3\.", "they are waiting to have time for a real answer")
    term.answer(r"tell a friend", "a late reply is not a verdict")
    term.answer(r"balanced thought", "They are busy; silence is not rejection")
    term.answer(r"believe \"They are losing interest in me\" now\?", "40")
    term.answer(r"fear was 80 %; and now\?", "30")
    term.answer(r"sadness was 60 %; and now\?", "")
    term.expect(r"Belief in the thought: 90 % -> 40 %")
    term.expect(r"Recorded thought record tr-\d{8}T\d{6}[\s\S]*linked to trigger " + re.escape(trigger["id"]))
    assert term.wait() == 0

    journal = calmkit.read_journal(path)
    (tr,) = list(journal.thought_records)
    assert tr.trigger == trigger["id"]
    assert tr.situation == "Sent a message at 9, no reply by 12"
    assert tr.automatic_thought == "They are losing interest in me"
    assert (tr.belief_before, tr.belief_after) == (90, 40)
    assert [(e.name, e.before, e.after) for e in tr.emotions] == [("fear", 80, 30), ("sadness", 60, None)]
    assert tr.distortions == ["mind_reading", "catastrophizing"]
    assert tr.evidence_for == ["the reply is late"]
    assert tr.evidence_against == ["they said they had a long meeting", "they replied warmly last night"]
    assert len(tr.alternatives) == 3
    assert tr.friend_advice == "a late reply is not a verdict"
    assert tr.balanced_thought == "They are busy; silence is not rejection"


def test_ctrl_c_at_a_question_keeps_what_was_answered(tmp_path: Path, person: dict[str, str]) -> None:
    # Ctrl-C before the category: the first rating is kept as a reading.
    term = Terminal(tmp_path, person, ["now"])
    term.answer(r"right now\?", "9")
    term.expect(r"first letters of one")
    term.interrupt()
    term.expect("Stopped: keeping what was answered")
    assert term.wait() == 130
    (reading,) = of_type(records(default_journal(person)), "reading")
    assert reading["intensity"] == 9 and "trigger" not in reading

    # Ctrl-C after the category, at the body question: the trigger is kept with what it has.
    term = Terminal(tmp_path, person, ["now"])
    term.answer(r"right now\?", "7")
    term.answer(r"first letters of one", "1")
    term.answer(r"what happened\?", "plans moved again")
    term.answer(r"  -", "")
    term.expect(r"notice in your body\?")
    term.interrupt()
    assert term.wait() == 130
    (trigger,) = of_type(records(default_journal(person)), "trigger")
    assert (trigger["intensity"], trigger["context"]) == (7, "plans moved again")


def test_stop_key_while_the_exercise_runs_keeps_the_session(tmp_path: Path, person: dict[str, str]) -> None:
    # A real 20 ms per fake second: box breathing (19 rounds of 16 s) would take 6 s; q stops it.
    term = Terminal(tmp_path, person, ["now"], sleep=0.02)
    term.answer(r"right now\?", "8")
    term.answer(r"first letters of one", "conflict")
    term.answer(r"what happened\?", "")
    term.answer(r"  -", "")
    term.answer(r"body\?", "")
    term.answer(r"urge to do\?", "")
    term.answer(r"s skips the exercise:", "breathing.box")
    term.expect(r"round 1/19")
    term.send("p")
    term.expect(r"Paused\. p or space resumes, q stops\.")
    term.send("q")
    term.expect(r"Stopped early\.")
    term.answer(r"distress now\?", "6")
    assert term.wait() == 0
    recs = records(default_journal(person))
    (session,) = of_type(recs, "exercise")
    assert session["completed"] is False and session["intensity_after"] == 6
    assert session["trigger"] == of_type(recs, "trigger")[0]["id"]


# --- through a pipe -------------------------------------------------------------------


def run_piped(args: list[str], answers: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **env}
    for name in ("CALMKIT_JOURNAL", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        full_env.pop(name, None)
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "calmkit", *args], input=answers, capture_output=True,
                          text=True, env=full_env, timeout=60)


def test_now_through_a_pipe_and_end_of_input_keeps_the_answers(tmp_path: Path, person: dict[str, str]) -> None:
    # No exercise (s), all optional questions skipped.
    r = run_piped(["now"], "6\ndisagree\n\n\n\n\ns\n4\n", person)
    assert r.returncode == 0, r.stderr
    assert "-> Disagreement or criticism" in r.stdout and "Distress 6 -> 4" in r.stdout
    recs = records(default_journal(person))
    (trigger,) = of_type(recs, "trigger")
    (reading,) = of_type(recs, "reading")
    assert trigger["category"] == "conflict" and reading["trigger"] == trigger["id"]
    assert not of_type(recs, "exercise")
    # The input ends after the category: the trigger is still recorded.
    r = run_piped(["now"], "5\n2\n", person)
    assert r.returncode == 0, r.stderr
    assert "End of input: keeping what was answered." in r.stdout
    assert len(of_type(records(default_journal(person)), "trigger")) == 2


def test_calmkit_journal_and_the_option_beat_the_data_directory(tmp_path: Path, person: dict[str, str]) -> None:
    chosen = tmp_path / "mine.jsonl"
    r = run_piped(["now"], "4\nother\n\n\n\n\ns\n\n", {**person, "CALMKIT_JOURNAL": str(chosen)})
    assert r.returncode == 0, r.stderr
    assert chosen.exists() and not default_journal(person).exists()
    store = tmp_path / "new.db"
    r = run_piped(["now", "--journal", str(store)], "4\nother\n\n\n\n\ns\n\n", person)
    assert r.returncode == 0, r.stderr
    with calmkit.open_store(store, read_only=True) as st:
        assert len(st.load().triggers) == 1
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


# --- pieces ---------------------------------------------------------------------------


def test_categories_are_found_by_the_start_of_their_label_or_of_a_word() -> None:
    cats = [(c, label) for c, label, _ in calmkit.trigger_categories()]
    assert guided.match_category("slow", cats) == [("delayed_reply", "Slow or missing reply")]
    assert guided.match_category("reply", cats) == [("delayed_reply", "Slow or missing reply")]
    assert guided.match_category("delayed reply", cats) == [("delayed_reply", "Slow or missing reply")]
    assert guided.match_category("Partner seems distant", cats) == [("partner_distance", "Partner seems distant")]
    # "partner" starts two labels: both are offered.
    assert [c for c, _ in guided.match_category("partner", cats)] == ["partner_distance", "partner_stress"]
    assert guided.match_category("xyz", cats) == []


def test_the_default_journal_follows_each_platforms_convention() -> None:
    linux = {"HOME": "/home/ann", "XDG_DATA_HOME": "/data/ann"}
    assert home.journal_path(env=linux) == Path("/data/ann/calmkit/journal.jsonl")
    # XDG: unset, empty or relative -> ~/.local/share
    for xdg in ("", "relative/path"):
        assert home.data_dir({"HOME": "/home/ann", "XDG_DATA_HOME": xdg}, "linux") == Path(
            "/home/ann/.local/share/calmkit")
    assert home.data_dir({"HOME": "/Users/ann"}, "darwin") == Path("/Users/ann/Library/Application Support/calmkit")
    assert home.data_dir({"HOME": "C:/Users/ann", "APPDATA": "C:/Users/ann/AppData/Roaming"}, "win32") == Path(
        "C:/Users/ann/AppData/Roaming/calmkit")
    assert home.journal_path(env={**linux, "CALMKIT_JOURNAL": "/x/j.db"}) == Path("/x/j.db")
    assert home.journal_path("given.jsonl", env={**linux, "CALMKIT_JOURNAL": "/x/j.db"}) == Path("given.jsonl")


def test_an_existing_journal_keeps_its_records_and_a_broken_one_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    t = calmkit.Trigger(id="t-1", time="2026-11-29T10:00:00+02:00", category="conflict", intensity=6)
    home.add_records(path, [t])
    r = calmkit.Reading(time="2026-11-29T10:30:00+02:00", intensity=3, trigger="t-1")
    home.add_records(path, [r])
    assert len(calmkit.read_journal(path)) == 2
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError):
        home.add_records(broken, [t])
    assert broken.read_text(encoding="utf-8") == "{not json\n"


def test_a_broken_default_journal_stops_before_the_first_question(tmp_path: Path, person: dict[str, str]) -> None:
    path = default_journal(person)
    path.parent.mkdir(parents=True)
    path.write_text("{not json\n", encoding="utf-8")
    r = run_piped(["now"], "8\n", person)
    assert r.returncode == 1 and "How strong" not in r.stdout
    assert "Traceback" not in r.stderr and str(path) in r.stderr


def test_every_distortion_has_a_plain_language_description() -> None:
    table = calmkit.distortions()
    assert len(table) == 12
    for did, label, description in table:
        assert did and label and len(description.split()) >= 6, did



def test_thought_stopped_early_keeps_a_record_once_its_core_is_answered(tmp_path: Path,
                                                                        person: dict[str, str]) -> None:
    # No trigger yet: no link question. The input ends after the emotions.
    r = run_piped(["thought"], "A late reply\nThey are leaving\n70\nfear 90\n", person)
    assert r.returncode == 0, r.stderr
    assert "Is this about" not in r.stdout and "End of input: keeping what was answered." in r.stdout
    (tr,) = list(calmkit.read_journal(default_journal(person)).thought_records)
    assert (tr.situation, tr.automatic_thought, tr.belief_before, tr.trigger) == (
        "A late reply", "They are leaving", 70, "")
    assert [(e.name, e.before) for e in tr.emotions] == [("fear", 90)] and tr.belief_after is None
    # Stopped before the belief: nothing to record.
    r = run_piped(["thought"], "Another\nThought\n", person)
    assert r.returncode == 0 and "Nothing recorded" in r.stdout
    assert len(calmkit.read_journal(default_journal(person)).thought_records) == 1
    # An unknown --trigger is a usage error, before any question.
    r = run_piped(["thought", "--trigger", "t-nope"], "", person)
    assert r.returncode == 2 and "no trigger 't-nope'" in r.stderr


def test_practice_on_a_terminal_names_its_pause_and_stop_keys(tmp_path: Path, person: dict[str, str]) -> None:
    term = Terminal(tmp_path, person, ["practice", "breathing.4-7-8", "--no-record"])
    term.answer(r"right now\?", "")
    term.expect(r"Keys: p or space pauses and resumes; q or Ctrl-C stops early")
    term.expect(r"Done\.")
    term.answer(r"And now\?", "")
    term.expect("Not recorded")
    assert term.wait() == 0


def test_the_short_list_ranks_this_persons_categories_by_their_own_counts() -> None:
    # The counts come from calmkit.metrics over the person's view; the reference is a plain Counter over
    # every trigger, filtered by hand (what the short list used to do itself).
    import collections
    import datetime as dt

    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    j = calmkit.Journal()
    plan = {"p1": ["conflict", "being_alone", "conflict", "perfectionism", "being_alone", "conflict", "other"],
            "p2": ["delayed_reply"] * 9 + ["perfectionism"] * 4}
    for who, cats in plan.items():
        for i, cat in enumerate(cats):
            j.add(calmkit.Trigger(id=f"t{i}", time=t0 + dt.timedelta(hours=5 * i), category=cat, intensity=5,
                                  participant=who))
    j.add(calmkit.Reading(time=t0, intensity=2, participant="p3"))  # a person without triggers
    order = [c[0] for c in calmkit.trigger_categories()]
    for who in ("p1", "p2", "p3", "nobody"):
        counts = collections.Counter(t.category for t in j.triggers if t.participant == who)
        ranked = sorted(counts, key=lambda c: (-counts[c], order.index(c)))
        expected = (ranked + [c for c in order if c not in ranked and c != "other"])[:guided.SHORT_LIST]
        assert [cid for cid, _ in guided._short_list(j, who)] == expected, who
    assert [cid for cid, _ in guided._short_list(j, "p1")][:3] == ["conflict", "being_alone", "perfectionism"]
    latest = guided._latest_trigger(j, "p2")
    assert latest is not None and latest.participant == "p2" and latest.id == "t12"
    assert guided._latest_trigger(j, "p3") is None
