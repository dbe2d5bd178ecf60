"""pagetype: what kind of page this is, and the decision threshold that suits it.

Owns the page-type stage between scoring and labelling. A small LightGBM
multiclass model (`models/pagetype.lgb.txt`, loaded by `score`) reads one row
per page: signals of the markup read before pruning (schema.org types in
JSON-LD and microdata, `og:type`, the shape and words of the URL path),
averages of the block features, and summaries of the block scores. Its
probabilities over `PAGE_TYPES` (the WCXB page types) name the page in
`Document.page_type` and set the threshold labelling uses: the mix of
per-type thresholds chosen out of fold, so a listing keeps its short items at
a lower threshold than an article keeps its paragraphs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from .features import FEATURE_NAMES as BLOCK_FEATURES

PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
#: Page thresholds move in steps of this size (the grid they are chosen on).
THRESHOLD_STEP = 0.05
#: A block counts as kept for the score summaries at this probability.
KEEP = 0.5

#: schema.org / Open Graph types, grouped by the page type they point to.
SCHEMA_GROUPS = {
    "article": "article|newsarticle|blogposting|report|liveblogposting|opinionnewsarticle|reportagenewsarticle",
    "product": "product|offer|aggregateoffer|productgroup|individualproduct",
    "list": "itemlist|collectionpage|searchresultspage|offercatalog",
    "forum": "discussionforumposting|qapage|question|answer|socialmediaposting",
    "doc": "techarticle|apireference|howto|faqpage|softwaresourcecode",
    "service": "aboutpage|contactpage|service|localbusiness|organization|webapplication|softwareapplication",
    "rating": "aggregaterating|review",
    "crumbs": "breadcrumblist",
}
_SCHEMA_RES = [re.compile(rf"\b(?:{v})\b") for v in SCHEMA_GROUPS.values()]
_LD_TYPE_RE = re.compile(r'"@type"\s*:\s*\[?\s*"([^"]{1,80})"')
#: Generic path words of each kind of page (no site's own vocabulary).
URL_GROUPS = {
    "product": r"products?|p|dp|item|items|shop|sku|buy",
    "list": r"collections?|category|categories|c|tags?|search|browse|list|b|catalog|s",
    "forum": r"forums?|threads?|t|topic|topics|community|questions|discussions?|comments|r",
    "doc": r"docs?|documentation|api|reference|guides?|manual|help|learn|wiki|kb|tutorials?",
    "news": r"blog|news|articles?|stories|story|posts?|20\d\d",
}
_URL_RES = [re.compile(rf"(?:^|/)(?:{v})(?:/|$)") for v in URL_GROUPS.values()]
_LONG_NUMBER_RE = re.compile(r"\d{4,}")

SIGNAL_NAMES = ([f"schema_{k}" for k in SCHEMA_GROUPS] + [f"url_{k}" for k in URL_GROUPS]
                + ["url_depth", "url_last_len", "url_last_hyphens", "url_long_number", "url_query", "url_html"])
#: Block features averaged over the page.
MEAN_COLUMNS = ("link_density", "prose", "flag_list", "flag_table", "flag_form", "flag_comments", "flag_nav",
                "flag_article", "flag_heading", "log_chars", "words", "digit_share", "flag_link_block", "in_main60",
                "stop_share", "dup_count", "ends_terminal")
_MEAN_IDX = [BLOCK_FEATURES.index(c) for c in MEAN_COLUMNS]
_PAGE_IDX = [i for i, n in enumerate(BLOCK_FEATURES) if n.startswith("page_")]
_W, _LIST, _LINK, _PROSE = (BLOCK_FEATURES.index(c) for c in ("words", "flag_list", "link_density", "prose"))
SCORE_NAMES = ["p_mean", "kept_share", "kept_word_share", "log_kept", "kept_mean_words", "kept_list_share",
               "kept_link_density", "kept_prose", "p_q90"]
FEATURE_NAMES = (SIGNAL_NAMES + [f"mean_{c}" for c in MEAN_COLUMNS]
                 + [BLOCK_FEATURES[i] for i in _PAGE_IDX] + SCORE_NAMES)


def page_signals(tree, url: str | None) -> np.ndarray:
    """Markup and URL signals of a parsed page (read before `prune` removes the JSON-LD scripts)."""
    types: list[str] = []
    for node in tree.css('script[type="application/ld+json"]'):
        types += _LD_TYPE_RE.findall(node.text(deep=True) or "")
    for node in tree.css("[itemtype]"):
        types.append((node.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1])
    og = tree.css_first('meta[property="og:type"]')
    if og is not None:
        types.append(og.attributes.get("content") or "")
    found = " ".join(t.lower() for t in types if t)
    out = [bool(r.search(found)) for r in _SCHEMA_RES]
    parts = urlsplit(url or "")
    path = parts.path.lower()
    segs = [s for s in path.split("/") if s]
    last = segs[-1] if segs else ""
    out += [bool(r.search(path)) for r in _URL_RES] if url else [False] * len(_URL_RES)
    out += [len(segs), len(last), last.count("-"), bool(_LONG_NUMBER_RE.search(path)), bool(parts.query),
            path.endswith((".html", ".htm"))]
    return np.asarray(out, dtype=np.float64)


def quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (its default, linear method: the same bits) of a non-empty 1-d array.

    A tenth of its time, and no import of ``numpy.ma`` (32 ms of a process's start), which
    `np.quantile` makes through `np.unique`.
    """
    pos = q * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    part = np.partition(values, [lo, hi] if hi != lo else lo)
    a, b, t = part[lo], part[hi], pos - lo
    return float(b - (b - a) * (1 - t)) if t >= 0.5 else float(a + (b - a) * t)


def page_features(signals: np.ndarray, X: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """One row (`FEATURE_NAMES`) from the page's signals, block rows and block probabilities."""
    if len(X) == 0:
        return np.concatenate([signals, np.zeros(len(FEATURE_NAMES) - len(signals))])
    kept = probs >= KEEP
    words = X[:, _W]
    k = X[kept]
    summary = [
        probs.mean(), kept.mean(), float((words * kept).sum() / max(words.sum(), 1.0)), np.log1p(kept.sum()),
        k[:, _W].mean() if len(k) else 0.0, k[:, _LIST].mean() if len(k) else 0.0,
        k[:, _LINK].mean() if len(k) else 0.0, k[:, _PROSE].mean() if len(k) else 0.0, quantile(probs, 0.9),
    ]
    return np.concatenate([signals, X[:, _MEAN_IDX].mean(0), X[0, _PAGE_IDX], summary])


@dataclass
class PageTypes:
    """The page-type classifier and the threshold of each type."""

    booster: object
    #: Decision threshold per entry of `PAGE_TYPES`.
    thresholds: np.ndarray
    #: `booster` compiled (`compiled.py`): same probabilities, used to predict when present.
    compiled: object | None = None

    def predict(self, row: np.ndarray) -> np.ndarray:
        """Probabilities over `PAGE_TYPES` for one page row."""
        row = np.nan_to_num(np.asarray(row, dtype=np.float64)[None, :], nan=0.0, posinf=1e6, neginf=-1e6)
        return np.asarray((self.compiled or self.booster).predict(row, num_threads=1))[0]  # type: ignore[attr-defined]

    def threshold(self, type_probs: np.ndarray) -> float:
        """The page's threshold: per-type thresholds mixed by the type probabilities, on the grid."""
        return mixed_threshold(type_probs, self.thresholds)


def mixed_threshold(type_probs: np.ndarray, thresholds: np.ndarray) -> float:
    t = float(np.asarray(type_probs) @ np.asarray(thresholds))
    return round(round(t / THRESHOLD_STEP) * THRESHOLD_STEP, 4)


def type_name(type_probs: np.ndarray) -> str:
    return PAGE_TYPES[int(np.argmax(type_probs))]
