"""The hand-written stubs python/calmkit/_core.pyi must describe calmkit._core exactly.

Stubs that drift from the module are a known failure of weaker projects: this
test parses the .pyi with `ast` and compares it with the live module:
- the public names of the module and of the stub are the same set;
- for every class, the public members and the protocol methods it defines are
  the same, and each is the same kind (method, read-only property, writable
  attribute/property);
- for every function and method, the parameters (names, positional vs
  keyword-only, with or without a default, and literal default values) agree
  with the signature pybind11 writes on the first line of the docstring.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import calmkit
from calmkit import _core

STUB = Path(_core.__file__).with_name("_core.pyi")

# Dunder methods that are part of a class's public protocol (others, such as
# __repr__ or __hash__, are not part of the typed interface).
PROTOCOL = {"__init__", "__len__", "__getitem__", "__iter__", "__eq__", "__contains__", "__call__"}


def _public(name: str) -> bool:
    return not name.startswith("_") or name in PROTOCOL or name == "__version__"


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))


def _stub_top_level(tree: ast.Module) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names[t.id] = node
    return {n: v for n, v in names.items() if _public(n)}


def _decorator_names(fn: ast.FunctionDef) -> set[str]:
    out = set()
    for d in fn.decorator_list:
        if isinstance(d, ast.Name):
            out.add(d.id)
        elif isinstance(d, ast.Attribute):
            out.add(d.attr)  # `x.setter` -> "setter"
    return out


def _stub_bases(cls: ast.ClassDef) -> list[ast.ClassDef]:
    """The classes of the stub itself that `cls` derives from (`_RecordTable[Trigger]`), nearest last."""
    classes = {n.name: n for n in _stub_tree().body if isinstance(n, ast.ClassDef)}
    out = []
    for base in cls.bases:
        node = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(node, ast.Name) and node.id in classes:
            out += _stub_bases(classes[node.id]) + [classes[node.id]]
    return out


def _stub_members(cls: ast.ClassDef) -> dict[str, str]:
    """Member name -> kind: 'method', 'property' (read-only) or 'attribute' (writable),
    with those the class inherits from a base class of the stub itself."""
    kinds: dict[str, str] = {}
    for node in [n for b in _stub_bases(cls) for n in b.body] + cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            kinds[node.target.id] = "attribute"
        elif isinstance(node, ast.FunctionDef):
            decorators = _decorator_names(node)
            if "setter" in decorators:
                kinds[node.name] = "attribute"
            elif "property" in decorators:
                kinds.setdefault(node.name, "property")
            else:
                kinds[node.name] = "method"
    return {n: k for n, k in kinds.items() if _public(n)}


def _runtime_members(cls: type) -> dict[str, str]:
    """As _stub_members: with those the class inherits from a base class of _core itself."""
    kinds: dict[str, str] = {}
    own = [c for c in reversed(cls.__mro__) if c is cls or getattr(c, "__module__", "") == _core.__name__]
    for name, value in [item for c in own for item in vars(c).items()]:
        if not _public(name):
            continue
        if name == "__init__" and type(value).__name__ == "wrapper_descriptor":
            continue  # pybind11's "No constructor defined" slot: not constructible from Python
        if isinstance(value, property):
            kinds[name] = "attribute" if value.fset is not None else "property"
        elif callable(value):
            kinds[name] = "method"
        else:
            kinds[name] = "attribute"
    return kinds


def _runtime_public_names() -> set[str]:
    return {n for n in dir(_core) if _public(n) and n not in PROTOCOL}


# --- signatures ---------------------------------------------------------------


def _params(args: ast.arguments, drop_self: bool) -> list[tuple[str, str, object]]:
    """(name, kind, default) for each parameter; default is `...` when the
    default is not a literal, and None-as-string 'required' when there is none."""
    positional = list(args.posonlyargs) + list(args.args)
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out: list[tuple[str, str, object]] = []
    for a, d in zip(positional, defaults):
        out.append((a.arg, "positional", _default(d)))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append((a.arg, "keyword", _default(d)))
    if drop_self and out and out[0][0] == "self":
        out = out[1:]
    return out


REQUIRED = "<required>"


def _default(node: ast.expr | None) -> object:
    if node is None:
        return REQUIRED
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ...


def _runtime_signature(obj: object) -> ast.arguments | None:
    """The parameters pybind11 documents on the docstring's first line, or None
    for overloaded functions (which pybind11 documents differently)."""
    doc = inspect.getdoc(obj) or ""
    first = doc.splitlines()[0] if doc else ""
    if "(" not in first or first.startswith("Overloaded function"):
        return None
    head = first.rsplit(" -> ", 1)[0]
    tree = ast.parse(f"def {head}: pass")
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn.args


def _compare_signature(where: str, stub_fn: ast.FunctionDef, runtime_obj: object, method: bool) -> list[str]:
    runtime_args = _runtime_signature(runtime_obj)
    if runtime_args is None:
        return []
    stub = _params(stub_fn.args, drop_self=method)
    live = _params(runtime_args, drop_self=method)
    problems = []
    if [(n, k) for n, k, _ in stub] != [(n, k) for n, k, _ in live]:
        problems.append(f"{where}: stub parameters {stub} != module parameters {live}")
        return problems
    for (name, _, sd), (_, _, ld) in zip(stub, live):
        if (sd is REQUIRED) != (ld is REQUIRED):
            problems.append(f"{where}: parameter {name!r} default presence differs (stub {sd!r}, module {ld!r})")
        elif sd not in (REQUIRED, ...) and ld is not ... and sd != ld:
            problems.append(f"{where}: parameter {name!r} default differs (stub {sd!r}, module {ld!r})")
    return problems


# --- tests ----------------------------------------------------------------------


def test_public_names_match():
    stub_names = set(_stub_top_level(_stub_tree()))
    runtime = _runtime_public_names()
    assert sorted(runtime - stub_names) == [], "in _core but missing from _core.pyi"
    assert sorted(stub_names - runtime) == [], "in _core.pyi but not in _core"


def test_class_members_match():
    problems = []
    for name, node in _stub_top_level(_stub_tree()).items():
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(_core, name)
        assert isinstance(cls, type), f"{name} is a class in the stub but not in _core"
        stub = _stub_members(node)
        live = _runtime_members(cls)
        for member in sorted(set(stub) | set(live)):
            if member not in stub:
                problems.append(f"{name}.{member}: in _core, missing from the stub")
            elif member not in live:
                problems.append(f"{name}.{member}: in the stub, not in _core")
            elif stub[member] != live[member]:
                problems.append(f"{name}.{member}: stub says {stub[member]}, _core has {live[member]}")
    assert not problems, "\n".join(problems)


def test_signatures_match():
    problems = []
    for name, node in _stub_top_level(_stub_tree()).items():
        if isinstance(node, ast.FunctionDef):
            problems += _compare_signature(name, node, getattr(_core, name), method=False)
        elif isinstance(node, ast.ClassDef):
            cls = getattr(_core, name)
            for member in [n for b in _stub_bases(node) for n in b.body] + node.body:
                if isinstance(member, ast.FunctionDef) and not _decorator_names(member) & {"property", "setter"}:
                    live = vars(cls).get(member.name)
                    if live is not None and callable(live):
                        problems += _compare_signature(f"{name}.{member.name}", member, live, method=True)
    assert not problems, "\n".join(problems)


def test_package_reexports_the_core():
    # Every public name of _core is re-exported by the package and listed in
    # __all__, and everything in __all__ exists.
    missing = sorted(n for n in _runtime_public_names() if n not in calmkit.__all__)
    assert missing == []
    assert [n for n in calmkit.__all__ if not hasattr(calmkit, n)] == []


def test_py_typed_ships_next_to_the_stub():
    assert STUB.is_file()
    assert STUB.with_name("py.typed").is_file()


@pytest.mark.parametrize(
    "stub_text, expect",
    [
        # A stub that lacks a function the module has.
        ("def read_journal(path: str, *, lenient: bool = False) -> None: ...\n", "missing"),
        # A stub whose keyword is misspelt.
        ("def read_journal(path: str, *, lenientt: bool = False) -> None: ...\n", "parameters"),
    ],
)
def test_the_checks_catch_drift(stub_text, expect):
    # The checks above are only worth something if they fail on a drifted
    # stub: run the same comparisons on small deliberately wrong stubs.
    tree = ast.parse(stub_text)
    names = set(_stub_top_level(tree))
    if expect == "missing":
        assert _runtime_public_names() - names, "a one-function stub must miss names"
    else:
        fn = tree.body[0]
        assert isinstance(fn, ast.FunctionDef)
        assert _compare_signature("read_journal", fn, _core.read_journal, method=False)
