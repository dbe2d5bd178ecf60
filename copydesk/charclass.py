"""charclass: one lookup table of character classes, for counting over a page's code points.

Shared by the block features (`features`) and the line features
(`textfeatures`): a page's texts are joined, encoded as UTF-32 and classified
with one numpy indexing instead of a Python loop per block or line. Code points
above `CLASS_LIMIT` share its class: a letter, like every code point above 255.
"""
from __future__ import annotations

import re

import numpy as np

# Bit flags of a code point's class.
WS, SPACE, DIGIT, UPPER, LETTER, SEP, TERM, SENT_END, DECIMAL = (1 << k for k in range(9))
CLASS_LIMIT = 0xFFFF
#: Characters that end a sentence-like line (`TERM`; the closing parenthesis is left out).
TERMINAL_CHARS = ".!?。！？…\"'”’»"
#: Separators of menus and breadcrumbs (`SEP`).
SEPARATOR_CHARS = "|»›•·/>"


def _table() -> np.ndarray:
    table = np.zeros(CLASS_LIMIT + 1, dtype=np.uint16)
    # Every code point up to the limit as one string, searched once per class: \s is what
    # str.isspace() accepts (what str.split() splits on), \d what str.isdecimal() does. A loop over
    # 65,536 characters cost every process 15 ms at import.
    every = np.arange(CLASS_LIMIT + 1, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table[[m.start() for m in re.finditer(r"\s", every)]] |= WS
    table[[m.start() for m in re.finditer(r"\d", every)]] |= DECIMAL
    table[[32, 160]] |= SPACE
    table[48:58] |= DIGIT
    upper = [c for c in list(range(65, 91)) + list(range(192, 223)) if c != 215]
    lower = [c for c in list(range(97, 123)) + list(range(223, 256)) if c != 247]
    table[upper] |= UPPER
    table[upper + lower + list(range(256, CLASS_LIMIT + 1))] |= LETTER
    table[[ord(c) for c in SEPARATOR_CHARS]] |= SEP
    table[[ord(c) for c in TERMINAL_CHARS]] |= TERM
    table[[ord(c) for c in ".!?"]] |= SENT_END
    return table


TABLE = _table()


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (uint32)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def classes(cp: np.ndarray) -> np.ndarray:
    """The class bits of each code point."""
    return TABLE[np.minimum(cp, CLASS_LIMIT)]
