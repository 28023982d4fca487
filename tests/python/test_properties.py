"""Property tests (hypothesis): JSON Lines round trips of random journals, and
invariants the metrics must keep on any data (docs/metrics.md):

- adding a calm reading to an episode never lengthens its time-to-calm;
- trigger frequency counts add up to the number of triggers;
- the Kaplan-Meier median time-to-calm is one of the observed calm times.
"""
import datetime as dt
import math

import calmkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATEGORIES = [c[0] for c in calmkit.trigger_categories()]
DISTORTIONS = [d[0] for d in calmkit.distortions()]
BASE_US = 1_772_000_000 * 10**6  # 2026-02-25T06:13:20Z, somewhere to start from
THRESHOLD = 3  # the default calm threshold, 0-10

# Free text: any Unicode scalar value, control characters and quotes included
# (the writer must escape them), but no surrogates (not valid UTF-8).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
words = st.lists(text, max_size=3)
intensity = st.integers(0, 10)
percent = st.integers(0, 100)
# Offsets east of UTC in minutes, within +-23:59.
offset = st.integers(-23 * 60 - 59, 23 * 60 + 59)


def rfc3339(time_us: int, offset_minutes: int) -> str:
    """The instant `time_us` (microseconds since 1970, UTC) as RFC 3339 text
    shown in the UTC offset `offset_minutes` (minutes east)."""
    local = time_us + offset_minutes * 60 * 10**6
    secs, micros = divmod(local, 10**6)
    days, rem = divmod(secs, 86400)
    d = dt.datetime(1970, 1, 1) + dt.timedelta(days=days, seconds=rem)
    sign = "+" if offset_minutes >= 0 else "-"
    h, m = divmod(abs(offset_minutes), 60)
    frac = f".{micros:06d}" if micros else ""
    return f"{d:%Y-%m-%dT%H:%M:%S}{frac}{sign}{h:02d}:{m:02d}"


@st.composite
def instants(draw) -> str:
    # Up to about 60 days after BASE_US, to the microsecond.
    return rfc3339(BASE_US + draw(st.integers(0, 60 * 86400 * 10**6)), draw(offset))


@st.composite
def journals(draw) -> calmkit.Journal:
    """A journal of random records for one or two participants, with unique
    ids per participant and references only to triggers that exist."""
    records = []
    for participant in draw(st.sampled_from([[""], ["p1"], ["p1", "p2"]])):
        triggers = []
        for i in range(draw(st.integers(0, 4))):
            t = calmkit.Trigger(
                participant=participant, id=f"t{i}", time=draw(instants()),
                category=draw(st.sampled_from(CATEGORIES)), intensity=draw(intensity),
                context=draw(text), thoughts=draw(words), sensations=draw(words), urge=draw(text),
                acted_on_urge=draw(st.none() | st.booleans()),
                acted_after_minutes=draw(st.none() | st.floats(0, 1e4, allow_nan=False)),
                response=draw(text), tags=draw(words))
            triggers.append(t.id)
            records.append(t)
        refs = st.sampled_from([""] + triggers)
        for i in range(draw(st.integers(0, 5))):
            records.append(calmkit.Reading(
                participant=participant, id=draw(st.sampled_from(["", f"r{i}"])), time=draw(instants()),
                intensity=draw(intensity), trigger=draw(refs), note=draw(text)))
        for i in range(draw(st.integers(0, 2))):
            start_us = BASE_US + draw(st.integers(0, 60 * 86400 * 10**6))
            off = draw(offset)
            records.append(calmkit.ExerciseSession(
                participant=participant, id=f"e{i}", time=rfc3339(start_us, off),
                end=rfc3339(start_us + draw(st.integers(0, 3600 * 10**6)), off),
                exercise=draw(st.sampled_from(["breathing.4-7-8", "grounding.5-4-3-2-1", "custom"])),
                completed=draw(st.booleans()), intensity_before=draw(st.none() | intensity),
                intensity_after=draw(st.none() | intensity), trigger=draw(refs),
                responses=draw(words)))
        for i in range(draw(st.integers(0, 2))):
            records.append(calmkit.ThoughtRecord(
                participant=participant, id=f"tr{i}", time=draw(instants()), situation=draw(text) or "s",
                automatic_thought=draw(text) or "a", belief_before=draw(percent),
                emotions=[calmkit.EmotionRating(name=n or "e", before=draw(percent),
                                                after=draw(st.none() | percent))
                          for n in draw(st.lists(text, max_size=2))],
                distortions=draw(st.lists(st.sampled_from(DISTORTIONS), max_size=3, unique=True)),
                evidence_for=draw(words), evidence_against=draw(words), alternatives=draw(words),
                friend_advice=draw(text), balanced_thought=draw(text),
                belief_after=draw(st.none() | percent), trigger=draw(refs)))
    return calmkit.Journal(records)


@SETTINGS
@given(journals())
def test_jsonl_round_trip_keeps_every_record(journal):
    text_ = calmkit.to_jsonl(journal)
    back = calmkit.parse_journal(text_)
    assert back == journal
    assert len(back) == len(journal)
    # Writing is canonical: the same journal always gives the same text.
    assert calmkit.to_jsonl(back) == text_


@SETTINGS
@given(journals())
def test_lenient_and_strict_agree_on_valid_text(journal):
    text_ = calmkit.to_jsonl(journal, header=False)
    assert calmkit.parse_journal(text_, lenient=True) == calmkit.parse_journal(text_)


@st.composite
def episodes(draw):
    """One participant's triggers (10 minutes to 2 days apart, onset intensity
    0-10) with linked readings after each onset."""
    records, t = [], BASE_US
    for i in range(draw(st.integers(1, 6))):
        t += draw(st.integers(10, 2 * 24 * 60)) * 60 * 10**6
        records.append(calmkit.Trigger(id=f"t{i}", time=rfc3339(t, 60), category="delayed_reply",
                                       intensity=draw(intensity)))
        for j in range(draw(st.integers(0, 4))):
            at = t + draw(st.integers(0, 600)) * 60 * 10**6
            records.append(calmkit.Reading(id=f"r{i}.{j}", time=rfc3339(at, 60), intensity=draw(intensity),
                                           trigger=f"t{i}"))
    return records


@SETTINGS
@given(episodes(), st.data())
def test_adding_a_calm_reading_never_lengthens_time_to_calm(records, data):
    before = calmkit.time_to_calm(calmkit.Journal(records)).set_index("trigger_id")
    triggers = [r for r in records if isinstance(r, calmkit.Trigger)]
    target = data.draw(st.sampled_from(triggers))
    onset_us = int(target.time.timestamp()) * 10**6
    minutes_after = data.draw(st.integers(0, 600))
    calm = calmkit.Reading(id="calm", time=rfc3339(onset_us + minutes_after * 60 * 10**6, 60),
                           intensity=data.draw(st.integers(0, THRESHOLD)), trigger=target.id)
    after = calmkit.time_to_calm(calmkit.Journal([*records, calm])).set_index("trigger_id")

    for tid in before.index:
        old, new = before.loc[tid], after.loc[tid]
        if old.calmed:
            assert new.calmed
            assert new.minutes <= old.minutes
        elif tid == target.id:
            # A censored episode now calms, at the new reading's time at the latest.
            assert new.calmed
            assert new.minutes <= minutes_after
    # The episode it was added to now calms no later than that reading.
    assert after.loc[target.id].calmed
    assert after.loc[target.id].minutes <= minutes_after


@SETTINGS
@given(journals(), st.sampled_from(["day", "week", "month"]))
def test_trigger_frequency_counts_sum_to_the_trigger_count(journal, period):
    n = len(journal.triggers)
    plain = calmkit.trigger_frequency(journal, period=period)
    assert int(plain["count"].sum()) == n
    assert (plain["count"] >= 0).all()
    by_category = calmkit.trigger_frequency(journal, period=period, by_category=True)
    assert int(by_category["count"].sum()) == n
    by_group = calmkit.trigger_frequency(journal, period=period, by_group=True)
    assert int(by_group["count"].sum()) == n


@SETTINGS
@given(episodes())
def test_km_median_is_an_observed_calm_time(records):
    journal = calmkit.Journal(records)
    episodes_ = calmkit.time_to_calm(journal)
    summary = calmkit.time_to_calm_summary(journal, by=None)
    assert len(summary) == 1
    row = summary.iloc[0]
    assert row.episodes == len(episodes_)
    assert row.calmed + row.censored == row.episodes
    calm_times = episodes_.loc[episodes_.calmed, "minutes"]
    if len(calm_times) == 0:
        assert math.isnan(row.median_minutes)  # S(t) stays at 1
    if len(calm_times) == len(episodes_):
        assert not math.isnan(row.median_minutes)  # S(t) falls to 0 at the last calm time
    if not math.isnan(row.median_minutes):
        # The median is the smallest calm time with S(t) <= 0.5, so it is one of them.
        assert calm_times.min() <= row.median_minutes <= calm_times.max()
        assert (calm_times == row.median_minutes).any()
        if not math.isnan(row.ci_low):
            assert row.ci_low <= row.median_minutes
        if not math.isnan(row.ci_high):
            assert row.median_minutes <= row.ci_high
