"""Readers: every input record becomes exactly one Record, Skip or Failure with a stable id."""
from __future__ import annotations

import gzip
import json
import os
from collections import Counter

import pytest

pytest.importorskip("fastwarc")

import batch_helpers as h  # noqa: E402
from copydesk.batch.readers import Failure, Record, Skip, Source, expand_inputs, read_source  # noqa: E402


def _kinds(items):
    return [type(i).__name__ for i in items]


def test_mixed_gzip_warc(tmp_path):
    path = str(tmp_path / "mixed.warc.gz")
    expected = h.mixed_warc_gz(path)
    items = list(read_source(Source(path, "warc")))
    dest = {Record: "kept", Skip: "skipped", Failure: "errors"}
    assert [dest[type(i)] for i in items] == list(expected.values())
    reasons = [getattr(i, "reason", "") for i in items]
    assert "warc record type: request" in reasons[1]
    assert "not html: application/pdf" in reasons[2]
    assert "http status 404" in reasons[3]
    assert "truncated record" in reasons[4] and "99999" in reasons[4]
    assert "gzip" in reasons[5]
    assert "corrupt WARC" in reasons[6] or "no WARC record" in reasons[6]
    assert len({i.id for i in items}) == len(items)
    good = items[0]
    assert good.url == "http://ex.com/1" and good.warc_date == "2024-05-06T07:08:09Z"
    assert good.warc_record_id.startswith("<urn:uuid:") and good.html.startswith(b"<html>")
    # stable ids
    assert [i.id for i in read_source(Source(path, "warc"))] == [i.id for i in items]


def test_plain_warc_resyncs_after_corrupt_header(tmp_path):
    path = tmp_path / "plain.warc"
    with open(path, "wb") as fh:
        fh.write(h.response("http://ex.com/a", h.page(1)))
        fh.write(b"WARC/1.0\r\nGarbage without colon\r\n\r\nxxxx\r\n\r\n")
        fh.write(h.response("http://ex.com/b", h.page(2)))
        fh.write(h.response("http://ex.com/c", h.page(3), content_length=10**6))  # lying, at the end
    items = list(read_source(Source(str(path), "warc")))
    assert _kinds(items) == ["Record", "Failure", "Record", "Failure"]
    assert items[2].url == "http://ex.com/b"
    assert "truncated record" in items[3].reason


def test_arc(tmp_path):
    path = str(tmp_path / "x.arc.gz")
    h.arc_file(path)
    items = list(read_source(Source(path, "arc")))
    assert _kinds(items) == ["Skip", "Record", "Skip"]
    assert items[1].url == "http://ex.com/arc" and items[1].warc_date == "2024-01-02T03:04:05Z"
    assert b"page 7" in items[1].html
    assert "image/jpeg" in items[2].reason


def test_jsonl_folder_list_missing(tmp_path):
    jl = tmp_path / "pages.jsonl"
    jl.write_text("\n".join([
        json.dumps({"url": "http://j/1", "html": h.page(1).decode(), "id": "a", "tags": ["x", {"y": None}],
                    "summary": "long " * 1000}),
        json.dumps({"url": "http://j/2", "text": "Already scraped text.\n\nSecond paragraph."}),
        "{not json",
        json.dumps({"other": 1}),
        "",
        json.dumps({"html": "   "}),
    ]) + "\n")
    folder = tmp_path / "site"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_bytes(h.page(10))
    (folder / "sub" / "b.htm.gz").write_bytes(gzip.compress(h.page(11)))
    (folder / "sub" / "bad.html.gz").write_bytes(b"not gzip at all")
    (folder / "notes.md").write_text("ignored")
    txt = tmp_path / "page.txt"
    txt.write_text("Some scraped text.")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# inputs\n{jl}\n{folder}\n{txt}\n{tmp_path / 'nope.warc.gz'}\n")
    sources = expand_inputs([f"@{listing}"])
    assert [s.kind.split(":")[0] for s in sources] == ["jsonl", "htmldir", "text", "missing"]
    items = [i for s in sources for i in read_source(s)]
    kinds = Counter(type(i).__name__ for i in items)
    assert kinds == Counter({"Record": 5, "Failure": 4, "Skip": 1})
    by_id = {i.id: i for i in items}
    # every other field of the record is kept, nested and long ones too
    assert by_id[f"{jl}:1"].meta == {"url": "http://j/1", "id": "a", "tags": ["x", {"y": None}], "summary": "long " * 1000}
    assert by_id[f"{jl}:2"].text.startswith("Already")
    assert "invalid JSON" in by_id[f"{jl}:3"].reason
    assert f"{jl}:5" not in by_id  # blank line is not a record
    assert isinstance(by_id[f"{jl}:6"], Skip)
    assert isinstance(by_id[str(folder / "sub" / "bad.html.gz")], Failure)
    assert by_id[str(txt)].text == "Some scraped text."
    assert "not found" in by_id[str(tmp_path / "nope.warc.gz")].reason


def test_unreadable_file(tmp_path):
    loop = tmp_path / "loop.warc.gz"
    os.symlink(loop, loop)  # ELOOP: unreadable even for root
    (src,) = expand_inputs([str(loop)])
    (item,) = list(read_source(src))
    assert isinstance(item, Failure) and "cannot" in item.reason


def test_http_charset_of_a_crawled_page_decodes_it(tmp_path):
    # A Windows-1250 page that declares its charset only in the HTTP header, as many crawled pages do.
    # Its two Polish letters are too few for detection, which would read "£ódŸ".
    from copydesk.batch.job import process_item, resolve_extractor
    from copydesk.options import Options
    body = ("<html><body><p>" + "The city council discussed the harbour plans on Thursday. " * 6
            + "It met in Łódź.</p></body></html>").encode("cp1250")
    path = tmp_path / "pl.warc"
    path.write_bytes(h.response("http://ex.com/pl", body, ctype="text/html; charset=windows-1250"))
    (item,) = read_source(Source(str(path), "warc"))
    assert item.content_type == "text/html; charset=windows-1250"
    kind, row = process_item(item, resolve_extractor("copydesk"), Options(), markdown=False)
    assert kind == "kept" and "It met in Łódź." in row["text"]


def test_text_files_are_decoded_by_their_charset(tmp_path):
    path = tmp_path / "scraped.txt"
    path.write_bytes(("Le conseil municipal s'est réuni jeudi. " * 20).encode("cp1252"))
    (item,) = read_source(Source(str(path), "text"))
    assert "s'est réuni jeudi" in item.text and "\ufffd" not in item.text


@pytest.mark.parametrize("inflate", ["isal", "zlib"])
def test_gzip_member_with_a_corrupt_deflate_stream_is_an_error_and_the_next_member_is_read(tmp_path, monkeypatch, inflate):
    import zlib

    from copydesk.batch import readers
    if inflate == "zlib":
        monkeypatch.setattr(readers, "_inflate", zlib)
    else:
        assert readers._inflate.__name__ == "isal.isal_zlib"  # the batch and test extras install it
    good = gzip.compress(h.response("http://ex.com/1", h.page(1)))
    bad = bytearray(gzip.compress(h.response("http://ex.com/bad", h.page(9) * 20)))
    bad[30:60] = b"\xff" * 30  # inside the deflate stream: an invalid block
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(good + bytes(bad) + gzip.compress(h.response("http://ex.com/2", h.page(2))))
    items = list(read_source(Source(str(path), "warc")))
    assert _kinds(items) == ["Record", "Failure", "Record"]
    assert "corrupt gzip member" in items[1].reason
    assert items[2].url == "http://ex.com/2"


@pytest.mark.parametrize("inflate", ["isal", "zlib"])
def test_gzip_members_are_read_across_buffer_and_slice_boundaries(tmp_path, monkeypatch, inflate):
    """Members smaller than one read, larger than one inflate slice, and spanning reads all come back whole."""
    import random
    import zlib

    from copydesk.batch import readers
    if inflate == "zlib":
        monkeypatch.setattr(readers, "_inflate", zlib)
    monkeypatch.setattr(readers, "_CHUNK", 4096)
    monkeypatch.setattr(readers, "_FEED", 1000)
    rng = random.Random(5)
    bodies = []
    for i in range(60):
        noise = "".join(rng.choice("abcdefghij klmnop") for _ in range(rng.choice((10, 300, 3000, 20000))))
        bodies.append(f"<html><body><p>page {i} {noise}</p></body></html>".encode())
    path = tmp_path / "many.warc.gz"
    path.write_bytes(b"".join(gzip.compress(h.response(f"http://ex.com/{i}", b)) for i, b in enumerate(bodies)))
    items = list(read_source(Source(str(path), "warc")))
    assert _kinds(items) == ["Record"] * len(bodies)
    assert [i.html for i in items] == bodies
    assert [i.url for i in items] == [f"http://ex.com/{i}" for i in range(len(bodies))]


def _coded_response(uri: str, body: bytes, headers: str) -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{headers}\r\n".encode() + body
    return h.warc_record(uri, http)


def _chunked(body: bytes, size: int = 97) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in parts) + b"0\r\n\r\n"


def test_http_transfer_and_content_codings_are_undone_as_a_browser_would(tmp_path):
    import zlib

    import brotli

    page = h.page(7)
    deflater = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = deflater.compress(page) + deflater.flush()
    cases = {
        "chunked": (_chunked(page), "Transfer-Encoding: chunked\r\n"),
        "gzip": (gzip.compress(page), "Content-Encoding: gzip\r\n"),
        "chunked gzip": (_chunked(gzip.compress(page)), "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"),
        "deflate": (zlib.compress(page), "Content-Encoding: deflate\r\n"),
        "raw deflate": (raw_deflate, "Content-Encoding: deflate\r\n"),
        "br": (brotli.compress(page), "Content-Encoding: br\r\n"),
        "already decoded": (page, "Content-Encoding: gzip\r\n"),  # a crawler that kept the header
    }
    path = tmp_path / "coded.warc.gz"
    path.write_bytes(b"".join(gzip.compress(_coded_response(f"http://ex.com/{k}", b, hd))
                              for k, (b, hd) in cases.items()))
    items = list(read_source(Source(str(path), "warc")))
    assert _kinds(items) == ["Record"] * len(cases)
    assert all(i.html == page for i in items), [i.url for i in items if i.html != page]


def test_an_unsupported_or_oversized_coding_is_skipped_with_its_reason(tmp_path, monkeypatch):
    from copydesk.batch import readers

    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 10_000)
    bomb = gzip.compress(b"<html><body>" + b"a" * 200_000 + b"</body></html>")
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(gzip.compress(_coded_response("http://ex.com/zstd", b"\x28\xb5\x2f\xfd-not-really", "Content-Encoding: zstd\r\n"))
                     + gzip.compress(_coded_response("http://ex.com/bomb", bomb, "Content-Encoding: gzip\r\n")))
    items = list(read_source(Source(str(path), "warc")))
    assert _kinds(items) == ["Skip", "Skip"]
    assert items[0].reason == "unsupported content-encoding: zstd"
    assert items[1].reason.startswith("payload too large")


def test_jsonl_with_a_byte_order_mark_reads_its_first_record(tmp_path):
    jl = tmp_path / "bom.jsonl"
    jl.write_bytes(b"\xef\xbb\xbf" + json.dumps({"url": "http://j/1", "html": h.page(1).decode()}).encode() + b"\n")
    (item,) = read_source(Source(str(jl), "jsonl"))
    assert isinstance(item, Record) and item.url == "http://j/1"


def test_a_folder_holding_crawl_files_reads_them_as_well(tmp_path):
    (tmp_path / "seg" / "deep").mkdir(parents=True)
    (tmp_path / "page.html").write_bytes(h.page(1))
    (tmp_path / "seg" / "deep" / "b.warc.gz").write_bytes(gzip.compress(h.response("http://ex.com/b", h.page(2))))
    (tmp_path / "seg" / "a.warc.gz").write_bytes(gzip.compress(h.response("http://ex.com/a", h.page(3))))
    (tmp_path / "c.jsonl").write_text(json.dumps({"url": "http://ex.com/c", "html": h.page(4).decode()}) + "\n")
    sources = expand_inputs([str(tmp_path)])
    assert [(os.path.relpath(s.path, tmp_path), s.kind) for s in sources] == [
        (".", "htmldir"), ("c.jsonl", "jsonl"), ("seg/a.warc.gz", "warc"), ("seg/deep/b.warc.gz", "warc")]
    items = [i for s in sources for i in read_source(s)]
    assert _kinds(items) == ["Record"] * 4
    assert [i.url for i in items[1:]] == ["http://ex.com/c", "http://ex.com/a", "http://ex.com/b"]


def _item_key(item):
    return type(item).__name__, item.id, getattr(item, "reason", None), getattr(item, "html", None)


def test_byte_ranges_that_tile_a_gzip_warc_read_what_the_whole_file_reads(tmp_path):
    """Every split of a file with corrupt members, a truncated one and garbage between
    members: each record comes from exactly one range, with the whole-file reader's id and reason."""
    import random

    from copydesk.batch.readers import read_warc, read_warc_range, warc_spans

    path = tmp_path / "mixed.warc.gz"
    h.mixed_warc_gz(str(path))
    rng = random.Random(3)
    with open(path, "ab") as fh:
        fh.write(b"garbage \x1f\x8b\x08 more garbage" * 3)  # a false member header among it
        for i in range(6):
            fh.write(gzip.compress(h.response(f"http://ex.com/x{i}", h.page(i) * rng.randint(1, 30))))
    whole = [_item_key(i) for i in read_warc(str(path))]
    # 9 members, the garbage and each false header in it (3) as errors, 6 members
    assert len(whole) == 9 + 1 + 3 + 6 and len({k[1] for k in whole}) == len(whole)
    cut = tmp_path / "cut.warc.gz"  # the same file cut inside its last member, as a copy stopped midway
    cut.write_bytes(path.read_bytes()[:-60])
    for f in (path, cut):
        whole = [_item_key(i) for i in read_warc(str(f))]
        size = f.stat().st_size
        for span in list(range(1, 400, 7)) + list(range(400, size + 2, 97)):
            got = [_item_key(i) for a, b in warc_spans(str(f), span) for i in read_warc_range(str(f), a, b)]
            assert got == whole, f"{f.name}: ranges of {span} bytes"
    assert whole[-1][0] == "Failure" and "truncated" in whole[-1][2]


def test_a_file_that_is_one_gzip_stream_is_not_split(tmp_path):
    from copydesk.batch.readers import warc_spans

    one = tmp_path / "one.warc.gz"
    one.write_bytes(gzip.compress(b"".join(h.response(f"http://ex.com/{i}", h.page(i)) for i in range(3))))
    assert warc_spans(str(one), 100) is not None  # a first member that opens a record: splittable
    plain = tmp_path / "plain.warc"
    h.plain_warc(str(plain), 3)
    assert warc_spans(str(plain), 100) is None
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(gzip.compress(b"not a warc record"))
    assert warc_spans(str(junk), 100) is None


def test_a_range_boundary_inside_a_record_that_holds_a_gzip_warc_is_reported(tmp_path):
    """A payload that is itself a gzip WARC member, stored verbatim, can fool the next range's
    start: the range that holds the record says so instead of letting it pass unnoticed."""
    import zlib

    from copydesk.batch.readers import read_warc_range

    inner = gzip.compress(h.response("http://ex.com/inner", h.page(7)))
    block = h.response("http://ex.com/outer.warc.gz", os.urandom(3000) + inner, ctype="application/gzip")
    c = zlib.compressobj(0, zlib.DEFLATED, 31)  # level 0: stored blocks, the payload verbatim
    outer = c.compress(block) + c.flush()
    path = tmp_path / "nested.warc.gz"
    path.write_bytes(outer + gzip.compress(h.response("http://ex.com/after", h.page(8))))
    cut = outer.index(inner) - 5  # a boundary just before the embedded member
    first = list(read_warc_range(str(path), 0, cut))
    assert [type(i).__name__ for i in first] == ["Skip", "Failure"]
    assert "range boundary inside the record at 0" in first[1].reason and first[1].id == f"{path}:{cut}"
