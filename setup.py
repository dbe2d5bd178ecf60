"""The one compiled part: segmentation (copydesk/_segment.c).

Optional: where it cannot be built, `pip install` goes on and `segment` walks the
tree in Python, with the same result (slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("copydesk._segment", ["copydesk/_segment.c"], optional=True,
                             extra_compile_args=["-O2"], libraries=["dl"])])
