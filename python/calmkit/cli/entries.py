"""Quick entries into a journal or a store: where they go, their ids and
their time (``calmkit log``, ``practice``, ``assess``)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from .. import _core, files, home, pacer
from .. import localtime as _localtime
from ..prompts import about_path, shown
from ..timezone import TimeZone
from .common import EXIT_PROBLEMS, EXIT_USAGE, Failure, read, refused_by_the_machine, write_failure, writable_parent

__all__ = ["Target", "fresh_id", "parse_time", "taken"]


def fresh_id(taken: set[str], prefix: str, when: dt.datetime) -> str:
    """A record id made from ``when`` that is not in ``taken`` (:func:`calmkit.pacer.fresh_id`)."""
    return pacer.fresh_id(taken, prefix, when)


class Target:
    """Where quick entries go: a journal file or, for paths ending in .db /
    .sqlite / .sqlite3, a store (created, owner-only, when missing). Entries are added with
    :func:`calmkit.add_record`, under the journal's lock, with their id chosen
    while the lock is held (so parallel commands never lose or clash)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = home.is_store(path)

    def check(self) -> None:
        if self.path.is_dir():
            raise Failure(f"{self.path} is a directory, not a journal", EXIT_USAGE)
        if self.path == home.journal_path():
            return  # the default journal: its folder is created on first use
        writable_parent(self.path)

    def _journal(self) -> _core.Journal:
        if self.store and self.path.exists():
            try:
                # Writable, as the entry is about to be added: a store of an
                # older schema version is migrated here (a read-only open
                # would refuse it).
                copy_note = files._store_copy_note(self.path)
                st = _core.open_store(self.path, create=False)
            except RuntimeError as e:
                if refused_by_the_machine(e):  # a full disk, a folder that cannot be written: status 3
                    raise write_failure(self.path, e) from e
                raise Failure(about_path("cannot open the store", self.path, e), EXIT_USAGE) from e
            except ValueError as e:
                raise Failure(about_path("cannot open the store", self.path, e), EXIT_USAGE) from e
            if copy_note is not None:
                print(f"calmkit: note: {copy_note}", file=sys.stderr)
            with st:
                try:
                    return st.load()
                except RuntimeError as e:  # an invalid value in it (text that is not UTF-8, ...)
                    raise Failure(str(e), EXIT_PROBLEMS) from e
        if not self.path.exists():
            return _core.Journal()
        return read(self.path, lenient=False)[0]

    def triggers(self) -> _core.TriggerTable:
        """The triggers already there."""
        return self._journal().triggers

    def ids(self, kind: str, participant: str) -> set[str]:
        """Ids taken so far (read without the lock: for an early check that
        the journal can be read, before questions are asked)."""
        return taken(self._journal(), kind, participant)

    def add(self, record: object) -> object:
        """Adds ``record`` (or ``record(journal)``, a callable run under the
        lock) and returns the record added."""
        try:
            # Under the journal's lock; a missing journal or store (and the
            # default journal's folder) is created, owner-only.
            return home.add_records(self.path, [record])[0]
        except _core.RecordError as e:  # the record breaks a rule (its own, or a link to a trigger not there)
            raise Failure(f"cannot add to {self.path}: {e}", EXIT_USAGE) from e
        except _core.JournalFormatError:
            raise  # the journal file itself is broken: status 1, left untouched
        except _core.FileError as e:
            raise write_failure(self.path, e) from e
        except ValueError as e:  # e.g. a reading naming a trigger that is not there
            raise Failure(f"cannot add to {self.path}: {e}", EXIT_USAGE) from e
        except (RuntimeError, OSError) as e:
            raise write_failure(self.path, e) from e


def taken(j: _core.Journal, kind: str, participant: str) -> set[str]:
    """The ids of ``participant``'s records of ``kind`` (trigger, reading, exercise, assessment) in ``j``."""
    table = {"trigger": j.triggers, "reading": j.readings, "exercise": j.exercises,
             "assessment": j.assessments}[kind]
    return {r.id for r in table if r.participant == participant}


def _fixed(when: dt.datetime) -> dt.datetime:
    """``when`` with its UTC offset as a fixed offset (what the journal keeps)."""
    return when.astimezone(dt.timezone(when.utcoffset() or dt.timedelta(0)))


_WITHOUT_SECONDS = re.compile(r"\A(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d)(?![:\d])(.*)\Z", re.S)
_OFFSET = re.compile(r"(?:[Zz]|[+-]\d\d:\d\d)\Z")
_RFC3339_DATE_TIME = re.compile(r"\A\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?\Z")
_PAST_MICROSECONDS = re.compile(r"(\.\d{6})\d+")


def parse_time(text: str | None, tz: str | None = None) -> dt.datetime:
    """--time: RFC 3339 with an offset, or a local date and time in ``tz``
    (``--tz``: an IANA name or a POSIX rule, :class:`calmkit.TimeZone`), by
    default this computer's time zone (``$TZ`` or /etc/localtime); default
    now, with the UTC offset of ``tz`` (else this computer's). A local time
    that does not exist or happened twice on a daylight-saving day is read by
    calmkit's one rule (calmkit.localtime) and a note on stderr says so. A
    time given with its offset keeps it, whatever ``tz`` is."""
    given = TimeZone(tz) if tz is not None else None
    if text is None:
        if given is not None:
            return _fixed(dt.datetime.now(given).replace(microsecond=0))
        return dt.datetime.now().astimezone().replace(microsecond=0)
    # The model's rule (the journal reader's time parser) once the text is
    # RFC 3339 with its seconds: its reason for a bad offset, day or year.
    full = _WITHOUT_SECONDS.sub(r"\1:00\2", text.strip())
    reason = _core._time_reason(full if _OFFSET.search(full) else full + "Z")
    if reason is not None and (_OFFSET.search(full) or _RFC3339_DATE_TIME.match(full)):
        raise Failure(f"--time {text!r}: {reason}", EXIT_USAGE)
    try:
        # Digits past the microsecond dropped, as the journal reader keeps them.
        when = dt.datetime.fromisoformat(_PAST_MICROSECONDS.sub(r"\1", text.strip()).replace("Z", "+00:00"))
    except ValueError:
        raise Failure(f"--time {text!r} is not a date and time such as 2026-03-02T21:14 or "
                      "2026-03-02T21:14:00+01:00", EXIT_USAGE) from None
    if not re.search(r"[Tt ]", text.strip()):
        # fromisoformat reads a bare date as its midnight: a time nobody typed.
        raise Failure(f"--time {text!r} has no time of day; give one, such as {text.strip()}T21:14",
                      EXIT_USAGE)
    if when.tzinfo is not None:
        off = when.utcoffset() or dt.timedelta(0)
        if off % dt.timedelta(minutes=1):
            raise Failure(f"--time {text!r}: the UTC offset {off} is not a whole number of minutes, "
                          "which the journal format needs", EXIT_USAGE)
        return when
    zone = given if given is not None else _localtime.system_zone()
    unknown = None if given is not None else _localtime.unknown_system_zone()
    if unknown is not None:
        raise Failure(f"--time {text.strip()!r} has no UTC offset and $TZ {unknown!r} is neither a time zone "
                      "this computer knows nor a POSIX rule; give the offset (such as 2026-03-02T21:14+01:00), "
                      "--tz ZONE, or set TZ to a zone such as Europe/Berlin", EXIT_USAGE)
    try:
        # No zone to name (an /etc/localtime that is a copied file): the C library reads it, by the same rule.
        when, note = _localtime.resolve(when, zone) if zone is not None else _localtime.resolve_system(when)
    except ValueError as e:
        raise Failure(f"--time {text.strip()!r}: {e}", EXIT_USAGE) from None
    if note is not None:
        print(f"calmkit: note: --time {shown(text.strip())}: {note}", file=sys.stderr)
    return _fixed(when)
