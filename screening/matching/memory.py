"""Garbage-collector settings for a process that holds a large NameIndex.

An index build leaves millions of long-lived containers (posting sets, name records). Left
in the collector's generations, every later full collection walks them all (0.5 s on the
bench's index), and young collections run often while queries allocate. After a bulk
load, collect once, freeze the survivors out of later collections, and let the youngest
generation grow before it is collected, so searches meet rarer and shorter pauses.
"""

from __future__ import annotations

import gc

# Container allocations (net of frees) before a young collection; CPython's default is
# 700, which a few hundred searches reach. Searches keep little garbage in cycles, so a
# larger batch costs a few MB at most.
YOUNG_THRESHOLD = 50_000


def tune_gc_after_build() -> None:
    """Call after loading lists in bulk (an index build, a full list reload)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
