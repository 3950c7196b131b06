"""Compiles the name-matching hot path with mypyc; pyproject.toml holds everything else.

The modules stay plain, type-checked Python (mypy checks them as it checks the rest);
mypyc turns them into C extensions that run the same searches about 1.5x as fast
(docs/benchmarks.md, "Name matching"). Set TRADESCREEN_PURE_PYTHON=1 to install them uncompiled: on a
machine without a C compiler, or to step through them in a debugger.
"""

import os

from setuptools import setup

# The modules every search runs through; the rest of the package gains nothing measurable.
COMPILED = [
    "screening/matching/explain.py",
    "screening/matching/index.py",
    "screening/matching/normalize.py",
    "screening/matching/postings.py",
    "screening/matching/scorer.py",
    "screening/matching/tokens.py",
    "screening/matching/vocabulary.py",
]

ext_modules = []
if not os.environ.get("TRADESCREEN_PURE_PYTHON"):
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3", group_name="screening.matching.native")

setup(ext_modules=ext_modules)
