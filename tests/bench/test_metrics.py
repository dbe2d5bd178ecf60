"""Hand-made cases for copydesk.bench.metrics (exact values)."""
from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from copydesk.bench import metrics as m


def test_word_tokens_lowercase_unicode():
    assert m.word_tokens("Hello, WORLD! Größe café_au-lait 42") == ["hello", "world", "größe", "café_au", "lait", "42"]
    assert m.word_tokens("") == [] and m.word_tokens(None) == []


def test_word_prf_bag_of_words():
    # pred: a a b c (4), gold: a b b d (4); multiset overlap: a, b -> 2
    s = m.word_prf("a a b c", "A b B d")
    assert s.precision == 0.5 and s.recall == 0.5 and s.f1 == 0.5


def test_word_prf_asymmetric():
    # pred 2 tokens, both in gold (6 tokens): P = 1, R = 1/3, F1 = 0.5
    s = m.word_prf("one two", "one two three four five six")
    assert s.precision == 1.0
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(0.5)


def test_word_prf_edge_cases():
    assert m.word_prf("", "") == m.PRF(1.0, 1.0, 1.0)
    assert m.word_prf("  ...  ", None) == m.PRF(1.0, 1.0, 1.0)  # no tokens on either side
    assert m.word_prf("", "gold text") == m.PRF(0.0, 0.0, 0.0)
    assert m.word_prf("some text", "") == m.PRF(0.0, 0.0, 0.0)
    assert m.word_prf("x y", "z") == m.PRF(0.0, 0.0, 0.0)  # disjoint


def test_mean_prf_is_macro():
    mean = m.mean_prf([m.PRF(1.0, 0.5, 2 / 3), m.PRF(0.0, 0.0, 0.0)])
    assert mean.precision == 0.5 and mean.recall == 0.25 and mean.f1 == pytest.approx(1 / 3)
    assert math.isnan(m.mean_prf([]).f1)


def test_snippet_counts_case_insensitive_and_pooled():
    a = m.snippet_counts("The Quick brown fox", ["quick BROWN", "lazy dog"], ["FOX", "menu"])
    assert a == m.SnippetCounts(with_found=1, with_total=2, without_found=1, without_total=2)
    b = m.snippet_counts("", ["x"], [])
    total = a + b
    assert total.with_rate == pytest.approx(1 / 3)
    assert total.without_rate == 0.5
    assert math.isnan(m.SnippetCounts().with_rate)


def test_segment_counts_whitespace_normalised_case_sensitive():
    pred = "Title\n\n  The first   paragraph.\nSecond line"
    c = m.segment_counts(pred, ["The first paragraph.", "the first paragraph.", "missing"],
                         ["Second  line", "Cookie banner"])
    assert c == m.SegmentCounts(tp=1, fp=1, fn=2, tn=1)
    assert c.precision == 0.5 and c.recall == pytest.approx(1 / 3) and c.f1 == pytest.approx(0.4)
    assert c.accuracy == 0.4


def test_segment_counts_sum_and_empty_prediction():
    c = m.segment_counts(None, ["a b"], ["c"]) + m.segment_counts("a b c", ["a b"], ["d", "   "])
    assert c == m.SegmentCounts(tp=1, fp=0, fn=1, tn=2)
    assert c.precision == 1.0 and c.recall == 0.5 and c.f1 == pytest.approx(2 / 3) and c.accuracy == 0.75
    assert m.SegmentCounts().f1 == 0.0 and m.SegmentCounts().precision == 0.0


def test_title_metrics():
    assert m.title_exact("  Hello   World ", "hello world")
    assert not m.title_exact("Hello World | Site", "Hello World")
    assert not m.title_exact(None, "x") and not m.title_exact("", "")
    assert m.title_token_f1("Hello World | Site", "Hello World") == pytest.approx(0.8)


def test_authors():
    assert m.split_authors("Jane Doe, John Smith and Ann Lee & Bo; Cy") == frozenset(
        {"jane doe", "john smith", "ann lee", "bo", "cy"})
    assert m.split_authors(["Jane  DOE", "Sandra Anderson"]) == frozenset({"jane doe", "sandra anderson"})
    assert m.authors_match(["John Smith", "jane doe"], "Jane Doe and John Smith")
    assert not m.authors_match(["Jane Doe"], "Jane Doe and John Smith")
    assert not m.authors_match([], "Jane Doe") and not m.authors_match(None, None)


def test_dates():
    assert m.parse_day("2025-09-04T10:00:00+02:00") == date(2025, 9, 4)
    assert m.parse_day(datetime(2025, 9, 4, 23, 59)) == date(2025, 9, 4)
    assert m.parse_day("September 4, 2025") is None and m.parse_day("2025-13-40") is None
    assert m.same_day("2025-09-04T00:00:00", "2025-09-04")
    assert not m.same_day("2025-09-05", "2025-09-04") and not m.same_day(None, "2025-09-04")
