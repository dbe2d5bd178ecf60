"""The batch job description and the per-record step shared by every engine.

This module owns `BatchConfig` (what a run does), `Shard` (the work unit: up
to ``shard_size`` consecutive items of one input), the stable shard
enumeration used for resumability, the choice of extractor (copydesk,
trafilatura for benchmarks, or ``module:function`` for tests), and
`process_item`, which turns one reader item into exactly one row of kind
``kept``, ``skipped`` or ``errors``. It neither schedules nor writes.
"""
from __future__ import annotations

import importlib
import json
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator

from ..document import Document, Paragraph
from ..errors import ExtractionTimeout, ModelError
from ..options import BATCH_MAX_CHARS, Options
from .readers import Failure, Item, Record, Skip, Source, read_source, read_warc_range, source_spans

#: Extra seconds (at most) granted beyond ``timeout`` before the in-process alarm fires.
ALARM_GRACE = 2.0


def alarm_for(timeout: float | None) -> float | None:
    """When the worker's SIGALRM backstop fires for a per-record `timeout`."""
    return None if not timeout else timeout + min(ALARM_GRACE, timeout)

Extractor = Callable[[Record, Options], Document]


@dataclass(frozen=True)
class BatchConfig:
    """What a batch run does; the engines receive one of these."""

    outdir: str
    fmt: str = "parquet"              # parquet | jsonl
    markdown: bool = False
    timeout: float | None = 30.0      # per record, passed to Options(timeout=...)
    hard_timeout: float | None = None  # worker killed after this; default 2*timeout+10
    shard_size: int = 500
    #: gzip WARC files are split into byte ranges of this size, each read by the worker that
    #: extracts it (`readers.read_warc_range`); 0: the parent reads them, `shard_size` records a shard.
    shard_bytes: int = 16 << 20
    extractor: str = "copydesk"       # copydesk | trafilatura | module:function
    input_kind: str = "auto"
    html_field: str = "html"
    text_field: str = "text"
    with_metadata: bool = True
    max_memory_mb: int | None = 4096  # per worker, RLIMIT_AS; None/0 = no cap

    def __post_init__(self) -> None:
        if self.fmt not in ("parquet", "jsonl"):
            raise ValueError("format must be parquet or jsonl")
        if self.shard_size < 1:
            raise ValueError("shard size must be >= 1")
        if self.shard_bytes < 0:
            raise ValueError("shard bytes must be >= 0")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("timeout must be positive")

    @property
    def effective_hard_timeout(self) -> float | None:
        if self.hard_timeout:
            return self.hard_timeout
        return None if self.timeout is None else 2 * self.timeout + 10

    def options(self) -> Options:
        return Options(timeout=self.timeout, with_metadata=self.with_metadata)

    def manifest_config(self, inputs: list[str]) -> dict[str, Any]:
        """Settings that decide shard ids and output contents (a resume must match them)."""
        keep = ("fmt", "markdown", "shard_size", "shard_bytes", "extractor", "input_kind", "html_field", "text_field",
                "with_metadata")
        d = {k: v for k, v in asdict(self).items() if k in keep}
        d["inputs"] = list(inputs)
        return d


@dataclass
class Shard:
    """The work unit: consecutive items of one source, with a stable id and sequence number.

    Either the parent read the items (`items`), or the shard is a byte range (`span`) of a
    gzip WARC file, whose items its worker reads (`read`).
    """

    shard_id: str
    seq: int
    source: str
    items: list[Item] = field(default_factory=list)
    #: item index → reason: items to write as errors without extracting (they crashed a worker).
    poison: dict[int, str] = field(default_factory=dict)
    attempts: int = 0
    #: ``(start, end)`` byte offsets in `source`, for a shard its worker reads.
    span: tuple[int, int] | None = None

    def read(self) -> Iterator[Item]:
        """The shard's items: those the parent read, or those of its byte range."""
        if self.span is None:
            yield from self.items
            return
        yield from read_warc_range(self.source, *self.span)

    def describe(self, index: int) -> str:
        """Which record `index` is, for messages."""
        if self.span is None and 0 <= index < len(self.items):
            return self.items[index].id
        return f"record {index} of shard {self.shard_id}"


def iter_shards(sources: list[Source], cfg: BatchConfig) -> Iterator[Shard]:
    """Group every source's items into shards of at most ``cfg.shard_size``, or split a
    gzip WARC file into byte ranges of ``cfg.shard_bytes`` (`source_spans`).

    Shard ids are ``<source path>#<k>``; sequence numbers count over the whole
    run. Both are stable for the same inputs and settings.
    """
    seq = 0
    for src in sources:
        spans = source_spans(src, cfg.shard_bytes)
        if spans:
            for k, span in enumerate(spans):
                yield Shard(f"{src.path}#{k}", seq, src.path, span=span)
                seq += 1
            continue
        k = 0
        buf: list[Item] = []
        for item in read_source(src, cfg.html_field, cfg.text_field):
            buf.append(item)
            if len(buf) >= cfg.shard_size:
                yield Shard(f"{src.path}#{k}", seq, src.path, buf)
                seq += 1
                k += 1
                buf = []
        if buf or k == 0:
            # an input with no items at all still gets a (empty) shard so that it is marked done
            yield Shard(f"{src.path}#{k}", seq, src.path, buf)
            seq += 1


# --------------------------------------------------------------------------- extractors

#: Source kinds whose records are HTML, and those whose records are text (JSONL may hold either).
HTML_SOURCES = frozenset({"warc", "arc", "html", "htmldir", "jsonl"})
TEXT_SOURCES = frozenset({"text", "textdir", "jsonl"})


def warm_compiled(sources: list[Source]) -> None:
    """Compile the models these sources need into the cache (`compiled.py`) in the calling
    process, so that the workers started next load them instead of each compiling them."""
    kinds = {s.kind for s in sources}
    if kinds & HTML_SOURCES:
        from ..score import warm_compiled as warm_html
        warm_html()
    if kinds & TEXT_SOURCES:
        from ..textmode import warm_compiled as warm_text
        warm_text()


def _copydesk_extractor(rec: Record, opts: Options) -> Document:
    if rec.html is not None:
        from ..api import extract
        return extract(rec.html, url=rec.url, options=opts, content_type=rec.content_type)
    from ..textmode import clean_text
    return clean_text(rec.text or "", url=rec.url, options=opts)


def _trafilatura_extractor(rec: Record, opts: Options) -> Document:
    """trafilatura doing the job's work: text, plus title, authors, date and site name
    when `opts.with_metadata` (as copydesk's rows have them), for throughput comparisons."""
    from trafilatura import bare_extraction

    doc = Document(url=rec.url)
    if rec.html is None:
        text = rec.text or ""
    else:
        found = bare_extraction(rec.html, url=rec.url, with_metadata=opts.with_metadata)
        text = (found.text or "") if found is not None else ""
        if found is not None and opts.with_metadata:
            doc.title, doc.date, doc.publisher = found.title, found.date, found.sitename
            doc.authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    doc.paragraphs = [Paragraph(p) for p in text.split("\n") if p.strip()]
    doc.empty_reason = None if doc.paragraphs else "no content found"
    return doc


def resolve_extractor(spec: str) -> Extractor:
    """``copydesk``, ``trafilatura`` or ``package.module:function`` (called as f(record, options))."""
    if spec == "copydesk":
        return _copydesk_extractor
    if spec == "trafilatura":
        return _trafilatura_extractor
    mod, sep, fn = spec.partition(":")
    if not sep:
        raise ValueError(f"extractor must be copydesk, trafilatura or module:function, not {spec!r}")
    return getattr(importlib.import_module(mod), fn)


# --------------------------------------------------------------------------- one record

def _base(item: Item) -> dict[str, Any]:
    return {"id": item.id, "source": item.source, "url": item.url}


def _alarm(signum: int, frame: Any) -> None:
    raise ExtractionTimeout("record exceeded its time limit (worker alarm)")


class _Alarm:
    """SIGALRM after `seconds` while in the block (main thread only; None or 0: none)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and threading.current_thread() is threading.main_thread() else None
        self.old: Any = None

    def __enter__(self) -> None:
        if self.seconds:
            self.old = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)


#: copydesk's extractor cleans a shard's text records together (`textmode.clean_texts`, which
#: gives the same documents a fifth sooner), `options.BATCH_PAGES` records and BATCH_MAX_CHARS
#: characters at most at a time; a record of more than this many characters is cleaned alone, so
#: that a batch stays far within the time limits of one record.
BATCH_TEXT_MAX_CHARS = 100_000


def clean_batch(items: list[Item], extractor: Extractor, opts: Options,
                alarm_after: float | None = None) -> tuple[list[Document | None], float]:
    """The documents of the text records among `items` that copydesk's extractor cleans together,
    None for the others, and each one's share of the batch's time in ms. When the batch fails or
    runs out of time, all are None: `process_item` then extracts each record alone, and an error
    is that record's own. `alarm_after` is one record's backstop (`process_item`); the batch gets
    it once a record."""
    docs: list[Document | None] = [None] * len(items)
    if extractor is not _copydesk_extractor:
        return docs, 0.0
    texts: dict[int, Record] = {}
    held = 0
    for k, it in enumerate(items):
        if isinstance(it, Record) and it.html is None and len(it.text or "") <= BATCH_TEXT_MAX_CHARS \
                and held < BATCH_MAX_CHARS:
            texts[k] = it
            held += len(it.text or "")
    if len(texts) < 2:
        return docs, 0.0
    from ..textmode import clean_texts
    t0 = time.perf_counter()
    try:
        with _Alarm(alarm_after and alarm_after * len(texts)):
            got = clean_texts([rec.text or "" for rec in texts.values()], [rec.url for rec in texts.values()], opts)
    except ModelError:
        raise
    except Exception:  # noqa: BLE001 - a timeout, MemoryError, ...: each record is tried alone instead
        return docs, 0.0
    for k, doc in zip(texts, got):
        docs[k] = doc
    return docs, (time.perf_counter() - t0) * 1000 / len(texts)


def process_item(item: Item, extractor: Extractor, opts: Options, markdown: bool,
                 alarm_after: float | None = None, doc: Document | None = None,
                 ms: float = 0.0) -> tuple[str, dict[str, Any]]:
    """Extract one item; return ``(kind, row)`` with kind in kept | skipped | errors.

    Never raises for a record's sake: timeouts, MemoryError and any Exception
    become an ``errors`` row. `ModelError` (missing/unreadable model) propagates:
    it would fail every record, and error rows are final on resume. ``alarm_after`` arms SIGALRM (main thread only) as
    a backstop for extractors that ignore ``Options.timeout``. `doc`: the record's document,
    already extracted (`clean_batch`), and `ms` its share of the batch's time (counted only with
    `doc`).
    """
    if isinstance(item, Skip):
        return "skipped", {**_base(item), "reason": item.reason}
    if isinstance(item, Failure):
        return "errors", {**_base(item), "stage": "read", "reason": item.reason}
    rec = item
    batched = ms if doc is not None else 0.0
    t0 = time.perf_counter()
    try:
        if doc is None:
            with _Alarm(alarm_after):
                doc = extractor(rec, opts)
        text = doc.text
        md = doc.markdown if markdown else None
    except ModelError:
        raise  # a broken installation, not a bad page: abort instead of writing final error rows
    except ExtractionTimeout as exc:
        return "errors", {**_base(rec), "stage": "extract", "reason": f"timeout: {exc}"}
    except MemoryError:
        return "errors", {**_base(rec), "stage": "extract", "reason": "memory limit exceeded (MemoryError)"}
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
        return "errors", {**_base(rec), "stage": "extract", "reason": f"{type(exc).__name__}: {exc}"[:2000]}
    ms = (time.perf_counter() - t0) * 1000 + batched
    if not doc.paragraphs:
        return "skipped", {**_base(rec), "reason": f"empty: {doc.empty_reason or 'no content found'}"}
    row = {
        "id": rec.id, "source": rec.source, "url": rec.url or doc.url,
        "warc_record_id": rec.warc_record_id, "warc_date": rec.warc_date,
        "title": doc.title, "authors": list(doc.authors), "date": doc.date, "language": doc.language,
        "page_type": doc.page_type, "text": text, "confidence": float(doc.confidence), "chars": len(text),
        "paragraphs": len(doc.paragraphs), "ms": round(ms, 3),
        "meta": json.dumps(rec.meta, ensure_ascii=False) if rec.meta else None,
    }
    if markdown:
        row["markdown"] = md
    return "kept", row


@dataclass
class RunSummary:
    """Counts of a run; ``records == kept + skipped + errors`` always holds."""

    engine: str
    outdir: str
    shards: int = 0
    shards_resumed: int = 0
    kept: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0
    #: records handled by this invocation (excludes shards resumed from the manifest)
    processed: int = 0
    peak_rss_mb: float = 0.0
    #: CPU seconds of the process that ran the engine (the local pool's parent: reading,
    #: handing out shards, the manifest), not its workers'.
    parent_cpu_s: float = 0.0
    workers: int = 1
    worker_restarts: int = 0
    failed_shards: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.kept + self.skipped + self.errors

    @property
    def records_per_s(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        """0: all fine; 1: some records, files or shards failed."""
        return 1 if (self.errors or self.failed_shards) else 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["records"] = self.records
        d["records_per_s"] = round(self.records_per_s, 2)
        return d

    def line(self) -> str:
        s = (f"{self.records} records = {self.kept} kept + {self.skipped} skipped + {self.errors} errors "
             f"in {self.shards} shards ({self.shards_resumed} resumed) | {self.seconds:.1f}s, "
             f"{self.records_per_s:.1f} rec/s, {self.workers} workers, peak RSS/worker {self.peak_rss_mb:.0f} MB")
        if self.worker_restarts:
            s += f", {self.worker_restarts} worker restarts"
        if self.failed_shards:
            s += f" | {len(self.failed_shards)} shards FAILED (rerun to retry)"
        return s
