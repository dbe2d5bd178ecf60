"""End-to-end checks against the hand-written pages in examples/.

`examples/news-article.html` is a synthetic but realistic news page; its
expectation lives in `examples/expected/news-article.json` (title, authors,
date, publisher, strings the body must / must not contain, the contributor
credit and the author bio). `examples/news-article.txt` is what a naive
scraper keeps of the same page and goes through the scraped-text path.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import copydesk
from copydesk import Document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NEWS_HTML = EXAMPLES / "news-article.html"
NEWS_TXT = EXAMPLES / "news-article.txt"
BLOG_HTML = EXAMPLES / "blog-post.html"
EXPECTED = json.loads((EXAMPLES / "expected" / "news-article.json").read_text(encoding="utf-8"))

NEWS_URL = "https://www.dailymeridian.example/climate/2024/03/12/hamburg-hydrogen-steel-furnace"


def norm(s: str | None) -> str:
    """Collapse whitespace so that line wrapping in the source does not matter."""
    return re.sub(r"\s+", " ", s or "").strip()


@pytest.fixture(scope="module")
def news() -> Document:
    return copydesk.extract(NEWS_HTML.read_bytes(), url=NEWS_URL)


# --- the fixtures themselves -------------------------------------------------

def test_expectation_is_consistent_with_the_page():
    """Guards the example files: every must-contain string is on the page, every
    must-not-contain string is on the page too (outside the story), so a test
    failure below is about the extractor, not a typo in the JSON."""
    html = NEWS_HTML.read_text(encoding="utf-8")
    visible = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    page = norm(re.sub(r"<[^>]+>", " ", visible))
    for s in EXPECTED["body_must_contain"] + EXPECTED["body_must_not_contain"]:
        assert norm(s) in page, s
    # the scraped-text twin keeps the story and (almost) all of the chrome
    twin = norm(NEWS_TXT.read_text(encoding="utf-8"))
    for s in EXPECTED["body_must_contain"] + [EXPECTED["credit"], EXPECTED["bio_author"]]:
        assert norm(s) in twin, s
    story = html.split('itemprop="articleBody"', 1)[1].split("story-body__credit", 1)[0]
    story = re.sub(r'<div class="ad-slot.*?</div>', " ", story, flags=re.S)  # the inline ad is chrome
    story_text = norm(re.sub(r"<[^>]+>", " ", story))
    for s in EXPECTED["body_must_contain"]:
        assert norm(s) in story_text, s
    for s in EXPECTED["body_must_not_contain"]:
        assert norm(s) not in story_text, s
    assert EXPECTED["credit"] in page and EXPECTED["bio_author"] in page


# --- HTML path -----------------------------------------------------------------

def test_news_returns_a_document(news):
    assert isinstance(news, Document)
    assert not news.is_empty, news.empty_reason
    assert news.empty_reason is None
    assert news.url == NEWS_URL


def test_news_metadata(news):
    assert news.title == EXPECTED["title"]
    assert news.authors == EXPECTED["authors"]
    assert news.date == EXPECTED["date"]
    assert news.publisher == EXPECTED["publisher"]


def test_news_secondary_metadata(news):
    assert (news.date_modified or "").startswith(EXPECTED["date_modified"])
    assert (news.language or "").lower().startswith(EXPECTED["language"])
    assert news.canonical_url == EXPECTED["canonical_url"]


@pytest.mark.parametrize("snippet", EXPECTED["body_must_contain"], ids=lambda s: s[:40])
def test_news_body_contains(news, snippet):
    assert norm(snippet) in norm(news.text)


@pytest.mark.parametrize("snippet", EXPECTED["body_must_not_contain"], ids=lambda s: s[:40])
def test_news_body_does_not_contain(news, snippet):
    assert norm(snippet) not in norm(news.text)


def test_news_body_order(news):
    """Paragraphs come out in document order."""
    text = norm(news.text)
    positions = [text.find(norm(s)) for s in EXPECTED["body_must_contain"]]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_news_paragraph_roles(news):
    by_role: dict[str, list[str]] = {}
    for p in news.paragraphs:
        by_role.setdefault(p.role, []).append(norm(p.text))
    for h in EXPECTED["body_headings"]:
        assert h in by_role.get("heading", []), f"heading {h!r} not found with role heading"
    for li in EXPECTED["body_list_items"]:
        assert any(norm(li) in t for t in by_role.get("list_item", [])), f"list item {li!r} not a list_item"
    assert any(EXPECTED["body_quote"] in t for t in by_role.get("quote", [])), "pull quote not a quote"


def test_news_title_not_repeated_as_first_paragraph(news):
    assert norm(news.paragraphs[0].text) != EXPECTED["title"]


def test_news_credit(news):
    assert any(EXPECTED["credit"] in norm(c) for c in news.credits), news.credits


def test_news_bio(news):
    assert news.bio is not None
    assert EXPECTED["bio_author"] in norm(news.bio)


def test_news_str_and_bytes_agree(news):
    doc = copydesk.extract(NEWS_HTML.read_text(encoding="utf-8"), url=NEWS_URL)
    assert doc.text == news.text
    assert doc.title == news.title


def test_news_to_dict_is_json(news):
    d = json.loads(json.dumps(news.to_dict()))
    assert d["title"] == EXPECTED["title"]
    assert d["text"] == news.text


# --- scraped-text path ---------------------------------------------------------

@pytest.fixture(scope="module")
def news_from_text() -> Document:
    try:
        from copydesk.textmode import clean_text
    except ImportError as exc:
        pytest.skip(f"copydesk.textmode.clean_text not importable yet: {exc}")
    return clean_text(NEWS_TXT.read_text(encoding="utf-8"))


def test_text_twin_not_empty(news_from_text):
    assert isinstance(news_from_text, Document)
    assert not news_from_text.is_empty, news_from_text.empty_reason


@pytest.mark.parametrize("snippet", EXPECTED["body_must_contain"], ids=lambda s: s[:40])
def test_text_twin_body_contains(news_from_text, snippet):
    assert norm(snippet) in norm(news_from_text.text)


@pytest.mark.parametrize("snippet", EXPECTED["body_must_not_contain"], ids=lambda s: s[:40])
def test_text_twin_body_does_not_contain(news_from_text, snippet):
    assert norm(snippet) not in norm(news_from_text.text)


# --- second example: a German personal blog with code and comments -------------

@pytest.fixture(scope="module")
def blog() -> Document:
    return copydesk.extract(BLOG_HTML.read_bytes(), url="https://kleinbrand.example/2024/02/backups-systemd-timer/")


def test_blog_metadata(blog):
    assert blog.title == "Backups mit systemd-Timern statt cron"
    assert blog.date == "2024-02-18"
    assert blog.authors == ["Jakob Kleinbrand"]
    assert (blog.language or "").startswith("de")


def test_blog_body(blog):
    text = norm(blog.text)
    assert "Seit gut drei Jahren läuft in meinem Flur ein kleiner Rechner ohne Lüfter" in text
    assert "Was schiefging" in text
    assert "Das ist mir die zehn Minuten wert." in text
    for junk in ("Danke für den Hinweis mit Persistent=true", "Schreibe einen Kommentar",
                 "3 Kommentare", "Impressum", "Raspberry Pi von SSD booten", "Schlagwörter"):
        assert junk not in text, junk


def test_blog_code_block_keeps_lines(blog):
    code = [p for p in blog.paragraphs if p.role == "code"]
    assert len(code) == 1, [p.role for p in blog.paragraphs]
    assert "[Timer]\nOnCalendar=*-*-* 02:30:00\nRandomizedDelaySec=15min" in code[0].text
    # inline <code> stays inside its paragraph
    assert any("Persistent=true" in p.text and p.role == "paragraph" for p in blog.paragraphs)
