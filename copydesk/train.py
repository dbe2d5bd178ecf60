"""train: fit the block model on the shared annotated pages, honestly.

Owns the training recipe: rows from copydesk's own pipeline (`api.analyse`),
labels from `align`, k-fold cross-validation grouped by site (no host on both
sides of a fold), the decision threshold chosen on out-of-fold predictions,
and the final model written into the package with its metadata.

    python -m copydesk.train [--data-dir ../shared/data] [--folds 5]
    copydesk train ...

Deterministic: fixed seeds, LightGBM `deterministic=True`, fixed fold
assignment (crc32 of the host).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import zlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .align import label_from_gold, label_from_snippets
from .api import analyse
from .blocks import Block
from .features import CATEGORICAL, FEATURE_NAMES
from .options import Options
from .score import META_FILE, MODEL_FILE

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 63,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
NUM_ROUNDS = 400
#: Labelled snippet blocks are few; they count this much more than full-gold blocks.
SNIPPET_WEIGHT = 3.0
#: Blocks per page beyond which a page's blocks are down-weighted (pages count equally-ish).
PAGE_BLOCKS_NORM = 300
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.25, 0.71, 0.05))
ANALYSIS_OPTIONS = Options(with_metadata=False, timeout=None)


@dataclass
class PageRows:
    key: str
    dataset: str
    host: str
    page_type: str
    blocks: list[Block]
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    confident_share: float


def fold_of(host: str, folds: int) -> int:
    return zlib.crc32(host.encode("utf-8")) % folds


def page_rows(page) -> PageRows | None:
    """Rows, labels and weights of one annotated page (`bench.datasets.Page`)."""
    try:
        a = analyse(page.html, page.url, ANALYSIS_OPTIONS)
    except Exception as e:  # a page we cannot read is reported, not fatal
        print(f"skip {page.key}: {e}", file=sys.stderr)
        return None
    if a.X is None or a.seg is None:
        return None
    blocks = a.seg.blocks
    if page.gold_text is not None:
        lab = label_from_gold(blocks, page.gold_text)
        base_w = 1.0
    else:
        lab = label_from_snippets(blocks, page.with_snippets, page.without_snippets)
        base_w = SNIPPET_WEIGHT
    words = np.array([len(b.text.split()) for b in blocks], dtype=np.float32)
    w = base_w * np.log1p(words) * min(1.0, PAGE_BLOCKS_NORM / len(blocks))
    w[lab.y < 0] = 0.0
    return PageRows(page.key, page.dataset, page.host, page.page_type, blocks, a.X, lab.y, w,
                    lab.confident_share)


def build(pages: Sequence, jobs: int = 2) -> list[PageRows]:
    if jobs <= 1:
        rows = [page_rows(p) for p in pages]
    else:
        with ProcessPoolExecutor(jobs) as ex:
            rows = list(ex.map(page_rows, pages, chunksize=8))
    return [r for r in rows if r is not None]


def fit(rows: Sequence[PageRows], threads: int = 2, rounds: int = NUM_ROUNDS):
    import lightgbm as lgb
    X = np.vstack([r.X for r in rows])
    y = np.concatenate([r.y for r in rows]).astype(np.float32)
    w = np.concatenate([r.w for r in rows])
    keep = w > 0
    ds = lgb.Dataset(X[keep], label=np.clip(y[keep], 0, 1), weight=w[keep], feature_name=FEATURE_NAMES,
                     categorical_feature=CATEGORICAL, free_raw_data=True)
    params = dict(PARAMS, num_threads=threads)
    return lgb.train(params, ds, num_boost_round=rounds)


def oof_predictions(rows: Sequence[PageRows], folds: int, threads: int = 2) -> list[np.ndarray]:
    """Out-of-fold block probabilities, folds grouped by host."""
    fold_ids = [fold_of(r.host, folds) for r in rows]
    probs: list[np.ndarray | None] = [None] * len(rows)
    for k in range(folds):
        t0 = time.time()
        train = [r for r, f in zip(rows, fold_ids) if f != k]
        booster = fit(train, threads)
        for i, (r, f) in enumerate(zip(rows, fold_ids)):
            if f == k:
                probs[i] = booster.predict(r.X, num_threads=threads)
        print(f"fold {k + 1}/{folds}: {len(train)} training pages, {time.time() - t0:.0f}s", file=sys.stderr)
    return probs  # type: ignore[return-value]


def fold_boosters(rows: Sequence[PageRows], folds: int, threads: int = 2) -> dict[int, object]:
    """One booster per fold, each trained without that fold's hosts."""
    fold_ids = [fold_of(r.host, folds) for r in rows]
    return {k: fit([r for r, f in zip(rows, fold_ids) if f != k], threads) for k in range(folds)}


class OofExtractor:
    """`Page -> text` with the fold model that never saw the page's host (for `copydesk bench --oof`)."""

    def __init__(self, boosters: dict[int, object], folds: int, threshold: float) -> None:
        self.boosters, self.folds, self.threshold = boosters, folds, threshold

    def __call__(self, page) -> str:
        from .api import extract
        from .score import BlockModel, set_model
        booster = self.boosters[fold_of(page.host, self.folds)]
        set_model(BlockModel(booster, self.threshold, {"features": FEATURE_NAMES}))
        try:
            return extract(page.html, url=page.url).text
        finally:
            set_model(None)


def oof_extractor(pages: Sequence, folds: int = 5, threads: int = 2, jobs: int = 2) -> OofExtractor:
    """Train the fold models on `pages` (recipe and threshold as shipped)."""
    from .score import get_model
    threshold = get_model().threshold
    rows = build(pages, jobs)
    print(f"copydesk-oof: training {folds} fold models on {len(rows)} pages", file=sys.stderr)
    return OofExtractor(fold_boosters(rows, folds, threads), folds, threshold)


def evaluate(rows: Sequence[PageRows], pages_by_key: dict, probs: Sequence[np.ndarray],
             threshold: float) -> dict[str, float]:
    """WCXB mean word F1 and trafilatura-eval F1 of the kept blocks at one threshold."""
    from .assemble import assemble
    from .bench.metrics import mean_prf, segment_counts, word_prf
    from .label import decide
    opts = Options()
    wcxb, counts = [], None
    for r, p in zip(rows, probs):
        keep = decide(p, r.blocks, threshold, opts)
        text = "\n\n".join(x.text for x in assemble(b for b, k in zip(r.blocks, keep) if k))
        page = pages_by_key[r.key]
        if page.gold_text is not None:
            wcxb.append(word_prf(text, page.gold_text))
        else:
            c = segment_counts(text, page.with_snippets, page.without_snippets)
            counts = c if counts is None else counts + c
    out = {}
    if wcxb:
        out["wcxb_f1"] = mean_prf(wcxb).f1
    if counts is not None:
        out["traf_f1"] = counts.f1
    return out


def data_hash(pages: Sequence) -> str:
    h = hashlib.sha256()
    for p in sorted(pages, key=lambda p: p.key):
        h.update(p.key.encode())
        h.update(hashlib.sha256(p.html).digest())
        h.update((p.gold_text or "").encode())
        h.update("\x00".join(p.with_snippets + ("|",) + p.without_snippets).encode())
    return h.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="copydesk train", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=None, help="shared data folder (default $COPYDESK_DATA or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds grouped by host (0: skip CV)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for building rows")
    ap.add_argument("--threads", type=int, default=2, help="LightGBM threads")
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each corpus (smoke runs)")
    ap.add_argument("--threshold", type=float, default=None, help="fix the threshold instead of choosing it out-of-fold")
    ap.add_argument("--out-dir", default=None, help="write the model here instead of into the package")
    args = ap.parse_args(argv)
    from .bench.datasets import load_pages
    t0 = time.time()
    pages = load_pages(args.data_dir, "all", limit=args.limit)
    rows = build(pages, args.jobs)
    by_key = {p.key: p for p in pages}
    n_blocks = sum(len(r.blocks) for r in rows)
    n_labelled = int(sum((r.y >= 0).sum() for r in rows))
    conf = float(np.mean([r.confident_share for r in rows if r.dataset == "wcxb-dev"] or [0]))
    print(f"{len(rows)} pages, {n_blocks} blocks, {n_labelled} labelled; "
          f"WCXB blocks with a confident label: {conf:.1%} ({time.time() - t0:.0f}s)", file=sys.stderr)
    meta: dict = {"features": FEATURE_NAMES, "params": PARAMS, "rounds": NUM_ROUNDS,
                  "training_data_sha256": data_hash(pages), "pages": len(rows), "blocks": n_blocks,
                  "labelled_blocks": n_labelled, "wcxb_confident_label_share": round(conf, 4)}
    threshold = args.threshold if args.threshold is not None else 0.5
    if args.folds > 1:
        probs = oof_predictions(rows, args.folds, args.threads)
        table = {t: evaluate(rows, by_key, probs, t) for t in THRESHOLDS}
        for t, m in table.items():
            print(f"threshold {t:.2f}: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()), file=sys.stderr)
        if args.threshold is None:
            threshold = max(table, key=lambda t: sum(table[t].values()))
        meta["oof"] = {"folds": args.folds, "grouped_by": "host", "at_threshold": table[threshold]}
    meta["threshold"] = threshold
    booster = fit(rows, args.threads)
    out_dir = Path(args.out_dir) if args.out_dir else MODEL_FILE.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out_dir / MODEL_FILE.name))
    (out_dir / META_FILE.name).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"model written to {out_dir} (threshold {threshold}, {time.time() - t0:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    sys.exit(main())
