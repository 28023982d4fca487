"""Which DBT diary-card emotions give a mindLAMP reading its distress.

The LAMP app's card has five built-in emotions (LAMP-activities,
DBTDiaryCard/src/i18n.js): Sadness, Shame, Anger, Fear/Worry and Joy; a study
adds its own. The feelings the project's source texts on anxious attachment
name are quoted below word for word (the texts are not in the repository):
a card that rates one of them must give the reading its distress, whatever
word of the feeling the study chose. The emotions the synthetic journals'
thought records name (C++, src/synthetic_phrases.hpp) must count too: one
vocabulary for both languages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calmkit
from calmkit.importers.mindlamp import DBT_DISTRESS_EMOTIONS

# 002: "success doesn't mean stop feeling anxious"; "I'm feeling scared and
# that's understandable"; "intense waves of panic, sadness, or anger";
# "blame yourself for feeling insecure"; "describe feeling overwhelmed";
# "can feel urgent and desperate"; "Securely attached people still disagree,
# still feel hurt"; "feeling terrified of being truly seen"; "This grief is an
# important part of healing"; "the inability to say no often leads to
# resentment"; "Everyone feels nervous about relationships sometimes".
SEED_FEELINGS = ["anxious", "scared", "panic", "sadness", "anger", "insecure", "overwhelmed", "desperate", "hurt",
                 "terrified", "grief", "resentment", "nervous"]
# Other words of feelings already counted (loneliness, anxiety), and built-in names in other cases.
OTHER_WORDS = ["lonely", "Anxious", "Sad", "Fear/Worry", "Shame", "LONELINESS"]


def _card(tmp_path: Path, emotion: str, rating: int = 3) -> Path:
    events = {"activities": [{"id": "dbt", "spec": "lamp.dbt_diary_card"}], "events": [
        {"timestamp": 1772658000000, "duration": 95000, "activity": "dbt", "static_data": {},
         "temporal_slices": [{"item": emotion, "value": rating, "type": None, "level": "emotion", "duration": 0},
                             {"item": "Joy", "value": 5, "type": None, "level": "emotion", "duration": 0}]}]}
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


@pytest.mark.parametrize("emotion", SEED_FEELINGS + OTHER_WORDS)
def test_a_feeling_the_sources_name_gives_the_reading_its_distress(tmp_path: Path, emotion: str) -> None:
    journal, report = calmkit.import_mindlamp(_card(tmp_path, emotion), utc_offset=0)
    # A rating of 3 of 5 is distress 6 of 10; Joy (5) is not distress.
    assert [r.intensity for r in journal.readings] == [6], report.summary()
    assert f"{emotion} 3/5" in journal.readings[0].note


def test_joy_alone_gives_no_distress(tmp_path: Path) -> None:
    journal, report = calmkit.import_mindlamp(_card(tmp_path, "Pride"), utc_offset=0)
    assert len(journal.readings) == 0 and report.unmapped


def test_the_emotions_of_the_synthetic_thought_records_are_distress_emotions() -> None:
    journal = calmkit.synthetic_journal(participants=3, days=60, seed=5)
    names = {e.name.casefold() for t in journal.thought_records for e in t.emotions}
    assert names, "no emotions in the synthetic thought records"
    assert names <= DBT_DISTRESS_EMOTIONS, names - DBT_DISTRESS_EMOTIONS
