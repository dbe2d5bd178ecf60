"""Accuracy runs: extractors over pages, scored with ``metrics.py``, rendered as Markdown.

This module owns *running* extractors for accuracy (guarded calls, the
process pool) and *aggregating* per-page scores into tables:

- WCXB: mean word P/R/F1, pooled with/without snippet rates, errors, pages;
  plus mean F1 per page type;
- trafilatura-eval: TP/FP/FN/TN summed over the corpus, P/R/F1, accuracy;
- ``--fields``: title/author/date against WCXB's gold metadata.

Extractors are plain callables ``Page -> str`` (``Page -> Fields`` for
``--fields``), so a caller can plug in anything (e.g. an out-of-fold copydesk
variant); ``peers.peer_extractors`` builds them for the known peers.

Conventions:

- every call is guarded: an exception or a timeout (``DEFAULT_TIMEOUT_S``,
  SIGALRM, main thread only) counts as an empty extraction and one error;
- WCXB pages whose ``main_content`` is missing (``gold_text is None``) are left
  out of word P/R/F1 but still count for the snippet rates; pages with an
  empty ``main_content`` are scored (empty prediction = 1.0, see metrics);
- with ``jobs > 1`` a process pool is used. On platforms with ``fork`` the
  pages and extractors are inherited by the workers (no pickling, closures
  work); elsewhere they must be picklable. Each worker builds each extractor
  once (``warm_up``) before its first page.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import signal
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, Sequence, TypeVar

from . import metrics
from .datasets import TRAFILATURA_EVAL, WCXB, Page
from .peers import Fields

T = TypeVar("T")
PageExtractor = Callable[[Page], str]
FieldsExtractor = Callable[[Page], Fields]

DEFAULT_TIMEOUT_S = 30.0
POOL_CHUNKSIZE = 2
PROGRESS_EVERY = 100
FLOAT_DIGITS = 3
MISSING = "–"


class ExtractionTimedOut(BaseException):
    """Raised by SIGALRM; a BaseException so that libraries' ``except Exception`` can't swallow it."""


@dataclass(frozen=True)
class CallResult(Generic[T]):
    """One guarded extractor call."""

    value: T
    error: str | None
    seconds: float
    cpu_seconds: float = 0.0  # CPU time of this process during the call (time.process_time)


def _on_alarm(signum: int, frame: Any) -> None:
    raise ExtractionTimedOut()


def guarded_call(fn: Callable[[Page], T], page: Page, empty: T, timeout: float | None = DEFAULT_TIMEOUT_S) -> CallResult[T]:
    """Call ``fn(page)``; an exception or timeout gives ``empty`` and an error label."""
    use_alarm = bool(timeout) and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    previous = None
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))  # type: ignore[arg-type]
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        value = fn(page)
        error = None
        if value is None:
            value = empty
    except ExtractionTimedOut:
        value, error = empty, "timeout"
    except Exception as exc:  # noqa: BLE001 - any extractor failure is an empty extraction
        value, error = empty, f"{type(exc).__name__}: {exc}"[:200]
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return CallResult(value, error, time.perf_counter() - start, time.process_time() - cpu_start)


# --------------------------------------------------------------------------- running
_WORK: dict[str, Any] = {}  # worker state: pages, extractors, empty, timeout


def _init_worker(pages: Sequence[Page] | None, extractors: Mapping[str, Callable] | None, empty: Any, timeout: float | None) -> None:
    if pages is not None:  # spawn: state comes pickled; fork: it is inherited
        _WORK.update(pages=pages, extractors=extractors, empty=empty, timeout=timeout)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _warm_up(_WORK["extractors"])


def _warm_up(extractors: Mapping[str, Callable]) -> None:
    """Build each extractor once (imports, models) if it offers ``warm_up``."""
    for fn in extractors.values():
        warm = getattr(fn, "warm_up", None)
        if warm is not None:
            try:
                warm()
            except Exception:  # noqa: BLE001 - a broken extractor shows up per page as errors
                pass


def _work(index: int) -> tuple[int, dict[str, CallResult]]:
    page = _WORK["pages"][index]
    return index, {name: guarded_call(fn, page, _WORK["empty"], _WORK["timeout"]) for name, fn in _WORK["extractors"].items()}


def run_extractors(
    pages: Sequence[Page],
    extractors: Mapping[str, Callable[[Page], T]],
    jobs: int = 1,
    empty: T = "",  # type: ignore[assignment]
    timeout: float | None = DEFAULT_TIMEOUT_S,
    progress: bool = False,
) -> dict[str, list[CallResult[T]]]:
    """Every extractor over every page: ``name -> [CallResult per page, in page order]``."""
    out: dict[str, list[CallResult[T] | None]] = {name: [None] * len(pages) for name in extractors}
    started = time.perf_counter()

    def store(index: int, results: Mapping[str, CallResult[T]], done: int) -> None:
        for name, result in results.items():
            out[name][index] = result
        if progress and (done % PROGRESS_EVERY == 0 or done == len(pages)):
            print(f"  {done}/{len(pages)} pages, {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)

    if jobs <= 1 or len(pages) <= 1:
        _WORK.update(pages=pages, extractors=extractors, empty=empty, timeout=timeout)
        try:
            _warm_up(extractors)
            for i in range(len(pages)):
                store(*_work(i), i + 1)
        finally:
            _WORK.clear()
        return out  # type: ignore[return-value]

    methods = mp.get_all_start_methods()
    if "fork" in methods:
        ctx = mp.get_context("fork")
        _WORK.update(pages=pages, extractors=extractors, empty=empty, timeout=timeout)
        init_args: tuple = (None, None, empty, timeout)
    else:  # pragma: no cover - non-POSIX
        ctx = mp.get_context("spawn")
        init_args = (list(pages), dict(extractors), empty, timeout)
    try:
        with ctx.Pool(processes=jobs, initializer=_init_worker, initargs=init_args) as pool:
            for done, (index, results) in enumerate(
                pool.imap_unordered(_work, range(len(pages)), chunksize=POOL_CHUNKSIZE), start=1
            ):
                store(index, results, done)
    finally:
        _WORK.clear()
    return out  # type: ignore[return-value]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PageScore:
    """One extractor on one page (for error analysis)."""

    extractor: str
    page: str  # Page.key
    dataset: str
    page_type: str
    host: str
    precision: float | None  # None: no gold text (trafilatura-eval, or missing WCXB main_content)
    recall: float | None
    f1: float | None
    snippets: metrics.SnippetCounts | None
    segments: metrics.SegmentCounts | None
    error: str | None
    seconds: float


@dataclass(frozen=True)
class WcxbRow:
    """WCXB summary of one extractor."""

    extractor: str
    precision: float
    recall: float
    f1: float
    with_rate: float
    without_rate: float
    errors: int
    pages: int  # pages with gold text (the word-metric denominator)


@dataclass(frozen=True)
class TrafRow:
    """trafilatura-eval summary of one extractor."""

    extractor: str
    counts: metrics.SegmentCounts
    errors: int
    pages: int

    @property
    def precision(self) -> float:
        return self.counts.precision

    @property
    def recall(self) -> float:
        return self.counts.recall

    @property
    def f1(self) -> float:
        return self.counts.f1

    @property
    def accuracy(self) -> float:
        return self.counts.accuracy


@dataclass
class AccuracyReport:
    """Everything ``run_accuracy`` measured."""

    extractors: list[str]
    wcxb: list[WcxbRow] = field(default_factory=list)
    page_type_f1: dict[str, dict[str, float]] = field(default_factory=dict)  # type -> extractor -> mean F1
    page_type_counts: dict[str, int] = field(default_factory=dict)
    trafilatura_eval: list[TrafRow] = field(default_factory=list)
    per_page: list[PageScore] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # summed extractor time per extractor
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # the same in CPU time of the calling process

    def to_markdown(self) -> str:
        """All tables of this report, in Markdown."""
        parts = []
        if self.wcxb:
            parts += ["### WCXB dev", "", render_wcxb(self.wcxb), "",
                      "### WCXB dev: mean word F1 per page type", "",
                      render_page_types(self.page_type_f1, self.page_type_counts, self.extractors), ""]
        if self.trafilatura_eval:
            parts += ["### trafilatura-eval", "", render_traf(self.trafilatura_eval), ""]
        return "\n".join(parts)


def score_pages(pages: Sequence[Page], results: Mapping[str, Sequence[CallResult[str]]]) -> AccuracyReport:
    """Score already-run extractions (``run_extractors`` output) and aggregate them."""
    report = AccuracyReport(extractors=list(results))
    type_scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for name, calls in results.items():
        word_scores: list[metrics.PRF] = []
        snippets = metrics.SnippetCounts()
        segments = metrics.SegmentCounts()
        errors = {WCXB: 0, TRAFILATURA_EVAL: 0}
        counts = {WCXB: 0, TRAFILATURA_EVAL: 0}
        report.seconds[name] = sum(c.seconds for c in calls)
        report.cpu_seconds[name] = sum(c.cpu_seconds for c in calls)
        for page, call in zip(pages, calls):
            text = call.value or ""
            counts[page.dataset] = counts.get(page.dataset, 0) + 1
            if call.error:
                errors[page.dataset] = errors.get(page.dataset, 0) + 1
            prf = snip = seg = None
            if page.dataset == WCXB:
                snip = metrics.snippet_counts(text, page.with_snippets, page.without_snippets)
                snippets += snip
                if page.gold_text is not None:
                    prf = metrics.word_prf(text, page.gold_text)
                    word_scores.append(prf)
                    type_scores[page.page_type][name].append(prf.f1)
            else:
                seg = metrics.segment_counts(text, page.with_snippets, page.without_snippets)
                segments += seg
            report.per_page.append(PageScore(
                extractor=name, page=page.key, dataset=page.dataset, page_type=page.page_type, host=page.host,
                precision=prf.precision if prf else None, recall=prf.recall if prf else None,
                f1=prf.f1 if prf else None, snippets=snip, segments=seg, error=call.error, seconds=call.seconds,
            ))
        if counts[WCXB]:
            mean = metrics.mean_prf(word_scores)
            report.wcxb.append(WcxbRow(name, mean.precision, mean.recall, mean.f1, snippets.with_rate,
                                       snippets.without_rate, errors[WCXB], len(word_scores)))
        if counts[TRAFILATURA_EVAL]:
            report.trafilatura_eval.append(TrafRow(name, segments, errors[TRAFILATURA_EVAL], counts[TRAFILATURA_EVAL]))
    for ptype, by_name in type_scores.items():
        report.page_type_counts[ptype] = max(len(v) for v in by_name.values())
        report.page_type_f1[ptype] = {n: sum(v) / len(v) for n, v in by_name.items() if v}
    return report


def run_accuracy(
    pages: Sequence[Page],
    extractors: Mapping[str, PageExtractor],
    jobs: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    progress: bool = False,
) -> AccuracyReport:
    """Run ``extractors`` (``name -> Page -> str``) over ``pages`` and score them."""
    results = run_extractors(pages, extractors, jobs=jobs, empty="", timeout=timeout, progress=progress)
    return score_pages(pages, results)


# --------------------------------------------------------------------------- --fields
FIELD_NAMES = ("title", "author", "date")


@dataclass(frozen=True)
class FieldsRow:
    """Metadata accuracy of one extractor on the pages that have each gold field."""

    extractor: str
    title_pages: int
    title_coverage: float  # share of pages where a title was returned
    title_exact: float
    title_f1: float
    author_pages: int
    author_coverage: float
    author_exact: float
    date_pages: int
    date_coverage: float
    date_same_day: float
    errors: int


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else math.nan


def score_fields(pages: Sequence[Page], results: Mapping[str, Sequence[CallResult[Fields]]]) -> list[FieldsRow]:
    """Aggregate ``Fields`` predictions against ``gold_title/gold_author/gold_date``."""
    rows = []
    for name, calls in results.items():
        t_cov, t_exact, t_f1, a_cov, a_exact, d_cov, d_same = [], [], [], [], [], [], []
        errors = 0
        for page, call in zip(pages, calls):
            fields = call.value or Fields()
            errors += call.error is not None
            if page.gold_title:
                t_cov.append(bool(metrics.normalize_field(fields.title)))
                t_exact.append(metrics.title_exact(fields.title, page.gold_title))
                t_f1.append(metrics.title_token_f1(fields.title, page.gold_title))
            if page.gold_author:
                a_cov.append(bool(metrics.split_authors(fields.authors)))
                a_exact.append(metrics.authors_match(fields.authors, page.gold_author))
            if page.gold_date and metrics.parse_day(page.gold_date) is not None:
                d_cov.append(metrics.parse_day(fields.date) is not None)
                d_same.append(metrics.same_day(fields.date, page.gold_date))
        rows.append(FieldsRow(
            name, len(t_cov), _share(t_cov), _share(t_exact), sum(t_f1) / len(t_f1) if t_f1 else math.nan,
            len(a_cov), _share(a_cov), _share(a_exact), len(d_cov), _share(d_cov), _share(d_same), errors,
        ))
    return rows


def run_fields(
    pages: Sequence[Page],
    extractors: Mapping[str, FieldsExtractor],
    jobs: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    progress: bool = False,
) -> list[FieldsRow]:
    """Run metadata extractors (``name -> Page -> Fields``) over the pages with any gold field."""
    pages = [p for p in pages if p.gold_title or p.gold_author or p.gold_date]
    results = run_extractors(pages, extractors, jobs=jobs, empty=Fields(), timeout=timeout, progress=progress)
    return score_fields(pages, results)


# --------------------------------------------------------------------------- Markdown
def fmt(value: float | int | None, digits: int = FLOAT_DIGITS) -> str:
    """Number for a table cell; ``nan``/``None`` become a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table (``align``: 'l' or 'r' per column; first left, rest right by default)."""
    align = align or ["l"] + ["r"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_wcxb(rows: Sequence[WcxbRow]) -> str:
    """WCXB table, best F1 first."""
    ordered = sorted(rows, key=lambda r: -r.f1 if not math.isnan(r.f1) else math.inf)
    return markdown_table(
        ["extractor", "word P", "word R", "word F1", "with-snippets found ↑", "without-snippets found ↓", "errors", "pages"],
        [[r.extractor, fmt(r.precision), fmt(r.recall), fmt(r.f1), fmt(r.with_rate), fmt(r.without_rate),
          fmt(r.errors), fmt(r.pages)] for r in ordered],
    )


def render_page_types(table: Mapping[str, Mapping[str, float]], counts: Mapping[str, int], extractors: Sequence[str]) -> str:
    """Rows = page types (most pages first), columns = extractors, cells = mean word F1."""
    types = sorted(table, key=lambda t: (-counts.get(t, 0), t))
    return markdown_table(
        ["page type", "pages", *extractors],
        [[t, fmt(counts.get(t, 0)), *(fmt(table[t].get(e)) for e in extractors)] for t in types],
    )


def render_traf(rows: Sequence[TrafRow]) -> str:
    """trafilatura-eval table, best F1 first."""
    ordered = sorted(rows, key=lambda r: -r.f1)
    return markdown_table(
        ["extractor", "TP", "FP", "FN", "TN", "precision", "recall", "F1", "accuracy", "errors", "pages"],
        [[r.extractor, fmt(r.counts.tp), fmt(r.counts.fp), fmt(r.counts.fn), fmt(r.counts.tn), fmt(r.precision),
          fmt(r.recall), fmt(r.f1), fmt(r.accuracy), fmt(r.errors), fmt(r.pages)] for r in ordered],
    )


def render_fields(rows: Sequence[FieldsRow]) -> str:
    """``--fields`` table (shares over the pages that have the gold field; n in the header)."""
    if not rows:
        return ""
    n = rows[0]
    return markdown_table(
        ["extractor", f"title returned (n={n.title_pages})", "title exact", "title token F1",
         f"author returned (n={n.author_pages})", "author exact set", f"date returned (n={n.date_pages})",
         "date same day", "errors"],
        [[r.extractor, fmt(r.title_coverage), fmt(r.title_exact), fmt(r.title_f1), fmt(r.author_coverage),
          fmt(r.author_exact), fmt(r.date_coverage), fmt(r.date_same_day), fmt(r.errors)] for r in rows],
    )
