"""A test helper shared by the store tests (not a test module): SQL run on a
store file as another program would run it."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def run_sql(path: Path, sql: str) -> None:
    """Runs `sql` on the store at `path` with Python's sqlite3 module, as a
    program other than calmkit would: foreign keys and CHECKs are as the
    script sets them (off unless it turns them on, as in the sqlite3 shell),
    and the change is committed."""
    con = sqlite3.connect(path)
    try:
        con.executescript(sql)
        con.commit()
    finally:
        con.close()
