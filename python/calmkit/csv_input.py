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

A UTF-16 file (Excel's "Unicode text") is refused with a clear error: its
bytes cannot be read line by line as UTF-8.
"""
from __future__ import annotations

import codecs
import csv
import re
import sys
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

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
    "read_table",
]

#: Separators a CSV file may use, in order of preference when the header does
#: not decide: comma, semicolon, tab.
DELIMITERS: tuple[str, ...] = (",", ";", "\t")

#: Markers of a 12-hour clock read as before noon, compared after lower-casing
#: and removing spaces and dots: ``AM``, ``am``, ``a.m.``, ``a. m.`` (Spanish
#: and Latin American locales), ``a`` (a short form some apps write).
AM_MARKERS: frozenset[str] = frozenset({"am", "a"})
#: Markers read as after noon, compared the same way: ``PM``, ``pm``, ``p.m.``,
#: ``p. m.``, ``p``.
PM_MARKERS: frozenset[str] = frozenset({"pm", "p"})

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?")


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
    ``9:02 p.m.``, ``9:02 p. m.``); see :data:`AM_MARKERS` and
    :data:`PM_MARKERS`. ``12:xx AM`` is just after midnight and ``12:xx PM``
    just after noon. Anything else (``25:00``, ``13:00 PM``, ``0:30 AM``) is
    None: the caller names the field in its error.
    """
    t = text.strip()
    m = _CLOCK.match(t)
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    marker = t[m.end():].replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(".", "").lower()
    if minute > 59 or second > 59:
        return None
    if marker == "":
        return time(hour, minute, second) if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    if marker in AM_MARKERS:
        return time(0 if hour == 12 else hour, minute, second)
    if marker in PM_MARKERS:
        return time(12 if hour == 12 else hour + 12, minute, second)
    return None


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
    rest = b""
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        rest += chunk
        *done, rest = rest.split(b"\r")
        for line in done:
            yield line + b"\n"
    if rest:
        yield rest


def decoded_lines(path: Path, encoding: str, lenient: bool, bad: set[int]) -> Iterator[str]:
    """The file's lines, decoded one at a time so that a decoding error names
    its line. A UTF-8 byte-order mark is dropped; a UTF-16 file is refused. In
    lenient mode an undecodable line is decoded with U+FFFD replacements and
    its number added to ``bad`` (the caller skips the row)."""
    try:
        is_utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    with open(path, "rb") as f:
        for n, raw in enumerate(_binary_lines(f), 1):
            if n == 1:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise _format_error(path, 1, "", (
                        "the file is UTF-16 (a spreadsheet's 'Unicode text'); save it as "
                        "'CSV UTF-8' or pass the encoding its bytes are in"))
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
