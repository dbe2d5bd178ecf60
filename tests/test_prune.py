from selectolax.lexbor import LexborHTMLParser

from copydesk.blocks import IN_HIDDEN
from copydesk.prune import SCREEN_READER_MAX_CHARS, prune
from copydesk.segment import segment


def _pruned(body: str) -> str:
    tree = LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")
    prune(tree)
    return tree.body.text(separator=" ")


def _hidden(body: str) -> tuple[str, str]:
    """(visible text, flagged hidden text) of `body` after pruning, as segmentation sees them."""
    tree = LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")
    prune(tree)
    blocks = segment(tree).blocks
    return (" ".join(b.text for b in blocks if not b.flags & IN_HIDDEN),
            " ".join(b.text for b in blocks if b.flags & IN_HIDDEN))


def test_scripts_and_media_go_hidden_elements_stay_flagged():
    shown, hidden = _hidden('<p>kept</p><script>var x</script><style>p{}</style><div hidden>tab one</div>'
                            '<div style="display: none">tab two</div><svg><text>gone3</text></svg>')
    assert shown == "kept"
    assert hidden == "tab one tab two"
    for gone in ("var x", "p{}", "gone3"):
        assert gone not in shown + hidden


def test_second_look_flags_nothing():
    tree = LexborHTMLParser('<html><body><div hidden class="gate">behind the gate</div></body></html>')
    assert prune(tree, keep_hidden=True) == 0
    assert [b.flags & IN_HIDDEN for b in segment(tree).blocks] == [0]


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


def test_nested_hidden_elements_do_not_crash():
    html = "".join('<div hidden><span class="sr-only">a<span class="sr-only">b<div style="display:none">c'
                   for _ in range(100))
    shown, hidden = _hidden(html + "<p>after</p>")
    # "after" sits inside the innermost screen-reader-only spans, short enough to go; the outer
    # levels hold most of the page (a page hidden until its scripts run) and stay unflagged
    assert "after" not in shown + hidden
    assert shown.split() == ["ab", "c", "ab", "c"]


def test_a_page_hidden_until_its_scripts_run_is_not_flagged():
    story = "<p>" + "This is the story the page shows once its scripts have run. " * 20 + "</p>"
    streamed, _ = _hidden(f'<div hidden id="S:0">{story}</div><nav>Home</nav>')
    wrapped, pieces = _hidden(f'<div style="visibility:hidden;min-height:100vh">{story}'
                              '<div style="display:none">menu</div></div>')
    assert "story the page shows" in streamed and "story the page shows" in wrapped
    assert pieces == "menu"  # hidden pieces inside it are still flagged


def test_a_page_streamed_in_hidden_segments_is_not_flagged():
    segments = "".join(f'<div hidden id="S:{i}"><p>Part {i} of the streamed story, long enough to count.</p></div>'
                       for i in range(6))
    shown, hidden = _hidden(f'<p>Loading…</p>{segments}<div style="display:none">cookie banner</div>')
    assert all(f"Part {i} of the streamed story" in shown for i in range(6))
    assert hidden == "cookie banner"


def test_a_large_hidden_cookie_dialog_is_flagged():
    article = "<p>" + "The article people came for, visible from the start. " * 10 + "</p>"
    dialog = '<div role="dialog" style="display:none">' + "We use cookies to improve your experience. " * 30 + "</div>"
    shown, hidden = _hidden(article + dialog)
    assert "The article people came for" in shown and "cookies" not in shown
    assert hidden.startswith("We use cookies")
