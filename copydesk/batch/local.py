"""The local engine: a pool of worker processes with a watchdog, resumable.

This module owns scheduling on one machine. A reader thread in the parent
turns inputs into `Shard`s (skipping shards the manifest lists as finished)
and pickles them (on Linux into memory files, `_Packed`); N worker processes
(``spawn``) each take one shard at a time over their own pipe, extract every
record (`job.process_item`), write the shard's files atomically and answer
with a `ShardFiles`; the parent then appends the shard to the manifest.
A gzip WARC file is handed out as byte ranges that the workers read
themselves (`Shard.span`): the parent then neither inflates nor copies its
pages, work that would otherwise cap the pool on a large machine.
Limits, from soft to hard:

1. ``Options(timeout=...)`` — the extractor's own per-record limit;
2. a SIGALRM in the worker ``ALARM_GRACE`` s later (raises ExtractionTimeout);
3. the parent's watchdog: a record running longer than the hard timeout, or a
   worker that dies (segfault, OOM kill, ``os._exit``), gets its worker killed
   and restarted; that record becomes an error row ("poisoned") and the shard
   is redone without it;
4. ``RLIMIT_AS`` per worker (``max_memory_mb``): allocations beyond it raise
   MemoryError in the worker, which becomes an error row.

Workers get ``PR_SET_PDEATHSIG`` so a ``kill -9`` of the parent takes them
down too. Progress goes to stderr as one rewritten line.
"""
from __future__ import annotations

import mmap
import multiprocessing as mp
import os
import pickle
import queue
import resource
import signal
import sys
import threading
import time
import traceback
from collections import deque
from itertools import islice
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler, recv_handle, send_handle
from pathlib import Path
from typing import Any, TextIO

from .. import rss
from ..errors import CopydeskError
from ..options import BATCH_PAGES
from .job import (alarm_for, BatchConfig, clean_batch, RunSummary, Shard, iter_shards, process_item, resolve_extractor,
                  warm_compiled)
from .readers import Source, expand_inputs
from .writers import Manifest, ShardFiles, finalize, write_shard

#: Give up on a shard (leave it out of the manifest, exit 1) after this many worker deaths.
MAX_SHARD_ATTEMPTS = 5
#: Byte-range shards the reader lists ahead of the workers at most (see `_Reader`).
SPANS_AHEAD = 100_000
#: Thread-pool variables set to 1 in workers (one process per core already).
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")

# state slots shared between a worker and the parent (doubles, lock-free)
_IDX, _START, _KEPT, _SKIP, _ERR = range(5)
#: `_IDX` while a worker cleans a batch of records (`job.clean_batch`): a crash then names none.
_IN_BATCH = -2


# --------------------------------------------------------------------------- shard hand-off

class _Packed:
    """A shard pickled into an anonymous memory file (Linux `memfd_create`), whose descriptor
    the parent passes to the worker over the pipe. A worker reads a shard of 8 MB that way in
    3 ms, against 9 to 16 ms for the same bytes written through the pipe while it waits. The
    file has no name, and the parent's descriptor is closed once sent, or when the object is
    dropped unsent (a run that stops early): nothing is left behind.
    """

    __slots__ = ("fd", "size")

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit `os` may be gone
            pass


#: Set when this system refuses memory files (say, a sandbox's seccomp filter): shards then go
#: through the pipe.
_memfd_refused = False


def _pack(shard: Shard) -> _Packed | memoryview:
    """The shard pickled into a `_Packed` memory file, or into memory where there is none."""
    global _memfd_refused
    make = getattr(os, "memfd_create", None)
    if make is not None and not _memfd_refused:
        try:
            fd = make("copydesk-shard", os.MFD_CLOEXEC)
        except OSError:
            _memfd_refused = True
        else:
            try:
                with open(fd, "wb", closefd=False) as fh:
                    ForkingPickler(fh).dump(shard)
                    size = fh.tell()
            except BaseException:
                os.close(fd)
                raise
            return _Packed(fd, size)
    return ForkingPickler.dumps(shard)


def _send_shard(conn: Connection, payload: _Packed | memoryview, pid: int | None) -> None:
    """Send what `_pack` made; a `_Packed` is closed here (the worker holds its own copy)."""
    if not isinstance(payload, _Packed):
        conn.send_bytes(payload)
        return
    try:
        conn.send(("packed", payload.size))
        send_handle(conn, payload.fd, pid)
    finally:
        payload.close()


def _recv_shard(conn: Connection) -> Shard | None:
    """The next shard `_send_shard` sent (None: leave)."""
    got = conn.recv()
    if not isinstance(got, tuple):
        return got
    fd = recv_handle(conn)
    try:
        with mmap.mmap(fd, got[1], access=mmap.ACCESS_READ) as mm:
            return pickle.loads(mm)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- worker side

def _set_pdeathsig() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def _worker_main(conn: Connection, state: Any, cfg: BatchConfig, parent_pid: int) -> None:
    _set_pdeathsig()
    rss.reset_peak()  # the peak reported per shard is this worker's own, not its parent's
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent_pid:
        os._exit(0)
    if cfg.max_memory_mb:
        limit = int(cfg.max_memory_mb) * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    extractor = resolve_extractor(cfg.extractor)
    opts = cfg.options()
    alarm = alarm_for(cfg.timeout)
    outdir = Path(cfg.outdir)
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent_pid:
                os._exit(0)
        try:
            shard = _recv_shard(conn)
        except EOFError:
            shard = None
        if shard is None:
            # Every shard's files are written and fsynced: leave without the interpreter's
            # teardown (0.15 s of freeing modules, which the parent would wait for).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        try:
            conn.send(("done", _run_shard(shard, cfg, extractor, opts, alarm, state, outdir)))
        except BaseException as exc:  # noqa: BLE001 - report, keep serving
            conn.send(("fail", shard.shard_id, traceback.format_exc(limit=5), isinstance(exc, CopydeskError)))


def _run_shard(shard: Shard, cfg: BatchConfig, extractor: Any, opts: Any, alarm: float | None,
               state: Any, outdir: Path) -> ShardFiles:
    t0 = time.perf_counter()
    out: dict[str, list[dict[str, Any]]] = {"kept": [], "skipped": [], "errors": []}
    state[_KEPT] = state[_SKIP] = state[_ERR] = 0
    slot = {"kept": _KEPT, "skipped": _SKIP, "errors": _ERR}
    items = enumerate(shard.read())
    while group := list(islice(items, BATCH_PAGES)):
        docs: list = [None] * len(group)
        ms = 0.0
        if not shard.attempts:  # a shard that failed goes one record at a time: a crash names its record
            state[_IDX] = _IN_BATCH
            state[_START] = time.monotonic()
            docs, ms = clean_batch([item for _, item in group], extractor, opts, alarm)
            state[_START] = 0.0
        for (i, item), doc in zip(group, docs):
            if i in shard.poison:
                kind, row = "errors", {"id": item.id, "source": item.source, "url": item.url,
                                       "stage": "worker", "reason": shard.poison[i]}
            else:
                state[_IDX] = i
                state[_START] = time.monotonic()
                kind, row = process_item(item, extractor, opts, cfg.markdown, alarm, doc, ms)
                state[_START] = 0.0
            out[kind].append(row)
            state[slot[kind]] += 1
    state[_IDX] = -1
    files = write_shard(outdir, shard.seq, cfg.fmt, out["kept"], out["skipped"], out["errors"], cfg.markdown)
    rss_mb = rss.peak_mb()
    return ShardFiles(shard.shard_id, shard.seq, files, len(out["kept"]), len(out["skipped"]),
                      len(out["errors"]), round((time.perf_counter() - t0) * 1000, 1), round(rss_mb, 1))


# --------------------------------------------------------------------------- parent side

class FatalRunError(CopydeskError):
    """The run cannot go on (e.g. the block model is missing); finished shards stay resumable."""


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    state: Any
    shard: Shard | None = None


@dataclass
class _Progress:
    stream: TextIO | None
    t0: float = field(default_factory=time.monotonic)
    last: float = 0.0

    def show(self, done: int, kept: int, skipped: int, errors: int, total: int | None, final: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.5:
            return
        self.last = now
        el = max(now - self.t0, 1e-6)
        rate = done / el
        msg = f"\r{done} records | {rate:.1f} rec/s | kept {kept} skipped {skipped} errors {errors}"
        if total is not None and total > 0:
            left = max(total - done, 0)
            eta = left / rate if rate > 0 else float("inf")
            msg += f" | {100 * done / total:.0f}% ETA {eta:.0f}s" if eta != float("inf") else f" | {100 * done / total:.0f}%"
        self.stream.write(msg.ljust(100) + ("\n" if final else ""))
        self.stream.flush()


class _Reader(threading.Thread):
    """Reads shards ahead into a queue; counts the items it has read.

    The parent's own shards, which hold their pages, are read at most `ahead` shards ahead.
    Byte-range shards hold no pages: up to `SPANS_AHEAD` of them are listed ahead, so that a
    run of WARC files knows its size (and the progress line its ETA) from the start.
    """

    def __init__(self, sources: list[Source], cfg: BatchConfig, done: set[str], ahead: int):
        super().__init__(daemon=True, name="copydesk-reader")
        self.sources, self.cfg, self.done = sources, cfg, done
        self.q: queue.Queue[Any] = queue.Queue()  # bounded by `room`
        self.room = {False: threading.Semaphore(ahead), True: threading.Semaphore(SPANS_AHEAD)}
        self.items_read = 0
        self.span_bytes = 0  # bytes of WARC files in shards that workers read themselves
        self.finished = False
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            for shard in iter_shards(self.sources, self.cfg):
                if self.stop.is_set():
                    return
                if shard.shard_id in self.done:
                    continue
                self.items_read += len(shard.items)
                if shard.span is not None:
                    self.span_bytes += shard.span[1] - shard.span[0]
                room = self.room[shard.span is not None]
                while not self.stop.is_set():
                    if room.acquire(timeout=0.2):
                        # Pickled here, not by the parent's main thread when it sends the shard;
                        # a byte range is small, and pickled when sent.
                        self.q.put((shard, None if shard.span is not None else _pack(shard)))
                        break
            self.finished = True
            self.q.put(None)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the parent
            self.finished = True
            self.q.put(exc)

    def taken(self, shard: Shard) -> None:
        """The parent took `shard` from the queue: room for another."""
        self.room[shard.span is not None].release()

    def expected(self, span_done: tuple[int, int]) -> int | None:
        """How many records this run will handle, once every shard is read: the parent's
        items, plus as many per byte in the workers' ranges as in the ranges done so far
        (`span_done` = bytes, records)."""
        if not self.finished:
            return None
        if not self.span_bytes:
            return self.items_read
        if not span_done[0]:
            return None
        return self.items_read + round(self.span_bytes * span_done[1] / span_done[0])


def _start_worker(ctx: Any, cfg: BatchConfig) -> _Worker:
    parent_conn, child_conn = ctx.Pipe(duplex=True)
    state = ctx.Array("d", 5, lock=False)
    state[_IDX] = -1
    saved = {k: os.environ.get(k) for k in _THREAD_ENV}
    for k in _THREAD_ENV:
        os.environ.setdefault(k, "1")
    try:
        proc = ctx.Process(target=_worker_main, args=(child_conn, state, cfg, os.getpid()),
                           name="copydesk-worker", daemon=True)
        proc.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
    child_conn.close()
    return _Worker(proc, parent_conn, state)


def _stop_workers(pool: list[_Worker], kill: bool = False) -> None:
    """Ask every worker to leave (or kill it), then wait for all: they exit side by side."""
    for w in pool:
        if kill:
            w.proc.kill()
        else:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                w.proc.kill()
    for w in pool:
        w.proc.join(timeout=5)
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join(timeout=5)
        w.conn.close()


def run_local(inputs: list[str], cfg: BatchConfig, workers: int = 2, progress: bool | None = None,
              overwrite: bool = False, log: TextIO | None = None) -> RunSummary:
    """Run the job on this machine; resume from OUTDIR's manifest if present.

    Raises `writers.ConfigMismatch` when OUTDIR holds a run with other settings.
    """
    log = log if log is not None else sys.stderr
    workers = max(1, int(workers))
    outdir = Path(cfg.outdir)
    sources = expand_inputs(inputs, cfg.input_kind)
    manifest = Manifest.open(outdir, cfg.manifest_config(inputs), overwrite=overwrite)
    summary = RunSummary(engine="local", outdir=str(outdir), workers=workers)
    finished: list[ShardFiles] = list(manifest.done.values())
    for sf in finished:
        summary.kept += sf.kept
        summary.skipped += sf.skipped
        summary.errors += sf.errors
        summary.peak_rss_mb = max(summary.peak_rss_mb, sf.peak_rss_mb)
    summary.shards_resumed = len(finished)
    if finished:
        print(f"resuming: {len(finished)} shards already done in {outdir}", file=log)

    show = progress if progress is not None else log.isatty()
    prog = _Progress(log if show else None)
    if cfg.extractor == "copydesk":
        warm_compiled(sources)  # compiled once here, not by every worker at once
    ctx = mp.get_context("spawn")
    reader = _Reader(sources, cfg, set(manifest.done), ahead=workers + 1)
    reader.start()
    pool = [_start_worker(ctx, cfg) for _ in range(workers)]
    pending: deque[Shard] = deque()
    pickled: dict[str, _Packed | memoryview] = {}  # shard id -> the reader's pickle of the shard
    reader_done = False
    hard = cfg.effective_hard_timeout
    this_run = {"kept": 0, "skipped": 0, "errors": 0}
    span_done = (0, 0)  # bytes, records of the byte-range shards finished in this run
    t0, cpu0 = time.monotonic(), time.process_time()

    def restart(i: int, reason: str) -> None:
        w = pool[i]
        shard = w.shard
        idx = int(w.state[_IDX])
        _stop_workers([w], kill=True)
        summary.worker_restarts += 1
        pool[i] = _start_worker(ctx, cfg)
        if shard is None:
            return
        shard.attempts += 1
        if idx >= 0 and idx not in shard.poison:
            shard.poison[idx] = reason
            print(f"\nworker died on {shard.describe(idx)}: {reason}", file=log)
        elif shard.attempts >= MAX_SHARD_ATTEMPTS:
            print(f"\nshard {shard.shard_id} failed {shard.attempts} times, giving up: {reason}", file=log)
            summary.failed_shards.append(shard.shard_id)
            return
        pending.appendleft(shard)

    try:
        while True:
            # take read-ahead shards
            while not reader_done and len(pending) < workers:
                try:
                    got = reader.q.get(timeout=0.05 if pending or any(w.shard for w in pool) else 0.5)
                except queue.Empty:
                    break
                if got is None:
                    reader_done = True
                elif isinstance(got, BaseException):
                    raise got
                else:
                    reader.taken(got[0])
                    pending.append(got[0])
                    if got[1] is not None:
                        pickled[got[0].shard_id] = got[1]
            # dispatch
            for i, w in enumerate(pool):
                if w.shard is None and pending:
                    shard = pending.popleft()
                    w.shard = shard
                    # pickled again when it came back from a failed worker (its poison list changed)
                    payload = pickled.pop(shard.shard_id, None) or _pack(shard)
                    try:
                        _send_shard(w.conn, payload, w.proc.pid)
                    except (OSError, ValueError):
                        restart(i, "worker died before taking the shard")
            busy = [w for w in pool if w.shard is not None]
            if reader_done and not pending and not busy:
                break
            if busy:
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.25)
            else:
                ready = []
            for i, w in enumerate(pool):
                if w.shard is None:
                    continue
                if w.conn in ready:
                    try:
                        msg = w.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg is not None and msg[0] == "done":
                        sf: ShardFiles = msg[1]
                        manifest.add(sf)
                        finished.append(sf)
                        summary.kept += sf.kept
                        summary.skipped += sf.skipped
                        summary.errors += sf.errors
                        this_run["kept"] += sf.kept
                        this_run["skipped"] += sf.skipped
                        this_run["errors"] += sf.errors
                        summary.peak_rss_mb = max(summary.peak_rss_mb, sf.peak_rss_mb)
                        if w.shard.span is not None:
                            span_done = (span_done[0] + w.shard.span[1] - w.shard.span[0],
                                         span_done[1] + sf.kept + sf.skipped + sf.errors)
                        w.shard = None
                        continue
                    if msg is not None and msg[0] == "fail":
                        if msg[3]:
                            raise FatalRunError(f"run aborted, shard {msg[1]} failed:\n{msg[2]}")
                        print(f"\nshard {msg[1]} failed in its worker:\n{msg[2]}", file=log)
                        shard = w.shard
                        shard.attempts += 1
                        w.shard = None
                        if shard.attempts >= 2:
                            summary.failed_shards.append(shard.shard_id)
                        else:
                            pending.appendleft(shard)
                        continue
                if not w.proc.is_alive():
                    code = w.proc.exitcode
                    reason = f"worker crashed (exit code {code})" if code is None or code >= 0 else \
                        f"worker crashed (signal {signal.Signals(-code).name})"
                    restart(i, reason)
                    continue
                start = w.state[_START]
                if hard and start > 0 and time.monotonic() - start > hard:
                    restart(i, f"hard timeout: record still running after {hard:.0f}s, worker killed")
            # progress: finished shards of this run + in-flight partial counts
            fl = {"kept": 0, "skipped": 0, "errors": 0}
            for w in pool:
                if w.shard is not None:
                    fl["kept"] += int(w.state[_KEPT])
                    fl["skipped"] += int(w.state[_SKIP])
                    fl["errors"] += int(w.state[_ERR])
            k, s, e = (this_run[x] + fl[x] for x in ("kept", "skipped", "errors"))
            prog.show(k + s + e, k, s, e, reader.expected(span_done))
    except BaseException:
        reader.stop.set()
        _stop_workers(pool, kill=True)
        raise
    _stop_workers(pool)
    reader.stop.set()
    summary.seconds = round(time.monotonic() - t0, 3)
    summary.parent_cpu_s = round(time.process_time() - cpu0, 3)
    summary.shards = len(finished)
    done = sum(this_run.values())
    summary.processed = done
    prog.show(done, this_run["kept"], this_run["skipped"], this_run["errors"], done, final=True)
    finalize(outdir, finished, summary.to_dict())
    return summary
