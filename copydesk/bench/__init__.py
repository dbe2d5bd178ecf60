"""Benchmark of copydesk against its peers on the shared annotated data.

Modules, one job each:

- ``datasets``: the corpora as ``Page`` records (raw HTML bytes + gold);
- ``metrics``: the scoring definitions of ``shared/data/README.md`` (pure);
- ``peers``: copydesk and peer extractors behind one calling convention;
- ``accuracy``: guarded runs (optionally in a process pool) and result tables;
- ``speed``: one-process throughput and memory;
- ``cli``: ``copydesk bench`` / ``python -m copydesk.bench``.

Typical use from code (e.g. an out-of-fold copydesk variant)::

    from copydesk.bench import load_pages, run_accuracy, peer_extractors
    pages = load_pages(dataset="wcxb-dev")
    extractors = {"copydesk-oof": my_fn, **peer_extractors(["trafilatura"])}
    print(run_accuracy(pages, extractors, jobs=2).to_markdown())
"""
from .accuracy import AccuracyReport, run_accuracy, run_extractors, run_fields, score_pages
from .datasets import Page, load_pages
from .peers import PEERS, Fields, PeerExtractor, peer_extractors
from .speed import SpeedReport, run_speed

__all__ = [
    "Page", "load_pages", "AccuracyReport", "run_accuracy", "run_extractors", "run_fields", "score_pages",
    "PEERS", "Fields", "PeerExtractor", "peer_extractors", "SpeedReport", "run_speed",
]
