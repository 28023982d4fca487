"""Plain TypeErrors for a record class or a function called the wrong way.

The record classes (``Trigger``, ``Reading``, ...) are compiled: a call that
fits no signature (a positional argument, a required field left out, a
misspelt keyword) gets pybind11's "incompatible constructor arguments", which
lists the signature and what was passed but does not say what is wrong. A
value of the wrong type for a field is refused in C++ already, with the record,
the field and the rules' reason (a ``RecordError``); this module words the
calls themselves as Python words them for a function: which argument, and
what the class takes instead. :func:`need_journal` and :func:`need_flag` are
the same words for the Python functions' own arguments.
"""

from __future__ import annotations

import ast
import difflib
import functools
from typing import Any

from . import _core


def _fields(cls: type) -> tuple[list[str], list[str]]:
    """The keyword-only parameters of ``cls.__init__`` (required, optional),
    from the signature pybind11 writes on its docstring's first line."""
    head = (cls.__init__.__doc__ or "").split("\n", 1)[0]
    params = head[head.index("(") + 1:head.rindex(")")]
    args = ast.parse(f"def f({params}): pass").body[0].args  # type: ignore[attr-defined]
    names = [a.arg for a in args.kwonlyargs]
    required = [n for n, d in zip(names, args.kw_defaults) if d is None]
    return required, [n for n in names if n not in required]


def _problem(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    required, optional = _fields(cls)
    name = cls.__name__
    shape = f"{name}({', '.join(f'{n}=...' for n in required)}, ...)"
    if args:
        return (f"{name}() takes keyword arguments only, got {len(args)} positional "
                f"({', '.join(type(a).__name__ for a in args)}): call it as {shape}")
    unknown = [k for k in kwargs if k not in required and k not in optional]
    if unknown:
        close = difflib.get_close_matches(unknown[0], required + optional, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return (f"{name}() got an unexpected keyword argument {unknown[0]!r}{hint}; "
                f"its fields are {', '.join(required + optional)}")
    missing = [n for n in required if n not in kwargs]
    if missing:
        return (f"{name}() is missing required keyword argument{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(n) for n in missing)}: call it as {shape}")
    return None


def explain_bad_calls(cls: type) -> None:
    """Wraps ``cls.__init__`` so that a call that fits no signature raises a
    TypeError saying what is wrong (see the module's docstring); every other
    outcome, the record or a field's ``RecordError``, is the compiled one."""
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except TypeError as e:
            if "incompatible constructor arguments" not in str(e):
                raise
            problem = _problem(cls, args, kwargs)
            if problem is None:
                raise
            raise TypeError(problem) from None

    cls.__init__ = __init__  # type: ignore[misc]


def need_journal(value: Any, who: str) -> None:
    """TypeError ``WHO needs a calmkit.Journal, got TYPE`` unless ``value`` is
    a :class:`calmkit.Journal` (a path, a Cohort or a table is not one)."""
    if not isinstance(value, _core.Journal):
        raise TypeError(f"{who} needs a calmkit.Journal, got {type(value).__name__}")


def need_flag(value: Any, name: str) -> None:
    """TypeError naming the argument ``name`` unless ``value`` is True or
    False (also numpy's bool): a flag given as text (``"no"``) or a number is
    refused, as the compiled functions refuse it, not read by its truth value
    (the string ``"no"`` is true)."""
    kind = type(value)
    if kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")):
        return
    raise TypeError(f"{name}= must be True or False, got {type(value).__name__} {value!r}"[:200])
