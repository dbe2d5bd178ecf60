"""Bad input for `copydesk.extract`.

Contract under test (see copydesk/errors.py and copydesk/document.py):

* bad *content* (empty, whitespace, binary, non-HTML, all navigation) never
  raises: it yields an empty `Document` whose `empty_reason` says why;
* limits the caller set raise a `CopydeskError` subclass (`Options.timeout`
  -> `ExtractionTimeout`);
* a wrong argument type raises `TypeError`;
* nothing else: no other exception, no RecursionError, no hang, no unbounded
  memory, and every returned text is valid Unicode without NUL characters.

The dangerous cases (100,000-deep nesting, a 50 MB page) run in a child
process, so that a crash (C stack overflow), a runaway allocation or a hang
fails one test instead of killing the whole run. Every other test is guarded
by `faulthandler.dump_traceback_later`, which aborts a hung run with a
traceback (no pytest plugin needed).
"""
from __future__ import annotations

import faulthandler
import gzip
import json
import os
import random
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

import copydesk
from copydesk import CopydeskError, Document, ExtractionTimeout, Options
from copydesk.document import ROLES

ROOT = Path(__file__).resolve().parent.parent

#: Wall-clock bound for one small input (generous: 2 shared cores, loaded machine).
SMALL_BOUND = 10.0
#: Per-test hard stop for the in-process tests: dump tracebacks and exit.
HANG_LIMIT = 120.0


@pytest.fixture(autouse=True)
def _hang_guard():
    faulthandler.dump_traceback_later(HANG_LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# --------------------------------------------------------------------------- helpers

def outcome(data, options: Options | None = None, bound: float = SMALL_BOUND):
    """Run extract; return the Document or the CopydeskError it raised.

    Any other exception (RecursionError, UnicodeDecodeError, ValueError from a
    parser, ...) fails the test, as does exceeding `bound` seconds.
    """
    t0 = time.perf_counter()
    try:
        result = copydesk.extract(data, options=options)
    except CopydeskError as exc:
        result = exc
    except RecursionError as exc:  # pragma: no cover - the point of the test
        pytest.fail(f"extract hit RecursionError: {exc}")
    except Exception as exc:  # pragma: no cover - the point of the test
        pytest.fail(f"extract raised undocumented {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - t0
    assert elapsed < bound, f"extract took {elapsed:.1f}s (bound {bound}s)"
    if isinstance(result, Document):
        check_document(result)
    else:
        assert isinstance(result, CopydeskError), type(result)
    return result


def extract_doc(data, options: Options | None = None, bound: float = SMALL_BOUND) -> Document:
    """Bad content must come back as a Document, never as an exception."""
    result = outcome(data, options, bound)
    if not isinstance(result, Document):
        pytest.fail(f"bad content must not raise, got {type(result).__name__}: {result}")
    return result


def check_document(doc: Document) -> None:
    """Invariants every returned Document satisfies, whatever the input."""
    assert isinstance(doc, Document)
    if doc.is_empty:
        assert isinstance(doc.empty_reason, str) and doc.empty_reason.strip(), \
            "an empty Document must say why (empty_reason)"
    else:
        assert doc.empty_reason is None, f"non-empty Document with empty_reason={doc.empty_reason!r}"
    for p in doc.paragraphs:
        assert p.role in ROLES, p.role
        assert isinstance(p.text, str) and p.text.strip(), "blank paragraph"
    text = doc.text
    assert "\x00" not in text, "NUL character in output"
    text.encode("utf-8")  # no lone surrogates
    json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8")
    for w in doc.warnings:
        assert isinstance(w, str)


def assert_empty(doc: Document) -> None:
    assert doc.is_empty, f"expected an empty Document, got text {doc.text[:200]!r}"
    assert doc.empty_reason


def assert_kept_or_explained(doc: Document, *snippets: str) -> None:
    """The text is not lost silently: it is in the body, or empty_reason says why."""
    if doc.is_empty:
        assert doc.empty_reason
    else:
        for s in snippets:
            assert s in " ".join(doc.text.split()), f"{s!r} lost from a non-empty Document"


PARAS_EN = [
    "The harbour authority said on Thursday that the northern pier would close for repairs in May, "
    "after divers found that several of its oak piles had been weakened by shipworm.",
    "Fishing boats that normally moor at the pier will be moved to the old ferry basin for the summer, "
    "a change that local skippers said would add about twenty minutes to every trip out to sea.",
    "The repairs are expected to cost about 3.4 million and to take until the end of September. "
    "The authority said it would publish a detailed schedule once a contractor had been chosen.",
    "Residents who use the pier for walking will be able to reach the lighthouse by the coastal path, "
    "which the town plans to widen and light before the pier closes.",
]


def page(paras: list[str], *, title: str = "Harbour pier to close for repairs", head: str = "",
         lang: str = "en") -> str:
    """A small but plausible article page around `paras`."""
    body = "\n".join(f'<p class="story-text">{p}</p>' for p in paras)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}<title>{title}</title></head>\n<body>\n'
        '<header class="site-header"><nav><a href="/">Home</a> <a href="/news">News</a> '
        '<a href="/sport">Sport</a> <a href="/contact">Contact</a></nav></header>\n'
        f'<main><article><h1>{title}</h1>\n{body}\n</article></main>\n'
        '<footer class="site-footer"><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>\n'
        "</body></html>\n"
    )


# --------------------------------------------------------------------------- empty / whitespace

@pytest.mark.parametrize("data", [b"", ""], ids=["bytes", "str"])
def test_empty_input(data):
    assert_empty(extract_doc(data))


@pytest.mark.parametrize("data", [
    b"   \n\t  \r\n ",
    "  \n\n\t ",
    "\u00a0\u2003\u3000\ufeff\n",
    b"\xef\xbb\xbf   \n",
], ids=["bytes", "str", "unicode-spaces", "bom-then-spaces"])
def test_whitespace_only(data):
    assert_empty(extract_doc(data))


@pytest.mark.parametrize("data", [
    b"<html><head></head><body></body></html>",
    b"<!DOCTYPE html><html><head><title>Only a title</title><script>var x = 1;</script></head><body>"
    b"<!-- nothing here --><style>p{color:red}</style></body></html>",
], ids=["empty-markup", "script-style-comment-only"])
def test_markup_without_text(data):
    assert_empty(extract_doc(data))


# --------------------------------------------------------------------------- binary junk

def _png() -> bytes:
    rng = random.Random(0)
    ihdr = b"IHDR" + (64).to_bytes(4, "big") + (64).to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    chunk = len(ihdr[4:]).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
    return b"\x89PNG\r\n\x1a\n" + chunk + rng.randbytes(20_000)


def _pdf() -> bytes:
    rng = random.Random(1)
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"4 0 obj\n<< /Length 5000 /Filter /FlateDecode >>\nstream\n" + rng.randbytes(20_000)
            + b"\nendstream\nendobj\n%%EOF\n")


BINARY = {
    "png": _png(),
    "pdf": _pdf(),
    "random": random.Random(0).randbytes(200_000),
    "nul-bytes": b"\x00" * 10_000,
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_junk(name):
    assert_empty(extract_doc(BINARY[name]))


def test_gzip_compressed_html_is_unpacked_or_refused():
    doc = extract_doc(gzip.compress(page(PARAS_EN).encode()))
    if not doc.is_empty:
        assert "shipworm" in doc.text
    assert_kept_or_explained(doc, "shipworm")


def test_nul_characters_inside_html():
    html = page([p.replace(" would ", " would\x00 ", 1) for p in PARAS_EN]).encode()
    doc = extract_doc(html)
    assert_kept_or_explained(doc, "shipworm", "ferry basin")


# --------------------------------------------------------------------------- encodings

PARAS_DE = [
    "Bürgermeister Jens Müller hat am Montag die neue Fußgängerbrücke über die Wümme eröffnet. "
    "Die Baukosten lagen bei 4,2 Millionen €, deutlich über der ursprünglichen Schätzung.",
    "Für die Anwohner im Süden der Stadt verkürzt sich der Weg zum Bahnhof um fast zwölf Minuten. "
    "Viele von ihnen hatten jahrelang auf die Brücke gewartet und schöne Pläne gehört.",
    "Kritik gab es dennoch: Die Grünen bemängelten, dass die Rampen für Rollstühle zu steil seien. "
    "Müller kündigte an, die Neigung bis zum Frühjahr von Gutachtern prüfen zu lassen.",
]


def _de_page(head: str = "") -> str:
    return page(PARAS_DE, title="Neue Brücke über die Wümme eröffnet", head=head, lang="de")


def _assert_german_ok(doc: Document) -> None:
    assert not doc.is_empty, doc.empty_reason
    text = doc.text
    for s in ("Müller", "Fußgängerbrücke", "4,2 Millionen €", "Grünen", "Süden"):
        assert s in text, f"{s!r} not decoded right: {text[:200]!r}"
    assert "\ufffd" not in text
    assert "Ã" not in text, "UTF-8 mojibake in output"


def test_windows_1252_without_charset():
    data = _de_page().encode("windows-1252")
    assert b"M\xfcller" in data and b"\x80" in data  # euro sign is 0x80 in windows-1252
    _assert_german_ok(extract_doc(data))


def test_lying_meta_charset_utf8_on_windows_1252_bytes():
    data = _de_page('<meta charset="utf-8">').encode("windows-1252")
    doc = extract_doc(data)
    assert not doc.is_empty, doc.empty_reason
    if "Müller" not in doc.text:
        # Acceptable only if the damage is recorded (decode: "replace and record it").
        assert doc.warnings, "undecodable bytes replaced silently"


def test_utf8_bom_wins_over_meta():
    html = _de_page('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    doc = extract_doc(b"\xef\xbb\xbf" + html.encode("utf-8"))
    _assert_german_ok(doc)
    assert "\ufeff" not in doc.text and "ï»¿" not in doc.text
    if doc.title is not None:
        assert doc.title == "Neue Brücke über die Wümme eröffnet"


@pytest.mark.parametrize("codec,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_bom(codec, bom):
    doc = extract_doc(bom + _de_page().encode(codec))
    _assert_german_ok(doc)
    assert "\ufeff" not in doc.text


PARAS_JA = [
    "東京都内の小さな図書館が、今月から夜十時まで開館時間を延長した。仕事帰りの会社員や受験生の利用が増えており、"
    "館長は「静かに勉強できる場所を求める声が多かった」と話している。",
    "図書館では、延長した時間帯に限り、予約した本の受け取りや自習室の利用ができる。利用者は事前にインターネットで"
    "席を予約する必要があるが、当日に空席があれば窓口でも受け付ける。",
    "区は来年度、同様の取り組みをほかの三つの図書館にも広げるかどうかを検討する。職員の配置や光熱費の増加が課題になるという。",
]

PARAS_ZH = [
    "今年春天，这座北方城市的居民第一次在家门口看到了成片开放的杏花。当地园林部门表示，这些杏树是五年前沿着旧铁路线种下的，"
    "如今已经成为市民周末散步的好去处。",
    "园林部门负责人介绍，旧铁路停运后，沿线留下了大片空地。经过多次讨论，城市决定把它改造成一条长约八公里的绿道，"
    "并在两侧种植耐寒的果树和灌木。",
    "不少市民在社交媒体上分享照片。一位退休教师说，她每天早上都会来这里走一圈，看着花一天天开放，心情也变得特别好。",
]


@pytest.mark.parametrize("codec,meta,paras,title,snippets", [
    ("shift_jis", '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', PARAS_JA,
     "図書館が開館時間を延長", ["開館時間を延長した", "静かに勉強できる場所", "光熱費の増加"]),
    ("gbk", '<meta charset="gbk">', PARAS_ZH,
     "旧铁路变身绿道", ["成片开放的杏花", "八公里的绿道", "退休教师"]),
], ids=["shift_jis", "gbk"])
def test_cjk_with_correct_meta(codec, meta, paras, title, snippets):
    lang = "ja" if codec == "shift_jis" else "zh"
    doc = extract_doc(page(paras, title=title, head=meta, lang=lang).encode(codec))
    assert not doc.is_empty, doc.empty_reason
    for s in snippets:
        assert s in doc.text
    assert "\ufffd" not in doc.text


def test_str_with_lone_surrogate():
    html = page(PARAS_EN[:2] + ["Broken \ud800 surrogate in a paragraph that is otherwise long enough to keep, "
                                "written by a scraper that decoded with surrogateescape."] + PARAS_EN[2:])
    doc = extract_doc(html)
    assert_kept_or_explained(doc, "shipworm")


# --------------------------------------------------------------------------- broken markup

def test_truncated_in_the_middle_of_a_tag():
    html = page(PARAS_EN)
    cut = html.index('<p class="story-text">' + PARAS_EN[-1][:10]) + len('<p cla')
    doc = extract_doc(html[:cut].encode())
    assert_kept_or_explained(doc, "shipworm", "ferry basin")


def test_truncated_in_the_middle_of_an_attribute_value():
    html = page(PARAS_EN).replace('<p class="story-text">' + PARAS_EN[-1][:10],
                                  '<a href="https://example.org/pier?x=1&amp;y=' + PARAS_EN[-1][:10], 1)
    cut = html.index("&amp;y=") + 3
    doc = extract_doc(html[:cut])
    assert_kept_or_explained(doc, "shipworm")


@pytest.mark.parametrize("tail", ["Smith &am", "Smith &#82", "Smith &#x2", "Smith &"])
def test_truncated_in_the_middle_of_an_entity(tail):
    paras = PARAS_EN + ["The contract is expected to go to the local firm " + tail]
    html = page(paras)
    html = html[: html.index(tail) + len(tail)]
    doc = extract_doc(html.encode())
    assert_kept_or_explained(doc, "shipworm", "ferry basin")


def test_truncated_in_the_middle_of_a_utf8_character():
    data = _de_page().encode("utf-8")
    cut = data.index("Frühjahr".encode()) + 3  # inside the two bytes of "ü"
    doc = extract_doc(data[:cut])
    assert_kept_or_explained(doc, "Fußgängerbrücke")


def test_truncated_in_comment_and_script():
    html = page(PARAS_EN)
    i = html.index("</article>")
    for inject in ("<!-- unterminated comment ", "<script>var x = '<p>"):
        doc = extract_doc(html[:i] + inject)
        assert_kept_or_explained(doc, "shipworm")


def test_unclosed_tags():
    html = ("<html><head><title>Pier closure<body><div class=wrap><main><article><h1>Pier closure"
            + "".join(f"<p>{p}" for p in PARAS_EN)
            + "<ul><li>First item about the pier<li>Second item about the ferry basin"
            + "<table><tr><td>Cell one<td>Cell two<div><span><em><strong>")
    doc = extract_doc(html)
    assert not doc.is_empty, doc.empty_reason
    for p in PARAS_EN:
        assert " ".join(p.split()[:8]) in doc.text


def test_mismatched_and_stray_end_tags():
    html = page(PARAS_EN).replace("</p>", "</div></span></p></b></article>", 2)
    doc = extract_doc(html)
    assert_kept_or_explained(doc, "shipworm", "ferry basin")


@pytest.mark.parametrize("junk", [
    "a" * 2_000_000,                      # one 2 MB word
    "<" * 300_000,
    "&" * 300_000,
    "<p>" + "<a href=x>l</a> " * 50_000,  # one paragraph of 50,000 links
], ids=["huge-word", "lt-run", "amp-run", "link-soup"])
def test_pathological_tokens_are_bounded(junk):
    html = page(PARAS_EN[:2] + [junk] + PARAS_EN[2:])
    doc = extract_doc(html, bound=20.0)
    assert_kept_or_explained(doc, "shipworm")


# --------------------------------------------------------------------------- not an article

def test_all_navigation_page():
    links = "".join(f'<li><a href="/section/{i}">Section {i} news and updates</a></li>' for i in range(80))
    html = ('<!DOCTYPE html><html><head><title>Example News - Sections</title></head><body>'
            '<header class="masthead"><a href="/"><img src="/logo.svg" alt="Example News"></a>'
            f'<nav class="main-menu"><ul>{links}</ul></nav></header>'
            '<div class="sidebar"><ul>' + links.replace("/section/", "/topic/") + '</ul></div>'
            '<footer><a href="/about">About</a> | <a href="/privacy">Privacy Policy</a> | '
            '<a href="/terms">Terms of Use</a> | <span>© 2024 Example News</span></footer></body></html>')
    assert_empty(extract_doc(html.encode()))


@pytest.mark.parametrize("n", [300, 1000])
def test_long_article_keeps_its_paragraphs(n, distinct_paragraphs):
    """A very long article is still an article: its paragraphs are not taken for a comment thread."""
    paras = distinct_paragraphs(n)
    doc = extract_doc(page(paras).encode())
    text = " ".join(doc.text.split())
    kept = sum(p in text for p in paras)
    assert kept >= 0.95 * n, f"kept {kept} of {n} paragraphs"


def test_plain_prose_without_tags():
    text = "\n\n".join(PARAS_EN).encode()
    doc = extract_doc(text)
    assert_kept_or_explained(doc, "shipworm", "coastal path")


def test_json_payload():
    payload = json.dumps({
        "id": 48213, "type": "article", "headline": "Harbour pier to close for repairs",
        "body": " ".join(PARAS_EN), "tags": ["harbour", "repairs"], "published": "2024-03-12T06:00:00Z",
    }).encode()
    doc = extract_doc(payload)
    if doc.is_empty:
        assert doc.empty_reason
    else:
        assert '{"' not in doc.text and '": ' not in doc.text, "raw JSON returned as an article"


def test_rss_feed():
    items = "".join(
        f"<item><title>Item {i}: {p[:40]}</title><link>https://example.org/{i}</link>"
        f"<description><![CDATA[<p>{p}</p>]]></description><pubDate>Tue, 12 Mar 2024 06:00:00 GMT</pubDate></item>"
        for i, p in enumerate(PARAS_EN))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Example News</title>'
           f"<link>https://example.org/</link><description>Latest news</description>{items}</channel></rss>")
    doc = extract_doc(xml.encode())
    if doc.is_empty:
        assert doc.empty_reason
    for junk in ("<?xml", "CDATA", "]]>", "<p>"):
        assert junk not in doc.text


# --------------------------------------------------------------------------- wrong types

@pytest.mark.parametrize("arg", [None, 42, 3.5, ["<p>x</p>"], {"html": "<p>x</p>"}, object()],
                         ids=["None", "int", "float", "list", "dict", "object"])
def test_wrong_argument_type(arg):
    with pytest.raises(TypeError):
        copydesk.extract(arg)


# --------------------------------------------------------------------------- huge and deep (child process)

_CHILD = r"""
import json, resource, sys, time
case, limit_gb = sys.argv[1], float(sys.argv[2])
lim = int(limit_gb * 2**30)
resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
import copydesk
from copydesk import CopydeskError, Document, Options

PARA = ("<p>Paragraph {i}: the council met again on the river bank to discuss the water level, "
        "the new footbridge and the price of grain at the autumn market. Members agreed that the "
        "repairs to the old weir could not wait for another winter and asked the engineers for a "
        "plan, a budget and a timetable before the next meeting, which is set for the first Monday "
        "of the month in the town hall. Residents may attend and ask questions in writing.</p>\n")
DEEP_TEXT = ("The committee published its findings on Monday after a year of hearings, and said the "
             "town would need to replace the weir within five years to protect the lower meadows.")

def build(case):
    if case.startswith("big"):
        parts, size, i = [], 0, 0
        while size < 50 * 2**20:
            s = PARA.format(i=i); parts.append(s); size += len(s); i += 1
        return ("<!DOCTYPE html><html><head><title>Council minutes</title></head><body><article>"
                "<h1>Council minutes</h1>" + "".join(parts) + "</article></body></html>").encode()
    tag = case.split("-")[1]
    n = 100_000
    return ("<!DOCTYPE html><html><head><title>Deep</title></head><body>" + ("<%s>" % tag) * n
            + "<h1>Deep nesting</h1>" + ("<p>%s</p>" % DEEP_TEXT) * 3 + ("</%s>" % tag) * n
            + "</body></html>").encode()

data = build(case)
opts = {"big-default": Options(timeout=None), "big-timeout": Options(timeout=0.05)}.get(case)
t0 = time.perf_counter()
out = {"case": case, "input_bytes": len(data)}
try:
    doc = copydesk.extract(data, options=opts)
    out.update(kind="doc", empty=doc.is_empty, empty_reason=doc.empty_reason, n=len(doc.paragraphs),
               first=doc.paragraphs[0].text[:300] if doc.paragraphs else "",
               has_deep=DEEP_TEXT in " ".join(doc.text.split()),
               has_p0="Paragraph 0:" in doc.text, has_p1000="Paragraph 1000:" in doc.text)
except CopydeskError as exc:
    out.update(kind="copydesk_error", type=type(exc).__name__, msg=str(exc)[:300])
except BaseException as exc:
    out.update(kind="other_error", type=type(exc).__name__, msg=str(exc)[:300])
out["seconds"] = time.perf_counter() - t0
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(out), flush=True)
"""


def run_child(case: str, *, wall: float, mem_gb: float) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("OMP_NUM_THREADS", "1")
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, case, str(mem_gb)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=wall)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: no answer within {wall}s (hang?)")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        pytest.fail(f"{case}: child died (rc={proc.returncode}); stderr tail:\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1][len("RESULT "):])


@pytest.mark.parametrize("tag", ["div", "b"])
def test_100k_deep_nesting(tag):
    r = run_child(f"deep-{tag}", wall=60, mem_gb=6)
    assert r["kind"] != "other_error", f"{r['type']}: {r['msg']}"
    assert r["kind"] == "doc", f"bad content must not raise: {r}"
    assert r["seconds"] < 15, f"100,000-deep <{tag}> took {r['seconds']:.1f}s"
    assert r["maxrss_mb"] < 1500, f"peak RSS {r['maxrss_mb']:.0f} MB"
    # flattened, not dropped (options.MAX_DEPTH): the text is kept or the reason given
    assert r["has_deep"] or (r["empty"] and r["empty_reason"]), r


@pytest.mark.slow
def test_50mb_page_finishes():
    r = run_child("big-default", wall=150, mem_gb=10)
    assert r["kind"] != "other_error", f"{r['type']}: {r['msg']}"
    assert r["kind"] == "doc", f"timeout=None must not raise: {r}"
    assert r["seconds"] < 60, f"50 MB page took {r['seconds']:.1f}s"
    assert r["maxrss_mb"] < 4096, f"peak RSS {r['maxrss_mb']:.0f} MB for a 50 MB page"
    assert not r["empty"], r
    assert r["has_p0"] and r["has_p1000"], r


@pytest.mark.slow
def test_50mb_page_with_small_timeout_raises_extraction_timeout():
    r = run_child("big-timeout", wall=90, mem_gb=10)
    assert r["kind"] == "copydesk_error" and r["type"] == ExtractionTimeout.__name__, r
    assert r["seconds"] < 15, f"timeout=0.05 honoured only after {r['seconds']:.1f}s"


def test_small_timeout_on_small_page_is_fine_or_times_out():
    """A tiny limit on a tiny page: a Document or ExtractionTimeout, nothing else."""
    result = outcome(page(PARAS_EN).encode(), Options(timeout=1e-9))
    assert isinstance(result, (Document, ExtractionTimeout)), type(result)
