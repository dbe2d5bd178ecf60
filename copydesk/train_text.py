"""Training and out-of-fold evaluation of the scraped-text line model.

Owns the line model's recipe: labels of the rendered lines from the ground
truth (`align`), the learned token log-odds vocabulary, the LightGBM line
model, k-fold cross-fitting grouped by host (the fold of a host as in
`copydesk.train`), the threshold chosen out of fold and the shipped model
(`copydesk/models/lines.lgb.txt` + `lines.meta.json`). Pages come from
`bench.datasets`, rendered to text by `bench.render` (the renderings
`copydesk bench --input text` measures); `oof_extractor` is that bench's
`copydesk-text-oof`.

    python -m copydesk.train_text [--data-dir ../shared/data] [--folds 5]
        [--limit N] [--threads 1] [--context] [--no-final] [--reevaluate]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .align import GoldText, label_from_snippets, tokens
from .bench.datasets import WCXB, Page
from .bench.render import page_text
from .augment import is_made, weight
from .train import fold_of, training_pages

#: Where the last out-of-fold probabilities are kept for --reevaluate (never in the repository).
CACHE_DIR = Path(os.environ.get("COPYDESK_TEXT_CACHE", "/tmp/copydesk_text_cache"))
OOF_FILE = "oof_last.pkl"
#: A line of two or more tokens is body when at least this share of them is covered by gold word triples.
COVERAGE_BODY = 0.5
#: LightGBM parameters of the line model.
LGB_PARAMS: dict = {
    "objective": "binary", "learning_rate": 0.08, "num_leaves": 63, "min_data_in_leaf": 100,
    "feature_fraction": 0.6, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 7, "bagging_seed": 7, "feature_fraction_seed": 7, "data_random_seed": 7,
    "deterministic": True, "force_row_wise": True, "verbose": -1,
}
NUM_ROUNDS = 250
#: The context pass (`textcontext`): a smaller model over first-pass probabilities.
CONTEXT_PARAMS: dict = dict(LGB_PARAMS, num_leaves=15, learning_rate=0.1)
CONTEXT_ROUNDS = 100
#: Snippet-labelled (trafilatura-eval) lines are few per page: they weigh this much. Out of fold at
#: threshold 0.55 (WCXB / trafilatura-eval F1): 1 -> 0.8320 / 0.8782, 2 -> 0.8315 / 0.8858,
#: 3 -> 0.8319 / 0.8881, 4 -> 0.8317 / 0.8868, 6 -> 0.8316 / 0.8954, 8 -> 0.8314 / 0.8917,
#: 12 -> 0.8312 / 0.8954.
SNIPPET_WEIGHT = 6.0
#: Weigh lines by log(1 + words) as the word metric does? Out of fold it changed nothing (WCXB 0.8207 /
#: trafilatura-eval 0.8851 against 0.8213 / 0.8828 at threshold 0.5) and let one-word chrome
#: ("Advertisement") through, so no.
WORD_WEIGHT = False
#: Tokens (and bigrams) kept in the learned log-odds vocabulary.
VOCAB_SIZE = 30000
#: Minimum number of labelled lines a token must occur in to get a log-odds entry.
VOCAB_MIN_COUNT = 8
#: Inner folds for the vocabulary columns of training rows.
INNER_FOLDS = 3
HASH_BITS = 22
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


# --------------------------------------------------------------------------- labelling
def label_lines(blocks: Sequence, page: Page) -> np.ndarray:
    """1 body, 0 boilerplate, -1 unknown, per line block of a rendered page.

    WCXB (full gold text): gold word-triple coverage of the line (`align.GoldText`); a
    one-word line is body when the word is in the gold text *and* a neighbouring line is
    body (lone words such as "Home" or "Share" occur in most gold texts too).
    trafilatura-eval: `align.label_from_snippets`.
    """
    if page.gold_text is None:
        return label_from_snippets(blocks, page.with_snippets, page.without_snippets).y
    gold = GoldText(page.gold_text)
    vocab = set(gold.joined.split())
    toks = [tokens(b.text) for b in blocks]
    y = np.array([int(gold.coverage(t) >= COVERAGE_BODY) if len(t) != 1 else -2 for t in toks], dtype=np.int8)
    for i in np.flatnonzero(y == -2):
        near = (i > 0 and y[i - 1] == 1) or (i + 1 < len(y) and y[i + 1] == 1)
        y[i] = int(bool(near) and toks[i][0] in vocab)
    return y


# --------------------------------------------------------------------------- rows
@dataclass
class Prepared:
    """A rendered page segmented, labelled and featurised (vocabulary columns left to the fold)."""

    page: Page
    seg: object
    y: np.ndarray
    Xb: np.ndarray
    ids: np.ndarray      # hashed token buckets, all lines concatenated
    line_of: np.ndarray  # line index of each entry of ids


def _bucket(tok: str, mask: int = (1 << HASH_BITS) - 1) -> int:
    """Deterministic token bucket (crc32; Python's hash() is salted per process)."""
    return zlib.crc32(tok.encode("utf-8")) & mask


def prepare(pages: Sequence[Page]) -> list[Prepared]:
    """Rows of the text pages of `bench.render.text_pages`."""
    from .textfeatures import base_features
    from .textmode import repair_text, segment

    out = []
    for pg in pages:
        seg = segment(repair_text(page_text(pg)))
        Xb, terms = base_features(seg.lines, seg.blank_before, seg.blank_after, seg.bullets)
        ids = np.fromiter(map(_bucket, terms.terms), dtype=np.int64, count=len(terms.terms))
        out.append(Prepared(pg, seg, label_lines(seg.blocks, pg), Xb, ids, terms.line_of))
    return out


def build_vocab(prep: Sequence[Prepared]) -> np.ndarray:
    """Log-odds per hashed bucket from labelled lines (NaN where not in the vocabulary).

    Made pages (`augment`) repeat other pages' text: they take no part in the counts.
    """
    prep = [p for p in prep if not is_made(p.page)]
    size = 1 << HASH_BITS
    ids = np.concatenate([p.ids for p in prep]) if prep else np.zeros(0, np.int64)
    lab = np.concatenate([p.y[p.line_of] for p in prep]) if prep else np.zeros(0, np.int8)
    body = np.bincount(ids[lab == 1], minlength=size).astype(np.float64)
    boil = np.bincount(ids[lab == 0], minlength=size).astype(np.float64)
    tot = body + boil
    cand = np.flatnonzero(tot >= VOCAB_MIN_COUNT)
    if len(cand) > VOCAB_SIZE:
        cand = cand[np.argsort(-tot[cand], kind="stable")[:VOCAB_SIZE]]
    prior = np.log((body.sum() + 1) / (boil.sum() + 1))
    table = np.full(size, np.nan)
    table[cand] = np.clip(np.log((body[cand] + 1) / (boil[cand] + 1)) - prior, -4.0, 4.0)
    return table


def vocab_strings(prep: Sequence[Prepared], table: np.ndarray) -> dict[str, float]:
    """Bucket table back to token strings: the first token seen for each bucket in the vocabulary."""
    from .textfeatures import line_tokens

    vocab: dict[str, float] = {}
    seen: set[int] = set()
    for p in prep:
        for line in p.seg.lines:  # type: ignore[attr-defined]
            for t in line_tokens(line):
                b = _bucket(t)
                if b not in seen and not np.isnan(table[b]):
                    seen.add(b)
                    vocab[t] = round(float(table[b]), 4)
    return dict(sorted(vocab.items()))


def vocab_cols(p: Prepared, table: np.ndarray) -> np.ndarray:
    """The VOCAB_NAMES columns of one page from a bucket table (as `textfeatures.vocab_features`)."""
    from .textfeatures import vocab_columns
    return vocab_columns(table[p.ids], p.line_of, len(p.y))


def nested_tables(prep: Sequence[Prepared]) -> list[np.ndarray]:
    """Out-of-fold vocab tables for training rows (so log-odds are not fitted on their own labels)."""
    inner = [fold_of(p.page.host, INNER_FOLDS) for p in prep]
    tabs: list[np.ndarray] = [np.empty(0)] * len(prep)
    for k in range(INNER_FOLDS):
        t = build_vocab([p for p, f in zip(prep, inner) if f != k])
        for i, f in enumerate(inner):
            if f == k:
                tabs[i] = t
    return tabs


def _train(X: np.ndarray, prep: Sequence[Prepared], params: dict, rounds: int, threads: int):
    """A booster on rows `X` of `prep`'s lines (labelled lines only; snippet lines weighted up)."""
    import lightgbm as lgb

    y = np.concatenate([p.y for p in prep])
    w = np.concatenate([np.full(len(p.y), (1.0 if p.page.dataset == WCXB else SNIPPET_WEIGHT) * weight(p.page))
                        for p in prep])
    if WORD_WEIGHT:
        from .textfeatures import BASE_NAMES
        w = w * np.log1p(np.concatenate([p.Xb[:, BASE_NAMES.index("words")] for p in prep]))
    m = y >= 0
    ds = lgb.Dataset(X[m], label=y[m].astype(np.float32), weight=w[m], free_raw_data=True)
    return lgb.train(dict(params, num_threads=threads), ds, num_boost_round=rounds)


def train_booster(prep: Sequence[Prepared], threads: int):
    """The first pass on `prep` (vocabulary columns from nested tables)."""
    from .textfeatures import assemble_features

    X = np.concatenate([assemble_features(p.Xb, vocab_cols(p, t)) for p, t in zip(prep, nested_tables(prep))])
    return _train(X, prep, LGB_PARAMS, NUM_ROUNDS, threads)


def fit(prep: Sequence[Prepared], threads: int, threshold: float):
    """A first-pass `textmode.LineModel` trained on `prep`, with its vocabulary."""
    from .textmode import LineModel

    vocab = vocab_strings(prep, build_vocab(prep))
    return LineModel(train_booster(prep, threads), vocab, threshold)


def first_pass(p: Prepared, model) -> tuple[np.ndarray, np.ndarray]:
    """Rows (with `model`'s vocabulary) and first-pass probabilities of one page, as at inference."""
    from .textfeatures import features

    seg = p.seg
    X = features(seg.lines, seg.blank_before, seg.blank_after, seg.bullets, model.index)  # type: ignore[attr-defined]
    return X, model.booster.predict(X, num_threads=1)


@dataclass
class CrossFit:
    """Fold models (each without its hosts) and the out-of-fold context rows of every page."""

    models: list
    context_rows: list[np.ndarray]


def cross_fit(prep: Sequence[Prepared], folds: int, threads: int, threshold: float, context: bool = False) -> CrossFit:
    """k-fold by host: the first pass, then the context pass on out-of-fold first-pass probabilities."""
    from .textcontext import text_context_features

    fold_ids = [fold_of(p.page.host, folds) for p in prep]
    models = []
    for k in range(folds):
        t0 = time.time()
        models.append(fit([p for p, f in zip(prep, fold_ids) if f != k], threads, threshold))
        print(f"text line model, fold {k + 1}/{folds}: {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    rows = [text_context_features(*first_pass(p, models[f])[::-1]) for p, f in zip(prep, fold_ids)] if context else []
    if context:
        for k in range(folds):
            train = [i for i, f in enumerate(fold_ids) if f != k]
            ctx = _train(np.concatenate([rows[i] for i in train]), [prep[i] for i in train], CONTEXT_PARAMS,
                         CONTEXT_ROUNDS, threads)
            models[k] = replace(models[k], context=ctx)
        print("text context pass trained on out-of-fold first-pass probabilities", file=sys.stderr, flush=True)
    return CrossFit(models, rows)


def shipped_threshold() -> float:
    from .textmode import load_model
    return float(load_model()[1].get("threshold", 0.5))


class TextOofExtractor:
    """Text page -> cleaned text with the fold model that never saw the page's host (`--input text --oof`)."""

    def __init__(self, models: Sequence) -> None:
        self.models = list(models)

    def __call__(self, page: Page) -> str:
        from .textmode import clean_text
        return clean_text(page_text(page), url=page.url, model=self.models[fold_of(page.host, len(self.models))]).text


def oof_extractor(pages: Sequence[Page], folds: int = 5, threads: int = 1) -> TextOofExtractor:
    """Fold models on the renderings of the HTML `pages` and of the pages made from them (recipe and
    threshold as shipped)."""
    from .bench.render import text_pages
    prep = prepare(text_pages(training_pages(pages, folds)))
    print(f"copydesk-text-oof: training {folds} fold models on {len(prep)} pages", file=sys.stderr, flush=True)
    from .textmode import load_model
    context = bool(load_model()[1].get("context"))
    return TextOofExtractor(cross_fit(prep, folds, threads, shipped_threshold(), context).models)


# --------------------------------------------------------------------------- title lines
#: The title-line model (`texttitle`): a small binary model over each page's candidates.
TITLE_PARAMS: dict = dict(LGB_PARAMS, num_leaves=15, learning_rate=0.05, min_data_in_leaf=20, feature_fraction=0.8)
TITLE_ROUNDS = 200
#: A page's best candidate is its title when it scores at least this. Higher thresholds lost exact
#: titles (grouped folds, an early set of candidates: 0.444 at 0, 0.421 at 0.1, 0.326 at 0.3): for
#: the metric, a missing title is as wrong as a wrong one.
TITLE_THRESHOLD = 0.0


@dataclass
class TitleRows:
    """One WCXB page's title candidates: their features and whether each is the gold title."""

    host: str
    X: np.ndarray
    y: np.ndarray


def title_rows(prep: Sequence[Prepared], oof: Sequence[np.ndarray], threshold: float) -> list[TitleRows]:
    """Candidates of the pages with a gold title, from the line model's out-of-fold probabilities
    (as `texttitle.pick` will see a new page's); a page without a body counts, with no candidate."""
    from . import texttitle
    from .bench.metrics import title_exact
    from .textmode import decide

    out = []
    for p, probs in zip(prep, oof):
        gold = p.page.gold_title
        if not gold:
            continue
        res = decide(p.seg, probs, threshold) if len(probs) else {"body_start": -1}  # type: ignore[arg-type]
        start = res["body_start"]
        idx = np.zeros(0, np.int64)
        if start >= 0:
            idx = texttitle.candidates(p.seg, start, res["body_alone"])  # type: ignore[arg-type]
        y = np.array([title_exact(p.seg.lines[i], gold) for i in idx], np.float64)  # type: ignore[attr-defined]
        out.append(TitleRows(p.page.host, texttitle.features(p.seg, probs, start, idx), y))  # type: ignore[arg-type]
    return out


def train_title(rows: Sequence[TitleRows], threads: int):
    import lightgbm as lgb
    rows = [r for r in rows if len(r.y)]
    ds = lgb.Dataset(np.concatenate([r.X for r in rows]), np.concatenate([r.y for r in rows]))
    return lgb.train(dict(TITLE_PARAMS, num_threads=threads), ds, num_boost_round=TITLE_ROUNDS)


def title_oof(rows: Sequence[TitleRows], folds: int, threads: int) -> float:
    """Share of the pages whose gold title the fold model (grouped by host) picks exactly."""
    right = 0
    for k in range(folds):
        model = train_title([r for r in rows if fold_of(r.host, folds) != k], threads)
        for r in rows:
            if fold_of(r.host, folds) == k and len(r.y):
                score = model.predict(r.X, num_threads=1)
                right += bool(score.max() >= TITLE_THRESHOLD and r.y[int(np.argmax(score))])
    return right / max(len(rows), 1)


# --------------------------------------------------------------------------- decoding choices
def body_text(p: Prepared, probs: np.ndarray, threshold: float, share: np.ndarray | None = None) -> str:
    from .assemble import assemble
    from .textmode import decide

    seg = p.seg
    res = decide(seg, probs, threshold, share)  # type: ignore[arg-type]
    return "\n\n".join(par.text for par in assemble(seg.kept_blocks(res["keep"])))  # type: ignore[attr-defined]


def evaluate(prep: Sequence[Prepared], texts: Sequence[str]) -> dict[str, float]:
    """WCXB mean word F1 and trafilatura-eval F1 of `texts`, scored by the bench."""
    from .bench.accuracy import CallResult, score_pages

    report = score_pages([p.page for p in prep], {"x": [CallResult(t, None, 0.0) for t in texts]})
    out: dict[str, float] = {}
    if report.wcxb:
        r = report.wcxb[0]
        out.update(wcxb_p=r.precision, wcxb_r=r.recall, wcxb_f1=r.f1)
    if report.trafilatura_eval:
        t = report.trafilatura_eval[0]
        out.update(te_p=t.precision, te_r=t.recall, te_f1=t.f1)
    return out


def choose_threshold(prep: Sequence[Prepared], oof: Sequence[np.ndarray]) -> tuple[float, dict[str, float]]:
    """The global threshold maximising WCXB F1 + trafilatura-eval F1 out of fold."""
    best_thr, best, best_r = 0.5, -1.0, {}
    for thr in THRESHOLDS:
        r = evaluate(prep, [body_text(p, o, thr) for p, o in zip(prep, oof)])
        print(f"  threshold {thr}: " + " ".join(f"{k}={v:.4f}" for k, v in r.items()), flush=True)
        score = r.get("wcxb_f1", 0) + r.get("te_f1", 0)
        if score > best:
            best, best_thr, best_r = score, thr, r
    print(f"chosen threshold {best_thr}")
    return best_thr, best_r


def corpus_eval(prep: Sequence[Prepared], oof: Sequence[np.ndarray], thr: float) -> dict[str, float]:
    """OOF F1 of pages whose host has >= MIN_HOST_PAGES pages, without and with the corpus post-rule."""
    from .corpus import MIN_HOST_PAGES, count_lines, line_keys

    hosts = Counter(p.page.host for p in prep)
    sel = [i for i, p in enumerate(prep) if p.page.host and hosts[p.page.host] >= MIN_HOST_PAGES]
    counts = count_lines((prep[i].page.host, page_text(prep[i].page)) for i in sel)
    sub = [prep[i] for i in sel]
    plain = evaluate(sub, [body_text(prep[i], oof[i], thr) for i in sel])
    shares = [counts.host_share(prep[i].page.host, line_keys(prep[i].seg.lines)) for i in sel]  # type: ignore[attr-defined]
    corp = evaluate(sub, [body_text(prep[i], oof[i], thr, sh) for i, sh in zip(sel, shares)])
    out = {"pages": float(len(sel))}
    out.update({f"single_{k}": v for k, v in plain.items()})
    out.update({f"corpus_{k}": v for k, v in corp.items()})
    return out


def reevaluate(prep: Sequence[Prepared], out_dir: Path) -> int:
    """Refresh threshold + OOF figures in the meta from the saved OOF probabilities."""
    with (CACHE_DIR / OOF_FILE).open("rb") as f:
        oof = pickle.load(f)["oof"]
    if len(oof) != len(prep):
        print("saved OOF probabilities do not match these pages; run the full training", file=sys.stderr)
        return 1
    thr, r = choose_threshold(prep, oof)
    meta_path = out_dir / "lines.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["threshold"] = thr
    meta["oof"]["copydesk-text"] = r
    meta["oof"]["corpus-mode"] = corpus_eval(prep, oof, thr)
    meta["oof_note"] = "copydesk-text and corpus-mode figures recomputed by --reevaluate after a labelling change"
    print("copydesk-text", r, "\ncorpus-mode", meta["oof"]["corpus-mode"])
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    from .bench.datasets import load_pages
    from .bench.render import text_pages
    from .textfeatures import FEATURE_NAMES
    from .textmode import score_segmented
    from .texttitle import FEATURE_NAMES as TITLE_FEATURES

    ap = argparse.ArgumentParser(prog="python -m copydesk.train_text", description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None, help="shared data folder (default $COPYDESK_DATA or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N pages of each corpus")
    ap.add_argument("--threads", type=int, default=1, help="LightGBM threads (default 1)")
    ap.add_argument("--no-final", action="store_true", help="skip training/writing the shipped model")
    ap.add_argument("--reevaluate", action="store_true",
                    help="re-run threshold choice and OOF figures of the current decoding code from the "
                         "saved OOF probabilities (no retraining) and update the meta file")
    ap.add_argument("--context", action="store_true",
                    help="add the context pass (textcontext); measured out of fold it changed neither F1 "
                         "(WCXB +0.0015, trafilatura-eval -0.0013) and it costs a second prediction")
    ap.add_argument("--out-dir", default=str(Path(__file__).resolve().parent / "models"))
    a = ap.parse_args(argv)

    t0 = time.time()
    prep = prepare(text_pages(training_pages(load_pages(a.data_dir, "all", limit=a.limit), a.folds)))
    real = [p for p in prep if not is_made(p.page)]  # made pages are trained on, never scored
    print(f"{len(real)} pages (+{len(prep) - len(real)} made), {sum(len(p.y) for p in real)} lines, "
          f"prepared in {time.time() - t0:.0f}s", flush=True)
    if a.reevaluate:
        return reevaluate(real, Path(a.out_dir))
    cv = cross_fit(prep, a.folds, a.threads, 0.5, a.context)
    oof = [score_segmented(p.seg, cv.models[fold_of(p.page.host, a.folds)]) for p in real]  # type: ignore[arg-type]
    results: dict[str, dict] = {}
    best_thr, results["copydesk-text"] = choose_threshold(real, oof)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / OOF_FILE).open("wb") as f:
        pickle.dump({"oof": oof, "threshold": best_thr}, f)
    results["corpus-mode"] = corpus_eval(real, oof, best_thr)
    print("corpus post-rule on hosts with >= 5 pages:", results["corpus-mode"])
    titles = title_rows(real, oof, best_thr)
    results["title-exact"] = {"wcxb_pages": len(titles), "title_exact": round(title_oof(titles, a.folds, a.threads), 4)}
    print("title line model, out of fold:", results["title-exact"], flush=True)
    print(f"OOF done in {time.time() - t0:.0f}s", flush=True)
    if a.no_final:
        return 0
    model = fit(prep, a.threads, best_thr)
    if cv.context_rows:
        model = replace(model, context=_train(np.concatenate(cv.context_rows), prep, CONTEXT_PARAMS, CONTEXT_ROUNDS,
                                              a.threads))
    summary = json.dumps({"pages": [[p.page.key, int(len(p.y)), int((p.y == 1).sum()), int((p.y == 0).sum())]
                                    for p in prep]}, sort_keys=True)
    out_dir = Path(a.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.booster.save_model(str(out_dir / "lines.lgb.txt"))
    train_title(titles, a.threads).save_model(str(out_dir / "lines.title.lgb.txt"))
    context_file = out_dir / "lines.context.lgb.txt"
    if model.context is not None:
        model.context.save_model(str(context_file))
    elif context_file.exists():
        context_file.unlink()
    meta = {
        "features": FEATURE_NAMES, "params": dict(LGB_PARAMS, num_threads=a.threads),
        "num_rounds": NUM_ROUNDS, "threshold": best_thr, "hash_bits": HASH_BITS,
        "context": model.context is not None, "context_params": dict(CONTEXT_PARAMS, num_threads=a.threads),
        "context_rounds": CONTEXT_ROUNDS,
        "title": {"features": TITLE_FEATURES, "params": dict(TITLE_PARAMS, num_threads=a.threads),
                  "rounds": TITLE_ROUNDS, "threshold": TITLE_THRESHOLD},
        "training_data_sha256": hashlib.sha256(summary.encode()).hexdigest(),
        "training_pages": len(real), "made_pages": len(prep) - len(real), "folds": a.folds, "oof": results,
        "vocab": model.vocab,
    }
    (out_dir / "lines.meta.json").write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")),
                                             encoding="utf-8")
    print(f"wrote {out_dir / 'lines.lgb.txt'} ({len(model.vocab)} vocabulary entries), total {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
