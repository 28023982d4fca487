"""Numbers in the apps' exports, read the way the apps write them.

Bearable writes ``rating/amount`` as a plain number (``7``, ``2``) and Apple
Health writes a State of Mind ``valence`` as a decimal (``-0.35``). Python's
``float()`` also takes its own source-code spelling with underscores between
digits, so a damaged cell ``1_0`` was read as 10 (a mood of 10, distress 1)
and ``0_4`` as 4 (the worst anxiety, distress 10), and a valence ``-0_1`` as
-1 (distress 10): a garbled value became a valid extreme one, never an error
naming the cell. No spreadsheet or app writes an underscore in a number; such
a cell is now an error naming it (B208, B209).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit


def _bearable(tmp_path: Path, mood: str, anxiety: str) -> Path:
    path = tmp_path / "bearable.csv"
    path.write_text("date,weekday,time of day,category,rating/amount,detail,notes\n"
                    f"2026-03-03,Tuesday,am,Mood,{mood},,\n"
                    f"2026-03-03,Tuesday,pm,Symptoms,{anxiety},Anxiety (Moderate),\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mood,anxiety,line", [("1_0", "2", 2), ("7", "0_4", 3)])
def test_bearable_rating_with_an_underscore_is_an_error(tmp_path: Path, mood: str, anxiety: str, line: int) -> None:
    with pytest.raises(calmkit.ImportFormatError, match="rating/amount") as info:
        calmkit.import_bearable(_bearable(tmp_path, mood, anxiety), tz="UTC")
    assert info.value.line == line


def test_bearable_plain_ratings_still_read(tmp_path: Path) -> None:
    journal, _ = calmkit.import_bearable(_bearable(tmp_path, "7", "2"), tz="UTC")
    # mood 7 of 1..10: 1 + 8 * 3 / 9 = 3.67 -> 4; anxiety 2 of 0..4: 5
    assert [r.intensity for r in journal.readings] == [4, 5]


def test_apple_valence_with_an_underscore_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
                    ' <Record type="HKStateOfMindTypeIdentifier" startDate="2026-03-02 23:00:00 +0100" '
                    'valence="-0_1"/>\n</HealthData>\n', encoding="utf-8")
    with pytest.raises(calmkit.ImportFormatError, match="valence") as info:
        calmkit.import_apple_health(path)
    assert info.value.line == 3
