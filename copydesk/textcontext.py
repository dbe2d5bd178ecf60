"""textcontext: the second scoring pass of scraped-text mode, each line rescored by its neighbours' scores.

The line model scores a line from its own features and a few neighbours' raw
features; whether a line belongs to the article also depends on how the lines
around it *scored* (a short line inside a run of kept prose, a caption after
the last paragraph, a listing whose entries all score alike). This module
turns first-pass probabilities plus a few first-pass columns into the second
pass's rows (`TEXT_CONTEXT_NAMES`); `textmode.LineModel.context` maps them to
final probabilities. It is trained on out-of-fold first-pass probabilities
(`train_text.py`), so it learns how the first pass errs on unseen sites.
"""
from __future__ import annotations

import numpy as np

from .context import kept_run, logit, shifted, window_stats
from .textfeatures import FEATURE_NAMES

#: First-pass columns copied into the second pass.
CARRIED = ("words", "chars", "terminal", "prose", "blank_before", "bullet", "rel_index", "lo_mean",
           "in_run", "repeat_count", "sep_count")
_CARRIED_IDX = [FEATURE_NAMES.index(c) for c in CARRIED]
_WORDS = FEATURE_NAMES.index("words")
OFFSETS = (-3, -2, -1, 1, 2, 3)
WINDOWS = (3, 10)
#: A line counts as kept by the first pass at this probability.
KEEP = 0.5

TEXT_CONTEXT_NAMES: list[str] = (
    ["p", "logit", "p_rel"] + [f"p@{o:+d}" for o in OFFSETS]
    + [f"win{w}_{s}" for w in WINDOWS for s in ("mean", "max", "min")]
    + ["page_mean", "page_share_kept", "page_words_kept", "page_max", "page_lines",
       "before_first", "after_last", "dist_prev_kept", "dist_next_kept", "kept_words_before",
       "kept_words_after", "block_mean", "block_len"]
    + [f"f_{c}" for c in CARRIED]
)


def text_context_features(p: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Second-pass rows (columns `TEXT_CONTEXT_NAMES`) from first-pass probabilities `p` and rows `X`."""
    n = len(p)
    if n == 0:
        return np.zeros((0, len(TEXT_CONTEXT_NAMES)), dtype=np.float32)
    p = np.asarray(p, dtype=np.float64)
    pmax = float(p.max())
    cols: list[np.ndarray] = [p, logit(p), p / max(pmax, 1e-6)] + shifted(p, OFFSETS)
    for w in WINDOWS:
        cols += window_stats(p, w)
    words = X[:, _WORDS].astype(np.float64)
    kept = p >= KEEP
    total_words = max(float(words.sum()), 1.0)
    kw = np.where(kept, words, 0.0)
    kept_total = max(float(kw.sum()), 1.0)
    cum = np.cumsum(kw) - kw
    # blocks: runs of lines between blank lines (the scraper's paragraphs / element groups)
    bb = X[:, FEATURE_NAMES.index("blank_before")]
    block_id = np.cumsum(bb > 0)
    sums, counts = np.bincount(block_id, weights=p), np.bincount(block_id)
    cols += [
        np.full(n, p.mean()), np.full(n, kept.mean()), np.full(n, float(kw.sum()) / total_words), np.full(n, pmax),
        np.full(n, float(n)), *kept_run(kept),
        cum / kept_total, (kept_total - cum - kw) / kept_total, sums[block_id] / counts[block_id],
        counts[block_id].astype(np.float64),
    ]
    C = np.column_stack(cols + [X[:, _CARRIED_IDX].astype(np.float64)])
    return C.astype(np.float32)
