"""augment: extra training pages made from the annotated ones, for three kinds of page the
shared sets barely hold. Each teaches one behaviour the real pages alone did not.

- **Long articles.** A real article page with hundreds of real paragraphs (gold paragraphs of
  other pages of the same cross-validation fold) inserted after its first body paragraph; its
  gold text gains them. Without them the model learned that very large pages are link lists
  and comment threads: an article of 1,000 paragraphs kept between a fifth and two thirds.
- **Chrome-only pages.** A real page reduced to its navigation, header, footer and sidebars
  (what a crawler gets when the article did not load), with the page's own gold text: whatever
  of the article survives in that chrome stays labelled body, the rest is boilerplate.
- **Bare articles.** The first one to three gold paragraphs of a real article alone in a bare
  body: a page of a paragraph or two is still an article (with chrome-only pages but without
  these, the model took every small page for boilerplate).

Only training uses these pages (`train.PageRows.made`), at reduced weights (`WEIGHTS`);
every figure reported is measured on the real pages alone. Deterministic: the same pages give
the same made pages.
"""
from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import replace
from html import escape

from selectolax.lexbor import LexborHTMLParser

from .decode import decode

#: Paragraphs inserted into the long articles, in turn.
LONG_SIZES = (150, 400, 900)
#: One article page in this many becomes a long article / a chrome-only page / a bare article.
LONG_EVERY = 8
CHROME_EVERY = 8
#: Gold lines of at least this many words count as paragraphs (to insert, and to find the first one).
PARAGRAPH_MIN_WORDS = 20
#: Characters of the first gold paragraph looked for in the page's <p> elements.
ANCHOR_CHARS = 60
#: What is left of a page made chrome-only.
CHROME_SELECTOR = ("nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo], "
                   "[role=complementary]")
#: A chrome-only page needs at least this much text to be worth a training page.
CHROME_MIN_CHARS = 200
BARE_EVERY = 8
#: Bare articles: this many of a page's gold paragraphs (in turn), lines of at least this many words.
BARE_SIZES = (1, 2, 3)
BARE_MIN_WORDS = 8
#: Weight of each kind of made page. Measured out of fold (real pages only), at full weight the
#: chrome-only pages cost collection pages 5 points; at these weights the two sets move by less
#: than run-to-run noise while the three behaviours they teach hold.
WEIGHTS = {"long": 0.5, "chrome": 0.3, "bare": 0.5}
#: Marks the id of every made page.
MARK = "+"


def _norm(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(gold: str | None, min_words: int = PARAGRAPH_MIN_WORDS) -> list[str]:
    return [_norm(x) for x in (gold or "").split("\n") if len(x.split()) >= min_words]


def _utf8(html: str) -> bytes:
    """The page as bytes that `decode` reads back unchanged, whatever its <meta charset> says."""
    return codecs.BOM_UTF8 + html.encode("utf-8", "surrogatepass")


def _with_body(tree: LexborHTMLParser, body: str) -> bytes:
    """A page of the `tree`'s <head> and `body`."""
    head = tree.head.html if tree.head is not None else "<head></head>"
    return _utf8(f"<!DOCTYPE html><html>{head}<body>{body}</body></html>")


def long_article(page, extra: Sequence[str]):
    """`page` with `extra` paragraphs after its first gold paragraph, or None if it has none."""
    paras = _paragraphs(page.gold_text)
    if not paras or not extra:
        return None
    tree = LexborHTMLParser(decode(page.html).text)
    anchor = paras[0][:ANCHOR_CHARS]
    node = next((p for p in tree.css("p") if anchor in _norm(p.text())), None)
    if node is None:
        return None
    html, here = tree.html or "", node.html or ""
    pos = html.find(here)
    if pos < 0 or not here:
        return None
    end = pos + len(here)
    inserted = "".join(f"<p>{escape(x)}</p>" for x in extra)
    return replace(page, id=f"{page.id}{MARK}long{len(extra)}", html=_utf8(html[:end] + inserted + html[end:]),
                   gold_text=page.gold_text + "\n" + "\n".join(extra))


def chrome_only(page):
    """`page` reduced to its navigation, header, footer and sidebars, or None if they hold little text."""
    tree = LexborHTMLParser(decode(page.html).text)
    chosen = tree.css(CHROME_SELECTOR)
    ids = {n.mem_id for n in chosen}
    outer = []
    for n in chosen:
        p = n.parent
        while p is not None and p.mem_id not in ids:
            p = p.parent
        if p is None:
            outer.append(n)
    if sum(len(n.text(strip=True)) for n in outer) < CHROME_MIN_CHARS:
        return None
    return replace(page, id=f"{page.id}{MARK}chrome", html=_with_body(tree, "".join(n.html or "" for n in outer)))


def bare_article(page, n: int):
    """`page`'s first `n` gold paragraphs alone in a bare body (its <head> kept), or None."""
    paras = _paragraphs(page.gold_text, BARE_MIN_WORDS)[:n]
    if not paras:
        return None
    tree = LexborHTMLParser(decode(page.html).text)
    return replace(page, id=f"{page.id}{MARK}bare{len(paras)}",
                   html=_with_body(tree, "".join(f"<p>{escape(x)}</p>" for x in paras)))


def made_kind(page) -> str | None:
    """"long", "chrome" or "bare" for a made page, None for an annotated one."""
    if MARK not in page.id:
        return None
    return page.id.rsplit(MARK, 1)[1].rstrip("0123456789")


def is_made(page) -> bool:
    return made_kind(page) is not None


def weight(page) -> float:
    """Training weight of a page's blocks, relative to an annotated page's."""
    kind = made_kind(page)
    return 1.0 if kind is None else WEIGHTS[kind]


def made_pages(pages: Sequence, fold_of) -> list:
    """The extra training pages for `pages`, made from its article pages with a gold text (WCXB).

    `fold_of(host)` is the cross-validation fold of a host: inserted paragraphs come from pages of
    the same fold, so no text crosses from a training fold into a held-out one.
    """
    articles = [p for p in pages if p.gold_text and p.page_type == "article" and not is_made(p)]
    by_fold: dict[int, list[str]] = {}
    for p in articles:
        by_fold.setdefault(fold_of(p.host), []).extend(_paragraphs(p.gold_text))
    by_fold = {k: list(dict.fromkeys(v)) for k, v in by_fold.items()}
    out = []
    for i, p in enumerate(articles[::LONG_EVERY]):
        own = set(_paragraphs(p.gold_text))
        pool = [x for x in by_fold.get(fold_of(p.host), []) if x not in own]
        size = LONG_SIZES[i % len(LONG_SIZES)]
        start = (i * 97) % max(len(pool), 1)
        extra = (pool[start:] + pool[:start])[:size]
        made = long_article(p, extra)
        if made is not None:
            out.append(made)
    for p in articles[CHROME_EVERY // 2::CHROME_EVERY]:
        made = chrome_only(p)
        if made is not None:
            out.append(made)
    for i, p in enumerate(articles[BARE_EVERY // 4::BARE_EVERY]):
        made = bare_article(p, BARE_SIZES[i % len(BARE_SIZES)])
        if made is not None:
            out.append(made)
    return out
