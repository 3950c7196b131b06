"""The worker's garbage-collection policy.

A worker holds a large long-lived heap (the list index, stream facts, table state) and
allocates briefly per event. Left to CPython's defaults, every object that survives a
young collection is walked again by the middle generation's collections and then by every
full collection, whose pauses grow with the heap: at the bench's rate a tenth of the
worker's CPU went there, and a full pass stops the event loop for hundreds of ms
(docs/benchmarks.md, "Garbage collection"). So:

- what survives a young collection is frozen (`gc.freeze`): later collections skip it,
  and no pause walks more than one young generation;
- frozen objects are still freed by reference counting; only reference cycles that die
  after they were frozen are not, so every `gc_reclaim_interval_s` the whole heap is
  unfrozen, collected once and frozen again (`reclaim`), which bounds that leak;
- every collection is timed and counted (tradescreen_gc_*), the reclaimed cycles too.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from streams import metrics

log = logging.getLogger("tradescreen.worker")


class Collector:
    """The process's one collection policy (the collector is process-wide)."""

    def __init__(self) -> None:
        self.freeze_survivors = False
        self._started = 0.0
        self._pauses = [metrics.GC_PAUSES.labels(str(g)) for g in range(3)]
        self._unreachable = [metrics.GC_UNREACHABLE.labels(str(g)) for g in range(3)]

    def on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        generation = info["generation"]
        self._pauses[generation].inc(time.perf_counter() - self._started)
        self._unreachable[generation].inc(info["collected"])
        if self.freeze_survivors and generation == 0:
            gc.freeze()

    def reclaim(self) -> int:
        """Collect the whole heap, frozen part included, then freeze it again. Returns the
        unreachable objects found: with survivors frozen, the cycles that would otherwise
        have stayed in memory."""
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()  # one collection of the oldest generation: no young survivor to freeze meanwhile
        gc.freeze()
        metrics.GC_RECLAIMED.inc(found)
        log.info("whole-heap collection: %d unreachable objects freed in %.3f s, %d objects frozen",
                 found, time.perf_counter() - started, gc.get_freeze_count())
        return found


COLLECTOR = Collector()


def install(freeze_survivors: bool) -> Collector:
    """Time and count every collection from now on; freeze young survivors if asked."""
    COLLECTOR.freeze_survivors = freeze_survivors
    if COLLECTOR.on_collection not in gc.callbacks:
        gc.callbacks.append(COLLECTOR.on_collection)
    return COLLECTOR
