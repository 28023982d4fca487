"""Reading CSV files that people and spreadsheets have handled: the one CSV
reader behind every CSV importer (Daylio, Bearable, ``calmkit.import_csv``).

An app's export rarely reaches calmkit untouched. Opened and saved again by
Excel, LibreOffice Calc, Numbers or Google Sheets, it comes back with habits
of its own, and each is accepted here (docs/importing.md, "Files that went
through a spreadsheet", lists them with the bug reports they come from):

- a UTF-8 byte-order mark before the header (Excel's "CSV UTF-8");
- CRLF line ends (any of ``\\r\\n``, ``\\n`` inside one file);
- ``;`` or tab as the separator (Excel in locales whose decimal mark is a
  comma, e.g. German or French, writes ``;``; "Unicode text" is tab
  separated). The separator is detected from the header line by
  :func:`detect_delimiter`; an error about the header names the separator
  that was used, so a wrong guess is visible;
- rows whose fields are all empty (``,,,,``), left by deleted rows or a
  formatted range: skipped and listed in :attr:`CsvTable.blank_lines`,
  never an error;
- empty columns after the last one (``a,b,c,,``) on the header and on rows;
- times re-formatted with seconds or a 12-hour clock (``21:14:00``,
  ``9:02:00 AM``, ``9:02 p.m.``): see :func:`parse_clock_time`.

A UTF-16 file with a byte-order mark (Excel's "Unicode text": tab separated)
is read as UTF-16; the mark leaves nothing to guess.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

from . import _core

if TYPE_CHECKING:
    from .importers.report import ImportFormatError


def _format_error(path: Any, line: int, field_name: str, reason: str) -> ImportFormatError:
    # Imported here: calmkit.importers imports this module while it initialises.
    from .importers.report import ImportFormatError

    return ImportFormatError(str(path), line, field_name, reason)

__all__ = [
    "AM_MARKERS",
    "DELIMITERS",
    "PM_MARKERS",
    "CsvRow",
    "CsvTable",
    "decoded_lines",
    "delimiter_name",
    "detect_delimiter",
    "parse_clock_time",
    "parse_date",
    "read_table",
]

#: Separators a CSV file may use, in order of preference when the header does
#: not decide: comma, semicolon, tab.
DELIMITERS: tuple[str, ...] = (",", ";", "\t")

#: Markers of a 12-hour clock read as before noon, compared after lower-casing
#: and removing spaces and dots: ``AM``, ``am``, ``a.m.``, ``a. m.`` (Spanish
#: and Latin American locales), ``a`` (a short form some apps write), and the
#: day periods of other locales' Excel, Numbers and Google Sheets: Japanese
#: ``午前``, Chinese ``上午``, Korean ``오전`` (written before or after the
#: time), Turkish ``ÖÖ``, Greek ``π.μ.`` (BrightspaceUI/intl#40, iamkun/dayjs#2442).
AM_MARKERS: frozenset[str] = frozenset({"am", "a", "午前", "上午", "오전", "öö", "πμ"})
#: Markers read as after noon, compared the same way: ``PM``, ``pm``, ``p.m.``,
#: ``p. m.``, ``p``, ``午後``, ``下午``, ``오후``, ``ÖS``, ``μ.μ.``.
PM_MARKERS: frozenset[str] = frozenset({"pm", "p", "午後", "下午", "오후", "ös", "μμ"})
#: Day periods whose locales count the 12-hour clock from 0 (Japanese
#: ``午後0:15`` is 12:15; CLDR's ``K`` pattern), so an hour of 0 is accepted with them.
_FROM_ZERO = frozenset({"午前", "午後"})
#: Day periods written before the time (CLDR ``a h:mm`` in Japanese, Chinese and Korean).
_BEFORE = frozenset({"午前", "午後", "上午", "下午", "오전", "오후"})

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?")
_SPACES = str.maketrans("", "", " .\u00a0\u202f")


def delimiter_name(delimiter: str) -> str:
    """``','`` → ``"',' (comma)"``, for messages."""
    names = {",": "comma", ";": "semicolon", "\t": "tab"}
    shown = "\\t" if delimiter == "\t" else delimiter
    return f"'{shown}' ({names.get(delimiter, 'separator')})"


def parse_clock_time(text: str) -> Optional[time]:
    """A wall-clock time as written by an app or a spreadsheet, or None.

    Accepted: ``H:MM`` and ``HH:MM`` (24-hour), the same with seconds
    (``21:14:00``; a fraction of a second, ``21:14:00.000``, is dropped), and
    a 12-hour clock with an AM/PM marker after it, with or without a space,
    in any case, with or without dots (``9:02 PM``, ``9:02pm``, ``9:02:00 AM``,
    ``9:02 p.m.``, ``9:02 p. m.``), or the day period of an East Asian locale
    before or after it (``午後9:02:00``, ``오후 9:02``, ``9:02 午後``); see
    :data:`AM_MARKERS` and :data:`PM_MARKERS`. A leading apostrophe (a
    spreadsheet's mark for "text, not a number") is ignored. ``12:xx AM`` is just after midnight and ``12:xx PM``
    just after noon. Anything else (``25:00``, ``13:00 PM``, ``0:30 AM``) is
    None: the caller names the field in its error.
    """
    t = text.strip().lstrip("'")  # a leading apostrophe: the spreadsheet's "keep this as text"
    m = _CLOCK.search(t)
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    before = t[:m.start()].translate(_SPACES).lower()
    after = t[m.end():].translate(_SPACES).lower()
    if before and after:
        return None
    marker = before or after
    if before and marker not in _BEFORE:
        return None  # only the East Asian day periods come before the time
    if minute > 59 or second > 59:
        return None
    if marker == "":
        return time(hour, minute, second) if hour <= 23 else None
    if not (0 if marker in _FROM_ZERO else 1) <= hour <= 12:
        return None
    if marker in AM_MARKERS:
        return time(0 if hour == 12 else hour, minute, second)
    if marker in PM_MARKERS:
        return time(12 if hour == 12 else hour + 12, minute, second)
    return None


_YEAR_FIRST = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})\.?")
_DAY_FIRST_DOTS = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_YEAR_LAST = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})")
_SERIAL = re.compile(r"\d{4,6}(?:[.,]\d+)?")


def parse_date(text: str) -> date:
    """A calendar date as an app or a spreadsheet writes it; ValueError (the
    reason, for the caller's error naming file, line and field) otherwise.

    Accepted, because each has one reading:

    - year first, with ``-``, ``/`` or ``.`` and with or without leading zeros:
      ``2026-03-05`` (ISO 8601), ``2026/03/05`` and ``2026/3/5`` (Japanese and
      Chinese locales; ribbondz/rsv#8), ``2026. 3. 5.`` (Korean, Hungarian);
    - day first with dots and a four-digit year: ``05.03.2026``, ``5.3.2026``
      (German, Russian, Polish, Turkish ... locales write D.M.Y with dots;
      Tanq16/ExpenseOwl#102, evancharlton/android-mileage#26);
    - a leading apostrophe (a spreadsheet's "keep this as text") is ignored.

    Refused with the reason: ``03/05/2026`` and ``03-05-26`` (month or day
    first? US and European locales differ, and the reading would differ by
    months: BEXIS2/Core#22, dannymcc/may#250), a two-digit year, and an Excel
    serial day number such as ``46086`` (a date column saved without its date
    format; the 1900 and 1904 date systems differ by four years:
    calpaterson/csvbase#13).
    """
    t = text.strip().lstrip("'").strip()
    m = _YEAR_FIRST.fullmatch(t)
    if m is not None:
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    elif (m := _DAY_FIRST_DOTS.fullmatch(t)) is not None:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif _YEAR_LAST.fullmatch(t):
        raise ValueError(f"{text.strip()!r} could be month/day or day/month (locales differ); save the column "
                         "as YYYY-MM-DD (a spreadsheet's ISO date format) and import again")
    elif _SERIAL.fullmatch(t):
        raise ValueError(f"{text.strip()!r} is a spreadsheet's day number, not a date (the column lost its date "
                         "format when saved); format the column as a date YYYY-MM-DD and save again")
    else:
        raise ValueError(f"{text.strip()!r} is not a date such as 2026-03-05")
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date in the calendar (year {y}, month {mo}, day {d})") from None


def _count_outside_quotes(line: str, char: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            n += 1
    return n


def detect_delimiter(header_line: str, expected: Optional[Iterable[str]] = None) -> str:
    """The separator of a CSV file, from its header line. A documented rule
    rather than :class:`csv.Sniffer` (which guesses from character frequencies
    and can pick a letter on a one-line file):

    1. when the caller knows column names to expect, the separator of
       :data:`DELIMITERS` under which the header holds the most of them
       (compared stripped and case-insensitively);
    2. otherwise (or when none matches) the one that occurs most often outside
       double quotes;
    3. a tie, or none at all (a one-column file), is a comma.
    """
    line = header_line.rstrip("\r\n")
    if expected is not None:
        want = {e.strip().casefold() for e in expected}
        best, hits = ",", 0
        for d in DELIMITERS:
            try:
                cells = next(csv.reader([line], delimiter=d), [])
            except csv.Error:  # a stray line end inside the header: counted below instead
                continue
            n = sum(1 for c in cells if c.strip().casefold() in want)
            if n > hits:
                best, hits = d, n
        if hits:
            return best
    counts = [(_count_outside_quotes(line, d), -i, d) for i, d in enumerate(DELIMITERS)]
    n, _, d = max(counts)
    return d if n > 0 else ","


def _binary_lines(f: BinaryIO) -> Iterator[bytes]:
    """The raw lines of a file opened in binary mode, each with its line end.
    Lines end at LF or CRLF; a file whose start holds a CR but no LF uses
    classic Mac line ends (Excel for Mac's "CSV (Macintosh)"), and its lines
    end at each CR, read as LF (so a line break inside a quoted note is the
    same "\\n" as in the app's own export)."""
    head = f.peek(8192) if hasattr(f, "peek") else b""  # type: ignore[attr-defined]
    if b"\r" not in head or b"\n" in head:
        yield from f
        return
    # The bytes not yet split into lines; each chunk is searched once, so a
    # line of any length costs time in proportion to its length (splitting
    # the whole remainder again at each chunk made a long line quadratic).
    rest = bytearray()
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        at = len(rest)
        rest += chunk
        start = 0
        while True:
            cr = rest.find(b"\r", at)
            if cr < 0:
                break
            yield bytes(rest[start:cr]) + b"\n"
            start = at = cr + 1
        del rest[:start]
    if rest:
        yield bytes(rest)


def _utf16_lines(path: Path, f: BinaryIO, encoding: str = "utf-16") -> Iterator[str]:
    """The lines of a UTF-16 file with a byte-order mark: Excel's "Unicode
    text" (tab separated, CRLF; qbicsoftware/data-manager-app#588,
    HKUDS/Vibe-Trading#865). The mark says the byte order, so nothing is
    guessed. Text that is not valid UTF-16 (a lone surrogate, an odd byte at
    the end) is an error naming its line. Also the reader of any other
    ``encoding`` whose line end is not the one byte 0x0A (``utf-16-le``
    without a mark, ``utf-32``): such text is decoded before it is split into
    lines, and a byte-order mark the codec leaves in is dropped."""
    text = io.TextIOWrapper(f, encoding=encoding, newline="")  # a BOM is read and dropped by utf-16 / utf-32
    done = 0  # lines read so far, for the error's line number
    try:
        for line in text:  # lines end at LF, CRLF or a lone CR (Excel for Mac), as for UTF-8
            done += 1
            yield line[1:] if done == 1 and line.startswith("\ufeff") else line
    except UnicodeDecodeError as e:
        raise _format_error(path, done + 1, "", f"bytes not valid {'UTF-16' if encoding == 'utf-16' else encoding} ({e.reason})") from None
    finally:
        text.detach()


def _splits_at_newline_byte(encoding: str) -> bool:
    """Whether text in ``encoding`` can be cut into lines at the byte 0x0A
    before decoding: true of UTF-8, Latin-1, cp1252 and the other
    ASCII-compatible encodings, false of UTF-16 and UTF-32, where a line end
    is two or four bytes and 0x0A occurs inside other characters."""
    try:
        return "\n".encode(encoding) == b"\n" and "a,;\t\"".encode(encoding) == b"a,;\t\""
    except (UnicodeError, LookupError):
        return False


def decoded_lines(path: Path, encoding: str, lenient: bool, bad: set[int]) -> Iterator[str]:
    """The file's lines, decoded one at a time so that a decoding error names
    its line. A UTF-8 byte-order mark is dropped; a file starting with a UTF-16
    byte-order mark is read as UTF-16 whatever ``encoding`` says; an
    ``encoding`` whose line end is not the byte 0x0A (``utf-16-le``,
    ``utf-32``) is decoded before the text is cut into lines. In
    lenient mode an undecodable line is decoded with U+FFFD replacements and
    its number added to ``bad`` (the caller skips the row)."""
    _core._utf8_text(encoding, "encoding")  # a lone surrogate: ValueError naming it
    try:
        is_utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    with open(path, "rb") as f:
        if not _splits_at_newline_byte(encoding):
            yield from _utf16_lines(path, f, encoding)
            return
        if f.peek(2)[:2] in (b"\xff\xfe", b"\xfe\xff"):
            yield from _utf16_lines(path, f)
            return
        for n, raw in enumerate(_binary_lines(f), 1):
            if n == 1:
                if raw.startswith(b"\xef\xbb\xbf") and is_utf8:
                    raw = raw[3:]
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as e:
                if not lenient:
                    raise _format_error(path, n, "", (
                        f"bytes not valid {encoding} (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                        f"pass encoding= if the file was re-saved in another encoding")) from None
                bad.add(n)
                yield raw.decode(encoding, errors="replace")


class CsvRow(NamedTuple):
    """One data row: the line it starts on, the line it ends on (a quoted
    field may span lines) and its fields (trailing empty columns beyond the
    header removed)."""

    first: int
    last: int
    fields: list[str]


def _is_blank(row: Sequence[str]) -> bool:
    return all(not c.strip() for c in row)


@dataclass
class CsvTable:
    """A CSV file read by :func:`read_table`: its header and, by iterating
    :meth:`rows`, its data rows.

    ``header`` is None for a file with no non-blank row. ``bad_lines`` holds
    the lines lenient decoding replaced bytes in (a row touching one should
    be skipped), ``blank_lines`` the first line of every all-empty row passed
    over.
    """

    path: Path
    delimiter: str
    header: Optional[list[str]]
    header_line: int
    bad_lines: set[int] = field(default_factory=set)
    blank_lines: list[int] = field(default_factory=list)
    _rows: Optional[Iterator[tuple[int, int, list[str]]]] = None

    def header_error(self, message: str) -> ImportFormatError:
        """An error about the header that names the separator it was split
        with, so a file with another separator says so."""
        return _format_error(self.path, self.header_line, "", (
            f"{message} (the header was split at {delimiter_name(self.delimiter)}; "
            f"a CSV file may use ',', ';' or tab)"))

    def layout(self, header: Sequence[str], layouts: Mapping[str, Sequence[str]], app: str) -> str:
        """The name of the layout in ``layouts`` (name -> its columns) that
        ``header`` is written in. Duplicated, unknown or missing columns are a
        :meth:`header_error` naming them, measured against the closest layout:
        calmkit never guesses which of two columns holds a value."""
        seen: set[str] = set()
        dups = [c for c in header if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
        if dups:
            raise self.header_error((
                f"the header names column(s) {', '.join(repr(c) for c in dict.fromkeys(dups))} more than once; "
                "calmkit will not guess which one holds the value"))
        for name, columns in layouts.items():
            if set(columns) == seen:
                return name
        best = min(layouts.values(), key=lambda cols: len(set(cols) ^ seen))
        missing = [c for c in best if c not in seen]
        unknown = [c for c in header if c not in best]
        parts = []
        if unknown:
            parts.append(f"unknown column(s) {', '.join(repr(c) for c in unknown)}")
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        raise self.header_error(
            f"not a {app} export header ({'; '.join(parts)}); {app} writes "
            + " or ".join(",".join(cols) for cols in layouts.values()))

    def refuse_repeated_header(self, first: int, row: Sequence[str]) -> None:
        """Raises :class:`~calmkit.ImportFormatError` if the data row starting
        at line ``first`` repeats the header (a byte-order mark and case
        aside): two exports joined into one file, which otherwise reads as a
        date column holding the word ``full_date``. Importers call it inside
        their per-row handling, so ``lenient`` skips the row like any other."""
        if self.header is None:
            return

        def norm(cells: Sequence[str]) -> list[str]:
            return [c.lstrip("\ufeff").strip().casefold() for c in cells]

        if norm(row) == norm(self.header):
            raise _format_error(self.path, first, "", (
                f"this row repeats the header of line {self.header_line}: two exports joined into one "
                "file? Import each export on its own, or delete the second header row"))

    def rows(self) -> Iterator[CsvRow]:
        """The data rows after the header, all-empty rows skipped."""
        width = len(self.header) if self.header is not None else 0
        for first, last, row in self._rows or iter(()):
            if _is_blank(row):
                self.blank_lines.append(first)
                continue
            while len(row) > width and not row[-1].strip():
                row.pop()
            yield CsvRow(first, last, row)


def _allow_fields_of_any_length() -> None:
    """Python's csv module refuses a field over 128 KiB by default ("field
    larger than field limit", which read as a truncated file); a long Daylio
    note is still a note. The limit is process-wide in the csv module, so it
    is only ever raised, never lowered back under another reader's feet."""
    if csv.field_size_limit() < sys.maxsize:
        csv.field_size_limit(sys.maxsize)


def _raw_rows(path: Path, lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    _allow_fields_of_any_length()
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    prev = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _format_error(path, prev + 1, "", (
                f"CSV syntax error ({e}); the file may be truncated or have an unclosed quote")) from None
        first, prev = prev + 1, reader.line_num
        if not row:  # a blank line holds no data
            continue
        yield first, prev, row


def read_table(path: Union[str, Path], *, encoding: str = "utf-8", lenient: bool = False,
               expected: Optional[Iterable[str]] = None, delimiter: Optional[str] = None) -> CsvTable:
    """Opens a CSV file and reads its header (the first row with a non-empty
    field). ``expected`` (column names the caller knows) helps
    :func:`detect_delimiter`; ``delimiter`` skips the detection.

    Raises :class:`~calmkit.ImportFormatError` (path, line) for bytes that do
    not decode (strict mode), a UTF-16 file, or a CSV syntax error such as a
    quote that never closes.

    Example::

        table = calmkit.csv_input.read_table("daylio_export.csv", expected=["full_date", "time"])
        for row in table.rows():
            print(row.first, row.fields)
    """
    path = Path(path)
    bad: set[int] = set()
    lines = decoded_lines(path, encoding, lenient, bad)
    held: list[str] = []
    for line in lines:
        held.append(line)
        if line.strip(" \t\r\n,;"):
            break
    if delimiter is None:
        delimiter = detect_delimiter(held[-1], expected) if held else ","
    elif delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {', '.join(map(delimiter_name, DELIMITERS))}")

    def chained() -> Iterator[str]:
        yield from held
        yield from lines

    table = CsvTable(path, delimiter, None, 0, bad)
    raw = _raw_rows(path, chained(), delimiter)
    for first, _last, row in raw:
        if _is_blank(row):
            table.blank_lines.append(first)
            continue
        while row and not row[-1].strip():
            row.pop()
        table.header, table.header_line = row, first
        break
    table._rows = raw
    return table
