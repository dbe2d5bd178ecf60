"""Adapters that make copydesk and its peers look alike to the benchmark.

This module owns the *calling convention* of each extractor:
``name -> callable(html: bytes, url: str | None) -> str`` (main text), plus a
few metadata adapters for ``--fields`` (``name -> callable -> Fields``).

Rules:

- every third-party import is lazy (inside the factory); a peer whose package
  is missing raises ``PeerNotInstalled`` when loaded, and ``available()``
  lets callers skip it up front: never a crash;
- nothing here touches the network (newspaper4k and goose3 get the HTML
  in-memory, image fetching and meta-refresh following are off);
- error handling (exceptions, timeouts) is the runner's job (``accuracy.py``,
  ``speed.py``): adapters simply raise.

Decoding: trafilatura, readability, jusText and copydesk get the raw bytes
and decode them with their own logic. resiliparse uses its own
``detect_encoding``/``bytes_to_str``. Peers that only accept ``str``
(newspaper4k, goose3, boilerpy3, html-text) get the bytes decoded by
``decode_html`` (resiliparse detection when installed, else
charset-normalizer, else UTF-8 with replacement).

jusText language: the page is parsed once with jusText's own parser, the
language of its paragraph text is detected with py3langid (in the bench
extra) and the stoplist of that language is used; when the language has
no jusText stoplist, or py3langid is missing, the English stoplist is used.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from .datasets import Page

TextFn = Callable[[bytes, "str | None"], str]
FieldsFn = Callable[[bytes, "str | None"], "Fields"]

PLACEHOLDER_URL = "http://example.com/"  # for peers that insist on a URL; never fetched
LANGID_MAX_CHARS = 20_000
JUSTEXT_FALLBACK_STOPLIST = "English"
QUIET_LOGGERS = ("trafilatura", "readability", "readability.readability", "newspaper", "goose3",
                 "htmldate", "justext", "boilerpy3", "charset_normalizer", "courlan")
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "td", "th", "blockquote", "pre", "section", "article", "header", "footer",
    "aside", "nav", "figure", "figcaption", "hr", "main", "form", "details", "summary",
})

# ISO 639-1 (py3langid) -> jusText stoplist name, for languages both know.
JUSTEXT_LANGS: dict[str, str] = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "hy": "Armenian",
    "az": "Azerbaijani", "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian",
    "br": "Breton", "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech",
    "da": "Danish", "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian",
    "fi": "Finnish", "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German",
    "el": "Greek", "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "is": "Icelandic", "ig": "Igbo", "id": "Indonesian", "ga": "Irish",
    "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ko": "Korean",
    "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian",
    "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam", "mt": "Maltese",
    "mr": "Marathi", "ne": "Nepali", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal",
    "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian", "pl": "Polish",
    "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian", "ru": "Russian", "sr": "Serbian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "sw": "Swahili", "sv": "Swedish",
    "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish", "tk": "Turkmen",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "vo": "Volapuk",
    "wa": "Walloon", "cy": "Welsh", "fy": "West_Frisian", "yo": "Yoruba",
}


class PeerNotInstalled(RuntimeError):
    """The package behind a peer is not importable in this environment."""


@dataclass(frozen=True)
class Fields:
    """Metadata an extractor found: title, author names, publication date (ISO string)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class PeerSpec:
    """How to build one extractor: the module that must import, and a factory."""

    name: str
    distribution: str  # for version reporting (importlib.metadata)
    module: str  # must be importable for the peer to count as installed
    factory: Callable[[], TextFn]
    note: str = ""
    extra_modules: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- helpers
def _quiet() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")


def decode_html(html: bytes | str) -> str:
    """Bytes to str for peers that only take ``str`` (see module docstring)."""
    if isinstance(html, str):
        return html
    try:
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding
        return bytes_to_str(html, detect_encoding(html))
    except ImportError:
        pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(html).best()
        if best is not None:
            return str(best)
    except ImportError:
        pass
    return html.decode("utf-8", "replace")


def fragment_text(fragment_html: str) -> str:
    """Text of an HTML fragment with a line break after each block element (no glued words)."""
    if not fragment_html or not fragment_html.strip():
        return ""
    import lxml.html
    root = lxml.html.fromstring(fragment_html)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- factories
def _copydesk(with_metadata: bool = True, find_dates: bool = False) -> Callable[[], TextFn]:
    def load() -> TextFn:
        from copydesk import extract

        def run(html: bytes, url: str | None) -> str:
            return extract(html, url=url, with_metadata=with_metadata, find_dates=find_dates).text
        return run
    return load


def _text_mode(html: bytes, url: str | None):
    """Text mode's `Document` of the page's visible text, rendered as the text bench renders it."""
    from copydesk import clean_text

    from .render import decode_page, render_text
    return clean_text(render_text(decode_page(html)), url=url)


def _copydesk_text() -> TextFn:
    return lambda html, url: _text_mode(html, url).text


def _copydesk_lightgbm() -> TextFn:
    """The default call scoring with LightGBM, not the compiled forest (`copydesk.compiled`)."""
    from copydesk import extract
    from copydesk.score import get_model
    model = get_model()
    types = model.types

    def run(html: bytes, url: str | None) -> str:
        fast, model.compiled = model.compiled, None
        fast_types = None
        if types is not None:
            fast_types, types.compiled = types.compiled, None
        try:
            return extract(html, url=url).text
        finally:
            model.compiled = fast
            if types is not None:
                types.compiled = fast_types
    return run


def _trafilatura(favor_precision: bool = False) -> Callable[[], TextFn]:
    def factory() -> TextFn:
        import trafilatura
        _quiet()

        def run(html: bytes, url: str | None) -> str:
            return trafilatura.extract(html, url=url, favor_precision=favor_precision) or ""
        return run
    return factory


def _trafilatura_meta() -> TextFn:
    """Text plus title, author, date and site name: the work copydesk's default call does."""
    from trafilatura import bare_extraction
    _quiet()

    def run(html: bytes, url: str | None) -> str:
        doc = bare_extraction(html, url=url, with_metadata=True)
        return (doc.text or "") if doc is not None else ""
    return run


def _resiliparse() -> TextFn:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    def run(html: bytes, url: str | None) -> str:
        tree = HTMLTree.parse(bytes_to_str(html, detect_encoding(html)))
        return extract_plain_text(tree, main_content=True)
    return run


def _readability() -> TextFn:
    from readability import Document
    _quiet()

    def run(html: bytes, url: str | None) -> str:
        return fragment_text(Document(html, url=url).summary(html_partial=True))
    return run


def _justext() -> TextFn:
    import justext
    from justext import core
    _quiet()
    try:
        import py3langid
    except ImportError:  # pragma: no cover - py3langid comes with the bench extra
        py3langid = None
    stoplists: dict[str, frozenset[str]] = {}

    def stoplist(name: str) -> frozenset[str]:
        if name not in stoplists:
            stoplists[name] = justext.get_stoplist(name)
        return stoplists[name]

    def run(html: bytes, url: str | None) -> str:
        dom = core.preprocessor(core.html_to_dom(html, core.DEFAULT_ENCODING, None, core.DEFAULT_ENC_ERRORS))
        paragraphs = core.ParagraphMaker.make_paragraphs(dom)
        lang_name = JUSTEXT_FALLBACK_STOPLIST
        if py3langid is not None and paragraphs:
            sample = " ".join(p.text for p in paragraphs)[:LANGID_MAX_CHARS]
            if sample.strip():
                lang_name = JUSTEXT_LANGS.get(py3langid.classify(sample)[0], JUSTEXT_FALLBACK_STOPLIST)
        core.classify_paragraphs(
            paragraphs, stoplist(lang_name), core.LENGTH_LOW_DEFAULT, core.LENGTH_HIGH_DEFAULT,
            core.STOPWORDS_LOW_DEFAULT, core.STOPWORDS_HIGH_DEFAULT, core.MAX_LINK_DENSITY_DEFAULT,
            core.NO_HEADINGS_DEFAULT,
        )
        core.revise_paragraph_classification(paragraphs, core.MAX_HEADING_DISTANCE_DEFAULT)
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    return run


def _newspaper_config() -> Any:
    from newspaper import Config
    cfg = Config()
    cfg.fetch_images = False
    cfg.follow_meta_refresh = False
    cfg.memorize_articles = False
    cfg.disable_category_cache = True
    return cfg


def _newspaper_article(html: bytes, url: str | None, cfg: Any) -> Any:
    from newspaper import Article
    article = Article(url or PLACEHOLDER_URL, config=cfg)
    article.download(input_html=decode_html(html), ignore_read_more=True)
    article.parse()
    return article


def _newspaper4k() -> TextFn:
    import newspaper  # noqa: F401  (fail early when missing)
    _quiet()
    cfg = _newspaper_config()

    def run(html: bytes, url: str | None) -> str:
        return _newspaper_article(html, url, cfg).text or ""
    return run


def _goose3() -> TextFn:
    from goose3 import Goose
    _quiet()
    goose = Goose({"enable_image_fetching": False, "strict": False})

    def run(html: bytes, url: str | None) -> str:
        return goose.extract(url=url, raw_html=decode_html(html)).cleaned_text or ""
    return run


def _boilerpy3() -> TextFn:
    from boilerpy3 import extractors
    _quiet()
    extractor = extractors.ArticleExtractor(raise_on_failure=False)

    def run(html: bytes, url: str | None) -> str:
        return extractor.get_content(decode_html(html)) or ""
    return run


def _html_text() -> TextFn:
    import html_text

    def run(html: bytes, url: str | None) -> str:
        return html_text.extract_text(decode_html(html))
    return run


PEERS: dict[str, PeerSpec] = {spec.name: spec for spec in (
    PeerSpec("copydesk", "copydesk", "copydesk", _copydesk(True), "copydesk.extract(html, url).text"),
    PeerSpec("copydesk-find-dates", "copydesk", "copydesk", _copydesk(True, True),
             "extract(find_dates=True): htmldate search when the markup names no date"),
    PeerSpec("copydesk-nometa", "copydesk", "copydesk", _copydesk(False),
             "extract(with_metadata=False): text only, like trafilatura's default"),
    PeerSpec("copydesk-lightgbm", "copydesk", "copydesk", _copydesk_lightgbm,
             "extract() scoring with LightGBM instead of the compiled forest (copydesk without the fast extra)"),
    PeerSpec("copydesk-text", "copydesk", "copydesk", _copydesk_text,
             "clean_text() of the page's visible text, one line per block (scraped-text mode)"),
    PeerSpec("trafilatura", "trafilatura", "trafilatura", _trafilatura(False), "extract(), defaults"),
    PeerSpec("trafilatura-meta", "trafilatura", "trafilatura", _trafilatura_meta,
             "bare_extraction(with_metadata=True): text plus title, author, date, site name"),
    PeerSpec("trafilatura-precision", "trafilatura", "trafilatura", _trafilatura(True), "extract(favor_precision=True)"),
    PeerSpec("resiliparse", "resiliparse", "resiliparse", _resiliparse, "extract_plain_text(main_content=True)"),
    PeerSpec("readability", "readability-lxml", "readability", _readability, "Document.summary() -> text"),
    PeerSpec("justext", "justext", "justext", _justext, "stoplist of the detected language"),
    PeerSpec("newspaper4k", "newspaper4k", "newspaper", _newspaper4k, "Article.download(input_html).parse()"),
    PeerSpec("goose3", "goose3", "goose3", _goose3, "Goose.extract(raw_html)"),
    PeerSpec("boilerpy3", "boilerpy3", "boilerpy3", _boilerpy3, "ArticleExtractor"),
    PeerSpec("html-text", "html-text", "html_text", _html_text, "all visible text (baseline)"),
)}
DEFAULT_COMPARE: tuple[str, ...] = (
    "trafilatura", "resiliparse", "readability", "justext", "newspaper4k", "goose3", "boilerpy3",
)

_LOADED: dict[str, TextFn] = {}  # per process: each worker builds an extractor once


def is_installed(name: str) -> bool:
    """True when the peer's package can be imported (without importing it)."""
    spec = PEERS.get(name)
    if spec is None:
        return False
    try:
        return all(importlib.util.find_spec(m) is not None for m in (spec.module, *spec.extra_modules))
    except (ImportError, ValueError):
        return False


def available(names: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split ``names`` into (installed, not installed); unknown names raise ``KeyError``."""
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        raise KeyError(f"unknown extractor(s): {', '.join(unknown)}; known: {', '.join(PEERS)}")
    ok = [n for n in names if is_installed(n)]
    return ok, [n for n in names if n not in ok]


def load_peer(name: str) -> TextFn:
    """The extractor callable (built once per process); ``PeerNotInstalled`` when missing."""
    if name in _LOADED:
        return _LOADED[name]
    spec = PEERS[name]
    try:
        fn = spec.factory()
    except ImportError as exc:
        raise PeerNotInstalled(f"{name}: {exc}") from exc
    _LOADED[name] = fn
    return fn


def version_of(name: str) -> str:
    """Installed version of the peer's distribution, or ``"not installed"``."""
    spec = PEERS.get(name)
    dist = spec.distribution if spec else name
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True)
class PeerExtractor:
    """Picklable ``Page -> str`` wrapper around a named peer (what the runners take)."""

    name: str

    def __call__(self, page: Page) -> str:
        return load_peer(self.name)(page.html, page.url)

    def warm_up(self) -> None:
        """Build the extractor now (imports, model loading) so timing excludes it."""
        load_peer(self.name)


def peer_extractors(names: list[str] | tuple[str, ...]) -> dict[str, Callable[[Page], str]]:
    """``name -> Page -> str`` for the installed peers among ``names``."""
    ok, _ = available(names)
    return {n: PeerExtractor(n) for n in ok}


# --------------------------------------------------------------------------- metadata (--fields)
def _copydesk_fields(find_dates: bool = False) -> Callable[[], FieldsFn]:
    def load() -> FieldsFn:
        from copydesk import extract

        def run(html: bytes, url: str | None) -> Fields:
            doc = extract(html, url=url, find_dates=find_dates)
            return Fields(doc.title, tuple(doc.authors or ()), doc.date)
        return run
    return load


def _copydesk_text_fields() -> FieldsFn:
    def run(html: bytes, url: str | None) -> Fields:
        doc = _text_mode(html, url)
        return Fields(doc.title, tuple(doc.authors or ()), doc.date)
    return run


def _trafilatura_fields() -> FieldsFn:
    from trafilatura import extract_metadata
    _quiet()

    def run(html: bytes, url: str | None) -> Fields:
        meta = extract_metadata(html, default_url=url)
        if meta is None:
            return Fields()
        # trafilatura joins several authors with "; " -> split by the metric
        return Fields(meta.title, (meta.author,) if meta.author else (), meta.date)
    return run


def _newspaper4k_fields() -> FieldsFn:
    import newspaper  # noqa: F401
    _quiet()
    cfg = _newspaper_config()

    def run(html: bytes, url: str | None) -> Fields:
        article = _newspaper_article(html, url, cfg)
        day = article.publish_date
        return Fields(article.title or None, tuple(article.authors or ()),
                      day.isoformat() if day is not None else None)
    return run


FIELD_PEERS: dict[str, tuple[str, Callable[[], FieldsFn]]] = {
    "copydesk": ("copydesk", _copydesk_fields(False)),
    "copydesk-find-dates": ("copydesk", _copydesk_fields(True)),
    "copydesk-text": ("copydesk", _copydesk_text_fields),
    "trafilatura": ("trafilatura", _trafilatura_fields),
    "newspaper4k": ("newspaper", _newspaper4k_fields),
}
_LOADED_FIELDS: dict[str, FieldsFn] = {}


def load_fields_peer(name: str) -> FieldsFn:
    """Metadata callable for ``--fields`` (built once per process)."""
    if name not in _LOADED_FIELDS:
        try:
            _LOADED_FIELDS[name] = FIELD_PEERS[name][1]()
        except ImportError as exc:
            raise PeerNotInstalled(f"{name}: {exc}") from exc
    return _LOADED_FIELDS[name]


def fields_installed(name: str) -> bool:
    """True when the metadata adapter's package is importable."""
    entry = FIELD_PEERS.get(name)
    return entry is not None and importlib.util.find_spec(entry[0]) is not None


@dataclass(frozen=True)
class FieldsExtractor:
    """Picklable ``Page -> Fields`` wrapper around a named metadata adapter."""

    name: str

    def __call__(self, page: Page) -> Fields:
        return load_fields_peer(self.name)(page.html, page.url)

    def warm_up(self) -> None:
        """Build the adapter now (imports) so per-page timing excludes it."""
        load_fields_peer(self.name)
