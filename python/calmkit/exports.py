"""Exports of a journal: tidy CSV per record type (and back), and the
privacy-safe research export. JSON Lines v1 is ``calmkit.write_journal``.

Everything here works on the records in the journal format v1's JSON shape
(``calmkit.to_jsonl`` out, ``calmkit.parse_journal`` in), so the format's
rules are enforced by calmkit's own reader on the way back. See
docs/importing.md ("Exports") and docs/privacy.md.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Union

from .csv_input import read_table
from .importers._common import calmkit_module, compact, rfc3339
from .importers.report import ImportFormatError

__all__ = [
    "CSV_COLUMNS",
    "RESEARCH_EMOTIONS",
    "export_csv",
    "import_csv",
    "research_export",
    "write_research_export",
]

# ----------------------------------------------------------------------------
# Tidy CSV
# ----------------------------------------------------------------------------

#: The CSV file of each record type and its columns, in order, with the kind
#: of each cell: "str" (as is), "time" (RFC 3339 with offset), "int", "float"
#: (shortest round-trip repr), "bool" (true/false), "list" (a JSON array of
#: strings), "ints" (a JSON array of integers), "emotions" (a JSON array of
#: {name, before, after} objects). An empty cell is an absent field.
CSV_COLUMNS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "trigger": ("triggers.csv", [
        ("participant", "str"), ("id", "str"), ("time", "time"), ("category", "str"),
        ("intensity", "int"), ("context", "str"), ("thoughts", "list"), ("sensations", "list"),
        ("urge", "str"), ("acted_on_urge", "bool"), ("acted_after_minutes", "float"),
        ("response", "str"), ("tags", "list")]),
    "reading": ("readings.csv", [
        ("participant", "str"), ("id", "str"), ("time", "time"), ("intensity", "int"),
        ("trigger", "str"), ("note", "str")]),
    "exercise": ("exercises.csv", [
        ("participant", "str"), ("id", "str"), ("time", "time"), ("end", "time"),
        ("exercise", "str"), ("completed", "bool"), ("intensity_before", "int"),
        ("intensity_after", "int"), ("trigger", "str"), ("responses", "list")]),
    "thought_record": ("thought_records.csv", [
        ("participant", "str"), ("id", "str"), ("time", "time"), ("situation", "str"),
        ("automatic_thought", "str"), ("belief_before", "int"), ("emotions", "emotions"),
        ("distortions", "list"), ("evidence_for", "list"), ("evidence_against", "list"),
        ("alternatives", "list"), ("friend_advice", "str"), ("balanced_thought", "str"),
        ("belief_after", "int"), ("trigger", "str")]),
    # One row per assessment like every other type: the answers, in the
    # instrument's item order, are one JSON array cell ("[2, 0, 3, 1, 2, 1, 1]").
    "assessment": ("assessments.csv", [
        ("participant", "str"), ("id", "str"), ("time", "time"), ("instrument", "str"),
        ("answers", "ints"), ("note", "str")]),
}
#: CSV files that an export from before assessments had no file for: absent on
#: import means no records of that type (every other file must be there).
_OPTIONAL_CSV = ("assessment",)


def _journal_records(journal: Any) -> list[dict[str, Any]]:
    """The journal's records as format-v1 dicts, header left out."""
    text = calmkit_module().to_jsonl(journal)
    out = []
    # Only "\n" ends a JSON Lines record: splitlines() would also split inside
    # a string holding U+2028, U+0085 or U+001C..U+001E, which JSON leaves raw.
    for line in text.split("\n"):
        if line.strip():
            rec = json.loads(line)
            if rec.get("type") != "header":
                out.append(rec)
    return out


def _cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    if kind in ("list", "ints", "emotions"):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)


def export_csv(journal: Any, folder: Union[str, Path]) -> dict[str, Path]:
    """Writes ``triggers.csv``, ``readings.csv``, ``exercises.csv``,
    ``thought_records.csv`` and ``assessments.csv`` into ``folder`` (created if
    needed): one row per record, one column per field (see
    :data:`CSV_COLUMNS`), UTF-8, each file with its header even when empty.
    Returns the path of each file by type.

    Example::

        calmkit.export_csv(journal, "out/")
        assert calmkit.import_csv("out/") == journal
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in CSV_COLUMNS}
    for rec in _journal_records(journal):
        if rec["type"] not in by_type:
            raise ValueError(f"record type {rec['type']!r} has no CSV layout")
        by_type[rec["type"]].append(rec)
    paths = {}
    for rtype, (filename, columns) in CSV_COLUMNS.items():
        rows = [[_cell(kind, rec.get(name)) for name, kind in columns] for rec in by_type[rtype]]
        paths[rtype] = folder / filename
        _write_csv(paths[rtype], [[name for name, _ in columns]] + rows)
    return paths


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    """UTF-8 CSV, each row ending in "\\n", a cell quoted when it holds a
    comma, a quote, "\\n" or "\\r". Python's csv writer before 3.12 quotes
    only the characters of its line terminator: with "\\n" a lone "\\r" went
    out bare and read back as the end of the row. So each row is written with
    "\\r\\n" (which quotes both) and its terminator swapped for "\\n"."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        for row in rows:
            writer.writerow(row)
            f.write(buf.getvalue()[:-2] + "\n")
            buf.seek(0)
            buf.truncate()


def _parse_cell(kind: str, text: str, where: tuple[str, int], name: str) -> Any:
    path, line = where
    if text == "":
        return None
    try:
        if kind in ("str", "time"):
            return text
        if kind == "int":
            return int(text)
        if kind == "float":
            v = float(text)
            if not math.isfinite(v):
                raise ValueError("not finite")
            return v
        if kind == "bool":
            # A spreadsheet writes the booleans it recognised back as TRUE/FALSE.
            if text.lower() not in ("true", "false"):
                raise ValueError("not true/false")
            return text.lower() == "true"
        value = json.loads(text)
        if kind == "list":
            if not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
                raise ValueError("not a JSON array of strings")
        elif kind == "ints":
            # bool is an int in Python, but true/false is no answer.
            if not (isinstance(value, list) and all(type(x) is int for x in value)):
                raise ValueError("not a JSON array of integers")
        elif not (isinstance(value, list) and all(isinstance(x, dict) for x in value)):
            raise ValueError("not a JSON array of objects")
        return value
    except ValueError as e:
        raise ImportFormatError(path, line, name, f"{text!r} is not a valid {kind} cell ({e})") from None


def import_csv(folder: Union[str, Path]) -> Any:
    """Reads the CSV files :func:`export_csv` writes back into a Journal.
    Files a spreadsheet saved again are read too (``;`` or tab separators,
    a byte-order mark, CRLF, rows of empty fields, ``TRUE``/``FALSE``: see
    :mod:`calmkit.csv_input`). Every cell is checked, then every record goes through calmkit's journal
    reader; an error names the CSV file, its line and the field.
    ``assessments.csv`` may be absent (an export from before self-assessments
    were kept): the journal then has none; the other four files must be there.
    An assessment's instrument must be built in or registered
    (``calmkit.register_instrument``) before the import."""
    ck = calmkit_module()
    folder = Path(folder)
    records: list[dict[str, Any]] = []
    origin: list[tuple[str, int]] = []  # CSV file and line of each record
    for rtype, (filename, columns) in CSV_COLUMNS.items():
        path = folder / filename
        if not path.is_file():
            if rtype in _OPTIONAL_CSV:
                continue
            raise FileNotFoundError(f"{path}: missing (export_csv writes it, even with no {rtype} records)")
        names = [n for n, _ in columns]
        table = read_table(path, expected=names)
        if table.header != names:
            raise table.header_error(f"header must be {','.join(names)}, found {','.join(table.header or [])}")
        for first, _last, row in table.rows():
            if len(row) != len(names):
                raise ImportFormatError(str(path), first, "", f"expected {len(names)} fields, found {len(row)}")
            rec: dict[str, Any] = {"type": rtype}
            for (name, kind), text in zip(columns, row):
                rec[name] = _parse_cell(kind, text, (str(path), first), name)
            if rtype == "thought_record":
                for key in ("situation", "automatic_thought"):
                    rec[key] = rec[key] or ""
            records.append(compact(rec))
            origin.append((str(path), first))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    try:
        return ck.parse_journal(text, name="<csv>")
    except ck.JournalFormatError as e:
        line = getattr(e, "line", 0)
        if 1 <= line <= len(origin):
            path, csv_line = origin[line - 1]
            raise ImportFormatError(path, csv_line, getattr(e, "field", ""),
                                    getattr(e, "reason", str(e))) from None
        raise


# ----------------------------------------------------------------------------
# Research export
# ----------------------------------------------------------------------------

#: Emotion names a research export keeps (compared case-insensitively); any
#: other name becomes "other" (its ratings are kept). A name outside a fixed
#: list is free text and could say anything ("scared Sam will leave").
RESEARCH_EMOTIONS = frozenset({
    "afraid", "anger", "angry", "anxiety", "anxious", "ashamed", "calm", "confused", "content",
    "disappointed", "embarrassed", "envious", "fear", "frustrated", "guilt", "guilty", "happy",
    "helpless", "hopeful", "hopeless", "hurt", "insecure", "irritated", "jealous", "joy", "lonely",
    "loneliness", "nervous", "panic", "panicked", "rejected", "relieved", "sad", "sadness",
    "shame", "stressed", "worried", "worthless", "jealousy", "envy", "frustration",
    "embarrassment", "worry", "despair", "resentment", "relief", "hope", "disgust", "overwhelmed"})
#: Exercise ids a research export keeps: the catalog's families; others
#: (custom exercises, named by the person) become "custom".
_CATALOG_ID = re.compile(
    r"(acceptance|breathing|cognitive|distraction|grounding|mindfulness|movement|pause|relaxation|"
    r"soothing|tipp)\.[a-z0-9-]+")
#: Hex digits kept of each HMAC-SHA256 pseudonym: 16 (64 bits).
PSEUDONYM_HEX = 16
#: Date shifts are whole weeks in [-52, -1] ∪ [1, 52].
MAX_SHIFT_WEEKS = 52

# Free-text fields, removed by the research export.
_FREE_TEXT = {
    "trigger": ("context", "thoughts", "sensations", "urge", "response", "tags"),
    "reading": ("note",),
    "exercise": ("responses",),
    "thought_record": ("evidence_for", "evidence_against", "alternatives", "friend_advice",
                       "balanced_thought"),
    "assessment": ("note",),
}
_TIME_FIELDS = ("time", "end")


def _mac(key: bytes, *parts: str) -> bytes:
    msg = b"\x00".join(p.encode("utf-8") for p in parts)
    return hmac.new(key, msg, hashlib.sha256).digest()


def pseudonym(key: bytes, participant: str) -> str:
    """The participant's pseudonym: ``"r"`` + the first 16 hex digits of
    HMAC-SHA256(key, "participant" NUL participant)."""
    return "r" + _mac(key, "participant", participant).hex()[:PSEUDONYM_HEX]


def shift_weeks(key: bytes, participant: str) -> int:
    """The participant's secret date shift, whole weeks in [-52, -1] ∪ [1, 52]."""
    k = int.from_bytes(_mac(key, "shift", participant)[:8], "big") % (2 * MAX_SHIFT_WEEKS)
    return k - MAX_SHIFT_WEEKS if k < MAX_SHIFT_WEEKS else k - MAX_SHIFT_WEEKS + 1


def _record_pseudonym(key: bytes, participant: str, kind: str, rid: str) -> str:
    # Triggers and the references to them share one namespace so links survive.
    return kind[0] + _mac(key, "record", kind, participant, rid).hex()[:PSEUDONYM_HEX]


def _shift(text: str, weeks: int) -> str:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return rfc3339(dt + timedelta(weeks=weeks))


def _research_records(records: Iterable[dict[str, Any]], key: bytes, shift_dates: bool) -> list[dict[str, Any]]:
    out = []
    owners: dict[tuple[str, ...], str] = {}

    def claim(slot: tuple[str, ...], original: str) -> None:
        if owners.setdefault(slot, original) != original:
            raise ValueError("two different ids got the same pseudonym (odds about 1 in 2^64 per pair); "
                             "export again with another key")

    for rec in records:
        rtype = rec["type"]
        participant = rec.get("participant", "")
        new = {k: v for k, v in rec.items() if k not in _FREE_TEXT.get(rtype, ())}
        new["participant"] = pseudonym(key, participant)
        if rec.get("id"):
            new["id"] = _record_pseudonym(key, participant, rtype, rec["id"])
        if rec.get("trigger"):
            new["trigger"] = _record_pseudonym(key, participant, "trigger", rec["trigger"])
        if rtype == "thought_record":
            new["situation"] = ""
            new["automatic_thought"] = ""
            new["emotions"] = [
                {**e, "name": e["name"].strip().casefold() if e["name"].strip().casefold() in RESEARCH_EMOTIONS
                 else "other"} for e in rec.get("emotions", [])]
        if rtype == "exercise" and not _CATALOG_ID.fullmatch(rec["exercise"]):
            new["exercise"] = "custom"
        if shift_dates:
            weeks = shift_weeks(key, participant)
            for f in _TIME_FIELDS:
                if f in new:
                    new[f] = _shift(new[f], weeks)
        claim(("participant", new["participant"]), participant)
        if rec.get("id"):
            claim((rtype, new["participant"], new["id"]), rec["id"])
        out.append(compact(new))
    return out


def research_export(journal: Any, key: bytes, *, shift_dates: bool = False) -> Any:
    """A copy of the journal fit to hand to researchers: every free-text field
    removed, participants and record ids replaced by keyed pseudonyms
    (HMAC-SHA256 with ``key``), emotion names outside
    :data:`RESEARCH_EMOTIONS` and custom exercise ids replaced by "other" and
    "custom", and, with ``shift_dates``, each participant's times moved by a
    secret whole number of weeks derived from the key (weekdays and local
    clock times stay as they were). Intensities, categories, distortions,
    durations, assessment instruments and answers, and the times within a
    participant are unchanged (an assessment's note is free text and goes;
    the receiver must register any custom instrument before reading the
    export). What this protects and what it does not: docs/privacy.md.

    Example::

        key = secrets.token_bytes(32)  # keep it: the same key gives the same pseudonyms
        calmkit.write_research_export(journal, "study.jsonl", key, shift_dates=True)
    """
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise ValueError("key must be bytes, at least 16 of them (use secrets.token_bytes(32))")
    ck = calmkit_module()
    records = _research_records(_journal_records(journal), bytes(key), shift_dates)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return ck.parse_journal(text, name="<research export>")


def write_research_export(journal: Any, path: Union[str, Path], key: bytes, *,
                          shift_dates: bool = False) -> Path:
    """Writes :func:`research_export` of the journal as JSON Lines v1 with
    ``calmkit.write_journal``. Returns the path."""
    calmkit_module().write_journal(research_export(journal, key, shift_dates=shift_dates), str(path))
    return Path(path)

