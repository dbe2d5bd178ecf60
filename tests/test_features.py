import numpy as np
import pytest
from conftest import require_compiled

from copydesk.features import FEATURE_NAMES, featurize
from copydesk.parse import parse
from copydesk.prune import prune
from copydesk.segment import segment

PROSE = "This is a sentence of real prose, with enough words to count as such. " * 3
PAGE = f"""<body><nav><ul><li><a href=/>Home</a></li><li><a href=/a>About us</a></li></ul></nav>
<main><div class=story><h1>The headline of the story</h1><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div></main>
<footer><p>Copyright 2024, all rights reserved</p></footer></body>"""


def _rows(html=PAGE, title="The headline of the story | Site"):
    tree, _ = parse(html)
    prune(tree)
    seg = segment(tree)
    return seg, featurize(seg, title)


def col(name):
    return FEATURE_NAMES.index(name)


def test_shape_and_finite():
    seg, X = _rows()
    assert X.shape == (len(seg.blocks), len(FEATURE_NAMES)) and X.dtype == np.float32
    assert np.isfinite(X).all()


def test_main_node_holds_the_prose_not_the_nav():
    seg, X = _rows()
    texts = [b.text for b in seg.blocks]
    prose_rows = [i for i, t in enumerate(texts) if t.startswith("This is")]
    assert all(X[i, col("in_main60")] == 1 for i in prose_rows)
    assert X[texts.index("Home"), col("in_main60")] == 0
    assert X[texts.index("Home"), col("main60_dist")] > 0


def test_link_density_title_match_and_neighbours():
    seg, X = _rows()
    texts = [b.text for b in seg.blocks]
    assert X[texts.index("Home"), col("link_density")] == 1.0
    assert X[texts.index("The headline of the story"), col("title_match")] > 0.5
    i = texts.index("The headline of the story")
    assert X[i, col("log_chars@+1")] == X[i + 1, col("log_chars")]
    assert X[0, col("log_chars@-1")] == -1


def test_no_prose_page_is_finite():
    seg, X = _rows("<body><ul><li><a href=/>a</a></li><li><a href=/>b</a></li></ul></body>", None)
    assert np.isfinite(X).all() and (X[:, col("main60_dist")] == -1).all()


def test_empty_segmentation():
    _, X = _rows("<body></body>")
    assert X.shape == (0, len(FEATURE_NAMES))


def test_rules_above_a_block():
    seg, X = _rows("<body><p>one</p><hr><p>two</p><p>three</p><hr><p>four</p></body>", None)
    assert [b.text for b in seg.blocks] == ["one", "two", "three", "four"]
    assert X[:, col("rules_before_share")].tolist() == [0.0, 0.5, 0.5, 1.0]
    assert X[:, col("rule_before")].tolist() == [0.0, 1.0, 0.0, 1.0]
    _, X = _rows("<body><p>one</p><p>two</p></body>", None)  # no rule on the page
    assert (X[:, col("rules_before_share")] == 0).all() and (X[:, col("rule_before")] == 0).all()


def _stats_one_by_one(text: str, link_chars: int, title: str, seen: int) -> list[float]:
    """The first 17 columns of one block, written plainly (what `_text_stats` computes page-wide)."""
    import math
    import re

    from copydesk.features import _TERMINAL, _title_match, _word_code

    nc = len(text)
    words = text.lower().split()
    nw = len(words)
    if nw and nc > 12 * nw:
        nw = max(nw, nc // 2)
    lw = words if nw <= 400 else text[:3200].lower().split()
    codes = [_word_code(w) for w in lw]
    scale = nw / len(lw) if lw else 0.0
    stops = (codes.count(1) + codes.count(3)) * scale
    chrome = (codes.count(2) + codes.count(3)) * scale
    head = text[:200]
    sent = (text.count(". ") + text.count("? ") + text.count("! ") + text.count("。") + text.count("！")
            + text.count("？") + (text[-1] in _TERMINAL and text[-1] not in "。！？"))
    ld = link_chars / nc
    prose = nw >= 7 and (sent > 0 or text[-1] in _TERMINAL or text.count(",") >= 2)
    return [math.log1p(nc), nw, (nc - nw + 1) / nw if nw else 0.0, sent, text.count(","),
            text[-1] in _TERMINAL, text[0].isupper(), text.isupper(), text.istitle(),
            len(re.findall("[0-9]", head)) / len(head), stops / nw if nw else 0.0, chrome, ld,
            text.count("|") + text.count("•"), nw * (1.0 - ld) if prose else 0.0, seen,
            _title_match(text, title)]


@pytest.mark.parametrize("counting", ["native", "numpy"])
def test_page_wide_text_stats_equal_block_by_block(counting, monkeypatch):
    from collections import Counter

    from copydesk import features
    from copydesk.features import _text_stats

    if counting == "numpy":
        monkeypatch.setattr(features, "_native", None)
    else:
        require_compiled(features._native is not None, "_textstats")

    texts = [
        "The Headline Of The Story", "the headline of the story", "Read: the headline of the story, today",
        "headline of", "Sign up for our newsletter. It is free! Really? Yes.", "Home | News • Sport",
        "東京で会議が開かれた。参加者は多かった！本当？", "ΟΔΟΣ ΣΑΣ", "İstanbul İzmir 2024 and 1999.",
        "  code\n    indented\n", "x", "Price: 12.99, 13.50, 14", "word " * 450 + "end.",
        "The headline of the story", "a\u00a0b\u2003c d", "(quoted)", "«Zitat»",
    ]
    links = np.array([0, 5, 0, 11, 0, 19, 0, 0, 3, 0, 1, 0, 0, 25, 0, 0, 0], dtype=np.float64)
    for title in ("the headline of the story", "", "x"):
        seen = Counter(texts)
        got = _text_stats(texts, np.array([len(t) for t in texts]), links, title)
        want = np.array([_stats_one_by_one(t, int(lc), title, seen[t]) for t, lc in zip(texts, links)], dtype=np.float64)
        assert np.array_equal(got, want), (title, np.argwhere(got != want))
