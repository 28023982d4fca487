"""The guided commands (``calmkit now``, ``calmkit thought``) given answers
that look like numbers to ``str.isdigit`` but are not numbers to ``int``.

Python documents the difference: ``str.isdigit`` is true for "digits that
need special handling, such as the compatibility superscript digits" (``²``,
``³``, ``①``), which ``int()`` refuses ("invalid literal for int() with base
10"); ``str.isdecimal`` is the test ``int()`` agrees with. docs/cli.md says
"Every error is one or two lines in plain words on stderr ... never a Python
traceback", and "Ctrl-C (or Ctrl-D) stops at any question; what you have
answered is kept". A ``²`` is one AltGr+2 away from a ``2`` on German,
French and Spanish keyboards.

B107 (fixed): the category question of ``calmkit now``, its exercise pick and the
thinking-traps question of ``calmkit thought`` test an answer with
``isdigit`` and then call ``int`` on it: ``²`` ends the command with a
ValueError traceback (status 1), and the answers given so far are lost (no
record is written). The reference inside the test is the same command given
an out-of-range number (``99``) at the same question: asked again, then the
end of input keeps what was answered, status 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_the_reference_isdigit_is_not_what_int_reads() -> None:
    assert "²".isdigit() and not "²".isdecimal()
    with pytest.raises(ValueError):
        int("²")


def _guided(command: str, answers: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", TERM="dumb", TZ="UTC",
               CALMKIT_JOURNAL=str(cwd / "own.jsonl"))
    return subprocess.run([sys.executable, "-m", "calmkit", command, "--journal", "j.jsonl"],
                          input="".join(a + "\n" for a in answers), capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


# Each case: the command, the answers before the question, and what the question is.
CASES = {
    "now-category": ("now", ["8"]),
    "now-exercise": ("now", ["8", "slow", "", "", "", ""]),
    "thought-distortions": ("thought", ["The message was left on read", "They are losing interest", "80",
                                        "fear 70", ""]),
}


def _records(folder: Path) -> list[str]:
    path = folder / "j.jsonl"
    return path.read_text(encoding="utf-8").splitlines()[1:] if path.exists() else []


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_out_of_range_number_is_asked_again_and_the_answers_kept(tmp_path: Path, case: str) -> None:
    command, before = CASES[case]
    r = _guided(command, before + ["99"], tmp_path)
    assert r.returncode == 0, r.stderr[-500:]
    assert "Traceback" not in r.stderr
    assert len(_records(tmp_path)) == 1, r.stdout[-500:]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_superscript_digit_is_asked_again_and_the_answers_kept(tmp_path: Path, case: str) -> None:
    command, before = CASES[case]
    r = _guided(command, before + ["²"], tmp_path)
    assert "Traceback" not in r.stderr, r.stderr[-500:]
    assert r.returncode == 0, r.stderr[-500:]
    assert len(_records(tmp_path)) == 1, r.stdout[-500:]
