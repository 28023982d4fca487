"""``calmkit backup``: a safe copy of a store, even while it is in use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .. import _core, files, formats
from ..prompts import shown
from .common import (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Failure, inputs, not_an_input, refused_by_the_machine,
                     write_failure)

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit backup STORE DEST``: a consistent copy through SQLite's online backup."""
    if not args.store.exists():
        raise Failure(f"no such store: {args.store}", EXIT_USAGE)
    if args.store.is_file():
        try:  # a file that cannot be opened is no evidence that it is not a store: say why (status 2)
            with open(args.store, "rb"):
                pass
        except OSError as e:
            raise Failure(f"cannot read {args.store}: {e.strerror or e}", EXIT_USAGE) from None
    if args.store.is_file() and args.store.stat().st_size > 0 and not formats.is_store_file(args.store):
        # A JSON Lines journal, most likely: nothing else writes to it while it is read, so no backup API is needed.
        raise Failure(f"{shown(args.store)} is not a store (an SQLite file); a JSON Lines journal is one plain file: "
                      "copy it as any other file", EXIT_PROBLEMS)
    not_an_input(args.dest, inputs(args))  # an --instruments file (the store itself: the core refuses it)
    try:
        # Read-only: a backup never changes the store (nor migrates it).
        copy_note = files._store_copy_note(args.store)
        with _core.open_store(args.store, create=False, read_only=True) as st:
            if copy_note is not None:
                print(f"calmkit: note: {copy_note}", file=sys.stderr)
            try:
                st.backup(args.dest, replace=args.force)
            except RuntimeError as e:
                # Writing the copy: SQLite's "disk I/O error" or "database or
                # disk is full" is the machine refusing the output (status 3),
                # as a FileError's errno is below.
                if not isinstance(e, _core.FileError) and refused_by_the_machine(e):
                    raise write_failure(args.dest, e) from e
                raise
            n = len(st)
    except _core.FileError as e:  # writing the copy: a full disk, a missing folder
        raise write_failure(args.dest, e) from e
    except ValueError as e:
        raise Failure(str(e), EXIT_USAGE) from e
    except RuntimeError as e:
        raise Failure(str(e), EXIT_PROBLEMS) from e
    print(f"copied {shown(args.store)} ({n} records) to {shown(args.dest)}", file=out)
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "backup",
        help="a safe copy of a store, even while it is in use",
        description="Copy a journal store (.db) with SQLite's online backup API: one consistent, "
        "self-contained file (recent changes still in the store's -wal file included), mode 0600, "
        "checked and renamed into place. Copy a store this way, never with cp while a program has it open.",
    )
    p.add_argument("store", metavar="STORE", type=Path, help="the store to copy")
    p.add_argument("dest", metavar="DEST", type=Path, help="the file to write")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
