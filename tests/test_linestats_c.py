"""_linestats.c against the numpy code it replaces (`textfeatures._line_counts_py`, `_columns_py`,
`vocab_columns`): the same counts line for line, the same words, as numbers in the vocabulary
index, and the same feature columns bit for bit.
(test_textfeatures checks the rows on both paths.)"""

import numpy as np
import pytest
from conftest import require_compiled

from copydesk import textfeatures as tf

require_compiled(tf._native is not None, "_linestats")

INDEX = tf.VocabIndex({"the": 1.0, "newsletter": -2.0, "sign up": -3.0, "straße": 0.5, "東京で会議が開かれた": 1.5,
                       "the end": 0.25, "1": 0.1, "x_y": 0.2, "ünd": 0.3})

ODD_LINES = [
    "x", " ", "\u00a0lead", "trail\u3000", "A", "a", "Ab", "AB", "ǅungla Title", "ǅ", "ﬁle ﬂow",
    "ß straße STRASSE", "Ünd für die", "end.", "end!", "end?", "end。", "end:", "a. b? c! d", "a.b", ". ",
    "..  x", "a,b,,c", "|•| » › / >", "1234567890" * 30, "\U0001F600 emoji \U0001F600.",
    "\U0001D7CF\U0001D7D0 math digits", "𝟏 apples", "𝟐 apples", "tab\tsep\x0bvt\x1cfs  double  space ",
    "«Zitat»", "Sign up for our Newsletter", "sign up for our newsletter", "The the THE tHe end",
    "ⅷ roman Ⅻ", "١٢٣ arabic digits", "١٢٤ arabic digits", "東京で会議が開かれた。参加者は多かった！本当？",
    "word " * 900 + "end.", "http://a.b https://c www.d user@host x.com x.comma x.com_y X.COM .com",
    "WWW.SHOUT HTTP://UP", "mail@", ".com", "© 2024", "Copyright 2024", "x" * 292 + "opyright",
    "x" * 293 + "opyright", "x" * 5000 + " tail.", "x_y x_y_z __ _", "  lead and trail  ", "a \u00a0b",
    "Page 1 of 12", "Page 2 of 13", "12 34", "12  34", "1\u00a02", "\u2003em space", "snake_case Ünd",
    "\u0300combining first", "a\u200bzero width", "ＡＢＣ fullwidth", "Ǆ ǅ ǆ", "ﬀ ligature",
]


def _both(lines, index=INDEX):
    lines = [line[:tf.MAX_FEATURE_CHARS] for line in lines]  # as base_features passes them
    py, py_terms = tf._line_counts_py(lines)
    c, c_terms = tf._line_counts(lines, index)
    return py, py_terms, c, c_terms


def _check(lines, index=INDEX):
    py, py_terms, c, c_terms = _both(lines, index)
    assert np.array_equal(py, c), [(lines[i][:40], tf.COUNTS[j]) for i, j in np.argwhere(py != c)]
    assert c_terms.ids_of is index
    assert np.array_equal(index.values(py_terms), index.values(c_terms), equal_nan=True)
    assert np.array_equal(py_terms.word_line, c_terms.word_line)
    # the log-odds columns: summed in C for numbered words, by numpy for the others
    assert np.array_equal(tf.vocab_features(c_terms, index), tf.vocab_features(py_terms, index))
    # the page's columns from the counts (`columns` against `_columns_py`), with some blank lines and bullets
    n = len(lines)
    bb, bullets = [i % 5 for i in range(n)], [i % 3 == 1 for i in range(n)]
    ba = bb[1:] + [1]
    X, _ = tf.base_features(lines, bb, ba, bullets, index)
    lens = np.array([len(line[:tf.MAX_FEATURE_CHARS]) for line in lines], dtype=np.int64)
    ref = tf._columns_py(c, lens, np.array([len(line) for line in lines], dtype=np.int64), bullets, bb, ba)
    assert np.array_equal(X, ref), [tf.BASE_NAMES[j] for j in np.flatnonzero((X != ref).any(axis=0))]


def test_counts_agree_on_odd_lines():
    _check(ODD_LINES)


def test_counts_agree_line_by_line():
    for line in ODD_LINES:
        _check([line, line.upper(), line.lower(), line])


def test_repeats_follow_the_normalised_key():
    c, _ = tf._line_counts(["Page 1 of 12", "page 2 of 13", "PAGE  3 of 14 ", "Page x"], INDEX)
    assert c[:, tf._C["repeats"]].tolist() == [3, 3, 3, 1]
    assert c[:, tf._C["first"]].tolist() == [1, 0, 0, 1]


def test_a_page_with_dotted_capital_i_or_capital_sigma_is_counted_by_numpy():
    for odd in ("İstanbul İN the", "ΟΔΟΣ ΣΑΣ."):
        c, terms = tf._line_counts(["the first line", odd], INDEX)
        assert terms.ids_of is None  # numpy's words
        assert np.array_equal(c, tf._line_counts_py(["the first line", odd])[0])


def test_counts_agree_on_shared_renderings(shared_data):
    """Every 10th page of both shared sets, rendered to text and segmented as text mode does; the
    log-odds columns with the shipped line model's table."""
    from copydesk.bench.render import decode_page, render_text
    from copydesk.textmode import _shipped, repair_text, segment
    shipped = _shipped().index
    files = sorted((shared_data / "wcxb-dev" / "html").iterdir())[::10]
    files += sorted((shared_data / "trafilatura-eval" / "html").iterdir())[::10]
    import gzip
    for path in files:
        seg = segment(repair_text(render_text(decode_page(gzip.decompress(path.read_bytes())))))
        if seg.lines:
            _check(seg.lines, shipped)


def test_bad_arguments_raise_instead_of_crashing():
    lines = ["one", "two"]
    ok = dict(wid=np.zeros(8, np.int64), tok_line=np.zeros(8, np.int64))
    small = np.zeros((2, 3), dtype=np.int64)
    with pytest.raises(ValueError):
        tf._native.counts(lines, small, ok["wid"], ok["tok_line"], tf.charclass.TABLE, tf._STOP_TABLE, None, 4000, 400, 300)
    with pytest.raises(ValueError):  # no room for the words
        tf._native.counts(lines, np.zeros((2, len(tf.COUNTS)), np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64),
                          tf.charclass.TABLE, tf._STOP_TABLE, None, 4000, 400, 300)
    with pytest.raises(TypeError):
        tf._native.counts(["one", 2], np.zeros((2, len(tf.COUNTS)), np.int64), ok["wid"], ok["tok_line"],
                          tf.charclass.TABLE, tf._STOP_TABLE, None, 4000, 400, 300)
    with pytest.raises(TypeError):
        tf._native.table(["a", 1])


def test_counts_agree_on_random_pages():
    """Lines drawn from pieces that sit on the counting's edges: classes, spaces, digits, URL and
    copyright marks, words of the index, repeated lines."""
    import random

    pieces = list("aAbBzZ09 .,:;!?|»›•·/>@_-\t\u00a0\u3000\u2003\u200b©Üüßǅﬁσς١٢東京。！？\"'”’»)(") + [
        "\U0001D7CF", "\U0001F600", "http://", "https://", "www.", ".com", "opyright", "Copyright ", "the ",
        "sign up ", "newsletter ", "1", "12 ", "  "]
    rng = random.Random(11)
    for _ in range(300):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.choice((1, 3, 10, 40, 120, 350))))
                 for _ in range(rng.randint(1, 30))]
        lines += [rng.choice(lines) for _ in range(rng.randint(0, 5))]
        lines = [line for line in lines if line.strip()]
        if lines:
            _check(lines)


def _lines_both(text, monkeypatch):
    from copydesk import textmode
    c = textmode._lines(text)
    with monkeypatch.context() as m:
        m.setattr(textmode, "_native", None)
        py = textmode._lines(text)
    return c, py


def test_lines_split_as_python_does(monkeypatch):
    """`lines`: str.split("\\n"), str.strip(), blank lines before (capped), len(str.split())."""
    texts = ["", "\n", "a", "\n\n a  b \n\n\n\n\nc\u3000d e\n \u2003\nx\n", "\u00a0\n\u2028\nx\u0085y z\n\n"]
    texts += ["\n".join(ODD_LINES), "\n\n".join(ODD_LINES), "\n \n".join(reversed(ODD_LINES))]
    for text in texts:
        c, py = _lines_both(text, monkeypatch)
        assert c == tuple(py), text[:40]
    import random
    rng = random.Random(5)
    pieces = ["\n", "\n\n", " ", "\u3000", "\u00a0", "\u2003", "\x1c", "\x85", "word", "Ünd", "東京", "\U0001F600", "."]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        c, py = _lines_both(text, monkeypatch)
        assert c == tuple(py), repr(text)


def test_lines_rejects_what_is_not_text():
    from copydesk import textmode
    with pytest.raises(TypeError):
        textmode._native.lines(b"bytes", 3)


def test_pair_table_finds_every_pair_and_nothing_else():
    rng = np.random.default_rng(3)
    keys = np.unique(rng.integers(0, 1 << 40, 5000))
    index = tf.VocabIndex({})
    index.pair_keys, index.pair_values = keys, rng.normal(size=len(keys))
    slots = np.full(1 << 14, -1, dtype=np.int64), np.zeros(1 << 14)
    tf._native.pair_table(index.pair_keys, index.pair_values, *slots)
    assert sorted(slots[0][slots[0] >= 0].tolist()) == keys.tolist()
    assert np.array_equal(np.sort(slots[1][slots[0] >= 0]), np.sort(index.pair_values))
    with pytest.raises(ValueError):  # no room: at least twice as many slots as keys
        tf._native.pair_table(keys, index.pair_values, np.full(4096, -1, np.int64), np.zeros(4096))
    with pytest.raises(ValueError):  # not a power of two
        tf._native.pair_table(keys[:10], index.pair_values[:10], np.full(100, -1, np.int64), np.zeros(100))


def test_vocab_columns_refuses_words_out_of_range():
    out = np.zeros((2, len(tf.VOCAB_NAMES)), dtype=np.float32)
    args = (INDEX.unigram, *INDEX.pair_slots, out)
    tf._native.vocab_columns(np.array([0, 1]), np.array([0, 1]), *args)
    for wid, line in (([0, 1], [0, 2]), ([0, 1], [1, 0]), ([0, len(INDEX.unigram) - 1], [0, 0]), ([0], [0, 0])):
        with pytest.raises(ValueError):
            tf._native.vocab_columns(np.array(wid), np.array(line), *args)


def test_columns_refuses_buffers_of_the_wrong_size():
    n = 3
    counts = np.zeros((n, len(tf.COUNTS)), dtype=np.int64)
    ints = np.zeros(n, dtype=np.int64)
    out = np.zeros((n, len(tf.BASE_NAMES)), dtype=np.float32)
    tf._native.columns(counts, ints, ints, ints, ints, ints, tf._COLUMN_CONSTS, out)
    with pytest.raises(ValueError):
        tf._native.columns(counts, ints, ints, ints[:2], ints, ints, tf._COLUMN_CONSTS, out)
    with pytest.raises(ValueError):
        tf._native.columns(counts, ints, ints, ints, ints, ints, tf._COLUMN_CONSTS[:-1], out)
    with pytest.raises(ValueError):
        tf._native.columns(counts, ints, ints, ints, ints, ints, tf._COLUMN_CONSTS, out[:, :-1].copy())
    with pytest.raises(ValueError):  # no lines: base_features answers those itself
        tf._native.columns(counts[:0], ints[:0], ints[:0], ints[:0], ints[:0], ints[:0], tf._COLUMN_CONSTS, out[:0])


def test_marks_find_list_items_and_headings_as_python_does(monkeypatch):
    """`marks`: textfeatures.BULLET_RE's openings taken off, words counted again, kinds as the
    Python loop gives them, on odd openings and 300 random pages of lines."""
    from copydesk import textmode
    import random

    def both(lines):
        words = [len(t.split()) for t in lines]
        c_lines, c_words = list(lines), list(words)
        c = textmode._marks(c_lines, c_words)
        with monkeypatch.context() as m:
            m.setattr(textmode, "_native", None)
            py_lines, py_words = list(lines), list(words)
            py = textmode._marks(py_lines, py_words)
        assert (c, c_lines, c_words) == (py, py_lines, py_words), lines

    both(["• item", "•item", "- a", "-", "1. one", "1) one", "123. x", "1234. x", "١٢. arabic", "12.x", "* b\u3000c",
          "— dash", "–\u00a0en", "Heading Here", "heading here", "Ends with dot.", "Ends with colon:", "Ünder",
          "ǅungla Title", "A " * 16, "x", "1.", "9) ", ""] + ODD_LINES)
    rng = random.Random(9)
    pieces = ["•", "-", "*", "—", "1", "12", "١", ".", ")", " ", "\u3000", "\u00a0", "A", "a", "Ü", "word", ":", "?", "ǅ"]
    for _ in range(300):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).strip() for _ in range(rng.randint(1, 20))]
        both([t for t in lines if t])


def test_marks_rejects_what_it_cannot_read():
    from copydesk import textmode
    with pytest.raises(ValueError):
        textmode._native.marks(["a"], [], "•", ".", 15, textmode.KINDS)
    with pytest.raises(TypeError):
        textmode._native.marks(["a", 2], [1, 1], "•", ".", 15, textmode.KINDS)
    with pytest.raises(ValueError):
        textmode._native.marks(["a"], [1], "•", ".", 15, ("paragraph",))


def test_any_in_finds_the_ranges_of_every_string_kind():
    from copydesk import textmode
    ranges = textmode._SUSPECT_RANGES
    for ch in ["\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x9f", "\u200b", "\u200f", "\ufeff", "\ud800", "\udfff"]:
        for text in (ch, "ascii " + ch, "é " + ch, "\u20ac " + ch, "\U0001F600 " + ch):
            assert tf._native.any_in(text, ranges) and textmode._SUSPECT_RE.search(text), repr(text)
    for text in ("", "plain\ttext\r\n", "caf\u00e9 \u00a0", "\u200a\u2010 \ufefe\uff00", "\U0001F600\U000E0001"):
        assert not tf._native.any_in(text, ranges) and not textmode._SUSPECT_RE.search(text), repr(text)
    assert tf._native.any_in("\U0010fffe", ((0x10FFFE, 0x10FFFF),)) and not tf._native.any_in("a", ())
    with pytest.raises(ValueError):
        tf._native.any_in("a", ((5, 4),))
    with pytest.raises(ValueError):
        tf._native.any_in("a", tuple((i, i) for i in range(17)))
    with pytest.raises(TypeError):
        tf._native.any_in(b"bytes", ranges)
