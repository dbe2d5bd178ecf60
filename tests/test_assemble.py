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


def test_a_row_of_a_hundred_thousand_cells_joins_in_linear_time():
    import time
    cells = [Block(f"c{i}", kind="table", ancestors=(1, 5, 10 + i)) for i in range(100_000)]
    start = time.perf_counter()
    (row,) = assemble(cells + [Block("after")])[:1]
    assert row.text == " | ".join(f"c{i}" for i in range(100_000)) and row.role == "table"
    assert time.perf_counter() - start < 5  # each cell used to re-copy the row: 200,000 took 51 s


def test_cells_after_a_repeated_first_cell_join_the_paragraph_it_repeats():
    paras = assemble([Block("x"), Block("x", kind="table", ancestors=(1, 5, 6)),
                      Block("y", kind="table", ancestors=(1, 5, 7))])
    assert [(p.text, p.role) for p in paras] == [("x | y", "table")]
