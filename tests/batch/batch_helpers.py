"""Test helpers for tests/batch: hand-built WARC/ARC bytes and misbehaving extractors.

Importable by spawned workers (pytest puts this folder on sys.path; spawn
children inherit sys.path).
"""
from __future__ import annotations

import gzip
import os
import signal
import time

from copydesk.document import Document, Paragraph

GOOD = ("<html><head><title>T</title></head><body><p>" + "A sentence long enough to be body text. " * 5
        + "</p></body></html>")


def page(n: int, marker: str = "") -> bytes:
    return GOOD.replace("<p>", f"<p>page {n} {marker} ").encode()


def http_response(body: bytes, ctype: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def warc_record(uri: str, block: bytes, rtype: str = "response", content_length: int | None = None,
                msgtype: str = "response") -> bytes:
    n = len(block) if content_length is None else content_length
    head = (f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Record-ID: <urn:uuid:{abs(hash((uri, rtype, n))):032d}>\r\n"
            f"WARC-Date: 2024-05-06T07:08:09Z\r\nWARC-Target-URI: {uri}\r\n"
            f"Content-Type: application/http; msgtype={msgtype}\r\nContent-Length: {n}\r\n\r\n").encode()
    return head + block + b"\r\n\r\n"


def response(uri: str, body: bytes, **kw) -> bytes:
    ctype = kw.pop("ctype", "text/html; charset=utf-8")
    status = kw.pop("status", "200 OK")
    return warc_record(uri, http_response(body, ctype, status), **kw)


def request(uri: str) -> bytes:
    return warc_record(uri, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", rtype="request", msgtype="request")


def mixed_warc_gz(path: str) -> dict[str, str]:
    """Write a gzip WARC with good and bad members; return {member kind: expected destination}.

    Members (one gzip member each): good, request, pdf, 404, lying Content-Length,
    truncated gzip member, corrupt WARC header, good, good.
    """
    members = [
        ("good1", gzip.compress(response("http://ex.com/1", page(1))), "kept"),
        ("request", gzip.compress(request("http://ex.com/1")), "skipped"),
        ("pdf", gzip.compress(response("http://ex.com/x.pdf", b"%PDF-1.4 binary", ctype="application/pdf")), "skipped"),
        ("404", gzip.compress(response("http://ex.com/404", page(404), status="404 Not Found")), "skipped"),
        ("lying", gzip.compress(response("http://ex.com/lie", page(5), content_length=99999)), "errors"),
        ("truncated", gzip.compress(response("http://ex.com/trunc", page(6)))[:-40], "errors"),
        ("corrupt", gzip.compress(b"WARC/1.0\r\nthis is not a header\r\n\r\n"), "errors"),
        ("good2", gzip.compress(response("http://ex.com/2", page(2))), "kept"),
        ("good3", gzip.compress(response("http://ex.com/3", page(3))), "kept"),
    ]
    with open(path, "wb") as fh:
        for _, data, _ in members:
            fh.write(data)
    return {name: dest for name, _, dest in members}


def plain_warc(path: str, n: int) -> None:
    with open(path, "wb") as fh:
        for i in range(n):
            fh.write(response(f"http://ex.com/p{i}", page(i)))


def arc_file(path: str) -> None:
    body = http_response(page(7))
    filedesc = b"filedesc://x.arc 0.0.0.0 20240101000000 text/plain 9\n1 0 test\n\n"
    rec = f"http://ex.com/arc 1.2.3.4 20240102030405 text/html {len(body)}\n".encode() + body + b"\n"
    img = b"\xff\xd8\xff"
    rec2 = f"http://ex.com/a.jpg 1.2.3.4 20240102030405 image/jpeg {len(http_response(img, 'image/jpeg'))}\n".encode() \
        + http_response(img, "image/jpeg") + b"\n"
    with gzip.open(path, "wb") as fh:
        fh.write(filedesc + rec + rec2)


# ---------------------------------------------------------------- extractors (module:function)

def _doc(rec) -> Document:
    text = (rec.html or b"").decode("utf-8", "replace") if rec.html is not None else rec.text or ""
    return Document(paragraphs=[Paragraph(text[:200] or "x")], url=rec.url)


def slow(rec, opts) -> Document:
    """Sleeps a little per record (for the kill-and-resume test)."""
    time.sleep(float(os.environ.get("COPYDESK_TEST_SLEEP", "0.03")))
    return _doc(rec)


def nasty(rec, opts) -> Document:
    """Misbehaves on marked pages: CRASH exits hard, HANG blocks SIGALRM and sleeps,
    SLOW sleeps in Python (alarm fires), HOG allocates beyond RLIMIT_AS, RAISE raises."""
    html = rec.html or b""
    if b"CRASH" in html:
        os._exit(7)
    if b"SEGV" in html:
        os.kill(os.getpid(), signal.SIGSEGV)
    if b"HANG" in html:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    if b"SLOW" in html:
        time.sleep(600)
    if b"HOG" in html:
        blob = bytearray(3 * 1024 * 1024 * 1024)
        return Document(paragraphs=[Paragraph(str(len(blob)))])
    if b"RAISE" in html:
        raise RuntimeError("boom")
    return _doc(rec)


def simple(rec, opts) -> Document:
    """Deterministic stand-in for the real engine: body text lines as paragraphs."""
    if rec.html is None:
        paras = [p for p in (rec.text or "").split("\n\n") if p.strip()]
    else:
        from selectolax.lexbor import LexborHTMLParser

        body = LexborHTMLParser(rec.html.decode("utf-8", "replace")).body
        text = body.text(separator="\n") if body else ""
        paras = [t.strip() for t in text.split("\n") if t.strip()]
    return Document(paragraphs=[Paragraph(p) for p in paras], url=rec.url, title="T",
                    empty_reason=None if paras else "no content found")


def broken(rec, opts) -> Document:
    from copydesk.errors import ModelError

    raise ModelError("block model file missing (test)")
