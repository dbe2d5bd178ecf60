"""featurize: blocks of one page → one numeric row per block.

Owns every number the block model sees. Rows hold the block's own text
statistics, its structure (tag, landmarks, class/id vocabulary), its place
relative to the page's *main node* (the deepest element holding most of the
page's sentence-like, non-link words; the strongest signal we know of), its
container's totals, its neighbours' values and page-level context. Columns are
named in `FEATURE_NAMES`; the model file records them and refuses a mismatch.
"""
from __future__ import annotations

import math
from collections import Counter
from itertools import chain

import numpy as np

from . import blocks as B
from . import charclass
from .options import compiled_part
from .segment import VOCAB, Segmentation

_native = compiled_part("_textstats")  # None: numpy counts the same

#: Fractions of the page's prose that define the main-node candidates.
MAIN_NODE_SHARES = (0.4, 0.6, 0.8)
#: A block counts as prose when it has at least this many words and a sentence mark.
PROSE_MIN_WORDS = 7
#: Neighbour offsets whose values are copied into a block's row.
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)

TAG_IDS = {t: i for i, t in enumerate(
    "p div li h1 h2 h3 h4 h5 h6 td th pre blockquote figcaption dd dt section article header "
    "footer nav aside main button label form option summary address center body table tr "
    "caption legend noscript ul ol dl figure span".split(), start=1)}
KIND_IDS = {k: i for i, k in enumerate(B.KINDS)}
FLAG_NAMES = (
    "article", "nav", "header", "footer", "aside", "form", "table", "list", "figure", "noscript",
    "article_body", "comments", "blockquote", "pre", "heading", "link_block", "hidden", "dialog",
)

_TERMINAL = frozenset('.!?。！？…"”»\')')
#: Multilingual call-to-action / chrome vocabulary, matched as word prefixes (a feature, never a rule).
_CHROME_PREFIXES = frozenset(
    """cookie cookies subscr sign signup login log newslet email e-mail advert sponso share
    tweet follow read continu rights privac terms ©  copyri relate recomm popula commen reply
    click downlo menu search skip home contac about weiter anmeld abonni datens impres werbun
    teilen inscri connex partag suscri compar iscriv condiv lire lesen czyt leggi leia lees""".split()
)
_STOPWORDS = frozenset(
    """the a an and or of to in on for with at by from is are was were be been it its this that
    these those as but not have has had he she they we you i his her their our your which who what
    will would can could there than then so if about into also more one all after over
    der die das und ist nicht ein eine zu den mit von im auf für sich dem des auch es an als wie
    le la les et est un une des du en dans pour que qui pas sur au avec ce il elle ne se plus par
    el los las y es un una por con para del al lo como más pero sus le ya o este ha
    il di che è non per una sono della nel alla anche come più
    de het een en van is dat op te zijn niet met voor
    o os as um uma não com para é mais""".split()
)

_BASE = [
    "log_chars", "words", "avg_word_len", "sent_marks", "commas", "ends_terminal", "starts_upper",
    "is_upper", "is_title_case", "digit_share", "stop_share", "chrome_hits", "link_density",
    "pipes", "prose", "dup_count", "title_match", "tag", "kind", "level", "depth",
]
_FLAGS = ["flag_" + n for n in FLAG_NAMES]
_VOC = ([f"own_{n}" for n, _ in VOCAB] + [f"parent_{n}" for n, _ in VOCAB]
        + [f"anc_{n}" for n, _ in VOCAB])
_MAIN = []
for _s in MAIN_NODE_SHARES:
    _k = int(_s * 100)
    _MAIN += [f"in_main{_k}", f"main{_k}_dist", f"main{_k}_depth_delta"]
_CONT = [
    "parent_log_chars", "parent_link_density", "parent_blocks", "parent_prose_share",
    "gparent_log_chars", "gparent_link_density", "gparent_blocks", "gparent_prose_share",
    "block_prose_share",
]
_POS = ["rel_index", "rel_chars_before", "rel_chars_after", "rules_before_share", "rule_before"]
_NEIGH_BASE = ["log_chars", "link_density", "prose", "in_main60", "ends_terminal", "kind", "stop_share"]
_NEIGH = [f"{name}@{off:+d}" for off in NEIGHBOUR_OFFSETS for name in _NEIGH_BASE]
_PAGE = [
    "page_log_blocks", "page_log_chars", "page_link_density", "page_log_prose", "page_main60_share",
    "page_main60_depth", "page_has_article", "page_has_article_body", "page_prose_blocks_share",
]
FEATURE_NAMES: list[str] = _BASE + _FLAGS + _VOC + _MAIN + _CONT + _POS + _NEIGH + _PAGE
#: Columns LightGBM treats as categories.
CATEGORICAL = ["tag", "kind"]
_COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


_WORD_SAMPLE = 400
#: Blocks longer than this never match the title; shorter than the minimum, only an equal one does.
_TITLE_MAX_CHARS, _TITLE_MIN_CHARS = 400, 10
#: Characters of a block looked at for its digit share.
_DIGIT_SAMPLE = 200
#: Average characters per space-separated token above which a text has no word spaces.
_NO_SPACE_AVG = 12
_WORD_CODES: dict[str, int] = {}


def _word_code(w: str) -> int:
    """1 stop word, 2 chrome vocabulary, 3 both, 4 neither (cached, bounded)."""
    code = (1 if w in _STOPWORDS else 0) | (2 if (w[:6] in _CHROME_PREFIXES or w[:5] in _CHROME_PREFIXES
                                                  or w[:4] in _CHROME_PREFIXES or w[:3] in _CHROME_PREFIXES) else 0)
    code = code or 4
    if len(_WORD_CODES) < 500_000:
        _WORD_CODES[w] = code
    return code


def _title_match(text: str, title: str) -> float:
    if not title or len(text) > _TITLE_MAX_CHARS:
        return 0.0
    t = text.lower()
    if t == title:
        return 1.0
    if len(t) >= _TITLE_MIN_CHARS and (t in title or title in t):
        return min(len(t), len(title)) / max(len(t), len(title))
    return 0.0


def _title_matches(texts: list[str], nc: np.ndarray, starts: np.ndarray, lowered: str, title: str) -> np.ndarray:
    """`_title_match` of every block; `lowered` is the blocks' texts joined by newlines, lowercased.

    Blocks holding the title are found by searching the whole page once; only blocks
    shorter than the title are compared one by one.
    """
    out = np.zeros(len(texts))
    if not title:
        return out
    if len(lowered) != len(starts) - 1 + int(nc.sum()):  # lowercasing changed lengths: block by block
        out[:] = [_title_match(t, title) for t in texts]
        return out
    size = len(title)
    at = lowered.find(title)
    while at >= 0:
        i = int(np.searchsorted(starts, at, "right")) - 1
        if nc[i] <= _TITLE_MAX_CHARS and (nc[i] >= _TITLE_MIN_CHARS or nc[i] == size):
            out[i] = size / nc[i]
        at = lowered.find(title, at + 1)
    for i in np.flatnonzero((nc >= _TITLE_MIN_CHARS) & (nc < size) & (nc <= _TITLE_MAX_CHARS)).tolist():
        if texts[i].lower() in title:
            out[i] = nc[i] / size
    return out


def _long_block_words(text: str, nw: int) -> tuple[float, float]:
    """(stop words, chrome hits) of a block of more than `_WORD_SAMPLE` words, from a sample."""
    lw = text[:_WORD_SAMPLE * 8].lower().split()
    codes = [_WORD_CODES.get(w) or _word_code(w) for w in lw]
    scale = nw / len(lw) if lw else 0.0
    return (codes.count(1) + codes.count(3)) * scale, (codes.count(2) + codes.count(3)) * scale


#: Columns of `_text_counts` (see `_textstats.c`, which computes them block by block).
_COUNTS = ("words", "sentence_marks", "commas", "pipes", "head_digits", "stop_words", "chrome_words",
           "starts_upper", "is_upper", "is_title", "ends_terminal", "ends_terminal_latin", "same_text")
_TERMINAL_CHARS = "".join(sorted(_TERMINAL))
if _native is not None:
    _native.words(sorted(_STOPWORDS), sorted(_CHROME_PREFIXES))


def _starts(nc: np.ndarray) -> np.ndarray:
    """Where each block starts in the blocks' texts joined by newlines (`nc`: their lengths)."""
    return np.concatenate([[0], np.cumsum(nc + 1)[:-1]])


def _text_counts_py(texts: list[str], nc: np.ndarray) -> np.ndarray:
    """`_text_counts` in numpy: the blocks' texts joined and their code points classified once
    (`charclass`), per-block counts summed over each block's span; words are the page's one
    whitespace split, each mapped to its stop/chrome code. The reference `_textstats.c` is
    tested against."""
    n = len(texts)
    joined = "\n".join(texts)
    cp = charclass.code_points(joined)
    ws = (charclass.classes(cp) & charclass.WS) > 0
    starts = _starts(nc)  # each span ends with its separator
    nxt_space = np.concatenate([cp[1:] == 32, [False]])
    c = np.zeros((n, len(_COUNTS)), dtype=np.int64)
    c[:, :4] = np.add.reduceat(np.stack([
        ~ws & np.concatenate([[True], ws[:-1]]),                    # words (starts of non-space runs)
        (((cp == 46) | (cp == 63) | (cp == 33)) & nxt_space)        # ". ", "? ", "! "
        | (cp == 0x3002) | (cp == 0xFF01) | (cp == 0xFF1F),         # 。！？
        cp == 44,                                                   # commas
        (cp == 124) | (cp == 0x2022),                               # | and •
    ]).view(np.int8), starts, axis=1, dtype=np.int64).T
    digits = np.concatenate([[0], np.cumsum((cp >= 48) & (cp <= 57))])
    c[:, 4] = digits[starts + np.minimum(nc, _DIGIT_SAMPLE)] - digits[starts]
    tokens = joined.lower().split()
    codes_list = list(map(_WORD_CODES.get, tokens))
    if None in codes_list:
        codes_list = [code or _word_code(w) for code, w in zip(codes_list, tokens)]
    codes = np.array(codes_list, dtype=np.int64)
    tok_block = np.repeat(np.arange(n), c[:, 0])
    c[:, 5] = np.bincount(tok_block[(codes & 1) > 0], minlength=n)
    c[:, 6] = np.bincount(tok_block[(codes & 2) > 0], minlength=n)
    c[:, 7] = [t[0].isupper() for t in texts]
    c[:, 8] = [t.isupper() for t in texts]
    c[:, 9] = [t.istitle() for t in texts]
    lasts = [t[-1] for t in texts]
    c[:, 10] = [ch in _TERMINAL for ch in lasts]
    c[:, 11] = [ch in _TERMINAL and ch not in "。！？" for ch in lasts]
    seen = Counter(texts)
    c[:, 12] = [seen[t] for t in texts]
    return c


def _text_counts(texts: list[str], nc: np.ndarray) -> np.ndarray:
    """Per block, the counts named in `_COUNTS` (int64): by `_textstats.c` when it is built,
    else `_text_counts_py`; the same numbers."""
    if _native is None:
        return _text_counts_py(texts, nc)
    c = np.empty((len(texts), len(_COUNTS)), dtype=np.int64)
    _native.counts(texts, c, charclass.TABLE, charclass.WS, _TERMINAL_CHARS, _word_code, _DIGIT_SAMPLE)
    return c


def _text_stats(texts: list[str], nc: np.ndarray, link_chars: np.ndarray, title: str) -> np.ndarray:
    """The first 17 columns (`_BASE` up to title_match) of every block, float64.

    `nc` and `link_chars` are the blocks' lengths and link characters; the counts come from
    `_text_counts`, the arithmetic on them is here.
    """
    n = len(texts)
    c = _text_counts(texts, nc)
    raw_words = c[:, 0].astype(np.float64)
    sent = c[:, 1].astype(np.float64)
    commas = c[:, 2].astype(np.float64)
    nw = raw_words.copy()
    cjk = (nw > 0) & (nc > _NO_SPACE_AVG * nw)  # scripts without word spaces: ~2 characters a word
    nw[cjk] = np.maximum(nw[cjk], nc[cjk] // 2)
    scale = np.divide(nw, raw_words, out=np.zeros(n), where=raw_words > 0)
    stops = c[:, 5] * scale
    chrome = c[:, 6] * scale
    for i in np.flatnonzero(nw > _WORD_SAMPLE).tolist():
        stops[i], chrome[i] = _long_block_words(texts[i], int(nw[i]))
    ends_terminal = c[:, 10].astype(bool)
    sent += c[:, 11]
    ld = link_chars / nc
    prose = (nw >= PROSE_MIN_WORDS) & ((sent > 0) | ends_terminal | (commas >= 2))
    out = np.empty((n, 17), dtype=np.float64)
    out[:, 0] = np.log1p(nc)
    out[:, 1] = nw
    out[:, 2] = np.divide(nc - nw + 1, nw, out=np.zeros(n), where=nw > 0)
    out[:, 3] = sent
    out[:, 4] = commas
    out[:, 5] = ends_terminal
    out[:, 6:9] = c[:, 7:10]
    out[:, 9] = c[:, 4] / np.minimum(nc, _DIGIT_SAMPLE)
    out[:, 10] = np.divide(stops, nw, out=np.zeros(n), where=nw > 0)
    out[:, 11] = chrome
    out[:, 12] = ld
    out[:, 13] = c[:, 3]
    out[:, 14] = np.where(prose, nw * (1.0 - ld), 0.0)
    out[:, 15] = c[:, 12]
    if title:
        out[:, 16] = _title_matches(texts, nc, _starts(nc), "\n".join(texts).lower(), title)
    else:
        out[:, 16] = 0.0
    return out


def featurize(seg: Segmentation, page_title: str | None = None) -> np.ndarray:
    """Rows for every block of `seg`, columns as `FEATURE_NAMES` (float32)."""
    blocks = seg.blocks
    n = len(blocks)
    X = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    if n == 0:
        return X
    title = " ".join((page_title or "").lower().split())

    # --- own text statistics, counted over the page's code points at once ---
    texts = [b.text for b in blocks]
    text_len = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    links = np.array([b.link_chars for b in blocks], dtype=np.float64)
    base = _text_stats(texts, text_len, links, title)
    X[:, :17] = base
    X[:, _COL["tag"]] = [TAG_IDS.get(b.tag, 0) for b in blocks]
    X[:, _COL["kind"]] = [KIND_IDS.get(b.kind, 0) for b in blocks]
    X[:, _COL["level"]] = [b.level for b in blocks]
    X[:, _COL["depth"]] = [b.depth for b in blocks]

    flags = np.array([b.flags for b in blocks], dtype=np.int64)
    f0 = _COL[_FLAGS[0]]
    for k in range(len(FLAG_NAMES)):
        X[:, f0 + k] = (flags >> k) & 1
    own = np.array(seg.own_mask, dtype=np.int64)
    par = np.array(seg.parent_mask, dtype=np.int64)
    cum = np.array(seg.cum_mask, dtype=np.uint64)
    v0 = _COL[_VOC[0]]
    nv = len(VOCAB)
    for k in range(nv):
        X[:, v0 + k] = (own >> k) & 1
        X[:, v0 + nv + k] = (par >> k) & 1
        X[:, v0 + 2 * nv + k] = ((cum >> np.uint64(8 * k)) & np.uint64(255)).astype(np.float32)

    # --- per-element totals over flattened (block, ancestor) pairs ---
    nchars = text_len.astype(np.float64)
    prose = base[:, 14]
    lengths = np.array([len(b.ancestors) for b in blocks], dtype=np.int64)
    anc_flat = np.fromiter(chain.from_iterable(b.ancestors for b in blocks), dtype=np.int64,
                           count=int(lengths.sum()))
    starts = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(n), lengths)
    depth_flat = np.arange(len(anc_flat)) - np.repeat(starts, lengths)
    size = int(anc_flat.max()) + 1
    tot_chars = np.bincount(anc_flat, weights=nchars[owner], minlength=size)
    tot_links = np.bincount(anc_flat, weights=links[owner], minlength=size)
    tot_blocks = np.bincount(anc_flat, minlength=size).astype(np.float64)
    tot_prose = np.bincount(anc_flat, weights=prose[owner], minlength=size)
    el_depth = np.full(size, -1, dtype=np.int64)
    el_depth[anc_flat] = depth_flat
    total_prose = float(prose.sum())
    total_chars = float(nchars.sum())
    total_links = float(links.sum())

    # --- main-node features ---
    for s in MAIN_NODE_SHARES:
        k = int(s * 100)
        c_in, c_dist, c_dd = _COL[f"in_main{k}"], _COL[f"main{k}_dist"], _COL[f"main{k}_depth_delta"]
        if total_prose <= 0:
            X[:, c_dist] = -1
            continue
        cand = np.flatnonzero(tot_prose >= total_prose * s)
        main = int(cand[np.argmax(el_depth[cand])])
        md = int(el_depth[main])
        first = int(owner[np.flatnonzero(anc_flat == main)[0]])
        chain_arr = np.array(blocks[first].ancestors[: md + 1], dtype=np.int64)
        in_chain = depth_flat <= md
        match = np.zeros(len(anc_flat), dtype=np.int64)
        match[in_chain] = anc_flat[in_chain] == chain_arr[depth_flat[in_chain]]
        lca = np.add.reduceat(match, starts)
        inside = lca == md + 1
        X[:, c_in] = inside
        X[:, c_dist] = np.where(inside, lengths - 1 - md, (lengths - lca) + (md + 1 - lca))
        X[:, c_dd] = lengths - 1 - md
        if k == 60:
            X[:, _COL["page_main60_share"]] = tot_prose[main] / total_prose
            X[:, _COL["page_main60_depth"]] = md

    # --- container totals (parent and grandparent of the block element) ---
    for gen, prefix in ((2, "parent"), (3, "gparent")):
        has = lengths >= gen
        idx = np.where(has, anc_flat[np.maximum(starts + lengths - gen, 0)], 0)
        cc = np.where(has, tot_chars[idx], 0.0)
        cl = np.where(has, tot_links[idx], 0.0)
        X[:, _COL[f"{prefix}_log_chars"]] = np.log1p(cc)
        X[:, _COL[f"{prefix}_link_density"]] = np.divide(cl, cc, out=np.zeros(n), where=cc > 0)
        X[:, _COL[f"{prefix}_blocks"]] = np.where(has, tot_blocks[idx], 0.0)
        X[:, _COL[f"{prefix}_prose_share"]] = np.where(has, tot_prose[idx], 0.0) / total_prose if total_prose else 0.0
    X[:, _COL["block_prose_share"]] = prose / total_prose if total_prose else 0.0

    # --- position ---
    before = np.cumsum(nchars) - nchars
    X[:, _COL["rel_index"]] = np.arange(n) / max(n - 1, 1)
    X[:, _COL["rel_chars_before"]] = before / total_chars if total_chars else 0.0
    X[:, _COL["rel_chars_after"]] = (total_chars - before - nchars) / total_chars if total_chars else 0.0
    # <hr> rules: the share of those above the last block that are above this one, and whether one
    # sits right above it (between the block and the one before)
    if seg.rule_at:
        rules = np.array(seg.rules, dtype=np.float64)
        if rules[-1] > 0:
            X[:, _COL["rules_before_share"]] = rules / rules[-1]
            X[:, _COL["rule_before"]] = np.diff(rules, prepend=0.0) > 0

    # --- neighbours (missing neighbours read as -1) ---
    for off in NEIGHBOUR_OFFSETS:
        for name in _NEIGH_BASE:
            src = X[:, _COL[name]]
            dst = _COL[f"{name}@{off:+d}"]
            col = np.full(n, -1.0, dtype=np.float32)
            if off < 0 and n > -off:
                col[-off:] = src[:off]
            elif off > 0 and n > off:
                col[:-off] = src[off:]
            X[:, dst] = col

    # --- page context ---
    X[:, _COL["page_log_blocks"]] = math.log1p(n)
    X[:, _COL["page_log_chars"]] = math.log1p(total_chars)
    X[:, _COL["page_link_density"]] = total_links / total_chars if total_chars else 0.0
    X[:, _COL["page_log_prose"]] = math.log1p(total_prose)
    X[:, _COL["page_has_article"]] = float((flags & B.IN_ARTICLE).any())
    X[:, _COL["page_has_article_body"]] = float((flags & B.IN_ARTICLE_BODY).any())
    X[:, _COL["page_prose_blocks_share"]] = float((prose > 0).mean())
    return X


