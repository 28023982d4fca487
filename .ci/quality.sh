#!/usr/bin/env bash
# Quality gates, run by .ci/run after the main tests (issue 7):
#   1. the C++ test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#      (CMake preset "sanitize");
#   2. every libFuzzer target for a bounded time on its committed corpus;
#   3. the Doxygen API reference and the documentation site (Sphinx), warnings as errors;
#   4. clang-format (no diff allowed) over the C++ sources;
#   5. clang-tidy (the focused set in .clang-tidy) over the compiled parts;
#   6. ruff over the Python code.
# Needs (Debian): clang-14 clang-format-14 clang-tidy-14 libclang-rt-14-dev doxygen; (pip): ruff, atheris.
# Every gate runs even when an earlier one failed (so one CI run shows every
# problem); each prints its time, and the script fails if any gate failed.
#
# FUZZ_SECONDS (default 25) sets the time per fuzz target; JOBS the build jobs;
# QUALITY_GATES a subset to run (any of: sanitizers fuzzing docs format tidy lint).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export TZ=${TZ:-Europe/Kyiv}
FUZZ_SECONDS=${FUZZ_SECONDS:-25}
JOBS=${JOBS:-2}
PY=${PYTHON:-python3}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

pick() {  # the first of the given commands that exists
  for c in "$@"; do command -v "$c" >/dev/null && { echo "$c"; return; }; done
  echo "quality: none of $* found" >&2
  return 1
}
CLANGXX=$(pick clang++-14 clang++)
CLANG=$(pick clang-14 clang)
CLANG_FORMAT=$(pick clang-format-14 clang-format)

t0=$(date +%s)
failed=()
gate() {  # gate <name> <function>: run one gate in a subshell with errexit, time it
  local name=$1 start status
  if [ -n "${QUALITY_GATES:-}" ] && [[ " $QUALITY_GATES " != *" $2 "* ]]; then return 0; fi
  start=$(date +%s)
  echo "quality: == $name"
  set +e
  (set -e; "$2")
  status=$?
  set -e
  if ((status == 0)); then
    echo "quality: $name: ok ($(( $(date +%s) - start )) s)"
  else
    echo "quality: $name: FAILED ($(( $(date +%s) - start )) s)" >&2
    failed+=("$name")
  fi
}

# --- 1. sanitizers -----------------------------------------------------------
sanitizers() {
  cmake --preset sanitize "${launcher[@]}" -DCALMKIT_BUILD_EXAMPLES=OFF -DCALMKIT_BUILD_DOCS=OFF >/dev/null
  cmake --build --preset sanitize -j "$JOBS"
  # Leaks are errors too; UBSan stops at the first report (-fno-sanitize-recover).
  # The preset leaves out the consumer builds and the JavaScript package's tests
  # (its wasm build, node tests and tsc): none runs instrumented code, and the
  # main ctest has run them all.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset sanitize -j "$JOBS"
}

# --- 2. fuzzing ----------------------------------------------------------------
fuzzing() {
  CC=$CLANG CXX=$CLANGXX cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DCALMKIT_BUILD_FUZZERS=ON -DCALMKIT_BUILD_TESTS=OFF -DCALMKIT_BUILD_PYTHON=OFF \
    -DCALMKIT_BUILD_EXAMPLES=OFF -DCALMKIT_BUILD_DOCS=OFF -DCALMKIT_INSTALL=OFF >/dev/null
  cmake --build build-fuzz --target fuzzers -j "$JOBS"
  mkdir -p build-fuzz/artifacts
  for target in fuzz_jsonl fuzz_exercise_json fuzz_session fuzz_timezone; do
    fuzz "$target" "build-fuzz/tests/fuzz/$target"
  done
  # The importers are Python: atheris drives them through the calmkit package
  # that .ci/run's set-up built (build/python) or installed.
  if [ -d build/python/calmkit ]; then export PYTHONPATH="$root/build/python${PYTHONPATH:+:$PYTHONPATH}"; fi
  "$PY" -c "import atheris, calmkit" || { echo "quality: needs atheris (pip) and calmkit" >&2; return 1; }
  fuzz fuzz_importers "$PY" tests/fuzz/fuzz_importers.py
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fuzz() {  # fuzz <name> <command...>: bounded run on the committed corpus
  local name=$1
  shift
  mkdir -p "$work/$name"
  # New inputs go to a scratch directory: the committed corpus stays small.
  # A crash leaves its input in build-fuzz/artifacts/ and fails the script.
  if ! "$@" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$root/build-fuzz/artifacts/$name-" -print_final_stats=1 \
       "$work/$name" "tests/fuzz/corpus/$name" >"$work/$name.log" 2>&1; then
    grep -av '^INFO: Instrumenting' "$work/$name.log" | tail -n 60
    echo "quality: $name failed; the input is in build-fuzz/artifacts/$name-*" >&2
    return 1
  fi
  echo "quality: $name: $(grep -aE '^#[0-9]+.*DONE' "$work/$name.log" | tail -n 1)"
}

# --- 3. docs -------------------------------------------------------------------
docs() {
  cmake -S . -B build-docs -G Ninja -DCALMKIT_BUILD_TESTS=OFF -DCALMKIT_BUILD_PYTHON=OFF \
    -DCALMKIT_BUILD_EXAMPLES=OFF -DCALMKIT_INSTALL=OFF -DCALMKIT_BUILD_DOCS=ON >/dev/null
  cmake --build build-docs --target docs
  # The documentation site (Sphinx + MyST + autodoc, docs/conf.py): the guides,
  # the Python reference from the docstrings, and the Doxygen HTML above as
  # cpp/; warnings are errors. Its tools live in a venv that sees the system's
  # packages (numpy, pandas, ... for autodoc's imports) and changes none of them.
  local venv=build-docs/venv
  [ -x "$venv/bin/python" ] || "$PY" -m venv --system-site-packages "$venv"
  "$venv/bin/python" -c "import sphinx, myst_parser" 2>/dev/null ||
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "sphinx>=7,<10" "myst-parser>=2,<6"
  rm -rf build-docs/site build-docs/extra
  mkdir -p build-docs/extra
  cp -r build-docs/docs/html build-docs/extra/cpp
  if [ -d build/python/calmkit ]; then export PYTHONPATH="$root/build/python${PYTHONPATH:+:$PYTHONPATH}"; fi
  CALMKIT_DOCS_EXTRA="$root/build-docs/extra" "$venv/bin/python" -m sphinx -W --keep-going -q -b html \
    docs build-docs/site
  echo "quality: documentation site in build-docs/site/index.html"
}

# --- 4. formatting -------------------------------------------------------------
format() {
  mapfile -t cxx < <(git ls-files -- 'include/*.hpp' 'src/*.cpp' 'src/*.hpp' 'bindings/*.cpp' 'bindings/*.hpp' \
                       'tests/*.cpp' 'tests/*.hpp' 'examples/*.cpp' 'examples/*.hpp' \
                       'benchmarks/*.cpp' 'benchmarks/*.hpp')
  "$CLANG_FORMAT" --dry-run --Werror "${cxx[@]}"
}

# --- 5. clang-tidy -------------------------------------------------------------
tidy() {
  local clang_tidy
  clang_tidy=$(pick clang-tidy-14 clang-tidy)
  cmake -S . -B build-tidy -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCALMKIT_BUILD_TESTS=OFF \
    -DCALMKIT_BUILD_PYTHON=OFF -DCALMKIT_BUILD_EXAMPLES=OFF -DCALMKIT_BUILD_DOCS=OFF -DCALMKIT_INSTALL=OFF >/dev/null
  # Every compiled part (and, through HeaderFilterRegex, every public header it
  # includes) with the focused check set of .clang-tidy; any finding fails.
  # One file per process, $JOBS at a time (a whole serial run took about 6.5
  # minutes on 2 vCPUs); xargs fails if any file has a finding.
  printf '%s\0' src/*.cpp src/metrics/*.cpp |
    xargs -0 -n 1 -P "$JOBS" "$clang_tidy" -p build-tidy --quiet --warnings-as-errors='*'
}

# --- 6. Python lint ------------------------------------------------------------
lint() {
  "$PY" -m ruff check python tests examples benchmarks
}

gate "C++ tests under ASan + UBSan" sanitizers
gate "fuzzers, ${FUZZ_SECONDS} s each" fuzzing
gate "API reference (Doxygen, warnings as errors)" docs
gate "clang-format" format
gate "clang-tidy" tidy
gate "ruff" lint

if ((${#failed[@]})); then
  echo "quality: FAILED: ${failed[*]} ($(( $(date +%s) - t0 )) s)" >&2
  exit 1
fi
echo "quality: all gates passed in $(( $(date +%s) - t0 )) s"
