"""calmkit.dask: per-participant metrics over a Parquet dataset on a LocalCluster
equal the single-process results exactly (issue 8)."""
from __future__ import annotations

import subprocess
import sys

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

import calmkit  # noqa: E402
import calmkit.dask as ckd  # noqa: E402

# Keyword arguments of each metric checked on Dask: the defaults plus the
# non-default forms whose rows depend on periods, categories or time zones.
CASES = [
    ("time_to_calm", {}),
    ("time_to_calm_summary", {}),
    ("time_to_calm_summary", {"by": ["participant", "week", "category"], "threshold": 2}),
    # Pooled groups span partitions: compute_all summarises every block's episodes.
    ("time_to_calm_summary", {"by": None}),
    ("time_to_calm_summary", {"by": ["week", "group"], "threshold": 2}),
    ("trigger_frequency", {}),
    ("trigger_frequency", {"period": "month", "by_category": True, "by_group": True}),
    ("trigger_frequency", {"period": "day", "tz": "CET-1CEST,M3.5.0,M10.5.0/3"}),
    ("trigger_trend", {"k": 2}),
    ("peak_intensity", {}),
    ("peak_trend", {}),
    ("exercise_effectiveness", {"by_participant": True}),
    ("thought_record_summary", {}),
    ("distortion_frequency", {}),
    ("window_of_uncertainty", {}),
    ("window_of_uncertainty", {"by": "week"}),
    ("practice_consistency", {}),
    ("practice_streaks", {}),
    ("affect_dynamics", {}),
    ("affect_dynamics", {"max_gap_hours": 6.0}),
]


@pytest.fixture(scope="module")
def journal():
    j = calmkit.synthetic_journal(participants=12, days=28)
    assert len(j.assessments) > 0  # self-assessments ride along in every block
    return j


@pytest.fixture(scope="module")
def datasets(journal, tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    by_participant = calmkit.parquet.write_parquet(journal, root / "by-participant", partition_by="participant")
    sharded = calmkit.parquet.write_parquet(journal, root / "sharded", partition_by="shard", shards=5)
    return {"participant": by_participant, "shard": sharded}


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_every_metric_is_covered():
    assert sorted({name for name, _ in CASES}) == sorted(ckd.METRICS)


@pytest.mark.parametrize("layout,per_partition", [("participant", 5), ("shard", 500)])
def test_dask_equals_single_process(client, journal, datasets, layout, per_partition):
    # Participant layout: 12 folders in blocks of 5 -> 3 partitions (5, 5, 2);
    # shard layout: 5 shards of the sorted participants -> 5 partitions.
    path = datasets[layout]
    assert len(ckd.partitions(path, per_partition)) == (3 if layout == "participant" else 5)
    names = [name for name, _ in CASES]
    # compute_all takes one option set per metric: run the cases in rounds.
    rounds: list[list[tuple[str, dict]]] = []
    for name, kwargs in CASES:
        target = next((r for r in rounds if name not in {n for n, _ in r}), None)
        if target is None:
            target = []
            rounds.append(target)
        target.append((name, kwargs))
    checked = 0
    for r in rounds:
        frames = ckd.compute_all(path, [n for n, _ in r], per_partition, options=dict(r))
        for name, kwargs in r:
            expected = getattr(calmkit, name)(journal, **kwargs)
            got = frames[name]
            assert len(expected) > 0, name  # the cohort exercises every metric
            # Same rows, same order, same dtypes (participant: the same Categorical).
            pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_exact=True, obj=name)
            checked += 1
    assert checked == len(names)


def test_sorted_comparison_of_the_lazy_frame(client, journal, datasets):
    # metric() is lazy; computed, its rows sorted like the single-process rows
    # are the same rows (participant compared as text, the rest exactly).
    ddf = ckd.metric(datasets["participant"], "exercise_effectiveness", participants_per_partition=4)
    assert ddf.npartitions == 3  # 12 participants in blocks of 4
    got = ddf.compute()
    expected = calmkit.exercise_effectiveness(journal, by_participant=True)
    keys = ["participant", "exercise"]
    for f in (got, expected):
        f["participant"] = f["participant"].astype(str)
        f["exercise"] = f["exercise"].astype(str)
    got = got.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_partitions_never_split_a_participant(journal, datasets):
    for layout, path in datasets.items():
        seen: dict[str, int] = {}
        assessments = 0
        for k, files in enumerate(ckd.partitions(path, 5)):
            block = calmkit.parquet.journal_from_tables(calmkit.parquet.read_tables(path, files=files))
            for p in block.participants():
                assert seen.setdefault(p, k) == k, f"{layout}: {p} in partitions {seen[p]} and {k}"
                # Each block holds all of its participants' records, assessments too.
                assert block.participant(p) == journal.participant(p)
            assessments += len(block.assessments)
        assert sorted(seen) == ckd.participants(path)
        assert len(seen) == 12
        assert assessments == len(journal.assessments)


def test_layout_version_1_dataset_runs(client, tmp_path, monkeypatch):
    # A dataset written before assessments had a table (layout 1: no assessments folder).
    import shutil

    j = calmkit.synthetic_journal(participants=3, days=21, seed=4, assessments=False)
    with monkeypatch.context() as m:
        m.setattr(calmkit.parquet, "PARQUET_FORMAT_VERSION", 1)
        path = calmkit.parquet.write_parquet(j, tmp_path / "v1", partition_by="shard", shards=2)
    shutil.rmtree(path / "assessments")
    got = ckd.compute_all(path, ["practice_streaks"])["practice_streaks"]
    pd.testing.assert_frame_equal(got, calmkit.practice_streaks(j))


def test_participant_names_with_path_characters(client, tmp_path):
    # Folder names are URI-encoded; the order and the names must be the decoded ones.
    j = calmkit.Journal([
        calmkit.Reading(participant="b/x", id="r1", time="2026-03-02T08:00:00+01:00", intensity=4),
        calmkit.Reading(participant="b/x", id="r2", time="2026-03-02T09:00:00+01:00", intensity=7),
        calmkit.Reading(participant="a b", id="r1", time="2026-03-02T08:00:00+01:00", intensity=2),
        calmkit.Reading(participant="a b", id="r2", time="2026-03-02T08:30:00+01:00", intensity=6),
    ])
    path = calmkit.parquet.write_parquet(j, tmp_path / "d", partition_by="participant")
    assert ckd.participants(path) == ["a b", "b/x"]
    got = ckd.compute_all(path, ["affect_dynamics"], participants_per_partition=1)["affect_dynamics"]
    pd.testing.assert_frame_equal(got, calmkit.affect_dynamics(j))
    # One successive pair each: |6-2| = 4 -> MSSD 16; |7-4| = 3 -> MSSD 9.
    assert list(got["mssd"]) == [16.0, 9.0]


@pytest.mark.parametrize("layout", ["shard", "participant"])
def test_a_dataset_whose_path_is_not_utf8(client, layout, tmp_path):
    # A folder name made on a Latin-1 system, as Python names it (a surrogate escape).
    import os

    j = calmkit.synthetic_journal(participants=3, days=7)
    try:
        path = calmkit.parquet.write_parquet(j, tmp_path / os.fsdecode(b"caf\xe9"), partition_by=layout, shards=2)
    except OSError as e:  # a file system that takes UTF-8 names only
        pytest.skip(f"this file system refuses a name that is not UTF-8: {e}")
    assert ckd.participants(path) == j.participants()
    got = ckd.compute_all(path, ["affect_dynamics"], participants_per_partition=2)["affect_dynamics"]
    pd.testing.assert_frame_equal(got, calmkit.affect_dynamics(j))


def test_a_bad_value_names_the_file_of_its_partition(client, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    j = calmkit.synthetic_journal(participants=3, days=7)
    path = calmkit.parquet.write_parquet(j, tmp_path / "d", partition_by="participant")
    f = sorted((path / "readings").rglob("*.parquet"))[-1]
    t = pq.read_table(f)
    values = t["intensity"].to_pylist()
    values[1] = 11
    i = t.schema.get_field_index("intensity")
    pq.write_table(t.set_column(i, pa.field("intensity", pa.int64()), pa.array(values, pa.int64())), f)
    with pytest.raises(ValueError) as e:
        ckd.compute_all(path, ["affect_dynamics"], participants_per_partition=3)
    assert f"{f}: row 1: field 'intensity'" in str(e.value), str(e.value)


def test_errors(datasets, tmp_path):
    path = datasets["participant"]
    with pytest.raises(ValueError, match="unknown metric 'km_curve'"):
        ckd.metric(path, "km_curve")
    with pytest.raises(ValueError, match="needs .participant. in by.*compute_all"):
        ckd.metric(path, "time_to_calm_summary", by="week")
    with pytest.raises(ValueError, match="by_participant=True"):
        ckd.metric(path, "exercise_effectiveness", by_participant=False)
    with pytest.raises(ValueError, match="participants_per_partition"):
        ckd.partitions(path, 0)
    with pytest.raises(ValueError, match="not computed"):
        ckd.compute_all(path, ["practice_streaks"], options={"trigger_trend": {"k": 2}})
    with pytest.raises(FileNotFoundError, match="_common_metadata"):
        ckd.metric(tmp_path, "practice_streaks")


def test_importing_calmkit_does_not_import_dask():
    code = "import sys, calmkit; print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
