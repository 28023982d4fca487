"""The time parser against an independent reference, over a generated corpus.

calmkit reads an RFC 3339 time word by word for the shapes journals carry and
byte by byte for the rest (include/calmkit/time.hpp); tests/cpp/test_time_fast.cpp
holds the two paths against each other. This test holds the whole parser
against a reference written apart from it: the grammar as a regular expression
(`YYYY-MM-DD`, `T`/`t`/space, `hh:mm:ss`, an optional fraction of any number of
digits, then `Z`/`z` or `+hh:mm`/`-hh:mm`), the calendar, the clock and the
offset's value from Python's `datetime` (fraction digits past the sixth
dropped, as calmkit's documentation says), and the ranges the documentation
gives: years 1400..9999, no leap second, offsets up to 23:59.

The corpus: every day of the years around the 400-year cycle's turns and the
range's ends, every month's last day and the day after it, 29 February of leap,
common and century years, random valid times of every shape, and mutations of
a few times: each byte replaced by digits, signs, colons, letters, NUL and
non-ASCII characters, every truncation, and text added at either end.

Each text goes through `_core._time_reason` (the reader's rule: None when
accepted) and, when accepted, `Reading(time=...)`, whose time must be the
reference's instant with the reference's offset; a journal of all accepted
texts read by `read_journal` must give the same times.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re

import calmkit
from calmkit import _core

_GRAMMAR = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<frac>[0-9]+))?(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})")


def reference(text: str) -> dt.datetime | None:
    """The instant `text` names with its offset, or None when it is no time."""
    m = _GRAMMAR.fullmatch(text)
    if m is None:
        return None
    year, month, day = (int(x) for x in m["date"].split("-"))
    hour, minute, second = (int(x) for x in m["time"].split(":"))
    if not 1400 <= year <= 9999 or hour > 23 or minute > 59 or second > 59:
        return None
    zone = m["zone"]
    if zone in "Zz":
        offset = dt.timedelta(0)
    else:
        oh, om = int(zone[1:3]), int(zone[4:6])
        if oh > 23 or om > 59:
            return None
        offset = (-1 if zone[0] == "-" else 1) * dt.timedelta(hours=oh, minutes=om)
    micro = int((m["frac"] or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=dt.timezone(offset))
    except ValueError:  # no such day (or month)
        return None


def corpus() -> list[str]:
    texts: list[str] = []
    shapes = ["T00:00:00Z", "T23:59:59.999999+23:59", "T12:30:45.123-05:30", "T01:02:03+00:00"]

    def day_texts(d: dt.date, tail: str) -> str:
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}{tail}"

    # Every day of the years around each 400-year turn and the range's ends.
    for first, last in [(1400, 1401), (1599, 1601), (1699, 1701), (1999, 2001), (2099, 2101),
                        (2399, 2401), (9998, 9999)]:
        for n in range(dt.date(first, 1, 1).toordinal(), dt.date(last, 12, 31).toordinal() + 1):
            texts.append(day_texts(dt.date.fromordinal(n), shapes[n % len(shapes)]))
    # Every month's last day and the day after it, and 29 February, every 7th year.
    for year in range(1400, 10000, 7):
        for month in range(1, 13):
            last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
            texts.append(f"{year:04d}-{month:02d}-{last:02d}T08:15:00+02:00")
            texts.append(f"{year:04d}-{month:02d}-{last + 1:02d}T08:15:00.5Z")
    for year in (1600, 1700, 1800, 1900, 2000, 2023, 2024, 2100, 2400, 9996, 9999):
        texts.append(f"{year:04d}-02-29T10:00:00Z")
        texts.append(f"{year:04d}-02-28T10:00:00.000001-00:01")
    # Random times, valid and with every field out of range now and then.
    rng = random.Random(1130)
    for _ in range(20_000):
        fields = (rng.randrange(1300, 10000), rng.randrange(0, 14), rng.randrange(0, 33),
                  rng.randrange(0, 25), rng.randrange(0, 61), rng.randrange(0, 61))
        text = "%04d-%02d-%02d%s%02d:%02d:%02d" % (fields[:3] + (rng.choice("TTTTt "),) + fields[3:])
        digits = rng.choice([0, 0, 0, 3, 3, 6, 1, 2, 4, 5, 7, 9])
        if digits:
            text += "." + "".join(rng.choice("0123456789") for _ in range(digits))
        zone = rng.random()
        if zone < 0.3:
            text += rng.choice("ZZZz")
        else:
            text += "%s%02d:%02d" % (rng.choice("+-"), rng.randrange(0, 25), rng.randrange(0, 61))
        texts.append(text)
    # Mutations of a few times.
    seeds = ["2026-03-01T08:15:00+02:00", "2026-03-01T08:15:00Z", "2026-04-11T14:39:22.958-05:30",
             "2024-02-29T23:59:59.123456+23:59", "2026-03-02t10:00:00.5z"]
    replacements = list("0123456789+-:.TtZz /") + ["\x00", "\x7f", "\x80", "é", "٣", "\u2212"]
    for seed in seeds:
        for i in range(len(seed)):
            for r in replacements:
                texts.append(seed[:i] + r + seed[i + 1:])
        for k in range(len(seed) + 1):
            texts.append(seed[:k])
            texts.append(seed[:k] + seed[k + 1:])
        for extra in ["Z", "0", " ", "\x00", "+01:00", ".5"]:
            texts.append(seed + extra)
            texts.append(extra + seed)
    return texts


def test_the_parser_agrees_with_the_reference_on_every_text(tmp_path):
    texts = corpus()
    accepted: list[tuple[str, dt.datetime]] = []
    wrong: list[str] = []
    for text in texts:
        ref = reference(text)
        reason = _core._time_reason(text)
        if (reason is None) != (ref is not None):
            wrong.append(f"{text!r}: calmkit {'accepts' if reason is None else reason}, reference "
                         f"{'accepts' if ref is not None else 'refuses'}")
            continue
        if ref is None:
            continue
        got = calmkit.Reading(time=text, intensity=0).time
        if got != ref or got.utcoffset() != ref.utcoffset():
            wrong.append(f"{text!r}: calmkit {got.isoformat()}, reference {ref.isoformat()}")
        accepted.append((text, ref))
    assert wrong == [], f"{len(wrong)} of {len(texts)} texts read differently, the first: {wrong[:5]}"
    assert len(accepted) > 20_000 and len(texts) - len(accepted) > 10_000  # both kinds, in numbers

    # The reader takes the same texts as the same times.
    path = tmp_path / "times.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"type": "header", "format": "calmkit-journal", "version": 1}) + "\n")
        for i, (text, _) in enumerate(accepted):
            f.write(json.dumps({"type": "reading", "id": f"r{i}", "time": text, "intensity": 0}) + "\n")
    journal = calmkit.read_journal(path)
    by_id = {r.id: r.time for r in journal.readings}
    for i, (text, ref) in enumerate(accepted):
        got = by_id[f"r{i}"]
        assert got == ref and got.utcoffset() == ref.utcoffset(), text
