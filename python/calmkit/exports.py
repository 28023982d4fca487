"""Exports of a journal: tidy CSV per record type (and back), and the
privacy-safe research export. JSON Lines v1 is ``calmkit.write_journal``.

Everything here works on the records as plain values in the journal format
v1's shape (field names, times as RFC 3339 text): read from the journal's
typed records on the way out, handed back to C++ through the Arrow bridge
(:func:`calmkit.arrow.journal_from_records`) on the way in, never as JSON
text, so the model's rules check every record that comes back. See
docs/importing.md ("Exports") and docs/privacy.md.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import re
import stat
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Union

from . import _core
from . import arrow as _arrow
from ._calls import need_flag, need_journal
from .arrow import RecordsError, journal_from_records
from .csv_input import read_table
from .formats import compact, rfc3339
from .importers.report import ImportFormatError

__all__ = [
    "CSV_COLUMNS",
    "FORMULA_START",
    "RESEARCH_EMOTIONS",
    "RESEARCH_FIELDS",
    "export_csv",
    "import_csv",
    "pseudonym",
    "research_export",
    "shift_offsets",
    "shift_weeks",
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


def _emotion(e: Any) -> dict[str, Any]:
    out = {"name": e.name, "before": e.before}
    if e.after is not None:
        out["after"] = e.after
    return out


def _journal_records(journal: Any) -> list[dict[str, Any]]:
    """The journal's records as plain values in the format's shape, read from
    its typed records (type by type, each in journal order): the fields of
    :data:`CSV_COLUMNS`, times as the journal writer writes them, emotions as
    dicts, absent values as None or empty."""
    time_text = _core._time_text
    tables = {"trigger": journal.triggers, "reading": journal.readings, "exercise": journal.exercises,
              "thought_record": journal.thought_records, "assessment": journal.assessments}
    out = []
    for rtype, (_file, columns) in CSV_COLUMNS.items():
        for rec in tables[rtype]:
            values: dict[str, Any] = {"type": rtype}
            for name, kind in columns:
                value = getattr(rec, name)
                if kind == "time":
                    value = time_text(value)
                elif kind == "emotions":
                    value = [_emotion(e) for e in value]
                values[name] = value
            out.append(values)
    return out


#: First characters that make a spreadsheet (Excel, LibreOffice Calc, Google
#: Sheets) read a cell as a formula — "=", "+", "-", "@", tab and carriage
#: return, the list of OWASP's "CSV Injection" page — and the apostrophe that
#: marks a neutralised cell. A text cell ("str" in CSV_COLUMNS) starting with
#: one of them is written with an apostrophe in front ("=HYPERLINK(..)" ->
#: "'=HYPERLINK(..)", "'quoted" -> "''quoted"), which spreadsheets show as
#: text; import_csv removes exactly one leading apostrophe from every text
#: cell, so the rule is lossless: import_csv(export_csv(j)) == j. Cells of the
#: other kinds start with a digit, "[" or a letter and are never changed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "str":
        return _neutralised(str(value))
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
    A text cell that a spreadsheet would run as a formula gets an apostrophe
    in front (the lossless rule of :data:`FORMULA_START`).

    The files are written through calmkit's one safe write
    (:func:`calmkit.write_folder`): new files are 0600, a folder that holds
    only an earlier export is swapped for the new one in one rename (readers
    see the old set or the new one, never a mix), a folder with other files
    in it keeps them and gets all five files only once all are complete on
    disk (a full disk changes nothing). Returns the path of each file by type.

    Example::

        calmkit.export_csv(journal, "out/")
        assert calmkit.import_csv("out/") == journal
    """
    need_journal(journal, "export_csv")
    _core._fs_path(folder, "folder")  # a lone surrogate: ValueError naming it
    from .files import write_folder

    folder = Path(folder)
    by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in CSV_COLUMNS}
    for rec in _journal_records(journal):
        if rec["type"] not in by_type:
            raise ValueError(f"record type {rec['type']!r} has no CSV layout")
        by_type[rec["type"]].append(rec)
    texts: dict[str, str] = {}
    paths = {}
    for rtype, (filename, columns) in CSV_COLUMNS.items():
        rows = [[_cell(kind, rec.get(name)) for name, kind in columns] for rec in by_type[rtype]]
        paths[rtype] = folder / filename
        texts[filename] = _csv_text([[name for name, _ in columns]] + rows)
    write_folder(folder, texts)
    return paths


def _csv_text(rows: list[list[str]]) -> str:
    """UTF-8 CSV text, each row ending in "\\n", a cell quoted when it holds a
    comma, a quote, "\\n" or "\\r". Python's csv writer before 3.12 quotes
    only the characters of its line terminator: with "\\n" a lone "\\r" went
    out bare and read back as the end of the row. So each row is written with
    "\\r\\n" (which quotes both) and its terminator swapped for "\\n"."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    out = []
    for row in rows:
        writer.writerow(row)
        out.append(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()
    return "".join(out)


def _parse_cell(kind: str, text: str, where: tuple[str, int], name: str) -> Any:
    path, line = where
    if text == "":
        return None
    try:
        if kind == "str":
            return text[1:] if text.startswith("'") else text  # undo FORMULA_START's apostrophe
        if kind == "time":
            # An apostrophe in front (a sheet's "keep as text") is never part of an RFC 3339 time.
            text = text[1:] if text.startswith("'") else text
            if not re.search(r"(?:[Zz]|[+-]\d\d:\d\d)$", text.strip()):
                raise ValueError("no UTC offset: export_csv writes times such as 2026-03-02T21:14:00+01:00; a "
                                 "spreadsheet that re-formatted the column dropped the offset, and calmkit does "
                                 "not guess it: format the column as text before editing, or export again")
            return text
        if kind == "int":
            # Digits as a CSV writer writes them: int() would also take Python's
            # literal syntax ("1_0" is 10, "+5" is 5), which pandas reads as text.
            if not re.fullmatch(r"-?[0-9]+", text.strip()):
                raise ValueError("not a whole number")
            return int(text)
        if kind == "float":
            # A decimal comma, as sheets in German or French locales write numbers: 12,5 has one reading.
            # inf and nan are numbers here: the model's rule of the field (Minutes: finite, >= 0)
            # refuses them in its own words, with this file and line, as it refuses -1.5.
            return float(text.replace(",", ".", 1) if re.fullmatch(r"-?\d+,\d+", text.strip()) else text)
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


def _what_it_is(path: Path) -> str:
    """What a path that is not a regular file is, in the words of the output rule."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        return f"a link that cannot be followed: {e.strerror}"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def import_csv(folder: Union[str, Path]) -> Any:
    """Reads the CSV files :func:`export_csv` writes back into a Journal.
    Files a spreadsheet saved again are read too (``;`` or tab separators,
    a byte-order mark, CRLF, rows of empty fields, ``TRUE``/``FALSE``: see
    :mod:`calmkit.csv_input`). Every cell is checked, then every record by the
    model's rules (the records reach C++ through the Arrow bridge,
    :func:`calmkit.arrow.journal_from_records`, so this needs pyarrow, the
    ``parquet`` extra); an error names the CSV file, its line and the field.
    ``assessments.csv`` may be absent (an export from before self-assessments
    were kept): the journal then has none; the other four files must be there.
    An assessment's instrument must be built in or registered
    (``calmkit.register_instrument``) before the import."""
    _core._fs_path(folder, "folder")  # a lone surrogate: ValueError naming it
    folder = Path(folder)
    records: list[dict[str, Any]] = []
    origin: list[tuple[str, int]] = []  # CSV file and line of each record
    for rtype, (filename, columns) in CSV_COLUMNS.items():
        path = folder / filename
        if not path.is_file():
            if os.path.lexists(path):  # there, but a folder, a FIFO, a device or a broken link
                raise ImportFormatError(str(path), None, "", (
                    f"not a regular file ({_what_it_is(path)}); export_csv writes a CSV file here"))
            if rtype in _OPTIONAL_CSV:
                continue
            raise FileNotFoundError(f"{path}: missing (export_csv writes it, even with no {rtype} records)")
        names = [n for n, _ in columns]
        table_name = next(t for t, r in _arrow.TABLES.items() if r == rtype)
        required_text = [n for n, kind in columns if kind == "str" and n in _arrow._REQUIRED[table_name]]
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
            kept = compact(rec)
            for name in required_text:
                # An empty cell of a required text field is the text "" (the
                # model's `must not be empty`), not a field left out.
                if rec[name] is None:
                    kept[name] = ""
            records.append(kept)
            origin.append((str(path), first))
    try:
        return journal_from_records(records, name="<csv>")
    except RecordsError as e:
        path, csv_line = origin[e.index]
        reason = e.reason if e.first is None else f"{e.reason} (first used on line {origin[e.first][1]})"
        raise ImportFormatError(path, csv_line, e.field, reason) from None


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
#: Hex digits kept of each HMAC-SHA256 pseudonym: 16 (64 bits).
PSEUDONYM_HEX = 16
#: Date shifts are whole weeks in [-52, -1] ∪ [1, 52].
MAX_SHIFT_WEEKS = 52

#: What may leave in a research export, per record type: field -> how it
#: leaves. Everything not listed here (free text, and any field a later format
#: version adds) is dropped; nothing is copied unless it is on this list.
#:
#: - "pseudonym": participant and record ids, replaced by keyed pseudonyms
#: - "time": RFC 3339 times (shifted with ``shift_dates``)
#: - "value": a number, a true/false or an id the journal reader checks
#:   against a fixed vocabulary (trigger categories, distortions)
#: - "exercise": kept when a built-in catalog id (calmkit.find_exercise), else "custom"
#: - "emotions": ratings kept, names kept only from RESEARCH_EMOTIONS, else "other"
#: - "instrument": kept when a built-in instrument id (calmkit.builtin_instrument_ids);
#:   an assessment of a custom instrument is dropped as a whole
#: - "empty": a required text field, left as ""
RESEARCH_FIELDS: dict[str, dict[str, str]] = {
    "trigger": {"participant": "pseudonym", "id": "pseudonym", "time": "time", "category": "value",
                "intensity": "value", "acted_on_urge": "value", "acted_after_minutes": "value"},
    "reading": {"participant": "pseudonym", "id": "pseudonym", "time": "time", "intensity": "value",
                "trigger": "pseudonym"},
    "exercise": {"participant": "pseudonym", "id": "pseudonym", "time": "time", "end": "time",
                 "exercise": "exercise", "completed": "value", "intensity_before": "value",
                 "intensity_after": "value", "trigger": "pseudonym"},
    "thought_record": {"participant": "pseudonym", "id": "pseudonym", "time": "time", "situation": "empty",
                       "automatic_thought": "empty", "belief_before": "value", "emotions": "emotions",
                       "distortions": "value", "belief_after": "value", "trigger": "pseudonym"},
    "assessment": {"participant": "pseudonym", "id": "pseudonym", "time": "time", "instrument": "instrument",
                   "answers": "value"},
}


def _mac(key: bytes, *parts: str) -> bytes:
    """HMAC-SHA256(key, the UTF-8 ``parts`` joined by NUL), a NUL inside a part
    written as NUL 0xFF (a byte UTF-8 never holds), so that two different
    lists of parts never give one message: ("a" NUL "b", "c") and ("a",
    "b" NUL "c") would otherwise share their record pseudonym. Parts without a
    NUL give the message of docs/privacy.md unchanged."""
    msg = b"\x00".join(p.encode("utf-8").replace(b"\x00", b"\x00\xff") for p in parts)
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


def _offset_minutes(text: str) -> int:
    offset = datetime.fromisoformat(text.replace("Z", "+00:00")).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def shift_offsets(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Each participant's one UTC offset in a shifted export, in minutes east
    of UTC: the offset most of their times (``time`` and exercise ``end``)
    carry; a tie goes to the smaller offset. A shifted export writes every
    time of the participant with this offset, so no
    daylight-saving change is left for the shifted dates to be lined up with;
    the instants keep their exact distances, and a time recorded under
    another offset shows a local clock time moved by the difference."""
    counts: dict[str, Counter[int]] = {}
    for rec in records:
        fields = RESEARCH_FIELDS.get(rec.get("type", ""), {})
        mine = counts.setdefault(rec.get("participant", ""), Counter())
        for name, how in fields.items():
            if how == "time" and rec.get(name):
                mine[_offset_minutes(rec[name])] += 1
    return {p: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for p, c in counts.items() if c}


def _shift(text: str, weeks: int, where: str, offset_minutes: int = 0) -> str:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    zone = timezone(timedelta(minutes=offset_minutes))
    try:
        # The instant moves by whole weeks and is written with the one offset.
        moved = (dt + timedelta(weeks=weeks)).astimezone(zone)
        year = moved.year
    except OverflowError:  # beyond Python's years 1..9999: count in whole 400-year (146097-day)
        # Gregorian cycles, so that the day is one Python holds (near the year 5700)
        cycles = round((weeks * 7 / 365.2425 + dt.year - 5700) / 400)
        year = (dt + timedelta(days=weeks * 7 - cycles * 146097)).astimezone(zone).year + 400 * cycles
    reason = _core._year_reason(year)  # the model's year rule, in its words
    if reason is not None:
        raise ValueError(f"{where}: the time {text} moved by the participant's date shift ({weeks:+d} weeks): "
                         f"{reason}; export without shift_dates, or with another key")
    return rfc3339(moved)


def _research_records(records: Iterable[dict[str, Any]], key: bytes, shift_dates: bool) -> list[dict[str, Any]]:
    out = []
    owners: dict[tuple[str, ...], str] = {}
    builtin_instruments = set(_core.builtin_instrument_ids())
    find_exercise = _core.find_exercise

    def claim(slot: tuple[str, ...], original: str) -> None:
        if owners.setdefault(slot, original) != original:
            raise ValueError("two different ids got the same pseudonym (odds about 1 in 2^64 per pair); "
                             "export again with another key")

    records = list(records)
    offsets = shift_offsets(records) if shift_dates else {}
    for n, rec in enumerate(records, 1):
        rtype = rec["type"]
        fields = RESEARCH_FIELDS.get(rtype)
        if fields is None:
            continue  # a record type without an allow-list does not leave
        participant = rec.get("participant", "")
        if rtype == "assessment" and rec.get("instrument") not in builtin_instruments:
            continue  # a custom instrument's id is text someone chose
        weeks = shift_weeks(key, participant) if shift_dates else 0
        new: dict[str, Any] = {"type": rtype}
        for name, how in fields.items():
            value = rec.get(name)
            if how == "empty":
                new[name] = ""
            elif value is None or value == "":
                continue
            elif how == "pseudonym":
                if name == "participant":
                    new[name] = pseudonym(key, participant)
                else:
                    kind = "trigger" if name == "trigger" else rtype
                    new[name] = _record_pseudonym(key, participant, kind, value)
            elif how == "time":
                new[name] = _shift(value, weeks, f"{rtype} {n}", offsets[participant]) if weeks else value
            elif how == "exercise":
                new[name] = value if find_exercise(value) is not None else "custom"
            elif how == "emotions":
                new[name] = [
                    {"name": e["name"].strip().casefold() if e["name"].strip().casefold() in RESEARCH_EMOTIONS
                     else "other", **{k: e[k] for k in ("before", "after") if k in e}} for e in value]
            elif how == "instrument":
                new[name] = value
            else:  # "value": numbers, booleans, vocabulary ids
                new[name] = value
        new["participant"] = pseudonym(key, participant)
        claim(("participant", new["participant"]), participant)
        if rec.get("id"):
            claim((rtype, new["participant"], new["id"]), rec["id"])
        out.append(compact(new))
    return out


def research_export(journal: Any, key: bytes, *, shift_dates: bool = False) -> Any:
    """A copy of the journal fit to hand to researchers, built from an
    allow-list (:data:`RESEARCH_FIELDS`): only numbers, true/false values,
    vocabulary ids, times, built-in catalog exercise ids and built-in
    instrument ids leave as they are; participants and record ids become keyed
    pseudonyms (HMAC-SHA256 with ``key``); emotion names outside
    :data:`RESEARCH_EMOTIONS` become "other" and exercise ids that are not in
    the built-in catalog (custom exercises, named by the person) "custom";
    everything else — every free-text field, any field not on the list — is
    dropped, and an assessment of a custom instrument is dropped whole (its
    id is text someone chose). With ``shift_dates``, each participant's times
    move by a secret whole number of weeks derived from the key, and all of
    them are written with one UTC offset, the participant's most common
    (:func:`shift_offsets`), so no daylight-saving change is left to date
    them by. Every instant moves by exactly the shift (durations, gaps and
    order are exact); a time recorded under another offset (the other side
    of a daylight-saving change) shows a local clock time moved by the
    difference, usually an hour, so its local hour, and near midnight its
    local date, differ from the journal's. A time the shift would carry
    outside the years 1400-9999 raises ValueError; a ``journal`` that is no
    :class:`calmkit.Journal` (a path: read it first with
    :func:`calmkit.read_journal`) or a ``shift_dates`` that is not True or
    False raises TypeError. Intensities, categories,
    distortions, durations, built-in assessments' answers and the times
    within a participant are unchanged. What this protects and what it does
    not: docs/privacy.md. The new records reach C++ through the Arrow bridge
    (:func:`calmkit.arrow.journal_from_records`): needs pyarrow (the
    ``parquet`` extra).

    Example::

        key = secrets.token_bytes(32)  # keep it: the same key gives the same pseudonyms
        calmkit.write_research_export(journal, "study.jsonl", key, shift_dates=True)
    """
    need_journal(journal, "research_export")
    need_flag(shift_dates, "shift_dates")
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise ValueError("key must be bytes, at least 16 of them (use secrets.token_bytes(32))")
    records = _research_records(_journal_records(journal), bytes(key), shift_dates)
    return journal_from_records(records, name="<research export>")


def write_research_export(journal: Any, path: Union[str, Path], key: bytes, *,
                          shift_dates: bool = False) -> Path:
    """Writes :func:`research_export` of the journal as JSON Lines v1 with
    ``calmkit.write_journal`` (the one safe write: a new file is 0600, an
    existing one keeps its mode; only a regular file is replaced). Returns
    the path."""
    _core._fs_path(path, "path")  # a lone surrogate: ValueError naming it
    _core.write_journal(research_export(journal, key, shift_dates=shift_dates), str(path))
    return Path(path)

