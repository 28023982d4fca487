"""calmkit's public surface, as a user sees it.

- Every public module has an ``__all__`` that lists only names calmkit defines
  (no ``np``, ``pd``, ``Any``, no module objects), each of which exists and has
  a docstring (the Python reference is built from them).
- Each name re-exported from the compiled ``calmkit._core`` is in the stub
  ``_core.pyi`` (test_stubs.py checks the stub against the module in detail).
- Every public module is in the Python reference (docs/api/python.md, one
  ``automodule`` each, whose members are the module's ``__all__``).
- The C++ umbrella header includes every public header.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import types
from pathlib import Path

import pytest

import calmkit
from calmkit import _core

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(calmkit.__file__).parent


def public_modules() -> list[str]:
    names = ["calmkit"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="calmkit."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def test_the_public_modules_are_the_expected_ones():
    mods = public_modules()
    for must in ("calmkit", "calmkit.cli", "calmkit.dask", "calmkit.plot", "calmkit.report",
                 "calmkit.importers", "calmkit.parquet", "calmkit.metrics"):
        assert must in mods


@pytest.mark.parametrize("name", public_modules())
def test_all_lists_only_calmkits_own_names(name):
    mod = importlib.import_module(name)
    assert hasattr(mod, "__all__"), f"{name} has no __all__"
    assert len(set(mod.__all__)) == len(mod.__all__), f"{name}.__all__ has duplicates"
    for attr in mod.__all__:
        assert hasattr(mod, attr), f"{name}.__all__ names {attr!r}, which it does not define"
        obj = getattr(mod, attr)
        assert not isinstance(obj, types.ModuleType), f"{name}.__all__ exports the module {attr!r}"
        if callable(obj) or isinstance(obj, type):
            origin = getattr(obj, "__module__", None) or ""
            assert origin.split(".")[0] == "calmkit", f"{name}.{attr} comes from {origin!r}, not calmkit"
            assert (getattr(obj, "__doc__", None) or "").strip(), f"{name}.{attr} has no docstring"
    # Names a module imports for itself stay out of its public surface.
    for foreign in ("np", "pd", "Any", "Path", "Union", "Optional", "annotations"):
        assert foreign not in mod.__all__, f"{name}.__all__ exports {foreign!r}"


def test_core_names_reexported_by_calmkit_are_in_the_stub():
    tree = ast.parse((PACKAGE / "_core.pyi").read_text(encoding="utf-8"))
    stubbed = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            stubbed.add(node.target.id)
        elif isinstance(node, ast.Assign):
            stubbed.update(t.id for t in node.targets if isinstance(t, ast.Name))
    from_core = [n for n in calmkit.__all__ if n != "__version__" and getattr(_core, n, None) is getattr(calmkit, n)]
    assert from_core, "expected calmkit to re-export names of _core"
    missing = sorted(set(from_core) - stubbed)
    assert not missing, f"re-exported from _core but not in _core.pyi: {missing}"


def test_every_public_module_is_in_the_python_reference():
    page = (REPO / "docs" / "api" / "python.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: (\S+)", page, re.M))
    missing = sorted(set(public_modules()) - documented)
    assert not missing, f"docs/api/python.md has no automodule for {missing}"
    assert not documented - set(public_modules()), "docs/api/python.md documents a module that is not public"


def test_every_name_the_guides_use_is_public():
    """A ``calmkit.module.name`` the README or a guide tells users about is in
    that module's ``__all__`` (so it is in the Python reference and covered by
    the version policy), not a helper reached around it."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    hidden = []
    for page in pages:
        for dotted in sorted(set(re.findall(r"`(calmkit(?:\.[A-Za-z_]\w*)+)", page.read_text(encoding="utf-8")))):
            parts = dotted.split(".")
            if any(p.startswith("_") for p in parts):
                continue  # private, or calmkit.__main__ (importing it runs the command)
            for i in range(len(parts), 0, -1):  # the longest importable module
                try:
                    mod = importlib.import_module(".".join(parts[:i]))
                    break
                except ImportError:
                    continue
            rest = parts[i:]
            if not rest or rest[0].startswith("_"):
                continue
            folder = Path(mod.__file__).parent
            if (folder / f"{rest[0]}.py").exists() or (folder / rest[0] / "__init__.py").exists():
                continue  # a module whose import needs an extra that is not installed here
            if rest[0] not in getattr(mod, "__all__", ()):
                hidden.append(f"{page.relative_to(REPO)}: {dotted} ({rest[0]} not in {mod.__name__}.__all__)")
    assert not hidden, "\n".join(hidden)


def test_umbrella_header_includes_every_public_header():
    inc = REPO / "include" / "calmkit"
    umbrella = (inc / "calmkit.hpp").read_text(encoding="utf-8")
    included = set(re.findall(r"#include <calmkit/([a-z_]+\.hpp)>", umbrella))
    headers = {p.name for p in inc.glob("*.hpp")} - {"calmkit.hpp"}
    assert headers - included == set(), f"calmkit.hpp leaves out {sorted(headers - included)}"
    # The metrics area header includes each of its parts.
    metrics = (inc / "metrics.hpp").read_text(encoding="utf-8")
    parts = {f"metrics/{p.name}" for p in (inc / "metrics").glob("*.hpp")}
    assert parts <= set(re.findall(r"#include <calmkit/(metrics/[a-z_]+\.hpp)>", metrics))


def _documented_text(fn) -> str:
    """``fn``'s docstring and those of the functions it sends the reader to (``:func:`name```)."""
    from calmkit import metrics

    doc = fn.__doc__ or ""
    for ref in re.findall(r":func:`(?:calmkit\.)?(\w+)`", doc):
        doc += "\n" + (getattr(getattr(metrics, ref, None), "__doc__", None) or "")
    return doc


def test_every_metric_frame_column_is_named_in_the_docstring():
    """The shape of a metric's result is in its docstring: each column of the frame it returns for
    the sample journal is named there (or in a function it refers to), spelled as the column is."""
    import inspect

    import pandas as pd

    from calmkit import metrics

    journal = calmkit.read_journal(REPO / "examples" / "data" / "sample-journal.jsonl")
    unnamed, checked = [], 0
    for name in metrics.__all__:
        fn = getattr(metrics, name)
        if isinstance(fn, type) or not callable(fn):
            continue
        try:
            params = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            continue
        if not params or params[0] not in ("data", "journal"):
            continue
        try:
            out = fn(journal)
        except TypeError:
            continue  # needs more than the journal
        if not isinstance(out, pd.DataFrame):
            continue
        checked += 1
        doc = _documented_text(fn)
        missing = [c for c in out.columns
                   if not re.search(r"(?<![\w])" + re.escape(str(c)) + r"(?![\w])", doc)]
        if missing:
            unnamed.append(f"{name}: {missing}")
    assert checked >= 15, "expected the metrics to return frames for the sample journal"
    assert not unnamed, "columns no docstring names:\n" + "\n".join(unnamed)


def test_every_record_time_attribute_says_what_it_holds_and_takes():
    """A record attribute that holds a time says so in its docstring (an aware datetime, at which
    offset) and what setting it takes and raises: each one whose value is a datetime, found from the
    records of the sample journal."""
    import datetime as dt

    journal = calmkit.read_journal(REPO / "examples" / "data" / "sample-journal.jsonl")
    records = [*journal.triggers, *journal.readings, *journal.exercises, *journal.thought_records,
               *journal.assessments]
    undocumented, seen = [], set()
    for record in records:
        cls = type(record)
        for name, attr in vars(cls).items():
            if name.startswith("_") or not isinstance(attr, property) or (cls, name) in seen:
                continue
            if not isinstance(getattr(record, name), dt.datetime):
                continue
            seen.add((cls, name))
            doc = attr.__doc__ or ""
            if not all(words in doc for words in ("aware datetime", "RFC 3339", "RecordError")):
                undocumented.append(f"{cls.__name__}.{name}: {doc!r}")
    assert len({cls for cls, _ in seen}) == 5, f"expected a time attribute in each record class, saw {seen}"
    assert not undocumented, "\n".join(undocumented)


def _own_text(doc: str | None, name: str) -> str:
    """A docstring without the signature lines pybind11 writes before it
    (``name(self: ...) -> ...``, ``Overloaded function.``, ``1. name(...)``)."""
    lines = [line for line in (doc or "").splitlines()
             if not re.match(rf"\s*(\d+\.\s+)?{re.escape(name)}\(.*\)( -> .*)?$", line)
             and line.strip() != "Overloaded function."]
    return "\n".join(lines).strip()


def _undocumented_members() -> list[str]:
    missing = []
    for cls_name in calmkit.__all__:
        cls = getattr(calmkit, cls_name)
        if not isinstance(cls, type):
            continue
        for attr in sorted(vars(cls)):
            if attr.startswith("_"):
                continue
            member = vars(cls)[attr]
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            # Methods and properties (Python's and pybind11's); values such as enum members carry no docstring.
            if not (callable(member) or isinstance(member, property) or hasattr(member, "__get__")):
                continue
            if isinstance(member, cls):
                continue
            if not _own_text(getattr(member, "__doc__", None), attr):
                missing.append(f"{cls_name}.{attr}")
    return missing


#: Members of the compiled classes still without a docstring of their own
#: (bindings/python/*.cpp): this list only shrinks. Give a member its
#: docstring (shape, units, errors, source) and take it off the list.
UNDOCUMENTED: set[str] = set()


def test_every_public_member_of_a_public_class_has_a_docstring():
    """help(calmkit.X.y) says what y is: every public method and property of
    the classes in calmkit.__all__ has a docstring of its own (pybind11's
    signature line alone is none), but those still on UNDOCUMENTED."""
    missing = set(_undocumented_members())
    new = sorted(missing - UNDOCUMENTED)
    assert not new, f"{len(new)} members without a docstring: {', '.join(new)}"
    documented = sorted(UNDOCUMENTED - missing)
    assert not documented, f"documented now, take them off UNDOCUMENTED: {', '.join(documented)}"
