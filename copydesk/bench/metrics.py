"""Scoring functions: pure, no I/O, exactly the definitions of ``shared/data/README.md``.

This module owns *how a prediction is scored* against gold annotations:

- WCXB word precision/recall/F1 (bag of lowercase ``\\w+`` tokens, per page,
  averaged over pages by the caller) and the ``with``/``without`` snippet
  rates (case-insensitive substring);
- trafilatura-eval segment counts (whitespace-normalised, case-sensitive
  substring; TP/FN for ``with``, FP/TN for ``without``, summed over the corpus);
- metadata-field comparisons used by ``--fields`` (title, authors, date).

Edge cases (documented here once, tested in ``tests/bench/test_metrics.py``):

- word P/R/F1: gold and prediction both without tokens -> P = R = F1 = 1.0
  (a page with nothing to extract, correctly left empty); exactly one of them
  without tokens -> P = R = F1 = 0.0. Otherwise P = overlap / |pred|,
  R = overlap / |gold|, F1 = 2PR / (P + R) (0.0 when P + R = 0), where
  overlap is the size of the multiset intersection.
- an extractor that failed (exception, timeout, ``None``) is scored as the
  empty string by the caller.
- snippet rates are *pooled* over the corpus (snippets found / snippets
  present); pages without snippets add nothing. A corpus without any
  snippet gives a rate of ``nan``.
- trafilatura-eval P/R/F1/accuracy with a zero denominator are 0.0.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

WORD_RE = re.compile(r"\w+")  # Unicode-aware by default for str patterns
WHITESPACE_RE = re.compile(r"\s+")
DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)


# --------------------------------------------------------------------------- words
@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one page (or a mean over pages)."""

    precision: float
    recall: float
    f1: float


def word_tokens(text: str | None) -> list[str]:
    """Lowercase ``\\w+`` tokens (Python ``re``, Unicode word characters)."""
    if not text:
        return []
    return WORD_RE.findall(text.lower())


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean; 0.0 when both are 0."""
    total = precision + recall
    return 0.0 if total <= 0 else 2 * precision * recall / total


def token_prf(pred_tokens: Sequence[str], gold_tokens: Sequence[str]) -> PRF:
    """Bag-of-words P/R/F1 of two token sequences (see module docstring for edge cases)."""
    if not pred_tokens and not gold_tokens:
        return PRF(1.0, 1.0, 1.0)
    if not pred_tokens or not gold_tokens:
        return PRF(0.0, 0.0, 0.0)
    overlap = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    precision = overlap / len(pred_tokens)
    recall = overlap / len(gold_tokens)
    return PRF(precision, recall, f1_score(precision, recall))


def word_prf(prediction: str | None, gold: str | None) -> PRF:
    """WCXB word P/R/F1 of one page."""
    return token_prf(word_tokens(prediction), word_tokens(gold))


def mean_prf(scores: Iterable[PRF]) -> PRF:
    """Macro average over pages: mean P, mean R, mean F1 (``nan`` when empty).

    Note that the mean F1 is the mean of per-page F1s, not the F1 of the
    mean P and R.
    """
    items = list(scores)
    if not items:
        return PRF(math.nan, math.nan, math.nan)
    n = len(items)
    return PRF(
        sum(s.precision for s in items) / n,
        sum(s.recall for s in items) / n,
        sum(s.f1 for s in items) / n,
    )


# --------------------------------------------------------------------------- snippets
@dataclass(frozen=True)
class SnippetCounts:
    """How many ``with``/``without`` snippets a prediction contains (case-insensitive)."""

    with_found: int = 0
    with_total: int = 0
    without_found: int = 0
    without_total: int = 0

    def __add__(self, other: "SnippetCounts") -> "SnippetCounts":
        return SnippetCounts(
            self.with_found + other.with_found,
            self.with_total + other.with_total,
            self.without_found + other.without_found,
            self.without_total + other.without_total,
        )

    @property
    def with_rate(self) -> float:
        """Share of ``with`` snippets found (higher is better); ``nan`` without snippets."""
        return self.with_found / self.with_total if self.with_total else math.nan

    @property
    def without_rate(self) -> float:
        """Share of ``without`` snippets found (lower is better); ``nan`` without snippets."""
        return self.without_found / self.without_total if self.without_total else math.nan


def snippet_counts(prediction: str | None, with_snippets: Sequence[str], without_snippets: Sequence[str]) -> SnippetCounts:
    """Case-insensitive substring search of each snippet in ``prediction``."""
    text = (prediction or "").lower()
    return SnippetCounts(
        with_found=sum(1 for s in with_snippets if s.lower() in text),
        with_total=len(with_snippets),
        without_found=sum(1 for s in without_snippets if s.lower() in text),
        without_total=len(without_snippets),
    )


# --------------------------------------------------------------------------- trafilatura-eval
@dataclass(frozen=True)
class SegmentCounts:
    """Confusion counts of the trafilatura-eval protocol (summed over pages with ``+``)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: "SegmentCounts") -> "SegmentCounts":
        return SegmentCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0


def normalize_whitespace(text: str | None) -> str:
    """Runs of whitespace become one space; leading/trailing whitespace removed."""
    return WHITESPACE_RE.sub(" ", text or "").strip()


def segment_counts(prediction: str | None, with_segments: Sequence[str], without_segments: Sequence[str]) -> SegmentCounts:
    """One page of trafilatura-eval: whitespace-normalised, case-sensitive substring match.

    A ``with`` segment found is a TP (else FN); a ``without`` segment found is
    a FP (else TN). Segments that are empty after normalisation are ignored.
    """
    text = normalize_whitespace(prediction)
    tp = fn = fp = tn = 0
    for seg in with_segments:
        norm = normalize_whitespace(seg)
        if not norm:
            continue
        if norm in text:
            tp += 1
        else:
            fn += 1
    for seg in without_segments:
        norm = normalize_whitespace(seg)
        if not norm:
            continue
        if norm in text:
            fp += 1
        else:
            tn += 1
    return SegmentCounts(tp=tp, fp=fp, fn=fn, tn=tn)


# --------------------------------------------------------------------------- metadata fields
def normalize_field(text: str | None) -> str:
    """Lowercase, whitespace collapsed, stripped."""
    return normalize_whitespace(text).lower()


def title_exact(predicted: str | None, gold: str | None) -> bool:
    """Same title after whitespace and case normalisation (an empty prediction never matches)."""
    p, g = normalize_field(predicted), normalize_field(gold)
    return bool(p) and p == g


def title_token_f1(predicted: str | None, gold: str | None) -> float:
    """Word F1 of the two titles (same tokens and edge cases as the WCXB word F1)."""
    return word_prf(predicted, gold).f1


def split_authors(value: str | Sequence[str] | None) -> frozenset[str]:
    """Normalised author names: strings are split on ``,`` ``;`` ``&`` and the word ``and``."""
    if value is None:
        return frozenset()
    parts: list[str] = []
    for item in ([value] if isinstance(value, str) else list(value)):
        if item is None:
            continue
        parts.extend(AUTHOR_SPLIT_RE.split(str(item)))
    return frozenset(n for n in (normalize_field(p) for p in parts) if n)


def authors_match(predicted: str | Sequence[str] | None, gold: str | None) -> bool:
    """Exact set match of the normalised author names (an empty prediction never matches)."""
    p, g = split_authors(predicted), split_authors(gold)
    return bool(p) and p == g


def parse_day(value: str | date | datetime | None) -> date | None:
    """Calendar day of an ISO-like date string (first ``YYYY-MM-DD`` found) or a date/datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_RE.search(str(value))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def same_day(predicted: str | date | datetime | None, gold: str | date | datetime | None) -> bool:
    """Both dates parse and fall on the same calendar day (time and zone ignored)."""
    p, g = parse_day(predicted), parse_day(gold)
    return p is not None and p == g
