import numpy as np
import pytest

from copydesk.blocks import Block
from copydesk.context import CONTEXT_NAMES, context_features, window_stats
from copydesk.features import FEATURE_NAMES


def _blocks(n):
    return [Block(f"block {i}", index=i, ancestors=(1, 2, 10 + i), path=("body", "div", "p")) for i in range(n)]


def col(name):
    return CONTEXT_NAMES.index(name)


def test_neighbour_scores_and_kept_region():
    p = np.array([0.1, 0.9, 0.2, 0.8, 0.05])
    C = context_features(p, _blocks(5), np.zeros((5, len(FEATURE_NAMES)), dtype=np.float32))
    assert C.shape == (5, len(CONTEXT_NAMES)) and np.isfinite(C).all()
    assert C[2, col("p@-1")] == np.float32(0.9) and C[2, col("p@+1")] == np.float32(0.8)
    assert C[0, col("p@-1")] == -1
    assert C[0, col("before_first")] == 1 and C[4, col("after_last")] == 1 and C[2, col("before_first")] == 0
    assert C[2, col("dist_prev_kept")] == np.float32(np.log1p(1))
    # all five blocks share one parent: the parent mean is the page mean
    assert np.allclose(C[:, col("parent_mean")], p.mean()) and (C[:, col("parent_n")] == 5).all()


def test_carried_block_features():
    X = np.zeros((3, len(FEATURE_NAMES)), dtype=np.float32)
    X[:, FEATURE_NAMES.index("log_chars")] = [1, 2, 3]
    C = context_features(np.array([0.5, 0.5, 0.5]), _blocks(3), X)
    assert C[:, col("f_log_chars")].tolist() == [1, 2, 3]


def test_nothing_kept_and_empty_page():
    C = context_features(np.array([0.1, 0.2]), _blocks(2), np.zeros((2, len(FEATURE_NAMES)), dtype=np.float32))
    assert np.isfinite(C).all() and (C[:, col("page_share_kept")] == 0).all()
    assert context_features(np.zeros(0), [], np.zeros((0, len(FEATURE_NAMES)))).shape == (0, len(CONTEXT_NAMES))


def test_group_means_follow_the_containers():
    blocks = [Block(f"b{i}", index=i, ancestors=(1, 2 + i // 2, 10 + i), path=("body", "div", "p" if i % 3 else "li"))
              for i in range(6)]
    p = np.array([0.1, 0.3, 0.5, 0.7, 0.2, 0.4])
    C = context_features(p, blocks, np.zeros((6, len(FEATURE_NAMES)), dtype=np.float32))
    assert np.allclose(C[:, col("parent_mean")], [0.2, 0.2, 0.6, 0.6, 0.3, 0.3]) and (C[:, col("parent_n")] == 2).all()
    assert np.allclose(C[:, col("gparent_mean")], p.mean()) and (C[:, col("gparent_n")] == 6).all()
    li = np.array([0, 3])
    assert np.allclose(C[li, col("same_path_mean")], p[li].mean()) and (C[li, col("same_path_n")] == 2).all()


def test_window_stats_match_a_direct_computation():
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 50):
        p = rng.random(n)
        for w in (3, 10):
            mean, high, low = window_stats(p, w)
            for i in range(n):
                part = p[max(i - w, 0): i + w + 1]
                assert mean[i] == pytest.approx(part.mean())
                assert high[i] == part.max() and low[i] == part.min()
