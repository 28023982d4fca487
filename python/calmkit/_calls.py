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


#: synthetic_journal's arguments that are whole numbers, with the range of
#: the C++ type each becomes (SyntheticOptions: int, int, std::uint64_t);
#: the library checks the rest of each rule (participants >= 1 ...).
_SYNTHETIC_WHOLE = {"participants": (1, 2**31 - 1), "days": (1, 2**31 - 1), "seed": (0, 2**64 - 1)}
#: synthetic_journal's real-valued arguments (their ranges: checked by the library, naming them).
_SYNTHETIC_REAL = ("triggers_per_day_start", "triggers_per_day_end", "readings_per_episode",
                   "exercise_probability", "thought_record_probability", "unlinked_reading_probability")
_SYNTHETIC_TEXT = ("start", "participant_prefix")
_SYNTHETIC_FLAGS = ("assessments",)


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:200]


def need_whole(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int when it is a whole number (an int or a NumPy
    integer, not a bool) in [low, high]; otherwise a TypeError (not a whole
    number) or ValueError (out of range) naming the argument ``name``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}= must be a whole number {low}..{high}, got {_shown(value)}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name}= must be a whole number {low}..{high}, got {int(value)}")
    return int(value)


def need_real(value: Any, name: str) -> float:
    """``value`` as a float when it is a real number (int, float or a NumPy
    number, not a bool); otherwise a TypeError naming the argument ``name``.
    Its range is the caller's to check."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or type(value).__name__ in ("bool_", "bool"):
        raise TypeError(f"{name}= must be a number, got {_shown(value)}")
    return float(value)


@functools.wraps(_core.synthetic_journal)
def synthetic_journal(*args: Any, **kwargs: Any) -> _core.Journal:
    names = list(_SYNTHETIC_WHOLE)
    if len(args) > len(names):
        raise TypeError(f"synthetic_journal() takes at most {len(names)} positional arguments "
                        f"({', '.join(names)}), got {len(args)}; the others are keyword-only")
    for name in names[:len(args)]:
        if name in kwargs:
            raise TypeError(f"synthetic_journal() got multiple values for argument {name!r}")
    given = dict(zip(names, args), **kwargs)
    known = names + list(_SYNTHETIC_REAL) + list(_SYNTHETIC_TEXT) + list(_SYNTHETIC_FLAGS)
    for name, value in given.items():
        if name in _SYNTHETIC_WHOLE:
            given[name] = need_whole(value, name, *_SYNTHETIC_WHOLE[name])
        elif name in _SYNTHETIC_REAL:
            given[name] = need_real(value, name)
        elif name in _SYNTHETIC_TEXT:
            if not isinstance(value, str):
                raise TypeError(f"{name}= must be text (str), got {_shown(value)}")
        elif name in _SYNTHETIC_FLAGS:
            need_flag(value, name)
            given[name] = bool(value)
        else:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"synthetic_journal() got an unexpected keyword argument {name!r}{hint}; "
                            f"its arguments are {', '.join(known)}")
    return _core.synthetic_journal(**given)
