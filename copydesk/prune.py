"""prune: remove from the DOM what can never be content, before segmentation.

Owns the cheap, certain removals: scripts, styles, embedded media and
elements the page itself hides. Everything doubtful stays for the model.
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


def prune(tree: LexborHTMLParser) -> None:
    """Remove never-content and hidden elements in place."""
    tree.strip_tags(list(NEVER_CONTENT), recursive=False)
    for node in tree.css(HIDDEN_SELECTOR):
        if node.tag not in ("html", "body"):
            node.decompose()
