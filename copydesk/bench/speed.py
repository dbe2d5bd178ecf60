"""Throughput and memory of extractors, one process, pages preloaded in memory.

This module owns the ``--speed`` protocol:

- every extractor is built and called once on the first page (warm-up,
  not timed): imports and model loading are excluded;
- ``rounds`` rounds; in each round every extractor runs over *all* pages,
  interleaved: the pages go in chunks of ``CHUNK_PAGES``, every extractor
  runs each chunk, and the order of the extractors rotates from chunk to
  chunk. A slow spell of the machine (other jobs, CPU frequency) then falls
  on every extractor alike instead of on whichever ran through it; run one
  after the other, a round of trafilatura varied 12.7 / 21.0 / 16.6 pages/s;
- an extractor with a ``batch`` method (``textpeers.BatchTextExtractor``)
  gets each chunk in one call, as corpus mode gives pages; its row says so;
- throughput = pages / summed call seconds of that extractor in that round,
  by the wall clock (``time.perf_counter``) and by this process's CPU time;
  the table gives the medians over rounds and the ratio to the baseline
  (trafilatura), and the report states the ratio of each pair doing the
  same work (``LIKE_FOR_LIKE``) measured in the run;
- memory = peak resident-set growth while one extractor processes the first
  ``memory_pages`` pages, measured in a ``fork``-ed child after warm-up:
  the child resets its RSS high-water mark (``/proc/self/clear_refs``, Linux)
  and reports ``VmHWM - VmRSS at start``. This includes C allocations (lxml,
  lexbor, resiliparse), unlike tracemalloc. Where that is unavailable the
  tracemalloc peak (Python allocations only) is reported instead; the table
  says which method was used.

Calls are guarded like in ``accuracy.py``: an exception or timeout is an
empty extraction and counts as an error (errors of the first round).
"""
from __future__ import annotations

import gc
import os
import select
import signal
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..rss import PROC_STATUS, reset_peak, status_kb
from .accuracy import DEFAULT_TIMEOUT_S, PageExtractor, _warm_up, fmt, guarded_call, markdown_table
from .datasets import Page

DEFAULT_ROUNDS = 3
#: Pages each extractor runs before the next one takes over (see the module docstring).
CHUNK_PAGES = 10
DEFAULT_MEMORY_PAGES = 20
BASELINE = "trafilatura"
#: Pairs doing the same work, whose ratio the report states when both were measured:
#: (copydesk call, trafilatura call, what both compute).
LIKE_FOR_LIKE = (
    ("copydesk", "trafilatura-meta", "text and metadata"),
    ("copydesk-nometa", "trafilatura", "text only"),
)
MEMORY_CHILD_TIMEOUT_S = 120.0
KB = 1024
MB = 1024 * 1024
METHOD_RSS = "peak RSS growth (forked child, VmHWM)"
METHOD_TRACEMALLOC = "tracemalloc peak (Python allocations only)"


@dataclass(frozen=True)
class SpeedRow:
    """Throughput and memory of one extractor."""

    extractor: str
    pages_per_s: float  # median over rounds, wall clock
    round_rates: tuple[float, ...]
    ratio_to_baseline: float | None
    errors: int
    memory_mb: float | None
    cpu_pages_per_s: float | None = None  # median over rounds, this process's CPU time


@dataclass
class SpeedReport:
    """What ``run_speed`` measured."""

    rows: list[SpeedRow]
    pages: int
    rounds: int
    memory_pages: int
    memory_method: str
    baseline: str
    notes: list[str] = field(default_factory=list)
    chunk_pages: int = CHUNK_PAGES

    def to_markdown(self) -> str:
        """Speed table plus a line on the protocol."""
        base = self.baseline
        table = markdown_table(
            ["extractor", "pages/s (median)", "per round", "pages/s CPU (median)", f"× {base}",
             f"memory MB ({self.memory_pages} pages)", "errors"],
            [[r.extractor, fmt(r.pages_per_s, 1), " / ".join(f"{x:.1f}" for x in r.round_rates),
              fmt(r.cpu_pages_per_s, 1), fmt(r.ratio_to_baseline, 2), fmt(r.memory_mb, 1), fmt(r.errors)]
             for r in sorted(self.rows, key=lambda r: -r.pages_per_s)],
        )
        lines = [
            "### Speed (one process)", "",
            f"{self.pages} pages preloaded in memory, {self.rounds} rounds; extractors interleaved in chunks of "
            f"{self.chunk_pages} pages, order rotated per chunk; memory: {self.memory_method}.", "", table,
        ]
        lines += [f"- {note}" for note in self.notes + self.like_for_like()]
        return "\n".join(lines) + "\n"

    def like_for_like(self) -> list[str]:
        """One line per `LIKE_FOR_LIKE` pair measured in this run: the ratio of their medians
        (wall clock, and CPU time where measured)."""
        rate = {r.extractor: r.pages_per_s for r in self.rows}
        cpu = {r.extractor: r.cpu_pages_per_s for r in self.rows}
        lines = []
        for ours, theirs, what in LIKE_FOR_LIKE:
            if rate.get(ours) and rate.get(theirs):
                line = f"like for like ({what}): {ours} / {theirs} = {rate[ours] / rate[theirs]:.2f}×"
                if cpu.get(ours) and cpu.get(theirs):
                    line += f" (CPU time: {cpu[ours] / cpu[theirs]:.2f}×)"  # type: ignore[operator]
                lines.append(line)
        return lines


def call_rates_markdown(seconds: Mapping[str, float], cpu_seconds: Mapping[str, float], pages: int) -> str:
    """Pages per second of each extractor from its guarded calls in an accuracy run.

    Each call is timed in the process that ran it, by the wall clock and by that process's
    CPU time (the per-core figure, robust to other jobs sharing the machine).
    """
    def rate(s: float) -> float:
        return pages / s if s > 0 else float("inf")

    rows = [[name, fmt(rate(cpu_seconds.get(name, 0.0)), 1), fmt(rate(s), 1),
             fmt(1000 * cpu_seconds.get(name, 0.0) / pages if pages else 0.0, 2)]
            for name, s in sorted(seconds.items(), key=lambda kv: kv[1])]
    return "\n".join(["### Throughput (accuracy run, per core)", "",
                      f"{pages} pages; time summed over each extractor's calls.", "",
                      markdown_table(["extractor", "pages/s (CPU time)", "pages/s (wall)", "CPU ms/page"], rows), ""])


def rss_method_available() -> bool:
    """Forked-child RSS high-water measurement works here (Linux with a writable clear_refs)."""
    if not hasattr(os, "fork") or not PROC_STATUS.exists():
        return False
    try:
        return reset_peak() and status_kb("VmHWM") >= 0
    except (OSError, KeyError):
        return False


def peak_rss_growth_mb(
    fn: PageExtractor, pages: Sequence[Page], timeout: float | None, child_timeout: float = MEMORY_CHILD_TIMEOUT_S
) -> float | None:
    """Peak RSS growth (MB) of ``fn`` over ``pages`` in a forked child; ``None`` if the child failed or hung.

    Caveat: libraries with thread pools started in the parent (OpenMP in
    LightGBM) may hang after ``fork``; the child is then killed after
    ``child_timeout`` seconds.
    """
    gc.collect()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 1
        try:
            os.close(read_fd)
            reset_peak()
            start = status_kb("VmRSS")
            for page in pages:
                guarded_call(fn, page, "", timeout)
            growth = max(0, status_kb("VmHWM") - start) * KB / MB
            os.write(write_fd, f"{growth:.3f}".encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    deadline = time.monotonic() + child_timeout
    chunks: list[bytes] = []
    with os.fdopen(read_fd, "rb", buffering=0) as fh:
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fh], [], [], max(0.0, remaining))
            if not ready:  # a hung child (e.g. OpenMP after fork): kill it, no figure
                os.kill(pid, signal.SIGKILL)
                break
            chunk = fh.read(64)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    data = b"".join(chunks)
    return float(data) if data else None


def tracemalloc_peak_mb(fn: PageExtractor, pages: Sequence[Page], timeout: float | None) -> float:
    """Peak traced Python memory (MB) of ``fn`` over ``pages``."""
    gc.collect()
    tracemalloc.start()
    try:
        for page in pages:
            guarded_call(fn, page, "", timeout)
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def run_speed(
    pages: Sequence[Page],
    extractors: Mapping[str, PageExtractor],
    rounds: int = DEFAULT_ROUNDS,
    memory_pages: int = DEFAULT_MEMORY_PAGES,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    baseline: str = BASELINE,
    chunk_pages: int = CHUNK_PAGES,
) -> SpeedReport:
    """Measure ``extractors`` over ``pages`` (see module docstring)."""
    names = list(extractors)
    if not pages or not names:
        return SpeedReport([], len(pages), rounds, 0, "n/a", baseline, chunk_pages=chunk_pages)
    _warm_up(extractors)
    for name in names:
        guarded_call(extractors[name], pages[0], "", timeout)
    rates: dict[str, list[float]] = {n: [] for n in names}
    cpu_rates: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, int] = {n: 0 for n in names}

    def per_s(seconds: float) -> float:
        return len(pages) / seconds if seconds > 0 else float("inf")

    for r in range(max(1, rounds)):
        wall = dict.fromkeys(names, 0.0)
        cpu = dict.fromkeys(names, 0.0)
        for c, first in enumerate(range(0, len(pages), chunk_pages)):
            shift = (r + c) % len(names)
            chunk = list(pages[first:first + chunk_pages])
            for name in names[shift:] + names[:shift]:
                batch = getattr(extractors[name], "batch", None)
                if batch is not None:
                    calls = [guarded_call(batch, chunk, [], timeout and timeout * len(chunk))]
                    failed = len(chunk) * (calls[0].error is not None)
                else:
                    calls = [guarded_call(extractors[name], page, "", timeout) for page in chunk]
                    failed = sum(res.error is not None for res in calls)
                wall[name] += sum(res.seconds for res in calls)
                cpu[name] += sum(res.cpu_seconds for res in calls)
                if r == 0:
                    errors[name] += failed
        for name in names:
            rates[name].append(per_s(wall[name]))
            cpu_rates[name].append(per_s(cpu[name]))

    subset = list(pages[:memory_pages])
    use_rss = rss_method_available()
    method = METHOD_RSS if use_rss else METHOD_TRACEMALLOC
    memory: dict[str, float | None] = {}
    for name in names:
        if not subset:
            memory[name] = None
        elif use_rss:
            memory[name] = peak_rss_growth_mb(extractors[name], subset, timeout)
        else:
            memory[name] = tracemalloc_peak_mb(extractors[name], subset, timeout)

    medians = {n: statistics.median(v) for n, v in rates.items()}
    base = medians.get(baseline)
    rows = [SpeedRow(n, medians[n], tuple(rates[n]), medians[n] / base if base else None, errors[n], memory[n],
                     statistics.median(cpu_rates[n])) for n in names]
    notes = [] if base else [f"baseline {baseline!r} not measured: no ratio column"]
    notes += [f"{n}: one call a chunk of {chunk_pages} pages" for n in names
              if getattr(extractors[n], "batch", None) is not None]
    return SpeedReport(rows, len(pages), max(1, rounds), len(subset), method, baseline, notes, chunk_pages)
