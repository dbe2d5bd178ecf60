"""The accuracy gate: copydesk on a fixed sample of the shared data must not fall below pinned floors.

The floors live in `accuracy_floors.json` beside this file and only ever go up.
The packaged model was trained on these corpora, so the gate guards against
regressions; it is not an accuracy claim (BENCHMARKS.md reports out-of-fold
figures for that).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from copydesk import extract
from copydesk.bench.datasets import load_pages
from copydesk.bench.metrics import mean_prf, segment_counts, word_prf

FLOORS = json.loads((Path(__file__).parent / "accuracy_floors.json").read_text())


@pytest.fixture(scope="module")
def scored(shared_data):
    pages = load_pages(shared_data, "all", sample=FLOORS["sample"])
    wcxb, traf = [], None
    for page in pages:
        text = extract(page.html, url=page.url).text
        if page.dataset == "wcxb-dev":
            if page.gold_text is not None:
                wcxb.append(word_prf(text, page.gold_text))
        else:
            c = segment_counts(text, page.with_snippets, page.without_snippets)
            traf = c if traf is None else traf + c
    return mean_prf(wcxb), traf


def test_wcxb_word_f1_floor(scored):
    wcxb, _ = scored
    assert wcxb.f1 >= FLOORS["wcxb_f1"], f"WCXB word F1 {wcxb.f1:.4f} fell below the floor {FLOORS['wcxb_f1']}"


def test_trafilatura_eval_f1_floor(scored):
    _, traf = scored
    assert traf.f1 >= FLOORS["traf_f1"], f"trafilatura-eval F1 {traf.f1:.4f} fell below the floor {FLOORS['traf_f1']}"
