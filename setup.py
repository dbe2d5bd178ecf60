"""The compiled parts: segmentation's walk (copydesk/_segment.c) and the counting behind
the block features (copydesk/_textstats.c).

Optional: where they cannot be built, `pip install` goes on and `segment.py` and
`features.py` do the same in Python and numpy, with the same result (slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[
    Extension("copydesk._segment", ["copydesk/_segment.c"], optional=True, extra_compile_args=["-O2"],
              libraries=["dl"]),
    Extension("copydesk._textstats", ["copydesk/_textstats.c"], optional=True, extra_compile_args=["-O2"]),
])
