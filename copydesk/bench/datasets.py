"""Loading the annotated evaluation corpora into plain `Page` records.

This module owns *reading* the shared data (``../shared/data``): the WCXB
development split and the trafilatura evaluation corpus. It does not score
anything (see ``metrics.py``) and does not run extractors (``accuracy.py``).

HTML is gunzipped but kept as raw bytes: character-encoding handling is part
of what the benchmark measures, so nothing here decodes the page.
"""
from __future__ import annotations

import gzip
import html as html_lib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

WCXB = "wcxb-dev"
TRAFILATURA_EVAL = "trafilatura-eval"
ALL = "all"
DATASETS: tuple[str, ...] = (WCXB, TRAFILATURA_EVAL)
DATASET_CHOICES: tuple[str, ...] = (*DATASETS, ALL)

DATA_ENV_VAR = "COPYDESK_DATA"
DEFAULT_DATA_DIR = Path("../shared/data")  # relative to the current working directory

WCXB_HTML_DIR = "html"
WCXB_GOLD_DIR = "ground-truth"
WCXB_METADATA = "metadata.json"
TRAF_INDEX = "evaldata.json"
TRAF_HTML_DIR = "html"
UNKNOWN_PAGE_TYPE = "unknown"
PSEUDO_KEY_SEP = "::"  # trafilatura-eval keys like "hard::blog.python.org.html" are not URLs
CANONICAL_SCAN_BYTES = 200_000
_LINK_TAG_RE = re.compile(rb"<link\b[^>]*>", re.I)
_META_TAG_RE = re.compile(rb"<meta\b[^>]*>", re.I)
_CANONICAL_RE = re.compile(rb"rel\s*=\s*[\"']?canonical", re.I)
_OG_URL_RE = re.compile(rb"property\s*=\s*[\"']?og:url", re.I)
_HREF_RE = re.compile(rb"href\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_CONTENT_RE = re.compile(rb"content\s*=\s*[\"']?([^\"'\s>]+)", re.I)
TRAF_PAGE_TYPE = "article"  # the trafilatura corpus is news, blogs and magazines

DatasetName = Literal["wcxb-dev", "trafilatura-eval", "all"]


@dataclass(frozen=True)
class Page:
    """One annotated page.

    ``gold_text`` is WCXB's ``main_content`` (``None`` for trafilatura-eval and
    for the few WCXB pages without that annotation). ``with_snippets`` must be
    extracted, ``without_snippets`` must not (both corpora have them).
    """

    id: str
    dataset: str
    html: bytes
    url: str | None
    host: str
    page_type: str
    gold_text: str | None = None
    with_snippets: tuple[str, ...] = field(default_factory=tuple)
    without_snippets: tuple[str, ...] = field(default_factory=tuple)
    gold_title: str | None = None
    gold_author: str | None = None
    gold_date: str | None = None

    @property
    def key(self) -> str:
        """Unique across corpora: ``dataset/id``."""
        return f"{self.dataset}/{self.id}"


def default_data_dir() -> Path:
    """``$COPYDESK_DATA`` if set, else ``../shared/data`` relative to the cwd."""
    env = os.environ.get(DATA_ENV_VAR)
    return Path(env) if env else DEFAULT_DATA_DIR


def host_of(url: str | None) -> str:
    """Network location of ``url``, lowercased, without port and leading ``www.``."""
    if not url:
        return ""
    netloc = urlsplit(url if "//" in url else "//" + url).netloc.lower()
    netloc = netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    return netloc[4:] if netloc.startswith("www.") else netloc


def canonical_url(html: bytes) -> str | None:
    """``<link rel=canonical>`` or ``og:url`` of a page (absolute http(s) only), if any."""
    head = html[:CANONICAL_SCAN_BYTES]
    for tag_re, marker_re, value_re in ((_LINK_TAG_RE, _CANONICAL_RE, _HREF_RE), (_META_TAG_RE, _OG_URL_RE, _CONTENT_RE)):
        for tag in tag_re.finditer(head):
            if marker_re.search(tag.group(0)):
                value = value_re.search(tag.group(0))
                if value:
                    url = html_lib.unescape(value.group(1).decode("latin-1"))
                    if url.startswith(("http://", "https://")):
                        return url
    return None


def _traf_url_and_host(key: str, html: bytes) -> tuple[str | None, str]:
    """trafilatura-eval key -> (URL given to extractors, host).

    Most keys are URLs. A few are pseudo keys (``hard::site.tld-word.html``):
    those get no URL (extractors see ``None``) and their host is taken from
    the page's canonical/og:url, else guessed from the key. A stray prefix
    before ``http`` (one key is ``xhttps://...``) is dropped.
    """
    start = key.find("http://") if "http://" in key else key.find("https://")
    if start >= 0 and PSEUDO_KEY_SEP not in key:
        url = key[start:]
        return url, host_of(url)
    host = host_of(canonical_url(html))
    if not host:
        name = key.split(PSEUDO_KEY_SEP, 1)[-1]
        name = name[: -len(".html")] if name.endswith(".html") else name
        host = name.split("-", 1)[0].lower()
    return None, host


def _read_gz(path: Path) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _snippets(value: object) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v is not None and str(v) != "")


def _load_wcxb(root: Path, limit: int | None) -> list[Page]:
    meta_path = root / WCXB_METADATA
    files_meta: dict[str, dict] = {}
    if meta_path.is_file():
        files_meta = json.loads(meta_path.read_text(encoding="utf-8")).get("files", {})
    pages: list[Page] = []
    for gold_path in sorted((root / WCXB_GOLD_DIR).glob("*.json")):
        page_id = gold_path.stem
        html_path = root / WCXB_HTML_DIR / f"{page_id}.html.gz"
        if not html_path.is_file():
            continue
        doc = json.loads(gold_path.read_text(encoding="utf-8"))
        gold = doc.get("ground_truth") or {}
        meta = files_meta.get(page_id, {})
        url = _str_or_none(doc.get("url")) or _str_or_none(gold.get("url"))
        html = _read_gz(html_path)
        host = host_of(meta.get("domain")) or host_of(url) or host_of(canonical_url(html))
        page_type = (
            ((doc.get("_internal") or {}).get("page_type") or {}).get("primary")
            or meta.get("page_type")
            or UNKNOWN_PAGE_TYPE
        )
        main = gold.get("main_content")
        pages.append(Page(
            id=page_id,
            dataset=WCXB,
            html=html,
            url=url,
            host=host,
            page_type=str(page_type),
            gold_text=None if main is None else str(main),
            with_snippets=_snippets(gold.get("with")),
            without_snippets=_snippets(gold.get("without")),
            gold_title=_str_or_none(gold.get("title")),
            gold_author=_str_or_none(gold.get("author")),
            gold_date=_str_or_none(gold.get("publish_date")),
        ))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def _load_trafilatura_eval(root: Path, limit: int | None) -> list[Page]:
    index = json.loads((root / TRAF_INDEX).read_text(encoding="utf-8"))
    pages: list[Page] = []
    for url in sorted(index):
        entry = index[url]
        html_path = root / TRAF_HTML_DIR / entry["file"]
        if not html_path.is_file():
            continue
        name = entry["file"]
        page_id = name[: -len(".html.gz")] if name.endswith(".html.gz") else name
        html = _read_gz(html_path)
        page_url, host = _traf_url_and_host(url, html)
        pages.append(Page(
            id=page_id,
            dataset=TRAFILATURA_EVAL,
            html=html,
            url=page_url,
            host=host,
            page_type=TRAF_PAGE_TYPE,
            gold_text=None,
            with_snippets=_snippets(entry.get("with")),
            without_snippets=_snippets(entry.get("without")),
        ))
        if limit is not None and len(pages) >= limit:
            break
    return pages


_LOADERS = {WCXB: _load_wcxb, TRAFILATURA_EVAL: _load_trafilatura_eval}


def _every_kth(items: list[Page], n: int) -> list[Page]:
    """``n`` items spread evenly over ``items`` (deterministic; first item always kept)."""
    if n >= len(items):
        return list(items)
    if n <= 0:
        return []
    return [items[(i * len(items)) // n] for i in range(n)]


def load_pages(
    data_dir: str | os.PathLike[str] | None = None,
    dataset: DatasetName | str = ALL,
    limit: int | None = None,
    sample: int | None = None,
) -> list[Page]:
    """Pages of one corpus (or ``"all"``: WCXB first, then trafilatura-eval).

    Order is deterministic (WCXB by file id, trafilatura-eval by URL).
    ``limit=N`` keeps the first N pages of *each* selected corpus (fast, for
    smoke runs). ``sample=N`` keeps N pages in total, split over the selected
    corpora in proportion to their size and spread evenly over each one (every
    k-th page): a fixed subset for the CI accuracy gate. ``limit`` is applied
    before ``sample``.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    if dataset not in DATASET_CHOICES:
        raise ValueError(f"unknown dataset {dataset!r}; choose from {', '.join(DATASET_CHOICES)}")
    names = DATASETS if dataset == ALL else (dataset,)
    per_corpus: list[list[Page]] = []
    for name in names:
        folder = root / name
        if not folder.is_dir():
            raise FileNotFoundError(f"{name} not found at {folder} (set --data-dir or ${DATA_ENV_VAR})")
        per_corpus.append(_LOADERS[name](folder, limit))
    if sample is not None:
        total = sum(len(p) for p in per_corpus)
        if sample < total:
            quotas = [round(sample * len(p) / total) if total else 0 for p in per_corpus]
            # make the quotas add up to ``sample`` exactly (rounding drift goes to the largest corpus)
            quotas[max(range(len(quotas)), key=lambda i: len(per_corpus[i]))] += sample - sum(quotas)
            per_corpus = [_every_kth(p, q) for p, q in zip(per_corpus, quotas)]
    return [page for corpus in per_corpus for page in corpus]
