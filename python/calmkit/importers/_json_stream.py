"""One JSON document read from a file a piece at a time (the mindLAMP importer's reader).

An export of a year of events is hundreds of megabytes; ``json.loads`` holds
the file's bytes, its text and every event as Python objects at once. This
reader holds the piece of text it is decoding: each value is decoded by the
standard library's own decoder (``json.JSONDecoder.raw_decode``, the same
grammar, numbers, ``object_pairs_hook`` and limits as ``json.loads``), and
the structure around the values the caller streams (an array's items, an
object's members) is read here. The text is read in pieces of
:data:`CHUNK` bytes; a value longer than what is held is decoded again with
twice the text, so a value costs at most about three times its own length.

Errors are those of ``json.loads`` on the whole file, with the line and
column counted from the file's start: :class:`JsonSyntaxError` (``msg``,
``line``, ``column``), ``UnicodeDecodeError`` (``start``: the byte offset in
the file), and whatever the decoder or the hook raise (``RecursionError``,
and :class:`JsonValueError` for an integer of too many digits).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import IO, Any, Callable, Iterator, Optional

#: Bytes read at a time.
CHUNK = 1 << 20
#: A decoding error this close to the end of the text held may be the end of
#: the piece, not of the value (a literal or an escape cut in two): more text
#: is read and the value decoded again before the error is believed.
_TAIL = 64
_WS = re.compile(r"[ \t\n\r]*")
_BOM = codecs.BOM_UTF8


class JsonSyntaxError(ValueError):
    """Text that is not JSON: ``msg`` as ``json.JSONDecodeError`` words it, at
    ``line`` and ``column`` (1-based, counted in characters) of the file."""

    def __init__(self, msg: str, line: int, column: int) -> None:
        super().__init__(f"{msg}: line {line} column {column}")
        self.msg = msg
        self.line = line
        self.column = column


class JsonValueError(ValueError):
    """JSON that Python cannot hold (``json.loads``'s plain ValueError: an
    integer of more digits than ``sys.get_int_max_str_digits()``)."""


class JsonStream:
    """The JSON text of the binary file ``f``, decoded as UTF-8 (a leading
    byte order mark read past, as ``bytes.decode("utf-8-sig")`` does) and
    read value by value. ``object_pairs_hook``: as for ``json.loads``;
    ``chunk``: the bytes read at a time (:data:`CHUNK`)."""

    def __init__(self, f: IO[bytes], object_pairs_hook: Optional[Callable[[list[tuple[str, Any]]], Any]] = None,
                 chunk: Optional[int] = None) -> None:
        self._f = f
        self._chunk = CHUNK if chunk is None else chunk
        self._decoder = json.JSONDecoder(object_pairs_hook=object_pairs_hook)
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._pending = b""      # the bytes of a character cut by the end of a piece
        self._offset = 0         # the file offset of the first byte of `_pending`
        self._line = 1           # the line and column of `_buf[0]`
        self._column = 1
        head = f.read(len(_BOM))
        if head == _BOM:
            self._offset = len(_BOM)
        else:
            self._pending = head
        self._unexpected_bom()

    # --- the text held ---

    def _more(self) -> None:
        """Reads the next piece (at least as much as is held, so a long value
        is decoded a few times, not once per piece), after dropping the text
        before the current position."""
        if self._pos:
            done = self._buf[:self._pos]
            newlines = done.count("\n")
            if newlines:
                self._line += newlines
                self._column = len(done) - done.rfind("\n")
            else:
                self._column += len(done)
            self._buf = self._buf[self._pos:]
            self._pos = 0
        raw = self._f.read(max(self._chunk, len(self._buf)))
        data = self._pending + raw
        self._eof = not raw
        try:
            text, used = codecs.utf_8_decode(data, "strict", self._eof)
        except UnicodeDecodeError as e:
            raise UnicodeDecodeError(e.encoding, e.object, self._offset + e.start, self._offset + e.end,
                                     e.reason) from None
        self._pending = data[used:]
        self._offset += used
        self._buf += text

    def _where(self, pos: int) -> tuple[int, int]:
        """The file's line and column of ``_buf[pos]``."""
        newlines = self._buf.count("\n", 0, pos)
        if not newlines:
            return self._line, self._column + pos
        return self._line + newlines, pos - self._buf.rfind("\n", 0, pos)

    def _fail(self, msg: str, pos: Optional[int] = None) -> JsonSyntaxError:
        return JsonSyntaxError(msg, *self._where(self._pos if pos is None else pos))

    def _unexpected_bom(self) -> None:
        """``json.loads``'s refusal of a second byte order mark at the start."""
        while not self._buf and not self._eof:
            self._more()
        if self._buf.startswith("\ufeff"):
            raise self._fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)

    def peek(self) -> str:
        """The next character after white space ('' at the end of the file)."""
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if self._eof:
                return ""
            self._more()

    def _take(self, char: str, msg: str) -> None:
        if self.peek() != char:
            raise self._fail(msg)
        self._pos += 1

    # --- values ---

    def value(self) -> Any:
        """The next value, decoded as ``json.loads`` decodes it."""
        if self.peek() == "":
            raise self._fail("Expecting value")
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as e:
                if not self._eof and (e.msg.startswith("Unterminated string") or len(self._buf) - e.pos <= _TAIL):
                    self._more()
                    continue
                raise self._fail(e.msg, e.pos) from None
            except ValueError as e:
                if type(e) is not ValueError:  # the hook's own error
                    raise
                raise JsonValueError(str(e)) from None  # an integer of more than 4300 digits
            if not self._eof and (end == len(self._buf) or (
                    len(self._buf) - end <= _TAIL and type(value) in (int, float))):
                self._more()  # a number ("1.5e" of "1.5e3") may go on in the next piece
                continue
            self._pos = end
            return value

    def skip(self) -> None:
        """Reads past the next value; an array's items are read one at a time."""
        if self.peek() == "[":
            for _ in self.items():
                pass
        else:
            self.value()

    def items(self) -> Iterator[Any]:
        """The items of the array that starts here, decoded one at a time."""
        self._take("[", "Expecting value")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            c = self.peek()
            self._pos += 1
            if c == "]":
                return
            if c != ",":
                self._pos -= 1
                raise self._fail("Expecting ',' delimiter")

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here, in the file's order; after
        each key the caller reads its value (:meth:`value`, :meth:`skip` or
        :meth:`items`) before asking for the next key."""
        self._take("{", "Expecting value")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self._fail("Expecting property name enclosed in double quotes")
            key = self.value()
            self._take(":", "Expecting ':' delimiter")
            yield key
            c = self.peek()
            self._pos += 1
            if c == "}":
                return
            if c != ",":
                self._pos -= 1
                raise self._fail("Expecting ',' delimiter")

    def end(self) -> None:
        """Nothing but white space is left (``json.loads``'s "Extra data" otherwise)."""
        if self.peek() != "":
            raise self._fail("Extra data")
