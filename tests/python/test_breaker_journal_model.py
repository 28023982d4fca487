"""The columnar Journal against an independent model.

Random cohorts are written as JSON Lines text (interleaved participants, times
out of order, equal instants on different offsets, equal times with different
ids); the model is the same text parsed with ``json`` into a list of dicts and
ordered by the spec's rule in plain Python (participant, UTC instant, offset,
id; ties keep the file order). Every journal answer -- the record views,
indexing from either end, per-participant and time-range journals, one record
added at a time in any order, copies through pickle, DataFrames, metrics after
``add`` -- is compared with that model, never with calmkit itself.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import random

import pandas as pd
import pytest

import calmkit

UTC = dt.timezone.utc
BASE = dt.datetime(2026, 3, 1, tzinfo=UTC)
# Participants whose byte order and code-point order agree (UTF-8 keeps it),
# with the single-user "" and names that sort between others.
PARTICIPANTS = ["", "p1", "p10", "p2", "a b", "Ωmega", "z", "日本"]
# Offsets in minutes, including the format's limits (+-23:59).
OFFSETS = [0, 60, 120, -300, 330, 345, 840, -720, 1439, -1439]
CATEGORIES = ["delayed_reply", "conflict", "being_alone", "other", "perfectionism"]
DISTORTIONS = ["all_or_nothing", "mind_reading", "catastrophizing", "labeling"]


def fmt_time(time_us: int, offset: int, style: int) -> str:
    """RFC 3339 text of `time_us` on the wall clock of `offset` minutes."""
    local = BASE + dt.timedelta(microseconds=time_us) + dt.timedelta(minutes=offset)
    frac = local.microsecond
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += ("." + f"{frac:06d}").rstrip("0") if style == 0 else f".{frac:06d}"
    if offset == 0 and style == 1:
        return text + "Z"
    sign = "+" if offset >= 0 else "-"
    return text + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


class Model:
    """A random cohort as dicts (with the instant kept as numbers) and its JSONL text."""

    def __init__(self, seed: int, n: int = 120):
        rng = random.Random(seed)
        self.rng = rng
        self.rows: list[dict] = []  # in file order
        people = rng.sample(PARTICIPANTS, k=rng.randint(1, len(PARTICIPANTS)))
        pool = [rng.randrange(0, 20 * 86400) * 1_000_000 for _ in range(8)]  # shared instants: ties

        def when() -> tuple[int, int]:
            us = rng.choice(pool) if rng.random() < 0.3 else rng.randrange(0, 20 * 86400 * 1_000_000)
            if rng.random() < 0.5:
                us -= us % 1_000_000  # whole seconds
            return us, rng.choice(OFFSETS)

        triggers: dict[str, list[str]] = {p: [] for p in people}
        for k in range(n):
            p = rng.choice(people)
            us, off = when()
            kind = rng.choice(["trigger", "trigger", "reading", "reading", "exercise", "thought_record",
                               "assessment"])
            r: dict = {"type": kind, "participant": p, "_us": us, "_off": off}
            if kind == "trigger":
                r["id"] = f"t{rng.randrange(10**6)}x{k}"
                r["category"] = rng.choice(CATEGORIES)
                r["intensity"] = rng.randint(0, 10)
                if rng.random() < 0.3:
                    r["acted_on_urge"] = rng.random() < 0.5
                if rng.random() < 0.2:
                    r["acted_after_minutes"] = rng.choice([0, 0.5, 12.25, 1e6])
                if rng.random() < 0.3:
                    r["tags"] = [rng.choice(["x", "", "ünï"]) for _ in range(rng.randint(0, 3))]
                triggers[p].append(r["id"])
            elif kind == "reading":
                r["intensity"] = rng.randint(0, 10)
                if rng.random() < 0.5:
                    r["id"] = f"r{k}"
                if triggers[p] and rng.random() < 0.6:
                    r["trigger"] = rng.choice(triggers[p])
                if rng.random() < 0.2:
                    r["note"] = "a \"quoted\"\nline\t\u2028"
            elif kind == "exercise":
                r["id"] = f"e{k}"
                r["exercise"] = rng.choice(["breathing.4-7-8", "custom.walk"])
                r["_end_us"] = us + rng.choice([0, 1, 60_000_000, 3 * 3600 * 1_000_000])
                r["_end_off"] = rng.choice([off, off, 60, -300])
                if rng.random() < 0.3:
                    r["completed"] = False
                if rng.random() < 0.5:
                    r["intensity_before"] = rng.randint(0, 10)
                if rng.random() < 0.5:
                    r["intensity_after"] = rng.randint(0, 10)
                if triggers[p] and rng.random() < 0.5:
                    r["trigger"] = rng.choice(triggers[p])
            elif kind == "thought_record":
                r["id"] = f"th{k}"
                r["situation"] = "s"
                r["automatic_thought"] = "they left"
                r["belief_before"] = rng.randint(0, 100)
                if rng.random() < 0.5:
                    r["belief_after"] = rng.randint(0, 100)
                r["distortions"] = rng.sample(DISTORTIONS, k=rng.randint(0, 3))
                r["emotions"] = [
                    {"name": "fear", "before": rng.randint(0, 100)}
                    | ({"after": rng.randint(0, 100)} if rng.random() < 0.5 else {})
                    for _ in range(rng.randint(0, 2))
                ]
                if triggers[p] and rng.random() < 0.5:
                    r["trigger"] = rng.choice(triggers[p])
            else:
                r["id"] = f"a{k}"
                r["instrument"] = "gad-7"
                r["answers"] = [rng.randint(0, 3) for _ in range(7)]
            self.rows.append(r)
        # Links may point forward in the file: readers resolve them after reading.
        rng.shuffle(self.rows)
        self.lines = [self.line(r) for r in self.rows]
        self.text = "\n".join(self.lines) + "\n"

    def line(self, r: dict) -> str:
        d = {k: v for k, v in r.items() if not k.startswith("_")}
        d["time"] = fmt_time(r["_us"], r["_off"], self.rng.randrange(3))
        if r["type"] == "exercise":
            d["end"] = fmt_time(r["_end_us"], r["_end_off"], self.rng.randrange(3))
        if d["participant"] == "" and self.rng.random() < 0.5:
            del d["participant"]  # absent = ""
        return json.dumps(d, ensure_ascii=self.rng.random() < 0.5)


def model_of(text: str) -> list[dict]:
    """The model parsed back from the text alone (json + datetime)."""
    out = []
    for i, line in enumerate(text.split("\n")):  # not splitlines: U+2028 is inside a string
        if not line.strip():
            continue
        d = json.loads(line)
        if d.get("type") == "header":
            continue
        d.setdefault("participant", "")
        d.setdefault("id", "")
        t = dt.datetime.fromisoformat(d["time"].replace("Z", "+00:00"))
        d["_instant"] = t
        d["_off"] = int(t.utcoffset().total_seconds() // 60)
        d["_line"] = i
        out.append(d)
    return out


def ordered(model: list[dict], kind: str) -> list[dict]:
    rows = [d for d in model if d["type"] == kind]
    # Python's sort is stable: ties keep the file order, as the spec's readers must.
    return sorted(rows, key=lambda d: (d["participant"], d["_instant"], d["_off"], d["id"]))


def canon(d: dict) -> dict:
    """A record's fields with every default spelled out, times as aware datetimes (compared as instants)
    plus their offsets."""
    kind = d["type"]
    out = {
        "participant": d.get("participant", ""),
        "id": d.get("id", ""),
        "time": (dt.datetime.fromisoformat(d["time"].replace("Z", "+00:00"))
                 if isinstance(d["time"], str) else d["time"]),
    }
    out["offset"] = out["time"].utcoffset()
    if kind == "trigger":
        out |= {k: d.get(k, dflt) for k, dflt in [("category", None), ("intensity", None), ("context", ""),
                                                  ("thoughts", []), ("sensations", []), ("urge", ""),
                                                  ("acted_on_urge", None), ("acted_after_minutes", None),
                                                  ("response", ""), ("tags", [])]}
    elif kind == "reading":
        out |= {k: d.get(k, dflt) for k, dflt in [("intensity", None), ("trigger", ""), ("note", "")]}
    elif kind == "exercise":
        end = d["end"]
        end = dt.datetime.fromisoformat(end.replace("Z", "+00:00")) if isinstance(end, str) else end
        out |= {"end": end, "end_offset": end.utcoffset()}
        out |= {k: d.get(k, dflt) for k, dflt in [("exercise", None), ("completed", True),
                                                  ("intensity_before", None), ("intensity_after", None),
                                                  ("trigger", ""), ("responses", [])]}
    elif kind == "thought_record":
        out |= {k: d.get(k, dflt) for k, dflt in [
            ("situation", None), ("automatic_thought", None), ("belief_before", None), ("distortions", []),
            ("evidence_for", []), ("evidence_against", []), ("alternatives", []), ("friend_advice", ""),
            ("balanced_thought", ""), ("belief_after", None), ("trigger", "")]}
        out["emotions"] = [(e["name"], e["before"], e.get("after")) for e in d.get("emotions", [])]
    else:
        out |= {"instrument": d["instrument"], "answers": list(d["answers"]), "note": d.get("note", "")}
    return out


TABLES = {"trigger": "triggers", "reading": "readings", "exercise": "exercises",
          "thought_record": "thought_records", "assessment": "assessments"}


def from_record(kind: str, rec) -> dict:
    """A calmkit record as the canonical dict (read attribute by attribute, not through to_json)."""
    names = {
        "trigger": ["participant", "id", "time", "category", "intensity", "context", "thoughts", "sensations",
                    "urge", "acted_on_urge", "acted_after_minutes", "response", "tags"],
        "reading": ["participant", "id", "time", "intensity", "trigger", "note"],
        "exercise": ["participant", "id", "time", "end", "exercise", "completed", "intensity_before",
                     "intensity_after", "trigger", "responses"],
        "thought_record": ["participant", "id", "time", "situation", "automatic_thought", "belief_before",
                           "distortions", "evidence_for", "evidence_against", "alternatives", "friend_advice",
                           "balanced_thought", "belief_after", "trigger"],
        "assessment": ["participant", "id", "time", "instrument", "answers", "note"],
    }[kind]
    d = {"type": kind} | {n: getattr(rec, n) for n in names}
    for n in ("thoughts", "sensations", "tags", "responses", "distortions", "evidence_for", "evidence_against",
              "alternatives", "answers"):
        if n in d:
            d[n] = list(d[n])
    if kind == "thought_record":
        d["emotions"] = [{"name": e.name, "before": e.before} | ({} if e.after is None else {"after": e.after})
                         for e in rec.emotions]
    return canon(d)


def assert_journal_is(journal: calmkit.Journal, model: list[dict]) -> None:
    for kind, table in TABLES.items():
        want = [canon(d) for d in ordered(model, kind)]
        got = getattr(journal, table)
        assert len(got) == len(want), kind
        listed = [from_record(kind, r) for r in got]
        for i, (g, w) in enumerate(zip(listed, want)):
            assert g == w, (kind, i, g, w)
            # The offset itself is kept, not only the instant.
            assert g["offset"] == w["offset"], (kind, i)
        # Indexing from the front and from the back agrees with iteration.
        if want:
            assert from_record(kind, got[-1]) == want[-1]
            assert from_record(kind, got[0]) == want[0]
        with pytest.raises(IndexError):
            got[len(want)]
        with pytest.raises(IndexError):
            got[-len(want) - 1]
    assert journal.participants() == sorted({d["participant"] for d in model})
    assert len(journal) == len(model)


SEEDS = list(range(12))


@pytest.mark.parametrize("seed", SEEDS)
def test_parsed_journal_matches_the_model(seed):
    m = Model(seed)
    assert_journal_is(calmkit.parse_journal(m.text), model_of(m.text))


@pytest.mark.parametrize("seed", SEEDS[:6])
def test_any_thread_count_and_chunk_size_reads_the_same(seed, tmp_path):
    m = Model(seed, n=400)
    path = tmp_path / "j.jsonl"
    path.write_text(m.text, encoding="utf-8")
    model = model_of(m.text)
    want = None
    for threads, chunk in [(1, 1 << 20), (2, 4096), (4, 512), (8, 4096), (3, 1)]:
        j = calmkit.read_journal(path, threads=threads, chunk_bytes=chunk)
        assert_journal_is(j, model)
        text = calmkit.to_jsonl(j)
        assert want is None or text == want, (threads, chunk)
        want = text


def build_record(d: dict):
    kw = {k: v for k, v in d.items() if not k.startswith("_") and k != "type"}
    if d["type"] == "thought_record":
        kw["emotions"] = [calmkit.EmotionRating(**e) for e in kw.get("emotions", [])]
    cls = {"trigger": calmkit.Trigger, "reading": calmkit.Reading, "exercise": calmkit.ExerciseSession,
           "thought_record": calmkit.ThoughtRecord, "assessment": calmkit.Assessment}[d["type"]]
    return cls(**kw)


@pytest.mark.parametrize("seed", SEEDS)
def test_adding_one_record_at_a_time_in_any_order_matches_the_model(seed):
    m = Model(seed)
    model = model_of(m.text)
    rng = random.Random(seed + 1000)
    # Any order that puts each trigger before the records linked to it: a
    # random interleaving of the triggers (shuffled) and the rest (shuffled),
    # with a linked record held back until its trigger is in.
    triggers = [d for d in model if d["type"] == "trigger"]
    rest = [d for d in model if d["type"] != "trigger"]
    rng.shuffle(triggers)
    rng.shuffle(rest)
    j = calmkit.Journal()
    added: set[tuple[str, str]] = set()
    waiting: list[dict] = []
    order: list[dict] = []
    while triggers or rest or waiting:
        ready = [d for d in waiting if (d["participant"], d.get("trigger", "")) in added or not d.get("trigger")]
        for d in ready:
            waiting.remove(d)
            order.append(d)
        if triggers and (not rest or rng.random() < 0.5):
            d = triggers.pop()
            added.add((d["participant"], d["id"]))
            order.append(d)
        elif rest:
            d = rest.pop()
            if d.get("trigger") and (d["participant"], d["trigger"]) not in added:
                waiting.append(d)
            else:
                order.append(d)
    assert len(order) == len(model)
    for d in order:
        j.add(build_record(d))
    # Equal instants with equal ids keep their order of arrival here, their
    # file order in the model: compare as the spec's key only where it is unique.
    keys = [(d["type"], d["participant"], d["_instant"], d["_off"], d["id"]) for d in model]
    if len(set(keys)) == len(keys):
        assert_journal_is(j, model)
    # Either way the journal equals the one read from the text, and writes the same lines.
    parsed = calmkit.parse_journal(m.text)
    if len(set(keys)) == len(keys):
        assert j == parsed
        assert calmkit.to_jsonl(j) == calmkit.to_jsonl(parsed)


@pytest.mark.parametrize("seed", SEEDS[:6])
def test_participant_and_time_range_journals_match_the_model(seed):
    m = Model(seed)
    model = model_of(m.text)
    j = calmkit.parse_journal(m.text)
    for p in PARTICIPANTS + ["nobody", "p", "p1 "]:
        assert_journal_is(j.participant(p), [d for d in model if d["participant"] == p])
    rng = random.Random(seed)
    instants = sorted({d["_instant"] for d in model})
    cuts = [instants[0], instants[-1], instants[len(instants) // 2],
            instants[0] - dt.timedelta(microseconds=1), instants[-1] + dt.timedelta(microseconds=1),
            BASE + dt.timedelta(seconds=rng.randrange(20 * 86400))]
    for a in cuts:
        for b in cuts:
            sub = j.between(a, b)
            inside = [copy.deepcopy(d) for d in model if a <= d["_instant"] < b]
            kept = {(d["participant"], d["id"]) for d in inside if d["type"] == "trigger"}
            for d in inside:
                if d.get("trigger") and (d["participant"], d["trigger"]) not in kept:
                    del d["trigger"]  # the documented rule: a link out of range is dropped
            assert_journal_is(sub, inside)
            # The same instants on another wall clock select the same records.
            far = dt.timezone(dt.timedelta(hours=-9, minutes=-30))
            assert sub == j.between(a.astimezone(far), b.astimezone(far))


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_pickle_and_copy_keep_every_record_and_stay_independent(seed):
    m = Model(seed)
    model = model_of(m.text)
    j = calmkit.parse_journal(m.text)
    clone = pickle.loads(pickle.dumps(j))
    assert clone == j
    assert_journal_is(clone, model)
    clone.add(calmkit.Reading(time="2030-01-01T00:00:00Z", intensity=1, participant="new"))
    assert len(clone) == len(j) + 1
    assert_journal_is(j, model)  # the original did not change


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_frames_match_pandas_built_from_the_json_text(seed):
    m = Model(seed)
    model = model_of(m.text)
    j = calmkit.parse_journal(m.text)
    for kind, table in TABLES.items():
        rows = ordered(model, kind)
        got = getattr(j, table).to_pandas()
        assert len(got) == len(rows)
        if not rows:
            continue
        want_time = pd.to_datetime([d["_instant"].astimezone(UTC) for d in rows]).as_unit("us")
        assert list(got["time"]) == list(want_time), kind
        assert list(got["offset_minutes"]) == [d["_off"] for d in rows], kind
        assert [str(p) for p in got["participant"]] == [d["participant"] for d in rows], kind
        local = [d["_instant"].replace(tzinfo=None) for d in rows]
        assert list(got["local_time"]) == list(pd.to_datetime(local).as_unit("us")), kind
        if kind in ("trigger", "reading"):
            assert list(got["intensity"]) == [d["intensity"] for d in rows]
        if kind == "reading":
            assert [None if pd.isna(x) else x for x in got["trigger"]] == [d.get("trigger") for d in rows]


def test_views_are_live_and_iteration_is_a_snapshot():
    j = calmkit.Journal()
    view = j.readings
    for k in range(5):
        j.add(calmkit.Reading(time=f"2026-03-0{k + 1}T10:00:00+02:00", intensity=k, participant="p"))
    assert len(view) == 5
    seen = []
    for r in view:
        seen.append(r.intensity)
        # Adding while iterating must neither crash nor change what is iterated.
        j.add(calmkit.Reading(time="2026-02-01T10:00:00Z", intensity=9, participant="p"))
    assert seen == [0, 1, 2, 3, 4]
    assert len(view) == 10
    assert [r.intensity for r in view] == [9] * 5 + [0, 1, 2, 3, 4]


def test_a_record_from_a_view_is_a_copy():
    j = calmkit.Journal([calmkit.Trigger(id="t", time="2026-03-01T10:00:00Z", category="conflict",
                                         intensity=5)])
    t = j.triggers[0]
    t.intensity = 9
    t.id = "other"
    assert j.triggers[0].intensity == 5 and j.triggers[0].id == "t"


def test_metrics_see_every_add():
    """time_to_calm after add equals time_to_calm of a journal read from the same records at once."""
    lines = [
        '{"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T21:00:00+01:00",'
        '"category":"conflict","intensity":8}',
        '{"type":"reading","participant":"p","time":"2026-03-02T21:30:00+01:00","intensity":6,"trigger":"t1"}',
    ]
    j = calmkit.parse_journal("\n".join(lines))
    before = calmkit.time_to_calm(j)
    assert len(before) == 1
    calm = calmkit.Reading(time="2026-03-02T21:10:00+01:00", intensity=1, participant="p", trigger="t1")
    j.add(calm)
    after = calmkit.time_to_calm(j)
    fresh = calmkit.time_to_calm(calmkit.parse_journal(calmkit.to_jsonl(j)))
    pd.testing.assert_frame_equal(after, fresh)
    assert not after.equals(before)
    # A trigger added before an existing one renumbers the links: the metric follows.
    j.add(calmkit.Trigger(id="t0", time="2026-03-01T08:00:00Z", category="other", intensity=9, participant="p"))
    j.add(calmkit.Trigger(id="t0", time="2026-03-01T08:00:00Z", category="other", intensity=9, participant="a"))
    pd.testing.assert_frame_equal(calmkit.time_to_calm(j),
                                  calmkit.time_to_calm(calmkit.parse_journal(calmkit.to_jsonl(j))))
