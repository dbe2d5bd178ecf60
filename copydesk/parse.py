"""parse: text → a Lexbor DOM (through selectolax), guarded against pathological input.

Owns the one HTML parse of a page. Lexbor is quadratic on very deep nesting of
elements that close an open `<p>` (10^5 nested `<div>`s take a minute), so
such pages are flattened below `MAX_DEPTH` before parsing; and on the number of
distinct attributes of one tag (20,000 take 1.4 s, 200,000 minutes), so such
tags lose their attributes.
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
#: Elements whose content is raw text up to their end tag (a missing end tag eats the page).
_RCDATA_RES = [(t, re.compile(f"<{t}\\b", re.I), re.compile(f"</{t}", re.I)) for t in ("title", "textarea")]
#: An `<iframe>` written self-closing (common in tag-manager <noscript> snippets): the parser
#: does not honour the slash, so the rest of the page would become the iframe's text.
_SELF_CLOSED_IFRAME = re.compile(r"<iframe\b[^>]*?/>", re.I)
#: A tag with more attributes than this keeps none (an attribute flood, never real markup).
MAX_TAG_ATTRIBUTES = 5_000
#: Pages with fewer `=` than this cannot hold a flood slow enough to matter (20,000 distinct
#: attributes parse in 1.4 s); most pages have a few thousand, and scanning costs ~4 ms a page.
_FLOOD_SCAN_MIN_EQUALS = 20_000
#: Tags this long or longer are the only ones that can hold `MAX_TAG_ATTRIBUTES` attributes.
_LONG_TAG_RE = re.compile(r"<([A-Za-z][^\s/>]*)([^>]{32768,})>")
#: Quoted attribute values: their `=` (URLs, JSON in data attributes) are not attributes.
_QUOTED_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
#: Below this many tags a page cannot be deep enough to be slow: Lexbor parses 10,000
#: nested <div>s in 0.2 s, 20,000 in 1.2 s, 100,000 in a minute. Scanning costs more
#: than parsing, so typical pages (a few thousand tags) skip it.
_DEEP_SCAN_MIN_TAGS = 20_000


def flatten_deep_nesting(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, bool]:
    """Drop container tags nested deeper than `max_depth`; their text stays."""
    # Nesting deep enough to be slow needs that many tags; one C-level count rules most pages out.
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


def strip_attribute_floods(html: str) -> tuple[str, int]:
    """Drop every attribute of tags holding more than `MAX_TAG_ATTRIBUTES`; how many tags were cut."""
    if html.count("=") < _FLOOD_SCAN_MIN_EQUALS:
        return html, 0
    cut = 0

    def repl(m: re.Match) -> str:
        nonlocal cut
        attrs = m.group(2)
        if attrs.count("=") <= MAX_TAG_ATTRIBUTES or _QUOTED_RE.sub("", attrs).count("=") <= MAX_TAG_ATTRIBUTES:
            return m.group(0)
        cut += 1
        return f"<{m.group(1)}>"
    html = _LONG_TAG_RE.sub(repl, html)
    return html, cut


def close_raw_text_elements(html: str) -> tuple[str, list[str]]:
    """Close an unclosed `<title>`/`<textarea>`, which would otherwise swallow the whole page."""
    warnings: list[str] = []
    for tag, open_re, close_re in _RCDATA_RES:
        m = open_re.search(html)
        if m is None or close_re.search(html, m.end()):
            continue
        start = m.start()
        open_end = html.find(">", start)
        nxt = html.find("<", open_end + 1) if open_end >= 0 else -1
        if nxt > 0:
            html = html[:nxt] + f"</{tag}>" + html[nxt:]
            warnings.append(f"unclosed <{tag}> closed")
    return html, warnings


def _swallowing(tree: LexborHTMLParser) -> set[str]:
    """Tags of the raw-text elements that hold markup as their text: an unclosed `<title>` or
    `<textarea>`, or a self-closed `<iframe>`, took the page after it for its text.

    Checked on the tree, and repaired only then: scanning every page for them costs more.
    """
    found: set[str] = set()
    for node in tree.css("title, textarea, iframe"):
        text = node.text(deep=True)
        if "<" in text and (len(text) > 200 or node.tag != "iframe"):
            found.add(node.tag)
    return found


def parse(html: str, utf8: bytes | None = None) -> tuple[LexborHTMLParser, list[str]]:
    """Parse a page; returns the tree and warnings about repairs made.

    `utf8`, when given, must be `html` encoded as UTF-8 (`decode.Decoded.utf8`): a page that
    needs no repair is parsed from it, which spares the parser encoding the text again.
    """
    given = html
    warnings: list[str] = []
    html, flattened = flatten_deep_nesting(html)
    if flattened:
        warnings.append(f"elements nested deeper than {MAX_DEPTH} were flattened")
    html, flooded = strip_attribute_floods(html)
    if flooded:
        warnings.append(f"{flooded} tag(s) with more than {MAX_TAG_ATTRIBUTES} attributes lost them")
    if "\x00" in html:
        html = html.replace("\x00", "")
    tree = LexborHTMLParser(utf8 if utf8 is not None and html is given else html)
    swallowed = _swallowing(tree)
    if swallowed:
        repaired = html
        if swallowed - {"iframe"}:
            repaired, closed = close_raw_text_elements(repaired)
            warnings += closed
        if "iframe" in swallowed:
            repaired, n = _SELF_CLOSED_IFRAME.subn(r"\g<0></iframe>", repaired)
            if n:
                warnings.append(f"{n} self-closed <iframe> closed")
        if repaired is not html:
            tree = LexborHTMLParser(repaired)
    return tree, warnings
