"""tune_gc_after_build: what the worker and the bench call after a bulk list load."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from screening.matching import tune_gc_after_build
from screening.matching.memory import YOUNG_THRESHOLD


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_freezes_the_survivors_and_enlarges_the_young_generation() -> None:
    gc.unfreeze()
    kept = [{"built": i} for i in range(1000)]  # long-lived containers, like an index
    _, middle, old = gc.get_threshold()
    tune_gc_after_build()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
    assert gc.get_count()[0] < YOUNG_THRESHOLD
