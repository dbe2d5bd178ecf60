import numpy as np

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
