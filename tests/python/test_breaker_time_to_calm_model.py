"""time_to_calm against the definition in docs/metrics.md, written again here.

The episodes are computed from the journal's text with json and datetime
only (``model`` below follows docs/metrics.md, "Episodes and time-to-calm",
line by line: linked readings and linked exercises' ratings, unlinked
readings in [onset, onset + window] and before the next onset, the later of
two triggers at one instant taking the unlinked readings, linked readings
before the onset ignored, censoring at the last observation) and compared
with ``calmkit.time_to_calm`` on synthetic cohorts whose lines are shuffled
(interleaved participants, unsorted times), for several thresholds and
windows, and on hand-made edges (one instant written in two zones, a reading
exactly at onset + window, a reading at the next onset).
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

import calmkit


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def observations(records: list[dict], p: str, t: dict, nxt: dict | None, window_h: float) -> list[tuple]:
    """The (time, intensity) observations of trigger ``t`` of participant ``p``."""
    on = when(t["time"])
    # Of two triggers at one instant, the later row (by id) takes the unlinked readings.
    takes_unlinked = nxt is None or when(nxt["time"]) != on
    out = []
    for r in records:
        if r.get("participant", "") != p:
            continue
        if r["type"] == "reading":
            at = when(r["time"])
            if r.get("trigger") == t["id"]:
                if at >= on:  # a linked reading before its trigger is ignored
                    out.append((at, r["intensity"]))
            elif "trigger" not in r and takes_unlinked and on <= at <= on + dt.timedelta(hours=window_h):
                if nxt is None or at < when(nxt["time"]):
                    out.append((at, r["intensity"]))
        elif r["type"] == "exercise" and r.get("trigger") == t["id"]:
            if "intensity_before" in r and when(r["time"]) >= on:
                out.append((when(r["time"]), r["intensity_before"]))
            if "intensity_after" in r and when(r["end"]) >= on:
                out.append((when(r["end"]), r["intensity_after"]))
    return sorted(out, key=lambda o: o[0])


def model(text: str, theta: int = 3, window_h: float = 12.0) -> dict:
    """(participant, trigger id) -> (minutes, calmed, peak intensity, observations)."""
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    records = [r for r in records if r["type"] != "header"]
    triggers: dict[str, list[dict]] = {}
    for r in sorted((r for r in records if r["type"] == "trigger"),
                    key=lambda r: (r.get("participant", ""), when(r["time"]), r["id"])):
        triggers.setdefault(r.get("participant", ""), []).append(r)
    out = {}
    for p, ts in triggers.items():
        for k, t in enumerate(ts):
            on = when(t["time"])
            obs = observations(records, p, t, ts[k + 1] if k + 1 < len(ts) else None, window_h)
            peak = max([t["intensity"]] + [i for _, i in obs])
            calm = next((at for at, i in obs if i <= theta), None)
            if t["intensity"] <= theta:
                minutes, calmed = 0.0, True
            elif calm is not None:
                minutes, calmed = (calm - on).total_seconds() / 60, True
            else:  # right-censored at the last observation (the onset when there is none)
                minutes, calmed = ((obs[-1][0] - on).total_seconds() / 60 if obs else 0.0), False
            out[(p, t["id"])] = (round(minutes, 6), calmed, peak, len(obs))
    return out


def calmkit_episodes(text: str, theta: int = 3, window_h: float = 12.0) -> dict:
    e = calmkit.time_to_calm(calmkit.parse_journal(text), threshold=theta, window_hours=window_h)
    return {(p, i): (round(m, 6), bool(c), int(pk), int(o)) for p, i, m, c, pk, o in
            zip(e["participant"].astype(str), e["trigger_id"].astype(str), e["minutes"], e["calmed"],
                e["peak_intensity"], e["observations"])}


def compare(text: str, **kw: float) -> list:
    a, b = model(text, **kw), calmkit_episodes(text, **kw)
    assert a, "no episodes"
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("theta, window_h", [(3, 12.0), (0, 12.0), (5, 0.5), (3, 0.0)])
def test_time_to_calm_of_a_shuffled_cohort_follows_the_written_definition(seed: int, theta: int,
                                                                             window_h: float) -> None:
    lines = calmkit.to_jsonl(calmkit.synthetic_journal(participants=15, days=40, seed=seed),
                             header=False).splitlines()
    random.Random(seed).shuffle(lines)
    assert compare("\n".join(lines) + "\n", theta=theta, window_h=window_h) == []


def test_time_to_calm_at_the_edges_of_the_definition() -> None:
    def L(**r: object) -> str:
        return json.dumps(r)

    edge = "\n".join([
      L(type="trigger", participant="a", id="t2", time="2026-03-02T10:00:00+01:00", category="other", intensity=8),
      L(type="trigger", participant="a", id="t1", time="2026-03-02T09:00:00Z", category="other", intensity=8),  # same instant as t2, other zone
      L(type="reading", participant="a", id="r1", time="2026-03-02T09:30:00Z", intensity=2),
      L(type="reading", participant="a", id="r2", time="2026-03-02T21:00:00Z", intensity=1),  # exactly onset+12h
      L(type="trigger", participant="a", id="t3", time="2026-03-03T09:00:00Z", category="other", intensity=9),
      L(type="reading", participant="a", id="r3", time="2026-03-03T09:00:00Z", intensity=1),  # at the next onset: belongs to t3
      L(type="reading", participant="a", id="r4", time="2026-03-03T08:00:00Z", intensity=0, trigger="t3"),  # linked, before onset: ignored
      # linked to t3, written in Nepal's zone: 03:25Z to 03:35Z, before t3's onset: ignored
      L(type="exercise", participant="a", id="e1", time="2026-03-03T09:10:00+05:45", end="2026-03-03T09:20:00+05:45",
        exercise="breathing.4-7-8", intensity_before=9, intensity_after=2, trigger="t3"),
      L(type="exercise", participant="a", id="e2", time="2026-03-03T10:10:00+01:00", end="2026-03-03T10:20:00+01:00",
        exercise="breathing.4-7-8", intensity_before=9, intensity_after=5, trigger="t3"),
      L(type="trigger", participant="b", id="t1", time="2026-03-02T09:00:00-03:30", category="other", intensity=3),
    ]) + "\n"
    # What the definition gives, by hand: t2 (the later row at 09:00Z) takes r1 and r2 (at onset + 12 h
    # exactly) and calms at 30 min; t1 has nothing, censored at its onset; t3 has r3 (at its onset) and
    # e2's two ratings; b's trigger starts calm.
    assert model(edge) == {("a", "t1"): (0.0, False, 8, 0), ("a", "t2"): (30.0, True, 8, 2),
                           ("a", "t3"): (0.0, True, 9, 3), ("b", "t1"): (0.0, True, 3, 0)}
    assert compare(edge) == []
