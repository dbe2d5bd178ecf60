"""parse: text → a Lexbor DOM (through selectolax), guarded against pathological input.

Owns the one HTML parse of a page. Lexbor is quadratic on very deep nesting of
elements that close an open `<p>` (10^5 nested `<div>`s take a minute), so
such pages are flattened below `MAX_DEPTH` before parsing.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from .options import MAX_DEPTH

#: Elements the HTML parser checks "p in button scope" for; deep nests of them are slow.
_SCOPE_TAGS = (
    "address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption|"
    "figure|footer|header|hgroup|main|menu|nav|ol|section|summary|ul|table|li|dd|dt|form"
)
_SCOPE_TAG_RE = re.compile(r"<(/?)(" + _SCOPE_TAGS + r")\b[^>]*>", re.IGNORECASE)
#: Below this many container tags a page cannot be deep enough to matter.
_DEEP_SCAN_MIN_TAGS = MAX_DEPTH


def flatten_deep_nesting(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, bool]:
    """Drop container tags nested deeper than `max_depth`; their text stays."""
    if html.count("<") < _DEEP_SCAN_MIN_TAGS:
        return html, False
    depth = 0
    cut = False
    out: list[str] = []
    last = 0
    for m in _SCOPE_TAG_RE.finditer(html):
        closing = bool(m.group(1))
        if closing:
            if depth > max_depth:
                out.append(html[last:m.start()])
                last = m.end()
                cut = True
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > max_depth:
                out.append(html[last:m.start()])
                last = m.end()
                cut = True
    if not cut:
        return html, False
    out.append(html[last:])
    return "".join(out), True


def parse(html: str) -> tuple[LexborHTMLParser, list[str]]:
    """Parse a page; returns the tree and warnings about repairs made."""
    warnings: list[str] = []
    html, flattened = flatten_deep_nesting(html)
    if flattened:
        warnings.append(f"elements nested deeper than {MAX_DEPTH} were flattened")
    if "\x00" in html:
        html = html.replace("\x00", "")
    return LexborHTMLParser(html), warnings
