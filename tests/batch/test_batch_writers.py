"""Shard writers: the Arrow table of kept rows."""
from __future__ import annotations

import subprocess
import sys

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from copydesk.batch.writers import arrow_schema, rows_to_table  # noqa: E402

ROWS = [
    {"id": "a", "source": "s.warc", "url": "https://x.test/a", "warc_record_id": None, "warc_date": "2024-01-01",
     "title": "Tété ☃ 𝔘", "authors": ["Ann", "Bé"], "date": None, "language": "fr", "page_type": "article",
     "text": "Body text. " * 500, "markdown": "# Tété", "confidence": 0.5, "chars": 5500, "paragraphs": 3,
     "ms": 1.25, "meta": "{}"},
    {"id": "b", "source": None, "url": None, "warc_record_id": "<urn:uuid:1>", "warc_date": None, "title": None,
     "authors": [], "date": "2020-01-01", "language": None, "page_type": None, "text": "", "confidence": None,
     "chars": 0, "paragraphs": 0, "ms": float("nan"), "meta": None},
    {"id": "c", "text": "x", "authors": None, "confidence": float("inf"), "chars": 2**40, "paragraphs": -1, "ms": 0.0},
]


@pytest.mark.parametrize("markdown", [False, True])
@pytest.mark.parametrize("rows", [ROWS, ROWS[1:2], ROWS[2:], []], ids=["all", "nulls", "missing-keys", "empty"])
def test_rows_to_table_is_what_pyarrow_converts(tmp_path, rows, markdown):
    schema = arrow_schema(markdown)
    want = pa.Table.from_pydict({f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema)
    got = rows_to_table(rows, markdown)
    got.validate(full=True)
    assert got.schema.equals(schema)
    # repr: NaN equals itself there
    assert repr(got.to_pylist()) == repr(want.to_pylist())
    pq.write_table(got, tmp_path / "t.parquet")
    assert repr(pq.read_table(tmp_path / "t.parquet").to_pylist()) == repr(want.to_pylist())


def test_rows_to_table_raises_on_a_string_utf8_cannot_hold():
    # write_shard catches it and writes U+FFFD instead (test_batch_local)
    with pytest.raises(UnicodeEncodeError):
        rows_to_table([{"id": "x", "title": "half a pair \ud83d"}], False)


def test_writing_a_shard_imports_no_pandas(tmp_path):
    """pyarrow imports pandas on its first conversion of Python objects; a pool worker need not."""
    code = ("import sys; from pathlib import Path; from copydesk.batch.writers import write_shard; "
            f"write_shard(Path({str(tmp_path)!r}), 0, 'parquet', [{{'id': 'a', 'text': 'x', 'authors': ['b']}}], "
            "[], [], False); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert pq.read_table(tmp_path / "data" / "part-000000.parquet").column("authors").to_pylist() == [["b"]]
