"""confluent-kafka clients for the CLI tools: topic creation, producing, reading back."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from streams.security import librdkafka_security
from streams.settings import Settings
from streams.topics import CONTRACT_TOPICS, partitions_of

# librdkafka writes its own log lines to stderr; routed here they follow the process's
# logging configuration instead of flooding a terminal while a broker restarts.
RDKAFKA_LOG = logging.getLogger("tradescreen.rdkafka")


def client_config(bootstrap: str, settings: Settings | None = None, **extra: Any) -> dict[str, Any]:
    """The one place a confluent-kafka client's configuration is built: bootstrap, logging and
    the cluster's security settings (SASL/TLS). Without `settings` they are read from the
    TRADESCREEN_* environment, as every command and the worker are configured."""
    security = librdkafka_security(settings if settings is not None else Settings())
    return {"bootstrap.servers": bootstrap, "logger": RDKAFKA_LOG, **security, **extra}


def create_topics(settings: Settings, bootstrap: str, timeout_s: float = 30.0) -> dict[str, str]:
    """Create every contract topic explicitly (auto-created topics get the broker's default
    partition count, which breaks co-partitioning). Existing topics are left as they are."""
    admin = AdminClient(client_config(bootstrap, settings))
    existing = set(admin.list_topics(timeout=timeout_s).topics)
    wanted = [
        NewTopic(settings.topic(spec.name), num_partitions=partitions_of(spec, settings),
                 replication_factor=settings.replication_factor, config=dict(spec.config))
        for spec in CONTRACT_TOPICS
        if settings.topic(spec.name) not in existing
    ]
    result = {settings.topic(s.name): "exists" for s in CONTRACT_TOPICS if settings.topic(s.name) in existing}
    if wanted:
        for name, future in admin.create_topics(wanted, operation_timeout=timeout_s).items():
            try:
                future.result(timeout=timeout_s)
                result[name] = "created"
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
                result[name] = "exists"
    return result


def make_producer(bootstrap: str, settings: Settings | None = None, **extra: Any) -> Producer:
    # murmur2_random is the Java client's partitioner, which Faust (aiokafka) also uses:
    # without it a key lands on a different partition than the worker's tables expect.
    return Producer(client_config(bootstrap, settings, **{"partitioner": "murmur2_random", "linger.ms": 5,
                                                          "acks": "all", **extra}))


def flush_or_raise(producer: Producer, timeout_s: float = 60.0) -> None:
    remaining = producer.flush(timeout_s)
    if remaining:
        raise RuntimeError(f"{remaining} messages were not delivered within {timeout_s:.0f}s")


def assign_whole_topic(consumer: Consumer, topic: str, start: int, timeout_s: float = 30.0) -> list[int]:
    """Assign every partition of `topic` from offset `start` (OFFSET_BEGINNING, OFFSET_END),
    without a consumer group: readers need none, and joining one is slow on some brokers
    (about 24 s on Tansu). Returns the partitions; RuntimeError if the topic is missing."""
    meta = consumer.list_topics(topic, timeout=timeout_s).topics[topic]
    if meta.error is not None:
        raise RuntimeError(f"topic {topic}: {meta.error}")
    partitions = sorted(meta.partitions)
    consumer.assign([TopicPartition(topic, p, start) for p in partitions])
    return partitions


def read_topic(bootstrap: str, topic: str, timeout_s: float = 60.0, idle_s: float = 1.0,
               settings: Settings | None = None) -> Iterator[tuple[bytes | None, bytes | None]]:
    """Every (key, value) currently in a topic (see read_messages)."""
    return ((m.key(), m.value()) for m in read_messages(bootstrap, topic, timeout_s, idle_s, settings))


def read_messages(bootstrap: str, topic: str, timeout_s: float = 60.0, idle_s: float = 1.0,
                  settings: Settings | None = None) -> Iterator[Message]:
    """Every message currently in a topic, across all partitions (each in offset order),
    without joining a consumer group.

    The end is where the partitions' high watermarks say, and then no new record for
    `idle_s`: some Kafka-protocol brokers (Tansu) report a high watermark short of the last
    record batch, and stopping there would lose records."""
    consumer = Consumer(client_config(bootstrap, settings, **{
        "group.id": "tradescreen-reader", "enable.auto.commit": False, "auto.offset.reset": "earliest"}))
    try:
        partitions = assign_whole_topic(consumer, topic, OFFSET_BEGINNING, timeout_s)
        ends: dict[int, int] = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)
            if high > low:
                ends[p] = high
        deadline = time.monotonic() + timeout_s
        last_seen = time.monotonic()
        while ends or time.monotonic() - last_seen < idle_s:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic}: partitions {sorted(ends)} not read to the end")
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(error)
            last_seen = time.monotonic()
            yield msg
            part, offset = msg.partition(), msg.offset()
            if part is not None and offset is not None and part in ends and offset + 1 >= ends[part]:
                del ends[part]
    finally:
        consumer.close()


def broker_reachable(bootstrap: str, timeout_s: float = 3.0, settings: Settings | None = None) -> bool:
    try:
        AdminClient(client_config(bootstrap, settings)).list_topics(timeout=timeout_s)
        return True
    except Exception:
        return False


def last_value(bootstrap: str, topic: str, partition: int, settings: Settings | None = None,
               timeout_s: float = 30.0) -> bytes | None:
    """The value of the last record with a value in one partition (None: there is none),
    read backwards in growing windows from the high watermark, without a consumer group."""
    consumer = Consumer(client_config(bootstrap, settings, **{
        "group.id": "tradescreen-tail", "enable.auto.commit": False, "enable.partition.eof": True}))
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout_s)
        window = 64
        end = high
        deadline = time.monotonic() + timeout_s
        while end > low:
            start = max(low, end - window)
            consumer.assign([TopicPartition(topic, partition, start)])
            last: bytes | None = None
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"reading the tail of {topic}[{partition}]")
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        break
                    raise KafkaException(error)
                offset = msg.offset()
                if offset is not None and offset >= end:
                    break
                if msg.value():
                    last = msg.value()
            if last is not None:
                return last
            end, window = start, window * 4
        return None
    finally:
        consumer.close()
