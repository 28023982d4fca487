"""The JSON Lines reader against a reader written here in plain Python.

The reference reads each line with ``json.loads`` and applies the rules of
docs/journal-format.md itself: which lines a lenient read skips and on which
field, which line and field a strict read stops at (line problems in line
order first, then the earliest broken reference), the cascade of a skipped
trigger to the lines naming it, the records kept and their order -- a stable
sort of the lines by (participant, instant, offset, id), each type apart.

The journals are hostile: participants interleaved, absent and empty, many
records at one instant written with several offsets, texts with JSON escapes,
U+2028/U+2029, escaped NUL, emoji and surrogate pairs, CRLF and blank lines,
references to triggers that come later or never, duplicate ids, and bad lines
of a dozen kinds. Every journal is read with 1..4 threads and shares from
tiny to huge; each read must say what the reference says. A second part puts
lines at and around ``max_line_bytes``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

import calmkit

CATEGORIES = ["delayed_reply", "mixed_signals", "conflict", "being_alone", "other", "perfectionism"]
DISTORTIONS = ["mind_reading", "labeling", "catastrophizing"]
TEXTS = ["", "plain", "caf\u00e9", "\U0001F600\U0001F469\u200d\U0001F469\u200d\U0001F467 emoji",
         "line\u2028sep", "para\u2029sep", "nul\u0000inside", "\u0000", "tab\tnew\nline\rcr",
         'quote " back \\ slash / solidus', "\u007f\u0080\u00ff", "\ufeffbom inside", "\U0010FFFF"]
TIMES = ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00+01:00", "2026-03-02T05:00:00-05:00",
         "2026-03-02T10:00:00.0000001Z", "2026-03-02T10:00:00.000001+00:00", "2026-03-02T15:30:00+05:30",
         "2026-03-03T00:00:00+14:00", "2026-03-01T22:00:00-12:00"]
PEOPLE = [None, "", "p1", "p2", "p10", "P1", "\u00e9", "p1 ", "\U0001F600"]

KNOWN = {
    "trigger": ["participant", "id", "time", "category", "intensity", "context", "thoughts", "sensations", "urge",
                "acted_on_urge", "acted_after_minutes", "response", "tags"],
    "reading": ["participant", "id", "time", "intensity", "trigger", "note"],
    "exercise": ["participant", "id", "time", "exercise", "end", "completed", "intensity_before", "intensity_after",
                 "trigger", "responses"],
    "thought_record": ["participant", "id", "time", "situation", "automatic_thought", "belief_before", "emotions",
                       "distortions", "evidence_for", "evidence_against", "alternatives", "friend_advice",
                       "balanced_thought", "belief_after", "trigger"],
    "assessment": ["participant", "id", "time", "instrument", "answers", "note"],
}
TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})\Z")


def parse_time(s: str) -> tuple[int, int]:
    """(instant in microseconds since the epoch, offset in minutes)."""
    m = TIME_RE.match(s)
    assert m, s
    y, mo, d, h, mi, se, frac, off = m.groups()
    local = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), int((frac or "0")[:6].ljust(6, "0")))
    minutes = 0 if off == "Z" else (1 if off[0] == "+" else -1) * (int(off[1:3]) * 60 + int(off[4:6]))
    epoch = dt.datetime(1970, 1, 1)
    return (local - epoch) // dt.timedelta(microseconds=1) - minutes * 60_000_000, minutes


def norm(rec: dict) -> dict:
    """A record as the writer would give it back, in comparable values."""
    t = rec["type"]
    out: dict = {"type": t}
    for k in KNOWN[t]:
        v = rec.get(k)
        if v is None or v == "" or v == []:
            continue
        if k in ("time", "end"):
            v = parse_time(v)
        if k == "completed" and v is True:
            continue
        if k == "acted_after_minutes":
            v = float(v)
        out[k] = v
    return out


# --------------------------------------------------------------------------- the hostile journal


def _record(rng: random.Random, i: int, trig: dict) -> dict:
    p = rng.choice(PEOPLE)
    r = rng.random()
    base: dict = {}
    if p is not None:
        base["participant"] = p
    key = p or ""
    t = rng.choice(TIMES)
    if r < 0.25 or not trig.get(key):
        tid = f"t{i}"
        if trig.get(key) and rng.random() < 0.04:
            tid = rng.choice(trig[key])  # a duplicate id: refused on its second use
        trig.setdefault(key, []).append(tid)
        rec = {"type": "trigger", **base, "id": tid, "time": t, "category": rng.choice(CATEGORIES),
               "intensity": rng.randrange(11)}
        if rng.random() < 0.4:
            rec["context"] = rng.choice(TEXTS)
        if rng.random() < 0.2:
            rec["thoughts"] = [rng.choice(TEXTS) for _ in range(rng.randrange(3))]
        if rng.random() < 0.2:
            rec["acted_after_minutes"] = rng.choice([0, 0.5, 1e-300, 12.25, 1e300])
        return rec
    if r < 0.7:
        rec = {"type": "reading", **base, "time": t, "intensity": rng.randrange(11)}
        if rng.random() < 0.2:
            rec["id"] = f"r{i}"
        u = rng.random()
        if u < 0.55:
            rec["trigger"] = rng.choice(trig[key])
        elif u < 0.6:
            rec["trigger"] = f"t{i + rng.randrange(1, 40)}"  # a trigger later in the file, or never
        elif u < 0.62:
            rec["trigger"] = rng.choice(trig.get("p2" if key != "p2" else "p1", ["x"]))  # someone else's
        if rng.random() < 0.3:
            rec["note"] = rng.choice(TEXTS)
        return rec
    if r < 0.82:
        rec = {"type": "exercise", **base, "id": f"e{i}", "time": t, "exercise": "breathing.4-7-8", "end": t}
        if rng.random() < 0.3:
            rec["completed"] = rng.random() < 0.5
        if rng.random() < 0.5:
            rec["intensity_before"] = rng.randrange(11)
        if rng.random() < 0.5:
            rec["trigger"] = rng.choice(trig[key])
        if rng.random() < 0.3:
            rec["responses"] = [rng.choice(TEXTS)]
        return rec
    if r < 0.94:
        rec = {"type": "thought_record", **base, "id": f"q{i}", "time": t, "situation": rng.choice(TEXTS),
               "automatic_thought": rng.choice(TEXTS), "belief_before": rng.randrange(101),
               "emotions": [{"name": rng.choice(TEXTS[1:]), "before": rng.randrange(101)}],
               "distortions": rng.sample(DISTORTIONS, rng.randrange(3))}
        if rng.random() < 0.4:
            rec["emotions"][0]["after"] = rng.randrange(101)
        if rng.random() < 0.4:
            rec["trigger"] = rng.choice(trig[key])
        return rec
    return {"type": "assessment", **base, "id": f"a{i}", "time": t, "instrument": "gad-7",
            "answers": [rng.randrange(4) for _ in range(7)]}


def _spoil(rng: random.Random, rec: dict, text: bool) -> tuple[bytes, str]:
    """A bad line made from rec, and the field the reader must name ('' for the whole line)."""
    good = json.dumps(rec, ensure_ascii=False)
    kinds = ["truncated", "trailing", "dupkey", "type", "no_offset", "participant", "raw_control", "array"]
    if not text:
        kinds.append("bad_utf8")
    if rec["type"] in ("trigger", "reading"):
        kinds.append("intensity")
    if rec["type"] == "trigger":
        kinds.append("category")
    if rec["type"] == "thought_record":
        kinds.append("emotion")
    if rec["type"] == "exercise":
        kinds.append("end")
    kind = rng.choice(kinds)
    if kind == "truncated":
        return good[: rng.randrange(1, len(good) - 1)].encode(), ""
    if kind == "trailing":
        return (good + rng.choice([" x", "{}", " 1", ",", "\u2028"])).encode(), ""
    if kind == "dupkey":
        return ('{"time":"2026-03-02T10:00:00Z",' + good[1:]).encode(), "time"  # the key given twice
    if kind == "type":
        return json.dumps({**rec, "type": "nope"}).encode(), "type"
    if kind == "no_offset":
        return json.dumps({**rec, "time": "2026-03-02T10:00:00"}).encode(), "time"
    if kind == "bad_utf8":
        return good[:-1].encode() + b',"x_note":"caf\xe9"}', "x_note"  # a string's bad UTF-8 names its field
    if kind == "participant":
        return json.dumps({**rec, "participant": 1}).encode(), "participant"
    if kind == "raw_control":
        return good[:-1].encode() + b',"x_note":"a' + rng.choice([b"\x00", b"\x01", b"\t", b"\x1f"]) + b'"}', ""
    if kind == "array":
        return b"[" + good.encode() + b"]", ""
    if kind == "intensity":
        return json.dumps({**rec, "intensity": rng.choice([11, -1, 3.5, "3", True])}).encode(), "intensity"
    if kind == "category":
        return json.dumps({**rec, "category": "Delayed_reply"}).encode(), "category"
    if kind == "emotion":
        return json.dumps({**rec, "emotions": [{"name": "x", "before": 101}]}).encode(), "emotions[0].before"
    return json.dumps({**rec, "end": "2026-03-01T00:00:00Z"}).encode(), "end"


def generate(seed: int, n: int, bad: float = 0.03, text: bool = False) -> tuple[bytes, list[tuple[int, dict | None, str | None]]]:
    """The journal's bytes and, per non-blank line: (line number, record or None, field if the line is bad)."""
    rng = random.Random(seed)
    trig: dict[str, list[str]] = {}
    out: list[bytes] = []
    truth: list[tuple[int, dict | None, str | None]] = []
    if seed % 2 == 0:
        out.append(b'{"type":"header","format":"calmkit-journal","version":1,"generator":"\\u2028"}')
        truth.append((1, None, None))
    for i in range(n):
        rec = _record(rng, i, trig)
        if rng.random() < bad:
            if rec["type"] == "trigger":  # a spoilt trigger does not exist: take its id back
                trig[rec.get("participant") or ""].remove(rec["id"])
                if rec["id"] in trig[rec.get("participant") or ""]:
                    continue  # it was a duplicate of a good one; keep it simple
            line, field = _spoil(rng, rec, text)
            out.append(line)
            truth.append((len(out), None, field))
        else:
            items = list(rec.items())
            rng.shuffle(items)
            if rng.random() < 0.2:
                items.append((f"x_{i}", rng.choice([[1, {"a": "\u2028"}], "\\u0000", 1.5e308,
                                                      -123456789012345678901234567890, {"type": "trigger"}])))
            out.append(json.dumps(dict(items), ensure_ascii=rng.random() < 0.5,
                                  separators=rng.choice([(",", ":"), (", ", ": ")])).encode())
            truth.append((len(out), rec, None))
        if rng.random() < 0.03:
            out.append(rng.choice([b"", b"   ", b"\t", b" \t "]))
    ends = [rng.choice([b"\n", b"\n", b"\r\n"]) for _ in out]
    data = b"".join(x + e for x, e in zip(out, ends))
    if seed % 3 == 1:
        data = data.rstrip(b"\r\n")
    if seed % 5 == 2:
        data = b"\xef\xbb\xbf" + data
    return data, truth


# --------------------------------------------------------------------------- the reference reader


def reference(truth: list[tuple[int, dict | None, str | None]], lenient: bool) -> tuple:
    """What the format says a read gives: ('error', line, field) or ('ok', records by type, skipped)."""
    skipped: dict[int, str] = {}
    kept: list[tuple[int, dict]] = []
    first_problem = None
    seen: set[tuple] = set()
    for line, rec, field in truth:
        if field is not None:
            skipped[line] = field
            first_problem = first_problem or (line, field)
            continue
        if rec is None:
            continue
        rid = rec.get("id")
        if rid is not None:
            k = (rec.get("participant") or "", rec["type"], rid)
            if k in seen:
                skipped[line] = "id"
                first_problem = first_problem or (line, "id")
                continue
            seen.add(k)
        kept.append((line, rec))
    if not lenient and first_problem:
        return ("error",) + first_problem
    triggers = {(r.get("participant") or "", r["id"]) for _, r in kept if r["type"] == "trigger"}
    final = []
    for line, rec in kept:
        if "trigger" in rec and rec["type"] != "trigger" and (rec.get("participant") or "", rec["trigger"]) not in triggers:
            if not lenient:
                return ("error", line, "trigger")
            skipped[line] = "trigger"
            continue
        final.append((line, rec))
    by_type: dict[str, list[dict]] = {}
    for _line, rec in sorted(final, key=lambda lr: (lr[1].get("participant") or "", *parse_time(lr[1]["time"]),
                                                   lr[1].get("id") or "", lr[0])):
        by_type.setdefault(rec["type"], []).append(norm(rec))
    return ("ok", by_type, sorted(skipped.items()))


def outcome(read, path: str) -> tuple:
    """What calmkit's read says, in the reference's terms, and the checks only calmkit's side has."""
    try:
        res = read()
    except calmkit.JournalFormatError as e:
        assert str(e).startswith(f"{path}:{e.line}: "), str(e)
        return ("error", e.line, e.field)
    by_type: dict[str, list[dict]] = {}
    for text in calmkit.to_jsonl(res.journal, header=False).split("\n"):
        if not text:
            continue
        rec = json.loads(text)
        by_type.setdefault(rec["type"], []).append(norm(rec))
    for s in res.report.skipped:
        assert s.message.startswith(f"{path}:{s.line}: "), s.message
    return ("ok", by_type, [(s.line, s.field) for s in res.report.skipped])


CUTS = [(1, 1 << 30), (1, 64), (2, 1), (2, 700), (3, 4096), (4, 333), (4, 1 << 20)]
SEEDS = list(range(10))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_the_reader_reads_what_the_reference_reads(seed: int, lenient: bool, tmp_path: Path) -> None:
    data, truth = generate(seed, 600, bad=0.0 if seed % 4 == 3 else 0.03)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    want = reference(truth, lenient)
    for threads, chunk in CUTS:
        got = outcome(lambda t=threads, c=chunk: calmkit.read_journal_with_report(f, lenient=lenient, threads=t,
                                                                                  chunk_bytes=c), str(f))
        assert got == want, (threads, chunk)


@pytest.mark.parametrize("seed", [40, 41])
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_a_big_journal_past_the_parallel_build(seed: int, lenient: bool, tmp_path: Path) -> None:
    """More than 4,096 rows of a type, where the finish sorts and gathers on the reader's threads."""
    data, truth = generate(seed, 14000, bad=0.0 if seed % 2 else 0.004)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    want = reference(truth, lenient)
    assert want[0] == "ok" or not lenient
    for threads, chunk in [(1, 1 << 30), (2, 4096), (4, 65536)]:
        got = outcome(lambda t=threads, c=chunk: calmkit.read_journal_with_report(f, lenient=lenient, threads=t,
                                                                                  chunk_bytes=c), str(f))
        assert got == want, (threads, chunk)


@pytest.mark.parametrize("seed", SEEDS[:5])
def test_parse_journal_reads_what_the_reference_reads(seed: int) -> None:
    data, truth = generate(seed, 500, text=True)  # no line of bad UTF-8: it cannot be given as text
    text = data.decode("utf-8")
    want = reference(truth, True)
    for threads in (1, 2, 3):
        assert outcome(lambda t=threads: calmkit.parse_journal_with_report(text, lenient=True, name="j", threads=t),
                       "j") == want


def generate_many(seed: int, n: int, shuffle: bool = False) -> tuple[bytes, list[tuple[int, dict | None, str | None]]]:
    """Thousands of participants, most with one trigger, and ids and names from 1 to 600 bytes, some of them
    sharing long prefixes: the id and participant tables grow many times inside one share."""
    rng = random.Random(seed)
    out: list[bytes] = []
    truth: list[tuple[int, dict | None, str | None]] = []
    made: list[tuple[str, str]] = []
    for i in range(n):
        if made and rng.random() < 0.45:
            p, tid = rng.choice(made)
            if rng.random() < 0.05:
                tid = tid + "\u0000"  # a near miss: never a trigger
            rec = {"type": "reading", "participant": p, "time": rng.choice(TIMES), "intensity": rng.randrange(11),
                   "trigger": tid}
        else:
            p = rng.choice(["", "x" * rng.randrange(1, 600), "\u00e9" * rng.randrange(1, 5)]) + f"#{i}"
            if rng.random() < 0.1 and made:
                p = rng.choice(made)[0]
            tid = "t" * rng.choice([rng.randrange(1, 300), 13, 14, 15, 16, 17]) + str(i % 1000)
            if rng.random() < 0.2:
                tid = tid[:-1] + "\u0000" + tid[-1]
            made.append((p, tid))
            rec = {"type": "trigger", "participant": p, "id": tid, "time": rng.choice(TIMES), "category": "other",
                   "intensity": rng.randrange(11)}
        out.append(json.dumps(rec, ensure_ascii=rng.random() < 0.5).encode())
    if shuffle:  # most references now name a trigger further down
        rng.shuffle(out)
    for k, line in enumerate(out):
        truth.append((k + 1, json.loads(line), None))
    return b"\n".join(out) + b"\n", truth


@pytest.mark.parametrize("seed, shuffle", [(50, False), (51, False), (52, True), (53, True)])
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_thousands_of_participants_and_long_ids(seed: int, shuffle: bool, lenient: bool, tmp_path: Path) -> None:
    data, truth = generate_many(seed, 9000, shuffle)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    want = reference(truth, lenient)
    for threads, chunk in [(1, 1 << 30), (2, 2048), (3, 100_000), (4, 1 << 20)]:
        got = outcome(lambda t=threads, c=chunk: calmkit.read_journal_with_report(f, lenient=lenient, threads=t,
                                                                                  chunk_bytes=c), str(f))
        assert got == want, (threads, chunk)


def _escaped(s: str, rng: random.Random) -> str:
    """s as a JSON string with any character escaped now and then: \\uXXXX in either case, a surrogate pair,
    \\/ for a solidus."""
    out = ['"']
    for ch in s:
        c, r = ord(ch), rng.random()
        if ch in '"\\':
            out.append("\\" + ch)
        elif c < 0x20 or (r < 0.3 and c < 0x10000):
            out.append(("\\u%04x" if rng.random() < 0.5 else "\\u%04X") % c)
        elif r < 0.3:
            v = c - 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
        elif ch == "/" and r < 0.6:
            out.append("\\/")
        else:
            out.append(ch)
    return "".join(out) + '"'


def _dump_escaped(o: object, rng: random.Random) -> str:
    if isinstance(o, str):
        return _escaped(o, rng)
    if isinstance(o, list):
        return "[" + ",".join(_dump_escaped(x, rng) for x in o) + "]"
    if isinstance(o, dict):
        return "{" + ",".join(_escaped(k, rng) + ":" + _dump_escaped(v, rng) for k, v in o.items()) + "}"
    return json.dumps(o)


@pytest.mark.parametrize("seed", [60, 61, 62])
def test_keys_and_values_escaped_anywhere(seed: int, tmp_path: Path) -> None:
    """Escapes in keys ("\\u0074ype"), in the type, category, participant, ids, references and times: JSON
    says they are the same strings, and json.loads reads them so."""
    rng = random.Random(seed)
    trig: dict = {}
    lines, truth = [], []
    for i in range(500):
        rec = _record(rng, i, trig)
        lines.append(_dump_escaped(rec, rng).encode())
        assert json.loads(lines[-1]) == rec
        truth.append((len(lines), rec, None))
    f = tmp_path / "j.jsonl"
    f.write_bytes(b"\n".join(lines))
    for lenient in (False, True):
        want = reference(truth, lenient)
        for threads, chunk in CUTS:
            got = outcome(lambda t=threads, c=chunk, le=lenient: calmkit.read_journal_with_report(
                f, lenient=le, threads=t, chunk_bytes=c), str(f))
            assert got == want, (lenient, threads, chunk)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_report_counts_lines_and_records(seed: int, tmp_path: Path) -> None:
    data, truth = generate(seed, 400)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    want = reference(truth, True)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    for threads, chunk in CUTS:
        rep = calmkit.read_journal_with_report(f, lenient=True, threads=threads, chunk_bytes=chunk).report
        assert (rep.lines, rep.records, rep.version) == (lines, sum(map(len, want[1].values())), 1), (threads, chunk)


# --------------------------------------------------------------------------- lines at max_line_bytes


def _padded(n: int) -> bytes:
    """A good reading line of exactly n bytes (without its line end)."""
    head = b'{"type":"reading","participant":"p","time":"2026-03-02T10:00:00Z","intensity":3,"note":"'
    return head + b"x" * (n - len(head) - 2) + b'"}'


def _max_line_outcomes(lines: list[bytes], end: bytes, lenient: bool, limit: int, tmp_path: Path) -> set:
    data = b"".join(x + (end or b"\n") for x in lines[:-1]) + lines[-1] + end
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    results = set()
    for threads, chunk in CUTS:
        try:
            res = calmkit.read_journal_with_report(f, lenient=lenient, threads=threads, chunk_bytes=chunk,
                                                   max_line_bytes=limit)
            results.add(("ok", len(res.journal), len(res.report.skipped)))
        except calmkit.JournalFormatError as e:
            results.add(("error", e.line, e.field))
    return results


@pytest.mark.parametrize("end, delta", [(b"\n", -1), (b"\n", 0), (b"\n", 1), (b"", -1), (b"", 0), (b"", 1),
                                        (b"\r\n", -1), (b"\r\n", 1)])
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_a_line_at_max_line_bytes(end: bytes, delta: int, lenient: bool, tmp_path: Path) -> None:
    """A line of max_line_bytes bytes (its line end not counted) is read; one byte more fails the read at that
    line, in lenient mode too; the same for any thread count and share size."""
    limit = 300
    lines = [_padded(120)] * 5 + [_padded(limit + delta)] + [_padded(120)] * 5
    want = ("ok", 11, 0) if delta <= 0 else ("error", 6, "")
    assert _max_line_outcomes(lines, end, lenient, limit, tmp_path) == {want}


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_a_crlf_line_of_max_line_bytes_is_read_as_its_lf_twin_is(lenient: bool, tmp_path: Path) -> None:
    """docs/journal-format.md: lines end in \\n or \\r\\n, and a line *longer* than max_line_bytes fails the
    read. The same 300-byte line in an LF file is read; in a CRLF file the whole read fails at it."""
    limit = 300
    lines = [_padded(120)] * 5 + [_padded(limit)] + [_padded(120)] * 5
    assert _max_line_outcomes(lines, b"\n", lenient, limit, tmp_path) == {("ok", 11, 0)}
    assert _max_line_outcomes(lines, b"\r\n", lenient, limit, tmp_path) == {("ok", 11, 0)}
