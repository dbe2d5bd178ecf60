"""Ray engine: one small end-to-end run on a local Ray (slow: Ray start-up)."""
from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray", reason="ray not installed (pip install 'copydesk[ray]')")
pytest.importorskip("ray.data", reason="ray[data] not installed")

import batch_helpers as h  # noqa: E402
from copydesk.batch import BatchConfig, run_batch  # noqa: E402
from copydesk.batch.readers import Failure, Record, Skip, expand_inputs, read_source  # noqa: E402
from copydesk.batch.writers import read_ids  # noqa: E402


@pytest.mark.slow
def test_ray_engine_same_accounting(tmp_path, monkeypatch):
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    # Ray workers must import copydesk and the test extractor
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([root, here, os.environ.get("PYTHONPATH", "")]))
    warc = tmp_path / "mixed.warc.gz"
    h.mixed_warc_gz(str(warc))
    missing = str(tmp_path / "missing.warc")
    inputs = [str(warc), missing]
    dest = {Record: "kept", Skip: "skipped", Failure: "errors"}
    expected = {i.id: dest[type(i)] for s in expand_inputs(inputs) for i in read_source(s)}
    out = tmp_path / "out"
    cfg = BatchConfig(outdir=str(out), shard_size=4, shard_bytes=warc.stat().st_size // 3,  # 3 read tasks
                      extractor="batch_helpers:simple")
    summary = run_batch(inputs, cfg, engine="ray", workers=2)
    got = read_ids(out)
    assert sorted(got["kept"] + got["skipped"] + got["errors"]) == sorted(expected)
    for kind in ("kept", "skipped", "errors"):
        assert sorted(got[kind]) == sorted(k for k, v in expected.items() if v == kind)
    assert (summary.kept, summary.skipped, summary.errors) == (3, 3, 4)
    assert summary.exit_code == 1
    assert json.loads((out / "summary.json").read_text())["records"] == len(expected)


def test_item_rows_hold_only_strings_arrow_takes():
    import pyarrow as pa

    from copydesk.batch.ray_engine import _item_to_row, _row_to_item

    rec = Record("site/caf\udce9.html", "site", url="http://j/\ud800", text="half an emoji \ud83d here",
                 meta={"note": "x\ud800y"})
    row = _item_to_row(rec)
    pa.Table.from_pylist([row])  # a lone surrogate would raise here, in the Ray task
    back = _row_to_item(row)
    assert back.id == "site/caf\ufffd.html" and back.text == "half an emoji \ufffd here"


def test_extracted_rows_hold_only_strings_arrow_takes(tmp_path):
    import pyarrow as pa

    from copydesk.batch.ray_engine import _item_to_row, extract_batch

    rec = Record("j:1", "j", url="http://j/1", html=h.page(1), meta={"note": "x\ud800y"})
    cfg = BatchConfig(outdir=str(tmp_path), extractor="batch_helpers:simple")
    table = extract_batch(pa.Table.from_pylist([_item_to_row(rec)]), cfg)
    (row,) = table.to_pylist()
    assert row["status"] == "kept" and json.loads(row["meta"])["note"] == "x\ufffdy"
