"""A lenient read against an independent model.

Random cohorts (the journal model of test_breaker_journal_model: interleaved
participants, times out of order, links forward in the file) get bad lines
injected: broken JSON, values the format refuses, unknown record types,
duplicate ids (before and after the first use), references to triggers that
never come or whose own line is bad, NUL bytes, and hostile layout (blank and
whitespace lines, CRLF, a byte-order mark, a huge line, a truncated last
line). The model decides from the text alone, in plain Python with ``json``
and ``datetime``, which lines a lenient read must skip, with which line
number and field, and which records it keeps; calmkit's lenient read, at any
thread count and window size, must give exactly that. Each skipped line's
message is the one a strict read throws for that line when it is the only bad
line, and the journal kept is the one a strict read of the file with the
skipped lines blanked gives.
"""

from __future__ import annotations

import json
import random
import warnings

import pytest
from test_breaker_journal_model import Model, assert_journal_is, model_of

import calmkit

READS = [(1, 1 << 20), (2, 1024), (3, 1), (8, 4096)]  # (threads, chunk_bytes)


def quote(s: str) -> str:
    return "'" + s + "'"


class Injected:
    """A model cohort's lines with bad lines put in, each with the field the format blames (None: the line
    as a whole is not a record the model can name a field of)."""

    def __init__(self, seed: int, n: int = 300):
        m = Model(seed, n=n)
        rng = random.Random(seed + 7000)
        self.rng = rng
        rows = [json.loads(line) for line in m.lines]
        # (text, expected field or None when the model cannot say; "" for good lines)
        entries: list[tuple[str, str | None]] = [(line, "") for line in m.lines]

        def put(text: str, field: str | None) -> None:
            entries.insert(rng.randrange(len(entries) + 1), (text, field))

        triggers = [r for r in rows if r["type"] == "trigger"]
        with_id = [r for r in rows if r.get("id")]
        for k in range(rng.randint(4, 10)):
            kind = rng.randrange(9)
            if kind == 0:  # broken JSON: the line cut short
                good = rng.choice(m.lines)
                put(good[: rng.randrange(1, len(good) - 1)], None)
            elif kind == 1 and triggers:  # an intensity the format refuses
                t = dict(rng.choice(triggers), id=f"bad{k}", intensity=11)
                put(json.dumps(t), "intensity")
                # ... and a reading that refers to it: its trigger never becomes a record.
                put(json.dumps({"type": "reading", "participant": t.get("participant", ""),
                                "time": "2026-03-02T10:00:00Z", "intensity": 3, "trigger": f"bad{k}"}), "trigger")
            elif kind == 2:  # a record type the format does not have
                put(json.dumps({"type": "mood", "time": "2026-03-02T10:00:00Z"}), "type")
            elif kind == 3:  # a time that is no time
                put(json.dumps({"type": "reading", "time": "2026-13-01T00:00:00Z", "intensity": 2}), "time")
            elif kind == 4 and with_id:  # an id used again (before or after its first use)
                r = dict(rng.choice(with_id))
                put(json.dumps(r), None)  # which of the two is skipped: decided in line order below
            elif kind == 5:  # a reference to a trigger that never comes
                put(json.dumps({"type": "exercise", "participant": rng.choice(rows).get("participant", ""),
                                "id": f"x{k}", "time": "2026-03-02T10:00:00Z", "end": "2026-03-02T10:05:00Z",
                                "exercise": "breathing.4-7-8", "trigger": f"never{k}"}), "trigger")
            elif kind == 6:  # a NUL byte inside a line
                good = rng.choice(m.lines)
                cut = rng.randrange(1, len(good) - 1)
                put(good[:cut] + "\x00" + good[cut:], None)
            elif kind == 7:  # a required field missing
                put(json.dumps({"type": "trigger", "id": f"nocat{k}", "time": "2026-03-02T10:00:00Z",
                                "intensity": 4}), "category")
            else:  # blank and whitespace-only lines are no records and no errors
                put(rng.choice(["", "   ", "\t"]), "")
        self.entries = entries

    def text(self, *, crlf: bool = False, bom: bool = False, final_newline: bool = True) -> str:
        eol = "\r\n" if crlf else "\n"
        body = eol.join(t for t, _ in self.entries) + (eol if final_newline else "")
        return ("\ufeff" if bom else "") + body


def expected(entries: list[tuple[str, str | None]]) -> tuple[list[dict], dict[int, str | None]]:
    """The records a lenient read keeps and the lines it skips ({line: field or None}), decided in plain
    Python: a line is skipped when it is bad on its own, when its id is one a kept record of the same
    participant and type used on an earlier line, or when it refers to a trigger no kept record is."""
    skipped: dict[int, str | None] = {}
    kept: list[dict] = []
    ids: set[tuple[str, str, str]] = set()
    for no, (text, field) in enumerate(entries, start=1):
        if field not in ("", None, "trigger"):  # bad on its own ("trigger": decided at the end)
            skipped[no] = field
            continue
        if not text.strip():
            continue
        try:
            d = json.loads(text)  # refuses a NUL byte, inside a string or out
        except json.JSONDecodeError:
            skipped[no] = None
            continue
        key = (d["type"], d.get("participant", ""), d.get("id", ""))
        if key[2] and key in ids:
            skipped[no] = "id"
            continue
        if key[2]:
            ids.add(key)
        kept.append(d | {"_no": no})
    triggers = {(d.get("participant", ""), d["id"]) for d in kept if d["type"] == "trigger"}
    out = []
    for d in kept:
        if d["type"] != "trigger" and d.get("trigger") and (d.get("participant", ""), d["trigger"]) not in triggers:
            skipped[d["_no"]] = "trigger"
        else:
            out.append(d)
    return out, dict(sorted(skipped.items()))


def kept_model(kept: list[dict], text_lines: list[str]) -> list[dict]:
    """The model's parsed form (json + datetime) of the kept lines, in file order."""
    return model_of("\n".join(text_lines[d["_no"] - 1] for d in kept) + "\n")


def check_lenient(tmp_path, inj: Injected, text: str, *, reads=READS) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(text.encode("utf-8"))
    lines = [t for t, _ in inj.entries]
    kept, skipped = expected(inj.entries)
    model = kept_model(kept, lines)
    first = None
    for threads, chunk in reads:
        journal, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk)
        assert [s.line for s in report.skipped] == list(skipped), (threads, chunk)
        for s in report.skipped:
            want = skipped[s.line]
            if want is not None:
                assert s.field == want, (s.line, s.message)
            assert s.message.startswith(f"{path}:{s.line}: "), s.message
        assert report.records == len(model)
        assert_journal_is(journal, model)
        got = (calmkit.to_jsonl(journal), [(s.line, s.field, s.reason, s.message) for s in report.skipped],
               report.lines, report.records)
        assert first is None or got == first, (threads, chunk)
        first = got
    # The journal is the one a strict read of the text with the skipped lines blanked gives.
    eol = "\r\n" if "\r\n" in text else "\n"
    blanked = [("" if no in skipped else t) for no, t in enumerate(lines, start=1)]
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(eol.join(blanked).encode("utf-8") + eol.encode())
    strict = calmkit.read_journal(clean)
    assert strict == journal
    # ... down to its dictionaries: no name of a skipped record, in the order of first use (the links are
    # compared above: a record names its trigger through its link row).
    mine, theirs = calmkit.cohort(journal), calmkit.cohort(strict)
    assert list(mine.participants) == list(theirs.participants)
    assert list(mine.exercise_names) == list(theirs.exercise_names)
    # Each message is the one a strict read throws when that line is the only bad one.
    for s in report.skipped:
        only = [(t if no == s.line or no not in skipped else "") for no, t in enumerate(lines, start=1)]
        one = tmp_path / "one.jsonl"
        one.write_bytes(eol.join(only).encode("utf-8") + eol.encode())
        with pytest.raises(calmkit.JournalFormatError) as err:
            calmkit.read_journal(one)
        assert err.value.line == s.line
        assert str(err.value).replace(str(one), str(path)) == s.message


@pytest.mark.parametrize("seed", range(8))
def test_lenient_read_matches_the_model(seed, tmp_path):
    inj = Injected(seed)
    check_lenient(tmp_path, inj, inj.text())


@pytest.mark.parametrize("seed", range(3))
def test_lenient_read_with_crlf_and_a_byte_order_mark(seed, tmp_path):
    inj = Injected(100 + seed)
    check_lenient(tmp_path, inj, inj.text(crlf=True, bom=True), reads=READS[:2])


def test_a_truncated_last_line_is_skipped_and_an_unterminated_good_one_kept(tmp_path):
    inj = Injected(200)
    good = inj.entries[-1][0]
    inj.entries.append((good[: len(good) // 2], None))  # a writer that died mid-line
    check_lenient(tmp_path, inj, inj.text(final_newline=False), reads=READS[:3])
    inj.entries[-1] = ('{"type": "reading", "time": "2026-03-02T10:00:00Z", "intensity": 1}', "")
    check_lenient(tmp_path, inj, inj.text(final_newline=False), reads=READS[:3])


def test_a_huge_line_is_read_and_one_over_the_limit_ends_the_read(tmp_path):
    inj = Injected(300, n=60)
    note = "x" * (3 << 20)
    inj.entries.insert(5, (json.dumps({"type": "reading", "time": "2026-03-02T10:00:00Z", "intensity": 1,
                                       "note": note}), ""))
    check_lenient(tmp_path, inj, inj.text(), reads=[(1, 1 << 20), (2, 4096)])
    # Longer than max_line_bytes: refused even in lenient mode, at that line.
    path = tmp_path / "huge.jsonl"
    path.write_text(inj.text(), encoding="utf-8")
    with pytest.raises(calmkit.JournalFormatError) as err:
        calmkit.read_journal(path, lenient=True, max_line_bytes=1 << 20)
    assert err.value.line == 6


def test_the_warning_counts_every_skipped_line_and_shows_a_few(tmp_path):
    inj = Injected(400)
    for k in range(40):
        inj.entries.insert(3 * k, (json.dumps({"type": "reading", "time": "x", "intensity": 1}), "time"))
    path = tmp_path / "j.jsonl"
    path.write_text(inj.text(), encoding="utf-8")
    _, skipped = expected(inj.entries)
    _, report = calmkit.read_journal_with_report(path, lenient=True)
    assert len(report.skipped) == len(skipped) > 40
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calmkit.read_journal(path, lenient=True)
    assert len(caught) == 1
    text = str(caught[0].message)
    assert f"skipped {len(skipped)} bad lines" in text
    shown = [s for s in report.skipped if s.message in text]
    assert 0 < len(shown) < 20  # a few, not every one
    assert "more; read_journal_with_report(path, lenient=True) lists every skipped line" in text


def test_names_only_skipped_records_used_leave_the_dictionaries(tmp_path):
    # A participant, exercises and an instrument named only by records a lenient read leaves out once the
    # whole file is known (a reference to a trigger that never comes, an id used again), first in the file.
    lines = [
        {"type": "exercise", "participant": "ghost", "id": "e1", "time": "2026-03-02T10:00:00Z",
         "end": "2026-03-02T10:05:00Z", "exercise": "custom.never", "trigger": "nope"},
        {"type": "exercise", "participant": "p", "id": "e2", "time": "2026-03-02T10:00:00Z",
         "end": "2026-03-02T10:05:00Z", "exercise": "custom.walk"},
        {"type": "exercise", "participant": "p", "id": "e2", "time": "2026-03-02T11:00:00Z",
         "end": "2026-03-02T11:05:00Z", "exercise": "custom.again"},
        {"type": "assessment", "participant": "p", "id": "a1", "time": "2026-03-02T10:00:00Z",
         "instrument": "gad-7", "answers": [0, 1, 2, 3, 0, 1, 2]},
        {"type": "assessment", "participant": "p", "id": "a1", "time": "2026-03-03T10:00:00Z",
         "instrument": "attachment-checkin", "answers": [1] * 28},
        {"type": "exercise", "participant": "p", "id": "e3", "time": "2026-03-02T12:00:00Z",
         "end": "2026-03-02T12:05:00Z", "exercise": "breathing.4-7-8"},
    ]
    path = tmp_path / "j.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    for threads, chunk in READS:
        journal, report = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk)
        assert [(s.line, s.field) for s in report.skipped] == [(1, "trigger"), (3, "id"), (5, "id")]
        cohort = calmkit.cohort(journal)
        assert list(cohort.participants) == ["p"]
        assert list(cohort.exercise_names) == ["custom.walk", "breathing.4-7-8"]
        assert [a.instrument for a in journal.assessments] == ["gad-7"]
        assert journal.participants() == ["p"]
