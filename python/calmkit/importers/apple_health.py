"""Apple Health ``export.xml`` → calmkit readings (State of Mind) and exercise
sessions (mindful minutes), streamed. The mapping is documented in
docs/importing.md ("Apple Health")."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Mapping, Optional, Union

from ._common import IdMaker, build_journal, rfc3339, round_half_up
from .report import ImportFormatError, ImportReport, ImportResult

__all__ = ["MINDFUL_EXERCISE", "STATE_OF_MIND_TYPES", "import_apple_health"]

MINDFUL_TYPE = "HKCategoryTypeIdentifierMindfulSession"
#: Record types read as State of Mind samples.
STATE_OF_MIND_TYPES = frozenset({"HKStateOfMindTypeIdentifier", "HKDataTypeStateOfMind"})
#: The exercise id a mindful session becomes unless ``exercise_by_source`` names
#: another for its ``sourceName``.
MINDFUL_EXERCISE = "mindfulness.breath"

_KIND_NAMES = {"1": "momentary emotion", "momentaryemotion": "momentary emotion",
               "momentary emotion": "momentary emotion",
               "2": "daily mood", "dailymood": "daily mood", "daily mood": "daily mood"}
# State of Mind fields, found as attributes of the Record or as MetadataEntry keys.
_SOM_KEYS = {"kind": "kind", "hkstateofmindkind": "kind",
             "valence": "valence", "hkstateofmindvalence": "valence",
             "labels": "labels", "hkstateofmindlabels": "labels",
             "associations": "associations", "hkstateofmindassociations": "associations"}


class _LineReader:
    """Feeds the XML parser one line at a time (at most 64 KiB), so that the
    events iterparse yields after each read belong to a known line."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.line = 0  # the line the last chunk started on, 1-based
        self._pending_newline = True

    def read(self, size: int = -1) -> bytes:
        chunk = self._f.readline(65536)
        if chunk and self._pending_newline:
            self.line += 1
        self._pending_newline = chunk.endswith(b"\n")
        return chunk


def _apple_time(text: Optional[str], src: str, line: int, field: str) -> datetime:
    if not text:
        raise ImportFormatError(src, line, field, "missing")
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        raise ImportFormatError(src, line, field, (
            f"{text!r} is not an Apple Health time such as '2026-03-02 21:14:00 +0100'")) from None


def _split_list(text: str) -> list[str]:
    sep = "|" if "|" in text else ","
    return [x.strip() for x in text.split(sep) if x.strip()]


def valence_to_intensity(valence: float) -> int:
    """State of Mind valence −1 (very unpleasant) … +1 (very pleasant) → distress
    0–10: ``5 − 5·valence`` rounded half up (−1 → 10, 0 → 5, +1 → 0)."""
    return round_half_up(5 - 5 * valence)


def import_apple_health(path: Union[str, Path], *, participant: str = "",
                        exercise_by_source: Optional[Mapping[str, str]] = None,
                        lenient: bool = False) -> ImportResult:
    """Streams an Apple Health ``export.xml``: State of Mind samples become
    readings, mindful sessions become exercise sessions; every other record
    type is counted in ``report.ignored``.

    The file is read with ``xml.etree.ElementTree.iterparse`` and each
    top-level element is cleared once read, so memory stays bounded however
    large the export. Apple writes each time with its UTC offset, which is
    kept, so no time zone is needed.

    Example::

        journal, report = calmkit.import_apple_health("apple_health_export/export.xml")
    """
    path = Path(path)
    src = str(path)
    by_source = dict(exercise_by_source or {})
    report = ImportReport(source=src, format="apple_health")
    records: list[dict[str, Any]] = []
    ids = IdMaker("apple-mindful")

    with open(path, "rb") as f:
        reader = _LineReader(f)
        depth = 0
        root: Optional[ET.Element] = None
        start_line = 0
        try:
            for event, elem in ET.iterparse(reader, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = elem
                        if elem.tag != "HealthData":
                            raise ImportFormatError(src, reader.line, "", (
                                f"root element is <{elem.tag}>, not <HealthData>: not an Apple Health export.xml"))
                    elif depth == 2:
                        start_line = reader.line
                    continue
                depth -= 1
                if depth != 1:
                    continue
                # A whole top-level element has been read.
                if elem.tag == "Record":
                    report.rows += 1
                    try:
                        _record(elem, src, start_line, participant, by_source, report, records, ids)
                    except ImportFormatError as e:
                        if not lenient:
                            raise
                        report.skip(e)
                elif elem.tag not in ("ExportDate", "Me"):
                    report.ignored[f"<{elem.tag}>"] += 1
                elem.clear()
                assert root is not None
                root.clear()  # drop the cleared child too, so the root stays empty
        except LookupError as e:
            # expat asks Python for the codec the XML declaration names (found by
            # tests/fuzz/fuzz_importers.py: encoding="UTF-4" raised LookupError).
            raise ImportFormatError(src, max(reader.line, 1), "", (
                f"the XML declares an encoding Python does not know ({e}); "
                "Apple Health writes UTF-8")) from None
        except ET.ParseError as e:
            line, col = e.position
            what = str(e).split(":")[0]  # expat's words, without the position repeated
            raise ImportFormatError(src, line, "", (
                f"XML is not well-formed at column {col + 1} ({what}); a truncated export?")) from None
    if root is None:
        raise ImportFormatError(src, 1, "", "empty file: no <HealthData> element")
    return ImportResult(build_journal(records, src), report)


def _record(elem: ET.Element, src: str, line: int, participant: str, by_source: Mapping[str, str],
            report: ImportReport, records: list[dict[str, Any]], ids: IdMaker) -> None:
    rtype = elem.get("type", "")
    if rtype == MINDFUL_TYPE:
        start = _apple_time(elem.get("startDate"), src, line, "startDate")
        end = _apple_time(elem.get("endDate"), src, line, "endDate")
        if end < start:
            raise ImportFormatError(src, line, "endDate", f"{elem.get('endDate')} is before startDate")
        source = elem.get("sourceName", "")
        exercise = by_source.get(source, MINDFUL_EXERCISE)
        records.append({"type": "exercise", "participant": participant, "id": ids.make(start),
                        "time": rfc3339(start), "end": rfc3339(end), "exercise": exercise})
        report.mapped["mindful session → exercise " + exercise] += 1
        if source in by_source:
            report.kept["sourceName → exercise id"] += 1
        elif source:
            report.ignored["sourceName of mindful sessions (exercise sessions have no text field)"] += 1
        return
    if rtype not in STATE_OF_MIND_TYPES:
        report.ignored[rtype or "<Record without type>"] += 1
        return

    fields: dict[str, str] = {}
    for k, v in elem.attrib.items():
        if k.lower() in _SOM_KEYS:
            fields[_SOM_KEYS[k.lower()]] = v
    for meta in elem.iter("MetadataEntry"):
        key = (meta.get("key") or "").lower()
        if key in _SOM_KEYS:
            fields.setdefault(_SOM_KEYS[key], meta.get("value", ""))
    when = _apple_time(elem.get("startDate"), src, line, "startDate")
    raw_valence = fields.get("valence")
    if raw_valence is None:
        raise ImportFormatError(src, line, "valence", "State of Mind sample without a valence")
    try:
        valence = float(raw_valence)
    except ValueError:
        valence = math.nan
    if not (math.isfinite(valence) and -1.0 <= valence <= 1.0):
        raise ImportFormatError(src, line, "valence", f"{raw_valence!r} is not a number -1..1")
    kind_raw = fields.get("kind", "").strip()
    kind = _KIND_NAMES.get(kind_raw.lower().replace("_", ""), kind_raw)
    parts = [f"apple state of mind: {kind or 'kind not given'}, valence {raw_valence.strip()}"]
    labels = _split_list(fields.get("labels", ""))
    if labels:
        parts.append("labels: " + ", ".join(labels))
        report.kept["labels → reading note"] += 1
    assoc = _split_list(fields.get("associations", ""))
    if assoc:
        parts.append("associations: " + ", ".join(assoc))
        report.kept["associations → reading note"] += 1
    records.append({"type": "reading", "participant": participant, "time": rfc3339(when),
                    "intensity": valence_to_intensity(valence), "note": "\n".join(parts)})
    report.mapped[f"state of mind ({kind or 'kind not given'}) → reading"] += 1
