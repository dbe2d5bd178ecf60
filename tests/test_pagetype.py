import numpy as np
import pytest
from selectolax.lexbor import LexborHTMLParser

from copydesk import clean_text, extract, pagetype
from copydesk.features import FEATURE_NAMES as BLOCK_FEATURES
from copydesk.pagetype import (FEATURE_NAMES, PAGE_TYPES, SIGNAL_NAMES, THRESHOLD_STEP, mixed_threshold,
                               page_features, page_signals, type_name)
from copydesk.score import get_model
from tests.test_api import NEWS


def _signals(html: str, url: str | None = None) -> dict[str, float]:
    return dict(zip(SIGNAL_NAMES, page_signals(LexborHTMLParser(html), url)))


def test_signals_read_json_ld_microdata_and_open_graph_types():
    html = ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": ["Product"], "offers": {"@type": "Offer"}}</script>'
            '<meta property="og:type" content="article"></head>'
            '<body><ol itemscope itemtype="https://schema.org/BreadcrumbList"></ol></body></html>')
    s = _signals(html)
    assert s["schema_product"] == 1 and s["schema_article"] == 1 and s["schema_crumbs"] == 1
    assert s["schema_forum"] == 0 and s["schema_list"] == 0


def test_signals_read_the_shape_and_words_of_the_url_path():
    s = _signals("<p>x</p>", "https://shop.example/collections/coffee?page=2")
    assert s["url_list"] == 1 and s["url_product"] == 0 and s["url_query"] == 1 and s["url_depth"] == 2
    t = _signals("<p>x</p>", "https://news.example/2024/05/the-council-approves-the-budget-123456.html")
    assert t["url_news"] == 1 and t["url_html"] == 1 and t["url_long_number"] == 1
    assert t["url_last_hyphens"] == 5
    assert _signals("<p>x</p>", None)["url_depth"] == 0  # no URL: no URL signals, no crash


def test_page_features_have_one_value_per_name_even_without_blocks():
    signals = np.ones(len(SIGNAL_NAMES))
    empty = page_features(signals, np.zeros((0, len(BLOCK_FEATURES))), np.zeros(0))
    assert empty.shape == (len(FEATURE_NAMES),)
    X = np.random.default_rng(0).random((20, len(BLOCK_FEATURES)))
    row = page_features(signals, X, np.linspace(0, 1, 20))
    assert row.shape == (len(FEATURE_NAMES),) and np.isfinite(row).all()


def test_the_page_threshold_mixes_type_thresholds_on_the_grid():
    th = np.array([0.6, 0.35, 0.4, 0.45, 0.35, 0.55, 0.45])
    assert mixed_threshold(np.eye(len(PAGE_TYPES))[0], th) == 0.6
    half = np.zeros(len(PAGE_TYPES))
    half[[0, 1]] = 0.5  # 0.475 lies on the grid's midpoint: rounds to a multiple of the step
    t = mixed_threshold(half, th)
    assert abs(t / THRESHOLD_STEP - round(t / THRESHOLD_STEP)) < 1e-9 and 0.45 <= t <= 0.5
    assert type_name(np.eye(len(PAGE_TYPES))[3]) == "forum"


def test_the_shipped_model_classifies_pages():
    model = get_model()
    assert model.types is not None and len(model.types.thresholds) == len(PAGE_TYPES)
    assert all(0.05 <= t <= 0.95 for t in model.types.thresholds)
    assert extract(NEWS).page_type == "article"


@pytest.mark.parametrize("html", [b"", b"\x00\x01binary", b"<html><body></body></html>"])
def test_pages_without_content_have_no_type(html):
    assert extract(html).page_type is None


def test_scraped_text_has_no_page_type():
    assert clean_text("A sentence that stands for a whole scraped article, long enough to keep.").page_type is None


def test_quantile_is_numpys_to_the_bit():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 10, 11, 236, 1001):
        for values in (rng.random(n), np.round(rng.random(n), 1), np.zeros(n)):
            for q in (0.0, 0.1, 0.5, 0.9, 1.0):
                assert pagetype.quantile(values, q) == float(np.quantile(values, q))
