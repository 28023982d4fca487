"""Writes a cohort journal the way another program would: records of many
participants interleaved and not sorted by time (as a merge of exports from
many devices gives), in the calmkit journal format v1 (JSON Lines).

Not calmkit's generator (`calmkit.synthetic_journal`) and no calmkit import:
plain NumPy and string formatting, so the file tests the reader on input it
did not write. Seeded; the defaults give 2,500 participants and about
1.65 million lines (about 270 MB):

- each participant journals over 91 days from Monday 2026-03-02 with a fixed
  UTC offset drawn from {-05:00, -04:00, Z, +01:00, +02:00, +05:30}; times are
  written in that local time with the offset, a third of them with
  milliseconds, and UTC records as `Z`;
- 120 triggers each (onset intensity 4-10, a uniform category, a context
  sentence; half with an urge, whether it was acted on and after how many
  minutes; a third with thoughts, sensations and tags);
- 4 readings per trigger at 0-900 minutes after the onset, intensity decaying
  with the delay plus noise; 70 % name their trigger, the rest are unlinked;
- an exercise session for one trigger in three (5-20 minutes, rated before
  and after), and a thought record for one trigger in ten;
- some writers add a field calmkit does not know (`"device"`), which readers
  must ignore; field order differs between record kinds as it would between
  apps;
- finally every line is shuffled (seeded): participants interleave and time
  order is lost. Line 1 is the format header.

    python3 benchmarks/user_path/make_interleaved.py /tmp/calmkit-bench/interleaved.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

START_UTC_S = 1_772_409_600  # 2026-03-02T00:00:00Z, a Monday
CATEGORIES = ["delayed_reply", "mixed_signals", "partner_distance", "routine_change", "conflict", "partner_stress",
              "lack_of_clarity", "plans_cancelled", "being_alone", "social_comparison", "family_gathering",
              "health_concern", "financial_stress", "major_decision", "physical_sensation", "negative_self_talk",
              "perfectionism", "other"]
CONTEXTS = ["Sent a message at lunch, no answer yet", "They said 'fine' and nothing else",
            "Weekend plans changed at the last minute", "Scrolling photos of friends' trips",
            "Argument about chores before work", "Partner is away on a work trip",
            "Waiting for test results", "Saw them online but not replying"]
URGES = ["check phone", "send another text", "call them", "ask a friend what it means", "look at their profile"]
RESPONSES = ["did the 4-7-8 breathing", "went for a walk", "wrote it down", "waited and read a book"]
EXERCISES = ["breathing.4-7-8", "breathing.box", "grounding.5-4-3-2-1", "self-compassion.letter", "custom.walk"]
OFFSETS = [-300, -240, 0, 60, 120, 330]
DISTORTIONS = ["mind_reading", "fortune_telling", "catastrophizing", "personalization", "all_or_nothing"]


def rfc3339(utc_s: np.ndarray, offset_minutes: np.ndarray, millis: np.ndarray) -> list[str]:
    """Local wall time with its offset: ``2026-03-02T21:14:00+01:00`` (``Z`` for UTC)."""
    local = (utc_s + offset_minutes.astype(np.int64) * 60).astype("datetime64[s]")
    text = np.datetime_as_string(local, unit="s")
    out = []
    for t, off, ms in zip(text.tolist(), offset_minutes.tolist(), millis.tolist()):
        if ms >= 0:
            t = f"{t}.{ms:03d}"
        if off == 0:
            out.append(t + "Z")
        else:
            sign = "+" if off > 0 else "-"
            out.append(f"{t}{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}")
    return out


def make(path: Path, participants: int, triggers: int, readings: int, days: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    n_t = participants * triggers
    names = [f"u{rng.integers(16**7, 16**8):08x}" for _ in range(participants)]
    t_p = np.repeat(np.arange(participants), triggers)
    p_off = np.array(OFFSETS, dtype=np.int64)[rng.integers(0, len(OFFSETS), participants)]
    t_s = START_UTC_S + rng.integers(0, days * 86_400, n_t)
    t_x = rng.integers(4, 11, n_t)
    t_ms = np.where(rng.random(n_t) < 1 / 3, rng.integers(0, 1000, n_t), -1)
    t_time = rfc3339(t_s, p_off[t_p], t_ms)
    cat = rng.integers(0, len(CATEGORIES), n_t)
    ctx = rng.integers(0, len(CONTEXTS), n_t)
    has_urge = rng.random(n_t) < 0.5
    acted = rng.random(n_t) < 0.4
    after = np.round(rng.exponential(20.0, n_t), 1)
    rich = rng.random(n_t) < 1 / 3
    device = rng.random(n_t) < 0.25
    lines: list[str] = []
    for i in range(n_t):
        p = names[t_p[i]]
        rec = (f'{{"type":"trigger","participant":"{p}","id":"t{i}","time":"{t_time[i]}",'
               f'"category":"{CATEGORIES[cat[i]]}","intensity":{t_x[i]},"context":"{CONTEXTS[ctx[i]]}"')
        if has_urge[i]:
            rec += f',"urge":"{URGES[i % len(URGES)]}","acted_on_urge":{"true" if acted[i] else "false"}'
            if acted[i]:
                rec += f',"acted_after_minutes":{after[i]:.1f}'
            else:
                rec += f',"response":"{RESPONSES[i % len(RESPONSES)]}"'
        if rich[i]:
            rec += ',"thoughts":["they are losing interest","I said something wrong"],' \
                   '"sensations":["tight chest"],"tags":["evening"]'
        if device[i]:
            rec += ',"device":"phone-a"'
        lines.append(rec + "}")

    n_r = n_t * readings
    src = np.repeat(np.arange(n_t), readings)
    delay = rng.integers(0, 901, n_r)
    r_s = t_s[src] + delay * 60
    r_x = np.clip(t_x[src] - (delay // 60 + rng.integers(-2, 3, n_r)), 0, 10)
    linked = rng.random(n_r) < 0.7
    r_ms = np.where(rng.random(n_r) < 1 / 3, rng.integers(0, 1000, n_r), -1)
    r_time = rfc3339(r_s, p_off[t_p[src]], r_ms)
    for j in range(n_r):
        i = src[j]
        link = f',"trigger":"t{i}"' if linked[j] else ""
        lines.append(f'{{"type":"reading","time":"{r_time[j]}","participant":"{names[t_p[i]]}",'
                     f'"intensity":{r_x[j]}{link}}}')

    ex = np.flatnonzero(rng.random(n_t) < 1 / 3)
    e_start = t_s[ex] + rng.integers(1, 120, len(ex)) * 60
    e_end = e_start + rng.integers(5, 21, len(ex)) * 60
    e_before = np.clip(t_x[ex] - rng.integers(0, 3, len(ex)), 0, 10)
    e_after = np.clip(e_before - rng.integers(0, 5, len(ex)), 0, 10)
    zero = np.full(len(ex), -1)
    s_text = rfc3339(e_start, p_off[t_p[ex]], zero)
    e_text = rfc3339(e_end, p_off[t_p[ex]], zero)
    for k, i in enumerate(ex.tolist()):
        lines.append(f'{{"participant":"{names[t_p[i]]}","type":"exercise","id":"e{i}","time":"{s_text[k]}",'
                     f'"end":"{e_text[k]}","exercise":"{EXERCISES[i % len(EXERCISES)]}","completed":true,'
                     f'"intensity_before":{e_before[k]},"intensity_after":{e_after[k]},"trigger":"t{i}"}}')

    tr = np.flatnonzero(rng.random(n_t) < 0.1)
    tr_s = t_s[tr] + rng.integers(30, 600, len(tr)) * 60
    tr_text = rfc3339(tr_s, p_off[t_p[tr]], np.full(len(tr), -1))
    for k, i in enumerate(tr.tolist()):
        d = DISTORTIONS[i % len(DISTORTIONS)]
        lines.append(json.dumps({
            "type": "thought_record", "participant": names[t_p[i]], "id": f"r{i}", "time": tr_text[k],
            "situation": CONTEXTS[ctx[i]], "automatic_thought": "They don't care about me anymore",
            "belief_before": int(60 + i % 40), "emotions": [{"name": "anxious", "before": 80, "after": 50}],
            "distortions": [d], "alternatives": ["They are busy", "Their phone died", "They reply later"],
            "belief_after": int(30 + i % 30), "trigger": f"t{i}"}, separators=(",", ":")))

    order = rng.permutation(len(lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"header","format":"calmkit-journal","version":1,"generator":"make_interleaved.py"}\n')
        for k in order.tolist():
            f.write(lines[k])
            f.write("\n")
    return len(lines) + 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("--participants", type=int, default=2500)
    ap.add_argument("--triggers", type=int, default=120, help="per participant")
    ap.add_argument("--readings", type=int, default=4, help="per trigger")
    ap.add_argument("--days", type=int, default=91)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    t = time.perf_counter()
    n = make(a.path, a.participants, a.triggers, a.readings, a.days, a.seed)
    print(f"{a.path}: {n:,} lines, {a.path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
