"""Inputs → items: the batch readers.

This module owns turning command-line inputs (WARC/ARC files, folders of
HTML files, JSONL, text files, path listings) into a stream of small items:

* `Record` — one page to extract (HTML bytes or already-scraped text);
* `Skip` — an input record that is deliberately not extracted (a WARC request
  record, a PDF payload, an HTTP 404, ...), with its reason;
* `Failure` — an input record or file that could not be read (truncated gzip
  member, corrupt WARC header, lying Content-Length, unreadable file, bad
  JSON line), with its reason.

HTTP response bodies (WARC, ARC) are handed on as a browser would see them:
de-chunked and decompressed (`http_body`).

Every item has a stable `id` (``<file>:<byte offset>`` for WARC/ARC records,
``<file>:<line>`` for JSONL, the path for one-page files), so that a rerun
produces the same ids: resumability and de-duplication rely on this.

Readers never raise on bad data; they yield `Failure` items and resynchronise
where the format allows (gzip member boundaries, ``WARC/1.x`` header lines).
They hold no extraction logic and write nothing.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Union

try:  # python-isal (the batch extra) inflates the same gzip members in half zlib's time
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - without the extra
    _inflate = zlib  # type: ignore[misc]

#: A single decompressed gzip member larger than this makes the WARC reader
#: fall back to streaming (the file is probably one big gzip stream).
MAX_MEMBER_BYTES = 256 * 1024 * 1024
#: The first bytes of a gzip member (deflate); `_Members.inflate`'s error for a member over the limit.
GZIP_MAGIC, OVERSIZE = b"\x1f\x8b\x08", "oversize"
#: Payloads larger than this are not extracted (counted as skipped).
MAX_RECORD_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20
_FEED = 64 << 10

HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+xhtml")
INPUT_KINDS = ("auto", "warc", "arc", "html", "jsonl", "text", "list")


@dataclass
class Record:
    """One page to extract: HTML bytes, or already-scraped text."""

    id: str
    source: str
    url: str | None = None
    html: bytes | None = None
    text: str | None = None
    warc_record_id: str | None = None
    warc_date: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: The HTTP Content-Type of a crawled page: its charset decodes pages that do not declare one.
    content_type: str | None = None


@dataclass
class Skip:
    """An input record deliberately not extracted, and why."""

    id: str
    source: str
    reason: str
    url: str | None = None


@dataclass
class Failure:
    """An input record (or a whole file) that could not be read, and why."""

    id: str
    source: str
    reason: str
    url: str | None = None


Item = Union[Record, Skip, Failure]


@dataclass(frozen=True)
class Source:
    """One thing to read: a file (or a folder of HTML/text files) and its kind."""

    path: str
    kind: str  # warc | arc | html | htmldir | jsonl | text | textdir | missing


# --------------------------------------------------------------------------- inputs

def detect_kind(path: str) -> str:
    """Guess an input's kind from its name (and whether it is a folder)."""
    p = path.lower()
    if os.path.isdir(path):
        return "htmldir"
    for suffix in ("", ".gz", ".zst", ".lz4", ".bz2"):
        if p.endswith(".warc" + suffix):
            return "warc"
    if p.endswith(".arc") or p.endswith(".arc.gz"):
        return "arc"
    if re.search(r"\.(jsonl|ndjson|json)(\.gz)?$", p):
        return "jsonl"
    if re.search(r"\.(html?|xhtml)(\.gz)?$", p):
        return "html"
    if p.endswith(".txt") or p.endswith(".txt.gz"):
        return "text"
    if p.endswith(".lst") or p.endswith(".list"):
        return "list"
    return "html"


def expand_inputs(inputs: list[str], kind: str = "auto") -> list[Source]:
    """Expand command-line inputs into `Source`s, in a stable order.

    ``@file`` (or ``kind="list"``) reads a listing of paths, one per line
    (``#`` comments and blank lines ignored); listed paths are auto-detected.
    A folder is its HTML files (one source) and each WARC, ARC or JSONL file in it.
    A missing or unreadable path becomes a source of kind ``missing`` whose
    reader yields one `Failure`, so the run goes on.
    """
    if kind not in INPUT_KINDS:
        raise ValueError(f"unknown input kind {kind!r}; expected one of {', '.join(INPUT_KINDS)}")
    out: list[Source] = []
    for raw in inputs:
        if raw.startswith("@") or kind == "list":
            listing = raw[1:] if raw.startswith("@") else raw
            try:
                with open(listing, encoding="utf-8") as fh:
                    lines = [ln.strip() for ln in fh]
            except OSError as exc:
                out.append(Source(listing, f"missing:{type(exc).__name__}: {exc}"))
                continue
            base = os.path.dirname(listing)
            for ln in lines:
                if ln and not ln.startswith("#"):
                    p = ln if os.path.isabs(ln) else os.path.join(base, ln) if not os.path.exists(ln) else ln
                    out.extend(expand_inputs([p], "auto"))
            continue
        if not os.path.exists(raw) and not os.path.islink(raw):
            out.append(Source(raw, "missing:file not found"))
            continue
        k = detect_kind(raw) if kind == "auto" else kind
        if k == "list":
            out.extend(expand_inputs(["@" + raw]))
            continue
        if os.path.isdir(raw):
            k = "textdir" if k == "text" else "htmldir"
        out.append(Source(raw, k))
        if k == "htmldir":  # the crawl files in a folder are read too, each as its own input
            out.extend(Source(p, detect_kind(p)) for p in _crawl_files(raw))
    return out


def _crawl_files(folder: str) -> list[str]:
    """WARC, ARC and JSONL files under `folder`, recursively, sorted (the HTML files are `read_folder`'s)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        found += [p for p in (os.path.join(dirpath, f) for f in sorted(filenames))
                  if detect_kind(p) in ("warc", "arc", "jsonl")]
    return found


def read_source(src: Source, html_field: str = "html", text_field: str = "text") -> Iterator[Item]:
    """Yield the items of one source; never raises on bad data."""
    try:
        if src.kind.startswith("missing"):
            reason = src.kind.partition(":")[2] or "unreadable"
            yield Failure(src.path, src.path, f"cannot open input: {reason}")
        elif src.kind == "warc":
            yield from read_warc(src.path)
        elif src.kind == "arc":
            yield from read_arc(src.path)
        elif src.kind == "jsonl":
            yield from read_jsonl(src.path, html_field, text_field)
        elif src.kind == "html":
            yield _read_page_file(src.path, src.path, as_text=False)
        elif src.kind == "text":
            yield _read_page_file(src.path, src.path, as_text=True)
        elif src.kind in ("htmldir", "textdir"):
            yield from read_folder(src.path, as_text=src.kind == "textdir")
        else:
            yield Failure(src.path, src.path, f"unknown input kind {src.kind!r}")
    except OSError as exc:  # e.g. the file cannot be opened at all
        yield Failure(f"{src.path}:file", src.path, f"cannot read input: {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- pages, folders, jsonl

def _open_maybe_gz(path: str) -> io.BufferedIOBase:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_page_file(path: str, source: str, as_text: bool) -> Item:
    try:
        with _open_maybe_gz(path) as fh:
            data = fh.read(MAX_RECORD_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return Failure(path, source, f"cannot read file: {type(exc).__name__}: {exc}")
    if len(data) > MAX_RECORD_BYTES:
        return Skip(path, source, f"too large (> {MAX_RECORD_BYTES} bytes)")
    if as_text:
        from ..decode import decode
        return Record(path, source, text=decode(data).text)
    return Record(path, source, html=data)


def read_folder(folder: str, as_text: bool = False) -> Iterator[Item]:
    """Every .html/.htm/.xhtml (optionally .gz) file under `folder`, recursively, sorted.

    With ``as_text``, every .txt file instead.
    """
    pat = re.compile(r"\.txt(\.gz)?$" if as_text else r"\.(html?|xhtml)(\.gz)?$", re.I)
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None):
        dirnames.sort()
        for name in sorted(filenames):
            if pat.search(name):
                yield _read_page_file(os.path.join(dirpath, name), folder, as_text)


def read_jsonl(path: str, html_field: str = "html", text_field: str = "text") -> Iterator[Item]:
    """One record per non-blank line, with an HTML field or else a text field.

    Every other field (``id``, ``url``, nested ones too) is kept in ``meta``, which the
    outputs carry as JSON; a string ``url`` also becomes the record URL.
    """
    with _open_maybe_gz(path) as fh:
        lineno = 0
        while True:
            try:
                line = fh.readline()
            except (OSError, EOFError, zlib.error) as exc:
                yield Failure(f"{path}:{lineno + 1}", path, f"read error: {type(exc).__name__}: {exc}")
                return
            if not line:
                return
            lineno += 1
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # a UTF-8 byte-order mark, as Windows tools write
            rid = f"{path}:{lineno}"
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield Failure(rid, path, f"invalid JSON: {exc}")
                continue
            if not isinstance(obj, dict):
                yield Failure(rid, path, "JSON line is not an object")
                continue
            url = obj.get("url") if isinstance(obj.get("url"), str) else None
            meta = {k: v for k, v in obj.items() if k not in (html_field, text_field)}
            html = obj.get(html_field)
            text = obj.get(text_field)
            if isinstance(html, str) and html.strip():
                yield Record(rid, path, url=url, html=html.encode("utf-8", "surrogatepass"), meta=meta)
            elif isinstance(text, str) and text.strip():
                yield Record(rid, path, url=url, text=text, meta=meta)
            elif isinstance(html, str) or isinstance(text, str):
                yield Skip(rid, path, "empty html/text field", url=url)
            else:
                yield Failure(rid, path, f"no {html_field!r} or {text_field!r} string field")


# --------------------------------------------------------------------------- HTTP helpers

def _is_html(content_type: str | None, payload: bytes) -> bool:
    if content_type:
        ct = content_type.split(";")[0].strip().lower()
        if ct in HTML_TYPES:
            return True
        if ct not in ("", "application/octet-stream", "text/plain", "unknown/unknown"):
            return False
    head = payload[:2048].lstrip().lower()
    return head.startswith(b"<!doctype html") or b"<html" in head


def _classify_payload(rid: str, source: str, url: str | None, status: int | None,
                      content_type: str | None, payload: bytes,
                      warc_record_id: str | None, warc_date: str | None,
                      transfer_encoding: str | None = None, content_encoding: str | None = None) -> Item:
    if status is not None and status != 200:
        return Skip(rid, source, f"http status {status}", url)
    payload, problem = http_body(payload, transfer_encoding, content_encoding)
    if problem:
        return Skip(rid, source, problem, url)
    if len(payload) > MAX_RECORD_BYTES:
        return Skip(rid, source, f"payload too large ({len(payload)} bytes)", url)
    if not payload.strip():
        return Skip(rid, source, "empty payload", url)
    if not _is_html(content_type, payload):
        ct = (content_type or "unknown").split(";")[0].strip().lower() or "unknown"
        return Skip(rid, source, f"not html: {ct}", url)
    return Record(rid, source, url=url, html=payload, warc_record_id=warc_record_id, warc_date=warc_date,
                  content_type=content_type)


def http_body(body: bytes, transfer_encoding: str | None, content_encoding: str | None) -> tuple[bytes, str | None]:
    """An HTTP response body as the server meant it: de-chunked, then decompressed.

    WARC files keep the body as it came over the wire (FastWARC decodes neither coding; Common
    Crawl does before writing, and renames the headers). Returns ``(body, problem)``: a problem
    is a skip reason (an unsupported coding, a body larger than `MAX_RECORD_BYTES` once
    decompressed). A body that does not decode as its header says is kept as it is: crawlers
    that decode bodies do not always drop the header.
    """
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        body = _dechunk(body)
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):  # applied in the order listed: undone last first
        if coding in ("identity", "none"):
            continue
        if coding not in _DECODERS:
            return body, f"unsupported content-encoding: {coding}"
        try:
            out = _DECODERS[coding](body)
        except Exception:  # noqa: BLE001 - zlib.error, brotli.error, a missing brotli: keep the body
            return body, None
        if out is None:
            return b"", f"payload too large (over {MAX_RECORD_BYTES} bytes decompressed)"
        body = out
    return body, None


def _inflate_body(body: bytes, wbits: int) -> bytes | None:
    d = zlib.decompressobj(wbits)
    out = d.decompress(body, MAX_RECORD_BYTES + 1)
    if len(out) > MAX_RECORD_BYTES:
        return None
    if not d.eof and not out:
        raise zlib.error("no deflate data")
    return out


def _deflate_body(body: bytes) -> bytes | None:
    """``deflate``: zlib-wrapped as the RFC says, or raw deflate as many servers send it."""
    try:
        return _inflate_body(body, zlib.MAX_WBITS)
    except zlib.error:
        return _inflate_body(body, -zlib.MAX_WBITS)


def _brotli_body(body: bytes) -> bytes | None:
    import brotli  # installed with fastwarc

    d = brotli.Decompressor()
    out = d.process(body, output_buffer_limit=MAX_RECORD_BYTES + 1)
    return None if len(out) > MAX_RECORD_BYTES else out


_DECODERS = {"gzip": lambda b: _inflate_body(b, 47), "x-gzip": lambda b: _inflate_body(b, 47),
             "deflate": _deflate_body, "br": _brotli_body}


def _parse_http_block(block: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """Minimal HTTP response parsing (for ARC): status, lower-cased headers, body as stored."""
    if not block.startswith(b"HTTP/"):
        return None, {}, block
    sep = block.find(b"\r\n\r\n")
    seplen = 4
    if sep < 0:
        sep = block.find(b"\n\n")
        seplen = 2
    if sep < 0:
        return None, {}, b""
    head = block[:sep].decode("latin-1").splitlines()
    body = block[sep + seplen:]
    status: int | None = None
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        pass
    headers = {}
    for ln in head[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def _dechunk(body: bytes) -> bytes:
    """A chunked body joined; a body that is not chunked after all comes back as it is."""
    out, pos = [], 0
    while pos < len(body):
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            break
        try:
            size = int(body[pos:eol].split(b";")[0], 16)
        except ValueError:
            return body
        if size == 0:
            break
        out.append(body[eol + 2:eol + 2 + size])
        pos = eol + 2 + size + 2
    return b"".join(out)


# --------------------------------------------------------------------------- WARC

def read_warc(path: str) -> Iterator[Item]:
    """Records of a WARC file (plain, or gzip with one member per record).

    gzip files are read member by member, so a truncated or corrupt member
    costs only that member; plain files resynchronise on the next
    ``WARC/1.`` line after a corrupt header. Zstd/LZ4/bz2 and single-stream
    gzip files are streamed by fastwarc and stop at the first error.
    """
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        yield from _read_warc_gz_members(path)
    elif magic[:4] == b"WARC" or not magic:
        yield from _read_warc_plain(path)
    else:
        yield from _read_warc_stream(path, 0)


def _warc_header_len(buf: bytes, pos: int) -> int:
    end = buf.find(b"\r\n\r\n", pos, pos + (64 << 10))
    return end - pos + 4 if end >= 0 else -1


def _records_from_buffer(raw: bytes, path: str, id_prefix: str) -> Iterator[Item]:
    """Parse the WARC record(s) of one decompressed gzip member."""
    from fastwarc.warc import ArchiveIterator

    last_end = 0
    it = iter(ArchiveIterator(io.BytesIO(raw), parse_http=True))
    while True:
        try:
            rec = next(it)
        except StopIteration:
            break
        except Exception as exc:  # fastwarc raises OSError on bad headers
            rid = id_prefix if last_end == 0 else f"{id_prefix}+{last_end}"
            yield Failure(rid, path, f"corrupt WARC record: {exc}")
            return
        pos = rec.stream_pos
        rid = id_prefix if pos == 0 else f"{id_prefix}+{pos}"
        hlen = _warc_header_len(raw, pos)
        item = _warc_item(rec, rid, path, available=len(raw) - pos - max(hlen, 0))
        last_end = pos + max(hlen, 0) + (_declared_length(rec) or 0) + 4
        yield item
        if isinstance(item, Failure):
            return  # the rest of this member cannot be trusted
    if last_end == 0 and raw.strip():
        yield Failure(id_prefix, path, "gzip member holds no WARC record")


CORRUPT_HEADER = "corrupt WARC header"


def _declared_length(rec: Any) -> int | None:
    """The WARC Content-Length as written (fastwarc's `content_length` excludes parsed HTTP headers)."""
    try:
        return int(rec.headers.get("Content-Length", ""))
    except ValueError:
        return None


def _warc_item(rec: Any, rid: str, path: str, available: int) -> Item:
    """Turn one fastwarc record into an item; `available` = bytes present after its header."""
    from fastwarc.warc import WarcRecordType

    url = rec.headers.get("WARC-Target-URI")
    rtype = rec.record_type
    wid = rec.record_id
    wdate = rec.headers.get("WARC-Date")
    declared = _declared_length(rec)
    if declared is None or "WARC-Type" not in rec.headers:
        rec.consume()
        return Failure(rid, path, CORRUPT_HEADER + " (missing or bad WARC-Type/Content-Length)", url)
    if available < declared:
        rec.consume()
        return Failure(rid, path, f"truncated record: Content-Length {declared} but only "
                                  f"{max(available, 0)} bytes follow (lying Content-Length or cut file)", url)
    if rtype == WarcRecordType.response:
        if not rec.is_http:
            payload = rec.reader.read()
            return _classify_payload(rid, path, url, None, rec.headers.get("Content-Type"), payload, wid, wdate)
        http = rec.http_headers
        payload = rec.reader.read()
        return _classify_payload(rid, path, url, http.status_code, http.get("Content-Type"), payload, wid, wdate,
                                 http.get("Transfer-Encoding"), http.get("Content-Encoding"))
    if rtype == WarcRecordType.resource:
        payload = rec.reader.read()
        return _classify_payload(rid, path, url, None, rec.headers.get("Content-Type"), payload, wid, wdate)
    rec.consume()
    name = getattr(rtype, "name", None) or str(rtype)
    return Skip(rid, path, f"warc record type: {name}", url)


class _Members:
    """Inflates the gzip members of one file, one at a time, from any offset.

    The file is read `_CHUNK` bytes at a time and each member inflated from `_FEED`-byte
    slices of that buffer: a member starting where the last one ended is not read again.
    """

    def __init__(self, fh: Any, size: int) -> None:
        self.fh, self.size = fh, size
        self.buf, self.buf_start = b"", 0  # buf holds the file from offset buf_start; fh is at its end

    def inflate(self, pos: int, limit: int | None = MAX_MEMBER_BYTES) -> tuple[bytes | None, int, str | None]:
        """``(data, end, error)`` of the member at `pos`: its bytes inflated and the offset after
        it, or an error: `OVERSIZE` when it inflates to more than `limit` bytes. With no
        `limit`, the bytes are dropped as they come (``data`` is None): only its end is wanted."""
        if not self.buf_start <= pos < self.buf_start + len(self.buf):
            self.fh.seek(pos)
            self.buf, self.buf_start = self.fh.read(_CHUNK), pos
        d = _inflate.decompressobj(31)
        out: list[bytes] = []
        total_out = 0
        at = pos
        while not d.eof:
            if at >= self.buf_start + len(self.buf):
                self.fh.seek(at)
                self.buf, self.buf_start = self.fh.read(_CHUNK), at
                if not self.buf:
                    return None, at, "truncated or corrupt gzip member (no end of member before end of file)"
            off = at - self.buf_start
            chunk = memoryview(self.buf)[off:off + _FEED]
            try:
                piece = d.decompress(chunk)
            except (zlib.error, _inflate.error) as exc:
                return None, at, f"corrupt gzip member: {exc}"
            at += len(chunk)
            if limit is None:
                continue
            out.append(piece)
            total_out += len(piece)
            if total_out > limit:
                return None, at, OVERSIZE
        return (None if limit is None else b"".join(out)), at - len(d.unused_data), None

    def next_magic(self, start: int) -> int:
        """Offset of the next gzip member header at or after `start`, or -1."""
        self.buf = b""  # _find moves fh
        return _find(self.fh, GZIP_MAGIC, start, self.size)

    def first_record(self, start: int, end: int) -> tuple[int, tuple[bytes | None, int, str | None]]:
        """The first member from `start` on, and before `end`, that opens a WARC record
        (`_opens_record`), with what `inflate` made of it; -1 if there is none."""
        pos = self.next_magic(start)
        while 0 <= pos < end:
            got = self.inflate(pos)
            if _opens_record(got[0], got[2]):
                return pos, got
            pos = self.next_magic(pos + 1)
        return -1, (None, 0, None)


def _opens_record(data: bytes | None, error: str | None) -> bool:
    """Whether an inflated member starts a WARC record: the test both ends of a byte range use."""
    return error is None and data is not None and data.startswith(b"WARC/")


def read_warc_range(path: str, start: int, end: int) -> Iterator[Item]:
    """The records of a gzip WARC file (one member per record) whose members begin in the
    byte range [`start`, `end`): what one worker reads of a file split between workers.

    Ranges that tile a file yield together what `read_warc` yields for it, with the same
    ids. A range after the first begins at the first member from `start` on that opens a
    WARC record (`_opens_record`). A range ends at the first member from `end` on that
    does, and reports the corrupt members it meets before it. Both ends apply one test to
    the same members, so they meet. They can miss in one case only: a stored payload that
    is itself a gzip WARC, kept verbatim by the compressor, across a range boundary. The
    range then reports "range boundary inside the record", and its neighbour reads the
    embedded record as well. And a member that inflates to over `MAX_MEMBER_BYTES`, which
    `read_warc` streams, is an error here (`warc_spans` does not split a file whose first
    member is one).
    """
    try:
        yield from _read_warc_gz_members(path, start, end)
    except OSError as exc:  # the file went away, or became unreadable, since the run began
        yield Failure(f"{path}@{start}", path, f"cannot read input: {type(exc).__name__}: {exc}")


#: A gzip WARC file whose first member inflates to more than this is read whole, not split.
SPLIT_PROBE_BYTES = 8 << 20


def source_spans(src: Source, size: int) -> list[tuple[int, int]] | None:
    """`warc_spans` of a WARC source when splitting is on (`size` > 0); None: read it whole."""
    return warc_spans(src.path, size) if src.kind == "warc" and size > 0 else None


def warc_spans(path: str, size: int) -> list[tuple[int, int]] | None:
    """Byte ranges of `size` that tile a gzip WARC file, for `read_warc_range`; None when
    the file should be read whole: not gzip, or its first member is not one WARC record
    (a single gzip stream, say), or it cannot be read."""
    try:
        total = os.path.getsize(path)
        with open(path, "rb") as fh:
            if fh.read(3) != GZIP_MAGIC:
                return None
            data, _, error = _Members(fh, total).inflate(0, limit=SPLIT_PROBE_BYTES)
    except OSError:
        return None
    if not _opens_record(data, error):
        return None
    return [(s, min(s + size, total)) for s in range(0, total, size)]


def _read_warc_gz_members(path: str, start: int = 0, end: int | None = None) -> Iterator[Item]:
    size = os.path.getsize(path)
    whole = start == 0 and (end is None or end >= size)
    end = size if end is None else min(end, size)
    with open(path, "rb") as fh:
        members = _Members(fh, size)
        pos, got = start, None
        if start > 0:
            pos, got = members.first_record(start, end)
            if pos < 0:
                return
        while pos < size:
            data, nxt, error = got or members.inflate(pos)
            got = None
            if pos >= end and _opens_record(data, error):
                return  # the next range's first record
            rid = f"{path}:{pos}"
            if error == OVERSIZE:
                if whole:  # one huge gzip stream, not one member per record: let fastwarc stream it
                    yield from _read_warc_stream(path, pos)
                    return
                yield Failure(rid, path, f"gzip member inflates to over {MAX_MEMBER_BYTES} bytes (not one "
                                         "member per record): read this file whole (--shard-bytes 0)")
                _, nxt, error = members.inflate(pos, limit=None)  # where it ends, if it does
            elif error is None:
                yield from _records_from_buffer(data, path, rid)  # type: ignore[arg-type]
            else:
                yield Failure(rid, path, error)
            if error is None:
                if pos < end < nxt and members.first_record(end, nxt)[0] >= 0:
                    yield Failure(f"{path}:{end}", path, f"range boundary inside the record at {pos}: the "
                                                         f"range from {end} starts inside it, and reads its payload")
                pos = nxt
            else:  # resynchronise on the next member header
                pos = members.next_magic(pos + 1)
                if pos < 0:
                    return


def _find(fh: Any, needle: bytes, start: int, size: int) -> int:
    """Offset of the next `needle` at or after `start` in the file, or -1."""
    pos = start
    while pos < size:
        fh.seek(pos)
        buf = fh.read(_CHUNK + len(needle))
        if not buf:
            return -1
        i = buf.find(needle)
        if i >= 0:
            return pos + i
        pos += _CHUNK
    return -1


def _read_warc_plain(path: str) -> Iterator[Item]:
    from fastwarc.warc import ArchiveIterator

    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fd = fh.fileno()
        start = 0
        while start < size:
            fh.seek(start)
            it = iter(ArchiveIterator(fh, parse_http=True))
            next_start = start
            while True:
                try:
                    rec = next(it)
                except StopIteration:
                    return
                except Exception as exc:
                    yield Failure(f"{path}:{next_start}", path, f"corrupt WARC record: {exc}")
                    break
                pos = rec.stream_pos
                head = os.pread(fd, 64 << 10, pos)
                if not head.startswith(b"WARC/") and pos < start:
                    pos += start
                    head = os.pread(fd, 64 << 10, pos)
                hlen = _warc_header_len(head, 0)
                rid = f"{path}:{pos}"
                item = _warc_item(rec, rid, path, available=size - pos - max(hlen, 0))
                yield item
                if isinstance(item, Failure) and item.reason.startswith(CORRUPT_HEADER):
                    next_start = pos
                    break
                next_start = pos + max(hlen, 0) + (_declared_length(rec) or 0) + 4
            # resynchronise on the next WARC header line
            nxt = _find(fh, b"WARC/1.", next_start + 1, size)
            if nxt < 0 or nxt <= start:
                return
            start = nxt


def _read_warc_stream(path: str, offset: int) -> Iterator[Item]:
    from fastwarc.warc import ArchiveIterator

    with open(path, "rb") as fh:
        fh.seek(offset)
        it = iter(ArchiveIterator(fh, parse_http=True))
        n = 0
        while True:
            try:
                rec = next(it)
            except StopIteration:
                return
            except Exception as exc:
                yield Failure(f"{path}:stream@{n}", path, f"corrupt WARC stream, rest of file unread: {exc}")
                return
            rid = f"{path}:{offset}#{n}"
            n += 1
            # compressed streams: positions are not byte offsets we can check lengths against
            yield _warc_item(rec, rid, path, available=rec.content_length)


# --------------------------------------------------------------------------- ARC

def read_arc(path: str) -> Iterator[Item]:
    """Records of an ARC (v1/v2) file, plain or gzip; stops at the first corrupt header."""
    try:
        fh: Any = gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")
    except OSError as exc:
        yield Failure(f"{path}:file", path, f"cannot open: {exc}")
        return
    with fh:
        n = 0
        first = True
        while True:
            try:
                line = fh.readline()
                while line in (b"\n", b"\r\n"):
                    line = fh.readline()
            except (OSError, EOFError, zlib.error) as exc:
                yield Failure(f"{path}:#{n}", path, f"corrupt ARC stream: {exc}")
                return
            if not line:
                return
            rid = f"{path}:#{n}"
            n += 1
            parts = line.decode("latin-1").strip().split(" ")
            try:
                length = int(parts[-1])
                url = parts[0]
                ctype = parts[3] if len(parts) >= 5 else None
                date = parts[2] if len(parts) >= 5 else None
            except (ValueError, IndexError):
                yield Failure(rid, path, f"corrupt ARC header line: {line[:80]!r}")
                return
            try:
                block = fh.read(length)
            except (OSError, EOFError, zlib.error) as exc:
                yield Failure(rid, path, f"corrupt ARC record: {exc}", url)
                return
            if len(block) < length:
                yield Failure(rid, path, f"truncated ARC record: length {length}, got {len(block)}", url)
                return
            if first and url.startswith("filedesc:"):
                first = False
                yield Skip(rid, path, "arc file header", url)
                continue
            first = False
            status, headers, body = _parse_http_block(block)
            wdate = None
            if date and len(date) >= 14 and date[:14].isdigit():
                wdate = f"{date[0:4]}-{date[4:6]}-{date[6:8]}T{date[8:10]}:{date[10:12]}:{date[12:14]}Z"
            yield _classify_payload(rid, path, url, status, headers.get("content-type") or ctype, body, None, wdate,
                                    headers.get("transfer-encoding"), headers.get("content-encoding"))


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"
