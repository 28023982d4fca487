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


def _explained(call: Any, refusal: str, explain: Any) -> Any:
    """``call()``, with pybind11's TypeError for arguments that fit no
    signature (its message holds ``refusal``) replaced by ``explain()``'s
    words when it has any; every other outcome is the call's own."""
    try:
        return call()
    except TypeError as e:
        if refusal not in str(e):
            raise
        problem = explain()
        if problem is None:
            raise
        raise TypeError(problem) from None


def _is_record_signature(head: str) -> bool:
    """Whether the ``__init__(self, *, ...)`` signature ``head`` takes keyword arguments only (a record class)."""
    try:
        args = ast.parse(f"def f({head}): pass").body[0].args  # type: ignore[attr-defined]
    except SyntaxError:
        return False
    return bool(args.kwonlyargs) and len(args.posonlyargs + args.args) == 1 and args.vararg is None


def _init_head(cls: type) -> str | None:
    """The parameters of the one signature pybind11 writes on the first line of
    ``cls.__init__``'s docstring (``self: ..., name: type = default``), or None
    (overloaded, or not pybind11's)."""
    doc = (cls.__init__.__doc__ or "").split("\n", 1)[0]
    if not doc.startswith("__init__(self") or ") -> None" not in doc:
        return None
    return doc[len("__init__("):doc.rindex(") -> None")]


def explain_bad_calls(cls: type) -> None:
    """Wraps ``cls.__init__`` (a compiled class of calmkit) so that a call that
    fits no signature raises a TypeError in calmkit's words, not pybind11's
    "incompatible constructor arguments" with its list of signatures: for a
    record class (keyword arguments only) what is wrong with the call (see the
    module's docstring); for any other class, as for a function
    (:func:`explain_bad_function_calls`), the argument and what it takes. A
    class calmkit makes itself (no constructor: ``SessionState``,
    ``ReadReport``...) keeps pybind11's "No constructor defined!" (its
    ``__init__`` is the stub's). Every other outcome, the object or a field's
    ``RecordError``, is the compiled one. The class's public methods are
    wrapped too (:func:`_explain_bad_method_calls`)."""
    _explain_bad_method_calls(cls)
    init = cls.__init__
    name = cls.__name__
    if _no_constructor(cls):
        return  # pybind11's own words: "calmkit._core.Store: No constructor defined!"
    head = _init_head(cls)
    if head is None:
        return
    check = _checker(name, head, method=True)
    if _is_record_signature(head):
        def explain(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
            return _problem(cls, args, kwargs) or check(args, kwargs, False)
    else:
        def explain(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
            return check(args, kwargs, False) or _arity_problem(name, head, args, kwargs)
    flags = check.flags

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if flags:  # a flag read by its truth value otherwise: None as False
            wrong = check(args, kwargs, True)
            if wrong is not None:
                raise TypeError(wrong)
        _explained(lambda: init(self, *args, **kwargs), "incompatible constructor arguments",
                   lambda: explain(args, kwargs))

    cls.__init__ = __init__  # type: ignore[misc]


def _explain_bad_method_calls(cls: type) -> None:
    """Each public method of the compiled class ``cls`` with one signature,
    wrapped as :func:`explain_bad_function_calls` wraps a function: an
    argument of the wrong kind is named (``ExerciseRegistry.find(): id= must
    be text (str), got NoneType None``), not pybind11's list of signatures."""
    for attr, method in list(vars(cls).items()):
        if attr.startswith("_") or type(method).__name__ != "instancemethod":
            continue
        doc = (method.__doc__ or "").split("\n", 1)[0]
        if not doc.startswith(f"{attr}(self") or ") ->" not in doc:
            continue  # overloaded: pybind11 lists the signatures, each a way to call it
        check = _checker(f"{cls.__name__}.{attr}", doc[len(attr) + 1:doc.rindex(") ->")], method=True)

        def call(self: Any, *args: Any, _method: Any = method, _check: Any = check, **kwargs: Any) -> Any:
            if _check.flags:
                wrong = _check(args, kwargs, True)
                if wrong is not None:
                    raise TypeError(wrong)
            return _explained(lambda: _method(self, *args, **kwargs), "incompatible function arguments",
                              lambda: _check(args, kwargs, False))

        functools.update_wrapper(call, method)
        setattr(cls, attr, call)


def _no_constructor(cls: type) -> bool:
    """Whether ``cls`` is a compiled class bound without a constructor (its
    ``__init__`` is pybind11's, which says "No constructor defined!")."""
    return (type(vars(cls).get("__init__")).__name__ == "wrapper_descriptor"
            and any(b.__name__ == "pybind11_object" for b in cls.__mro__))


def _arity_problem(name: str, head: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """What is wrong with the shape of a call of ``name(head)`` (too many
    positional arguments, a required one left out, an unknown keyword), or None."""
    parsed = ast.parse(f"def f({head}): pass").body[0].args  # type: ignore[attr-defined]
    positional = [a.arg for a in parsed.posonlyargs + parsed.args][1:]  # without self
    keyword = [a.arg for a in parsed.kwonlyargs]
    defaults = len(parsed.defaults)
    required = positional[:len(positional) - defaults] if defaults else positional
    required += [a.arg for a, d in zip(parsed.kwonlyargs, parsed.kw_defaults) if d is None]
    shape = f"{name}({', '.join(positional + [f'{k}=...' for k in keyword])})"
    if len(args) > len(positional):
        return f"{name}() takes at most {len(positional)} positional argument(s), got {len(args)}: call it as {shape}"
    known = positional + keyword
    unknown = [k for k in kwargs if k not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{name}() got an unexpected keyword argument {unknown[0]!r}{hint}; call it as {shape}"
    given = set(positional[:len(args)]) | set(kwargs)
    missing = [n for n in required if n not in given]
    if missing:
        return f"{name}() is missing required argument(s) {', '.join(map(repr, missing))}: call it as {shape}"
    return None


def need_journal(value: Any, who: str) -> None:
    """TypeError ``WHO needs a calmkit.Journal, got TYPE`` unless ``value`` is
    a :class:`calmkit.Journal` (a path, a Cohort or a table is not one)."""
    if not isinstance(value, _core.Journal):
        raise TypeError(f"{who} needs a calmkit.Journal, got {type(value).__name__}")


def need_choice(value: Any, name: str, allowed: tuple[Any, ...]) -> None:
    """TypeError naming the argument ``name`` unless ``value`` is text (or
    None, when ``allowed`` holds None): a choice such as ``by="participant"``
    given as a DataFrame or a number is refused for its kind before it is
    compared with ``allowed`` (a DataFrame compared so is "ambiguous"); the
    caller refuses text that is not one of them, in its own words."""
    if isinstance(value, str) or (value is None and None in allowed):
        return
    shown = " or ".join(repr(a) for a in allowed)
    raise TypeError(f"{name} must be {shown}, got {type(value).__name__} {value!r}"[:200])


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


def _kind_problem(annotation: str, value: Any) -> str | None:
    """What is wrong with ``value`` for a parameter pybind11 annotates
    ``annotation``, in words ("must be ..."), or None when it fits or the
    annotation is not one this check knows."""
    import datetime
    import numbers
    import os

    numpy_bool = type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    if annotation == "bool":
        return None if isinstance(value, bool) or numpy_bool else "must be True or False"
    if annotation.startswith("datetime.datetime"):
        ok = isinstance(value, (str, datetime.datetime)) or (value is None and annotation.endswith("| None"))
        return None if ok else "must be an aware datetime or an RFC 3339 time (str)"
    if "SupportsFloat" in annotation or annotation == "float":
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not numpy_bool
        return None if ok else "must be a number"
    if ("SupportsInt" in annotation or annotation == "int") and not annotation.startswith("collections"):
        if isinstance(value, bool) or numpy_bool or not isinstance(value, numbers.Integral):
            return "must be a whole number"
        if int(value) < 0:
            return "must be a whole number >= 0"
        if int(value) >= 2**63:
            return "is too large"
        return None
    if annotation in ("str", "str | None"):
        return None if isinstance(value, str) or (value is None and "None" in annotation) else "must be text (str)"
    if annotation.startswith("os.PathLike"):
        return None if isinstance(value, (str, bytes, os.PathLike)) else "must be a path (str, bytes or os.PathLike)"
    if annotation.startswith("calmkit._core."):
        name = annotation.removeprefix("calmkit._core.").split(" ")[0]
        cls = getattr(_core, name, None)
        if isinstance(cls, type):
            ok = isinstance(value, cls) or (value is None and annotation.endswith("| None"))
            return None if ok else f"must be a calmkit.{name}"
    if annotation == "collections.abc.Callable":
        return None if callable(value) else "must be a function (callable)"
    if annotation == "collections.abc.Sequence":
        ok = not isinstance(value, (str, bytes)) and hasattr(value, "__len__") and hasattr(value, "__getitem__")
        return None if ok else "must be a list"
    if annotation == "collections.abc.Iterable":
        ok = not isinstance(value, (str, bytes)) and hasattr(value, "__iter__")
        return None if ok else "must be an iterable of records (a list of calmkit.Trigger, Reading, ...)"
    if annotation.startswith("collections.abc.Sequence["):
        inner = annotation.removeprefix("collections.abc.Sequence[")[:-1]
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not hasattr(value, "__getitem__"):
            return "must be a list"
        for i, item in enumerate(value):
            problem = _kind_problem(inner, item)
            if problem is not None:
                return f"item [{i}] {problem}, got {type(item).__name__} {item!r}"[:160]
    return None


def _checker(name: str, head: str, method: bool = False) -> Any:
    """``problem(args, kwargs, only_flags)`` for a call of ``name`` whose
    pybind11 signature's parameters are ``head`` (without ``self`` when
    ``method``): the TypeError's words for the first argument of the wrong
    kind (only the flags', read by their truth value otherwise, when
    ``only_flags``), or None."""
    args = ast.parse(f"def f({head}): pass").body[0].args  # type: ignore[attr-defined]
    every = args.posonlyargs + args.args
    positional = [a.arg for a in every][1 if method else 0:]
    annotations = {a.arg: ast.unparse(a.annotation) for a in every + args.kwonlyargs
                   if a.annotation is not None and not (method and a is every[0])}

    def problem(call_args: tuple[Any, ...], call_kwargs: dict[str, Any], only_flags: bool) -> str | None:
        given = dict(zip(positional, call_args), **call_kwargs)
        found = [(arg, value, _kind_problem(annotations[arg], value)) for arg, value in given.items()
                 if arg in annotations and (not only_flags or annotations[arg] == "bool")]
        # a value of the wrong kind first; a whole number out of the C++ type's range only when none is
        found = sorted([f for f in found if f[2] is not None],
                       key=lambda f: f[2] in ("must be a whole number >= 0", "is too large"))
        for arg, value, what in found[:1]:
            got = "" if what.startswith("item [") else f", got {type(value).__name__} {value!r}"[:160]
            return f"{name}(): {arg}= {what}{got}"
        return None

    problem.flags = [n for n, a in annotations.items() if a == "bool"]  # type: ignore[attr-defined]
    return problem


def explain_bad_function_calls(function: Any) -> Any:
    """``function`` (a compiled function with one signature) wrapped so that
    an argument pybind11 would refuse with its list of C++ signatures (or, for
    a flag, read by its truth value: None as False) raises a TypeError naming
    the function and the argument, and what it takes."""
    doc = (function.__doc__ or "").split("\n", 1)[0]
    name = function.__name__
    head = doc[len(name) + 1:doc.rindex(") ->")] if doc.startswith(name + "(") and ") ->" in doc else None
    if head is None:
        return function
    problem = _checker(name, head)

    @functools.wraps(function)
    def call(*call_args: Any, **call_kwargs: Any) -> Any:
        if problem.flags:
            wrong = problem(call_args, call_kwargs, True)
            if wrong is not None:
                raise TypeError(wrong)
        return _explained(lambda: function(*call_args, **call_kwargs), "incompatible function arguments",
                          lambda: problem(call_args, call_kwargs, False))

    call.__signature__ = _signature(head, doc[doc.rindex(") ->") + 4:].strip())  # type: ignore[attr-defined]
    return call


def _signature(head: str, returns: str) -> Any:
    """An inspect.Signature of the parameters ``head`` (pybind11's
    docstring line), with the defaults that are literals and no annotations:
    what help() and inspect show of a wrapped compiled function."""
    import inspect

    args = ast.parse(f"def f({head}): pass").body[0].args  # type: ignore[attr-defined]

    def default(node: Any) -> Any:
        if node is None:
            return inspect.Parameter.empty
        try:
            return ast.literal_eval(node)
        except ValueError:
            return inspect.Parameter.empty

    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = [inspect.Parameter(a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default(d))
              for a, d in zip(positional, defaults)]
    params += [inspect.Parameter(a.arg, inspect.Parameter.KEYWORD_ONLY, default=default(d))
               for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return inspect.Signature(params, return_annotation=returns)
