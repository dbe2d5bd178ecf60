"""Command line of the service: ``copydesk serve`` and ``python -m copydesk.serve``.

The lead mounts it in ``copydesk/cli.py``::

    from copydesk.serve.cli import add_serve_parser
    add_serve_parser(subparsers)          # sets func=run on the sub-parser
    ...
    return args.func(args)

Importing this module needs no optional dependency; `run` reports a missing
``serve`` extra as an error message and exit status 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from . import SETTINGS_ENV, Settings

MB = 1024 * 1024


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def configure_parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the serve options to `p` (shared by the sub-command and ``-m``)."""
    d = Settings()
    p.add_argument("--host", default=d.host, help="address to listen on (default %(default)s; loopback only)")
    p.add_argument("--port", type=int, default=d.port, help="port (default %(default)s)")
    p.add_argument("--workers", type=_positive_int, default=d.workers, help="worker processes (default %(default)s)")
    p.add_argument("--threads", type=_positive_int, default=d.threads, help="extraction threads per worker (default %(default)s)")
    p.add_argument("--max-body-mb", type=_positive_float, default=d.max_body_bytes / MB,
                   help="largest request body in MB; larger ones get 413 (default %(default)g)")
    p.add_argument("--timeout", type=_positive_float, default=d.timeout,
                   help="per-request extraction time limit in seconds; 504 past it (default %(default)g)")
    p.add_argument("--max-batch", type=_positive_int, default=d.max_batch, help="most items per batch (default %(default)s)")
    p.add_argument("--batch-timeout", type=_positive_float, default=d.batch_timeout,
                   help="time limit of a whole batch in seconds (default %(default)g)")
    p.add_argument("--allow-fetch", action="store_true",
                   help="let clients send {\"url\"} alone and have the server fetch it (public addresses only)")
    p.add_argument("--fetch-allow", default="", metavar="HOST,...",
                   help="only fetch these hosts (*.example.com allowed); they are trusted even on private addresses")
    p.add_argument("--fetch-max-mb", type=_positive_float, default=5.0, help="largest fetched page in MB (default %(default)g)")
    p.add_argument("--fetch-timeout", type=_positive_float, default=d.fetch_timeout, help="fetch time limit (default %(default)g)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return p


def add_serve_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``serve`` on an argparse sub-parsers object; sets ``func=run``."""
    p = subparsers.add_parser(
        "serve",
        help="run the HTTP API and the block inspector",
        description="Serve POST /v1/extract, /v1/extract/batch, /v1/explain, GET /healthz and the inspector at /.",
    )
    configure_parser(p)
    p.set_defaults(func=run)
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    allow = tuple(h.strip() for h in (args.fetch_allow or "").split(",") if h.strip())
    return Settings(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        max_body_bytes=int(args.max_body_mb * MB),
        timeout=args.timeout,
        max_batch=args.max_batch,
        batch_timeout=args.batch_timeout,
        allow_fetch=bool(args.allow_fetch or allow),
        fetch_allow=allow,
        fetch_max_bytes=int(args.fetch_max_mb * MB),
        fetch_timeout=args.fetch_timeout,
    )


def run(args: argparse.Namespace) -> int:
    """Start uvicorn with the parsed arguments; returns the exit status."""
    try:
        import uvicorn  # noqa: PLC0415
        import fastapi  # noqa: F401, PLC0415
    except ImportError as exc:
        print(f"copydesk serve needs the serve extra: pip install 'copydesk[serve]' ({exc})", file=sys.stderr)
        return 2
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"copydesk serve: {exc}", file=sys.stderr)
        return 2
    if settings.allow_fetch and not settings.fetch_allow:
        print("copydesk serve: URL fetching is on for public addresses", file=sys.stderr)
    common: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_level": args.log_level,
                              "proxy_headers": False, "server_header": False}
    if settings.workers > 1:
        # Workers are new processes: they rebuild the app from the environment.
        os.environ[SETTINGS_ENV] = settings.to_json()
        uvicorn.run("copydesk.serve.app:app_from_env", factory=True, workers=settings.workers, **common)
    else:
        from .app import create_app  # noqa: PLC0415

        uvicorn.run(create_app(settings), **common)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = configure_parser(argparse.ArgumentParser(prog="python -m copydesk.serve", description=add_serve_parser.__doc__))
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
