"""Helpers shared by the importers (private)."""
from __future__ import annotations

import codecs
import math
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable, Optional, Union

from .. import _core
from .._calls import need_flag
from ..csv_input import CsvTable, read_table
from ..localtime import resolve, zone
from .report import Adjusted, ImportFormatError, ImportReport

_UTC = timezone.utc


def decimal_number(text: str) -> float:
    """The number a cell of an app's export holds (``7``, ``-0.35``, ``1e-1``),
    or NaN when it holds none. Python's ``float()`` also reads its own
    source-code spelling with an underscore between digits (``1_0`` is 10),
    which no app or spreadsheet writes: such a cell is garbled, not a number."""
    if "_" in text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def round_half_up(x: float) -> int:
    """Rounds .5 away from zero for x >= 0 (Python's round() goes to even)."""
    return int(math.floor(x + 0.5))


#: The first bytes of files an importer cannot read as they are, and what they are.
_PACKED = ((b"\x1f\x8b", "gzip-compressed (a .gz file)", "unpack it first (gunzip)"),
           (b"BZh", "bzip2-compressed (a .bz2 file)", "unpack it first (bunzip2)"),
           (b"\xfd7zXZ\x00", "xz-compressed (an .xz file)", "unpack it first (unxz)"),
           (b"(\xb5/\xfd", "zstd-compressed (a .zst file)", "unpack it first (unzstd)"),
           (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it first"),
           (b"PK\x03\x04", "a zip archive", "unpack it and import the export file inside"),
           (b"SQLite format 3\x00", "an SQLite database (an app's own backup, not its export)",
            "export the data from the app as its documented export file"))
_WIDE = ((b"\x00\x00\xfe\xff", "UTF-32 text (big-endian, with a byte-order mark)"),
         (b"\xff\xfe\x00\x00", "UTF-32 text (little-endian, with a byte-order mark)"),
         (b"\xfe\xff", "UTF-16 text (big-endian, with a byte-order mark)"),
         (b"\xff\xfe", "UTF-16 text (little-endian, with a byte-order mark)"))


def what_file_is(head: bytes, *, zip_ok: bool = False, wide: bool = True) -> Optional[tuple[str, str]]:
    """(what the file is, what to do) when its first bytes show it is
    compressed, an archive or UTF-16/32 text, which no importer reads as it
    is; None otherwise. ``zip_ok``: the importer reads zips itself;
    ``wide=False``: UTF-16/32 is left to the caller (calmkit.csv_input has
    its own advice for spreadsheets)."""
    for magic, what, todo in _PACKED:
        if head.startswith(magic) and not (zip_ok and magic == b"PK\x03\x04"):
            return what, todo
    if not wide:
        return None
    todo = "save it as UTF-8 (the apps write UTF-8; a text editor or spreadsheet re-saved it?)"
    for bom, what in _WIDE:
        if head.startswith(bom):
            return what, todo
    # UTF-32 without a byte-order mark: three bytes of every four of ASCII text are 0
    # (RFC 4627 section 3 tells the encodings of JSON text apart the same way).
    quads = head[:64]
    if len(quads) >= 8 and len(quads) % 4 == 0:
        for zeros, text, order in (((1, 2, 3), 0, "little"), ((0, 1, 2), 3, "big")):
            if all(quads[k::4].count(0) == len(quads[k::4]) for k in zeros) and 0 not in quads[text::4]:
                return f"UTF-32 text ({order}-endian, without a byte-order mark)", todo
    # UTF-16 without a byte-order mark: every other byte of ASCII text is 0.
    pairs = head[:64]
    if len(pairs) >= 8 and pairs[1::2].count(0) == len(pairs[1::2]) and 0 not in pairs[0::2]:
        return "UTF-16 text (little-endian, without a byte-order mark)", todo
    if len(pairs) >= 8 and pairs[0::2].count(0) == len(pairs[0::2]) and 0 not in pairs[1::2]:
        return "UTF-16 text (big-endian, without a byte-order mark)", todo
    return None


def read_export_table(path: Any, src: str, *, app: str, layouts: Any, encoding: str, lenient: bool) -> CsvTable:
    """An app's CSV export read with the one CSV reader (``csv_input.read_table``):
    a compressed or UTF-16 file is refused first (with how to re-save it),
    ``layouts`` (layout name -> its columns) are the columns the reader
    expects, and a file without a header line is an ImportFormatError naming
    ``app``."""
    expected = {c for cols in layouts.values() for c in cols}
    if encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig"):
        refuse_unreadable(path, src, wide=False)  # csv_input says how to re-save UTF-16
    table = read_table(path, encoding=encoding, lenient=lenient, expected=expected)
    if table.header is None:
        raise ImportFormatError(src, 1, "", f"empty file: no {app} header line")
    return table


#: ``encoding=`` left out (Apple Health and mindLAMP take none: their formats are UTF-8).
_NO_ENCODING = object()


def model_reason(kind: str, field: str, value: Any) -> Optional[str]:
    """The model's reason a record of ``kind`` (a journal format ``type``)
    cannot have ``value`` in ``field``, in the words ``Journal.add`` uses for
    a record of a file, or None when the model takes it: a placeholder record
    with that one value is built and added to an empty journal, so the rule
    checked is the model's own (include/calmkit/validate.hpp), not a copy."""
    obj = _placeholder(_core, kind)
    try:
        _set(obj, field, value)
        _core.Journal([obj])
    except _FieldError as e:
        return e.reason
    except ValueError as e:
        return _rule(e, field)[1]
    return None


def check_arguments(*, participant: Any, lenient: Any, encoding: Any = _NO_ENCODING) -> None:
    """The arguments every importer shares, checked before the export is
    opened, so that a bad one is an error naming the argument, never one
    blamed on a line of the file: ``participant`` must be text the model
    takes as a participant (TypeError for another type, ValueError for text
    the model refuses); ``lenient`` True or False (TypeError: ``"no"`` is a
    true value); ``encoding`` (the CSV importers) the name of a text codec
    Python knows (TypeError for another type, ValueError for an unknown
    name)."""
    if not isinstance(participant, str):
        raise TypeError(f"participant= {_core._rule_reason('string', participant)} "
                        f"(the participant every imported record gets), not {type(participant).__name__}")
    reason = model_reason("reading", "participant", participant)
    if reason is not None:
        raise ValueError(f"participant={participant[:64]!r}: {reason}")
    need_flag(lenient, "lenient")
    if encoding is _NO_ENCODING:
        return
    if not isinstance(encoding, str):
        raise TypeError(f"encoding= must be the name of a codec (str) such as 'utf-8' or 'cp1252', "
                        f"got {type(encoding).__name__} {encoding!r}"[:200])
    _core._utf8_text(encoding, "encoding")  # a lone surrogate: ValueError naming it
    try:
        text_codec = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding[:64]!r} in encoding=: give a codec Python knows, such as "
                         "'utf-8', 'latin-1' or 'cp1252'") from None
    if not text_codec:
        raise ValueError(f"encoding={encoding[:64]!r} is not a text encoding (it turns bytes into bytes): give "
                         "the one the CSV file is written in, such as 'utf-8' or 'cp1252'")


def check_year(src: str, line: int, field: str, text: str, year: int) -> None:
    """A date of an app's export whose year a journal cannot hold (outside
    1400..9999, e.g. a spreadsheet's placeholder date of year 1) is an
    ImportFormatError naming the line, the field and the text."""
    reason = _core._year_reason(year)  # the model's rule and words
    if reason is not None:
        raise ImportFormatError(src, line, field, f"{text.strip()!r}: {reason} (a placeholder date?)", value=text)


#: Weekday names (full and abbreviated, lower case, accents kept and dropped)
#: as CLDR writes them in the languages the apps' ``weekday`` columns are most
#: often in: English, German, French, Spanish, Italian, Portuguese and Dutch,
#: Monday first. No name means two different days in two of these languages
#: (checked by the tests).
WEEKDAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("monday", "mon", "montag", "mo", "lundi", "lun", "lunes", "lunedì", "lunedi", "segunda-feira", "segunda",
     "seg", "maandag", "ma"),
    ("tuesday", "tue", "tues", "dienstag", "di", "mardi", "mar", "martes", "martedì", "martedi", "terça-feira",
     "terca-feira", "terça", "terca", "ter", "dinsdag"),
    ("wednesday", "wed", "mittwoch", "mi", "mercredi", "mer", "miércoles", "miercoles", "mié", "mie",
     "mercoledì", "mercoledi", "quarta-feira", "quarta", "qua", "woensdag", "wo"),
    ("thursday", "thu", "thur", "thurs", "donnerstag", "do", "jeudi", "jeu", "jueves", "jue", "giovedì",
     "giovedi", "gio", "quinta-feira", "quinta", "qui", "donderdag"),
    ("friday", "fri", "freitag", "fr", "vendredi", "ven", "viernes", "vie", "venerdì", "venerdi", "sexta-feira",
     "sexta", "sex", "vrijdag", "vr"),
    ("saturday", "sat", "samstag", "sonnabend", "sa", "samedi", "sam", "sábado", "sabado", "sáb", "sab", "sabato",
     "zaterdag", "za"),
    ("sunday", "sun", "sonntag", "so", "dimanche", "dim", "domingo", "dom", "domenica", "zondag", "zo"),
)
_WEEKDAYS = {name: i for i, names in enumerate(WEEKDAY_NAMES) for name in names}


def check_weekday(src: str, line: int, field: str, text: str, day: Any, date_field: str, date_text: str) -> None:
    """An app's ``weekday`` cell that names another day of the week than the
    row's date (``day``, a date or datetime) is an ImportFormatError naming the
    line and ``field``: two days for one entry leave nothing to go by. An
    empty cell, or a name in a language :data:`WEEKDAY_NAMES` does not hold,
    is not compared."""
    written = _WEEKDAYS.get(text.strip().rstrip(".").casefold())
    if written is not None and written != day.weekday():
        actual = WEEKDAY_NAMES[day.weekday()][0].capitalize()
        raise ImportFormatError(src, line, field, (
            f"{text.strip()!r} is not the weekday of {date_field} {date_text.strip()!r} (a {actual})"), value=text)


def refuse_unreadable(path: Any, src: str, *, zip_ok: bool = False, wide: bool = True) -> None:
    """An ImportFormatError naming what the file is when it is compressed, an
    archive or UTF-16/32 text (see :func:`what_file_is`), or when it is no
    regular file: each importer opens its file again after this look at its
    first bytes, and a FIFO (``/dev/stdin`` of a pipe, bash's ``<(...)``) has
    nothing left for the second open, which then waits for a writer forever
    (the words of ``calmkit import``, which refuses it too)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # a folder: open() says so
        what = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device")
        raise ImportFormatError(src, None, "", f"it is not a regular file ({what}); save the export to a "
                                              "file first")
    with open(path, "rb") as f:
        head = f.read(64)
    found = what_file_is(head, zip_ok=zip_ok, wide=wide)
    if found is not None:
        what, todo = found
        raise ImportFormatError(src, None, "", f"the file is {what}, not the export's text: {todo}")


class LocalClock:
    """Turns the naive wall times of an export into instants with an offset.

    Exactly one of ``tz`` (an IANA zone name such as ``"Europe/Berlin"`` or a
    POSIX TZ rule, read by :class:`calmkit.TimeZone`, or any ``tzinfo``) and ``utc_offset`` (fixed minutes
    east of UTC) must be given: an export without offsets cannot tell calmkit
    where it was written, and guessing UTC would shift every local hour.
    """

    def __init__(self, tz: Union[str, tzinfo, None], utc_offset: Optional[int]) -> None:
        if (tz is None) == (utc_offset is None):
            raise ValueError(
                "give exactly one of tz= (a zone name such as 'Europe/Berlin') and "
                "utc_offset= (minutes east of UTC): the export's times carry no offset")
        if utc_offset is not None:
            if isinstance(utc_offset, bool) or not isinstance(utc_offset, int):
                raise ValueError(f"utc_offset must be whole minutes (int), got {utc_offset!r}")
            reason = _core._offset_reason(utc_offset)  # the model's rule and words (UtcOffset)
            if reason is not None:
                raise ValueError(f"utc_offset: {reason}")
            self.zone: tzinfo = timezone(timedelta(minutes=utc_offset))
            self.fixed = True
        else:
            self.zone = zone(tz)  # IANA name, POSIX rule or tzinfo; ValueError otherwise
            self.fixed = False

    def localize(self, naive: datetime, report: ImportReport, line: Optional[int],
                 item: Optional[int], field: str) -> datetime:
        """The wall time ``naive`` in the zone, by calmkit's one rule for
        local times (:func:`calmkit.localtime.resolve`): a time inside a
        daylight-saving gap is the instant at the offset before the change, a
        time shown twice is the first occurrence; both are noted in
        ``report.adjusted``."""
        if self.fixed:
            return naive.replace(tzinfo=self.zone)
        when, note = resolve(naive, self.zone)
        if note is not None:
            report.adjusted.append(Adjusted(line, item, field, note))
        return when

    def from_epoch_ms(self, ms: float) -> datetime:
        """An instant given as milliseconds since the Unix epoch, with the
        zone's offset at that instant (never ambiguous)."""
        return (datetime.fromtimestamp(0, _UTC) + timedelta(milliseconds=ms)).astimezone(self.zone)


@dataclass(frozen=True)
class Source:
    """Where a record came from in the export: a line (CSV, XML) or an item
    (the position of a JSON event), for errors found after the record was built,
    and what reading that row added to the report's counters (see :func:`counted`),
    taken back when the journal refuses the record."""

    line: Optional[int] = None
    item: Optional[int] = None
    #: (counter, key, n): ``report.<counter>[key]`` grew by n for this row
    counted: tuple[tuple[str, str, int], ...] = ()


#: The report's counters of what rows became: a row's additions stand only
#: when its record reaches the journal.
_COUNTERS = ("mapped", "kept", "ignored")

Tally = tuple[dict[str, int], ...]


def tally(report: ImportReport) -> Tally:
    """The report's counters as they are now, to tell later what one row added
    (:func:`counted`) or to take it back (:func:`untally`)."""
    return tuple(dict(getattr(report, name)) for name in _COUNTERS)


def counted(report: ImportReport, before: Tally) -> tuple[tuple[str, str, int], ...]:
    """What the report's counters gained since ``before = tally(report)``, as
    (counter, key, n) for :attr:`Source.counted`."""
    out = []
    for name, old in zip(_COUNTERS, before):
        for key, n in getattr(report, name).items():
            if n != old.get(key, 0):
                out.append((name, key, n - old.get(key, 0)))
    return tuple(out)


def untally(report: ImportReport, before: Tally) -> None:
    """Sets the report's counters back to ``before = tally(report)``: a row
    that was skipped after it counted something counts nothing."""
    for name, old in zip(_COUNTERS, before):
        counter = getattr(report, name)
        if counter != old:
            counter.clear()
            counter.update(old)


def _take_back(report: ImportReport, where: Source) -> None:
    """Takes a refused record's row's counts back out of the report."""
    for name, key, n in where.counted:
        counter = getattr(report, name)
        counter[key] -= n
        if counter[key] <= 0:
            del counter[key]


#: Exceptions a malformed value can raise from the standard library while a
#: row is read (datetime overflow at year 1 or 9999, a float of 1e300 turned
#: into a timedelta, a 400-digit integer turned into a float, ...). Each row's
#: reading turns them into an ImportFormatError at that row.
ROW_ERRORS = (ValueError, OverflowError, TypeError, ArithmeticError, RecursionError, UnicodeError)


def row_error(src: str, where: Source, field: str, exc: BaseException) -> ImportFormatError:
    """An ImportFormatError for an unexpected exception met while reading one row."""
    if isinstance(exc, ImportFormatError):
        return exc
    what = {OverflowError: "a value out of range", RecursionError: "nested too deeply"}.get(
        type(exc), f"a value calmkit cannot read ({type(exc).__name__})")
    return ImportFormatError(src, where.line, field, f"{what}: {exc}", item=where.item)


def read_rows(table: CsvTable, src: str, report: ImportReport, *, lenient: bool,
              one_row: Callable[[int, int, list[str]], Optional[dict[str, Any]]],
              ) -> tuple[list[dict[str, Any]], list[Source]]:
    """The records of a CSV export's data rows, and where each came from.

    ``one_row(first, last, row)`` reads one row (its first and last line, its
    cells) into a record, or None for a row that is kept only in the report.
    A repeated header line, an ImportFormatError or one of ``ROW_ERRORS`` is
    that row's error: raised when strict, a skipped row in ``report`` when
    ``lenient``. A CR LF inside a cell is read as LF (the apps write LF; a
    CRLF conversion of the file adds the CR). Counts the rows, the blank
    lines and the delimiter into ``report``."""
    records: list[dict[str, Any]] = []
    sources: list[Source] = []
    for first, last, row in table.rows():
        # The apps write LF inside a quoted note; a file whose line ends were
        # converted to CRLF (git's autocrlf, unix2dos) has CR LF there too.
        # Read as LF, as a CR-only file's breaks are: one export, one note.
        row = [c.replace("\r\n", "\n") if "\r" in c else c for c in row]
        report.rows += 1
        before = tally(report)
        try:
            try:
                table.refuse_repeated_header(first, row)
                record = one_row(first, last, row)
            except ROW_ERRORS as e:
                raise row_error(src, Source(first), "", e) from None
        except ImportFormatError as e:
            if not lenient:
                raise
            untally(report, before)
            report.skip(e)
            continue
        if record is not None:
            records.append(record)
            sources.append(Source(first, counted=counted(report, before)))
    report.blank_lines = table.blank_lines
    report.delimiter = table.delimiter
    return records, sources


def _surrogate_field(record: dict[str, Any]) -> str:
    for key, value in record.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return key
    return ""


class _FieldError(ValueError):
    """A value of one field that a record class refused while being built."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


#: The record classes' message shape (include/calmkit/validate.hpp):
#: ``PLACE: field 'FIELD': REASON``.
_RULE_MESSAGE = re.compile(r".*?: field '(?P<field>[^']*)': (?P<reason>.*)", re.DOTALL)


def _rule(exc: BaseException, default_field: str) -> tuple[str, str]:
    """(field, reason) of an error a record class or ``Journal.add`` raised."""
    text = str(exc)
    m = _RULE_MESSAGE.fullmatch(text)
    if m is not None:
        return m.group("field"), m.group("reason")
    return default_field, text


def _fixed(when: datetime) -> datetime:
    """``when`` with its UTC offset as a fixed ``timezone``: the instant and
    offset are already decided (by calmkit.localtime's rule where a zone
    applied), so the record classes must not apply a zone's rule again."""
    off = when.utcoffset()
    if off is None:
        raise _FieldError("time", "a time without a UTC offset")
    return when.replace(tzinfo=timezone(off))


def _set(obj: Any, field: str, value: Any) -> None:
    try:
        setattr(obj, field, value)
    except (ValueError, TypeError, OverflowError) as e:
        raise _FieldError(*_rule(e, field)) from None


#: The record class of each journal format ``type``, and a placeholder value
#: for each argument its constructor requires (each field is then set on its
#: own, so that a refused value names its field).
_CLASSES = {"trigger": "Trigger", "reading": "Reading", "exercise": "ExerciseSession",
            "thought_record": "ThoughtRecord", "assessment": "Assessment"}
_T0 = datetime(2000, 1, 1, tzinfo=_UTC)


def _placeholder(ck: Any, kind: str) -> Any:
    if kind == "trigger":
        return ck.Trigger(id="x", time=_T0, category=ck.trigger_categories()[0][0], intensity=0)
    if kind == "reading":
        return ck.Reading(time=_T0, intensity=0)
    if kind == "exercise":
        return ck.ExerciseSession(id="x", time=_T0, end=_T0, exercise="x")
    if kind == "thought_record":
        return ck.ThoughtRecord(id="x", time=_T0, situation="x", automatic_thought="x", belief_before=0)
    return ck.Assessment(id="x", time=_T0, instrument="x", answers=[])


def _make(ck: Any, record: dict[str, Any]) -> Any:
    """The calmkit record object of ``record``: a dict of the journal format's
    fields (``type``, ``participant``, ``id``, ``time``, ...), times as aware
    datetimes (or RFC 3339 text). Built one field at a time so that a refused
    value names its field; ``time`` is set before ``end``."""
    kind = record.get("type")
    if kind not in _CLASSES:
        raise _FieldError("type", f"{kind!r} is not a record type (one of {', '.join(_CLASSES)})")
    obj = _placeholder(ck, kind)
    fields = [k for k in record if k != "type"]
    fields.sort(key=lambda k: (k == "end", k == "id"))  # time before end; id last for the messages
    if "id" not in record and kind != "reading":
        fields.append("id")
    for name in fields:
        value = record.get(name, "")
        try:
            if isinstance(value, datetime) and value.utcoffset() is not None:
                value = _fixed(value)  # its year: the record class says the model's rule
            if name == "emotions" and isinstance(value, list):
                value = [ck.EmotionRating(**e) if isinstance(e, dict) else e for e in value]
        except (ValueError, TypeError, OverflowError) as e:
            raise _FieldError(*_rule(e, name)) from None
        _set(obj, name, value)
    return obj


def _quick(ck: Any, record: dict[str, Any]) -> Any:
    """The record object built in one call, or None when a value is refused
    (then :func:`_make` builds it field by field to name the field)."""
    kind = record.get("type")
    if kind not in ("reading", "exercise"):
        return None
    kwargs = {k: v for k, v in record.items() if k != "type"}
    for name in ("time", "end"):
        when = kwargs.get(name)
        if when is not None:
            if not isinstance(when, datetime) or when.utcoffset() is None:
                return None
            kwargs[name] = _fixed(when)
    try:
        return getattr(ck, _CLASSES[kind])(**kwargs)
    except (ValueError, TypeError, OverflowError):
        return None


def _order(obj: Any) -> tuple[str, datetime, str]:
    return (obj.participant, obj.time.astimezone(_UTC), obj.id)


def build_journal(records: list[dict[str, Any]], source: str, *,
                  sources: Optional[list[Source]] = None, report: Optional[ImportReport] = None,
                  lenient: bool = False) -> Any:
    """A calmkit.Journal of ``records``, handed over as record objects (no
    JSON text in between).

    Each record is a dict of the journal format's fields with its times as
    aware datetimes. It becomes a ``calmkit.Reading`` or
    ``calmkit.ExerciseSession`` field by field and enters the journal through
    ``Journal.add``, so every rule of the model (ranges, years 1400..9999,
    `end` >= `time`, unique ids, ...) is enforced by the code every other
    entry point uses (include/calmkit/validate.hpp). ``sources[i]`` says where
    record ``i`` came from, so an error names the export's line (or JSON
    item) and the field. Strict mode raises the error of the earliest record
    in the export; in lenient mode each refused record is skipped, listed in
    ``report.skipped`` and the rest imported, and what its row added to
    ``report.mapped``, ``kept`` and ``ignored`` (``Source.counted``) is taken
    back: those count only what reached the journal.
    """
    ck = _core
    where = sources if sources is not None else [Source() for _ in records]
    errors: list[ImportFormatError] = []
    refused: list[Source] = []
    built: list[tuple[Any, Source]] = []
    for record, loc in zip(records, where):
        field = _surrogate_field(record)
        try:
            if field:
                raise _FieldError(field, (
                    "text holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), "
                    "which is not a character"))
            built.append((_quick(ck, record) or _make(ck, record), loc))
        except _FieldError as e:
            errors.append(ImportFormatError(source, loc.line, e.field, e.reason, item=loc.item))
            refused.append(loc)
    try:  # all at once when every record keeps the rules (the usual case)
        journal = ck.Journal([obj for obj, _ in built])
        built = []
    except ValueError:
        journal = ck.Journal()
    # Else one at a time, to know which records break which rule: added in the
    # journal's own order, each add is an append (no insertion into the
    # middle); a refused record leaves the journal unchanged.
    built.sort(key=lambda pair: _order(pair[0]))
    for obj, loc in built:
        try:
            journal.add(obj)
        except ValueError as e:
            field, reason = _rule(e, "")
            errors.append(ImportFormatError(source, loc.line, field, reason, item=loc.item))
            refused.append(loc)
    if errors:
        errors.sort(key=lambda k: (k.line if k.line is not None else -1, k.item if k.item is not None else -1))
        if not lenient or report is None:
            raise errors[0]
        for err in errors:
            report.skip(err)
        for loc in {id(loc): loc for loc in refused}.values():  # a row's counts once, however many records
            _take_back(report, loc)
        # keep the report in the order of the source
        report.skipped.sort(key=lambda k: (k.line if k.line is not None else -1,
                                           k.item if k.item is not None else -1))
    return journal


class IdMaker:
    """Unique, stable record ids: ``prefix-<UTC time>``, with ``-2``, ``-3``
    for sessions starting in the same second, so importing the same export
    twice gives the same ids. The suffixes go by each record's ``key`` (its
    end, source, ...: what tells two such records apart), never by their
    order in the file, so a re-export in another order gives the same ids."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._groups: dict[str, list[tuple[Any, dict[str, Any]]]] = {}

    def claim(self, record: dict[str, Any], when: datetime, key: Any) -> None:
        """Gives ``record`` its id now (``prefix-<UTC time>``); :meth:`assign`
        adds the suffixes once every record is known."""
        base = f"{self.prefix}-{when.astimezone(_UTC):%Y%m%dT%H%M%SZ}"
        record["id"] = base
        self._groups.setdefault(base, []).append((key, record))

    def assign(self) -> None:
        """Suffixes ``-2``, ``-3`` ... for ids claimed more than once, in the order of their keys."""
        for base, group in self._groups.items():
            if len(group) > 1:
                group.sort(key=lambda pair: pair[0])
                for n, (_, record) in enumerate(group, start=1):
                    record["id"] = base if n == 1 else f"{base}-{n}"
