"""The worker's collection policy: young survivors are frozen out of later collections,
a cycle that dies frozen stays until the whole-heap pass reclaims it, and every pause is
timed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from streams import collector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


def sample(metric: str, **labels: str) -> float:
    from prometheus_client import REGISTRY
    return REGISTRY.get_sample_value(metric, labels) or 0.0


@pytest.fixture
def policy() -> Iterator[collector.Collector]:
    yield collector.install(freeze_survivors=True)
    collector.COLLECTOR.freeze_survivors = False
    gc.callbacks.remove(collector.COLLECTOR.on_collection)
    gc.unfreeze()


def test_young_survivors_are_frozen_and_a_cycle_that_dies_frozen_waits_for_the_reclaim(
        policy: collector.Collector) -> None:
    held, alive = cycle()
    gc.collect(0)  # the cycle survives (it is held) and is frozen with what else survived
    assert gc.get_freeze_count() > 0
    del held
    gc.collect()  # an ordinary full collection no longer walks frozen objects
    assert alive() is not None
    before = sample("tradescreen_gc_reclaimed_objects_total")
    assert policy.reclaim() >= 2
    assert alive() is None
    assert sample("tradescreen_gc_reclaimed_objects_total") >= before + 2


def test_without_freezing_a_dead_cycle_goes_at_the_next_full_collection(policy: collector.Collector) -> None:
    policy.freeze_survivors = False
    gc.unfreeze()
    held, alive = cycle()
    gc.collect(0)
    assert gc.get_freeze_count() == 0
    del held
    gc.collect()
    assert alive() is None


def test_every_collection_is_timed_and_its_unreachable_objects_counted(policy: collector.Collector) -> None:
    paused = sample("tradescreen_gc_pause_seconds_total", generation="2")
    freed = sample("tradescreen_gc_unreachable_objects_total", generation="2")
    alive = cycle()[1]
    gc.collect()
    assert alive() is None
    assert sample("tradescreen_gc_pause_seconds_total", generation="2") > paused
    assert sample("tradescreen_gc_unreachable_objects_total", generation="2") >= freed + 2
