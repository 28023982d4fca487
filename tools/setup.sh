#!/usr/bin/env bash
# One-step set-up for a fresh Debian 12 machine (and a quick no-op when done):
#   1. Debian packages: compiler, CMake, Ninja, Boost, simdjson, range-v3, Catch2 2.13, Doxygen,
#      SQLite, Chromium (the report test renders the HTML report headless), poppler-utils (pdftoppm
#      and pdftotext: the printed report's pages) tmux (a terminal to try the guided commands in)
#      and R with survival and psych (test references), Emscripten and Node (the WebAssembly
#      build and JavaScript package in bindings/js; its TypeScript check via npm);
#   2. Python packages for the chosen interpreter (PYTHON, default: the first python3 on PATH);
#   3. the C++ build in ./build (CMake preset "default": library, tests, Python module);
#   4. `pip install .` so that `python3 -m calmkit` and the `calmkit` command work.
# Safe to run again: each step only does what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

t0=$(date +%s)
took() { echo "($(( $(date +%s) - t0 )) s since set-up started)"; }  # each step's end, for CI's log

PYTHON=${PYTHON:-python3}
PY=$(command -v "$PYTHON") || { echo "setup: no '$PYTHON' on PATH" >&2; exit 1; }

apt_packages=(g++ cmake ninja-build libboost-dev libsimdjson-dev librange-v3-dev catch2 doxygen
              python3-dev python3-pip python3-venv  # Debian's python3: headers for the extension, pip, venv
              libsqlite3-dev chromium ccache pkg-config poppler-utils tmux
              r-base-core r-cran-survival r-cran-psych  # R: references for calmkit.stats and the metrics in the tests
              emscripten node-acorn nodejs)  # cmake --preset wasm and the JavaScript package's tests
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: Debian packages installed $(took)"
fi

# npm (Debian's nodejs comes without it) and the JavaScript package's
# devDependencies: TypeScript (the `tsc --strict` check of its declarations),
# puppeteer-core (drives Debian's chromium; no browser download) and axe-core
# (the accessibility check of examples/web). Installed again whenever
# package-lock.json is newer than what npm last installed.
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
if [ ! -f bindings/js/node_modules/.package-lock.json ] ||
   [ bindings/js/package-lock.json -nt bindings/js/node_modules/.package-lock.json ]; then
  echo "setup: installing the JavaScript package's devDependencies (bindings/js)"
  npm ci --prefix bindings/js --no-audit --no-fund --loglevel=error
  echo "setup: JavaScript devDependencies installed $(took)"
fi

# Debian 12's own python3 is "externally managed" (PEP 668): outside a venv,
# pip refuses to install into it (error: externally-managed-environment).
# This script installs for the chosen interpreter on purpose (README.md), so it
# says so to pip, which then installs into /usr/local, beside Debian's own
# packages in /usr/lib rather than over them. A venv's python needs nothing.
pip_flags=(-q --disable-pip-version-check --root-user-action=ignore)
if "$PY" -c 'import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(marker) else 1)'; then
  pip_flags+=(--break-system-packages)
fi

# Python build and test dependencies (versions as in pyproject.toml).
# lifelines and statsmodels are test references (tests/python/test_references.py).
if ! "$PY" -c "import numpy, pandas, pytest, hypothesis, matplotlib, rich, scikit_build_core, pybind11, jsonschema, pyarrow, dask.dataframe, distributed, lifelines, statsmodels, yaml" 2>/dev/null; then
  echo "setup: installing Python packages for $PY"
  "$PY" -m pip install "${pip_flags[@]}" \
    "numpy>=1.24" "pandas>=2.0" "pytest>=7" "hypothesis>=6" "matplotlib>=3.6" "rich>=13.3" \
    "scikit-build-core>=0.10" "pybind11>=2.12" "jsonschema>=4" "pyarrow>=12" \
    "dask[dataframe]>=2024.1" "distributed>=2024.1" "lifelines>=0.27" "statsmodels>=0.14" "pyyaml>=6"
  echo "setup: Python packages installed $(took)"
fi

# Optional, for benchmarks/user_path/run.py only (it runs without it): polars.
if ! "$PY" -c "import polars" 2>/dev/null; then
  "$PY" -m pip install "${pip_flags[@]}" "polars>=1" ||
    echo "setup: polars not installed (optional: only the reading benchmark compares with it)"
fi

echo "setup: building ./build"
# ccache lets the wheel build below reuse the objects of this build (same
# sources, same flags; see there), so each object is compiled once, not twice.
cmake --preset default -DPython_EXECUTABLE="$PY" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build --preset default
echo "setup: ./build built $(took)"

echo "setup: installing the calmkit Python package"
# For ccache to serve the wheel build the objects of ./build, the two compile
# with the same command lines: the same compiler by the same name (left alone,
# scikit-build-core takes Python's sysconfig CXX, e.g. g++ where CMake took
# c++, and ccache keys on the compiler's name), and a build folder at the same
# depth as ./build (build-wheel-<tag>, not pyproject.toml's build-wheel/<tag>:
# under ccache's base_dir the sources are ../src/x.cpp from both; still one
# folder per interpreter, so a set-up for another Python never reuses this
# one's CMake cache). A CXX of your own is used for both builds as it is.
cxx=${CXX:-$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build/CMakeCache.txt 2>/dev/null || true)}
if [ -n "$cxx" ]; then export CXX=$cxx; fi
"$PY" -m pip install "${pip_flags[@]}" --no-build-isolation \
  --config-settings=build-dir='build-wheel-{wheel_tag}' \
  --config-settings=cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache \
  --config-settings=cmake.define.CALMKIT_WERROR=ON .
echo "setup: done $(took)"
