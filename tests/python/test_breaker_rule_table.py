"""A second, independent table of bad journal lines, through every entry point that reads a line.

Written by hand from the journal format's spec (not from test_rules.py): every
field of every record type, each bound on both sides, every wrong JSON type
(8.0, 1e1, -0.0, "8", true, null, a list, an object, 2^63), escaped and
duplicate keys, bad and absent times. Each line must be refused with the line,
field and reason written here by:

- ``parse_journal`` strict and lenient (the line after one good trigger);
- ``read_journal`` strict and lenient, with 1 and 2 threads and 4096-byte
  windows, the bad line 3,000 lines into the file (another window than the
  trigger it may name);
- ``read_jsonl_shards`` (the same file as a shard).

A second table holds lines the spec allows (RFC 3339 forms, unknown fields,
NUL and non-ASCII text, -0): every reader must take them. The last tests are
the dict-shaped entry points (the Python record classes and
``calmkit.arrow.journal_from_records``, which import_csv and the research
export use) against the same rules: the cases they get wrong are marked xfail
with the finding's name (report h25breaker, session 26).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import calmkit

T0 = "2026-03-02T21:14:00+01:00"
BASE: dict[str, dict[str, Any]] = {
    "trigger": {"type": "trigger", "participant": "p", "id": "t1", "time": T0, "category": "delayed_reply",
                "intensity": 8},
    "reading": {"type": "reading", "participant": "p", "time": "2026-03-02T21:20:00+01:00", "intensity": 6},
    "exercise": {"type": "exercise", "participant": "p", "id": "e1", "time": "2026-03-02T21:30:00+01:00",
                 "end": "2026-03-02T21:35:00+01:00", "exercise": "breathing.4-7-8"},
    "thought_record": {"type": "thought_record", "participant": "p", "id": "th1", "time": T0,
                       "situation": "no reply", "automatic_thought": "they are leaving", "belief_before": 80},
    "assessment": {"type": "assessment", "participant": "p", "id": "a1", "time": T0, "instrument": "gad-7",
                   "answers": [1, 2, 3, 0, 1, 2, 1]},
}
FIRST = json.dumps({**BASE["trigger"], "id": "t0"})  # line 1 of every journal here: a trigger to link to
DROP = object()


def rec(kind: str, **kw: Any) -> dict[str, Any]:
    d = dict(BASE[kind])
    for k, v in kw.items():
        if v is DROP:
            d.pop(k)
        else:
            d[k] = v
    return d


def line(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def raw(kind: str, field: str, token: str) -> str:
    """The record with `field` set to a JSON token written as is (1e1, -0.0)."""
    return line(rec(kind, **{field: 12345})).replace(f'"{field}":12345', f'"{field}":{token}')


def integer(lo: int, hi: int, got: str) -> str:
    return f"must be an integer {lo}..{hi}, got {got}"


INT32 = (-2147483648, 2147483647)
CATEGORIES = ("delayed_reply, mixed_signals, partner_distance, routine_change, conflict, partner_stress, "
              "lack_of_clarity, plans_cancelled, being_alone, social_comparison, family_gathering, health_concern, "
              "financial_stress, major_decision, physical_sensation, negative_self_talk, perfectionism, other")
DISTORTIONS = ("all_or_nothing, overgeneralization, mental_filter, discounting_positive, mind_reading, "
               "fortune_telling, catastrophizing, emotional_reasoning, should_statements, labeling, "
               "personalization, blaming")
TYPES = "(expected trigger, reading, exercise, thought_record or assessment)"
GAD6 = 'instrument \'gad-7\', item 6 ("Feeling afraid, as if something awful might happen"): answer {} is ' \
       "outside the scale 0..3"

# (name, line, field, reason)
BAD: list[tuple[str, str, str, str]] = []


def bad(name: str, text: str | dict[str, Any], field: str, reason: str) -> None:
    BAD.append((name, text if isinstance(text, str) else line(text), field, reason))


WRONG_TYPES = [("a string", '"8"'), ("true/false", "true"), ("null", "null"), ("a list", "[8]"),
               ("an object", '{"v":8}')]
for kind, fld, lo, hi in [("trigger", "intensity", 0, 10), ("reading", "intensity", 0, 10),
                          ("exercise", "intensity_before", 0, 10), ("exercise", "intensity_after", 0, 10),
                          ("thought_record", "belief_before", 0, 100), ("thought_record", "belief_after", 0, 100)]:
    for token in (str(hi + 1), str(lo - 1), "8.0", "8.5", "1e1", "-0.0", "9223372036854775808",
                  "-9223372036854775809"):
        bad(f"{kind}.{fld}={token}", raw(kind, fld, token), fld, integer(lo, hi, token))
    for what, token in WRONG_TYPES:
        bad(f"{kind}.{fld}={token}", raw(kind, fld, token), fld, integer(lo, hi, what))
for fld, bound in [("before", "101"), ("before", "-1"), ("after", "101"), ("after", "50.5")]:
    emotion = line(rec("thought_record", emotions=[{"name": "fear", "before": 50, fld: 12345}]))
    bad(f"emotion {fld}={bound}", emotion.replace("12345", bound), f"emotions[0].{fld}", integer(0, 100, bound))
bad("emotion without a name", rec("thought_record", emotions=[{"before": 50}]), "emotions[0].name",
    "required field is missing")
bad("emotion without before", rec("thought_record", emotions=[{"name": "fear"}]), "emotions[0].before",
    "required field is missing")
bad("emotion name a number", rec("thought_record", emotions=[{"name": 5, "before": 50}]), "emotions[0].name",
    "must be a string, got a number")
bad("emotion a string", rec("thought_record", emotions=["fear"]), "emotions[0]",
    "must be an object {name, before, after}, got a string")
bad("emotions an object", rec("thought_record", emotions={"name": "fear", "before": 50}), "emotions",
    "must be a list of emotion objects, got an object")
bad("emotion duplicate key", line(rec("thought_record", emotions=[{"name": "fear", "before": 50}])).replace(
    '"before":50', '"before":50,"before":60'), "emotions[0].before", "duplicate key in one object")
for token, reason in [("-1.5", "must be a finite number of minutes >= 0, got -1.5"),
                      ("1e400", "must be a finite number of minutes >= 0, got inf"),
                      ('"5"', "must be a number (of minutes), got a string"),
                      ("true", "must be a number (of minutes), got true/false"),
                      ("null", "must be a number (of minutes), got null"),
                      ("[1]", "must be a number (of minutes), got a list")]:
    bad(f"acted_after_minutes={token}", raw("trigger", "acted_after_minutes", token), "acted_after_minutes", reason)
for kind, fld in [("trigger", "acted_on_urge"), ("exercise", "completed")]:
    for what, token in [("a string", '"yes"'), ("a number", "1"), ("null", "null")]:
        bad(f"{kind}.{fld}={token}", raw(kind, fld, token), fld, f"must be true or false, got {what}")
for kind in ("reading", "exercise", "thought_record"):
    bad(f"{kind}.trigger empty", rec(kind, trigger=""), "trigger", "must not be empty (leave the field out instead)")
    bad(f"{kind}.trigger a number", rec(kind, trigger=5), "trigger", "must be a string, got a number")
    bad(f"{kind}.trigger null", rec(kind, trigger=None), "trigger", "must be a string, got null")
    bad(f"{kind}.trigger unknown", rec(kind, trigger="t9"), "trigger",
        "refers to trigger 't9', which participant 'p' does not have")
    bad(f"{kind}.trigger of another participant", rec(kind, trigger="t0", participant="q"), "trigger",
        "refers to trigger 't0', which participant 'q' does not have")
for kind in BASE:
    if kind == "reading":
        bad("reading.id empty", rec(kind, id=""), "id", "must not be empty (leave the field out instead)")
    else:
        bad(f"{kind}.id empty", rec(kind, id=""), "id", "must not be empty")
        bad(f"{kind}.id missing", rec(kind, id=DROP), "id", "required field is missing")
    bad(f"{kind}.id a number", rec(kind, id=5), "id", "must be a string, got a number")
    bad(f"{kind}.participant a number", rec(kind, participant=5), "participant", "must be a string, got a number")
    bad(f"{kind}.participant null", rec(kind, participant=None), "participant", "must be a string, got null")
    bad(f"{kind}.time missing", rec(kind, time=DROP), "time", "required field is missing")
    bad(f"{kind}.time a number", rec(kind, time=1772482440), "time", "must be a string, got a number")
    for t, why in [("2026-03-02T21:14:00", "missing UTC offset (Z or +hh:mm): local times need their offset"),
                   ("2026-02-30T21:14:00+01:00", "day does not exist in that month"),
                   ("2027-02-29T21:14:00+01:00", "day does not exist in that month"),
                   ("1399-12-31T23:59:59Z", "year must be 1400..9999"),
                   ("2026-03-02T21:14:00+24:00", "UTC offset must be within -23:59..+23:59"),
                   ("2026-03-02T24:00:00Z", "hour must be 00..23")]:
        bad(f"{kind}.time {t}", rec(kind, time=t), "time", f"invalid time '{t}': {why}")
    bad(f"{kind}.type a number", rec(kind, type=5), "type", "must be a string, got a number")
bad("type Trigger", rec("trigger", type="Trigger"), "type", f"unknown record type 'Trigger' {TYPES}")
bad("type empty", rec("trigger", type=""), "type", f"unknown record type '' {TYPES}")
bad("type missing", rec("trigger", type=DROP), "type", "required field is missing")
bad("category with a capital", rec("trigger", category="Delayed_Reply"), "category",
    f"unknown trigger category 'Delayed_Reply'; valid ids: {CATEGORIES}")
bad("category empty", rec("trigger", category=""), "category", f"unknown trigger category ''; valid ids: {CATEGORIES}")
bad("category a number", rec("trigger", category=5), "category", "must be a string, got a number")
bad("category missing", rec("trigger", category=DROP), "category", "required field is missing")
bad("trigger intensity missing", rec("trigger", intensity=DROP), "intensity", "required field is missing")
bad("reading intensity missing", rec("reading", intensity=DROP), "intensity", "required field is missing")
for fld in ("thoughts", "sensations", "tags"):
    bad(f"{fld} a string", rec("trigger", **{fld: "x"}), fld, "must be a list of strings, got a string")
    bad(f"{fld} with a number", rec("trigger", **{fld: ["a", 1]}), f"{fld}[1]", "must be a string, got a number")
    bad(f"{fld} with null", rec("trigger", **{fld: [None]}), f"{fld}[0]", "must be a string, got null")
for fld in ("context", "urge", "response"):
    bad(f"{fld} a number", rec("trigger", **{fld: 5}), fld, "must be a string, got a number")
    bad(f"{fld} null", rec("trigger", **{fld: None}), fld, "must be a string, got null")
bad("exercise id empty", rec("exercise", exercise=""), "exercise", "must not be empty")
bad("exercise id missing", rec("exercise", exercise=DROP), "exercise", "required field is missing")
bad("exercise end missing", rec("exercise", end=DROP), "end", "required field is missing")
bad("exercise end a microsecond before time", rec("exercise", end="2026-03-02T20:29:59.999999Z"), "end",
    "end 2026-03-02T20:29:59.999999Z is before time 2026-03-02T21:30:00+01:00")
bad("exercise end without offset", rec("exercise", end="2026-03-02T21:35:00"), "end",
    "invalid time '2026-03-02T21:35:00': missing UTC offset (Z or +hh:mm): local times need their offset")
bad("exercise responses with a number", rec("exercise", responses=[1]), "responses[0]",
    "must be a string, got a number")
for fld in ("situation", "automatic_thought"):
    bad(f"thought {fld} missing", rec("thought_record", **{fld: DROP}), fld, "required field is missing")
    bad(f"thought {fld} null", rec("thought_record", **{fld: None}), fld, "must be a string, got null")
for fld in ("evidence_for", "evidence_against", "alternatives"):
    bad(f"thought {fld} a string", rec("thought_record", **{fld: "x"}), fld, "must be a list of strings, got a string")
    bad(f"thought {fld} with an object", rec("thought_record", **{fld: ["a", {}]}), f"{fld}[1]",
        "must be a string, got an object")
for fld in ("friend_advice", "balanced_thought"):
    bad(f"thought {fld} a list", rec("thought_record", **{fld: ["x"]}), fld, "must be a string, got a list")
    bad(f"thought {fld} true", rec("thought_record", **{fld: True}), fld, "must be a string, got true/false")
bad("thought belief_before missing", rec("thought_record", belief_before=DROP), "belief_before",
    "required field is missing")
bad("distortion unknown", rec("thought_record", distortions=["doom"]), "distortions[0]",
    f"unknown cognitive distortion 'doom'; valid ids: {DISTORTIONS}")
bad("distortions a string", rec("thought_record", distortions="labeling"), "distortions",
    "must be a list of distortion ids, got a string")
bad("distortion a number", rec("thought_record", distortions=[5]), "distortions[0]", "must be a string, got a number")
bad("instrument empty", rec("assessment", instrument=""), "instrument", "must not be empty")
bad("instrument missing", rec("assessment", instrument=DROP), "instrument", "required field is missing")
for n in (6, 8, 0):
    bad(f"answers {n}", rec("assessment", answers=[1] * n), "answers", f"instrument 'gad-7' has 7 items, got {n} answers")
for v in ("4", "-1"):
    bad(f"answer {v}", raw("assessment", "answers", f"[1,2,3,0,1,2,{v}]"), "answers[6]", GAD6.format(v))
for token, got in [("1.0", "1.0"), ('"1"', "a string"), ("true", "true/false"), ("2147483648", "2147483648"),
                   ("9223372036854775808", "9223372036854775808")]:
    bad(f"answer {token}", raw("assessment", "answers", f"[1,2,3,0,1,2,{token}]"), "answers[6]",
        integer(*INT32, got))
bad("answers null", rec("assessment", answers=None), "answers", "must be a list of integers, got null")
bad("answers missing", rec("assessment", answers=DROP), "answers", "required field is missing")
for kind in ("reading", "assessment"):
    bad(f"{kind} note a number", rec(kind, note=5), "note", "must be a string, got a number")
bad("duplicate key", line(rec("trigger")).replace('"intensity":8', '"intensity":8,"intensity":9'), "intensity",
    "duplicate key in one object")
bad("duplicate key, one escaped", line(rec("trigger")).replace('"intensity":8', '"intensity":8,"\\u0069ntensity":9'),
    "intensity", "duplicate key in one object")
bad("escaped key out of range", line(rec("trigger")).replace('"intensity":8', '"\\u0069ntensity":11'), "intensity",
    integer(0, 10, "11"))
bad("duplicate unknown key", line(rec("trigger")).replace('"type"', '"x":1,"x":2,"type"'), "x",
    "duplicate key in one object")
bad("duplicate trigger id", rec("trigger", id="t0"), "id", "duplicate trigger id 't0' for participant 'p' "
    "(first used on line 1)")
bad("header after the first line", {"type": "header", "format": "calmkit-journal", "version": 1}, "type",
    "a header is only allowed as the first line of the file")

# Lines the spec allows: every reader must take them.
GOOD: list[tuple[str, str]] = [
    ("lowercase t and z", line(rec("trigger", time="2026-03-02t20:14:00z"))),
    ("offset -00:00", line(rec("trigger", time="2026-03-02T20:14:00-00:00"))),
    ("space for T", line(rec("trigger", time="2026-03-02 21:14:00+01:00"))),
    ("7 digits ending in 0 (.NET without ticks)", line(rec("trigger", time="2026-03-02T21:14:00.1234560+01:00"))),
    ("offset +23:59", line(rec("trigger", time="2026-03-02T21:14:00+23:59"))),
    ("year 1400 and 9999", line(rec("exercise", time="1400-01-01T00:00:00Z", end="9999-12-31T23:59:59Z"))),
    ("end equal to time in another zone", line(rec("exercise", end="2026-03-02T20:30:00Z"))),
    ("intensity -0", raw("trigger", "intensity", "-0")),
    ("minutes -0", raw("trigger", "acted_after_minutes", "-0")),
    ("minutes 1e308 and 5e-324", raw("trigger", "acted_after_minutes", "5e-324")),
    ("no participant", line(rec("reading", participant=DROP))),
    ("NUL and non-ASCII text", line(rec("trigger", participant="Zoë 🙂", context="a\u0000b", tags=[""]))),
    ("unknown fields of every JSON kind", line(rec("reading")).replace(
        '"type"', '"x_null":null,"x_obj":{"a":[1,{"b":null}],"c":"\\u00e9"},"x_bool":false,"x_num":-1.5e-3,"type"')),
    ("escaped type key", line(rec("trigger")).replace('"type"', '"\\u0074ype"')),
    ("a reading linked to its trigger", line(rec("reading", trigger="t0"))),
    ("a trigger id reused by another participant and by another type",
     line(rec("trigger", id="t0", participant="q"))),
    ("empty situation (a string, as the spec asks)", line(rec("thought_record", situation=""))),
    ("the same distortion twice", line(rec("thought_record", distortions=["labeling", "labeling"]))),
]
# Found refused by the reader in session 26 (R1, R4), valid per the spec; read since.
GOOD += [
    ("R1 an unknown field holding an integer past 64 bits", raw("reading", "x_id", "18446744073709551616")),
    ("R1 an unknown field holding a number past a double", raw("reading", "x_big", "1e400")),
    ("R4 nanoseconds (Go RFC3339Nano, Java Instant)", line(rec("trigger", time="2026-03-02T21:14:00.123456789+01:00"))),
    ("R4 seven digits (.NET DateTimeOffset 'o')", line(rec("trigger", time="2026-03-02T21:14:00.1234567+01:00"))),
]
PAD = 3000


def _padding() -> list[str]:
    return [line(rec("reading", participant=f"q{k % 7}", time="2026-03-01T10:00:00+01:00", intensity=k % 11))
            for k in range(PAD)]


@pytest.fixture(scope="module")
def padding() -> list[str]:
    return _padding()


@pytest.mark.parametrize("name, text, field, reason", BAD, ids=[b[0] for b in BAD])
def test_every_reader_refuses_the_line_with_the_same_field_and_reason(
        name: str, text: str, field: str, reason: str, padding: list[str], tmp_path: Path) -> None:
    whole = FIRST + "\n" + text + "\n"
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal(whole, name="t.jsonl")
    assert (err.value.line, err.value.field, err.value.reason) == (2, field, reason)
    assert str(err.value) == f"t.jsonl:2: field '{field}': {reason}"
    kept, report = calmkit.parse_journal_with_report(whole, lenient=True, name="t.jsonl")
    assert [(s.line, s.field, s.reason) for s in report.skipped] == [(2, field, reason)]
    assert len(kept) == 1

    at = PAD + 2
    shard = tmp_path / "shards"
    shard.mkdir()
    path = shard / "a.jsonl"
    path.write_text("\n".join([FIRST, *padding, text]) + "\n", encoding="utf-8")
    for threads in (1, 2):
        with pytest.raises(calmkit.JournalFormatError) as err:
            calmkit.read_journal(path, threads=threads, chunk_bytes=4096)
        assert (err.value.line, err.value.field, err.value.reason) == (at, field, reason), threads
        kept, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=4096)
        assert [(s.line, s.field, s.reason) for s in report.skipped] == [(at, field, reason)], threads
        assert len(kept) == PAD + 1
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_jsonl_shards(shard)
    assert (err.value.line, err.value.field, err.value.reason) == (at, field, reason)


def _read_everywhere(text: str, tmp_path: Path) -> list[calmkit.Journal]:
    whole = FIRST + "\n" + text + "\n"
    out = [calmkit.parse_journal(whole)]
    j, report = calmkit.parse_journal_with_report(whole, lenient=True)
    assert not report.skipped, report.skipped[0].reason
    out.append(j)
    shard = tmp_path / "shards"
    shard.mkdir()
    (shard / "a.jsonl").write_text(whole, encoding="utf-8")
    for threads in (1, 2):
        out.append(calmkit.read_journal(shard / "a.jsonl", threads=threads, chunk_bytes=4096))
    out.append(calmkit.read_jsonl_shards(shard))
    return out


@pytest.mark.parametrize("name, text", GOOD, ids=[g[0] for g in GOOD])
def test_every_reader_takes_what_the_spec_allows(name: str, text: str, tmp_path: Path) -> None:
    journals = _read_everywhere(text, tmp_path)
    assert all(len(j) == 2 for j in journals)
    assert all(j == journals[0] for j in journals)
    # and writes it back so that it reads the same (the spec's round trip)
    assert calmkit.parse_journal(calmkit.to_jsonl(journals[0])) == journals[0]


def test_the_values_of_the_allowed_forms_are_the_instants_they_name() -> None:
    # Written out by hand: what each form means as UTC and its kept offset.
    cases = {
        "2026-03-02t20:14:00z": ("2026-03-02T20:14:00Z", 0),
        "2026-03-02T20:14:00-00:00": ("2026-03-02T20:14:00Z", 0),
        "2026-03-02 21:14:00+01:00": ("2026-03-02T21:14:00+01:00", 60),
        "2026-03-02T21:14:00.1234560+01:00": ("2026-03-02T21:14:00.123456+01:00", 60),
        "2026-03-02T21:14:00+23:59": ("2026-03-02T21:14:00+23:59", 1439),
    }
    for text, (written, offset) in cases.items():
        j = calmkit.parse_journal(line(rec("trigger", time=text)))
        assert json.loads(calmkit.to_json(j.triggers[0]))["time"] == written
        assert j.triggers.to_pandas()["offset_minutes"].iloc[0] == offset


# The dict-shaped entry points. Values as json.loads gives them.
DICT_CASES = [
    # (finding, record, field, reason)
    ("R2", rec("reading", intensity=8.7), "intensity", integer(0, 10, "8.7")),
    ("R2", rec("reading", intensity=8.0), "intensity", integer(0, 10, "8.0")),
    ("R2", rec("assessment", answers=[1.9, 2, 3, 0, 1, 2, 1]), "answers[0]", integer(*INT32, "1.9")),
    ("R2", rec("trigger", tags="urgent"), "tags", "must be a list of strings, got a string"),
    ("R2", rec("thought_record", distortions="labeling"), "distortions", "must be a list of distortion ids, got a string"),
    ("R2", rec("trigger", acted_after_minutes=True), "acted_after_minutes", "must be a number (of minutes), got true/false"),
    ("R2", rec("thought_record", situation=DROP), "situation", "required field is missing"),
    ("R2", rec("trigger", id=DROP), "id", "required field is missing"),
    ("R2", rec("assessment", answers=DROP), "answers", "required field is missing"),
    # More of R2 (fixed): each wrong Python type of each kind of field, against the reader's words.
    ("R2", rec("reading", intensity=True), "intensity", integer(0, 10, "true/false")),
    ("R2", rec("reading", intensity="8"), "intensity", integer(0, 10, "a string")),
    ("R2", rec("reading", intensity=[8]), "intensity", integer(0, 10, "a list")),
    ("R2", rec("reading", intensity=11), "intensity", integer(0, 10, "11")),
    ("R2", rec("reading", intensity=2**63), "intensity", integer(0, 10, "9223372036854775808")),
    ("R2", rec("thought_record", belief_before=80.5), "belief_before", integer(0, 100, "80.5")),
    ("R2", rec("thought_record", belief_after={"v": 8}), "belief_after", integer(0, 100, "an object")),
    ("R2", rec("exercise", intensity_after=False), "intensity_after", integer(0, 10, "true/false")),
    ("R2", rec("assessment", answers=[1, 2, 3, 0, 1, 2, True]), "answers[6]", integer(*INT32, "true/false")),
    ("R2", rec("assessment", answers="1234567"), "answers", "must be a list of integers, got a string"),
    ("R2", rec("trigger", acted_on_urge=1), "acted_on_urge", "must be true or false, got a number"),
    ("R2", rec("exercise", completed="true"), "completed", "must be true or false, got a string"),
    ("R2", rec("trigger", acted_after_minutes="5"), "acted_after_minutes",
     "must be a number (of minutes), got a string"),
    ("R2", rec("trigger", context=5), "context", "must be a string, got a number"),
    ("R2", rec("trigger", thoughts=["a", 1]), "thoughts[1]", "must be a string, got a number"),
    ("R2", rec("trigger", sensations={"a": 1}), "sensations", "must be a list of strings, got an object"),
    ("R2", rec("thought_record", emotions=[{"name": "fear", "before": 50.7}]), "emotions[0].before",
     integer(0, 100, "50.7")),
    ("R2", rec("thought_record", emotions=[{"name": "fear", "before": True}]), "emotions[0].before",
     integer(0, 100, "true/false")),
    ("R2", rec("thought_record", emotions=[{"before": 50}]), "emotions[0].name", "required field is missing"),
    ("R2", rec("thought_record", emotions=[{"name": 5, "before": 50}]), "emotions[0].name",
     "must be a string, got a number"),
    ("R2", rec("thought_record", emotions=["fear"]), "emotions[0]",
     "must be an object {name, before, after}, got a string"),
    ("R2", rec("thought_record", emotions={"name": "fear"}), "emotions",
     "must be a list of emotion objects, got an object"),
    ("R2", rec("thought_record", automatic_thought=DROP), "automatic_thought", "required field is missing"),
    ("R2", rec("exercise", end=DROP), "end", "required field is missing"),
    ("R2", rec("exercise", exercise=DROP), "exercise", "required field is missing"),
    ("R2", rec("trigger", category=DROP), "category", "required field is missing"),
    ("R2", rec("reading", time=DROP), "time", "required field is missing"),
]


@pytest.mark.parametrize("finding, record, field, reason", DICT_CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[1].get(c[2], 'missing')!r}" for c in DICT_CASES])
def test_journal_from_records_refuses_what_the_reader_refuses(finding: str, record: dict[str, Any], field: str,
                                                             reason: str) -> None:
    pytest.importorskip("pyarrow")
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal(line(record))
    assert (err.value.field, err.value.reason) == (field, reason)  # the reader: the rule written above
    with pytest.raises(ValueError) as err:
        calmkit.arrow.journal_from_records([record], name="recs")
    assert str(err.value) == f"recs: record 0: field '{field}': {reason}"


def test_journal_from_records_requires_the_fields_the_reader_requires() -> None:
    # Each field of each record type left out: refused by journal_from_records exactly when the reader
    # refuses it as a missing required field (R2: its list of required fields is the reader's).
    pytest.importorskip("pyarrow")
    for kind, base in BASE.items():
        for fld in base:
            if fld == "type":
                continue
            record = rec(kind, **{fld: DROP})
            try:
                calmkit.parse_journal(line(record))
                want = None
            except calmkit.JournalFormatError as e:
                want = f"recs: record 0: field '{e.field}': {e.reason}"
            try:
                calmkit.arrow.journal_from_records([record], name="recs")
                got = None
            except ValueError as e:
                got = str(e)
            assert got == want, (kind, fld)


def test_import_csv_refuses_a_fractional_emotion_rating(tmp_path: Path) -> None:
    # R2, more: a spreadsheet writes 50.7 in the emotions cell; import_csv refused it as the reader does.
    pytest.importorskip("pyarrow")
    calmkit.export_csv(calmkit.parse_journal(line(rec("thought_record", emotions=[{"name": "fear", "before": 50}]))),
                       tmp_path)
    path = tmp_path / "thought_records.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"before"": 50', '"before"": 50.7'), encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line(rec("thought_record", emotions=[{"name": "fear", "before": 50.7}])))
    with pytest.raises(ValueError) as err:
        calmkit.import_csv(tmp_path)
    assert f"field '{want.value.field}': {want.value.reason}" in str(err.value)


CLASS_OF = {"trigger": calmkit.Trigger, "reading": calmkit.Reading, "exercise": calmkit.ExerciseSession,
            "thought_record": calmkit.ThoughtRecord, "assessment": calmkit.Assessment}
BOOLS = [
    (rec("reading", intensity=True), "intensity"),
    (rec("thought_record", belief_before=False), "belief_before"),
    (rec("trigger", acted_after_minutes=True), "acted_after_minutes"),
    (rec("trigger", acted_on_urge=1), "acted_on_urge"),
    (rec("exercise", completed=0), "completed"),
    (rec("assessment", answers=[1, 2, 3, 0, 1, 2, True]), "answers[6]"),
    # R3 (fixed): other values of a wrong type, and the range rules, with the field named.
    (rec("reading", intensity="8"), "intensity"),
    (rec("reading", intensity=8.0), "intensity"),
    (rec("trigger", intensity=8.7), "intensity"),
    (rec("trigger", intensity=11), "intensity"),
    (rec("trigger", intensity=2**70), "intensity"),
    (rec("reading", intensity=None), "intensity"),
    (rec("exercise", intensity_before=-1), "intensity_before"),
    (rec("exercise", intensity_after=[3]), "intensity_after"),
    (rec("thought_record", belief_after=100.5), "belief_after"),
    (rec("thought_record", belief_before=101), "belief_before"),
    (rec("trigger", acted_after_minutes="5"), "acted_after_minutes"),
    (rec("trigger", acted_after_minutes=-1.5), "acted_after_minutes"),
    (rec("trigger", acted_on_urge="yes"), "acted_on_urge"),
    (rec("exercise", completed=1.0), "completed"),
    (rec("assessment", answers=[1, 2, 3, 0, 1, 2, 1.5]), "answers[6]"),
    (rec("assessment", answers=[1, 2, 3, 0, 1, 2, 2**31]), "answers[6]"),
    (rec("assessment", answers="1230121"), "answers"),
]


def _record_class_kwargs(record: dict[str, Any]) -> dict[str, Any]:
    kw = {k: v for k, v in record.items() if k != "type"}
    for k in ("time", "end"):
        if k in kw:
            kw[k] = dt.datetime.fromisoformat(kw[k])
    return kw


@pytest.mark.parametrize("record, field", BOOLS, ids=[f"{r['type']}.{f}={r.get(f.split('[')[0])!r}"[:60]
                                                      for r, f in BOOLS])
def test_the_record_classes_refuse_booleans_as_numbers_and_numbers_as_booleans(record: dict[str, Any],
                                                                              field: str) -> None:
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line(record))  # the reader refuses it: its field and reason
    assert want.value.field == field
    kw = _record_class_kwargs(record)
    with pytest.raises(ValueError) as err:
        CLASS_OF[record["type"]](**kw)
    assert str(err.value).endswith(f": field '{field}': {want.value.reason}")
    # The setter of the same field words it the same way.
    name = field.split("[")[0]
    good = CLASS_OF[record["type"]](**_record_class_kwargs(BASE[record["type"]]))
    with pytest.raises(ValueError) as err:
        setattr(good, name, record[name])
    assert str(err.value).endswith(f": field '{field}': {want.value.reason}")


def test_the_record_classes_keep_taking_what_they_took() -> None:
    # R3's fix keeps the accepted inputs: ints (also NumPy's), floats and ints as minutes, bools, lists.
    np = pytest.importorskip("numpy")
    t = calmkit.Trigger(id="t1", time=dt.datetime.fromisoformat(T0), category="conflict", intensity=np.int64(7),
                        acted_on_urge=np.bool_(True), acted_after_minutes=5, tags=["a"])
    assert (t.intensity, t.acted_on_urge, t.acted_after_minutes) == (7, True, 5.0)
    t.acted_after_minutes, t.acted_on_urge = 2.5, None
    assert (t.acted_after_minutes, t.acted_on_urge) == (2.5, None)
    e = calmkit.ExerciseSession(id="e1", time=dt.datetime.fromisoformat(T0), end=dt.datetime.fromisoformat(T0),
                                exercise="x", completed=False, intensity_before=None, intensity_after=3)
    assert (e.completed, e.intensity_before, e.intensity_after) == (False, None, 3)
    a = calmkit.Assessment(id="a1", time=dt.datetime.fromisoformat(T0), instrument="gad-7",
                           answers=(1, 2, 3, 0, 1, 2, np.int32(1)))
    assert a.answers == [1, 2, 3, 0, 1, 2, 1]
    em = calmkit.EmotionRating(name="fear", before=50, after=None)
    assert (em.before, em.after) == (50, None)
    with pytest.raises(ValueError, match=r"^emotion 'fear': field 'before': must be an integer 0\.\.100, got 50\.7$"):
        em.before = 50.7


# Other entry points against the reader, each case a finding of this review.
def _thought_table(**columns: Any) -> Any:
    pa = pytest.importorskip("pyarrow")
    base = {"participant": ["p"], "id": ["th1"], "time": pa.array([1772482440000000], pa.timestamp("us", "UTC")),
            "offset_minutes": pa.array([60], pa.int16()), "situation": ["no reply"],
            "automatic_thought": ["they are leaving"], "belief_before": pa.array([80], pa.int8())}
    base.update(columns)
    return pa.table({k: v for k, v in base.items() if v is not None})


@pytest.mark.parametrize("field", ["situation", "automatic_thought"])
def test_from_arrow_refuses_a_thought_record_without_its_situation(field: str) -> None:
    # R5, fixed: from_arrow took a thought record without its required situation as ''. The reader's
    # reason for the same record without the key is the expected one.
    with pytest.raises(calmkit.JournalFormatError) as reader:
        calmkit.parse_journal(line(rec("thought_record", **{field: DROP})))
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow({"thought_records": _thought_table(**{field: None})}, name="a")
    assert str(err.value).endswith(f"field '{field}': {reader.value.reason}")
    # a null value in a present column is refused the same way
    pa = pytest.importorskip("pyarrow")
    table = _thought_table()
    table = table.set_column(table.schema.get_field_index(field), field, pa.array([None], pa.string()))
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow({"thought_records": table}, name="a")
    assert str(err.value).endswith(f"field '{field}': {reader.value.reason}")


@pytest.mark.parametrize("text", ["2026-03-02T21:14:00.1234560+01:00", "2026-03-02T21:14:00.1234567+01:00",
                                  "2026-03-02T21:14:00.123456789-04:00"])
def test_from_arrow_takes_the_time_texts_the_reader_takes(text: str) -> None:
    # R5, fixed: from_arrow's text columns and the reader read the same texts to the same instant.
    assert len(calmkit.parse_journal(line(rec("thought_record", time=text)))) == 1
    j = calmkit.Journal.from_arrow({"thought_records": _thought_table(time=[text], offset_minutes=None)}, name="a")
    assert j.thought_records[0] == calmkit.parse_journal(line(rec("thought_record", time=text))).thought_records[0]
    assert j.thought_records[0].time == dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("content", [b'{"type":"reading","time":"2026-03-02T21:14:00+01:00","intensity":3,'
                                     b'"note":"\xff"}\n',
                                     b'{"type":"reading","time":"2026-03-02T21:14:00+01:00","intensity":3}\r'
                                     b'{"type":"reading","time":"2026-03-02T21:15:00+01:00","intensity":3}\n'],
                         ids=["not UTF-8", "a lone CR"])
def test_read_jsonl_shards_refuses_what_read_journal_refuses(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(content)
    with pytest.raises(calmkit.JournalFormatError) as direct:
        calmkit.read_journal(tmp_path / "a.jsonl")
    with pytest.raises(calmkit.JournalFormatError) as shards:
        calmkit.read_jsonl_shards(tmp_path)
    assert (shards.value.line, shards.value.field, shards.value.reason) == (
        direct.value.line, direct.value.field, direct.value.reason)


@pytest.mark.parametrize("version", ["2", "99999999999", "18446744073709551616", "1" + "0" * 40])
def test_any_newer_header_version_stops_even_a_lenient_read(version: str) -> None:
    # R12, fixed: a version past int was a bad line, skipped by a lenient read.
    text = ('{"type":"header","format":"calmkit-journal","version":' + version + '}\n' + line(rec("reading"))
            + "\n")
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal_with_report(text, lenient=True)
    assert err.value.field == "version"
    assert err.value.reason == (f"journal format version {version} is newer than this calmkit reads "
                                "(up to version 1); upgrade calmkit")


def test_cohort_from_arrays_refuses_a_participant_listed_twice() -> None:
    # R11, fixed: the metrics failed inside pandas ("Categorical categories must be unique").
    import numpy as np

    t = 1772482440000000
    with pytest.raises(ValueError) as err:
        cohort = calmkit.cohort_from_arrays(
            ["p", "p"], np.array([0, 1], np.int32), np.array([t, t], np.int64), np.array([60, 60], np.int16),
            np.array([8, 8], np.int8), np.array([0, 0], np.uint8), np.array([], np.int32), np.array([], np.int64),
            np.array([], np.int16), np.array([], np.int8), np.array([], np.int32))
        calmkit.time_to_calm(cohort)
    assert str(err.value) == "cohort columns: participants row 1, field 'participant': 'p' is listed twice (also row 0)"


# Text and list fields of the record classes (R3, more): a value of the wrong type and a str that
# holds a lone surrogate are refused with the field and the reader's reason for the same value.
TEXTS = [
    (rec("trigger", context=5), "context"),
    (rec("trigger", urge=None), "urge"),
    (rec("trigger", participant=["p"]), "participant"),
    (rec("trigger", id=7), "id"),
    (rec("trigger", category=3), "category"),
    (rec("trigger", tags="x"), "tags"),
    (rec("trigger", thoughts=["a", 5]), "thoughts[1]"),
    (rec("trigger", sensations={"a": 1}), "sensations"),
    (rec("reading", note=1.5), "note"),
    (rec("reading", trigger=False), "trigger"),
    (rec("exercise", exercise=None), "exercise"),
    (rec("exercise", responses=["ok", None]), "responses[1]"),
    (rec("thought_record", situation=8), "situation"),
    (rec("thought_record", evidence_for="all of it"), "evidence_for"),
    (rec("thought_record", distortions=[1]), "distortions[0]"),
    (rec("thought_record", emotions="fear"), "emotions"),
    (rec("thought_record", balanced_thought=["x"]), "balanced_thought"),
    (rec("assessment", instrument=7), "instrument"),
    (rec("assessment", note=True), "note"),
]


@pytest.mark.parametrize("record, field", TEXTS, ids=[f"{r['type']}.{f}" for r, f in TEXTS])
def test_the_record_classes_refuse_a_text_or_list_of_the_wrong_type_as_the_reader(record: dict[str, Any],
                                                                                 field: str) -> None:
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line(record))
    assert want.value.field == field
    with pytest.raises(calmkit.RecordError) as err:
        CLASS_OF[record["type"]](**_record_class_kwargs(record))
    assert (err.value.field, err.value.reason) == (field, want.value.reason)
    assert str(err.value).endswith(f": field '{field}': {want.value.reason}")
    # the setter of the same attribute
    name = field.split("[")[0]
    good = CLASS_OF[record["type"]](**_record_class_kwargs(BASE[record["type"]]))
    with pytest.raises(calmkit.RecordError) as err:
        setattr(good, name, record[name])
    assert (err.value.field, err.value.reason) == (field, want.value.reason)


SURROGATES = [("trigger", "context", "a\ud800"), ("trigger", "participant", "\udc00p"), ("reading", "note", "ok \ud834"),
              ("thought_record", "automatic_thought", "\ud800\udc00"), ("assessment", "id", "a\udfff1")]


@pytest.mark.parametrize("kind, field, text", SURROGATES, ids=[f"{k}.{f}" for k, f, _ in SURROGATES])
def test_the_record_classes_refuse_a_lone_surrogate_as_the_reader_refuses_its_bytes(kind: str, field: str,
                                                                                   text: str) -> None:
    # A str with a lone surrogate has no UTF-8 form; the bytes Python's surrogatepass gives it (ED A0 80 ...)
    # in a line are refused by the reader with the field and the byte: the record classes say the same.
    data = line(rec(kind, **{field: "\x00MARK"})).encode("utf-8").replace(
        b"\\u0000MARK", text.encode("utf-8", "surrogatepass"))
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(data)
    assert want.value.field == field and "is not valid UTF-8 (byte 0x" in want.value.reason
    with pytest.raises(calmkit.RecordError) as err:
        CLASS_OF[kind](**_record_class_kwargs(rec(kind, **{field: text})))
    assert (err.value.field, err.value.reason) == (field, want.value.reason)
    good = CLASS_OF[kind](**_record_class_kwargs(BASE[kind]))
    with pytest.raises(calmkit.RecordError) as err:
        setattr(good, field, text)
    assert (err.value.field, err.value.reason) == (field, want.value.reason)


def test_the_record_classes_keep_taking_text_and_lists() -> None:
    t = calmkit.Trigger(id="t1", time=dt.datetime.fromisoformat(T0), category="conflict", intensity=7,
                        context="café \U0001F600", thoughts=("a", "b"), tags=[], participant="ana")
    assert (t.context, t.thoughts, t.tags, t.participant) == ("café \U0001F600", ["a", "b"], [], "ana")
    t.tags = ["x"]
    assert t.tags == ["x"]
    th = calmkit.ThoughtRecord(id="th1", time=dt.datetime.fromisoformat(T0), situation="s", automatic_thought="a",
                               belief_before=50, emotions=[calmkit.EmotionRating(name="fear", before=50)],
                               distortions=("labeling",))
    assert [e.name for e in th.emotions] == ["fear"] and th.distortions == ["labeling"]
    with pytest.raises(calmkit.RecordError, match=r"field 'emotions\[0\]': must be an object \{name, before, "
                                                  r"after\}, got an object$"):
        th.emotions = [{"name": "fear", "before": 50}]


# Journal.add (and Journal(records)): the reader's exception shape, one name in C++, Python and JavaScript.
ADDED = [
    (rec("reading", trigger="t9"), "trigger"),
    (rec("trigger", id="t0"), "id"),
    (rec("reading", participant="q", trigger="t0"), "trigger"),  # another participant's trigger
    (rec("trigger", id=""), "id"),
]


@pytest.mark.parametrize("record, field", ADDED, ids=[f"{r['type']}.{f}" for r, f in ADDED])
def test_journal_add_raises_a_record_error_with_the_readers_field_and_reason(record: dict[str, Any],
                                                                            field: str) -> None:
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(FIRST + "\n" + line(record))
    journal = calmkit.parse_journal(FIRST)
    obj = CLASS_OF[record["type"]](**_record_class_kwargs(record))
    with pytest.raises(calmkit.RecordError) as err:
        journal.add(obj)
    e = err.value
    assert isinstance(e, calmkit.JournalFormatError) and isinstance(e, ValueError)
    reason = want.value.reason.replace(" (first used on line 1)", "")
    assert (e.path, e.line, e.field, e.reason) == ("", 0, field, reason)
    assert e.place.startswith("cannot add ") and str(e) == f"{e.place}: field '{field}': {reason}"
    assert len(journal) == 1  # nothing half-added
    with pytest.raises(calmkit.RecordError) as err:
        calmkit.Journal([calmkit.parse_journal(FIRST).triggers[0], obj])
    assert (err.value.field, err.value.reason) == (field, reason)


def test_the_reader_still_raises_the_journal_format_error_itself() -> None:
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.parse_journal(line(rec("reading", intensity=11)))
    assert type(err.value) is calmkit.JournalFormatError and err.value.line == 1


def test_the_calm_threshold_is_the_distress_scales_rule_in_its_words() -> None:
    # episodes.hpp and metrics.py took their own words for 0..10; the rule is Intensity's.
    journal = calmkit.parse_journal(FIRST)
    for value in (11, -1, 3.5, True, "3", None):
        with pytest.raises(calmkit.JournalFormatError) as want:
            calmkit.parse_journal(line(rec("trigger", intensity=value)))
        with pytest.raises((TypeError, ValueError)) as err:
            calmkit.time_to_calm(journal, threshold=value)
        assert str(err.value) == f"threshold {want.value.reason}", value


def test_a_posix_tz_rule_words_the_offset_rule_as_the_reader() -> None:
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line(rec("reading", time="2026-03-02T21:20:00+24:00")))
    rule = want.value.reason.split(": ", 1)[1]  # "invalid time '...': UTC offset must be within ..."
    with pytest.raises(ValueError) as err:
        calmkit.TimeZone("CET-24")
    assert f"invalid POSIX TZ rule 'CET-24': standard-time offset: {rule}, got 1440 minutes" in str(err.value)


@pytest.mark.parametrize("column, value, type_name", [("intensity", 2.5, "float64"), ("intensity", True, "bool_"),
                                                      ("belief_before", 80.5, "float64")])
def test_from_arrow_words_the_integer_rule_with_its_range_as_the_reader(column: str, value: Any,
                                                                        type_name: str) -> None:
    pa = pytest.importorskip("pyarrow")
    kind = "reading" if column == "intensity" else "thought_record"
    with pytest.raises(calmkit.JournalFormatError) as want:
        calmkit.parse_journal(line(rec(kind, **{column: value})))
    if kind == "reading":
        table = pa.table({"participant": ["p"], "time": pa.array([1772482800000000], pa.timestamp("us", "UTC")),
                          "offset_minutes": pa.array([60], pa.int16()),
                          column: pa.array([value], getattr(pa, type_name)())})
        tables = {"readings": table}
    else:
        tables = {"thought_records": _thought_table(**{column: pa.array([value], getattr(pa, type_name)())})}
    with pytest.raises(ValueError) as err:
        calmkit.Journal.from_arrow(tables, name="a")
    assert str(err.value).endswith(f"field '{column}': {want.value.reason}")
