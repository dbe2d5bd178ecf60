"""`Block`: the unit every stage after segmentation works on.

HTML segmentation (`segment`) and scraped-text segmentation (`textmode`)
both produce a flat list of blocks in reading order; featurize, score, label
and assemble never look back at the DOM.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Bit flags describing where a block sits; set by segmentation, read as features.
IN_ARTICLE = 1 << 0      # inside <article>, <main>, role=main or itemprop=articleBody
IN_NAV = 1 << 1          # inside <nav>, role=navigation
IN_HEADER = 1 << 2       # inside <header> (page or section header)
IN_FOOTER = 1 << 3       # inside <footer>, role=contentinfo
IN_ASIDE = 1 << 4        # inside <aside>, role=complementary
IN_FORM = 1 << 5         # inside <form>, <button>, <select>, <label>
IN_TABLE = 1 << 6        # inside a <table>
IN_LIST = 1 << 7         # inside <ul>/<ol>/<dl>
IN_FIGURE = 1 << 8       # inside <figure> or a figcaption
IN_NOSCRIPT = 1 << 9     # text recovered from <noscript>
IN_ARTICLE_BODY = 1 << 10  # itemprop=articleBody / class "article-body"-like schema markers
IN_COMMENTS = 1 << 11    # inside an element whose class/id says comment(s)
IN_BLOCKQUOTE = 1 << 12
IN_PRE = 1 << 13
IN_HEADING = 1 << 14     # the block element itself is h1-h6
IN_LINK_BLOCK = 1 << 15  # the whole block is one link
IN_HIDDEN = 1 << 16      # aria-hidden / hidden-ish class (kept, but flagged)
IN_DIALOG = 1 << 17      # role=dialog/alertdialog, <dialog>, modal-ish

# Kinds, i.e. the paragraph role the block would take in the output.
KINDS = ("paragraph", "heading", "list_item", "quote", "code", "table", "caption")


@dataclass(slots=True)
class Block:
    """A piece of text that renders on its own line."""

    text: str
    #: Paragraph role it would take in the output (one of KINDS).
    kind: str = "paragraph"
    #: Tag of the nearest block-level element ("line" for scraped text).
    tag: str = "line"
    #: Heading level or list nesting depth.
    level: int = 0
    #: Position in the page, 0-based, in reading order.
    index: int = 0
    #: DOM depth of the block element (0 for text lines).
    depth: int = 0
    #: Characters of text inside links.
    link_chars: int = 0
    #: Bitmask of IN_* flags.
    flags: int = 0
    #: Space-separated lowercase class/id tokens of the block element and its ancestors.
    attrs: str = ""
    #: Ids (pre-order numbers) of the ancestor elements, root first, block element last.
    ancestors: tuple[int, ...] = ()
    #: Tag names matching `ancestors`.
    path: tuple[str, ...] = ()


def ancestor_ids(blocks: Sequence[Block], up: int) -> np.ndarray:
    """Id of each block's ancestor `up` levels above its block element (1: parent), -1 above the root.

    Element ids are unique, so blocks with the same id share that container (and all above it).
    """
    k = up + 1
    return np.fromiter((b.ancestors[-k] if len(b.ancestors) >= k else -1 for b in blocks), np.int64, len(blocks))
