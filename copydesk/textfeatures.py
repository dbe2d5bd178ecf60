"""Text-only features for scraped-text lines (numpy, vectorised per page).

Owns the numeric row the line model sees for each non-blank line of a
scraped page: the line's own shape (length, words, punctuation,
capitalisation, digits, stop words, bullets), the learned call-to-action /
boilerplate vocabulary (a per-token log-odds table shipped in the model meta),
blank-line structure, position, neighbours (two lines either side), the
longest run of prose and repeats within the page, plus page-level totals.

Per line there is one cheap Python pass (tokenise, count); everything that
relates lines to each other is done with numpy on whole columns.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, compress, repeat
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import charclass
from .charclass import DECIMAL, DIGIT, LETTER, SENT_END, SEP, SPACE, TERM, UPPER, WS
from .options import compiled_part

_native = compiled_part("_linestats")  # None: numpy counts the same

#: Characters of a line looked at when featurising (longer lines are truncated for features only).
MAX_FEATURE_CHARS = 4000
#: A line is prose when it has at least this many words and ends like a sentence...
PROSE_MIN_WORDS = 8
#: ...or when it is this long whatever its ending.
PROSE_LONG_WORDS = 25
#: Non-prose lines of at most this many words may sit inside a prose run (subheadings, datelines).
RUN_GAP_MAX_WORDS = 12
#: How many such lines in a row a run may bridge.
RUN_MAX_GAP = 2
#: Log-odds values are clipped to this magnitude.
LOGODDS_CLIP = 4.0
#: Window half-widths (in lines) for prose-density features.
DENSITY_WINDOWS = (3, 10)
#: Lines either side compared with a line's shape (`shape_*` columns), and the record periods
#: looked for (a listing repeats title / price / rating lines every 2-5 lines; at most SHAPE_WINDOW).
SHAPE_WINDOW, PERIOD_WINDOW, PERIODS = 8, 10, (2, 3, 4, 5)
#: Word-count bins of a line's shape.
SHAPE_WORD_BINS = (1.5, 2.5, 5.5, 12.5, 30.5)
#: Runs of identically shaped lines are counted up to this length.
SHAPE_RUN_CAP = 50

TERMINAL = frozenset(".!?。！？…\"'”’»)")
#: Characters that open a list item when white space follows them (`BULLET_RE`).
BULLET_MARKS = "•·▪●◦■□►▶‣⁃∙*–—-"
BULLET_RE = re.compile(rf"^\s*(?:[{re.escape(BULLET_MARKS)}]|\d{{1,3}}[.)])\s+")
WORD_RE = re.compile(r"\w+")
SEP_RE = re.compile(r"[|»›•·/>]")
URLISH_RE = re.compile(r"https?://|www\.|@|\.com\b")

#: Small multilingual stop-word set (en, de, fr, es, it, pt, nl): function words only.
STOPWORDS = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been being it its this that
these those he she they we you i his her their our your my me him them us not no so than then there here
which who whom what when where why how all any some can could would should will may might must do does did
has have had also just about into over after before more most such only other very up out one
der die das und oder aber wenn von zu im in am an auf mit für ist sind war waren sein es ein eine einer
eines einem einen nicht kein keine auch noch nur wie bei nach aus dass daß sich er sie wir ihr ich du den
dem des als so um zum zur hat haben wird werden wurde
le la les et ou mais si de du des un une au aux en dans sur avec pour par est sont était il elle ils elles
nous vous je tu ne pas que qui ce cette ces son sa ses leur plus
el la los las y o pero si de del un una en con por para es son era él ella ellos que se no lo al más como
il lo gli le e o ma se di da un una uno in con per è sono era che non del della dei più come
o a os as e ou mas se de do da dos das um uma em com por para é são era que não mais como
de het een en of maar als van in op met voor is zijn was dat niet ook te bij naar
""".split())

#: Names of the columns `features` returns, in order. title_ratio = share of words starting upper-case,
#: caps_ratio = share of letters that are upper-case, run_* = position against the longest prose run,
#: dens_* = prose words within +-3/10 lines over the page's words; shape_* and period_* describe
#: repeated line shapes (`shape_columns`), chars_rel_median = chars over the page's median line.
BASE_NAMES = [
    "chars", "words", "mean_word_len", "terminal", "ends_colon", "starts_upper", "title_ratio",
    "caps_ratio", "digit_share", "punct_share", "stop_share", "bullet", "sep_count", "urlish",
    "copyright", "sentences", "repeat_count", "first_occurrence", "blank_before", "blank_after",
    "prose", "rel_index", "rel_words_before", "words_over_max",
    "in_run", "run_dist_before", "run_dist_after", "run_dist_rel", "run_share",
    "dens_3", "dens_10", "prose_words_after_share", "prose_words_before_share",
    "page_lines", "page_words", "page_prose_share", "page_max_words", "page_repeat_share",
    "shape_window", "shape_run", "period_share", "period", "chars_rel_median",
]
VOCAB_NAMES = ["lo_mean", "lo_min", "lo_max", "lo_sum", "lo_known"]
NEIGHBOUR_COLS = ["words", "terminal", "prose", "lo_mean", "blank_before", "bullet"]
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
FEATURE_NAMES = BASE_NAMES + VOCAB_NAMES + [
    f"{c}_{'p' if o < 0 else 'n'}{abs(o)}" for o in NEIGHBOUR_OFFSETS for c in NEIGHBOUR_COLS]

_NORM_RE = re.compile(r"\d+")


def normalise_line(text: str) -> str:
    """Lowercase, digits folded, whitespace collapsed: the key for repeat and corpus counts."""
    return " ".join(_NORM_RE.sub("0", text.lower()).split())


def line_tokens(text: str) -> list[str]:
    """Unigrams and bigrams of a line's lowercase words (the log-odds vocabulary keys)."""
    w = WORD_RE.findall(text[:MAX_FEATURE_CHARS].lower())
    return w + [w[i] + " " + w[i + 1] for i in range(len(w) - 1)]


#: Columns of BASE_NAMES + VOCAB_NAMES whose neighbours' values are columns too.
_NEIGHBOUR_AT = [(BASE_NAMES + VOCAB_NAMES).index(c) for c in NEIGHBOUR_COLS]
#: Characters of a line searched for separators / "opyright" (as the features' definitions say).
SEP_SCAN_CHARS, COPYRIGHT_SCAN_CHARS = 400, 300
_ASCII_DIGITS_RE = re.compile(r"[0-9]+")
_COPYRIGHT_RE = re.compile("opyright")


def _fold_lowered(low: str) -> list[str]:
    """Digits folded and whitespace collapsed in each line of lowercased, newline-joined text."""
    low = (_ASCII_DIGITS_RE if low.isascii() else _NORM_RE).sub("0", low)
    return [" ".join(t.split()) for t in low.split("\n")]


def normalise_lines(lines: Sequence[str]) -> list[str]:
    """`normalise_line` of every line (lowercasing and digit folding in one pass over the page)."""
    return _fold_lowered("\n".join(lines).lower()) if lines else []


def _line_hits(pattern: re.Pattern, joined: str, starts: np.ndarray, n: int, span: int | None = None) -> np.ndarray:
    """Lines of `joined` (lines at offsets `starts`) holding a match (ending within `span` chars when given)."""
    out = np.zeros(n, dtype=bool)
    spans = np.array([m.span() for m in pattern.finditer(joined)], dtype=np.int64).reshape(-1, 2)
    line = np.searchsorted(starts, spans[:, 0], "right") - 1
    out[line if span is None else line[spans[:, 1] - starts[line] <= span]] = True
    return out


def _window_mean(cols: np.ndarray, half: int) -> np.ndarray:
    """Mean of each column of `cols` (lines x k) over the lines within `half` lines either side."""
    n = len(cols)
    cs = np.concatenate([np.zeros((1, cols.shape[1])), np.cumsum(cols, axis=0, dtype=np.float64)])
    idx = np.arange(n)
    lo, hi = np.clip(idx - half, 0, n), np.clip(idx + half + 1, 0, n)
    return (cs[hi] - cs[lo]) / (hi - lo)[:, None]


def _median(values: np.ndarray) -> float:
    """np.median of a non-empty column, without its overhead (it dominated this stage)."""
    n = len(values)
    mid = np.partition(values, [(n - 1) // 2, n // 2])
    return float(mid[(n - 1) // 2] + mid[n // 2]) / 2


def shape_columns(words: np.ndarray, terminal: np.ndarray, bullet: np.ndarray, digits: np.ndarray,
                  upper: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """Repeated line shapes: records of a listing or a product grid, rows of a menu.

    A line's shape is its word-count bin, terminal punctuation, bullet, digits and capital.
    Columns: share of lines within SHAPE_WINDOW either side with the same shape; length of the
    run of same-shaped lines it is in; the best share of lines (within PERIOD_WINDOW) repeating
    the shape of the line k before, over k in PERIODS, and that k; chars over the median line.
    """
    n = len(words)
    shape = np.digitize(words, SHAPE_WORD_BINS) * 16 + (terminal > 0) * 8 + (bullet > 0) * 4 \
        + (digits > 0) * 2 + (upper > 0)
    edge = np.full(SHAPE_WINDOW, -1)
    around = sliding_window_view(np.concatenate([edge, shape, edge - 1]), 2 * SHAPE_WINDOW + 1)
    same = around == shape[:, None]  # column SHAPE_WINDOW - k: the line k before
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(shape)) + 1, [n]])
    run = np.repeat(np.diff(bounds), np.diff(bounds))
    periods = np.array(PERIODS)
    share = _window_mean(same[:, SHAPE_WINDOW - periods], PERIOD_WINDOW)
    best = share.argmax(axis=1)  # the shortest period among equals
    best_share = share[np.arange(n), best]
    return np.column_stack([(same.sum(axis=1) - 1) / (2 * SHAPE_WINDOW), np.minimum(run, SHAPE_RUN_CAP),
                            best_share, np.where(best_share > 0, periods[best], 0),
                            chars / max(_median(chars), 1.0)])


@dataclass
class Terms:
    """A page's words (lowercase ``\\w+`` of every line, in order) and the line of each.

    The vocabulary keys (`line_tokens`: unigrams, then the bigrams of words on the same line)
    are these words and their pairs; `terms` spells the pairs out, which scoring never needs.
    """

    words: list[str]
    word_line: np.ndarray
    lines: int
    #: Each word's number in `ids_of`'s table, counted with the words (`_linestats.c`), which then
    #: leaves `words` empty: scoring needs the numbers only.
    wid: np.ndarray | None = None
    ids_of: "VocabIndex | None" = None

    @cached_property
    def pairs(self) -> np.ndarray:
        """Whether each word and the next are on the same line (a bigram)."""
        return self.word_line[1:] == self.word_line[:-1]

    @property
    def terms(self) -> list[str]:
        """The vocabulary keys: every word, then every bigram."""
        w = self.words
        return w + list(map(" ".join, compress(zip(w, w[1:]), self.pairs.tolist())))

    @property
    def line_of(self) -> np.ndarray:
        """The line of each of `terms`."""
        return np.concatenate([self.word_line, self.word_line[:-1][self.pairs]])

    def per_line(self) -> list[list[str]]:
        """The terms of each line (order within a line: as in `terms`)."""
        out: list[list[str]] = [[] for _ in range(self.lines)]
        for t, i in zip(self.terms, self.line_of.tolist()):
            out[i].append(t)
        return out


class VocabIndex:
    """A log-odds table (a word or "word word" → value) arranged for looking up a whole page.

    Looking up every term by its string cost a page more than any other feature: a bigram
    string is built and hashed for each pair of words. Here each word is looked up once, and
    the pairs as two word numbers in a sorted array. Same values as ``vocab.get(term, nan)``.
    """

    def __init__(self, vocab: Mapping[str, float]) -> None:
        ids: dict[str, int] = {}
        uni_ids, uni_values, pair_keys, pair_values = [], [], [], []
        for key, value in vocab.items():
            parts = key.split(" ")
            if len(parts) == 1:
                uni_ids.append(ids.setdefault(key, len(ids)))
                uni_values.append(value)
            elif len(parts) == 2:
                a, b = ids.setdefault(parts[0], len(ids)), ids.setdefault(parts[1], len(ids))
                pair_keys.append(a << 32 | b)
                pair_values.append(value)
            # any other key matches no term: a term is one word or two
        self.ids = ids
        self.unigram = np.full(len(ids) + 1, np.nan)  # the last entry answers unknown words (id -1)
        self.unigram[uni_ids] = uni_values
        keys = np.asarray(pair_keys, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.pair_keys, self.pair_values = keys[order], np.asarray(pair_values, dtype=np.float64)[order]
        #: `ids` as a `_linestats` word table, which numbers a page's words as it counts them, and
        #: the pairs as its hash table (keys, values: `_linestats.pair_table`).
        self.table = self.pair_slots = None
        if _native is not None:
            self.table = _native.table(sorted(ids, key=ids.__getitem__))
            size = 1 << max(1, (2 * len(keys)).bit_length())
            self.pair_slots = (np.full(size, -1, dtype=np.int64), np.zeros(size, dtype=np.float64))
            _native.pair_table(self.pair_keys, self.pair_values, *self.pair_slots)

    def values(self, terms: Terms) -> np.ndarray:
        """The value of each of `terms.terms` (NaN: not in the table)."""
        if terms.ids_of is self:
            wid = terms.wid
        else:
            wid = np.fromiter(map(self.ids.get, terms.words, repeat(-1)), dtype=np.int64, count=len(terms.words))
        a, b = wid[:-1][terms.pairs], wid[1:][terms.pairs]
        key = np.where((a >= 0) & (b >= 0), a << 32 | b, -1)  # -1: a word not in the table
        pair = np.full(len(key), np.nan)
        if len(self.pair_keys):
            at = np.minimum(np.searchsorted(self.pair_keys, key), len(self.pair_keys) - 1)
            hit = self.pair_keys[at] == key
            pair[hit] = self.pair_values[at[hit]]
        return np.concatenate([self.unigram[wid], pair])


#: Columns of `_line_counts` (`_linestats.c` computes them line by line).
COUNTS = ("words", "ends_terminal", "ends_colon", "starts_upper", "separators", "urlish", "copyright",
          "sentences", "spaces", "upper_after_space", "upper", "letters", "digits", "other", "tokens",
          "stop_tokens", "repeats", "first")
_C = {name: j for j, name in enumerate(COUNTS)}
_STOP_TABLE = _native.table(sorted(STOPWORDS)) if _native is not None else None


def _line_counts_py(clipped: list[str]) -> tuple[np.ndarray, Terms]:
    """`_line_counts` in numpy: the page's code points classified once (`charclass`) and
    counted per line, its lowercase ``\\w+`` words found by one regex per line. The reference
    `_linestats.c` is tested against."""
    n = len(clipped)
    c = np.zeros((n, len(COUNTS)), dtype=np.int64)
    joined = "\n".join(clipped)
    lens = np.fromiter(map(len, clipped), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
    # tokens: lowercase \w+ per line
    findall = WORD_RE.findall
    low_lines = joined.lower().split("\n")
    lw_all = list(map(findall, low_lines))
    nt = np.fromiter(map(len, lw_all), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(lw_all))
    tok_line = np.repeat(np.arange(n), nt)
    stop = np.fromiter(map(STOPWORDS.__contains__, flat), dtype=bool, count=len(flat))
    c[:, _C["tokens"]] = nt
    c[:, _C["stop_tokens"]] = np.bincount(tok_line[stop], minlength=n)

    # character classes for the whole page at once
    cp = charclass.code_points("".join(clipped))
    lid = np.repeat(np.arange(n), lens)
    cls = charclass.classes(cp)
    ws, space, upper = (cls & WS) > 0, (cls & SPACE) > 0, (cls & UPPER) > 0
    kstarts = np.concatenate([[0], np.cumsum(lens)[:-1]])  # line starts among the code points
    first_of_line = np.zeros(len(cp) + 1, dtype=bool)
    first_of_line[kstarts] = True
    prev_space = np.concatenate([[True], space[:-1]]) | first_of_line[:-1]
    prev_ws = np.concatenate([[True], ws[:-1]]) | first_of_line[:-1]
    bc = lambda m: np.bincount(lid[m], minlength=n)  # noqa: E731
    c[:, _C["words"]] = bc(~ws & prev_ws)  # = len(line.split())
    last = np.where(lens > 0, cls[np.maximum(kstarts + lens - 1, 0)] if len(cp) else 0, 0)
    c[:, _C["ends_terminal"]] = (last & TERM) > 0
    c[:, _C["ends_colon"]] = np.where(lens > 0, cp[np.maximum(kstarts + lens - 1, 0)] if len(cp) else 0, 0) == 58
    c[:, _C["starts_upper"]] = [s[:1].isupper() for s in clipped]
    pos = np.arange(len(cp)) - kstarts[lid]
    c[:, _C["separators"]] = bc(((cls & SEP) > 0) & (pos < SEP_SCAN_CHARS))
    c[:, _C["urlish"]] = _line_hits(URLISH_RE, joined, starts, n)
    c[:, _C["copyright"]] = (bc(cp == 0xA9) > 0) | _line_hits(_COPYRIGHT_RE, joined, starts, n, COPYRIGHT_SCAN_CHARS)
    next_space = np.concatenate([cp[1:] == 32, [False]]) & ~first_of_line[1:]
    c[:, _C["sentences"]] = bc((cp == 46) & next_space) + ((last & SENT_END) > 0)
    c[:, _C["spaces"]] = bc(space)
    c[:, _C["upper_after_space"]] = bc(upper & prev_space)
    c[:, _C["upper"]] = bc(upper)
    c[:, _C["letters"]] = bc((cls & LETTER) > 0)
    c[:, _C["digits"]] = bc((cls & DIGIT) > 0)
    c[:, _C["other"]] = bc((cls & (LETTER | DIGIT | SPACE)) == 0)
    # repeats within the page
    # repeat keys: normalise_line of each line's first COPYRIGHT_SCAN_CHARS; only lines with digits or
    # with whitespace other than single inner spaces need the regex and the split
    in_key = pos < COPYRIGHT_SCAN_CHARS
    key_end = np.minimum(lens, COPYRIGHT_SCAN_CHARS)[lid] - 1
    next_ws = np.concatenate([ws[1:], [True]]) | (pos >= key_end)
    plain = (cp == 32) & ~prev_ws & ~next_ws
    fold = np.bincount(lid[in_key & (((cls & DECIMAL) > 0) | (ws & ~plain))], minlength=n).astype(bool).tolist()
    norms = [" ".join(_NORM_RE.sub("0", t[:COPYRIGHT_SCAN_CHARS]).split()) if f else t[:COPYRIGHT_SCAN_CHARS]
             for t, f in zip(low_lines, fold)]
    norm_counts = Counter(norms)
    c[:, _C["repeats"]] = [norm_counts[k] for k in norms]
    seen: set[str] = set()
    c[:, _C["first"]] = [not (k in seen or seen.add(k)) for k in norms]  # type: ignore[func-returns-value]
    return c, Terms(flat, tok_line, n)


def _line_counts(lines: list[str], index: "VocabIndex | None" = None,
                 chars: int | None = None) -> tuple[np.ndarray, Terms]:
    """Per line clipped to MAX_FEATURE_CHARS characters, the counts named in `COUNTS` (int64), and
    the page's words: by `_linestats.c` when it is built and `index` is given (the words then come
    as their numbers in `index`), else `_line_counts_py`. The same numbers. `chars`: the clipped
    lines' length in all, when known."""
    if _native is None or index is None:
        return _line_counts_py([line[:MAX_FEATURE_CHARS] for line in lines])
    n = len(lines)
    c = np.empty((n, len(COUNTS)), dtype=np.int64)
    if chars is None:
        chars = sum(min(len(line), MAX_FEATURE_CHARS) for line in lines)
    room = chars // 2 + n  # words: at most every other character
    wid, tok_line = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64)
    got = _native.counts(lines, c, wid, tok_line, charclass.TABLE, _STOP_TABLE, index.table,
                         MAX_FEATURE_CHARS, SEP_SCAN_CHARS, COPYRIGHT_SCAN_CHARS)
    if got < 0:  # a page with İ or capital sigma, which str.lower() treats specially
        return _line_counts_py([line[:MAX_FEATURE_CHARS] for line in lines])
    return c, Terms([], tok_line[:got], n, wid[:got], index)


def base_features(lines: Sequence[str], blank_before: Sequence[int], blank_after: Sequence[int],
                  bullets: Sequence[bool], index: "VocabIndex | None" = None) -> tuple[np.ndarray, Terms]:
    """Vocabulary-independent columns (BASE_NAMES) and the page's vocabulary terms.

    The counts come from `_line_counts` (numbered by `index` when given, which scoring
    passes); the columns from them, over the whole page at once, by `_linestats.columns`
    when it is built, else by `_columns_py`: the same values.
    """
    n = len(lines)
    if not n:
        return np.zeros((0, len(BASE_NAMES)), np.float32), Terms([], np.zeros(0, np.int64), 0)
    chars = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    lens = np.minimum(chars, MAX_FEATURE_CHARS)  # the lengths the counts see
    counts, terms = _line_counts(lines if isinstance(lines, list) else list(lines), index, int(lens.sum()))
    if _native is None:
        return _columns_py(counts, lens, chars, bullets, blank_before, blank_after), terms
    X = np.empty((n, len(BASE_NAMES)), dtype=np.float32)
    _native.columns(counts, lens, chars, np.asarray(bullets, dtype=np.int64), np.asarray(blank_before, dtype=np.int64),
                    np.asarray(blank_after, dtype=np.int64), _COLUMN_CONSTS, X)
    return X, terms


#: The constants `_linestats.columns` needs, in its order.
_COLUMN_CONSTS = np.array([PROSE_MIN_WORDS, PROSE_LONG_WORDS, RUN_GAP_MAX_WORDS, RUN_MAX_GAP, *DENSITY_WINDOWS,
                           SHAPE_WINDOW, PERIOD_WINDOW, SHAPE_RUN_CAP, *SHAPE_WORD_BINS, *PERIODS], dtype=np.float64)


def _columns_py(counts: np.ndarray, lens: np.ndarray, chars: np.ndarray, bullets: Sequence[bool],
                blank_before: Sequence[int], blank_after: Sequence[int]) -> np.ndarray:
    """The BASE_NAMES columns from `_line_counts`' rows, in numpy (the reference `_linestats.c`
    is tested against). `lens`: the lines' lengths clipped to MAX_FEATURE_CHARS, `chars`: whole."""
    n = len(counts)
    f = counts.astype(np.float32)
    raw = np.zeros((n, 16), dtype=np.float32)
    nt, nstop = counts[:, _C["tokens"]], counts[:, _C["stop_tokens"]]
    raw[:, 10] = np.where(nt > 0, nstop / np.maximum(nt, 1), 0.0)
    nchar = np.maximum(lens.astype(np.float32), 1.0)
    raw[:, 1] = f[:, _C["words"]]
    words = np.maximum(raw[:, 1], 1.0)
    raw[:, 3] = f[:, _C["ends_terminal"]]
    raw[:, 4] = f[:, _C["ends_colon"]]
    raw[:, 5] = f[:, _C["starts_upper"]]
    raw[:, 12] = f[:, _C["separators"]]
    raw[:, 13] = f[:, _C["urlish"]]
    raw[:, 14] = f[:, _C["copyright"]]
    raw[:, 15] = f[:, _C["sentences"]]
    raw[:, 11] = np.asarray(bullets, dtype=np.float32)
    raw[:, 0] = chars
    raw[:, 2] = (lens - f[:, _C["spaces"]]) / words
    raw[:, 6] = np.minimum(f[:, _C["upper_after_space"]] / words, 1.0)
    raw[:, 7] = f[:, _C["upper"]] / np.maximum(f[:, _C["letters"]], 1.0)
    raw[:, 8] = f[:, _C["digits"]] / nchar
    raw[:, 9] = f[:, _C["other"]] / nchar
    rep, first = f[:, _C["repeats"]], f[:, _C["first"]]

    words = raw[:, 1]
    terminal = raw[:, 3]
    prose = ((words >= PROSE_MIN_WORDS) & (terminal > 0)) | (words >= PROSE_LONG_WORDS)
    prose_f = prose.astype(np.float32)
    total_words = float(words.sum()) or 1.0
    cum_words = np.cumsum(words) - words
    idx = np.arange(n, dtype=np.float32)

    # longest prose run (by words), allowing short non-prose gaps
    best_s, best_e, best_w = -1, -1, 0.0
    cur_s, cur_w, gap, last_prose = -1, 0.0, 0, -1
    prose_l, words_l = prose.tolist(), words.tolist()
    for i in range(n):
        if prose_l[i]:
            if cur_s < 0:
                cur_s, cur_w = i, 0.0
            cur_w += words_l[i]
            gap, last_prose = 0, i
            if cur_w > best_w:
                best_s, best_e, best_w = cur_s, i, cur_w
        elif cur_s >= 0 and words_l[i] <= RUN_GAP_MAX_WORDS and gap < RUN_MAX_GAP:
            gap += 1
        else:
            cur_s, gap = -1, 0
    if best_s >= 0:
        in_run = ((idx >= best_s) & (idx <= best_e)).astype(np.float32)
        d_before = np.clip(best_s - idx, 0, None)
        d_after = np.clip(idx - best_e, 0, None)
    else:
        in_run = np.zeros(n, np.float32)
        d_before = np.full(n, n, np.float32)
        d_after = np.full(n, n, np.float32)
    run_share = best_w / total_words

    pw = words * prose_f
    cs = np.concatenate([[0.0], np.cumsum(pw)])
    dens = []
    for w in DENSITY_WINDOWS:
        lo = np.clip(idx - w, 0, n).astype(np.int64)
        hi = np.clip(idx + w + 1, 0, n).astype(np.int64)
        dens.append((cs[hi] - cs[lo]) / total_words)
    total_prose = float(pw.sum()) or 1.0
    after = (cs[-1] - cs[1:]) / total_prose
    before = cs[:-1] / total_prose

    page = np.array([n, total_words, float(prose_f.mean()) if n else 0.0,
                     float(words.max()) if n else 0.0,
                     float((rep > 1).mean()) if n else 0.0], dtype=np.float32)
    X = np.column_stack([
        raw[:, :16], rep, first, np.asarray(blank_before, np.float32), np.asarray(blank_after, np.float32),
        prose_f, idx / max(n - 1, 1), cum_words / total_words, words / max(float(words.max()) if n else 1.0, 1.0),
        in_run, d_before, d_after, (d_before + d_after) / max(n, 1), np.full(n, run_share, np.float32),
        dens[0], dens[1], after, before,
        np.tile(page, (n, 1)),
        shape_columns(words, terminal, raw[:, 11], raw[:, 8], raw[:, 5], raw[:, 0]),
    ]).astype(np.float32)
    return X


def vocab_columns(values: np.ndarray, line_of: np.ndarray, lines: int) -> np.ndarray:
    """Per-line log-odds summaries (VOCAB_NAMES) from each term's value (NaN: not in the vocabulary)."""
    out = np.zeros((lines, len(VOCAB_NAMES)), dtype=np.float32)
    if not len(values):
        return out
    known = ~np.isnan(values)
    li, vk = line_of[known], values[known]
    cnt = np.bincount(li, minlength=lines)
    has = np.flatnonzero(cnt)
    if not len(has):
        return out
    order = np.argsort(li, kind="stable")
    li, vk = li[order], vk[order]
    starts = np.searchsorted(li, has)
    total = np.bincount(li, weights=vk, minlength=lines)[has]
    out[has, 0] = total / cnt[has]
    out[has, 1] = np.minimum.reduceat(vk, starts)
    out[has, 2] = np.maximum.reduceat(vk, starts)
    out[has, 3] = total
    out[has, 4] = cnt[has] / np.bincount(line_of, minlength=lines)[has]
    return out


def vocab_features(terms: Terms, vocab: Mapping[str, float] | VocabIndex) -> np.ndarray:
    """Per-line log-odds summaries (VOCAB_NAMES) from the learned token table (built into a
    `VocabIndex` when given as a mapping: pass the index when scoring many pages)."""
    index = vocab if isinstance(vocab, VocabIndex) else VocabIndex(vocab)
    if terms.ids_of is index:  # numbered by `_linestats.counts`: summed there too, the same
        out = np.zeros((terms.lines, len(VOCAB_NAMES)), dtype=np.float32)
        _native.vocab_columns(terms.wid, terms.word_line, index.unigram, *index.pair_slots, out)
        return out
    return vocab_columns(index.values(terms), terms.line_of, terms.lines)


def assemble_features(Xb: np.ndarray, Xv: np.ndarray) -> np.ndarray:
    """Join base + vocabulary columns and add the neighbour columns (-1 beyond the page's ends)."""
    n, nb, nv = len(Xb), Xb.shape[1], Xv.shape[1]
    X = np.empty((n, len(FEATURE_NAMES)), dtype=np.float32)
    X[:, :nb], X[:, nb:nb + nv] = Xb, Xv
    reach, k = max(map(abs, NEIGHBOUR_OFFSETS)), len(NEIGHBOUR_COLS)
    padded = np.full((n + 2 * reach, k), -1.0, dtype=np.float32)
    padded[reach:reach + n] = X[:, _NEIGHBOUR_AT]
    for j, off in enumerate(NEIGHBOUR_OFFSETS):
        X[:, nb + nv + j * k:nb + nv + (j + 1) * k] = padded[reach + off:reach + off + n]
    return X


def features(lines: Sequence[str], blank_before: Sequence[int], blank_after: Sequence[int],
             bullets: Sequence[bool], vocab: Mapping[str, float] | VocabIndex) -> np.ndarray:
    """The full feature matrix (FEATURE_NAMES columns) for one page's non-blank lines."""
    index = vocab if isinstance(vocab, VocabIndex) else VocabIndex(vocab)
    Xb, terms = base_features(lines, blank_before, blank_after, bullets, index)
    return assemble_features(Xb, vocab_features(terms, index))
