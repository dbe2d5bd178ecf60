"""augment: the training pages made from annotated ones."""
from __future__ import annotations

from copydesk.augment import WEIGHTS, bare_article, chrome_only, is_made, long_article, made_kind, made_pages, weight
from copydesk.bench.datasets import Page
from copydesk.decode import decode

PARA = ("The harbour authority said on Thursday that the northern pier would close for repairs in May, "
        "after divers found that several of its oak piles had been weakened by shipworm.")
SECOND = ("Fishing boats that normally moor at the pier will be moved to the old ferry basin for the summer, "
          "a change that local skippers said would add about twenty minutes to every trip out.")
CHROME = ('<header><nav><a href="/">Home</a> <a href="/news">News and the latest stories from the harbour</a>'
          '</nav></header>')
FOOTER = '<footer><a href="/privacy">Privacy policy and cookies</a> © 2024 Harbour Gazette, all rights</footer>'


def _page(pid: str, host: str, body: str, gold: str, *, charset: str = "iso-8859-1", page_type="article") -> Page:
    html = (f'<html><head><meta charset="{charset}"><title>Pier</title></head><body>{CHROME}'
            f'<aside>{"Most read: the week in pictures from the harbour and the coast. " * 3}</aside>'
            f'<article>{body}</article>{FOOTER}</body></html>')
    return Page(id=pid, dataset="wcxb-dev", html=html.encode("latin-1"), url=f"https://{host}/a", host=host,
                page_type=page_type, gold_text=gold)


def test_long_article_inserts_paragraphs_after_the_first_body_paragraph():
    page = _page("1", "a.example", f"<h1>Pier</h1><p>{PARA}</p><p>{SECOND}</p>", f"{PARA}\n{SECOND}")
    extra = [f"Inserted paragraph number {i} with caf\u00e9 and na\u00efve words in it." for i in range(3)]
    made = long_article(page, extra)
    assert made is not None and is_made(made) and not is_made(page)
    text = decode(made.html).text  # whatever the page's <meta charset> says, the bytes read back as written
    assert text.index(PARA) < text.index(extra[0]) < text.index(extra[2]) < text.index(SECOND)
    assert made.gold_text.split("\n") == [PARA, SECOND] + extra
    assert made.host == page.host and made.url == page.url


def test_long_article_needs_a_findable_body_paragraph():
    page = _page("1", "a.example", "<div>No paragraph elements here at all.</div>", PARA)
    assert long_article(page, ["x " * 30]) is None
    assert long_article(_page("2", "a.example", f"<p>{PARA}</p>", ""), ["x " * 30]) is None


def test_chrome_only_keeps_the_outermost_chrome_and_the_gold():
    page = _page("1", "a.example", f"<p>{PARA}</p>", PARA)
    made = chrome_only(page)
    assert made is not None and is_made(made)
    text = decode(made.html).text
    assert "Home" in text and "Most read" in text and "Privacy policy" in text
    assert PARA not in text
    assert text.count("<nav") == 1  # the <nav> inside <header> is not copied twice
    assert made.gold_text == page.gold_text


def test_chrome_only_skips_pages_with_little_chrome():
    html = f"<html><body><nav><a href='/'>Home</a></nav><p>{PARA}</p></body></html>".encode()
    page = Page(id="1", dataset="wcxb-dev", html=html, url=None, host="a.example", page_type="article",
                gold_text=PARA)
    assert chrome_only(page) is None


def test_made_pages_are_deterministic_and_take_paragraphs_from_their_own_fold():
    pages = [_page(str(i), f"host{i % 2}.example", f"<p>{PARA} {i}</p><p>{SECOND} {i}</p>",
                   f"{PARA} {i}\n{SECOND} {i}") for i in range(40)]
    fold = {"host0.example": 0, "host1.example": 1}.__getitem__
    made = made_pages(pages, fold)
    assert made and [m.id for m in made] == [m.id for m in made_pages(pages, fold)]
    assert {made_kind(m) for m in made} == {"long", "chrome", "bare"}
    assert all(weight(m) == WEIGHTS[made_kind(m)] < 1.0 for m in made) and weight(pages[0]) == 1.0
    for m in made:
        if "long" in m.id:
            own_fold = fold(m.host)
            inserted = m.gold_text.split("\n")[2:]
            assert inserted, m.id
            for line in inserted:
                source = int(line.rsplit(" ", 1)[1])
                assert source % 2 == own_fold and str(source) != m.id.split("+")[0]
    assert made_pages(made, fold) == []  # made pages are never made again


def test_bare_article_keeps_the_first_gold_paragraphs_and_the_head():
    page = _page("7", "a.example", f"<p>{PARA}</p><p>{SECOND}</p>", f"Short line\n{PARA}\n{SECOND}")
    made = bare_article(page, 1)
    assert made is not None and made_kind(made) == "bare" and made.id == "7+bare1"
    text = decode(made.html).text
    assert "<title>Pier</title>" in text and PARA in text
    assert SECOND not in text and "Home" not in text and "Short line" not in text
    assert bare_article(_page("8", "a.example", "<p>x</p>", "too short"), 2) is None
