"""Every other spelling of the journal format's field lists against the one
list in src/journal_fields.hpp, which the reader and the writer share: the
published JSON schema, the tidy CSV export's columns and the Arrow tables'
columns. Python and JSON cannot include the C++ list, so each copy is tied
to it here and none can gain or lose a field alone.
"""

import json
import re
from pathlib import Path

import pytest

import calmkit

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "journal-format-v1.schema.json").read_text(encoding="utf-8"))
#: calmkit's record type names -> the C++ list's names.
CXX_NAME = {"trigger": "trigger", "reading": "reading", "exercise": "exercise", "thought_record": "thought",
            "assessment": "assessment"}


def _cxx_field_lists():
    """The field lists of src/journal_fields.hpp (the one list the reader and
    the writer use), read from the source: name -> field names in order."""
    text = (ROOT / "src" / "journal_fields.hpp").read_text(encoding="utf-8")
    lists = {}
    for m in re.finditer(r"std::array<std::string_view, (\d+)> (\w+)_fields\{([^}]*)\}", text):
        names = re.findall(r'"([^"]*)"', m.group(3))
        assert len(names) == int(m.group(1)), m.group(2)
        lists[m.group(2)] = names
    return lists


@pytest.mark.parametrize("cxx, schema", [("trigger", "trigger"), ("reading", "reading"), ("exercise", "exercise"),
                                         ("thought", "thought_record"), ("assessment", "assessment"),
                                         ("emotion", "emotion")])
def test_schema_properties_are_the_fields_calmkit_reads_and_writes(cxx, schema):
    """The schema is a second spelling of the format's field lists: it must
    list the same fields, in the same order, as the C++ list the reader and
    the writer share, so neither can gain or lose a field alone."""
    assert list(SCHEMA["$defs"][schema]["properties"]) == _cxx_field_lists()[cxx]


def test_schema_header_has_the_fields_the_reader_checks():
    assert set(_cxx_field_lists()["header"]) <= set(SCHEMA["$defs"]["header"]["properties"])


def test_schema_vocabularies_are_the_librarys():
    """The trigger categories and the cognitive distortions the schema allows
    are exactly the ones calmkit's model knows (``trigger_categories()``,
    ``distortions()``), in the same order."""
    assert SCHEMA["$defs"]["trigger_category"]["enum"] == [c[0] for c in calmkit.trigger_categories()]
    assert SCHEMA["$defs"]["distortion"]["enum"] == [d[0] for d in calmkit.distortions()]


def test_schema_scales_are_the_models():
    # The intensity and percent scales the schema states are the model's strong
    # types' (Intensity::min/max, Percent::min/max), as calmkit exports them.
    for name, lo, hi in (("intensity", calmkit.INTENSITY_MIN, calmkit.INTENSITY_MAX),
                         ("percent", calmkit.PERCENT_MIN, calmkit.PERCENT_MAX)):
        d = SCHEMA["$defs"][name]
        assert (d["type"], d["minimum"], d["maximum"]) == ("integer", lo, hi), name


@pytest.mark.parametrize("kind", list(CXX_NAME))
def test_csv_export_columns_are_the_format_fields(kind):
    """The tidy CSV export has a column for every field of the format, and
    none else (the record type is the file)."""
    from calmkit.exports import CSV_COLUMNS

    columns = [name for name, _ in CSV_COLUMNS[kind][1]]
    assert len(columns) == len(set(columns))
    assert set(columns) == set(_cxx_field_lists()[CXX_NAME[kind]]) - {"type"}


@pytest.mark.parametrize("kind, table", [("trigger", "triggers"), ("reading", "readings"), ("exercise", "exercises"),
                                         ("thought_record", "thought_records"), ("assessment", "assessments")])
def test_arrow_columns_are_the_format_fields(kind, table):
    """The Arrow tables (and so Parquet) have a column for every field of the
    format, plus the offsets the format writes inside its times."""
    pytest.importorskip("pyarrow")
    from calmkit.arrow import ARROW_SCHEMAS

    names = ARROW_SCHEMAS[table].names
    assert set(names) - {"offset_minutes", "end_offset_minutes"} == set(_cxx_field_lists()[CXX_NAME[kind]]) - {"type"}
    emotion = [f for f in ARROW_SCHEMAS["thought_records"] if f.name == "emotions"][0].type.value_type
    assert [emotion.field(i).name for i in range(emotion.num_fields)] == _cxx_field_lists()["emotion"]
