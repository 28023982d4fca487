"""The exercise catalog, trigger vocabulary and record fields against the source texts.

The project's five source texts on anxious attachment (the seed files named in
each exercise's ``sources``) describe the practices calmkit is built around.
The passages quoted below are copied from them word for word; every check
compares what calmkit holds with what the quoted passage says (a timing, a
count, an order, a list of parts, when a skill is meant to be used). The
texts themselves are not part of the repository, so the quotes stand in for
them here.
"""

from __future__ import annotations

import re

import calmkit

S000 = "000_537e22df3a09dbd5.txt"
S001 = "001_4b86ee1ce1b70c37.txt"
S002 = "002_a3dd8ceacfd4ae36.txt"
S004 = "004_c22b836400dc35d1.txt"

# 000: "Breathing in for four counts and out for six to eight activates the
# parasympathetic nervous system [...] Even three to five minutes of this kind
# of breathing can shift the physiological state". In a conflict: "in-the-moment
# techniques like extended exhale breathing, brief pauses, and sensory grounding".
# 002: "Practice the 4-7-8 breath: inhale for 4 counts, hold for 7, exhale for 8
# [...] Box breathing (4 counts in, 4 hold, 4 out, 4 hold)"; "Practice coherent
# breathing: 5 seconds in, 5 seconds out [...] Practice regularly when you're calm".


def _timed(ex):
    return [(s.phase, s.seconds) for s in ex.steps]


def _text(ex) -> str:
    parts = [ex.id, ex.name, ex.instructions]
    for s in ex.steps:
        parts.append(getattr(s, "cue", "") or getattr(s, "text", ""))
    return " ".join(parts).casefold()


def test_extended_exhale_is_four_in_six_to_eight_out_for_three_to_five_minutes():
    ex = calmkit.catalog_exercise("breathing.extended-exhale")
    (p_in, s_in), (p_out, s_out) = _timed(ex)
    assert (p_in, s_in) == ("inhale", 4)
    assert p_out == "exhale" and 6 <= s_out <= 8
    assert 180 <= ex.duration_seconds() <= 300
    assert ex.suits in ("acute", "both")  # used "in-the-moment" during a conflict
    assert S000 in ex.sources


def test_four_seven_eight_box_and_coherent_breathing_have_the_seeds_counts():
    assert _timed(calmkit.catalog_exercise("breathing.4-7-8")) == [
        ("inhale", 4), ("hold_in", 7), ("exhale", 8)]
    assert _timed(calmkit.catalog_exercise("breathing.box")) == [
        ("inhale", 4), ("hold_in", 4), ("exhale", 4), ("hold_out", 4)]
    coherent = calmkit.catalog_exercise("breathing.coherent")
    assert _timed(coherent) == [("inhale", 5), ("exhale", 5)]
    assert coherent.suits in ("daily", "both")  # "Practice regularly when you're calm"
    for i in ("breathing.4-7-8", "breathing.box", "breathing.coherent"):
        assert S002 in calmkit.catalog_exercise(i).sources


# 000: "name five things you can see, four you can physically feel, three you
# can hear, two you can smell, one you can taste"; 001: "Identify 5 things you
# can see, 4 things you can touch, 3 things you can hear, 2 things you can
# smell, and 1 thing you can taste"; 002 the same order with "touch".
GROUNDING_SENSES = [(5, ("see",)), (4, ("touch", "feel")), (3, ("hear",)), (2, ("smell",)), (1, ("taste",))]


def test_five_four_three_two_one_asks_the_senses_in_the_seeds_order():
    ex = calmkit.catalog_exercise("grounding.5-4-3-2-1")
    assert [s.answers for s in ex.steps] == [n for n, _ in GROUNDING_SENSES]
    for step, (_, words) in zip(ex.steps, GROUNDING_SENSES):
        assert any(w in step.text.casefold() for w in words), step.text
    assert {S000, S001, S002} <= set(ex.sources)
    assert ex.suits in ("acute", "both")


# 001: "Starting with your toes, tense the muscles as tightly as you can for a
# few seconds. Slowly release [...] Gradually work your way up through your
# body"; 002: "Start with your toes and work up through your body, tensing
# each muscle group for 5 seconds, then releasing".
def test_progressive_muscle_relaxation_starts_at_the_toes_and_tenses_five_seconds():
    ex = calmkit.catalog_exercise("relaxation.progressive-muscle")
    cues = [s.cue.casefold() for s in ex.steps]
    assert "toe" in cues[0] and "tense" in cues[0]
    tense = [s for s in ex.steps if "tense" in s.cue.casefold()]
    release = [s for s in ex.steps if "release" in s.cue.casefold()]
    assert len(tense) == len(release) == len(ex.steps) // 2
    assert all(s.seconds == 5 for s in tense)
    # tense, then release, group by group
    assert all("tense" in c for c in cues[0::2]) and all("release" in c for c in cues[1::2])
    assert "face" in cues[-1] or "head" in cues[-1] or "jaw" in cues[-1]  # worked upward


# 002: "Practice the TIPP skills from Dialectical Behavior Therapy: Temperature
# (cold water on your face or hands), Intense exercise (jumping jacks, running),
# Paced breathing, and Progressive muscle relaxation. These techniques can help
# you get through intense emotional moments".
def test_tipp_temperature_intense_exercise_and_paced_breathing_suit_intense_moments():
    temp = calmkit.catalog_exercise("tipp.temperature")
    assert "cold water" in _text(temp) and "face" in _text(temp)
    burst = calmkit.catalog_exercise("tipp.intense-exercise")
    assert "jumping jacks" in _text(burst) or "running" in _text(burst)
    paced = [e for e in calmkit.catalog() if e.kind == "breathing" and S002 in e.sources
             and e.suits in ("acute", "both")]
    assert paced
    for ex in (temp, burst):
        assert ex.suits in ("acute", "both")


def test_progressive_muscle_relaxation_suits_intense_moments_as_a_tipp_skill():
    ex = calmkit.catalog_exercise("relaxation.progressive-muscle")
    assert S002 in ex.sources
    assert ex.suits in ("acute", "both")


# 001, "Key components of distress tolerance include: Acceptance [...]
# Distraction [...] Self-soothing [...] Improving the moment: Finding ways to
# make the present moment more bearable."
def test_distress_tolerance_acceptance_distraction_and_self_soothing_exist():
    kinds = {e.kind for e in calmkit.catalog() if S001 in e.sources}
    assert {"acceptance", "distraction", "sensory_soothing"} <= kinds


def test_distress_tolerance_improving_the_moment_exists():
    hits = [e.id for e in calmkit.catalog()
            if re.search(r"improv\w* the moment|more bearable|imagery|visuali[sz]", _text(e))]
    assert hits


# 001, "Techniques for calming the nervous system include: 1. Deep Breathing
# [...] 2. Progressive Muscle Relaxation [...] 3. Grounding Techniques [...]
# 4. Yoga and Stretching [...] Find a quiet space and lay out a yoga mat or
# towel. Follow a guided yoga session or practice gentle stretches. Focus on
# your breath and the sensations in your body as you move." 002 repeats it:
# "gentle yoga, walking, dancing, or stretching can all help regulate your emotions".
def test_deep_breathing_and_body_awareness_from_the_calming_list_exist():
    belly = calmkit.catalog_exercise("breathing.belly")
    assert S001 in belly.sources and "belly" in _text(belly)
    body = calmkit.catalog_exercise("grounding.body-awareness")
    assert S001 in body.sources and "feet" in _text(body) and "hands" in _text(body)


def test_yoga_and_stretching_from_the_calming_list_exists():
    hits = [e.id for e in calmkit.catalog() if re.search(r"yoga|stretch", _text(e))]
    assert hits


# 000: "A short walk, even ten minutes, interrupts the rumination loop";
# "what will I think about this moment in six months?"; "writing three equally
# plausible alternative explanations". 002: "three conscious breaths when you
# notice anxiety, a body scan when you feel triggered"; "Can we take a 10-minute
# break so I can calm down?".
def test_walk_future_self_alternatives_three_breaths_and_the_conflict_break():
    assert calmkit.catalog_exercise("movement.short-walk").duration_seconds() == 600
    assert "six months" in _text(calmkit.catalog_exercise("cognitive.future-self"))
    alt = calmkit.catalog_exercise("cognitive.three-alternatives")
    assert [s.answers for s in alt.steps if hasattr(s, "answers")][-1] == 3
    breaths = calmkit.catalog_exercise("mindfulness.three-breaths")
    assert breaths.cycles() == 3 and breaths.suits in ("acute", "both")
    scan = calmkit.catalog_exercise("mindfulness.body-scan")
    assert scan.suits in ("acute", "both")
    brk = calmkit.catalog_exercise("pause.conflict-break")
    assert 600 in [s.seconds for s in brk.steps]
    assert "ten minutes" in _text(brk) or "10 minutes" in _text(brk)


# 002, "Distinguishing Between Past and Present Threats [...] When you're
# triggered, ask yourself: Is there actual evidence that my relationship is in
# danger right now? / Am I responding to what's happening now, or to what
# happened in the past? / What would I tell a friend who was experiencing this
# same situation? / If I weren't feeling anxious, how would I interpret this
# situation?"
PAST_PRESENT = [r"evidence", r"now|today", r"friend", r"anxious"]


def test_past_or_present_asks_the_seeds_four_questions_in_order():
    ex = calmkit.catalog_exercise("cognitive.past-or-present")
    assert S002 in ex.sources
    texts = [s.text.casefold() for s in ex.steps]
    assert len(texts) == 4
    for text, pattern in zip(texts, PAST_PRESENT):
        assert re.search(pattern, text), (text, pattern)


# 002, "Reality-Testing Fears and Catastrophic Thoughts [...] Ask yourself:
# What's the most likely explanation for what's happening? What other
# possibilities exist besides the worst-case scenario? Have I survived similar
# situations in the past? What would I need to know to feel more secure about
# this situation?"
REALITY_TEST = [r"most likely", r"worst case", r"come through|survived", r"need to (know|find out)"]


def test_reality_test_asks_the_seeds_four_questions_in_their_order():
    ex = calmkit.catalog_exercise("cognitive.reality-test")
    assert S002 in ex.sources
    texts = [s.text.casefold() for s in ex.steps]
    at = [next((i for i, t in enumerate(texts) if re.search(p, t)), None) for p in REALITY_TEST]
    assert None not in at, list(zip(REALITY_TEST, at))
    assert at == sorted(at), list(zip(REALITY_TEST, at))


# 004, "A gentle self-check for awareness [...] Pause and ask yourself: What
# exactly triggered me in this moment / What am I afraid will happen next /
# Does this feeling remind me of something I have experienced before".
def test_the_gentle_self_check_exists():
    def asks(e):
        texts = [s.text.casefold() for s in e.steps if hasattr(s, "text")]
        return (any("trigger" in t for t in texts) and any("afraid" in t and "next" in t for t in texts)
                and any("remind" in t for t in texts))
    assert [e.id for e in calmkit.catalog() if asks(e)]


# 002, "Relationship Triggers: Partner Emotional Distance or Unavailability /
# Changes in Relationship Routine or Security / Conflict or Disagreement with
# Loved Ones / Partner Stress or Outside Pressures [...] Environmental and Life
# Triggers: Work Stress [...] Health Issues [...] Financial Instability or Major
# Life Decisions [...] Social Situations and Fear of Judgment [...] Internal
# Triggers: Physical Sensations [...] Negative Self-Talk [...] Comparison and
# Inadequacy Feelings [...] Perfectionism". 004, "Common triggers in anxious
# attachment include: Delayed replies / Mixed signals / Lack of clarity /
# Emotional unavailability".
SEED_GROUPS = {
    "relationship": ["partner_distance", "routine_change", "conflict", "partner_stress",
                     "delayed_reply", "mixed_signals", "lack_of_clarity"],
    "life": ["financial_stress", "health_concern", "major_decision", "family_gathering"],
    "internal": ["physical_sensation", "negative_self_talk", "social_comparison", "perfectionism"],
}
SPEC_VOCABULARY = ["delayed_reply", "mixed_signals", "partner_distance", "routine_change", "conflict",
                   "partner_stress", "lack_of_clarity", "plans_cancelled", "being_alone", "social_comparison",
                   "family_gathering", "health_concern", "financial_stress", "major_decision",
                   "physical_sensation", "negative_self_talk", "perfectionism", "other"]


def test_trigger_categories_are_the_spec_vocabulary_in_the_seeds_groups():
    cats = {c[0]: c[2] for c in calmkit.trigger_categories()}
    assert sorted(cats) == sorted(SPEC_VOCABULARY)
    for group, ids in SEED_GROUPS.items():
        for i in ids:
            assert cats[i] == group, (i, cats[i], group)
    assert {g[0] for g in calmkit.trigger_groups()} == set(SEED_GROUPS)


# 002, "Keep a simple trigger journal for a few weeks, noting: What was
# happening when you felt triggered / What thoughts or physical sensations you
# noticed / How intense the trigger felt (1-10 scale) / How you responded".
def test_the_seeds_trigger_journal_fits_a_trigger_record():
    for intensity in (1, 10):
        t = calmkit.Trigger(id="t1", time="2026-03-02T21:14:00+01:00", category="delayed_reply",
                            intensity=intensity, context="no reply since lunch",
                            thoughts=["they are losing interest"], sensations=["tight chest"],
                            response="went for a walk")
        assert (t.intensity, t.context, t.response) == (intensity, "no reply since lunch", "went for a walk")
        assert list(t.thoughts) == ["they are losing interest"] and list(t.sensations) == ["tight chest"]


# 002, "Common patterns include catastrophizing [...], mind reading [...], and
# all-or-nothing thinking [...] keeping a thought log [...] What evidence
# supports this thought? What evidence contradicts it? What would you tell a
# friend having this thought? What's a more balanced way to view this situation?"
def test_the_seeds_thought_log_fits_a_thought_record():
    ids = {d[0] for d in calmkit.distortions()}
    assert {"catastrophizing", "mind_reading", "all_or_nothing"} <= ids
    r = calmkit.ThoughtRecord(id="r1", time="2026-03-02T21:14:00+01:00", situation="no reply",
                              automatic_thought="they are losing interest", belief_before=80,
                              distortions=["catastrophizing", "mind_reading"],
                              evidence_for=["slow reply"], evidence_against=["said good night"],
                              alternatives=["busy", "phone died", "in a meeting"],
                              friend_advice="they are probably busy", balanced_thought="I do not know yet",
                              belief_after=30)
    assert list(r.evidence_for) == ["slow reply"] and list(r.evidence_against) == ["said good night"]
    assert r.friend_advice == "they are probably busy" and r.balanced_thought == "I do not know yet"
    assert len(r.alternatives) == 3


def test_every_cited_seed_names_the_practice():
    """Each catalog entry cites seeds; each of those files is one of the five."""
    seeds = {S000, S001, S002, "003_8f421c0a71c7ba3b.txt", S004}
    for ex in calmkit.catalog():
        assert ex.sources and set(ex.sources) <= seeds, (ex.id, ex.sources)
