"""copydesk as a datatrove extractor step.

This module owns `CopydeskExtractor`, a drop-in replacement for datatrove's
`Trafilatura` step::

    from datatrove.pipeline.readers import WarcReader
    from copydesk.integrations.datatrove import CopydeskExtractor
    pipeline = [WarcReader("s3://commoncrawl/..."), CopydeskExtractor(), ...]

Like every datatrove extractor, it receives a document's HTML as ``doc.text``
and replaces it with the extracted plain text (or Markdown with
``markdown=True``); empty results are dropped by datatrove's `BaseExtractor`,
which also runs `extract` in a sandbox process with a per-document timeout.
Needs ``pip install datatrove``; importing this module without it raises an
ImportError saying so.
"""
from __future__ import annotations

try:
    from datatrove.pipeline.extractors.base import BaseExtractor
except ImportError as exc:  # pragma: no cover - exercised only without datatrove
    raise ImportError("copydesk.integrations.datatrove needs datatrove: pip install datatrove") from exc

from ..options import Options


class CopydeskExtractor(BaseExtractor):
    """datatrove extractor step backed by `copydesk.extract`.

    Args:
        favor: "balanced", "precision" or "recall" (see `copydesk.Options`).
        include_tables: keep tables in the body.
        markdown: return Markdown (title, byline, headings) instead of plain text.
        timeout: per-document limit in seconds, enforced by datatrove's sandbox
            and passed to copydesk as ``Options(timeout=...)``.
        with_metadata: also extract metadata (only useful with ``markdown``, which
            prints title and byline); off by default for speed.
    """

    name = "📰 Copydesk"
    _requires_dependencies = ["copydesk"]

    def __init__(self, favor: str = "balanced", include_tables: bool = True, markdown: bool = False,
                 timeout: float = 1, with_metadata: bool = False):
        super().__init__(timeout)
        self.markdown = markdown
        self.options = Options(favor=favor, include_tables=include_tables, timeout=timeout,
                               with_metadata=with_metadata or markdown)

    def extract(self, text: str) -> str:
        """HTML in, article text (or Markdown) out; "" when the page has no article."""
        from ..api import extract

        if not text:
            return ""
        doc = extract(text, options=self.options)
        return doc.markdown if self.markdown else doc.text
