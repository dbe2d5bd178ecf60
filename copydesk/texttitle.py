"""texttitle: which line of a scraped page is its title.

Scraped text has no `<title>` and no `<h1>`: the title is one of the short
lines shortly before the body, among menu items, breadcrumbs, datelines,
bylines and teaser headings. Each short line from TITLE_BEFORE lines before
the body's first line is a candidate, and that first line too when it reads
as a title (no later line can be: the body stays whole). A small LightGBM
model (`models/lines.title.lgb.txt`, trained by `train_text` on WCXB's gold
titles with the line model's out-of-fold probabilities) scores each from its
shape, its place and the line model's probabilities around it; the best
candidate scoring at least the model's threshold is the title.
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from . import newsparts
from .textfeatures import BULLET_RE

if TYPE_CHECKING:  # pragma: no cover
    from .textmode import Segmented

#: Candidates: lines from this many before the body's first line...
TITLE_BEFORE = 20
#: ...of at most this many words (and for `title_like`, at least TITLE_MIN_WORDS).
TITLE_MIN_WORDS, TITLE_MAX_WORDS = 3, 30
#: `echoed`: a candidate's text is looked for inside the lines within this many lines of it.
ECHO_WINDOW = 50
_BREADCRUMB_RE = re.compile(r"\S\s+[>»›/]\s+\S")
_SEPARATOR_RE = re.compile(r"\s[|–—-]\s|\s[|]|[|]\s")

FEATURE_NAMES = [
    "offset", "words", "chars", "prob", "prob_prev", "prob_next", "prob_next3_max", "prob_rank",
    "starts_upper", "starts_digit", "title_case", "ends_sentence", "ends_colon", "breadcrumb", "separator",
    "dateline", "byline", "bullet", "heading", "blank_before", "blank_after", "repeats", "echoed",
    "rel_index", "next_words", "prev_words",
]


def title_like(text: str, bullet: bool) -> bool:
    """Reads as a title: 3-30 words, not opening lower-case nor ending like a sentence or a list
    entry, and not a bullet, a breadcrumb, a byline or a dateline."""
    n = len(text.split())
    return (TITLE_MIN_WORDS <= n <= TITLE_MAX_WORDS and text[-1] not in ".,;:" and not text[:1].islower()
            and not bullet and not BULLET_RE.match(text) and _BREADCRUMB_RE.search(text) is None
            and not newsparts.parse_byline(text) and not newsparts.is_dateline(text))


def candidates(seg: "Segmented", first: int, alone: bool = False) -> np.ndarray:
    """Indices of the title candidates: the short lines from TITLE_BEFORE lines before the body's
    first line `first`, and that line when it is `title_like` and not the body's only line (`alone`)."""
    lo = max(0, first - TITLE_BEFORE)
    idx = np.arange(lo, first)
    idx = idx[(seg.words[lo:first] >= 1) & (seg.words[lo:first] <= TITLE_MAX_WORDS)]
    if not alone and title_like(seg.lines[first], seg.bullets[first]):
        idx = np.append(idx, first)
    return idx


def features(seg: "Segmented", probs: np.ndarray, first: int, idx: np.ndarray) -> np.ndarray:
    """One FEATURE_NAMES row per candidate in `idx`."""
    lines, n = seg.lines, len(seg.lines)
    if not len(idx):
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float64)
    texts = [lines[i] for i in idx.tolist()]
    words = seg.words.astype(np.float64)
    pad_p = np.concatenate([[-1.0], probs, [-1.0, -1.0, -1.0]])  # pad_p[i + 1] = probs[i]
    pad_w = np.concatenate([[-1.0], words, [-1.0]])
    nxt3 = np.maximum(np.maximum(pad_p[idx + 2], pad_p[idx + 3]), pad_p[idx + 4])
    rank = np.empty(len(idx), dtype=np.float64)
    rank[np.argsort(-probs[idx], kind="stable")] = np.arange(len(idx))
    # the lines any candidate's echo window reaches, joined (no line holds a newline: a line's
    # text is found inside lines only); starts[k]: where line wlo + k begins in `joined`
    idx_l = idx.tolist()
    wlo, whi = max(0, min(idx_l) - ECHO_WINDOW), min(n, max(idx_l) + ECHO_WINDOW)
    window = lines[wlo:whi]
    joined = "\n".join(window)
    starts = list(accumulate((len(t) + 1 for t in window), initial=0))
    split = [t.split() for t in texts]
    counts = Counter(lines)
    flags = [[t[:1].isupper(), t[:1].isdigit(), sum(x[:1].isupper() for x in w) / max(len(w), 1),
              t[-1] in ".!?", t[-1] == ":", _BREADCRUMB_RE.search(t) is not None,
              _SEPARATOR_RE.search(t) is not None, seg.dateline(i), seg.byline(i) is not None,
              seg.bullets[i], seg.kinds[i] == "heading", seg.blank_before[i], seg.blank_after[i], counts[t],
              _echoed(t, joined, starts[max(0, i - ECHO_WINDOW) - wlo], starts[min(n, i + ECHO_WINDOW) - wlo])]
             for t, w, i in zip(texts, split, idx_l)]
    return np.column_stack([
        idx - first, words[idx], [len(t) for t in texts], probs[idx], pad_p[idx], pad_p[idx + 2], nxt3, rank,
        np.asarray(flags, dtype=np.float64), idx / max(n - 1, 1), pad_w[idx + 2], pad_w[idx],
    ])


def _echoed(t: str, joined: str, a: int, b: int) -> bool:
    """Whether the lines of `joined[a:b]` (newline-joined) hold `t` inside a line other than a copy
    of it (a breadcrumb, a "title | site" line): whether one of its occurrences there is not a
    whole line."""
    n, end = len(t), len(joined)
    pos = joined.find(t, a, b)
    while pos >= 0:
        if (pos > 0 and joined[pos - 1] != "\n") or (pos + n < end and joined[pos + n] != "\n"):
            return True
        pos = joined.find(t, pos + n, b)
    return False


def pick(seg: "Segmented", probs: np.ndarray, first: int, alone: bool, booster, threshold: float) -> int:
    """The title line's index (see `candidates`), or -1 when no candidate scores `threshold`."""
    idx = candidates(seg, first, alone)
    if not len(idx):
        return -1
    score = booster.predict(features(seg, probs, first, idx), num_threads=1)
    best = int(np.argmax(score))
    return int(idx[best]) if score[best] >= threshold else -1
