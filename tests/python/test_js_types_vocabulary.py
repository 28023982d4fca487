"""The vocabularies that the JavaScript binding's type declarations
(bindings/js/src/index.d.ts) spell out as string unions are copies of the
C++ ones (include/calmkit/vocabulary.hpp, session.hpp), which TypeScript
cannot include. Each copy must hold the same ids in the same order as the
C++ enum the Python package exposes, so a category or status added in C++
cannot be missing from the JavaScript types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import calmkit

DTS = Path(__file__).resolve().parents[2] / "bindings" / "js" / "src" / "index.d.ts"


def _union(source: str, head: str) -> list[str]:
    """The string literals of the union that follows `head`, up to its ';' or ')'."""
    at = source.index(head) + len(head)
    end = min(i for i in (source.find(";", at), source.find(")", at)) if i >= 0)
    return re.findall(r"'([^']*)'", source[at:end])


@pytest.mark.parametrize(("head", "enum"), [
    ("export type TriggerCategory =", calmkit.TriggerCategory),
    ("export type BreathPhase =", calmkit.BreathPhase),
    ("export type SessionStatus =", calmkit.SessionStatus),
    ("suits?:", calmkit.Suits),
    ("group: (", calmkit.TriggerGroup),
])
def test_a_javascript_union_is_the_cpp_vocabulary(head: str, enum: type) -> None:
    assert _union(DTS.read_text(encoding="utf-8"), head) == [m.value for m in enum]


def test_every_trigger_group_union_is_the_same() -> None:
    source = DTS.read_text(encoding="utf-8")
    groups = re.findall(r"\(?('relationship'[^)\n;}]*)", source)
    assert groups, "no trigger group union in index.d.ts"
    for g in groups:
        assert re.findall(r"'([^']*)'", g) == [m.value for m in calmkit.TriggerGroup], g
