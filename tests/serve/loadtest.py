"""Bounded load test of `copydesk serve` on loopback (a script, not a pytest test).

Starts ``python -m copydesk.serve`` on 127.0.0.1 and a free port, sends a
fixed number of requests at a fixed concurrency (stopping early at a time
limit), then stops the server and prints a Markdown table: throughput,
latency percentiles, status counts.

    python tests/serve/loadtest.py                    # 2,000 requests, concurrency 16
    python tests/serve/loadtest.py -n 500 -c 8 --workers 2 --endpoint explain

Only 127.0.0.1 is ever contacted; nothing runs past --max-seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PAGE = ROOT / "examples" / "news-article.html"
FALLBACK_PAGE = ("<html><head><title>Load</title></head><body><nav><a href='/'>Home</a></nav><article><h1>Load test</h1>"
                 + "".join(f"<p>Paragraph {i}: the harbour opened after ten years of work and argument about its cost, "
                           "and the port authority said traffic was already booked for the year.</p>" for i in range(30))
                 + "</article><footer>© Example</footer></body></html>").encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def wait_ready(base: str, proc: subprocess.Popen, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    async with httpx.AsyncClient(trust_env=False) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited early with status {proc.returncode}")
            try:
                if (await client.get(base + "/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("server did not become ready")


async def hammer(base: str, path: str, body: bytes, total: int, concurrency: int, max_seconds: float):
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    sent = 0
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, trust_env=False) as client:
        async def worker() -> None:
            nonlocal sent
            while sent < total and time.monotonic() < deadline:
                sent += 1
                t0 = time.perf_counter()
                try:
                    r = await client.post(path, content=body, headers={"Content-Type": "text/html"})
                    statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--requests", type=int, default=2000)
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="extraction threads per worker")
    ap.add_argument("--endpoint", choices=["extract", "explain"], default="extract")
    ap.add_argument("--page", type=Path, default=DEFAULT_PAGE, help="HTML file to send (default: the bundled example)")
    ap.add_argument("--max-seconds", type=float, default=180.0, help="stop sending after this long")
    args = ap.parse_args(argv)
    if not 1 <= args.requests <= 20000 or not 1 <= args.concurrency <= 64:
        ap.error("requests must be 1..20000 and concurrency 1..64")

    body = args.page.read_bytes() if args.page.exists() else FALLBACK_PAGE
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "copydesk.serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    try:
        asyncio.run(wait_ready(base, proc))
        path = "/v1/extract" if args.endpoint == "extract" else "/v1/explain"
        latencies, statuses, elapsed = asyncio.run(
            hammer(base, path, body, args.requests, args.concurrency, args.max_seconds))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    lat = sorted(latencies)
    done = len(lat)
    five_xx = sum(v for k, v in statuses.items() if k.isdigit() and k.startswith("5"))
    failures = sum(v for k, v in statuses.items() if not k.isdigit())
    engine = "placeholder" if "placeholder" in Path(ROOT / "copydesk" / "api.py").read_text() else "real"
    print(f"\n### copydesk serve load test ({engine} engine, {os.cpu_count()} CPUs)\n")
    print("| endpoint | page bytes | workers | threads | concurrency | requests | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms | 5xx | transport errors | statuses |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(f"| {path} | {len(body)} | {args.workers} | {args.threads} | {args.concurrency} | {done} | {elapsed:.1f} | "
          f"{done / elapsed if elapsed else 0:.1f} | {percentile(lat, 50) * 1e3:.1f} | {percentile(lat, 90) * 1e3:.1f} | "
          f"{percentile(lat, 99) * 1e3:.1f} | {(lat[-1] if lat else 0) * 1e3:.1f} | {five_xx} | {failures} | "
          f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} |")
    return 1 if five_xx or failures or done < args.requests else 0


if __name__ == "__main__":
    sys.exit(main())
