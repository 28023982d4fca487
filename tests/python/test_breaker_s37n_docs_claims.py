"""What a newcomer reads against what happens: the set-up script on Debian's
own Python, the command line's lists and exit statuses in README.md and
docs/report.md against docs/cli.md and the parser, and the examples given
bad input.

B154 (fixed): docs/report.md's table of subcommands gives exit statuses that
contradict docs/cli.md and the commands: ``practice`` "0; 2" (a broken
journal gives 1, a full disk 3), ``backup`` "1 I/O" (cli.md: 3 when the copy
cannot be written), ``log``, ``import``, ``assess``, ``now`` without 3.

B155 (fixed): README.md's "Command line" section, the first list a newcomer reads,
leaves out ``now``, ``thought`` and ``backup``, three of the ten commands
(``now`` is the one docs/cli.md is built around).

B156 (fixed): README.md's two commands start with ``bash tools/setup.sh`` "on a
fresh Debian 12 machine", and it says ``PYTHON=/usr/bin/python3`` chooses
Debian's interpreter; that interpreter is "externally managed" (PEP 668), so
every ``pip install`` of the script stops with
``error: externally-managed-environment``, and the script installs neither
pip nor the Python headers the extension is compiled against (python3-pip,
python3-dev are not in a fresh Debian 12). Here the script runs with its
system steps stubbed (apt, npm, cmake) and Debian's Python answering every
``pip install`` as a dry run: the reference is pip itself, refusing or not.

B157 (fixed): examples/python/breathing_pacer.py with an unknown ``--exercise``
ends in a Python traceback (IndexError from calmkit.catalog_exercise), where
every other input error of the examples and the command line is one line.

B158 (fixed): the same example with a ``--trigger`` the journal does not have runs
the whole exercise, then ends in a traceback (RecordError) and the session
is lost; ``calmkit practice`` refuses it before the exercise starts.

B159 (fixed): the same example adds its session by reading the journal, adding and
writing it all back with ``write_journal``: another app's fields and the
header's ``generator`` and ``created`` are dropped, where docs/cli.md's rule
(and ``calmkit.home.add_records``, docs/cli.md "Where the journal lives")
keeps every line already there byte for byte. App makers copy this example.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import calmkit.cli

REPO = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def _statuses(text: str, sep: str) -> set[int]:
    """The exit statuses a docs entry lists: the numbers that open the text or follow ``sep``."""
    return {int(n) for n in re.findall(rf"(?:^|{re.escape(sep)})\s*(\d+)\b", text)}


def _cli_md_statuses() -> dict[str, set[int]]:
    """Each command's statuses in docs/cli.md's "Commands" section (``0 printed · 1 ... · 130``)."""
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"^#### `calmkit (\w+)[^\n]*\n(.*?)(?=^#|\Z)", text, re.M | re.S):
        body = " ".join(m.group(2).split())
        line = body[body.index("0 "):] if body.startswith("0 ") else body[body.rindex(" 0 ") + 1:]
        out[m.group(1)] = _statuses(line, "·")
    return out


def _report_md_statuses() -> dict[str, set[int]]:
    """Each command's statuses in docs/report.md's table "The other subcommands"."""
    text = (REPO / "docs" / "report.md").read_text(encoding="utf-8")
    section = text[text.index("## The other subcommands"):]
    out = {}
    for line in section.splitlines():
        m = re.match(r"^\| `calmkit (\w+)", line)
        if m:
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            out[m.group(1)] = _statuses(cells[-1], ";")
    return out


def test_cli_md_lists_the_statuses_of_every_command() -> None:
    """The parse above reads docs/cli.md: each of its eight command sections lists 0 to 3 and 130."""
    statuses = _cli_md_statuses()
    assert set(statuses) == {"summary", "validate", "report", "import", "practice", "log", "assess", "backup"}
    for command, found in statuses.items():
        assert found == {0, 1, 2, 3, 130}, (command, found)


def test_report_md_statuses_match_cli_md() -> None:
    cli = _cli_md_statuses()
    table = _report_md_statuses()
    assert set(table) >= {"import", "practice", "log", "assess", "backup", "now"}
    for command, found in table.items():
        assert found == cli.get(command, {0, 1, 2, 3, 130}), (command, found)


def test_practice_on_a_broken_journal_is_the_status_report_md_gives(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text('{"type":"header","format":"calmkit-journal","version":1}\n{"type":"trigger"}\n')
    p = subprocess.run([sys.executable, "-m", "calmkit", "practice", "breathing.box", "--journal", str(journal)],
                       capture_output=True, text=True, input="", timeout=300, env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert 1 in _report_md_statuses()["practice"]


def _readme_command_line_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## Command line")
    return text[start:text.index("\n## ", start + 1)]


def test_readme_names_every_command() -> None:
    parser = calmkit.cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    section = _readme_command_line_section()
    missing = [name for name in sub.choices if f"`{name}`" not in section and f"calmkit {name}" not in section]
    assert missing == [], missing


def _fake_wheel(folder: Path) -> Path:
    """The smallest wheel pip accepts: what the stubbed installs resolve instead of the real packages."""
    wheel = folder / "calmkitsetupprobe-1.0-py3-none-any.whl"
    info = "calmkitsetupprobe-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: calmkitsetupprobe\nVersion: 1.0\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n")
    return wheel


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _externally_managed(python: Path) -> bool:
    p = subprocess.run([str(python), "-c", "import sys, sysconfig, os; print(sys.prefix == sys.base_prefix and "
                        "os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
                       capture_output=True, text=True)
    return p.stdout.strip() == "True"


@pytest.fixture
def stubbed_setup(tmp_path: Path):
    """Runs tools/setup.sh with PYTHON set to a wrapper of Debian's python3:
    ``-m pip install OPTIONS PACKAGES`` becomes ``pip install OPTIONS --dry-run
    --no-index --no-deps PROBE.whl`` (nothing is installed, but pip refuses an
    externally managed interpreter exactly as it would), everything else runs
    as it is; dpkg-query, apt-get, npm and cmake are stubs that log their
    arguments."""
    if not DEBIAN_PYTHON.exists() or subprocess.run([str(DEBIAN_PYTHON), "-m", "pip", "--version"],
                                                    capture_output=True).returncode != 0:
        pytest.skip("needs Debian's /usr/bin/python3 with pip")
    if not _externally_managed(DEBIAN_PYTHON):
        pytest.skip("/usr/bin/python3 is not an externally managed interpreter here")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "calls.log"
    wheel = _fake_wheel(tmp_path)
    _executable(bin_ / "python3", f"""#!{DEBIAN_PYTHON}
import os, subprocess, sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write("python3 " + " ".join(args) + "\\n")
if args[:3] == ["-m", "pip", "install"]:
    options = [a for a in args[3:] if a.startswith("-") and a != "--no-build-isolation"
               and not a.startswith("--config-settings")]
    sys.exit(subprocess.run([{str(DEBIAN_PYTHON)!r}, "-m", "pip", "install", *options, "--dry-run", "--no-index",
                             "--no-deps", {str(wheel)!r}]).returncode)
os.execv({str(DEBIAN_PYTHON)!r}, [{str(DEBIAN_PYTHON)!r}, *args])
""")
    for tool in ("dpkg-query", "apt-get", "sudo", "npm", "cmake"):
        _executable(bin_ / tool, f"#!/bin/sh\necho \"{tool} $*\" >> '{log}'\n"
                    + ("printf 'install ok installed'\n" if tool == "dpkg-query" else ""))
    env = dict(os.environ, PATH=f"{bin_}:/usr/bin:/bin", PYTHON=str(bin_ / "python3"))
    env.pop("PYTHONPATH", None)

    def run() -> tuple[subprocess.CompletedProcess, str]:
        p = subprocess.run(["bash", str(REPO / "tools" / "setup.sh")], capture_output=True, text=True, env=env,
                           timeout=300)
        return p, log.read_text() if log.exists() else ""

    return run


def test_the_wrapper_sees_pip_refuse_debian_python(tmp_path: Path) -> None:
    """The reference the set-up test relies on: pip itself refuses Debian's own
    interpreter outside a venv, and accepts it with --break-system-packages."""
    if not DEBIAN_PYTHON.exists() or not _externally_managed(DEBIAN_PYTHON):
        pytest.skip("needs Debian's externally managed /usr/bin/python3")
    if subprocess.run([str(DEBIAN_PYTHON), "-m", "pip", "--version"], capture_output=True).returncode != 0:
        pytest.skip("Debian's python3 has no pip")
    wheel = _fake_wheel(tmp_path)
    base = [str(DEBIAN_PYTHON), "-m", "pip", "install", "-q", "--dry-run", "--no-index", "--no-deps", str(wheel)]
    refused = subprocess.run(base, capture_output=True, text=True)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    assert subprocess.run([*base, "--break-system-packages"], capture_output=True, text=True).returncode == 0


def test_setup_installs_into_debian_python(stubbed_setup) -> None:
    p, calls = stubbed_setup()
    assert "externally-managed-environment" not in p.stderr, p.stderr[-2000:]
    assert p.returncode == 0, p.stderr[-2000:]
    assert "setup: done" in p.stdout
    assert "-m pip install" in calls and "--no-build-isolation" in calls  # calmkit itself, at least


def test_setup_installs_pip_and_headers_for_debian_python(stubbed_setup) -> None:
    p, calls = stubbed_setup()
    checked = {line.split()[-1] for line in calls.splitlines() if line.startswith("dpkg-query")}
    assert {"python3-pip", "python3-dev", "python3-venv"} <= checked, sorted(checked)


def test_the_probe_wheel_is_installable_in_a_venv(tmp_path: Path) -> None:
    """The probe wheel is a valid one: a venv's pip takes it (so a refusal above is about the interpreter)."""
    venv = tmp_path / "venv"
    if subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True).returncode:
        pytest.skip("no venv module")
    wheel = _fake_wheel(tmp_path)
    p = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                        "--dry-run", "--no-index", "--no-deps", str(wheel)], capture_output=True, text=True)
    if "no such option: --python" in p.stderr:
        pytest.skip("pip older than 22.3")
    assert p.returncode == 0, p.stderr


def test_pacer_example_unknown_exercise_is_one_line(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, str(REPO / "examples" / "python" / "breathing_pacer.py"), "--fast",
                        "--exercise", "breathing.nosuch", str(tmp_path / "j.jsonl")], capture_output=True,
                       text=True, input="", timeout=300)
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2, p.stderr
    assert "breathing.nosuch" in p.stderr.strip().splitlines()[-1], p.stderr
    assert not (tmp_path / "j.jsonl").exists()


def _pacer(journal: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "examples" / "python" / "breathing_pacer.py"), "--speed",
                           "1000", *args, str(journal)], capture_output=True, text=True, input=stdin, timeout=300)


def test_pacer_example_unknown_trigger_stops_before_the_exercise(tmp_path: Path) -> None:
    p = _pacer(tmp_path / "j.jsonl", "--trigger", "t-nosuch")
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2 and "t-nosuch" in p.stderr.strip().splitlines()[-1], p.stderr
    assert "Done." not in p.stdout  # refused before the exercise, not after it
    assert not (tmp_path / "j.jsonl").exists()


OTHER_APP = ('{"type":"header","format":"calmkit-journal","version":1,"generator":"otherapp","created":"2026-01-01"}\n'
             '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply",'
             '"intensity":8,"app_mood":"x"}\n')


def test_pacer_example_keeps_the_lines_already_there(tmp_path: Path) -> None:
    """docs/cli.md: an entry is added at the end with the bytes already there
    kept (another app's fields, the header's generator); the reference is the
    file's own bytes before the run, and json for the added line."""
    import json

    journal = tmp_path / "j.jsonl"
    journal.write_text(OTHER_APP, encoding="utf-8")
    p = _pacer(journal, "--trigger", "t1", stdin="5\n2\n")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    text = journal.read_text(encoding="utf-8")
    assert text.startswith(OTHER_APP), text
    added = [json.loads(line) for line in text[len(OTHER_APP):].splitlines()]
    assert len(added) == 1 and added[0]["type"] == "exercise" and added[0]["trigger"] == "t1"
    assert (added[0]["intensity_before"], added[0]["intensity_after"]) == (5, 2)


def test_pacer_example_broken_journal_is_one_line(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text(OTHER_APP + '{"type":"trigger"}\n', encoding="utf-8")
    p = _pacer(journal)
    assert p.returncode != 0 and "Traceback" not in p.stderr, p.stderr
    assert journal.read_text(encoding="utf-8") == OTHER_APP + '{"type":"trigger"}\n'

