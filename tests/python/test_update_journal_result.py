"""``update_journal(path, change)`` when ``change`` returns a Journal.

The binding takes the returned journal's records without a copy when no one
else holds it (change built it and returned it), and copies them when the
caller keeps it too: either way the file gets the returned records and a
journal the caller kept is left whole.
"""

from __future__ import annotations

import calmkit


def _write(tmp_path):
    journal = calmkit.synthetic_journal(participants=2, days=14, seed=9)
    path = tmp_path / "journal.jsonl"
    calmkit.write_journal(journal, path)
    return journal, path


def test_a_journal_built_and_returned_replaces_the_records(tmp_path):
    journal, path = _write(tmp_path)
    kept = [r for r in journal.readings if r.intensity >= 5]
    assert 0 < len(kept) < len(journal.readings)

    calmkit.update_journal(path, lambda j: calmkit.Journal([*j.triggers, *[r for r in j.readings if r.intensity >= 5],
                                                             *j.exercises, *j.thought_records, *j.assessments]))
    after = calmkit.read_journal(path)
    assert len(after.readings) == len(kept)
    assert len(after.triggers) == len(journal.triggers) and len(after.assessments) == len(journal.assessments)


def test_a_journal_the_caller_keeps_is_left_whole(tmp_path):
    journal, path = _write(tmp_path)
    held = []

    def change(j):
        result = calmkit.Journal([*j.triggers, *j.exercises, *j.thought_records, *j.assessments])
        held.append(result)  # the caller keeps it: its records are copied, not taken
        return result

    calmkit.update_journal(path, change)
    after = calmkit.read_journal(path)
    assert len(after.readings) == 0 and len(after.triggers) == len(journal.triggers)
    assert held[0] == after and len(held[0].triggers) == len(journal.triggers)


def test_the_lent_journal_kept_by_change_is_empty_and_the_file_right(tmp_path):
    journal, path = _write(tmp_path)
    lent = []

    def change(j):
        lent.append(j)
        return calmkit.Journal(list(j.triggers))

    calmkit.update_journal(path, change)
    assert len(lent[0]) == 0  # the loan ended: an empty journal, never freed memory
    after = calmkit.read_journal(path)
    assert len(after) == len(journal.triggers) == len(after.triggers)
