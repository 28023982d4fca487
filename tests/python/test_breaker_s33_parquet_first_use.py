"""A Parquet dataset whose files another tool cut differently from
write_parquet's shards: one participant's triggers spread over three files,
an id used twice, the second time in a later file.

B51 (fixed): the duplicate's reason said where the id was first used as a row of the
files' tables concatenated ("first used in row 12"), which is no row of the
file that holds it, and does not name that file (B47 is the same for the row
of the error itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import calmkit

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "sample-journal.jsonl"


def _cut(d: Path, table: str, sizes: list[int]) -> list[Path]:
    """Rewrites ``d/table``'s one file as files of ``sizes`` rows (the last takes the rest)."""
    (only,) = sorted((d / table).glob("*.parquet"))
    t = pq.read_table(only)
    only.unlink()
    files, start = [], 0
    for k, n in enumerate(sizes + [t.num_rows - sum(sizes)]):
        f = d / table / f"part-{k:05d}.parquet"
        pq.write_table(t.slice(start, n), f)
        files.append(f)
        start += n
    return files


def test_files_cut_anywhere_read_as_the_one_file(tmp_path: Path) -> None:
    d = calmkit.write_parquet(calmkit.read_journal(SAMPLE), tmp_path / "d")
    want = calmkit.to_jsonl(calmkit.read_parquet(d))
    for table in ("triggers", "readings", "exercises"):
        _cut(d, table, [1, 0, 7, 10])  # an empty file among them
    assert calmkit.to_jsonl(calmkit.read_parquet(d)) == want


def test_a_duplicate_id_in_a_later_file_names_the_file_of_its_first_use(tmp_path: Path) -> None:
    d = calmkit.write_parquet(calmkit.read_journal(SAMPLE), tmp_path / "d")
    files = _cut(d, "triggers", [10, 10])
    t = pq.read_table(files[2])
    first = pq.read_table(files[1])
    assert first["participant"][2].as_py() == t["participant"][3].as_py()  # one person's rows
    ids = t["id"].to_pylist()
    ids[3] = first["id"][2].as_py()  # row 2 of part-00001 (row 12 of the three files)
    pq.write_table(t.set_column(t.schema.get_field_index("id"), "id", pa.array(ids, pa.string())), files[2])
    with pytest.raises(ValueError, match="duplicate trigger id") as e:
        calmkit.read_parquet(d)
    text = str(e.value)
    assert "row 12" not in text, text
    assert files[1].name in text, text
