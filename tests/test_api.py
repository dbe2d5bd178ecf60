from pathlib import Path

import pytest

import copydesk
from copydesk import ExtractionTimeout, Options, explain, extract
from copydesk.api import sniff_kind

NEWS = (Path(__file__).resolve().parent.parent / "examples" / "news-article.html").read_bytes()


def test_explain_labels_every_block():
    ex = explain(NEWS)
    labels = {v.label for v in ex.blocks}
    assert {"body", "boilerplate", "title"} <= labels
    body = [v for v in ex.blocks if v.label == "body"]
    assert all(0 <= v.score <= 1 and len(v.reasons) == 3 for v in body)
    news = [v for v in ex.blocks if "newsletter" in v.text.lower()]
    assert news and all(v.label == "boilerplate" for v in news)
    assert ex.document.text == extract(NEWS).text


def test_favor_moves_the_amount_kept():
    sizes = [len(extract(NEWS, favor=f).text) for f in ("precision", "balanced", "recall")]
    assert sizes[0] <= sizes[1] <= sizes[2]


def test_options_object_and_keywords_combine():
    doc = extract(NEWS, options=Options(with_metadata=False), include_tables=False)
    assert doc.title is None and doc.paragraphs
    with pytest.raises(ValueError):
        Options(favor="everything")


def test_timeout_raises():
    big = b"<html><body>" + b"<div><p>Some words in a paragraph that repeats.</p></div>" * 200_000 + b"</body></html>"
    with pytest.raises(ExtractionTimeout):
        extract(big, timeout=0.05)


def test_loading_the_model_does_not_count_against_the_page_timeout(monkeypatch):
    import time as _time

    from copydesk import api
    page = b"<html><body><article><p>" + b"The council approved the new harbour budget on Monday. " * 20 + \
        b"</p></article></body></html>"
    extract(page)  # everything else that loads on first use (language identifier, ...) loads here
    real = api.get_model()

    def slow_first_load():  # as when the compiled forest is built on a machine's first call
        _time.sleep(0.6)
        return real
    monkeypatch.setattr(api, "get_model", slow_first_load)
    assert extract(page, timeout=0.5).paragraphs


def test_header_charset_is_honoured():
    page = "<html><body><p>Der Bürgermeister eröffnete die Brücke über den Fluss am Sonntag.</p></body></html>"
    doc = extract(page.encode("latin-1"), content_type="text/html; charset=ISO-8859-1", with_metadata=False)
    assert "Bürgermeister" in doc.text


def test_plain_text_goes_to_text_mode_and_json_is_refused():
    text = ("The council approved the budget on Tuesday after a long debate about school funding and roads.\n\n"
            "Cookie settings")
    doc = extract(text)
    assert "council approved" in doc.text
    assert extract(b'{"a": [1, 2, 3]}').empty_reason == "not html: json"
    assert sniff_kind('<?xml version="1.0"?><rss version="2.0"><channel/></rss>') == "feed"


def test_public_surface():
    for name in ("extract", "clean_text", "clean_texts", "explain", "count_lines", "Document", "Options", "ModelError"):
        assert hasattr(copydesk, name)


def test_content_behind_a_script_run_gate_is_found_and_said_hidden():
    story = "".join(f"<p>Paragraph {i} of the product story: roasted in small batches, sealed fresh and "
                    f"shipped the same week so that every cup tastes the way it was meant to.</p>" for i in range(6))
    menu = "".join(f"<li><a href='/c{i}'>Category {i}</a></li>" for i in range(8))
    legal = "<ul>" + "".join(f"<li><a href='/{w.lower()}'>{w}</a></li>" for w in (
        "Terms of service", "Privacy policy", "Cookie settings", "Shipping and delivery", "Returns and refunds",
        "Contact us", "Careers at the shop", "Press and media", "Wholesale accounts", "Gift cards")) + "</ul>"
    page = (f"<html><body><nav><ul>{menu}</ul></nav><div class='age-gate-content' style='display:none'>"
            f"<h1>Dark roast</h1>{story}</div><footer>{legal}</footer></body></html>")
    doc = extract(page)
    assert "Paragraph 0 of the product story" in doc.text and "Paragraph 5" in doc.text
    assert "Category" not in doc.text and "Privacy" not in doc.text
    assert "content found only in elements the page hides" in doc.warnings
    visible = extract(page.replace(" style='display:none'", ""))
    assert visible.text == doc.text and not visible.warnings


ARTICLE_WITHOUT_DATE = ("<html><head><title>Board minutes 2019-03-04</title></head><body><article>"
                        "<h1>Board minutes</h1>" + "".join(
                            f"<p>The council met on Tuesday evening to discuss item {i} of the agenda, which "
                            "concerns the harbour and its future use by the town.</p>" for i in range(8))
                        + "</article></body></html>")
PRODUCT_WITHOUT_DATE = (
    '<html><head><title>Steel kettle</title><script type="application/ld+json">{"@context":'
    '"https://schema.org","@type":"Product","name":"Steel kettle","offers":{"@type":"Offer",'
    '"price":"24.99","priceCurrency":"USD"}}</script></head><body><h1>Steel kettle</h1><p>$24.99</p>'
    "<p>A sturdy steel kettle that boils water in under two minutes and keeps it warm for an hour.</p>"
    "<button>Add to cart</button></body></html>")


def test_find_dates_reads_the_page_of_an_article():
    url = "https://example.org/news/2019/board-minutes"
    assert extract(ARTICLE_WITHOUT_DATE, url=url).date is None  # only htmldate reads the <title>
    doc = extract(ARTICLE_WITHOUT_DATE, url=url, find_dates=True)
    assert doc.page_type == "article" and doc.date == "2019-03-04"


def test_find_dates_leaves_pages_without_a_publication_date_alone(monkeypatch):
    """A product page has no publication date: htmldate is not asked (it would find build stamps)."""
    import copydesk.metadata as metadata
    asked = []
    monkeypatch.setattr(metadata, "htmldate_fallback_html",
                        lambda html, url=None, extensive=False: asked.append(url) or "2019-03-04")
    url = "https://shop.example.com/products/steel-kettle"
    doc = extract(PRODUCT_WITHOUT_DATE, url=url, find_dates=True)
    assert doc.page_type == "product" and doc.date is None and asked == []
    assert extract(ARTICLE_WITHOUT_DATE, url="https://example.org/a", find_dates=True).date == "2019-03-04"
    assert asked == ["https://example.org/a"]
    assert extract(ARTICLE_WITHOUT_DATE, url="https://example.org/b").date is None and len(asked) == 1


def test_text_decoded_twice_upstream_is_repaired_in_every_field():
    pytest.importorskip("ftfy")
    good = ("<html><head><title>Café society</title></head><body><article><h1>Café society</h1>"
            "<p class='byline'>By José Núñez</p>"
            + "".join(f"<p>The café’s owner, number {i}, said the night’s storm flooded the whole street "
                      "and the river rose faster than anyone had seen.</p>" for i in range(6))
            + "</article></body></html>")
    broken = good.encode("utf-8").decode("cp1252").encode("utf-8")   # valid UTF-8 spelling "cafÃ©"
    fixed, clean = extract(broken), extract(good.encode("utf-8"))
    assert "Ã" not in fixed.text + (fixed.title or "") + " ".join(fixed.authors)
    # the blocks are chosen on the text as it came (so the two may keep different paragraphs)
    assert fixed.paragraphs and set(fixed.paragraphs) <= set(clean.paragraphs)
    assert fixed.title == clean.title == "Café society" and fixed.authors == clean.authors == ["José Núñez"]
    assert any("mojibake" in w for w in fixed.warnings) and not any("mojibake" in w for w in clean.warnings)


def test_text_decoded_twice_without_ftfy_is_left_as_it_came_and_said(monkeypatch):
    import copydesk.api as api
    monkeypatch.setattr(api, "fix_mojibake", lambda text, fix_all=False: None)
    page = ("<html><body><article><h1>CafÃ© society</h1>"
            + "".join(f"<p>The cafÃ©â€™s owner, number {i}, said the nightâ€™s storm flooded the whole street "
                      "and the river rose faster than anyone had seen.</p>" for i in range(6))
            + "</article></body></html>").encode("utf-8")
    doc = extract(page)
    assert "Ã©" in doc.text and any("install ftfy" in w for w in doc.warnings)
