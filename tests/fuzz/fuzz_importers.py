"""atheris fuzz target for the Python importers (Daylio, Bearable, Apple Health, mindLAMP).

The first byte picks the importer (bits 0-1), strict or lenient (bit 2), and
``tz`` or ``utc_offset`` (bit 3); the rest is the export file. Each importer
must return an ImportResult or raise ImportFormatError and nothing else: no
other ValueError, IndexError, KeyError, UnicodeDecodeError, RecursionError,
OverflowError... (tests/python/test_importers_hostile.py runs the same
property with hypothesis in every test run).
What it returns must be a valid journal (written and read back by calmkit).

Run (with the calmkit package importable, e.g. PYTHONPATH=build/python):
    python3 tests/fuzz/fuzz_importers.py -max_total_time=600 /tmp/work tests/fuzz/corpus/fuzz_importers
"""
import os
import sys
import tempfile

import atheris
import numpy  # noqa: F401  (imported first so that only calmkit is instrumented)
import pandas  # noqa: F401

with atheris.instrument_imports(include=["calmkit"]):
    import calmkit
    from calmkit import importers

IMPORTERS = (
    (importers.import_daylio, ".csv", True),
    (importers.import_bearable, ".csv", True),
    (importers.import_apple_health, ".xml", False),
    (importers.import_mindlamp, ".json", True),
)
TMP = tempfile.mkdtemp(prefix="calmkit-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    flags, body = data[0], data[1:]
    fn, suffix, takes_tz = IMPORTERS[flags & 3]
    path = os.path.join(TMP, "export" + suffix)
    with open(path, "wb") as f:
        f.write(body)
    kwargs = {"lenient": bool(flags & 4)}
    if takes_tz:
        if flags & 8:
            kwargs["tz"] = "Europe/Kyiv"
        else:
            kwargs["utc_offset"] = 60
    try:
        result = fn(path, **kwargs)
    except importers.ImportFormatError:
        return  # a clear format error naming file, line and field: the only thing that may escape
    text = calmkit.to_jsonl(result.journal)
    back = calmkit.parse_journal(text)
    if calmkit.to_jsonl(back) != text:
        raise AssertionError("imported journal does not round-trip through JSON Lines")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
