"""The result of an extraction: `Document` and its `Paragraph`s.

This module owns the output shape shared by every entry point (HTML, scraped
text, batch, service). It holds no extraction logic; `text` and `markdown`
are renderings of `paragraphs` computed on demand.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Roles a paragraph can have; `write` and Markdown rendering key off these.
ROLES = ("heading", "paragraph", "list_item", "quote", "code", "table", "caption")


@dataclass(frozen=True)
class Paragraph:
    """One rendered unit of the article body, in document order."""

    text: str
    role: str = "paragraph"
    #: Heading level 1-6 for headings, nesting depth for list items, else 0.
    level: int = 0

    def to_markdown(self) -> str:
        if self.role == "heading":
            return "#" * min(max(self.level, 1) + 1, 6) + " " + self.text
        if self.role == "list_item":
            return "- " + self.text
        if self.role == "quote":
            return "\n".join("> " + line for line in self.text.splitlines())
        if self.role == "code":
            return "```\n" + self.text + "\n```"
        if self.role == "caption":
            return "*" + self.text + "*"
        return self.text


@dataclass
class Document:
    """A clean article: body paragraphs plus metadata.

    An empty document (no paragraphs) carries the reason in `empty_reason`
    (for example ``"empty input"``, ``"not html"``, ``"no content found"``).
    """

    paragraphs: list[Paragraph] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    date_modified: str | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    credits: list[str] = field(default_factory=list)
    bio: str | None = None
    #: Estimated quality of the extraction in [0, 1].
    confidence: float = 0.0
    #: What kind of page it is, one of `pagetype.PAGE_TYPES` ("article", "forum", "product", ...);
    #: None for scraped text.
    page_type: str | None = None
    empty_reason: str | None = None
    #: Non-fatal problems met on the way (e.g. undecodable bytes replaced).
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Body text, paragraphs separated by a blank line."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def markdown(self) -> str:
        """Body as Markdown, preceded by the title and a byline line."""
        head: list[str] = []
        if self.title:
            head.append("# " + self.title)
        byline = ", ".join(self.authors)
        if self.date:
            byline = f"{byline} · {self.date}" if byline else self.date
        if byline:
            head.append("*" + byline + "*")
        return "\n\n".join(head + [p.to_markdown() for p in self.paragraphs])

    @property
    def is_empty(self) -> bool:
        return not self.paragraphs

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["text"] = self.text
        return out
