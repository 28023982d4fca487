"""Which app wrote an export: read from the file itself (its header, root
element or zip content), for ``calmkit import FILE`` without a format."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path
from typing import Optional, Union

from ..csv_input import detect_delimiter
from ._common import what_file_is
from .apple_health import _pick_member
from .report import ImportFormatError

__all__ = ["detect_format"]

_SNIFF = 64 * 1024  # bytes read to recognise a file


def _zip_format(path: Path, src: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            # The Health app names export.xml in the phone's language (exportar.xml,
            # eksport.xml, 导出.xml, ...): the one found by content counts too.
            _pick_member(z, src)
            return "apple_health"
    except ImportFormatError:
        pass
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as e:
        raise ImportFormatError(src, None, "", f"not a readable zip file ({e})") from None
    raise ImportFormatError(src, None, "", (
        "a zip without an Apple Health export.xml: calmkit reads the Apple Health export.zip; unpack other "
        "apps' archives (a Daylio .daylio backup is one) and import the export file itself"))


#: Column names the CSV importers' headers hold, to detect the separator by (calmkit.csv_input).
_CSV_NAMES = ("full_date", "year", "date", "weekday", "time", "mood", "time of day", "rating/amount", "category")


def _csv_format(text: str) -> Optional[str]:
    """``"daylio"`` or ``"bearable"`` from the first line that is not a row of
    empty fields (a spreadsheet leaves those), split at the separator
    calmkit.csv_input detects (``,``, ``;`` or tab); None otherwise."""
    lines = [ln for ln in text.splitlines() if ln.strip(" \t,;")]
    if not lines:
        return None
    first = lines[0]
    try:
        cells = next(csv.reader(io.StringIO(first), delimiter=detect_delimiter(first, _CSV_NAMES)), [])
    except csv.Error:
        cells = []
    header = [c.strip().lower() for c in cells]
    if "full_date" in header or header[:3] == ["year", "date", "weekday"]:
        return "daylio"
    if "time of day" in header and "rating/amount" in header:
        return "bearable"
    return None


def detect_format(path: Union[str, Path]) -> str:
    """The importer for ``path``: ``"daylio"``, ``"bearable"``,
    ``"apple_health"`` or ``"mindlamp"``.

    Recognised by content, never by file name: a zip holding ``export.xml``
    or XML whose root element is ``<HealthData>`` is Apple Health; JSON (an
    array, or an object with ``events``) is mindLAMP; a CSV header with
    ``full_date`` or ``year,date,weekday`` is Daylio, one with ``time of day``
    and ``rating/amount`` is Bearable.

    Raises :class:`ImportFormatError` naming the file when it is none of these.
    """
    path = Path(path)
    src = str(path)
    with open(path, "rb") as f:
        head = f.read(_SNIFF)
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path, src)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" of an app's CSV export: its importer reads UTF-16 (calmkit.csv_input).
        csv_format = _csv_format(head[:len(head) - len(head) % 2].decode("utf-16", errors="replace"))
        if csv_format is not None:
            return csv_format
    found = what_file_is(head)
    if found is not None:
        raise ImportFormatError(src, None, "", f"the file is {found[0]}, not an export calmkit reads: {found[1]}")
    text = head.decode("utf-8", errors="replace")
    if head.startswith(codecs.BOM_UTF8):
        text = text[1:]
    stripped = text.lstrip()
    if stripped.startswith("<"):
        # The root element: the first start tag after the prolog.
        i = 0
        while True:
            i = stripped.find("<", i)
            if i < 0 or i + 1 >= len(stripped):
                break
            nxt = stripped[i + 1]
            if nxt in "?!":
                i += 1
                continue
            name = stripped[i + 1:].split(None, 1)[0].split(">", 1)[0].split("/", 1)[0]
            if name == "HealthData":
                return "apple_health"
            raise ImportFormatError(src, None, "", (
                f"XML with root element <{name}>: calmkit reads Apple Health's export.xml (<HealthData>)"))
        # A prolog longer than the bytes read (Apple's DOCTYPE is about 10 KiB).
        if "<!DOCTYPE HealthData" in stripped:
            return "apple_health"
        raise ImportFormatError(src, None, "", "XML without a root element in its first 64 KiB")
    if stripped.startswith(("[", "{")):
        return "mindlamp"
    csv_format = _csv_format(text)
    if csv_format is not None:
        return csv_format
    first = text.splitlines()[0] if text else ""
    shown = first[:120] + ("..." if len(first) > 120 else "")
    raise ImportFormatError(src, 1, "", (
        f"cannot tell which app wrote this file (first line {shown!r}); name the format: "
        "daylio, bearable, apple-health or mindlamp"))
