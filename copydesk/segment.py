"""segment: the pruned DOM becomes a flat list of `Block`s in reading order.

Owns the single walk over the tree. Each run of text that a browser would put
on its own line (paragraph, heading, list item, table cell, pre, caption, or
text between two block-level boundaries) becomes one `Block` carrying its
structural context: block-level ancestors, tag path, landmark flags
(`blocks.IN_*`) and class/id vocabulary hits (`VOCAB`).

The walk is iterative (no recursion, any depth) and checks the deadline every
`_DEADLINE_EVERY` nodes.
"""
from __future__ import annotations

import re
import time

import numpy as np
from selectolax.lexbor import LexborHTMLParser, LexborNode

from . import blocks as B
from .blocks import Block
from .errors import ExtractionTimeout
from .options import MAX_BLOCKS, MAX_DEPTH, compiled_part

_native = compiled_part("_segment")  # None: the Python walk gives the same result

#: Elements that start and end a line of their own (<br> and <hr> end one and hold nothing: see the walk).
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup html li main menu nav "
    "noscript ol p pre section summary table tbody thead tfoot tr td th caption ul legend "
    "option optgroup frameset frame search button label".split()
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: Landmark flags an element sets for everything inside it.
TAG_FLAGS = {
    "article": B.IN_ARTICLE, "main": B.IN_ARTICLE, "nav": B.IN_NAV, "header": B.IN_HEADER,
    "footer": B.IN_FOOTER, "aside": B.IN_ASIDE, "form": B.IN_FORM, "button": B.IN_FORM,
    "label": B.IN_FORM, "fieldset": B.IN_FORM, "table": B.IN_TABLE, "ul": B.IN_LIST,
    "ol": B.IN_LIST, "dl": B.IN_LIST, "menu": B.IN_LIST, "figure": B.IN_FIGURE,
    "figcaption": B.IN_FIGURE, "noscript": B.IN_NOSCRIPT, "blockquote": B.IN_BLOCKQUOTE,
    "pre": B.IN_PRE, "dialog": B.IN_DIALOG, "caption": B.IN_FIGURE,
}
ROLE_FLAGS = {
    "main": B.IN_ARTICLE, "article": B.IN_ARTICLE, "navigation": B.IN_NAV,
    "banner": B.IN_HEADER, "contentinfo": B.IN_FOOTER, "complementary": B.IN_ASIDE,
    "dialog": B.IN_DIALOG, "alertdialog": B.IN_DIALOG, "menu": B.IN_NAV, "menubar": B.IN_NAV,
    "search": B.IN_FORM, "form": B.IN_FORM,
}

#: Class/id vocabulary, one bit per category (order fixed: features index by it).
VOCAB = (
    ("nav", r"nav|menu|breadcrumb|pagination|pager|toolbar|masthead|topbar|skip|dropdown|^tabs?$"),
    ("footer", r"footer|copyright|legal|colophon|bottom"),
    ("side", r"sidebar|aside|widget|rail|related|recommend|popular|trending|most|teaser|more|also|next|prev"),
    ("social", r"share|sharing|social|facebook|twitter|follow|whatsapp|linkedin|pinterest"),
    ("promo", r"promo|^ads?$|^ad\d|advert|sponsor|banner|newsletter|subscri|signup|paywall|cookie|consent|gdpr|modal|popup|overlay|^cta$|outbrain|taboola"),
    ("comment", r"comment|disqus|respond|repl(?:y|ies)|discussion"),
    ("meta", r"byline|author|date|time|meta|dateline|posted|caption|credit|tag|categor|label"),
    ("content", r"article|content|entry|post|story|body|text|main|prose|blog|markdown|rich|detail|description|review|answer|question|message"),
)
_VOCAB_RE = [re.compile(p) for _, p in VOCAB]
#: Any category's pattern: 92 % of class/id tokens match none, and are settled by this one search.
_ANY_VOCAB = re.compile("|".join(f"(?:{p})" for _, p in VOCAB))
_COMMENT_BIT = 1 << 5
_BODY_MARKERS = re.compile(r"articlebody|article-body|article__body|post-body|entry-content|story-body")
_HIDDEN_CLASS = re.compile(r"\b(?:hidden|sr-only|visually-hidden|screen-reader|offscreen)\b")
#: Vocabulary bits -> per-category increments packed 8 bits a category (`Segmentation.cum_mask`).
_PACKED = tuple(sum(1 << (8 * bit) for bit in range(len(VOCAB)) if mask >> bit & 1)
                for mask in range(1 << len(VOCAB)))
_DEADLINE_MASK = 2047  # check the clock every 2048 nodes
_MASK64 = (1 << 64) - 1


def _tag_ids() -> tuple[dict[int, str], int, int, int, int]:
    """Lexbor's ids of the nodes the walk tells apart (reading `tag_id` costs a third less than
    `tag`): block-level element names by id, and the ids of text nodes, <br>, <hr> and <a>."""
    make = LexborHTMLParser("").create_node
    text = LexborHTMLParser("<p>x</p>").css_first("p").child.tag_id
    return ({make(t).tag_id: t for t in BLOCK_TAGS}, text, make("br").tag_id, make("hr").tag_id, make("a").tag_id)


_BLOCK_IDS, _TEXT_ID, _BR_ID, _HR_ID, _A_ID = _tag_ids()
#: Lexbor numbers its other nodes (comments, the document, nodes it does not name) below its
#: elements, which start with <a> (test_segment checks this).
_FIRST_ELEMENT_ID = _A_ID
_LIST_TAGS = frozenset(("li", "dd", "dt"))
_CAPTION_TAGS = frozenset(("figcaption", "caption"))
_CELL_TAGS = frozenset(("td", "th"))


_ATTR_CACHE: dict[str, tuple[int, int, int]] = {}
_TOKEN_CACHE: dict[str, int] = {}
_CACHE_MAX = 200_000


def _token_mask(token: str) -> int:
    """Vocabulary bits of one class/id token, computed and cached (tokens repeat across pages)."""
    mask = 0
    if _ANY_VOCAB.search(token):
        for bit, rx in enumerate(_VOCAB_RE):
            if rx.search(token):
                mask |= 1 << bit
    if len(_TOKEN_CACHE) >= _CACHE_MAX:
        _TOKEN_CACHE.clear()
    _TOKEN_CACHE[token] = mask
    return mask


def _attr_facts(tokens: str) -> tuple[int, int, int]:
    """(vocabulary bits, flags, packed per-category increments) of a class/id string; cached.

    Every page of a crawl brings class strings never seen before, so the uncached path
    matters as much as the cache: one dictionary look-up per token, rare regexes behind
    substring tests.
    """
    hit = _ATTR_CACHE.get(tokens)
    if hit is not None:
        return hit
    mask = 0
    known = _TOKEN_CACHE.get
    for token in tokens.replace("-", " ").replace("_", " ").split():
        bits = known(token)
        mask |= _token_mask(token) if bits is None else bits
    flags = B.IN_COMMENTS if mask & _COMMENT_BIT else 0
    # Substrings without which the rare patterns cannot match, tested first: far cheaper.
    if ("body" in tokens or "entry-content" in tokens) and _BODY_MARKERS.search(tokens):
        flags |= B.IN_ARTICLE_BODY
    if ("hidden" in tokens or "sr-only" in tokens or "screen-reader" in tokens or "offscreen" in tokens) \
            and _HIDDEN_CLASS.search(tokens):
        flags |= B.IN_HIDDEN
    if len(_ATTR_CACHE) >= _CACHE_MAX:
        _ATTR_CACHE.clear()
    _ATTR_CACHE[tokens] = hit = (mask, flags, _PACKED[mask])
    return hit


class Segmentation:
    """Blocks of one page plus per-element facts the features need."""

    __slots__ = ("blocks", "own_mask", "parent_mask", "cum_mask", "rule_at", "truncated")

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        #: Per block: vocabulary bits of its element, of the element's parent, and
        #: per-category counts over all block-level ancestors (8 bits per category).
        self.own_mask: list[int] = []
        self.parent_mask: list[int] = []
        self.cum_mask: list[int] = []
        #: Per <hr> rule of the page: the index of the first block after it.
        self.rule_at: list[int] = []
        self.truncated = False

    @property
    def rules(self) -> list[int]:
        """Per block: how many <hr> rules the page has before it."""
        return np.searchsorted(np.array(self.rule_at, dtype=np.int64), np.arange(len(self.blocks)),
                               side="right").tolist()


def _enter(node: LexborNode, tag: str, outer: tuple[int, str, int, int] | None) -> tuple[int, str, int, int]:
    """(flags, class/id tokens, vocabulary bits, packed per-category counts) of a block-level
    element, given those of the block-level element around it (`outer`, None at the root)."""
    attrs = node.attributes
    cls = attrs.get("class")
    ident = attrs.get("id")
    flags = TAG_FLAGS.get(tag, 0)
    cum = 0
    if outer is not None:
        flags |= outer[0]
        cum = outer[3]
    mask = 0
    tokens = ""
    if cls or ident:
        tokens = ((cls or "") + " " + (ident or "")).lower()
        mask, extra, inc = _attr_facts(tokens)
        flags |= extra
        cum = (cum + inc) & _MASK64  # as the C walk's 64 bits (a count past 255 spills into the next)
    if len(attrs) > 1 or not tokens:
        role = attrs.get("role")
        if role:
            flags |= ROLE_FLAGS.get(role.lower(), 0)
        itemprop = attrs.get("itemprop")
        if itemprop and "articlebody" in itemprop.lower():
            flags |= B.IN_ARTICLE_BODY | B.IN_ARTICLE
        if attrs.get("aria-hidden") == "true" or attrs.get("aria-modal") == "true":
            flags |= B.IN_HIDDEN
    return flags, tokens, mask, cum


def _flush(seg: Segmentation, buf: list[str], link_chars: int, eids: list[int], tags: list[str],
           ctx: list[tuple[int, str, int, int]]) -> None:
    """End the line in `buf` (emptied) as a block of the innermost open block-level element."""
    raw = "".join(buf)
    buf.clear()
    flags, tokens, mask, cum = ctx[-1]
    if flags & B.IN_PRE:
        text = raw.strip("\n")
        if not text.strip():
            return
    else:
        text = " ".join(raw.split())
        if not text:
            return
    blocks = seg.blocks
    if len(blocks) >= MAX_BLOCKS:
        seg.truncated = True
        return
    tag = tags[-1]
    level = 0
    if tag in HEADINGS:
        kind, level = "heading", HEADINGS[tag]
        flags |= B.IN_HEADING
    elif flags & B.IN_PRE:
        kind = "code"
    elif tag in _LIST_TAGS:
        kind = "list_item"
    elif flags & B.IN_BLOCKQUOTE:
        kind = "quote"
    elif tag in _CAPTION_TAGS:
        kind = "caption"
    elif tag in _CELL_TAGS:
        kind = "table"
    else:
        kind = "paragraph"
    n_chars = len(text)
    if link_chars > n_chars:
        link_chars = n_chars
    if link_chars and link_chars >= n_chars * 0.9:
        flags |= B.IN_LINK_BLOCK
    blocks.append(Block(text, kind, tag, level, len(blocks), len(eids) - 1, link_chars,
                        flags, tokens, tuple(eids), tuple(tags)))
    seg.own_mask.append(mask)
    seg.parent_mask.append(ctx[-2][2] if len(ctx) > 1 else 0)
    seg.cum_mask.append(cum)


def segment(tree: LexborHTMLParser, deadline: float | None = None) -> Segmentation:
    """Walk the (pruned) tree once and cut it into blocks.

    `_segment.c` does it when it is built and bound (see `_bind_native`), else `_segment_py`;
    both give the same result (the tests compare them on the shared pages). The C walk does not
    look at the clock: it is linear in the page, about a millisecond for most; the deadline is
    checked when it returns.
    """
    root = tree.body or tree.root
    if _native_bound and root is not None and root.tag_id in _BLOCK_IDS:
        seg = _native_segmentation(root)
        if deadline is not None and time.perf_counter() > deadline:
            raise ExtractionTimeout("time limit exceeded while segmenting")
        return seg
    return _segment_py(tree, deadline)


def _segment_py(tree: LexborHTMLParser, deadline: float | None = None) -> Segmentation:
    """`segment` in Python, node by node: the reference `_segment.c` is tested against.

    Written as one flat loop over local variables, with three stacks for the open block-level
    elements (ids, tags, `_enter`'s facts): this is the hot path of the whole extractor.
    """
    seg = Segmentation()
    root = tree.body or tree.root
    if root is None:
        return seg
    # Open block-level elements, root first (parallel lists).
    eids: list[int] = [1]
    tags: list[str] = [root.tag or "body"]
    ctx: list[tuple[int, str, int, int]] = [_enter(root, tags[0], None)]
    opened: list[int] = [1]   # per open element: 0 inline, 1 block, 2 link
    buf: list[str] = []
    link_chars = 0
    in_link = 0
    eid = 1
    n = 0
    node: LexborNode | None = root.child
    while node is not None:
        n += 1
        if deadline is not None and not n & _DEADLINE_MASK and time.perf_counter() > deadline:
            raise ExtractionTimeout("time limit exceeded while segmenting")
        tid = node.tag_id
        if tid == _TEXT_ID:
            t = node.text_content
            # Whitespace opening a block adds nothing (the block's text is re-spaced), but it
            # would cost a flush at the next boundary; inside <pre> it is indentation.
            if t and (buf or not t.isspace() or ctx[-1][0] & B.IN_PRE):
                if in_link:
                    link_chars += len(t.strip())
                buf.append(t)
            child = None
            leaving = False
        elif tid < _FIRST_ELEMENT_ID:  # a comment, or a node lexbor does not name
            child = None
            leaving = False
        elif tid in _BLOCK_IDS and len(eids) < MAX_DEPTH:
            if buf:
                _flush(seg, buf, link_chars, eids, tags, ctx)
                link_chars = 0
            tag = _BLOCK_IDS[tid]
            eid += 1
            eids.append(eid)
            tags.append(tag)
            ctx.append(_enter(node, tag, ctx[-1]))
            opened.append(1)
            child = node.child
            leaving = True
        elif tid == _BR_ID or tid == _HR_ID:
            if buf:
                _flush(seg, buf, link_chars, eids, tags, ctx)
                link_chars = 0
            if tid == _HR_ID:
                seg.rule_at.append(len(seg.blocks))
            child = None
            leaving = False
        elif tid == _A_ID:
            in_link += 1
            opened.append(2)
            child = node.child
            leaving = True
        else:
            opened.append(0)
            child = node.child
            leaving = True
        if child is not None:
            node = child
            continue
        # Leave this node if it was opened (a childless element), then climb, leaving each
        # parent, until a sibling exists. One leave site, inlined: this loop is the hot path.
        while True:
            if leaving:
                kind = opened.pop()
                if kind == 1:
                    if buf:
                        _flush(seg, buf, link_chars, eids, tags, ctx)
                        link_chars = 0
                    eids.pop()
                    tags.pop()
                    ctx.pop()
                elif kind == 2:
                    in_link -= 1
            nxt = node.next
            if nxt is not None:
                node = nxt
                break
            node = node.parent
            if node is None or len(opened) <= 1:
                node = None
                break
            leaving = True
    if buf and eids:
        _flush(seg, buf, link_chars, eids, tags, ctx)
    return seg


#: Texts whose characters `_bind_native` looks for in a text node, to learn where lexbor keeps them.
_PROBES = ("copydesk", "probe " * 200)
#: Pages the C walk must cut exactly as the Python walk before it is used.
_SELF_TEST = (
    ("<div class='A b' id=X role=main><p>One <a href=#>two</a> three<br>four</p><hr><pre>  x\n  y</pre>"
     "<!-- c --><ul><li aria-hidden=true itemprop=articleBody>\u00e9t\u00e9 <b>\u2003</b></li></ul>"
     "<template><p>t</p></template><custom-el>c</custom-el><table><td>cell</td></table><h2>H</h2>"
     "<blockquote><p>q</p></blockquote><figure><figcaption>f</figcaption></figure></div> tail"),
    ("<nav><a href=/>Home</a> | <a href=/a>About</a></nav><main><article><p>" + "word " * 50 + "</p>"
     "<div role=dialog aria-modal=true>modal</div><section class=comments><p>c1</p><hr></section>"
     "<pre><code>  code\n</code></pre></article></main><footer>\u00a0</footer>"),
)


def _bind_native() -> bool:
    """Bind `_segment.c` to selectolax's module in this process; False (the Python walk is used)
    when it is not built, when COPYDESK_NATIVE=0, or when the probe pages do not come out of it
    exactly as out of `_segment_py`.

    The one struct offset the C walk reads, where a text node keeps its characters, is found
    here: the first offset holding both probe texts' pointer and length, checked by reading the
    characters there.
    """
    if _native is None:
        return False
    import ctypes

    import selectolax.lexbor as lexbor_module

    trees = [LexborHTMLParser(f"<p>{text}</p>") for text in _PROBES]
    nodes = [tree.css_first("p").child for tree in trees]
    offset = None
    for at in range(8, 168, 8):
        spans = [_native.text_at(node.mem_id, at) for node in nodes]
        if all(length == len(text) and ptr for (ptr, length), text in zip(spans, _PROBES)) and all(
                ctypes.string_at(ptr, length) == text.encode() for (ptr, length), text in zip(spans, _PROBES)):
            offset = at
            break
    if offset is None:
        return False
    _native.bind(lexbor_module.__file__, offset)
    size = max(_BLOCK_IDS) + 1
    by_id = [_BLOCK_IDS.get(i) for i in range(size)]
    # the codes _segment.c's flush reads: heading level, or 7 list item, 8 caption, 9 table cell
    kinds = {**HEADINGS, **{t: 7 for t in _LIST_TAGS}, **{t: 8 for t in _CAPTION_TAGS}, **{t: 9 for t in _CELL_TAGS}}
    _native.configure(
        tuple(by_id), tuple(TAG_FLAGS.get(t, 0) if t else 0 for t in by_id),
        tuple(kinds.get(t, 0) if t else 0 for t in by_id), ROLE_FLAGS, _ATTR_CACHE, _attr_facts, Block, B.KINDS,
        (_TEXT_ID, _BR_ID, _HR_ID, _A_ID, _FIRST_ELEMENT_ID),
        (B.IN_PRE, B.IN_BLOCKQUOTE, B.IN_HEADING, B.IN_LINK_BLOCK, B.IN_ARTICLE_BODY | B.IN_ARTICLE, B.IN_HIDDEN),
        MAX_DEPTH, MAX_BLOCKS)
    for html in _SELF_TEST:
        tree = LexborHTMLParser(html)
        if not _same(_segment_py(tree), _native_segmentation(tree.body)):
            return False
    return True


def _native_segmentation(root: LexborNode) -> Segmentation:
    """`_segment.c`'s segmentation of the tree under `root` (a block-level element)."""
    seg = Segmentation()
    seg.blocks, seg.own_mask, seg.parent_mask, seg.cum_mask, seg.rule_at, seg.truncated = \
        _native.segment(root.mem_id)
    return seg


def _same(a: Segmentation, b: Segmentation) -> bool:
    """Whether two segmentations are equal in every field."""
    return all(getattr(a, name) == getattr(b, name) for name in Segmentation.__slots__)


_native_bound = _bind_native()
