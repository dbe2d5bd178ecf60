"""Text renderings of the annotated pages: what a simple scraper would have kept.

This module owns turning a page's HTML into the plain text that scraped-text
mode (`copydesk.clean_text`, `copydesk bench --input text`, the line model's
training in `copydesk.train_text`) is measured and trained on: all visible
text, one line per block element, a blank line after paragraph-level blocks.
Scripts, styles, forms' option lists and the like are skipped, nothing else
is: navigation, footers and widgets stay, as they would in a scrape, and so
does `<noscript>` content, which is what a scraper that runs no JavaScript
sees (forums such as Discourse serve their whole thread there).

`text_pages` returns the corpus as `Page` records whose ``html`` field holds
the UTF-8 bytes of the rendering (gold annotations unchanged), so the
runners of ``accuracy.py`` and ``speed.py`` take them as they are.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .datasets import Page

#: Elements whose text is never rendered.
SKIP_TAGS = frozenset({"script", "style", "template", "svg", "head", "title",
                       "iframe", "object", "canvas", "select", "option", "math", "-comment"})
#: Elements that end a line and are followed by a blank line.
PARA_TAGS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "nav", "aside",
                       "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote",
                       "pre", "form", "figure", "figcaption", "address", "hr", "fieldset", "details",
                       "summary", "body", "center", "menu", "hgroup", "dialog", "noscript"})
#: Elements that end a line without a blank line (so table cells are lines of their own).
LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "br", "option", "caption", "legend", "label",
                       "button", "td", "th"})
TEXT_ENCODING = "utf-8"

_WS = re.compile(r"\s+")


def decode_page(raw: bytes) -> str:
    """Page bytes to text with copydesk's decoder (BOM, UTF-8, declared charset, detection)."""
    from ..decode import decode
    return decode(raw).text


def render_text(html: str) -> str:
    """All visible text, one line per block element, blank lines between paragraph-level blocks."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    out: list[str] = []
    buf: list[str] = []

    def flush(blank: bool) -> None:
        if buf:
            line = _WS.sub(" ", "".join(buf)).strip()
            buf.clear()
            if line:
                out.append(line)
        if blank and out and out[-1] != "":
            out.append("")

    stack: list[tuple[object, bool]] = [(root, False)]  # iterative DFS with explicit exit events
    while stack:
        node, leaving = stack.pop()
        tag = node.tag  # type: ignore[attr-defined]
        if leaving:
            flush(tag in PARA_TAGS)
            continue
        if tag == "-text":
            text = node.text_content  # type: ignore[attr-defined]
            if text:
                buf.append(text)
            continue
        if tag in SKIP_TAGS or tag is None:
            continue
        if tag in PARA_TAGS or tag in LINE_TAGS:
            flush(tag in PARA_TAGS)
            stack.append((node, True))
        kids = []
        child = node.child  # type: ignore[attr-defined]
        while child is not None:
            kids.append(child)
            child = child.next
        stack.extend((k, False) for k in reversed(kids))
    flush(True)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def render_page(page: Page) -> Page:
    """The page with its HTML replaced by the UTF-8 bytes of its text rendering."""
    return dataclasses.replace(page, html=render_text(decode_page(page.html)).encode(TEXT_ENCODING))


def text_pages(pages: Sequence[Page]) -> list[Page]:
    """Text renderings of `pages`, in order (see `render_page`)."""
    return [render_page(p) for p in pages]


def page_text(page: Page) -> str:
    """The rendering carried by a page of `text_pages`."""
    return page.html.decode(TEXT_ENCODING)
