from copydesk.assemble import assemble
from copydesk.blocks import Block


def test_roles_levels_and_repeats():
    paras = assemble([Block("Head", kind="heading", level=2), Block("  Body text  "), Block("Body text"),
                      Block(""), Block("item", kind="list_item")])
    assert [(p.text, p.role, p.level) for p in paras] == [("Head", "heading", 2), ("Body text", "paragraph", 0),
                                                          ("item", "list_item", 0)]


def test_cells_of_one_row_join():
    cells = [Block("a", kind="table", ancestors=(1, 5, 6)), Block("b", kind="table", ancestors=(1, 5, 7)),
             Block("c", kind="table", ancestors=(1, 8, 9))]
    assert [p.text for p in assemble(cells)] == ["a | b", "c"]
