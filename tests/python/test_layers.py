"""How the layers hand data to each other (docs/architecture.md).

- No JSON text between calmkit's own layers: the Python formats that build or
  read a journal record by record (CSV export and import, the research
  export, Parquet, the Arrow bridge) never call the JSON Lines reader or
  writer. Checked by running them with those functions made to raise.
- The compiled module never imports the Python package, nor pandas: it fills
  columns, and calmkit._frames alone builds the DataFrames. Checked by loading
  ``_core`` on its own in a fresh interpreter where pandas cannot be imported
  and calling what used to import them.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import calmkit
from calmkit import _core
from calmkit.importers import ImportFormatError

pytest.importorskip("pyarrow")

#: The JSON Lines reader and writer of the compiled module: the journal's
#: file format, never a hand-off between calmkit's own layers.
JSON_TEXT = ("parse_journal", "parse_journal_with_report", "to_jsonl", "to_json")


@pytest.fixture
def no_json_text(monkeypatch):
    """Every JSON Lines reader/writer raises, in _core and re-exported."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("JSON text used as a hand-off inside the library")

    for name in JSON_TEXT:
        monkeypatch.setattr(_core, name, refuse)
        monkeypatch.setattr(calmkit, name, refuse)


def _journal():
    return calmkit.synthetic_journal(participants=3, days=21, seed=7)


def test_csv_export_and_import_use_no_json_text(no_json_text, tmp_path):
    journal = _journal()
    assert len(journal.triggers) and len(journal.thought_records) and len(journal.assessments)
    calmkit.export_csv(journal, tmp_path)
    back = calmkit.import_csv(tmp_path)
    assert back == journal


def test_csv_import_errors_keep_file_line_and_field_through_the_bridge(no_json_text, tmp_path):
    journal = calmkit.Journal([
        calmkit.Trigger(participant="p", id="t1", time="2026-03-02T21:14:00+01:00", category="delayed_reply",
                        intensity=7),
        calmkit.Trigger(participant="p", id="t2", time="2026-03-02T23:14:00+01:00", category="conflict",
                        intensity=4),
        calmkit.Reading(participant="p", time="2026-03-02T21:44:00+01:00", intensity=5, trigger="t1"),
    ])
    calmkit.export_csv(journal, tmp_path)
    triggers = tmp_path / "triggers.csv"
    good = triggers.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    cases = [
        # (line 3 edited, field, the model's reason)
        (lines[2].replace(",conflict,", ",conflicted,"), "category", "unknown trigger category 'conflicted'"),
        (lines[2].replace(",4,", ",11,"), "intensity", "must be an integer 0..10, got 11"),
        (lines[2].replace("2026-03-02T23:14:00+01:00", "2026-03-02 23:14"), "time",
         "'2026-03-02 23:14' is not a valid time cell (no UTC offset"),
        # An offset (the cell check passes) but outside the format's years: Instant's parser, in C++, says so.
        (lines[2].replace("2026-03-02T23:14:00+01:00", "1399-03-02T23:14:00+01:00"), "time",
         "invalid time '1399-03-02T23:14:00+01:00': "),
        (lines[2].replace(",t2,", ",t1,"), "id", "duplicate trigger id 't1' for participant 'p' (first used on line 2)"),
    ]
    for bad, field, reason in cases:
        triggers.write_text(lines[0] + lines[1] + bad, encoding="utf-8")
        with pytest.raises(ImportFormatError) as e:
            calmkit.import_csv(tmp_path)
        assert (Path(e.value.path).name, e.value.line, e.value.field) == ("triggers.csv", 3, field)
        assert e.value.reason.startswith(reason)
    # A link to a trigger that is not there: the reading's own file and line.
    triggers.write_text(lines[0] + lines[2], encoding="utf-8")
    with pytest.raises(ImportFormatError) as e:
        calmkit.import_csv(tmp_path)
    assert (Path(e.value.path).name, e.value.line, e.value.field) == ("readings.csv", 2, "trigger")
    assert e.value.reason == "refers to trigger 't1', which participant 'p' does not have"


def test_research_export_uses_no_json_text(no_json_text):
    journal = _journal()
    out = calmkit.research_export(journal, bytes(range(32)), shift_dates=True)
    assert len(out) == len(journal)


def test_parquet_and_the_arrow_bridge_use_no_json_text(no_json_text, tmp_path):
    journal = _journal()
    assert calmkit.Journal.from_arrow(journal.to_arrow()) == journal
    calmkit.write_parquet(journal, tmp_path / "cohort", partition_by="shard")
    assert calmkit.read_parquet(tmp_path / "cohort") == journal


def test_journal_from_records_names_the_record_and_field():
    from calmkit.arrow import RecordsError, journal_from_records

    ok = {"type": "trigger", "participant": "p", "id": "t1", "time": "2026-03-02T21:14:00+01:00",
          "category": "delayed_reply", "intensity": 7}
    j = journal_from_records([ok, {"type": "reading", "participant": "p", "time": "2026-03-02T21:30:00Z",
                                   "intensity": 3, "trigger": "t1"}])
    assert j.readings[0].time.isoformat() == "2026-03-02T21:30:00+00:00"
    cases = [
        ({**ok, "id": "t2", "intensity": 2**70}, "intensity", f"must be an integer 0..10, got {2**70!r}"),
        ({**ok, "id": "t2", "acted_after_minutes": -1.0}, "acted_after_minutes",
         "must be a finite number of minutes >= 0, got -1"),
        ({"type": "thought_record", "participant": "p", "id": "c1", "time": "2026-03-02T22:00:00Z",
          "situation": "s", "automatic_thought": "a", "belief_before": 50,
          "emotions": [{"name": "sad", "before": 40, "after": 101}]}, "emotions[0].after",
         "must be an integer 0..100, got 101"),
        ({"type": "note"}, "type", "unknown record type 'note'"),
    ]
    for bad, field, reason in cases:
        with pytest.raises(RecordsError) as e:
            journal_from_records([ok, bad], name="<test>")
        assert (e.value.index, e.value.field) == (1, field)
        assert e.value.reason.startswith(reason)
        assert isinstance(e.value, ValueError)
    with pytest.raises(RecordsError) as e:
        journal_from_records([ok, {**ok, "time": "2026-03-03T08:00:00Z"}])
    assert (e.value.index, e.value.field, e.value.first) == (1, "id", 0)
    assert e.value.reason == "duplicate trigger id 't1' for participant 'p'"


def test_the_compiled_module_imports_neither_pandas_nor_the_package():
    # _core loaded on its own (not through the calmkit package), in a fresh
    # interpreter where importing pandas fails; then the functions that used
    # to import pandas or calmkit._frames from C++ are called.
    script = textwrap.dedent(f"""
        import importlib.util, sys
        sys.modules["pandas"] = None  # `import pandas` now raises ImportError
        spec = importlib.util.spec_from_file_location("_core", {_core.__file__!r})
        core = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(core)
        cols = core._exercise_catalog_columns()
        assert [c[0] for c in cols][:3] == ["id", "name", "kind"], cols
        j = core.synthetic_journal(participants=2, days=14, seed=1)
        for table in (j.triggers, j.readings, j.exercises, j.thought_records, j.assessments):
            assert table._columns()
        assert core._journal_to_arrow(j)["triggers"].num_rows == len(j.triggers)
        cohort = core._cohort_of(j)
        core._metric_episodes(cohort, 3, 12.0)
        loaded = sorted(m for m in sys.modules if m.startswith(("calmkit", "pandas.")))
        assert sys.modules["pandas"] is None and loaded == [], loaded
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_reading_and_writing_journals_loads_neither_pandas_nor_numpy(tmp_path):
    # `import calmkit` and the journal's own file format need no DataFrame
    # library: a fresh interpreter where pandas, NumPy and pyarrow cannot be
    # imported reads, checks and writes a journal; the names that need them
    # are still listed, and load their module on first use.
    path = tmp_path / "j.jsonl"
    script = textwrap.dedent(f"""
        import sys
        for name in ("pandas", "numpy", "pyarrow"):
            sys.modules[name] = None  # `import name` now raises ImportError
        import calmkit
        j = calmkit.synthetic_journal(participants=2, days=14, seed=1)
        calmkit.write_journal(j, {str(path)!r})
        back, report = calmkit.read_journal_with_report({str(path)!r}, lenient=True)
        assert back == j and report.skipped == [] and back == calmkit.read_journal({str(path)!r})
        assert "time_to_calm" in calmkit.__all__ and "read_parquet" in calmkit.__all__
        assert "time_to_calm" in dir(calmkit) and "metrics" in dir(calmkit)
        try:
            calmkit.time_to_calm
        except ImportError:
            pass
        else:
            raise AssertionError("calmkit.metrics imported without pandas")
        loaded = sorted(m for m in ("calmkit.metrics", "calmkit._frames", "calmkit.assessments")
                        if sys.modules.get(m) is not None)
        assert loaded == [], loaded
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
    # With them installed, the same names work and keep their identity.
    import calmkit.metrics

    assert calmkit.time_to_calm is calmkit.metrics.time_to_calm
    assert calmkit.__getattr__("metrics") is calmkit.metrics
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        calmkit.no_such_name  # noqa: B018


def test_exercise_catalog_frame_is_built_in_python_with_the_journal_dtypes():
    frame = calmkit.exercise_catalog_frame()
    assert len(frame) == len(calmkit.catalog())
    assert str(frame["id"].dtype) == "string" and str(frame["kind"].dtype) == "string"
    assert str(frame["steps"].dtype) == "int64" and str(frame["duration_seconds"].dtype) == "float64"
    assert str(frame["has_prompts"].dtype) == "bool"
