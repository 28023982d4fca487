"""mindLAMP activity events (JSON) → calmkit exercise sessions and readings.
The mapping is documented in docs/importing.md ("mindLAMP")."""
from __future__ import annotations

import hashlib
import json
import math
import os
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Union

from .. import _core
from ._common import (
    ROW_ERRORS,
    IdMaker,
    LocalClock,
    Source,
    build_journal,
    check_arguments,
    counted,
    refuse_unreadable,
    round_half_up,
    row_error,
    tally,
    untally,
)
from ._json_stream import JsonStream, JsonSyntaxError, JsonValueError
from .report import ImportFormatError, ImportReport, ImportResult, Unmapped

__all__ = ["DBT_DISTRESS_EMOTIONS", "JOURNAL_SENTIMENTS", "activity_specs", "import_mindlamp"]

#: Exercise id given to a breathe activity.
BREATHE_EXERCISE = "breathing.coherent"
#: The question the breathe activity asks on its last screen; its answer
#: (``static_data.sentiment``) is kept in the session's ``responses``.
BREATHE_QUESTION = "Was this helpful today?"
#: Journal sentiment → distress 0–10 (the journal activity asks whether the
#: entry was a good or a bad experience).
JOURNAL_SENTIMENTS: Mapping[str, int] = {"good": 3, "bad": 7}
#: DBT diary-card emotions that count as distress, one entry per emotion:
#: its name, then the other words a card may use for it (compared ignoring
#: case). The LAMP app's card asks for five built-in emotions, "Sadness",
#: "Shame", "Anger", "Fear/Worry" and "Joy" (LAMP-activities,
#: DBTDiaryCard/src/i18n.js), plus any a clinician adds; all but Joy count.
#: The added names are the feelings the project's source texts on anxious
#: attachment name (anxious, lonely, insecure, overwhelmed, desperate, panic,
#: hurt, grief, resentment, upset, ...) and the other emotions a DBT card
#: commonly lists (guilt, misery, disgust, jealousy, envy, frustration). The
#: synthetic journals' thought records (src/synthetic_phrases.hpp) name theirs
#: with these words. Others (joy, pride, love, ...) are kept in the note.
_DISTRESS_EMOTIONS: Mapping[str, tuple[str, ...]] = {
    "sadness": ("sad",),
    "shame": ("ashamed",),
    "anger": ("angry",),
    "fear/worry": ("fear", "worry", "worried", "afraid", "scared", "terrified"),
    "anxiety": ("anxious", "nervous"),
    "panic": ("panicked",),
    "loneliness": ("lonely",),
    "insecurity": ("insecure",),
    "overwhelm": ("overwhelmed",),
    "desperation": ("desperate",),
    "hurt": (),
    "grief": (),
    "resentment": (),
    "upset": (),
    "guilt": ("guilty",),
    "emotional misery": ("misery",),
    "disgust": (),
    "jealousy": ("jealous",),
    "envy": ("envious",),
    "frustration": ("frustrated",),
}
#: Every word of :data:`_DISTRESS_EMOTIONS` (names and other words), lower case.
DBT_DISTRESS_EMOTIONS = frozenset(
    word for name, others in _DISTRESS_EMOTIONS.items() for word in (name, *others))
#: The diary card rates emotions and urges 0 (none) to 5 (extreme)
#: (DBTDiaryCard/src/components/ExperienceAnswer.js and RateCountAnswer.js offer 0..5);
#: a rating r becomes distress 2·r on calmkit's 0–10 scale.
DBT_SCALE_MAX = 5

_SPECS = {"lamp.breathe": "breathe", "lamp.journal": "journal", "lamp.dbt_diary_card": "dbt"}
#: static_data keys the LAMP diary card writes, and how the note names them.
_DBT_STATIC = (("effort", "effort"), ("skillToday", "used skills today"), ("skillHelped", "skills helped"),
               ("urgeToQuitTheray", "urge to quit therapy"), ("urgeForSuicide", "urge to die by suicide"),
               ("reason", "why no skills"), ("notes", "notes"))
#: Numbers beyond this many milliseconds (about 292 million years) are out of
#: any range calmkit keeps; a 400-digit integer is refused before float() overflows.
_MAX_MS = 2 ** 63


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key written twice is an error (json.loads
    would keep the last value silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


#: What an activities list may be, in the words of the errors.
_ACTIVITIES_SHAPES = ("a mapping activity id -> spec ({'9pqrs': 'lamp.breathe'}), a list of Activity objects "
                      "(each with 'id' and 'spec'), or the LAMP API's answer {'data': [...]}")


class _ActivitiesError(ValueError):
    """An activities list that cannot be read (:func:`activity_specs`):
    ``reason`` without the ``where`` that ``str()`` starts with, and the
    activity id to blame (``key``), if one is."""

    def __init__(self, where: str, reason: str, key: Optional[str] = None) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.key = key


def activity_specs(given: Any, where: str = "activities=") -> dict[str, str]:
    """Activity id → spec (``{"9pqrs": "lamp.breathe"}``) from a study's
    activities as calmkit takes them: a mapping id → spec; a list of Activity
    objects (dicts with ``id`` and ``spec``, as ``Activity.all_by_study``
    lists them); or the LAMP API's answer itself, ``{"data": [...]}``, which
    is unwrapped. ``import_mindlamp(activities=...)``, the file's own
    ``activities`` list and ``calmkit import --activities FILE`` read their
    activities with this one function.

    Raises a ``ValueError`` whose message starts with ``where`` for any other shape, an API error answer
    (``{"error": ...}``), an id or spec that is not text (``None``, a number, a
    list: never turned into the text ``'None'``), an empty spec, or one id
    given two different specs (calmkit will not pick one)."""
    if isinstance(given, Mapping) and isinstance(given.get("data"), list):
        given = given["data"]  # the LAMP API's answer, saved or handed over as it comes
    elif isinstance(given, Mapping) and "error" in given and len(given) <= 2:
        raise _ActivitiesError(where, (
            f"an error answer of the LAMP API ({_text(given['error'])[:120]!r}), not the study's activities"))
    pairs: list[tuple[str, Any, str]] = []  # (id, spec, where inside `given`)
    if isinstance(given, Mapping):
        for key, spec in given.items():
            if not isinstance(key, str):
                raise _ActivitiesError(where, (
                    f"activity id {key!r} is a {type(key).__name__}, not text; expected {_ACTIVITIES_SHAPES}"))
            pairs.append((key, spec, f"activity id {key[:64]!r}"))
    elif isinstance(given, (list, tuple)):
        for n, activity in enumerate(given):
            if not isinstance(activity, Mapping) or "id" not in activity or "spec" not in activity:
                raise _ActivitiesError(where, (
                    f"item {n} is not an Activity object with 'id' and 'spec' ({_text(activity)[:80]}); "
                    f"expected {_ACTIVITIES_SHAPES}"))
            key = activity["id"]
            if not isinstance(key, str) or not key:
                raise _ActivitiesError(where, f"item {n}: 'id' {_text(key)[:64]!r} is not an activity id (text)")
            pairs.append((key, activity["spec"], f"item {n} (activity id {key[:64]!r})"))
    else:
        hint = ""
        if isinstance(given, (str, bytes, os.PathLike)):
            hint = " (a file name? read it with json.load first; the command line's --activities FILE reads it)"
        raise _ActivitiesError(where, f"a {type(given).__name__}{hint}; expected {_ACTIVITIES_SHAPES}")
    specs: dict[str, str] = {}
    for key, spec, place in pairs:
        if not isinstance(spec, str) or not spec.strip():
            what = "an empty text" if isinstance(spec, str) else f"{_text(spec)[:64] or 'null'} ({type(spec).__name__})"
            raise _ActivitiesError(where, (
                f"{place}: the spec is {what}, not an activity spec such as 'lamp.breathe'"), key)
        if key in specs and specs[key] != spec:
            raise _ActivitiesError(where, (
                f"activity id {key[:64]!r} is given two specs, {specs[key][:64]!r} and {spec[:64]!r}; "
                "calmkit will not guess which one its events are"), key)
        specs[key] = spec
    return specs


def _activity_specs(data: Any, given: Mapping[str, str], src: str) -> dict[str, str]:
    """activity id → spec, from an ``activities`` list in the file itself
    (read by :func:`activity_specs`; its errors are ImportFormatErrors naming
    the file and ``activities``) and from ``given``, the ``activities=``
    argument as :func:`activity_specs` read it before the file was opened,
    which wins."""
    specs: dict[str, str] = {}
    if isinstance(data, dict) and isinstance(data.get("activities"), list):
        try:
            specs.update(activity_specs(data["activities"], "the file's activities list"))
        except _ActivitiesError as e:
            raise ImportFormatError(src, None, "activities", e.reason, value=e.key) from None
    specs.update(given)
    return specs


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and abs(value) >= _MAX_MS:
        return None
    return float(value) if math.isfinite(value) else None


def _canonical(ev: Any) -> bytes:
    """A digest of the event as canonical JSON text: the order two otherwise
    equal events take in the ids, whatever their order in the file (16 bytes
    kept per session, not the event's text)."""
    try:
        text = json.dumps(ev, sort_keys=True, ensure_ascii=True, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(ev)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)[:2000]
    return str(value).strip()


class _Card:
    """A DBT diary card read from an event: emotions, urges (targets) and
    skills from ``temporal_slices``, the rest from ``static_data``."""

    def __init__(self) -> None:
        self.emotions: list[tuple[str, float]] = []
        self.urges: list[tuple[str, float, str, str]] = []  # (target, urge, acted, level)
        self.skills: list[str] = []
        self.other: list[str] = []


def _dbt_card(ev: Mapping[str, Any], src: str, i: int) -> _Card:
    """Reads a diary card. The LAMP app writes each slice as
    ``{"item", "value", "type", "level", "duration": 0}`` with ``level`` one of
    ``emotion`` (value: rating 0–5, type null), ``target_effective`` /
    ``target_ineffective`` (item: the target behaviour, value: the urge 0–5,
    type: how often it was acted on), ``skill`` (item: the skill, value: its
    module) (LAMP-activities, DBTDiaryCard/src/containers/home/action.js).
    Slices without ``level`` are read the way calmkit's first importer did
    (``type`` ``emotion`` or ``urge``), and ``static_data.emotions`` /
    ``static_data.urges`` maps (name → rating) too."""
    card = _Card()
    static = ev.get("static_data")
    if static is not None and not isinstance(static, Mapping):
        raise ImportFormatError(src, None, "static_data", "must be a JSON object", item=i)
    static = static or {}
    for key, kind in (("emotions", "emotion"), ("urges", "urge")):
        block = static.get(key)
        if isinstance(block, Mapping):
            for name, v in block.items():
                n = _number(v)
                if n is None:
                    card.other.append(f"{kind} {name}: {_text(v)}")
                elif kind == "emotion":
                    card.emotions.append((str(name), n))
                else:
                    card.urges.append((str(name), n, "", "urge"))
    slices = ev.get("temporal_slices")
    if slices is not None and not isinstance(slices, list):
        raise ImportFormatError(src, None, "temporal_slices", "must be a JSON array", item=i)
    for k, sl in enumerate(slices or []):
        where = f"temporal_slices[{k}]"
        if not isinstance(sl, Mapping):
            raise ImportFormatError(src, None, where, "a slice must be a JSON object", item=i)
        name = _text(sl.get("item"))
        level = _text(sl.get("level")).lower() if "level" in sl else ""
        legacy = _text(sl.get("type")).lower() if not level else ""
        value = sl.get("value")
        if level == "emotion" or legacy == "emotion":
            n = _number(value)
            if n is None:
                if value is None:
                    card.other.append(f"{name}: not rated")
                    continue
                raise ImportFormatError(src, None, where + ".value", (
                    f"{_text(value)[:64]!r} is not an emotion rating 0..{DBT_SCALE_MAX}"), item=i)
            card.emotions.append((name, n))
        elif level in ("target_effective", "target_ineffective") or legacy == "urge":
            n = _number(value)
            if n is None and value not in (None, ""):
                raise ImportFormatError(src, None, where + ".value", (
                    f"{_text(value)[:64]!r} is not an urge rating 0..{DBT_SCALE_MAX}"), item=i)
            acted = _text(sl.get("type")) if level else ""
            if n is None:
                card.other.append(f"{name}: urge not rated" + (f", acted {acted}" if acted else ""))
            else:
                card.urges.append((name, n, acted, level or "urge"))
        elif level == "skill":
            module = _text(value)
            card.skills.append(f"{name} ({module})" if module else name)
        else:
            card.other.append(f"{name}: {_text(value)}")
    for key, label in _DBT_STATIC:
        v = static.get(key)
        if v not in (None, "") and not isinstance(v, (dict, list)):
            card.other.append(f"{label}: {_text(v)}")
    return card


def import_mindlamp(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                    utc_offset: Optional[int] = None, participant: str = "",
                    activities: Any = None, lenient: bool = False) -> ImportResult:
    """Reads mindLAMP ActivityEvent JSON: breathe → an exercise session
    (``breathing.coherent``; ``completed`` only when the visit ended on the
    app's last screen, whose answer to "Was this helpful today?" goes into
    ``responses``; a visit left with the back arrow is a session not
    completed), journal → a reading with the text kept (when it
    carries a good/bad sentiment; otherwise the text is kept in
    ``report.unmapped``), DBT diary card → one reading from its emotion ratings
    with urges in the note. Other activities are skipped and reported.

    The file is a JSON array of events, or an object ``{"activities": [...],
    "events": [...]}``. An event's activity type is its ``spec`` field if
    present, else looked up by its ``activity`` id in ``activities`` (a
    mapping id → spec, the Activity objects of the study, or the LAMP API's
    answer ``{"data": [...]}``: see :func:`activity_specs`, whose ValueError
    names ``activities=``). Timestamps are
    milliseconds since the epoch; ``tz`` (zone name) or ``utc_offset``
    (minutes) gives the local offset calmkit keeps with each time.

    Example::

        journal, report = calmkit.import_mindlamp("events.json", tz="America/New_York",
                                                  activities={"9pqrs": "lamp.breathe"})
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    path = Path(path)
    src = str(path)
    check_arguments(participant=participant, lenient=lenient)
    given_specs = activity_specs(activities, "activities=") if activities is not None else {}
    clock = LocalClock(tz, utc_offset)
    report = ImportReport(source=src, format="mindlamp")
    refuse_unreadable(path, src)
    with _json_errors(src), open(path, "rb") as f:
        layout, events, specs = _layout(f, src, given_specs)
        report.layout = layout
        records: list[dict[str, Any]] = []
        sources: list[Source] = []
        breathe_ids = IdMaker("lamp-breathe")
        kinds = _Kinds()
        early = _EarlyStamps()
        for i, ev in enumerate(events):
            kinds.see(ev)
            early.see(i, ev)
            report.rows += 1
            before, counts = len(records), tally(report)
            try:
                try:
                    _event(ev, i, src, clock, specs, participant, report, records, breathe_ids)
                except ROW_ERRORS as e:
                    records[before:] = []
                    raise row_error(src, Source(item=i), "", e) from None
            except ImportFormatError as e:
                if not lenient and e.field not in ("activity", "sensor"):
                    # What json.loads of the whole file, then a look at every
                    # event, would have said first: an error in the rest of the
                    # file, or a file of Activity objects.
                    for rest in events:
                        kinds.see(rest)
                    kinds.refuse(src)
                    raise
                untally(report, counts)
                report.skip(e)
            if len(records) > before:
                # build_journal takes the event's counts back if the journal refuses its record.
                sources.extend([Source(item=i, counted=counted(report, counts))] * (len(records) - before))
        kinds.refuse(src)
    early.warn(report)
    breathe_ids.assign()
    return ImportResult(build_journal(records, src, sources=sources, report=report, lenient=lenient), report)


class _json_errors:  # noqa: N801 (used as a context manager, named for what it does)
    """Turns what reading the file's JSON raises into an ImportFormatError
    naming the file (and the line, for text that is not JSON)."""

    def __init__(self, src: str) -> None:
        self.src = src

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, e: Any, tb: Any) -> bool:
        src = self.src
        if isinstance(e, UnicodeDecodeError):
            raise ImportFormatError(src, None, "", f"not UTF-8 (byte offset {e.start}); JSON must be UTF-8") from None
        if isinstance(e, JsonSyntaxError):
            raise ImportFormatError(src, e.line, "", (
                f"not valid JSON at column {e.column}: {e.msg} (a truncated export?)")) from None
        if isinstance(e, _DuplicateKey):
            raise ImportFormatError(src, None, e.key, (
                "a JSON object names this key twice; calmkit will not guess which value holds")) from None
        if isinstance(e, RecursionError):
            raise ImportFormatError(src, None, "", (
                "JSON nested too deeply to read (an ActivityEvent export is nested a few levels)")) from None
        if isinstance(e, JsonValueError):  # an integer of more than 4300 digits
            raise ImportFormatError(src, None, "", f"JSON holds a value Python cannot read: {e}") from None
        return False


class _Kinds:
    """Whether every event seen that is an object looks like an Activity
    object (id, spec, settings or schedule; no timestamp): a file of the
    study's activities given as the events, refused by :meth:`refuse`."""

    def __init__(self) -> None:
        self.objects = 0
        self.activities = True

    def see(self, ev: Any) -> None:
        if isinstance(ev, Mapping):
            self.objects += 1
            self.activities = self.activities and (
                "timestamp" not in ev and "spec" in ev and ("settings" in ev or "schedule" in ev))

    def refuse(self, src: str) -> None:
        if self.objects and self.activities:
            raise ImportFormatError(src, None, "", (
                f"the file holds {self.objects} Activity objects (id, spec, settings: the study's activities), "
                "not ActivityEvents; pass it as activities= (on the command line: --activities) with the events "
                "file"))


def _layout(f: Any, src: str, given_specs: Mapping[str, str]) -> tuple[str, Iterator[Any], dict[str, str]]:
    """The layout of the file ``f``, its events (read one at a time) and the
    activity id → spec map (the file's own ``activities``, then
    ``given_specs``). The layouts: a JSON array of events; ``{"events":
    [...]}`` (with the study's ``activities``); or the LAMP API's own answer
    ``{"data": [...]}``, which LAMP-py and the REST API return for
    ``ActivityEvent.all_by_participant`` (LAMP-cortex reads ``...['data']``).
    An object is read twice: once to find its layout and activities, which
    may come after the events, once for the events. A list of Activity
    objects (the study's activities, with ``spec`` and ``settings`` but no
    ``timestamp``) or an API error object is refused with a message saying
    so."""
    stream = JsonStream(f, object_pairs_hook=_no_duplicate_keys)
    first = stream.peek()
    if first == "[":
        def array() -> Iterator[Any]:
            yield from stream.items()
            stream.end()
        return "array of events", array(), dict(given_specs)
    if first != "{":
        stream.value()
        stream.end()
        raise ImportFormatError(src, None, "", _EXPECTED)
    # The first reading: the members' keys, the activities, an error answer,
    # and whether the events and data members are lists (of Activity objects?).
    keys: list[str] = []
    lists: dict[str, _Kinds] = {}
    kept: dict[str, Any] = {}
    for key in stream.members():
        if key in keys:
            raise _DuplicateKey(key)
        keys.append(key)
        if key in ("activities", "error"):
            kept[key] = stream.value()
        elif stream.peek() == "[":
            kinds = lists[key] = _Kinds()
            for ev in stream.items():
                kinds.see(ev)
        else:
            stream.skip()
    stream.end()
    if "events" in lists:
        member, layout = "events", "object with activities and events"
    elif "data" in lists and "events" not in keys:
        member, layout = "data", "LAMP API response {\"data\": [...]}"
    elif "error" in keys and len(keys) <= 2:
        raise ImportFormatError(src, None, "error", (
            f"the file is an error answer of the LAMP API ({_text(kept['error'])[:120]!r}), not events"))
    else:
        raise ImportFormatError(src, None, "events", _EXPECTED)
    lists[member].refuse(src)
    if "activities" in keys and not isinstance(kept["activities"], list):
        raise ImportFormatError(src, None, "activities", "must be a JSON array of Activity objects")
    specs = _activity_specs(kept, given_specs, src)
    # The second reading: the events, one at a time.
    f.seek(0)
    again = JsonStream(f, object_pairs_hook=_no_duplicate_keys)

    def events() -> Iterator[Any]:
        for key in again.members():
            if key == member:
                yield from again.items()
                return
            again.skip()

    return layout, events(), specs


_EXPECTED = ("expected a JSON array of ActivityEvent objects, an object with an 'events' array, or the "
             "LAMP API's answer {\"data\": [...]}")


#: Milliseconds at 2000-01-01T00:00Z. mindLAMP dates from 2018; a timestamp
#: before this is far more likely seconds (1772482440 s is March 2026, as
#: milliseconds January 1970) than a real event.
_MS_2000 = 946_684_800_000


class _EarlyStamps:
    """Events whose timestamp looks like seconds (before the year 2000 as
    milliseconds), noted in ``report.warnings`` by :meth:`warn`."""

    def __init__(self) -> None:
        self.count = 0
        self.first: Optional[tuple[int, float]] = None

    def see(self, i: int, ev: Any) -> None:
        ts = _number(ev.get("timestamp")) if isinstance(ev, Mapping) else None
        if ts is not None and 0 <= ts < _MS_2000:
            self.count += 1
            if self.first is None:
                self.first = (i, ts)

    def warn(self, report: ImportReport) -> None:
        if self.first is None:
            return
        i, ts = self.first
        try:
            as_seconds = f" (as seconds: {datetime.fromtimestamp(ts, timezone.utc):%Y-%m-%d %H:%M} UTC)"
        except (OverflowError, ValueError, OSError):
            as_seconds = ""
        report.warnings.append(
            f"{self.count} event(s) have a timestamp before the year 2000, first item {i}: {ts:.15g}{as_seconds}; "
            "mindLAMP timestamps are milliseconds since 1970: were these written in seconds?")


def _flag(ev: Mapping[str, Any], key: str, src: str, i: int) -> bool:
    """A true/false field of an event (absent: false); anything else is an error naming it."""
    value = ev.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise ImportFormatError(src, None, key, f"{_text(value)[:64]!r} is not true or false", item=i)


def _breathe_outcome(ev: Mapping[str, Any], src: str, i: int, report: ImportReport) -> tuple[bool, str]:
    """(completed, the answer to "Was this helpful today?" or "") of a breathe
    event. The LAMP app (LAMP-activities, ``Breathe/src/components/Breathe.tsx``)
    asks that question on its last screen, after the breathing ran to its end,
    and posts the answer (``static_data.sentiment``, "Yes" preselected, or
    "No") with the Done button; every version since 2021 does. A visit left
    with the back arrow (``clickBack: true``, and before 2025 no marker at all)
    or skipped with a group's forward arrow (``forward: true``) carries no
    answer: a session not completed. ``done: true`` alone is no proof: one
    release (July 2025) sent it with the back arrow too. Other ``static_data``
    keys (``is_favorite``: the activity starred) have no place in a session
    and are counted in ``report.ignored``."""
    static = ev.get("static_data")
    if static is None:
        static = {}
    if not isinstance(static, Mapping):
        raise ImportFormatError(src, None, "static_data", "must be a JSON object", item=i)
    answer = static.get("sentiment")
    if answer is not None and not isinstance(answer, str):
        raise ImportFormatError(src, None, "static_data.sentiment", (
            f"{_text(answer)[:64]!r} is not an answer to '{BREATHE_QUESTION}' (text, 'Yes' or 'No')"), item=i)
    answer = (answer or "").strip()
    _flag(ev, "done", src, i)  # checked, not trusted (above)
    left = _flag(ev, "clickBack", src, i) | _flag(ev, "forward", src, i)
    for key in static:
        if key != "sentiment":
            report.ignored[f"breathe static_data.{str(key)[:64]} (no place in an exercise session)"] += 1
    return bool(answer) and not left, answer


def _event(ev: Any, i: int, src: str, clock: LocalClock, specs: Mapping[str, str], participant: str,
           report: ImportReport, records: list[dict[str, Any]], breathe_ids: IdMaker) -> None:
    """One ActivityEvent: appends its record, or keeps it in ``report.unmapped``."""
    if not isinstance(ev, Mapping):
        raise ImportFormatError(src, None, "", "an event must be a JSON object", item=i)
    ts = _number(ev.get("timestamp"))
    if ts is None:
        raise ImportFormatError(src, None, "timestamp", (
            f"{_text(ev.get('timestamp'))[:64]!r} is not a time in milliseconds since the epoch"), item=i)
    try:
        when = clock.from_epoch_ms(ts)
    except (OverflowError, ValueError):
        raise ImportFormatError(src, None, "timestamp", f"{ts:g} ms is out of range", item=i) from None
    if "sensor" in ev and "activity" not in ev:
        # A SensorEvent (GPS, accelerometer, steps, ...): passive data calmkit has no record for.
        raise ImportFormatError(src, None, "sensor", (
            f"a SensorEvent ({_text(ev.get('sensor'))[:64]}), not an activity: sensor data has no place "
            "in calmkit's model"), item=i)
    spec = _text(ev.get("spec") or specs.get(_text(ev.get("activity")), ""))
    if not spec and _text(ev.get("activity_name")).startswith("lamp."):
        # LAMP-cortex's raw activity features name the spec this way ('activity_name': 'lamp.jewels_a').
        spec = _text(ev.get("activity_name"))
    kind = _SPECS.get(spec)
    if kind is None:
        if not spec:
            raise ImportFormatError(src, None, "activity", (
                f"activity id {_text(ev.get('activity'))[:64]!r} is in no activities list given (the file's "
                "own, activities= or --activities), so what it is cannot be known"), item=i)
        raise ImportFormatError(src, None, "activity", (
            f"{spec[:80]} is not an activity calmkit imports (breathe, journal, DBT diary card)"), item=i)
    if kind == "breathe":
        dur = ev.get("duration", 0)
        dur_ms = _number(dur) if dur is not None else 0.0
        if dur_ms is None:
            raise ImportFormatError(src, None, "duration", (
                f"{_text(dur)[:64]!r} is not a number of milliseconds"), item=i)
        # A negative duration gives an end before the time: the model's rule
        # (end not before time) refuses the record when it is handed over,
        # with the model's reason, at this item.
        try:
            end = clock.from_epoch_ms(ts + dur_ms)
        except (OverflowError, ValueError):
            raise ImportFormatError(src, None, "duration", f"{dur_ms:g} ms is out of range", item=i) from None
        completed, answer = _breathe_outcome(ev, src, i, report)
        record = {"type": "exercise", "participant": participant, "time": when, "end": end,
                  "exercise": BREATHE_EXERCISE, "completed": completed}
        if answer:
            record["responses"] = [f"{BREATHE_QUESTION} {answer}"]
            report.kept[f"breathe answer to '{BREATHE_QUESTION}' (static_data.sentiment) → session responses"] += 1
        breathe_ids.claim(record, when, (ts, dur_ms, _canonical(ev)))
        records.append(record)
        report.mapped["breathe → exercise " + BREATHE_EXERCISE + (
            "" if completed else " (not completed: left before Done)")] += 1
    elif kind == "journal":
        static = ev.get("static_data") or {}
        if not isinstance(static, Mapping):
            raise ImportFormatError(src, None, "static_data", "must be a JSON object", item=i)
        text = _text(static.get("text"))
        sentiment = _text(static.get("sentiment")).lower()
        if sentiment in JOURNAL_SENTIMENTS:
            note = f"mindlamp journal ({sentiment})" + (f"\n{text}" if text else "")
            records.append({"type": "reading", "participant": participant, "time": when,
                            "intensity": JOURNAL_SENTIMENTS[sentiment], "note": note})
            report.mapped["journal → reading"] += 1
            if text:
                report.kept["journal text → reading note"] += 1
        else:
            # No rating to turn into distress: keep the entry in the report.
            report.unmapped.append(Unmapped(None, i, "journal", dict(ev)))
    else:
        card = _dbt_card(ev, src, i)
        for n, v in card.emotions:
            if not 0 <= v <= DBT_SCALE_MAX:
                raise ImportFormatError(src, None, "temporal_slices", (
                    f"emotion rating {v:g} for {n[:64]!r} is outside 0..{DBT_SCALE_MAX}"), item=i)
        for n, v, _, _ in card.urges:
            if not 0 <= v <= DBT_SCALE_MAX:
                raise ImportFormatError(src, None, "temporal_slices", (
                    f"urge rating {v:g} for {n[:64]!r} is outside 0..{DBT_SCALE_MAX}"), item=i)
        distress = [v for n, v in card.emotions if n.strip().lower() in DBT_DISTRESS_EMOTIONS]
        if not distress:
            # Nothing to turn into distress (only Joy, or skills only): kept as is.
            report.unmapped.append(Unmapped(None, i, "DBT diary card without a rated distress emotion",
                                            dict(ev)))
            return
        parts = ["mindlamp DBT diary card",
                 "emotions: " + ", ".join(f"{n} {v:g}/{DBT_SCALE_MAX}" for n, v in card.emotions)]
        if card.urges:
            def urge(n: str, v: float, acted: str, level: str) -> str:
                how = {"target_effective": " (effective)", "target_ineffective": " (ineffective)"}.get(level, "")
                return f"{n}{how} {v:g}/{DBT_SCALE_MAX}" + (f", acted {acted}" if acted else "")
            parts.append("urges: " + "; ".join(urge(*u) for u in card.urges))
            report.kept["DBT urges → reading note"] += 1
        if card.skills:
            parts.append("skills: " + "; ".join(card.skills))
            report.kept["DBT skills → reading note"] += 1
        if card.other:
            parts.append("other: " + "; ".join(card.other))
            report.kept["other DBT items → reading note"] += 1
        records.append({"type": "reading", "participant": participant, "time": when,
                        "intensity": round_half_up(max(distress) * 10 / DBT_SCALE_MAX),
                        "note": "\n".join(parts)})
        report.mapped["DBT diary card → reading"] += 1
