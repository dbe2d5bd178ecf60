"""Corpus mode: count-min line counts and the host-frequency post-rule."""
from __future__ import annotations

import random

import numpy as np
import pytest

from copydesk.corpus import LineCounts, count_lines, host_of
from copydesk.textfeatures import normalise_line
from copydesk.textmode import clean_text

SUBJECTS = ["The city council", "Local teachers", "The new library", "Residents of the east district",
            "The transport authority", "Farmers in the valley", "The hospital board", "Volunteers"]
VERBS = ["approved a plan to", "debated whether to", "announced that they will", "voted against a proposal to",
         "are preparing to", "asked the mayor to"]
OBJECTS = ["expand the bus network before the winter", "renovate the old market hall",
           "fund more school meals next year", "reduce traffic near the river bridge",
           "open a second clinic in the north", "repair the flooded park paths"]
FOOTER = ("Our reporters have covered the towns of the valley since 1921, and they live in the "
          "communities they write about every day.")
EMAIL = "Please provide a valid email address."
URL = "https://www.gazette.example/news/{}"


def _page(k: int) -> str:
    r = random.Random(k)
    title = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)}"
    paras = [" ".join(f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)}, officials said on "
                      f"{r.choice(['Monday', 'Tuesday', 'Friday'])}." for _ in range(3)) for _ in range(6)]
    return "\n\n".join([title] + paras + [FOOTER, EMAIL])


@pytest.fixture(scope="module")
def corpus():
    pages = [_page(k) for k in range(20)]
    return pages, count_lines((URL.format(k), p) for k, p in enumerate(pages))


def test_footer_removed_only_in_corpus_mode(corpus):
    pages, counts = corpus
    for k in (0, 7, 19):
        single = clean_text(pages[k], url=URL.format(k))
        multi = clean_text(pages[k], url=URL.format(k), counts=counts)
        assert FOOTER in single.text          # sentence-like: the single-page model keeps it
        assert FOOTER not in multi.text       # seen on every page of the host: boilerplate
        assert EMAIL not in multi.text
        assert multi.text == single.text.replace("\n\n" + FOOTER, "").replace("\n\n" + EMAIL, "")
        assert len(multi.paragraphs) == 6


def test_other_hosts_unaffected(corpus):
    pages, counts = corpus
    doc = clean_text(pages[0], url="https://other.example/x", counts=counts)
    assert FOOTER in doc.text


def test_host_share_and_global_share(corpus):
    _, counts = corpus
    assert counts.host_pages == {"gazette.example": 20}
    share = counts.host_share("gazette.example", [normalise_line(FOOTER), "never seen line"])
    assert share[0] == pytest.approx(1.0)
    assert share[1] < 0.1
    assert counts.global_share([normalise_line(FOOTER)])[0] == pytest.approx(1.0)


def test_small_host_gives_no_evidence():
    c = count_lines(("few.example", "Same line here.\n\nOther text.") for _ in range(3))
    assert c.host_share("few.example", ["same line here."]).tolist() == [0.0]


def test_sketch_never_undercounts_and_is_fixed_size():
    c = LineCounts(width_bits=10)  # tiny sketch: collisions are certain
    rng = np.random.default_rng(0)
    truth: dict[str, int] = {}
    for k in range(200):
        lines = {"line " + "".join(chr(97 + int(d)) for d in str(int(x))) for x in rng.integers(0, 300, 20)}
        for ln in lines:
            truth[ln] = truth.get(ln, 0) + 1
        c.add_page("h.example", "\n".join(sorted(lines)))
    keys = sorted(truth)
    est = c.host_share("h.example", keys) * 200
    assert np.all(est + 1e-9 >= np.array([truth[k] for k in keys]))
    assert c.nbytes == 4 * 1024 * 4
    assert LineCounts().nbytes == 16 * 1024 * 1024


def test_host_of():
    assert host_of("https://www.Example.com/a?b") == "example.com"
    assert host_of("news.example.org/path") == "news.example.org"


def test_count_lines_type_error():
    with pytest.raises(TypeError):
        count_lines([("h.example", b"bytes")])  # type: ignore[list-item]
