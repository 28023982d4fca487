"""The distress question (0-10) as ``calmkit practice`` asks it
(:func:`calmkit.pacer.ask_intensity`) against the same question as ``calmkit
now`` asks it (:meth:`calmkit.prompts.Prompter.ask_number`, ``0, 10``): one
question, one reading of the answer.

B114 (fixed): ``ask_intensity`` reads the answer with ``int()``, which takes Python
literal syntax: ``1_0`` (PEP 515's digit separator) is 10 and ``+5`` is 5,
recorded as the distress before or after an exercise; ``ask_number`` asks
again for both ("Please type a whole number from 0 to 10."). A mistyped
``1_0`` or ``1-0`` should be asked again, not become the top of the scale.
"""

from __future__ import annotations

import io

import pytest

from calmkit import pacer
from calmkit.prompts import EndOfInput, Prompter


def _guided(answer: str):
    p = Prompter(io.StringIO(answer + "\n"), io.StringIO())
    try:
        return p.ask_number("How strong is the distress right now?", 0, 10, skip=True)
    except EndOfInput:  # asked again, then the input ended
        return "asked again"


def _practice(answer: str):
    out = io.StringIO()
    value = pacer.ask_intensity("How strong is the distress right now?", out=out, inp=io.StringIO(answer + "\n"))
    return "asked again" if "Please type a whole number" in out.getvalue() else value


@pytest.mark.parametrize("answer", ["0", "7", "10", " 7 ", "11", "-1", "seven", "7.5"])
def test_both_questions_read_these_the_same(answer: str) -> None:
    assert _practice(answer) == _guided(answer)


@pytest.mark.parametrize("answer", ["1_0", "+5", "0_7"])
def test_python_literal_syntax_is_asked_again(answer: str) -> None:
    assert _guided(answer) == "asked again"
    assert _practice(answer) == "asked again"
