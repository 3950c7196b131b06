"""What the review service writes to Kafka: dispositions and allow-list entries. Each send
waits for the broker's acknowledgement, so the API only says "accepted" once it is on the topic."""

from __future__ import annotations

import threading
from typing import Protocol

from confluent_kafka import KafkaError, Message

from streams.kafka import make_producer


class Publisher(Protocol):
    def publish(self, topic: str, key: str, value: bytes | None) -> None: ...


class KafkaPublisher:
    def __init__(self, bootstrap: str, timeout_s: float = 15.0) -> None:
        self._producer = make_producer(bootstrap, None, **{"enable.idempotence": False})
        self._lock = threading.Lock()
        self.timeout_s = timeout_s

    def publish(self, topic: str, key: str, value: bytes | None) -> None:
        errors: list[KafkaError] = []

        def delivered(error: KafkaError | None, _msg: Message) -> None:
            if error is not None:
                errors.append(error)

        with self._lock:
            self._producer.produce(topic, key=key.encode(), value=value, on_delivery=delivered)
            remaining = self._producer.flush(self.timeout_s)
        if remaining or errors:
            raise RuntimeError(f"not delivered to {topic}: {errors[0] if errors else 'timed out'}")

    def close(self) -> None:
        self._producer.flush(self.timeout_s)
