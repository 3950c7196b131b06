"""The one way out: every output the worker produces (decisions, holds, alerts, dead
letters) leaves through `Emitter.emit`, which picks topic and key by message type, sends,
and counts. Audit records are added here, once.

Outputs go through one confluent-kafka producer (librdkafka batches them in its own
thread; Faust's per-message send cost more than screening an order, docs/benchmarks.md).
Delivery: `flush()` waits until every output is acknowledged by the broker and fails if
one was not; it runs before Faust commits consumed offsets (streams/faust_tuning.py), so
an input offset is committed only once the outputs of the events before it are out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from confluent_kafka import KafkaError, Message, Producer

from schemas import Alert, DeadLetter, Decision, HoldEvent, HoldStatus
from screening.facts import ActivityFact, FlaggedParty, OrderFact
from screening.outputs import Output
from streams import metrics, topics

log = logging.getLogger("tradescreen.worker")


def route(output: Output) -> tuple[str, str]:
    """(topic, key) of one output, as the contract says."""
    if isinstance(output, Decision):
        return topics.DECISIONS, output.subject.id
    if isinstance(output, HoldEvent):
        return topics.HOLDS, output.hold_id
    if isinstance(output, Alert):
        return topics.ALERTS, output.subject.id if output.subject else (output.list_code or "lists")
    if isinstance(output, DeadLetter):
        return topics.DEADLETTER, output.key or ""
    if isinstance(output, OrderFact | ActivityFact | FlaggedParty):
        return topics.FACTS, output.key
    raise TypeError(f"not an output message: {type(output).__name__}")


class OutputDeliveryError(RuntimeError):
    pass


class Emitter:
    def __init__(self, producer: Producer, topic_name: Callable[[str], str]) -> None:
        self._producer = producer
        self._topic_name = topic_name
        self._failed: list[str] = []
        # Outputs handed to librdkafka, and those it has reported on (delivered or failed).
        self._produced = 0
        self._reported = 0

    async def emit(self, outputs: Sequence[Output]) -> None:
        for output in outputs:
            topic, key = route(output)
            self._produce(self._topic_name(topic), key.encode(), output.to_json_bytes())
            _count(output)
        self._producer.poll(0)  # serve delivery reports

    def _produce(self, topic: str, key: bytes, value: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(topic, key=key, value=value, on_delivery=self._delivered)
                self._produced += 1
                return
            except BufferError:
                # librdkafka's queue is full: the broker is slower than we are. Waiting
                # here holds the agent, which is the back-pressure we want.
                self._producer.poll(0.05)

    def _delivered(self, err: KafkaError | None, msg: Message) -> None:
        self._reported += 1
        if err is not None:
            self._failed.append(f"{msg.topic()}: {err}")
            metrics.OUTPUT_FAILURES.labels(msg.topic() or "unknown").inc()

    def tombstone(self, topic: str, key: str) -> None:
        """A null value: deletes `key` from a compacted topic, or (under a `_sync:` key)
        only marks a batch written past a lagging high watermark."""
        self._produce(self._topic_name(topic), key.encode(), None)
        self._producer.poll(0)

    async def flush(self, timeout_s: float = 60.0) -> None:
        """Wait until every output produced before this call is reported on. Not
        `Producer.flush()`, which waits for an empty queue: with events still arriving it
        would hold Faust's commit (and the agent behind it) for as long as they keep coming."""
        target = self._produced
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._reported < target and loop.time() < deadline:
            self._producer.poll(0)
            if self._reported < target:
                await asyncio.sleep(0.002)
        remaining = target - self._reported if self._reported < target else 0
        if remaining or self._failed:
            failed, self._failed = self._failed, []
            raise OutputDeliveryError(f"{remaining} outputs undelivered after {timeout_s:.0f}s; "
                                      f"{len(failed)} failed: {failed[:3]}")


def _count(output: Output) -> None:
    if isinstance(output, Decision):
        metrics.DECISIONS.labels(output.outcome.value, output.trigger.value).inc()
        for reason in output.reasons:
            metrics.DECISION_REASONS.labels(reason.code.value).inc()
    elif isinstance(output, HoldEvent) and output.status is HoldStatus.opened:
        metrics.HOLDS_OPENED.inc()
    elif isinstance(output, Alert):
        metrics.ALERTS.labels(output.severity.value, output.code).inc()
    elif isinstance(output, DeadLetter):
        metrics.DEADLETTERS.labels(output.topic, output.error_kind or "unknown").inc()

