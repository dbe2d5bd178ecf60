"""Tests of safe URL fetching (`copydesk.serve.fetch`) and of `{url}` requests.

A small HTTP server on 127.0.0.1 stands in for the web; nothing leaves the
machine (public addresses only ever meet `httpx.MockTransport`).
"""
from __future__ import annotations

import asyncio
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from copydesk.serve import Settings, create_app  # noqa: E402
from copydesk.serve.fetch import Fetcher, FetchError, host_allowed, is_public_address  # noqa: E402

SENTENCE = "Shortly after midnight on Tuesday a column of hot gas rose through a steel shaft on the bank of the Elbe river."
PAGE = f"<html><head><title>Local</title></head><body><article><h1>Local</h1><p>{SENTENCE}</p></article></body></html>"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", extra: dict | None = None,
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        q = parse_qs(parts.query)
        path = parts.path
        if path == "/article":
            self._send(200, PAGE.encode())
        elif path == "/echo-host":
            self._send(200, f"<p>host={self.headers.get('Host')}</p>".encode())
        elif path == "/redirect":
            self._send(302, b"", extra={"Location": q["to"][0]})
        elif path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", extra={"Location": f"/loop/{n + 1}"})
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"a" * 16384)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            self.close_connection = True
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b" " * (4 * 1024 * 1024)), extra={"Content-Encoding": "gzip"})
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, PAGE.encode())
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4", ctype="application/pdf")
        elif path == "/text":
            self._send(200, (SENTENCE + "\n").encode(), ctype="text/plain; charset=utf-8")
        else:
            self._send(404, b"<p>not found</p>")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # clients hang up on purpose (size caps)
        pass


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, **kw):
    return asyncio.run(Fetcher(**kw).fetch(url))


def fetch_error(url: str, **kw) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, **kw)
    return info.value


# ---------------------------------------------------------------- address rules


@pytest.mark.parametrize("ip", [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
    "64:ff9b::a00:1", "2002:7f00:1::1", "2001:db8::1", "2001::1",
])
def test_non_public_addresses_refused(ip):
    assert not is_public_address(ip)


@pytest.mark.parametrize("ip", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_allowed(ip):
    assert is_public_address(ip)


def test_host_allow_list():
    allow = ("example.com", "*.news.example")
    assert host_allowed("example.com", allow) and host_allowed("EXAMPLE.com.", allow)
    assert host_allowed("www.news.example", allow) and host_allowed("a.b.news.example", allow)
    assert not host_allowed("news.example", allow)
    assert not host_allowed("evilexample.com", allow) and not host_allowed("example.com.evil", allow)
    assert not host_allowed("sub.example.com", allow)


# ---------------------------------------------------------------- against the local server


def test_loopback_refused_without_allow_list(server):
    base, port = server
    for url in (f"{base}/article", f"http://localhost:{port}/article", f"http://[::1]:{port}/article",
                f"http://2130706433:{port}/article", f"http://0x7f.1:{port}/article", f"http://[::ffff:127.0.0.1]:{port}/"):
        err = fetch_error(url)
        assert err.code in ("fetch_refused", "fetch_failed"), (url, err.code)
        assert err.code == "fetch_refused" or "resolve" in err.message, (url, err.message)


def test_allow_listed_loopback_is_fetched(server):
    base, _ = server
    result = fetch(f"{base}/article", allow=("127.0.0.1",))
    assert result.status == 200 and SENTENCE.encode() in result.content
    assert result.content_type == "text/html" and result.charset == "utf-8"


def test_scheme_credentials_and_allow_list(server):
    base, port = server
    assert fetch_error("ftp://example.com/x").code == "invalid_url"
    assert fetch_error("file:///etc/passwd").code == "invalid_url"
    assert fetch_error(f"http://user:pw@127.0.0.1:{port}/article", allow=("127.0.0.1",)).code == "fetch_refused"
    assert fetch_error(f"http://localhost:{port}/article", allow=("127.0.0.1",)).code == "fetch_refused"
    assert fetch_error("http://:80/").code == "invalid_url"


def test_redirects_are_rechecked(server):
    base, port = server
    ok = fetch(f"{base}/redirect?to=/article", allow=("127.0.0.1",))
    assert ok.final_url == f"{base}/article" and ok.redirects == [f"{base}/redirect?to=/article"]
    # The second hop goes to a host that is not allow-listed.
    err = fetch_error(f"{base}/redirect?to=http://localhost:{port}/article", allow=("127.0.0.1",))
    assert err.code == "fetch_refused"
    err = fetch_error(f"{base}/loop/0", allow=("127.0.0.1",), max_redirects=3)
    assert err.code == "fetch_too_many_redirects"


def test_size_and_time_caps(server):
    base, _ = server
    kw = {"allow": ("127.0.0.1",), "max_bytes": 256 * 1024}
    assert fetch_error(f"{base}/big", **kw).code == "fetch_too_large"
    assert fetch_error(f"{base}/big-declared", **kw).code == "fetch_too_large"
    assert fetch_error(f"{base}/gzip-bomb", **kw).code == "fetch_too_large"
    t0 = time.monotonic()
    err = fetch_error(f"{base}/slow", allow=("127.0.0.1",), timeout=0.4)
    assert err.code == "fetch_timeout" and err.status == 504 and time.monotonic() - t0 < 1.2
    assert fetch_error(f"{base}/pdf", allow=("127.0.0.1",)).code == "fetch_unsupported_type"
    assert fetch_error(f"{base}/missing", allow=("127.0.0.1",)).code == "fetch_failed"


def test_connects_to_the_checked_address(server):
    """The name is resolved once per hop and the connection goes to that address (no rebinding)."""
    _, port = server
    calls = []

    async def resolver(host, p):
        calls.append(host)
        return ["127.0.0.1"]

    result = fetch(f"http://rebind.test:{port}/echo-host", allow=("rebind.test",), resolver=resolver)
    assert calls == ["rebind.test"]
    assert f"host=rebind.test:{port}".encode() in result.content


# ---------------------------------------------------------------- public names, mocked transport


def test_public_host_then_private_redirect_refused():
    seen = []

    async def resolver(host, port):
        return {"public.test": ["93.184.215.14"], "internal.test": ["10.0.0.7"]}[host]

    def handler(request):
        seen.append((str(request.url), request.headers["host"], request.extensions.get("sni_hostname")))
        return httpx.Response(302, headers={"Location": "http://internal.test/admin"})

    err = fetch_error("https://public.test/story", resolver=resolver, transport=httpx.MockTransport(handler))
    assert err.code == "fetch_refused"
    assert seen == [("https://93.184.215.14/story", "public.test", "public.test")]


def test_rebinding_answer_is_not_used():
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    seen = []

    async def resolver(host, port):
        return next(answers)

    def handler(request):
        seen.append(request.url.host)
        if request.url.path == "/first":
            return httpx.Response(302, headers={"Location": "/second"})
        return httpx.Response(200, text=PAGE, headers={"Content-Type": "text/html"})

    err = fetch_error("http://flip.test/first", resolver=resolver, transport=httpx.MockTransport(handler))
    assert err.code == "fetch_refused" and seen == ["93.184.215.14"]


def test_mixed_answers_refused():
    async def resolver(host, port):
        return ["93.184.215.14", "10.0.0.1"]

    def handler(request):  # pragma: no cover - must not be reached
        raise AssertionError("connected")

    err = fetch_error("http://mixed.test/", resolver=resolver, transport=httpx.MockTransport(handler))
    assert err.code == "fetch_refused"


# ---------------------------------------------------------------- through the service


def test_service_fetches_allow_listed_url(server, monkeypatch):
    import copydesk.api
    from copydesk.document import Document, Paragraph

    def fake_extract(html, url=None, options=None, **kw):  # the protocol is tested, not the model
        text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
        return Document(paragraphs=[Paragraph(SENTENCE)] if SENTENCE in text else [], url=url)

    monkeypatch.setattr(copydesk.api, "extract", fake_extract)
    base, _ = server
    app = create_app(Settings(allow_fetch=True, fetch_allow=("127.0.0.1",)))
    with TestClient(app) as c:
        r = c.post("/v1/extract", json={"url": f"{base}/redirect?to=/article"})
        assert r.status_code == 200, r.text
        assert SENTENCE in r.json()["text"] and r.json()["url"] == f"{base}/article"
        r = c.post("/v1/extract/batch", json={"items": [{"url": f"{base}/article"}, {"url": f"{base}/pdf"}]})
        res = r.json()["results"]
        assert SENTENCE in res[0]["document"]["text"] and res[1]["error"]["code"] == "fetch_unsupported_type"


def test_service_refuses_loopback_without_allow_list(server):
    base, port = server
    app = create_app(Settings(allow_fetch=True))
    with TestClient(app) as c:
        for url in (f"{base}/article", f"http://localhost:{port}/article"):
            r = c.post("/v1/extract", json={"url": url})
            assert r.status_code == 403, r.text
            assert r.json()["error"]["code"] == "fetch_refused"
        r = c.post("/v1/extract", json={"url": "gopher://x/"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_url"
