import numpy as np

from copydesk import blocks as B
from copydesk.blocks import Block
from copydesk.label import decide, news_roles, threshold_for
from copydesk.options import Options


def _blocks(n, kind="paragraph"):
    return [Block(f"text {i}", kind=kind, index=i, ancestors=(1, 2, 10 + i)) for i in range(n)]


def test_threshold_shifts_with_favor():
    assert threshold_for(0.5, Options(favor="precision")) > 0.5 > threshold_for(0.5, Options(favor="recall"))


def test_smoothing_keeps_a_near_miss_between_kept_blocks():
    blocks = _blocks(3)
    keep = decide(np.array([0.9, 0.4, 0.9]), blocks, 0.5, Options())
    assert keep.tolist() == [True, True, True]
    keep = decide(np.array([0.9, 0.1, 0.9]), blocks, 0.5, Options())
    assert keep.tolist() == [True, False, True]


def test_a_near_miss_quote_may_sit_in_a_gap_of_two():
    blocks = _blocks(4)
    blocks[1] = Block("A pull quote", kind="quote", index=1, ancestors=(1, 2, 11))
    probs = np.array([0.9, 0.4, 0.1, 0.9])  # quote, then its attribution (far below)
    assert decide(probs, blocks, 0.5, Options()).tolist() == [True, True, False, True]
    plain = _blocks(4)  # not a quote: only a gap of one is bridged
    assert decide(probs, plain, 0.5, Options()).tolist() == [True, False, False, True]
    other = [blocks[0], Block("A pull quote", kind="quote", index=1, ancestors=(1, 7, 11)), blocks[2],
             Block("elsewhere", index=3, ancestors=(1, 5, 13))]  # three containers
    assert decide(probs, other, 0.5, Options()).tolist() == [True, False, False, True]


def test_tables_and_comments_options():
    blocks = _blocks(2, kind="table")
    assert not decide(np.array([0.9, 0.9]), blocks, 0.5, Options(include_tables=False)).any()
    c = [Block("A reader comment that is long enough to be kept as text.", flags=B.IN_COMMENTS, ancestors=(1,))]
    assert decide(np.array([0.1]), c, 0.5, Options(include_comments=True)).tolist() == [True]
    assert decide(np.array([0.1]), c, 0.5, Options()).tolist() == [False]


def test_news_roles_title_credit_and_boilerplate():
    blocks = [Block("Storm hits the coast", kind="heading", level=1), Block("The storm arrived at night. " * 5),
              Block("Jane Roe in Lisbon contributed to this report."), Block("Sign up for our newsletter")]
    keep = np.array([False, True, True, False])
    roles = news_roles(blocks, keep, "Storm hits the coast")
    assert roles[0] == "title" and roles[1] == "body" and roles[2] == "credit" and roles[3] == "boilerplate"


def test_a_long_article_does_not_lose_a_doubtful_paragraph():
    from copydesk.label import CONTAINER_MIN_BLOCKS
    n = CONTAINER_MIN_BLOCKS + 10
    blocks = [Block("A paragraph of the long article, with enough words to be prose.", index=i,
                    ancestors=(1, 2, 3 + i)) for i in range(n)]
    probs = np.full(n, 0.9)
    probs[[5, 6]] = 0.4           # two doubtful paragraphs side by side: no kept pair around each
    probs[7] = 0.1                # a sure miss stays out
    keep = decide(probs, blocks, 0.5, Options())
    assert keep[5] and keep[6] and not keep[7]
    short = decide(probs[:10], blocks[:10], 0.5, Options())  # a small container is left to the model
    assert not short[5] and not short[6]


def test_a_few_doubtful_words_are_no_article():
    nav = [Block(f"Menu entry number {i}", ancestors=(1, 2, 3 + i)) for i in range(40)]
    blocks = nav[:5] + [Block("Products", ancestors=(1, 2, 99))] + nav[5:]
    probs = np.full(len(blocks), 0.1)
    probs[5] = 0.7
    assert not decide(probs, blocks, 0.5, Options()).any()
    probs[5] = 0.85   # kept with confidence
    assert decide(probs, blocks, 0.5, Options()).sum() == 1
    alone = [Block("A page of one short sentence.", ancestors=(1, 2))]   # all the page has
    assert decide(np.array([0.6]), alone, 0.5, Options()).tolist() == [True]


def test_nothing_but_doubtful_links_is_no_article():
    links = [Block(f"Section {i} news and updates", ancestors=(1, 2, 3 + i), link_chars=26,
                   flags=B.IN_LINK_BLOCK) for i in range(40)]
    assert not decide(np.full(40, 0.6), links, 0.5, Options()).any()
    probs = np.full(40, 0.6)
    probs[0] = 0.9   # one of them kept with confidence: a listing
    assert decide(probs, links, 0.5, Options()).all()


def test_a_picture_credit_inside_the_article_is_a_credit():
    prose = "The storm arrived at night and the town woke to flooded streets. " * 3
    blocks = [Block(prose), Block("Photograph by Ed Marshall, Redonda Restoration Programme"), Block(prose),
              Block(prose), Block(prose), Block(prose), Block(prose)]
    roles = news_roles(blocks, np.ones(len(blocks), dtype=bool), None)
    assert roles[1] == "credit" and roles.count("body") == 6


def test_a_noscript_javascript_notice_is_never_kept():
    notice = Block("You need to enable JavaScript to run this app.", index=0, flags=B.IN_NOSCRIPT)
    fallback = Block("The full story, for readers without scripts: " + "words " * 60, index=1, flags=B.IN_NOSCRIPT)
    visible = Block("Enable JavaScript in your browser settings, step one.", index=2)
    keep = decide(np.array([0.9, 0.9, 0.9]), [notice, fallback, visible], 0.5, Options())
    assert keep.tolist() == [False, True, True]
