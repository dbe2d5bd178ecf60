"""decode: raw bytes → str, and a first look at what the bytes are.

Owns charset handling and content sniffing. Never raises on bad bytes: it
replaces what cannot be decoded and records why in `Decoded.warnings`.

Order (each step only when the previous gave nothing):
1. a byte-order mark, or UTF-16 recognised by its zero bytes without one;
2. strict UTF-8 (valid UTF-8 with non-ASCII bytes is overwhelmingly UTF-8,
   whatever a `<meta charset>` claims), or UTF-8 with a few stray bytes (a
   crawl artefact) when it holds at least as many valid multi-byte sequences
   as bad bytes and no other charset is declared;
3. the declared charset (HTTP header, then `<meta charset>` / `http-equiv`),
   if the bytes decode under it without error;
4. statistical detection (charset-normalizer) on a sample, windows-1252
   winning a tie (the web's default for undeclared pages; charset-normalizer
   orders the single-byte Western code pages arbitrarily when they fit alike),
   unless uchardet (resiliparse) names an East Asian multi-byte charset that
   decodes the bytes without error: its byte-sequence models see those where
   charset-normalizer's language measures, on a page with few such
   characters, do not;
5. windows-1252 with replacement.

Text can also arrive decoded twice: UTF-8 read as Windows-1252 or Latin-1 somewhere upstream and
stored again as UTF-8 ("cafÃ©", "itâ€™s"). Its bytes are valid UTF-8, so nothing above can tell;
`mojibake_hits` counts the marks such text leaves and `fix_mojibake` repairs it (ftfy): the HTML
path's output fields (`api`) and scraped text as it comes in (`textmode`).
"""
from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

#: Bytes scanned for a `<meta charset>` declaration.
META_SCAN_BYTES = 4096
#: Bytes given to statistical detection (it is slow on whole pages).
DETECT_SAMPLE_BYTES = 65536
#: How close to charset-normalizer's best match windows-1252 must come to be preferred: mess ratio
#: (chaos) at most this much higher, language coherence at most this much lower.
TIE_CHAOS = 0.01
TIE_COHERENCE = 0.1
#: Multi-byte charsets uchardet's answer is taken for over charset-normalizer's.
EAST_ASIAN = frozenset(("shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb18030", "gbk", "gb2312", "big5",
                        "big5hkscs", "cp950", "euc_kr", "cp949"))
#: Largest gzip payload we inflate from an input that turns out to be gzipped.
MAX_GUNZIP_BYTES = 64 * 1024 * 1024

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-:.]{1,40})", re.IGNORECASE)
#: Browsers treat these labels as windows-1252 (WHATWG encoding standard).
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "iso_8859-1", "windows-1252", "cp1252"}

#: Marks of text decoded twice: UTF-8 read as Windows-1252 ("Ã©" for "é", "â€™" for "’", "Â" before
#: a no-break space) or as Latin-1 ("â" and a C1 control for "’"), and a replacement character read so.
MOJIBAKE_RE = re.compile(r"Ã[\x80-\xbf ]|â€|â[\x80-\x9f]|Â[\xa0-\xbf]|ï¿½|\ufffd")
#: Every MOJIBAKE_RE match starts with one of these characters: a cheap test before the regex
#: (searching a page for a single character costs a thirtieth of searching it for "â€").
_MOJIBAKE_LEADS = ("Ã", "â", "Â", "ï", "\ufffd")
#: The warnings both paths give after `fix_mojibake`, or when ftfy is missing.
MOJIBAKE_REPAIRED = "mojibake repaired (ftfy)"
MOJIBAKE_LEFT = "text looks mis-decoded (install ftfy to repair)"

#: Half of a UTF-16 surrogate pair: a JSON "\ud83d" escape cut from its partner, or a file-name
#: byte that is not UTF-8 (Python's surrogateescape). No UTF-8 encoder takes one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

#: File signatures of content that is certainly not a web page.
_MAGIC = (
    (b"\x89PNG", "png image"), (b"GIF8", "gif image"), (b"\xff\xd8\xff", "jpeg image"),
    (b"%PDF", "pdf document"), (b"PK\x03\x04", "zip archive"), (b"RIFF", "riff media"),
    (b"\x00\x00\x00", "binary data"), (b"OggS", "ogg media"), (b"ID3", "mp3 audio"),
    (b"\x7fELF", "executable"), (b"BM", None), (b"wOFF", "font"), (b"wOF2", "font"),
)
#: Control bytes other than whitespace and escape.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Decoded:
    """Text ready to parse, or the reason there is none."""

    text: str
    encoding: str | None
    #: Set when the bytes are not text at all (e.g. "png image").
    not_text: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: The input bytes when they are exactly `text` in UTF-8: the parser reads them as they are.
    utf8: bytes | None = None


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a `LONE_SURROGATE` (an ASCII string is answered without a search)."""
    return not text.isascii() and LONE_SURROGATE.search(text) is not None


def mojibake_hits(text: str) -> int:
    """How many `MOJIBAKE_RE` marks `text` holds (most texts are answered without the regex)."""
    if not any(lead in text for lead in _MOJIBAKE_LEADS):
        return 0
    return len(MOJIBAKE_RE.findall(text))


#: A character that may make ftfy's `fix_text` change its line: anything but a newline and printable
#: ASCII other than "&" (HTML entities).
_FTFY_ACTIVE_RE = re.compile(r"[^\n\x20-\x25\x27-\x7e]")


def fix_mojibake(text: str, fix_all: bool = False) -> str | None:
    """`text` with what was decoded twice decoded right (ftfy's `fix_encoding`; with `fix_all`,
    its whole `fix_text`: also control characters, HTML entities, quotes), or None without ftfy.
    ftfy leaves text it does not judge broken as it is. Imported on first use: 30 ms of a
    process's start that pages without mojibake never need."""
    try:
        import ftfy  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - a dependency, but the repair is optional
        return None
    return _fix_text(ftfy, text) if fix_all else ftfy.fix_encoding(text)


def _fix_text(ftfy: Any, text: str) -> str:
    """``ftfy.fix_text(text, normalization="NFC")``, the same string, with ftfy run over the lines
    it could change only (a tenth of a page's lines, commonly; ftfy takes some 20 µs a line).

    fix_text mends each line on its own (and every `max_decode_length` characters of a longer
    one), with one state: from the first piece holding a "<" on, it leaves HTML entities alone.
    A line of printable ASCII without "&" is left as it is by every one of its steps
    (`_FTFY_ACTIVE_RE`). So the text is cut where that state changes, and within each part every
    line holding an active character is mended, with the part's setting."""
    step = ftfy.TextFixerConfig().max_decode_length
    lt = text.find("<")
    cut = len(text)
    if lt >= 0:  # the start of the piece fix_text finds the first "<" in
        line = text.rfind("\n", 0, lt) + 1
        cut = line + (lt - line) // step * step
    out: list[str] = []
    for part, entities in ((text[:cut], "auto"), (text[cut:], False)):
        pos = 0
        while (m := _FTFY_ACTIVE_RE.search(part, pos)) is not None:
            start = part.rfind("\n", pos, m.start()) + 1 or pos
            end = part.find("\n", m.end()) + 1 or len(part)
            out.append(part[pos:start])
            out.append(ftfy.fix_text(part[start:end], normalization="NFC", unescape_html=entities))
            pos = end
        out.append(part[pos:])
    return "".join(out)


def _normalise_label(label: str) -> str | None:
    label = label.strip().lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the HTTP header or, failing that, a `<meta>` tag."""
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m and (enc := _normalise_label(m.group(1))):
            return enc
    m = _META_CHARSET.search(data[:META_SCAN_BYTES])
    if m:
        return _normalise_label(m.group(1).decode("ascii", "ignore"))
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes are UTF-16 text without a byte-order mark (ASCII
    markup leaves a zero byte in every other position), else None."""
    sample = data[:2048]
    if len(sample) < 16 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, text, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.01 * len(text):
            return name
    return None


def sniff_binary(data: bytes) -> str | None:
    """Name the kind of binary content, or None when the bytes look like text."""
    head = data[:16]
    for magic, name in _MAGIC:
        if head.startswith(magic) and name:
            return name
    sample = data[:2048]
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE) or utf16_without_bom(data):
        return None
    # Control bytes other than whitespace are rare in any text encoding we accept.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.10:
        return "binary data"
    return None


def maybe_gunzip(data: bytes) -> bytes:
    """Inflate gzip-compressed input (bounded); other bytes pass through."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, MAX_GUNZIP_BYTES)
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError):
        return data


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode page bytes to text following the module's documented order."""
    warnings: list[str] = []
    data = maybe_gunzip(data)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(enc, "replace"), enc, None, warnings)
    not_text = sniff_binary(data)
    if not_text:
        return Decoded("", None, not_text, warnings)
    wide = utf16_without_bom(data)
    if wide:
        return Decoded(data.decode(wide, "replace"), wide, None, warnings)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", None, warnings, utf8=data)
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, content_type)
    # Mostly-valid UTF-8 with a few stray bytes is still UTF-8 (a common crawl artefact). Bytes with
    # no valid multi-byte sequence at all are a single-byte charset, however few (a Windows-1252
    # page with three curly quotes).
    if declared in (None, "utf-8"):
        text = data.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        valid = len(text) - len(text.encode("ascii", "ignore")) - bad
        if valid >= bad and bad <= max(2, len(data) // 2000):
            warnings.append(f"{bad} undecodable bytes replaced (utf-8)")
            return Decoded(text, "utf-8", None, warnings)
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return Decoded(data.decode(declared), declared, None, warnings)
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"declared charset {declared} does not fit the bytes")
    elif declared:
        warnings.append(f"declared charset {declared} does not fit the bytes")
    enc = _detect(data)
    if enc:
        text = data.decode(enc, "replace")
        if "\ufffd" in text:
            warnings.append(f"undecodable bytes replaced ({enc})")
        return Decoded(text, enc, None, warnings)
    warnings.append("charset unknown; decoded as windows-1252 with replacement")
    return Decoded(data.decode("cp1252", "replace"), "cp1252", None, warnings)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes
    from resiliparse.parse.encoding import detect_encoding

    sample = data[:DETECT_SAMPLE_BYTES]
    found = detect_encoding(sample, from_html_meta=False)
    multi = _normalise_label(found) if found else None
    if multi in EAST_ASIAN:
        try:
            data.decode(multi)
            return multi
        except UnicodeDecodeError:
            pass
    # Declarations were read before this step; charset-normalizer would trust a lying one.
    results = from_bytes(sample, preemptive_behaviour=False)
    best = results.best()
    if best is None:
        return None
    for m in results:
        if (m.chaos <= best.chaos + TIE_CHAOS and m.coherence >= best.coherence - TIE_COHERENCE
                and "cp1252" in {_normalise_label(e) for e in (m.encoding, *m.could_be_from_charset)}):
            return "cp1252"
    return _normalise_label(best.encoding)
