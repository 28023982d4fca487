"""The line parser against a reference written from the format's text alone.

Python's ``json`` (duplicate keys refused through ``object_pairs_hook``,
``NaN``/``Infinity`` refused) and a strict RFC 3339 grammar with ``datetime``'s
calendar are the reference: for every attacked line it says whether the line
is a record (and which one, its time written back as ``Instant::to_string``
writes it) or which field is refused. The attacks are the line parser's fast
paths: the record type read first or not, keys matched by their raw bytes
(escaped, duplicated, prefixes of known names), one- and two-digit integers
read from the raw token, strings viewed in the line unless they hold a
backslash (the line's first backslash found once), the time parser's word
read of ``YYYY-MM-DDThh:mm:ss`` and its two-digit offset. All attacked lines go
into one journal, read leniently with every thread count 1..4 and share size
(``chunk_bytes``): the skipped lines and their fields, and the kept records,
must be the reference's for every cut.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

import calmkit

# --- the reference ------------------------------------------------------------

TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def ref_time(s: str) -> str | None:
    """The text Instant::to_string writes for `s`, or None when RFC 3339 (with
    the format's years 1400..9999 on the local clock) refuses it."""
    m = TIME_RE.fullmatch(s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    if not 1400 <= y <= 9999 or h > 23 or mi > 59 or se > 59:
        return None
    try:
        dt.date(y, mo, d)
    except ValueError:
        return None
    off = m.group(8)
    if off not in ("Z", "z"):
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        minutes = (oh * 60 + om) * (-1 if off[0] == "-" else 1)
    else:
        minutes = 0
    frac = (m.group(7) or ".")[1:][:6].ljust(6, "0")
    text = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{se:02d}"
    if int(frac):
        text += "." + frac.rstrip("0")
    if minutes == 0:
        return text + "Z"
    a = abs(minutes)
    return text + f"{'-' if minutes < 0 else '+'}{a // 60:02d}:{a % 60:02d}"


class _Dup(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list) -> dict:
    seen: dict = {}
    for k, v in pairs:
        if k in seen:
            raise _Dup(k)
        seen[k] = v
    return seen


def _no_constant(name: str) -> None:
    raise ValueError(name)


def _lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_lone_surrogate(v) for v in value)
    return False


READING_FIELDS = {"type", "participant", "id", "time", "intensity", "trigger", "note"}


def ref_reading(line: str) -> tuple:
    """('ok', {fields as to_jsonl writes them}) or ('error', field): a reading
    line alone (no trigger reference, the id unique)."""
    try:
        obj = json.loads(line, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _Dup as d:
        return ("error", d.key)
    except ValueError:
        return ("error", "")
    if not isinstance(obj, dict):
        return ("error", "")
    if _lone_surrogate(obj):  # Python takes "\ud800"; text must be Unicode (calmkit: a bad string)
        return ("error", "")
    out: dict = {}
    # Known fields are checked in the order they come in the line: a line here
    # has one fault at most, so the order does not choose the field.
    for k, v in obj.items():
        if k not in READING_FIELDS or k == "type":
            continue
        if k == "intensity":
            if type(v) is not int or not 0 <= v <= 10:
                return ("error", k)
            out[k] = v
        elif k == "time":
            if not isinstance(v, str) or ref_time(v) is None:
                return ("error", k)
            out[k] = ref_time(v)
        else:
            if not isinstance(v, str) or (k in ("id", "trigger") and v == ""):
                return ("error", k)
            if v != "":
                out[k] = v
    if "type" not in obj:
        return ("error", "type")
    if obj["type"] != "reading":
        return ("error", "type")
    for k in ("time", "intensity"):
        if k not in obj:
            return ("error", k)
    return ("ok", out)


def calmkit_records(journal: calmkit.Journal) -> list[dict]:
    """The readings of a journal as to_jsonl writes them (empty texts dropped)."""
    out = []
    for line in calmkit.to_jsonl(journal).splitlines():
        rec = json.loads(line)
        if rec.get("type") != "reading":
            continue
        out.append({k: v for k, v in rec.items() if k != "type" and v != ""})
    return out


def _key(rec: dict) -> tuple:
    return tuple(sorted((k, json.dumps(v)) for k, v in rec.items()))


# --- the attacks ----------------------------------------------------------------

def _esc(s: str, rng: random.Random, p: float = 0.5) -> str:
    """`s` as a JSON string body, each character \\u-escaped with probability p."""
    return "".join(f"\\u{ord(c):04x}" if rng.random() < p and ord(c) < 0x10000 else
                   json.dumps(c)[1:-1] for c in s)


TIME_CASES = [
    "2024-02-29T12:34:56Z", "2023-02-29T12:34:56Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z", "2400-02-29T23:59:59+23:59", "1400-01-01T00:00:00Z", "1400-01-01T00:00:00+23:59",
    "1399-12-31T23:59:59Z", "1399-12-31T23:59:59-23:59", "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:59:59.999999+23:59", "10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
    "2026-03-02T21:14:00+23:59", "2026-03-02T21:14:00-23:59", "2026-03-02T21:14:00+24:00",
    "2026-03-02T21:14:00-24:00", "2026-03-02T21:14:00+23:60", "2026-03-02T21:14:00+00:00",
    "2026-03-02T21:14:00-00:00", "2026-03-02T21:14:00+0100", "2026-03-02T21:14:00+01", "2026-03-02T21:14:00+1:00",
    "2026-03-02T21:14:00+01:0", "2026-03-02T21:14:00+01:000", "2026-03-02T21:14:00+01:00Z",
    "2026-03-02T21:14:00Z ", " 2026-03-02T21:14:00Z", "2026-03-02T21:14:00ZZ", "2026-03-02T21:14:00",
    "2026-03-02t21:14:00z", "2026-03-02 21:14:00Z", "2026-03-02  21:14:00Z", "2026-03-02_21:14:00Z",
    "2026-03-02T24:00:00Z", "2026-03-02T23:60:00Z", "2026-03-02T23:59:60Z", "2026-03-02T21:14Z",
    "2026-3-02T21:14:00Z", "2026-03-2T21:14:00Z", "2026/03/02T21:14:00Z", "2026-03-02T21.14.00Z",
    "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-31T00:00:00Z",
    "2026-01-00T00:00:00Z", "2026-03-02T21:14:00.Z", "2026-03-02T21:14:00,5Z", "2026-03-02T21:14:00.+01:00",
    "\uff12026-03-02T21:14:00Z", "2026-03-02T21:14:0\u0665Z", "2026-03-02T21:14:00\u2212 01:00",
    "2026-03-02T21:14:00+01:00\u0000", "2026-03-02T21:14:00\u0000", "2026-03-02T21:14:00.5\u0000Z",
    "2026-03-02T21:14:00+\uff10\uff11:00", "2026-03-02T21:14:00+01:00 ", "2026-03-02T21:14:00+01:00\n",
    "2026-03-02T21:14:00z", "2026-03-02T21:14:00Z\t", "", "2026", "2026-03-02T21:14:0", "2026-03-02T21:14:00+",
    "+2026-03-02T21:14:00Z", "-2026-03-02T21:14:00Z", "2026-03-02T21:14:00.123456789012345678901234567890Z",
    "2026-03-02T21:14:00.1234567-01:30", "2026-03-02T21:14:00.0000001Z", "2026-03-02T21:14:00.000000999+05:45",
    "2026-03-02T21:14:00.999999999-05:45", "2026-03-02T21:14:00.000Z", "2026-03-02T21:14:00.10+14:00",
    "2026-03-02T21:14:00.\u0661Z", "2026-03-02T21:14:00;00Z", "2026-03-02T2\u00b9:14:00Z",
    "2026-03-02T21:14:00+01:00+01:00", "2026-03-02T21:14:00+0:100", "2026-03-02T21:14:00+-1:00",
]
# Every byte of a good time replaced by each neighbour of '0'..'9' and the separators,
# so that the word read of YYYY-MM-DDThh:mm:ss sees every bad byte in every place.
for _s in ["2026-03-02T21:14:00+01:00", "2026-03-02T21:14:00.123456-01:30", "2026-03-02T21:14:00.5Z",
           "2026-03-02T21:14:00.123Z", "2026-03-02T21:14:00.12+14:00", "2026-12-31T23:59:59.9999-23:59"]:
    for _i in range(len(_s)):
        for _c in "/:;-T t.+Z90\x7f\u00e9":
            TIME_CASES.append(_s[:_i] + _c + _s[_i + 1:])
    for _i in range(len(_s)):  # cut short, and a byte too many
        TIME_CASES += [_s[:_i], _s[:_i] + "0" + _s[_i:]]
TIME_CASES = list(dict.fromkeys(TIME_CASES))

INT_TOKENS = ["0", "9", "10", "11", "99", "100", "-0", "-1", "1.0", "1e0", "1E0", "10.0",
              "5 ", " 5", "5\t", "+5", ".5", "-", "1e400", "-1e400", "9223372036854775807",
              "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
              "18446744073709551616", "true", "false", "null", '"5"', "[5]", "{}", "5[]",
              "5 5", "55", "1 0", "NaN", "Infinity", "-Infinity", "0.0", "-0.0", "0e0",
              "\u0665", "\uff15", "5,"]
# Tokens that are no JSON number but start like one: in an unknown field they
# are invalid JSON (the line's problem, field ''); see the B10/B11 tests.
MALFORMED_NUMBERS = ["00", "01", "05", "0x5", "5.", "5x", '5"a"', "5e", "5e+", "1_0", "0b1", "9\u00a0", "--5",
                     "00.5", "1.e1"]


def _reading(rng: random.Random, n: int, time: str = "2026-03-02T21:14:00+01:00", intensity: str = "5",
             participant: str = "p1") -> list[tuple[str, str]]:
    return [("type", json.dumps("reading")), ("participant", json.dumps(participant)),
            ("id", json.dumps(f"r{n}")), ("time", json.dumps(time)), ("intensity", intensity)]


def _line(pairs: list[tuple[str, str]], rng: random.Random, shuffle: bool = True) -> str:
    pairs = list(pairs)
    if shuffle and rng.random() < 0.7:
        rng.shuffle(pairs)
    sep = rng.choice([",", ", ", " ,", "\t,\t"])
    col = rng.choice([":", ": ", " : "])
    return "{" + sep.join(f"{k if k.startswith(chr(34)) else json.dumps(k)}{col}{v}" for k, v in pairs) + "}"


def attacked_lines(seed: int) -> list[str]:
    rng = random.Random(seed)
    lines: list[str] = []
    n = 0

    def nxt() -> int:
        nonlocal n
        n += 1
        return n

    # Times, written plainly and escaped (the string's backslash path).
    for t in TIME_CASES:
        lines.append(_line(_reading(rng, nxt(), time=t), rng))
        pairs = _reading(rng, nxt())
        pairs[3] = ("time", '"' + _esc(t, rng, 0.3) + '"')
        lines.append(_line(pairs, rng))
    # Random valid-looking times at the edges of every field.
    for _ in range(300):
        y = rng.choice([1400, 1401, 1899, 1900, 2000, 2024, 2100, 9998, 9999])
        mo = rng.choice([1, 2, 2, 2, 12, 0, 13])
        d = rng.choice([1, 28, 29, 29, 30, 31, 0, 32])
        h, mi, se = rng.choice([0, 23, 24]), rng.choice([0, 59, 60]), rng.choice([0, 59, 60])
        frac = rng.choice(["", "." + "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 10)))])
        off = rng.choice(["Z", "z", "+23:59", "-23:59", "+00:00", "-00:00", "+05:30", "-09:30", "+24:00",
                          "+12:60"])
        sep = rng.choice("TTTt ")
        t = f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{se:02d}{frac}{off}"
        lines.append(_line(_reading(rng, nxt(), time=t), rng))
    # Integers read from the raw token.
    for tok in INT_TOKENS:
        for _ in range(2):
            lines.append(_line(_reading(rng, nxt(), intensity=tok), rng))
        # Last before the closing brace, and before a comma with no space.
        pairs = _reading(rng, nxt(), intensity=tok)
        lines.append(_line(pairs, rng, shuffle=False))
    # Keys: escaped, type anywhere, duplicates (raw and escaped), prefixes and
    # extensions of known names, unknown keys escaped two ways.
    for _ in range(400):
        k = nxt()
        pairs = _reading(rng, k) + [("note", json.dumps("n"))]
        kind = rng.randrange(8)
        if kind == 0:  # escape some known keys
            pairs = [('"' + _esc(name, rng) + '"', v) for name, v in pairs]
        elif kind == 1:  # a known key twice, one copy escaped
            name, v = rng.choice(pairs)
            pairs.append(('"' + _esc(name, rng, 0.6) + '"', v))
        elif kind == 2:  # an unknown key twice, spelled differently
            u = rng.choice(["x", "typ", "types", "tim", "timeX", "intensit", "intensityy", "ID", "Type",
                            "participan", "participants", "\u00e9t\u00e9", "a\"b", "a\\b", "type\u0000"])
            pairs.append(('"' + _esc(u, rng, 0.5) + '"', "1"))
            pairs.append(('"' + _esc(u, rng, 0.5) + '"', "2"))
        elif kind == 3:  # prefixes and extensions of known names: unknown, ignored
            for u in rng.sample(["typ", "types", "tim", "timeX", "intensit", "intensityy", "i", "idd",
                                 "participan", "participant\u0000", "note ", " note", "typ\u0065s"], 3):
                pairs.append(('"' + _esc(u, rng, 0.3) + '"', json.dumps(u)))
        elif kind == 4:  # a required field missing
            drop = rng.choice(["type", "time", "intensity"])
            pairs = [p for p in pairs if p[0] != drop]
        elif kind == 5:  # a wrong type for a known field
            name = rng.choice(["participant", "id", "time", "intensity", "note"])
            pairs = [(a, rng.choice(["1", "null", "true", "[]", "{}", '["x"]']) if a == name else v)
                     for a, v in pairs]
        elif kind == 6:  # the record type escaped or wrong
            t = rng.choice(["reading", "readin", "readings", "Reading", "reading\u0000", ""])
            pairs = [(a, '"' + _esc(t, rng, 0.5) + '"' if a == "type" else v) for a, v in pairs]
        else:  # texts with escapes after the line's first backslash, and quotes next to the end
            pairs = [(a, json.dumps(rng.choice(["a\\", "\\", "\"", "x\"", "\u00e9\\n", "ab\tc", "",
                                                    "12345678\\", "1234567\\"]))
                      if a in ("note", "participant") else v) for a, v in pairs]
        lines.append(_line(pairs, rng, shuffle=kind != 6 or rng.random() < 0.5))
    return lines


# --- the tests ------------------------------------------------------------------

CUTS = [(1, 1 << 20), (2, 1024), (3, 1024), (4, 1024), (2, 1500), (3, 4096), (4, 65536)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_attacked_line_is_what_the_reference_says(seed: int, tmp_path: Path) -> None:
    lines = attacked_lines(seed)
    head = '{"type":"header","format":"calmkit-journal","version":1}'
    text = "\n".join([head] + lines) + "\n"
    f = tmp_path / "j.jsonl"
    f.write_text(text, encoding="utf-8")
    want_skipped = []
    want_kept = []
    for no, line in enumerate(lines, start=2):
        got = ref_reading(line)
        if got[0] == "error":
            want_skipped.append((no, got[1]))
        else:
            want_kept.append(got[1])
    assert want_kept and want_skipped
    first = None
    for threads, chunk in CUTS:
        res = calmkit.read_journal_with_report(f, lenient=True, threads=threads, chunk_bytes=chunk)
        got_skipped = [(s.line, s.field) for s in res.report.skipped]
        got_kept = calmkit_records(res.journal)
        outcome = (got_skipped, sorted(map(_key, got_kept)))
        if first is None:
            first = outcome
            wrong = [(no, field, lines[no - 2]) for no, field in set(want_skipped) ^ set(got_skipped)]
            assert not wrong, wrong[:20]
            missing = set(map(_key, want_kept)) ^ set(map(_key, got_kept))
            assert not missing, sorted(missing)[:20]
        assert outcome == first, (threads, chunk)


@pytest.mark.parametrize("t", TIME_CASES)
def test_a_time_alone_is_what_the_reference_says(t: str) -> None:
    """One time per journal, strict: refused exactly when RFC 3339 refuses it,
    and written back as the reference writes it."""
    line = json.dumps({"type": "reading", "time": t, "intensity": 3})
    want = ref_time(t)
    if want is None:
        with pytest.raises(calmkit.JournalFormatError) as e:
            calmkit.parse_journal(line)
        assert e.value.field == "time"
    else:
        j = calmkit.parse_journal(line)
        assert calmkit_records(j) == [{"time": want, "intensity": 3}]


# --- participants whose bytes collide -------------------------------------------

def _colliding_participants() -> list[str]:
    """Names that share their first and last eight bytes (or all but their
    length), split differently between participant and id, escaped or not."""
    head, tail = "cohort-A", "-wave-01"
    names = [head + mid + tail for mid in ["", "x", "y", "xy", "yx", "\u00e9", "e\u0301", "xxxxxxxx", "xxxxxxxy"]]
    names += ["a" * k for k in range(7, 18)]  # 9..15: first and last 8 bytes equal, only the length differs
    names += ["", "p", "p1", "p1 ", " p1", "P1", "ab", "a", "abc", "\U0001F600", "\U0001F600\U0001F600",
              "12345678", "123456781", "812345678", "1234567812345678", "12345678\u00e912345678"]
    names += ["z" * k + "!" for k in (2, 3, 4, 6, 7, 14, 15, 16, 31, 32)]
    return names


def _participant_journal(seed: int) -> tuple[str, list[tuple[int, str]], dict, list[str]]:
    """A journal of triggers and readings over colliding participants; the
    lines a lenient read must skip (line, field), and what each kept reading
    must point to (participant, reading id) -> trigger id."""
    rng = random.Random(seed)
    people = _colliding_participants()
    # Every length up to 33 bytes: the key copies take words of 4 and 8 bytes, overlapping.
    ids = ["t", "t1", "1", "bc", "c", "a" * 9, "a" * 10, "x" * 8 + "y"] + ["i" * k + "d" for k in range(2, 33, 3)]
    have: dict[str, set[str]] = {p: set() for p in people}
    lines = ['{"type":"header","format":"calmkit-journal","version":1}']
    skipped: list[tuple[int, str]] = []
    pointers: dict = {}
    pending = []  # readings: checked once every trigger is known (a reference may point forward)
    for n in range(3000):
        p = rng.choice(people)
        written = '"' + _esc(p, rng, 0.2) + '"' if p or rng.random() < 0.5 else None
        part = f'"participant":{written},' if written is not None else ""
        if rng.random() < 0.45:
            tid = rng.choice(ids)
            line = (f'{{"type":"trigger",{part}"id":"{_esc(tid, rng, 0.2)}","time":"2026-03-02T21:14:00+01:00",'
                    f'"category":"other","intensity":5}}')
            lines.append(line)
            if tid in have[p]:
                skipped.append((len(lines), "id"))
            have[p].add(tid)
        else:
            tid = rng.choice(ids)
            rid = f"r{n}"
            line = (f'{{"type":"reading",{part}"id":"{rid}","time":"2026-03-02T22:14:00+01:00","intensity":3,'
                    f'"trigger":"{_esc(tid, rng, 0.2)}"}}')
            lines.append(line)
            pending.append((len(lines), p, rid, tid))
    for no, p, rid, tid in pending:
        if tid in have[p]:
            pointers[(p, rid)] = tid
        else:
            skipped.append((no, "trigger"))
    return "\n".join(lines) + "\n", sorted(skipped), pointers, sorted(p for p in people if have[p])


@pytest.mark.parametrize("seed", [5, 6])
def test_participants_that_share_their_first_and_last_bytes_stay_apart(seed: int, tmp_path: Path) -> None:
    text, want_skipped, want_pointers, want_people = _participant_journal(seed)
    f = tmp_path / "j.jsonl"
    f.write_text(text, encoding="utf-8")
    for threads, chunk in CUTS:
        res = calmkit.read_journal_with_report(f, lenient=True, threads=threads, chunk_bytes=chunk)
        got_skipped = sorted((s.line, s.field) for s in res.report.skipped)
        assert got_skipped == want_skipped, (threads, chunk, sorted(set(got_skipped) ^ set(want_skipped))[:10])
        got = {}
        for line in calmkit.to_jsonl(res.journal).splitlines():
            rec = json.loads(line)
            if rec.get("type") == "reading":
                got[(rec.get("participant", ""), rec["id"])] = rec["trigger"]
        assert got == want_pointers, (threads, chunk)
        assert sorted(res.journal.participants()) == want_people, (threads, chunk)


# --- malformed numbers in known fields -------------------------------------------

def _whole_line_error(line: str) -> tuple[str, str]:
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal(line)
    return e.value.field, e.value.reason


@pytest.mark.parametrize("tok", MALFORMED_NUMBERS)
def test_a_malformed_number_in_an_unknown_field_is_invalid_json(tok: str) -> None:
    """The rule the known fields below are held to: the same token in a field
    calmkit ignores is the line's problem (invalid JSON, no field)."""
    line = '{"type":"reading","time":"2026-03-02T21:14:00Z","intensity":5,"x":%s}' % tok
    field, reason = _whole_line_error(line)
    assert field == "" and reason.startswith("invalid JSON"), (field, reason)


@pytest.mark.parametrize("tok", MALFORMED_NUMBERS)
def test_a_malformed_number_in_acted_after_minutes_is_not_called_infinite(tok: str) -> None:
    line = ('{"type":"trigger","id":"t1","time":"2026-03-02T21:14:00Z","category":"other","intensity":5,'
            '"acted_after_minutes":%s}' % tok)
    field, reason = _whole_line_error(line)
    assert "inf" not in reason, (field, reason)
    assert field == "" and reason.startswith("invalid JSON"), (field, reason)


@pytest.mark.parametrize("where", ["intensity", "belief_before", "answers[0]", "emotions[0].before"])
@pytest.mark.parametrize("tok", [t for t in MALFORMED_NUMBERS if not t.startswith("-")])
def test_a_malformed_number_in_an_integer_field_is_invalid_json(tok: str, where: str) -> None:
    lines = {
        "intensity": '{"type":"reading","time":"2026-03-02T21:14:00Z","intensity":%s}',
        "belief_before": ('{"type":"thought_record","id":"r","time":"2026-03-02T21:14:00Z","situation":"s",'
                          '"automatic_thought":"a","belief_before":%s}'),
        "answers[0]": ('{"type":"assessment","id":"a","time":"2026-03-02T21:14:00Z","instrument":"gad-7",'
                       '"answers":[%s,1,1,1,1,1,1]}'),
        "emotions[0].before": ('{"type":"thought_record","id":"r","time":"2026-03-02T21:14:00Z","situation":"s",'
                               '"automatic_thought":"a","belief_before":5,"emotions":[{"name":"x","before":%s}]}'),
    }
    field, reason = _whole_line_error(lines[where] % tok)
    assert field == "" and reason.startswith("invalid JSON"), (field, reason)


# --- lines that upset a document stream ------------------------------------------

NOISE = ["}", "]", "{", "[", '"', '{"a":', '"unterminated', '{"note":"abc', '{"note":"abc\\', "\\", '\\"', '{"x":"}"}',
         '{"x":"{"}', "[1,2]", '"text"', "123", "-", "true", "null", "{}", "{}{}", '{"a":1} {"b":2}', '{"a":1}}',
         '{{"a":1}', "\x0c", "\x0b", "\u00a0", "\ufeff{}", '{"type":"reading"', "'", '{"a":"\\u"}',
         '{"a":"\\ud800"}', '{"a":"\\udc00\\ud800"}', '{"a":1e}', '{"a":01}', '{"a":tru}', '{"a":nul}', "{\"a\":[}",
         '{"a":1,}', '{,"a":1}', '{"a" 1}', '{"a"::1}', "\x00", '{"a":"\x01"}', '{"a":"\t"}']


@pytest.mark.parametrize("seed", [11, 12])
def test_noise_lines_between_records_harm_only_themselves(seed: int, tmp_path: Path) -> None:
    """Bad lines of every kind that change how a piece's document stream sees
    the bytes after them (an unterminated string flips every quote after it, a
    stray bracket unbalances the rest): each is skipped alone, with no field,
    and every record line around it is read as the reference reads it."""
    rng = random.Random(seed)
    lines: list[str] = []
    want_skipped: list[tuple[int, str]] = []
    want_kept: list[dict] = []
    for n in range(1500):
        if rng.random() < 0.3:
            noise = rng.choice(NOISE)
            lines.append(noise)
            if noise.strip(" \t\r") == "":
                continue
            got = ref_reading(noise)
            assert got[0] == "error" and got[1] in ("", "type"), noise
            want_skipped.append((len(lines) + 1, got[1]))
        else:
            line = _line(_reading(rng, n, intensity=str(rng.randrange(11))) + [("note", json.dumps(
                rng.choice(["a", "b\\c", "\"", "}", "{", "]", "\u00e9"])))], rng)
            lines.append(line)
            got = ref_reading(line)
            assert got[0] == "ok"
            want_kept.append(got[1])
    head = '{"type":"header","format":"calmkit-journal","version":1}'
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join([head] + lines) + "\n", encoding="utf-8")
    for threads, chunk in CUTS:
        res = calmkit.read_journal_with_report(f, lenient=True, threads=threads, chunk_bytes=chunk)
        got_skipped = [(s.line, s.field) for s in res.report.skipped]
        assert got_skipped == want_skipped, (threads, chunk, sorted(set(got_skipped) ^ set(want_skipped))[:10])
        assert sorted(map(_key, calmkit_records(res.journal))) == sorted(map(_key, want_kept)), (threads, chunk)


@pytest.mark.parametrize("line", ['{}{}', '{"a":1} {"b":2}', '{"a":1}}', '{"a":1e}', '{"a":01}', '{"a":tru}',
                                  '{"a":"\\u"}', '{"a":"\\x"}', '{"note":1,"a":nul}'])
def test_a_line_that_is_not_json_is_the_line_s_problem(line: str) -> None:
    """docs/journal-format.md: "The line: valid JSON, ..., exactly one JSON
    object with nothing after it ... The field is empty for these whole-line
    problems." With `type` in the line the same faults are whole-line errors."""
    assert ref_reading(line) == ("error", "")
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal(line)
    assert e.value.field == "", (e.value.field, e.value.reason)


@pytest.mark.parametrize("line", ['{"type":"reading"}}', '{"type":"trigger","id":"t"}}',
                                  '{"type":"reading","intensity":11}}', '{"type":"nope"}}', '{"type":"nope","a":tru}',
                                  '{"type":"header","format":"x"}}', '{"type":1}}',
                                  '{"type":"reading","intensity":11,"a":1e}'])
def test_a_typed_line_that_is_not_json_is_the_line_s_problem(line: str) -> None:
    assert ref_reading(line) == ("error", "")
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal(line)
    assert e.value.field == "", (e.value.field, e.value.reason)
