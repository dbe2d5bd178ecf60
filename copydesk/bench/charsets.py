"""Charset recovery (``copydesk bench --charsets``): can a decoder read a page whose charset is missing or wrong?

Web archives hold many pages in legacy charsets whose declaration is missing or
names the wrong one (a template's ``<meta charset="utf-8">`` over Windows-1252
bytes). Cases are made from the shared pages: each UTF-8 page with non-ASCII text
that a legacy charset can hold is encoded in it, with its own charset
declarations defused, either bare or under a lying ``<meta charset="utf-8">``.
A decoder recovers a case when its text equals the page's exactly. Pages whose
bytes in that charset are still valid UTF-8 are left out (nothing to recover).
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence

from .accuracy import markdown_table
from .peers import version_of

#: Legacy charsets the cases are made in.
CODECS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "iso8859_2",
          "koi8_r", "shift_jis", "gb18030", "euc_kr")
#: Cases per charset and condition (the first pages, in a fixed shuffle, that the charset can hold).
PER_CODEC = 60
CONDITIONS = ("no declaration", 'lying <meta charset="utf-8">')
_DECLARATION = re.compile(r"charset", re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)


def _copydesk(raw: bytes) -> str:
    from ..decode import decode
    return decode(raw).text


def _trafilatura(raw: bytes) -> str:
    from trafilatura.utils import decode_file
    return decode_file(raw)


def _resiliparse(raw: bytes) -> str:
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    return bytes_to_str(raw, detect_encoding(raw, from_html_meta=True))


def _charset_normalizer(raw: bytes) -> str:
    from charset_normalizer import from_bytes
    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", "replace")


#: name → (distribution that must be installed, bytes → str).
DECODERS: dict[str, tuple[str | None, Callable[[bytes], str]]] = {
    "copydesk": (None, _copydesk),
    "trafilatura": ("trafilatura", _trafilatura),
    "resiliparse": ("resiliparse", _resiliparse),
    "charset-normalizer": ("charset-normalizer", _charset_normalizer),
    "utf-8, replacing": (None, lambda raw: raw.decode("utf-8", "replace")),
}


def _lie(text: str) -> str:
    """`text` with a `<meta charset="utf-8">` at the start of its head (or of the text)."""
    lying, n = _HEAD.subn(lambda m: m.group(0) + '<meta charset="utf-8">', text, count=1)
    return lying if n else '<meta charset="utf-8">' + text


def cases(pages: Sequence, lying: bool, per_codec: int = PER_CODEC, seed: int = 3) -> Iterator[tuple[str, bytes, str]]:
    """(charset, bytes, expected text) for each case of one condition."""
    texts = []
    for page in pages:
        try:
            text = page.html.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.isascii():
            texts.append(_DECLARATION.sub("charsex", text))
    random.Random(seed).shuffle(texts)
    if lying:
        texts = [_lie(t) for t in texts]
    for codec in CODECS:
        made = 0
        for text in texts:
            try:
                raw = text.encode(codec)
                raw.decode("utf-8")
                continue  # still valid UTF-8: nothing to recover
            except UnicodeEncodeError:
                continue
            except UnicodeDecodeError:
                pass
            yield codec, raw, text
            made += 1
            if made >= per_codec:
                break


def available() -> dict[str, Callable[[bytes], str]]:
    return {name: fn for name, (dist, fn) in DECODERS.items()
            if dist is None or version_of(dist) != "not installed"}


def run_charsets(pages: Sequence, per_codec: int = PER_CODEC) -> str:
    """The Markdown report: per condition, the share of cases each decoder recovers, per charset."""
    decoders = available()
    parts = []
    for lying, condition in zip((False, True), CONDITIONS):
        hits: dict[tuple[str, str], int] = {}
        totals: dict[str, int] = {}
        for codec, raw, text in cases(pages, lying, per_codec):
            totals[codec] = totals.get(codec, 0) + 1
            for name, fn in decoders.items():
                try:
                    ok = fn(raw) == text
                except Exception:  # a decoder that crashes has not recovered the page
                    ok = False
                hits[(name, codec)] = hits.get((name, codec), 0) + ok
        codecs = [c for c in CODECS if totals.get(c)]
        rows = [[c, str(totals[c])] + [f"{hits[(n, c)] / totals[c]:.2f}" for n in decoders] for c in codecs]
        n_all = sum(totals.values())
        rows.append(["**all**", str(n_all)] + [f"**{sum(hits[(n, c)] for c in codecs) / n_all:.3f}**" if n_all else "-"
                                           for n in decoders])
        parts.append(f"#### {condition}\n\n" + markdown_table(["charset", "cases", *decoders], rows,
                                                              ["l", "r"] + ["r"] * len(decoders)))
    return ("### Charset recovery (share of cases decoded to the exact text)\n\n"
            + __doc__.split("\n\n")[1].replace("\n", " ") + "\n\n" + "\n\n".join(parts) + "\n")
