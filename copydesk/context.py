"""context: the second scoring pass — each block rescored in the light of its neighbours' scores.

The first model scores blocks one at a time from their own features; what to
keep also depends on what is kept around a block (a short line between two
kept paragraphs, a "Read also" line after the last one, a listing whose items
all score alike). This module turns first-pass probabilities plus a few
structural facts into a second feature matrix (`CONTEXT_NAMES`); the second
model (`score.BlockModel.context`) maps it to final probabilities. Trained on
out-of-fold first-pass probabilities (`train.py`), so it learns how the first
model errs on pages it has not seen.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import Block, ancestor_ids
from .features import FEATURE_NAMES

#: First-pass columns copied into the second pass.
CARRIED = ("log_chars", "link_density", "prose", "in_main60", "kind", "flag_heading", "rel_index", "chrome_hits",
           "ends_terminal", "words")
_CARRIED_IDX = [FEATURE_NAMES.index(c) for c in CARRIED]
OFFSETS = (-3, -2, -1, 1, 2, 3)
WINDOWS = (3, 10)
KEEP = 0.5

CONTEXT_NAMES: list[str] = (
    ["p", "logit"] + [f"p@{o:+d}" for o in OFFSETS]
    + [f"win{w}_{s}" for w in WINDOWS for s in ("mean", "max", "min")]
    + ["parent_mean", "parent_n", "gparent_mean", "gparent_n", "same_path_mean", "same_path_n"]
    + ["page_mean", "page_share_kept", "page_chars_kept", "page_max", "page_blocks",
       "before_first", "after_last", "dist_prev_kept", "dist_next_kept", "kept_chars_before"]
    + [f"f_{c}" for c in CARRIED]
)


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))


def shifted(p: np.ndarray, offsets: tuple[int, ...]) -> list[np.ndarray]:
    """`p` of the unit `o` places away, for each offset (-1 past either end)."""
    n = len(p)
    out = []
    for o in offsets:
        col = np.full(n, -1.0)
        if o < 0 and n > -o:
            col[-o:] = p[:o]
        elif o > 0 and n > o:
            col[:-o] = p[o:]
        out.append(col)
    return out


def window_stats(p: np.ndarray, w: int) -> list[np.ndarray]:
    """Mean, max and min of `p` over the 2w+1 units centred on each unit (clipped at the ends)."""
    n = len(p)
    idx = np.arange(n)
    lo, hi = np.maximum(idx - w, 0), np.minimum(idx + w + 1, n)
    csum = np.concatenate(([0.0], np.cumsum(p)))
    mean = (csum[hi] - csum[lo]) / (hi - lo)
    pad = np.full(w, np.inf)
    top, bottom = np.concatenate([-pad, p, -pad]), np.concatenate([pad, p, pad])
    high, low = top[:n].copy(), bottom[:n].copy()
    for k in range(1, 2 * w + 1):  # 2w in-place passes: cheaper than a sliding-window view
        np.maximum(high, top[k:k + n], out=high)
        np.minimum(low, bottom[k:k + n], out=low)
    return [mean, high, low]


def kept_run(kept: np.ndarray) -> list[np.ndarray]:
    """Per unit: before the first kept one, after the last, distance to the previous and next kept one (n if none)."""
    n = len(kept)
    idx = np.arange(n)
    kept_idx = np.flatnonzero(kept)
    if len(kept_idx):
        first, last = kept_idx[0], kept_idx[-1]
        prev_k = np.maximum.accumulate(np.where(kept, idx, -1))
        next_k = np.minimum.accumulate(np.where(kept, idx, n)[::-1])[::-1]
        dist_prev = np.where(prev_k >= 0, idx - prev_k, n).astype(np.float64)
        dist_next = np.where(next_k < n, next_k - idx, n).astype(np.float64)
    else:
        first, last = n, -1
        dist_prev = dist_next = np.full(n, float(n))
    return [(idx < first).astype(np.float64), (idx > last).astype(np.float64), dist_prev, dist_next]


@dataclass(frozen=True)
class ContextFrame:
    """What the second pass reads of a page besides the first pass's scores: computed once a page,
    shared by the main model and its partner (`score.BlockModel.predict`)."""

    groups: tuple[tuple[np.ndarray, np.ndarray], ...]  # per grouping (parent, grandparent, tag path): ids, sizes
    chars: np.ndarray
    carried: np.ndarray


def context_frame(blocks: list[Block], X: np.ndarray) -> ContextFrame:
    """The page's `ContextFrame`: blocks grouped by parent, by grandparent and by tag path."""
    n = len(blocks)
    paths: dict = {}
    path_ids = np.fromiter((paths.setdefault(b.path, len(paths)) for b in blocks), np.int64, n)
    groups = []
    for keys in (ancestor_ids(blocks, 1), ancestor_ids(blocks, 2), path_ids):
        _, ids = np.unique(keys, return_inverse=True)
        groups.append((ids, np.bincount(ids)))
    return ContextFrame(tuple(groups), np.array([len(b.text) for b in blocks], dtype=np.float64), X[:, _CARRIED_IDX])


def context_features(p: np.ndarray, blocks: list[Block], X: np.ndarray, frame: ContextFrame | None = None) -> np.ndarray:
    """Second-pass rows (columns `CONTEXT_NAMES`) from first-pass probabilities `p` (`frame`: the page's
    `context_frame`, made here when not given)."""
    n = len(blocks)
    C = np.zeros((n, len(CONTEXT_NAMES)), dtype=np.float32)
    if n == 0:
        return C
    if frame is None:
        frame = context_frame(blocks, X)
    p = np.asarray(p, dtype=np.float64)
    cols: list[np.ndarray] = [p, logit(p)] + shifted(p, OFFSETS)
    for w in WINDOWS:
        cols += window_stats(p, w)
    for ids, counts in frame.groups:
        cols += [np.bincount(ids, weights=p)[ids] / counts[ids], counts[ids].astype(np.float64)]
    chars = frame.chars
    kept = p >= KEEP
    before_first, after_last, dist_prev, dist_next = kept_run(kept)
    kept_chars = chars * kept
    total_kept = kept_chars.sum()
    before = np.cumsum(kept_chars) - kept_chars
    cols += [
        np.full(n, p.mean()), np.full(n, kept.mean()), np.full(n, total_kept / max(chars.sum(), 1.0)),
        np.full(n, p.max()), np.full(n, np.log1p(n)),
        before_first, after_last, np.log1p(dist_prev), np.log1p(dist_next), before / total_kept if total_kept else np.zeros(n),
    ]
    C[:, : len(cols)] = np.column_stack(cols)
    C[:, len(cols):] = frame.carried
    return C
