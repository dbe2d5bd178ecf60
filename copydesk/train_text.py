"""Training and out-of-fold evaluation of the scraped-text line model.

Owns: rendering the shared annotated HTML pages to plain text the way a
simple scraper would, labelling their lines from the ground truth, the
grouped-by-host cross-validation (copydesk-text against three baselines on
the same renderings) and writing the shipped model
(`copydesk/models/lines.lgb.txt` + `lines.meta.json`).

    python -m copydesk.train_text [--data-dir ../shared/data] [--folds 5]
        [--limit N] [--threads 2] [--no-final]

Renderings and labels are cached under /tmp (never in the repository).
"""
from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
import os
import pickle
import re
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .bench.metrics import segment_counts, word_prf

#: Where renderings and labels are cached.
CACHE_DIR = Path(os.environ.get("COPYDESK_TEXT_CACHE", "/tmp/copydesk_text_cache"))
#: Bump when rendering or labelling changes.
CACHE_VERSION = 3
#: A WCXB line is body when at least this share of its tokens is covered by gold word trigrams.
TRIGRAM_COVER_MIN = 0.5
#: Elements whose text is never rendered.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title",
                       "iframe", "object", "canvas", "select", "option", "math", "-comment"})
#: Elements that end a line and are followed by a blank line.
PARA_TAGS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "nav", "aside",
                       "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote",
                       "pre", "form", "figure", "figcaption", "address", "hr", "fieldset", "details",
                       "summary", "body", "center", "menu", "hgroup", "dialog"})
#: Elements that end a line without a blank line.
LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "br", "option", "caption", "legend", "label",
                       "button", "td", "th"})
#: LightGBM parameters of the line model.
LGB_PARAMS: dict = {
    "objective": "binary", "learning_rate": 0.08, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 7, "bagging_seed": 7, "feature_fraction_seed": 7, "data_random_seed": 7,
    "deterministic": True, "force_row_wise": True, "verbose": -1,
}
NUM_ROUNDS = 250
#: Tokens (and bigrams) kept in the learned log-odds vocabulary.
VOCAB_SIZE = 30000
#: Minimum number of labelled lines a token must occur in to get a log-odds entry.
VOCAB_MIN_COUNT = 8

_WORD = re.compile(r"\w+")
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- rendering
def decode_html(raw: bytes) -> str:
    """Bytes to text the way a careless scraper does: UTF-8, else a detected charset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(raw).best()
        if best is not None:
            return str(best)
    except Exception:  # noqa: BLE001 - best effort
        pass
    return raw.decode("utf-8", "replace")


def render_text(html: str) -> str:
    """All visible text, one line per block element, blank lines between paragraph-level blocks."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    out: list[str] = []
    buf: list[str] = []

    def flush(blank: bool) -> None:
        if buf:
            line = _WS.sub(" ", "".join(buf)).strip()
            buf.clear()
            if line:
                out.append(line)
        if blank and out and out[-1] != "":
            out.append("")
        elif not blank and out and out[-1] != "" and out[-1] != "\n":
            pass

    # iterative DFS with explicit exit events
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag  # type: ignore[attr-defined]
        if leaving:
            flush(tag in PARA_TAGS)
            continue
        if tag == "-text":
            t = node.text_content  # type: ignore[attr-defined]
            if t:
                buf.append(t)
            continue
        if tag in SKIP_TAGS or tag is None:
            continue
        if tag in PARA_TAGS or tag in LINE_TAGS:
            flush(tag in PARA_TAGS)
            if tag in ("td", "th"):
                buf.append(" ")
        if tag in PARA_TAGS or tag in LINE_TAGS:
            stack.append((node, True))
        kids = []
        child = node.child  # type: ignore[attr-defined]
        while child is not None:
            kids.append(child)
            child = child.next
        for k in reversed(kids):
            stack.append((k, False))
    flush(True)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def host_of(url: str) -> str:
    """URL netloc without a leading www."""
    net = urlsplit(url).netloc.lower()
    return net[4:] if net.startswith("www.") else net


# --------------------------------------------------------------------------- labelling
def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _norm_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def label_wcxb(lines: list[str], gold: str) -> np.ndarray:
    """1 = body, 0 = boilerplate, -1 = blank line; by gold word-trigram coverage."""
    gt = _tokens(gold)
    tri = {tuple(gt[i:i + 3]) for i in range(len(gt) - 2)}
    bi = {tuple(gt[i:i + 2]) for i in range(len(gt) - 1)}
    uni = set(gt)
    y = np.full(len(lines), -1, dtype=np.int8)
    for i, line in enumerate(lines):
        toks = _tokens(line)
        n = len(toks)
        if not line.strip():
            continue
        if n == 0:
            y[i] = 0
            continue
        if n == 1:
            y[i] = -2  # decided from the neighbours below
            continue
        if n == 2:
            y[i] = int(tuple(toks) in bi)
            continue
        cov = np.zeros(n, dtype=bool)
        for j in range(n - 2):
            if tuple(toks[j:j + 3]) in tri:
                cov[j:j + 3] = True
        y[i] = int(cov.mean() >= TRIGRAM_COVER_MIN)
    # one-word lines: body when the word is in the gold text and a neighbouring line is body
    idx = [i for i in range(len(lines)) if y[i] != -1]
    for k, i in enumerate(idx):
        if y[i] != -2:
            continue
        near = [y[idx[j]] for j in (k - 1, k + 1) if 0 <= j < len(idx)]
        tok = _tokens(lines[i])[0]
        y[i] = int(tok in uni and any(v == 1 for v in near))
    return y


def label_snippets(lines: list[str], with_: list[str], without: list[str]) -> np.ndarray:
    """1 = line holds a `with` snippet, 0 = holds a `without` snippet, -1 = unknown/blank."""
    y = np.full(len(lines), -1, dtype=np.int8)
    w = [_norm_ws(s) for s in with_ if _norm_ws(s)]
    wo = [_norm_ws(s) for s in without if _norm_ws(s)]
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        nl = _norm_ws(line)
        if any(s in nl for s in w):
            y[i] = 1
        elif any(s in nl for s in wo):
            y[i] = 0
    return y


@dataclass
class Page:
    """One rendered, labelled page."""

    source: str          # "wcxb" | "trafeval"
    pid: str
    url: str
    host: str
    text: str
    labels: np.ndarray | None  # per segmented line; filled at training time (see `label_page`)
    gold: str = ""
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    page_type: str = ""


def _load_gt(path: Path) -> dict:
    d = json.loads(path.read_text(encoding="utf-8"))
    gt = d["ground_truth"]
    if isinstance(gt, str):
        gt = ast.literal_eval(gt)
    internal = d.get("_internal")
    if isinstance(internal, str):
        try:
            internal = ast.literal_eval(internal)
        except Exception:  # noqa: BLE001
            internal = {}
    ptype = ""
    if isinstance(internal, dict):
        ptype = (internal.get("page_type") or {}).get("primary", "")
    return {"url": d.get("url", ""), "gt": gt, "page_type": ptype}


def load_pages(data_dir: Path, limit: int | None = None) -> list[Page]:
    """Render + label every page (cached under CACHE_DIR)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(f"{CACHE_VERSION}|{data_dir.resolve()}|{limit}".encode()).hexdigest()[:16]
    cache = CACHE_DIR / f"pages_{key}.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    pages: list[Page] = []
    wdir = data_dir / "wcxb-dev"
    files = sorted((wdir / "html").glob("*.html.gz"))
    if limit:
        files = files[:limit]
    for fp in files:
        pid = fp.name.split(".")[0]
        gtp = wdir / "ground-truth" / f"{pid}.json"
        if not gtp.exists():
            continue
        meta = _load_gt(gtp)
        text = render_text(decode_html(gzip.decompress(fp.read_bytes())))
        gt = meta["gt"]
        pages.append(Page("wcxb", pid, meta["url"], host_of(meta["url"]), text, None,
                          gold=gt.get("main_content") or "", with_=list(gt.get("with") or []),
                          without=list(gt.get("without") or []), page_type=meta["page_type"]))
    tdir = data_dir / "trafilatura-eval"
    ev = json.loads((tdir / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(ev.items())
    if limit:
        items = items[:limit]
    for url, rec in items:
        fp = tdir / "html" / rec["file"]
        if not fp.exists():
            continue
        text = render_text(decode_html(gzip.decompress(fp.read_bytes())))
        pages.append(Page("trafeval", rec["file"].split(".")[0], url, host_of(url), text, None,
                          with_=list(rec.get("with") or []), without=list(rec.get("without") or [])))
    with cache.open("wb") as f:
        pickle.dump(pages, f, protocol=pickle.HIGHEST_PROTOCOL)
    return pages


def label_page(page: Page, lines: list[str]) -> np.ndarray:
    """Labels for the segmented lines of a page (see `label_wcxb` / `label_snippets`)."""
    if page.source == "wcxb":
        return label_wcxb(lines, page.gold)
    return label_snippets(lines, page.with_, page.without)


# --------------------------------------------------------------------------- metrics
def evaluate(pages: list["Prepared"], texts: list[str]) -> dict[str, float]:
    """WCXB mean P/R/F1 (+ snippet rates) and trafilatura-eval corpus P/R/F1."""
    ws, tps, fps, fns = [], 0, 0, 0
    wh, wo, nwh, nwo = 0, 0, 0, 0
    for pp, t in zip(pages, texts):
        pg = pp.page
        if pg.source == "wcxb":
            m = word_prf(t, pg.gold)
            ws.append((m.precision, m.recall, m.f1))
            tl = t.lower()
            wh += sum(1 for s in pg.with_ if s.lower() in tl)
            nwh += len(pg.with_)
            wo += sum(1 for s in pg.without if s.lower() in tl)
            nwo += len(pg.without)
        else:
            c = segment_counts(t, pg.with_, pg.without)
            tps, fps, fns = tps + c.tp, fps + c.fp, fns + c.fn
    out: dict[str, float] = {}
    if ws:
        arr = np.array(ws)
        out.update(wcxb_p=float(arr[:, 0].mean()), wcxb_r=float(arr[:, 1].mean()),
                   wcxb_f1=float(arr[:, 2].mean()), wcxb_with_rate=wh / max(nwh, 1),
                   wcxb_without_rate=wo / max(nwo, 1), wcxb_pages=len(ws))
    if tps + fps + fns:
        p = tps / max(tps + fps, 1)
        r = tps / max(tps + fns, 1)
        out.update(te_p=p, te_r=r, te_f1=2 * p * r / (p + r) if p + r else 0.0)
    return out


# --------------------------------------------------------------------------- dataset
@dataclass
class Prepared:
    """A page segmented, labelled and featurised (vocabulary columns left to the fold)."""

    page: Page
    seg: object
    y: np.ndarray
    Xb: np.ndarray
    ids: np.ndarray      # hashed token buckets, all lines concatenated
    line_of: np.ndarray  # line index of each entry of ids
    toks: list[list[str]] | None = None


HASH_BITS = 22


def _bucket(tok: str, mask: int = (1 << HASH_BITS) - 1) -> int:
    """Deterministic token bucket (crc32; Python's hash() is salted per process)."""
    return zlib.crc32(tok.encode("utf-8")) & mask


def group_kfold(groups: list[str], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds with no group on both sides: largest groups first, each to the lightest fold."""
    sizes = Counter(groups)
    order = sorted(sizes, key=lambda g: (-sizes[g], g))
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in order:
        f = min(range(k), key=lambda j: (load[j], j))
        fold_of[g] = f
        load[f] += sizes[g]
    idx = np.arange(len(groups))
    fo = np.array([fold_of[g] for g in groups])
    return [(idx[fo != f], idx[fo == f]) for f in range(k)]


def prepare(pages: list[Page]) -> list[Prepared]:
    from .textfeatures import base_features
    from .textmode import repair_text, segment

    mask = (1 << HASH_BITS) - 1
    out = []
    for pg in pages:
        seg = segment(repair_text(pg.text))
        lines = seg.lines
        y = label_page(pg, lines)
        Xb, toks = base_features(lines, seg.blank_before, seg.blank_after, seg.bullets)
        lens = np.fromiter((len(t) for t in toks), dtype=np.int64, count=len(toks))
        flat = [t for ts in toks for t in ts]
        ids = np.fromiter((_bucket(t) for t in flat), dtype=np.int64, count=len(flat))
        out.append(Prepared(pg, seg, y, Xb, ids, np.repeat(np.arange(len(toks)), lens)))
    return out


def build_vocab(prep: list[Prepared]) -> np.ndarray:
    """Log-odds per hashed bucket from labelled lines (NaN where not in the vocabulary)."""
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


def vocab_cols(p: Prepared, table: np.ndarray) -> np.ndarray:
    """The VOCAB_NAMES columns of one page from a bucket table (mirrors textfeatures.vocab_features)."""
    n = len(p.y)
    out = np.zeros((n, 5), dtype=np.float32)
    if not len(p.ids):
        return out
    v = table[p.ids]
    known = ~np.isnan(v)
    li = p.line_of[known]
    vk = v[known]
    cnt = np.bincount(li, minlength=n)
    tot = np.bincount(p.line_of, minlength=n)
    s = np.bincount(li, weights=vk, minlength=n)
    mn = np.full(n, np.inf)
    mx = np.full(n, -np.inf)
    np.minimum.at(mn, li, vk)
    np.maximum.at(mx, li, vk)
    has = cnt > 0
    out[has, 0] = s[has] / cnt[has]
    out[has, 1] = mn[has]
    out[has, 2] = mx[has]
    out[has, 3] = s[has]
    out[has, 4] = cnt[has] / tot[has]
    return out


def fold_matrix(prep: list[Prepared], tables: list[np.ndarray]) -> np.ndarray:
    from .textfeatures import assemble_features
    return np.concatenate([assemble_features(p.Xb, vocab_cols(p, t)) for p, t in zip(prep, tables)])


def nested_tables(prep: list[Prepared], inner: int = 3) -> list[np.ndarray]:
    """Out-of-fold vocab tables for training rows (so log-odds are not fitted on their own labels)."""
    groups = [p.page.host for p in prep]
    tabs: list[np.ndarray | None] = [None] * len(prep)
    for tr, va in group_kfold(groups, inner):
        t = build_vocab([prep[i] for i in tr])
        for i in va:
            tabs[i] = t
    return tabs  # type: ignore[return-value]


def train_booster(prep: list[Prepared], tables: list[np.ndarray], threads: int):
    import lightgbm as lgb

    X = fold_matrix(prep, tables)
    y = np.concatenate([p.y for p in prep])
    m = y >= 0
    # trafilatura-eval pages only label a few lines each: weight them up a little
    w = np.concatenate([np.full(len(p.y), 1.0 if p.page.source == "wcxb" else 2.0) for p in prep])
    params = dict(LGB_PARAMS, num_threads=threads)
    ds = lgb.Dataset(X[m], label=y[m].astype(np.float32), weight=w[m], free_raw_data=True)
    return lgb.train(params, ds, num_boost_round=NUM_ROUNDS)


# --------------------------------------------------------------------------- baselines
def c4_keep(lines: list[str]) -> list[bool]:
    return [(l.rstrip()[-1:] in ".!?\"'”" and len(l.split()) >= 3 and "javascript" not in l.lower())
            for l in lines]


_JT_LANGS = ("English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Polish",
             "Russian", "Czech", "Swedish", "Danish", "Finnish", "Norwegian_Bokmal", "Turkish", "Hungarian")
_jt_stop: dict[str, frozenset] = {}


def justext_text(lines: list[str]) -> str:
    import html as _html

    import justext

    if not _jt_stop:
        for lang in _JT_LANGS:
            try:
                _jt_stop[lang] = frozenset(justext.get_stoplist(lang))
            except Exception:  # noqa: BLE001
                pass
    words = [w for l in lines[:400] for w in _tokens(l)]
    lang = max(_jt_stop, key=lambda k: sum(1 for w in words if w in _jt_stop[k]))
    doc = "<html><body>" + "".join(f"<p>{_html.escape(l)}</p>" for l in lines) + "</body></html>"
    try:
        paras = justext.justext(doc.encode("utf-8"), _jt_stop[lang], encoding="utf-8")
    except Exception:  # noqa: BLE001
        return ""
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


# --------------------------------------------------------------------------- main
def body_text(p: Prepared, probs: np.ndarray, threshold: float, share: np.ndarray | None = None) -> str:
    from .assemble import assemble
    from .textmode import decide

    seg = p.seg
    res = decide(seg, probs, threshold, share)
    return "\n\n".join(par.text for par in assemble(b for b, k in zip(seg.blocks, res["keep"]) if k))


def speed(pages: list[Page]) -> int:
    """Print clean_text throughput on the renderings (CPU seconds of this process)."""
    from .textmode import clean_text

    texts = [p.text for p in pages]
    clean_text(texts[0])
    c0, w0 = time.process_time(), time.perf_counter()
    for t in texts:
        clean_text(t)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    chars = sum(map(len, texts))
    print(f"{len(texts)} pages, {chars / len(texts):.0f} chars/page: {len(texts) / cpu:.0f} pages/s per CPU "
          f"second ({chars / cpu / 1e6:.2f} M chars/s), wall {len(texts) / wall:.0f} pages/s")
    return 0


def corpus_eval(prep: list[Prepared], oof: list[np.ndarray], thr: float) -> dict[str, float]:
    """OOF F1 of pages whose host has >= MIN_HOST_PAGES pages, without and with the corpus post-rule."""
    from .corpus import KEY_CHARS, MIN_HOST_PAGES, count_lines
    from .textfeatures import normalise_line

    hosts = Counter(p.page.host for p in prep)
    sel = [i for i, p in enumerate(prep) if p.page.host and hosts[p.page.host] >= MIN_HOST_PAGES]
    counts = count_lines((prep[i].page.host, prep[i].page.text) for i in sel)
    sub = [prep[i] for i in sel]
    plain = evaluate(sub, [body_text(prep[i], oof[i], thr) for i in sel])
    shares = [counts.host_share(prep[i].page.host, [normalise_line(t[:KEY_CHARS]) for t in prep[i].seg.lines])
              for i in sel]
    corp = evaluate(sub, [body_text(prep[i], oof[i], thr, sh) for i, sh in zip(sel, shares)])
    out = {"pages": float(len(sel))}
    out.update({f"single_{k}": v for k, v in plain.items() if k.endswith(("f1", "_p", "_r"))})
    out.update({f"corpus_{k}": v for k, v in corp.items() if k.endswith(("f1", "_p", "_r"))})
    return out


THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def choose_threshold(prep: list[Prepared], oof: list[np.ndarray]) -> tuple[float, dict[str, float]]:
    """The global threshold maximising WCXB F1 + trafilatura-eval F1 out of fold (full labelling step)."""
    best_thr, best, best_r = 0.5, -1.0, {}
    for thr in THRESHOLDS:
        r = evaluate(prep, [body_text(p, o, thr) for p, o in zip(prep, oof)])
        print(f"  threshold {thr}: " + " ".join(f"{k}={v:.4f}" for k, v in r.items()), flush=True)
        score = r.get("wcxb_f1", 0) + r.get("te_f1", 0)
        if score > best:
            best, best_thr, best_r = score, thr, r
    print(f"chosen threshold {best_thr}")
    return best_thr, best_r


def reevaluate(prep: list[Prepared], out_dir: Path) -> int:
    """Refresh threshold + OOF figures in the meta from the saved OOF probabilities."""
    with (CACHE_DIR / "oof_last.pkl").open("rb") as f:
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m copydesk.train_text", description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N pages of each source")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-final", action="store_true", help="skip training/writing the shipped model")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--reevaluate", action="store_true",
                    help="re-run threshold choice and OOF figures of the current labelling code from the "
                         "saved OOF probabilities (no retraining) and update the meta file")
    ap.add_argument("--speed", action="store_true",
                    help="only measure clean_text pages/s (CPU time, one process) on the cached renderings")
    ap.add_argument("--out-dir", default=str(Path(__file__).resolve().parent / "models"))
    a = ap.parse_args(argv)
    from .textfeatures import FEATURE_NAMES

    t0 = time.time()
    pages = load_pages(Path(a.data_dir), a.limit)
    if a.speed:
        return speed(pages)
    prep = prepare(pages)
    print(f"{len(prep)} pages, {sum(len(p.y) for p in prep)} lines, prepared in {time.time() - t0:.0f}s",
          flush=True)
    groups = [p.page.host for p in prep]
    if a.reevaluate:
        return reevaluate(prep, Path(a.out_dir))
    oof: list[np.ndarray | None] = [None] * len(prep)
    for k, (tr, va) in enumerate(group_kfold(groups, a.folds)):
        trp = [prep[i] for i in tr]
        booster = train_booster(trp, nested_tables(trp), a.threads)
        full = build_vocab(trp)
        vap = [prep[i] for i in va]
        P = booster.predict(fold_matrix(vap, [full] * len(vap)), num_threads=a.threads)
        off = 0
        for i, p in zip(va, vap):
            oof[i] = P[off:off + len(p.y)]
            off += len(p.y)
        print(f"fold {k}: {len(tr)} train / {len(va)} val pages, {time.time() - t0:.0f}s", flush=True)
    results: dict[str, dict] = {}
    best_thr, results["copydesk-text"] = choose_threshold(prep, oof)  # type: ignore[arg-type]
    if not a.no_baselines:
        results["keep-everything"] = evaluate(prep, ["\n".join(p.seg.lines) for p in prep])
        results["c4-line-filter"] = evaluate(prep, ["\n".join(l for l, k in zip(p.seg.lines, c4_keep(p.seg.lines)) if k)
                                                    for p in prep])
        results["justext-lines"] = evaluate(prep, [justext_text(p.seg.lines) for p in prep])
    for name, r in results.items():
        print(f"{name:18s} " + " ".join(f"{k}={v:.4f}" for k, v in r.items()))
    with (CACHE_DIR / "oof_last.pkl").open("wb") as f:
        pickle.dump({"oof": oof, "threshold": best_thr}, f)
    results["corpus-mode"] = corpus_eval(prep, oof, best_thr)  # type: ignore[arg-type]
    print("corpus post-rule on hosts with >= 5 pages:", results["corpus-mode"])
    print(f"OOF done in {time.time() - t0:.0f}s", flush=True)
    if a.no_final:
        return 0
    booster = train_booster(prep, nested_tables(prep), a.threads)
    table = build_vocab(prep)
    # bucket -> score back to strings: the first token seen for each selected bucket
    mask = (1 << HASH_BITS) - 1
    vocab: dict[str, float] = {}
    seen: set[int] = set()
    from .textfeatures import line_tokens
    for p in prep:
        for line in p.seg.lines:
            for t in line_tokens(line):
                b = _bucket(t)
                if b not in seen and not np.isnan(table[b]):
                    seen.add(b)
                    vocab[t] = round(float(table[b]), 4)
    summary = json.dumps({"pages": [[p.page.source, p.page.pid, int(len(p.y)), int((p.y == 1).sum()),
                                     int((p.y == 0).sum())] for p in prep]}, sort_keys=True)
    out_dir = Path(a.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out_dir / "lines.lgb.txt"))
    meta = {
        "features": FEATURE_NAMES, "params": dict(LGB_PARAMS, num_threads=a.threads),
        "num_rounds": NUM_ROUNDS, "threshold": best_thr, "hash_bits": HASH_BITS,
        "training_data_sha256": hashlib.sha256(summary.encode()).hexdigest(),
        "training_pages": len(prep), "folds": a.folds, "oof": results,
        "vocab": dict(sorted(vocab.items())),
    }
    (out_dir / "lines.meta.json").write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")),
                                             encoding="utf-8")
    print(f"wrote {out_dir / 'lines.lgb.txt'} ({len(vocab)} vocabulary entries), total {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
