"""read_parquet reads and imports the record types on two threads (the next
table read while one is imported): the journal and the error it raises are
those of journal_from_tables(read_tables(...)), one table after another, for
any number of threads."""
from __future__ import annotations

import pytest

import calmkit
from calmkit import _core
from calmkit import parquet as ckpq

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def cohort():
    return calmkit.synthetic_journal(participants=12, days=28)


@pytest.fixture(params=[1, 2], ids=["1 thread", "2 threads"])
def threads(request):
    before = calmkit.threads()
    calmkit.set_threads(request.param)
    yield request.param
    calmkit.set_threads(before)


def _one_by_one(path):
    """What read_parquet reads or raises, a table after another."""
    try:
        return ckpq.journal_from_tables(ckpq.read_tables(path), name=str(path))
    except Exception as e:  # noqa: BLE001 - compared below
        return e


def _same_outcome(path):
    expected = _one_by_one(path)
    if not isinstance(expected, Exception):
        assert ckpq.read_parquet(path) == expected
        return expected
    with pytest.raises(type(expected)) as got:
        ckpq.read_parquet(path)
    assert str(got.value) == str(expected)
    return expected


def _part(path, folder):
    return path / folder / "part-00000.parquet"


def _rewrite(path, folder, change):
    """Rewrites a type's part file with `change(table)`, keeping its metadata."""
    f = _part(path, folder)
    t = pq.read_table(f)
    pq.write_table(change(t).replace_schema_metadata(t.schema.metadata), f)


def _set(column, row, value, type_=None):
    def change(t):
        values = t.column(column).to_pylist()
        values[row] = value
        i = t.schema.get_field_index(column)
        return t.set_column(i, t.schema.field(i), pa.array(values, type_ or t.schema.field(i).type))
    return change


def test_the_journal_is_the_one_read_table_by_table(tmp_path, cohort, threads):
    ckpq.write_parquet(cohort, tmp_path / "ds")
    assert _same_outcome(tmp_path / "ds") == cohort
    some = sorted(cohort.participants())[:3]
    assert ckpq.read_parquet(tmp_path / "ds", participants=some) == ckpq.journal_from_tables(
        ckpq.read_tables(tmp_path / "ds", participants=some), name=str(tmp_path / "ds"))


def test_a_file_that_cannot_be_read_comes_before_a_record_that_breaks_a_rule(tmp_path, cohort, threads):
    ds = tmp_path / "ds"
    ckpq.write_parquet(cohort, ds)
    _rewrite(ds, "triggers", _set("intensity", 3, 11))
    data = _part(ds, "assessments").read_bytes()
    _part(ds, "assessments").write_bytes(data[: len(data) // 2])
    e = _same_outcome(ds)
    assert isinstance(e, ValueError) and "assessments" in str(e) and "not a readable Parquet" in str(e)


def test_a_missing_folder_comes_before_a_record_that_breaks_a_rule(tmp_path, cohort, threads):
    ds = tmp_path / "ds"
    ckpq.write_parquet(cohort, ds)
    _rewrite(ds, "triggers", _set("intensity", 3, 11))
    (ds / "exercises" / "_common_metadata").unlink()
    assert isinstance(_same_outcome(ds), FileNotFoundError)


def test_records_that_break_rules_are_named_in_table_order(tmp_path, cohort, threads):
    ds = tmp_path / "ds"
    ckpq.write_parquet(cohort, ds)
    _rewrite(ds, "thought_records", _set("belief_before", 0, 101))
    _rewrite(ds, "readings", _set("intensity", 5, 12))
    e = _same_outcome(ds)
    assert "readings: row 5: field 'intensity'" in str(e)


def test_a_table_check_comes_before_a_record_that_breaks_a_rule(tmp_path, cohort, threads):
    ds = tmp_path / "ds"
    ckpq.write_parquet(cohort, ds)
    _rewrite(ds, "triggers", _set("intensity", 3, 11))

    def naive_end(t):  # a rewrite that lost the time zone of one column
        i = t.schema.get_field_index("end")
        return t.set_column(i, "end", t.column("end").cast(pa.timestamp("us")))

    _rewrite(ds, "exercises", naive_end)
    e = _same_outcome(ds)
    assert "exercises: column 'end' holds timestamps without a time zone" in str(e)


def test_rules_across_records_keep_their_order(tmp_path, cohort, threads):
    ds = tmp_path / "ds"
    ckpq.write_parquet(cohort, ds)
    exercises = pq.read_table(_part(ds, "exercises"))
    _rewrite(ds, "exercises", _set("id", 1, exercises.column("id")[0].as_py()))  # same participant, same id
    linked = [i for i, x in enumerate(pq.read_table(_part(ds, "readings")).column("trigger").to_pylist()) if x]
    _rewrite(ds, "readings", _set("trigger", linked[0], "no-such-trigger"))
    assert "readings: row" in str(_same_outcome(ds)) and "no-such-trigger" in str(_same_outcome(ds))
    _rewrite(ds, "readings", _set("trigger", linked[0], None))
    assert "exercises: row 1: field 'id'" in str(_same_outcome(ds))


def test_the_import_takes_each_table_once_and_finishes_once(cohort):
    tables = ckpq.tables_of(cohort)
    im = _core._ArrowImport("<x>")
    im.add("triggers", tables["triggers"])
    with pytest.raises(Exception, match="triggers imported twice"):
        im.add("triggers", tables["triggers"])
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        im.add("nope", tables["triggers"])
    for name in ("readings", "exercises", "thought_records", "assessments"):
        im.add(name, tables[name])
    assert im.finish() == cohort
    with pytest.raises(Exception, match="finished already"):
        im.finish()
