"""calmkit's hash tables (the reader's id and reference checks, the participant,
exercise and instrument dictionaries, the trigger index of from_arrow) are keyed by
a secret drawn once per process, so that no one can compute ids that all land in one
slot (hash flooding, CHANGELOG "Security"). Nothing a user sees may depend on that
secret: two processes reading and writing the same journal give the same bytes."""

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import calmkit

# Reads `src` every way the tables are used and writes what it got: the
# journal as JSON Lines (strict read of the clean part, lenient read of all),
# the lenient report, the strict error, an Arrow round trip, a Parquet round
# trip and a research export. One file per output, so a difference names its path.
_CHILD = r"""
import json, sys
from pathlib import Path
import calmkit
src, clean, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
j, report = calmkit.read_journal_with_report(src, lenient=True, threads=2)
(out / "lenient.jsonl").write_text(calmkit.to_jsonl(j))
(out / "report.json").write_text(json.dumps([[s.line, s.message] for s in report.skipped]))
try:
    calmkit.read_journal(src, threads=2)
    (out / "strict.txt").write_text("no error")
except calmkit.JournalFormatError as e:
    (out / "strict.txt").write_text(f"{e.line} {e.field} {e}")
c = calmkit.read_journal(clean, threads=1)
calmkit.write_journal(c, str(out / "written.jsonl"))
(out / "arrow.jsonl").write_text(calmkit.to_jsonl(calmkit.Journal.from_arrow(c.to_arrow())))
calmkit.write_parquet(c, out / "pq", shards=3)
(out / "parquet.jsonl").write_text(calmkit.to_jsonl(calmkit.read_parquet(out / "pq")))
calmkit.write_research_export(c, out / "export.jsonl", key=b"k" * 32)
"""


def _lines(rng: random.Random) -> tuple[list[str], list[str]]:
    """A shuffled journal of 400 participants (names of many lengths, some
    non-ASCII), each with triggers, readings linked to them, exercises and
    assessments; then the same with duplicate ids and dangling references
    added (the lenient report's lines)."""
    good = []
    exercises = ["breathing.coherent", "breathing.box", "grounding.5-4-3-2-1", "pmr.short"]
    for p in range(400):
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzäö-_0123456789") for _ in range(1 + p % 37))
        name = f"{name}{p}"
        for t in range(rng.randint(1, 6)):
            tid = f"t{rng.getrandbits(40):x}-{t}"
            time = f"2026-03-{1 + t:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
            good.append({"type": "trigger", "participant": name, "id": tid, "time": time,
                         "category": "plans_cancelled", "intensity": rng.randint(0, 10)})
            good.append({"type": "reading", "participant": name, "trigger": tid,
                         "time": time.replace(":00Z", ":30Z"), "intensity": rng.randint(0, 10)})
        good.append({"type": "exercise", "participant": name, "id": f"e{p}", "time": "2026-03-09T08:00:00Z",
                     "exercise": rng.choice(exercises), "end": "2026-03-09T08:05:00Z"})
    rng.shuffle(good)
    clean = [json.dumps(r, ensure_ascii=False) for r in good]
    dirty = list(clean)
    for k in range(40):
        r = dict(rng.choice(good))
        if r["type"] == "reading" and k % 2:
            r["trigger"] = f"missing-{k}"
        elif "id" in r:
            r["time"] = "2026-04-01T00:00:00Z"  # a duplicate id
        dirty.insert(rng.randrange(len(dirty)), json.dumps(r, ensure_ascii=False))
    return clean, dirty


@pytest.mark.parametrize("seed", [1, 2])
def test_two_processes_write_the_same_bytes(tmp_path: Path, seed: int):
    clean, dirty = _lines(random.Random(seed))
    src, good = tmp_path / "dirty.jsonl", tmp_path / "clean.jsonl"
    src.write_text("\n".join(dirty) + "\n", encoding="utf-8")
    good.write_text("\n".join(clean) + "\n", encoding="utf-8")
    outs = []
    for run in range(2):
        out = tmp_path / f"run{run}"
        out.mkdir()
        subprocess.run([sys.executable, "-c", _CHILD, str(src), str(good), str(out)], check=True, timeout=300)
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert {"lenient.jsonl", "report.json", "strict.txt", "written.jsonl", "arrow.jsonl", "parquet.jsonl",
            "export.jsonl"} <= {f.as_posix() for f in files}
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    for f in files:
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    # And what the processes wrote is the journal: every clean record, the lenient read's skips.
    assert len((outs[0] / "report.json").read_text()) > 2
    assert len(calmkit.read_journal(outs[0] / "written.jsonl")) == len(clean)


_REPO = Path(__file__).resolve().parents[2]
#: Key types that can come from a file or a caller: strings and integers.
_TEXT_OR_INT = re.compile(r"(const\s+)?(std::)?(string|string_view|u?int\d+_t|size_t|int|long|unsigned)\b")


def _template_args(text: str, at: int) -> list[str]:
    """The top-level arguments of the template argument list opening at ``text[at] == '<'``."""
    depth, args, start = 0, [], at + 1
    for i in range(at, len(text)):
        c = text[i]
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
            if depth == 0:
                args.append(text[start:i].strip())
                return args
        elif c == "," and depth == 1:
            args.append(text[start:i].strip())
            start = i + 1
    raise AssertionError(f"unclosed template argument list at {at}")


def test_every_hash_table_of_strings_or_integers_is_keyed():
    """std::hash is unkeyed (libstdc++: MurmurHash64A with a fixed seed for
    strings, the identity for integers), so every std::unordered_map and
    std::unordered_set of the C++ code whose keys are strings or integers
    hashes them with calmkit::detail::KeyedHash (tests/cpp/test_hash_tables.cpp
    floods each through the public API)."""
    unkeyed = []
    sources = [p for d in ("include", "src", "bindings") for p in (_REPO / d).rglob("*") if p.suffix in {".hpp", ".cpp"}]
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"std::unordered_(map|set)\s*<", text):
            args = _template_args(text, m.end() - 1)
            at = 2 if m.group(1) == "map" else 1  # the hasher's place
            hasher = args[at] if len(args) > at else "std::hash"
            if _TEXT_OR_INT.fullmatch(args[0]) and not hasher.endswith("KeyedHash"):
                line = text.count("\n", 0, m.start()) + 1
                unkeyed.append(f"{path.relative_to(_REPO)}:{line}: {text[m.start():m.end()]}{', '.join(args)}>")
    assert unkeyed == []
