"""The FastAPI application behind `copydesk serve`.

Endpoints (all errors are ``{"error": {"code": ..., "message": ...}}``):

- ``POST /v1/extract``: raw HTML (``text/html``, bytes passed on so copydesk
  decodes them; a ``charset`` parameter is honoured), raw text
  (``text/plain``), JSON ``{html | text | url, url?, options?}`` or a
  multipart upload (``file``); answers the Document as JSON, or Markdown
  with ``Accept: text/markdown``. For raw bodies, ``url`` and the options
  come as query parameters.
- ``POST /v1/extract/batch``: ``{items: [...]}`` → ``{results: [...]}``,
  each result holding a ``document`` or its own ``error``.
- ``POST /v1/explain``: as ``/v1/extract`` but answers
  ``{document, blocks: [{text, kind, tag, label, score, reasons}]}``; the
  inspector page at ``/`` uses it.
- ``GET /healthz``; OpenAPI at ``/openapi.json``, docs at ``/docs``.

Request bodies are read here, not by FastAPI, so that the size limit is
enforced while streaming (an ASGI middleware counts bytes and stops at the
limit) and so that each failure has its own status and stable code.
Extraction runs in a thread pool under a wall-clock limit and with
``Options(timeout=...)`` so the engine stops itself too.
"""
from __future__ import annotations

import asyncio
import codecs
import dataclasses
import inspect
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import copydesk
from copydesk import api
from copydesk.document import Document
from copydesk.errors import CopydeskError, ExtractionTimeout, ModelError
from copydesk.options import Options

from . import Settings
from .fetch import Fetcher, FetchError

log = logging.getLogger("copydesk.serve")

STATIC_DIR = resources.files("copydesk.serve") / "static"
JSON_TYPES = ("application/json",)
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
FORM_TYPES = ("multipart/form-data",)
#: Content security policy of the inspector page: nothing but its own files.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
    500: "internal_error", 501: "not_implemented", 502: "bad_gateway", 503: "unavailable",
    504: "timeout",
}


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error the service answers with ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            err["detail"] = self.detail
        return {"error": err}


class BodyTooLarge(Exception):
    """Raised from `receive` once a request body passes the limit."""


def error_response(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, detail).body(), status_code=status)


def _validation_detail(exc: ValidationError | RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        out.append({"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
    return out


class BodyLimitMiddleware:
    """Refuse bodies above `max_bytes`: at once by Content-Length, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await error_response(400, "bad_request", "invalid Content-Length")(scope, receive, send)
                    return
                if declared > limit:
                    await _too_large(limit)(scope, receive, send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit)(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    return error_response(413, "body_too_large", f"request body is larger than {limit} bytes")


# --------------------------------------------------------------------------- request models


class OptionsIn(BaseModel):
    """The extraction options a client may set."""

    model_config = ConfigDict(extra="forbid")
    include_tables: bool = True
    include_comments: bool = False
    favor: Literal["balanced", "precision", "recall"] = "balanced"


class ExtractIn(BaseModel):
    """One page: exactly one of `html` or `text`, or `url` alone (when fetching is on)."""

    model_config = ConfigDict(extra="forbid")
    html: str | None = Field(None, description="The page's HTML.")
    text: str | None = Field(None, description="Already-scraped page text (text mode).")
    url: str | None = Field(None, max_length=8192, description="The page's URL; alone, the page is fetched.")
    options: OptionsIn | None = None


class BatchIn(BaseModel):
    """Several pages at once; each item fails or succeeds on its own."""

    model_config = ConfigDict(extra="forbid")
    items: list[dict[str, Any]] = Field(..., description="Items shaped like the /v1/extract JSON body.")


class ErrorOut(BaseModel):
    code: str
    message: str


class ErrorEnvelope(BaseModel):
    error: ErrorOut


@dataclass
class Job:
    """One validated unit of work."""

    kind: Literal["html", "text", "url"]
    payload: bytes | str
    url: str | None
    options: OptionsIn
    charset: str | None = None


# --------------------------------------------------------------------------- engine


class Engine:
    """Runs `extract`/`explain`/`clean_text` in threads under a time limit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="copydesk-extract")
        self.model_loaded: bool | None = None
        self.model_error: str | None = None

    def options(self, opts: OptionsIn, timeout: float | None = None) -> Options:
        return Options(
            include_tables=opts.include_tables,
            include_comments=opts.include_comments,
            favor=opts.favor,
            timeout=timeout or self.settings.timeout,
        )

    def submit(self, fn: Callable[..., Any], *args: Any) -> "Future[Any]":
        return self.pool.submit(fn, *args)

    async def run(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        limit = timeout or self.settings.timeout
        fut = self.submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), limit)
        except asyncio.TimeoutError:
            fut.cancel()
            raise ApiError(504, "timeout", f"extraction took longer than {limit:g} s") from None
        except BaseException as exc:  # noqa: BLE001 - mapped to stable codes
            raise map_engine_error(exc) from exc

    def warm_up(self) -> None:
        """Run one tiny extraction so the model is loaded; record whether it worked."""
        try:
            api.extract(b"<html><body><article><p>Warm-up paragraph for copydesk serve.</p></article></body></html>",
                        None, Options(timeout=30.0))
            self.model_loaded, self.model_error = True, None
        except Exception as exc:  # noqa: BLE001 - reported by /healthz
            self.model_loaded, self.model_error = False, f"{type(exc).__name__}: {exc}"

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def map_engine_error(exc: BaseException) -> BaseException:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ExtractionTimeout):
        return ApiError(504, "timeout", str(exc) or "extraction timed out")
    if isinstance(exc, ModelError):
        return ApiError(503, "model_unavailable", str(exc) or "the block model could not be loaded")
    if isinstance(exc, CopydeskError):
        return ApiError(422, "extraction_failed", str(exc) or type(exc).__name__)
    if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt, SystemExit)):
        return exc
    log.exception("extraction failed", exc_info=exc)
    return ApiError(500, "internal_error", f"extraction failed: {type(exc).__name__}")


def _text_fn(name: str) -> Callable[..., Any]:
    """`copydesk.textmode.<name>`, imported on first use; 501 when it does not exist."""
    try:
        import copydesk.textmode as textmode  # noqa: PLC0415 - optional module, lazily
    except ImportError as exc:
        raise ApiError(501, "text_mode_unavailable", f"text mode is not available: {exc}") from None
    fn = getattr(textmode, name, None)
    if fn is None:
        raise ApiError(501, "text_mode_unavailable", f"copydesk.textmode has no {name}()")
    return fn


def text_mode_available() -> bool:
    try:
        _text_fn("clean_text")
        return True
    except ApiError:
        return False


def html_input(payload: bytes | str, charset: str | None) -> bytes | str:
    """What to hand `extract`: the bytes, unless the client declared a charset.

    copydesk's decoder ranks a BOM first and the transport charset second, so
    with a valid declared charset and no BOM the bytes are decoded here with
    it (bad bytes replaced); otherwise the bytes go on for copydesk to decode.
    """
    if isinstance(payload, str) or not charset:
        return payload
    if payload.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return payload
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        return payload
    return payload.decode(codec.name, "replace")


def _takes_content_type(fn: Callable[..., Any]) -> bool:
    try:
        return "content_type" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def call_html(fn: Callable[..., Any], job: Job, options: Options) -> Any:
    """Call `api.extract`/`api.explain` with the bytes and the declared charset.

    When the engine takes ``content_type`` the bytes go on with it and
    copydesk's decoder weighs the charset; otherwise `html_input` decodes.
    """
    if isinstance(job.payload, bytes) and job.charset and _takes_content_type(fn):
        return fn(job.payload, job.url, options, content_type=f"text/html; charset={job.charset}")
    return fn(html_input(job.payload, job.charset), job.url, options)


def do_extract(job: Job, options: Options) -> Document:
    if job.kind == "text":
        text = job.payload if isinstance(job.payload, str) else job.payload.decode(job.charset or "utf-8", "replace")
        return _text_fn("clean_text")(text, url=job.url, options=options)
    return call_html(api.extract, job, options)


def do_explain(job: Job, options: Options) -> dict[str, Any]:
    if job.kind == "text":
        text = job.payload if isinstance(job.payload, str) else job.payload.decode(job.charset or "utf-8", "replace")
        try:
            explain_text = _text_fn("explain_text")
        except ApiError:
            doc = _text_fn("clean_text")(text, url=job.url, options=options)
            return {"document": doc.to_dict(), "blocks": [], "note": "block view is not available for text mode"}
        explanation = explain_text(text, url=job.url, options=options)
    else:
        explanation = call_html(api.explain, job, options)
    return {
        "document": explanation.document.to_dict(),
        "blocks": [dataclasses.asdict(b) if dataclasses.is_dataclass(b) else dict(b) for b in explanation.blocks],
    }


# --------------------------------------------------------------------------- request parsing


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    main, _, rest = raw.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), params


async def read_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
    return bytes(body)


def _options_from_query(request: Request) -> OptionsIn:
    q = request.query_params
    raw: dict[str, Any] = {}
    for key in ("include_tables", "include_comments"):
        if key in q:
            value = q[key].lower()
            if value not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ApiError(422, "validation_error", f"{key} must be true or false")
            raw[key] = value in ("1", "true", "yes", "on")
    if "favor" in q:
        raw["favor"] = q["favor"]
    try:
        return OptionsIn.model_validate(raw)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", "invalid options", _validation_detail(exc)) from None


def job_from_obj(obj: Any) -> Job:
    """Validate one JSON item into a `Job` (422 on any problem)."""
    if not isinstance(obj, dict):
        raise ApiError(422, "validation_error", "the body must be a JSON object")
    try:
        item = ExtractIn.model_validate(obj)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", "invalid request body", _validation_detail(exc)) from None
    opts = item.options or OptionsIn()
    if item.html is not None and item.text is not None:
        raise ApiError(422, "validation_error", "give either html or text, not both")
    if item.html is not None:
        return Job("html", item.html, item.url, opts)
    if item.text is not None:
        return Job("text", item.text, item.url, opts)
    if item.url:
        return Job("url", item.url, item.url, opts)
    raise ApiError(422, "validation_error", "one of html, text or url is required")


async def job_from_request(request: Request) -> Job:
    media, params = _media_type(request)
    if not media:
        raise ApiError(415, "unsupported_media_type", "a Content-Type header is required (text/html, text/plain, application/json or multipart/form-data)")
    if media in JSON_TYPES or media.endswith("+json"):
        body = await read_body(request)
        try:
            obj = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_json", f"malformed JSON: {exc}") from None
        return job_from_obj(obj)
    if media in HTML_TYPES or media in TEXT_TYPES:
        body = await read_body(request)
        url = request.query_params.get("url")
        kind: Literal["html", "text"] = "html" if media in HTML_TYPES else "text"
        return Job(kind, body, url, _options_from_query(request), params.get("charset"))
    if media in FORM_TYPES:
        return await _job_from_form(request)
    raise ApiError(415, "unsupported_media_type", f"unsupported Content-Type {media!r}; use text/html, text/plain, application/json or multipart/form-data")


async def _job_from_form(request: Request) -> Job:
    try:
        form = await request.form(max_files=1, max_fields=16)
    except BodyTooLarge:
        raise
    except StarletteHTTPException as exc:
        raise ApiError(400, "invalid_form", str(exc.detail)) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is the client's
        raise ApiError(400, "invalid_form", f"malformed multipart body: {type(exc).__name__}") from None
    url = form.get("url") if isinstance(form.get("url"), str) else request.query_params.get("url")
    mode = form.get("mode") or "html"
    if mode not in ("html", "text"):
        raise ApiError(422, "validation_error", "mode must be html or text")
    upload = form.get("file")
    raw_opts: dict[str, Any] = {k: form[k] for k in ("include_tables", "include_comments", "favor") if isinstance(form.get(k), str)}
    try:
        opts = OptionsIn.model_validate(raw_opts)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", "invalid options", _validation_detail(exc)) from None
    if isinstance(upload, UploadFile):
        data = await upload.read()
        charset = None
        if upload.content_type and "charset=" in upload.content_type:
            charset = upload.content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"')
        if upload.content_type and upload.content_type.startswith("text/plain"):
            mode = "text"
        return Job(mode, data, url or None, opts, charset)  # type: ignore[arg-type]
    for key in ("html", "text"):
        value = form.get(key)
        if isinstance(value, str):
            return Job(key, value, url or None, opts)  # type: ignore[arg-type]
    raise ApiError(422, "validation_error", "the form needs a file, html or text field")


def wants_markdown(request: Request) -> bool:
    """True when the Accept header prefers text/markdown over JSON."""
    best: tuple[float, str] = (0.0, "")
    for part in request.headers.get("accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/markdown", "application/json") and q > best[0]:
            best = (q, media)
    return best[1] == "text/markdown"


# --------------------------------------------------------------------------- OpenAPI


def _component_schemas() -> dict[str, Any]:
    from copydesk.api import BlockView  # noqa: PLC0415

    defs: dict[str, Any] = {}
    for name, tp in (("Document", Document), ("BlockView", BlockView), ("ExtractIn", ExtractIn),
                     ("BatchIn", BatchIn), ("ErrorEnvelope", ErrorEnvelope)):
        schema = TypeAdapter(tp).json_schema(ref_template="#/components/schemas/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[name] = schema
    defs["Document"].setdefault("properties", {})["text"] = {"type": "string", "description": "Body text, paragraphs separated by a blank line."}
    defs["Explanation"] = {
        "type": "object",
        "properties": {
            "document": {"$ref": "#/components/schemas/Document"},
            "blocks": {"type": "array", "items": {"$ref": "#/components/schemas/BlockView"}},
        },
        "required": ["document", "blocks"],
    }
    defs["BatchOut"] = {
        "type": "object",
        "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "index": {"type": "integer"},
                "document": {"$ref": "#/components/schemas/Document"},
                "error": {"$ref": "#/components/schemas/ErrorOut"},
            }}},
            "count": {"type": "integer"},
            "errors": {"type": "integer"},
        },
    }
    return defs


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


RAW_QUERY = [
    {"name": "url", "in": "query", "required": False, "schema": {"type": "string"}, "description": "The page's URL (raw bodies only)."},
    {"name": "include_tables", "in": "query", "required": False, "schema": {"type": "boolean"}},
    {"name": "include_comments", "in": "query", "required": False, "schema": {"type": "boolean"}},
    {"name": "favor", "in": "query", "required": False, "schema": {"type": "string", "enum": ["balanced", "precision", "recall"]}},
]
PAGE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _ref("ExtractIn")},
        "text/html": {"schema": {"type": "string", "format": "binary"}},
        "text/plain": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}, "html": {"type": "string"}, "text": {"type": "string"},
            "url": {"type": "string"}, "mode": {"type": "string", "enum": ["html", "text"]},
        }}},
    },
}
ERRORS = {str(s): {"description": STATUS_CODES[s], "content": {"application/json": {"schema": _ref("ErrorEnvelope")}}}
          for s in (400, 403, 413, 415, 422, 501, 502, 504)}


# --------------------------------------------------------------------------- app


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service for `settings` (defaults: loopback, fetching off)."""
    settings = settings or Settings()
    engine = Engine(settings)
    fetcher = Fetcher(allow=settings.fetch_allow, max_bytes=settings.fetch_max_bytes,
                      timeout=settings.fetch_timeout, max_redirects=settings.fetch_max_redirects)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        await asyncio.get_running_loop().run_in_executor(engine.pool, engine.warm_up)
        try:
            yield
        finally:
            engine.shutdown()

    app = FastAPI(
        title="copydesk",
        version=copydesk.__version__,
        description="Clean articles out of web pages. Every error is `{\"error\": {\"code\", \"message\"}}`.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.fetcher = fetcher
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.url.path == "/" or request.url.path.startswith("/static/"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    # ---- error handlers: one JSON shape for everything
    @app.exception_handler(ApiError)
    async def _api_error(_r: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(BodyTooLarge)
    async def _too_big(_r: Request, _exc: BodyTooLarge) -> JSONResponse:
        return _too_large(settings.max_body_bytes)

    @app.exception_handler(FetchError)
    async def _fetch_error(_r: Request, exc: FetchError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(ApiError(exc.status_code, code, message).body(), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "validation_error", "invalid request", _validation_detail(exc))

    @app.exception_handler(Exception)
    async def _unexpected(_r: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "internal error")

    # ---- helpers bound to this app
    async def resolve_job(job: Job) -> Job:
        """Turn a `url`-only job into an HTML (or text) job by fetching it."""
        if job.kind != "url":
            return job
        if not settings.allow_fetch:
            raise ApiError(403, "fetch_disabled", "fetching URLs is disabled on this server (start it with --allow-fetch)")
        result = await fetcher.fetch(str(job.payload))
        kind: Literal["html", "text"] = "text" if result.content_type == "text/plain" else "html"
        return Job(kind, result.content, result.final_url, job.options, result.charset)

    async def extract_job(job: Job, timeout: float | None = None) -> Document:
        job = await resolve_job(job)
        return await engine.run(do_extract, job, engine.options(job.options, timeout), timeout=timeout)

    # ---- routes
    @app.get("/healthz", tags=["service"], summary="Liveness, version and model state")
    async def healthz() -> dict[str, Any]:
        if engine.model_loaded is None:
            await asyncio.get_running_loop().run_in_executor(engine.pool, engine.warm_up)
        out: dict[str, Any] = {
            "status": "ok" if engine.model_loaded else "degraded",
            "version": copydesk.__version__,
            "model_loaded": bool(engine.model_loaded),
            "text_mode": text_mode_available(),
            "fetch": settings.allow_fetch,
            "limits": {"max_body_bytes": settings.max_body_bytes, "timeout": settings.timeout, "max_batch": settings.max_batch},
        }
        if engine.model_error:
            out["model_error"] = engine.model_error
        return out

    @app.post(
        "/v1/extract", tags=["extract"], summary="Extract the article of one page",
        openapi_extra={"requestBody": PAGE_BODY, "parameters": RAW_QUERY, "responses": {
            "200": {"description": "The article", "content": {
                "application/json": {"schema": _ref("Document")}, "text/markdown": {"schema": {"type": "string"}}}},
            **ERRORS}},
    )
    async def extract_one(request: Request) -> Response:
        job = await job_from_request(request)
        doc = await extract_job(job)
        if wants_markdown(request):
            return PlainTextResponse(doc.markdown, media_type="text/markdown; charset=utf-8", headers={"Vary": "Accept"})
        return JSONResponse(doc.to_dict(), headers={"Vary": "Accept"})

    @app.post(
        "/v1/explain", tags=["extract"], summary="Blocks with labels, scores and reasons, plus the article",
        openapi_extra={"requestBody": PAGE_BODY, "parameters": RAW_QUERY, "responses": {
            "200": {"description": "Explanation", "content": {"application/json": {"schema": _ref("Explanation")}}},
            **ERRORS}},
    )
    async def explain_one(request: Request) -> JSONResponse:
        job = await resolve_job(await job_from_request(request))
        out = await engine.run(do_explain, job, engine.options(job.options))
        return JSONResponse(out)

    @app.post(
        "/v1/extract/batch", tags=["extract"], summary="Extract several pages; errors are per item",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _ref("BatchIn")}}},
                       "responses": {"200": {"description": "One result per item, in order", "content": {
                           "application/json": {"schema": _ref("BatchOut")}}}, **ERRORS}},
    )
    async def extract_batch(request: Request) -> JSONResponse:
        media, _ = _media_type(request)
        if not (media in JSON_TYPES or media.endswith("+json")):
            raise ApiError(415, "unsupported_media_type", "a batch is a JSON body: {\"items\": [...]}")
        body = await read_body(request)
        try:
            obj = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_json", f"malformed JSON: {exc}") from None
        try:
            batch = BatchIn.model_validate(obj)
        except ValidationError as exc:
            raise ApiError(422, "validation_error", "the body must be {\"items\": [...]}", _validation_detail(exc)) from None
        if not batch.items:
            raise ApiError(422, "validation_error", "items is empty")
        if len(batch.items) > settings.max_batch:
            raise ApiError(422, "batch_too_large", f"at most {settings.max_batch} items per batch, got {len(batch.items)}")
        return JSONResponse(await run_batch(batch.items))

    async def run_batch(items: list[dict[str, Any]]) -> dict[str, Any]:
        deadline = time.monotonic() + settings.batch_timeout

        async def one(i: int, raw: dict[str, Any]) -> dict[str, Any]:
            try:
                job = job_from_obj(raw)
                doc = await extract_job(job, timeout=min(settings.timeout, max(deadline - time.monotonic(), 0.001)))
                return {"index": i, "document": doc.to_dict()}
            except ApiError as exc:
                return {"index": i, **exc.body()}
            except FetchError as exc:
                return {"index": i, "error": {"code": exc.code, "message": exc.message}}

        tasks = [asyncio.ensure_future(one(i, raw)) for i, raw in enumerate(items)]
        done, pending = await asyncio.wait(tasks, timeout=max(deadline - time.monotonic(), 0.001))
        for t in pending:
            t.cancel()
        results = []
        for i, t in enumerate(tasks):
            if t in done and not t.cancelled() and t.exception() is None:
                results.append(t.result())
            elif t in done and t.exception() is not None:
                err = map_engine_error(t.exception())  # type: ignore[arg-type]
                body = err.body() if isinstance(err, ApiError) else {"error": {"code": "internal_error", "message": "internal error"}}
                results.append({"index": i, **body})
            else:
                results.append({"index": i, "error": {"code": "timeout", "message": f"the batch took longer than {settings.batch_timeout:g} s"}})
        return {"results": results, "count": len(results), "errors": sum(1 for r in results if "error" in r)}

    # ---- inspector
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(STATIC_DIR / "index.html"), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_component_schemas())
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for multi-worker runs: settings come from `SETTINGS_ENV`."""
    return create_app(Settings.from_env())
