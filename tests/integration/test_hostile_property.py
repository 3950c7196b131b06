"""Issue 13, point 2, the suite's share: a seed-fixed sample of hypothesis-drawn hostile
payloads, interleaved with valid events, on every input topic the worker reads, against
the session broker and worker. Every bad payload lands in deadletter with a readable
error, every valid order and shipment is decided, valid list entries are applied and
valid links are not dead-lettered, and the worker neither restarts nor outgrows a stated
memory bound. The full run of 10,000 and more is bench/hostile_input.py."""

from __future__ import annotations

import uuid

from streams.broker import EmbeddedBroker
from tests.integration.harness import OutputReader, WorkerProcess
from tests.integration.hostile_payloads import DISPOSITIONS, LIST_ENTRIES, ORDERS, OWNERSHIP, SHIPMENTS
from tests.integration.hostile_run import (
    RssSampler,
    applied_entries,
    check,
    clean_up,
    draw_payloads,
    produce_all,
)

SHAPES_UNDER_TEST = (ORDERS, SHIPMENTS, LIST_ENTRIES, OWNERSHIP, DISPOSITIONS)
SAMPLE_SIZE = 1500
SEED = 13_02
# Resident memory the worker may reach with SDN + CSL loaded while it works through the
# payloads (the bound test_hostile_input.py states), and what the payloads may add to it:
# hostile input must not grow the worker (bench/hostile_input.py measures the 10,000 run).
RSS_BOUND_BYTES = 3 * 1024**3
RSS_GROWTH_BOUND_BYTES = 256 * 1024**2


def test_hostile_payloads_on_every_input_topic(broker: EmbeddedBroker, outputs: OutputReader,
                                               screening_worker: WorkerProcess) -> None:
    run_id = uuid.uuid4().hex[:8]
    payloads = draw_payloads(SHAPES_UNDER_TEST, SAMPLE_SIZE, SEED, run_id)
    assert screening_worker.proc is not None
    pid = screening_worker.proc.pid
    entries_before = applied_entries(screening_worker)
    rss = RssSampler(pid)
    sent = produce_all(broker.bootstrap, payloads, run_id)
    try:
        outcome = check(outputs, sent, timeout_s=120)
        valid_entries = sum(1 for s in sent if s.payload.topic == LIST_ENTRIES.topic and s.payload.kind == "valid")
        assert outcome.ok(), outcome.summary()
        assert applied_entries(screening_worker) == entries_before + valid_entries
    finally:
        peak = rss.stop()
        clean_up(broker.bootstrap, sent)
    assert screening_worker.proc.pid == pid and screening_worker.proc.poll() is None, screening_worker.tail_log()
    assert screening_worker.health()["status"] in ("ok", "degraded")
    assert peak < RSS_BOUND_BYTES, f"worker resident memory peaked at {peak / 2**20:.0f} MiB"
    assert peak - rss.first < RSS_GROWTH_BOUND_BYTES, \
        f"worker resident memory grew from {rss.first / 2**20:.0f} to {peak / 2**20:.0f} MiB"
    # The sample reached every topic and kind it was drawn for.
    topics_seen = {s.payload.topic for s in sent}
    assert topics_seen == {shape.topic for shape in SHAPES_UNDER_TEST}
