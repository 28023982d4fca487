"""A value of the wrong type for any field of a record class, or a record class
called the wrong way, says what is wrong.

Every field of every record class (Trigger, Reading, ExerciseSession,
EmotionRating, ThoughtRecord, Assessment) given a value of a wrong type, in
the constructor and through its attribute, is refused with a ``RecordError``
(a ValueError) that names the record, the field and what was given, in the
words the journal reader uses for the same value (validate.hpp's rules: one
rule, one wording). ``time`` and ``end`` take an aware datetime or an RFC 3339
string; the text is refused by the reader's time rule. A call that fits no
signature (a positional argument, a required field left out, a misspelt
keyword) is a TypeError that says which, not pybind11's "incompatible
constructor arguments".
"""

from __future__ import annotations

import datetime as dt

import pytest

import calmkit
from calmkit import _core
from calmkit._calls import _fields as _keywords

T0 = "2026-03-02T21:14:00+01:00"
T1 = "2026-03-02T21:30:00+01:00"

#: The smallest valid keyword arguments of each record class.
VALID = {
    calmkit.Trigger: {"id": "t1", "time": T0, "category": "delayed_reply", "intensity": 7, "participant": "p"},
    calmkit.Reading: {"time": T0, "intensity": 3, "participant": "p", "id": "r1"},
    calmkit.ExerciseSession: {"id": "e1", "time": T0, "end": T1, "exercise": "breathing.4-7-8", "participant": "p"},
    calmkit.EmotionRating: {"name": "fear", "before": 80},
    calmkit.ThoughtRecord: {"id": "tr1", "time": T0, "situation": "s", "automatic_thought": "a", "belief_before": 70,
                            "participant": "p"},
    calmkit.Assessment: {"id": "a1", "time": T0, "instrument": "ecr-r", "answers": [1, 2], "participant": "p"},
}

#: Each field whose type can be wrong, by kind: the values of a wrong type
#: given, and the reason the reader gives for each (`got` in its words).
TEXT = ["id", "participant", "category", "context", "urge", "response", "note", "trigger", "exercise",
        "situation", "automatic_thought", "friend_advice", "balanced_thought", "instrument", "name"]
TEXT_LIST = ["thoughts", "sensations", "tags", "responses", "distortions", "evidence_for", "evidence_against",
             "alternatives"]
INTENSITY = ["intensity", "intensity_before", "intensity_after"]
PERCENT = ["before", "after", "belief_before", "belief_after"]
BOOL = ["acted_on_urge", "completed"]
TIME = ["time", "end"]

WRONG: dict[str, list[tuple[object, str]]] = {
    "text": [(5, "must be a string, got a number"), (True, "must be a string, got true/false"),
             (["a"], "must be a string, got a list"), ({"a": 1}, "must be a string, got an object")],
    "text_list": [("a", "must be a list of strings, got a string"), (3, "must be a list of strings, got a number"),
                  ({"a": 1}, "must be a list of strings, got an object")],
    "intensity": [("7", "must be an integer 0..10, got a string"), (7.5, "must be an integer 0..10, got 7.5"),
                  (True, "must be an integer 0..10, got true/false")],
    "percent": [("70", "must be an integer 0..100, got a string"), (False, "must be an integer 0..100, got true/false")],
    "bool": [(1, "must be true or false, got a number"), ("yes", "must be true or false, got a string")],
    "time": [(5, "must be an aware datetime or an RFC 3339 string, got a number"),
             (1.5, "must be an aware datetime or an RFC 3339 string, got a number"),
             (None, "must be an aware datetime or an RFC 3339 string, got null"),
             ([T0], "must be an aware datetime or an RFC 3339 string, got a list"),
             (dt.date(2026, 3, 2), "must be an aware datetime or an RFC 3339 string, got datetime.date(2026, 3, 2)"),
             ("yesterday", "invalid time 'yesterday': "),
             ("2026-03-02T21:14:00", "invalid time '2026-03-02T21:14:00': "),
             (dt.datetime(2026, 3, 2, 21, 14), "naive datetime datetime.datetime(2026, 3, 2, 21, 14) needs a UTC offset"),
             (dt.datetime(1200, 1, 1, tzinfo=dt.timezone.utc), _core._year_reason(1200))],
    "minutes": [("5", "must be a number (of minutes), got a string"), (True, "must be a number (of minutes), got true/false")],
    "answers": [("12", "must be a list of integers, got a string"), (3, "must be a list of integers, got a number")],
    "emotions": [("fear", "must be a list of emotion objects, got a string")],
}


def _kind(field: str) -> str:
    for kind, names in (("text", TEXT), ("text_list", TEXT_LIST), ("intensity", INTENSITY), ("percent", PERCENT),
                        ("bool", BOOL), ("time", TIME)):
        if field in names:
            return kind
    return {"acted_after_minutes": "minutes", "answers": "answers", "emotions": "emotions"}[field]


def _fields(cls: type) -> list[str]:
    """Every keyword of the class's constructor (the signature pybind11 writes)."""
    required, optional = _keywords(cls)
    return required + optional


def _cases():
    for cls in VALID:
        for field in _fields(cls):
            for value, reason in WRONG[_kind(field)]:
                yield pytest.param(cls, field, value, reason, id=f"{cls.__name__}.{field}={value!r}")


def test_every_field_of_every_record_class_is_covered():
    for cls in VALID:
        for field in _fields(cls):
            assert WRONG[_kind(field)], (cls.__name__, field)
    assert {"time", "end"} <= set(_fields(calmkit.ExerciseSession))


@pytest.mark.parametrize("cls, field, value, reason", list(_cases()))
def test_a_wrong_type_names_the_record_the_field_and_what_was_given(cls, field, value, reason):
    with pytest.raises(calmkit.RecordError) as err:
        cls(**{**VALID[cls], field: value})
    e = err.value
    assert isinstance(e, ValueError)
    assert e.field == field, str(e)
    assert e.reason.startswith(reason), str(e)
    assert f"field '{field}': {e.reason}" in str(e)
    if cls is not calmkit.EmotionRating:
        assert e.place.startswith(cls.__name__.lower().replace("exercisesession", "exercise")
                                  .replace("thoughtrecord", "thought_record")), e.place
    assert "incompatible" not in str(e)


@pytest.mark.parametrize("cls, field, value, reason", list(_cases()))
def test_a_wrong_type_through_the_attribute_is_refused_the_same_way(cls, field, value, reason):
    record = cls(**VALID[cls])
    before = repr(record), record
    with pytest.raises(calmkit.RecordError) as err:
        setattr(record, field, value)
    assert err.value.field == field and err.value.reason.startswith(reason), str(err.value)
    assert (repr(record), record) == before  # left unchanged


@pytest.mark.parametrize("value", [T0, dt.datetime(2026, 3, 2, 21, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))])
def test_times_still_take_text_and_aware_datetimes(value):
    r = calmkit.Reading(time=value, intensity=3)
    assert r.time == dt.datetime(2026, 3, 2, 20, 14, tzinfo=dt.timezone.utc)
    e = calmkit.ExerciseSession(id="e", time=value, end=value, exercise="breathing.4-7-8")
    e.end = T1
    assert e.end.isoformat() == T1
    pd = pytest.importorskip("pandas")
    r.time = pd.Timestamp(T1)
    assert r.time.isoformat() == T1


def test_pandas_and_numpy_times_of_the_wrong_kind():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    with pytest.raises(calmkit.RecordError, match=r"field 'time': naive datetime Timestamp\('2026-03-02 21:14:00'\)"):
        calmkit.Reading(time=pd.Timestamp("2026-03-02 21:14"), intensity=3)
    with pytest.raises(calmkit.RecordError,
                       match=r"field 'time': must be an aware datetime or an RFC 3339 string, got "
                             r"np(?:umpy)?\.datetime64\('2026-03-02T21:14'\)"):
        calmkit.Reading(time=np.datetime64("2026-03-02T21:14"), intensity=3)


def test_the_time_rules_are_the_readers_words():
    """The text of a time is refused with the reader's reason for the same text
    (`_core._time_reason` is the rule the reader uses)."""
    for text in ("yesterday", "2026-02-30T10:00:00Z", "2026-03-02T21:14:00"):
        with pytest.raises(calmkit.RecordError) as err:
            calmkit.Trigger(id="t", time=text, category="other", intensity=1)
        assert err.value.reason == _core._time_reason(text)
        lines = ['{"type": "header", "format": "calmkit-journal", "version": 1}',
                 f'{{"type": "trigger", "id": "t", "time": "{text}", "category": "other", "intensity": 1}}']
        with pytest.raises(calmkit.JournalFormatError) as read:
            calmkit.parse_journal("\n".join(lines) + "\n")
        assert read.value.field == "time" and read.value.reason == err.value.reason


def test_an_exercise_end_before_its_time_is_still_the_rule():
    with pytest.raises(calmkit.RecordError, match=r"field 'end': end .* is before time"):
        calmkit.ExerciseSession(id="e", time=T1, end=T0, exercise="breathing.4-7-8")


@pytest.mark.parametrize("cls", list(VALID))
def test_positional_arguments_say_the_class_takes_keywords(cls):
    kwargs = VALID[cls]
    first, *_ = kwargs
    with pytest.raises(TypeError) as err:
        cls(kwargs[first], **{k: v for k, v in kwargs.items() if k != first})
    msg = str(err.value)
    assert msg.startswith(f"{cls.__name__}() takes keyword arguments only, got 1 positional"), msg
    assert "incompatible" not in msg and f"{cls.__name__}(" in msg


@pytest.mark.parametrize("cls", list(VALID))
def test_a_required_field_left_out_is_named(cls):
    required, _ = _keywords(cls)
    for field in required:
        with pytest.raises(TypeError) as err:
            cls(**{k: v for k, v in VALID[cls].items() if k != field})
        assert str(err.value).startswith(f"{cls.__name__}() is missing required keyword argument '{field}'"), \
            str(err.value)


def test_a_misspelt_keyword_is_named_with_the_closest_field():
    with pytest.raises(TypeError, match=r"^Trigger\(\) got an unexpected keyword argument 'intensty' "
                                        r"\(did you mean 'intensity'\?\); its fields are id, time, "):
        calmkit.Trigger(id="t", time=T0, category="other", intensty=3)
    with pytest.raises(TypeError, match=r"^Reading\(\) got an unexpected keyword argument 'zzz'; its fields"):
        calmkit.Reading(time=T0, intensity=3, zzz=1)


def test_the_wrapped_constructors_keep_their_signature_and_records():
    assert calmkit.Trigger.__init__.__doc__.startswith("__init__(self: calmkit._core.Trigger, *, id: object, "
                                                       "time: datetime.datetime | str,")
    t = calmkit.Trigger(**VALID[calmkit.Trigger], acted_after_minutes=5.0)
    j = calmkit.Journal()
    j.add(t)
    assert j.triggers[0] == t
