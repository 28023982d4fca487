"""Number cells of the tidy CSV export read back by :func:`calmkit.import_csv`,
against pandas' reading of the same cell (``pandas.read_csv``) and against
the journal reader (JSON numbers, RFC 8259).

B115 (fixed): an ``int`` cell (``intensity``, ``belief_before`` ...) is read with
Python's ``int()``, which takes literal syntax no CSV writer produces:
``1_0`` (PEP 515's digit separator) becomes 10 and ``+5`` becomes 5, where
pandas reads ``1_0`` as the text "1_0" (not a number) and a journal line
``"intensity": 1_0`` is refused. A cell a person mistyped in a spreadsheet
(``1_0`` for 10? for 1? for 0?) should be an error naming file, line and
field, as ``seven`` is.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import calmkit

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "sample-journal.jsonl"


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    journal = calmkit.Journal([calmkit.Reading(id="r1", participant="p", time="2026-03-02T21:14:00+01:00",
                                               intensity=7)])
    folder = tmp_path / "ex"
    calmkit.export_csv(journal, folder)
    return folder


def _with_intensity(folder: Path, cell: str) -> Path:
    path = folder / "readings.csv"
    text = path.read_text(encoding="utf-8")
    assert ",7," in text
    path.write_text(text.replace(",7,", f",{cell},"), encoding="utf-8")
    return folder


def test_the_export_reads_back(exported: Path) -> None:
    assert calmkit.import_csv(exported).readings[0].intensity == 7


@pytest.mark.parametrize("cell", ["seven", "7.5", "0x7"])
def test_a_cell_that_is_no_integer_is_refused_naming_its_field(exported: Path, cell: str) -> None:
    with pytest.raises(calmkit.ImportFormatError) as e:
        calmkit.import_csv(_with_intensity(exported, cell))
    assert e.value.field == "intensity" and e.value.line == 2


@pytest.mark.parametrize("cell", ["1_0", "+5"])
def test_the_references_do_not_read_python_literals(cell: str) -> None:
    frame = pd.read_csv(io.StringIO(f"intensity\n{cell}\n"), dtype=None)
    if cell == "1_0":
        # Text, not a number: object in pandas 2, the string dtype in pandas 3.
        assert not pd.api.types.is_numeric_dtype(frame["intensity"]) and frame["intensity"][0] == "1_0"
    with pytest.raises(ValueError):
        calmkit.parse_journal((f'{{"type":"reading","id":"r","time":"2026-03-02T21:14:00Z",'
                               f'"intensity":{cell}}}\n').encode())


@pytest.mark.parametrize("cell", ["1_0", "+5", "0_7"])
def test_python_literal_syntax_is_refused_naming_its_field(exported: Path, cell: str) -> None:
    with pytest.raises(calmkit.ImportFormatError) as e:
        calmkit.import_csv(_with_intensity(exported, cell))
    assert e.value.field == "intensity" and e.value.line == 2

