"""Extractors of already-scraped text, for ``copydesk bench --input text``.

This module owns the calling convention of the text-mode extractors: each is
a ``Page -> str`` over the pages of ``render.text_pages`` (whose ``html``
holds the UTF-8 text rendering):

- ``copydesk-text``: ``copydesk.clean_text`` with the shipped line model
  (trained on these very pages: in-sample, not an accuracy claim; the honest
  row is ``copydesk-text-oof`` from ``copydesk.train_text.oof_extractor``);
- ``copydesk-text-batch``: the same documents by ``copydesk.clean_texts``, which
  the speed run gives a whole chunk of pages a call (``batch``), as corpus mode
  does; named only, never part of ``all``;
- the three baselines of issue 5: ``keep-everything`` (every non-blank
  line), ``c4-line-filter`` (C4's line rule: a line is kept when it ends in
  terminal punctuation, has at least 3 words and does not mention
  javascript) and ``justext-lines`` (jusText, with the stoplist of the
  language py3langid detects as in ``peers.py``, over one ``<p>`` per line).
"""
from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from typing import Callable

from ..options import BATCH_PAGES
from .datasets import Page
from .render import page_text

#: Line endings C4 counts as terminal punctuation.
C4_TERMINAL = (".", "!", "?", '"', "'", "”")
C4_MIN_WORDS = 3
C4_BANNED = "javascript"


def text_lines(text: str) -> list[str]:
    """Non-blank lines, stripped."""
    return [s for s in (line.strip() for line in text.splitlines()) if s]


def keep_everything(text: str) -> str:
    return "\n".join(text_lines(text))


def c4_keep(line: str) -> bool:
    """C4's line filter for one stripped line."""
    return line.endswith(C4_TERMINAL) and len(line.split()) >= C4_MIN_WORDS and C4_BANNED not in line.lower()


def c4_line_filter(text: str) -> str:
    return "\n".join(line for line in text_lines(text) if c4_keep(line))


def lines_html(text: str) -> bytes:
    """One ``<p>`` per line, the document jusText is run over."""
    paras = "".join(f"<p>{html_lib.escape(line)}</p>" for line in text_lines(text))
    return f"<html><head><meta charset=\"utf-8\"></head><body>{paras}</body></html>".encode("utf-8")


def justext_lines(text: str) -> str:
    from .peers import load_peer
    return load_peer("justext")(lines_html(text), None)


def copydesk_text(text: str) -> str:
    from copydesk.textmode import clean_text
    return clean_text(text).text


def copydesk_texts(texts: list[str]) -> list[str]:
    from copydesk import clean_texts
    return [doc.text for doc in clean_texts(texts)]


TEXT_EXTRACTORS: dict[str, Callable[[str], str]] = {
    "copydesk-text": copydesk_text,
    "keep-everything": keep_everything,
    "c4-line-filter": c4_line_filter,
    "justext-lines": justext_lines,
}


#: Pages of a speed run's chunk with text input: what `copydesk-text-batch` gets a call, as the
#: corpus paths give `clean_texts`.
SPEED_CHUNK_PAGES = BATCH_PAGES
#: Extractors that clean many pages a call (`BatchTextExtractor`); selected by name only.
BATCH_EXTRACTORS: dict[str, Callable[[list[str]], list[str]]] = {"copydesk-text-batch": copydesk_texts}


@dataclass(frozen=True)
class TextExtractor:
    """Picklable ``Page -> str`` wrapper around a named text extractor."""

    name: str

    def __call__(self, page: Page) -> str:
        return TEXT_EXTRACTORS[self.name](page_text(page))

    def warm_up(self) -> None:
        """Load the model / import jusText now so that timing excludes it."""
        self(Page(id="warm-up", dataset="", html=b"Warm up line one.\n\nWarm up line two.", url=None, host="",
                  page_type=""))


@dataclass(frozen=True)
class BatchTextExtractor(TextExtractor):
    """A `TextExtractor` of `BATCH_EXTRACTORS`: one page a call, or many by `batch`."""

    def __call__(self, page: Page) -> str:
        return self.batch([page])[0]

    def batch(self, pages: list[Page]) -> list[str]:
        return BATCH_EXTRACTORS[self.name]([page_text(p) for p in pages])


def _known() -> list[str]:
    return [*TEXT_EXTRACTORS, *BATCH_EXTRACTORS]


def text_extractors(names: list[str] | tuple[str, ...] | None = None) -> dict[str, Callable[[Page], str]]:
    """``name -> Page -> str`` for `names` (default: all of `TEXT_EXTRACTORS`)."""
    names = list(TEXT_EXTRACTORS) if names is None else list(names)
    unknown = [n for n in names if n not in _known()]
    if unknown:
        raise KeyError(f"unknown text extractor(s): {', '.join(unknown)}; known: {', '.join(_known())}")
    return {n: BatchTextExtractor(n) if n in BATCH_EXTRACTORS else TextExtractor(n) for n in names}


#: Modules a text extractor needs beyond copydesk.
NEEDS: dict[str, str] = {"justext-lines": "justext"}


def available(spec: str | None) -> tuple[list[str], list[str]]:
    """`--compare` for text input -> (runnable, not installed); None/''/'all' = every one, 'none' = copydesk-text."""
    import importlib.util

    spec = (spec or "all").strip().lower()
    if spec == "all":
        names = list(TEXT_EXTRACTORS)
    else:
        names = list(dict.fromkeys(["copydesk-text"] + [n.strip() for n in spec.split(",")
                                                         if n.strip() and n.strip() != "none"]))
    unknown = [n for n in names if n not in _known()]
    if unknown:
        raise KeyError(f"unknown text extractor(s): {', '.join(unknown)}; known: {', '.join(_known())}")
    ok = [n for n in names if n not in NEEDS or importlib.util.find_spec(NEEDS[n]) is not None]
    return ok, [n for n in names if n not in ok]


def distributions(names: list[str]) -> list[str]:
    """Peer names (`peers.PEERS`) whose versions the report lists for these text extractors."""
    return ["copydesk"] + (["justext"] if "justext-lines" in names else [])
