from copydesk.align import label_from_gold, label_from_snippets
from copydesk.blocks import Block

GOLD = "The council voted on Tuesday to expand the bike lanes.\n\nResidents had asked for safer streets for years."


def test_gold_alignment_by_word_triples():
    blocks = [Block("Home News Sport"), Block("The council voted on Tuesday to expand the bike lanes."),
              Block("Residents had asked for safer streets for years. Share this"), Block("Tuesday"),
              Block("Subscribe to the council newsletter on Tuesday")]
    lab = label_from_gold(blocks, GOLD)
    assert lab.y.tolist() == [0, 1, 1, 1, 0]
    assert 0.8 <= lab.coverage[2] < 1.0


def test_snippet_alignment_leaves_unknown_blocks_unlabelled():
    blocks = [Block("Impressum"), Block("Die GEMA dreht völlig am Zeiger! Mehr dazu hier."), Block("Anything else")]
    lab = label_from_snippets(blocks, ["Die GEMA dreht völlig am Zeiger!"], ["Impressum"])
    assert lab.y.tolist() == [0, 1, -1]
