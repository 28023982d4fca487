"""Pickling for calmkit's exception classes whose ``__init__`` takes their
parts (a path, a line, a field, a reason) rather than the message.

Python pickles an exception as ``type(e)(*e.args)`` plus its ``__dict__``, and
``e.args`` is the message alone: unpickling then calls ``__init__`` with one
argument and fails, so a process pool (``concurrent.futures``) that hands the
error of a worker back to its parent breaks ("A process in the process pool
was terminated abruptly") and the message is lost. These classes are pickled
instead as their class, their ``args`` and their attributes, restored
without calling ``__init__``.
"""

from __future__ import annotations

from typing import Any


def restored(cls: type, args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """The exception of class ``cls`` with ``args`` (its message) and the
    attributes ``state``, made without calling ``cls.__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    for name, value in state.items():
        setattr(error, name, value)
    return error


class PicklableByParts:
    """Mix-in of an exception class built from its parts: ``pickle`` (and so a
    process pool) gives back an equal exception (:func:`restored`)."""

    def __reduce__(self) -> tuple[Any, ...]:
        error: Any = self
        return restored, (type(self), error.args, dict(vars(self)))
