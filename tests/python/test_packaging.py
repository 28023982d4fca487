"""How calmkit is installed and adopted: one version everywhere, the adoption
files, the declared dependencies, and a one-line error for each missing extra.

The missing-extra tests run calmkit in a subprocess whose import system refuses
the extra's modules (a meta-path blocker), as on a machine where the extra was
never installed.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit
from calmkit import _extras

REPO = Path(__file__).resolve().parents[2]


def cmake_version() -> str:
    text = (REPO / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(calmkit\s+VERSION\s+([0-9][0-9.]*)", text)
    assert m, "no project(calmkit VERSION ...) in CMakeLists.txt"
    return m.group(1)


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


# --- one version ----------------------------------------------------------------


def test_version_is_the_one_in_cmakelists():
    assert calmkit.__version__ == cmake_version()
    assert calmkit._core.__version__ == cmake_version()


def test_cli_version_matches(capsys):
    from calmkit import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"calmkit {cmake_version()}"


def test_cli_version_in_a_process():
    out = subprocess.run([sys.executable, "-m", "calmkit", "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == f"calmkit {cmake_version()}"


def test_citation_names_the_same_version():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["version"]) == cmake_version()
    # The keys CFF 1.2.0 requires (the full schema check is cffconvert --validate in CI).
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] and cff["message"] and cff["authors"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert cff["license"] == "Apache-2.0"


# --- adoption files -------------------------------------------------------------


def test_adoption_files_exist_and_the_readme_points_to_them():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("LICENSE", "CITATION.cff", "CHANGELOG.md", "SECURITY.md"):
        assert (REPO / name).is_file(), name
        assert f"({name})" in readme, f"README.md does not link {name}"
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert pyproject()["project"]["license"] == {"text": "Apache-2.0"}


def test_changelog_states_the_version_policy():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Semantic Versioning" in text
    assert "journal format" in text  # versioned separately from the library


# --- declared dependencies and extras -------------------------------------------


def test_the_main_job_needs_only_required_dependencies():
    """calmkit report imports matplotlib and the terminal commands rich: both must be required dependencies."""
    deps = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in pyproject()["project"]["dependencies"]}
    assert {"numpy", "pandas", "matplotlib", "rich"} <= deps
    setup = (REPO / "tools" / "setup.sh").read_text(encoding="utf-8")
    assert '"rich>=13.3"' in setup and "import numpy, pandas, pytest, hypothesis, matplotlib, rich," in setup


def test_docs_name_every_required_dependency():
    """README and getting-started say what `pip install .` brings; a new
    required dependency must show up there too."""
    deps = [re.split(r"[<>=\[ ;]", d)[0] for d in pyproject()["project"]["dependencies"]]
    names = {"numpy": "NumPy", "pandas": "pandas", "matplotlib": "matplotlib", "rich": "rich"}
    for page in ("README.md", "docs/getting-started.md"):
        text = " ".join((REPO / page).read_text(encoding="utf-8").split())
        # The sentence that says what the Python package brings with it.
        brings = re.search(r"brings [^.]*\.", text)
        assert brings, f"{page} no longer says what pip install brings"
        for dep in deps:
            assert names.get(dep, dep) in brings.group(0), f"{page}: {brings.group(0)!r} leaves out {dep}"


def test_extras_in_pyproject_match_the_code():
    extras = pyproject()["project"]["optional-dependencies"]
    for name, modules in _extras.EXTRAS.items():
        assert name in extras, name
        declared = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in extras[name]}
        assert set(modules) <= declared, (name, modules, declared)
        # The install hint names exactly what pyproject declares (calmkit is not on PyPI: B12).
        assert _extras.REQUIREMENTS[name] == tuple(extras[name]), name
        assert "calmkit[" not in _extras.install_hint(name)
    assert set(_extras.REQUIREMENTS) == set(_extras.EXTRAS)


def imported_roots() -> set[str]:
    """Top-level modules calmkit's own code imports: import statements, and
    module names given as strings (``_extras.require("pyarrow.parquet", ...)``),
    docstrings and comments left out."""
    roots: set[str] = set()
    for path in (REPO / "python" / "calmkit").rglob("*.py"):
        if path.name == "_extras.py":
            continue  # the declaration itself
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", node.value)):
                roots.add(node.value.split(".")[0])
    return roots


#: Modules an extra brings that calmkit does not import itself, and why.
NOT_IMPORTED = {"distributed": "the scheduler calmkit.dask's guide and example run on (a LocalCluster)"}


def test_each_extra_brings_only_modules_calmkit_imports():
    """An extra declares what calmkit itself needs, nothing more (the stats
    extra once pulled in statsmodels, which only the tests use)."""
    roots = imported_roots()
    for name, modules in _extras.EXTRAS.items():
        for module in modules:
            assert module in roots or module in NOT_IMPORTED, \
                f"extra {name!r} declares {module!r}, which no calmkit module imports"


BLOCKER = """
import sys, importlib.abc
BLOCKED = {blocked!r}
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
for m in list(sys.modules):
    if m.split(".")[0] in BLOCKED:
        del sys.modules[m]
sys.meta_path.insert(0, Blocker())
"""


def run_without(blocked: set[str], code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "run.py"
    script.write_text(BLOCKER.format(blocked=sorted(blocked)) + textwrap.dedent(code), encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ}, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, sample_journal_path):
    proc = run_without({"pyarrow"}, f"""
        import calmkit                      # the core needs no extra
        j = calmkit.read_journal({str(sample_journal_path)!r})
        try:
            calmkit.write_parquet(j, "out")
        except calmkit._extras.MissingExtraError as e:
            print(e, file=sys.stderr)
            assert e.extra == "parquet" and isinstance(e, ImportError)
            sys.exit(3)
    """, tmp_path)
    assert proc.returncode == 3, proc.stderr
    line = one_line_error(proc)
    assert line.endswith('pip install "pyarrow>=12" (or, in a calmkit source checkout: pip install ".[parquet]")'), line
    assert "'pyarrow'" in line
    assert not (tmp_path / "out").exists()


def test_dask_without_dask_names_the_extra(tmp_path):
    proc = run_without({"dask", "distributed"}, """
        import calmkit
        import calmkit.dask
    """, tmp_path)
    assert proc.returncode == 1
    # Python prints the traceback of an uncaught error; its last line is the message.
    last = proc.stderr.strip().splitlines()[-1]
    assert last == ("calmkit._extras.MissingExtraError: calmkit.dask needs the optional dependency 'dask', "
                    'which is not installed: pip install "dask[dataframe]>=2024.1" "distributed>=2024.1" '
                    '"pyarrow>=12" (or, in a calmkit source checkout: pip install ".[dask]")'), proc.stderr
    assert "During handling" not in proc.stderr  # the ImportError inside is not chained in


def test_cli_without_any_extra(tmp_path, sample_journal_path):
    """The command line, report included, runs with no extra installed."""
    proc = run_without({"pyarrow", "dask", "distributed"}, f"""
        from calmkit.cli import main
        sys.exit(main(["report", {str(sample_journal_path)!r}, "-o", "r.html"]))
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r.html").stat().st_size > 10_000


def test_cli_reports_a_missing_extra_in_one_line(tmp_path, sample_journal_path, monkeypatch, capsys):
    from calmkit import cli

    def needs_parquet(*_args, **_kwargs):
        _extras.require("pyarrow", "parquet", "this command")

    monkeypatch.setattr(cli.summary, "run", needs_parquet)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError
    assert cli.main(["summary", str(sample_journal_path)]) == cli.EXIT_PROBLEMS
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        'calmkit: this command needs the optional dependency \'pyarrow\', which is not installed: '
        'pip install "pyarrow>=12" (or, in a calmkit source checkout: pip install ".[parquet]")']


def test_require_refuses_an_undeclared_pairing():
    with pytest.raises(ValueError, match="does not provide"):
        _extras.require("scipy", "parquet", "x")
