from copydesk.blocks import Block, ancestor_ids


def test_ancestor_ids_name_the_shared_container():
    blocks = [Block("a", ancestors=(1, 2, 3)), Block("b", ancestors=(1, 2, 4)), Block("c", ancestors=(1, 5))]
    assert ancestor_ids(blocks, 1).tolist() == [2, 2, 1]
    assert ancestor_ids(blocks, 2).tolist() == [1, 1, -1]
    assert ancestor_ids([], 1).tolist() == []
