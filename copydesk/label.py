"""label: block probabilities → one label per block.

Owns the decision of what is kept: the model's threshold (shifted by
`Options.favor`), structure-aware smoothing, the caller's table/comment
options, and the news roles (title, byline, date, credit, bio, caption)
that leave the body for their own `Document` fields.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import blocks as B
from .blocks import Block, ancestor_ids
from .options import Options

#: How far `favor="precision"` / `"recall"` move the threshold.
FAVOR_SHIFT = 0.15
#: A block this close below the threshold is kept when both neighbours are kept (a quote: when the
#: nearest kept blocks are at most QUOTE_GAP blocks away) and share its container. Any block in a gap
#: of two measured -0.1 on trafilatura-eval out of fold; quotes alone, no change.
SMOOTH_MARGIN = 0.25
QUOTE_GAP = 2
#: A block this close below the threshold is kept when its container's text is mostly kept
#: (this share of its characters): a long article does not lose a paragraph, a listing an item.
CONTAINER_MARGIN = 0.25
CONTAINER_KEPT_SHARE = 0.7
#: ... in containers of at least this many blocks (from 20 blocks down it cost trafilatura-eval
#: precision out of fold; at 50 both sets are unchanged).
CONTAINER_MIN_BLOCKS = 50

#: A page holds no article, and gives nothing, when none of what it keeps is kept with confidence
#: (probability ≥ SURE, also the bound `api.confidence` counts as decided) and that is either a few
#: words (under MIN_PAGE_CHARS and MAX_KEPT_SHARE of the page's text: a "Products" menu label; a
#: page of one short paragraph and nothing else keeps it) or nothing but link text (a page of
#: navigation). Out of fold, the first gained 0.07 points on WCXB (one model) and the second
#: cost 0.07 (another; listing pages).
MIN_PAGE_CHARS = 80
MAX_KEPT_SHARE = 0.1
SURE = 0.8
#: A `<noscript>` block up to this long that names JavaScript is a "please enable JavaScript"
#: notice, never content (an app shell shows nothing else).
NOSCRIPT_NOTICE_CHARS = 300

LABELS = ("body", "title", "byline", "date", "credit", "bio", "caption", "boilerplate")


def threshold_for(base: float, options: Options) -> float:
    if options.favor == "precision":
        return min(base + FAVOR_SHIFT, 0.95)
    if options.favor == "recall":
        return max(base - FAVOR_SHIFT, 0.05)
    return base


def decide(probs: np.ndarray, blocks: Sequence[Block], threshold: float, options: Options) -> np.ndarray:
    """Boolean keep-mask over blocks."""
    n = len(blocks)
    keep = probs >= threshold
    if n == 0:
        return keep
    # Smoothing: a near-miss between two kept blocks of the same container stays; a quote does
    # in a gap of up to QUOTE_GAP blocks too (a pull quote is followed by its attribution).
    kept_idx = np.flatnonzero(keep)
    near = ~keep & (probs >= threshold - SMOOTH_MARGIN)
    gaps = np.diff(kept_idx)
    for g in np.flatnonzero((gaps > 1) & (gaps <= QUOTE_GAP + 1)).tolist():
        j, k = int(kept_idx[g]), int(kept_idx[g + 1])
        if near[j + 1:k].any():
            a, b = blocks[j].ancestors[:-1], blocks[k].ancestors[:-1]
            for i in range(j + 1, k):
                if near[i] and (k - j == 2 or blocks[i].kind == "quote") and (
                        a == b or blocks[i].ancestors[:-1] in (a, b)):
                    keep[i] = True
    chars = np.fromiter((len(b.text) for b in blocks), np.float64, n)
    keep |= _container_smoothing(probs, blocks, keep, threshold, chars)
    for i in np.flatnonzero(keep).tolist():
        if blocks[i].flags & B.IN_NOSCRIPT and is_script_notice(blocks[i].text):
            keep[i] = False
    if too_little(probs, keep, chars) or _only_doubtful_links(probs, keep, blocks):
        keep[:] = False
    if not options.include_tables:
        keep &= np.array([b.kind != "table" for b in blocks], dtype=bool)
    if options.include_comments:
        for i, b in enumerate(blocks):
            if b.flags & B.IN_COMMENTS and not b.flags & (B.IN_FORM | B.IN_NAV) and len(b.text) >= 40:
                keep[i] = True
    return keep


def is_script_notice(text: str) -> bool:
    """Whether a `<noscript>` text is a notice asking for JavaScript (see NOSCRIPT_NOTICE_CHARS)."""
    return len(text) <= NOSCRIPT_NOTICE_CHARS and "javascript" in text.lower()


def too_little(probs: np.ndarray, keep: np.ndarray, chars: np.ndarray) -> bool:
    """Whether what `keep` keeps is a few doubtful words (see MIN_PAGE_CHARS); `chars`: the
    characters of each block (or line, in text mode)."""
    if not keep.any() or probs[keep].max() >= SURE:
        return False
    kept = float(chars[keep].sum())
    return kept < MIN_PAGE_CHARS and kept < MAX_KEPT_SHARE * float(chars.sum())


def _only_doubtful_links(probs: np.ndarray, keep: np.ndarray, blocks: Sequence[Block]) -> bool:
    """Whether all that is kept is link text, none of it with confidence: a page of navigation."""
    kept = np.flatnonzero(keep)
    return len(kept) > 0 and probs[kept].max() < SURE \
        and all(blocks[i].flags & B.IN_LINK_BLOCK for i in kept.tolist())


def _container_smoothing(probs: np.ndarray, blocks: Sequence[Block], keep: np.ndarray,
                         threshold: float, chars: np.ndarray) -> np.ndarray:
    """Near-misses whose parent element's text (`chars` per block) is mostly kept."""
    _, group = np.unique(ancestor_ids(blocks, 1), return_inverse=True)
    kept_share = np.bincount(group, weights=chars * keep) / np.maximum(np.bincount(group, weights=chars), 1.0)
    big = np.bincount(group) >= CONTAINER_MIN_BLOCKS
    return (probs >= threshold - CONTAINER_MARGIN) & (kept_share[group] >= CONTAINER_KEPT_SHARE) & big[group]


def news_roles(blocks: Sequence[Block], keep: np.ndarray, title: str | None,
               known_authors: Sequence[str] = ()) -> list[str]:
    """A label from `LABELS` for every block (body blocks may become news roles)."""
    try:
        from . import newsparts
    except ImportError:  # pragma: no cover - part of the package
        newsparts = None  # type: ignore[assignment]
    t_norm = " ".join((title or "").lower().split())
    kept = np.flatnonzero(keep)
    first, last = (int(kept[0]), int(kept[-1])) if len(kept) else (-1, -1)
    labels: list[str] = []
    for i, b in enumerate(blocks):
        text = b.text
        if b.kind == "heading" and t_norm and " ".join(text.lower().split()) == t_norm:
            labels.append("title")
            continue
        near = (first - 8 <= i <= first + 2 or last - 3 <= i <= last + 8) if first >= 0 else False
        role = None
        if newsparts is not None and near and len(text) < 600:
            if i >= last - 3 and newsparts.is_credit(text):
                role = "credit"
            elif i >= last - 3 and newsparts.bio_author(text, known_authors):
                role = "bio"
            elif first - 8 <= i <= first + 2:
                if len(text) < 120 and newsparts.parse_byline(text):
                    role = "byline"
                elif len(text) < 80 and newsparts.is_dateline(text):
                    role = "date"
        if not role and keep[i] and newsparts is not None and newsparts.is_media_credit(text):
            role = "credit"
        if role:
            labels.append(role)
        elif keep[i]:
            labels.append("caption" if b.kind == "caption" else "body")
        else:
            labels.append("boilerplate")
    return labels
