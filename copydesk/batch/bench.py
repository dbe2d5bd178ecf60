"""Throughput benchmark of the batch pool: copydesk vs trafilatura, 1..N workers.

This module owns `batch_benchmark`: it wraps the shared pages
(``wcxb-dev/html/*.html.gz`` and ``trafilatura-eval/html/*.html.gz``) as HTTP
response records in a temporary gzip WARC, runs the local engine on it once
per (extractor, workers) pair, or `rounds` times with the extractors
alternating, and returns a Markdown table of records/s (wall clock, worker
start-up included; the median run), kept/skipped/errors and peak RSS per
worker. Reached from ``copydesk run --benchmark [DATA_DIR] [--bench-pages N]``
or by calling `batch_benchmark` (e.g. from ``copydesk bench --batch``).
"""
from __future__ import annotations

import gzip
import io
import os
import tempfile
import uuid
from pathlib import Path
from statistics import median

from ..errors import CopydeskError
from .job import BatchConfig
from .local import run_local

SETS = ("wcxb-dev", "trafilatura-eval")
#: Shards per worker in a bench run (see `bench_shard_bytes`).
SHARDS_PER_WORKER = 32


def default_data_dir() -> str:
    """``$COPYDESK_DATA``, else ``../shared/data`` next to the repository."""
    env = os.environ.get("COPYDESK_DATA")
    if env:
        return env
    return str(Path(__file__).resolve().parents[3] / "shared" / "data")


def warc_response(url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                  date: str = "2024-01-01T00:00:00Z") -> bytes:
    """One WARC/1.0 response record (uncompressed bytes) wrapping `body` in an HTTP 200."""
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode() +
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Date: {date}\r\nWARC-Target-URI: {url}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def build_warc(data_dir: str | Path, dest: str | Path, n_pages: int) -> int:
    """Write a gzip WARC (one member per record) of up to `n_pages` shared pages; return the count."""
    data_dir = Path(data_dir)
    lists = [sorted((data_dir / s / "html").glob("*.html.gz")) for s in SETS]
    pages: list[tuple[str, Path]] = []
    i = 0
    while len(pages) < n_pages and any(i < len(lst) for lst in lists):
        for s, lst in zip(SETS, lists):
            if i < len(lst) and len(pages) < n_pages:
                pages.append((s, lst[i]))
        i += 1
    with open(dest, "wb") as out:
        for s, p in pages:
            body = gzip.decompress(p.read_bytes())
            out.write(gzip.compress(warc_response(f"https://bench.invalid/{s}/{p.name[:-3]}", body), 6))
    return len(pages)


def bench_shard_bytes(warc_bytes: int, workers: tuple[int, ...]) -> int:
    """Bytes of the WARC per shard: `SHARDS_PER_WORKER` shards for each worker of the largest pool.

    A crawl-sized run keeps every worker busy to its end; a bench run of a few thousand
    pages would not if its shards were large, since the last one runs alone. On 2,000 pages,
    2 copydesk workers were busy 85 % of the run with 4 shards a worker, 90-91 % with 16;
    once the parent sent shards pickled ahead, 93-94 % with 16 and 95.5 % with 32.
    """
    return max(1, warc_bytes // (SHARDS_PER_WORKER * max(workers)))


def batch_benchmark(data_dir: str | Path, workers: tuple[int, ...] = (1, 2), n_pages: int = 100,
                    extractors: tuple[str, ...] = ("copydesk", "trafilatura"),
                    timeout: float | None = 30.0, metadata: tuple[bool, ...] = (True, False),
                    rounds: int = 1) -> str:
    """Run the pool on a WARC of `n_pages` shared pages; return a Markdown table.

    Every extractor runs the same job per `metadata` setting: text plus title, authors,
    date (and, for copydesk, language) when True, text alone when False. With `rounds` > 1
    each (setting, workers) pair is run that many times with the extractors alternating, so
    that a slow spell of the machine falls on both; the table gives the median run. Below
    it, copydesk's rate over trafilatura's for each setting and worker count, and per round.
    """
    runs: dict[tuple[str, bool, int], list] = {}
    with tempfile.TemporaryDirectory(prefix="copydesk-bench-") as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        n = build_warc(data_dir, warc, n_pages)
        if n == 0:
            raise FileNotFoundError(f"no pages under {data_dir}/{{{','.join(SETS)}}}/html")
        for meta in metadata:
            for w in workers:
                for r in range(max(1, rounds)):
                    for ex in extractors:
                        out = Path(tmp) / f"out-{ex}-{w}-{int(meta)}-{r}"
                        cfg = BatchConfig(outdir=str(out), extractor=ex, timeout=timeout,
                                          shard_bytes=bench_shard_bytes(warc.stat().st_size, workers),
                                          with_metadata=meta)
                        try:
                            s = run_local([str(warc)], cfg, workers=w, progress=False, log=io.StringIO())
                        except CopydeskError as exc:  # e.g. the block model is missing
                            s = str(exc).splitlines()[-1][:120]
                        runs.setdefault((ex, meta, w), []).append(s)
    per_round = " | per round" if rounds > 1 else ""
    lines = [f"Batch pool on {n} pages ({', '.join(SETS)}), gzip WARC; rec/s = wall clock incl. worker start-up"
             + (f"; median of {rounds} rounds, extractors alternating" if rounds > 1 else ""),
             "",
             f"| extractor | metadata | workers | records | kept | skipped | errors | seconds | rec/s{per_round} "
             "| parent CPU s | peak RSS/worker MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---|" if rounds > 1 else "") + "---:|---:|"]
    rate: dict[tuple[str, bool, int], list[float]] = {}
    for (ex, meta, w), got in runs.items():
        on = "yes" if meta else "no"
        failed = [s for s in got if isinstance(s, str)]
        if failed:
            lines.append(f"| {ex} | {on} | {w} | failed: {failed[0]} | | | | | |" + (" |" if rounds > 1 else "") + " | |")
            continue
        rate[(ex, meta, w)] = [x.records_per_s for x in got]
        s = got[0]  # the counts are the same in every round
        each = f" | {' / '.join(f'{x.records_per_s:.1f}' for x in got)}" if rounds > 1 else ""
        lines.append(f"| {ex} | {on} | {w} | {s.records} | {s.kept} | {s.skipped} | {s.errors} | "
                     f"{median(x.seconds for x in got):.1f} | {median(rate[(ex, meta, w)]):.1f}{each} | "
                     f"{median(x.parent_cpu_s for x in got):.2f} | {max(x.peak_rss_mb for x in got):.0f} |")
    ratios = []
    for meta in metadata:
        for w in workers:
            ours, theirs = rate.get(("copydesk", meta, w)), rate.get(("trafilatura", meta, w))
            if not ours or not theirs:
                continue
            text = (f"{'with' if meta else 'without'} metadata, {w} worker{'s' if w > 1 else ''}: "
                    f"{median(ours) / median(theirs):.2f}×")
            if rounds > 1:
                text += " (rounds " + ", ".join(f"{a / b:.2f}×" for a, b in zip(ours, theirs)) + ")"
            ratios.append(text)
    if ratios:
        lines += ["", "copydesk over trafilatura, same job: " + "; ".join(ratios)]
    scaling = []
    for meta in metadata:
        for ex in extractors:
            one, most = rate.get((ex, meta, min(workers))), rate.get((ex, meta, max(workers)))
            if one and most and max(workers) > min(workers):
                scaling.append(f"{ex} {'with' if meta else 'without'} metadata {median(most) / median(one):.2f}×")
    if scaling:
        lines += ["", f"Scaling, {min(workers)} → {max(workers)} workers (median rates): " + "; ".join(scaling)]
    return "\n".join(lines)
