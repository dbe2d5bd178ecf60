import numpy as np

from copydesk import charclass as cc


def test_classes_agree_with_str_methods_on_the_whole_bmp():
    cp = np.arange(cc.CLASS_LIMIT + 1, dtype=np.uint32)
    cls = cc.classes(cp)
    space = np.array([chr(c).isspace() for c in range(cc.CLASS_LIMIT + 1)])
    decimal = np.array([chr(c).isdecimal() for c in range(cc.CLASS_LIMIT + 1)])
    assert np.array_equal((cls & cc.WS) > 0, space)
    assert np.array_equal((cls & cc.DECIMAL) > 0, decimal)


def test_named_classes():
    cls = cc.classes(cc.code_points("A a 7 | . 。€"))
    assert cls[0] & cc.UPPER and cls[0] & cc.LETTER
    assert cls[2] & cc.LETTER and not cls[2] & cc.UPPER
    assert cls[1] & cc.SPACE and cls[1] & cc.WS
    assert cls[4] & cc.DIGIT and cls[4] & cc.DECIMAL
    assert cls[6] & cc.SEP
    assert cls[8] & cc.TERM and cls[8] & cc.SENT_END
    assert cls[10] & cc.TERM and not cls[10] & cc.SENT_END


def test_code_points_beyond_the_table_and_lone_surrogates():
    cp = cc.code_points("a\U0001F600\ud800")
    assert cp.tolist() == [97, 0x1F600, 0xD800]
    assert cc.classes(cp)[1] == cc.TABLE[cc.CLASS_LIMIT]
