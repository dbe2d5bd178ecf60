"""`Options`: the knobs a caller can set, passed down through every stage.

Named limits live here too, once, so that a reader finds every threshold in
one place (as Readability.js does with its DEFAULT_* constants).
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

#: Inputs larger than this are truncated (and a warning recorded).
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: Elements nested deeper than this are flattened into their ancestor.
MAX_DEPTH = 256
#: A page with more blocks than this keeps only the first ones.
MAX_BLOCKS = 200_000
#: Default per-document time limit in seconds (None: no limit).
DEFAULT_TIMEOUT = 30.0
#: Scraped texts worth cleaning together (`textmode.clean_texts`): 16 or 64 at a time take about
#: 15 % less time than one by one, 256 about 20 % less (BENCHMARKS.md, scraped-text mode).
BATCH_PAGES = 256
#: ...and at most this many characters of them (a batch's lines are held at once).
BATCH_MAX_CHARS = 16_000_000


def compiled_part(name: str) -> ModuleType | None:
    """The compiled part ``copydesk.<name>`` (`_segment`, `_textstats`, `_linestats`), or None: not
    built here (no C compiler at install), or switched off by COPYDESK_NATIVE=0. The Python code
    that stands in gives the same results; the switch is for checks."""
    if os.environ.get("COPYDESK_NATIVE", "1").strip() == "0":
        return None
    try:
        return importlib.import_module(f"copydesk.{name}")
    except ImportError:
        return None


@dataclass(frozen=True)
class Options:
    """How to extract. Every stage receives the same object."""

    include_tables: bool = True
    include_comments: bool = False
    #: "balanced", "precision" (drop doubtful blocks) or "recall" (keep them).
    favor: str = "balanced"
    #: Wall-clock limit for one document; exceeding it raises ExtractionTimeout.
    timeout: float | None = DEFAULT_TIMEOUT
    #: Collect metadata (title, authors, date, ...). Off saves time in bulk runs.
    with_metadata: bool = True
    #: When the markup names no publication date, search the page for one with
    #: htmldate (about 30 ms more on a page that needs it); only on pages whose
    #: type is article or forum (`api.DATED_PAGE_TYPES`): a product page has none.
    find_dates: bool = False

    def __post_init__(self) -> None:
        if self.favor not in ("balanced", "precision", "recall"):
            raise ValueError(f"favor must be balanced, precision or recall, not {self.favor!r}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("timeout must be positive or None")
