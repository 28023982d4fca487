"""What an import did: the :class:`ImportReport`, the :class:`ImportResult`
every importer returns, and the :class:`ImportFormatError` strict mode raises.

Every importer returns ``ImportResult(journal, report)``, a named tuple, so
both ``journal, report = calmkit.import_daylio(...)`` and
``result.journal`` / ``result.report`` work. The report accounts for every
row (or XML record, or JSON event) of the source: it was mapped to a calmkit
record, kept as text inside one, kept in the report only, skipped with a
reason, or (Apple Health only) counted as a record type outside calmkit's
scope. Nothing is dropped silently.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from .._errors import PicklableByParts

__all__ = [
    "Adjusted",
    "ImportFormatError",
    "ImportReport",
    "ImportResult",
    "Skipped",
    "Unmapped",
]


#: How many adjusted values ``summary()`` lists one by one.
_LISTED = 20


def _where(path: str, line: Optional[int], item: Optional[int]) -> str:
    if line is not None:
        return f"{path}:{line}"
    if item is not None:
        return f"{path}: item {item}"
    return path


class ImportFormatError(PicklableByParts, ValueError):
    """A source file broke its format. Raised by importers in strict mode.

    The message reads ``path:line: field 'x': reason`` (or ``path: item n: ...``
    for JSON sources, where ``item`` is the 0-based position of the event in
    the array and ``field`` a JSON path inside it such as
    ``temporal_slices[2].value``; for XML, ``line`` is the line where the
    element starts and ``field`` the attribute); the same parts are attributes
    for programs. Every error an importer raises about the file's content is
    one of these: never a ``RecursionError``, ``OverflowError`` or other
    traceback.
    """

    def __init__(self, path: str, line: Optional[int], field_name: str, reason: str,
                 *, item: Optional[int] = None, value: Optional[str] = None) -> None:
        self.path = str(path)
        self.line = line
        self.item = item
        self.field = field_name
        self.reason = reason
        #: the offending value as written, when one value is to blame (an unknown
        #: mood name, say), for programs that build their own hint
        self.value = value
        where = _where(self.path, line, item)
        what = f" field '{field_name}':" if field_name else ""
        super().__init__(f"{where}:{what} {reason}")


@dataclass(frozen=True)
class Skipped:
    """A source row (record, event) that did not become part of the journal."""

    line: Optional[int]  #: 1-based line of the row's start (None for JSON sources)
    item: Optional[int]  #: 0-based array position (JSON sources), else None
    field: str  #: the offending field, "" for the row as a whole
    reason: str
    message: str  #: the same text strict mode would raise


@dataclass(frozen=True)
class Unmapped:
    """A row with no place in calmkit's model, kept verbatim in the report."""

    line: Optional[int]
    item: Optional[int]
    kind: str  #: what it is in the source (a Bearable category, a mindLAMP activity)
    content: dict[str, Any]  #: the row's source fields, unchanged


@dataclass(frozen=True)
class Adjusted:
    """A value read differently from how it was written, and why (e.g. a
    local time that fell into a daylight-saving gap)."""

    line: Optional[int]
    item: Optional[int]
    field: str
    detail: str


@dataclass
class ImportReport:
    """What one import mapped, kept, adjusted and skipped."""

    source: str  #: the path read
    format: str  #: "daylio", "bearable", "apple_health" or "mindlamp"
    #: which of the app's known layouts the file is in, detected from its header
    #: or shape (e.g. Daylio's ``"year"`` layout); "" when the app has one layout
    layout: str = ""
    rows: int = 0  #: data rows (XML records, JSON events) examined
    #: how many source items became which record, e.g. ``{"mood → reading": 12}``;
    #: only records that reached the journal (one the model refused is in ``skipped``
    #: alone), as for ``kept`` and ``ignored``
    mapped: Counter = field(default_factory=Counter)
    #: source fields kept as text inside records, e.g. ``{"activities → reading note": 9}``
    kept: Counter = field(default_factory=Counter)
    #: rows with no place in the model, kept here verbatim
    unmapped: list[Unmapped] = field(default_factory=list)
    #: rows left out, with line and reason (lenient mode, unknown activities)
    skipped: list[Skipped] = field(default_factory=list)
    #: values read differently from how they were written
    adjusted: list[Adjusted] = field(default_factory=list)
    #: Apple Health record types outside calmkit's scope (heart rate, steps, ...), counted,
    #: and fields of imported records that have no place in them (a session's sourceName)
    ignored: Counter = field(default_factory=Counter)
    #: first lines of CSV rows whose fields were all empty (a spreadsheet's
    #: leftover rows): passed over, not data and not errors
    blank_lines: list[int] = field(default_factory=list)
    #: the separator a CSV file was read with (",", ";" or tab); "" otherwise
    delimiter: str = ""
    #: things that were read but look wrong (a mood_map entry no row uses,
    #: timestamps that look like seconds where milliseconds were expected)
    warnings: list[str] = field(default_factory=list)

    # -- helpers used by the importers --------------------------------------
    def skip(self, err: ImportFormatError) -> None:
        """Records ``err`` (a row refused in a lenient import) in :attr:`skipped`,
        with its line, item, field and reason."""
        self.skipped.append(Skipped(err.line, err.item, err.field, err.reason, str(err)))

    def summary(self) -> str:
        """A few human-readable lines: counts of each outcome (:meth:`summary_lines` joined)."""
        return "\n".join(self.summary_lines())

    def summary_lines(self) -> list[str]:
        """The lines of :meth:`summary`, each one line of the summary (a value
        in it, such as a file name or an activity's name, may hold a newline:
        the command line shows each line escaped, so no value starts a line)."""
        layout = f" (layout: {self.layout})" if self.layout else ""
        rows = f"{self.rows} row{'' if self.rows == 1 else 's'}"
        lines = [f"{self.format} import of {self.source}{layout}: {rows} examined"]
        for k, n in sorted(self.mapped.items()):
            lines.append(f"  mapped   {n:6d}  {k}")
        for k, n in sorted(self.kept.items()):
            lines.append(f"  kept     {n:6d}  {k}")
        if self.unmapped:
            kinds = Counter(u.kind for u in self.unmapped)
            for k, n in sorted(kinds.items()):
                lines.append(f"  unmapped {n:6d}  {k} (kept in report.unmapped)")
        for k, n in sorted(self.ignored.items()):
            lines.append(f"  ignored  {n:6d}  {k}")
        if self.adjusted:
            # Listed, not only counted: on the command line there is no report object to look in.
            lines.append(f"  adjusted {len(self.adjusted):6d}  values read differently from how they were written:")
            for a in self.adjusted[:_LISTED]:
                what = f" field '{a.field}':" if a.field else ""
                lines.append(f"           {_where(self.source, a.line, a.item)}:{what} {a.detail}")
            if len(self.adjusted) > _LISTED:
                lines.append(f"           ... and {len(self.adjusted) - _LISTED} more (report.adjusted in Python)")
        if self.blank_lines:
            lines.append(f"  blank    {len(self.blank_lines):6d}  rows of empty fields passed over "
                         f"(lines {', '.join(map(str, self.blank_lines[:5]))}"
                         f"{', ...' if len(self.blank_lines) > 5 else ''})")
        for s in self.skipped:
            lines.append(f"  skipped  {s.message}")
        for w in self.warnings:
            lines.append(f"  warning  {w}")
        return lines

    def __str__(self) -> str:
        return self.summary()


class ImportResult(NamedTuple):
    """The imported journal and the report of the import."""

    journal: Any  #: a calmkit.Journal
    report: ImportReport
