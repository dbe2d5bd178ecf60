"""`copydesk serve`: an HTTP service and a block inspector around `extract`.

This package is importable without its optional dependencies (FastAPI,
uvicorn, httpx): only `Settings` lives here. `create_app` is imported lazily
so that ``copydesk --help`` works on a base install.

    from copydesk.serve import Settings, create_app
    app = create_app(Settings(allow_fetch=True, fetch_allow=("example.com",)))
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

__all__ = ["Settings", "create_app", "SETTINGS_ENV"]

#: Environment variable through which `copydesk serve --workers N` hands the
#: settings to each uvicorn worker process (JSON of `Settings`).
SETTINGS_ENV = "COPYDESK_SERVE_SETTINGS"

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told; every limit has a safe default."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    #: Request bodies above this are refused with 413, checked while streaming.
    max_body_bytes: int = 10 * MB
    #: Per-request wall-clock limit in seconds (504 when exceeded).
    timeout: float = 10.0
    #: Most items in one `/v1/extract/batch` request.
    max_batch: int = 32
    #: Wall-clock limit of a whole batch; items not done by then fail with `timeout`.
    batch_timeout: float = 60.0
    #: Threads running extractions in one worker process.
    threads: int = 4
    #: `{url}` alone fetches the page; off unless asked for.
    allow_fetch: bool = False
    #: When non-empty, only these hosts may be fetched (``*.example.com`` allowed);
    #: an allow-listed host is trusted even on a private or loopback address.
    fetch_allow: tuple[str, ...] = field(default_factory=tuple)
    fetch_max_bytes: int = 5 * MB
    fetch_timeout: float = 10.0
    fetch_max_redirects: int = 5
    #: Extra response header on every page: name of this deployment (optional).
    server_name: str | None = None

    def __post_init__(self) -> None:
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        if self.timeout <= 0 or self.batch_timeout <= 0 or self.fetch_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_batch < 1 or self.threads < 1 or self.workers < 1:
            raise ValueError("max_batch, threads and workers must be at least 1")
        if self.fetch_max_redirects < 0:
            raise ValueError("fetch_max_redirects must be >= 0")
        object.__setattr__(self, "fetch_allow", tuple(h.strip().lower() for h in self.fetch_allow if h.strip()))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        raw: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in raw.items() if k in known}
        if "fetch_allow" in kw:
            kw["fetch_allow"] = tuple(kw["fetch_allow"])
        return cls(**kw)

    @classmethod
    def from_env(cls) -> "Settings":
        text = os.environ.get(SETTINGS_ENV)
        return cls.from_json(text) if text else cls()


def create_app(settings: Settings | None = None) -> "FastAPI":
    """Build the FastAPI application (needs the ``serve`` extra)."""
    from .app import create_app as _create_app

    return _create_app(settings)
