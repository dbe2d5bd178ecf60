"""align: label segmented blocks from a page's ground truth, for training.

Owns the mapping from annotations to block labels:

* full gold text (WCXB `main_content`): a block is body when at least
  `COVERAGE_BODY` of its tokens are covered by word triples that occur in the
  gold text (short blocks: when their whole token sequence occurs in it).
  Triples rather than single tokens keep common words in navigation from
  matching prose;
* snippets (trafilatura-eval `with` / `without`): a block is body when it
  contains a `with` snippet or is contained in one, boilerplate likewise for
  `without`, and unlabelled otherwise.

A label is *confident* when coverage is at most `COVERAGE_CLEAR_NO` or at
least `COVERAGE_CLEAR_YES`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .blocks import Block

COVERAGE_BODY = 0.5
COVERAGE_CLEAR_NO = 0.2
COVERAGE_CLEAR_YES = 0.8
#: A block shorter than this (in characters) is not matched *inside* a snippet.
MIN_INSIDE_SNIPPET_CHARS = 15
UNLABELLED = -1

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lowercase `\\w+` tokens, the unit of the WCXB metric."""
    return _TOKEN.findall(text.lower())


@dataclass
class Labels:
    """Per-block labels (1 body, 0 boilerplate, -1 unknown) and gold coverage."""

    y: np.ndarray
    coverage: np.ndarray

    @property
    def confident_share(self) -> float:
        known = self.y >= 0
        if not known.any():
            return 0.0
        c = self.coverage[known]
        return float(((c <= COVERAGE_CLEAR_NO) | (c >= COVERAGE_CLEAR_YES)).mean())


class GoldText:
    """Word-triple index of a gold text."""

    def __init__(self, gold: str) -> None:
        toks = tokens(gold)
        self.trigrams = {(a, b, c) for a, b, c in zip(toks, toks[1:], toks[2:])}
        self.joined = " " + " ".join(toks) + " "

    def coverage(self, block_tokens: Sequence[str]) -> float:
        n = len(block_tokens)
        if n == 0:
            return 0.0
        if n < 3:
            return 1.0 if (" " + " ".join(block_tokens) + " ") in self.joined else 0.0
        covered = [False] * n
        tri = self.trigrams
        for i in range(n - 2):
            if (block_tokens[i], block_tokens[i + 1], block_tokens[i + 2]) in tri:
                covered[i] = covered[i + 1] = covered[i + 2] = True
        return sum(covered) / n


def label_from_gold(blocks: Sequence[Block], gold: str) -> Labels:
    """Labels from a full gold text (WCXB)."""
    g = GoldText(gold)
    cov = np.array([g.coverage(tokens(b.text)) for b in blocks], dtype=np.float32)
    return Labels((cov >= COVERAGE_BODY).astype(np.int8), cov)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def label_from_snippets(blocks: Sequence[Block], with_: Sequence[str], without: Sequence[str]) -> Labels:
    """Labels from must-have / must-not-have snippets (trafilatura-eval)."""
    pos = [_norm(s) for s in with_ if s.strip()]
    neg = [_norm(s) for s in without if s.strip()]
    y = np.full(len(blocks), UNLABELLED, dtype=np.int8)
    cov = np.full(len(blocks), 0.5, dtype=np.float32)
    for i, b in enumerate(blocks):
        t = _norm(b.text)
        inside = len(t) >= MIN_INSIDE_SNIPPET_CHARS
        is_pos = any(s in t or (inside and t in s) for s in pos)
        is_neg = any(s in t or (inside and t in s) for s in neg)
        if is_pos and not is_neg:
            y[i], cov[i] = 1, 1.0
        elif is_neg and not is_pos:
            y[i], cov[i] = 0, 0.0
    return Labels(y, cov)
