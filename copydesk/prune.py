"""prune: remove from the DOM what can never be content, before segmentation.

Owns the cheap, certain removals: scripts, styles, embedded media, elements
the page itself hides, and text meant only for screen readers. Everything
doubtful stays for the model. How much hidden text went is reported, so a
page that yields nothing can be looked at again with it.
"""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

#: Elements whose content is never article text.
NEVER_CONTENT = (
    "script", "style", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "source", "track", "map", "link", "meta", "input", "select",
    "textarea", "head", "title", "picture", "img",
)
#: Elements the page hides from every reader.
HIDDEN_SELECTOR = '[hidden], [style*="display:none"], [style*="display: none"], [style*="visibility:hidden"], [style*="visibility: hidden"]'
#: A "hidden" element holding at least this share of the page's text is the page itself, hidden
#: until its scripts run (an anti-flicker wrapper), and stays. Hidden cookie dialogs reach 0.75.
HIDDEN_PAGE_SHARE = 0.8
#: `hidden` children of <body> that hold this share together are a page streamed by server
#: rendering (React parks it in `<div hidden id="S:n">` segments), and stay.
STREAMED_PAGE_SHARE = 0.6
#: The usual CSS classes of text that is clipped out of view for screen readers only ("Opens in a
#: new window", a duplicate of a visible price or title). In 600 WCXB dev pages, 63 of 2,131 such
#: texts occur in the annotated article text, nearly all single words like "of" or "per".
SCREEN_READER_SELECTOR = ", ".join(
    "." + c for c in ("sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
                      "screen-reader-only", "screenreader-only", "sr-text", "offscreen")
)
#: Longer "screen-reader" text is kept: a page that hides real content this way is not hiding chrome.
SCREEN_READER_MAX_CHARS = 300


def prune(tree: LexborHTMLParser, keep_hidden: bool = False) -> int:
    """Remove never-content, hidden (but not a hidden page) and screen-reader-only elements in place.

    Returns how many characters of hidden text went. With `keep_hidden`, hidden elements stay (the
    second look `api.explain` takes at a page that gave nothing: content behind a script-run gate).
    """
    tree.strip_tags(list(NEVER_CONTENT), recursive=False)
    hidden = [] if keep_hidden else [n for n in tree.css(HIDDEN_SELECTOR) if n.tag not in ("html", "body")]
    removed = 0
    if hidden:
        body = tree.body
        total = len(body.text(deep=True)) if body is not None else 0
        # Measure every element before removing any: a removed element's descendants are gone.
        sizes = [len(n.text(deep=True)) for n in hidden]
        streamed = ["hidden" in n.attributes and n.parent is not None and n.parent.tag == "body" for n in hidden]
        page_streamed = total and sum(s for s, st in zip(sizes, streamed) if st) >= STREAMED_PAGE_SHARE * total
        for node, size, st in zip(hidden, sizes, streamed):
            if not (total and size >= HIDDEN_PAGE_SHARE * total) and not (page_streamed and st):
                node.decompose()
                removed += size

    for node in tree.css(SCREEN_READER_SELECTOR):
        if node.tag not in ("html", "body") and len(node.text(deep=True)) <= SCREEN_READER_MAX_CHARS:
            node.decompose()
    return removed
