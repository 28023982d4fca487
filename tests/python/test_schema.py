"""docs/journal-format-v1.schema.json against real journal lines.

Every line of a journal calmkit wrote (the sample journal, when it exists) and
of the hand-written fixture must validate; lines that break a rule the schema
can express must not.
"""

import copy
import json
import os
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "journal-format-v1.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

GOOD = {
    "trigger": {"type": "trigger", "id": "t1", "time": "2026-03-02T21:14:00+01:00",
                "category": "delayed_reply", "intensity": 8},
    "reading": {"type": "reading", "time": "2026-03-02T21:20:00Z", "intensity": 6},
    "exercise": {"type": "exercise", "id": "e1", "time": "2026-03-02T21:30:00+01:00",
                 "exercise": "breathing.box", "end": "2026-03-02T21:35:00+01:00"},
    "thought_record": {"type": "thought_record", "id": "tr1", "time": "2026-03-02T22:00:00.5-05:00",
                       "situation": "s", "automatic_thought": "a", "belief_before": 80},
    "header": {"type": "header", "format": "calmkit-journal", "version": 1, "generator": "x"},
    "assessment": {"type": "assessment", "id": "a1", "time": "2026-03-02T09:00:00Z",
                   "instrument": "gad-7", "answers": [1, 0, 2, 3, 1, 0, 2]},
}


def lines_of(path):
    with open(path, encoding="utf-8-sig") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_minimal_lines_validate(kind):
    VALIDATOR.validate(GOOD[kind])


def test_hand_written_fixture_validates():
    for obj in lines_of(ROOT / "tests" / "data" / "all-fields.jsonl"):
        VALIDATOR.validate(obj)


def test_every_line_calmkit_wrote_validates():
    sample = os.environ.get("CALMKIT_SAMPLE_JOURNAL", "")
    if not sample or not Path(sample).is_file():
        pytest.skip("no sample journal (CALMKIT_SAMPLE_JOURNAL unset or missing)")
    records = lines_of(sample)
    assert records, "the sample journal is empty"
    for n, obj in enumerate(records, start=1):
        errors = list(VALIDATOR.iter_errors(obj))
        assert not errors, f"{sample}: record {n}: {errors[0].message}"


def changed(kind, **fields):
    obj = copy.deepcopy(GOOD[kind])
    for k, v in fields.items():
        if v is None:
            obj.pop(k, None)
        else:
            obj[k] = v
    return obj


BAD = [
    ("missing category", changed("trigger", category=None)),
    ("missing id", changed("exercise", id=None)),
    ("missing end", changed("exercise", end=None)),
    ("intensity as string", changed("reading", intensity="3")),
    ("intensity 3.5", changed("reading", intensity=3.5)),
    ("intensity true", changed("reading", intensity=True)),
    ("intensity 11", changed("trigger", intensity=11)),
    ("belief 101", changed("thought_record", belief_before=101)),
    ("emotion before 101", changed("thought_record", emotions=[{"name": "sad", "before": 101}])),
    ("emotion without name", changed("thought_record", emotions=[{"before": 10}])),
    ("negative minutes", changed("trigger", acted_after_minutes=-1)),
    ("time without offset", changed("reading", time="2026-03-02T21:20:00")),
    ("not a time", changed("reading", time="yesterday")),
    ("unknown category", changed("trigger", category="ghosting")),
    ("unknown distortion", changed("thought_record", distortions=["crystal_ball"])),
    ("thoughts element", changed("trigger", thoughts=["ok", 2])),
    ("empty id", changed("trigger", id="")),
    ("empty trigger reference", changed("reading", trigger="")),
    ("unknown type", changed("reading", type="mood")),
    ("wrong header format", changed("header", format="other")),
    ("header from the future", changed("header", version=2)),
    ("assessment without answers", changed("assessment", answers=None)),
]


@pytest.mark.parametrize("what,obj", BAD, ids=[b[0] for b in BAD])
def test_bad_lines_are_rejected(what, obj):
    assert not VALIDATOR.is_valid(obj), what


def test_extra_fields_are_allowed():
    VALIDATOR.validate(changed("reading", mood_color="grey", nested={"a": [1, 2]}))
