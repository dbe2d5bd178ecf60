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
    summary = run_batch(inputs, BatchConfig(outdir=str(out), shard_size=4, extractor="batch_helpers:simple"), engine="ray", workers=2)
    got = read_ids(out)
    assert sorted(got["kept"] + got["skipped"] + got["errors"]) == sorted(expected)
    for kind in ("kept", "skipped", "errors"):
        assert sorted(got[kind]) == sorted(k for k, v in expected.items() if v == kind)
    assert (summary.kept, summary.skipped, summary.errors) == (3, 3, 4)
    assert summary.exit_code == 1
    assert json.loads((out / "summary.json").read_text())["records"] == len(expected)
