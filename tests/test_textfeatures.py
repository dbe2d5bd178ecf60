"""Text-only line features: shapes, neighbours, runs, and parity with the training code."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import require_compiled

from copydesk import textfeatures
from copydesk.textfeatures import (BASE_NAMES, FEATURE_NAMES, VOCAB_NAMES, VocabIndex, base_features, features,
                                   line_tokens, normalise_line, vocab_features)

LINES = ["Home", "News", "A long sentence about the budget of the city that ends properly here.",
         "Another long sentence follows, and it also ends with a full stop as prose does.",
         "Subheading", "A third sentence of the article body with enough words to count as prose.",
         "Home", "© 2024 Example Media"]


@pytest.fixture(autouse=True, params=["native", "numpy"])
def counting(request, monkeypatch):
    """Every test on both counting paths: `_linestats.c`, and numpy's (`_line_counts_py`)."""
    if request.param == "numpy":
        monkeypatch.setattr(textfeatures, "_native", None)
    else:
        require_compiled(textfeatures._native is not None, "_linestats")
    return request.param


def _f(lines):
    n = len(lines)
    return features(lines, [1] * n, [1] * n, [False] * n, {"budget": 1.5, "home": -2.0, "the city": 0.5})


def col(name):
    return FEATURE_NAMES.index(name)


def test_shape_and_names():
    X = _f(LINES)
    assert X.shape == (len(LINES), len(FEATURE_NAMES)) and X.dtype == np.float32
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert np.isfinite(X).all()


def test_empty_page():
    assert _f([]).shape == (0, len(FEATURE_NAMES))


def test_basic_columns():
    X = _f(LINES)
    assert X[2, col("words")] == 13
    assert X[2, col("terminal")] == 1 and X[0, col("terminal")] == 0
    assert X[0, col("repeat_count")] == 2 and X[6, col("first_occurrence")] == 0
    assert X[7, col("copyright")] == 1
    assert X[2, col("prose")] == 1 and X[4, col("prose")] == 0


def test_prose_run_bridges_subheading():
    X = _f(LINES)
    assert X[2:6, col("in_run")].tolist() == [1, 1, 1, 1]
    assert X[0, col("in_run")] == 0 and X[0, col("run_dist_before")] == 2
    assert X[7, col("run_dist_after")] == 2


def test_repeated_line_shapes():
    """A listing's records (name / price / blurb, again and again) repeat with period 3."""
    record = ["Blue Kettle", "$ 24.99", "A sturdy steel kettle that boils water in under two minutes."]
    lines = ["Shop", "About us"] + record * 6 + ["Privacy policy and terms of use apply to every order."]
    X = _f(lines)
    mid = 2 + 3 * 3  # a record in the middle of the listing
    assert X[mid, col("period")] == 3 and X[mid, col("period_share")] > 0.7
    assert X[mid, col("shape_run")] == 1 and X[mid, col("shape_window")] == 0.25  # 4 of 16
    menu = _f(["Home", "News", "Sport", "Weather", "A sentence of prose that ends the page here."])
    assert menu[1, col("shape_run")] == 4 and menu[4, col("shape_run")] == 1
    assert X[-1, col("chars_rel_median")] > 1.0 > X[1, col("chars_rel_median")]


def test_neighbour_columns_shift():
    X = _f(LINES)
    assert X[3, col("words_p1")] == X[2, col("words")]
    assert X[2, col("words_n1")] == X[3, col("words")]
    assert X[0, col("words_p1")] == -1 and X[-1, col("words_n2")] == -1


def test_vocab_columns():
    X = _f(LINES)
    assert X[0, col("lo_mean")] == -2.0 and X[0, col("lo_known")] == 1.0
    assert X[2, col("lo_max")] == 1.5 and X[2, col("lo_min")] == 0.5
    assert X[1, col("lo_known")] == 0.0


def test_training_vocab_columns_match_inference():
    """train_text.vocab_cols (hashed, vectorised) must equal textfeatures.vocab_features (strings)."""
    from copydesk.train_text import HASH_BITS, Prepared, _bucket, vocab_cols

    Xb, terms = base_features(LINES, [1] * 8, [1] * 8, [False] * 8)
    assert terms.per_line() == [line_tokens(t) for t in LINES]
    table = np.full(1 << HASH_BITS, np.nan)
    vocab = {"budget": 1.5, "home": -2.0, "the city": 0.5, "sentence": 0.25}
    for t, v in vocab.items():
        table[_bucket(t)] = v
    p = Prepared(page=None, seg=None, y=np.zeros(len(LINES), np.int8), Xb=Xb,  # type: ignore[arg-type]
                 ids=np.array([_bucket(t) for t in terms.terms], dtype=np.int64), line_of=terms.line_of)
    np.testing.assert_allclose(vocab_cols(p, table), vocab_features(terms, vocab), rtol=1e-6)


def test_tokens_and_normalisation():
    assert line_tokens("Sign up now") == ["sign", "up", "now", "sign up", "up now"]
    assert normalise_line("  Page 12 of  40 ") == "page 0 of 0"
    assert len(BASE_NAMES) + len(VOCAB_NAMES) < len(FEATURE_NAMES)


def test_normalise_lines_matches_normalise_line():
    from copydesk.textfeatures import normalise_lines

    lines = ["Page 12 of 40", "ÉTÉ  2024\u00a0 édition", "Ｎｏ．١٢٣ and ٤", "a\u2003 b", "Σ ΟΔΟΣ", "x"]
    assert normalise_lines(lines) == [normalise_line(t) for t in lines]
    assert normalise_lines(["Page 1", "page 2"]) == ["page 0", "page 0"] and normalise_lines([]) == []


def test_unicode_shapes():
    X = _f(["Ｔｈｅ ｅｎｄ。", "ÉTÉ À PARIS NOUVEAU", "a\u2003b\u3000c d"])
    assert X[0, col("terminal")] == 1 and X[0, col("words")] == 2
    assert X[1, col("caps_ratio")] == 1.0 and X[1, col("title_ratio")] == 1.0
    assert X[2, col("words")] == 4


def test_context_rows():
    from copydesk.textcontext import TEXT_CONTEXT_NAMES, text_context_features

    X = _f(LINES)
    p = np.array([0.1, 0.1, 0.9, 0.8, 0.4, 0.9, 0.1, 0.05])
    C = text_context_features(p, X)
    c = TEXT_CONTEXT_NAMES.index
    assert C.shape == (len(LINES), len(TEXT_CONTEXT_NAMES)) and np.isfinite(C).all()
    assert C[3, c("p@-1")] == np.float32(0.9) and C[0, c("p@-1")] == -1
    assert C[4, c("dist_prev_kept")] == 1 and C[4, c("dist_next_kept")] == 1
    assert C[0, c("before_first")] == 1 and C[7, c("after_last")] == 1 and C[4, c("before_first")] == 0
    assert C[0, c("f_words")] == 1
    assert text_context_features(np.zeros(0), X[:0]).shape == (0, len(TEXT_CONTEXT_NAMES))


def test_vocab_index_gives_each_term_its_table_value():
    vocab = {"budget": 1.5, "home": -2.0, "the city": 0.5, "city": 0.25, "new york": 1.0, "sign up": -3.0}
    lines = ["The city budget", "Sign up at home", "new york new york", "", "unknown words only", "city"]
    _, terms = base_features(lines, [1] * 6, [1] * 6, [False] * 6)
    expected = [vocab.get(t, np.nan) for t in terms.terms]
    np.testing.assert_array_equal(VocabIndex(vocab).values(terms), expected)
    # "york" and "sign" are only bigram halves; a bigram across two lines is no term
    assert "city sign" not in terms.terms and "budget sign" not in terms.terms
    for table in ({}, {"a b c": 1.0}):
        assert np.isnan(VocabIndex(table).values(terms)).all()
    _, empty = base_features([], [], [], [])
    assert VocabIndex(vocab).values(empty).shape == (0,)
