"""Scraped-text mode: plain text in, `Document` out.

Owns the text path of the pipeline: input checks and repair (type check,
control characters, mojibake via ftfy when available, very long lines),
segmentation of text into line `Block`s, scoring with the shipped line
model (`models/lines.lgb.txt` + `models/lines.meta.json`, loaded once,
lazily; a model trained with the context pass also has
`models/lines.context.lgb.txt`, see `textcontext`), labelling (threshold, smoothing, optional corpus post-rule), news
structure (the title line chosen by `texttitle`'s model; publisher, byline,
dateline, credit and bio lines), the language of the kept text, and assembly.

    from copydesk.textmode import clean_text
    doc = clean_text(scraped_text)

Credits ("X contributed to this report.") stay in the body *and* are listed
in `Document.credits`: the article runs through its contributor credit.
Bylines and the author's bio are taken out of the body (`authors`, `bio`).
"""
from __future__ import annotations

import gc
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import newsparts, texttitle
from .assemble import assemble
from .blocks import Block
from .decode import LONE_SURROGATE, MOJIBAKE_LEFT, MOJIBAKE_REPAIRED, fix_mojibake, has_lone_surrogate, mojibake_hits
from .document import Document
from .errors import ModelError
from .label import too_little
from .metadata import normalize_date, resolve_language
from .options import MAX_INPUT_BYTES, Options, compiled_part
from .textfeatures import BULLET_MARKS, BULLET_RE, FEATURE_NAMES, PROSE_MIN_WORDS, VocabIndex, features

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import LineCounts

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "lines.lgb.txt"
META_FILE = MODEL_DIR / "lines.meta.json"
#: The second (context) pass; optional: without it the first pass's probabilities are final.
CONTEXT_FILE = MODEL_DIR / "lines.context.lgb.txt"
#: The title-line model (`texttitle`); optional: without it the likeliest `texttitle.title_like` line.
TITLE_FILE = MODEL_DIR / "lines.title.lgb.txt"

#: Lines longer than this are split (at sentence ends when possible) before featurising.
MAX_LINE_CHARS = 5000
#: At most this many lines are scored; the rest of the page is dropped (with a warning).
MAX_LINES = 50_000
#: Blank lines before a line count up to this many.
MAX_BLANKS = 3
#: Prediction stops early for a line once its running score is this far from even (LightGBM's
#: margin: twice the absolute raw score, checked every PREDICT_STOP_EVERY trees): a line already
#: at p < 0.12 or p > 0.88 after a few trees is decided. Out of fold (5 folds, same models) it
#: cut prediction time by 37 % and moved F1 by -0.06 (WCXB) / +0.02 (trafilatura-eval) points.
#: The compiled forest (`compiled.py`) runs every tree in a third of that time: 0.52 against
#: 1.51 ms a page; 273 of the 641,669 lines of the shared renderings change side.
PREDICT_STOP_MARGIN, PREDICT_STOP_EVERY = 4.0, 10
#: Default probability threshold when the meta file does not give one.
DEFAULT_THRESHOLD = 0.5
#: The threshold is relative to the page's best line: threshold x max prob, never below MIN_THRESHOLD.
#: Pages the model is unsure of (product/listing pages) keep their best lines instead of nothing
#: (OOF: WCXB F1 +0.007, trafilatura-eval +0.005).
MIN_THRESHOLD = 0.1
#: After a credit or bio line the article is over: later lines are dropped unless scored above this.
END_KEEP_PROB = 0.8
#: Threshold shift for Options.favor = "precision" / "recall".
FAVOR_SHIFT = 0.15
#: A dropped line between two kept lines is kept when it has at most this many words...
SMOOTH_MAX_WORDS = 12
#: ...and a probability of at least this.
SMOOTH_MIN_PROB = 0.35
#: Credit/bio lines are looked for among the last END_SCAN_KEPT kept lines and END_SCAN_AFTER lines after.
END_SCAN_KEPT, END_SCAN_AFTER = 8, 4
#: A line of at most this many words, starting upper-case and not ending in one of
#: HEADING_NOT_END, is a heading.
HEADING_MAX_WORDS, HEADING_NOT_END = 15, ".!?,;:"
#: A line's kind: `Block.kind` of a paragraph, a list item, a heading.
KINDS = ("paragraph", "list_item", "heading")
#: Without the title model, title candidates are searched this many lines before the body (and bylines
#: and datelines from there to a few lines into it).
TITLE_LOOKBACK = 12
#: Publisher candidates: at most this many words, among the first lines of the page.
PUBLISHER_MAX_WORDS, PUBLISHER_LOOKAHEAD = 6, 3
#: Share of mojibake markers above which ftfy repairs the text.
MOJIBAKE_MIN_SHARE = 0.0005
#: `score_pages` computes the features of at most this many lines before their forest passes.
SCORE_ROWS = 65_536
#: Corpus post-rule: a line seen on at least this share of at least CORPUS_MIN_PAGES pages
#: of its host is boilerplate unless it sits inside prose (kept lines on both sides).
#: Measured on the 96 OOF pages whose host has >= 5 pages (mostly shops and docs), WCXB F1
#: 0.630 single-page -> 0.633 (0.5 share, >= 4 words); 0.604 with (0.3, any length).
CORPUS_MIN_SHARE, CORPUS_MIN_PAGES = 0.5, 5
#: ...and has at least this many words (short template labels such as "Specifications" or
#: "Description" repeat on every product page yet belong to the content).
CORPUS_MIN_WORDS = 4

#: What `repair_text` removes: control characters but tab, newline and carriage return (which it
#: turns into white space first), zero-width space, direction marks, byte-order mark.
_CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0x200B, 0x200B), (0x200E, 0x200F),
                   (0xFEFF, 0xFEFF))
#: Those and the surrogates (`LONE_SURROGATE`): what `repair_text` looks for in one scan.
_SUSPECT_RANGES = _CONTROL_RANGES + ((0xD800, 0xDFFF),)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")


_CONTROL_RE, _SUSPECT_RE = _char_class(_CONTROL_RANGES), _char_class(_SUSPECT_RANGES)
_SENT_END_RE = re.compile(r"[.!?。！？]\s")
_WORD_RE = re.compile(r"\w+")

_native = compiled_part("_linestats")  # None: `_lines` splits the page in Python, the same
_model_lock = threading.Lock()
_model_cache: dict[str, Any] = {}


# --------------------------------------------------------------------------- model
def load_model() -> tuple[Any, dict]:
    """The line model and its meta (feature list, vocabulary, threshold), loaded once."""
    if "model" in _model_cache:
        return _model_cache["model"], _model_cache["meta"]
    with _model_lock:
        if "model" in _model_cache:
            return _model_cache["model"], _model_cache["meta"]
        from .score import read_booster
        booster, meta = read_booster(MODEL_FILE, META_FILE, FEATURE_NAMES, "copydesk text model")
        meta["vocab_map"] = dict(meta.get("vocab", {}))
        meta["context_booster"] = None
        if meta.get("context"):
            from .textcontext import TEXT_CONTEXT_NAMES
            meta["context_booster"] = read_booster(CONTEXT_FILE, None, TEXT_CONTEXT_NAMES,
                                                   "copydesk text context model")[0]
        meta["title_booster"] = None
        if meta.get("title"):
            if meta["title"].get("features") != texttitle.FEATURE_NAMES:
                raise ModelError(f"copydesk text title model {TITLE_FILE} was trained on other features; retrain it")
            meta["title_booster"] = read_booster(TITLE_FILE, None, texttitle.FEATURE_NAMES,
                                                 "copydesk text title model")[0]
        _model_cache["meta"] = meta
        _model_cache["model"] = booster
        return booster, meta


def reset_model_cache() -> None:
    """Forget the loaded model (tests, or after retraining in-process)."""
    _model_cache.clear()


# --------------------------------------------------------------------------- input repair
def repair_text(text: str, warnings: list[str] | None = None) -> str:
    """Normalise newlines, fix mojibake when it looks broken, drop control characters (after the
    repair: text read as Latin-1 holds its "’" as "â" and two C1 control characters)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    # one scan for what the next two look for
    suspect = _native.any_in(text, _SUSPECT_RANGES) if _native is not None else _SUSPECT_RE.search(text) is not None
    if suspect and has_lone_surrogate(text):  # nothing to recover from half a pair: as the HTML parser does, it goes
        text = LONE_SURROGATE.sub("", text)
        if warnings is not None:
            warnings.append("lone surrogates removed")
    sample = text[:200_000]
    hits = mojibake_hits(sample)
    if hits and hits / max(len(sample), 1) >= MOJIBAKE_MIN_SHARE:
        fixed = fix_mojibake(text, fix_all=True)
        if fixed is not None:
            text, suspect = fixed, True
            if warnings is not None:
                warnings.append(MOJIBAKE_REPAIRED)
        elif warnings is not None:
            warnings.append(MOJIBAKE_LEFT)
    if suspect and _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
        if warnings is not None:
            warnings.append("control characters removed")
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def _split_long(line: str) -> list[str]:
    """Cut a very long line into pieces of at most MAX_LINE_CHARS, at sentence ends when possible."""
    out: list[str] = []
    pos, n = 0, len(line)
    while n - pos > MAX_LINE_CHARS:
        window = line[pos:pos + MAX_LINE_CHARS]
        cut = -1
        for m in _SENT_END_RE.finditer(window, MAX_LINE_CHARS // 2):
            cut = m.end()
        if cut < 0:
            sp = window.rfind(" ", MAX_LINE_CHARS // 2)
            cut = sp + 1 if sp > 0 else MAX_LINE_CHARS
        out.append(line[pos:pos + cut].strip())
        pos += cut
    out.append(line[pos:].strip())
    return [p for p in out if p]


@dataclass
class Segmented:
    """Non-blank lines of a page, their kinds and the blank-line structure around them."""

    lines: list[str]
    kinds: list[str]
    blank_before: list[int]
    blank_after: list[int]
    bullets: list[bool]
    #: Whitespace-separated words of each line.
    words: np.ndarray
    warnings: list[str] = field(default_factory=list)
    _blocks: list[Block] | None = field(default=None, repr=False)
    _bylines: dict[int, list[str] | None] = field(default_factory=dict, repr=False)
    _datelines: dict[int, bool] = field(default_factory=dict, repr=False)

    def byline(self, i: int) -> list[str] | None:
        """`newsparts.parse_byline` of line i (asked once a line: `decide` and the title's features
        ask it of the same lines)."""
        if i not in self._bylines:
            self._bylines[i] = newsparts.parse_byline(self.lines[i])
        return self._bylines[i]

    def dateline(self, i: int) -> bool:
        """`newsparts.is_dateline` of line i (asked once a line, as `byline`)."""
        if i not in self._datelines:
            self._datelines[i] = newsparts.is_dateline(self.lines[i])
        return self._datelines[i]

    @property
    def blocks(self) -> list[Block]:
        """Every line as a `Block` (built on first use)."""
        if self._blocks is None:
            self._blocks = self._build(range(len(self.lines)))
        return self._blocks

    def kept_blocks(self, keep: np.ndarray) -> list[Block]:
        """Blocks of the lines where `keep` is true (only those are built)."""
        return self._build(np.flatnonzero(keep).tolist())

    def _build(self, idx: Iterable[int]) -> list[Block]:
        lines, kinds = self.lines, self.kinds
        return [Block(lines[i], kinds[i], "line", 2 if kinds[i] == "heading" else 0, i)  # text, kind, tag, level, index
                for i in idx]


def _split_pieces(lines: list[str], blanks: list[int]) -> tuple[list[str], list[int]]:
    """Very long lines cut by `_split_long`; pieces after the first have no blank line before them."""
    out: list[str] = []
    bb: list[int] = []
    for line, b in zip(lines, blanks):
        pieces = _split_long(line) if len(line) > MAX_LINE_CHARS else [line]
        out.extend(pieces)
        bb.extend([b] + [0] * (len(pieces) - 1))
    return out, bb


def _lines(text: str) -> tuple[list[str], list[int], list[int]]:
    """The non-blank lines of `text`, stripped; the blank lines before each (at most MAX_BLANKS);
    the words of each. By `_linestats.lines` when it is built, else here: the same."""
    if _native is not None:
        return _native.lines(text, MAX_BLANKS)
    stripped = [r.strip() for r in text.split("\n")]
    pos = np.flatnonzero(np.fromiter(map(bool, stripped), dtype=bool, count=len(stripped)))
    lines = [stripped[i] for i in pos]
    return lines, np.minimum(np.diff(pos, prepend=-1) - 1, MAX_BLANKS).tolist(), [len(t.split()) for t in lines]


def _marks(lines: list[str], words: list[int]) -> tuple[list[bool], list[str]]:
    """Which lines are list items (their bullet taken off `lines`, `words` counted again) and the
    kind of each (`KINDS`). By `_linestats.marks` when it is built, else here: the same."""
    if _native is not None:
        return _native.marks(lines, words, BULLET_MARKS, HEADING_NOT_END, HEADING_MAX_WORDS, KINDS)
    bullets = [False] * len(lines)
    kinds = [KINDS[0]] * len(lines)
    for i, m in enumerate(map(BULLET_RE.match, lines)):
        if m is not None:  # lines are stripped: a match is followed by text
            lines[i] = lines[i][m.end():].strip()
            words[i] = len(lines[i].split())
            bullets[i] = True
            kinds[i] = KINDS[1]
    for i, t in enumerate(lines):
        if not bullets[i] and 1 <= words[i] <= HEADING_MAX_WORDS and t[-1] not in HEADING_NOT_END and t[:1].isupper():
            kinds[i] = KINDS[2]
    return bullets, kinds


def segment(text: str) -> Segmented:
    """Split repaired text into line blocks (blank lines become structure, bullets list items)."""
    warnings: list[str] = []
    lines, bb, words = _lines(text)
    if lines and max(map(len, lines)) > MAX_LINE_CHARS:
        lines, bb = _split_pieces(lines, bb)
        words = [len(t.split()) for t in lines]
    if len(lines) > MAX_LINES:
        lines, bb, words = lines[:MAX_LINES], bb[:MAX_LINES], words[:MAX_LINES]
        warnings.append(f"page cut to its first {MAX_LINES} lines")
    bullets, kinds = _marks(lines, words)
    ba = bb[1:] + [1] if bb else []
    return Segmented(lines, kinds, bb, ba, bullets, np.array(words, dtype=np.int64), warnings)


@dataclass(frozen=True)
class LineModel:
    """A line model other than the shipped one (e.g. a fold model of `copydesk bench --input text --oof`)."""

    booster: Any
    #: The learned word and bigram log-odds (as the model's meta file holds them).
    vocab: dict[str, float]
    threshold: float = DEFAULT_THRESHOLD
    #: Second pass over the first pass's probabilities (`textcontext`), or None.
    context: Any = None
    #: `booster` and `context` compiled (`compiled.py`): the whole forests, used to predict when present.
    compiled: tuple | None = None
    #: The title-line model and its threshold (`texttitle`), or None: the heuristic choice.
    title: tuple[Any, float] | None = None
    #: `vocab` arranged for scoring (built here, once a model).
    index: VocabIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", VocabIndex(self.vocab))


def _shipped() -> LineModel:
    """The shipped model as a LineModel (built once, with the model)."""
    cached = _model_cache.get("line_model")
    if cached is None:
        booster, meta = load_model()
        from . import compiled
        context = meta["context_booster"]
        fast = compiled.load_passes(MODEL_FILE, CONTEXT_FILE if context is not None else None)
        title = None
        if meta["title_booster"] is not None:
            title = (compiled.load(TITLE_FILE) or meta["title_booster"], float(meta["title"]["threshold"]))
        cached = _model_cache["line_model"] = LineModel(booster, meta["vocab_map"],
                                                        float(meta.get("threshold", DEFAULT_THRESHOLD)),
                                                        context, fast, title)
    return cached


def warm_compiled() -> bool:
    """Compile the shipped line and title models into the cache now (`compiled.warm`)."""
    from . import compiled
    return compiled.warm([MODEL_FILE] + [f for f in (CONTEXT_FILE, TITLE_FILE) if f.is_file()])


def score_segmented(seg: Segmented, model: LineModel | None = None) -> np.ndarray:
    """Body probability of every line (one LightGBM call per pass for the page)."""
    return score_pages([seg], model)[0]


def score_pages(segs: list[Segmented], model: LineModel | None = None) -> list[np.ndarray]:
    """`score_segmented` of each page, stage by stage: the pages' features, then their forest
    passes (each stage's tables and code stay in the cache: `clean_texts`), SCORE_ROWS lines at
    most at a time (their features take 600 bytes a line)."""
    model = model or _shipped()
    out: list[np.ndarray] = []
    while len(out) < len(segs):
        run, rows = [], 0
        for s in segs[len(out):]:
            if run and rows + len(s.lines) > SCORE_ROWS:
                break
            run.append(s)
            rows += len(s.lines)
        X = [features(s.lines, s.blank_before, s.blank_after, s.bullets, model.index) if s.lines else None
             for s in run]
        out += [_predict(x, model) if x is not None else np.zeros(0, dtype=np.float64) for x in X]
    return out


def _predict(X: np.ndarray, model: LineModel) -> np.ndarray:
    if model.compiled is not None:
        first, context = model.compiled
        p = first.predict(X, num_threads=1)
    else:
        first, context = model.booster, model.context
        p = first.predict(X, num_threads=1, pred_early_stop=True, pred_early_stop_freq=PREDICT_STOP_EVERY,
                          pred_early_stop_margin=PREDICT_STOP_MARGIN)
    p = np.asarray(p, dtype=np.float64)
    if context is not None:
        from .textcontext import text_context_features
        p = np.asarray(context.predict(text_context_features(p, X), num_threads=1), dtype=np.float64)
    return p


# --------------------------------------------------------------------------- news structure
def _publisher_like(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= PUBLISHER_MAX_WORDS or text[-1] in ".!?,;:":
        return False
    return all(w[:1].isupper() or w.lower() in ("the", "of", "and", "&", "de", "la", "le", "der", "die")
               for w in words)


# --------------------------------------------------------------------------- labelling
def decide(seg: Segmented, probs: np.ndarray, threshold: float,
           corpus_share: np.ndarray | None = None, title: tuple[Any, float] | None = None) -> dict[str, Any]:
    """Turn line probabilities into keep decisions and news parts.

    Returns ``keep`` (bool array), ``title``/``publisher`` (str|None),
    ``authors``, ``credits`` (lists), ``bio`` (str|None), ``title_index``,
    ``body_start`` and ``body_alone`` (the first kept line when the title is chosen,
    and whether it was the only one: `texttitle.candidates`) and ``date_lines``:
    the datelines near the body's start, those under the title first. `title` is
    the title-line model and threshold (`texttitle`); without it a heuristic chooses.
    """
    n = len(seg.lines)
    texts = seg.lines
    if n:
        threshold = max(MIN_THRESHOLD, threshold * min(1.0, float(probs.max())))
    keep = probs >= threshold
    words = seg.words
    # smoothing: a short line between two kept lines stays (not a lone word: ad and widget labels)
    if n >= 3:
        prev_k = np.concatenate([[False], keep[:-1]])
        next_k = np.concatenate([keep[1:], [False]])
        fill = ~keep & prev_k & next_k & (words >= 2) & (words <= SMOOTH_MAX_WORDS) & (probs >= SMOOTH_MIN_PROB)
        keep = keep | fill
    # corpus evidence: lines frequent across the host's pages go, unless inside prose
    if corpus_share is not None and n:
        prev_k = np.concatenate([[False], keep[:-1]])
        next_k = np.concatenate([keep[1:], [False]])
        frequent = (corpus_share >= CORPUS_MIN_SHARE) & (words >= CORPUS_MIN_WORDS)
        keep = keep & ~(frequent & ~(prev_k & next_k & ~np.concatenate([[False], frequent[:-1]])
                                     & ~np.concatenate([frequent[1:], [False]])))
    if too_little(probs, keep, np.fromiter(map(len, texts), np.float64, n)):
        keep[:] = False
    out: dict[str, Any] = {"keep": keep, "title": None, "publisher": None, "authors": [],
                           "credits": [], "bio": None, "title_index": -1, "body_start": -1, "body_alone": False,
                           "date_lines": []}
    kept_idx = np.flatnonzero(keep)
    if not len(kept_idx):
        return out
    first = int(kept_idx[0])

    # bylines near the start of the body: into authors, out of the body; datelines: date candidates
    authors: list[str] = []
    datelines: list[int] = []
    for i in range(max(0, first - TITLE_LOOKBACK), min(n, first + 6)):
        names = seg.byline(i) if words[i] <= 15 else None
        if names:
            authors.extend(a for a in names if a not in authors)
            keep[i] = False
        elif words[i] <= newsparts.DATELINE_MAX_WORDS and seg.dateline(i):
            datelines.append(i)
            if keep[i] and words[i] <= 8:
                keep[i] = False
    kept_idx = np.flatnonzero(keep)
    if not len(kept_idx):
        out["keep"] = keep
        return out
    first = int(kept_idx[0])

    # title: the title model's best line up to the body's first; without it, the likeliest
    # title-like line shortly before the body (or the body's first line)
    out.update(body_start=first, body_alone=len(kept_idx) == 1)
    title_i = -1
    if title is not None:
        title_i = texttitle.pick(seg, probs, first, out["body_alone"], *title)
        if 0 <= title_i < PUBLISHER_LOOKAHEAD and _publisher_like(texts[title_i]):
            # a name line opening the page is its publisher when a title-like line follows it
            title_i = next((i for i in range(first - 1, title_i, -1)
                            if texttitle.title_like(texts[i], seg.bullets[i])), title_i)
    elif texttitle.title_like(texts[first], seg.bullets[first]) and len(kept_idx) > 1 \
            and words[int(kept_idx[1])] >= PROSE_MIN_WORDS:
        title_i = first
    else:
        best = -1.0
        for i in range(first - 1, max(-1, first - 1 - TITLE_LOOKBACK), -1):
            if probs[i] > best and texttitle.title_like(texts[i], seg.bullets[i]):
                title_i, best = i, float(probs[i])
    if title_i >= 0:
        out["title"] = texts[title_i]
        out["title_index"] = title_i
        keep[title_i] = False
        # publisher: a short, name-like first line of the page before the title
        for i in range(0, min(title_i, PUBLISHER_LOOKAHEAD)):
            if _publisher_like(texts[i]) and texts[i] != texts[title_i]:
                out["publisher"] = texts[i]
                break
    # datelines after the title first (a page's own date sits under its headline)
    out["date_lines"] = [texts[i] for i in sorted(datelines, key=lambda i: (i < title_i, i))]

    # credit and bio lines at the end of the article
    kept_idx = np.flatnonzero(keep)
    credits: list[str] = []
    bio: list[str] = []
    if len(kept_idx):
        last = int(kept_idx[-1])
        start = int(kept_idx[max(len(kept_idx) // 2, len(kept_idx) - END_SCAN_KEPT)])
        end_at = -1
        for i in range(start, min(n, last + END_SCAN_AFTER)):
            t = texts[i]
            if words[i] > 120:
                continue
            if newsparts.is_credit(t):
                credits.append(t)
                keep[i] = True
                end_at = max(end_at, i)
                continue
            who = newsparts.bio_author(t, known_authors=authors)
            if who and (keep[i] or probs[i] >= SMOOTH_MIN_PROB or end_at >= 0):
                bio.append(t)
                keep[i] = False
                if who not in authors:
                    authors.append(who)
                end_at = max(end_at, i)
        if end_at >= 0:  # the article ends at its credit / the author's bio
            keep[end_at + 1:] &= probs[end_at + 1:] >= END_KEEP_PROB
    out.update(keep=keep, authors=authors, credits=credits, bio="\n\n".join(bio) or None)
    return out


def _confidence(probs: np.ndarray, keep: np.ndarray, seg: Segmented) -> float:
    """Mean body probability of kept lines × share of the page's likely-body words kept."""
    if not keep.any():
        return 0.0
    words = seg.words.astype(np.float64)
    likely = words * probs
    cover = float(likely[keep].sum() / max(likely.sum(), 1e-9))
    weights = words[keep] + 1
    mean = float((probs[keep] * weights).sum() / weights.sum())  # np.average's steps, without its checks
    return min(max(mean * min(1.0, cover + 0.2), 0.0), 1.0)


def clean_text(text: str, url: str | None = None, options: Options | None = None,
               counts: "LineCounts | None" = None, model: LineModel | None = None) -> Document:
    """Extract the article from already-scraped plain text.

    `counts` (from `copydesk.corpus.count_lines`) adds corpus evidence: lines
    repeated across many pages of the same host are dropped as boilerplate.
    `model` replaces the shipped line model (evaluation of fold models).
    """
    return clean_texts([text], [url], options, counts, model)[0]


def clean_texts(texts: Sequence[str], urls: Sequence[str | None] | None = None, options: Options | None = None,
                counts: "LineCounts | None" = None, model: LineModel | None = None) -> list[Document]:
    """`clean_text` of each text (with its url), the same documents, faster for many pages.

    The pages go through each stage together (repair and segmentation, line features, the
    forest, decisions, language identification), so that a stage's tables and code stay in
    the processor's cache from one page to the next: `options.BATCH_PAGES` (256) pages a call
    take about a fifth less time than as many calls of `clean_text` (BENCHMARKS.md). Python's
    cyclic garbage collector is paused while they are cleaned: its passes over the batch's
    objects cost several per cent, and cleaning makes almost no reference cycles (163 objects
    over the 2,487 shared renderings). Raises TypeError, naming the text, when one is not a
    str; nothing is cleaned then.
    """
    texts = list(texts)
    urls = [None] * len(texts) if urls is None else list(urls)
    if len(urls) != len(texts):
        raise ValueError(f"clean_texts: {len(texts)} texts but {len(urls)} urls")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            where = "" if len(texts) == 1 else f" (text {i})"
            if isinstance(text, (bytes, bytearray)):
                raise TypeError(f"clean_text expects str{where}; decode the bytes first "
                                "(or use copydesk.extract for HTML)")
            raise TypeError(f"clean_text expects str{where}, not {type(text).__name__}")
    options = options or Options()
    paused = len(texts) > 1 and gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _clean(texts, urls, options, counts, model)
    finally:
        if paused:
            gc.enable()


def _clean(texts: list[str], urls: list[str | None], options: Options, counts: "LineCounts | None",
           model: LineModel | None) -> list[Document]:
    docs = [Document(url=url) for url in urls]
    segs = [_prepare(text, doc) for text, doc in zip(texts, docs)]
    live = [i for i, seg in enumerate(segs) if seg is not None]
    if not live:
        return docs
    model = model or _shipped()
    thr = model.threshold
    if options.favor == "precision":
        thr += FAVOR_SHIFT
    elif options.favor == "recall":
        thr -= FAVOR_SHIFT
    probs = dict(zip(live, score_pages([segs[i] for i in live], model)))
    for i in live:
        _finish(docs[i], segs[i], probs[i], thr, options, counts, model)
    if options.with_metadata:
        for i in live:
            docs[i].language = resolve_language(None, docs[i].text)
    return docs


def _prepare(text: str, doc: Document) -> Segmented | None:
    """The repaired text's lines, or None with `doc.empty_reason` set when it has none."""
    if len(text) > MAX_INPUT_BYTES:
        text = text[:MAX_INPUT_BYTES]
        doc.warnings.append(f"input truncated to {MAX_INPUT_BYTES} characters")
    if not text.strip():
        doc.empty_reason = "empty input"
        return None
    seg = segment(repair_text(text, doc.warnings))
    doc.warnings.extend(seg.warnings)
    if not seg.lines:
        doc.empty_reason = "empty input"
        return None
    return seg


def _finish(doc: Document, seg: Segmented, probs: np.ndarray, thr: float, options: Options,
            counts: "LineCounts | None", model: LineModel) -> None:
    """Fill `doc` from its page's line probabilities: the kept lines and (but for the language,
    `clean_texts`) the news parts."""
    share = None
    if counts is not None:
        from .corpus import host_of, line_keys
        share = counts.host_share(host_of(doc.url) if doc.url else "", line_keys(seg.lines))
    res = decide(seg, probs, thr, share, model.title)
    keep = res["keep"]
    doc.paragraphs = assemble(seg.kept_blocks(keep))
    if options.with_metadata:
        doc.title = res["title"]
        doc.publisher = res["publisher"]
        doc.authors = res["authors"]
        doc.credits = res["credits"]
        doc.bio = res["bio"]
        doc.date = next(filter(None, (normalize_date(t, extensive=False) for t in res["date_lines"])), None)
    doc.confidence = _confidence(probs, keep, seg)
    if not doc.paragraphs:
        doc.empty_reason = "no content found"


__all__ = ["clean_text", "clean_texts", "segment", "score_segmented", "score_pages", "decide", "load_model",
           "repair_text", "Segmented", "LineModel", "MODEL_FILE", "META_FILE"]
