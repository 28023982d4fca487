"""Lines at the edges of the line parser, against a per-line reference in plain Python.

Every line is a good record, in any key order and spacing, with escapes
anywhere, or a good record with exactly one thing wrong. The reference decides
each line alone from json.loads and the rules of docs/journal-format.md:
kept or skipped, on which field, and the values it keeps; then the rules
across lines (ids unique, references kept, the cascade). The edges are those
of a hand-written parser: strings of every length around a word and a cache
line, escapes at the first and the last byte, keys escaped, type anywhere,
spaces and tabs between every token, number forms (-0, exponents, 30 digits,
1e-400, 1e400), a known field's value token made wrong (a raw control
character or bad UTF-8 inside it, 01, +1, 1., tru, truee), every optional
field absent, empty or null, times of every
accepted form and offset, participants that are not ASCII, a NUL raw or
escaped, CRLF, a last line without its newline, strings longer than the
reader's 256 KiB piece. Each journal is read with 1..4 threads and shares from
one byte up; strict and lenient reads must both say what the reference says.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

import calmkit

ANY = object()  # a field the reference does not pin

CATEGORIES = ["delayed_reply", "mixed_signals", "plans_cancelled", "being_alone", "other", "perfectionism"]
DISTORTIONS = ["mind_reading", "labeling", "catastrophizing", "blaming", "all_or_nothing"]
PEOPLE = [None, "", "p", "P", "\u00e9", "\U0001F600", "a\u0000b", "\u2028", "x" * 70, "p\\q", 'q"r']

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
REQUIRED = {
    "trigger": ["type", "id", "time", "category", "intensity"],
    "reading": ["type", "time", "intensity"],
    "exercise": ["type", "id", "time", "exercise", "end"],
    "thought_record": ["type", "id", "time", "situation", "automatic_thought", "belief_before"],
    "assessment": ["type", "id", "time", "instrument", "answers"],
}
TEXT_FIELDS = {"context", "urge", "response", "note", "situation", "automatic_thought", "friend_advice",
               "balanced_thought"}
LIST_FIELDS = {"thoughts", "sensations", "tags", "responses", "evidence_for", "evidence_against", "alternatives"}
INT_RANGES = {"intensity": (0, 10), "intensity_before": (0, 10), "intensity_after": (0, 10),
              "belief_before": (0, 100), "belief_after": (0, 100)}

# --------------------------------------------------------------------------- times

TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z", re.ASCII)


def parse_time(s: str) -> tuple[int, int] | None:
    """(instant in microseconds since the epoch, offset in minutes), or None when refused."""
    m = TIME_RE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se, frac, off = m.groups()
    if not 1400 <= int(y) <= 9999:
        return None
    try:
        local = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), int((frac or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    if off in "Zz":
        minutes = 0
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        minutes = (1 if off[0] == "+" else -1) * (oh * 60 + om)
    epoch = dt.datetime(1970, 1, 1)
    return (local - epoch) // dt.timedelta(microseconds=1) - minutes * 60_000_000, minutes


def random_time(rng: random.Random) -> str:
    y = rng.choice([1400, 1969, 1970, 2000, 2024, 2026, 9999])
    mo = rng.randrange(1, 13)
    d = rng.choice([1, 28, 29 if mo == 2 and y % 4 == 0 and (y % 100 or y % 400 == 0) else 28,
                    30 if mo != 2 else 27, 31 if mo in (1, 3, 5, 7, 8, 10, 12) else 2])
    h, mi, se = rng.choice([0, 12, 23]), rng.choice([0, 30, 59]), rng.choice([0, 1, 59])
    sep = rng.choice("TTTTt ")
    nd = rng.choice([0, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 9, 12])
    frac = "." + "".join(rng.choice("0123456789") for _ in range(nd)) if nd else ""
    off = rng.choice(["Z", "Z", "z", "+00:00", "-00:00", "+01:00", "-05:00", "+05:30", "+23:59", "-23:59",
                      "+14:00", "-12:00", "+09:45"])
    return f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{se:02d}{frac}{off}"


BAD_TIMES = ["2026-03-02T10:00:00", "2026-03-02T24:00:00Z", "2026-03-02T10:60:00Z", "2026-03-02T10:00:60Z",
             "2026-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-01T10:00:00Z",
             "1399-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2026-03-02T10:00:00+24:00", "2026-03-02T10:00:00+01:60",
             "2026-03-02T10:00:00.Z", "2026-03-02T10:00:00Z ", " 2026-03-02T10:00:00Z", "2026-03-02T10:00:00+0100",
             "2026-03-02T10:00:00+01", "2026-3-02T10:00:00Z", "2026-03-02X10:00:00Z", "2026-03-02T10:00Z",
             "2026-03-02T10:00:00ZZ", "2026-03-02T10:00:00\u00b2Z", "\uff12026-03-02T10:00:00Z", "", "Z",
             "2026-03-02T10:00:00.123456789012345678901234567890Z+", "2026-03-02T1O:00:00Z",
             "2026-03-02T10:00:00,5Z", "2026-03-02T10:00:00.5.5Z", "2026-03-02T10:00:00-00:00:00"]

# --------------------------------------------------------------------------- the reference, one line alone


class Bad(Exception):
    def __init__(self, field: object) -> None:
        super().__init__(field)
        self.field = field


class Obj(dict):
    """A JSON object with the keys json.loads saw more than once (each at the place of its second use among
    the object's keys) and the place of each key's first use."""

    dups: list[tuple[int, str]]
    first_at: dict[str, int]


def _pairs(pairs: list) -> Obj:
    o = Obj()
    o.dups = []
    o.first_at = {}
    for i, (k, v) in enumerate(pairs):
        if k in o:
            o.dups.append((i, k))
        else:
            o.first_at[k] = i
        o[k] = v
    return o


def _named(key: str) -> str:
    """A key as an error names its field: the empty key as '""', so the field is never blank (blank is the
    line's own problem)."""
    return key if key else '""'


def _first_twice(rec: Obj) -> str | None:
    """The first key given twice in an object the reader checks, in line order: the record's own keys, and
    a thought record's emotion objects' keys (met where its `emotions` field is). It is the line's problem,
    whatever rule a field before or after it breaks."""
    events = [(i, _named(k)) for i, k in rec.dups]
    if rec.get("type") == "thought_record" and isinstance(rec.get("emotions"), list):
        for i, e in enumerate(rec["emotions"]):
            if isinstance(e, Obj) and e.dups:
                events.append((rec.first_at["emotions"], f"emotions[{i}].{_named(e.dups[0][1])}"))
                break
    return min(events)[1] if events else None


def _no_constant(name: str) -> None:
    raise ValueError(name)


def _check_strings(v: object) -> None:
    """Lone surrogates (\\ud800 alone) are not text: JSON's grammar lets them through, Unicode does not."""
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise Bad("")
    elif isinstance(v, list):
        for x in v:
            _check_strings(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_strings(k)
            _check_strings(x)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def judge(raw: bytes, first: bool) -> tuple | None:
    """None for a blank line; ("header",) or ("ok", record dict); Bad(field) raised for a refused line."""
    s = raw.strip(b" \t\r")
    if not s:
        return None
    try:
        text = s.decode("utf-8")
    except UnicodeDecodeError:
        raise Bad(ANY) from None
    try:
        rec = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise Bad("") from None
    _check_strings(rec)
    if not isinstance(rec, dict):
        raise Bad("")
    twice = _first_twice(rec)
    if twice is not None:
        raise Bad(twice)
    t = rec.get("type")
    if "type" not in rec or not isinstance(t, str):
        raise Bad("type")
    if t == "header":
        if not first:
            raise Bad("type")
        if rec.get("format") != "calmkit-journal":
            raise Bad("format")
        if not _is_int(rec.get("version")) or rec["version"] != 1:
            raise Bad("version")
        return ("header",)
    if t not in KNOWN:
        raise Bad("type")
    for k, v in rec.items():  # each field as the line gives them, then the first required one missing
        if k in KNOWN[t]:
            _check_field(t, k, v, rec)
    for k in REQUIRED[t]:
        if k not in rec:
            raise Bad(k)
    # The model's rules, once the whole record is read.
    for k in ("id", "exercise", "instrument"):
        if rec.get(k) == "":
            raise Bad(k)
    if t == "exercise" and parse_time(rec["end"])[0] < parse_time(rec["time"])[0]:
        raise Bad("end")
    if t == "assessment":
        if rec["instrument"] != "gad-7":
            raise Bad("instrument")
        if len(rec["answers"]) != 7:
            raise Bad("answers")
        for i, a in enumerate(rec["answers"]):
            if not 0 <= a <= 3:
                raise Bad(f"answers[{i}]")
    return ("ok", rec)


def _check_field(t: str, k: str, v: object, rec: dict) -> None:
    if k in ("participant",) or k in TEXT_FIELDS:
        if not isinstance(v, str):
            raise Bad(k)
    elif k in ("id", "trigger", "exercise"):
        # An optional id or reference given empty is refused as it is read; a required id or exercise
        # given empty is the model's rule, checked once every field is read.
        if not isinstance(v, str) or (v == "" and (k == "trigger" or t == "reading")):
            raise Bad(k)
    elif k in ("time", "end"):
        if not isinstance(v, str) or parse_time(v) is None:
            raise Bad(k)
    elif k in INT_RANGES:
        lo, hi = INT_RANGES[k]
        if not _is_int(v) or not lo <= v <= hi:
            raise Bad(k)
    elif k == "category":
        if v not in CATEGORIES + ["partner_distance", "conflict"]:
            raise Bad(k)
    elif k in ("acted_on_urge", "completed"):
        if not isinstance(v, bool):
            raise Bad(k)
    elif k == "acted_after_minutes":
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v) >= 0 or float(v) == float("inf"):
            raise Bad(k)
    elif k in LIST_FIELDS:
        if not isinstance(v, list):
            raise Bad(k)
        for i, x in enumerate(v):
            if not isinstance(x, str):
                raise Bad(f"{k}[{i}]")
    elif k == "distortions":
        if not isinstance(v, list):
            raise Bad(k)
        for i, x in enumerate(v):
            if x not in DISTORTIONS:
                raise Bad(f"{k}[{i}]")
    elif k == "emotions":
        if not isinstance(v, list):
            raise Bad(k)
        for i, e in enumerate(v):
            if not isinstance(e, dict):
                raise Bad(f"emotions[{i}]")
            if "name" in e and not isinstance(e["name"], str):
                raise Bad(f"emotions[{i}].name")
            for p in ("before", "after"):
                if p in e and (not _is_int(e[p]) or not 0 <= e[p] <= 100):
                    raise Bad(f"emotions[{i}].{p}")
            for p in ("name", "before"):
                if p not in e:
                    raise Bad(f"emotions[{i}].{p}")
    elif k == "instrument":
        if not isinstance(v, str):
            raise Bad(k)
    elif k == "answers":
        if not isinstance(v, list):
            raise Bad(k)
        for i, x in enumerate(v):
            if not _is_int(x):
                raise Bad(f"answers[{i}]")


def norm(rec: dict) -> dict:
    """A kept record in comparable values (what the writer gives back)."""
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
        if k == "emotions":
            v = [{kk: vv for kk, vv in e.items() if kk in ("name", "before", "after")} for e in v]
        out[k] = v
    return out


# --------------------------------------------------------------------------- the lines


def _esc_char(ch: str, rng: random.Random) -> str:
    c = ord(ch)
    if c >= 0x10000:
        v = c - 0x10000
        return "\\u%04x\\u%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
    short = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "/": "\\/"}
    if ch in short and rng.random() < 0.6:
        return short[ch]
    return ("\\u%04x" if rng.random() < 0.5 else "\\u%04X") % c


def enc_str(s: str, rng: random.Random, mode: str) -> str:
    """s as a JSON string: 'raw' (only what must be escaped), 'ascii', or 'mixed' (any character now and then)."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in '"\\' or c < 0x20:
            out.append(_esc_char(ch, rng) if ch not in '"\\' or rng.random() < 0.5 else "\\" + ch)
        elif mode == "ascii" and c > 0x7E:
            out.append(_esc_char(ch, rng))
        elif mode == "mixed" and rng.random() < 0.15:
            out.append(_esc_char(ch, rng))
        else:
            out.append(ch)
    return "".join(out) + '"'


# A float's spellings (an int is written as itself, or 0 as -0).
NUMBER_FORMS = {0.0: ["0.0", "-0.0", "0e0", "0E+5", "1e-400", "-1e-400"],
                100.0: ["100", "1e2", "1E+2", "100.000", "10000e-2"], 12.25: ["12.25", "1225e-2", "0.1225E2"],
                1.2345678901234568e29: ["123456789012345678901234567890"], 1.7976931348623157e308: ["1.7976931348623157e308"]}


def enc(v: object, rng: random.Random, mode: str, ws: list[str], key: str = "") -> str:
    w = lambda: rng.choice(ws)  # noqa: E731
    if isinstance(v, str):
        return enc_str(v, rng, mode)
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return "-0" if v == 0 and rng.random() < 0.2 else str(v)
    if isinstance(v, float):
        if v in (float("inf"), -float("inf")):
            return "1e400" if v > 0 else "-1e400"
        forms = NUMBER_FORMS.get(v)
        return rng.choice(forms) if forms else repr(v)
    if isinstance(v, list):
        return "[" + w() + ("," + w()).join(enc(x, rng, mode, ws) for x in v) + w() + "]" if v else "[" + w() + "]"
    assert isinstance(v, dict)
    items = [w() + enc_str(k, rng, mode) + w() + ":" + w() + enc(x, rng, mode, ws, k) + w() for k, x in v.items()]
    return "{" + ",".join(items) + "}" if items else "{" + w() + "}"


def strings(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return rng.choice(["", "a", "\\", '"', "/", "\u0000", "\u2028", "\u2029", "\U0001F600", "\u00e9", "\x7f",
                           "\ufeff", "\U0010FFFF", "\\\\\"\"", "a\\", "\\a", 'a"', '"a', "\n", "end\\\\"])
    if r < 0.8:
        n = rng.choice([1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 1000])
        base = rng.choice(["x", "\u00e9", "\U0001F600", "ab\\", 'q"', "\u2028", "a b"])
        s = (base * n)[:n]
        if rng.random() < 0.4:  # one character that needs an escape, at the start, the end or anywhere
            pos = rng.choice([0, len(s), rng.randrange(len(s) + 1)])
            s = s[:pos] + rng.choice(['"', "\\", "\n", "\u0001", "\u001f"]) + s[pos:]
        return s
    return "".join(rng.choice("ab\u00e9\U0001F600\\\"/ \t\u0000") for _ in range(rng.randrange(1, 40)))


def good_record(rng: random.Random, i: int) -> dict:
    """A good record with id f'i{i}'; any reference names its participant's trigger 't0' (always present)."""
    p = rng.choice(PEOPLE)
    rec: dict = {"type": rng.choice(["trigger", "reading", "reading", "exercise", "thought_record", "assessment"])}
    if p is not None:
        rec["participant"] = p
    t = rec["type"]
    rec["id"] = f"i{i}"
    rec["time"] = random_time(rng)
    opt = lambda: rng.random() < 0.35  # noqa: E731
    if t == "trigger":
        rec["category"] = rng.choice(CATEGORIES)
        rec["intensity"] = rng.randrange(11)
        for k in ("context", "urge", "response"):
            if opt():
                rec[k] = strings(rng)
        for k in ("thoughts", "sensations", "tags"):
            if opt():
                rec[k] = [strings(rng) for _ in range(rng.randrange(4))]
        if opt():
            rec["acted_on_urge"] = rng.random() < 0.5
        if opt():
            rec["acted_after_minutes"] = rng.choice([0, 0.0, 100.0, 12.25, 1.2345678901234568e29, 5, 1.5,
                                                     1.7976931348623157e308])
    elif t == "reading":
        if rng.random() < 0.5:
            del rec["id"]
        rec["intensity"] = rng.randrange(11)
        if opt():
            rec["trigger"] = "t0"
        if opt():
            rec["note"] = strings(rng)
    elif t == "exercise":
        rec["exercise"] = rng.choice(["breathing.4-7-8", "x", "\u00e9" * 40])
        rec["end"] = rec["time"]
        if opt():
            rec["completed"] = rng.random() < 0.5
        for k in ("intensity_before", "intensity_after"):
            if opt():
                rec[k] = rng.randrange(11)
        if opt():
            rec["trigger"] = "t0"
        if opt():
            rec["responses"] = [strings(rng) for _ in range(rng.randrange(3))]
    elif t == "thought_record":
        rec["situation"] = strings(rng)
        rec["automatic_thought"] = strings(rng)
        rec["belief_before"] = rng.randrange(101)
        if opt():
            rec["emotions"] = [{"name": strings(rng), "before": rng.randrange(101)} for _ in range(rng.randrange(3))]
            for e in rec["emotions"]:
                if rng.random() < 0.5:
                    e["after"] = rng.randrange(101)
                if rng.random() < 0.2:
                    e["x_unknown"] = [None, {"deep": [1, 2.5, "s"]}]
        if opt():
            rec["distortions"] = rng.sample(DISTORTIONS, rng.randrange(3))
        for k in ("evidence_for", "evidence_against", "alternatives"):
            if opt():
                rec[k] = [strings(rng) for _ in range(rng.randrange(3))]
        for k in ("friend_advice", "balanced_thought"):
            if opt():
                rec[k] = strings(rng)
        if opt():
            rec["belief_after"] = rng.randrange(101)
        if opt():
            rec["trigger"] = "t0"
    else:
        rec["instrument"] = "gad-7"
        rec["answers"] = [rng.randrange(4) for _ in range(7)]
        if opt():
            rec["note"] = strings(rng)
    if rng.random() < 0.15:  # optional fields given empty: the same as absent
        for k in KNOWN[t]:
            if k in TEXT_FIELDS and k not in REQUIRED[t] and k not in rec:
                rec[k] = ""
            if k in LIST_FIELDS and k not in rec:
                rec[k] = []
    if rng.random() < 0.3:
        rec[rng.choice(["x", "x_" + str(i), "\u00e9", "type_", "Type", "tim", "times", ""])] = rng.choice(
            [None, True, 0, -0.0, 1e400, -1e400, 123456789012345678901234567890, "s", [], {}, [[[[]]]],
             {"type": "trigger", "a": {"b": [None, "\u0000"]}}, "\\u0000", [1, {"a": "\u2028"}]])
    return rec


def _break(rec: dict, rng: random.Random) -> tuple[dict | None, bytes | None]:
    """A copy of rec with one rule broken (a dict), or the bytes of a line that is not one valid object."""
    t = rec["type"]
    r = dict(rec)
    kind = rng.randrange(14)
    if kind == 0:
        k = rng.choice([k for k in REQUIRED[t] if k != "id" or t != "reading"])
        del r[k]
        return r, None
    if kind == 1:
        k = rng.choice([k for k in KNOWN[t] if k != "participant"] + ["type"])
        r[k] = rng.choice([None, True, 3.5, [], {}, -1, "", 1e400])
        return r, None
    if kind == 2:
        k = rng.choice(["time"] + (["end"] if t == "exercise" else []))
        r[k] = rng.choice(BAD_TIMES)
        return r, None
    if kind == 3:
        k = rng.choice([k for k in INT_RANGES if k in KNOWN[t]] or ["time"])
        if k == "time":
            r[k] = 5
        else:
            lo, hi = INT_RANGES[k]
            r[k] = rng.choice([lo - 1, hi + 1, 10**20, -(10**20), 1.0, 3.5, "3", True, 2**63, 2**64, -(2**63) - 1])
        return r, None
    if kind == 4:
        r["type"] = rng.choice(["Reading", "reading ", " trigger", "header", "thought-record", "", "\u0000",
                                "readinG", "triggers", "exercis", "assessment\u0000"])
        return r, None
    if kind == 5 and t == "trigger":
        r[rng.choice(["category", "acted_after_minutes", "acted_on_urge", "thoughts"])] = rng.choice(
            ["Other", "other ", -1, -0.5, 1e400, "5", 1, [1], ["a", 2]])
        return r, None
    if kind == 6 and t == "thought_record":
        r["emotions"] = [{"name": "a", "before": 1}, rng.choice([{"name": "b", "before": 101}, {"name": "b"},
                                                               {"before": 3}, {"name": 1, "before": 3},
                                                               {"name": "c", "before": 3, "after": -1}, "x", None])]
        return r, None
    if kind == 7 and t == "thought_record":
        r["distortions"] = ["labeling", rng.choice(["Labeling", "nope", 3, None])]
        return r, None
    if kind == 8 and t == "assessment":
        r["answers"] = rng.choice([[0] * 6, [0] * 8, [0] * 6 + [4], [0] * 6 + [-1], [0] * 6 + [1.0], [0] * 6 + [None]])
        return r, None
    if kind == 9 and t == "exercise":
        r["end"] = "1400-01-01T00:00:00Z"
        return r, None
    return None, None  # a broken line instead: see broken_line


def broken_line(good: str, rng: random.Random, rec: dict) -> bytes:
    """The good line's text made into something that is not one valid JSON object (the field is ''), or with a
    key given twice (the field is the key)."""
    k = rng.randrange(13)
    b = good.encode()
    if k >= 11:  # a key of the record again, its value good, the key maybe escaped
        key = rng.choice(list(rec))
        return b[:-1] + b"," + enc_str(key, rng, rng.choice(["raw", "mixed"])).encode() + b":" + json.dumps(
            rec[key]).encode() + b"}"
    if k == 0:
        return b[: rng.randrange(1, len(b) - 1)]
    if k == 1:
        return b + rng.choice([b" x", b"{}", b"1", b",", b"\x00", b"]", b" \x00 ", b"\r{}", b"\"\""])
    if k == 2:
        return b"[" + b + b"]"
    if k == 3:  # a raw control character (NUL included) inside a string
        return b[:-1] + b',"x_raw":"a' + rng.choice([b"\x00", b"\x01", b"\x1f", b"\x0b"]) + b'b"}'
    if k == 4:  # a NUL between tokens
        return b[:1] + b"\x00" + b[1:]
    if k == 5:  # a lone surrogate, escaped
        return b[:-1] + b',"x_s":"' + rng.choice([b"\\ud800", b"\\udfff", b"\\udc00\\ud800", b"a\\ud83dz"]) + b'"}'
    if k == 6:  # a bad escape
        return b[:-1] + b',"x_e":"' + rng.choice([b"\\q", b"\\u12", b"\\u12G4", b"\\x41", b"\\'"]) + b'"}'
    if k == 7:
        return b[:-1] + b',"x_n":' + rng.choice([b"01", b"+1", b".5", b"1.", b"1e", b"-", b"NaN", b"Infinity",
                                                  b"0x10", b"1_0", b"tru", b"nul"]) + b"}"
    if k == 8:
        return b[:-1] + b',}'
    if k == 9:
        return b"{" + b"," + b[1:]
    return b[:-1] + b',"x_q":"unterminated}'


SENTINEL = "@@value@@"
BAD_TOKENS = {
    "str": [b'"a\x01b"', b'"\x00"', b'"a\tb"', b'"\x1f"', b'"a\rb"', b'"x', b'"x\\"', b"'x'", b'"\\u00"', b'"\\u12g4"',
            b'"\xff"', b'"a\xc3"', b'"\xed\xa0\x80"', b'"\\ud800"', b'"\x7f\xc2\x80"', b'"\xe2\x80\xa8"', b'""',
            b'"a" "b"', b'"a"b', b"x", b"null", b"1", b"[]"],
    "int": [b"01", b"+1", b"1.", b".5", b"1e", b"-", b"00", b"-01", b"0x1", b"1_0", b"NaN", b"3x", b"--1", b"Infinity",
            b"-0", b"0", b"10", b"1 0", b"1,", b'"1"', b"1.0e0", b"-0e0", b"1E1", b"9" * 25, b"-" + b"9" * 25, b"2e-1"],
    "bool": [b"tru", b"truee", b"t", b"falsee", b"True", b"nul", b"fals", b"true", b"false", b"null", b"0", b'"true"'],
}
FIELD_KINDS = {"participant": "str", "id": "str", "note": "str", "context": "str", "urge": "str",
               "situation": "str", "exercise": "str", "trigger": "str", "time": "str", "end": "str",
               "category": "str", "instrument": "str", "type": "str", "intensity": "int", "intensity_before": "int",
               "belief_before": "int", "belief_after": "int", "completed": "bool", "acted_on_urge": "bool"}


def corrupt_token(rec: dict, rng: random.Random) -> bytes:
    """The record with one known field's value token replaced by raw bytes: a raw control character or a byte
    that is not UTF-8 inside a string, a number JSON does not allow, a misspelled literal, or a token that is
    fine but of the wrong kind. The line is otherwise as the writer spaces it."""
    keys = [k for k in rec if k in FIELD_KINDS]
    k = rng.choice(keys)
    token = rng.choice(BAD_TOKENS[FIELD_KINDS[k]])
    if FIELD_KINDS[k] == "str" and token.startswith(b'"') and token.endswith(b'"') and len(token) > 2 \
            and rng.random() < 0.5 and isinstance(rec[k], str):  # the bad bytes inside the good value
        good = json.dumps(rec[k], ensure_ascii=False).encode()
        cut = rng.randrange(1, len(good))
        token = good[:cut] + token[1:-1] + good[cut:]
    r = dict(rec)
    r[k] = SENTINEL
    return enc(r, rng, "raw", [""]).encode().replace(b'"' + SENTINEL.encode() + b'"', token, 1)


def twice_after(rec: dict, rng: random.Random) -> bytes:
    """`,"key":value` for a key the record has (its key maybe escaped), or an emotion object with a key given
    twice where the record has no emotions (a key the reader checks only in a thought record)."""
    if "emotions" not in rec and rng.random() < 0.4:
        return b',"emotions":[{"name":"a","before":1},' + rng.choice(
            [b'{"name":"b","before":2,"before":3}', b'{"name":"b","name":"c","before":2}',
             b'{"name":"b","before":2,"after":3,"after":101}', b'{"x":[1],"name":"b","x":{},"before":2}']) + b"]"
    key = rng.choice(list(rec))
    return b"," + enc_str(key, rng, rng.choice(["raw", "mixed"])).encode() + b":" + json.dumps(rec[key]).encode()


def make_journal(seed: int, n: int, long_strings: bool = False) -> tuple[bytes, list[tuple[int, object]]]:
    """The bytes, and per line its expectation: ('ok', rec), ('bad', field) or None (blank or header)."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    want: list[tuple[int, object]] = []
    if rng.random() < 0.5:
        lines.append(b'{"type":"header","format":"calmkit-journal","version":1,"generator":"\\u2028\xc3\xa9"}')
        want.append((1, None))
    for p in PEOPLE[1:]:  # the triggers every reference names (None and "" are one participant)
        rec = {"type": "trigger", "id": "t0", "time": "2026-03-02T10:00:00Z", "category": "other", "intensity": 5}
        if p is not None:
            rec["participant"] = p
        lines.append(json.dumps(rec).encode())
        want.append((len(lines), ("ok", rec)))
    for i in range(n):
        rec = good_record(rng, i)
        if long_strings and rng.random() < 0.02:
            key = "note" if rec["type"] in ("reading", "assessment") else "x_long"
            rec[key] = rng.choice(["y", "\u00e9", "\\"]) * rng.choice([65535, 65536, 262143, 262144, 300000])
        mode = rng.choice(["raw", "raw", "ascii", "mixed"])
        ws = rng.choice([[""], [""], ["", " "], ["", " ", "\t", "  \t "]])
        items = list(rec.items())
        if rng.random() < 0.4:
            rng.shuffle(items)
        rec = dict(items)
        bad = rng.random() < 0.3
        broken = None
        if bad:
            broken, _ = _break(rec, rng)
            if broken is None and rng.random() < 0.4:
                line = corrupt_token(rec, rng)
            elif broken is None:
                line = broken_line(enc(rec, rng, mode, ws), rng, rec)
            else:
                line = enc(broken, rng, mode, ws).encode()
                if rng.random() < 0.3:  # and a key given twice after it: the line's problem, whatever the rule
                    line = line[:-1] + twice_after(broken, rng) + b"}"
        else:
            line = enc(rec, rng, mode, ws).encode()
        if rng.random() < 0.1:
            line = rng.choice([b" ", b"\t", b"\r", b" \t "]) + line
        if rng.random() < 0.1:
            line = line + rng.choice([b" ", b"\t", b"\r", b" \t "])
        if bad and broken is None and rng.random() < 0.1:  # bad UTF-8 inside a string: names its field
            line = enc(rec, rng, mode, ws).encode()[:-1] + b',"x_u":"a' + rng.choice(
                [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]) + b'b"}'
        try:
            got = judge(line, first=False)
        except Bad as e:
            got = ("bad", e.field)
        if not bad:
            assert got is not None and got[0] == "ok" and norm(got[1]) == norm(rec), (line, got)
        lines.append(line)
        want.append((len(lines), got))
        if rng.random() < 0.03:
            lines.append(rng.choice([b"", b" ", b"\t", b"\r", b" \r"]))
            want.append((len(lines), None))
    ends = [rng.choice([b"\n", b"\n", b"\r\n"]) for _ in lines]
    data = b"".join(x + e for x, e in zip(lines, ends))
    if seed % 2:  # no line end after the last line
        data = data.rstrip(b"\r\n")
    return data, want


def expected(per_line: list[tuple[int, object]], lenient: bool) -> tuple:
    """Each line's verdict with the rules across lines on top: ids unique per (participant, type) (the second
    use refused), then references to a kept trigger of the same participant (skipped lines cascade); a strict
    read stops at the first line problem, else at the earliest broken reference."""
    skipped: dict[int, object] = {}
    first_problem = None
    kept: list[tuple[int, dict]] = []
    seen: set[tuple] = set()
    for line, w in per_line:
        if w is None:
            continue
        if w[0] == "bad":
            skipped[line] = w[1]
            first_problem = first_problem or (line, w[1])
            continue
        rec = w[1]
        if "id" in rec:
            k = (rec.get("participant") or "", rec["type"], rec["id"])
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
        if rec["type"] != "trigger" and "trigger" in rec and (rec.get("participant") or "",
                                                               rec["trigger"]) not in triggers:
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


def outcome(f: Path, lenient: bool, threads: int, chunk: int) -> tuple:
    try:
        res = calmkit.read_journal_with_report(f, lenient=lenient, threads=threads, chunk_bytes=chunk)
    except calmkit.JournalFormatError as e:
        return ("error", e.line, e.field)
    by_type: dict[str, list[dict]] = {}
    for text in calmkit.to_jsonl(res.journal, header=False).split("\n"):
        if text:
            rec = json.loads(text)
            by_type.setdefault(rec["type"], []).append(norm(rec))
    return ("ok", by_type, [(s.line, s.field) for s in res.report.skipped])


def same(got: tuple, want: tuple) -> bool:
    """got == want, where the reference's ANY field matches any field."""
    if got[0] != want[0]:
        return False
    if got[0] == "error":
        return got[1] == want[1] and (want[2] is ANY or got[2] == want[2])
    return got[1] == want[1] and len(got[2]) == len(want[2]) and all(
        g[0] == w[0] and (w[1] is ANY or g[1] == w[1]) for g, w in zip(got[2], want[2]))


def explain(got: tuple, want: tuple) -> str:
    if got[0] != want[0] or got[0] == "error":
        return f"got {got}, want {want}"
    for t in sorted(set(got[1]) | set(want[1])):
        g, w = got[1].get(t, []), want[1].get(t, [])
        for a, b in zip(g, w):
            if a != b:
                return f"{t}: got {a!r}, want {b!r}"
        if len(g) != len(w):
            return f"{t}: got {len(g)} records, want {len(w)}"
    diff = [(g, w) for g, w in zip(got[2], want[2]) if g[0] != w[0] or (w[1] is not ANY and g[1] != w[1])]
    return f"skipped: first differences {diff[:3]}, {len(got[2])} vs {len(want[2])}"


CUTS = [(1, 1 << 30), (1, 1), (2, 1), (2, 97), (3, 1000), (4, 1 << 12), (4, 1 << 20)]


@pytest.mark.parametrize("seed", range(20))
def test_each_line_is_judged_as_the_reference_judges_it(seed: int, tmp_path: Path) -> None:
    data, want = make_journal(seed, 600)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    for lenient in (True, False):
        exp = expected(want, lenient)
        for threads, chunk in CUTS:
            got = outcome(f, lenient, threads, chunk)
            assert same(got, exp), (lenient, threads, chunk, explain(got, exp))


@pytest.mark.parametrize("seed", [100, 101])
def test_strings_past_the_piece_size(seed: int, tmp_path: Path) -> None:
    """Texts of 64 KiB and 256 KiB (the piece the reader parses at once) and around them."""
    data, want = make_journal(seed, 150, long_strings=True)
    f = tmp_path / "j.jsonl"
    f.write_bytes(data)
    exp = expected(want, True)
    for threads, chunk in [(1, 1 << 30), (2, 1), (4, 1 << 16)]:
        got = outcome(f, True, threads, chunk)
        assert same(got, exp), (threads, chunk, explain(got, exp))


@pytest.mark.parametrize("seed", range(3))
def test_parse_journal_judges_the_same_text_alike(seed: int) -> None:
    """The same journal given as text (lines of bad UTF-8 left out: text cannot hold them)."""
    data, want = make_journal(seed + 200, 300)
    text_lines, kept_want = [], []
    for raw, (line, w) in zip(data.split(b"\n"), want):
        try:
            text_lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            text_lines.append("")
            w = None
        kept_want.append((line, w))
    text = "\n".join(text_lines)
    exp = expected(kept_want, True)
    for threads in (1, 2, 4):
        res = calmkit.parse_journal_with_report(text, lenient=True, name="j", threads=threads)
        by_type: dict[str, list[dict]] = {}
        for t in calmkit.to_jsonl(res.journal, header=False).split("\n"):
            if t:
                rec = json.loads(t)
                by_type.setdefault(rec["type"], []).append(norm(rec))
        got = ("ok", by_type, [(s.line, s.field) for s in res.report.skipped])
        assert same(got, exp), (threads, explain(got, exp))
