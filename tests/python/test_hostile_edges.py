"""Hostile inputs against the last edges of issue 16, each made in a temporary
folder: ids and notes that carry terminal escape sequences, a store holding
bytes that are not UTF-8, an output named like one of the command's inputs,
a backup of a folder, and Ctrl-C at the edges of the command's life.
Every command run here also fails the test if a traceback appears."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

import calmkit
from calmkit.prompts import Prompter, shown

T = "2026-03-02T21:14:00+01:00"
DATA = Path(__file__).resolve().parents[1] / "data" / "importers"

#: Sequences a journal from someone else could carry: clear the screen, set
#: the window title (OSC ... BEL), the one-character CSI of 8-bit terminals,
#: a right-to-left override, and a newline that would forge a line.
ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\u202e", "\nParticipant forged"]


def run(*args: str | Path, **kw) -> subprocess.CompletedProcess[bytes]:
    p = subprocess.run([sys.executable, "-m", "calmkit", *map(str, args)], capture_output=True, timeout=300, **kw)
    assert b"Traceback" not in p.stderr and b"Traceback" not in p.stdout, p.stderr
    return p


def assert_inert(data: bytes) -> None:
    """No byte that a terminal acts on: ESC, BEL, C0 controls but tab and
    newline, DEL, C1 controls (UTF-8 C2 80 to C2 9F), bidi overrides."""
    text = data.decode("utf-8")
    bad = [c for c in text if c not in "\t\n" and (unicodedata.category(c) == "Cc" or c in "\u202e\u2066\u2067")]
    assert not bad, (bad, text)
    assert not re.search(r"^Participant forged", text, re.M), text


# --- the one rule for showing untrusted text ----------------------------------------------


def test_shown_escapes_what_python_repr_escapes_among_controls():
    # Reference: Python's repr, which escapes every non-printable character.
    # shown() escapes the controls, separators, bidi marks and surrogates...
    controls = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) != "\t"]
    bidi = ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", *map(chr, range(0x202A, 0x202F)),
            *map(chr, range(0x2066, 0x206A)), "\ud800", "\udc7f"]
    for c in controls + bidi:
        assert shown(c) == repr(c)[1:-1], (hex(ord(c)), shown(c))
    # A byte of a file name that is not UTF-8 (os.fsdecode's surrogate escape)
    # is shown as the byte, as the core's messages and shown_path write it.
    for b in (0x80, 0xE9, 0xFF):
        assert shown(os.fsdecode(bytes([b]))) == bytes([b]).decode("utf-8", "backslashreplace") == f"\\x{b:02x}"
    # ...and keeps what repr keeps, plus the zero-width joiner of emoji
    # sequences and the tab (harmless, and common in notes).
    for text in ["Anna-Lena", "Zoë", "Łódź", "東京", "🙂", "👩\u200d👩\u200d👧", "a\tb", "C:\\x1b literal"]:
        assert shown(text) == text
    assert shown("a\nb") == "a\\nb" and shown("a\nb", newlines=True) == "a\nb"
    assert shown("p\x1b]0;owned\x07") == "p\\x1b]0;owned\\x07"
    assert shown(Path("x\x1by")) == "x\\x1by"


def test_prompter_output_is_shown_escaped():
    class Out:
        text = ""

        def write(self, s: str) -> None:
            Out.text += s

        def flush(self) -> None:
            pass

    Prompter(out=Out(), width=60).say("trigger: \x1b[2Jclear\nsecond paragraph \u202eevil")
    assert Out.text == "trigger: \\x1b[2Jclear\nsecond paragraph \\u202eevil\n"


def hostile_journal(path: Path) -> None:
    records = []
    for k, esc in enumerate(ESCAPES):
        who = f"p{k}{esc}"
        records += [
            calmkit.Trigger(id=f"t{esc}", time=T, category="conflict", intensity=7, participant=who,
                            context=f"note {esc}"),
            calmkit.Reading(id=f"r{esc}", time="2026-03-02T21:40:00+01:00", intensity=2, participant=who,
                            trigger=f"t{esc}", note=esc),
            calmkit.ExerciseSession(id=f"e{esc}", time="2026-03-02T21:20:00+01:00",
                                    end="2026-03-02T21:25:00+01:00", exercise=f"custom{esc}", participant=who,
                                    intensity_before=7, intensity_after=2, trigger=f"t{esc}"),
        ]
    calmkit.write_journal(calmkit.Journal(records), path)


def test_summary_and_validate_of_a_hostile_journal_are_inert(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    hostile_journal(j)
    s = run("summary", j)
    assert s.returncode == 0, s.stderr
    assert_inert(s.stdout + s.stderr)
    out = s.stdout.decode()
    assert "Participant p0\\x1b[2J" in out and "Participant p1\\x1b]0;owned\\x07" in out
    assert "Participant p4\\nParticipant forged" in out
    assert "custom\\x1b[2J (1)" in out
    v = run("validate", j)
    assert v.returncode == 0
    assert_inert(v.stdout + v.stderr)


def test_messages_quoting_hostile_values_are_inert(tmp_path: Path):
    # A broken line whose values carry escapes: validate lists it, summary
    # names it on stderr; both through the same rule.
    j = tmp_path / "bad.jsonl"
    line = {"type": "trigger", "participant": "\u001b]0;owned\u0007", "id": "t\u001b[2J",
            "time": T, "category": "\u001b[31mred", "intensity": 5}
    j.write_text(json.dumps(line) + "\n")
    v = run("validate", j)
    assert v.returncode == 1 and b"category" in v.stdout
    assert_inert(v.stdout + v.stderr)
    s = run("summary", j)
    assert s.returncode == 1 and b"category" in s.stderr
    assert_inert(s.stdout + s.stderr)
    # A file name with an escape in it is shown escaped too.
    named = tmp_path / "j\x1b[2J.jsonl"
    calmkit.write_journal(calmkit.Journal([calmkit.Reading(time=T, intensity=3)]), named)
    n = run("validate", named)
    assert n.returncode == 0 and b"j\\x1b[2J.jsonl: OK" in n.stdout
    assert_inert(n.stdout)
    # argparse repeats an unknown argument as typed: shown escaped too.
    u = run("summary", named, "\x1b]0;owned\x07")
    assert u.returncode == 2 and b"unrecognized arguments: \\x1b]0;owned\\x07" in u.stderr
    assert_inert(u.stdout + u.stderr)


@pytest.mark.parametrize("option", ["--participant", "--id"])
@pytest.mark.parametrize("value", ["\x1b[2J", "a\nb", "x\x01", "\u202eevil"])
def test_ids_with_control_characters_are_refused_on_the_command_line(tmp_path: Path, option: str, value: str):
    j = tmp_path / "j.jsonl"
    p = run("log", "trigger", "--journal", j, "--category", "conflict", "--intensity", "5", "--time", T,
            option, value)
    assert p.returncode == 2 and b"control character" in p.stderr
    assert_inert(p.stdout + p.stderr)
    assert not j.exists()


def test_a_note_with_escapes_is_kept_and_shown_escaped(tmp_path: Path):
    # A note is free text: it is stored as given (the format allows any
    # string) and only ever shown escaped.
    j = tmp_path / "j.jsonl"
    p = run("log", "trigger", "--journal", j, "--category", "conflict", "--intensity", "5", "--time", T,
            "--note", "line one\nline two \x1b[2J")
    assert p.returncode == 0, p.stderr
    assert calmkit.read_journal(j).triggers[0].context == "line one\nline two \x1b[2J"
    s = run("summary", j)
    assert_inert(s.stdout + s.stderr)


# --- a store holding text that is not UTF-8 ------------------------------------------------


def store_with_bytes(tmp_path: Path, table: str, column: str, hex_bytes: str, where: str) -> Path:
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(calmkit.Journal([
            calmkit.Trigger(id="t1", time=T, category="conflict", intensity=7, participant="ana",
                            thoughts=["they left"]),
            calmkit.Reading(id="r1", time=T, intensity=3, participant="ana", trigger="t1", note="ok"),
        ]))
    con = sqlite3.connect(db)  # another tool writing Latin-1 / broken bytes
    with con:
        con.execute(f"UPDATE {table} SET {column} = CAST(x'{hex_bytes}' AS TEXT) WHERE {where}")
    con.close()
    return db


@pytest.mark.parametrize("table, column, hex_bytes, where, expected", [
    ("readings", "note", "636166e9", "id = 'r1'", "reading 'r1' of participant 'ana': field 'note': is not valid "
     "UTF-8 (byte 0xe9 at offset 3)"),
    ("trigger_items", "value", "eda080", "field = 'thought'", "trigger 't1' of participant 'ana': field 'thoughts[0]': "
     "is not valid UTF-8 (byte 0xed at offset 0)"),  # an encoded surrogate (CESU-8)
    ("triggers", "id", "74ff", "id = 't1'", "field 'id': is not valid UTF-8 (byte 0xff at offset 1)"),
    ("participants", "name", "1b5b324a80", "name = 'ana'", "field 'participant': is not valid UTF-8 (byte 0x80 at "
     "offset 4)"),
])
def test_a_store_with_bytes_that_are_not_utf8_is_a_clear_error(tmp_path: Path, table, column, hex_bytes, where,
                                                               expected):
    db = store_with_bytes(tmp_path, table, column, hex_bytes, where)
    with calmkit.open_store(db, read_only=True) as st:
        with pytest.raises(RuntimeError) as e:
            st.load()
        assert not isinstance(e.value, UnicodeDecodeError)
        msg = str(e.value)
        assert f"store '{db}' holds an invalid value" in msg and expected in msg, msg
        assert "\x1b" not in msg
    # From the command line: a plain message, no traceback.
    p = run("log", "reading", "--journal", db, "--intensity", "4", "--time", T)
    assert p.returncode == 1 and b"not valid UTF-8" in p.stderr  # the data has problems
    assert_inert(p.stderr)
    # A backup copies the pages as they are (it decodes nothing).
    b = run("backup", db, tmp_path / "copy.db")
    assert b.returncode == 0, b.stderr


# --- an output that is one of the inputs ---------------------------------------------------


def test_import_never_writes_over_its_own_input(tmp_path: Path):
    export = tmp_path / "daylio.csv"
    export.write_bytes((DATA / "daylio_export.csv").read_bytes())
    before = export.read_bytes()
    (tmp_path / "link.csv").symlink_to("daylio.csv")
    os.link(export, tmp_path / "hard.csv")
    (tmp_path / "sub").mkdir()
    for out in [export, tmp_path / "link.csv", tmp_path / "hard.csv", tmp_path / "sub" / ".." / "daylio.csv"]:
        for force in ([], ["--force"]):
            p = run("import", "daylio", export, "-o", out, "--tz", "Europe/Berlin", "--mood", "awful=8",
                    "--mood", "bad=6", "--mood", "meh=4", "--mood", "good=2", "--mood", "rad=0", *force)
            assert p.returncode == 2, p.stderr
            assert b"is the input" in p.stderr and b"--force never replaces an input" in p.stderr
            assert export.read_bytes() == before
    # Through the link given as the input, the real file as the output.
    p = run("import", "daylio", tmp_path / "link.csv", "-o", export, "--force", "--tz", "UTC", "--mood", "awful=8")
    assert p.returncode == 2 and export.read_bytes() == before
    assert (tmp_path / "link.csv").is_symlink()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["daylio.csv", "hard.csv", "link.csv", "sub"]


def test_report_never_writes_over_its_journal_or_an_instrument_file(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal([calmkit.Reading(time=T, intensity=3)]), j)
    before = j.read_bytes()
    p = run("report", j, "-o", j, "--force")
    assert p.returncode == 2 and b"is the input" in p.stderr and j.read_bytes() == before
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps({
        "id": "mine", "name": "Mine", "items": ["I slept"], "scale_min": 0, "scale_max": 1,
        "scale_labels": ["no", "yes"], "reverse_keyed": [], "total_rule": "sum"}))
    ib = inst.read_bytes()
    q = run("--instruments", inst, "report", j, "-o", inst, "--force")
    assert q.returncode == 2 and b"is the input" in q.stderr and inst.read_bytes() == ib


# --- backup: a folder named as the store (review finding D11) ------------------------------


def test_backup_of_a_folder_says_it_is_a_folder(tmp_path: Path):
    (tmp_path / "ro").mkdir()
    p = run("backup", tmp_path / "ro", tmp_path / "out.db")
    assert p.returncode == 2, p.stderr
    assert b"it is a folder, not a store" in p.stderr and b"disk I/O" not in p.stderr
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    q = run("backup", fifo, tmp_path / "out.db")  # would wait forever inside SQLite
    assert q.returncode == 2 and b"FIFO" in q.stderr
    assert not (tmp_path / "out.db").exists()


def test_backup_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path):
    db = tmp_path / "j.db"
    with calmkit.open_store(db) as st:
        st.add_journal(calmkit.Journal([calmkit.Reading(time=T, intensity=3)]))
    dest = tmp_path / "shared.db"
    dest.write_bytes(b"old copy")
    dest.chmod(0o640)
    p = run("backup", db, dest, "--force")
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640
    with calmkit.open_store(dest, read_only=True) as copy:
        assert len(copy) == 1
    assert [x.name for x in tmp_path.iterdir() if x.name.startswith(".")] == []


# --- Ctrl-C at the edges of the command's life ---------------------------------------------


def test_ctrl_c_at_calmkits_first_import_is_quiet(tmp_path: Path):
    """SIGINT at the first import calmkit makes after its first lines: the
    quiet handler is already in place, so no traceback, status 130."""
    script = textwrap.dedent("""
        import os, signal, sys, time
        sys.argv = ["calmkit", "--version"]  # as the console script starts it
        class Finder:
            seen = False
            def find_spec(self, name, path=None, target=None):
                if name == "calmkit":
                    Finder.seen = True
                elif Finder.seen and name != "_signal":
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(5)
                return None
        sys.meta_path.insert(0, Finder())
        import calmkit.cli
        print("not interrupted")
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert p.returncode == 130, p.stderr
    assert "calmkit: interrupted" in p.stderr and "Traceback" not in p.stderr
    assert "not interrupted" not in p.stdout


def test_ctrl_c_after_the_command_returned_is_quiet(tmp_path: Path):
    """SIGINT after main() returned (the interpreter is shutting down): the
    quiet handler is back, no traceback."""
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal([calmkit.Reading(time=T, intensity=3)]), j)
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        sys.argv = ["calmkit"]
        from calmkit import cli
        status = cli.main(["validate", {str(j)!r}])
        print("status", status, flush=True)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        print("not interrupted")
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "status 0" in p.stdout and "not interrupted" not in p.stdout
    assert p.returncode == 130 and "Traceback" not in p.stderr, p.stderr


def test_main_called_from_python_restores_the_callers_handler(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    calmkit.write_journal(calmkit.Journal([calmkit.Reading(time=T, intensity=3)]), j)
    before = signal.getsignal(signal.SIGINT)
    from calmkit import cli

    assert cli.main(["validate", str(j)]) == 0
    assert signal.getsignal(signal.SIGINT) is before
