"""mindLAMP activity events (JSON) → calmkit exercise sessions and readings.
The mapping is documented in docs/importing.md ("mindLAMP")."""
from __future__ import annotations

import json
import math
from datetime import tzinfo
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ._common import IdMaker, LocalClock, build_journal, rfc3339, round_half_up
from .report import ImportFormatError, ImportReport, ImportResult, Unmapped

__all__ = ["DBT_DISTRESS_EMOTIONS", "JOURNAL_SENTIMENTS", "import_mindlamp"]

#: Exercise id given to a breathe activity.
BREATHE_EXERCISE = "breathing.coherent"
#: Journal sentiment → distress 0–10 (the journal activity asks whether the
#: entry was a good or a bad experience).
JOURNAL_SENTIMENTS: Mapping[str, int] = {"good": 3, "bad": 7}
#: DBT diary-card emotions that count as distress; the reading's intensity is
#: the highest of them. Others (joy, pride, love, ...) are kept in the note.
DBT_DISTRESS_EMOTIONS = frozenset({
    "anger", "fear", "anxiety", "sadness", "shame", "guilt", "loneliness", "emotional misery",
    "misery", "disgust", "jealousy", "envy", "hurt", "frustration"})
#: DBT diary cards rate emotions and urges 0 (none) to 5 (extreme).
DBT_SCALE_MAX = 5

_SPECS = {"lamp.breathe": "breathe", "lamp.journal": "journal", "lamp.dbt_diary_card": "dbt"}


def _activity_specs(data: Any, activities: Any) -> dict[str, str]:
    """activity id → spec, from the ``activities`` argument (a mapping of id →
    spec, or a list of Activity objects) and from an ``activities`` list in the
    file itself."""
    specs: dict[str, str] = {}
    sources = []
    if isinstance(data, dict) and isinstance(data.get("activities"), list):
        sources.append(data["activities"])
    if activities is not None:
        sources.append(activities)
    for src in sources:
        if isinstance(src, Mapping):
            specs.update({str(k): str(v) for k, v in src.items()})
        else:
            for a in src:
                if isinstance(a, Mapping) and "id" in a and "spec" in a:
                    specs[str(a["id"])] = str(a["spec"])
    return specs


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _dbt_ratings(ev: Mapping[str, Any]) -> tuple[list[tuple[str, float]], list[tuple[str, float]], list[str]]:
    """(emotions, urges, other items) of a diary card, from its temporal slices
    (``{"item", "value", "type": "emotion" | "urge" | ...}``) and from
    ``static_data.emotions`` / ``static_data.urges`` (name → rating)."""
    emotions: list[tuple[str, float]] = []
    urges: list[tuple[str, float]] = []
    other: list[str] = []
    static = ev.get("static_data") or {}
    for key, dest in (("emotions", emotions), ("urges", urges)):
        block = static.get(key) if isinstance(static, Mapping) else None
        if isinstance(block, Mapping):
            for name, v in block.items():
                n = _number(v)
                if n is not None:
                    dest.append((str(name), n))
                else:
                    other.append(f"{key[:-1]} {name}: {v}")
    for s in ev.get("temporal_slices") or []:
        if not isinstance(s, Mapping):
            continue
        kind = str(s.get("type", "")).lower()
        name = str(s.get("item", ""))
        n = _number(s.get("value"))
        if kind in ("emotion", "urge") and n is not None:
            (emotions if kind == "emotion" else urges).append((name, n))
        else:
            other.append(f"{name}: {s.get('value')}")
    return emotions, urges, other


def import_mindlamp(path: Union[str, Path], *, tz: Union[str, tzinfo, None] = None,
                    utc_offset: Optional[int] = None, participant: str = "",
                    activities: Any = None, lenient: bool = False) -> ImportResult:
    """Reads mindLAMP ActivityEvent JSON: breathe → an exercise session
    (``breathing.coherent``), journal → a reading with the text kept (when it
    carries a good/bad sentiment; otherwise the text is kept in
    ``report.unmapped``), DBT diary card → one reading from its emotion ratings
    with urges in the note. Other activities are skipped and reported.

    The file is a JSON array of events, or an object ``{"activities": [...],
    "events": [...]}``. An event's activity type is its ``spec`` field if
    present, else looked up by its ``activity`` id in ``activities`` (a
    mapping id → spec, or the Activity objects of the study). Timestamps are
    milliseconds since the epoch; ``tz`` (zone name) or ``utc_offset``
    (minutes) gives the local offset calmkit keeps with each time.

    Example::

        journal, report = calmkit.import_mindlamp("events.json", tz="America/New_York",
                                                  activities={"9pqrs": "lamp.breathe"})
    """
    path = Path(path)
    src = str(path)
    clock = LocalClock(tz, utc_offset)
    report = ImportReport(source=src, format="mindlamp")
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ImportFormatError(src, None, "", f"not UTF-8 (byte offset {e.start}); JSON must be UTF-8") from None
    except json.JSONDecodeError as e:
        raise ImportFormatError(src, e.lineno, "", (
            f"not valid JSON at column {e.colno}: {e.msg} (a truncated export?)")) from None
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise ImportFormatError(src, None, "", (
            "expected a JSON array of ActivityEvent objects, or an object with an 'events' array"))
    specs = _activity_specs(data, activities)
    records: list[dict[str, Any]] = []
    breathe_ids = IdMaker("lamp-breathe")

    for i, ev in enumerate(events):
        report.rows += 1
        try:
            if not isinstance(ev, Mapping):
                raise ImportFormatError(src, None, "", "an event must be a JSON object", item=i)
            ts = _number(ev.get("timestamp"))
            if ts is None:
                raise ImportFormatError(src, None, "timestamp", (
                    f"{ev.get('timestamp')!r} is not a time in milliseconds since the epoch"), item=i)
            try:
                when = clock.from_epoch_ms(ts)
            except (OverflowError, ValueError):
                raise ImportFormatError(src, None, "timestamp", f"{ts:g} ms is out of range", item=i) from None
            spec = str(ev.get("spec") or specs.get(str(ev.get("activity", "")), ""))
            kind = _SPECS.get(spec)
            if kind is None:
                what = spec or f"activity id {ev.get('activity')!r} with no known spec"
                raise ImportFormatError(src, None, "activity", (
                    f"{what} is not an activity calmkit imports (breathe, journal, DBT diary card)"), item=i)
            if kind == "breathe":
                dur = ev.get("duration", 0)
                dur_ms = _number(dur) if dur is not None else 0.0
                if dur_ms is None or dur_ms < 0:
                    raise ImportFormatError(src, None, "duration", (
                        f"{dur!r} is not a duration in milliseconds >= 0"), item=i)
                end = clock.from_epoch_ms(ts + dur_ms)
                records.append({"type": "exercise", "participant": participant,
                                "id": breathe_ids.make(when), "time": rfc3339(when),
                                "end": rfc3339(end), "exercise": BREATHE_EXERCISE})
                report.mapped["breathe → exercise " + BREATHE_EXERCISE] += 1
            elif kind == "journal":
                static = ev.get("static_data") or {}
                text = str(static.get("text", "")).strip() if isinstance(static, Mapping) else ""
                sentiment = str(static.get("sentiment", "")).strip().lower() if isinstance(static, Mapping) else ""
                if sentiment in JOURNAL_SENTIMENTS:
                    note = f"mindlamp journal ({sentiment})" + (f"\n{text}" if text else "")
                    records.append({"type": "reading", "participant": participant, "time": rfc3339(when),
                                    "intensity": JOURNAL_SENTIMENTS[sentiment], "note": note})
                    report.mapped["journal → reading"] += 1
                    if text:
                        report.kept["journal text → reading note"] += 1
                else:
                    # No rating to turn into distress: keep the entry in the report.
                    report.unmapped.append(Unmapped(None, i, "journal", dict(ev)))
            else:
                emotions, urges, other = _dbt_ratings(ev)
                bad = [(n, v) for n, v in emotions + urges if not 0 <= v <= DBT_SCALE_MAX]
                if bad:
                    raise ImportFormatError(src, None, "temporal_slices", (
                        f"rating {bad[0][1]:g} for {bad[0][0]!r} is outside 0..{DBT_SCALE_MAX}"), item=i)
                distress = [v for n, v in emotions if n.strip().lower() in DBT_DISTRESS_EMOTIONS]
                if not distress:
                    raise ImportFormatError(src, None, "temporal_slices", (
                        "DBT diary card without a rated distress emotion "
                        f"({', '.join(sorted(DBT_DISTRESS_EMOTIONS))})"), item=i)
                parts = ["mindlamp DBT diary card",
                         "emotions: " + ", ".join(f"{n} {v:g}/{DBT_SCALE_MAX}" for n, v in emotions)]
                if urges:
                    parts.append("urges: " + ", ".join(f"{n} {v:g}/{DBT_SCALE_MAX}" for n, v in urges))
                    report.kept["DBT urges → reading note"] += 1
                if other:
                    parts.append("other: " + "; ".join(other))
                    report.kept["other DBT items → reading note"] += 1
                records.append({"type": "reading", "participant": participant, "time": rfc3339(when),
                                "intensity": round_half_up(max(distress) * 10 / DBT_SCALE_MAX),
                                "note": "\n".join(parts)})
                report.mapped["DBT diary card → reading"] += 1
        except ImportFormatError as e:
            if not lenient and e.field != "activity":
                raise
            report.skip(e)
    return ImportResult(build_journal(records, src), report)
