import pytest
from conftest import require_compiled

from copydesk import blocks as B
from copydesk import segment as segment_module
from copydesk.parse import parse
from copydesk.prune import prune
from copydesk.segment import segment

NATIVE = segment_module._native_bound


@pytest.fixture(autouse=True, params=["native", "python"])
def walk(request, monkeypatch):
    """Every test here runs on both walks: `_segment.c` and the Python reference."""
    if request.param == "native":
        require_compiled(NATIVE, "_segment")
    monkeypatch.setattr(segment_module, "_native_bound", request.param == "native")
    return request.param

PAGE = """<html><body><nav class="main-nav"><ul><li><a href=/>Home</a></li><li><a href=/w>World</a></li></ul></nav>
<article class="story"><h1>Big title</h1><div class="byline">By <a href=/a>Jane Doe</a></div>
<div itemprop="articleBody"><p>First para with <a href=x>a link</a> and text.</p>Loose text<br>after br
<h2>Sub</h2><pre>code
  indented</pre><blockquote><p>Quote here</p></blockquote><ul><li>item one</li></ul>
<figure><figcaption>A caption</figcaption></figure>
<table><tr><td>a</td><td>b</td></tr></table></div></article>
<script>var x = "never";</script><style>.a{}</style><p hidden>hidden text</p>
<footer><p>© 2024</p><button>Subscribe</button></footer></body></html>"""


def _blocks():
    tree, _ = parse(PAGE)
    prune(tree)
    return segment(tree)


def test_blocks_in_reading_order_with_kinds():
    seg = _blocks()
    got = [(b.text, b.kind) for b in seg.blocks]
    assert got == [
        ("Home", "list_item"), ("World", "list_item"), ("Big title", "heading"), ("By Jane Doe", "paragraph"),
        ("First para with a link and text.", "paragraph"), ("Loose text", "paragraph"), ("after br", "paragraph"),
        ("Sub", "heading"), ("code\n  indented", "code"), ("Quote here", "quote"), ("item one", "list_item"),
        ("A caption", "caption"), ("a", "table"), ("b", "table"), ("hidden text", "paragraph"),
        ("© 2024", "paragraph"), ("Subscribe", "paragraph"),
    ]
    assert [b.index for b in seg.blocks] == list(range(len(seg.blocks)))


def test_structure_flags_and_links():
    by_text = {b.text: b for b in _blocks().blocks}
    assert by_text["Home"].flags & B.IN_NAV and by_text["Home"].flags & B.IN_LINK_BLOCK
    assert by_text["First para with a link and text."].link_chars == len("a link")
    assert by_text["First para with a link and text."].flags & B.IN_ARTICLE_BODY
    assert by_text["© 2024"].flags & B.IN_FOOTER
    assert by_text["Subscribe"].flags & B.IN_FORM
    assert by_text["Sub"].level == 2
    # ancestors are root-first element ids; the block element comes last
    b = by_text["Quote here"]
    assert b.path[-2:] == ("blockquote", "p") and len(b.ancestors) == len(b.path)


def test_vocabulary_masks_follow_ancestors():
    seg = _blocks()
    i = next(i for i, b in enumerate(seg.blocks) if b.text == "Home")
    assert seg.cum_mask[i] & 0xFF == 1          # one "nav" ancestor (class main-nav)
    j = next(i for i, b in enumerate(seg.blocks) if b.text == "By Jane Doe")
    assert seg.own_mask[j] & (1 << 6)           # "byline" is meta vocabulary


def test_never_content_removed_and_hidden_text_flagged():
    blocks = _blocks().blocks
    assert "never" not in " ".join(b.text for b in blocks)
    assert [b.text for b in blocks if b.flags & B.IN_HIDDEN] == ["hidden text"]


def test_deep_inline_nesting_no_recursion():
    tree, _ = parse("<p>" + "<b>" * 50_000 + "deep" + "</b>" * 50_000 + "</p>")
    seg = segment(tree)
    assert [b.text for b in seg.blocks] == ["deep"]


def test_empty_body():
    tree, _ = parse("")
    assert segment(tree).blocks == []


def _reference_facts(tokens: str) -> tuple[int, int]:
    """Vocabulary bits and flags of a class/id string, the slow way: every pattern on every token."""
    from copydesk.segment import _BODY_MARKERS, _HIDDEN_CLASS, _VOCAB_RE
    mask = 0
    for token in tokens.replace("-", " ").replace("_", " ").split():
        for bit, rx in enumerate(_VOCAB_RE):
            if rx.search(token):
                mask |= 1 << bit
    flags = (B.IN_COMMENTS if mask & (1 << 5) else 0) | (B.IN_ARTICLE_BODY if _BODY_MARKERS.search(tokens) else 0)
    return mask, flags | (B.IN_HIDDEN if _HIDDEN_CLASS.search(tokens) else 0)


def test_class_facts_match_every_pattern_on_every_token():
    from copydesk.segment import _ATTR_CACHE, _TOKEN_CACHE, _attr_facts
    strings = ["tabs", "nav-tabs", "tab", "ad", "ad1 sidebar", "ads", "cta", "adverts", "sr-only", "visually-hidden x",
               "hidden-xs", "xhidden", "post-body entry", "entry-content", "article__body", "storybody",
               "offscreen-nav comment-list", "main_content post", "col-md-6 row", "share-bar social", ""]
    _ATTR_CACHE.clear()
    _TOKEN_CACHE.clear()
    for _ in range(2):  # computed, then from the caches
        for s in strings:
            mask, flags, packed = _attr_facts(s)
            assert (mask, flags) == _reference_facts(s), s
            assert packed == sum(1 << (8 * bit) for bit in range(8) if mask >> bit & 1)


def test_rules_and_line_breaks_end_a_block_and_leave_the_structure_alone():
    # <hr> and <br> end a line and hold nothing: no stale ancestor for the blocks after them,
    # and text after a closed parent is not put inside it. Rules are counted per block.
    tree, _ = parse("<body><div><p>one</p><hr><p>two</p>tail<hr>end</div><section><p>three</p><br>four</section></body>")
    seg = segment(tree)
    got = [(b.text, b.path, b.tag, b.depth) for b in seg.blocks]
    assert got == [
        ("one", ("body", "div", "p"), "p", 2),
        ("two", ("body", "div", "p"), "p", 2),
        ("tail", ("body", "div"), "div", 1),
        ("end", ("body", "div"), "div", 1),
        ("three", ("body", "section", "p"), "p", 2),
        ("four", ("body", "section"), "section", 1),
    ]
    assert seg.blocks[0].ancestors[:2] == seg.blocks[1].ancestors[:2]
    assert seg.blocks[4].ancestors[1] != seg.blocks[0].ancestors[1]
    assert seg.rules == [0, 1, 1, 2, 2, 2]


def test_lexbor_numbers_every_element_above_its_other_nodes():
    from copydesk import segment as sg

    tree, _ = parse("<!DOCTYPE html><html><body><!-- c --><abbr>a</abbr><x-widget>w</x-widget>"
                    "<svg><path/></svg><math><mi>x</mi></math><p>t<br>u</p><?pi x?><![CDATA[z]]></body></html>")
    seen = set()
    for node in tree.root.traverse(include_text=True):
        element = not (node.tag or "-").startswith("-")
        assert (node.tag_id >= sg._FIRST_ELEMENT_ID) == element, (node.tag, node.tag_id)
        seen.add(node.tag_id == sg._TEXT_ID and node.tag == "-text")
    assert True in seen


def test_vocabulary_counts_past_255_stay_64_bit():
    # 256 block-level elements of one vocabulary class (the root's included) carry a count into
    # the bit above the packed counts; featurize once raised OverflowError on such a page
    from copydesk.features import featurize

    html = '<body class="main-content">' + '<div class="article-content">' * 300 + "deep" + "</div>" * 300
    tree, _ = parse(html)
    prune(tree)
    seg = segment(tree)
    assert [b.text for b in seg.blocks] == ["deep"]
    assert all(0 <= c < 1 << 64 for c in seg.cum_mask)
    assert featurize(seg, None).shape[0] == 1
