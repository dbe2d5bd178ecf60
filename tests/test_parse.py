import time

from copydesk.options import MAX_DEPTH
from copydesk.parse import flatten_deep_nesting, parse


def test_deep_div_nesting_is_flattened_quickly():
    html = "<body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body>"
    t0 = time.perf_counter()
    tree, warnings = parse(html)
    assert time.perf_counter() - t0 < 10
    assert tree.body.text().strip() == "deep text"
    assert warnings and "flattened" in warnings[0]


def test_shallow_pages_untouched():
    html = "<div><div><p>x</p></div></div>"
    assert flatten_deep_nesting(html) == (html, False)


def test_flatten_keeps_depth_limit():
    html = "<div>" * 12_000 + "t" + "</div>" * 12_000
    out, cut = flatten_deep_nesting(html)
    assert cut and out.count("<div>") == MAX_DEPTH and out.count("</div>") == MAX_DEPTH


def test_nul_bytes_removed():
    tree, _ = parse("<p>a\x00b</p>")
    assert tree.body.text() == "ab"


def test_unclosed_title_does_not_swallow_the_page():
    tree, warnings = parse("<html><head><title>Pier closure<body><p>The pier closes today.")
    assert tree.body.text().strip() == "The pier closes today."
    assert tree.css_first("title").text() == "Pier closure"
    assert warnings == ["unclosed <title> closed"]


def test_self_closed_iframe_does_not_swallow_the_page():
    html = ('<html><body><noscript><iframe src="https://tags.example/ns.html" height="0" /></noscript>'
            "<p>The article text.</p>" + "<p>More of it.</p>" * 20 + "</body></html>")
    tree, warnings = parse(html)
    assert "The article text." in tree.body.text()
    assert warnings == ["1 self-closed <iframe> closed"]


def test_a_tag_flooded_with_attributes_loses_them_instead_of_stalling_the_parser():
    import time
    from copydesk.parse import MAX_TAG_ATTRIBUTES, parse
    flood = " ".join(f"a{i}=x" for i in range(100_000))  # Lexbor takes minutes on this many distinct names
    start = time.perf_counter()
    tree, warnings = parse(f"<div {flood}><p>Kept text.</p></div><img src=x alt=y>")
    assert time.perf_counter() - start < 10
    assert tree.css_first("p").text() == "Kept text." and not tree.css_first("div").attributes
    assert tree.css_first("img").attributes == {"src": "x", "alt": "y"}
    assert any(str(MAX_TAG_ATTRIBUTES) in w for w in warnings)
    # Many "=" inside one quoted value (URLs in a JSON data attribute) are not a flood.
    data = '{"urls": [' + ",".join(f'"/p?id={i}&v=1"' for i in range(30_000)) + "]}"
    tree, warnings = parse(f"<div class='grid' data-products='{data}'><p>Kept.</p></div>")
    assert tree.css_first("div").attributes["class"] == "grid" and not warnings


def test_page_needing_no_repair_is_parsed_from_its_utf8_bytes_and_others_from_the_text():
    page = "<html><body><p>Grüße aus Zürich — 東京</p></body></html>"
    tree, _ = parse(page, page.encode("utf-8"))
    assert tree.body.text() == "Grüße aus Zürich — 東京"
    # A stand-in for the bytes shows which input the parser read.
    tree, _ = parse(page, b"<html><body><p>the bytes</p></body></html>")
    assert tree.body.text() == "the bytes"
    # A page the guards change before parsing (NUL removed) is parsed from the repaired text.
    tree, _ = parse("<html><body><p>a\x00b</p></body></html>", b"<html><body><p>the bytes</p></body></html>")
    assert tree.body.text() == "ab"
    # One whose tree shows a repair is needed (an unclosed <title> took the page) is parsed
    # again from the repaired text.
    broken = "<title>t<body><p>after</p></body>"
    tree, warnings = parse(broken, broken.encode("utf-8"))
    assert (tree.css_first("title").text(), tree.body.text()) == ("t", "after")
    assert warnings == ["unclosed <title> closed"]
