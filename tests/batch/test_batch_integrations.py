"""datatrove step and the batch benchmark (tiny)."""
from __future__ import annotations

import pytest

import batch_helpers as h


def test_datatrove_extractor(monkeypatch):
    pytest.importorskip("datatrove", reason="datatrove not installed (pip install datatrove)")
    import copydesk.api

    from batch_helpers import simple
    from copydesk.batch.readers import Record

    # the wiring is under test, not extraction quality: stand in for the engine (inherited by the fork)
    monkeypatch.setattr(copydesk.api, "extract",
                        lambda html, url=None, options=None: simple(Record("x", "x", html=html.encode()), options))
    from datatrove.data import Document as DTDocument
    from datatrove.pipeline.extractors.base import BaseExtractor

    from copydesk.integrations.datatrove import CopydeskExtractor

    step = CopydeskExtractor(timeout=5)
    assert isinstance(step, BaseExtractor)
    assert "A sentence long enough" in step.extract(h.page(1).decode())
    docs = [DTDocument(text=h.page(1).decode(), id="1"), DTDocument(text="<html><body></body></html>", id="2")]
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["1"] and "page 1" in out[0].text


def test_batch_benchmark_tiny(shared_data):
    pytest.importorskip("fastwarc")
    pytest.importorskip("trafilatura")
    import copydesk
    from copydesk.batch.bench import batch_benchmark
    from copydesk.errors import ModelError

    try:
        copydesk.extract(h.page(1))
    except ModelError as exc:
        pytest.skip(f"copydesk engine not usable here: {exc}")

    table = batch_benchmark(shared_data, workers=(1,), n_pages=4)
    lines = table.splitlines()
    assert lines[2].startswith("| extractor | metadata | workers")
    rows = [ln for ln in lines if ln.startswith("| copydesk") or ln.startswith("| trafilatura")]
    assert len(rows) == 4 and all("| 4 |" in r for r in rows)
    assert {r.split("|")[2].strip() for r in rows} == {"yes", "no"}
    assert lines[-1].startswith("copydesk over trafilatura, same job: with metadata, 1 worker: ")


def test_batch_benchmark_rounds(shared_data):
    """With rounds, each pool runs that many times; the row gives the median and every round's rate."""
    pytest.importorskip("fastwarc")
    from copydesk.batch.bench import batch_benchmark

    table = batch_benchmark(shared_data, workers=(1,), n_pages=3, extractors=("copydesk",), metadata=(True,), rounds=2)
    lines = table.splitlines()
    assert "median of 2 rounds" in lines[0] and "per round" in lines[2]
    (row,) = [ln for ln in lines if ln.startswith("| copydesk")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3] == "3" and int(cells[4]) + int(cells[5]) + int(cells[6]) == 3
    rates = [float(x) for x in cells[9].split(" / ")]
    assert len(rates) == 2 and min(rates) <= float(cells[8]) <= max(rates)
    assert 0 <= float(cells[10]) < 60  # the parent's CPU seconds


def test_batch_benchmark_reports_scaling(shared_data):
    pytest.importorskip("fastwarc")
    from copydesk.batch.bench import batch_benchmark

    table = batch_benchmark(shared_data, workers=(1, 2), n_pages=4, extractors=("copydesk",), metadata=(False,))
    rows = {int(r.split("|")[3]): float(r.split("|")[9]) for r in table.splitlines() if r.startswith("| copydesk")}
    last = table.splitlines()[-1]
    assert last.startswith("Scaling, 1 → 2 workers (median rates): copydesk without metadata ")
    # the table rounds the rates to 0.1 record/s: a few records/s in a run this small
    assert float(last.rsplit(" ", 1)[1].rstrip("×")) == pytest.approx(rows[2] / rows[1], rel=0.05)


def test_bench_shards_keep_every_worker_busy_to_the_end(tmp_path):
    import gzip

    from copydesk.batch.bench import SHARDS_PER_WORKER, bench_shard_bytes
    from copydesk.batch.readers import warc_spans

    path = tmp_path / "b.warc.gz"
    path.write_bytes(b"".join(gzip.compress(h.response(f"http://ex.com/{i}", h.page(i))) for i in range(300)))
    spans = warc_spans(str(path), bench_shard_bytes(path.stat().st_size, (1, 2)))
    assert len(spans) >= 2 * SHARDS_PER_WORKER
    assert bench_shard_bytes(3, (1, 2)) == 1  # never an empty range
