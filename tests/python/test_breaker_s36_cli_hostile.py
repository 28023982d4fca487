"""The command line given hostile inputs, against what docs/cli.md promises
("Every error is one or two lines in plain words on stderr, starting with
``calmkit:`` — never a Python traceback, whatever the input, the arguments or
the signal") and against what plain Python and the operating system do.

B103 (fixed): ``--instruments FILE`` whose JSON nests deeper than Python's recursion
limit (a few thousand ``[``) ends in ``RecursionError`` and a traceback;
the mindLAMP importer and ``--activities`` read the same kind of file and say
"nested too deeply" (the reference here: ``json.loads`` raises RecursionError
on that text, so the file is the cause, not calmkit's state).

B104 (fixed): a journal path that is a loop of symbolic links (``a -> b -> a``) is
reported as "no such file", although the path is there; the operating system
says ELOOP ("Too many levels of symbolic links"), and calmkit's own output
rule names the same path "more than 40 symbolic links in a row (a cycle?)".

B105 (fixed): a ``calmkit`` started with SIGINT ignored (``nohup``, or ``cmd &`` in a
shell script: POSIX shells start background jobs with SIGINT ignored) is
still ended by SIGINT, because it installs its own handler over the ignored
disposition. Plain Python keeps an inherited SIG_IGN (the signal module
installs its KeyboardInterrupt handler only when SIGINT was not ignored), so
``python3 -c 'import time; time.sleep(2)'`` started the same way runs to the
end: the reference in the test.
"""

from __future__ import annotations

import errno
import json
import shutil
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "sample-journal.jsonl"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", CALMKIT_JOURNAL=str(cwd / "own.jsonl"))
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def _deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def test_the_deep_file_is_deeper_than_python_json_reads() -> None:
    """The reference: Python's json module cannot read the file either."""
    with pytest.raises(RecursionError):
        json.loads(_deep_json())


def test_instruments_file_nested_too_deeply_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(_deep_json(), encoding="utf-8")
    r = _run("--instruments", "deep.json", "summary", str(SAMPLE), cwd=tmp_path)
    assert "Traceback" not in r.stderr, r.stderr[-400:]
    assert r.returncode == 2, (r.returncode, r.stderr[-400:])
    assert r.stderr.startswith("calmkit: ") and "deep.json" in r.stderr, r.stderr[-400:]


def test_instruments_file_that_is_not_json_is_a_plain_error(tmp_path: Path) -> None:
    """The neighbouring case the command already handles (so B103's test fails on its one cause)."""
    (tmp_path / "bad.json").write_text("[1,", encoding="utf-8")
    r = _run("--instruments", "bad.json", "summary", str(SAMPLE), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("calmkit: bad.json:1:"), r.stderr


@pytest.fixture
def link_loop(tmp_path: Path) -> Path:
    (tmp_path / "a.jsonl").symlink_to("b.jsonl")
    (tmp_path / "b.jsonl").symlink_to("a.jsonl")
    with pytest.raises(OSError) as e:  # the reference: the system's own word for this path
        os.stat(tmp_path / "a.jsonl")
    assert e.value.errno == errno.ELOOP
    return tmp_path


@pytest.mark.parametrize("command", ["summary", "validate", "report"])
def test_an_input_link_loop_is_named_as_a_loop(link_loop: Path, command: str) -> None:
    args = [command, "a.jsonl"] + (["-o", "r.html"] if command == "report" else [])
    r = _run(*args, cwd=link_loop)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "no such file" not in r.stderr, r.stderr
    assert "symbolic link" in r.stderr, r.stderr


def test_an_output_link_loop_is_named_as_a_loop(link_loop: Path) -> None:
    """The output rule already says so: the input side should use the same words."""
    r = _run("report", str(SAMPLE), "-o", "a.jsonl", cwd=link_loop)
    assert r.returncode == 2 and "symbolic links in a row" in r.stderr, r.stderr


def _ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt_often(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Runs ``cmd`` started with SIGINT ignored (as ``nohup`` or a script's
    background job starts it) and sends it SIGINT every 0.2 s until it ends."""
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", CALMKIT_JOURNAL=str(cwd / "own.jsonl"))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env,
                         preexec_fn=_ignoring_sigint)
    deadline = time.monotonic() + 300
    while p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def test_plain_python_keeps_an_ignored_sigint(tmp_path: Path) -> None:
    """The reference: an interpreter started with SIGINT ignored keeps ignoring it."""
    r = _interrupt_often([sys.executable, "-c", "import time; time.sleep(1.5); print('done')"], tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "done", (r.returncode, r.stderr)


def test_calmkit_keeps_an_ignored_sigint(tmp_path: Path) -> None:
    r = _interrupt_often([sys.executable, "-m", "calmkit", "report", str(SAMPLE), "-o", "r.html"], tmp_path)
    assert r.returncode == 0, (r.returncode, r.stderr[-300:])
    assert (tmp_path / "r.html").is_file()


def test_calmkit_still_stops_on_sigint_when_it_was_not_ignored(tmp_path: Path) -> None:
    """Guards the fix of B105: a Ctrl-C that is not ignored still stops the
    command with status 130 and leaves no output behind."""
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", CALMKIT_JOURNAL=str(tmp_path / "own.jsonl"))
    p = subprocess.Popen([sys.executable, "-m", "calmkit", "report", str(SAMPLE), "-o", "r.html"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2.0)  # past the interpreter's own start-up, where Python, not calmkit, handles Ctrl-C
    p.send_signal(signal.SIGINT)
    _out, err = p.communicate(timeout=120)
    if p.returncode == 0:
        pytest.skip("the report was finished before the signal came (a very fast machine)")
    assert p.returncode == 130, (p.returncode, err[-300:])
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == [], os.listdir(tmp_path)


# B110 (fixed): an input whose path the system refuses to look up for a reason other
# than "not there" (a name longer than NAME_MAX: ENAMETOOLONG; a folder on the
# way that cannot be entered: EACCES) is reported as "cannot write the output"
# with status 3, the status of a full disk; docs/cli.md gives status 2 for an
# input that is "missing, a directory, unreadable". The reference is os.stat's
# own error for the same path.


def _too_long_name(tmp_path: Path) -> str:
    name = "j" * (os.pathconf(tmp_path, "PC_NAME_MAX") + 1) + ".jsonl"
    with pytest.raises(OSError) as e:
        os.stat(tmp_path / name)
    assert e.value.errno == errno.ENAMETOOLONG
    return name


@pytest.mark.parametrize("command", ["summary", "validate", "report"])
def test_an_input_name_too_long_is_a_usage_error_about_the_input(tmp_path: Path, command: str) -> None:
    name = _too_long_name(tmp_path)
    args = [command, name] + (["-o", "r.html"] if command == "report" else [])
    r = _run(*args, cwd=tmp_path)
    assert "Traceback" not in r.stderr
    assert "cannot write the output" not in r.stderr, r.stderr[:300]
    assert r.returncode == 2, (r.returncode, r.stderr[:300])
    assert os.strerror(errno.ENAMETOOLONG) in r.stderr, r.stderr[:300]


@pytest.mark.skipif(os.geteuid() == 0, reason="root enters every folder")
def test_an_input_in_a_folder_that_cannot_be_entered(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(SAMPLE, closed / "j.jsonl")
    closed.chmod(0)
    try:
        r = _run("summary", "closed/j.jsonl", cwd=tmp_path)
    finally:
        closed.chmod(0o700)
    assert "cannot write the output" not in r.stderr, r.stderr
    assert r.returncode == 2, (r.returncode, r.stderr)
