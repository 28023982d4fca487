"""``calmkit import``: another app's export turned into a calmkit journal."""

from __future__ import annotations

import argparse
import errno
import os
import stat
from pathlib import Path
from typing import TextIO

from .. import _core, files
from ..prompts import shown
from . import common
from .common import (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Failure, check_output, check_readable, counts, inputs,
                     not_an_input, shell_word, time_zone_arg, write_failure, zero_to_ten_arg)
from .progress import Progress, show_progress

__all__ = ["IMPORT_FORMATS", "add_parser", "run"]

IMPORT_FORMATS = ("daylio", "bearable", "apple-health", "mindlamp")


def _lamp_activities(path: Path) -> object:
    """The --activities file: Activity objects as a JSON array, the LAMP API's
    answer ``{"data": [...]}``, or an object id -> spec, read by the one
    function ``activities=`` is read with (``importers.mindlamp.activity_specs``)."""
    import json

    from ..importers.mindlamp import activity_specs

    check_readable(path)
    try:
        # At most --max-input-bytes, as every other input: a FIFO or /dev/zero never ends.
        data = json.loads(files.read_bytes(path, common.max_input_bytes).decode("utf-8-sig"))
    except _core.FileError as e:  # over the limit, a directory: the message names the file
        raise common.over_the_limit(e) if e.errno == errno.EFBIG else Failure(str(e), EXIT_USAGE) from e
    except OSError as e:
        raise Failure(f"cannot read {path}: {e.strerror or e}", EXIT_USAGE) from e
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise Failure(f"{path}: not a UTF-8 JSON file of Activity objects ({e})", EXIT_USAGE) from e
    try:
        return activity_specs(data, f"--activities {path}")
    except ValueError as e:
        raise Failure(str(e), EXIT_USAGE) from e


def run(args: argparse.Namespace, out: TextIO) -> int:
    """``calmkit import [FORMAT] FILE -o JOURNAL``: status 1 when rows were skipped."""
    from .. import importers

    if args.file is None:  # one positional given: it is the file, the format is read from it
        args.format, args.file = None, Path(args.format)
    elif args.format not in IMPORT_FORMATS:
        raise Failure(f"unknown format {args.format!r}; choose from {', '.join(IMPORT_FORMATS)} "
                      "or leave it out to have it recognised from the file", EXIT_USAGE)
    check_readable(args.file)
    try:
        st = os.stat(args.file)
    except OSError as e:
        raise Failure(f"cannot read {args.file}: {e.strerror}", EXIT_USAGE) from e
    if not stat.S_ISREG(st.st_mode):
        raise Failure(f"cannot read {args.file}: it is not a regular file (a FIFO or a device); save the "
                      "export to a file first", EXIT_USAGE)
    if common.max_input_bytes and st.st_size > common.max_input_bytes:
        raise Failure(f"cannot read {args.file}: it holds {st.st_size} bytes, more than the limit of "
                      f"{common.max_input_bytes} (--max-input-bytes)", EXIT_USAGE)
    if args.format is None:
        try:
            args.format = importers.detect_format(args.file).replace("_", "-")
        except importers.ImportFormatError as e:
            raise Failure(str(e), EXIT_PROBLEMS) from e
        except OSError as e:
            raise Failure(f"cannot read {args.file}: {e.strerror or e}", EXIT_USAGE) from e
        article = "an" if args.format[0] in "aeiou" else "a"
        print(f"{shown(args.file)}: recognised as {article} {args.format} export", file=out)
    not_an_input(args.output, inputs(args, args.file, *([args.activities] if args.activities is not None else [])))
    check_output(args.output, args.force)
    options: dict[str, object] = {"participant": args.participant, "lenient": args.lenient}
    if args.format != "apple-health":
        if args.tz is None and args.utc_offset is None:
            if args.format == "mindlamp":
                raise Failure("mindlamp exports have UTC times (milliseconds since 1970) but not the zone "
                              "they were recorded in, which calmkit keeps as each time's offset: give --tz "
                              "ZONE (such as Europe/Berlin) or --utc-offset MINUTES", EXIT_USAGE)
            raise Failure(f"{args.format} exports have local times without a zone: give --tz ZONE "
                          "(such as Europe/Berlin) or --utc-offset MINUTES", EXIT_USAGE)
        if args.tz is not None and args.utc_offset is not None:
            raise Failure("give --tz or --utc-offset, not both", EXIT_USAGE)
        options.update(tz=args.tz, utc_offset=args.utc_offset)
    elif args.tz is not None or args.utc_offset is not None:
        raise Failure("apple-health exports carry their own UTC offsets; leave out --tz and --utc-offset",
                      EXIT_USAGE)
    if args.mood:
        if args.format != "daylio":
            raise Failure("--mood is for daylio exports only", EXIT_USAGE)
        moods: dict[str, int] = {}
        seen: dict[str, str] = {}
        for item in args.mood:
            name, _, value = item.partition("=")
            try:
                moods[name] = zero_to_ten_arg(value)
            except argparse.ArgumentTypeError:
                name = ""
            if not name.strip():
                raise Failure(f"--mood {item!r} is not NAME=DISTRESS with a distress of 0-10 "
                              "(a mood name cannot hold '=')", EXIT_USAGE)
            key = name.strip().casefold()
            if key in seen:
                raise Failure(f"--mood {seen[key]!r} and --mood {item!r} name the same mood (case and "
                              "surrounding spaces do not count); give it once", EXIT_USAGE)
            seen[key] = item
        options["mood_map"] = moods
    if args.activities is not None:
        if args.format != "mindlamp":
            raise Failure("--activities is for mindlamp exports only", EXIT_USAGE)
        options["activities"] = _lamp_activities(args.activities)
    importer = {"daylio": importers.import_daylio, "bearable": importers.import_bearable,
                "apple-health": importers.import_apple_health, "mindlamp": importers.import_mindlamp}[args.format]
    bar = Progress(f"calmkit import {args.format}", show_progress(args))
    try:
        journal, rep = importer(args.file, **options)
    except importers.ImportFormatError as e:
        message = str(e)
        if args.format == "daylio" and e.field == "mood" and e.value is not None:
            # The importer's hint names its Python argument; on the command line it is --mood.
            where = message[: -len(e.reason)] if message.endswith(e.reason) else f"{e.path}:{e.line}: "
            message = (f"{where}unknown mood {e.value!r}: give its distress (0-10) with "
                       f"--mood {shell_word(e.value + '=DISTRESS')}, e.g. --mood {shell_word(e.value + '=7')}")
        raise Failure(message, EXIT_PROBLEMS, hint="(--lenient skips bad rows and lists them instead)") from e
    except UnicodeDecodeError as e:
        raise Failure(f"{args.file} is not text in the expected encoding ({e.reason})", EXIT_PROBLEMS) from e
    except ValueError as e:  # a file that is not this format at all
        raise Failure(f"{args.file}: {e}", EXIT_PROBLEMS) from e
    except OSError as e:
        raise Failure(f"cannot read {args.file}: {e.strerror or e}", EXIT_USAGE) from e
    finally:
        bar.close()
    try:
        _core.write_journal(journal, args.output)
    except (OSError, RuntimeError) as e:
        raise write_failure(args.output, e) from e
    for line in rep.summary_lines():
        print(shown(line), file=out)
    print(f"wrote {shown(args.output)}: {counts(journal)}", file=out)
    return EXIT_PROBLEMS if rep.skipped else EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The subcommand's arguments, added to the ``calmkit`` parser's subparsers."""
    p = sub.add_parser(
        "import",
        help="turn an export of another app into a calmkit journal",
        description="Import a Daylio or Bearable CSV export, an Apple Health export.zip or export.xml or a "
        "mindLAMP JSON export, write a journal and print what happened to every row. The app is recognised "
        "from the file when FORMAT is left out. Exit status 1 when rows were skipped "
        "(--lenient) or the file breaks its format.",
    )
    p.add_argument("format", metavar="FORMAT", help=" | ".join(IMPORT_FORMATS) +
                   "; leave it out to have it recognised from the file (header, root element, zip content)")
    p.add_argument("file", metavar="FILE", type=Path, nargs="?", help="the exported file (an Apple Health "
                   "export.zip is read as it is)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the journal file to write (.jsonl)")
    p.add_argument("--participant", default="", help="participant id for every record (default none)")
    p.add_argument("--tz", metavar="ZONE", type=time_zone_arg,
                   help="time zone of the export's local times: an IANA name such as Europe/Berlin or a POSIX "
                   "TZ rule such as CET-1CEST,M3.5.0,M10.5.0/3; not for apple-health")
    p.add_argument("--utc-offset", type=int, metavar="MINUTES", help="a fixed UTC offset instead of --tz")
    p.add_argument("--mood", action="append", default=[], metavar="NAME=DISTRESS",
                   help="daylio: distress (0-10) of a custom mood name; repeat for each")
    p.add_argument("--activities", type=Path, metavar="JSON",
                   help="mindlamp: the study's Activity objects (the LAMP API's Activity.all_by_participant "
                   "answer, a JSON array, or an object id -> spec), which give each event's activity type")
    p.add_argument("--lenient", action="store_true", help="skip bad rows (listed in the report) instead of stopping")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")
