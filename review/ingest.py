"""Builds the read model from the topics: reads every partition of the topics below from
the offsets the store last saved (from the beginning on a fresh store), applying each
batch and its offsets in one transaction, so a crash re-reads at most one batch and
applying a message twice changes nothing.

    decisions      -> decisions (and the filter columns of their holds)
    holds          -> holds (HoldState rebuilt by screening.holds.apply_hold_event)
    dispositions   -> pending actions, until a HoldEvent answers them
    deadletter     -> pending actions the worker refused (topic == dispositions)
    lists.entries  -> list entries (for the side-by-side view and allow-list fingerprints)
    allowlist      -> allow-list entries
    orders, shipments -> the latest event per subject (the parties as submitted)
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.orm import Session

from review.store import ReviewStore
from schemas import DeadLetter, Decision, Disposition, HoldEvent, ListEntry
from schemas.review import AllowListEntry
from screening.holds import disposition_key
from streams import topics
from streams.kafka import client_config
from streams.settings import Settings

log = logging.getLogger("tradescreen.review.ingest")

READ_TOPICS = (topics.DECISIONS, topics.HOLDS, topics.DISPOSITIONS, topics.DEADLETTER, topics.LIST_ENTRIES,
               topics.ALLOWLIST, topics.ORDERS, topics.SHIPMENTS)

UNREADABLE = Counter("tradescreen_review_unreadable_messages_total",
                     "Messages the review read model could not apply (logged with topic/partition/offset)",
                     ["topic"])


class ReadModelIngest:
    def __init__(self, settings: Settings, bootstrap: str, store: ReviewStore) -> None:
        self.settings = settings
        self.bootstrap = bootstrap
        self.store = store
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.applied = 0
        self.failures = 0
        self.last_error: str | None = None
        self._names = {settings.topic(t): t for t in READ_TOPICS}

    def start(self) -> ReadModelIngest:
        self._thread = threading.Thread(target=self.run, name="review-ingest", daemon=True)
        self._thread.start()
        return self

    def status(self) -> dict[str, object]:
        alive = self._thread is not None and self._thread.is_alive()
        return {"alive": alive, "applied": self.applied, "failed_batches": self.failures,
                "last_error": self.last_error}

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run(self) -> None:
        consumer = Consumer(client_config(self.bootstrap, self.settings, **{
            "group.id": f"{self.settings.app_id}-review", "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "enable.partition.eof": False}))
        try:
            consumer.assign(self._assignment(consumer))
            while not self._stop.is_set():
                batch = consumer.consume(num_messages=500, timeout=0.3)
                if not batch:
                    continue
                try:
                    self.apply_batch(batch)
                except Exception as exc:
                    # The batch's transaction rolled back (database away, say): read it
                    # again from the saved offsets once the database answers.
                    self.failures += 1
                    self.last_error = str(exc).splitlines()[0]
                    log.exception("review read model: batch not applied; retrying from the saved offsets")
                    self._stop.wait(2.0)
                    consumer.assign(self._assignment(consumer))
        finally:
            consumer.close()

    def _assignment(self, consumer: Consumer) -> list[TopicPartition]:
        saved = self.store.offsets()
        if saved and self._topics_were_recreated(consumer, saved):
            log.warning("review read model: saved offsets lie beyond the topics' end (topics recreated, or an "
                        "in-memory broker restarted): rebuilding from the beginning")
            self.store.drop_all()
            saved = {}
        wanted: list[TopicPartition] = []
        deadline = time.monotonic() + 60
        for name in self._names:
            while True:
                meta = consumer.list_topics(name, timeout=10).topics.get(name)
                if meta is not None and meta.error is None and meta.partitions:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"topic {name} not found: run `tradescreen topics create`")
                time.sleep(0.5)
            for p in meta.partitions:
                wanted.append(TopicPartition(name, p, saved.get((name, p), 0)))
        return wanted

    def _topics_were_recreated(self, consumer: Consumer, saved: dict[tuple[str, int], int]) -> bool:
        for (topic, partition), next_offset in saved.items():
            try:
                _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            except KafkaException:
                return True  # the partition is gone
            if next_offset > high:
                return True
        return False

    def apply_batch(self, batch: list[Message]) -> None:
        with self.store.session() as s:
            for msg in batch:
                error = msg.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        log.warning("review read model: %s", error)
                    continue
                topic_name = msg.topic() or ""
                try:
                    self.apply(s, self._names.get(topic_name, topic_name), msg.key(), msg.value())
                except (ValidationError, ValueError, KeyError) as exc:
                    UNREADABLE.labels(topic_name).inc()
                    log.warning("review read model: skipped topic=%s partition=%s offset=%s error=%s",
                                topic_name, msg.partition(), msg.offset(), str(exc).splitlines()[0])
                partition, offset = msg.partition(), msg.offset()
                if partition is not None and offset is not None:
                    self.store.save_offset(s, topic_name, partition, offset + 1)
                self.applied += 1

    def apply(self, s: Session, topic: str, key: bytes | None, value: bytes | None) -> None:
        key_text = key.decode() if key else ""
        if topic == topics.LIST_ENTRIES:
            self.store.apply_list_entry(s, key_text, ListEntry.model_validate_json(value) if value else None)
        elif topic == topics.ALLOWLIST:
            self.store.apply_allowlist(s, key_text, AllowListEntry.model_validate_json(value) if value else None)
        elif value is None:
            return
        elif topic == topics.DECISIONS:
            self.store.apply_decision(s, Decision.model_validate_json(value))
        elif topic == topics.HOLDS:
            self.store.apply_hold_event(s, HoldEvent.model_validate_json(value))
        elif topic == topics.DISPOSITIONS:
            disposition = Disposition.model_validate_json(value)
            self.store.apply_disposition_seen(s, disposition, disposition_key(disposition))
        elif topic == topics.DEADLETTER:
            letter = DeadLetter.model_validate_json(value)
            if letter.topic != self.settings.topic(topics.DISPOSITIONS):
                return
            try:
                disposition = Disposition.model_validate_json(base64.b64decode(letter.value_b64))
            except ValidationError:
                return  # a malformed disposition never became pending
            self.store.apply_disposition_refused(s, disposition, disposition_key(disposition), letter.error)
        elif topic in (topics.ORDERS, topics.SHIPMENTS):
            body: dict[str, Any] = json.loads(value)
            kind = "order" if topic == topics.ORDERS else "shipment"
            subject_id = body.get("order_id" if kind == "order" else "shipment_id")
            if isinstance(subject_id, str):
                self.store.apply_subject_event(s, kind, subject_id, body)
