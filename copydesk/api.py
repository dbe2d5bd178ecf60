"""The public entry points: run the stages in order, one direction.

    bytes ─▶ decode ─▶ parse ─▶ metadata ─▶ prune ─▶ segment ─▶ featurize
          ─▶ score ─▶ pagetype ─▶ label ─▶ assemble ─▶ Document

`analyse` stops after featurize (training uses it); `explain` runs everything
and keeps per-block labels, scores and reasons (the inspector uses it);
`extract` returns only the `Document`.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, fields, replace

import numpy as np

from .assemble import assemble
from .blocks import IN_HIDDEN, Block
from .decode import MOJIBAKE_LEFT, MOJIBAKE_REPAIRED, decode, fix_mojibake, mojibake_hits
from .document import Document
from .errors import ExtractionTimeout
from .features import FEATURE_NAMES, featurize
from .label import SURE, decide, news_roles, threshold_for
from .options import MAX_INPUT_BYTES, Options
from .parse import parse
from .pagetype import page_features, page_signals, type_name
from .prune import prune
from .score import BlockModel, get_model
from .segment import Segmentation, segment

#: How many feature contributions `explain` reports per block.
TOP_REASONS = 3
#: A page that keeps nothing is looked at again, its hidden elements not flagged, when they hold this
#: much text.
HIDDEN_RETRY_CHARS = 200
#: The warning of a page whose kept text all sits in elements it hides.
HIDDEN_WARNING = "content found only in elements the page hides"
#: `Options.find_dates` searches with htmldate only pages of these types (or of no known type).
#: On WCXB dev it reached 468 pages without a markup date: 2 got their right date (an article, a
#: forum thread), 109 pages that have no date got one (30 product, 28 collection, 15 listing
#: pages...). Limited to these types: 101 searches, the same 2 right dates, 14 wrong ones.
DATED_PAGE_TYPES = frozenset({"article", "forum"})
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|span|a|table|article|section|br|meta|title|h[1-6]|ul|li|script)\b", re.I)


@dataclass
class BlockView:
    """One block as the inspector shows it: its text, label, score and top reasons."""

    text: str
    kind: str
    tag: str
    label: str
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    document: Document
    blocks: list[BlockView]


@dataclass
class PageAnalysis:
    """A page up to its feature rows, or the reason it has none."""

    seg: Segmentation | None = None
    X: np.ndarray | None = None
    meta: object | None = None
    #: The page title the title-match feature compares blocks with.
    title_hint: str | None = None
    warnings: list[str] = field(default_factory=list)
    empty_reason: str | None = None
    #: Set when the input is plain text rather than HTML.
    plain_text: str | None = None
    #: Characters of text in elements the page hides, which prune removed.
    hidden_chars: int = 0
    #: Markup and URL signals of the page type (`pagetype.page_signals`).
    signals: np.ndarray | None = None
    #: The decoded HTML, kept for the htmldate search of `Options.find_dates`.
    source: str | None = None


def _resolve_options(options: Options | None, kw: dict) -> Options:
    if options is None:
        return Options(**kw)
    if kw:
        from dataclasses import replace
        return replace(options, **kw)
    return options


def _check(deadline: float | None, stage: str) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise ExtractionTimeout(f"time limit exceeded after {stage}")


def sniff_kind(text: str) -> str | None:
    """'html', 'json', 'feed' or 'text' for decoded input."""
    head = text[:4096].lstrip()
    if not head:
        return None
    if head[0] in "{[" and head.rstrip()[-1:] in "}]":
        return "json"
    low = head[:1000].lower()
    if low.startswith("<?xml") and ("<rss" in low or "<feed" in low or "<rdf" in low):
        return "feed"
    if _LOOKS_HTML.search(text[:65536]):
        return "html"
    return "text"


def analyse(html: bytes | str, url: str | None = None, options: Options | None = None,
            deadline: float | None = None, content_type: str | None = None,
            keep_hidden: bool = False) -> PageAnalysis:
    """decode → parse → metadata → prune → segment → featurize (`keep_hidden`: see `prune`)."""
    options = options or Options()
    out = PageAnalysis()
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        if len(data) > MAX_INPUT_BYTES:
            data = data[:MAX_INPUT_BYTES]
            out.warnings.append(f"input truncated to {MAX_INPUT_BYTES} bytes")
        if not data.strip():
            out.empty_reason = "empty input"
            return out
        dec = decode(data, content_type)
        out.warnings += dec.warnings
        if dec.not_text:
            out.empty_reason = f"not html: {dec.not_text}"
            return out
        text, utf8 = dec.text, dec.utf8
    elif isinstance(html, str):
        text, utf8 = html, None
        if len(text) > MAX_INPUT_BYTES:
            text = text[:MAX_INPUT_BYTES]
            out.warnings.append(f"input truncated to {MAX_INPUT_BYTES} characters")
    else:
        raise TypeError(f"extract() takes bytes or str, not {type(html).__name__}")
    if not text.strip():
        out.empty_reason = "empty input"
        return out
    kind = sniff_kind(text)
    if kind in ("json", "feed"):
        out.empty_reason = f"not html: {kind}"
        return out
    if kind == "text":
        out.plain_text = text
        return out
    tree, warns = parse(text, utf8)
    out.warnings += warns
    _check(deadline, "parsing")
    # The title-match feature reads the metadata title when there is one. Training reads the
    # raw <title> (metadata off); using the raw <title> here too measured 0.2 points worse
    # out of fold (BENCHMARKS.md), so the two stay apart until training uses metadata titles.
    if options.with_metadata:
        from .metadata import extract_metadata
        out.meta = extract_metadata(tree, url, use_htmldate=False)  # find_dates: see explain
        if options.find_dates:
            out.source = text
        out.title_hint = out.meta.title
        _check(deadline, "metadata")
    else:
        node = tree.css_first("title")
        out.title_hint = node.text(strip=True) if node is not None else None
    out.signals = page_signals(tree, url)
    out.hidden_chars = prune(tree, keep_hidden)
    seg = segment(tree, deadline)
    if seg.truncated:
        out.warnings.append("page has too many blocks; the rest was ignored")
    out.seg = seg
    if not seg.blocks:
        out.empty_reason = "no text found"
        return out
    out.X = featurize(seg, out.title_hint)
    _check(deadline, "features")
    return out


def explain(html: bytes | str, url: str | None = None, options: Options | None = None,
            *, content_type: str | None = None, reasons: bool = True, **kw) -> Explanation:
    """Extract and keep, for every block, its label, score and top reasons."""
    options = _resolve_options(options, kw)
    deadline = time.perf_counter() + options.timeout if options.timeout else None
    page = analyse(html, url, options, deadline, content_type)
    if page.plain_text is not None:
        return Explanation(_from_plain_text(page.plain_text, url, options), [])
    loading = time.perf_counter()
    model = get_model()
    if deadline is not None:  # loading the model (or compiling it, once a machine) is not the page's time
        deadline += time.perf_counter() - loading
    labelled = _label(page, model, options)
    if not labelled.keep.any() and page.hidden_chars >= HIDDEN_RETRY_CHARS:
        # Nothing kept, but the page hides text: content behind a gate its scripts lift (an age
        # check, a "view more" wrapper). A second look with hidden elements not flagged.
        second = analyse(html, url, options, deadline, content_type, keep_hidden=True)
        again = _label(second, model, options)
        if again.keep.any():
            page, labelled = second, again
            page.warnings.append(HIDDEN_WARNING)
    elif labelled.keep.any() and all(page.seg.blocks[i].flags & IN_HIDDEN for i in np.flatnonzero(labelled.keep)):
        page.warnings.append(HIDDEN_WARNING)
    doc = Document(url=url, warnings=page.warnings)
    _apply_metadata(doc, page.meta)
    if page.empty_reason or page.seg is None or page.X is None:
        doc.empty_reason = page.empty_reason or "no text found"
        return Explanation(doc, [])
    blocks = page.seg.blocks
    probs, keep = labelled.probs, labelled.keep
    doc.page_type = labelled.page_type
    if options.find_dates and doc.date is None and page.source is not None \
            and (doc.page_type is None or doc.page_type in DATED_PAGE_TYPES):
        from .metadata import HTMLDATE_EXTENSIVE, htmldate_fallback_html
        doc.date = htmldate_fallback_html(page.source, url, extensive=HTMLDATE_EXTENSIVE)
    roles = news_roles(blocks, keep, doc.title, doc.authors)
    body: list[Block] = []
    for b, role in zip(blocks, roles):
        if role in ("body", "caption"):
            body.append(b)
        elif role == "credit":
            doc.credits.append(b.text)
        elif role == "bio" and doc.bio is None:
            doc.bio = b.text
        elif role == "byline" and not doc.authors:
            from .newsparts import parse_byline
            doc.authors = parse_byline(b.text) or []
        elif role == "title" and not doc.title:
            doc.title = b.text
    doc.paragraphs = assemble(body)
    _repair_mojibake(doc)
    doc.confidence = confidence(probs, blocks, keep)
    if not doc.paragraphs:
        doc.empty_reason = "no content found"
    elif options.with_metadata:
        from .metadata import resolve_language
        doc.language = resolve_language(doc.language, doc.text)
    _check(deadline, "labelling")
    views: list[BlockView] = []
    if reasons:
        why = _reasons(model, page.X)
        views = [BlockView(b.text, b.kind, b.tag, role, round(float(p), 4), r)
                 for b, role, p, r in zip(blocks, roles, probs, why)]
    return Explanation(doc, views)


@dataclass
class Labelled:
    """score → pagetype → label for one analysed page."""

    probs: np.ndarray
    keep: np.ndarray
    page_type: str | None = None


def _label(page: PageAnalysis, model: BlockModel, options: Options) -> Labelled:
    """Block probabilities, page type and keep decisions (empty for a page without rows)."""
    if page.seg is None or page.X is None or page.empty_reason:
        return Labelled(np.zeros(0), np.zeros(0, dtype=bool))
    probs = model.predict(page.X, page.seg.blocks)
    base, page_type = model.threshold, None
    if model.types is not None and page.signals is not None:
        type_probs = model.types.predict(page_features(page.signals, page.X, probs))
        base, page_type = model.types.threshold(type_probs), type_name(type_probs)
    keep = decide(probs, page.seg.blocks, threshold_for(base, options), options)
    return Labelled(probs, keep, page_type)


def extract(html: bytes | str, url: str | None = None, options: Options | None = None,
            *, content_type: str | None = None, **kw) -> Document:
    """The clean article of an HTML page (bytes are decoded by copydesk).

    Keyword options (`include_tables`, `include_comments`, `favor`, `timeout`,
    `with_metadata`) override those of `options`. Raises `TypeError` for a
    non-text argument and `ExtractionTimeout` past `Options.timeout`; bad
    content gives an empty `Document` with `empty_reason` set.
    """
    return explain(html, url, options, content_type=content_type, reasons=False, **kw).document


def confidence(probs: np.ndarray, blocks: list[Block], keep: np.ndarray) -> float:
    """Share of the plausible text (p ≥ 0.2) on which the model was decided (p ≤ .2 or ≥ `label.SURE`)."""
    if not keep.any():
        return 0.0
    chars = np.array([len(b.text) for b in blocks], dtype=np.float64)
    plausible = probs >= 0.2
    unsure = plausible & (probs < SURE)
    total = chars[plausible].sum()
    return float(round(1.0 - chars[unsure].sum() / total, 4)) if total else 0.0


#: The text fields of a `Document` `_repair_mojibake` looks at (besides its paragraphs).
_TEXT_FIELDS = ("title", "publisher", "description", "section", "bio")
_TEXT_LIST_FIELDS = ("authors", "tags", "credits")


def _repair_mojibake(doc: Document) -> None:
    """Decode right what was decoded twice upstream (valid UTF-8 spelling "cafÃ©" or "itâ€™s"),
    in every text field, when the title and body show its marks (`decode.mojibake_hits`; U+FFFD
    alone is nothing to repair). 29 of the 2,487 shared pages hold such text."""
    sample = "\n".join([doc.title or "", *(p.text for p in doc.paragraphs)])
    hits = mojibake_hits(sample)
    if not hits or hits <= sample.count("\ufffd"):
        return
    if fix_mojibake("") is None:  # no ftfy here
        doc.warnings.append(MOJIBAKE_LEFT)
        return
    changed = False

    def fix(text: str) -> str:
        nonlocal changed
        fixed = (fix_mojibake(text) or text) if mojibake_hits(text) else text
        changed |= fixed != text
        return fixed

    doc.paragraphs = [replace(p, text=fix(p.text)) for p in doc.paragraphs]
    for name in _TEXT_FIELDS:
        if getattr(doc, name):
            setattr(doc, name, fix(getattr(doc, name)))
    for name in _TEXT_LIST_FIELDS:
        setattr(doc, name, [fix(v) for v in getattr(doc, name)])
    if changed:
        doc.warnings.append(MOJIBAKE_REPAIRED)


def _apply_metadata(doc: Document, meta: object | None) -> None:
    """Copy every non-empty metadata field onto the document (same names on both)."""
    if meta is None:
        return
    for f in fields(meta):
        value = getattr(meta, f.name)
        if value:
            setattr(doc, f.name, value)


def _from_plain_text(text: str, url: str | None, options: Options) -> Document:
    from .textmode import clean_text
    return clean_text(text, url=url, options=options)


def _reasons(model, X: np.ndarray) -> list[list[str]]:
    """Top feature contributions per block (LightGBM SHAP values)."""
    contrib = model.booster.predict(np.nan_to_num(X), pred_contrib=True, num_threads=1)[:, :-1]
    out = []
    for row, x in zip(contrib, X):
        top = np.argsort(-np.abs(row))[:TOP_REASONS]
        out.append([f"{FEATURE_NAMES[j]}={x[j]:.3g} ({'+' if row[j] > 0 else '−'}{abs(row[j]):.2f})" for j in top])
    return out
