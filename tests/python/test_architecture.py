"""docs/architecture.md against the code it describes:

- the Python layers: every module's imports, read with ``ast`` (``import``,
  ``from ... import`` at any depth, ``importlib.import_module("...")``), go
  only to the module's own layer or a layer above it in the doc's table;
  no module imports the package root or another package's private module;
- the helpers the formats share are public modules of the formats layer;
- the table of names: every C++ name in it is declared in include/calmkit,
  every Python name is an attribute of the package;
- the table of retired spellings: each is gone from the Python package's
  public surface, and in include/calmkit only a deprecated alias still says it.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import calmkit

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "python" / "calmkit"
DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")

def section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end >= 0 else len(DOC)]


def subsection(title: str) -> str:
    """The text from ``### title`` (or ``## title``) to the next heading of either level."""
    start = DOC.index(f"# {title}\n")
    ends = [e for e in (DOC.find("\n## ", start + 1), DOC.find("\n### ", start + 1)) if e >= 0]
    return DOC[start:min(ends) if ends else len(DOC)]


def table_rows(text: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|")]
    return rows[2:]  # past the header and its rule


def layers() -> dict[str, int]:
    out: dict[str, int] = {}
    for layer, modules, _ in table_rows(section("The Python package in layers")):
        for name in re.findall(r"`([\w.*]+)`", modules):
            out[name] = int(layer.split()[0])
    return out


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
KNOWN_MODULES = set(MODULES) | {"calmkit._core"}  # the compiled module has no .py


def imports_of(path: Path, mod: str | None = None) -> set[str]:
    """The calmkit modules ``path`` (the module ``mod``, by default its own name) imports."""
    mod = mod or module_name(path)
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "calmkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "calmkit":
                base = node.module
            else:
                continue
            if node.module is None:  # from . import x: x may be a module
                out |= {f"{base}.{a.name}" if f"{base}.{a.name}" in KNOWN_MODULES else base for a in node.names}
            else:
                out.add(base)
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
              and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)
              and str(node.args[0].value).split(".")[0] == "calmkit"):
            out.add(str(node.args[0].value))
    out.discard(mod)
    return out


def layer_of(name: str, table: dict[str, int]) -> int:
    if name in table:
        return table[name]
    parent = name.rsplit(".", 1)[0]
    if f"{parent}.*" in table:
        return table[f"{parent}.*"]
    raise AssertionError(f"{name} is in no layer of docs/architecture.md")




def test_every_module_has_a_layer() -> None:
    table = layers()
    for name in MODULES:
        if name != "calmkit":
            layer_of(name, table)


def broken_rules(name: str, targets: set[str], table: dict[str, int]) -> set[tuple[str, str]]:
    """The imports of module ``name`` that break the layering rules."""
    here = layer_of(name, table)
    found: set[tuple[str, str]] = set()
    for target in targets:
        if target == "calmkit":  # the root re-exports every layer: importing it reaches all
            found.add((name, target))
            continue
        there = layer_of(target, table)
        owner = target.rsplit(".", 1)[0]
        private = target.rsplit(".", 1)[-1].startswith("_") and target != "calmkit.__main__"
        own = name == owner or name.startswith(owner + ".")  # a package's own private module is its own
        if there > here or (private and there != 0 and not own):
            found.add((name, target))
    return found


def violations() -> set[tuple[str, str]]:
    table = layers()
    found: set[tuple[str, str]] = set()
    for name, path in MODULES.items():
        if name != "calmkit":
            found |= broken_rules(name, imports_of(path), table)
    return found


def test_imports_follow_the_layers() -> None:
    found = violations()
    assert not found, f"imports against docs/architecture.md's layers: {sorted(found)}"


def test_what_the_formats_share_is_public_and_in_their_layer() -> None:
    # calmkit.formats (record text, a journal that is a file or a store) and
    # calmkit.csv_input (the one CSV reader: Daylio, Bearable and import_csv)
    # serve several parts, so they are public modules of layer 2 beside
    # importers/, not private to one of them. import_csv reads calmkit's own
    # CSV export back, so it lives beside export_csv in calmkit.exports rather
    # than with the other apps' importers.
    table = layers()
    for shared in ("calmkit.formats", "calmkit.csv_input"):
        assert layer_of(shared, table) == layer_of("calmkit.importers", table) == 2
        assert not any(part.startswith("_") for part in shared.split(".")[1:])
        users = {name for name, path in MODULES.items() if shared in imports_of(path)}
        parts = {".".join(name.split(".")[:2]) for name in users}
        assert len(parts) >= 2, f"{shared} serves only {sorted(users)}: it belongs inside that part"
    assert calmkit.import_csv.__module__ == calmkit.export_csv.__module__ == "calmkit.exports"
    assert calmkit.import_daylio.__module__.startswith("calmkit.importers.")


def test_the_checker_sees_each_kind_of_violation(tmp_path: Path) -> None:
    # The reader of imports is itself under test: a metrics module importing
    # the command (relatively, inside a function), a report module through
    # importlib, the root and a private helper of the importers.
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from .cli import main\n"
                   "import importlib\nimportlib.import_module('calmkit.report')\n"
                   "from . import _core, timezone\nimport calmkit\nfrom .importers._common import compact\n")
    targets = imports_of(src, "calmkit.metrics")
    assert targets == {"calmkit.cli", "calmkit.report", "calmkit._core", "calmkit.timezone", "calmkit",
                       "calmkit.importers._common"}
    assert broken_rules("calmkit.metrics", targets, layers()) == {
        ("calmkit.metrics", "calmkit.cli"), ("calmkit.metrics", "calmkit.report"), ("calmkit.metrics", "calmkit"),
        ("calmkit.metrics", "calmkit.importers._common")}


# --- the table of names --------------------------------------------------------------

#: Every column of the record tables' DataFrames (a journal with one record of each type).
FRAME_COLUMNS = {c for table in ("triggers", "readings", "exercises", "thought_records", "assessments")
                 for c in getattr(calmkit.synthetic_journal(participants=1, days=30, seed=1), table).to_pandas()}

CPP_SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "include" / "calmkit").rglob("*.hpp"))


def cpp_declares(name: str) -> bool:
    last = name.split("::")[-1].split("(")[0]
    # a type, a function, or a data member (``std::vector<std::int64_t> time_us;``)
    return re.search(rf"\b(class|struct|enum class|using)\s+{re.escape(last)}\b|\b{re.escape(last)}\s*\("
                     rf"|[\w:>]\s+{re.escape(last)}\s*(;|{{|=[^=])", CPP_SOURCES) is not None


def test_names_table_matches_the_code() -> None:
    rows = table_rows(subsection("The names of each concept"))
    assert len(rows) >= 15
    for concept, cpp, python in rows:
        for name in re.findall(r"`([^`]+)`", cpp):
            if name.startswith("calmkit::") or re.fullmatch(r"[A-Za-z_:]+(\(\w*\))?", name):
                assert cpp_declares(name), f"{concept}: C++ name {name} is not declared in include/calmkit"
        if python == "the same names":
            python = cpp
        for name in re.findall(r"`([^`]+)`", python):
            column = re.fullmatch(r"\[(\w+)\]", name)
            if column:  # a column of the record tables' DataFrames
                assert column.group(1) in FRAME_COLUMNS, f"{concept}: no table has a column {column.group(1)}"
                continue
            call = re.fullmatch(r"([\w.]+)\((.*)\)", name)
            if call and "=" in call.group(2):  # keyword names: each is a parameter of the function
                func = calmkit
                for part in call.group(1).removeprefix("calmkit.").split("."):
                    func = getattr(func, part)
                params = inspect.signature(func).parameters
                for kw in re.findall(r"(\w+)=", call.group(2)):
                    assert kw in params, f"{concept}: {call.group(1)} takes no keyword {kw}"
            name = name.split("(")[0].split(" ")[0]
            if name.startswith("calmkit."):
                name = name[len("calmkit."):]
            if not re.fullmatch(r"[A-Za-z_][\w.]*", name) or name in {"ValueError", "int", "datetime.datetime"}:
                continue
            obj = calmkit
            for part in name.split("."):
                assert hasattr(obj, part), f"{concept}: Python name calmkit.{name} does not exist"
                obj = getattr(obj, part)


CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def map_row(folder: str) -> str:
    """The row of CONTRIBUTING.md's map of the house for ``folder``."""
    rows = [line for line in CONTRIBUTING.splitlines() if line.startswith(f"| `{folder}` |")]
    assert len(rows) == 1, f"CONTRIBUTING.md's map has no single row for {folder}"
    return rows[0]


def test_the_map_of_the_house_names_every_compiled_source_file() -> None:
    """Every file of src/ is in the map's src/ row, and every file the row names is there
    (or is the public header it implements), so the map cannot drift from the tree."""
    row = map_row("src/")
    named = set(re.findall(r"`([\w/]+\.(?:cpp|hpp))`", row))
    files = {p.relative_to(REPO / "src").as_posix() for p in (REPO / "src").rglob("*") if p.suffix in {".cpp", ".hpp"}}
    assert files, "src/ has no source files"
    assert sorted(files - named) == [], "files of src/ missing from CONTRIBUTING.md's map"
    headers = {p.relative_to(REPO / "include" / "calmkit").as_posix() for p in (REPO / "include" / "calmkit").rglob("*.hpp")}
    assert sorted(named - files - headers) == [], "CONTRIBUTING.md's map names files that do not exist"


def test_the_store_is_in_parts_behind_one_header() -> None:
    """src/store.cpp was split along its seams; each part is a file of its own, named in the map."""
    row = map_row("src/")
    for part in ("store.cpp", "store_open.cpp", "store_schema.cpp", "store_read.cpp", "store_write.cpp",
                 "store_sqlite.hpp", "store_schema.hpp", "store_records.hpp"):
        assert (REPO / "src" / part).is_file(), part
        assert f"`{part}`" in row, part
    # The private headers stay private: no public header includes them.
    for header in (REPO / "include" / "calmkit").rglob("*.hpp"):
        includes = re.findall(r'#include\s+[<"]([^>"]+)[>"]', header.read_text(encoding="utf-8"))
        assert not [i for i in includes if i.startswith("store_")], header


# --- the retired spellings -----------------------------------------------------------

def retired_spellings() -> dict[str, list[str]]:
    """The last column of "Where a concept had several spellings": {"C++": [...], "Python": [...]}."""
    rows = table_rows(subsection("Where a concept had several spellings"))
    assert len(rows) >= 4
    out: dict[str, list[str]] = {"C++": [], "Python": []}
    for row in rows:
        cell = row[-1]
        assert cell.startswith("retired:"), row[0]
        for language, part in re.findall(r"(C\+\+|Python) (.*?)(?=; (?:C\+\+|Python) |$)", cell):
            out[language] += re.findall(r"`([^`]+)`", part)
    assert out["C++"] and out["Python"]
    return out


def public_surface() -> tuple[set[str], set[str]]:
    """(every public name, every public callable's name) of the package: the names in each public module's
    ``__all__`` (or its public globals), their public attributes, the parameters of every callable among them,
    and the columns of the record tables and the metrics' frames."""
    import importlib
    import pkgutil

    names: set[str] = set(FRAME_COLUMNS)
    callables: set[str] = set()
    journal = calmkit.synthetic_journal(participants=2, days=30, seed=1)
    for frame in (calmkit.time_to_calm(journal), calmkit.time_to_calm_summary(journal),
                  calmkit.trigger_frequency(journal)):
        names |= set(frame.columns)

    def visit(name: str, obj: object, depth: int = 0) -> None:
        names.add(name)
        if callable(obj):
            callables.add(name)
            try:
                names.update(inspect.signature(obj).parameters)
            except (TypeError, ValueError):  # a compiled function: pybind11 writes its signature(s) in the docstring
                for line in (getattr(obj, "__doc__", None) or "").splitlines():
                    head = re.match(r"\s*(?:\d+\. )?\w+\((.*)\) ->", line)
                    if head:
                        names.update(re.findall(r"(\w+): ", head.group(1)))
        if inspect.isclass(obj) and depth == 0:
            for attr in dir(obj):
                if not attr.startswith("_"):
                    visit(attr, getattr(obj, attr, None), depth + 1)

    modules = [calmkit] + [importlib.import_module(m.name) for m in pkgutil.walk_packages(calmkit.__path__, "calmkit.")
                           if not any(part.startswith("_") for part in m.name.split("."))]
    for module in modules:
        public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in public:
            visit(name, getattr(module, name))
    return names, callables


def test_retired_python_spellings_are_gone_from_the_public_surface() -> None:
    retired = retired_spellings()
    names, callables = public_surface()
    # the scan sees names, keywords of Python and of compiled functions, attributes and frame columns
    assert {"time_to_calm", "Cohort", "offset_minutes", "trigger_offset_minutes", "max_line_bytes", "n_triggers",
            "end_offset_minutes"} <= names
    for spelling in retired["Python"]:
        call = re.fullmatch(r"([\w.]+)\((.*)\)", spelling)
        assert call, spelling
        func = calmkit
        for part in call.group(1).removeprefix("calmkit.").split("."):
            func = getattr(func, part)
        for kw in re.findall(r"(\w+)=", call.group(2)):  # a keyword: not in the signature, nowhere public
            assert kw not in inspect.signature(func).parameters, f"{call.group(1)} still shows {kw}="
            assert kw not in names, f"the retired keyword {kw} is still a public name"
    # no spelling retired in C++ is a Python name either, unless the names table gives it to Python (read_journal
    # is Python's name for the journal alone, which C++'s becomes)
    python_names = {re.split(r"[.(]", n.removeprefix("calmkit."))[0]
                    for row in table_rows(subsection("The names of each concept"))
                    for n in re.findall(r"`([^`]+)`", row[2])}
    for spelling in retired["C++"]:
        ident = re.split(r"::|\.", spelling.removesuffix("()"))[-1]
        if ident in python_names:
            continue
        if spelling.endswith("()"):
            assert ident not in callables, f"the retired {spelling} is a public Python callable"
        else:
            assert ident not in names, f"the retired {spelling} is a public Python name"


CPP_LINES = [(p, line) for p in sorted((REPO / "include" / "calmkit").rglob("*.hpp"))
             for line in p.read_text(encoding="utf-8").splitlines()]


def test_retired_cpp_spellings_are_only_deprecated_aliases() -> None:
    # A function (written name()) may not be declared or called in include/ but on the line of its deprecated alias
    # (marked "deprecated", as the rename script of the issue skips them); a type or a data member may not be named
    # there at all outside such a line (utc_us() the function is Instant's new name: only utc_us not followed by
    # "(" is the retired column).
    for spelling in retired_spellings()["C++"]:
        ident = re.split(r"::", spelling.removesuffix("()"))[-1]
        pattern = rf"\b{ident}\(" if spelling.endswith("()") else rf"\b{ident}\b(?!\s*\()"
        left = [f"{p.relative_to(REPO)}: {line.strip()}" for p, line in CPP_LINES
                if re.search(pattern, line) and "deprecated" not in line]
        assert not left, f"the retired {spelling} is still in include/calmkit:\n" + "\n".join(left)
    # ... and every deprecated alias names what to use instead
    aliases = [line for _, line in CPP_LINES if "[[deprecated" in line]
    assert len(aliases) >= 6 and all(re.search(r'\[\[deprecated\("use \S', line) for line in aliases)


def test_the_model_headers_know_nothing_of_the_metrics() -> None:
    # Data flows one way (STYLE.md): the model's headers neither include a metrics header nor name a metrics
    # type (columns.hpp forward-declared metrics::EpisodeTable for its cache). Comments may point upwards.
    root = REPO / "include" / "calmkit"
    offenders = []
    for header in sorted(root.glob("*.hpp")):
        if header.name in ("calmkit.hpp", "metrics.hpp"):  # the umbrellas
            continue
        code = re.sub(r"//[^\n]*", "", header.read_text(encoding="utf-8"))
        if re.search(r"#include\s*<calmkit/metrics|\bmetrics::", code):
            offenders.append(header.name)
    assert offenders == []
