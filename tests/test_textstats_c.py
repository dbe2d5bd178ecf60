"""_textstats.c against the numpy counting it replaces (`features._text_counts_py`): the same
counts, block for block. (test_features checks the rows on both paths.)"""

import numpy as np
import pytest
from conftest import require_compiled

from copydesk import features

require_compiled(features._native is not None, "_textstats")

ODD_TEXTS = [
    "x", " ", "\u00a0lead", "trail\u3000", "A", "a", "Ab", "AB", "ǅungla Title", "ǅ", "Σ", "ΟΔΟΣ ΣΑΣ.",
    "İstanbul İN the", "ﬁle ﬂow", "ß straße STRASSE", "Ünd für die", "end.", "end!", "end?", "end。",
    "end！", "end？", "a. b? c! d", "a.b", ". ", "..  ", "a,b,,c", "|•|", "1234567890" * 30,
    "\U0001F600 emoji \U0001F600.", "\U0001D400\U0001D401 math", "tab\tsep\x0bvt\x1cfs", "«Zitat»",
    "cookie subscribe newsletter sign-up", "The the THE tHe", "ⅷ roman Ⅻ", "١٢٣ arabic digits",
    "東京で会議が開かれた。参加者は多かった！本当？", "word " * 450 + "end.", "x",
    "PIÙ NÃO FÜR Más È é © ©© ©x SUBSCRIBE Newsletters signups signup cookie", "İN İn ΣΑΣ Σ the THE",
    "a an and the © ¡ho! weiter-lesen read-more lire", "x\u0130 \u0130x \u03a3\u03c3", "©",
]


def _both(texts):
    nc = np.array([len(t) for t in texts], dtype=np.int64)
    return features._text_counts_py(texts, nc), features._text_counts(texts, nc)


def test_counts_agree_on_odd_texts():
    py, c = _both(ODD_TEXTS)
    assert np.array_equal(py, c), np.argwhere(py != c)


def test_counts_agree_text_by_text():
    for text in ODD_TEXTS:
        py, c = _both([text, text.upper(), text.lower()])
        assert np.array_equal(py, c), (text, np.argwhere(py != c))


def test_counts_agree_on_shared_pages(shared_data):
    """Every 10th page of both shared sets, segmented as the pipeline does."""
    from copydesk.decode import decode
    from copydesk.parse import parse
    from copydesk.prune import prune
    from copydesk.segment import segment
    files = sorted((shared_data / "wcxb-dev" / "html").iterdir())[::10]
    files += sorted((shared_data / "trafilatura-eval" / "html").iterdir())[::10]
    for path in files:
        dec = decode(path.read_bytes())
        tree, _ = parse(dec.text, dec.utf8)
        prune(tree)
        texts = [b.text for b in segment(tree).blocks]
        if texts:
            py, c = _both(texts)
            assert np.array_equal(py, c), path.name


def test_bad_arguments_raise_instead_of_crashing():
    texts = ["one", "two"]
    with pytest.raises(ValueError):
        features._native.counts(texts, np.zeros((2, 3), dtype=np.int64), features.charclass.TABLE, 1, ".",
                                features._word_code, 200)
    with pytest.raises(ValueError):
        features._native.counts(["one", ""], np.zeros((2, 13), dtype=np.int64), features.charclass.TABLE, 1, ".",
                                features._word_code, 200)
