"""Inputs and signals that used to escape as tracebacks, hangs or wrong exit
codes: endless and huge inputs, non-UTF-8 arguments, a closed pipe, a full
disk, Ctrl-C, a broken journal, and `-o` on an existing file (docs/cli.md has
the exit status table these tests hold the commands to)."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import calmkit

T = "2026-03-02T21:14:00+01:00"


def run(*args: str | Path | bytes, stdin: str = "", **kw) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "calmkit", *[a if isinstance(a, bytes) else str(a) for a in args]],
                       input=stdin, capture_output=True, text=True, errors="replace", timeout=300, **kw)
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p


def journal_file(tmp_path: Path, n: int = 3) -> Path:
    path = tmp_path / "j.jsonl"
    j = calmkit.Journal([calmkit.Reading(id=f"r{k}", time=T, intensity=k % 11, participant="p")
                         for k in range(n)])
    calmkit.write_journal(j, path)
    return path


# --- 8. bounded input ------------------------------------------------------------------------


def endless_fifo(tmp_path: Path, chunk: bytes) -> tuple[Path, threading.Event]:
    """A FIFO fed `chunk` over and over until its reader goes away."""
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        fd = os.open(fifo, os.O_WRONLY)
        try:
            while not stop.is_set():
                os.write(fd, chunk)
        except (BrokenPipeError, OSError):
            pass
        finally:
            os.close(fd)

    threading.Thread(target=feed, daemon=True).start()
    return fifo, stop


def run_measured(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`run` that also gives the child's own peak RSS in MiB, from wait4: getrusage(RUSAGE_CHILDREN) would be the
    largest of every child this test process has waited for, other tests' children included."""
    cmd = [sys.executable, "-m", "calmkit", *[str(a) for a in args]]
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        out: dict[str, bytes] = {}
        readers = [threading.Thread(target=lambda k, s: out.__setitem__(k, s.read()), args=(k, s))
                   for k, s in (("stdout", child.stdout), ("stderr", child.stderr))]
        for t in readers:
            t.start()
        killer = threading.Timer(300, child.kill)
        killer.start()
        _, status, usage = os.wait4(child.pid, 0)
        killer.cancel()
        for t in readers:
            t.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    p = subprocess.CompletedProcess(cmd, child.returncode, out["stdout"].decode(errors="replace"),
                                    out["stderr"].decode(errors="replace"))
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    return p, usage.ru_maxrss / 1024


def test_validate_an_endless_stream_of_zero_bytes(tmp_path: Path):
    fifo, stop = endless_fifo(tmp_path, b"\0" * 65536)
    p, peak_mib = run_measured("validate", fifo)
    stop.set()
    assert p.returncode == 1
    assert "line is longer than 16 MiB without a line break" in p.stdout + p.stderr
    assert peak_mib < 400


def test_an_endless_stream_of_good_lines_stops_at_the_size_limit(tmp_path: Path):
    line = json.dumps({"type": "reading", "time": T, "intensity": 3}).encode() + b"\n"
    fifo, stop = endless_fifo(tmp_path, line * 100)
    p = run("--max-input-bytes", "1000000", "summary", fifo)
    stop.set()
    assert p.returncode == 2
    assert "not a regular file and gave more than the limit of 1000000 bytes" in p.stderr


def test_a_huge_sparse_file_is_refused_without_reading_it_into_memory(tmp_path: Path):
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as f:
        f.truncate(2 << 30)  # 2 GiB of holes, no disk used
    p, peak_mib = run_measured("validate", big)
    assert p.returncode == 1 and "line is longer than" in p.stdout
    # The reader streams: the child's peak memory is a few chunks, not 2 GiB.
    assert peak_mib < 400
    p = run("--max-input-bytes", "1000", "validate", big)
    assert p.returncode == 2 and "holds 2147483648 bytes, more than the limit of 1000 bytes" in p.stderr
    with pytest.raises(calmkit.FileError, match="more than the limit") as e:
        calmkit.read_journal(big, max_bytes=1 << 20)
    assert e.value.errno == 27


def test_the_reader_streams_and_keeps_every_line(tmp_path: Path):
    # Lines that straddle the 1 MiB chunk borders, a BOM, CRLF and blank lines.
    lines = ["\ufeff" + json.dumps({"type": "header", "format": "calmkit-journal", "version": 1})]
    for k in range(30000):
        lines.append(json.dumps({"type": "reading", "id": f"r{k}", "time": T, "intensity": k % 11,
                                 "note": "x" * (k % 97)}) + ("\r" if k % 3 == 0 else ""))
        if k % 1000 == 0:
            lines.append("")
    path = tmp_path / "j.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    j, report = calmkit.read_journal_with_report(path)
    assert len(j.readings) == 30000 and report.lines == len(lines)
    assert calmkit.to_jsonl(j) == calmkit.to_jsonl(calmkit.parse_journal(path.read_text(encoding="utf-8")))
    # A bad line far in is reported with its own line number.
    lines[25001] = lines[25001].replace('"intensity"', '"intensty"')
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_journal(path)
    assert e.value.line == 25002


def test_import_refuses_a_fifo(tmp_path: Path):
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    p = run("import", "daylio", fifo, "-o", tmp_path / "out.jsonl", "--tz", "Europe/Berlin")
    assert p.returncode == 2 and "not a regular file" in p.stderr


# --- 10. arguments, pipes, disks, signals ----------------------------------------------------


@pytest.mark.parametrize("option", ["--participant", "--note", "--id"])
def test_non_utf8_text_arguments_are_a_usage_error(tmp_path: Path, option: str):
    j = tmp_path / "j.jsonl"
    p = run("log", "trigger", "--journal", j, "--category", "conflict", "--intensity", "4",
            option.encode(), b"caf\xe9")
    assert p.returncode == 2 and f"{option} 'caf\\xe9' is not valid UTF-8 text" in p.stderr
    assert not j.exists()


def test_non_utf8_participant_on_import(tmp_path: Path):
    src = Path(__file__).resolve().parents[1] / "data" / "importers" / "daylio_export.csv"
    p = run("import", "daylio", src, "-o", tmp_path / "o.jsonl", "--tz", "Europe/Berlin", "--participant",
            b"\xff\xfe")
    assert p.returncode == 2 and "--participant" in p.stderr and "not valid UTF-8" in p.stderr


def test_a_non_utf8_file_name_is_fine(tmp_path: Path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.jsonl"
    p = run("log", "reading", "--journal", name, "--intensity", "3", "--time", "2026-03-02T21:14")
    assert p.returncode == 0, p.stderr
    assert os.path.exists(name)


def test_a_closed_pipe_is_not_an_error(tmp_path: Path, sample_journal_path: Path):
    # The reader of stdout is gone before the command writes (as `| head -1` after its line).
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([sys.executable, "-m", "calmkit", "summary", str(sample_journal_path)], stdout=w,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    os.close(w)
    assert p.returncode == 0 and p.stderr == "", p.stderr


def test_head_of_summary(sample_journal_path: Path):
    p = subprocess.run(f"'{sys.executable}' -m calmkit summary '{sample_journal_path}' | head -1", shell=True,
                       capture_output=True, text=True, timeout=300)
    assert p.stdout.startswith("Participant") and p.stderr == ""


def limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_on_stdout(tmp_path: Path, sample_journal_path: Path):
    # A file size limit stands in for a full disk (/dev/full is a system path).
    out = tmp_path / "out.txt"
    with open(out, "w") as f:
        p = subprocess.run([sys.executable, "-m", "calmkit", "summary", str(sample_journal_path)], stdout=f,
                           stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=limit_file_size(100))
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and "calmkit: cannot write the output: File too large" in p.stderr


def test_a_full_disk_on_log_keeps_the_journal(tmp_path: Path):
    j = journal_file(tmp_path, 40)
    before = j.read_bytes()
    p = subprocess.run([sys.executable, "-m", "calmkit", "log", "reading", "--journal", str(j), "--intensity", "3"],
                       capture_output=True, text=True, timeout=300, preexec_fn=limit_file_size(len(before)))
    assert p.returncode == 3 and "File too large; nothing was replaced" in p.stderr, p.stderr
    assert "Traceback" not in p.stderr
    assert j.read_bytes() == before
    assert sorted(q.name for q in tmp_path.iterdir()) == ["j.jsonl", "j.jsonl.lock"]


def loaded(pid: int, name: str) -> bool:
    try:
        return name in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3])
def test_ctrl_c_during_start_up(tmp_path: Path, delay: float):
    """SIGINT once calmkit's own start-up has begun (its compiled core is being
    loaded: numpy and pandas follow), at a few delays after that. Before that
    moment the interpreter itself is starting, which no program can change."""
    p = subprocess.Popen([sys.executable, "-m", "calmkit", "summary", str(journal_file(tmp_path))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not loaded(p.pid, "calmkit/_core") and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=300)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    # 0: it finished before the signal. -SIGINT: the signal came while the
    # interpreter was shutting down, after it had put the default action back
    # for every handler set from Python (CPython's _PySignal_Fini); the process
    # ends by the signal, which a shell reports as 130, with nothing printed.
    assert p.returncode in (0, 130, -signal.SIGINT), err
    if p.returncode == 130:
        assert "calmkit: interrupted" in err


def test_ctrl_c_in_practice(tmp_path: Path):
    """The first Ctrl-C stops the exercise early (by design: the session is
    recorded as not completed); a Ctrl-C at a later question ends the command
    with status 130, no traceback and nothing recorded."""
    j = tmp_path / "j.jsonl"
    p = subprocess.Popen([sys.executable, "-m", "calmkit", "practice", "breathing.box", "--journal", str(j)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(lambda: p.stdout.read(1), "")), daemon=True)
    reader.start()

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 120
        while text not in "".join(seen):
            assert time.monotonic() < deadline and p.poll() is None, "".join(seen)
            time.sleep(0.05)

    wait_for("How strong is the distress right now?")
    p.stdin.write("5\n")
    p.stdin.flush()
    # The first step's line is printed from inside the exercise's loop (output
    # to a pipe: one line per step), so the Ctrl-C lands in the exercise; a
    # fixed pause could end before a busy machine has even read the answer.
    wait_for("[round 1]")
    p.send_signal(signal.SIGINT)  # during the exercise
    wait_for("And now?")
    p.send_signal(signal.SIGINT)  # at the question
    err = p.stderr.read()
    p.wait(timeout=300)
    reader.join(timeout=60)
    assert "Stopped early." in "".join(seen)
    assert p.returncode == 130 and "calmkit: interrupted" in err and "Traceback" not in err, err
    assert not j.exists()


def test_a_broken_journal_gives_one_status_with_or_without_id(tmp_path: Path):
    j = tmp_path / "j.jsonl"
    j.write_text('{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"nope",'
                 '"intensity":3}\n')
    before = j.read_bytes()
    for extra in ([], ["--id", "t9"]):
        for kind in (["trigger", "--category", "conflict"], ["reading"]):
            p = run("log", *kind, "--journal", j, "--intensity", "4", *extra)
            assert p.returncode == 1 and "category" in p.stderr, (kind, extra, p.stderr)
    assert j.read_bytes() == before


def test_dash_o_on_an_existing_file_follows_one_rule(tmp_path: Path):
    journal = journal_file(tmp_path)
    daylio = Path(__file__).resolve().parents[1] / "data" / "importers" / "daylio_export.csv"
    commands = {
        "report": lambda out, *f: run("report", journal, "-o", out, *f),
        "import": lambda out, *f: run("import", "daylio", daylio, "-o", out, "--tz", "Europe/Berlin", "--mood", "Anxious=8", *f),
    }
    for name, command in commands.items():
        out = tmp_path / f"{name}.out"
        out.write_text("precious")
        os.chmod(out, 0o640)
        p = command(out)
        assert p.returncode == 2 and "already exists; use --force to replace it" in p.stderr, (name, p.stderr)
        assert out.read_text() == "precious"
        p = command(out, "--force")
        assert p.returncode == 0, (name, p.stderr)
        assert out.read_text() != "precious" and stat.S_IMODE(out.stat().st_mode) == 0o640
        # Never a FIFO, even with --force.
        fifo = tmp_path / f"{name}.fifo"
        os.mkfifo(fifo)
        p = command(fifo, "--force")
        assert p.returncode == 2 and "FIFO" in p.stderr and stat.S_ISFIFO(os.stat(fifo).st_mode), (name, p.stderr)


def test_log_into_a_fifo_or_through_a_link_to_one(tmp_path: Path):
    fifo = tmp_path / "j.jsonl"
    os.mkfifo(fifo)
    link = tmp_path / "link.jsonl"
    link.symlink_to(fifo)
    for target in (fifo, link):
        p = run("log", "trigger", "--journal", target, "--category", "conflict", "--intensity", "4")
        assert p.returncode == 2 and "a FIFO (named pipe), not a regular file" in p.stderr, p.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()


def test_log_keeps_a_chmod_600_journal_at_600(tmp_path: Path):
    j = journal_file(tmp_path)
    os.chmod(j, 0o600)
    p = run("log", "trigger", "--journal", j, "--category", "conflict", "--intensity", "4")
    assert p.returncode == 0 and stat.S_IMODE(j.stat().st_mode) == 0o600
    new = tmp_path / "new.jsonl"
    p = subprocess.run(["sh", "-c", 'umask 022 && exec "$0" -m calmkit log reading --journal "$1" --intensity 2',
                        sys.executable, str(new)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and stat.S_IMODE(new.stat().st_mode) == 0o600, p.stderr


def test_validate_warns_about_a_reading_timed_before_its_trigger(tmp_path: Path):
    # Valid (the metrics ignore such a reading, docs/metrics.md), but most
    # often swapped times: validate says so and still exits 0. The expected
    # minutes are the difference of the two written times, 10:00 - 09:40.
    path = tmp_path / "j.jsonl"
    path.write_text(
        '{"type":"trigger","participant":"ann","id":"t1","time":"2026-03-02T10:00:00+01:00",'
        '"category":"conflict","intensity":8}\n'
        '{"type":"reading","participant":"ann","id":"r1","time":"2026-03-02T09:40:00+01:00","intensity":2,'
        '"trigger":"t1"}\n'
        '{"type":"reading","participant":"ann","id":"r2","time":"2026-03-02T10:40:00+01:00","intensity":2,'
        '"trigger":"t1"}\n'
        '{"type":"reading","participant":"ann","id":"r3","time":"2026-03-02T09:00:00+01:00","intensity":2}\n',
        encoding="utf-8")
    p = run("validate", path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "warning: reading 'r1' of participant 'ann' at 2026-03-02 09:40 is 20 min before its trigger 't1' at "
        "2026-03-02 10:00 (local times): the metrics ignore it; are the times swapped?",
        f"{path}: OK, 4 records in 4 lines (1 warning)"]
    # The metrics indeed ignore it: the episode calms with r2, 40 minutes after onset.
    eps = calmkit.time_to_calm(calmkit.read_journal(str(path)))
    assert eps["minutes"].tolist() == [40.0] and eps["observations"].tolist() == [1]
