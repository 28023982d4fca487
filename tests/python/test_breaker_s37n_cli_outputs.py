"""The command line's outputs when the machine refuses them, and its help
texts, against what docs/cli.md promises: "3 an output could not be written:
disk full, file too large, I/O error, read-only file system, permission
denied — the old file is left exactly as it was and no temporary file stays
behind". A file size limit (RLIMIT_FSIZE) stands in for a full disk, as in
tests/python/test_cli_edges.py; the reference for "left exactly as it was" is
the bytes of the file before the command and SQLite's own count of the rows.

B150 (fixed): ``calmkit thought --help`` shows ``(0-100 %%)``: argparse formats the
help of options with ``%`` but prints a description as written, so the doubled
sign written for the formatter is shown doubled.

B151 (fixed): ``calmkit log`` (and ``now``, ``practice``, ``assess``) into a store
(``.db``) on a full disk exits with status 2, "bad usage", the status for a
wrong argument, with "cannot open the store": SQLite's "disk I/O error" is a
RuntimeError without an errno, which the command line took for a usage error.

B152 (fixed): ``calmkit backup STORE DEST`` on a full disk exits with status 1 ("the
data has problems") where docs/cli.md gives 3 for a copy that could not be
written; docs/report.md's table said 1 too.

B153 (fixed): a new store (``log --journal new.db``) on a full disk leaves
``new.db``, ``new.db-wal`` and ``new.db-shm`` behind, where docs/cli.md
promises that nothing half-written stays (a journal file leaves nothing).
The store is created by ``calmkit.home.add_records`` through
``_core.open_store(create=True)``, under the journal's lock; the command
line cannot remove the files after the lock is released without racing
another writer that has just created the store, so the fix belongs there.

B160 (fixed): ``calmkit backup STORE DEST`` of a store the user may not read (another
user's, mode 0600) says "is not a store (an SQLite file); a JSON Lines
journal is one plain file" with status 1: the check for SQLite's header
takes a file it cannot open for one that is not a store. docs/cli.md: an
input that is unreadable is status 2, and the reason is the system's.

B161 (fixed): an input over ``--max-input-bytes`` is named by three names for the one
option: a journal's message gives the C++ and Python ones
("ReadOptions::max_bytes; max_bytes= in Python"), an ``--instruments`` file's
none (and says "cannot read" twice), only ``import`` names the option the
command line has. The reference: the option as ``calmkit --help`` spells it.

B162 (fixed): an answer to ``calmkit now`` that is not UTF-8 (a Latin-1 terminal's
``café``) is taken, and the record it goes into is refused at the end:
status 1, "field 'context': is not valid UTF-8 (byte 0xed ...)", a byte of
the escape Python read the typed 0xe9 as, and nothing of the episode is
recorded, though docs/cli.md keeps what was answered whatever stops it. The
command line refuses such text in an option at once ("check the terminal's
encoding"); a question should ask again. With ``PYTHONIOENCODING=utf-8``
(strict decoding of stdin) the same answer ends in a UnicodeDecodeError
traceback.

B163 (fixed): ``calmkit import`` of a one-row export reports "1 rows examined"; every
other count of the command line is in the singular for one (``plural``).

B164 (fixed): ``practice --help``, ``log --help`` and ``assess --help`` say a
``.db``/``.sqlite`` path must be "an existing store", and docs/cli.md gives
status 2 for ``practice`` with "a missing store"; the commands create the
store (as docs/cli.md's output rule says: "created (owner-only) when
missing"), and ``.sqlite3`` is a store too.

B165 (fixed): a journal line over the line limit (16 MiB) is refused from Python
with a message that names only the C++ option, ``ReadOptions::max_line_bytes``,
where the input limit's message names both (``max_bytes= in Python``) and
``read_journal`` takes ``max_line_bytes=``. The reader's message (io_read).

B166 (fixed): the command line shows that same message: it names a C++ option to a
user of a command that has none; docs/cli.md describes the limit as "a line
longer than 16 MiB".
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "sample-journal.jsonl"


def _limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _calmkit(*args: str, cwd: Path, limit: int | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", CALMKIT_JOURNAL=str(cwd / "own.jsonl"),
               TZ="UTC")
    return subprocess.run([sys.executable, "-m", "calmkit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, input=stdin, timeout=300,
                          preexec_fn=_limit(limit) if limit is not None else None)


def _log(store: Path, when: str, cwd: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    return _calmkit("log", "trigger", "--journal", str(store), "--category", "delayed_reply", "--intensity", "6",
                    "--time", when, cwd=cwd, limit=limit)


def _rows(store: Path) -> int:
    """The triggers in the store, counted by SQLite itself (not calmkit)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if "trigger" in n)


def test_thought_help_shows_one_percent_sign(tmp_path: Path) -> None:
    p = _calmkit("thought", "--help", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "(0-100 %)" in " ".join(p.stdout.split()), p.stdout


def test_every_help_shows_no_doubled_percent_sign(tmp_path: Path) -> None:
    commands = ["summary", "validate", "report", "import", "practice", "log", "assess", "backup", "now", "thought"]
    for command in commands:
        p = _calmkit(command, "--help", cwd=tmp_path)
        assert p.returncode == 0 and "%%" not in p.stdout, (command, p.stdout)


def test_log_into_a_store_on_a_full_disk_is_status_3(tmp_path: Path) -> None:
    store = tmp_path / "journal.db"
    assert _log(store, "2026-03-02T21:14:00+01:00", tmp_path).returncode == 0
    before = _rows(store)
    p = _log(store, "2026-03-03T21:14:00+01:00", tmp_path, limit=8192)
    assert "Traceback" not in p.stderr
    assert p.returncode == 3, p.stderr
    assert p.stderr.startswith("calmkit: ") and "journal.db" in p.stderr
    assert _rows(store) == before


def test_backup_on_a_full_disk_is_status_3_and_leaves_no_file(tmp_path: Path) -> None:
    store = tmp_path / "journal.db"
    for day in range(1, 30):
        assert _log(store, f"2026-03-{day:02d}T21:14:00+01:00", tmp_path).returncode == 0
    p = _calmkit("backup", str(store), str(tmp_path / "copy.db"), cwd=tmp_path, limit=16384)
    assert "Traceback" not in p.stderr
    assert p.returncode == 3, p.stderr
    assert not list(tmp_path.glob("copy.db*")) and not list(tmp_path.glob(".copy.db*"))


def test_a_new_store_on_a_full_disk_is_status_3(tmp_path: Path) -> None:
    p = _log(tmp_path / "new.db", "2026-03-02T21:14:00+01:00", tmp_path, limit=8192)
    assert "Traceback" not in p.stderr
    assert p.returncode == 3, p.stderr


def test_a_new_store_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    p = _log(tmp_path / "new.db", "2026-03-02T21:14:00+01:00", tmp_path, limit=8192)
    assert p.returncode != 0
    left = sorted(q.name for q in tmp_path.iterdir() if q.name != "new.db.lock")
    assert left == [], left


def test_a_journal_file_on_a_full_disk_is_status_3_and_leaves_nothing(tmp_path: Path) -> None:
    """The reference for the store tests above: the same command on a .jsonl journal."""
    p = _calmkit("log", "trigger", "--journal", str(tmp_path / "new.jsonl"), "--category", "delayed_reply",
                 "--intensity", "6", "--time", "2026-03-02T21:14:00+01:00", cwd=tmp_path, limit=10)
    assert p.returncode == 3 and "Traceback" not in p.stderr, p.stderr
    assert sorted(q.name for q in tmp_path.iterdir() if q.name != "new.jsonl.lock") == []


def _unreadable(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """``path`` as a file the user may not read (mode 0600 of another user):
    open() of it fails with EACCES, as the system says to anyone but root
    (the tests often run as root, whom the mode does not stop)."""
    import builtins
    import errno

    real_open = builtins.open

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == path.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)


def test_backup_of_a_store_that_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import calmkit.cli

    store = tmp_path / "journal.db"
    assert _log(store, "2026-03-02T21:14:00+01:00", tmp_path).returncode == 0
    _unreadable(monkeypatch, store)
    status = calmkit.cli.main(["backup", str(store), str(tmp_path / "copy.db")])
    err = capsys.readouterr().err
    assert "not a store" not in err and "Permission denied" in err, err
    assert status == 2, err
    assert not (tmp_path / "copy.db").exists()


def _too_big_cases(tmp_path: Path) -> dict[str, list[str]]:
    journal = tmp_path / "j.jsonl"
    journal.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "ins.json").write_text("[]", encoding="utf-8")
    (tmp_path / "daylio.csv").write_text("full_date,date,weekday,time,mood,activities,note_title,note\n")
    return {
        "summary": ["--max-input-bytes", "100", "summary", str(journal)],
        "validate": ["--max-input-bytes", "100", "validate", str(journal)],
        "log": ["--max-input-bytes", "100", "log", "reading", "--journal", str(journal), "--intensity", "3",
                "--time", "2026-03-02T21:14:00+01:00"],
        "instruments": ["--max-input-bytes", "1", "--instruments", str(tmp_path / "ins.json"), "summary",
                        str(journal)],
        "import": ["--max-input-bytes", "10", "import", "daylio", str(tmp_path / "daylio.csv"), "-o",
                   str(tmp_path / "out.jsonl")],
    }


@pytest.mark.parametrize("case", ["summary", "validate", "log", "instruments", "import"])
def test_an_input_over_the_limit_names_the_option(tmp_path: Path, case: str) -> None:
    p = _calmkit(*_too_big_cases(tmp_path)[case], cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    line = p.stderr.strip()
    assert "--max-input-bytes" in line, line
    assert "ReadOptions" not in line and "max_bytes=" not in line, line
    assert line.count("cannot read") == 1, line


def test_now_asks_again_for_an_answer_that_is_not_utf8(tmp_path: Path) -> None:
    import json

    journal = tmp_path / "j.jsonl"
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", TZ="UTC")
    answers = b"8\nslow\ncaf\xe9 (Latin-1)\ncafe\n\n\n\ns\n3\n"
    p = subprocess.run([sys.executable, "-m", "calmkit", "now", "--journal", str(journal)], input=answers,
                       capture_output=True, timeout=300, env=env)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert p.returncode == 0, err
    assert "\\xe9" in out + err and "0xed" not in out + err, out + err  # the byte typed, not one of its escape
    records = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()[1:]]
    trigger = next(r for r in records if r["type"] == "trigger")
    assert trigger["intensity"] == 8 and trigger["context"] == "cafe"
    assert any(r["type"] == "reading" and r["intensity"] == 3 for r in records)


def test_import_of_one_row_says_one_row(tmp_path: Path) -> None:
    export = tmp_path / "daylio.csv"
    export.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n"
                      "2026-03-02,March 2,Monday,21:14,awful,,,\n", encoding="utf-8")
    p = _calmkit("import", "daylio", str(export), "-o", str(tmp_path / "j.jsonl"), "--tz", "Europe/Berlin",
                 cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "1 row examined" in p.stdout and "1 rows" not in p.stdout, p.stdout


def _help_text(command: list[str], cwd: Path) -> str:
    p = _calmkit(*command, "--help", cwd=cwd)
    assert p.returncode == 0, p.stderr
    return " ".join(p.stdout.split())


@pytest.mark.parametrize("command", [["practice"], ["log", "trigger"], ["log"], ["assess"]])
def test_help_says_a_new_store_is_created(tmp_path: Path, command: list[str]) -> None:
    # The reference: what the command does with a store path that is not there yet.
    store = tmp_path / "new.sqlite3"
    p = _calmkit("practice", "breathing.box", "--speed", "1000", "--journal", str(store), cwd=tmp_path)
    assert p.returncode == 0 and store.is_file(), p.stderr
    text = _help_text(command, tmp_path)
    assert "existing store" not in text and "an existing .db" not in text, text
    cli_md = " ".join((REPO / "docs" / "cli.md").read_text(encoding="utf-8").split())
    assert "a missing store" not in cli_md


def _long_line_journal(tmp_path: Path) -> Path:
    journal = tmp_path / "long.jsonl"
    context = "x" * (17 << 20)
    journal.write_text('{"type":"header","format":"calmkit-journal","version":1}\n'
                       '{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply",'
                       f'"intensity":8,"context":"{context}"}}\n', encoding="utf-8")
    return journal


def test_python_line_limit_error_names_the_python_parameter(tmp_path: Path) -> None:
    import calmkit

    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.read_journal(_long_line_journal(tmp_path))
    assert "max_line_bytes=" in str(e.value), str(e.value)
    assert calmkit.read_journal(_long_line_journal(tmp_path), max_line_bytes=0).triggers[0].id == "t1"


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_cli_line_limit_error_names_no_api_option(tmp_path: Path, command: str) -> None:
    p = _calmkit(command, str(_long_line_journal(tmp_path)), cwd=tmp_path)
    said = p.stdout + p.stderr
    assert p.returncode == 1 and "Traceback" not in said, said
    assert "long.jsonl:2:" in said and "16 MiB" in said, said
    assert "ReadOptions" not in said and "max_line_bytes" not in said, said
