"""Read the committed sample journal and look at it with pandas.

Run from anywhere (the path is relative to this script):

    PYTHONPATH=build/python python3 examples/python/read_sample.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import calmkit

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-journal.jsonl"


def main() -> None:
    journal = calmkit.read_journal(SAMPLE)
    print(f"{SAMPLE.name}: {journal!r}")
    print()

    # Records per participant and type.
    counts = pd.DataFrame(
        {
            name: getattr(journal, name).to_pandas()["participant"].value_counts(sort=False)
            for name in ("triggers", "readings", "exercises", "thought_records", "assessments")
        }
    )
    print("Records per participant")
    print(counts.to_string())
    print()

    triggers = journal.triggers.to_pandas()
    print("First triggers (time in UTC, local_time on the person's own clock)")
    columns = ["participant", "id", "time", "offset_minutes", "local_time", "category", "intensity"]
    with pd.option_context("display.width", 120):
        print(triggers[columns].head(8).to_string(index=False))


if __name__ == "__main__":
    main()
