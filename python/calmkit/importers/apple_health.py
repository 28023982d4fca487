"""Apple Health ``export.xml`` → calmkit readings (State of Mind) and exercise
sessions (mindful minutes), streamed. The mapping is documented in
docs/importing.md ("Apple Health")."""
from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO, Mapping, Optional, Union

from .. import _core
from ..timezone import TimeZone
from ._common import (
    ROW_ERRORS,
    IdMaker,
    Source,
    build_journal,
    check_arguments,
    counted,
    decimal_number,
    model_reason,
    refuse_unreadable,
    round_half_up,
    row_error,
    tally,
    what_file_is,
)
from .report import ImportFormatError, ImportReport, ImportResult

__all__ = ["MINDFUL_EXERCISE", "STATE_OF_MIND_TYPES", "import_apple_health"]

MINDFUL_TYPE = "HKCategoryTypeIdentifierMindfulSession"
#: Record types read as State of Mind samples.
STATE_OF_MIND_TYPES = frozenset({"HKStateOfMindTypeIdentifier", "HKDataTypeStateOfMind"})
#: The exercise id a mindful session becomes unless ``exercise_by_source`` names
#: another for its ``sourceName``.
MINDFUL_EXERCISE = "mindfulness.breath"
_USED_TYPES = STATE_OF_MIND_TYPES | {MINDFUL_TYPE}

_KIND_NAMES = {"1": "momentary emotion", "momentaryemotion": "momentary emotion",
               "momentary emotion": "momentary emotion",
               "2": "daily mood", "dailymood": "daily mood", "daily mood": "daily mood"}
# State of Mind fields, found as attributes of the Record or as MetadataEntry keys.
_SOM_KEYS = {"kind": "kind", "hkstateofmindkind": "kind",
             "valence": "valence", "hkstateofmindvalence": "valence",
             "labels": "labels", "hkstateofmindlabels": "labels",
             "associations": "associations", "hkstateofmindassociations": "associations"}


#: Bytes XML 1.0 forbids anywhere in a document (C0 controls but tab, LF, CR),
#: and character references to them. Apple's export writes them raw inside
#: attribute values (a U+000B in heart-rate metadata, seen since iOS 16).
_FORBIDDEN = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    rb"|&#(?:0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]);|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]);)")
_REPLACEMENT = "\ufffd".encode("utf-8")
#: Distinct forbidden code points noted per line, and occurrences looked at
#: per piece read, for the message naming them.
_NOTED_CODE_POINTS = 8
_NOTED_MATCHES = 1024
#: The prolog (XML declaration, comments, DOCTYPE with its internal subset)
#: may be this long at most; Apple's is about 10 KiB.
_MAX_PROLOG = 16 * 1024 * 1024
#: Bytes handed to the parser at a time: a line, or a piece of a longer one
#: (pieces of a long line double in size up to _MAX_PIECE).
_PIECE = 64 * 1024
_MAX_PIECE = 64 * 1024 * 1024
#: Apple's export nests four levels (HealthData, Workout, WorkoutRoute,
#: MetadataEntry); deeper than this is a damaged or hostile file, refused
#: before the open elements fill memory.
_MAX_DEPTH = 64
#: Child elements a record calmkit imports may have (Apple writes a few
#: MetadataEntry); the children of elements it does not use are dropped as
#: they are read, whatever their number.
_MAX_CHILDREN = 10_000


def _skip_doctype(buf: bytes, at: int) -> Optional[int]:
    """End (exclusive) of the DOCTYPE declaration starting at ``buf[at:]``, or
    None if ``buf`` ends first. The internal subset is skipped by its brackets
    alone, passing over quoted literals and comments: its declarations are
    never read, so a malformed one (since iOS 16 an ``<!ATTLIST`` that is never
    closed) cannot stop the import, and no entity it declares is ever
    resolved (entity references in the document are then an error)."""
    i = at + len(b"<!DOCTYPE")
    n = len(buf)
    in_subset = False
    while i < n:
        c = buf[i:i + 1]
        if c in (b'"', b"'"):
            close = buf.find(c, i + 1)
            if close < 0:
                return None
            i = close + 1
        elif buf.startswith(b"<!--", i):
            close = buf.find(b"-->", i + 4)
            if close < 0:
                return None
            i = close + 3
        elif c == b"[" and not in_subset:
            in_subset = True
            i += 1
        elif c == b"]" and in_subset:
            in_subset = False
            i += 1
        elif c == b">" and not in_subset:
            return i + 1
        else:
            i += 1
    return None


def _prolog_end(buf: bytes) -> tuple[Optional[int], list[tuple[int, int]]]:
    """(offset where the root element starts, DOCTYPE spans to blank out), or
    (None, ...) when ``buf`` does not yet reach the root element. A UTF-8
    byte-order mark before the prolog (XML 1.0 section 4.3.3: an editor or a
    Windows tool that re-saved the file writes one) is read past here and
    left in place for the parser, which reads it as the encoding's mark."""
    spans: list[tuple[int, int]] = []
    i = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    n = len(buf)
    while True:
        while i < n and buf[i:i + 1] in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        if i >= n:
            return None, spans
        if buf.startswith(b"<?", i):
            close = buf.find(b"?>", i + 2)
            if close < 0:
                return None, spans
            i = close + 2
        elif buf.startswith(b"<!--", i):
            close = buf.find(b"-->", i + 4)
            if close < 0:
                return None, spans
            i = close + 3
        elif buf.startswith(b"<!DOCTYPE", i):
            end = _skip_doctype(buf, i)
            if end is None:
                return None, spans
            spans.append((i, end))
            i = end
        elif n - i < 9 and b"<!DOCTYPE".startswith(buf[i:]):
            return None, spans  # the keyword itself is cut by the end of the buffer
        else:
            return i, spans


class _Feed:
    """Feeds the XML parser one line at a time (at most 64 KiB), so that the
    events iterparse yields after each read belong to a known line.

    On the way, the DOCTYPE (with its internal subset) is replaced by as many
    line breaks as it spanned, so that line numbers stay those of the file,
    and characters XML 1.0 forbids are replaced by U+FFFD, their lines and
    distinct code points noted in ``forbidden`` (line -> code points; at most
    _NOTED_CODE_POINTS a line, kept only while ``keep`` says a top-level
    element is open)."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.line = 0  # the line the last chunk started on, 1-based
        self._pending_newline = True
        self._prolog: list[bytes] = []
        self._in_prolog = True
        self.forbidden: dict[int, list[int]] = {}
        #: True while a top-level element is open (set by the reader of the
        #: events): the notes of its lines are kept until it ends.
        self.keep = False
        self.prolog_too_long = False
        self.at_end = False  # the whole file has been handed to the parser
        self._size = _PIECE  # the next read's limit (see _next_line)

    def _read_prolog(self) -> None:
        data = bytearray()
        scanned = 0
        while True:
            chunk = self._f.readline(65536)
            data += chunk
            # Scanned again after each line while short (Apple's prolog is
            # about 10 KiB), then each time it doubles: linear, not quadratic,
            # on a prolog that never ends.
            if chunk and len(data) > 256 * 1024 and len(data) < 2 * scanned:
                continue
            scanned = len(data)
            buf = bytes(data)
            root_at, spans = _prolog_end(buf)
            if root_at is not None or not chunk:
                break
            if len(buf) > _MAX_PROLOG:
                # Nothing of it reaches the parser (no DTD is ever read): the
                # parse ends at once and the error says why.
                self.prolog_too_long = True
                return
        for a, b in reversed(spans):
            buf = buf[:a] + b"\n" * buf.count(b"\n", a, b) + buf[b:]
        self._prolog = buf.splitlines(keepends=True)
        self._prolog.reverse()

    def _next_line(self) -> bytes:
        if self._in_prolog:
            self._read_prolog()
            self._in_prolog = False
        if self._prolog:
            return self._prolog.pop()
        if self.prolog_too_long:
            return b""
        chunk = self._f.readline(self._size)
        # A line longer than a piece comes in pieces twice as long each time:
        # expat 2.5 (CPython 3.11's) parses an unfinished token again from its
        # start whenever a piece is added (CVE-2023-52425), so pieces of one
        # size would make a long start tag quadratic work.
        self._size = _PIECE if chunk.endswith(b"\n") or not chunk else min(2 * self._size, _MAX_PIECE)
        return chunk

    def read(self, size: int = -1) -> bytes:
        chunk = self._next_line()
        if not chunk:
            self.at_end = True
        if chunk and self._pending_newline:
            self.line += 1
        self._pending_newline = chunk.endswith(b"\n")
        if not self.keep:
            # Outside every top-level element nothing asks for the notes: drop
            # them, so that lines of text between records cannot fill memory.
            self.forbidden.clear()
        if _FORBIDDEN.search(chunk):
            found = self.forbidden.setdefault(self.line, [])
            # Each code point once, and only as many as a message names: a line
            # of a million controls is noted in a few ints, not a million.
            for n, m in enumerate(_FORBIDDEN.finditer(chunk)):
                if n >= _NOTED_MATCHES or len(found) >= _NOTED_CODE_POINTS:
                    break
                text = m.group()
                if text.startswith(b"&#"):
                    body = text[2:-1]
                    code = int(body[1:], 16) if body[:1] in (b"x", b"X") else int(body)
                else:
                    code = text[0]
                if code not in found:
                    found.append(code)
            chunk = _FORBIDDEN.sub(_REPLACEMENT, chunk)
        return chunk


#: How the Health app names the export in other languages: the zip and the
#: XML take the word of the phone's language (``exportar.xml`` in Spanish,
#: ``eksport.xml`` in Norwegian, ``vienti.xml`` in Finnish, ``导出.xml`` in
#: Chinese), while ``export_cda.xml`` (the clinical document) keeps its
#: English name. So the export is found by its content, not its name.
_CDA = "export_cda.xml"


def _is_health_data(head: bytes) -> bool:
    return b"<!DOCTYPE HealthData" in head or b"<HealthData" in head


def _pick_member(z: zipfile.ZipFile, src: str) -> str:
    """The member holding the HealthData XML: ``.../export.xml`` if there is
    one, else the one XML file (not export_cda.xml) whose first KiB opens a
    ``HealthData`` document, whatever the phone's language named it."""
    names = [i.filename for i in z.infolist() if not i.is_dir()]
    xml = [n for n in names if n.lower().endswith(".xml") and n.rsplit("/", 1)[-1].lower() != _CDA]
    named = [n for n in xml if n.rsplit("/", 1)[-1].lower() == "export.xml"]
    if len(named) > 1:
        named = [n for n in named if n.lower() == "apple_health_export/export.xml"] or named
    candidates = named if len(named) == 1 else []
    if not candidates:
        for n in xml[:64]:
            with z.open(n) as member:
                if _is_health_data(member.read(4096)):
                    candidates.append(n)
        if len(candidates) > 1:
            candidates = [n for n in candidates if n.count("/") <= 1] or candidates
    if len(candidates) != 1:
        listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        what = ("no Apple Health export.xml (nor a localized one such as exportar.xml: no XML file in it "
                "starts a <HealthData> document)") if not candidates else (
            f"{len(candidates)} Apple Health exports ({', '.join(candidates[:4])}); unpack the one to import")
        if not candidates and any(n.rsplit("/", 1)[-1].lower() == _CDA for n in names):
            what += "; export_cda.xml is the clinical document, which calmkit does not read"
        raise ImportFormatError(src, None, "", (
            f"the zip holds {what}; the Health app's export.zip has apple_health_export/export.xml "
            f"(found: {listed or 'nothing'})"))
    return candidates[0]


def _open_export(path: Path, src: str) -> tuple[BinaryIO, str, Optional[zipfile.ZipFile]]:
    """The export.xml stream, the name to report it by, and the zip holding it
    (if any). ``export.zip`` as the Health app writes it holds
    ``apple_health_export/export.xml`` (its name translated on a phone in
    another language) and export_cda.xml, workout routes, ECGs, which are not
    read. A compressed file or UTF-16/32 text is refused, naming what it is."""
    refuse_unreadable(path, src, zip_ok=True)
    f = open(path, "rb")
    if f.read(4) != b"PK\x03\x04":
        f.seek(0)
        return f, src, None
    f.close()
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise ImportFormatError(src, None, "", f"not a readable zip file ({e})") from None
    try:
        member = _pick_member(z, src)
        # ZipExtFile's own readline is Python code; the C buffered reader on
        # top of it reads lines about three times faster.
        stream = io.BufferedReader(z.open(member), buffer_size=1 << 20)  # type: ignore[arg-type]
        head = stream.peek(64)[:64]
        found = what_file_is(head)
        if found is not None:
            raise ImportFormatError(f"{src}/{member}", None, "", f"the file is {found[0]}, not the export's text: "
                                    f"{found[1]}")
    except ImportFormatError:
        z.close()
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError, zlib.error) as e:
        z.close()
        raise ImportFormatError(src, None, "", f"cannot read the zip ({e})") from None
    return stream, f"{src}/{member}", z


def _apple_time(text: Optional[str], src: str, line: int, field: str) -> datetime:
    if not text:
        raise ImportFormatError(src, line, field, "missing")
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        raise ImportFormatError(src, line, field, (
            f"{text!r} is not an Apple Health time such as '2026-03-02 21:14:00 +0100'")) from None


#: The MetadataEntry key of the zone a sample was recorded in (HealthKit's
#: ``HKMetadataKeyTimeZone``: "the user's time zone when the HealthKit object
#: was created"), an IANA zone name such as ``America/New_York``.
_TIME_ZONE_KEY = "HKTimeZone"


class _RecordedZones:
    """The zones named by the records' ``HKTimeZone`` metadata, each read once
    with :class:`calmkit.TimeZone` (calmkit's one zone model, the system's
    tzdata); names tzdata does not have, with the lines of the records that
    gave them, for the report."""

    def __init__(self) -> None:
        self._zones: dict[str, Optional[tzinfo]] = {}
        self.unknown: dict[str, list[int]] = {}

    def local(self, elem: ET.Element, line: int, *times: datetime) -> tuple[datetime, ...]:
        """``times`` (instants with the export's offset) at the offsets the
        record's ``HKTimeZone`` had at those instants: the same instants, the
        local times the person saw. Without the metadata, or with a name that
        is no zone of tzdata, ``times`` as they are (the name is noted)."""
        name = next((m.get("value") for m in elem.iter("MetadataEntry") if m.get("key") == _TIME_ZONE_KEY), None)
        if name is None:
            return times
        name = name.strip()
        if name not in self._zones:
            zone: Optional[tzinfo]
            try:
                zone = TimeZone(name)
                # A name only: text tzdata does not have is never read as a POSIX
                # rule, which writes offsets the other way round (GMT+1 is UTC-1).
                if not zone._zone.from_tzdata:  # type: ignore[attr-defined]
                    zone = None
            except ValueError:
                zone = None
            self._zones[name] = zone
        zone = self._zones[name]
        if zone is None:
            self.unknown.setdefault(name, []).append(line)
            return times
        return tuple(when.astimezone(zone) for when in times)

    def report(self, report: ImportReport) -> None:
        """One warning for each name no zone of tzdata has: its records keep the export's offset."""
        for name, lines in self.unknown.items():
            shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
            report.warnings.append(
                f"{_TIME_ZONE_KEY} {name[:64]!r} of {len(lines)} record(s) (line {shown}) is no time zone of the "
                "system's tzdata: their times keep the export's UTC offset, which may not be the local time "
                "they were recorded at")


def _split_list(text: str) -> list[str]:
    sep = "|" if "|" in text else ","
    return [x.strip() for x in text.split(sep) if x.strip()]


def valence_to_intensity(valence: float) -> int:
    """State of Mind valence −1 (very unpleasant) … +1 (very pleasant) → distress
    0–10: ``5 − 5·valence`` rounded half up (−1 → 10, 0 → 5, +1 → 0)."""
    return round_half_up(5 - 5 * valence)


def _check_by_source(by_source: Any) -> dict[str, str]:
    """``exercise_by_source`` as a dict, checked before the export is read: a
    mapping of ``sourceName`` texts to exercise ids the model takes (the
    rule of an exercise session's ``exercise``); anything else is a
    ValueError naming the argument, as Daylio's ``mood_map=`` and Bearable's
    ``scales=`` are checked."""
    if by_source is None:
        return {}
    if not isinstance(by_source, Mapping):
        raise ValueError(f"exercise_by_source must be a mapping of sourceName to exercise id such as "
                         f"{{'Headspace': 'mindfulness.body-scan'}}, got {type(by_source).__name__}")
    out: dict[str, str] = {}
    for source, exercise in by_source.items():
        if not isinstance(source, str):
            raise ValueError(f"exercise_by_source: a key is {type(source).__name__} {source!r}; keys are the "
                             "sourceName texts of the export (the app that wrote the session)"[:300])
        reason = model_reason("exercise", "exercise", exercise)
        if reason is not None:
            raise ValueError(f"exercise_by_source[{source[:64]!r}]: {reason} (an exercise id such as "
                             f"{MINDFUL_EXERCISE!r})")
        out[source] = exercise
    return out


def import_apple_health(path: Union[str, Path], *, participant: str = "",
                        exercise_by_source: Optional[Mapping[str, str]] = None,
                        lenient: bool = False) -> ImportResult:
    """Streams an Apple Health export: State of Mind samples become readings,
    mindful sessions become exercise sessions; every other record type is
    counted in ``report.ignored``.

    ``path`` is the ``export.xml`` or the ``export.zip`` the Health app writes
    (read in place with :mod:`zipfile`, its ``apple_health_export/export.xml``
    streamed without unpacking). The XML is read with
    ``xml.etree.ElementTree.iterparse`` and each top-level element is cleared
    once read, so memory stays bounded however large the export. The DOCTYPE
    and its internal subset are skipped unread (Apple's has been malformed
    since iOS 16, and no entity is ever resolved); characters XML 1.0 forbids
    (raw controls such as U+000B in attribute values) are tolerated in records
    calmkit does not use and reported in those it does. Apple writes each
    time with a UTC offset, so no time zone is needed; a sample's
    ``HKTimeZone`` metadata (the zone it was recorded in) gives its local
    time: the same instant at that zone's offset (an unknown zone name keeps
    the export's offset and is listed in ``report.warnings``).

    ``exercise_by_source``: a mapping of ``sourceName`` texts to exercise
    ids (a mindful session of another source is ``mindfulness.breath``).
    Raises ValueError naming the argument for an ``exercise_by_source`` of
    another shape or an id the model refuses, TypeError for a ``participant``
    that is not text or a ``lenient`` that is not True or False, before the
    export is read.

    Raises :class:`ImportFormatError` (file, line, attribute) in strict mode
    at the first bad record; ``lenient=True`` skips bad records, lists them in
    ``report.skipped`` and goes on. XML that is not well-formed ends the
    import in both modes.

    Example::

        journal, report = calmkit.import_apple_health("export.zip")
    """
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    path = Path(path)
    check_arguments(participant=participant, lenient=lenient)
    by_source = _check_by_source(exercise_by_source)
    stream, src, archive = _open_export(path, str(path))
    report = ImportReport(source=src, format="apple_health")
    records: list[dict[str, Any]] = []
    sources: list[Source] = []
    ids = IdMaker("apple-mindful")
    zones = _RecordedZones()
    reader = _Feed(stream)
    root: Optional[ET.Element] = None
    try:
        depth = 0
        start_line = 0
        open_elements: list[ET.Element] = []
        children = 0  # elements read inside the current top-level element
        keep_children = too_many = False
        try:
            for event, elem in ET.iterparse(reader, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth > _MAX_DEPTH:
                        raise ImportFormatError(src, reader.line, "", (
                            f"XML nested more than {_MAX_DEPTH} levels deep (Apple's export nests 4): a damaged "
                            "or hostile file"))
                    open_elements.append(elem)
                    if depth >= 3:
                        children += 1
                        if children > _MAX_CHILDREN and keep_children:
                            keep_children = False
                            too_many = True
                    if depth == 1:
                        root = elem
                        if elem.tag != "HealthData":
                            hint = ""
                            if elem.tag.endswith("ClinicalDocument"):
                                hint = (" (this is export_cda.xml, the clinical document; import export.xml, "
                                        "or the export.zip itself)")
                            raise ImportFormatError(src, reader.line, "", (
                                f"root element is <{elem.tag}>, not <HealthData>: not an Apple Health "
                                f"export.xml{hint}"))
                    elif depth == 2:
                        start_line = reader.line
                        reader.keep = True
                        # Only a record calmkit imports needs its children (MetadataEntry).
                        keep_children = elem.tag == "Record" and elem.get("type", "") in _USED_TYPES
                        children = 0
                        too_many = False
                    continue
                depth -= 1
                open_elements.pop()
                if depth >= 2:
                    if not keep_children:
                        # Dropped once read (the parent has no other child left by now), so
                        # that one huge element cannot fill memory.
                        del open_elements[-1][:]
                    continue
                if depth != 1:
                    continue
                # A whole top-level element has been read, on lines start_line..reader.line.
                bad_chars = list(dict.fromkeys(c for n in range(start_line, reader.line + 1)
                                               for c in reader.forbidden.pop(n, ())))
                reader.keep = False
                if elem.tag == "Record":
                    report.rows += 1
                    before = len(records)
                    used = elem.get("type", "") in _USED_TYPES
                    counts = tally(report) if used else None  # what the record's row counts
                    try:
                        try:
                            if too_many:
                                raise ImportFormatError(src, start_line, "", (
                                    f"a {elem.get('type', '')[:64]} record with more than {_MAX_CHILDREN} child "
                                    "elements (Apple writes a few MetadataEntry): a damaged or hostile file"))
                            if used and bad_chars:
                                attr = next((k for k, v in elem.attrib.items() if "\ufffd" in v), "")
                                raise ImportFormatError(src, start_line, attr, (
                                    "holds " + ", ".join(f"U+{c:04X}" for c in bad_chars) +
                                    ", a character XML 1.0 forbids (a control character written raw by the app)"))
                            _record(elem, src, start_line, participant, by_source, report, records, ids, zones)
                        except ROW_ERRORS as e:
                            records[before:] = []
                            raise row_error(src, Source(start_line), "", e) from None
                    except ImportFormatError as e:
                        if not lenient:
                            raise
                        report.skip(e)
                    if len(records) > before:
                        # build_journal takes these counts back if the journal refuses the record.
                        row = Source(start_line, counted=counted(report, counts) if counts is not None else ())
                        sources.extend([row] * (len(records) - before))
                    if bad_chars and not used:
                        report.ignored["records holding characters XML 1.0 forbids (not used, tolerated)"] += 1
                elif elem.tag not in ("ExportDate", "Me"):
                    report.ignored[f"<{elem.tag}>"] += 1
                elem.clear()
                assert root is not None
                root.clear()  # drop the cleared child too, so the root stays empty
        except ImportFormatError:
            raise
        except (LookupError, ValueError) as e:
            # expat asks Python for the codec the XML declaration names (found by
            # tests/fuzz/fuzz_importers.py: encoding="UTF-4" raised LookupError,
            # and a multi-byte one such as "UTF-7" ValueError: "multi-byte
            # encodings are not supported").
            raise ImportFormatError(src, max(reader.line, 1), "", (
                f"the XML declares an encoding calmkit cannot read ({e}); "
                "Apple Health writes UTF-8")) from None
        except ET.ParseError as e:
            line, col = e.position
            what = str(e).split(":")[0]  # expat's words, without the position repeated
            hint = ""
            if reader.prolog_too_long:
                what = f"no root element in the first {_MAX_PROLOG // (1024 * 1024)} MiB"
            elif "undefined entity" in what:
                what += "; calmkit never resolves entities declared in a DOCTYPE, and Apple's export uses none"
            elif what in ("no element found", "unclosed token", "unclosed CDATA section") and reader.at_end:
                hint = "; the file ends early: a truncated export?"
            raise ImportFormatError(src, line, "", (
                f"XML is not well-formed at column {col + 1} ({what}){hint}")) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            raise ImportFormatError(src, reader.line or None, "", (
                f"the zip member cannot be read past this line ({e}); a truncated or damaged export.zip?")) from None
        except RecursionError:
            raise ImportFormatError(src, reader.line or None, "", "XML nested too deeply to read") from None
    finally:
        stream.close()
        if archive is not None:
            archive.close()
    if root is None:
        raise ImportFormatError(src, 1, "", "empty file: no <HealthData> element")
    ids.assign()
    zones.report(report)
    return ImportResult(build_journal(records, src, sources=sources, report=report, lenient=lenient), report)


def _record(elem: ET.Element, src: str, line: int, participant: str, by_source: Mapping[str, str],
            report: ImportReport, records: list[dict[str, Any]], ids: IdMaker, zones: _RecordedZones) -> bool:
    """Reads one <Record>; True when its type is one calmkit imports."""
    rtype = elem.get("type", "")
    if rtype == MINDFUL_TYPE:
        start = _apple_time(elem.get("startDate"), src, line, "startDate")
        end = _apple_time(elem.get("endDate"), src, line, "endDate")
        if end < start:
            raise ImportFormatError(src, line, "endDate", f"{elem.get('endDate')} is before startDate")
        start, end = zones.local(elem, line, start, end)
        source = elem.get("sourceName", "")
        exercise = by_source.get(source, MINDFUL_EXERCISE)
        record = {"type": "exercise", "participant": participant, "time": start, "end": end,
                  "exercise": exercise}
        # Two sessions starting in the same second (the watch and the phone) are
        # told apart by what they say, not by where they stand in the file.
        ids.claim(record, start, (end, *(elem.get(k, "") for k in (
            "sourceName", "sourceVersion", "device", "creationDate", "value"))))
        records.append(record)
        report.mapped["mindful session → exercise " + exercise] += 1
        if source in by_source:
            report.kept["sourceName → exercise id"] += 1
        elif source:
            report.ignored["sourceName of mindful sessions (exercise sessions have no text field)"] += 1
        return True
    if rtype not in STATE_OF_MIND_TYPES:
        report.ignored[rtype or "<Record without type>"] += 1
        return False

    fields: dict[str, str] = {}
    named: dict[str, str] = {}  # field -> where it was given, for the message
    for k, v in elem.attrib.items():
        if k.lower() in _SOM_KEYS:
            fields[_SOM_KEYS[k.lower()]] = v
            named[_SOM_KEYS[k.lower()]] = f"attribute {k}"
    for meta in elem.iter("MetadataEntry"):
        key = (meta.get("key") or "").lower()
        if key in _SOM_KEYS:
            field, value = _SOM_KEYS[key], meta.get("value", "")
            if field in fields and fields[field].strip() != value.strip():
                # Given twice, differently (an attribute and a MetadataEntry, or two entries):
                # calmkit will not pick one.
                raise ImportFormatError(src, line, field, (
                    f"{named[field]} says {fields[field][:64]!r} and MetadataEntry {meta.get('key')} says "
                    f"{value[:64]!r}; calmkit will not guess which holds"))
            fields.setdefault(field, value)
            named.setdefault(field, f"MetadataEntry {meta.get('key')}")
    (when,) = zones.local(elem, line, _apple_time(elem.get("startDate"), src, line, "startDate"))
    raw_valence = fields.get("valence")
    if raw_valence is None:
        raise ImportFormatError(src, line, "valence", "State of Mind sample without a valence")
    # ASCII only: float() would read other scripts' digits, which Apple never writes.
    valence = decimal_number(raw_valence) if raw_valence.strip().isascii() else math.nan
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
    records.append({"type": "reading", "participant": participant, "time": when,
                    "intensity": valence_to_intensity(valence), "note": "\n".join(parts)})
    report.mapped[f"state of mind ({kind or 'kind not given'}) → reading"] += 1
    return True
