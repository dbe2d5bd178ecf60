"""The compiled parts: segmentation's walk (copydesk/_segment.c), the counting behind
the block features (copydesk/_textstats.c) and behind text mode's line features
(copydesk/_linestats.c), the last two sharing a word table (copydesk/_wordtable.h).

Optional: where they cannot be built, `pip install` goes on and `segment.py`,
`features.py` and `textfeatures.py` do the same in Python and numpy, with the same
result (slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[
    Extension("copydesk._segment", ["copydesk/_segment.c"], optional=True, extra_compile_args=["-O2"],
              libraries=["dl"]),
    Extension("copydesk._textstats", ["copydesk/_textstats.c"], depends=["copydesk/_wordtable.h"], optional=True,
              extra_compile_args=["-O2"]),
    Extension("copydesk._linestats", ["copydesk/_linestats.c"], depends=["copydesk/_wordtable.h"], optional=True,
              extra_compile_args=["-O3"]),
])
