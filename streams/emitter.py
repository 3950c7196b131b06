"""The one way out: every output the worker produces (decisions, holds, alerts, dead
letters) leaves through `Emitter.emit`, which picks topic and key by message type, sends,
and counts. Audit records are added here, once: every decision and hold event, and every
`AuditNote` (dispositions, list updates, allow-list changes), is appended to the hash
chain of the `audit` partition that matches the subject's input partition. The worker
that owns an input partition is that audit partition's only writer; a head is resumed
from the partition's last record the first time it is needed after a start or rebalance,
so a restart links on.

Outputs go through confluent-kafka producers (librdkafka batches them in its own
thread; Faust's per-message send cost more than screening an order, docs/benchmarks.md):
one for what a pipeline waits on (decisions, holds, alerts, dead letters, hold actions),
which sends at once, and one for the records only the service reads back (audit, facts,
table changelogs), which may collect a longer batch: a produce() that starts a new batch
costs several times one that joins a batch (docs/benchmarks.md, "Two producers"). Each
topic has one producer, so the order of a topic's records is kept.
Delivery: `flush()` waits until every output is acknowledged by the broker and fails if
one was not; it runs before Faust commits consumed offsets (streams/faust_tuning.py), so
an input offset is committed only once the outputs of the events before it are out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from confluent_kafka import KafkaError, Message, Producer

from schemas import Alert, AuditKind, AuditRecord, DeadLetter, Decision, HoldEvent, HoldStatus
from schemas.common import utc_now
from screening.audit import AuditChain
from screening.facts import ActivityFact, FlaggedParty, OrderFact
from screening.outputs import AuditNote, Output
from streams import metrics, topics

# The last record of one audit partition (None: empty), read from the topic.
AuditTail = Callable[[int], AuditRecord | None]

log = logging.getLogger("tradescreen.worker")

# Topics only the service reads back: sent through the records producer.
RECORD_TOPICS = frozenset({topics.AUDIT, topics.FACTS, topics.LIST_ENTRIES, topics.LIST_MANIFEST})


# Names the worker process that wrote a fact: it applied the fact at once, so it skips the
# fact when it reads the facts topic back (the other workers, and itself after a restart,
# apply it from the topic).
WRITER_HEADER = "tradescreen-writer"


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
    if isinstance(output, AuditNote):
        return topics.AUDIT, output.key
    raise TypeError(f"not an output message: {type(output).__name__}")


class OutputDeliveryError(RuntimeError):
    pass


def audit_entry(output: Output) -> tuple[AuditKind, str, dict[str, object]] | None:
    """(kind, key, payload) of the audit record an output calls for, or None."""
    if isinstance(output, AuditNote):
        return output.kind, output.key, output.payload
    if isinstance(output, Decision):
        return AuditKind.decision, output.subject.id, output.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(output, HoldEvent):
        return AuditKind.hold, output.subject.id, output.model_dump(mode="json", by_alias=True, exclude_none=True)
    return None


class Emitter:
    def __init__(self, producer: Producer, topic_name: Callable[[str], str],
                 audit_tail: AuditTail | None = None, records: Producer | None = None,
                 writer: str | None = None) -> None:
        # `records`: the producer for RECORD_TOPICS and table changelogs (default: `producer`).
        # `writer`: this process's id, sent with every fact (WRITER_HEADER).
        self._writer = writer.encode() if writer else None
        self._fact_headers: list[tuple[str, str | bytes | None]] | None = \
            [(WRITER_HEADER, self._writer)] if self._writer else None
        self._producer = producer
        self._records = records or producer
        self._producers = (producer,) if records is None else (producer, records)
        self._topic_name = topic_name
        self._failed: list[str] = []
        # Outputs handed to librdkafka are numbered; those it has not reported on yet (neither
        # delivered nor failed) are outstanding, oldest first (a dict keeps insertion order,
        # so the oldest is its first key). Reports come in order per partition only.
        self._produced = 0
        self._outstanding: dict[int, None] = {}
        self._audit_tail = audit_tail
        self._heads: dict[int, AuditChain] = {}
        # When the last record of each resumed partition was written (None: it was empty).
        self._tail_at: dict[int, datetime | None] = {}
        self._resuming = asyncio.Lock()

    async def emit(self, outputs: Sequence[Output], partition: int | None = None) -> None:
        """Send `outputs`; those the audit trail records go to the chain of audit partition
        `partition` (the subject's input partition), which is then required."""
        for output in outputs:
            entry = audit_entry(output)
            value: bytes | None = None
            if entry is not None:
                if partition is None:
                    raise ValueError(f"{type(output).__name__} is audited: emit it with its subject's partition")
                head = self._heads.get(partition) or await self._resume(partition)
                kind, key, payload = entry
                self._produce(self._records, self._topic_name(topics.AUDIT), key.encode(),
                              head.write(kind, payload, _at(output)), partition)
                metrics.labelled(metrics.AUDIT_RECORDS, kind.value).inc()
                # The audit payload is the output as the wire carries it (by alias, no
                # nulls): written once, for both.
                value = orjson.dumps(payload)
            if not isinstance(output, AuditNote):
                topic, key = route(output)
                self._produce(self._producer_for(topic), self._topic_name(topic), key.encode(),
                              value or output.to_json_bytes(), headers=self._headers_for(topic))
                _count(output)
        self._poll()

    async def _resume(self, partition: int) -> AuditChain:
        """The head of one audit partition's chain, read back from its last record, after
        every output of ours before it is delivered (so that the last record is ours if we
        wrote last)."""
        async with self._resuming:
            head = self._heads.get(partition)
            if head is not None:
                return head
            # A marker past our last record, so that a broker whose high watermark lags the
            # last batch (Tansu) shows it to the tail read.
            self.tombstone(topics.AUDIT, f"{topics.SYNC_KEY_PREFIX}audit", partition)
            await self.flush()
            last = None
            if self._audit_tail is not None:
                last = await asyncio.get_running_loop().run_in_executor(None, self._audit_tail, partition)
            head = self._heads[partition] = AuditChain.resume(last)
            self._tail_at[partition] = last.at if last is not None else None
            log.info("audit chain of partition %s resumed at seq %s", partition, head.seq)
            return head

    async def tail_at(self, partition: int) -> datetime | None:
        """When the record the chain of `partition` was resumed from was written."""
        if partition not in self._heads:
            await self._resume(partition)
        return self._tail_at.get(partition)

    def forget_audit_heads(self) -> None:
        """After a rebalance another worker may have written to a partition we held."""
        self._heads.clear()

    def _headers_for(self, topic: str) -> list[tuple[str, str | bytes | None]] | None:
        """A fact names its writer (WRITER_HEADER); nothing else carries headers of ours."""
        return self._fact_headers if topic == topics.FACTS else None

    def _producer_for(self, topic: str) -> Producer:
        return self._records if topic in RECORD_TOPICS else self._producer

    def _poll(self) -> None:
        """Serve delivery reports."""
        for producer in self._producers:
            producer.poll(0)

    def _produce(self, producer: Producer, topic: str, key: bytes, value: bytes | None, partition: int | None = None,
                 headers: list[tuple[str, str | bytes | None]] | None = None) -> None:
        seq = self._produced + 1
        report = partial(self._delivered, seq)
        while True:
            try:
                # Partition -1: librdkafka's partitioner picks one (murmur2_random, by key).
                producer.produce(topic, key=key, value=value, partition=-1 if partition is None else partition,
                                 on_delivery=report, headers=headers)
                self._produced = seq
                self._outstanding[seq] = None
                return
            except BufferError:
                # librdkafka's queue is full: the broker is slower than we are. Waiting
                # here holds the agent, which is the back-pressure we want.
                producer.poll(0.05)

    def _delivered(self, seq: int, err: KafkaError | None, msg: Message) -> None:
        self._outstanding.pop(seq, None)
        if err is not None:
            self._failed.append(f"{msg.topic()}: {err}")
            metrics.OUTPUT_FAILURES.labels(msg.topic() or "unknown").inc()

    def tombstone(self, topic: str, key: str, partition: int | None = None) -> None:
        """A null value: deletes `key` from a compacted topic, or (under a `_sync:` key)
        only marks a batch written past a lagging high watermark."""
        self._produce(self._producer_for(topic), self._topic_name(topic), key.encode(), None, partition,
                      self._headers_for(topic))
        self._poll()

    def wrote(self, headers: Any) -> bool:
        """Did this process write the message with these headers (a fact it applied when
        it wrote it)? `headers` as Faust gives them: a list of pairs or a mapping."""
        if self._writer is None or not headers:
            return False
        items = headers.items() if isinstance(headers, Mapping) else headers
        return any(name == WRITER_HEADER and value is not None and bytes(value) == self._writer
                   for name, value in items)

    def changelog(self, topic_full_name: str, partition: int, key: bytes, value: bytes | None) -> None:
        """A table's changelog record (the topic named in full: Faust names it)."""
        self._produce(self._records, topic_full_name, key, value, partition)

    def forward(self, topic: str, partition: int, key: bytes | None, value: bytes,
                headers: list[tuple[str, str | bytes | None]] | None = None) -> None:
        """Pass an input message on, unchanged, to one partition of an internal topic."""
        self._produce(self._producer_for(topic), self._topic_name(topic), key or b"", value, partition, headers)
        self._poll()

    def _pending_until(self, seq: int) -> bool:
        """Is an output numbered `seq` or lower not reported on yet? (The oldest decides.)"""
        return next(iter(self._outstanding), seq + 1) <= seq

    async def flush(self, timeout_s: float = 60.0) -> None:
        """Wait until every output produced before this call is reported on. Not
        `Producer.flush()`, which waits for an empty queue: with events still arriving it
        would hold Faust's commit (and the agent behind it) for as long as they keep coming.
        Not a count of reports either: outputs produced during the wait, to a partition
        whose batch goes out sooner, are reported before earlier ones."""
        target = self._produced
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._pending_until(target) and loop.time() < deadline:
            self._poll()
            if self._pending_until(target):
                await asyncio.sleep(0.002)
        remaining = sum(1 for s in self._outstanding if s <= target)
        if remaining or self._failed:
            failed, self._failed = self._failed, []
            raise OutputDeliveryError(f"{remaining} outputs undelivered after {timeout_s:.0f}s; "
                                      f"{len(failed)} failed: {failed[:3]}")


def _at(output: Output) -> datetime:
    if isinstance(output, Decision):
        return output.decided_at
    if isinstance(output, HoldEvent):
        return output.at
    if isinstance(output, AuditNote):
        return output.at
    return utc_now()


def _count(output: Output) -> None:
    if isinstance(output, Decision):
        metrics.labelled(metrics.DECISIONS, output.outcome.value, output.trigger.value).inc()
        for reason in output.reasons:
            metrics.labelled(metrics.DECISION_REASONS, reason.code.value).inc()
    elif isinstance(output, HoldEvent) and output.status is HoldStatus.opened:
        metrics.HOLDS_OPENED.inc()
    elif isinstance(output, Alert):
        metrics.labelled(metrics.ALERTS, output.severity.value, output.code).inc()
    elif isinstance(output, DeadLetter):
        metrics.labelled(metrics.DEADLETTERS, output.topic, output.error_kind or "unknown").inc()

