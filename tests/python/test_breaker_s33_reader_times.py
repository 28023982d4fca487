"""Times at the edges of RFC 3339 and of the journal format, each alone and
spread over the shares of a parallel read: the same verdict (kept as which
instant and offset, or refused with which reason) on one thread and on 2, 3
and 7, with small shares. Python's datetime is the reference for the
instants that are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import calmkit

KEPT = {
    "2024-02-29T10:00:00Z": "2024-02-29T10:00:00Z",
    "2026-03-02t10:00:00z": "2026-03-02T10:00:00Z",  # RFC 3339 5.6: 'T' and 'Z' may be lower case
    "2026-03-02 10:00:00Z": "2026-03-02T10:00:00Z",  # RFC 3339 5.6 NOTE: a space for 'T'
    "2026-03-02T10:00:00-00:00": "2026-03-02T10:00:00Z",
    "2026-03-02T10:00:00.000000000000000000000000000001Z": "2026-03-02T10:00:00Z",
    "2026-03-02T10:00:00.9999999Z": "2026-03-02T10:00:00.999999Z",  # digits past the microsecond dropped
    "2026-03-02T23:59:59.9999999+00:00": "2026-03-02T23:59:59.999999Z",
    "1969-12-31T23:59:59.5Z": "1969-12-31T23:59:59.5Z",
    "9999-12-31T23:59:59+23:59": "9999-12-31T23:59:59+23:59",
    "1400-01-01T00:00:00-23:59": "1400-01-01T00:00:00-23:59",
}

REFUSED = [
    "2026-02-29T10:00:00Z", "2026-03-02T24:00:00Z", "2026-12-31T23:59:60Z", "2026-03-02T10:00:00+24:00",
    "2026-03-02T10:00:00.Z", "2026-03-02T10:00:00+01:60", "2026-03-02T10:00Z", "2026-03-02T10:00:00+0100",
    "2026-03-02T10:00:00+01", "20260302T100000Z", "2026-03-02T10:00:00,5Z",
    "\uff12\uff10\uff12\uff16-03-02T10:00:00Z", "0000-01-01T00:00:00Z", "-2026-03-02T10:00:00Z",
    "+2026-03-02T10:00:00Z", "2026-3-2T10:00:00Z", "2026-03-02T10:00:00 Z", "2026-03-02T10:00:00Z ",
    "2026-03-02T10:00:00+01:00:00", "2026-03-02T10:00:00", "", "2026-04-31T10:00:00Z",
]


def _line(i: int, t: str) -> str:
    return json.dumps({"type": "trigger", "participant": f"p{i % 3}", "id": f"t{i}", "time": t,
                       "category": "other", "intensity": 5}, ensure_ascii=False)


@pytest.mark.parametrize("text, shown", sorted(KEPT.items()))
def test_a_kept_time_is_its_instant_and_offset(text: str, shown: str) -> None:
    journal = calmkit.parse_journal(_line(0, text))
    got = calmkit.to_jsonl(journal, header=False)
    assert json.loads(got)["time"] == shown
    norm = text.replace(" ", "T").upper().replace("Z", "+00:00")
    head, _, rest = norm.partition(".")
    if rest:  # Python takes 6 fraction digits at most: cut as the reader does
        digits = "".join(c for c in rest.split("+")[0].split("-")[0])
        norm = head + "." + (digits[:6] or "0") + rest[len(digits):]
    want = dt.datetime.fromisoformat(norm)
    assert journal.triggers[0].time.timestamp() == pytest.approx(want.timestamp(), abs=1e-6)


@pytest.mark.parametrize("text", REFUSED)
def test_a_refused_time_names_the_time_field(text: str) -> None:
    with pytest.raises(calmkit.JournalFormatError) as e:
        calmkit.parse_journal(_line(0, text))
    assert (e.value.line, e.value.field) == (1, "time")


def test_every_edge_time_gets_the_same_verdict_on_any_threads(tmp_path: Path) -> None:
    times = sorted(KEPT) + REFUSED
    lines = []
    for k in range(600):  # each edge time several times, in different shares
        lines.append(_line(k, times[k % len(times)] if k % 7 == 3 else "2026-03-02T10:00:00+01:00"))
    path = tmp_path / "j.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    for threads in (1, 2, 3, 7):
        for chunk in (1024, 1500):
            res = calmkit.read_journal_with_report(path, lenient=True, threads=threads, chunk_bytes=chunk)
            runs.append((calmkit.to_jsonl(res.journal), [(s.line, s.field, s.reason) for s in res.report.skipped]))
    assert all(r == runs[0] for r in runs)
    skipped = runs[0][1]
    assert {line for line, _, _ in skipped} == {k + 1 for k in range(600)
                                               if k % 7 == 3 and times[k % len(times)] in REFUSED}
    assert {field for _, field, _ in skipped} == {"time"}
