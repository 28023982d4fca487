#!/usr/bin/env bash
# The Python tests once more, on the other major version of pandas (run by .ci/run).
#
# calmkit supports pandas 2 and 3 (pyproject.toml: pandas>=2.0), and the two
# differ where calmkit makes and reads frames (pandas 3's default "str" text
# dtype, copy-on-write, datetime resolutions, removed aliases). Which major
# each run covers:
# - the main run (tools/setup.sh, then ctest): the pandas that setup.sh's
#   packages resolve to. Today that is the newest pandas 2.x: lifelines (a
#   test reference) caps pandas below 3 in its releases since 0.30.1, so pip
#   resolves "pandas>=2.0" to 2.x next to it;
# - here: the other major (today the newest pandas 3.x), in a venv that sees
#   the machine's packages but holds its own pandas and a lifelines that takes
#   it. Only those two are downloaded, and the compiled module of ./build is
#   reused (same interpreter), so this costs a pip install and one pytest run;
# - .ci/package.sh: the README's job on the wheel in a fresh venv, where pip
#   brings what a user gets (today pandas 3).
# Should setup.sh's resolution move to pandas 3, this covers pandas 2 instead:
# both majors are tested on every run either way.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PY=$(command -v "${PYTHON:-python3}")
venv=$root/build-pandas
main=$("$PY" -c "import pandas; print(pandas.__version__)")
case ${main%%.*} in
  2) other='pandas>=3,<4' ;;
  3) other='pandas>=2.0,<3' ;;
  *) echo "pandas: unexpected version $main in the main run" >&2; exit 1 ;;
esac
rm -rf "$venv"
"$PY" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$other" "lifelines>=0.27"
"$venv/bin/python" -m pip check
echo "pandas: the main run had pandas $main; this run has pandas $("$venv/bin/python" -c 'import pandas; print(pandas.__version__)')"

# Every file ctest runs from tests/python (tests/python/CMakeLists.txt), each
# in its own pytest process with ctest's environment as ctest runs them (one
# process for all would share state: test_cli_edges measures its children's
# peak memory, which the children of earlier files would set), less the
# JavaScript package's files (they use no pandas). Two files at a time, as
# ctest's preset runs them (`jobs: 2`); each file's output is printed whole
# once it ends, so the log reads file by file.
export PYTHONPATH=$root/build/python CALMKIT_SAMPLE_JOURNAL=$root/examples/data/sample-journal.jsonl
export CALMKIT_BUILD_DIR=$root/build
# test_docs: the C++ blocks of the docs use no pandas; the main run compiled and ran them.
export CALMKIT_DOCS_SKIP_CXX=1
export PANDAS_VENV_PY=$venv/bin/python
failed_list=$(mktemp)
trap 'rm -f "$failed_list"' EXIT
export PANDAS_FAILED_LIST=$failed_list
run_file() {
  local out rc=0
  out=$("$PANDAS_VENV_PY" -m pytest -q -p no:cacheprovider "$1" 2>&1) || rc=$?
  printf 'pandas: %s\n%s\n' "$1" "$out"
  if ((rc != 0)); then echo "$1" >>"$PANDAS_FAILED_LIST"; fi
  return 0
}
export -f run_file
for f in tests/python/test_*.py; do
  case $f in */test_js_parity.py | */test_breaker_js_rules.py | */test_web_app.py) continue ;; esac
  printf '%s\0' "$f"
done | xargs -0 -n 1 -P "${JOBS:-2}" bash -c 'run_file "$1"' _
if [ -s "$failed_list" ]; then
  echo "pandas: failed on the other pandas: $(sort "$failed_list" | tr '\n' ' ')" >&2
  exit 1
fi
echo "pandas: every Python test file passed on pandas $("$venv/bin/python" -c 'import pandas; print(pandas.__version__)')"
