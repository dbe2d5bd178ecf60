from selectolax.lexbor import LexborHTMLParser

from copydesk.prune import SCREEN_READER_MAX_CHARS, prune


def _pruned(body: str) -> str:
    tree = LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")
    prune(tree)
    return tree.body.text(separator=" ")


def test_scripts_media_and_hidden_elements_go():
    text = _pruned('<p>kept</p><script>var x</script><style>p{}</style><div hidden>gone1</div>'
                   '<div style="display: none">gone2</div><svg><text>gone3</text></svg>')
    assert "kept" in text
    for gone in ("var x", "p{}", "gone1", "gone2", "gone3"):
        assert gone not in text


def test_screen_reader_text_goes_but_visible_text_stays():
    text = _pruned('<p>Read <a href="#">more<span class="sr-only"> about cats</span></a> here.</p>'
                   '<span class="a-price"><span class="offscreen">$5.00</span><span>$5.00</span></span>'
                   '<button><span class="visually-hidden">Close dialog</span>×</button>')
    assert "about cats" not in text and "Close dialog" not in text
    assert "Read" in text and "here." in text
    assert text.count("$5.00") == 1


def test_long_screen_reader_only_content_is_kept():
    long = "word " * (SCREEN_READER_MAX_CHARS // 4)
    assert "word" in _pruned(f'<div class="sr-only">{long}</div>')


def test_nested_removals_do_not_crash():
    html = "".join('<div hidden><span class="sr-only">a<span class="sr-only">b<div style="display:none">c'
                   for _ in range(100))
    assert _pruned(html + "<p>after</p>").strip() == ""  # everything after sits inside the hidden div


def test_a_page_hidden_until_its_scripts_run_is_kept():
    story = "<p>" + "This is the story the page shows once its scripts have run. " * 20 + "</p>"
    streamed = _pruned(f'<div hidden id="S:0">{story}</div><nav>Home</nav>')
    wrapped = _pruned(f'<div style="visibility:hidden;min-height:100vh">{story}'
                      '<div style="display:none">menu</div></div>')
    assert "story the page shows" in streamed and "story the page shows" in wrapped
    assert "menu" not in wrapped  # hidden pieces inside it still go


def test_a_page_streamed_in_hidden_segments_is_kept():
    segments = "".join(f'<div hidden id="S:{i}"><p>Part {i} of the streamed story, long enough to count.</p></div>'
                       for i in range(6))
    text = _pruned(f'<p>Loading…</p>{segments}<div style="display:none">cookie banner</div>')
    assert all(f"Part {i} of the streamed story" in text for i in range(6))
    assert "cookie banner" not in text


def test_a_large_hidden_cookie_dialog_still_goes():
    article = "<p>" + "The article people came for, visible from the start. " * 10 + "</p>"
    dialog = '<div role="dialog" style="display:none">' + "We use cookies to improve your experience. " * 30 + "</div>"
    text = _pruned(article + dialog)
    assert "The article people came for" in text and "cookies" not in text
